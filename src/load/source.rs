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
    /// Data records with their 1-based starting line.
    pub rows: Vec<(u64, csv::StringRecord)>,
    /// Counts and detected format.
    pub stats: FileStats,
}

/// Decodes bytes: UTF-8 (BOM stripped) when valid, Windows-1251 otherwise.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => (s.to_owned(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(body);
            (text.into_owned(), "Windows-1251")
        }
    }
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

impl CsvTable {
    /// Reads and parses a whole file.
    pub fn read(path: &Path) -> Result<CsvTable> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Self::parse(&file, &bytes)
    }

    /// Parses file contents already in memory.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<CsvTable> {
        let (text, encoding) = decode(bytes);
        let delimiter = detect_delimiter(&text);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
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
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::Unreadable {
                file: file.to_owned(),
                line: e.position().map_or(0, |p| p.line()),
                reason: e.to_string(),
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            rows.push((line, rec));
        }
        let stats = FileStats {
            file: file.to_owned(),
            encoding: encoding.to_owned(),
            delimiter: delimiter as char,
            rows_read: rows.len(),
            ..FileStats::default()
        };
        Ok(CsvTable {
            file: file.to_owned(),
            headers,
            rows,
            stats,
        })
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
        assert_eq!(t.rows[0].0, 2);
        assert_eq!(t.rows[1].0, 4);
        assert_eq!(t.stats.rows_read, 2);
    }
}
