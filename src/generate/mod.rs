//! `affil generate`: synthetic registries in the input format of `affil check`, with the truth
//! planted in them (`truth.csv`) and decoys that must not be flagged (`decoys.csv`).
//!
//! A dataset is a sequence of independent chunks (one municipality each: customers, officials
//! and their families, local companies, procurements). Each chunk has its own random stream,
//! chunks are generated in parallel in batches and written in order, so memory stays bounded
//! and the bytes depend only on the seed.

pub mod names;
pub mod noise;
/// The generator's random numbers (kept here for paths that name them).
pub use crate::rng;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::identifiers::{
    ogrn_from as ogrn, org_inn_from as org_inn, person_inn_from as person_inn,
};
use crate::model::{Kinship, Sex};
use names::{birth_in, gendered, surname_weights, Person, FEMALE, MALE, SURNAMES};
use noise::{noisy_name, protocol_name, Noise};
use rng::Rng;

/// Size of a generated dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// About 300 officials, 3,000 companies, 1,500 procurements.
    Municipal,
    /// About 30,000 officials, 250,000 companies, 120,000 procurements.
    Regional,
    /// About 2,500,000 officials, 4,000,000 companies, 4,000,000 procurements.
    National,
}

/// Per-chunk sizes of a scale.
#[derive(Clone, Copy, Debug)]
pub struct ScaleParams {
    /// Number of chunks (municipalities).
    pub chunks: usize,
    /// Officials per chunk.
    pub officials: usize,
    /// Customers per chunk.
    pub customers: usize,
    /// Ordinary companies per chunk.
    pub companies: usize,
    /// Procurements per chunk.
    pub procurements: usize,
    /// Bids per procurement: from 2 to this many.
    pub max_bids: usize,
    /// Planted conflicts per chunk (COI-44FZ).
    pub plants: usize,
    /// Planted cases per chunk of each wider rule (KIN-EXT, EMPLOYEE).
    pub wider_plants: usize,
    /// Planted decoys per chunk.
    pub decoys: usize,
}

impl Scale {
    /// The sizes of this scale.
    pub fn params(self) -> ScaleParams {
        match self {
            Scale::Municipal => ScaleParams {
                chunks: 1,
                officials: 300,
                customers: 10,
                companies: 3000,
                procurements: 1500,
                max_bids: 4,
                plants: 150,
                wider_plants: 40,
                decoys: 100,
            },
            Scale::Regional => ScaleParams {
                chunks: 100,
                officials: 300,
                customers: 10,
                companies: 2500,
                procurements: 1200,
                max_bids: 4,
                plants: 20,
                wider_plants: 5,
                decoys: 15,
            },
            Scale::National => ScaleParams {
                chunks: 8334,
                officials: 300,
                customers: 10,
                companies: 480,
                procurements: 480,
                max_bids: 4,
                plants: 3,
                wider_plants: 1,
                decoys: 2,
            },
        }
    }
}

/// Options of `affil generate`.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// Output directory.
    pub out: PathBuf,
    /// Size.
    pub scale: Scale,
    /// Seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Noise mix.
    pub noise: Noise,
    /// Overrides the number of chunks (for tests and scaling runs).
    pub chunks: Option<usize>,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct GenerateSummary {
    /// Rows per file, in [`FILES`] order.
    pub rows: Vec<(&'static str, usize)>,
}

/// Output files: name, header, Windows-1251 with `;` (true) or UTF-8 with `,`. The last three
/// are two person lists for `affil link` and the pairs that are one person.
pub const FILES: [(&str, &str, bool); 12] = [
    ("officials.csv", "official_id,full_name,birth_date,inn,position,employer_inn,address,phone,email,former_names", false),
    ("relatives.csv", "relative_id;official_id;kinship;full_name;former_names;birth_date;inn;address;phone;workplace", true),
    ("companies.csv", "inn,ogrn,name,address,phone,email,status", false),
    ("company_roles.csv", "company_inn;role;person_name;person_inn;person_birth_date;holder_inn;share_percent;since;until", true),
    ("procurements.csv", "procurement_id,customer_inn,customer_name,subject,method,published,initial_price,national_project", false),
    ("participants.csv", "procurement_id,participant_inn,participant_name,is_winner,bid_price,contract_price", false),
    ("commissions.csv", "procurement_id,official_id,member_name,role", false),
    ("truth.csv", "rule,procurement_id,official_id,participant_inn,relation,pattern", false),
    ("decoys.csv", "procurement_id,official_id,participant_inn,pattern", false),
    ("link_left.csv", "id,full_name,birth_date,inn", false),
    ("link_right.csv", "id,full_name,birth_date,inn", false),
    ("link_truth.csv", "left_id,right_id", false),
];

/// The year procurements are published in.
const YEAR: i32 = 2023;

/// Days since 0000-03-01 style arithmetic on (y, m, d) via chrono.
fn shift(date: (i32, u32, u32), days: i64) -> (i32, u32, u32) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap_or_default()
        + chrono::Duration::days(days);
    (d.year(), d.month(), d.day())
}

fn dotted(d: (i32, u32, u32)) -> String {
    format!("{:02}.{:02}.{}", d.2, d.1, d.0)
}

const WORDS: &[&str] = &[
    "Вектор",
    "Альянс",
    "Гарант",
    "Строймонтаж",
    "Северный ветер",
    "Ремстрой",
    "Техносервис",
    "Импульс",
    "Горизонт",
    "Меридиан",
    "Спектр",
    "Орион",
    "Лидер",
    "Профи",
    "Стандарт",
    "Регион",
    "Уралснаб",
    "Экострой",
    "Дорсервис",
    "Медтехника",
    "Партнёр",
    "Квант",
    "Атлант",
    "Восход",
    "Альфа",
    "Сфера",
    "Прогресс",
    "Феникс",
    "Магистраль",
    "Энергия",
];
const FORMS: &[&str] = &["ООО", "ООО", "ООО", "АО", "ПАО", "ООО"];
/// Streets: the type as abbreviated and in full, and the name.
const STREETS: &[(&str, &str, &str)] = &[
    ("ул.", "улица", "Ленина"),
    ("ул.", "улица", "Мира"),
    ("ул.", "улица", "Советская"),
    ("пр.", "проспект", "Победы"),
    ("ул.", "улица", "Заводская"),
    ("ул.", "улица", "Садовая"),
];
const SUBJECTS: &[&str] = &[
    "Ремонт дорог",
    "Поставка канцелярских товаров",
    "Благоустройство территории",
    "Поставка продуктов питания",
    "Ремонт кровли",
    "Услуги по уборке",
    "Поставка компьютерной техники",
    "Содержание дорог",
    "Вывоз снега",
    "Озеленение",
];

/// A Russian phone number: its ten digits (area code and number).
fn phone(rng: &mut Rng) -> String {
    format!("{}{}", rng.range(300, 499), rng.range(2_000_000, 2_999_999))
}

/// A phone's ten digits in one of the formats exports use.
fn phone_written(digits: &str, rng: &mut Rng) -> String {
    let (code, n) = digits.split_at(3.min(digits.len()));
    let (a, rest) = n.split_at(3.min(n.len()));
    let (b, c) = rest.split_at(2.min(rest.len()));
    match rng.below(4) {
        0 => format!("+7 ({code}) {a}-{b}-{c}"),
        1 => format!("8 ({code}) {n}"),
        2 => format!("8-{code}-{a}-{b}-{c}"),
        _ => format!("+7{code}{n}"),
    }
}

/// A place: a flat of a home, or premises an organisation is registered at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Addr {
    street: usize,
    house: u32,
    /// Flat (homes: 1-300) or premises (organisations: 400-800), never the same numbers, so
    /// that a home and an office meet only where the generator puts them together.
    unit: u32,
    office: bool,
}

/// An address in one of the ways registries write it.
fn address_written(a: &Addr, chunk: u64, rng: &mut Rng) -> String {
    let (short, full, name) = STREETS[a.street % STREETS.len()];
    let city = chunk + 1;
    let (u_short, u_full) = if a.office {
        ("пом.", "помещение")
    } else {
        ("кв.", "квартира")
    };
    let (h, u) = (a.house, a.unit);
    match rng.below(4) {
        0 => format!("г. Город {city}, {short} {name}, д. {h}, {u_short} {u}"),
        1 => format!(
            "{:06}, г. Город {city}, {full} {name}, дом {h}, {u_full} {u}",
            600_000 + city % 99_999
        ),
        2 => format!(
            "Город {city} г, {name} {}, д.{h}, {u_short}{u}",
            short.trim_end_matches('.')
        ),
        _ => format!("{short} {name}, д. {h}, {u_short} {u}, г. Город {city}"),
    }
}

