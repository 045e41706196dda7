//! `affil import bods`: Beneficial Ownership Data Standard statements (BODS 0.2 to 0.4, JSON:
//! an array of statements, or one) into companies.csv and company_roles.csv. Entities with an
//! INN (an identifier with scheme `RU-INN`) are companies (`RU-OGRN` their OGRN); each interest
//! of an ownership-or-control statement (a relationship record in 0.4) is a role of the
//! interested party in the subject: `shareholding` a founder with its share, `senior-managing-
//! official` a director (a managing company when the party is an entity), `appointment-of-board`
//! and `board-member` a board member, and any other interest marked as beneficial ownership or
//! control a beneficiary. A share given as a range is read at its minimum, the range kept in a
//! warning; other interests are warnings.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::table::{KeySpec, Table};
use super::{ddmmyyyy, ImportOptions, ImportReport};
use crate::error::Result;
use crate::load::headers;

/// companies.csv as this import writes it.
pub const COMPANIES: [&str; 7] = ["inn", "ogrn", "name", "address", "phone", "email", "status"];
/// company_roles.csv as this import writes it.
pub const COMPANY_ROLES: [&str; 9] = headers::COMPANY_ROLES;

const COMPANY_KEY: KeySpec = &[(0, false)];
/// As `affil import egrul` keys them: company, role, person INN, person name, holder.
const ROLE_KEY: KeySpec = &[(0, false), (1, false), (3, false), (2, true), (5, false)];

/// A party of the statements: an entity or a person.
#[derive(Clone, Debug, Default)]
struct Party {
    person: bool,
    name: String,
    inn: String,
    ogrn: String,
    address: String,
    birth: String,
}

/// Imports the BODS statements under `paths` into `out`.
pub fn import(paths: &[PathBuf], out: &Path, _options: &ImportOptions) -> Result<ImportReport> {
    super::out_dir(out)?;
    let mut report = ImportReport::new(out.join("bods_import_warnings.csv"));
    report.format = "JSON";
    // Statements in reading order, with their source file.
    let mut statements: Vec<(String, usize, Value)> = Vec::new();
    super::sources::each_document(paths, &mut report, &mut |name, input, report| {
        read_document(name, input, report, &mut statements);
    })?;
    // Parties by every id a relationship may use (statement id, record id).
    let mut parties: BTreeMap<String, Party> = BTreeMap::new();
    for (_, _, s) in &statements {
        if let Some(p) = party(s) {
            for id in ids(s) {
                parties.insert(id, p.clone());
            }
        }
    }
    let mut companies = Table::new(out, "companies.csv", &COMPANIES, COMPANY_KEY)?;
    let mut roles = Table::new(out, "company_roles.csv", &COMPANY_ROLES, ROLE_KEY)?;
    let mut written_companies = std::collections::BTreeSet::new();
    let mut role_rows = 0usize;
    for (name, i, s) in &statements {
        let at = format!("[{i}]");
        if let Some(p) = party(s).filter(|p| !p.person) {
            if p.inn.is_empty() {
                report.warn(
                    name,
                    at.clone(),
                    format!("entity `{}` has no RU-INN identifier; not written", p.name),
                );
            } else if written_companies.insert(p.inn.clone()) {
                companies.push(&[
                    p.inn.clone(),
                    p.ogrn.clone(),
                    p.name.clone(),
                    p.address.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                ])?;
            }
            continue;
        }
        if kind(s) != Kind::Relationship {
            continue;
        }
        let d = details(s);
        let subject = reference(d, "subject", "describedByEntityStatement");
        let party_ref = reference(d, "interestedParty", "describedByPersonStatement")
            .or_else(|| reference(d, "interestedParty", "describedByEntityStatement"));
        let (Some(company), Some(holder)) = (
            subject.and_then(|id| parties.get(&id)),
            party_ref.and_then(|id| parties.get(&id)),
        ) else {
            report.warn(name, at, "a relationship whose subject or interested party is not among the statements; not written");
            continue;
        };
        if company.inn.is_empty() {
            report.warn(
                name,
                at,
                format!(
                    "the subject `{}` has no RU-INN identifier; not written",
                    company.name
                ),
            );
            continue;
        }
        for (k, interest) in d
            .get("interests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let place = format!("{at}/interests[{k}]");
            let ty = text(interest, "type");
            let beneficial = interest
                .get("beneficialOwnershipOrControl")
                .and_then(Value::as_bool)
                == Some(true);
            let role = match ty.as_str() {
                "shareholding" => "founder",
                "senior-managing-official" if holder.person => "director",
                "senior-managing-official" => "managing_company",
                "appointment-of-board" | "board-member" | "board-chair" => "board_member",
                _ if beneficial => "beneficiary",
                other => {
                    report.warn(
                        name,
                        place,
                        format!("interest `{other}` is not a role a check reads; not written"),
                    );
                    continue;
                }
            };
            let share = share_of(interest.get("share"), name, &place, &mut report);
            let date = |k: &str| ddmmyyyy(&text(interest, k)).unwrap_or_default();
            let (person_name, person_inn, birth, holder_inn) = if holder.person {
                (
                    holder.name.clone(),
                    holder.inn.clone(),
                    holder.birth.clone(),
                    String::new(),
                )
            } else {
                (
                    String::new(),
                    String::new(),
                    String::new(),
                    holder.inn.clone(),
                )
            };
            if !holder.person && holder.inn.is_empty() {
                report.warn(
                    name,
                    place,
                    format!(
                        "entity `{}` has no RU-INN identifier; not written",
                        holder.name
                    ),
                );
                continue;
            }
            roles.push(&[
                company.inn.clone(),
                role.to_owned(),
                person_name,
                person_inn,
                birth,
                holder_inn,
                share,
                date("startDate"),
                date("endDate"),
            ])?;
            role_rows += 1;
        }
    }
    report.notes.push(format!(
        "{} statement(s): {} companies with an INN, {role_rows} role(s)",
        statements.len(),
        written_companies.len()
    ));
    report.close(vec![companies, roles])
}

