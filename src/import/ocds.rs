//! `affil import ocds`: Open Contracting (OCDS) release and record packages (JSON) into
//! procurements.csv and participants.csv. A procurement is a contracting process: its number
//! is the tender's `id` (the ocid when there is none), its customer the `buyer` party's INN
//! (an `identifier` or `additionalIdentifiers` entry with scheme `RU-INN`), its participants
//! the bids' tenderers (or, without bids, the parties in the role `tenderer`) and the awards'
//! suppliers; a supplier of an award that is not `cancelled` or `unsuccessful` won, at the
//! award's value. A record package's compiled release is read, or else its releases in date
//! order, each later one's fields over the earlier's. OCDS has no procurement commission: an
//! import of the procurement system's protocols (`affil import eis`) or a commissions.csv
//! supplies the seats.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::table::{KeySpec, Table};
use super::{ddmmyyyy, ImportOptions, ImportReport};
use crate::error::Result;
use crate::identifiers::inn_valid;
use crate::load::headers;

/// procurements.csv as this import writes it.
pub const PROCUREMENTS: [&str; 8] = headers::PROCUREMENTS;
/// participants.csv as this import writes it.
pub const PARTICIPANTS: [&str; 6] = headers::PARTICIPANTS;

const PROCUREMENT_KEY: KeySpec = &[(0, false)];
const PARTICIPANT_KEY: KeySpec = &[(0, false), (1, false)];

/// A party of a release: its INN and name.
#[derive(Clone, Debug, Default)]
struct Party {
    inn: Option<String>,
    name: String,
}

/// What a release says of one participant of its procurement.
#[derive(Clone, Debug, Default)]
struct Bidder {
    name: String,
    won: bool,
    /// The bid's value.
    bid: Option<f64>,
    /// The award's value.
    price: Option<f64>,
}

/// One procurement, merged over its releases.
#[derive(Clone, Debug, Default)]
struct Process {
    id: String,
    customer_inn: String,
    customer_name: String,
    subject: String,
    method: String,
    published: String,
    max_price: String,
    /// Participants by INN.
    bidders: BTreeMap<String, Bidder>,
}

/// Imports the OCDS packages under `paths` into `out`.
pub fn import(paths: &[PathBuf], out: &Path, _options: &ImportOptions) -> Result<ImportReport> {
    super::out_dir(out)?;
    let mut report = ImportReport::new(out.join("ocds_import_warnings.csv"));
    report.format = "JSON";
    let mut processes: BTreeMap<String, Process> = BTreeMap::new();
    super::sources::each_document(paths, &mut report, &mut |name, input, report| {
        read_package(name, input, report, &mut processes);
    })?;
    let mut procurements = Table::new(out, "procurements.csv", &PROCUREMENTS, PROCUREMENT_KEY)?;
    let mut participants = Table::new(out, "participants.csv", &PARTICIPANTS, PARTICIPANT_KEY)?;
    let mut bids = 0usize;
    for p in processes.values() {
        procurements.push(&[
            p.id.clone(),
            p.customer_inn.clone(),
            p.customer_name.clone(),
            p.subject.clone(),
            p.method.clone(),
            p.published.clone(),
            p.max_price.clone(),
            String::new(),
        ])?;
        for (inn, b) in &p.bidders {
            bids += 1;
            participants.push(&[
                p.id.clone(),
                inn.clone(),
                b.name.clone(),
                if b.won { "1" } else { "0" }.to_owned(),
                b.bid.map(|v| format!("{v:.2}")).unwrap_or_default(),
                b.price.map(|v| format!("{v:.2}")).unwrap_or_default(),
            ])?;
        }
    }
    report.notes.push(format!(
        "{} contracting process(es), {bids} participant(s) with an INN",
        processes.len()
    ));
    report.close(vec![procurements, participants])
}

