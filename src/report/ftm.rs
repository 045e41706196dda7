//! graph.ftm.json (`affil check --export ftm`): the affiliation graph as FollowTheMoney
//! entities, one JSON object a line, as the `ftm` tools, Aleph and OpenAleph read them.
//! `Person` (with `birthDate` and `innCode` where known), `Company` (`innCode`, and `ogrnCode`
//! from companies.csv; the customers that are
//! in no registry extract as `PublicBody`), `Ownership` (founders, holdings and beneficiaries,
//! with `percentage` and dates), `Directorship` (directors, board members, managing companies,
//! entrepreneurs), `Family`, `Membership` (the seats: the official in the customer, the seat as
//! `role`, the procurement as `summary`), `Contract` (a procurement of its customer) and
//! `Employment` (an official at their employer, the position as `role`), `ContractAward` (a bid, `status` won or not, the contract price as `amount`), and each case as
//! a `Note` on its official, bidder and contract with the evidence as `description`. Ids are
//! derived from identifiers (INN, official id, procurement number, case id), so the same data
//! gives the same ids in every run.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use petgraph::visit::EdgeRef;

use super::evidence_line;
use super::lang::Lang;
use crate::error::{Error, Result};
use crate::graph::{AffilGraph, Edge, Node};
use crate::model::{CompanyRoleKind, Date, Inn};
use crate::pipeline::Analysis;
use crate::values::share_percent_text;

/// One entity: id, schema, properties (each a list of texts).
struct Entity {
    id: String,
    schema: &'static str,
    properties: BTreeMap<&'static str, Vec<String>>,
}

impl Entity {
    fn new(id: String, schema: &'static str) -> Entity {
        Entity {
            id,
            schema,
            properties: BTreeMap::new(),
        }
    }

    /// Adds a value, unless empty.
    fn with(mut self, prop: &'static str, value: impl Into<String>) -> Entity {
        let v = value.into();
        if !v.is_empty() {
            self.properties.entry(prop).or_default().push(v);
        }
        self
    }
}

/// A stable id: `affil-` and a kind, then the key's FNV-1a hash.
fn stable_id(kind: &str, key: &str) -> String {
    format!("affil-{kind}-{:016x}", crate::rules::fnv1a(key.bytes()))
}

