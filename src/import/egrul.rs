//! `affil import egrul`: the tax service's register XML (ЕГРЮЛ companies `СвЮЛ`, ЕГРИП
//! entrepreneurs `СвИП`) into companies.csv and company_roles.csv.
//!
//! Companies are found wherever they are in a file (under `Файл/Документ` in the current
//! format, under other roots in older ones), one or many per file, in the encoding the file
//! declares. Each company is written when its element closes, so memory does not grow with
//! the file. Shares are kept exact: `Процент` as a percentage, `ДробДесят` (a decimal
//! fraction) turned into one, `ДробПрост` as the fraction `numerator/denominator`.

use std::path::{Path, PathBuf};

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;

use super::table::{KeySpec, Table};
use super::xml::{self, Attrs, Visitor};
use super::{ddmmyyyy, ImportOptions, ImportReport};
use crate::error::{Error, Result};
use crate::identifiers::inn_valid;
use crate::load::headers;
use crate::values::parse_exact_decimal;

/// companies.csv as an import writes it.
pub const COMPANIES: &[&str] = &["inn", "ogrn", "name", "address", "phone", "email", "status"];
/// company_roles.csv as an import writes it: the columns a check reads, then `position`,
/// `holder_name`, `nominal_value` and `founder_kind`, the register's own, kept for the analyst.
pub const ROLES: [&str; 13] = headers::concat(
    headers::COMPANY_ROLES,
    ["position", "holder_name", "nominal_value", "founder_kind"],
);
const COMPANY_KEY: KeySpec = &[(0, false)];
/// One role: company, role, the person (INN, else name) or the holding organisation.
const ROLE_KEY: KeySpec = &[(0, false), (1, false), (3, false), (2, true), (5, false)];

/// The founder elements of `СвУчредит`, every kind the format has.
const FOUNDERS: &[&str] = &[
    "УчрФЛ",
    "УчрЮЛРос",
    "УчрЮЛИн",
    "УчрРФСубМО",
    "УчрПИФ",
    "УчрДогИнвТов",
];

/// A role being read.
#[derive(Default)]
struct Role {
    level: usize,
    element: String,
    role: &'static str,
    person: Option<(String, Option<String>)>,
    holder_inn: Option<String>,
    holder_name: Option<String>,
    share: Option<String>,
    nominal: Option<String>,
    since: Option<String>,
    position: Option<String>,
}

/// A company or entrepreneur being read.
#[derive(Default)]
struct Company {
    level: usize,
    inn: String,
    ogrn: String,
    name: String,
    entrepreneur: bool,
    fias: Vec<String>,
    kladr: Vec<String>,
    /// House, building and flat of the older address form, written after the place.
    house: Vec<String>,
    email: String,
    ended: Option<String>,
    status: Option<String>,
    roles: Vec<Role>,
}

struct Reader<'a> {
    source: String,
    companies: &'a mut Table,
    roles: &'a mut Table,
    report: &'a mut ImportReport,
    company: Option<Company>,
    role: Option<Role>,
    read_companies: u64,
    read_entrepreneurs: u64,
    /// The document's root element, and how many companies and entrepreneurs it opened.
    root: String,
    seen: u64,
    error: Option<Error>,
}

/// A decimal fraction of the whole (`0.25`) as an exact percentage (`25%`).
fn decimal_fraction_percent(s: &str) -> Option<String> {
    let v = parse_exact_decimal(s)? * BigRational::from_integer(BigInt::from(100));
    Some(format!("{}%", exact_decimal(&v)?))
}

/// An exact decimal text of a rational whose denominator divides a power of ten.
fn exact_decimal(v: &BigRational) -> Option<String> {
    let int = v.trunc().to_integer();
    let mut frac = v.fract();
    let mut digits = String::new();
    let ten = BigRational::from_integer(BigInt::from(10));
    while !frac.is_zero() {
        if digits.len() > 30 {
            return None;
        }
        frac *= ten.clone();
        let d = frac.trunc().to_integer();
        digits.push_str(&d.to_string());
        frac = frac.fract();
    }
    Some(if digits.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{digits}")
    })
}