/// Reads one package (release or record package, or a bare release) into `processes`.
fn read_package(
    name: &str,
    input: &mut dyn BufRead,
    report: &mut ImportReport,
    processes: &mut BTreeMap<String, Process>,
) {
    let doc: Value = match serde_json::from_reader(input) {
        Ok(v) => v,
        Err(e) => {
            report.warn(name, String::new(), format!("not JSON ({e}); skipped"));
            return;
        }
    };
    let mut releases: Vec<(String, Value)> = Vec::new();
    if let Some(list) = doc.get("releases").and_then(Value::as_array) {
        *report.read.entry("release package".into()).or_default() += 1;
        for (i, r) in list.iter().enumerate() {
            releases.push((format!("releases[{i}]"), r.clone()));
        }
    } else if let Some(list) = doc.get("records").and_then(Value::as_array) {
        *report.read.entry("record package".into()).or_default() += 1;
        for (i, rec) in list.iter().enumerate() {
            match compiled(rec) {
                Some(r) => releases.push((format!("records[{i}]"), r)),
                None => report.warn(
                    name,
                    format!("records[{i}]"),
                    "a record with neither a compiledRelease nor releases; skipped",
                ),
            }
        }
    } else if doc.get("ocid").is_some() {
        *report.read.entry("release".into()).or_default() += 1;
        releases.push((String::new(), doc));
    } else {
        *report
            .skipped
            .entry("JSON without releases or records".into())
            .or_default() += 1;
        return;
    }
    // Releases of one process in date order: a later one's fields win.
    releases.sort_by_key(|r| text(&r.1, &["date"]));
    for (at, r) in &releases {
        apply(name, at, r, report, processes);
    }
}

/// A record's compiled release, or its releases merged in date order.
fn compiled(rec: &Value) -> Option<Value> {
    if let Some(c) = rec.get("compiledRelease") {
        return Some(c.clone());
    }
    let mut list: Vec<&Value> = rec.get("releases")?.as_array()?.iter().collect();
    list.sort_by_key(|r| text(r, &["date"]));
    let mut merged = serde_json::Map::new();
    for r in list {
        if let Some(o) = r.as_object() {
            for (k, v) in o {
                merged.insert(k.clone(), v.clone());
            }
        }
    }
    (!merged.is_empty()).then_some(Value::Object(merged))
}

