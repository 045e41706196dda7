//! An output CSV of an import, merged by key with the same file of an earlier import: a row
//! whose key the import writes again is replaced, the other rows are kept; within one import
//! the last row of a key wins. Rows stream to a temporary file and only a 16-byte digest of
//! each key stays in memory (with a 4-byte index to sort them by when the import ends: 20
//! bytes a row, no hash table); the file is renamed into place when it is complete.

use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxBuildHasher;

use crate::error::{Error, Result};
use crate::load::CsvTable;

/// What one output file got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// File name.
    pub file: String,
    /// Rows in the file now.
    pub rows: u64,
    /// Rows this import added under new keys.
    pub added: u64,
    /// Rows of an earlier import this one replaced (same key).
    pub replaced: u64,
    /// Rows of an earlier import kept as they were.
    pub kept: u64,
    /// Rows this import gave more than once under one key (the last one is written).
    pub repeated: u64,
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} row(s): {} added, {} replaced, {} kept from before",
            self.file, self.rows, self.added, self.replaced, self.kept
        )?;
        if self.repeated > 0 {
            write!(
                f,
                ", {} repeated in the input (the latest kept)",
                self.repeated
            )?;
        }
        Ok(())
    }
}

fn temp_path(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.{tag}"))
}

/// Writes a whole CSV (UTF-8, comma-separated) through a temporary file and a rename.
pub fn write_whole<'a>(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = &'a [String]>,
) -> Result<()> {
    let tmp = temp_path(path, "tmp");
    let mut w = csv::Writer::from_writer(BufWriter::new(
        File::create(&tmp).map_err(|e| Error::write(&tmp, e))?,
    ));
    w.write_record(header).map_err(|e| Error::write(&tmp, e))?;
    for r in rows {
        w.write_record(r).map_err(|e| Error::write(&tmp, e))?;
    }
    w.into_inner()
        .map_err(|e| Error::write(&tmp, e.into_error()))?
        .flush()
        .map_err(|e| Error::write(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::write(path, e))
}

/// How a row's key is read off it: the key columns, and whether each is a name (compared
/// in lower case, `ё` as `е`, spaces collapsed).
pub type KeySpec = &'static [(usize, bool)];

fn digest(row: &[String], key: KeySpec) -> u128 {
    let mut a = FxBuildHasher.build_hasher();
    let mut b = FxBuildHasher.build_hasher();
    b.write_u64(0x9e37_79b9_7f4a_7c15);
    for &(i, is_name) in key {
        let v = row.get(i).map(String::as_str).unwrap_or_default();
        if is_name {
            // Lower case, `ё` as `е`, runs of spaces as one, without building the folded text.
            let mut space = false;
            for c in v.trim().chars() {
                if c.is_whitespace() {
                    space = true;
                    continue;
                }
                if space {
                    a.write_u32(' ' as u32);
                    b.write_u32(' ' as u32);
                    space = false;
                }
                for l in c.to_lowercase() {
                    let l = if l == 'ё' { 'е' } else { l };
                    a.write_u32(l as u32);
                    b.write_u32(l as u32);
                }
            }
        } else {
            a.write(v.trim().as_bytes());
            b.write(v.trim().as_bytes());
        }
        a.write_u8(0xff);
        b.write_u8(0xff);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// One output file being written.
pub struct Table {
    path: PathBuf,
    /// This import's rows, after the header, in the order given.
    new_path: PathBuf,
    header: &'static [&'static str],
    key: KeySpec,
    /// The writer of `new_path`; taken by [`Table::finish`].
    new: Option<csv::Writer<BufWriter<File>>>,
    /// The key digest of each row, in the order given.
    digests: Vec<u128>,
}

/// One bit per row.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// This import's keys, sorted: which rows a later row of their key replaced, and a lookup
/// for an earlier file's keys.
struct Keys<'a> {
    digests: &'a [u128],
    /// Row numbers in key order (rows of one key by row number).
    order: Vec<u32>,
    superseded: Bits,
    distinct: u64,
}

impl<'a> Keys<'a> {
    fn new(digests: &'a [u128]) -> Keys<'a> {
        let mut order: Vec<u32> = (0..digests.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (digests[i as usize], i));
        let mut superseded = Bits::new(digests.len());
        let mut distinct = 0;
        for (k, &i) in order.iter().enumerate() {
            match order.get(k + 1) {
                Some(&next) if digests[next as usize] == digests[i as usize] => {
                    superseded.set(i as usize)
                }
                _ => distinct += 1,
            }
        }
        Keys {
            digests,
            order,
            superseded,
            distinct,
        }
    }

    /// The position in `order` of the last row under `d`, if this import has the key.
    fn find(&self, d: u128) -> Option<usize> {
        let end = self
            .order
            .partition_point(|&i| self.digests[i as usize] <= d);
        (end > 0 && self.digests[self.order[end - 1] as usize] == d).then(|| end - 1)
    }
}

impl Table {
    /// Starts `dir/file` with `header`; `key` names the key columns.
    pub fn new(
        dir: &Path,
        file: &str,
        header: &'static [&'static str],
        key: KeySpec,
    ) -> Result<Table> {
        let path = dir.join(file);
        let new_path = temp_path(&path, "new");
        let mut new = csv::Writer::from_writer(BufWriter::new(
            File::create(&new_path).map_err(|e| Error::write(&new_path, e))?,
        ));
        new.write_record(header)
            .map_err(|e| Error::write(&new_path, e))?;
        Ok(Table {
            path,
            new_path,
            header,
            key,
            new: Some(new),
            digests: Vec::new(),
        })
    }

    /// Adds a row (one value per header column).
    pub fn push(&mut self, row: &[String]) -> Result<()> {
        debug_assert_eq!(row.len(), self.header.len());
        self.new
            .as_mut()
            .expect("a table is written before it is finished")
            .write_record(row)
            .map_err(|e| Error::write(&self.new_path, e))?;
        self.digests.push(digest(row, self.key));
        Ok(())
    }

    /// Merges with the file an earlier import left (if any) into a temporary file, ready
    /// to be put in place by [`Finished::commit`]. With no earlier file and no key given
    /// twice, this import's rows are the file as they are.
    pub fn finish(mut self) -> Result<Finished> {
        self.new
            .take()
            .expect("a table is finished once")
            .into_inner()
            .map_err(|e| Error::write(&self.new_path, e.into_error()))?
            .flush()
            .map_err(|e| Error::write(&self.new_path, e))?;
        let file = self
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let keys = Keys::new(&self.digests);
        let (rows, distinct) = (self.digests.len() as u64, keys.distinct);
        if !self.path.exists() && distinct == rows {
            let tmp = temp_path(&self.path, "tmp");
            std::fs::rename(&self.new_path, &tmp).map_err(|e| Error::write(&tmp, e))?;
            return Ok(Finished {
                tmp,
                path: self.path.clone(),
                written: Written {
                    file,
                    rows: distinct,
                    added: distinct,
                    replaced: 0,
                    kept: 0,
                    repeated: 0,
                },
            });
        }
        let tmp = temp_path(&self.path, "tmp");
        let merged = self.merge(&keys, &tmp, file);
        if merged.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        Ok(Finished {
            tmp,
            path: self.path.clone(),
            written: merged?,
        })
    }

    /// Writes the earlier rows kept and this import's latest rows into `tmp`.
    fn merge(&self, keys: &Keys<'_>, tmp: &Path, file: String) -> Result<Written> {
        let mut out = csv::Writer::from_writer(BufWriter::new(
            File::create(tmp).map_err(|e| Error::write(tmp, e))?,
        ));
        out.write_record(self.header)
            .map_err(|e| Error::write(tmp, e))?;
        let mut w = Written {
            file,
            rows: 0,
            added: 0,
            replaced: 0,
            kept: 0,
            repeated: self.digests.len() as u64 - keys.distinct,
        };
        // The keys of this import an earlier file had too, by their place in key order.
        let mut earlier = Bits::new(self.digests.len());
        let mut earlier_keys = 0;
        if self.path.exists() {
            each_earlier(&self.path, self.header, &mut |row| {
                if let Some(k) = keys.find(digest(row, self.key)) {
                    w.replaced += 1;
                    if !earlier.get(k) {
                        earlier.set(k);
                        earlier_keys += 1;
                    }
                } else {
                    out.write_record(row).map_err(|e| Error::write(tmp, e))?;
                    w.kept += 1;
                }
                Ok(())
            })?;
        }
        // This import's rows are copied as bytes, but for those a later row replaced.
        let mut reader =
            csv::Reader::from_path(&self.new_path).map_err(|e| Error::write(&self.new_path, e))?;
        let mut rec = csv::ByteRecord::new();
        let mut seq = 0;
        while reader
            .read_byte_record(&mut rec)
            .map_err(|e| Error::write(&self.new_path, e))?
        {
            if !keys.superseded.get(seq) {
                out.write_byte_record(&rec)
                    .map_err(|e| Error::write(tmp, e))?;
            }
            seq += 1;
        }
        w.added = keys.distinct - earlier_keys;
        out.into_inner()
            .map_err(|e| Error::write(tmp, e.into_error()))?
            .flush()
            .map_err(|e| Error::write(tmp, e))?;
        w.rows = w.kept + keys.distinct;
        Ok(w)
    }
}

impl Drop for Table {
    /// The rows of this import are a scratch file, finished or not.
    fn drop(&mut self) {
        self.new = None;
        let _ = std::fs::remove_file(&self.new_path);
    }
}

/// A merged output waiting in its temporary file.
pub struct Finished {
    tmp: PathBuf,
    path: PathBuf,
    /// What it holds.
    pub written: Written,
}

impl Finished {
    /// Renames the merged file into place.
    pub fn commit(self) -> Result<Written> {
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::write(&self.path, e))?;
        Ok(self.written.clone())
    }
}

