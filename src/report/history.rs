//! Year over year: what an earlier run (`--previous OUT_DIR`) and the analyst's decisions
//! (`--decisions decisions.csv`) say of this run's cases. Case ids are stable (a hash of the
//! rule and the case key), so the same case has the same id in every year's run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::CsvTable;
use crate::rules::Case;

/// The decisions an analyst may record.
pub const DECISIONS: [&str; 3] = ["confirmed", "cleared", "referred"];

/// One row of decisions.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// `confirmed`, `cleared` or `referred`.
    pub decision: String,
    /// The analyst's comment.
    pub comment: String,
    /// When it was decided, as written.
    pub date: String,
}

/// What earlier runs and reviews say.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The previous run's cases (case_id -> its row, header order), when `--previous` is given.
    previous: Option<BTreeMap<String, Vec<String>>>,
    /// The previous run's cases.csv header.
    previous_header: Vec<String>,
    /// Decisions by case id.
    decisions: BTreeMap<String, Decision>,
}

fn unreadable(file: &Path, line: u64, reason: String) -> Error {
    Error::Unreadable {
        file: file.display().to_string(),
        line,
        reason,
    }
}

impl History {
    /// Reads the previous run's `cases.csv` and the decisions file, either of which may be absent.
    pub fn load(previous: Option<&Path>, decisions: Option<&Path>) -> Result<History> {
        let mut h = History::default();
        if let Some(dir) = previous {
            let file: PathBuf = dir.join("cases.csv");
            let t = CsvTable::read(&file)?;
            let id = t
                .col("case_id")
                .ok_or_else(|| unreadable(&file, 1, "no case_id column".into()))?;
            let mut rows = BTreeMap::new();
            for (_, rec) in t.rows()? {
                let row: Vec<String> = rec.iter().map(str::to_owned).collect();
                if let Some(k) = row.get(id).filter(|k| !k.is_empty()) {
                    rows.insert(k.clone(), row);
                }
            }
            h.previous_header = t.headers.clone();
            h.previous = Some(rows);
        }
        if let Some(file) = decisions {
            let t = CsvTable::read(file)?;
            t.require(&["case_id", "decision"])?;
            let col = |n: &str| t.col(n);
            let (id, dec, comment, date) =
                (col("case_id"), col("decision"), col("comment"), col("date"));
            for (line, rec) in t.rows()? {
                let get =
                    |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").trim().to_owned();
                let (case_id, decision) = (get(id), get(dec).to_lowercase());
                if case_id.is_empty() {
                    continue;
                }
                if !DECISIONS.contains(&decision.as_str()) {
                    return Err(unreadable(
                        file,
                        line,
                        format!(
                            "column decision: `{decision}` is not one of {}",
                            DECISIONS.join(", ")
                        ),
                    ));
                }
                // A later row for the same case is the later decision.
                h.decisions.insert(
                    case_id,
                    Decision {
                        decision,
                        comment: get(comment),
                        date: get(date),
                    },
                );
            }
        }
        Ok(h)
    }

    /// `new` or `repeated` against the previous run; empty without one.
    pub fn status(&self, case_id: &str) -> &'static str {
        match &self.previous {
            None => "",
            Some(p) if p.contains_key(case_id) => "repeated",
            Some(_) => "new",
        }
    }

    /// The decision recorded for a case, if any.
    pub fn decision(&self, case_id: &str) -> Option<&Decision> {
        self.decisions.get(case_id)
    }

    /// Whether a previous run was given.
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }

    /// Whether decisions were given.
    pub fn has_decisions(&self) -> bool {
        !self.decisions.is_empty()
    }

    /// The previous run's header and its cases this run no longer finds, in case-id order.
    pub fn gone<'a>(&'a self, cases: &[Case]) -> (&'a [String], Vec<&'a Vec<String>>) {
        let now: std::collections::BTreeSet<&str> =
            cases.iter().map(|c| c.case_id.as_str()).collect();
        let gone = self
            .previous
            .iter()
            .flatten()
            .filter(|(k, _)| !now.contains(k.as_str()))
            .map(|(_, row)| row)
            .collect();
        (&self.previous_header, gone)
    }
}
