//! Stage 1: read the registries in a data directory into a typed [`Dataset`].
//!
//! Bad values are dropped with a [`Warning`]; rows that cannot be used at all are rejected,
//! counted and listed. Only a missing required file or column stops the run.

mod canon;
mod facts;
pub mod headers;
mod source;
pub mod workbook;

use std::path::{Path, PathBuf};

pub use source::{decode, decode_owned, detect_delimiter, CsvTable, Record};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::identifiers::{clean_inn, inn_kind, ogrn_valid, snils_valid, InnCheck, InnKind};
use crate::model::*;
use crate::values::*;

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

/// A column of an input file: its documented name and where the header has it.
#[derive(Clone, Copy)]
struct Col {
    name: &'static str,
    idx: Option<usize>,
}

/// One data row.
struct Row<'a> {
    line: u64,
    rec: &'a Record,
}

impl<'a> Row<'a> {
    /// The trimmed, non-empty value of a column.
    fn get(&self, col: Col) -> Option<&'a str> {
        self.rec
            .get(col.idx?)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn text(&self, col: Col) -> Text {
        self.get(col).unwrap_or_default().into()
    }

    /// The value of a column whose values repeat, interned.
    fn sym(&self, col: Col) -> Sym {
        sym(self.get(col).unwrap_or_default())
    }

    fn is_blank(&self) -> bool {
        self.rec.iter().all(|f| f.trim().is_empty())
    }

    /// The word of a total row (`Итого`, `Всего`, `Total`) an export put under its records,
    /// if the row's first filled cell starts with one.
    fn total_word(&self) -> Option<&str> {
        let first = self.rec.iter().map(str::trim).find(|f| !f.is_empty())?;
        let lower = first.to_lowercase();
        ["итого", "всего", "total"]
            .iter()
            .any(|w| lower.starts_with(w))
            .then_some(first)
    }
}

/// Reading context of one file: the table, its warnings and its counts.
struct FileReader {
    table: CsvTable,
    warnings: Warnings,
}

/// What reading one file gives: its records, its counts, its warnings and the contradictions
/// settled in it.
struct FileOut<T> {
    records: Vec<T>,
    stats: FileStats,
    warnings: Warnings,
    settled: canon::Settled,
}

type FileRead<T> = Result<FileOut<T>>;

impl<T: Send> FileOut<T> {
    /// The records in canonical form (see [`canon`]).
    fn canonical<K, R, D, S>(
        mut self,
        line: impl Fn(&T) -> u64 + Sync,
        rules: canon::Rules<K, R, D, S>,
    ) -> Self
    where
        K: Fn(&T, &T) -> std::cmp::Ordering + Sync,
        R: Fn(&T, &T) -> std::cmp::Ordering + Sync,
        D: Fn(&T) -> String,
        S: FnMut(&mut T, &[&T]) -> canon::Settle,
    {
        let file = self.stats.file.clone();
        self.settled = canon::canonical(
            &file,
            &mut self.records,
            line,
            rules,
            &mut self.warnings,
            &mut self.stats,
        );
        self
    }
}

impl FileReader {
    fn new(table: CsvTable) -> FileReader {
        let mut warnings = Warnings::default();
        // A column named twice: the first is read.
        for (i, h) in table.headers.iter().enumerate() {
            if table.headers[..i].contains(h) {
                warnings.push(
                    &table.file,
                    1,
                    h,
                    format!("column `{h}` appears twice in the header; the first is read"),
                );
            }
        }
        FileReader { table, warnings }
    }