/// Firms of a chunk registered at each agent's address at least (more than `MASS` of CONTACT).
const AGENT_FIRMS: usize = 12;

/// A person as the generator tells persons apart (not by INN: an entrepreneur's is set late).
type PersonKey = (&'static str, bool, &'static str, usize, (i32, u32, u32));

fn person_key(p: &Person) -> PersonKey {
    (
        p.surname,
        p.sex == Sex::Female,
        p.given,
        p.father_name,
        p.birth,
    )
}

/// The registration agents' addresses of a chunk, each shared by many companies.
const AGENTS: [Addr; 2] = [
    Addr {
        street: 5,
        house: 1,
        unit: 401,
        office: true,
    },
    Addr {
        street: 0,
        house: 2,
        unit: 402,
        office: true,
    },
];

/// Kinship words of the HR questionnaire for a relation and the relative's sex.
fn kin_word(k: Kinship, sex: Sex, rng: &mut Rng) -> &'static str {
    let f = sex == Sex::Female;
    let by_sex = |fem: &'static str, masc: &'static str| if f { fem } else { masc };
    match k {
        Kinship::Spouse if rng.chance(0.2) => by_sex("супруга", "супруг"),
        Kinship::Spouse => by_sex("жена", "муж"),
        Kinship::Parent => by_sex("мать", "отец"),
        Kinship::Child => by_sex("дочь", "сын"),
        Kinship::Sibling => by_sex("сестра", "брат"),
        Kinship::HalfSibling if rng.chance(0.5) => {
            by_sex("единокровная сестра", "единокровный брат")
        }
        Kinship::HalfSibling => by_sex("единоутробная сестра", "единоутробный брат"),
        Kinship::Grandparent => by_sex("бабушка", "дедушка"),
        Kinship::Grandchild => by_sex("внучка", "внук"),
        Kinship::AdoptiveParent => "усыновитель",
        Kinship::AdoptedChild => by_sex("удочерённая", "усыновлённый"),
        Kinship::ParentInLaw if rng.below(2) == 0 => by_sex("тёща", "тесть"),
        Kinship::ParentInLaw => by_sex("свекровь", "свёкор"),
        Kinship::ChildInLaw => by_sex("невестка", "зять"),
        Kinship::SiblingInLaw if rng.below(2) == 0 => by_sex("золовка", "шурин"),
        Kinship::SiblingInLaw => by_sex("свояченица", "деверь"),
        Kinship::StepParent => by_sex("мачеха", "отчим"),
        Kinship::StepChild => by_sex("падчерица", "пасынок"),
        Kinship::StepSibling => by_sex("сводная сестра", "сводный брат"),
        Kinship::FormerSpouse => by_sex("бывшая жена", "бывший муж"),
        Kinship::Unknown => "родственник",
    }
}

/// A relative of an official as the generator knows it.
#[derive(Clone, Debug)]
struct Rel {
    kin: Kinship,
    person: Person,
    /// How the questionnaire writes the birth date: full, year only, or not at all.
    birth_written: u8,
    /// Home address, when the questionnaire gives one.
    home: Option<Addr>,
}

#[derive(Clone, Debug)]
struct Off {
    id: String,
    person: Person,
    customer: usize,
    rels: Vec<Rel>,
    home: Addr,
    /// Ten digits.
    phone: String,
    /// Empty when the official gave none.
    email: String,
}

#[derive(Clone, Debug)]
struct RoleRow {
    role: &'static str,
    person: Option<Person>,
    holder: Option<usize>,
    share: Option<u32>,
    since: (i32, u32, u32),
    until: Option<(i32, u32, u32)>,
    /// Write the full birth date of the person (decoys that rest on it).
    full_birth: bool,
}

#[derive(Clone, Debug)]
struct Comp {
    inn: String,
    name: String,
    roles: Vec<RoleRow>,
    /// Individual entrepreneur: the INN is the person's.
    ie: bool,
    /// The entrepreneur, for an individual business.
    owner: Option<Person>,
    addr: Addr,
    /// Ten digits.
    phone: String,
    email: String,
}

#[derive(Clone, Debug)]
struct Proc {
    id: String,
    customer: usize,
    date: (i32, u32, u32),
    price: u64,
    seats: Vec<(usize, &'static str)>,
    bids: Vec<usize>,
    winner: usize,
}

/// Rows of one chunk, per output file (already CSV-encoded, UTF-8).
struct ChunkOut {
    files: Vec<Vec<u8>>,
    rows: Vec<usize>,
}

/// All state of one chunk while it is generated.
/// The kinds of decoy the generator plants (`decoys.csv`, pattern `decoy:<kind>`).
pub const DECOY_KINDS: [&str; 12] = [
    "in_law",
    "step",
    "former_spouse",
    "namesake",
    "chain_10",
    "chain_9",
    "role_ended",
    "role_started_after",
    "not_seated",
    "founder_5",
    "in_law_ended",
    "other_customer",
];

/// The kinds of BIDDERS decoy (`decoys.csv`, pattern `decoy:<kind>`).
pub const BIDDERS_DECOY_KINDS: [&str; 2] = ["namesake_directors", "agent_address"];

/// The kinds of UNDECLARED decoy (`decoys.csv`, pattern `decoy:<kind>`).
pub const UNDECLARED_DECOY_KINDS: [&str; 2] = ["surname_only", "age_gap"];

/// The kinds of CONTACT decoy (`decoys.csv`, pattern `decoy:<kind>`).
pub const CONTACT_DECOY_KINDS: [&str; 2] = ["mass_address", "same_building"];

/// The rule that must flag a decoy kind of COI-44FZ, if any (its truth row names the rule):
/// in-laws, step relatives, former spouses and shares of 10% or less are KIN-EXT's; a colleague
/// with no seat is EMPLOYEE's. The others no rule may flag.
pub fn decoy_rule(kind: &str) -> Option<&'static str> {
    match kind {
        "in_law" | "step" | "former_spouse" | "chain_10" | "chain_9" | "founder_5" => {
            Some("KIN-EXT")
        }
        "not_seated" => Some("EMPLOYEE"),
        _ => None,
    }
}

struct World<'a> {
    rng: Rng,
    chunk: u64,
    noise: &'a Noise,
    weights: &'a [u64],
    customers: Vec<(String, String)>,
    offs: Vec<Off>,
    comps: Vec<Comp>,
    procs: Vec<Proc>,
    truth: Vec<[String; 6]>,
    /// Planted groups of linked bidders: (procurement, companies, kind), to name their pattern.
    bidder_plants: Vec<(usize, Vec<usize>, &'static str)>,
    decoys: Vec<[String; 4]>,
    next_person: u64,
}

