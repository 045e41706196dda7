//! `affil import eis`: 44-FZ documents of the unified procurement system (ЕИС) into
//! procurements.csv, participants.csv and commissions.csv.
//!
//! Both generations are read by namespace family and local name: the older `fcs*` documents
//! (`fcsProtocolEF1/EF2/EF3`, `fcsNotificationEF`, ...: fields in `.../oos/types/1`) and the
//! 2019+ `ep*` ones (`epProtocolEF2020Final`, `epProtocolEZK2`, `epNotificationEF2020`, ...:
//! `.../oos/EPtypes/1` with people and organisations in `.../oos/common/1`). A document is a
//! protocol or a notification by its kind's name; other kinds are counted and skipped.
//!
//! The documents of one purchase merge into one procurement: each field is taken from the
//! latest document that gives it (by publication time, then document id), applications join
//! on their journal (or application) number, so the prices of an EF2 protocol meet the
//! participants of the EF3 one.

use std::collections::BTreeMap;
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{BufWriter, Write};

use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::table::{KeySpec, Table};
use super::xml::{self, Attrs, Ns, Visitor};
use super::{ddmmyyyy, ImportOptions, ImportReport};
use crate::error::{Error, Result};
use crate::identifiers::inn_valid;
use crate::load::headers;

/// procurements.csv as an import writes it: the columns a check reads.
pub const PROCUREMENTS: [&str; 8] = headers::PROCUREMENTS;
/// participants.csv as an import writes it; `admitted`, `rating` and `application` are the
/// protocol's own, kept for the analyst (a check does not read them).
pub const PARTICIPANTS: [&str; 9] =
    headers::concat(headers::PARTICIPANTS, ["admitted", "rating", "application"]);
/// commissions.csv as an import writes it.
pub const COMMISSIONS: [&str; 4] = headers::COMMISSIONS;

const PROCUREMENT_KEY: KeySpec = &[(0, false)];
const PARTICIPANT_KEY: KeySpec = &[(0, false), (1, false)];
const COMMISSION_KEY: KeySpec = &[(0, false), (2, true)];

/// Where a document stands among the documents of its purchase: its publication time as
/// the number `YYYYMMDDhhmmss` (the documents' local time), then its id. Later wins.
type Order = (u64, u64);

/// The digits of an ISO date-time up to the seconds, as a number that sorts like the time.
fn time_number(iso: &str) -> u64 {
    iso.bytes()
        .take(19)
        .filter(u8::is_ascii_digit)
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))
}

/// A value with the order of the document it came from.
#[derive(Clone, Debug, Default)]
struct Latest<T> {
    got: Option<(Order, T)>,
}

impl<T> Latest<T> {
    fn offer(&mut self, order: &Order, value: Option<T>) {
        let Some(value) = value else { return };
        if self.got.as_ref().is_none_or(|(o, _)| o <= order) {
            self.got = Some((*order, value));
        }
    }
    fn get(&self) -> Option<&T> {
        self.got.as_ref().map(|(_, v)| v)
    }
}

#[derive(Clone, Debug, Default)]
struct App {
    inn: Latest<String>,
    name: Latest<String>,
    admitted: Latest<bool>,
    rating: Latest<u32>,
    price: Latest<String>,
}