    /// Columns by their documented names, located once per file.
    fn cols<const N: usize>(&self, names: [&'static str; N]) -> [Col; N] {
        names.map(|name| Col {
            name,
            idx: self.table.col(name),
        })
    }

    /// Runs `f` over every row; `f` returns `None` after rejecting a row.
    fn rows<T>(mut self, mut f: impl FnMut(&Row, &mut RowSink) -> Option<T>) -> FileRead<T> {
        // Room for every record up front: growing a vector of a million records copies it each
        // time (an estimate from the first megabyte; an untouched margin costs no memory).
        let mut out = Vec::with_capacity(self.table.records_hint());
        let width = self.table.headers.len();
        let (file, warnings) = (&self.table.file, &mut self.warnings);
        let mut rejected = 0;
        let mut reject = |w: &mut Warnings, line: u64, col: &str, why: &str| {
            rejected += 1;
            w.push(file, line, col, format!("row rejected: {why}"));
        };
        let mut sink = RowSink::default();
        let pass = self.table.each_counted(|line, rec| {
            let row = Row { line, rec };
            if row.is_blank() {
                reject(warnings, line, "", "empty row");
                return;
            }
            if let Some(word) = row.total_word() {
                reject(
                    warnings,
                    line,
                    "",
                    &format!("a total row (`{word}`), not a record"),
                );
                return;
            }
            sink.warnings.clear();
            sink.rejected = None;
            if rec.len() != width {
                sink.warn(
                    "",
                    format!("row has {} fields, the header has {width}", rec.len()),
                );
            }
            let item = f(&row, &mut sink);
            for (col, p) in sink.warnings.drain(..) {
                warnings.push(file, line, col, p);
            }
            match (item, sink.rejected.take()) {
                (Some(v), None) => out.push(v),
                (_, Some((col, why))) => reject(warnings, line, col, &why),
                (None, None) => reject(warnings, line, "", "unusable row"),
            }
        })?;
        if let Some(at) = pass.invalid_at {
            self.warnings.push(
                &self.table.file,
                0,
                "",
                format!(
                    "the file reads as UTF-8 but has bytes that are not (first near byte {at}); \
                     they were replaced with U+FFFD"
                ),
            );
        }
        if pass.repaired {
            self.warnings.push(
                &self.table.file,
                0,
                "",
                "the text was Windows-1251 shown as Latin-1 (`Îòäåë` for `Отдел`) and saved so; \
                 repaired: read back as Cyrillic"
                    .to_owned(),
            );
        }
        let mut stats = self.table.stats.clone();
        stats.encoding = self.table.format_or(&pass);
        stats.rows_read = pass.records;
        stats.rows_rejected = rejected;
        stats.rows_used = out.len();
        Ok(FileOut {
            records: out,
            stats,
            warnings: self.warnings,
            settled: Vec::new(),
        })
    }
}

/// Warnings and the rejection reason of one row.
#[derive(Default)]
struct RowSink {
    warnings: Vec<(&'static str, String)>,
    rejected: Option<(&'static str, String)>,
}

impl RowSink {
    fn warn(&mut self, col: &'static str, problem: impl Into<String>) {
        self.warnings.push((col, problem.into()));
    }

    fn reject<T>(&mut self, col: Col, problem: impl Into<String>) -> Option<T> {
        self.rejected = Some((col.name, problem.into()));
        None
    }

    /// A required text value, or a rejection.
    fn required<'a>(&mut self, row: &Row<'a>, col: Col) -> Option<&'a str> {
        match row.get(col) {
            Some(v) => Some(v),
            None => self.reject(col, format!("required value `{}` is empty", col.name)),
        }
    }

    /// Checks a SNILS (not kept: no stage reads it); a wrong control number is warned about.
    fn snils(&mut self, row: &Row, col: Col) {
        if let Some(v) = row.get(col).filter(|v| !snils_valid(v)) {
            self.warn(
                col.name,
                format!("SNILS `{v}` fails its control number; value dropped"),
            );
        }
    }

