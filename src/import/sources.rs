//! The documents behind the paths an import is given: XML (or, for OCDS, JSON) files, folders searched
//! recursively (in name order), and ZIP archives of them (in archive order). One document is
//! open at a time, streamed; a broken archive or file is a warning and the rest is read.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::ImportReport;
use crate::error::{Error, Result};

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

fn has_ext(name: &str, ext: &str) -> bool {
    name.len() > ext.len()
        && name.is_char_boundary(name.len() - ext.len())
        && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

/// Calls `read(name, document)` for every document under `paths` (of the report's
/// [`ImportReport::format`]). `name` is the file's
/// path, or `archive.zip/member.xml` for a member of an archive.
pub fn each_document(
    paths: &[PathBuf],
    report: &mut ImportReport,
    read: &mut dyn FnMut(&str, &mut dyn BufRead, &mut ImportReport),
) -> Result<()> {
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| Error::Io {
            path: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk_dir(p, report, read)?;
        } else {
            one_file(p, report, read);
        }
    }
    Ok(())
}

fn walk_dir(
    dir: &Path,
    report: &mut ImportReport,
    read: &mut dyn FnMut(&str, &mut dyn BufRead, &mut ImportReport),
) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(io)?;
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk_dir(&e, report, read)?;
        } else {
            one_file(&e, report, read);
        }
    }
    Ok(())
}

fn one_file(
    path: &Path,
    report: &mut ImportReport,
    read: &mut dyn FnMut(&str, &mut dyn BufRead, &mut ImportReport),
) {
    let name = path.display().to_string();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            report.warn(&name, String::new(), format!("cannot open: {e}; skipped"));
            return;
        }
    };
    if has_ext(&name, ".zip") {
        one_zip(&name, file, report, read);
    } else if has_ext(&name, &report.extension()) {
        let mut r = Counted { inner: file, n: 0 };
        read(
            &name,
            &mut BufReader::with_capacity(1 << 16, &mut r),
            report,
        );
        report.bytes += r.n;
    } else {
        report.other_files += 1;
    }
}

fn one_zip(
    name: &str,
    file: File,
    report: &mut ImportReport,
    read: &mut dyn FnMut(&str, &mut dyn BufRead, &mut ImportReport),
) {
    let mut zip = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            report.warn(
                name,
                String::new(),
                format!("not a readable ZIP archive ({e}); skipped"),
            );
            return;
        }
    };
    for i in 0..zip.len() {
        let member = match zip.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                report.warn(
                    name,
                    String::new(),
                    format!("member {} cannot be read ({e}); skipped", i + 1),
                );
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let inner = format!("{name}/{}", member.name());
        if !has_ext(&inner, &report.extension()) {
            report.other_files += 1;
            continue;
        }
        let mut r = Counted {
            inner: member,
            n: 0,
        };
        read(
            &inner,
            &mut BufReader::with_capacity(1 << 16, &mut r),
            report,
        );
        report.bytes += r.n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_ignore_case() {
        assert!(has_ext("a/B.XML", ".xml"));
        assert!(has_ext("x.Zip", ".zip"));
        assert!(!has_ext(".xml", ".xml"));
        assert!(!has_ext("a.sig", ".xml"));
        assert!(!has_ext("файл", ".xml"));
    }
}