fn iso(d: Option<Date>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The OGRN of each company companies.csv in `data_dir` gives one for (read here: a check
/// keeps no OGRN, and a national registry's would cost memory every run).
fn ogrns(data_dir: &Path) -> Result<rustc_hash::FxHashMap<Inn, String>> {
    let mut out = rustc_hash::FxHashMap::default();
    let path = data_dir.join("companies.csv");
    if !path.is_file() {
        return Ok(out);
    }
    let t = crate::load::CsvTable::read(&path)?;
    let (Some(inn_c), Some(ogrn_c)) = (t.col("inn"), t.col("ogrn")) else {
        return Ok(out);
    };
    t.each(|_, rec| {
        let (Some(inn), Some(ogrn)) = (rec.get(inn_c), rec.get(ogrn_c)) else {
            return;
        };
        let ogrn = ogrn.trim();
        if crate::identifiers::ogrn_valid(ogrn) {
            out.insert(Inn::new(inn.trim()), ogrn.to_owned());
        }
    })?;
    Ok(out)
}

/// Writes the entities to `path` (the OGRNs read from `data_dir`'s companies.csv); returns how
/// many.
pub fn write(path: &Path, a: &Analysis, g: &AffilGraph, data_dir: &Path) -> Result<usize> {
    let ogrn = ogrns(data_dir)?;
    let data = &a.data;
    let fail = |e: std::io::Error| Error::write(path, e);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    let mut count = 0usize;
    let mut put = |e: Entity, w: &mut std::io::BufWriter<std::fs::File>| -> Result<()> {
        let line = serde_json::json!({"id": e.id, "schema": e.schema, "properties": e.properties});
        serde_json::to_writer(&mut *w, &line).map_err(|e| Error::write(path, e))?;
        w.write_all(b"\n").map_err(fail)?;
        count += 1;
        Ok(())
    };
    // Persons: keyed by INN, else the official's id, else name and birth date.
    let persons = person_keys(a);
    for (id, [name, inn, birth, _]) in &persons {
        let e = Entity::new(id.clone(), "Person")
            .with("name", name.clone())
            .with("innCode", inn.clone())
            .with("birthDate", birth.clone());
        put(e, &mut w)?;
    }
    let company_id = |inn: &Inn| format!("affil-inn-{inn}");
    for c in &g.companies {
        put(
            Entity::new(company_id(&c.inn), "Company")
                .with("name", c.name.to_string())
                .with("innCode", c.inn.to_string())
                .with("ogrnCode", ogrn.get(&c.inn).cloned().unwrap_or_default()),
            &mut w,
        )?;
    }
    // Customers no registry extract names: public bodies.
    let mut customers: BTreeMap<Inn, String> = BTreeMap::new();
    for p in &data.procurements {
        if !g.company_by_inn.contains_key(&p.customer_inn) {
            customers
                .entry(p.customer_inn)
                .or_insert_with(|| p.customer_name.to_string());
        }
    }
    for o in &data.officials {
        if let Some(e) = o.employer_inn.filter(|e| !g.company_by_inn.contains_key(e)) {
            customers.entry(e).or_default();
        }
    }
    for (inn, name) in &customers {
        let name = if name.is_empty() {
            format!("ИНН {inn}")
        } else {
            name.clone()
        };
        put(
            Entity::new(company_id(inn), "PublicBody")
                .with("name", name)
                .with("innCode", inn.to_string()),
            &mut w,
        )?;
    }
    let node_id = |n: petgraph::graph::NodeIndex| match g.node(n) {
        Node::Person(p) => persons[p as usize].0.clone(),
        Node::Company(c) => company_id(&g.companies[c as usize].inn),
        Node::Procurement(i) => contract_id(&data.procurements[i as usize].procurement_id),
    };
    for p in &data.procurements {
        let title = if p.subject.is_empty() {
            format!("Закупка {}", p.procurement_id)
        } else {
            p.subject.to_string()
        };
        put(
            Entity::new(contract_id(&p.procurement_id), "Contract")
                .with("title", title)
                .with("authority", company_id(&p.customer_inn))
                .with("procedureNumber", p.procurement_id.to_string())
                .with("method", p.method.to_string())
                .with("contractDate", iso(p.published)),
            &mut w,
        )?;
    }
    for e in g.g.edge_references() {
        let (from, to) = (node_id(e.source()), node_id(e.target()));
        let key = format!("{}:{from}:{to}", e.id().index());
        let entity = match e.weight() {
            Edge::Kin { kinship, .. } => Entity::new(stable_id("family", &key), "Family")
                .with("person", from)
                .with("relative", to)
                .with("relationship", kinship.code()),
            Edge::Role { role } | Edge::Holds { role } | Edge::Manages { role } => {
                let r = &data.roles[*role as usize];
                let share = data.share(r).map(share_percent_text).unwrap_or_default();
                match r.role {
                    CompanyRoleKind::Founder | CompanyRoleKind::Beneficiary => {
                        Entity::new(stable_id("ownership", &key), "Ownership")
                            .with("owner", from)
                            .with("asset", to)
                            .with("role", r.role.code())
                            .with("percentage", share.trim_end_matches('%').to_owned())
                    }
                    _ => Entity::new(stable_id("directorship", &key), "Directorship")
                        .with("director", from)
                        .with("organization", to)
                        .with("role", r.role.code()),
                }
                .with("startDate", iso(r.since))
                .with("endDate", iso(r.until))
            }
            Edge::Entrepreneur => Entity::new(stable_id("directorship", &key), "Directorship")
                .with("director", from)
                .with("organization", to)
                .with("role", "entrepreneur"),
            Edge::Seat { seat, .. } => {
                let s = &data.seats[*seat as usize];
                let p = &data.procurements[s.procurement as usize];
                Entity::new(stable_id("membership", &key), "Membership")
                    .with("member", from)
                    .with("organization", company_id(&p.customer_inn))
                    .with("role", s.role.code())
                    .with("summary", p.procurement_id.to_string())
            }
            Edge::Bid { participant } => {
                let b = &data.participants[*participant as usize];
                Entity::new(stable_id("award", &key), "ContractAward")
                    .with("supplier", from)
                    .with("contract", to)
                    .with("status", if b.is_winner { "won" } else { "bid" })
                    .with(
                        "amount",
                        b.contract_price
                            .get()
                            .map(|v| format!("{v:.2}"))
                            .unwrap_or_default(),
                    )
                    .with(
                        "currency",
                        if b.contract_price.get().is_some() {
                            "RUB"
                        } else {
                            ""
                        },
                    )
            }
        };
        put(entity, &mut w)?;
    }
    // The officials' posts at their employers.
    for (i, o) in data.officials.iter().enumerate() {
        let Some(employer) = o.employer_inn else {
            continue;
        };
        let person = a.resolution.person_of[a.mentions.of_official[i] as usize];
        put(
            Entity::new(stable_id("employment", &o.official_id()), "Employment")
                .with("employer", company_id(&employer))
                .with("employee", persons[person as usize].0.clone())
                .with("role", o.position.to_string()),
            &mut w,
        )?;
    }
    for c in &a.cases {
        let mut note = Entity::new(stable_id("case", &c.case_id), "Note")
            .with("name", c.case_id.clone())
            .with("summary", format!("{}: {}", c.rule, c.legal_basis))
            .with("description", evidence_line(&c.chain, Lang::Ru))
            .with("entity", contract_id(&c.procurement_id));
        for inn in c.participant_inn.split(';').filter(|s| !s.is_empty()) {
            note = note.with("entity", company_id(&Inn::new(inn)));
        }
        for &p in &c.persons {
            note = note.with("entity", persons[p as usize].0.clone());
        }
        put(note, &mut w)?;
    }
    w.flush().map_err(fail)?;
    Ok(count)
}

fn contract_id(procurement_id: &str) -> String {
    stable_id("contract", procurement_id)
}

/// Each person's stable id and [name, INN, birth date (ISO), official id].
fn person_keys(a: &Analysis) -> Vec<(String, [String; 4])> {
    let facts = super::graphml::person_facts(a);
    let mut seen: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    facts
        .into_iter()
        .map(|f| {
            let (name, inn, official) = (f.name, f.inn, f.official_id);
            let key = if !inn.is_empty() {
                format!("inn:{inn}")
            } else if !official.is_empty() {
                format!("official:{official}")
            } else {
                let birth = f.birth.map(|b| b.to_string()).unwrap_or_default();
                format!("name:{name}:{birth}")
            };
            let birth_iso = match f.birth {
                Some(crate::model::BirthDate::Full(d)) => iso(Some(d)),
                Some(crate::model::BirthDate::Year(y)) => y.to_string(),
                None => String::new(),
            };
            // Namesakes the resolution keeps apart: numbered in person order.
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let key = if *n > 1 { format!("{key}#{n}") } else { key };
            (stable_id("person", &key), [name, inn, birth_iso, official])
        })
        .collect()
}