    /// A person's name, cut to [`MAX_NAME_CHARS`] characters with a warning when longer (no
    /// name is; a cell of thousands of letters is a broken export, and every stage after would
    /// carry it).
    fn name<'a>(&mut self, value: &'a str, col: Col) -> &'a str {
        match value.char_indices().nth(MAX_NAME_CHARS) {
            None => value,
            Some((cut, _)) => {
                self.warn(
                    col.name,
                    format!(
                        "a name of {} characters; the first {MAX_NAME_CHARS} are read",
                        value.chars().count()
                    ),
                );
                &value[..cut]
            }
        }
    }

    /// A personal (12-digit) INN; invalid values are dropped with a warning.
    fn person_inn(&mut self, row: &Row, col: Col) -> Option<Inn> {
        let raw = row.get(col)?;
        match clean_inn(raw) {
            InnCheck::Valid(v) | InnCheck::Restored(v) if inn_kind(&v) == Some(InnKind::Person) => {
                if v != raw {
                    self.warn(
                        col.name,
                        format!("INN `{raw}` read as {v} (leading zero restored)"),
                    );
                }
                Some(Inn::new(&v))
            }
            InnCheck::Valid(v) | InnCheck::Restored(v) => {
                self.warn(
                    col.name,
                    format!("`{v}` is an organisation INN in a person column; value dropped"),
                );
                None
            }
            InnCheck::Invalid => {
                self.warn(
                    col.name,
                    format!("INN `{raw}` fails the checksum; value dropped"),
                );
                None
            }
        }
    }

    /// An organisation or entrepreneur INN used as a key: kept as written, with a
    /// warning when its check digits are wrong (equality still joins the files).
    fn key_inn(&mut self, row: &Row, col: Col, required: bool) -> Option<Inn> {
        let Some(raw) = row.get(col) else {
            return if required {
                self.reject(col, format!("required value `{}` is empty", col.name))
            } else {
                None
            };
        };
        match clean_inn(raw) {
            InnCheck::Valid(v) => Some(Inn::new(&v)),
            InnCheck::Restored(v) => {
                self.warn(
                    col.name,
                    format!("INN `{raw}` read as {v} (leading zero restored)"),
                );
                Some(Inn::new(&v))
            }
            InnCheck::Invalid => {
                self.warn(
                    col.name,
                    format!("INN `{raw}` fails the checksum; kept as an identifier only"),
                );
                let id: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                Some(Inn::new(&id))
            }
        }
    }

    fn birth_date(&mut self, row: &Row, col: Col) -> Option<BirthDate> {
        let raw = row.get(col)?;
        let d = parse_birth_date(raw);
        if d.is_none() {
            self.warn(
                col.name,
                format!("unparsable birth date `{raw}`; value dropped"),
            );
        }
        d
    }

    fn date(&mut self, row: &Row, col: Col) -> Option<Date> {
        let raw = row.get(col)?;
        let d = parse_date(raw);
        if d.is_none() {
            self.warn(col.name, format!("unparsable date `{raw}`; value dropped"));
        }
        d
    }

    fn decimal(&mut self, row: &Row, col: Col) -> Option<f64> {
        let raw = row.get(col)?;
        let d = parse_decimal(raw);
        if d.is_none() {
            self.warn(
                col.name,
                format!("unparsable number `{raw}`; value dropped"),
            );
        }
        d
    }
}

/// The longest name read: longer ones are cut, with a warning (see `RowSink::name`).
pub const MAX_NAME_CHARS: usize = 300;

