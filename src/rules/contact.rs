//! CONTACT: a participant shares a phone, an e-mail or an address (the same building and flat)
//! with a customer-side official of the procurement or a relative the official declared.
//! Contacts are compared in one form (see [`crate::normalize::contact`]); a contact shared by
//! [`MASS`] or more companies of the registry (a registration agent's address, an accountant's
//! phone) ties no one and is left out.

use rayon::prelude::*;

use super::shared::seat_step;
use super::{
    case_id, round_score, Case, Chain, Channel, Context, Relation, Rule, RuleInfo, Said, Severity,
    Step, Text, PERSONAL_INTEREST,
};
use crate::normalize::contact::{channel, contacts_of};
use crate::resolve::compare::sex_of;
use crate::resolve::Groups;

/// The rule.
pub struct Contact;

/// Code of the rule.
pub const CODE: &str = "CONTACT";

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Общие телефон, e-mail или адрес с должностным лицом",
        en: "Phone, e-mail or address shared with an official",
    },
    description: "a participant shares a phone, an e-mail or an address with a customer-side official or a declared relative (mass contacts of the registry left out)",
    legal_basis: "273-ФЗ ст. 10",
    severity: [Severity::Medium, Severity::Low],
    sentence: &PERSONAL_INTEREST,
    yields_to: &[],
};

pub use crate::normalize::contact::MASS;

impl Channel {
    /// How far a shared contact of this kind ties two records: a personal e-mail fully; a phone
    /// may be a landline of a household; an address a household, or a flat let to a firm.
    fn score(self) -> f64 {
        match self {
            Channel::Email => 1.0,
            Channel::Phone => 0.9,
            Channel::Address => 0.8,
        }
    }
}

/// A [`keyed`](crate::normalize::contact::keyed) contact's kind, and how far it ties two records.
pub(super) fn contact_kind(k: u64) -> (Channel, f64) {
    let ch = channel(k);
    (ch, ch.score())
}

/// No relative: the official's own contact.
const SELF: u32 = u32::MAX;

/// A contact of an official's side: ([`keyed`](crate::normalize::contact::keyed) contact, relatives row or [`SELF`]).
type SideContact = (u64, u32);

/// A shared contact found for one (official, participant): its channel, whose it is, which
/// company row, and the seat's score and row.
#[derive(Clone, Copy)]
struct Hit {
    channel: Channel,
    relative: u32,
    company: u32,
    seat_row: u32,
    seat_score: f64,
    official: u32,
    participant: u32,
}

impl Rule for Contact {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        let data = ctx.data;
        let companies = ctx.contact_index();
        let is_mass = |k: u64| companies.is_mass(k);
        // The contacts of each seated official and of the relatives they declared.
        let sitting = ctx.resolution.sitting(data);
        let relatives_of = Groups::by_owner(data.officials.len(), || {
            data.relatives
                .iter()
                .enumerate()
                .filter(|(_, rel)| sitting[rel.official as usize])
                .map(|(r, rel)| (rel.official, r as u32))
        });
        let side = Groups::par_fill(data.officials.len(), |o, list: &mut Vec<SideContact>| {
            if !sitting[o] {
                return;
            }
            let off = &data.officials[o];
            let mut keep = |k: u64, whose: u32| {
                if !is_mass(k) {
                    list.push((k, whose));
                }
            };
            for k in contacts_of(off) {
                keep(k, SELF);
            }
            for &r in relatives_of.of(o) {
                let rel = &data.relatives[r as usize];
                for k in contacts_of(rel) {
                    keep(k, r);
                }
            }
        });
        drop(relatives_of);
        let index = Index {
            side: &side,
            companies,
        };
        let out: Vec<Case> = (0..data.procurements.len())
            .into_par_iter()
            .flat_map_iter(|pi| procurement_cases(ctx, &index, pi))
            .collect();
        out
    }
}

/// What the search of one procurement reads.
struct Index<'a> {
    /// Contacts of each official's side, by official.
    side: &'a Groups<SideContact>,
    /// Contacts of the registry's companies.
    companies: &'a CompanyContacts,
}

