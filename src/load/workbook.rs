//! An input file given as a workbook (`officials.xlsx` for `officials.csv`): one sheet read as
//! the CSV export of it would be, so that every later step, and every message, is the same.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::source::CsvTable;
use crate::error::{Error, Result};

/// Workbook formats read in place of a CSV file, by extension.
pub const EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// How many rows from the top of a sheet may hold a title block above the header row.
const HEADER_SEARCH_ROWS: usize = 30;

/// Reads `sheet` of the workbook at `path` (the first sheet when `None`) as a table. The header
/// row is the first of the sheet's first rows that names every `required` column (a title block
/// above it, as HR exports have, is skipped), or else the first row; cells become the text a
/// CSV export would hold (a date cell `DD.MM.YYYY`, a whole number without a decimal point);
/// records carry the sheet's own row numbers, and the table is named `officials.xlsx[Лист1]`.
pub fn read(path: &Path, sheet: Option<&str>, required: &[&str]) -> Result<CsvTable> {
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let unreadable = |reason: String| Error::Unreadable {
        file: file.clone(),
        line: 0,
        reason,
    };
    let mut book =
        open_workbook_auto(path).map_err(|e| unreadable(format!("not a workbook: {e}")))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_owned(),
        Some(s) => {
            return Err(unreadable(format!(
                "no sheet «{s}»; the workbook has {}",
                names
                    .iter()
                    .map(|n| format!("«{n}»"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unreadable("the workbook has no sheet".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| unreadable(format!("sheet «{name}»: {e}")))?;
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let header = header_row(&rows, required);
    // The sheet's row number of the header: rows above the used range, then the title block.
    let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
    let offset = first_row + header as u64;
    let mut text = String::new();
    for row in &rows[header.min(rows.len())..] {
        // A blank row is a blank line, as in a CSV export: skipped, but counted.
        if !row.iter().all(|c| c.trim().is_empty()) {
            let fields: Vec<String> = row
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect();
            text.push_str(&fields.join(","));
        }
        text.push('\n');
    }
    let ext = path
        .extension()
        .map_or_else(String::new, |e| e.to_string_lossy().to_uppercase());
    // Messages name the sheet with the file, as a spreadsheet reference does.
    CsvTable::converted(&format!("{file}[{name}]"), text, ext, offset)
}

/// The index of the first row (among the first [`HEADER_SEARCH_ROWS`]) that names every
/// required column, or 0.
fn header_row(rows: &[Vec<String>], required: &[&str]) -> usize {
    rows.iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| {
            let folded: Vec<String> = row.iter().map(|c| super::headers::fold(c)).collect();
            required
                .iter()
                .all(|name| folded.iter().any(|h| super::headers::names(h, name)))
        })
        .unwrap_or(0)
}

/// A cell as a CSV export would write it, on one line (so that lines stay rows).
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.replace(['\r', '\n'], " "),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => serial_date(d.as_f64()),
        Data::DateTime(d) => number_text(d.as_f64()),
        // `2021-03-12T00:00:00`: the date part.
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as text: whole numbers (an INN typed as a number) without a decimal point.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel day number as `DD.MM.YYYY` (day 0 is 30.12.1899; the time of day is dropped).
fn serial_date(serial: f64) -> String {
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d0| d0.checked_add_signed(chrono::Duration::days(serial.floor() as i64)))
        .map_or_else(|| number_text(serial), |d| d.format("%d.%m.%Y").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_an_export_writes_them() {
        assert_eq!(number_text(7707083893.0), "7707083893");
        assert_eq!(number_text(12.5), "12.5");
        assert_eq!(serial_date(44197.0), "01.01.2021");
        assert_eq!(serial_date(44197.75), "01.01.2021");
        assert_eq!(
            cell_text(&Data::String("ООО «Ромашка»,\nфилиал".into())),
            "ООО «Ромашка», филиал"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("1978-03-12T00:00:00".into())),
            "1978-03-12"
        );
    }

    #[test]
    fn the_header_row_is_found_under_a_title_block() {
        let rows: Vec<Vec<String>> = [
            vec!["Список сотрудников", ""],
            vec!["на 01.09.2024", ""],
            vec!["", ""],
            vec!["Табельный номер", "ФИО"],
            vec!["O1", "Иванова Мария Петровна"],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        assert_eq!(header_row(&rows, &["official_id", "full_name"]), 3);
        assert_eq!(header_row(&rows, &["official_id", "kinship"]), 0);
    }
}