fn names_list(row: &Row, col: Col) -> Vec<String> {
    row.get(col)
        .map(|s| {
            crate::normalize::split_names(s)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Parsed values of a column with few distinct cells (role words, kinship words, shares):
/// each distinct cell is parsed once per file.
struct Memo<T>(FxHashMap<Box<str>, Option<T>>);

impl<T: Clone> Memo<T> {
    fn new() -> Self {
        Memo(FxHashMap::default())
    }

    fn get(&mut self, raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let Some(v) = self.0.get(raw) {
            return v.clone();
        }
        let v = parse(raw);
        self.0.insert(raw.into(), v.clone());
        v
    }
}

/// A required or optional input file and its required columns.
struct FileSpec {
    name: &'static str,
    required: bool,
    columns: &'static [&'static str],
}

const OFFICIALS: FileSpec = FileSpec {
    name: "officials.csv",
    required: true,
    columns: &["official_id", "full_name"],
};
const RELATIVES: FileSpec = FileSpec {
    name: "relatives.csv",
    required: false,
    columns: &["official_id", "kinship", "full_name"],
};
const COMPANIES: FileSpec = FileSpec {
    name: "companies.csv",
    required: false,
    columns: &["inn", "name"],
};
const ROLES: FileSpec = FileSpec {
    name: "company_roles.csv",
    required: false,
    columns: &["company_inn", "role"],
};
const PROCUREMENTS: FileSpec = FileSpec {
    name: "procurements.csv",
    required: true,
    columns: &["procurement_id", "customer_inn"],
};
const PARTICIPANTS: FileSpec = FileSpec {
    name: "participants.csv",
    required: true,
    columns: &["procurement_id", "participant_inn"],
};
const COMMISSIONS: FileSpec = FileSpec {
    name: "commissions.csv",
    required: true,
    columns: &["procurement_id", "role"],
};

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

const SPECS: [&FileSpec; 7] = [
    &OFFICIALS,
    &RELATIVES,
    &COMPANIES,
    &ROLES,
    &PROCUREMENTS,
    &PARTICIPANTS,
    &COMMISSIONS,
];

/// How the input files are read.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The sheet read from each workbook given in place of a CSV file (`None`: its first).
    pub sheet: Option<String>,
}

/// Checks that a file is there (when required) and that its header has the required columns,
/// reading only the header; returns the path and the header-only table. A workbook
/// (`officials.xlsx`, see [`workbook`]) may stand in for a CSV file: it is read whole here.
fn open(dir: &Path, spec: &FileSpec, opts: &LoadOptions) -> Result<Option<(PathBuf, CsvTable)>> {
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
fn read_opt<T: Send>(
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

/// Reads every input file of `dir`.
///
/// Fails only when a required file or column is missing or a file is not CSV text;
/// everything else becomes a warning. Files are read in parallel: officials and procurements
/// first (the others refer to them), then the rest in two sequences.
pub fn load(dir: &Path) -> Result<Loaded> {
    load_with(dir, &LoadOptions::default())
}

/// [`load`] with options.
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

    // The files that others refer to first, then the rest in two sequences of about equal
    // work (bids and roles on one side, relatives, seats and companies on the other; sizes and
    // parse times of the national data): no file waits for an unrelated one.
    let (officials, procurements) = rayon::join(
        || read_opt(officials_t, read_officials),
        || read_opt(procurements_t, read_procurements),
    );
    let (officials, procurements) = (officials?, procurements?);
    let official_ids: FxHashMap<&str, u32> = officials
        .iter()
        .flat_map(|o| o.records.iter().enumerate())
        .map(|(i, o)| (o.official_id.as_str(), i as u32))
        .collect();
    // Bids and seats refer to procurements by index from here on.
    let procurement_ids: FxHashMap<&str, u32> = procurements
        .iter()
        .flat_map(|p| p.records.iter().enumerate())
        .map(|(i, p)| (p.procurement_id.as_str(), i as u32))
        .collect();
    let mut shares = Vec::new();
    let ((relatives, commissions, companies), (participants, roles)) = rayon::join(
        || {
            let relatives = read_opt(relatives_t, |r| read_relatives(r, &official_ids));
            let commissions = read_opt(commissions_t, |r| {
                read_commissions(r, &procurement_ids, &official_ids)
            });
            (
                relatives,
                commissions,
                read_opt(companies_t, read_companies),
            )
        },
        || {
            let participants = read_opt(participants_t, |r| read_participants(r, &procurement_ids));
            (
                participants,
                read_opt(roles_t, |r| read_roles(r, &mut shares)),
            )
        },
    );
    let (relatives, companies, roles) = (relatives?, companies?, roles?);
    let (participants, commissions) = (participants?, commissions?);
    drop((official_ids, procurement_ids));

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
        add(o.inn, o.birth_date, RowRef::Official(i as u32));
    }
    for (i, r) in data.relatives.iter().enumerate() {
        add(r.inn, r.birth_date, RowRef::Relative(i as u32));
    }
    for (i, r) in data.roles.iter().enumerate() {
        add(r.person_inn, r.person_birth_date, RowRef::Role(i as u32));
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
                RowRef::Official(i) => data.officials[i as usize].birth_date = None,
                RowRef::Relative(i) => data.relatives[i as usize].birth_date = None,
                RowRef::Role(i) => data.roles[i as usize].person_birth_date = None,
                RowRef::Participant(_) => {}
            }
        }
        add_conflict(data, Conflict { rows, kind }, refs);
    }
}

fn read_officials(r: FileReader) -> FileRead<Official> {
    let [id_c, name_c, birth_c, inn_c, position_c, employer_c, address_c, phone_c, email_c, former_c, snils_c] =
        r.cols([
            "official_id",
            "full_name",
            "birth_date",
            "inn",
            "position",
            "employer_inn",
            "address",
            "phone",
            "email",
            "former_names",
            "snils",
        ]);
    r.rows(|row, s| {
        let id = s.required(row, id_c)?;
        let full_name = s.required(row, name_c)?;
        let full_name = s.name(full_name, name_c);
        s.snils(row, snils_c);
        Some(Official {
            line: row.line,
            official_id: id.into(),
            full_name: full_name.into(),
            birth_date: s.birth_date(row, birth_c),
            inn: s.person_inn(row, inn_c),
            position: row.sym(position_c),
            employer_inn: s.key_inn(row, employer_c, false),
            address: row.text(address_c),
            phone: row.text(phone_c),
            email: row.text(email_c),
            former_names: names_list(row, former_c),
        })
    })
    .map(facts::officials)
}

