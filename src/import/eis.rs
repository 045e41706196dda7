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
use std::path::{Path, PathBuf};

use super::table::{KeySpec, Table};
use super::xml::{self, Attrs, Ns, Visitor};
use super::{ddmmyyyy, ImportOptions, ImportReport};
use crate::error::Result;
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

fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything read, by purchase number.
#[derive(Default)]
struct Book {
    purchases: BTreeMap<String, Purchase>,
    protocols: u64,
    notices: u64,
}

impl Book {
    fn add(&mut self, source: &str, doc: Doc, report: &mut ImportReport) {
        let Some(number) = doc.purchase.clone() else {
            report.warn(
                source,
                format!("/{}", doc.kind),
                "no purchaseNumber: document skipped",
            );
            return;
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
        let p = self.purchases.entry(number.clone()).or_default();
        p.documents += 1;
        if doc.is_notice() {
            self.notices += 1;
            p.customer_inn.offer(&order, doc.customer_inn);
            p.customer_name.offer(&order, doc.customer_name);
            p.subject.offer(&order, doc.subject);
            p.method.offer(&order, doc.method);
            p.initial_price.offer(&order, doc.max_price);
            earliest(&mut p.first_notice, doc.published.as_deref());
            return;
        }
        self.protocols += 1;
        earliest(&mut p.first_protocol, date.as_deref());
        // A protocol names the customer only when the customer itself published it.
        if doc.publisher_role.as_deref() == Some("CU") {
            p.customer_inn.offer(&order, doc.publisher_inn);
            p.customer_name.offer(&order, doc.publisher_name);
        }
        for (m, path) in doc.members {
            let name = person_name(&m.last, &m.first, &m.middle);
            if name.is_empty() {
                report.warn(source, path, "commission member without a name: skipped");
                continue;
            }
            let role = match seat_role(&m.role) {
                Some(r) => r,
                None => {
                    report.warn(
                        source,
                        path,
                        format!(
                            "commission role `{}` is not one affil knows: read as member",
                            m.role
                        ),
                    );
                    "member"
                }
            };
            entry(&mut p.commission, fold(&name)).offer(&order, Some((name, role)));
        }
        for a in doc.apps {
            let key = a.id.clone().unwrap_or_else(|| format!("#{}", a.position));
            let app = entry(&mut p.apps, key);
            match &a.inn {
                Some((inn, None)) => app.inn.offer(&order, Some(inn.clone())),
                Some((inn, Some(path))) => report.warn(
                    source,
                    path.clone(),
                    format!("participant INN `{inn}` fails the checksum: not used"),
                ),
                None => {}
            }
            let person = person_name(&a.last, &a.first, &a.middle);
            let name = a.org_name.or((!person.is_empty()).then_some(person));
            app.name.offer(&order, name);
            app.admitted.offer(&order, a.admitted);
            app.rating.offer(&order, a.rating);
            app.price.offer(&order, a.price.map(|(_, v)| v));
        }
    }

    /// Writes the three files into `dir`, merged with what is there.
    fn write(self, dir: &Path, options: &ImportOptions, report: &mut ImportReport) -> Result<()> {
        let mut procurements = Table::new(dir, "procurements.csv", &PROCUREMENTS, PROCUREMENT_KEY)?;
        let mut participants = Table::new(dir, "participants.csv", &PARTICIPANTS, PARTICIPANT_KEY)?;
        let mut commissions = Table::new(dir, "commissions.csv", &COMMISSIONS, COMMISSION_KEY)?;
        let mut no_customer = Vec::new();
        let (mut merged, mut no_participant) = (0u64, 0u64);
        for (number, p) in &self.purchases {
            if p.documents > 1 {
                merged += u64::from(p.documents);
            }
            let got = |l: &Latest<String>| l.get().cloned().unwrap_or_default();
            let mut customer_inn = got(&p.customer_inn);
            if customer_inn.is_empty() {
                match &options.customer_inn {
                    Some(c) => customer_inn = c.clone(),
                    None => no_customer.push(number.clone()),
                }
            }
            let published = p
                .first_notice
                .as_deref()
                .or(p.first_protocol.as_deref())
                .and_then(ddmmyyyy)
                .unwrap_or_default();
            procurements.push(&[
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
                commissions.push(&[
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
                    no_participant += 1;
                    continue;
                };
                let rating = a.rating.get().copied();
                participants.push(&[
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
        report.notes.push(format!(
            "{} protocol(s) and {} notification(s) of {} purchase(s); {merged} document(s) \
             merged into purchases that have more than one",
            self.protocols,
            self.notices,
            self.purchases.len()
        ));
        if no_participant > 0 {
            report.notes.push(format!(
                "{no_participant} application(s) name no participant (public protocols since \
                 2022 name only the winner): counted, not written"
            ));
        }
        if !no_customer.is_empty() {
            report.warn(
                "",
                String::new(),
                format!(
                    "{} purchase(s) have no customer INN in their documents (older protocols \
                     name only the publisher's registry number); give it with --customer-inn \
                     or add it to procurements.csv: {}",
                    no_customer.len(),
                    no_customer.join(", ")
                ),
            );
        }
        let finished = [
            procurements.finish()?,
            participants.finish()?,
            commissions.finish()?,
        ];
        for f in finished {
            report.written.push(f.commit()?);
        }
        Ok(())
    }
}

/// Imports every ЕИС document under `paths` into `out`.
pub fn import(paths: &[PathBuf], out: &Path, options: &ImportOptions) -> Result<ImportReport> {
    super::out_dir(out)?;
    let mut report = ImportReport {
        warnings_file: out.join("eis_import_warnings.csv"),
        ..ImportReport::default()
    };
    let mut book = Book::default();
    super::sources::each_document(paths, &mut report, &mut |name, input, report| {
        let mut doc = Doc::default();
        let result = xml::walk(input, xml::Namespaces::Resolved, &mut doc);
        if let Err(b) = result {
            report.warn(
                name,
                String::new(),
                format!(
                    "malformed XML at byte {}: {}; document skipped",
                    b.at, b.reason
                ),
            );
            return;
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
            report.warn(
                name,
                at,
                format!("document kind `{kind}` is not a notification or a protocol: skipped"),
            );
            *report.skipped.entry(kind).or_default() += 1;
            return;
        }
        *report.read.entry(doc.kind.clone()).or_default() += 1;
        book.add(name, doc, report);
    })?;
    book.write(out, options, &mut report)?;
    report.write_warnings()?;
    Ok(report)
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