/// Reads one document: an array of statements, or one statement.
fn read_document(
    name: &str,
    input: &mut dyn BufRead,
    report: &mut ImportReport,
    statements: &mut Vec<(String, usize, Value)>,
) {
    let doc: Value = match serde_json::from_reader(input) {
        Ok(v) => v,
        Err(e) => {
            report.warn(name, String::new(), format!("not JSON ({e}); skipped"));
            return;
        }
    };
    let list = match doc {
        Value::Array(list) => list,
        one @ Value::Object(_) => vec![one],
        _ => {
            *report
                .skipped
                .entry("JSON without statements".into())
                .or_default() += 1;
            return;
        }
    };
    *report.read.entry("BODS statements".into()).or_default() += 1;
    for (i, s) in list.into_iter().enumerate() {
        statements.push((name.to_owned(), i, s));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Entity,
    Person,
    Relationship,
    Other,
}

/// The statement's kind: 0.2 and 0.3 `statementType`, 0.4 `recordType`.
fn kind(s: &Value) -> Kind {
    match (
        text(s, "statementType").as_str(),
        text(s, "recordType").as_str(),
    ) {
        ("entityStatement", _) | (_, "entity") => Kind::Entity,
        ("personStatement", _) | (_, "person") => Kind::Person,
        ("ownershipOrControlStatement", _) | (_, "relationship") => Kind::Relationship,
        _ => Kind::Other,
    }
}

/// The statement's fields: 0.4 `recordDetails`, earlier the statement itself.
fn details(s: &Value) -> &Value {
    s.get("recordDetails").unwrap_or(s)
}

/// The ids a relationship may refer to the statement by.
fn ids(s: &Value) -> Vec<String> {
    ["statementID", "statementId", "recordId"]
        .iter()
        .map(|k| text(s, k))
        .filter(|v| !v.is_empty())
        .collect()
}

/// A relationship's `field`: a record id (0.4) or `{describedBy...: statement id}`.
fn reference(d: &Value, field: &str, described_by: &str) -> Option<String> {
    match d.get(field)? {
        Value::String(s) => Some(s.clone()),
        v => Some(text(v, described_by)).filter(|s| !s.is_empty()),
    }
}

/// The text of `v[key]`, or empty.
fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// An entity or a person statement as a party.
fn party(s: &Value) -> Option<Party> {
    let k = kind(s);
    if !matches!(k, Kind::Entity | Kind::Person) {
        return None;
    }
    let d = details(s);
    let id_of = |scheme: &str| {
        d.get("identifiers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|i| text(i, "scheme").eq_ignore_ascii_case(scheme))
            .map(|i| text(i, "id"))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    };
    let name = if k == Kind::Person {
        let n = d
            .get("names")
            .and_then(Value::as_array)
            .and_then(|a| a.first());
        n.map(|n| {
            let full = text(n, "fullName");
            if full.is_empty() {
                ["familyName", "givenName", "patronymicName"]
                    .iter()
                    .map(|k| text(n, k))
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                full
            }
        })
        .unwrap_or_default()
    } else {
        text(d, "name")
    };
    let address = d
        .get("addresses")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .map(|a| text(a, "address"))
        .unwrap_or_default();
    Some(Party {
        person: k == Kind::Person,
        name,
        inn: id_of("RU-INN"),
        ogrn: id_of("RU-OGRN"),
        address,
        birth: ddmmyyyy(&text(d, "birthDate")).unwrap_or_default(),
    })
}

/// An interest's share as share_percent: exact, or a range's minimum (with a warning).
fn share_of(share: Option<&Value>, name: &str, place: &str, report: &mut ImportReport) -> String {
    let Some(s) = share else {
        return String::new();
    };
    let exact = text(s, "exact");
    if !exact.is_empty() {
        return exact;
    }
    // 0.2 and 0.3 flag an exclusive bound (`exclusiveMinimum: true`), 0.4 gives it as a number.
    let exclusive = s.get("exclusiveMinimum");
    let strict = exclusive.is_some_and(|v| v.as_bool() == Some(true) || v.is_number());
    let mut min = text(s, "minimum");
    if min.is_empty() && exclusive.is_some_and(Value::is_number) {
        min = text(s, "exclusiveMinimum");
    }
    let mut max = text(s, "maximum");
    if max.is_empty() {
        max = text(s, "exclusiveMaximum");
    }
    if min.is_empty() {
        return String::new();
    }
    report.warn(
        name,
        place.to_owned(),
        format!(
            "share given as a range: {}{min}% to {max}%; {min}% is read",
            if strict { "over " } else { "" }
        ),
    );
    min
}
