//! `affil import`: turns the documents analysts really have into the input files of a check.
//! [`eis`] reads the procurement system's 44-FZ XML (notifications and protocols) into
//! procurements.csv, participants.csv and commissions.csv; [`egrul`] reads the tax service's
//! register XML (ЕГРЮЛ, ЕГРИП) into companies.csv and company_roles.csv; [`ocds`] reads Open
//! Contracting JSON packages into procurements.csv and participants.csv; [`bods`] reads
//! beneficial ownership statements into companies.csv and company_roles.csv.
//!
//! Both stream: documents are read one at a time from files, folders and ZIP archives
//! ([`sources`]), each through a streaming XML walk ([`xml`]); rows go to the output through a
//! [`table::Table`] that merges them by key with what an earlier import wrote. Every problem is
//! a warning naming the source file and the element path, written beside the CSVs; the rest
//! is imported. Outputs are written to temporary files and renamed into place at the end, so an
//! error leaves the folder as it was.

pub mod bods;
pub mod egrul;
pub mod eis;
pub mod ocds;
pub mod sources;
pub mod table;
pub mod xml;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A problem met while importing: where (the source file and the element path) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    /// The source file, `archive.zip/inner/name.xml` for a ZIP member.
    pub source: String,
    /// The element path in the document, or empty for the file as a whole.
    pub element: String,
    /// What is wrong, and what the import did about it.
    pub problem: String,
}

/// How many warnings the terminal shows; the file has them all.
const SHOWN: usize = 20;

/// What an import read and wrote, for the terminal.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Documents read, by kind (`fcsProtocolEF3`, `СвЮЛ`, ...).
    pub read: BTreeMap<String, u64>,
    /// Documents skipped, by kind: kinds this import does not read.
    pub skipped: BTreeMap<String, u64>,
    /// Files that are neither XML nor ZIP, skipped.
    pub other_files: u64,
    /// Bytes of documents read.
    pub bytes: u64,
    /// The documents' format (`XML`, `JSON`): files with its extension are read.
    pub format: &'static str,
    /// Figures of the import's own (merged protocols, applications without a participant, ...).
    pub notes: Vec<String>,
    /// Per output file: what was written.
    pub written: Vec<table::Written>,
    /// The first warnings, in reading order (the warnings file has every one).
    pub warnings: Vec<ImportWarning>,
    /// How many warnings there were.
    pub warning_count: u64,
    /// Where the warnings were written.
    pub warnings_file: PathBuf,
    /// The warnings file being written, streamed (an import can warn about every company).
    sink: WarningSink,
}

/// The warnings file under its temporary name until the import ends; removed if it never
/// does.
#[derive(Default)]
struct WarningSink {
    tmp: PathBuf,
    writer: Option<csv::Writer<std::io::BufWriter<std::fs::File>>>,
    error: Option<Error>,
}

impl std::fmt::Debug for WarningSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WarningSink({})", self.tmp.display())
    }
}

impl Drop for WarningSink {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl ImportReport {
    /// An empty report whose warnings go to `warnings_file`.
    pub(crate) fn new(warnings_file: PathBuf) -> ImportReport {
        let name = warnings_file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let tmp = warnings_file.with_file_name(format!(".{name}.tmp"));
        ImportReport {
            warnings_file,
            format: "XML",
            sink: WarningSink {
                tmp,
                writer: None,
                error: None,
            },
            ..ImportReport::default()
        }
    }

    /// The extension of the documents read (`.xml`, `.json`).
    pub(crate) fn extension(&self) -> String {
        format!(".{}", self.format.to_lowercase())
    }

    pub(crate) fn warn(&mut self, source: &str, element: String, problem: impl Into<String>) {
        let w = ImportWarning {
            source: source.to_owned(),
            element,
            problem: problem.into(),
        };
        self.warning_count += 1;
        let sink = &mut self.sink;
        if sink.error.is_none() {
            if sink.writer.is_none() {
                match std::fs::File::create(&sink.tmp) {
                    Ok(f) => {
                        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(f));
                        let _ = writer.write_record(WARNING_COLUMNS);
                        sink.writer = Some(writer);
                    }
                    Err(e) => sink.error = Some(Error::write(&sink.tmp, e)),
                }
            }
            if let Some(writer) = &mut sink.writer {
                if let Err(e) = writer.write_record([&w.source, &w.element, &w.problem]) {
                    sink.error = Some(Error::write(&sink.tmp, e));
                }
            }
        }
        if self.warnings.len() < SHOWN {
            self.warnings.push(w);
        }
    }

