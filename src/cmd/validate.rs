//! `affil validate DATA_DIR`: report every problem in the input, change nothing.

use std::path::Path;

use crate::error::Result;
use crate::load::LoadOptions;
use crate::model::{FileStats, Warning};
use crate::pipeline::analyse_with;
use crate::report::sorted_warnings;

/// The outcome of a validation.
#[derive(Clone, Debug)]
pub struct Validation {
    /// Per-file counts.
    pub files: Vec<FileStats>,
    /// Every problem, in file and line order.
    pub problems: Vec<Warning>,
}

/// Reads and resolves the input as a check would, without running rules or writing files.
pub fn run(dir: &Path, load: &LoadOptions) -> Result<Validation> {
    let a = analyse_with(dir, &[], load)?;
    Ok(Validation {
        files: a.data.stats,
        problems: sorted_warnings(&a.warnings.0),
    })
}

impl std::fmt::Display for Validation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for w in &self.problems {
            let col = if w.column.is_empty() {
                String::new()
            } else {
                format!(" [{}]", w.column)
            };
            writeln!(f, "{}:{}{col}: {}", w.file, w.line, w.problem)?;
        }
        for s in &self.files {
            writeln!(
                f,
                "{}: {} rows read, {} used, {} rejected{} ({}, '{}')",
                s.file,
                s.rows_read,
                s.rows_used,
                s.rows_rejected,
                s.repeats_text(),
                s.encoding,
                if s.delimiter == '\t' {
                    "\\t".to_owned()
                } else {
                    s.delimiter.to_string()
                }
            )?;
        }
        write!(f, "{} problem(s) found", self.problems.len())
    }
}
