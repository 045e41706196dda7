//! Typed errors of the library. Bad values are warnings (see [`crate::model::Warning`]);
//! these are the failures that stop a run.

use std::path::PathBuf;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required input file is absent from the data directory.
    #[error("required file {file} is missing in {dir}")]
    MissingFile {
        /// File name, e.g. `officials.csv`.
        file: String,
        /// The data directory searched.
        dir: PathBuf,
    },
    /// A required column is absent from a file's header.
    #[error("{file}: required column `{column}` is missing from the header (line 1)")]
    MissingColumn {
        /// File name.
        file: String,
        /// Column name as the format documents it.
        column: String,
    },
    /// The file cannot be read as CSV text at all.
    #[error("{file}: line {line}: not readable as CSV text: {reason}")]
    Unreadable {
        /// File name.
        file: String,
        /// 1-based line where reading failed.
        line: u64,
        /// What went wrong.
        reason: String,
    },
    /// One input file is given twice (as CSV and as a workbook, or as two workbooks).
    #[error("{dir}: {} are one input file given twice: keep one", files.join(" and "))]
    Ambiguous {
        /// The data directory.
        dir: PathBuf,
        /// The files, e.g. `officials.csv`, `officials.xlsx`.
        files: Vec<String>,
    },
    /// The data directory itself is not there.
    #[error("data directory {0} does not exist or is not a directory")]
    NoDataDir(PathBuf),
    /// An operating-system error on a path.
    #[error("cannot access {path}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing an output file failed.
    #[error("cannot write {path}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A model file (`affil link --model`) cannot be used.
    #[error("{path}: not a usable model file: {reason}")]
    BadModel {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The check would need, or came to need, more memory than `--memory-limit` gives it.
    #[error("{}", memory_message(*limit, *need, *input, *at))]
    MemoryLimit {
        /// The limit, in bytes.
        limit: u64,
        /// The estimated peak, in bytes (see [`crate::memory::estimate`]).
        need: u64,
        /// Bytes of input files.
        input: u64,
        /// The resident memory when the run passed the limit; `None`: stopped before reading.
        at: Option<u64>,
    },
    /// A command-line option has a value the library cannot use.
    #[error("invalid option: {0}")]
    Option(String),
}

impl Error {
    /// True when the input is unusable (the user must fix the data): exit code 2.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::MissingFile { .. }
                | Error::MissingColumn { .. }
                | Error::Unreadable { .. }
                | Error::Ambiguous { .. }
                | Error::NoDataDir(_)
                | Error::BadModel { .. }
                | Error::Option(_)
        )
    }

    /// Wraps an I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps a write failure on an output path.
    pub fn write(
        path: impl Into<PathBuf>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Write {
            path: path.into(),
            source: source.into(),
        }
    }
}

/// The message of [`Error::MemoryLimit`].
fn memory_message(limit: u64, need: u64, input: u64, at: Option<u64>) -> String {
    use crate::memory::show;
    let advice = "give it more (--memory-limit), or check the data a part at a time (the \
                  procurements of some customers, with the registries they refer to)";
    match at {
        None => format!(
            "the check would need about {} of memory at its peak for {} of input files, over \
             --memory-limit {}: stopped before reading anything; {advice}",
            show(need),
            show(input),
            show(limit)
        ),
        Some(now) => format!(
            "the check passed --memory-limit {} ({} in use; about {} was expected for {} of \
             input files): stopped, its outputs are not written or not complete; {advice}",
            show(limit),
            show(now),
            show(need),
            show(input)
        ),
    }
}

/// Result alias of the library.
pub type Result<T> = std::result::Result<T, Error>;