fn full_name(a: &Attrs<'_>) -> String {
    ["Фамилия", "Имя", "Отчество"]
        .iter()
        .filter_map(|k| a.get(k))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Reader<'_> {
    fn open_company(&mut self, at: &xml::Path, a: &Attrs<'_>, entrepreneur: bool) {
        let (inn, ogrn) = if entrepreneur {
            (a.get("ИННФЛ"), a.get("ОГРНИП"))
        } else {
            (a.get("ИНН"), a.get("ОГРН"))
        };
        self.company = Some(Company {
            level: at.depth(),
            inn: inn.unwrap_or_default(),
            ogrn: ogrn.unwrap_or_default(),
            entrepreneur,
            ..Company::default()
        });
    }

    fn open_in_role(&mut self, at: &xml::Path, a: &Attrs<'_>) {
        let Some(r) = &mut self.role else { return };
        let rel = at.depth() - r.level;
        match at.last() {
            "ГРНДатаПерв" if rel == 1 => {
                r.since = a.get("ДатаЗаписи").and_then(|d| ddmmyyyy(&d))
            }
            "СвФЛ" if rel == 1 => r.person = Some((full_name(a), a.get("ИННФЛ"))),
            "НаимИННЮЛ" | "УпрКомпПиф" | "СвУпТовЮЛ"
                if rel == 1
                    || at.up(1) == Some("СвОргОсущПр")
                    || at.up(1) == Some("СвУпрКомпПИФ") =>
            {
                if r.holder_inn.is_none() {
                    r.holder_inn = a.get("ИНН");
                }
                if let Some(n) = a.get("НаимЮЛПолн") {
                    r.holder_name = Some(n);
                }
            }
            "СвНаимЮЛПолнИн" => {
                r.holder_name = r.holder_name.take().or(a.get("НаимПолн"))
            }
            "ВидНаимУчр" => {
                r.holder_name = r
                    .holder_name
                    .take()
                    .or(a.get("НаимМО"))
                    .or(a.get("НаимРегион"))
            }
            "СвНаимПИФ" => r.holder_name = r.holder_name.take().or(a.get("НаимПИФ")),
            "ДоляУстКап" if rel == 1 => r.nominal = a.get("НоминСтоим"),
            // The share of the role's own ДоляУстКап/РазмерДоли (a pledge inside has none of its).
            "ДробПрост" if rel == 3 => {
                let (n, d) = (a.get("Числит"), a.get("Знаменат"));
                match (n, d) {
                    (Some(n), Some(d))
                        if n.bytes().all(|b| b.is_ascii_digit())
                            && d.bytes().all(|b| b.is_ascii_digit())
                            && !d.trim_start_matches('0').is_empty() =>
                    {
                        r.share = Some(format!("{n}/{d}"));
                    }
                    _ => self.report.warn(
                        &self.source,
                        at.text(),
                        "simple fraction without a usable numerator and denominator: share not read",
                    ),
                }
            }
            "СвДолжн" if rel == 1 => {
                r.position = a.get("НаимДолжн").or(a.get("НаимВидДолжн"))
            }
            _ => {}
        }
    }

    fn unreliable(&mut self, at: &xml::Path, a: &Attrs<'_>) {
        let name = at.last();
        let text_attr = format!("Текст{}", name.trim_start_matches("Св"));
        let text = a
            .get(&text_attr)
            .unwrap_or_else(|| "сведения недостоверны".to_owned());
        let whom = match (&self.role, &self.company) {
            (Some(r), Some(c)) => {
                let who = r
                    .person
                    .as_ref()
                    .map(|(n, _)| n.clone())
                    .or(r.holder_name.clone())
                    .unwrap_or_default();
                format!("{} {who} of company {}", r.role, c.inn)
            }
            (None, Some(c)) => format!("company {}", c.inn),
            _ => String::new(),
        };
        self.report.warn(
            &self.source,
            at.text(),
            format!(
                "the register marks this as unreliable ({text}): {whom}; check it before resting \
                 a case on it"
            ),
        );
    }

    fn close_role(&mut self, at: &xml::Path) {
        let Some(r) = self.role.take() else { return };
        let Some(c) = &mut self.company else { return };
        let ok = match r.role {
            "director" => r.person.as_ref().is_some_and(|(n, _)| !n.is_empty()),
            _ => {
                r.person.as_ref().is_some_and(|(n, _)| !n.is_empty())
                    || r.holder_inn.as_deref().is_some_and(inn_valid)
            }
        };
        if ok {
            c.roles.push(r);
        } else {
            let name = r.holder_name.clone().unwrap_or_default();
            self.report.warn(
                &self.source,
                at.text(),
                format!(
                    "{} `{}` of company {} has neither a person nor a valid INN{}: not written, \
                     since a check could not link it",
                    r.element,
                    name,
                    c.inn,
                    r.holder_inn
                        .as_deref()
                        .map(|i| format!(" (INN `{i}`)"))
                        .unwrap_or_default()
                ),
            );
        }
    }

    fn close_company(&mut self, at: &xml::Path) {
        let Some(c) = self.company.take() else { return };
        if !inn_valid(&c.inn) {
            self.report.warn(
                &self.source,
                at.text(),
                format!(
                    "INN `{}` missing or failing the checksum: company not written",
                    c.inn
                ),
            );
            return;
        }
        if c.entrepreneur {
            self.read_entrepreneurs += 1;
        } else {
            self.read_companies += 1;
        }
        let status = match (&c.ended, &c.status) {
            (Some(d), _) => format!("прекращено {d}"),
            (None, Some(s)) => s.clone(),
            (None, None) => "действующее".to_owned(),
        };
        let address = if c.fias.is_empty() {
            c.kladr.iter().chain(&c.house).cloned().collect::<Vec<_>>()
        } else {
            c.fias.clone()
        };
        let row = [
            c.inn.clone(),
            c.ogrn.clone(),
            c.name.clone(),
            address.join(", "),
            String::new(),
            c.email.clone(),
            status,
        ];
        if let Err(e) = self.companies.push(&row) {
            self.error.get_or_insert(e);
        }
        for r in &c.roles {
            let (person_name, person_inn) = r
                .person
                .clone()
                .map(|(n, i)| (n, i.unwrap_or_default()))
                .unwrap_or_default();
            let row = [
                c.inn.clone(),
                r.role.to_owned(),
                person_name,
                person_inn,
                String::new(),
                if r.person.is_some() {
                    String::new()
                } else {
                    r.holder_inn.clone().unwrap_or_default()
                },
                r.share.clone().unwrap_or_default(),
                r.since.clone().unwrap_or_default(),
                c.ended.clone().unwrap_or_default(),
                r.position.clone().unwrap_or_default(),
                r.holder_name.clone().unwrap_or_default(),
                r.nominal.clone().unwrap_or_default(),
                if r.role == "founder" {
                    r.element.clone()
                } else {
                    String::new()
                },
            ];
            if let Err(e) = self.roles.push(&row) {
                self.error.get_or_insert(e);
            }
        }
    }
}