/// The compared contacts of the registry's companies, and which are mass contacts: built once
/// per run (see [`Context::contact_index`]), read by CONTACT and BIDDERS.
pub struct CompanyContacts {
    /// Contacts of each company, by row of companies.csv.
    by_row: Groups<u64>,
    /// The row of companies.csv of each graph company (`u32::MAX`: none).
    row_of: Vec<u32>,
    /// The mass contacts, sorted.
    mass: Vec<u64>,
}

impl CompanyContacts {
    /// Every company's contacts, and the mass ones.
    pub(super) fn of(ctx: &Context) -> CompanyContacts {
        let data = ctx.data;
        let by_row = Groups::par_fill(data.companies.len(), |row, list: &mut Vec<u64>| {
            let c = &data.companies[row];
            list.extend(contacts_of(c));
        });
        // How many companies give each contact, by sorting them all (a map of tens of millions
        // of counts costs more): the mass ones tie no one.
        let mut all: Vec<u64> = by_row.items().to_vec();
        all.par_sort_unstable();
        let mut mass: Vec<u64> = all
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() >= MASS)
            .map(|run| run[0])
            .collect();
        drop(all);
        mass.sort_unstable();
        // The graph's companies (bidders are graph nodes) to their rows.
        let mut row_of = vec![u32::MAX; ctx.graph.companies.len()];
        for (row, c) in data.companies.iter().enumerate() {
            if let Some(&cid) = ctx.graph.company_by_inn.get(&c.inn) {
                row_of[cid as usize] = row as u32;
            }
        }
        CompanyContacts {
            by_row,
            row_of,
            mass,
        }
    }

    /// Whether a [`keyed`](crate::normalize::contact::keyed) contact is a mass contact.
    pub fn is_mass(&self, k: u64) -> bool {
        self.mass.binary_search(&k).is_ok()
    }

    /// The row of companies.csv of a graph company, if it has one.
    pub fn row(&self, company: u32) -> Option<u32> {
        Some(self.row_of[company as usize]).filter(|&r| r != u32::MAX)
    }

    /// The contacts of a company (by row) that are not mass contacts.
    pub fn of_row(&self, row: u32) -> impl Iterator<Item = u64> + '_ {
        self.by_row
            .of(row as usize)
            .iter()
            .copied()
            .filter(|&k| !self.is_mass(k))
    }
}

/// The cases of one procurement: per (official, participant), the strongest shared contact.
fn procurement_cases(ctx: &Context, index: &Index, pi: usize) -> Vec<Case> {
    let mut seats: Vec<(u32, f64, u32)> = ctx
        .seat_matches(pi)
        .map(|(seat, m)| (m.official, m.score, seat))
        .collect();
    let mut bids: Vec<(u32, u32)> = ctx
        .bids(pi)
        .filter_map(|b| Some((b.participant, index.companies.row(b.company)?)))
        .collect();
    if seats.is_empty() || bids.is_empty() {
        return Vec::new();
    }
    seats.sort_by_key(|s| (s.0, s.2));
    bids.sort_unstable();
    let mut best: std::collections::BTreeMap<(u32, u32), Hit> = Default::default();
    for &(p, company) in &bids {
        for h in index.companies.of_row(company) {
            for &(official, seat_score, seat_row) in &seats {
                for &(sh, relative) in index.side.of(official as usize) {
                    if sh != h {
                        continue;
                    }
                    let hit = Hit {
                        channel: channel(h),
                        relative,
                        company,
                        seat_row,
                        seat_score,
                        official,
                        participant: p,
                    };
                    // The strongest channel, the official's own contact before a relative's,
                    // the best-matched seat.
                    let rank = |x: &Hit| (x.channel, x.relative != SELF, -x.seat_score);
                    let slot = best.entry((official, p)).or_insert(hit);
                    if rank(&hit).partial_cmp(&rank(slot)) == Some(std::cmp::Ordering::Less) {
                        *slot = hit;
                    }
                }
            }
        }
    }
    best.into_values()
        .map(|hit| build_case(ctx, pi, &hit))
        .collect()
}

