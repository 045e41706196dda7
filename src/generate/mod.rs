//! `affil generate`: synthetic registries in the input format of `affil check`, with the truth
//! planted in them (`truth.csv`) and decoys that must not be flagged (`decoys.csv`).
//!
//! A dataset is a sequence of independent chunks (one municipality each: customers, officials
//! and their families, local companies, procurements). Each chunk has its own random stream,
//! chunks are generated in parallel in batches and written in order, so memory stays bounded
//! and the bytes depend only on the seed.

pub mod names;
pub mod noise;
mod plant;
mod population;
mod write;
/// The generator's random numbers (kept here for paths that name them).
pub use crate::rng;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use names::{surname_weights, Person};
use noise::Noise;
use rayon::prelude::*;
use rng::Rng;

use crate::error::{Error, Result};
use crate::identifiers::{
    ogrn_from as ogrn, org_inn_from as org_inn, person_inn_from as person_inn,
};
use crate::model::{Kinship, Sex};

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

/// One chunk being generated: its random stream, the records so far, the truth and decoys.
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
