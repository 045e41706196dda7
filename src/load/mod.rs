//! Stage 1: read the registries in a data directory into a typed [`Dataset`].
//!
//! Bad values are dropped with a [`Warning`]; rows that cannot be used at all are rejected,
//! counted and listed. Only a missing required file or column stops the run.

mod source;

use std::collections::{HashMap, HashSet};
use std::path::Path;

pub use source::{decode, detect_delimiter, CsvTable};

use crate::error::{Error, Result};
use crate::identifiers::{clean_inn, inn_kind, ogrn_valid, InnCheck, InnKind};
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

/// One data row with access by column name.
struct Row<'a> {
    table: &'a CsvTable,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The trimmed, non-empty value of a column.
    fn get(&self, col: &str) -> Option<&'a str> {
        let i = self.table.col(col)?;
        self.rec.get(i).map(str::trim).filter(|s| !s.is_empty())
    }

    fn text(&self, col: &str) -> String {
        self.get(col).unwrap_or_default().to_owned()
    }

    fn is_blank(&self) -> bool {
        self.rec.iter().all(|f| f.trim().is_empty())
    }
}

/// Reading context of one file: the table, its warnings and its counts.
struct FileReader<'w> {
    table: CsvTable,
    warnings: &'w mut Warnings,
}

impl FileReader<'_> {
    fn warn(&mut self, line: u64, column: &str, problem: impl Into<String>) {
        self.warnings.push(&self.table.file, line, column, problem);
    }

    fn reject(&mut self, line: u64, column: &str, problem: impl Into<String>) {
        self.table.stats.rows_rejected += 1;
        let p = format!("row rejected: {}", problem.into());
        self.warn(line, column, p);
    }

    /// Runs `f` over every row; `f` returns `None` after rejecting a row.
    fn rows<T>(
        mut self,
        mut f: impl FnMut(&Row, &mut RowSink) -> Option<T>,
    ) -> (Vec<T>, FileStats) {
        let mut out = Vec::with_capacity(self.table.rows.len());
        let width = self.table.headers.len();
        let rows = std::mem::take(&mut self.table.rows);
        for (line, rec) in &rows {
            let row = Row {
                table: &self.table,
                line: *line,
                rec,
            };
            if row.is_blank() {
                self.reject(*line, "", "empty row");
                continue;
            }
            let mut sink = RowSink::default();
            if rec.len() != width {
                sink.warn(
                    "",
                    format!("row has {} fields, the header has {width}", rec.len()),
                );
            }
            let item = f(&row, &mut sink);
            for (col, p) in sink.warnings {
                self.warn(*line, &col, p);
            }
            match (item, sink.rejected) {
                (Some(v), None) => out.push(v),
                (_, Some((col, why))) => self.reject(*line, &col, why),
                (None, None) => self.reject(*line, "", "unusable row"),
            }
        }
        self.table.stats.rows_used = out.len();
        (out, self.table.stats)
    }
}

/// Warnings and the rejection reason of one row.
#[derive(Default)]
struct RowSink {
    warnings: Vec<(String, String)>,
    rejected: Option<(String, String)>,
}

impl RowSink {
    fn warn(&mut self, col: &str, problem: impl Into<String>) {
        self.warnings.push((col.to_owned(), problem.into()));
    }

    fn reject<T>(&mut self, col: &str, problem: impl Into<String>) -> Option<T> {
        self.rejected = Some((col.to_owned(), problem.into()));
        None
    }

