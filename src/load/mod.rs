//! Stage 1: read the registries in a data directory into a typed [`Dataset`].
//!
//! Bad values are dropped with a [`Warning`]; rows that cannot be used at all are rejected,
//! counted and listed. Only a missing required file or column stops the run.

mod canon;
mod facts;
pub mod headers;
mod reader;
mod readers;
mod source;
mod specs;
mod split;
pub mod workbook;

pub use reader::*;
pub use specs::*;

pub use source::{decode, decode_owned, detect_delimiter, CsvTable, Record};

use std::path::{Path, PathBuf};

use readers::{
    read_commissions, read_companies, read_officials, read_participants, read_procurements,
    read_relatives, read_roles,
};
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::model::{BirthDate, Conflict, ConflictKind, Dataset, Inn, OptBirth, RowRef, Warning};

/// Collected warnings of a run.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<Warning>);

impl Warnings {
    /// Adds one warning.
    pub fn push(&mut self, file: &str, line: u64, column: &str, problem: impl Into<String>) {
        self.0.push(Warning {
            file: file.to_owned(),
            line,
            column: column.to_owned(),
            problem: problem.into(),
        });
    }
}

/// What [`load`] returns: the dataset and the warnings met while reading it.
pub struct Loaded {
    /// Typed input.
    pub data: Dataset,
    /// Every value or row that could not be used.
    pub warnings: Warnings,
}

/// How the input files are read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The sheet read from each workbook given in place of a CSV file (`None`: its first).
    pub sheet: Option<String>,
}

/// Reads every input file of `dir`.
///
/// Fails only when a required file or column is missing or a file is not CSV text;
/// everything else becomes a warning. Files are read in parallel, each by whichever core is
/// free: relatives, bids and seats once officials and procurements (which they refer to) are
/// read.
pub fn load(dir: &Path) -> Result<Loaded> {
    load_with(dir, &LoadOptions::default())
}

/// [`load`] with options.
/// Long on purpose: the loading order (every file opened first, the files the others refer
/// to beside those that refer to nothing, then the rest, then the counts in input-file order)
/// is the function.
pub fn load_with(dir: &Path, opts: &LoadOptions) -> Result<Loaded> {
    if !dir.is_dir() {
        return Err(Error::NoDataDir(dir.to_path_buf()));
    }
    // Open every file first, so that a missing column fails before any work is done.
    let opened: Vec<Result<Option<(PathBuf, CsvTable)>>> =
        SPECS.iter().map(|spec| open(dir, spec, opts)).collect();
    let mut tables = Vec::with_capacity(SPECS.len());
    for t in opened {
        tables.push(t?);
    }
    let mut next = {
        let mut it = tables.into_iter();
        move || it.next().flatten()
    };
    let (officials_t, relatives_t, companies_t, roles_t) = (next(), next(), next(), next());
    let (procurements_t, participants_t, commissions_t) = (next(), next(), next());
    if let Some((_, t)) = &commissions_t {
        if t.col("official_id").is_none() && t.col("member_name").is_none() {
            return Err(Error::MissingColumn {
                file: t.file.clone(),
                column: "official_id or member_name".into(),
            });
        }
    }

    // Every file is a task of its own, taken by whichever core is free: companies and roles
    // refer to nothing and start at once; officials and procurements beside them, then the
    // files that refer to those. Fixed sequences left a core idle (at national scale one
    // sequence held 3.1 of the 4.8 GB read after the first two files).
    let (mut companies, mut roles) = (None, None);
    let (mut relatives, mut commissions, mut participants) = (None, None, None);
    let (mut shares, mut member_names) = (Vec::new(), Vec::new());
    let (officials, procurements) = rayon::scope(|s| {
        s.spawn(|_| companies = Some(read_opt(companies_t, read_companies)));
        s.spawn(|_| roles = Some(read_opt(roles_t, |r| read_roles(r, &mut shares))));
        let (officials, procurements) = rayon::join(
            || read_opt(officials_t, read_officials),
            || read_opt(procurements_t, read_procurements),
        );
        let (Ok(read_officials), Ok(read_procurements)) = (&officials, &procurements) else {
            return (officials, procurements);
        };
        let official_ids: FxHashMap<std::borrow::Cow<str>, u32> = read_officials
            .iter()
            .flat_map(|o| o.records.iter().enumerate())
            .map(|(i, o)| (o.official_id(), i as u32))
            .collect();
        // Bids and seats refer to procurements by index from here on.
        let procurement_ids: FxHashMap<&str, u32> = read_procurements
            .iter()
            .flat_map(|p| p.records.iter().enumerate())
            .map(|(i, p)| (p.procurement_id.as_str(), i as u32))
            .collect();
        rayon::scope(|s| {
            s.spawn(|_| {
                commissions = Some(read_opt(commissions_t, |r| {
                    read_commissions(r, &procurement_ids, &official_ids, &mut member_names)
                }))
            });
            s.spawn(|_| {
                relatives = Some(read_opt(relatives_t, |r| read_relatives(r, &official_ids)))
            });
            s.spawn(|_| {
                participants = Some(read_opt(participants_t, |r| {
                    read_participants(r, &procurement_ids)
                }))
            });
        });
        (officials, procurements)
    });
    // The files the others refer to fail first: without them the others are not read.
    let (officials, procurements) = (officials?, procurements?);
    fn done<T>(f: Option<Result<T>>) -> Result<T> {
        f.expect("read in the scope")
    }
    let (relatives, companies, roles) = (done(relatives)?, done(companies)?, done(roles)?);
    let (participants, commissions) = (done(participants)?, done(commissions)?);

    let mut w = Warnings::default();
    let mut data = Dataset::default();
    /// A file's records; its counts, warnings and conflicts go to the dataset's lists.
    fn take<T>(
        read: Option<FileOut<T>>,
        data: &mut Dataset,
        w: &mut Warnings,
        row: impl Fn(u32) -> Option<RowRef>,
    ) -> Vec<T> {
        let Some(read) = read else {
            return Vec::new();
        };
        data.stats.push(read.stats);
        w.0.extend(read.warnings.0);
        for (at, conflict) in read.settled {
            add_conflict(data, conflict, row(at));
        }
        read.records
    }
    // In input-file order, as the summary lists them.
    data.officials = take(officials, &mut data, &mut w, |i| Some(RowRef::Official(i)));
    data.relatives = take(relatives, &mut data, &mut w, |i| Some(RowRef::Relative(i)));
    data.companies = take(companies, &mut data, &mut w, |_| None);
    data.roles = take(roles, &mut data, &mut w, |i| Some(RowRef::Role(i)));
    data.shares = shares;
    data.member_names = member_names;
    data.procurements = take(procurements, &mut data, &mut w, |_| None);
    data.participants = take(participants, &mut data, &mut w, |i| {
        Some(RowRef::Participant(i))
    });
    data.seats = take(commissions, &mut data, &mut w, |_| None);
    birth_date_conflicts(&mut data, &mut w);
    Ok(Loaded { data, warnings: w })
}