#[derive(Clone, Debug, Default)]
struct Purchase {
    customer_inn: Latest<String>,
    customer_name: Latest<String>,
    subject: Latest<String>,
    method: Latest<String>,
    initial_price: Latest<String>,
    /// The first notification's publication (ISO): a corrected notification is published
    /// later, but the purchase was announced at the first.
    first_notice: Option<String>,
    /// The earliest protocol date: the publication date when no notification is given.
    first_protocol: Option<String>,
    /// Documents merged into this purchase.
    documents: u32,
    /// Folded name -> (name as written, role). A few entries a purchase: a vector (a map's
    /// node would take ten times the room).
    commission: Vec<(String, Latest<(String, &'static str)>)>,
    /// Application number -> what the protocols say of it.
    apps: Vec<(String, App)>,
}

/// The role words of commission protocols, mapped to the input's role codes.
fn seat_role(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase().replace('ё', "е");
    let t = t.trim();
    if t.starts_with("зам") {
        Some("deputy_chair")
    } else if t.starts_with("председатель") {
        Some("chair")
    } else if t.starts_with("секретарь") || t.starts_with("ответственный секретарь")
    {
        Some("secretary")
    } else if t.starts_with("член") {
        Some("member")
    } else {
        None
    }
}

#[derive(Default)]
struct Member {
    last: String,
    first: String,
    middle: String,
    role: String,
}

#[derive(Default)]
struct AppRead {
    /// Depth of the application's element.
    level: usize,
    id: Option<String>,
    position: usize,
    /// The INN, and where it is when it fails the checksum (the path for the warning).
    inn: Option<(String, Option<String>)>,
    org_name: Option<String>,
    last: String,
    first: String,
    middle: String,
    admitted: Option<bool>,
    rating: Option<u32>,
    /// (priority, price): finalPrice 0, winnerPrice 1, lastOffer 2, lastPriceOffer 3.
    price: Option<(u8, String)>,
}

/// One document's facts, gathered while it streams.
#[derive(Default)]
struct Doc {
    /// Depth of the document element (1 when it is the root, 2 under `export`).
    level: usize,
    kind: String,
    id: u64,
    purchase: Option<String>,
    published: Option<String>,
    protocol_date: Option<String>,
    customer_inn: Option<String>,
    customer_name: Option<String>,
    publisher_inn: Option<String>,
    publisher_name: Option<String>,
    publisher_role: Option<String>,
    subject: Option<String>,
    method: Option<String>,
    max_price: Option<String>,
    member: Option<Member>,
    members: Vec<(Member, String)>,
    app: Option<AppRead>,
    apps: Vec<AppRead>,
    app_count: usize,
}

impl Doc {
    fn is_protocol(&self) -> bool {
        self.kind.contains("Protocol")
    }
    fn is_notice(&self) -> bool {
        self.kind.contains("Notification")
    }
}

/// Elements whose content is about someone else than the participant or the application's
/// outcome (a member's vote, a contact person).
const ASIDE: &[&str] = &[
    "admissionResults",
    "admissionResult",
    "admissionResultsInfo",
    "admissionResultInfo",
    "contactInfo",
    "contactPersonInfo",
    "commissionMemberInfo",
    "protocolCommissionMember",
];
const PARTICIPANT: &[&str] = &[
    "appParticipantInfo",
    "appParticipant",
    "participantInfo",
    "participant",
];

/// Whether an element between the document (at `level`) and the innermost one is named one
/// of `names`.
fn within(level: usize, at: &xml::Path, names: &[&str]) -> bool {
    (level..at.depth().saturating_sub(1)).any(|l| names.contains(&at.local(l)))
}

impl Visitor for Doc {
    fn open(&mut self, at: &xml::Path, _attrs: &Attrs<'_>) {
        let d = at.depth();
        if self.level == 0 {
            if d == 1 && at.last() != "export" || d == 2 && at.local(0) == "export" {
                self.level = d;
                self.kind = at.last().to_owned();
            }
            return;
        }
        if at.ns(d - 1) != Ns::Eis {
            return;
        }
        match at.last() {
            "commissionMember" if at.up(1) == Some("commissionMembers") => {
                self.member = Some(Member::default());
            }
            "application" | "applicationInfo"
                if matches!(at.up(1), Some("applications" | "applicationsInfo")) =>
            {
                self.app_count += 1;
                self.app = Some(AppRead {
                    level: d,
                    position: self.app_count,
                    ..AppRead::default()
                });
            }
            "notAdmittedInfo" | "appNotAdmittedInfo" => {
                if let Some(a) = &mut self.app {
                    a.admitted = Some(false);
                }
            }
            _ => {}
        }
    }

    /// What a closing element completes. Long on purpose: one match arm per element of the
    /// notices and protocols that affil reads.
    fn close(&mut self, at: &xml::Path, text: &str) {
        let d = at.depth();
        if self.level == 0 || d <= self.level || at.ns(d - 1) != Ns::Eis {
            return;
        }
        let name = at.last();
        let parent = at.up(1).unwrap_or_default();
        let value = || (!text.is_empty()).then(|| xml::collapse(text));
        if let Some(a) = &mut self.app {
            if d == a.level {
                let a = self.app.take().expect("open application");
                self.apps.push(a);
                return;
            }
            let aside = within(self.level, at, ASIDE);
            let in_participant = within(self.level, at, PARTICIPANT);
            match name {
                "journalNumber" => a.id = value(),
                "appNumber" if parent == "commonInfo" => a.id = value(),
                "INN" | "inn" if in_participant && !aside => {
                    a.inn = value().map(|v| {
                        let bad = (!inn_valid(&v)).then(|| at.text());
                        (v, bad)
                    });
                }
                "fullName" | "organizationName" if in_participant && !aside => {
                    a.org_name = value();
                }
                "shortName" | "firmName" if in_participant && !aside && a.org_name.is_none() => {
                    a.org_name = value();
                }
                "lastName" if in_participant && !aside => a.last = text.to_owned(),
                "firstName" if in_participant && !aside => a.first = text.to_owned(),
                "middleName" if in_participant && !aside => a.middle = text.to_owned(),
                "admitted" if !aside => a.admitted = text.parse().ok(),
                "appRating" if !aside => a.rating = text.parse().ok(),
                "finalPrice" | "winnerPrice" | "price" if !aside => {
                    let p = match (name, parent) {
                        ("finalPrice", _) => 0,
                        ("winnerPrice", _) => 1,
                        ("price", "lastOffer") => 2,
                        ("price", "lastPriceOffer") => 3,
                        _ => return,
                    };
                    if a.price.as_ref().is_none_or(|(q, _)| p < *q) {
                        if let Some(v) = value() {
                            a.price = Some((p, v));
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(m) = &mut self.member {
            match name {
                "commissionMember" => {
                    let m = self.member.take().expect("open member");
                    // The path only where a warning will need it.
                    let odd = person_name(&m.last, &m.first, &m.middle).is_empty()
                        || seat_role(&m.role).is_none();
                    let path = if odd { at.text() } else { String::new() };
                    self.members.push((m, path));
                }
                "lastName" => m.last = text.to_owned(),
                "firstName" => m.first = text.to_owned(),
                "middleName" => m.middle = text.to_owned(),
                "name" if parent == "role" => m.role = xml::collapse(text),
                _ => {}
            }
            return;
        }
        let in_responsible = within(self.level, at, &["responsibleOrg", "responsibleOrgInfo"]);
        let in_publisher = within(self.level, at, &["publisherOrg"]);
        match name {
            "purchaseNumber" if self.purchase.is_none() => self.purchase = value(),
            "id" if d == self.level + 1 => self.id = text.parse().unwrap_or(0),
            "protocolDate" => self.protocol_date = value(),
            // The document's own date: at its top or in its commonInfo, not an attachment's.
            "publishDate" | "docPublishDate" | "publishDTInEIS"
                if self.published.is_none() && d <= self.level + 2 =>
            {
                self.published = value();
            }
            "INN" if in_responsible => self.customer_inn = value(),
            "fullName" if in_responsible => self.customer_name = value(),
            "INN" if in_publisher => self.publisher_inn = value(),
            "fullName" if in_publisher => self.publisher_name = value(),
            "publisherRole" => self.publisher_role = value(),
            "purchaseObjectInfo" if self.subject.is_none() => self.subject = value(),
            "name" if parent == "placingWay" && self.method.is_none() => self.method = value(),
            "maxPrice" if self.max_price.is_none() => self.max_price = value(),
            _ => {}
        }
    }
}

/// Keeps in `first` the earlier of it and `date` (ISO date-times, compared as times).
fn earliest(first: &mut Option<String>, date: Option<&str>) {
    if let Some(d) = date {
        if first
            .as_deref()
            .is_none_or(|f| time_number(d) < time_number(f))
        {
            *first = Some(d.to_owned());
        }
    }
}

/// The value under `key` in a short list of pairs, added when missing.
fn entry<T: Default>(list: &mut Vec<(String, T)>, key: String) -> &mut T {
    let i = match list.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            list.push((key, T::default()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

fn person_name(last: &str, first: &str, middle: &str) -> String {
    [last, first, middle]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && *s != "-")
        .collect::<Vec<_>>()
        .join(" ")
}

/// What one document says, checked and named: the unit the import spills to disk and merges.
#[derive(Debug, Serialize, Deserialize)]
struct Facts {
    purchase: String,
    order: Order,
    notice: bool,
    /// A protocol's date (its `protocolDate`, else its publication).
    date: Option<String>,
    published: Option<String>,
    customer_inn: Option<String>,
    customer_name: Option<String>,
    subject: Option<String>,
    method: Option<String>,
    max_price: Option<String>,
    /// (name, role code).
    members: Vec<(String, String)>,
    apps: Vec<AppFacts>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AppFacts {
    key: String,
    inn: Option<String>,
    name: Option<String>,
    admitted: Option<bool>,
    rating: Option<u32>,
    price: Option<String>,
}

/// The facts of a document, with a warning for each thing in it that cannot be used.
fn facts(doc: Doc, warnings: &mut Vec<(String, String)>) -> Option<Facts> {
    let Some(purchase) = doc.purchase.clone() else {
        warnings.push((
            format!("/{}", doc.kind),
            "no purchaseNumber: document skipped".into(),
        ));
        return None;
    };
    let date = doc.protocol_date.clone().or(doc.published.clone());
    let order: Order = (
        time_number(
            doc.published
                .as_deref()
                .or(date.as_deref())
                .unwrap_or_default(),
        ),
        doc.id,
    );
    let notice = doc.is_notice();
    // A protocol names the customer only when the customer itself published it.
    let (customer_inn, customer_name) = if notice {
        (doc.customer_inn, doc.customer_name)
    } else if doc.publisher_role.as_deref() == Some("CU") {
        (doc.publisher_inn, doc.publisher_name)
    } else {
        (None, None)
    };
    let mut members = Vec::new();
    for (m, path) in doc.members {
        let name = person_name(&m.last, &m.first, &m.middle);
        if name.is_empty() {
            warnings.push((path, "commission member without a name: skipped".into()));
            continue;
        }
        let role = seat_role(&m.role).unwrap_or_else(|| {
            warnings.push((
                path,
                format!(
                    "commission role `{}` is not one affil knows: read as member",
                    m.role
                ),
            ));
            "member"
        });
        members.push((name, role.to_owned()));
    }
    let mut apps = Vec::new();
    for a in doc.apps {
        let inn = match a.inn {
            Some((inn, None)) => Some(inn),
            Some((inn, Some(path))) => {
                warnings.push((
                    path,
                    format!("participant INN `{inn}` fails the checksum: not used"),
                ));
                None
            }
            None => None,
        };
        let person = person_name(&a.last, &a.first, &a.middle);
        apps.push(AppFacts {
            key: a.id.unwrap_or_else(|| format!("#{}", a.position)),
            inn,
            name: a.org_name.or((!person.is_empty()).then_some(person)),
            admitted: a.admitted,
            rating: a.rating,
            price: a.price.map(|(_, v)| v),
        });
    }
    Some(Facts {
        purchase,
        order,
        notice,
        date,
        published: doc.published,
        customer_inn,
        customer_name,
        subject: doc.subject,
        method: doc.method,
        max_price: doc.max_price,
        members,
        apps,
    })
}

/// The role code as the static text the output keeps.
fn role_code(code: &str) -> &'static str {
    ["chair", "deputy_chair", "secretary"]
        .into_iter()
        .find(|c| *c == code)
        .unwrap_or("member")
}

/// The documents' facts spilled to disk in buckets by purchase number, so that all the
/// documents of one purchase meet in one bucket and a bucket at a time is held in memory,
/// however many purchases the input has.
struct Spill {
    paths: Vec<PathBuf>,
    files: Vec<BufWriter<File>>,
}

/// Buckets of the spill: memory holds about 1/BUCKETS of the purchases at a time.
const BUCKETS: usize = 64;

impl Spill {
    fn new(dir: &Path) -> Result<Spill> {
        let mut spill = Spill {
            paths: Vec::new(),
            files: Vec::new(),
        };
        for k in 0..BUCKETS {
            let path = dir.join(format!(".eis_import.{k:02}.tmp"));
            let file = File::create(&path).map_err(|e| Error::write(&path, e))?;
            spill.paths.push(path);
            spill.files.push(BufWriter::with_capacity(1 << 14, file));
        }
        Ok(spill)
    }

    fn put(&mut self, f: &Facts) -> Result<()> {
        let k = (FxBuildHasher.hash_one(&f.purchase) % BUCKETS as u64) as usize;
        let w = &mut self.files[k];
        serde_json::to_writer(&mut *w, f).map_err(|e| Error::write(&self.paths[k], e))?;
        w.write_all(b"\n")
            .map_err(|e| Error::write(&self.paths[k], e))
    }

    /// The facts of bucket `k`, in the order they were put.
    fn bucket(&mut self, k: usize) -> Result<Vec<Facts>> {
        self.files[k]
            .flush()
            .map_err(|e| Error::write(&self.paths[k], e))?;
        let text = std::fs::read_to_string(&self.paths[k]).map_err(|source| Error::Io {
            path: self.paths[k].clone(),
            source,
        })?;
        text.lines()
            .map(|l| serde_json::from_str(l).map_err(|e| Error::write(&self.paths[k], e)))
            .collect()
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.files.clear();
        for p in &self.paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The purchases of one bucket, by purchase number.
#[derive(Default)]
struct Book {
    purchases: BTreeMap<String, Purchase>,
}

impl Book {
    fn apply(&mut self, f: Facts) {
        let order = f.order;
        let p = self.purchases.entry(f.purchase).or_default();
        p.documents += 1;
        p.customer_inn.offer(&order, f.customer_inn);
        p.customer_name.offer(&order, f.customer_name);
        if f.notice {
            p.subject.offer(&order, f.subject);
            p.method.offer(&order, f.method);
            p.initial_price.offer(&order, f.max_price);
            earliest(&mut p.first_notice, f.published.as_deref());
            return;
        }
        earliest(&mut p.first_protocol, f.date.as_deref());
        for (name, role) in f.members {
            let role = role_code(&role);
            entry(&mut p.commission, headers::fold(&name)).offer(&order, Some((name, role)));
        }
        for a in f.apps {
            let app = entry(&mut p.apps, a.key);
            app.inn.offer(&order, a.inn);
            app.name.offer(&order, a.name);
            app.admitted.offer(&order, a.admitted);
            app.rating.offer(&order, a.rating);
            app.price.offer(&order, a.price);
        }
    }
}

/// The three output files, and what writing them found.
struct Outputs {
    procurements: Table,
    participants: Table,
    commissions: Table,
    purchases: u64,
    merged: u64,
    no_participant: u64,
    no_customer: u64,
}

impl Outputs {
    /// Writes the rows of one bucket's purchases.
    fn write(
        &mut self,
        book: Book,
        options: &ImportOptions,
        report: &mut ImportReport,
    ) -> Result<()> {
        for (number, p) in book.purchases {
            self.purchases += 1;
            if p.documents > 1 {
                self.merged += u64::from(p.documents);
            }
            let got = |l: &Latest<String>| l.get().cloned().unwrap_or_default();
            let mut customer_inn = got(&p.customer_inn);
            if customer_inn.is_empty() {
                match &options.customer_inn {
                    Some(c) => customer_inn = c.clone(),
                    None => {
                        self.no_customer += 1;
                        report.warn(
                            "",
                            String::new(),
                            format!(
                                "purchase {number}: no customer INN in its documents (older \
                                 protocols name only the publisher's registry number); give it \
                                 with --customer-inn or add it to procurements.csv"
                            ),
                        );
                    }
                }
            }
            let published = p
                .first_notice
                .as_deref()
                .or(p.first_protocol.as_deref())
                .and_then(ddmmyyyy)
                .unwrap_or_default();
            self.procurements.push(&[
                number.clone(),
                customer_inn,
                got(&p.customer_name),
                got(&p.subject),
                got(&p.method),
                published,
                got(&p.initial_price),
                String::new(),
            ])?;
            let mut seats: Vec<_> = p.commission.iter().collect();
            seats.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, seat) in seats {
                let (name, role) = seat.get().expect("a seat has a value");
                self.commissions.push(&[
                    number.clone(),
                    String::new(),
                    name.clone(),
                    role.to_string(),
                ])?;
            }
            let mut apps: Vec<_> = p.apps.iter().collect();
            apps.sort_by(|a, b| a.0.cmp(&b.0));
            for (id, a) in apps {
                let Some(inn) = a.inn.get() else {
                    self.no_participant += 1;
                    continue;
                };
                let rating = a.rating.get().copied();
                self.participants.push(&[
                    number.clone(),
                    inn.clone(),
                    got(&a.name),
                    if rating == Some(1) { "да" } else { "нет" }.to_owned(),
                    got(&a.price),
                    String::new(),
                    match a.admitted.get() {
                        Some(true) => "да".to_owned(),
                        Some(false) => "нет".to_owned(),
                        None => String::new(),
                    },
                    rating.map(|r| r.to_string()).unwrap_or_default(),
                    id.clone(),
                ])?;
            }
        }
        Ok(())
    }
}

/// What reading one document gave.
enum Outcome {
    /// Not well-formed: nothing of it is used.
    Broken,
    /// A kind this import does not read.
    Skipped(String),
    /// A protocol or a notification, and its facts (none without a purchase number).
    Read(String, Option<Box<Facts>>),
}

/// One document read: its outcome and its warnings (element path, problem).
struct Parsed {
    name: String,
    outcome: Outcome,
    warnings: Vec<(String, String)>,
}

/// Reads one document. Pure, so documents are read in parallel and their results used in
/// input order (the same output for any number of threads).
fn parse(name: String, bytes: &[u8]) -> Parsed {
    let mut warnings = Vec::new();
    let mut doc = Doc::default();
    if let Err(b) = xml::walk(bytes, xml::Namespaces::Resolved, &mut doc) {
        warnings.push((
            String::new(),
            format!(
                "malformed XML at byte {}: {}; document skipped",
                b.at, b.reason
            ),
        ));
        return Parsed {
            name,
            outcome: Outcome::Broken,
            warnings,
        };
    }
    if !(doc.is_protocol() || doc.is_notice()) {
        let kind = if doc.kind.is_empty() {
            "(empty)".into()
        } else {
            doc.kind.clone()
        };
        let at = if doc.level == 2 {
            format!("/export/{kind}")
        } else {
            format!("/{kind}")
        };
        warnings.push((
            at,
            format!("document kind `{kind}` is not a notification or a protocol: skipped"),
        ));
        return Parsed {
            name,
            outcome: Outcome::Skipped(kind),
            warnings,
        };
    }
    let kind = doc.kind.clone();
    let facts = facts(doc, &mut warnings).map(Box::new);
    Parsed {
        name,
        outcome: Outcome::Read(kind, facts),
        warnings,
    }
}

/// Documents read from the sources and waiting to be parsed together.
#[derive(Default)]
struct Batch {
    docs: Vec<(String, Vec<u8>)>,
    bytes: usize,
}

/// A batch is parsed when it holds this much XML or this many documents.
const BATCH_BYTES: usize = 8 << 20;
const BATCH_DOCS: usize = 1024;

/// What the reading pass keeps: the spill and the counts.
struct Reading {
    spill: Spill,
    protocols: u64,
    notices: u64,
}

impl Reading {
    /// Parses a batch in parallel and takes the results in input order.
    fn take(&mut self, batch: &mut Batch, report: &mut ImportReport) -> Result<()> {
        use rayon::prelude::*;
        let docs = std::mem::take(&mut batch.docs);
        batch.bytes = 0;
        let parsed: Vec<Parsed> = docs
            .into_par_iter()
            .map(|(name, bytes)| parse(name, &bytes))
            .collect();
        for p in parsed {
            for (element, problem) in p.warnings {
                report.warn(&p.name, element, problem);
            }
            match p.outcome {
                Outcome::Broken => {}
                Outcome::Skipped(kind) => *report.skipped.entry(kind).or_default() += 1,
                Outcome::Read(kind, facts) => {
                    *report.read.entry(kind).or_default() += 1;
                    if let Some(f) = facts {
                        if f.notice {
                            self.notices += 1;
                        } else {
                            self.protocols += 1;
                        }
                        self.spill.put(&f)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Imports every ЕИС document under `paths` into `out`: the documents are read and checked
/// (in parallel batches, used in input order) and their facts spilled by purchase; then each
/// bucket's purchases are merged and written. Rows come grouped by bucket (a hash of the
/// purchase number), in purchase order within one.
pub fn import(paths: &[PathBuf], out: &Path, options: &ImportOptions) -> Result<ImportReport> {
    super::out_dir(out)?;
    let mut report = ImportReport::new(out.join("eis_import_warnings.csv"));
    let mut reading = Reading {
        spill: Spill::new(out)?,
        protocols: 0,
        notices: 0,
    };
    let mut batch = Batch::default();
    let mut error = None;
    super::sources::each_document(paths, &mut report, &mut |name, input, report| {
        if error.is_some() {
            return;
        }
        let mut bytes = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(input, &mut bytes) {
            report.warn(
                name,
                String::new(),
                format!("cannot be read to its end ({e}); document skipped"),
            );
            return;
        }
        batch.bytes += bytes.len();
        batch.docs.push((name.to_owned(), bytes));
        if batch.bytes >= BATCH_BYTES || batch.docs.len() >= BATCH_DOCS {
            if let Err(e) = reading.take(&mut batch, report) {
                error = Some(e);
            }
        }
    })?;
    if let Some(e) = error {
        return Err(e);
    }
    reading.take(&mut batch, &mut report)?;
    let Reading {
        mut spill,
        protocols,
        notices,
    } = reading;
    let mut outputs = Outputs {
        procurements: Table::new(out, "procurements.csv", &PROCUREMENTS, PROCUREMENT_KEY)?,
        participants: Table::new(out, "participants.csv", &PARTICIPANTS, PARTICIPANT_KEY)?,
        commissions: Table::new(out, "commissions.csv", &COMMISSIONS, COMMISSION_KEY)?,
        purchases: 0,
        merged: 0,
        no_participant: 0,
        no_customer: 0,
    };
    for k in 0..BUCKETS {
        let mut book = Book::default();
        for f in spill.bucket(k)? {
            book.apply(f);
        }
        outputs.write(book, options, &mut report)?;
    }
    drop(spill);
    report.notes.push(format!(
        "{protocols} protocol(s) and {notices} notification(s) of {} purchase(s); {} \
         document(s) merged into purchases that have more than one",
        outputs.purchases, outputs.merged
    ));
    if outputs.no_participant > 0 {
        report.notes.push(format!(
            "{} application(s) name no participant (first-part protocols are anonymous, and \
             public protocols since 2022 name only the winner): counted, not written",
            outputs.no_participant
        ));
    }
    if outputs.no_customer > 0 {
        report.notes.push(format!(
            "{} purchase(s) have no customer INN: each is listed in the warnings",
            outputs.no_customer
        ));
    }
    report.close(vec![
        outputs.procurements,
        outputs.participants,
        outputs.commissions,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_and_contact_persons_are_not_the_application() {
        // A member's vote after the application's own verdict, and a contact person where the
        // participant has no name: neither is the application's.
        let text = r#"<e:export xmlns:e="http://zakupki.gov.ru/oos/export/1"
            xmlns="http://zakupki.gov.ru/oos/types/1" xmlns:c="http://zakupki.gov.ru/oos/common/1">
          <e:fcsProtocolEF3><purchaseNumber>1</purchaseNumber><protocolLot><applications>
            <application><journalNumber>7</journalNumber><admitted>true</admitted>
              <appParticipantInfo><c:legalEntityRFInfo><c:INN>5916001001</c:INN>
                <c:contactInfo><c:contactPersonInfo><c:lastName>Контактов</c:lastName>
                </c:contactPersonInfo></c:contactInfo></c:legalEntityRFInfo></appParticipantInfo>
              <admissionResults><admissionResult><admitted>false</admitted>
                <appRating>9</appRating></admissionResult></admissionResults>
            </application></applications></protocolLot></e:fcsProtocolEF3></e:export>"#;
        let mut doc = Doc::default();
        xml::walk(text.as_bytes(), xml::Namespaces::Resolved, &mut doc).unwrap();
        assert_eq!(doc.kind, "fcsProtocolEF3");
        let a = &doc.apps[0];
        assert_eq!(a.id.as_deref(), Some("7"));
        assert_eq!(
            (a.admitted, a.rating, a.last.as_str()),
            (Some(true), None, "")
        );
        assert_eq!(a.inn.as_ref().map(|(i, _)| i.as_str()), Some("5916001001"));
    }

    #[test]
    fn role_words() {
        assert_eq!(seat_role("Председатель комиссии"), Some("chair"));
        assert_eq!(
            seat_role("Зам. председателя комиссии"),
            Some("deputy_chair")
        );
        assert_eq!(
            seat_role("Заместитель председателя комиссии"),
            Some("deputy_chair")
        );
        assert_eq!(
            seat_role("Секретарь комиссии (без права голоса)"),
            Some("secretary")
        );
        assert_eq!(seat_role("Член комиссии"), Some("member"));
        assert_eq!(seat_role("Эксперт"), None);
    }
}