    /// A required text value, or a rejection.
    fn required<'a>(&mut self, row: &Row<'a>, col: &str) -> Option<&'a str> {
        match row.get(col) {
            Some(v) => Some(v),
            None => self.reject(col, format!("required value `{col}` is empty")),
        }
    }

    /// A personal (12-digit) INN; invalid values are dropped with a warning.
    fn person_inn(&mut self, row: &Row, col: &str) -> Option<String> {
        let raw = row.get(col)?;
        match clean_inn(raw) {
            InnCheck::Valid(v) | InnCheck::Restored(v) if inn_kind(&v) == Some(InnKind::Person) => {
                if v != raw {
                    self.warn(
                        col,
                        format!("INN `{raw}` read as {v} (leading zero restored)"),
                    );
                }
                Some(v)
            }
            InnCheck::Valid(v) | InnCheck::Restored(v) => {
                self.warn(
                    col,
                    format!("`{v}` is an organisation INN in a person column; value dropped"),
                );
                None
            }
            InnCheck::Invalid => {
                self.warn(
                    col,
                    format!("INN `{raw}` fails the checksum; value dropped"),
                );
                None
            }
        }
    }

    /// An organisation or entrepreneur INN used as a key: kept as written, with a
    /// warning when its check digits are wrong (equality still joins the files).
    fn key_inn(&mut self, row: &Row, col: &str, required: bool) -> Option<String> {
        let Some(raw) = row.get(col) else {
            return if required {
                self.reject(col, format!("required value `{col}` is empty"))
            } else {
                None
            };
        };
        match clean_inn(raw) {
            InnCheck::Valid(v) => Some(v),
            InnCheck::Restored(v) => {
                self.warn(
                    col,
                    format!("INN `{raw}` read as {v} (leading zero restored)"),
                );
                Some(v)
            }
            InnCheck::Invalid => {
                self.warn(
                    col,
                    format!("INN `{raw}` fails the checksum; kept as an identifier only"),
                );
                Some(raw.chars().filter(|c| !c.is_whitespace()).collect())
            }
        }
    }

    fn birth_date(&mut self, row: &Row, col: &str) -> Option<BirthDate> {
        let raw = row.get(col)?;
        let d = parse_birth_date(raw);
        if d.is_none() {
            self.warn(col, format!("unparsable birth date `{raw}`; value dropped"));
        }
        d
    }

    fn date(&mut self, row: &Row, col: &str) -> Option<Date> {
        let raw = row.get(col)?;
        let d = parse_date(raw);
        if d.is_none() {
            self.warn(col, format!("unparsable date `{raw}`; value dropped"));
        }
        d
    }

    fn decimal(&mut self, row: &Row, col: &str) -> Option<f64> {
        let raw = row.get(col)?;
        let d = parse_decimal(raw);
        if d.is_none() {
            self.warn(col, format!("unparsable number `{raw}`; value dropped"));
        }
        d
    }
}