fn read_relatives(r: FileReader, officials: &FxHashMap<&str, u32>) -> FileRead<Relative> {
    // `relative_id` and `workplace` are read by no stage: not kept (11 million rows at national
    // scale).
    let [oid_c, kin_c, name_c, former_c, birth_c, inn_c, address_c, phone_c, snils_c] = r.cols([
        "official_id",
        "kinship",
        "full_name",
        "former_names",
        "birth_date",
        "inn",
        "address",
        "phone",
        "snils",
    ]);
    let mut kinships = Memo::new();
    r.rows(|row, s| {
        let official_id = s.required(row, oid_c)?;
        let Some(&official) = officials.get(official_id) else {
            return s.reject(
                oid_c,
                format!("official_id `{official_id}` is not in officials.csv"),
            );
        };
        let word = s.required(row, kin_c)?;
        let full_name = s.required(row, name_c)?;
        let full_name = s.name(full_name, name_c);
        s.snils(row, snils_c);
        let kinship = kinships.get(word, parse_kinship).unwrap_or_else(|| {
            s.warn(
                kin_c.name,
                format!("unknown kinship word `{word}`; kept as unknown"),
            );
            Kinship::Unknown
        });
        Some(Relative {
            line: row.line,
            official,
            kinship,
            kinship_word: word.into(),
            full_name: full_name.into(),
            former_names: names_list(row, former_c),
            birth_date: s.birth_date(row, birth_c),
            inn: s.person_inn(row, inn_c),
            address: row.text(address_c),
            phone: row.text(phone_c),
        })
    })
    .map(facts::relatives)
}

fn read_companies(r: FileReader) -> FileRead<Company> {
    // The OGRN is checked, and with `status` not kept: no stage reads them.
    let [inn_c, ogrn_c, name_c, address_c, phone_c, email_c] =
        r.cols(["inn", "ogrn", "name", "address", "phone", "email"]);
    r.rows(|row, s| {
        let inn = s.key_inn(row, inn_c, true)?;
        let name = s.required(row, name_c)?;
        if let Some(o) = row.get(ogrn_c).filter(|o| !ogrn_valid(o)) {
            s.warn(
                ogrn_c.name,
                format!("OGRN `{o}` fails the checksum; value dropped"),
            );
        }
        Some(Company {
            line: row.line,
            inn,
            name: name.into(),
            address: row.text(address_c),
            phone: row.text(phone_c),
            email: row.text(email_c),
        })
    })
    .map(facts::companies)
}

/// Reads company_roles.csv; each distinct share value goes once into `shares`, which the rows
/// index.
fn read_roles(r: FileReader, shares: &mut Vec<Share>) -> FileRead<CompanyRole> {
    let [company_c, role_c, name_c, pinn_c, pbirth_c, holder_c, share_c, since_c, until_c] =
        r.cols(headers::COMPANY_ROLES);
    // The share column's scale (percent or fraction) is read off the whole column first.
    let scale = match share_c.idx {
        None => ShareScale::Percent,
        Some(i) => {
            // The scale depends only on which values occur: each distinct cell once.
            let mut cells: rustc_hash::FxHashSet<Box<str>> = Default::default();
            r.table.each(|_, rec| {
                if let Some(v) = rec.get(i).map(str::trim).filter(|v| !v.is_empty()) {
                    if !cells.contains(v) {
                        cells.insert(v.into());
                    }
                }
            })?;
            detect_share_scale(cells.iter().map(|c| &**c))
        }
    };
    let (mut roles, mut share_ids) = (Memo::new(), Memo::new());
    let read = r.rows(|row, s| {
        let company_inn = s.key_inn(row, company_c, true)?;
        let word = s.required(row, role_c)?;
        let Some(role) = roles.get(word, parse_company_role) else {
            return s.reject(role_c, format!("unknown role `{word}`"));
        };
        let person_name = row.get(name_c).map(|n| Text::from(s.name(n, name_c)));
        let holder_inn = s.key_inn(row, holder_c, false);
        if person_name.is_none() && holder_inn.is_none() {
            return s.reject(name_c, "neither person_name nor holder_inn is given");
        }
        if role == CompanyRoleKind::ManagingCompany && holder_inn.is_none() {
            return s.reject(holder_c, "a managing_company row needs holder_inn");
        }
        let share = row.get(share_c).and_then(|raw| {
            let v = share_ids.get(raw, |raw| {
                let v = parse_share(raw, scale)?;
                shares.push(v);
                Some(shares.len() as u32 - 1)
            });
            if v.is_none() {
                s.warn(
                    share_c.name,
                    format!("unparsable share `{raw}`; value dropped"),
                );
            }
            v
        });
        let since = s.date(row, since_c);
        let until = s.date(row, until_c);
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                s.warn(
                    until_c.name,
                    format!("role ends ({b}) before it starts ({a})"),
                );
            }
        }
        Some(CompanyRole {
            line: row.line,
            company_inn,
            role,
            person_inn: person_name.as_ref().and_then(|_| s.person_inn(row, pinn_c)),
            person_birth_date: person_name
                .as_ref()
                .and_then(|_| s.birth_date(row, pbirth_c)),
            person_name,
            holder_inn,
            share,
            since,
            until,
        })
    })?;
    Ok(facts::roles(read, shares))
}