/// The raw text of a [`keyed`](crate::normalize::contact::keyed) contact's kind in a record, as written.
pub(super) fn written_as<'a>(k: u64, address: &'a str, phone: &'a str, email: &'a str) -> &'a str {
    written(channel(k), address, phone, email)
}

/// The raw text of a contact of a record, as written.
fn written<'a>(ch: Channel, address: &'a str, phone: &'a str, email: &'a str) -> &'a str {
    match ch {
        Channel::Email => email,
        Channel::Phone => phone,
        Channel::Address => address,
    }
}

/// The case of one hit. Long on purpose: the official's or relative's side, the registry's, then the steps and the
/// row, each read off one hit.
fn build_case(ctx: &Context, pi: usize, hit: &Hit) -> Case {
    let data = ctx.data;
    let proc_ = &data.procurements[pi];
    let official = &data.officials[hit.official as usize];
    let seat = &data.seats[hit.seat_row as usize];
    let p = &data.participants[hit.participant as usize];
    let company = &data.companies[hit.company as usize];
    let company_label = if p.participant_name.is_empty() {
        company.name.to_string()
    } else {
        p.participant_name.to_string()
    };
    let (relation, linked, theirs, kin): (&'static str, String, String, Relation) = if hit.relative
        == SELF
    {
        let mine = written(
            hit.channel,
            &official.address(),
            &official.phone(),
            &official.email(),
        )
        .to_owned();
        (
            "self",
            official.full_name().to_string(),
            mine,
            Relation::Itself,
        )
    } else {
        let r = &data.relatives[hit.relative as usize];
        let mention = &ctx.mentions.list[ctx.mentions.of_relative[hit.relative as usize] as usize];
        (
            r.kinship.code(),
            r.full_name().to_string(),
            written(hit.channel, &r.address(), &r.phone(), "").to_owned(),
            Relation::Written {
                word: r.kinship_word.to_lowercase(),
                kinship: r.kinship,
                sex: sex_of(mention),
            },
        )
    };
    let registry = written(
        hit.channel,
        &company.address(),
        &company.phone(),
        &company.email(),
    )
    .to_owned();
    let score = hit.seat_score * hit.channel.score();
    let mut steps = vec![seat_step(official, seat.role, hit.seat_score)];
    steps.push(Step::new(Said::Relation(kin)));
    if hit.relative != SELF {
        steps.push(Step::new(Said::Person {
            name: linked.clone(),
            registry: None,
            matched: None,
        }));
    }
    steps.push(Step {
        score: Some(round_score(hit.channel.score())),
        ..Step::new(Said::Contact {
            channel: hit.channel,
            left: theirs,
            right: registry.clone(),
            right_in_registry: true,
        })
    });
    steps.extend(super::bid_steps(&company_label, p, proc_));
    Case {
        case_id: case_id(
            CODE,
            &proc_.procurement_id,
            &official.official_id(),
            &p.participant_inn.text(),
        ),
        rule: CODE,
        severity: INFO.severity(p.is_winner),
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: official.official_id().to_string(),
        official_name: official.full_name().to_string(),
        official_role: seat.role.code(),
        relation,
        linked_person: linked,
        participant_inn: p.participant_inn.to_string(),
        participant_name: company_label,
        participant_link: format!("shared_{} ({registry})", hit.channel.code()),
        is_winner: p.is_winner,
        contract_price: p.contract_price.get(),
        legal_basis: INFO.legal_basis,
        chain: Chain(steps),
        persons: {
            let person = |m: u32| ctx.resolution.person_of[m as usize];
            let mut v = vec![person(ctx.mentions.of_official[hit.official as usize])];
            if hit.relative != SELF {
                v.push(person(ctx.mentions.of_relative[hit.relative as usize]));
            }
            v
        },
    }
}