impl Drop for Finished {
    /// A merged file not committed (an error came first) is removed; a committed one has
    /// been renamed away already.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Calls `f` with each row of an earlier import's file, as `header` orders its columns,
/// streamed by the loader's reader (any encoding and delimiter a check reads). A file with
/// other columns than an import writes is not merged into: the analyst is told to import
/// elsewhere.
fn each_earlier(
    path: &Path,
    header: &[&str],
    f: &mut dyn FnMut(&[String]) -> Result<()>,
) -> Result<()> {
    let table = CsvTable::read(path)?;
    if let Some(extra) = table.headers.iter().find(|h| !header.contains(&h.as_str())) {
        return Err(Error::Option(format!(
            "{} has a column `{extra}` an import does not write, so merging would lose it: \
             import into another folder, or merge by hand",
            path.display()
        )));
    }
    let index: Vec<Option<usize>> = header.iter().map(|c| table.col(c)).collect();
    let mut row: Vec<String> = vec![String::new(); header.len()];
    let mut result = Ok(());
    table.each(|_, rec| {
        if result.is_err() {
            return;
        }
        for (cell, i) in row.iter_mut().zip(&index) {
            cell.clear();
            cell.push_str(i.and_then(|i| rec.get(i)).unwrap_or_default());
        }
        result = f(&row);
    })?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[&str] = &["id", "name", "value"];
    const KEY: KeySpec = &[(0, false), (1, true)];

    fn row(v: [&str; 3]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn import(dir: &Path, rows: &[[&str; 3]]) -> Written {
        let mut t = Table::new(dir, "t.csv", HEADER, KEY).unwrap();
        for r in rows {
            t.push(&row(*r)).unwrap();
        }
        t.finish().unwrap().commit().unwrap()
    }

    #[test]
    fn a_second_import_replaces_by_key_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let w = import(
            dir.path(),
            &[
                ["1", "Ёлкин", "a"],
                ["2", "Петров", "b"],
                ["1", "ЕЛКИН", "c"],
            ],
        );
        assert_eq!((w.rows, w.added, w.repeated), (2, 2, 1));
        let w = import(dir.path(), &[["2", "петров", "d"], ["3", "Сидоров", "e"]]);
        assert_eq!((w.rows, w.added, w.replaced, w.kept), (3, 1, 1, 1));
        let text = std::fs::read_to_string(dir.path().join("t.csv")).unwrap();
        assert_eq!(text, "id,name,value\n1,ЕЛКИН,c\n2,петров,d\n3,Сидоров,e\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files are removed");
    }

    #[test]
    fn a_file_with_other_columns_is_not_merged_into() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.csv"), "id;name;value;note\n1;a;b;c\n").unwrap();
        let t = Table::new(dir.path(), "t.csv", HEADER, KEY).unwrap();
        let err = t.finish().err().unwrap().to_string();
        assert!(err.contains("`note`"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("t.csv")).unwrap(),
            "id;name;value;note\n1;a;b;c\n"
        );
    }
}