impl Visitor for Reader<'_> {
    /// What an opening element starts. Long on purpose: one match arm per element of the
    /// extract that affil reads.
    fn open(&mut self, at: &xml::Path, a: &Attrs<'_>) {
        let name = at.last();
        if at.depth() == 1 {
            self.root = name.to_owned();
        }
        if name == "СвЮЛ" || name == "СвИП" {
            self.seen += 1;
            self.open_company(at, a, name == "СвИП");
            return;
        }
        if self.company.is_none() {
            return;
        }
        if name.starts_with("СвНедДан") || name.starts_with("СвНедАдрес") {
            self.unreliable(at, a);
            return;
        }
        if self.role.is_some() {
            self.open_in_role(at, a);
            return;
        }
        let c = self.company.as_mut().expect("open company");
        let rel = at.depth() - c.level;
        let parent = at.up(1).unwrap_or_default();
        let role = match name {
            "СведДолжнФЛ" if rel == 1 => Some("director"),
            "СвУпрОрг" if rel == 1 => Some("managing_company"),
            n if parent == "СвУчредит" && FOUNDERS.contains(&n) => Some("founder"),
            n if parent == "СвУчредит" => {
                self.report.warn(
                    &self.source,
                    at.text(),
                    format!("founder kind `{n}` is not one affil knows: read as a founder"),
                );
                Some("founder")
            }
            _ => None,
        };
        if let Some(role) = role {
            self.role = Some(Role {
                level: at.depth(),
                element: name.to_owned(),
                role,
                ..Role::default()
            });
            return;
        }
        let get = |k: &str| a.get(k);
        match name {
            "СвНаимЮЛ" if rel == 1 => c.name = get("НаимЮЛПолн").unwrap_or_default(),
            "ФИОРус" if c.entrepreneur => c.name = format!("ИП {}", full_name(a)),
            "СвАдрЭлПочты" => c.email = get("E-mail").unwrap_or_default(),
            "СвПрекрЮЛ" | "СвПрекрИП" => {
                c.ended = get("ДатаПрекрЮЛ")
                    .or(get("ДатаПрекрИП"))
                    .and_then(|d| ddmmyyyy(&d));
            }
            "СвСтатус" if parent == "СвСтатус" => c.status = get("НаимСтатусЮЛ"),
            "СвАдрЮЛФИАС" => c.fias.extend(get("Индекс")),
            "МуниципРайон" | "ГородСелПоселен" | "ЭлПланСтруктур" | "ЭлУлДорСети"
                if at.find(xml::Ns::None, "СвАдрЮЛФИАС").is_some() =>
            {
                c.fias.extend(get("Наим").map(|n| {
                    format!("{} {n}", get("Тип").unwrap_or_default())
                        .trim()
                        .to_owned()
                }))
            }
            "НаселенПункт" if at.find(xml::Ns::None, "СвАдрЮЛФИАС").is_some() => {
                c.fias
                    .extend(get("Наим").map(|n| format!("{} {n}", get("Вид").unwrap_or_default())))
            }
            "Здание" | "ПомещЗдания" | "ПомещКвартиры"
                if at.find(xml::Ns::None, "СвАдрЮЛФИАС").is_some() =>
            {
                c.fias
                    .extend(get("Номер").map(|n| format!("{} {n}", get("Тип").unwrap_or_default())))
            }
            "АдресРФ" => {
                c.kladr.extend(get("Индекс"));
                c.house = [("Дом", "д."), ("Корпус", "корп."), ("Кварт", "кв.")]
                    .iter()
                    .filter_map(|(k, short)| get(k).map(|v| format!("{short} {v}")))
                    .collect();
            }
            "Регион" | "Район" | "Город" | "НаселПункт" | "Улица" if parent == "АдресРФ" => {
                if let Some(n) = get(&format!("Наим{name}")) {
                    let kind = get(&format!("Тип{name}")).unwrap_or_default();
                    c.kladr.push(format!("{kind} {n}").trim().to_owned());
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, at: &xml::Path, text: &str) {
        let name = at.last();
        if let Some(r) = &mut self.role {
            if at.depth() == r.level {
                self.close_role(at);
                return;
            }
            let own_share = at.depth() == r.level + 3 && at.up(1) == Some("РазмерДоли");
            match name {
                "Процент" if own_share && !text.is_empty() => {
                    r.share = Some(format!("{text}%"))
                }
                "ДробДесят" if own_share && !text.is_empty() => {
                    match decimal_fraction_percent(text) {
                        Some(p) => r.share = Some(p),
                        None => self.report.warn(
                            &self.source,
                            at.text(),
                            format!("decimal share `{text}` is not a number: share not read"),
                        ),
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some(c) = &mut self.company {
            if at.depth() == c.level {
                self.close_company(at);
            } else if name == "НаимРегион" && at.up(1) == Some("СвАдрЮЛФИАС") && !text.is_empty()
            {
                c.fias.push(text.to_owned());
            }
        }
    }
}

/// Imports every register document under `paths` into `out`.
pub fn import(paths: &[PathBuf], out: &Path, _options: &ImportOptions) -> Result<ImportReport> {
    super::out_dir(out)?;
    let mut report = ImportReport::new(out.join("egrul_import_warnings.csv"));
    let mut companies = Table::new(out, "companies.csv", COMPANIES, COMPANY_KEY)?;
    let mut roles = Table::new(out, "company_roles.csv", &ROLES, ROLE_KEY)?;
    let mut error = None;
    super::sources::each_document(paths, &mut report, &mut |name, input, report| {
        if error.is_some() {
            return;
        }
        let mut r = Reader {
            source: name.to_owned(),
            companies: &mut companies,
            roles: &mut roles,
            report,
            company: None,
            role: None,
            read_companies: 0,
            read_entrepreneurs: 0,
            root: String::new(),
            seen: 0,
            error: None,
        };
        let walked = xml::walk(input, xml::Namespaces::Ignored, &mut r);
        let (nc, ni, e) = (r.read_companies, r.read_entrepreneurs, r.error.take());
        let (root, seen) = (std::mem::take(&mut r.root), r.seen);
        if let Some(e) = e {
            error = Some(e);
            return;
        }
        if let Err(b) = walked {
            report.warn(
                name,
                String::new(),
                format!(
                    "malformed XML at byte {}: {}; the {} compan(ies) before it are imported",
                    b.at,
                    b.reason,
                    nc + ni
                ),
            );
        }
        if seen == 0 && !root.is_empty() {
            *report.skipped.entry(root.clone()).or_default() += 1;
            report.warn(
                name,
                format!("/{root}"),
                "no company (СвЮЛ) or entrepreneur (СвИП) in this document: skipped",
            );
        }
        *report.read.entry("СвЮЛ".into()).or_default() += nc;
        *report.read.entry("СвИП".into()).or_default() += ni;
    })?;
    if let Some(e) = error {
        return Err(e);
    }
    report.read.retain(|_, n| *n > 0);
    report.close(vec![companies, roles])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_fractions_become_exact_percentages() {
        assert_eq!(decimal_fraction_percent("0.25").as_deref(), Some("25%"));
        assert_eq!(
            decimal_fraction_percent("0.333333").as_deref(),
            Some("33.3333%")
        );
        assert_eq!(decimal_fraction_percent("1").as_deref(), Some("100%"));
        assert_eq!(decimal_fraction_percent("x"), None);
    }
}