impl World<'_> {
    fn surname(&mut self) -> &'static str {
        if self.rng.chance(names::HEAD_SHARE) {
            SURNAMES[self.rng.weighted(self.weights)]
        } else {
            let tail = names::tail_surnames();
            tail[self.rng.below(tail.len())].as_str()
        }
    }

    fn new_inn(&mut self) -> String {
        self.next_person += 1;
        person_inn(self.chunk * 1_000_000 + self.next_person)
    }

    /// Male or female, even odds.
    fn any_sex(&mut self) -> Sex {
        if self.rng.chance(0.5) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    fn person(&mut self, sex: Sex, surname: &'static str, father_name: usize, year: i32) -> Person {
        let given = match sex {
            Sex::Male => MALE[self.rng.below(MALE.len())].0,
            Sex::Female => *self.rng.pick(FEMALE),
        };
        let inn = if self.rng.chance(0.6) {
            Some(self.new_inn())
        } else {
            None
        };
        Person {
            surname,
            maiden: None,
            sex,
            given,
            father_name,
            birth: birth_in(&mut self.rng, year),
            inn,
        }
    }

    fn random_person(&mut self, year_lo: i32, year_hi: i32) -> Person {
        let sex = self.any_sex();
        let s = self.surname();
        let f = self.rng.below(MALE.len());
        let y = self.rng.range(year_lo as i64, year_hi as i64) as i32;
        self.person(sex, s, f, y)
    }

    fn company(&mut self, ie: Option<&Person>) -> usize {
        let i = self.comps.len();
        let (inn, name) = match ie {
            Some(p) => {
                let inn = p.inn.clone().unwrap_or_else(|| self.new_inn());
                (inn, format!("ИП {}", p.full_name()))
            }
            None => (
                org_inn(self.chunk * 20_000 + i as u64 + 100_000_000),
                format!("{} «{} {}»", self.rng.pick(FORMS), self.rng.pick(WORDS), i),
            ),
        };
        // Firms registered at an agent's address: the first few of every chunk (so that each
        // agent has a mass of them at any scale), and 2% of the rest.
        let addr = if ie.is_none() && i < AGENTS.len() * AGENT_FIRMS {
            AGENTS[i % AGENTS.len()]
        } else if ie.is_none() && self.rng.chance(0.02) {
            AGENTS[self.rng.below(AGENTS.len())]
        } else {
            Addr {
                street: self.rng.below(STREETS.len()),
                house: self.rng.range(1, 120) as u32,
                unit: self.rng.range(400, 800) as u32,
                office: true,
            }
        };
        let phone = phone(&mut self.rng);
        self.comps.push(Comp {
            inn,
            name,
            roles: Vec::new(),
            ie: ie.is_some(),
            owner: ie.cloned(),
            addr,
            phone,
            email: format!("office{}.{i}@example.ru", self.chunk),
        });
        i
    }

    fn since_before(&mut self, d: (i32, u32, u32)) -> (i32, u32, u32) {
        shift(d, -self.rng.range(30, 3000))
    }

    fn role(
        &mut self,
        c: usize,
        role: &'static str,
        person: Option<Person>,
        holder: Option<usize>,
        share: Option<u32>,
        since: (i32, u32, u32),
    ) {
        self.comps[c].roles.push(RoleRow {
            role,
            person,
            holder,
            share,
            since,
            until: None,
            full_birth: false,
        });
    }

    /// Fills the company's capital up to 100% with random founders.
    fn fill_capital(&mut self, c: usize, taken: u32, since: (i32, u32, u32)) {
        if taken < 100 {
            let p = self.random_person(1955, 1995);
            self.role(c, "founder", Some(p), None, Some(100 - taken), since);
        }
    }

    fn ordinary_company(&mut self) -> usize {
        let c = self.company(None);
        let since = shift((YEAR, 1, 1), -self.rng.range(100, 5000));
        let director = self.random_person(1955, 1995);
        self.role(c, "director", Some(director.clone()), None, None, since);
        match self.rng.below(10) {
            0..=3 => self.role(c, "founder", Some(director), None, Some(100), since),
            4..=7 => {
                let a = 10 * self.rng.range(2, 8) as u32;
                let p = self.random_person(1955, 1995);
                self.role(c, "founder", Some(p), None, Some(a), since);
                self.fill_capital(c, a, since);
            }
            _ if c > 0 => {
                let holder = self.rng.below(c);
                if !self.comps[holder].ie {
                    let a = 10 * self.rng.range(3, 10) as u32;
                    self.role(c, "founder", None, Some(holder), Some(a), since);
                    self.fill_capital(c, a, since);
                } else {
                    self.fill_capital(c, 0, since);
                }
            }
            _ => self.fill_capital(c, 0, since),
        }
        c
    }

    fn build_officials(&mut self, p: &ScaleParams) {
        for c in 0..p.customers {
            let inn = org_inn(self.chunk * 20_000 + c as u64 + 900_000_000);
            let name = match c {
                0 => format!(
                    "Администрация муниципального образования № {}",
                    self.chunk + 1
                ),
                _ => format!("МКУ «Учреждение {} № {}»", c, self.chunk + 1),
            };
            self.customers.push((inn, name));
        }
        for i in 0..p.officials {
            let sex = if self.rng.chance(0.6) {
                Sex::Female
            } else {
                Sex::Male
            };
            let year = self.rng.range(1960, 1998) as i32;
            let family = self.surname();
            let father_name = self.rng.below(MALE.len());
            let mut o = self.person(sex, family, father_name, year);
            o.inn = if self.rng.chance(0.7) {
                Some(self.new_inn())
            } else {
                None
            };
            let mut rels = Vec::new();
            // Parents: the father gives the surname and the patronymic.
            let grand = self.rng.below(MALE.len());
            let mut father = {
                let r0 = self.rng.range(22, 35);
                self.person(Sex::Male, family, grand, year - r0 as i32)
            };
            father.given = MALE[father_name].0;
            let mut mother = {
                let r0 = self.rng.below(MALE.len());
                self.person(Sex::Female, family, r0, father.birth.0 + 2)
            };
            mother.maiden = Some(self.surname());
            if self.rng.chance(0.85) {
                rels.push(Rel {
                    kin: Kinship::Parent,
                    person: father.clone(),
                    birth_written: 0,
                    home: None,
                });
            }
            if self.rng.chance(0.85) {
                rels.push(Rel {
                    kin: Kinship::Parent,
                    person: mother,
                    birth_written: 0,
                    home: None,
                });
            }
            // Spouse: a married woman takes her husband's surname.
            let mut children_surname = family;
            let mut children_father = o.male_index();
            if self.rng.chance(0.7) {
                let ssex = if sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let other = self.surname();
                let mut s = {
                    let r0 = self.rng.below(MALE.len());
                    let r1 = self.rng.range(-5, 5);
                    self.person(ssex, other, r0, year + r1 as i32)
                };
                if sex == Sex::Male {
                    s.maiden = Some(other);
                    s.surname = family;
                } else {
                    o.maiden = Some(family);
                    o.surname = other;
                    children_surname = other;
                    children_father = s.male_index();
                }
                rels.push(Rel {
                    kin: Kinship::Spouse,
                    person: s,
                    birth_written: 0,
                    home: None,
                });
            }
            for _ in 0..self.rng.below(3) {
                let csex = self.any_sex();
                let f = children_father.unwrap_or_else(|| self.rng.below(MALE.len()));
                let child = {
                    let r0 = self.rng.range(20, 35);
                    self.person(csex, children_surname, f, (year + r0 as i32).min(2022))
                };
                rels.push(Rel {
                    kin: Kinship::Child,
                    person: child,
                    birth_written: 0,
                    home: None,
                });
            }
            for _ in 0..self.rng.below(3) {
                let ssex = self.any_sex();
                let mut sib = {
                    let r0 = self.rng.range(-8, 8);
                    self.person(ssex, family, father_name, year + r0 as i32)
                };
                if ssex == Sex::Female && self.rng.chance(0.6) {
                    sib.maiden = Some(family);
                    sib.surname = self.surname();
                }
                rels.push(Rel {
                    kin: Kinship::Sibling,
                    person: sib,
                    birth_written: 0,
                    home: None,
                });
            }
            for r in &mut rels {
                r.birth_written = match self.rng.below(10) {
                    0 => 2,
                    1 => 1,
                    _ => 0,
                };
            }
            let home = Addr {
                street: self.rng.below(STREETS.len()),
                house: self.rng.range(1, 120) as u32,
                unit: self.rng.range(1, 300) as u32,
                office: false,
            };
            // A spouse lives at the same flat, or apart, or the questionnaire does not say.
            for r in rels.iter_mut().filter(|r| r.kin == Kinship::Spouse) {
                r.home = match self.rng.below(10) {
                    0..=4 => Some(home),
                    5..=7 => Some(Addr {
                        street: self.rng.below(STREETS.len()),
                        house: self.rng.range(1, 120) as u32,
                        unit: self.rng.range(1, 300) as u32,
                        office: false,
                    }),
                    _ => None,
                };
            }
            let phone = phone(&mut self.rng);
            let email = if self.rng.chance(0.5) {
                format!("o{}.{i}@mail.example", self.chunk)
            } else {
                String::new()
            };
            self.offs.push(Off {
                id: format!("O{:05}-{:04}", self.chunk, i),
                person: o,
                customer: i % p.customers,
                rels,
                home,
                phone,
                email,
            });
        }
    }

    fn build_market(&mut self, p: &ScaleParams) {
        for _ in 0..p.companies {
            if self.rng.chance(0.04) {
                let person = self.random_person(1960, 1998);
                let mut person = person;
                if person.inn.is_none() {
                    person.inn = Some(self.new_inn());
                }
                self.company(Some(&person));
            } else {
                self.ordinary_company();
            }
        }
        let n_comps = self.comps.len();
        for k in 0..p.procurements {
            let customer = self.rng.below(p.customers);
            let staff: Vec<usize> = (0..self.offs.len())
                .filter(|&o| self.offs[o].customer == customer)
                .collect();
            let mut seats = vec![(staff[0], "customer_head")];
            let mut pool: Vec<usize> = staff[1..].to_vec();
            for role in ["chair", "member", "member", "secretary", "contract_manager"] {
                if pool.is_empty() {
                    break;
                }
                let o = pool.swap_remove(self.rng.below(pool.len()));
                seats.push((o, role));
            }
            if self.rng.chance(0.5) && !pool.is_empty() {
                let o = pool.swap_remove(self.rng.below(pool.len()));
                seats.push((o, "deputy_chair"));
            }
            let nb = 2 + self.rng.below(p.max_bids - 1);
            let mut bids = Vec::new();
            while bids.len() < nb {
                let c = self.rng.below(n_comps);
                if !bids.contains(&c) {
                    bids.push(c);
                }
            }
            let winner = self.rng.below(nb);
            self.procs.push(Proc {
                id: format!("01{:07}{:02}{:08}", self.chunk, YEAR % 100, k),
                customer,
                date: (
                    YEAR,
                    self.rng.range(1, 12) as u32,
                    self.rng.range(1, 28) as u32,
                ),
                price: self.rng.range(100, 50_000) as u64 * 1000,
                seats,
                bids,
                winner,
            });
        }
    }

    /// A relative of official `o` with relation `kin`, declared in the questionnaire.
    fn relative(&mut self, o: usize, kin: Kinship) -> Person {
        if matches!(
            kin,
            Kinship::Spouse | Kinship::Parent | Kinship::Child | Kinship::Sibling
        ) {
            let have: Vec<usize> = (0..self.offs[o].rels.len())
                .filter(|&r| self.offs[o].rels[r].kin == kin)
                .collect();
            if !have.is_empty() {
                let r = *self.rng.pick(&have);
                return self.offs[o].rels[r].person.clone();
            }
        }
        let off = self.offs[o].person.clone();
        let year = off.birth.0;
        let sex = self.any_sex();
        let family = off.maiden.unwrap_or(off.surname);
        let p = match kin {
            Kinship::Spouse | Kinship::FormerSpouse => {
                let ssex = if off.sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let s = if ssex == Sex::Male {
                    off.surname
                } else {
                    self.surname()
                };
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(ssex, s, r0, year + 2)
                }
            }
            Kinship::Parent => {
                let r0 = self.rng.below(MALE.len());
                self.person(Sex::Male, family, r0, year - 28)
            }
            Kinship::Sibling | Kinship::HalfSibling => {
                self.person(sex, family, off.father_name, year + 3)
            }
            Kinship::Child | Kinship::AdoptedChild => {
                let f = off
                    .male_index()
                    .unwrap_or_else(|| self.rng.below(MALE.len()));
                self.person(sex, off.surname, f, (year + 27).min(2020))
            }
            Kinship::Grandparent => {
                let r0 = self.rng.below(MALE.len());
                self.person(sex, family, r0, year - 55)
            }
            Kinship::Grandchild => {
                let s = self.surname();
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(sex, s, r0, (year + 50).min(2020))
                }
            }
            _ => {
                let s = self.surname();
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(sex, s, r0, year - 25)
                }
            }
        };
        let birth_written = if self.rng.chance(0.1) { 1 } else { 0 };
        self.offs[o].rels.push(Rel {
            kin,
            person: p.clone(),
            birth_written,
            home: None,
        });
        p
    }

    /// Makes `q` control a new company in the way `link` says; returns the bidding company.
    fn link(&mut self, q: &Person, link: &str, date: (i32, u32, u32)) -> usize {
        let since = self.since_before(date);
        match link {
            "entrepreneur" => {
                let mut q = q.clone();
                if q.inn.is_none() {
                    q.inn = Some(self.new_inn());
                }
                self.company(Some(&q))
            }
            "managing_head" => {
                let m = self.company(None);
                self.role(m, "director", Some(q.clone()), None, None, since);
                self.fill_capital(m, 0, since);
                let c = self.company(None);
                self.role(c, "managing_company", None, Some(m), None, since);
                self.fill_capital(c, 0, since);
                c
            }
            "chain" => {
                let h = self.company(None);
                let a = *self.rng.pick(&[40u32, 50, 60, 80, 100]);
                self.role(h, "founder", Some(q.clone()), None, Some(a), since);
                self.fill_capital(h, a, since);
                let c = self.company(None);
                let b = *self.rng.pick(&[30u32, 40, 50, 60]);
                self.role(c, "founder", None, Some(h), Some(b), since);
                self.fill_capital(c, b, since);
                let d = self.random_person(1960, 1995);
                self.role(c, "director", Some(d), None, None, since);
                c
            }
            _ => {
                let c = self.company(None);
                match link {
                    "founder" => {
                        let s = 10 * self.rng.range(2, 10) as u32;
                        self.role(c, "founder", Some(q.clone()), None, Some(s), since);
                        self.fill_capital(c, s, since);
                    }
                    "registry_beneficiary" => {
                        let s = 5 * self.rng.range(3, 12) as u32;
                        self.role(c, "beneficiary", Some(q.clone()), None, Some(s), since);
                        self.fill_capital(c, 0, since);
                    }
                    role => {
                        self.role(
                            c,
                            if role == "board_member" {
                                "board_member"
                            } else {
                                "director"
                            },
                            Some(q.clone()),
                            None,
                            None,
                            since,
                        );
                        self.fill_capital(c, 0, since);
                    }
                }
                if link != "director" {
                    let d = self.random_person(1960, 1995);
                    self.role(c, "director", Some(d), None, None, since);
                }
                c
            }
        }
    }

    fn bid(&mut self, k: usize, c: usize) {
        self.procs[k].bids.push(c);
        if self.rng.chance(0.5) {
            self.procs[k].winner = self.procs[k].bids.len() - 1;
        }
    }

    fn plant(&mut self) {
        const RELATIONS: [Kinship; 9] = [
            Kinship::Spouse,
            Kinship::Parent,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::HalfSibling,
            Kinship::Grandparent,
            Kinship::Grandchild,
            Kinship::AdoptiveParent,
            Kinship::AdoptedChild,
        ];
        const LINKS: [&str; 6] = [
            "director",
            "board_member",
            "founder",
            "chain",
            "registry_beneficiary",
            "managing_head",
        ];
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let (relation, q) = if self.rng.chance(0.15) {
            ("self", self.offs[o].person.clone())
        } else {
            let kin = *self.rng.pick(&RELATIONS);
            (kin.code(), self.relative(o, kin))
        };
        let link = if self.rng.chance(0.12) {
            "entrepreneur"
        } else {
            *self.rng.pick(&LINKS)
        };
        let c = self.link(&q, link, date);
        self.bid(k, c);
        self.plant_truth("COI-44FZ", k, o, c, relation, format!("{relation}:{link}"));
    }

    /// Records a decoy of kind `kind`: bidder `c` in procurement `k`, near official `o`.
    fn decoy_row(&mut self, k: usize, o: usize, c: usize, kind: &str) {
        self.decoys.push([
            self.procs[k].id.clone(),
            self.offs[o].id.clone(),
            self.comps[c].inn.clone(),
            kind.into(),
        ]);
    }

    /// Records a planted case of `rule`: bidder `c` in procurement `k`, tied to official `o`.
    fn plant_truth(
        &mut self,
        rule: &str,
        k: usize,
        o: usize,
        c: usize,
        relation: &str,
        pattern: String,
    ) {
        self.truth.push([
            rule.into(),
            self.procs[k].id.clone(),
            self.offs[o].id.clone(),
            self.comps[c].inn.clone(),
            relation.into(),
            pattern,
        ]);
    }

    /// A KIN-EXT case: a seated official's in-law, step relative or former spouse in a role
    /// COI-44FZ names, or the official or a close relative holding 10% or less.
    fn plant_kin_ext(&mut self) {
        const AFFINITY: [Kinship; 7] = [
            Kinship::ParentInLaw,
            Kinship::ChildInLaw,
            Kinship::SiblingInLaw,
            Kinship::StepParent,
            Kinship::StepChild,
            Kinship::StepSibling,
            Kinship::FormerSpouse,
        ];
        const CLOSE: [Kinship; 4] = [
            Kinship::Spouse,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::Parent,
        ];
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let (relation, link, c) = if self.rng.chance(0.6) {
            let kin = *self.rng.pick(&AFFINITY);
            let q = self.relative(o, kin);
            let link = *self
                .rng
                .pick(&["director", "board_member", "founder", "chain"]);
            (kin.code(), link, self.link(&q, link, date))
        } else {
            let (relation, q) = if self.rng.chance(0.2) {
                ("self", self.offs[o].person.clone())
            } else {
                let kin = *self.rng.pick(&CLOSE);
                (kin.code(), self.relative(o, kin))
            };
            (relation, "small_share", self.small_share(&q, date))
        };
        self.bid(k, c);
        self.plant_truth(
            "KIN-EXT",
            k,
            o,
            c,
            relation,
            format!("kin-ext:{relation}:{link}"),
        );
    }

    /// A new company in which `q` holds 10% or less, directly or through a holding.
    fn small_share(&mut self, q: &Person, date: (i32, u32, u32)) -> usize {
        let since = self.since_before(date);
        let c = self.company(None);
        if self.rng.chance(0.5) {
            let s = self.rng.range(1, 10) as u32;
            self.role(c, "founder", Some(q.clone()), None, Some(s), since);
            self.fill_capital(c, s, since);
        } else {
            let h = self.company(None);
            self.role(h, "founder", Some(q.clone()), None, Some(20), since);
            self.fill_capital(h, 20, since);
            self.role(c, "founder", None, Some(h), Some(40), since);
            self.fill_capital(c, 40, since);
        }
        let d = self.random_person(1960, 1995);
        self.role(c, "director", Some(d), None, None, since);
        c
    }

    /// An EMPLOYEE case: an official of the customer's staff with no seat in the procurement,
    /// or a close relative, tied to a bidder as in COI-44FZ.
    fn plant_employee(&mut self) {
        const RELATIONS: [Kinship; 5] = [
            Kinship::Spouse,
            Kinship::Parent,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::Grandchild,
        ];
        const LINKS: [&str; 6] = [
            "director",
            "board_member",
            "founder",
            "chain",
            "registry_beneficiary",
            "entrepreneur",
        ];
        let k = self.rng.below(self.procs.len());
        let customer = self.procs[k].customer;
        let seated: Vec<usize> = self.procs[k].seats.iter().map(|s| s.0).collect();
        let free: Vec<usize> = (0..self.offs.len())
            .filter(|&x| self.offs[x].customer == customer && !seated.contains(&x))
            .collect();
        if free.is_empty() {
            return;
        }
        let o = *self.rng.pick(&free);
        let date = self.procs[k].date;
        let (relation, q) = if self.rng.chance(0.15) {
            ("self", self.offs[o].person.clone())
        } else {
            let kin = *self.rng.pick(&RELATIONS);
            (kin.code(), self.relative(o, kin))
        };
        let link = *self.rng.pick(&LINKS);
        let c = self.link(&q, link, date);
        self.bid(k, c);
        self.plant_truth(
            "EMPLOYEE",
            k,
            o,
            c,
            relation,
            format!("employee:{relation}:{link}"),
        );
    }

    /// A CONTACT case: a new bidder registered with a seated official's own phone, e-mail or
    /// flat, or the flat of a spouse who lives apart.
    fn plant_contact(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let home = self.offs[o].home;
        let apart = self.offs[o]
            .rels
            .iter()
            .find(|r| r.kin == Kinship::Spouse && r.home.is_some_and(|h| h != home))
            .and_then(|r| r.home);
        let c = self.ordinary_company();
        let (relation, channel) = match apart {
            Some(h) if self.rng.chance(0.3) => {
                self.comps[c].addr = h;
                ("spouse", "address")
            }
            _ => {
                let mut channels = vec!["phone"];
                if !AGENTS.contains(&home) {
                    channels.push("address");
                }
                if !self.offs[o].email.is_empty() {
                    channels.push("email");
                }
                let ch = *self.rng.pick(&channels);
                match ch {
                    "phone" => self.comps[c].phone = self.offs[o].phone.clone(),
                    "email" => self.comps[c].email = self.offs[o].email.to_uppercase(),
                    _ => self.comps[c].addr = home,
                }
                ("self", ch)
            }
        };
        self.bid(k, c);
        self.plant_truth(
            "CONTACT",
            k,
            o,
            c,
            relation,
            format!("contact:{relation}:{channel}"),
        );
    }

    /// Two new bidders of one procurement tied the way BIDDERS looks for: one director, one
    /// holding the other, or one phone, e-mail or address.
    fn plant_bidders(&mut self) {
        let k = self.rng.below(self.procs.len());
        let date = self.procs[k].date;
        let since = self.since_before(date);
        let a = self.ordinary_company();
        let kind = *self
            .rng
            .pick(&["director", "parent", "phone", "email", "address"]);
        let b = match kind {
            "parent" => {
                let b = self.company(None);
                self.role(b, "founder", None, Some(a), Some(60), since);
                self.fill_capital(b, 60, since);
                let d = self.random_person(1960, 1995);
                self.role(b, "director", Some(d), None, None, since);
                b
            }
            _ => {
                let b = self.ordinary_company();
                match kind {
                    "director" => {
                        let d = self.comps[a]
                            .roles
                            .iter()
                            .find(|r| r.role == "director")
                            .and_then(|r| r.person.clone());
                        for r in self.comps[b].roles.iter_mut() {
                            if r.role == "director" {
                                r.person = d.clone();
                                r.since = since;
                            }
                        }
                    }
                    "phone" => self.comps[b].phone = self.comps[a].phone.clone(),
                    "email" => self.comps[b].email = self.comps[a].email.to_uppercase(),
                    _ => {
                        if AGENTS.contains(&self.comps[a].addr) {
                            self.comps[a].addr.unit += 1;
                        }
                        self.comps[b].addr = self.comps[a].addr;
                    }
                }
                b
            }
        };
        self.bid(k, a);
        self.bid(k, b);
        self.bidder_plants.push((k, vec![a, b], kind));
    }

    /// A new person of `family`'s surname whose given name no one of official `o`'s family
    /// (the official, the declared relatives) has: a relative the questionnaire could not hide
    /// behind a namesake.
    fn kin_person(
        &mut self,
        o: usize,
        sex: Sex,
        family: &'static str,
        father: usize,
        year: i32,
    ) -> Person {
        let mut p = self.person(sex, family, father, year);
        for _ in 0..20 {
            let off = &self.offs[o];
            // Nor a name a typo away from theirs: the first two letters differ.
            let near = |g: &str| g.chars().take(2).eq(p.given.chars().take(2));
            let taken = near(off.person.given) || off.rels.iter().any(|r| near(r.person.given));
            if !taken {
                break;
            }
            p = self.person(sex, family, father, year);
        }
        p
    }

    /// An UNDECLARED case: a relative of a seated official that the questionnaire leaves out
    /// (a sibling, a child, the father; or a spouse registered as an entrepreneur at the
    /// official's flat, whom CONTACT flags too) in a role COI-44FZ names at a new bidder.
    fn plant_undeclared(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let off = self.offs[o].person.clone();
        let family = off.maiden.unwrap_or(off.surname);
        let year = off.birth.0;
        let mut kinds = vec!["sibling"];
        // A child old enough to run a firm, with the official's patronymic to tell.
        if off.sex == Sex::Male && year <= 1983 {
            kinds.push("child");
        }
        let home = self.offs[o].home;
        let married = self.offs[o].rels.iter().any(|r| r.kin == Kinship::Spouse);
        // The father, when the questionnaire does not name him already.
        let father_declared = self.offs[o]
            .rels
            .iter()
            .any(|r| r.kin == Kinship::Parent && r.person.sex == Sex::Male);
        if !father_declared {
            kinds.push("parent");
        }
        if !married && !AGENTS.contains(&home) {
            kinds.push("spouse");
        }
        let kind = *self.rng.pick(&kinds);
        let q = match kind {
            "sibling" => {
                let sex = self.any_sex();
                let y = year + self.rng.range(-8, 8) as i32;
                self.kin_person(o, sex, family, off.father_name, y)
            }
            "child" => {
                let sex = self.any_sex();
                let y = (year + self.rng.range(20, 35) as i32).min(2003);
                let father = off.male_index().unwrap_or(0);
                self.kin_person(o, sex, off.surname, father, y)
            }
            "parent" => {
                let y = year - self.rng.range(22, 35) as i32;
                let grand = self.rng.below(MALE.len());
                let mut f = self.person(Sex::Male, family, grand, y);
                f.given = MALE[off.father_name].0;
                f
            }
            _ => {
                let sex = if off.sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let y = year + self.rng.range(-5, 5) as i32;
                let father = self.rng.below(MALE.len());
                self.kin_person(o, sex, off.surname, father, y)
            }
        };
        let link = if kind == "spouse" {
            "entrepreneur"
        } else {
            *self
                .rng
                .pick(&["director", "founder", "board_member", "entrepreneur"])
        };
        let c = self.link(&q, link, date);
        self.bid(k, c);
        if kind == "spouse" {
            self.comps[c].addr = home;
            self.plant_truth("CONTACT", k, o, c, "self", "contact:self:address".into());
        }
        let relation = format!("probable_{kind}");
        self.plant_truth(
            "UNDECLARED",
            k,
            o,
            c,
            &relation,
            format!("undeclared:{kind}:{link}"),
        );
    }

    /// Decoys of UNDECLARED: a director with a seated official's surname and nothing else of
    /// a relative's (another patronymic, not formed from the official's name), or with the
    /// official's surname and patronymic but born 30 to 40 years apart (full dates written).
    fn undeclared_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let off = self.offs[o].person.clone();
        let family = off.maiden.unwrap_or(off.surname);
        let year = off.birth.0;
        // An official named after their father would make a child of anyone with their
        // patronymic: such an official gets the first kind only.
        let kind = if self.rng.chance(0.5) || off.male_index() == Some(off.father_name) {
            "surname_only"
        } else {
            "age_gap"
        };
        let mut q = if kind == "surname_only" {
            // A father's name that is neither the official's father's nor the official's own.
            let mut father = self.rng.below(MALE.len());
            while father == off.father_name || Some(father) == off.male_index() {
                father = self.rng.below(MALE.len());
            }
            let sex = self.any_sex();
            let y = year + self.rng.range(-8, 8) as i32;
            self.kin_person(o, sex, family, father, y)
        } else {
            let sex = self.any_sex();
            let y = year - self.rng.range(26, 36) as i32;
            let mut p = self.kin_person(o, sex, family, off.father_name, y);
            // Nor the official's father by name.
            if p.male_index() == Some(off.father_name) {
                p.given = MALE[(off.father_name + 1) % MALE.len()].0;
            }
            p
        };
        q.inn = None;
        let date = self.procs[k].date;
        let c = self.link(&q, "director", date);
        for r in self.comps[c].roles.iter_mut() {
            r.full_birth = true;
        }
        self.bid(k, c);
        self.decoy_row(k, o, c, kind);
    }

    /// Decoys of BIDDERS: two bidders whose directors are namesakes born in other years (full
    /// dates written), or two bidders at one registration agent's address.
    fn bidders_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let a = self.ordinary_company();
        let b = self.ordinary_company();
        let kind = if self.rng.chance(0.5) {
            let d = self.comps[a]
                .roles
                .iter()
                .find(|r| r.role == "director")
                .and_then(|r| r.person.clone());
            if let Some(mut twin) = d {
                twin.birth.0 -= self.rng.range(3, 20) as i32;
                twin.inn = None;
                // Every row of the two firms with its full date: the first director is often
                // its founder too, and a dateless founder row would link the namesakes by name.
                for c in [a, b] {
                    for r in self.comps[c].roles.iter_mut() {
                        r.full_birth = true;
                    }
                }
                for r in self.comps[b].roles.iter_mut() {
                    if r.role == "director" {
                        r.person = Some(twin.clone());
                    }
                }
            }
            "namesake_directors"
        } else {
            let agent = AGENTS[self.rng.below(AGENTS.len())];
            self.comps[a].addr = agent;
            self.comps[b].addr = agent;
            "agent_address"
        };
        self.bid(k, a);
        self.bid(k, b);
        let mut inns = [self.comps[a].inn.clone(), self.comps[b].inn.clone()];
        inns.sort();
        self.decoys.push([
            self.procs[k].id.clone(),
            String::new(),
            inns.join(";"),
            kind.into(),
        ]);
    }

    /// Everyone the registry shows behind company `c` on `date`, as affil walks it: persons in
    /// its roles and in those of the companies holding it (up the chain), the directors of its
    /// managing company, the entrepreneur. Persons are told apart by name, sex and birth date.
    fn upstream(&self, c: usize, date: (i32, u32, u32)) -> Vec<PersonKey> {
        let active = |r: &RoleRow| r.since <= date && r.until.is_none_or(|u| date <= u);
        let mut out: Vec<PersonKey> = Vec::new();
        if let Some(p) = &self.comps[c].owner {
            out.push(person_key(p));
        }
        let (mut seen, mut next) = (vec![c], 0);
        while next < seen.len() {
            let x = seen[next];
            next += 1;
            for r in self.comps[x].roles.iter().filter(|r| active(r)) {
                if let Some(p) = &r.person {
                    out.push(person_key(p));
                }
                match (r.role, r.holder) {
                    ("founder", Some(h)) if !seen.contains(&h) => seen.push(h),
                    ("managing_company", Some(m)) if x == c => {
                        for mr in self.comps[m].roles.iter().filter(|r| active(r)) {
                            if let (Some(p), "director") = (&mr.person, mr.role) {
                                out.push(person_key(p));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// BIDDERS truth from the world as generated: in every procurement, the groups of bidders
    /// that share a person behind them or a contact (not an agent's address). Planted groups
    /// are named by their kind; the others (a firm and its subsidiary bidding together) are
    /// `bidders:held`.
    fn derive_bidders(&mut self) {
        for k in 0..self.procs.len() {
            let bids = self.procs[k].bids.clone();
            if bids.len() < 2 {
                continue;
            }
            let date = self.procs[k].date;
            let ups: Vec<Vec<PersonKey>> = bids.iter().map(|&c| self.upstream(c, date)).collect();
            let mut parent: Vec<usize> = (0..bids.len()).collect();
            fn find(p: &mut [usize], mut x: usize) -> usize {
                while p[x] != x {
                    x = p[x];
                }
                x
            }
            for i in 0..bids.len() {
                for j in i + 1..bids.len() {
                    let (a, b) = (&self.comps[bids[i]], &self.comps[bids[j]]);
                    if bids[i] == bids[j] {
                        continue;
                    }
                    let shared = ups[i].iter().any(|p| ups[j].binary_search(p).is_ok())
                        || a.phone == b.phone
                        || a.email.eq_ignore_ascii_case(&b.email)
                        || (a.addr == b.addr && !AGENTS.contains(&a.addr));
                    if shared {
                        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                        if ri != rj {
                            parent[rj.max(ri)] = ri.min(rj);
                        }
                    }
                }
            }
            let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
            for (i, &c) in bids.iter().enumerate() {
                let r = find(&mut parent, i);
                groups.entry(r).or_default().push(c);
            }
            for (_, mut members) in groups {
                members.sort_unstable();
                members.dedup();
                if members.len() < 2 {
                    continue;
                }
                let kind = self
                    .bidder_plants
                    .iter()
                    .find(|(pk, cs, _)| *pk == k && cs.iter().all(|c| members.contains(c)))
                    .map_or("held", |p| p.2);
                let mut inns: Vec<String> =
                    members.iter().map(|&c| self.comps[c].inn.clone()).collect();
                inns.sort();
                self.truth.push([
                    "BIDDERS".into(),
                    self.procs[k].id.clone(),
                    String::new(),
                    inns.join(";"),
                    String::new(),
                    format!("bidders:{kind}"),
                ]);
            }
        }
    }

    /// Decoys of CONTACT: a seated official living at a registration agent's address (its many
    /// firms must not all be flagged), and a bidder in the official's building but in other
    /// premises.
    fn contact_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let (kind, c) = if self.rng.chance(0.5) {
            let agent = AGENTS[self.rng.below(AGENTS.len())];
            self.offs[o].home = agent;
            let c = self.ordinary_company();
            self.comps[c].addr = agent;
            ("mass_address", c)
        } else {
            let home = self.offs[o].home;
            let c = self.ordinary_company();
            self.comps[c].addr = Addr {
                unit: self.rng.range(400, 800) as u32,
                office: true,
                ..home
            };
            ("same_building", c)
        };
        self.bid(k, c);
        self.decoy_row(k, o, c, kind);
    }

    fn decoy(&mut self) {
        let kind = *self.rng.pick(&DECOY_KINDS);
        let k = self.rng.below(self.procs.len());
        let seats = self.procs[k].seats.clone();
        let (mut o, _) = *self.rng.pick(&seats);
        let date = self.procs[k].date;
        let since = self.since_before(date);
        // The relation of the decoy's relative to official `o`.
        let mut relation = Kinship::Sibling;
        let c = match kind {
            "in_law" | "step" | "former_spouse" => {
                let kin = match kind {
                    "in_law" => *self.rng.pick(&[
                        Kinship::ParentInLaw,
                        Kinship::SiblingInLaw,
                        Kinship::ChildInLaw,
                    ]),
                    "step" => *self.rng.pick(&[
                        Kinship::StepParent,
                        Kinship::StepChild,
                        Kinship::StepSibling,
                    ]),
                    _ => Kinship::FormerSpouse,
                };
                relation = kin;
                let q = self.relative(o, kin);
                self.link(&q, "director", date)
            }
            "founder_5" => {
                // A direct share of 5%: a personal interest, not a 44-FZ beneficiary.
                let q = self.relative(o, Kinship::Sibling);
                let c = self.company(None);
                self.role(c, "founder", Some(q), None, Some(5), since);
                self.fill_capital(c, 5, since);
                let d = self.random_person(1960, 1995);
                self.role(c, "director", Some(d), None, None, since);
                c
            }
            "in_law_ended" => {
                // A brother-in-law who directed the bidder until before the procurement.
                let q = self.relative(o, Kinship::SiblingInLaw);
                let c = self.company(None);
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(q),
                    holder: None,
                    share: None,
                    since: shift(date, -2000),
                    until: Some(shift(date, -self.rng.range(1, 300))),
                    full_birth: false,
                });
                self.fill_capital(c, 0, since);
                c
            }
            "other_customer" => {
                // An official of another customer, seated nowhere in this procurement.
                let customer = self.procs[k].customer;
                let seated: Vec<usize> = seats.iter().map(|s| s.0).collect();
                let others: Vec<usize> = (0..self.offs.len())
                    .filter(|&x| self.offs[x].customer != customer && !seated.contains(&x))
                    .collect();
                if others.is_empty() {
                    return;
                }
                o = *self.rng.pick(&others);
                relation = Kinship::Spouse;
                let q = self.relative(o, Kinship::Spouse);
                self.link(&q, "director", date)
            }
            "namesake" => {
                let q = self.relative(o, Kinship::Sibling);
                // The questionnaire must show the full date for the namesake to be told apart.
                let last = self.offs[o]
                    .rels
                    .iter()
                    .rposition(|r| r.person.full_name() == q.full_name());
                if let Some(r) = last {
                    self.offs[o].rels[r].birth_written = 0;
                }
                let mut twin = q.clone();
                twin.birth.0 -= self.rng.range(3, 30) as i32;
                twin.inn = None;
                let c = self.company(None);
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(twin),
                    holder: None,
                    share: None,
                    since,
                    until: None,
                    full_birth: true,
                });
                self.fill_capital(c, 0, since);
                c
            }
            "chain_10" | "chain_9" => {
                relation = Kinship::Child;
                let q = self.relative(o, Kinship::Child);
                let (a, b) = if kind == "chain_10" {
                    (50, 20)
                } else {
                    (30, 30)
                };
                let h = self.company(None);
                self.role(h, "founder", Some(q), None, Some(a), since);
                self.fill_capital(h, a, since);
                let c = self.company(None);
                self.role(c, "founder", None, Some(h), Some(b), since);
                self.fill_capital(c, b, since);
                c
            }
            "role_ended" | "role_started_after" => {
                let q = self.relative(o, Kinship::Sibling);
                let c = self.company(None);
                let (s, u) = if kind == "role_ended" {
                    (
                        shift(date, -2000),
                        Some(shift(date, -self.rng.range(1, 300))),
                    )
                } else {
                    (shift(date, self.rng.range(1, 300)), None)
                };
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(q),
                    holder: None,
                    share: None,
                    since: s,
                    until: u,
                    full_birth: false,
                });
                self.fill_capital(c, 0, since);
                c
            }
            _ => {
                // A colleague of the same customer who does not sit on this procurement.
                let customer = self.procs[k].customer;
                let seated: Vec<usize> = seats.iter().map(|s| s.0).collect();
                let free: Vec<usize> = (0..self.offs.len())
                    .filter(|&x| self.offs[x].customer == customer && !seated.contains(&x))
                    .collect();
                if free.is_empty() {
                    return;
                }
                o = *self.rng.pick(&free);
                relation = Kinship::Spouse;
                let q = self.relative(o, Kinship::Spouse);
                self.link(&q, "director", date)
            }
        };
        self.bid(k, c);
        if let Some(rule) = decoy_rule(kind) {
            let pattern = format!("{}:{kind}", rule.to_lowercase());
            self.plant_truth(rule, k, o, c, relation.code(), pattern);
        }
        self.decoy_row(k, o, c, kind);
    }

    fn write(mut self) -> ChunkOut {
        let mut w: Vec<csv::Writer<Vec<u8>>> = FILES
            .iter()
            .map(|(_, _, cp)| {
                csv::WriterBuilder::new()
                    .delimiter(if *cp { b';' } else { b',' })
                    .from_writer(Vec::new())
            })
            .collect();
        let mut rows = vec![0usize; FILES.len()];
        let noise = *self.noise;
        let mut put = |w: &mut Vec<csv::Writer<Vec<u8>>>, f: usize, rec: &[String]| {
            let _ = w[f].write_record(rec);
            rows[f] += 1;
        };
        let offs = std::mem::take(&mut self.offs);
        for o in &offs {
            let p = &o.person;
            let birth = if self.rng.chance(0.1) {
                p.birth.0.to_string()
            } else {
                p.birth_iso()
            };
            put(
                &mut w,
                0,
                &[
                    o.id.clone(),
                    p.full_name(),
                    birth,
                    p.inn.clone().unwrap_or_default(),
                    "специалист".into(),
                    self.customers[o.customer].0.clone(),
                    address_written(&o.home, self.chunk, &mut self.rng),
                    phone_written(&o.phone, &mut self.rng),
                    o.email.clone(),
                    p.maiden_name().unwrap_or_default(),
                ],
            );
            for (ri, r) in o.rels.iter().enumerate() {
                let rp = &r.person;
                let yo = if self.rng.chance(noise.yo) {
                    rp.full_name().replace('ё', "е")
                } else {
                    rp.full_name()
                };
                let word = kin_word(r.kin, rp.sex, &mut self.rng);
                let word = if self.rng.chance(0.3) {
                    word.to_uppercase()
                } else {
                    word.to_owned()
                };
                let birth = match r.birth_written {
                    0 => rp.birth_dotted(),
                    1 => rp.birth.0.to_string(),
                    _ => String::new(),
                };
                put(
                    &mut w,
                    1,
                    &[
                        format!("{}-R{ri:02}", o.id),
                        o.id.clone(),
                        word,
                        yo,
                        rp.maiden_name().unwrap_or_default(),
                        birth,
                        if self.rng.chance(0.1) {
                            rp.inn.clone().unwrap_or_default()
                        } else {
                            String::new()
                        },
                        r.home
                            .map(|h| address_written(&h, self.chunk, &mut self.rng))
                            .unwrap_or_default(),
                        String::new(),
                        String::new(),
                    ],
                );
            }
        }
        let comps = std::mem::take(&mut self.comps);
        for (i, c) in comps.iter().enumerate() {
            put(
                &mut w,
                2,
                &[
                    c.inn.clone(),
                    if c.ie {
                        String::new()
                    } else {
                        ogrn(self.chunk * 20_000 + i as u64)
                    },
                    c.name.clone(),
                    address_written(&c.addr, self.chunk, &mut self.rng),
                    phone_written(&c.phone, &mut self.rng),
                    c.email.clone(),
                    "действующее".into(),
                ],
            );
            for r in &c.roles {
                let (name, inn, birth) = match &r.person {
                    Some(p) => {
                        let birth = if r.full_birth {
                            p.birth_dotted()
                        } else {
                            match self.rng.below(20) {
                                0..=9 => p.birth_dotted(),
                                10..=12 => p.birth.0.to_string(),
                                _ => String::new(),
                            }
                        };
                        let inn = if self.rng.chance(0.7) {
                            p.inn.clone().unwrap_or_default()
                        } else {
                            String::new()
                        };
                        (
                            noisy_name(&mut self.rng, &p.full_name(), &noise),
                            inn,
                            birth,
                        )
                    }
                    None => Default::default(),
                };
                put(
                    &mut w,
                    3,
                    &[
                        c.inn.clone(),
                        r.role.into(),
                        name,
                        inn,
                        birth,
                        r.holder.map(|h| comps[h].inn.clone()).unwrap_or_default(),
                        r.share.map(|s| s.to_string()).unwrap_or_default(),
                        dotted(r.since),
                        r.until.map(dotted).unwrap_or_default(),
                    ],
                );
            }
        }
        for pr in &self.procs {
            let (cinn, cname) = &self.customers[pr.customer];
            put(
                &mut w,
                4,
                &[
                    pr.id.clone(),
                    cinn.clone(),
                    cname.clone(),
                    SUBJECTS[pr.price as usize % SUBJECTS.len()].into(),
                    "электронный аукцион".into(),
                    format!("{}-{:02}-{:02}", pr.date.0, pr.date.1, pr.date.2),
                    format!("{}.00", pr.price),
                    String::new(),
                ],
            );
            for (bi, &c) in pr.bids.iter().enumerate() {
                let win = bi == pr.winner;
                let bid = pr.price * (90 + (bi as u64 * 7) % 10) / 100;
                put(
                    &mut w,
                    5,
                    &[
                        pr.id.clone(),
                        comps[c].inn.clone(),
                        comps[c].name.clone(),
                        if win { "1" } else { "0" }.into(),
                        format!("{bid}.00"),
                        if win {
                            format!("{bid}.00")
                        } else {
                            String::new()
                        },
                    ],
                );
            }
            for &(o, role) in &pr.seats {
                let p = &offs[o].person;
                let (id, name) = if self.rng.chance(0.6) {
                    (offs[o].id.clone(), String::new())
                } else {
                    let surname = gendered(p.surname, p.sex);
                    (
                        String::new(),
                        protocol_name(&mut self.rng, &surname, p.given, p.patronymic()),
                    )
                };
                put(&mut w, 6, &[pr.id.clone(), id, name, role.into()]);
            }
        }
        for t in &self.truth {
            put(&mut w, 7, t);
        }
        for d in &self.decoys {
            put(&mut w, 8, d);
        }
        // Person lists for `affil link`: the questionnaires' people on the left, half of them
        // again on the right as a registry would write them, among strangers and namesakes.
        for o in &offs {
            let people = std::iter::once(&o.person).chain(o.rels.iter().map(|r| &r.person));
            for (k, p) in people.enumerate() {
                let left = format!("L{}-{k}", o.id);
                let inn = |rng: &mut Rng, share: f64| {
                    if rng.chance(share) {
                        p.inn.clone().unwrap_or_default()
                    } else {
                        String::new()
                    }
                };
                let birth = if self.rng.chance(0.1) {
                    p.birth.0.to_string()
                } else {
                    p.birth_dotted()
                };
                let left_inn = inn(&mut self.rng, 0.3);
                put(&mut w, 9, &[left.clone(), p.full_name(), birth, left_inn]);
                if self.rng.chance(0.5) {
                    let right = format!("R{}-{k}", o.id);
                    let birth = match self.rng.below(20) {
                        0..=11 => p.birth_iso(),
                        12..=14 => p.birth.0.to_string(),
                        _ => String::new(),
                    };
                    let name = noisy_name(&mut self.rng, &p.full_name(), &noise);
                    let right_inn = inn(&mut self.rng, 0.2);
                    put(&mut w, 10, &[right.clone(), name, birth, right_inn]);
                    put(&mut w, 11, &[left, right]);
                } else if self.rng.chance(0.1) {
                    // A namesake born in another year.
                    let mut twin = p.clone();
                    twin.birth.0 -= self.rng.range(2, 40) as i32;
                    put(
                        &mut w,
                        10,
                        &[
                            format!("N{}-{k}", o.id),
                            twin.full_name(),
                            twin.birth_iso(),
                            String::new(),
                        ],
                    );
                }
            }
            let stranger = self.random_person(1950, 2000);
            put(
                &mut w,
                10,
                &[
                    format!("S{}", o.id),
                    noisy_name(&mut self.rng, &stranger.full_name(), &noise),
                    stranger.birth_iso(),
                    String::new(),
                ],
            );
        }
        ChunkOut {
            files: w
                .into_iter()
                .map(|x| x.into_inner().unwrap_or_default())
                .collect(),
            rows,
        }
    }
}