fn read_procurements(r: FileReader) -> FileRead<Procurement> {
    let [id_c, customer_c, cname_c, subject_c, method_c, published_c, price_c, np_c] =
        r.cols(headers::PROCUREMENTS);
    r.rows(|row, s| {
        let id = s.required(row, id_c)?;
        let customer_inn = s.key_inn(row, customer_c, true)?;
        let published = s.date(row, published_c);
        if published.is_none() {
            s.warn(
                published_c.name,
                "no publication date: roles are checked without their dates",
            );
        }
        // The initial price is checked (a warning if unreadable), not kept: no stage reads it.
        s.decimal(row, price_c);
        Some(Procurement {
            line: row.line,
            procurement_id: id.into(),
            customer_inn,
            customer_name: row.sym(cname_c),
            subject: row.sym(subject_c),
            method: row.sym(method_c),
            published,
            national_project: row.sym(np_c),
        })
    })
    .map(facts::procurements)
}

fn read_participants(r: FileReader, procurements: &FxHashMap<&str, u32>) -> FileRead<Participant> {
    let [pid_c, inn_c, name_c, winner_c, bid_c, contract_c] = r.cols(headers::PARTICIPANTS);
    r.rows(|row, s| {
        let pid = s.required(row, pid_c)?;
        let Some(&procurement) = procurements.get(pid) else {
            return s.reject(
                pid_c,
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        };
        let inn = s.key_inn(row, inn_c, true)?;
        let is_winner = match row.get(winner_c) {
            None => false,
            Some(raw) => parse_bool(raw).unwrap_or_else(|| {
                s.warn(
                    winner_c.name,
                    format!("unreadable boolean `{raw}`; read as no"),
                );
                false
            }),
        };
        // The bid price is checked, not kept: no stage reads it (12 million bids nationally).
        s.decimal(row, bid_c);
        Some(Participant {
            line: row.line,
            procurement,
            participant_inn: inn,
            participant_name: sym(s.name(row.get(name_c).unwrap_or_default(), name_c)),
            is_winner,
            contract_price: s.decimal(row, contract_c),
        })
    })
    .map(|read| {
        let mut ids = vec![""; procurements.len()];
        for (id, &i) in procurements {
            ids[i as usize] = id;
        }
        facts::participants(read, &ids)
    })
}

fn read_commissions(
    r: FileReader,
    procurements: &FxHashMap<&str, u32>,
    officials: &FxHashMap<&str, u32>,
) -> FileRead<Seat> {
    let [pid_c, oid_c, member_c, role_c] = r.cols(headers::COMMISSIONS);
    let mut roles = Memo::new();
    r.rows(|row, s| {
        let pid = s.required(row, pid_c)?;
        let Some(&procurement) = procurements.get(pid) else {
            return s.reject(
                pid_c,
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        };
        let word = s.required(row, role_c)?;
        let Some(role) = roles.get(word, parse_seat_role) else {
            return s.reject(role_c, format!("unknown commission role `{word}`"));
        };
        let member_name = row.get(member_c).map(|n| sym(s.name(n, member_c)));
        let mut official = None;
        if let Some(id) = row.get(oid_c) {
            official = officials.get(id).copied();
            if official.is_none() {
                if member_name.is_none() {
                    return s.reject(
                        oid_c,
                        format!("official_id `{id}` is not in officials.csv and no member_name"),
                    );
                }
                s.warn(
                    oid_c.name,
                    format!("official_id `{id}` is not in officials.csv; resolving member_name"),
                );
            }
        }
        if official.is_none() && member_name.is_none() {
            return s.reject(member_c, "neither official_id nor member_name is given");
        }
        Some(Seat {
            line: row.line,
            procurement,
            official,
            member_name,
            role,
        })
    })
    .map(facts::seats)
}