fn names_list(row: &Row, col: &str) -> Vec<String> {
    row.get(col)
        .map(|s| {
            s.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
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

fn open(dir: &Path, spec: &FileSpec) -> Result<Option<CsvTable>> {
    let path = dir.join(spec.name);
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
    let table = CsvTable::read(&path)?;
    table.require(spec.columns)?;
    Ok(Some(table))
}

/// Reads every input file of `dir`.
///
/// Fails only when a required file or column is missing or a file is not CSV text;
/// everything else becomes a warning.
pub fn load(dir: &Path) -> Result<Loaded> {
    if !dir.is_dir() {
        return Err(Error::NoDataDir(dir.to_path_buf()));
    }
    // Open every file first, so that a missing column fails before any work is done.
    let officials_t = open(dir, &OFFICIALS)?;
    let relatives_t = open(dir, &RELATIVES)?;
    let companies_t = open(dir, &COMPANIES)?;
    let roles_t = open(dir, &ROLES)?;
    let procurements_t = open(dir, &PROCUREMENTS)?;
    let participants_t = open(dir, &PARTICIPANTS)?;
    let commissions_t = open(dir, &COMMISSIONS)?;
    if let Some(t) = &commissions_t {
        if t.col("official_id").is_none() && t.col("member_name").is_none() {
            return Err(Error::MissingColumn {
                file: t.file.clone(),
                column: "official_id or member_name".into(),
            });
        }
    }

    let mut w = Warnings::default();
    let mut data = Dataset::default();
    if let Some(t) = officials_t {
        let (v, s) = read_officials(t, &mut w);
        data.officials = v;
        data.stats.push(s);
    }
    let official_ids: HashSet<&str> = data
        .officials
        .iter()
        .map(|o| o.official_id.as_str())
        .collect();
    if let Some(t) = relatives_t {
        let (v, s) = read_relatives(t, &official_ids, &mut w);
        data.relatives = v;
        data.stats.push(s);
    }
    if let Some(t) = companies_t {
        let (v, s) = read_companies(t, &mut w);
        data.companies = v;
        data.stats.push(s);
    }
    if let Some(t) = roles_t {
        let (v, s) = read_roles(t, &mut w);
        data.roles = v;
        data.stats.push(s);
    }
    if let Some(t) = procurements_t {
        let (v, s) = read_procurements(t, &mut w);
        data.procurements = v;
        data.stats.push(s);
    }
    let procurement_ids: HashSet<&str> = data
        .procurements
        .iter()
        .map(|p| p.procurement_id.as_str())
        .collect();
    if let Some(t) = participants_t {
        let (v, s) = read_participants(t, &procurement_ids, &mut w);
        data.participants = v;
        data.stats.push(s);
    }
    if let Some(t) = commissions_t {
        let (v, s) = read_commissions(t, &procurement_ids, &official_ids, &mut w);
        data.seats = v;
        data.stats.push(s);
    }
    Ok(Loaded { data, warnings: w })
}

fn read_officials(table: CsvTable, w: &mut Warnings) -> (Vec<Official>, FileStats) {
    let mut seen: HashMap<String, u64> = HashMap::new();
    FileReader { table, warnings: w }.rows(|row, s| {
        let id = s.required(row, "official_id")?;
        let full_name = s.required(row, "full_name")?;
        if let Some(first) = seen.get(id) {
            return s.reject(
                "official_id",
                format!("duplicate official_id `{id}` (first at line {first})"),
            );
        }
        seen.insert(id.to_owned(), row.line);
        Some(Official {
            line: row.line,
            official_id: id.to_owned(),
            full_name: full_name.to_owned(),
            birth_date: s.birth_date(row, "birth_date"),
            inn: s.person_inn(row, "inn"),
            position: row.text("position"),
            employer_inn: s.key_inn(row, "employer_inn", false),
            address: row.text("address"),
            phone: row.text("phone"),
            email: row.text("email"),
            former_names: names_list(row, "former_names"),
        })
    })
}

fn read_relatives(
    table: CsvTable,
    officials: &HashSet<&str>,
    w: &mut Warnings,
) -> (Vec<Relative>, FileStats) {
    FileReader { table, warnings: w }.rows(|row, s| {
        let official_id = s.required(row, "official_id")?;
        if !officials.contains(official_id) {
            return s.reject(
                "official_id",
                format!("official_id `{official_id}` is not in officials.csv"),
            );
        }
        let word = s.required(row, "kinship")?;
        let full_name = s.required(row, "full_name")?;
        let kinship = parse_kinship(word).unwrap_or_else(|| {
            s.warn(
                "kinship",
                format!("unknown kinship word `{word}`; kept as unknown"),
            );
            Kinship::Unknown
        });
        Some(Relative {
            line: row.line,
            relative_id: row.get("relative_id").map(str::to_owned),
            official_id: official_id.to_owned(),
            kinship,
            kinship_word: word.to_owned(),
            full_name: full_name.to_owned(),
            former_names: names_list(row, "former_names"),
            birth_date: s.birth_date(row, "birth_date"),
            inn: s.person_inn(row, "inn"),
            address: row.text("address"),
            phone: row.text("phone"),
            workplace: row.text("workplace"),
        })
    })
}

fn read_companies(table: CsvTable, w: &mut Warnings) -> (Vec<Company>, FileStats) {
    let mut seen: HashMap<String, u64> = HashMap::new();
    FileReader { table, warnings: w }.rows(|row, s| {
        let inn = s.key_inn(row, "inn", true)?;
        let name = s.required(row, "name")?;
        if let Some(first) = seen.get(&inn) {
            return s.reject(
                "inn",
                format!("duplicate company INN {inn} (first at line {first})"),
            );
        }
        seen.insert(inn.clone(), row.line);
        let ogrn = row.get("ogrn").and_then(|o| {
            if ogrn_valid(o) {
                Some(o.to_owned())
            } else {
                s.warn(
                    "ogrn",
                    format!("OGRN `{o}` fails the checksum; value dropped"),
                );
                None
            }
        });
        Some(Company {
            line: row.line,
            inn,
            ogrn,
            name: name.to_owned(),
            address: row.text("address"),
            phone: row.text("phone"),
            email: row.text("email"),
            status: row.text("status"),
        })
    })
}

fn read_roles(table: CsvTable, w: &mut Warnings) -> (Vec<CompanyRole>, FileStats) {
    let scale = table.col("share_percent").map_or(ShareScale::Percent, |i| {
        detect_share_scale(table.rows.iter().filter_map(|(_, r)| r.get(i)))
    });
    FileReader { table, warnings: w }.rows(|row, s| {
        let company_inn = s.key_inn(row, "company_inn", true)?;
        let word = s.required(row, "role")?;
        let Some(role) = parse_company_role(word) else {
            return s.reject("role", format!("unknown role `{word}`"));
        };
        let person_name = row.get("person_name").map(str::to_owned);
        let holder_inn = s.key_inn(row, "holder_inn", false);
        if person_name.is_none() && holder_inn.is_none() {
            return s.reject("person_name", "neither person_name nor holder_inn is given");
        }
        if role == CompanyRoleKind::ManagingCompany && holder_inn.is_none() {
            return s.reject("holder_inn", "a managing_company row needs holder_inn");
        }
        let share = row.get("share_percent").and_then(|raw| {
            let v = parse_share(raw, scale);
            if v.is_none() {
                s.warn(
                    "share_percent",
                    format!("unparsable share `{raw}`; value dropped"),
                );
            }
            v
        });
        let since = s.date(row, "since");
        let until = s.date(row, "until");
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                s.warn("until", format!("role ends ({b}) before it starts ({a})"));
            }
        }
        Some(CompanyRole {
            line: row.line,
            company_inn,
            role,
            person_inn: person_name
                .as_ref()
                .and_then(|_| s.person_inn(row, "person_inn")),
            person_birth_date: person_name
                .as_ref()
                .and_then(|_| s.birth_date(row, "person_birth_date")),
            person_name,
            holder_inn,
            share,
            since,
            until,
        })
    })
}

fn read_procurements(table: CsvTable, w: &mut Warnings) -> (Vec<Procurement>, FileStats) {
    let mut seen: HashMap<String, u64> = HashMap::new();
    FileReader { table, warnings: w }.rows(|row, s| {
        let id = s.required(row, "procurement_id")?;
        let customer_inn = s.key_inn(row, "customer_inn", true)?;
        if let Some(first) = seen.get(id) {
            return s.reject(
                "procurement_id",
                format!("duplicate procurement_id `{id}` (first at line {first})"),
            );
        }
        seen.insert(id.to_owned(), row.line);
        let published = s.date(row, "published");
        if published.is_none() {
            s.warn(
                "published",
                "no publication date: roles are checked without their dates",
            );
        }
        Some(Procurement {
            line: row.line,
            procurement_id: id.to_owned(),
            customer_inn,
            customer_name: row.text("customer_name"),
            subject: row.text("subject"),
            method: row.text("method"),
            published,
            initial_price: s.decimal(row, "initial_price"),
            national_project: row.text("national_project"),
        })
    })
}

fn read_participants(
    table: CsvTable,
    procurements: &HashSet<&str>,
    w: &mut Warnings,
) -> (Vec<Participant>, FileStats) {
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    FileReader { table, warnings: w }.rows(|row, s| {
        let pid = s.required(row, "procurement_id")?;
        if !procurements.contains(pid) {
            return s.reject(
                "procurement_id",
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        }
        let inn = s.key_inn(row, "participant_inn", true)?;
        let key = (pid.to_owned(), inn.clone());
        if let Some(first) = seen.get(&key) {
            return s.reject(
                "participant_inn",
                format!("duplicate bid of {inn} in {pid} (first at line {first})"),
            );
        }
        seen.insert(key, row.line);
        let is_winner = match row.get("is_winner") {
            None => false,
            Some(raw) => parse_bool(raw).unwrap_or_else(|| {
                s.warn(
                    "is_winner",
                    format!("unreadable boolean `{raw}`; read as no"),
                );
                false
            }),
        };
        Some(Participant {
            line: row.line,
            procurement_id: pid.to_owned(),
            participant_inn: inn,
            participant_name: row.text("participant_name"),
            is_winner,
            bid_price: s.decimal(row, "bid_price"),
            contract_price: s.decimal(row, "contract_price"),
        })
    })
}

fn read_commissions(
    table: CsvTable,
    procurements: &HashSet<&str>,
    officials: &HashSet<&str>,
    w: &mut Warnings,
) -> (Vec<Seat>, FileStats) {
    FileReader { table, warnings: w }.rows(|row, s| {
        let pid = s.required(row, "procurement_id")?;
        if !procurements.contains(pid) {
            return s.reject(
                "procurement_id",
                format!("procurement `{pid}` is not in procurements.csv"),
            );
        }
        let word = s.required(row, "role")?;
        let Some(role) = parse_seat_role(word) else {
            return s.reject("role", format!("unknown commission role `{word}`"));
        };
        let member_name = row.get("member_name").map(str::to_owned);
        let mut official_id = row.get("official_id").map(str::to_owned);
        if let Some(id) = &official_id {
            if !officials.contains(id.as_str()) {
                if member_name.is_none() {
                    return s.reject(
                        "official_id",
                        format!("official_id `{id}` is not in officials.csv and no member_name"),
                    );
                }
                s.warn(
                    "official_id",
                    format!("official_id `{id}` is not in officials.csv; resolving member_name"),
                );
                official_id = None;
            }
        }
        if official_id.is_none() && member_name.is_none() {
            return s.reject(
                "member_name",
                "neither official_id nor member_name is given",
            );
        }
        Some(Seat {
            line: row.line,
            procurement_id: pid.to_owned(),
            official_id,
            member_name,
            role,
        })
    })
}
