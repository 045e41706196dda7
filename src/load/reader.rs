//! The reader framework: a file's rows read column by column, each bad value a warning
//! naming its file, line and column, each rejected row counted.

use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::identifiers::{clean_inn, inn_kind, snils_valid, InnCheck, InnKind};
use crate::load::source::{CsvTable, Record};
use crate::load::{canon, Warnings};
use crate::model::{sym, BirthDate, Date, FileStats, Inn, Line, Sym};
use crate::values::{parse_birth_date, parse_date, parse_decimal};

/// A column of an input file: its documented name and where the header has it.
#[derive(Clone, Copy)]
pub(super) struct Col {
    pub(super) name: &'static str,
    pub(super) idx: Option<usize>,
}

/// One data row.
pub(super) struct Row<'a> {
    pub(super) line: u64,
    pub(super) rec: &'a Record,
}

impl<'a> Row<'a> {
    /// The trimmed, non-empty value of a column.
    pub(super) fn get(&self, col: Col) -> Option<&'a str> {
        self.rec.get(col.idx?).map(trim).filter(|s| !s.is_empty())
    }

    /// The value of a column, or "".
    pub(super) fn text(&self, col: Col) -> &'a str {
        self.get(col).unwrap_or_default()
    }

    /// The row's line as a record keeps it ([`Line`]): [`FileReader::rows`] rejects a row past
    /// [`Line::MAX`] before any reader sees it.
    pub(super) fn record_line(&self) -> Line {
        Line::try_from(self.line).expect("rows past Line::MAX are rejected before reading")
    }

    /// The value of a column whose values repeat, interned.
    pub(super) fn sym(&self, col: Col) -> Sym {
        sym(self.get(col).unwrap_or_default())
    }

    pub(super) fn is_blank(&self) -> bool {
        self.rec.iter().all(|f| trim(f).is_empty())
    }

    /// The word of a total row (`Итого`, `Всего`, `Total`) an export put under its records,
    /// if the row's first filled cell starts with one.
    pub(super) fn total_word(&self) -> Option<&str> {
        const WORDS: [&str; 3] = ["итого", "всего", "total"];
        let first = self.rec.iter().map(trim).find(|f| !f.is_empty())?;
        // Nearly every first cell starts with another letter: no lower-case copy of it.
        let initial = first.chars().next()?.to_lowercase().next()?;
        if !WORDS.iter().any(|w| w.starts_with(initial)) {
            return None;
        }
        let lower = first.to_lowercase();
        WORDS.iter().any(|w| lower.starts_with(w)).then_some(first)
    }
}

/// `str::trim`, with no scan when the value starts and ends with other than white space (as
/// nearly every cell does).
fn trim(s: &str) -> &str {
    let edge = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
    if edge(s.chars().next()) && edge(s.chars().next_back()) {
        s
    } else {
        s.trim()
    }
}

/// Reading context of one file: the table, its warnings and its counts.
pub(super) struct FileReader {
    pub(super) table: CsvTable,
    pub(super) warnings: Warnings,
}

/// What reading one file gives: its records, its counts, its warnings and the contradictions
/// settled in it.
pub(super) struct FileOut<T> {
    pub(super) records: Vec<T>,
    pub(super) stats: FileStats,
    pub(super) warnings: Warnings,
    pub(super) settled: canon::Settled,
}

pub(super) type FileRead<T> = Result<FileOut<T>>;

impl<T: Send> FileOut<T> {
    /// The records in canonical form (see [`canon`]).
    pub(super) fn canonical<K, R, D, S, Q>(
        mut self,
        line: impl Fn(&T) -> u64 + Sync,
        rules: canon::Rules<K, R, D, S, Q>,
    ) -> Self
    where
        T: Sync,
        Q: Fn(&T) -> Option<u64> + Sync,
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
    pub(super) fn new(table: CsvTable) -> FileReader {
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
    pub(super) fn cols<const N: usize>(&self, names: [&'static str; N]) -> [Col; N] {
        names.map(|name| Col {
            name,
            idx: self.table.col(name),
        })
    }

    /// Runs `f` over every row; `f` returns `None` after rejecting a row.
    pub(super) fn rows<T>(
        mut self,
        mut f: impl FnMut(&Row, &mut RowSink) -> Option<T>,
    ) -> FileRead<T> {
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
            if Line::try_from(line).is_err() {
                reject(
                    warnings,
                    line,
                    "",
                    &format!("past line {}: split the file", Line::MAX),
                );
                return;
            }
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
pub(super) struct RowSink {
    pub(super) warnings: Vec<(&'static str, String)>,
    pub(super) rejected: Option<(&'static str, String)>,
}

impl RowSink {
    pub(super) fn warn(&mut self, col: &'static str, problem: impl Into<String>) {
        self.warnings.push((col, problem.into()));
    }

    pub(super) fn reject<T>(&mut self, col: Col, problem: impl Into<String>) -> Option<T> {
        self.rejected = Some((col.name, problem.into()));
        None
    }

    /// A required text value, or a rejection.
    pub(super) fn required<'a>(&mut self, row: &Row<'a>, col: Col) -> Option<&'a str> {
        match row.get(col) {
            Some(v) => Some(v),
            None => self.reject(col, format!("required value `{}` is empty", col.name)),
        }
    }

    /// Checks a SNILS (not kept: no stage reads it); a wrong control number is warned about.
    pub(super) fn snils(&mut self, row: &Row, col: Col) {
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
    pub(super) fn name<'a>(&mut self, value: &'a str, col: Col) -> &'a str {
        // No more bytes than the letters allowed: no more letters either.
        if value.len() <= MAX_NAME_CHARS {
            return value;
        }
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
    pub(super) fn person_inn(&mut self, row: &Row, col: Col) -> Option<Inn> {
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
    pub(super) fn key_inn(&mut self, row: &Row, col: Col, required: bool) -> Option<Inn> {
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

    pub(super) fn birth_date(&mut self, row: &Row, col: Col) -> Option<BirthDate> {
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

    pub(super) fn date(&mut self, row: &Row, col: Col) -> Option<Date> {
        let raw = row.get(col)?;
        let d = parse_date(raw);
        if d.is_none() {
            self.warn(col.name, format!("unparsable date `{raw}`; value dropped"));
        }
        d
    }

    pub(super) fn decimal(&mut self, row: &Row, col: Col) -> Option<f64> {
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

/// The names of a `former_names` cell.
pub(super) fn former_names<'a>(row: &Row<'a>, col: Col) -> impl Iterator<Item = &'a str> {
    crate::normalize::split_names(row.get(col).unwrap_or_default())
}

/// Parsed values of a column with few distinct cells (role words, kinship words, shares):
/// each distinct cell is parsed once per file.
pub(super) struct Memo<T>(FxHashMap<Box<str>, Option<T>>);

impl<T: Clone> Memo<T> {
    pub(super) fn new() -> Self {
        Memo(FxHashMap::default())
    }

    pub(super) fn get(&mut self, raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        if let Some(v) = self.0.get(raw) {
            return v.clone();
        }
        let v = parse(raw);
        self.0.insert(raw.into(), v.clone());
        v
    }
}