/// The text at `path` in `v`, or empty.
fn text(v: &Value, path: &[&str]) -> String {
    let mut at = v;
    for p in path {
        match at.get(p) {
            Some(x) => at = x,
            None => return String::new(),
        }
    }
    match at {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A party's INN: its identifier, or an additional one, with scheme `RU-INN`.
fn party_inn(p: &Value) -> Option<String> {
    let ids = std::iter::once(p.get("identifier")).flatten().chain(
        p.get("additionalIdentifiers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    ids.filter(|i| text(i, &["scheme"]).eq_ignore_ascii_case("RU-INN"))
        .map(|i| text(i, &["id"]))
        .find(|s| !s.is_empty())
}

/// Applies one release to its process.
fn apply(
    name: &str,
    at: &str,
    r: &Value,
    report: &mut ImportReport,
    processes: &mut BTreeMap<String, Process>,
) {
    let element = |field: &str| {
        if at.is_empty() {
            field.to_owned()
        } else {
            format!("{at}/{field}")
        }
    };
    let id = Some(text(r, &["tender", "id"]))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| text(r, &["ocid"]));
    if id.is_empty() {
        report.warn(
            name,
            element("ocid"),
            "a release with no ocid and no tender id; skipped",
        );
        return;
    }
    let parties: BTreeMap<String, Party> = r
        .get("parties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            (
                text(p, &["id"]),
                Party {
                    inn: party_inn(p),
                    name: text(p, &["name"]),
                },
            )
        })
        .collect();
    let p = processes.entry(id.clone()).or_default();
    p.id = id;
    // The buyer, by its reference to the parties or a party in the role `buyer`.
    let buyer_id = text(r, &["buyer", "id"]);
    let buyer = parties.get(&buyer_id).cloned().or_else(|| {
        r.get("parties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|p| has_role(p, "buyer"))
            .map(|p| Party {
                inn: party_inn(p),
                name: text(p, &["name"]),
            })
    });
    if let Some(b) = buyer {
        match b.inn {
            Some(inn) if inn_valid(&inn) => p.customer_inn = inn,
            Some(inn) => report.warn(
                name,
                element("buyer"),
                format!("buyer INN `{inn}` fails its checksum; kept as written"),
            ),
            None => report.warn(
                name,
                element("buyer"),
                "the buyer has no RU-INN identifier; customer_inn left empty",
            ),
        }
        if !b.name.is_empty() {
            p.customer_name = b.name;
        }
    }
    let set = |slot: &mut String, v: String| {
        if !v.is_empty() {
            *slot = v;
        }
    };
    set(&mut p.subject, text(r, &["tender", "title"]));
    set(
        &mut p.method,
        Some(text(r, &["tender", "procurementMethodDetails"]))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| text(r, &["tender", "procurementMethod"])),
    );
    let published = [
        text(r, &["tender", "datePublished"]),
        text(r, &["tender", "tenderPeriod", "startDate"]),
        text(r, &["date"]),
    ];
    if p.published.is_empty() {
        if let Some(d) = published.iter().find_map(|d| ddmmyyyy(d)) {
            p.published = d;
        }
    }
    set(&mut p.max_price, text(r, &["tender", "value", "amount"]));
    // The participants: the bids' tenderers, else the tenderer parties; then the suppliers.
    // (where, party id, the bid's value).
    let mut bidders: Vec<(String, String, Option<f64>)> = Vec::new();
    for (i, bid) in r
        .pointer("/bids/details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let value = bid.pointer("/value/amount").and_then(Value::as_f64);
        for t in bid
            .get("tenderers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            bidders.push((format!("bids/details[{i}]"), text(t, &["id"]), value));
        }
    }
    if bidders.is_empty() {
        for (pid, p) in r
            .get("parties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| (text(p, &["id"]), p))
        {
            if has_role(p, "tenderer") {
                bidders.push(("parties".to_owned(), pid, None));
            }
        }
    }
    let mut won: Vec<(String, Option<f64>)> = Vec::new();
    for (i, award) in r
        .get("awards")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let status = text(award, &["status"]);
        let valid = !matches!(status.as_str(), "cancelled" | "unsuccessful");
        let price = award.pointer("/value/amount").and_then(Value::as_f64);
        for s in award
            .get("suppliers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let sid = text(s, &["id"]);
            bidders.push((format!("awards[{i}]"), sid.clone(), None));
            if valid {
                won.push((sid, price));
            }
        }
    }
    for (place, pid, value) in bidders {
        let Some(party) = parties.get(&pid) else {
            report.warn(
                name,
                element(&place),
                format!("participant `{pid}` is not among the parties; not written"),
            );
            continue;
        };
        let Some(inn) = party.inn.clone() else {
            report.warn(
                name,
                element(&place),
                format!(
                    "participant `{}` has no RU-INN identifier; not written",
                    party.name
                ),
            );
            continue;
        };
        if !inn_valid(&inn) {
            report.warn(
                name,
                element(&place),
                format!("participant INN `{inn}` fails its checksum; kept as written"),
            );
        }
        let b = p.bidders.entry(inn).or_default();
        if !party.name.is_empty() {
            b.name = party.name.clone();
        }
        b.bid = value.or(b.bid);
        if let Some((_, price)) = won.iter().find(|(w, _)| *w == pid) {
            b.won = true;
            b.price = price.or(b.price);
        }
    }
}

/// Whether a party has `role` among its roles.
fn has_role(p: &Value, role: &str) -> bool {
    p.get("roles")
        .and_then(Value::as_array)
        .is_some_and(|rs| rs.iter().any(|x| x.as_str() == Some(role)))
}
