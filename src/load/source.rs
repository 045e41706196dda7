//! Reading a CSV export: encoding and delimiter detection, records with their line numbers.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::FileStats;

/// A decoded CSV file: header and records with the line each starts on.
pub struct CsvTable {
    /// File name for messages.
    pub file: String,
    /// Header names, folded to lower case and trimmed.
    pub headers: Vec<String>,
    /// The decoded text; records are parsed from it on each pass (see [`CsvTable::each`]).
    text: String,
    /// Detected delimiter.
    delimiter: u8,
    /// Size of the file as read, before decoding.
    file_bytes: u64,
    /// Counts and detected format.
    pub stats: FileStats,
}

/// Decodes bytes: UTF-8 (BOM stripped) when valid, Windows-1251 otherwise.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    decode_owned(bytes.to_vec())
}

/// [`decode`] taking the buffer, so that valid UTF-8 is not copied.
pub fn decode_owned(mut bytes: Vec<u8>) -> (String, &'static str) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => (s, "UTF-8"),
        Err(e) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(e.as_bytes());
            (text.into_owned(), "Windows-1251")
        }
    }
}

/// The name of a file for messages: its last component, else the whole path.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Picks the delimiter that occurs most in the first line outside quotes (`,` on a tie).
pub fn detect_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let (mut in_quotes, mut counts) = (false, [0usize; 3]);
    for c in first.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => counts[0] += 1,
            ';' if !in_quotes => counts[1] += 1,
            '\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let delims = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        delims[best]
    }
}

/// One record of a [`CsvTable`]: fields of text already checked as UTF-8 when the file was
/// decoded, so they are not checked again.
#[derive(Clone, Debug)]
pub struct Record(csv::ByteRecord);

impl Record {
    /// Field `i`, if the record has it.
    pub fn get(&self, i: usize) -> Option<&str> {
        // The whole text was valid UTF-8 and the parser splits only at ASCII bytes (delimiter,
        // quote, line end), so every field is valid UTF-8 too; checked in debug builds.
        self.0.get(i).map(|b| {
            debug_assert!(std::str::from_utf8(b).is_ok());
            // SAFETY: see above.
            unsafe { std::str::from_utf8_unchecked(b) }
        })
    }

    /// Byte offset of the record in the decoded text.
    pub fn byte(&self) -> u64 {
        self.0.position().map_or(0, |p| p.byte())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl CsvTable {
    /// Reads and parses a whole file.
    pub fn read(path: &Path) -> Result<CsvTable> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let file = file_name(path);
        let file_bytes = bytes.len() as u64;
        let mut t = Self::from_text(&file, decode_owned(bytes))?;
        t.file_bytes = file_bytes;
        Ok(t)
    }

    /// Reads only the header of a file (its first line, or the first 64 KiB): for checking
    /// columns before any work is done.
    pub fn read_header(path: &Path) -> Result<CsvTable> {
        use std::io::Read;
        let mut head = Vec::with_capacity(1 << 16);
        std::fs::File::open(path)
            .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
            .map_err(|e| Error::io(path, e))?;
        if let Some(end) = head.iter().position(|&b| b == b'\n') {
            head.truncate(end + 1);
        }
        // A cut inside a UTF-8 letter must not make the text look like Windows-1251.
        if let Err(e) = std::str::from_utf8(&head) {
            if e.error_len().is_none() {
                head.truncate(e.valid_up_to());
            }
        }
        let file = file_name(path);
        Self::from_text(&file, decode_owned(head))
    }

    /// Parses file contents already in memory: the header now, the records on each pass.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<CsvTable> {
        Self::from_text(file, decode(bytes))
    }

    fn from_text(file: &str, (text, encoding): (String, &'static str)) -> Result<CsvTable> {
        let delimiter = detect_delimiter(&text);
        let mut rdr = Self::reader(&text, delimiter);
        let headers = rdr
            .headers()
            .map_err(|e| Error::Unreadable {
                file: file.to_owned(),
                line: 1,
                reason: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let stats = FileStats {
            file: file.to_owned(),
            encoding: encoding.to_owned(),
            delimiter: delimiter as char,
            ..FileStats::default()
        };
        Ok(CsvTable {
            file: file.to_owned(),
            headers,
            file_bytes: text.len() as u64,
            text,
            delimiter,
            stats,
        })
    }

    /// Number of lines of the text: at least the number of records.
    pub fn line_count(&self) -> usize {
        memchr::memchr_iter(b'\n', self.text.as_bytes()).count()
    }

    /// Size of the file on disk in bytes, and of its decoded text (for progress in file bytes).
    pub fn sizes(&self) -> (u64, u64) {
        (self.file_bytes, self.text.len() as u64)
    }

    fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes())
    }

    /// Calls `f` with every data record and the 1-based line it starts on, reusing one record
    /// buffer; returns the number of records.
    pub fn each(&self, mut f: impl FnMut(u64, &Record)) -> Result<usize> {
        let mut rdr = Self::reader(&self.text, self.delimiter);
        let mut rec = Record(csv::ByteRecord::new());
        let mut n = 0;
        loop {
            match rdr.read_byte_record(&mut rec.0) {
                Ok(false) => return Ok(n),
                Ok(true) => {
                    n += 1;
                    f(rec.0.position().map_or(0, |p| p.line()), &rec);
                }
                Err(e) => {
                    return Err(Error::Unreadable {
                        file: self.file.clone(),
                        line: e.position().map_or(0, |p| p.line()),
                        reason: e.to_string(),
                    })
                }
            }
        }
    }

    /// Every data record with its line, collected (for small files).
    pub fn rows(&self) -> Result<Vec<(u64, Record)>> {
        let mut out = Vec::new();
        self.each(|line, rec| out.push((line, Record(rec.0.clone()))))?;
        Ok(out)
    }

    /// Index of a column by its documented name.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Fails with the first required column that the header lacks.
    pub fn require(&self, columns: &[&str]) -> Result<()> {
        match columns.iter().find(|c| self.col(c).is_none()) {
            Some(c) => Err(Error::MissingColumn {
                file: self.file.clone(),
                column: (*c).to_owned(),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1251_is_detected_and_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("ИНН;ФИО\n1;Иванов\n");
        let (text, enc) = decode(&bytes);
        assert_eq!(enc, "Windows-1251");
        assert!(text.contains("Иванов"));
    }

    #[test]
    fn bom_is_stripped() {
        let (text, enc) = decode("\u{feff}a,b".as_bytes());
        assert_eq!((text.as_str(), enc), ("a,b", "UTF-8"));
    }

    #[test]
    fn delimiter_is_detected_outside_quotes() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3"), b';');
        assert_eq!(detect_delimiter("\"a;b\",c,d\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n"), b'\t');
        assert_eq!(detect_delimiter("single\n"), b',');
    }

    #[test]
    fn records_keep_their_lines() {
        let t = CsvTable::parse("x.csv", b"ID;Name\n1;\"two\nlines\"\n2;b\n").unwrap();
        assert_eq!(t.headers, vec!["id", "name"]);
        let rows = t.rows().unwrap();
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4);
        assert_eq!(rows.len(), 2);
    }
}
