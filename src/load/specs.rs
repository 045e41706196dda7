//! The input files: each one's name and its required and optional columns, and how a file
//! (or the workbook standing in for it) is opened and read.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::source::CsvTable;
use crate::load::{workbook, FileOut, FileRead, FileReader, LoadOptions};

/// A required or optional input file and its required columns.
pub(super) struct FileSpec {
    pub(super) name: &'static str,
    pub(super) required: bool,
    pub(super) columns: &'static [&'static str],
}

pub(super) const OFFICIALS: FileSpec = FileSpec {
    name: "officials.csv",
    required: true,
    columns: &["official_id", "full_name"],
};
pub(super) const RELATIVES: FileSpec = FileSpec {
    name: "relatives.csv",
    required: false,
    columns: &["official_id", "kinship", "full_name"],
};
pub(super) const COMPANIES: FileSpec = FileSpec {
    name: "companies.csv",
    required: false,
    columns: &["inn", "name"],
};
pub(super) const ROLES: FileSpec = FileSpec {
    name: "company_roles.csv",
    required: false,
    columns: &["company_inn", "role"],
};
pub(super) const PROCUREMENTS: FileSpec = FileSpec {
    name: "procurements.csv",
    required: true,
    columns: &["procurement_id", "customer_inn"],
};
pub(super) const PARTICIPANTS: FileSpec = FileSpec {
    name: "participants.csv",
    required: true,
    columns: &["procurement_id", "participant_inn"],
};
pub(super) const COMMISSIONS: FileSpec = FileSpec {
    name: "commissions.csv",
    required: true,
    columns: &["procurement_id", "role"],
};

/// The size of the input files of `dir`: the CSV files, or the workbooks given for them (a
/// workbook is compressed, so it counts for less than it holds).
pub fn input_bytes(dir: &std::path::Path) -> u64 {
    INPUT_FILES
        .iter()
        .flat_map(|f| {
            let csv = dir.join(f);
            let books = super::workbook::EXTENSIONS.map(|ext| csv.with_extension(ext));
            std::iter::once(csv).chain(books)
        })
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The input files in reading order.
pub const INPUT_FILES: [&str; 7] = [
    "officials.csv",
    "relatives.csv",
    "companies.csv",
    "company_roles.csv",
    "procurements.csv",
    "participants.csv",
    "commissions.csv",
];

pub(super) const SPECS: [&FileSpec; 7] = [
    &OFFICIALS,
    &RELATIVES,
    &COMPANIES,
    &ROLES,
    &PROCUREMENTS,
    &PARTICIPANTS,
    &COMMISSIONS,
];

/// Checks that a file is there (when required) and that its header has the required columns,
/// reading only the header; returns the path and the header-only table. A workbook
/// (`officials.xlsx`, see [`workbook`]) may stand in for a CSV file: it is read whole here.
pub(super) fn open(
    dir: &Path,
    spec: &FileSpec,
    opts: &LoadOptions,
) -> Result<Option<(PathBuf, CsvTable)>> {
    let path = dir.join(spec.name);
    let stem = spec.name.trim_end_matches(".csv");
    let mut given: Vec<PathBuf> = workbook::EXTENSIONS
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .filter(|p| p.is_file())
        .collect();
    if path.is_file() {
        given.insert(0, path.clone());
    }
    if given.len() > 1 {
        return Err(Error::Ambiguous {
            dir: dir.to_path_buf(),
            files: given
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect(),
        });
    }
    if let Some(book) = given.first().filter(|p| **p != path) {
        let table = workbook::read(book, opts.sheet.as_deref(), spec.columns)?;
        table.require(spec.columns)?;
        return Ok(Some((book.clone(), table)));
    }
    if !path.is_file() {
        return if spec.required {
            Err(Error::MissingFile {
                file: spec.name.to_owned(),
                dir: dir.to_path_buf(),
            })
        } else {
            Ok(None)
        };
    }
    let head = CsvTable::read_header(&path)?;
    head.require(spec.columns)?;
    Ok(Some((path, head)))
}

/// Reads a whole file, if it is there, and its records; files are read one per task, so that
/// only the files being parsed are in memory.
pub(super) fn read_opt<T: Send>(
    opened: Option<(PathBuf, CsvTable)>,
    f: impl FnOnce(FileReader) -> FileRead<T> + Send,
) -> Result<Option<FileOut<T>>> {
    opened
        .map(|(path, head)| {
            // A workbook was read whole when opened; a CSV file is streamed from here.
            let table = if head.is_converted() {
                head
            } else {
                CsvTable::read(&path)?
            };
            f(FileReader::new(table))
        })
        .transpose()
}