/// Records a conflict, and the row it concerns (when the rules can point at that row).
fn add_conflict(data: &mut Dataset, conflict: Conflict, rows: impl IntoIterator<Item = RowRef>) {
    let id = data.conflicts.len() as u32;
    data.conflicts.push(conflict);
    for r in rows {
        data.conflict_of.entry(r).or_default().push(id);
    }
}

/// A person INN given birth dates that cannot be one person's (in one file or across files) is
/// a conflict: warned about at each row, counted in each file, and no birth date is read under
/// that INN, so that neither reading decides a match by itself.
fn birth_date_conflicts(data: &mut Dataset, w: &mut Warnings) {
    let mut dated: Vec<(Inn, RowRef, BirthDate)> = Vec::new();
    let mut add = |inn: Option<Inn>, birth: Option<BirthDate>, row: RowRef| {
        if let (Some(i), Some(b)) = (inn, birth) {
            dated.push((i, row, b));
        }
    };
    for (i, o) in data.officials.iter().enumerate() {
        add(o.inn, o.birth_date.get(), RowRef::Official(i as u32));
    }
    for (i, r) in data.relatives.iter().enumerate() {
        add(r.inn, r.birth_date.get(), RowRef::Relative(i as u32));
    }
    for (i, r) in data.roles.iter().enumerate() {
        add(
            r.person_inn,
            r.person_birth_date.get(),
            RowRef::Role(i as u32),
        );
    }
    dated.sort_unstable_by_key(|(inn, row, _)| (*inn, *row));
    for group in dated.chunk_by(|a, b| a.0 == b.0) {
        let mut dates: Vec<BirthDate> = group.iter().map(|g| g.2).collect();
        dates.sort_unstable();
        dates.dedup();
        if !BirthDate::any_disagree(&dates) {
            continue;
        }
        let inn = group[0].0;
        let kind = ConflictKind::BirthDates { inn, dates };
        let text = canon::english(&kind);
        let mut rows: Vec<(String, u64)> = Vec::new();
        for &(_, row, _) in group {
            let (file, line) = data.place(row);
            let col = match row {
                RowRef::Role(_) => "person_birth_date",
                _ => "birth_date",
            };
            w.push(&file, line, col, format!("{text} (a conflict)"));
            rows.push((file, line));
        }
        rows.sort_unstable();
        // One conflict in each file it spans.
        for in_file in rows.chunk_by(|a, b| a.0 == b.0) {
            if let Some(s) = data.stats.iter_mut().find(|s| s.file == in_file[0].0) {
                s.conflicts += 1;
            }
        }
        let refs: Vec<RowRef> = group.iter().map(|g| g.1).collect();
        for &r in &refs {
            match r {
                RowRef::Official(i) => data.officials[i as usize].birth_date = OptBirth::NONE,
                RowRef::Relative(i) => data.relatives[i as usize].birth_date = OptBirth::NONE,
                RowRef::Role(i) => data.roles[i as usize].person_birth_date = OptBirth::NONE,
                RowRef::Participant(_) => {}
            }
        }
        add_conflict(data, Conflict { rows, kind }, refs);
    }
}