    /// Ends an import: merges every output with what is there (an error in any leaves them
    /// all as they were), puts them in place, then the warnings file.
    pub(crate) fn close(mut self, tables: Vec<table::Table>) -> Result<ImportReport> {
        let finished = tables
            .into_iter()
            .map(table::Table::finish)
            .collect::<Result<Vec<_>>>()?;
        for f in finished {
            self.written.push(f.commit()?);
        }
        self.write_warnings()?;
        Ok(self)
    }

    /// Puts the warnings file (source, element, problem) in place, replacing an earlier
    /// import's.
    fn write_warnings(&mut self) -> Result<()> {
        if let Some(e) = self.sink.error.take() {
            return Err(e);
        }
        let Some(writer) = self.sink.writer.take() else {
            return table::write_whole(&self.warnings_file, WARNING_COLUMNS, std::iter::empty());
        };
        let tmp = &self.sink.tmp;
        writer
            .into_inner()
            .map_err(|e| Error::write(tmp, e.into_error()))?
            .flush()
            .map_err(|e| Error::write(tmp, e))?;
        std::fs::rename(tmp, &self.warnings_file).map_err(|e| Error::write(&self.warnings_file, e))
    }
}

/// The columns of an import's warnings file.
const WARNING_COLUMNS: &[&str] = &["source", "element", "problem"];

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let total: u64 = self.read.values().sum();
        writeln!(
            f,
            "read {total} document(s), {:.1} MB of {}: {}",
            self.bytes as f64 / 1e6,
            self.format,
            if self.read.is_empty() {
                "none".to_owned()
            } else {
                list(&self.read)
            }
        )?;
        if !self.skipped.is_empty() {
            writeln!(
                f,
                "skipped kinds (not read by this import): {}",
                list(&self.skipped)
            )?;
        }
        if self.other_files > 0 {
            writeln!(
                f,
                "skipped {} file(s) that are neither {} nor ZIP",
                self.other_files, self.format
            )?;
        }
        for n in &self.notes {
            writeln!(f, "{n}")?;
        }
        for w in &self.written {
            writeln!(f, "{w}")?;
        }
        let mut s = String::new();
        for w in &self.warnings {
            let place = [w.source.as_str(), w.element.as_str()]
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| format!("{p}: "))
                .collect::<String>();
            let _ = writeln!(s, "warning: {place}{}", w.problem);
        }
        write!(f, "{s}")?;
        if self.warning_count > self.warnings.len() as u64 {
            writeln!(
                f,
                "... {} more",
                self.warning_count - self.warnings.len() as u64
            )?;
        }
        write!(
            f,
            "{} warning(s), listed in {}",
            self.warning_count,
            self.warnings_file.display()
        )
    }
}

/// Options shared by the importers.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Customer INN for purchases whose documents give none (`--customer-inn`).
    pub customer_inn: Option<String>,
}

/// Creates the output folder if needed.
pub(crate) fn out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })
}

/// An ISO date or date-time (`2020-10-01T08:29:25+03:00`, `2020-10-01+03:00`) as DD.MM.YYYY,
/// the input files' form; `None` when it is not one.
pub(crate) fn ddmmyyyy(iso: &str) -> Option<String> {
    let d = iso.get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        .then(|| format!("{}.{}.{}", &d[8..10], &d[5..7], &d[0..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_become_input_dates() {
        assert_eq!(
            ddmmyyyy("2020-10-01T08:29:25+03:00").as_deref(),
            Some("01.10.2020")
        );
        assert_eq!(ddmmyyyy("2020-10-01+03:00").as_deref(), Some("01.10.2020"));
        assert_eq!(ddmmyyyy("01.10.2020"), None);
        assert_eq!(ddmmyyyy("2020"), None);
    }
}