fn chunk(seed: u64, ci: u64, p: &ScaleParams, noise: &Noise, weights: &[u64]) -> ChunkOut {
    let mut w = World {
        rng: Rng::new(seed, ci),
        chunk: ci,
        noise,
        weights,
        customers: Vec::new(),
        offs: Vec::new(),
        comps: Vec::new(),
        procs: Vec::new(),
        truth: Vec::new(),
        bidder_plants: Vec::new(),
        decoys: Vec::new(),
        next_person: 0,
    };
    w.build_officials(p);
    w.build_market(p);
    for _ in 0..p.plants {
        w.plant();
    }
    // Contact decoys first: one moves an official to an agent's address, which a later
    // contact plant must not copy.
    for _ in 0..p.wider_plants {
        w.contact_decoy();
    }
    for _ in 0..p.wider_plants {
        w.plant_kin_ext();
        w.plant_employee();
        w.plant_contact();
        w.plant_bidders();
        w.plant_undeclared();
    }
    for _ in 0..p.wider_plants / 2 {
        w.bidders_decoy();
        w.undeclared_decoy();
    }
    w.derive_bidders();
    for _ in 0..p.decoys {
        w.decoy();
    }
    w.write()
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| Error::write(path, e))
}

/// Generates a dataset into `opts.out`.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary> {
    let mut p = opts.scale.params();
    if let Some(c) = opts.chunks {
        p.chunks = c.max(1);
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::write(&opts.out, e))?;
    let mut outs = Vec::new();
    for (name, header, cp) in FILES {
        let path = opts.out.join(name);
        let mut f = create(&path)?;
        let bytes = if cp {
            let sep = header.replace(',', ";");
            encoding_rs::WINDOWS_1251
                .encode(&format!("{sep}\n"))
                .0
                .into_owned()
        } else {
            format!("{header}\n").into_bytes()
        };
        f.write_all(&bytes).map_err(|e| Error::write(&path, e))?;
        outs.push((path, f, cp));
    }
    let weights = surname_weights();
    let mut rows = vec![0usize; FILES.len()];
    let batch = 4 * rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < p.chunks {
        let end = (start + batch).min(p.chunks);
        let chunks: Vec<ChunkOut> = (start..end)
            .into_par_iter()
            .map(|ci| chunk(opts.seed, ci as u64, &p, &opts.noise, &weights))
            .collect();
        for c in chunks {
            for (f, bytes) in c.files.into_iter().enumerate() {
                let (path, out, cp) = &mut outs[f];
                let res = if *cp {
                    let text = String::from_utf8_lossy(&bytes);
                    out.write_all(&encoding_rs::WINDOWS_1251.encode(&text).0)
                } else {
                    out.write_all(&bytes)
                };
                res.map_err(|e| Error::write(path.as_path(), e))?;
                rows[f] += c.rows[f];
            }
        }
        start = end;
    }
    for (path, mut f, _) in outs {
        f.flush().map_err(|e| Error::write(&path, e))?;
    }
    Ok(GenerateSummary {
        rows: FILES.iter().map(|f| f.0).zip(rows).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifiers::{inn_kind, ogrn_valid, InnKind};

    #[test]
    fn identifiers_are_valid() {
        for b in [0u64, 1, 123_456_789, 999_999_999] {
            assert_eq!(inn_kind(&org_inn(b)), Some(InnKind::Organisation));
            assert!(ogrn_valid(&ogrn(b)));
        }
        for b in [0u64, 42, 9_999_999_999] {
            assert_eq!(inn_kind(&person_inn(b)), Some(InnKind::Person));
        }
    }
}
