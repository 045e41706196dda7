//! UNDECLARED: a person of the company registry behind a bidder (in a role COI-44FZ names) who
//! is probably a relative of an official seated in the procurement, yet not in the official's
//! questionnaire. It checks the questionnaires themselves (measure 2.7 of the plan).
//!
//! A relative shares the official's surname in its gendered form (or the official's former
//! surname), and then: a sibling the same patronymic, a child a patronymic formed from the
//! official's given name, a father a given name the official's patronymic is formed from, a
//! spouse or other household member the same flat. Namesakes are the risk: each signal weighs
//! as much as it is rare in the data at hand (see [`WEIGHTS`]), and a case needs the odds of
//! kinship over a namesake to be even or better.

use std::collections::BTreeMap;

use super::affiliation::{control_order, link_steps, link_text, qualifies, Post, Upstream};
use super::{case_id, evidence_of, round_score, step, Case, Context, Rule, Severity, Step};
use crate::graph::{controls, kin_edges, Control};
use crate::model::{Official, Participant, Procurement, Sex};
use crate::normalize::name::{is_common_surname, patronymic_from, patronymic_root};
use crate::normalize::{Mention, MentionId, MentionSource, Part};
use crate::resolve::compare::{typo_close, RARE_SURNAME_BITS};
use crate::resolve::PersonId;

/// Code of the rule.
pub const CODE: &str = "UNDECLARED";
/// The duty to report what may bring a conflict of interest, of which the questionnaire is part.
const LEGAL_BASIS: &str = "273-ФЗ ст. 11";

/// The rule.
pub struct Undeclared;

impl Rule for Undeclared {
    fn code(&self) -> &'static str {
        CODE
    }

    fn description(&self) -> &'static str {
        "a person behind a bidder is probably a seated official's relative (surname and patronymic, or a shared flat) missing from the questionnaire"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(CODE)
    }
}

/// What UNDECLARED weighs besides the names, in bits (log2 of likelihood ratios, as Splink's
/// comparison levels). An agreeing surname or patronymic weighs its term-frequency weight in the
/// data at hand, log2(0.9 / f) for a share f of the names counted: 6.5 bits at one in a hundred,
/// 16.5 at one in 100,000.
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    /// Log2 odds, before any signal, that a person behind a bidder is an undeclared relative of
    /// a given official on its commission.
    pub prior: f64,
    /// A sibling's birth year against the official's, both known: (largest gap in years, bits),
    /// closest first; a larger gap rules the sibling out.
    pub sibling_years: [(i32, f64); 3],
    /// A parent's or child's birth year against the official's, both known: (smallest gap,
    /// largest gap, bits), likeliest first; a gap outside every range rules the relation out.
    pub generation_years: [(i32, i32, f64); 2],
    /// The registry gives the person's address (an entrepreneur's), and it is the official's
    /// flat (not a mass address).
    pub same_flat: f64,
    /// The least an agreeing surname outside the hundred commonest weighs when fewer than
    /// [`Weights::surnames_for_counts`] surnames were counted (a small dataset cannot tell a
    /// rare surname from a common one by counting).
    pub uncommon_surname: f64,
    /// Surnames counted from which their counts alone weigh them.
    pub surnames_for_counts: f64,
}

/// The weights UNDECLARED uses, documented in the README.
pub const WEIGHTS: Weights = Weights {
    prior: -16.5,
    sibling_years: [(5, 1.5), (10, 0.5), (15, -1.5)],
    generation_years: [(20, 40, 1.0), (16, 50, -1.0)],
    same_flat: 12.0,
    uncommon_surname: 10.0,
    surnames_for_counts: 50_000.0,
};

/// The relation the signals point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kin {
    Sibling,
    Child,
    Parent,
    Spouse,
    Household,
}

impl Kin {
    fn code(self) -> &'static str {
        match self {
            Kin::Sibling => "probable_sibling",
            Kin::Child => "probable_child",
            Kin::Parent => "probable_parent",
            Kin::Spouse => "probable_spouse",
            Kin::Household => "probable_household",
        }
    }

    fn russian(self, sex: Option<Sex>) -> &'static str {
        let (m, f) = (sex == Some(Sex::Male), sex == Some(Sex::Female));
        match self {
            Kin::Sibling if m => "брат",
            Kin::Sibling if f => "сестра",
            Kin::Sibling => "брат или сестра",
            Kin::Child if m => "сын",
            Kin::Child if f => "дочь",
            Kin::Child => "ребёнок",
            Kin::Parent => "отец",
            Kin::Spouse if m => "муж",
            Kin::Spouse if f => "жена",
            Kin::Spouse => "супруг(а)",
            Kin::Household => "член семьи",
        }
    }

    /// The weight of a birth-year gap (registry person's year minus the official's) for this
    /// relation, `None` when the gap rules it out; 0 for relations that say nothing of age.
    fn years_bits(self, gap: i32) -> Option<f64> {
        let generation = |g: i32| {
            WEIGHTS
                .generation_years
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&g))
                .map(|l| l.2)
        };
        match self {
            Kin::Sibling => WEIGHTS
                .sibling_years
                .iter()
                .find(|(most, _)| gap.abs() <= *most)
                .map(|l| l.1),
            Kin::Child => generation(gap),
            Kin::Parent => generation(-gap),
            Kin::Spouse | Kin::Household => Some(0.0),
        }
    }
}

/// The relation a pair's signals point to, how strongly, and which signals agreed.
#[derive(Clone, Debug)]
struct Finding {
    kin: Kin,
    /// Log2 odds of kinship over a namesake, prior included.
    bits: f64,
    signals: Vec<String>,
}

impl Finding {
    fn probability(&self) -> f64 {
        1.0 / (1.0 + (-self.bits).exp2())
    }
}

fn full(p: Option<Part>) -> Option<crate::model::Sym> {
    match p {
        Some(Part::Full(s)) => Some(s),
        _ => None,
    }
}

/// Weighs what an official's record and a registry person's share; `same_flat` tells whether the
/// registry gives the person's address and it is the official's (asked only of the few pairs
/// that share a surname: nearly none do).
fn weigh(
    ctx: &Context,
    om: &Mention,
    pm: &Mention,
    same_flat: impl FnOnce() -> bool,
) -> Option<Finding> {
    let tf = &ctx.resolution.tf;
    // The surname: the official's current or former one, against the registry's.
    let mut surname: Option<(f64, bool)> = None;
    for (i, on) in om.names.iter().enumerate() {
        for pn in &pm.names {
            if let (Some(a), Some(b)) = (on.surname_stem, pn.surname_stem) {
                if a == b {
                    let mut w = tf.surname_weight(a);
                    if tf.surnames_counted() < WEIGHTS.surnames_for_counts && !is_common_surname(&a)
                    {
                        w = w.max(WEIGHTS.uncommon_surname);
                    }
                    if surname.is_none_or(|(best, _)| w > best) {
                        surname = Some((w, i > 0));
                    }
                }
            }
        }
    }
    let (surname_bits, former) = surname?;
    let same_flat = same_flat();
    // The registry's fullest name of the person: an entrepreneur's bid may give initials where
    // the registry has the whole name.
    let on = om.names.first()?;
    let pn = pm
        .names
        .iter()
        .max_by_key(|n| (full(n.patronymic).is_some(), full(n.given).is_some()))?;
    let gap = match (om.birth, pm.birth) {
        (Some(a), Some(b)) => Some(b.year() - a.year()),
        _ => None,
    };
    let mut patterns: Vec<(Kin, f64, &'static str)> = Vec::new();
    if let (Some(a), Some(b)) = (full(on.patronymic), full(pn.patronymic)) {
        // Parents do not give two children of one sex one name: that is a namesake.
        let same_name = on.given == pn.given && on.sex == pn.sex;
        if !same_name && patronymic_root(&a).is_some() && patronymic_root(&a) == patronymic_root(&b)
        {
            patterns.push((Kin::Sibling, tf.patronymic_weight(b), "то же отчество"));
        }
    }
    if let (Some(Sex::Male), Some(g), Some(p)) = (on.sex, full(on.given), full(pn.patronymic)) {
        if patronymic_from(&p, &g) {
            patterns.push((
                Kin::Child,
                tf.patronymic_weight(p),
                "отчество от имени должностного лица",
            ));
        }
    }
    if let (Some(Sex::Male), Some(g), Some(p)) = (pn.sex, full(pn.given), full(on.patronymic)) {
        if patronymic_from(&p, &g) {
            patterns.push((
                Kin::Parent,
                tf.patronymic_weight(p),
                "отчество должностного лица от его имени",
            ));
        }
    }
    if same_flat {
        let apart = on.sex.is_some() && pn.sex.is_some() && on.sex != pn.sex;
        let close_in_age = gap.is_none_or(|d| d.abs() <= 20);
        let kin = if apart && close_in_age {
            Kin::Spouse
        } else {
            Kin::Household
        };
        patterns.push((kin, 0.0, ""));
    }
    let surname_signal = match (former, surname_bits >= RARE_SURNAME_BITS) {
        (true, true) => "прежняя фамилия должностного лица (редкая)",
        (true, false) => "прежняя фамилия должностного лица",
        (false, true) => "фамилия (редкая)",
        (false, false) => "фамилия",
    };
    patterns
        .into_iter()
        .filter_map(|(kin, pattern_bits, signal)| {
            let years_bits = match gap {
                Some(d) => Some(kin.years_bits(d)?),
                None => None,
            };
            let mut bits = WEIGHTS.prior + surname_bits + pattern_bits;
            let mut signals = vec![surname_signal.to_owned()];
            if !signal.is_empty() {
                signals.push(signal.to_owned());
            }
            if let (Some(w), Some(a), Some(b)) = (years_bits, om.birth, pm.birth) {
                bits += w;
                if !matches!(kin, Kin::Spouse | Kin::Household) {
                    signals.push(format!("годы рождения {} и {}", a.year(), b.year()));
                }
            }
            if same_flat {
                bits += WEIGHTS.same_flat;
                signals.push("один адрес".to_owned());
            }
            Some(Finding { kin, bits, signals })
        })
        .filter(|f| f.bits >= 0.0)
        .max_by(|a, b| a.bits.total_cmp(&b.bits).then(b.kin.cmp(&a.kin)))
}

/// Whether two names can be one person's: one surname stem, and given names and patronymics
/// that agree, are a typo apart, or are initials of each other (or missing). Looser than the
/// resolver's levels (`compare_word_parts`), which tell two dictionary given names a letter
/// apart (Елена, Алена) as two people: here either may be a listed relative written wrong.
fn one_name(a: &Mention, b: &Mention) -> bool {
    fn parts_agree(x: Option<Part>, y: Option<Part>) -> bool {
        match (x, y) {
            (Some(Part::Full(x)), Some(Part::Full(y))) => x == y || typo_close(&x, &y),
            (Some(x), Some(y)) => x.text().chars().next() == y.text().chars().next(),
            _ => true,
        }
    }
    a.names.iter().any(|an| {
        b.names.iter().any(|bn| {
            an.surname_stem.is_some()
                && an.surname_stem == bn.surname_stem
                && parts_agree(an.given, bn.given)
                && parts_agree(an.patronymic, bn.patronymic)
        })
    })
}

/// Whether registry mention `m` (person `p`) is the official, or a relative the official's
/// questionnaire lists (or one listing the official): resolved to them, tied to them by the
/// rules' targeted comparison, or of one name with them (a typo, initials; or a namesake with
/// another birth date, which is no new relative either: parents do not give two children one
/// name).
fn known(
    ctx: &Context,
    official: u32,
    official_person: PersonId,
    p: PersonId,
    m: MentionId,
) -> bool {
    if p == official_person {
        return true;
    }
    let list = &ctx.mentions.list;
    let pm = &list[m as usize];
    let ties = &ctx.resolution.ties;
    let same =
        |a: MentionId| one_name(&list[a as usize], pm) || ties.binary_search(&(m, a)).is_ok();
    same(ctx.mentions.of_official[official as usize])
        || kin_edges(ctx.graph, official_person)
            .iter()
            .any(|&(q, _, relrow, _)| q == p || same(ctx.mentions.of_relative[relrow as usize]))
}

/// An address as a keyed contact, unless it is a mass address.
fn flat(ctx: &Context, address: &str) -> Option<u64> {
    super::contact::address_contact(address).filter(|&k| !ctx.contact_index().is_mass(k))
}

/// Whether the registry gives a person's address (an entrepreneur's is theirs) and it is the
/// official's flat.
fn same_flat(ctx: &Context, pm: &Mention, official: &Official) -> bool {
    let MentionSource::Entrepreneur(i) = pm.source else {
        return false;
    };
    let inn = ctx.data.participants[i as usize].participant_inn;
    let registry = ctx
        .graph
        .company_by_inn
        .get(&inn)
        .and_then(|&c| ctx.contact_index().row(c))
        .and_then(|row| flat(ctx, &ctx.data.companies[row as usize].address));
    registry.is_some() && registry == flat(ctx, &official.address)
}

/// A case with what ranks it among those of one (official, bidder): score, then the relation
/// and the strength of the role.
type Ranked = (f64, (Kin, u8), Case);

/// The UNDECLARED cases of one procurement: per (official, bidder), the strongest finding.
pub(super) fn cases(
    ctx: &Context,
    proc_: &Procurement,
    seated: &[Post],
    bids: &[(u32, &Participant)],
    upstream: &[Upstream],
) -> Vec<Case> {
    let list = &ctx.mentions.list;
    let mut best: BTreeMap<(u32, u32), Ranked> = BTreeMap::new();
    for (bi, &(company, bid)) in bids.iter().enumerate() {
        let mut ctrls: Option<Vec<Control>> = None;
        for &(p, m) in &upstream[bi] {
            let Some(m) = m else { continue };
            let pm = &list[m as usize];
            for s in seated {
                let Some((seat_row, matched)) = s.seat else {
                    continue;
                };
                let om = &list[ctx.mentions.of_official[s.official as usize] as usize];
                let official = &ctx.data.officials[s.official as usize];
                let Some(finding) = weigh(ctx, om, pm, || same_flat(ctx, pm, official)) else {
                    continue;
                };
                if known(ctx, s.official, s.person, p, m) {
                    continue;
                }
                let ctrls = ctrls.get_or_insert_with(|| {
                    controls(ctx.graph, ctx.data, ctx.mentions, company, proc_.published)
                });
                let Some(c) = ctrls
                    .iter()
                    .filter(|c| {
                        (c.person == p || c.mentions.contains(&m)) && qualifies(c).is_some()
                    })
                    .min_by_key(|c| control_order(c))
                else {
                    continue;
                };
                let seat = (s.official, seat_row, matched.score);
                let case = build_case(ctx, proc_, bid, company, seat, pm, &finding, c);
                let order = (finding.kin, control_order(c));
                let key = (s.official, bi as u32);
                let better = best
                    .get(&key)
                    .is_none_or(|(sc, o, _)| case.score > *sc || (case.score == *sc && order < *o));
                if better {
                    best.insert(key, (case.score, order, case));
                }
            }
        }
    }
    best.into_values().map(|(_, _, c)| c).collect()
}

#[allow(clippy::too_many_arguments)]
fn build_case(
    ctx: &Context,
    proc_: &Procurement,
    bid: &Participant,
    company: u32,
    (official, seat_row, seat_score): (u32, u32, f64),
    pm: &Mention,
    finding: &Finding,
    c: &Control,
) -> Case {
    let (data, g) = (ctx.data, ctx.graph);
    let official = &data.officials[official as usize];
    let seat = &data.seats[seat_row as usize];
    let p = finding.probability();
    let score = seat_score.min(p);
    let name = pm.display_name(data).to_owned();
    let sex = pm.names.iter().find_map(|n| n.sex);
    let mut steps = vec![Step {
        id: Some(official.official_id.to_string()),
        score: (seat_score < 1.0).then_some(round_score(seat_score)),
        ..step(
            "person",
            format!("{} ({})", official.full_name, seat.role.russian()),
        )
    }];
    steps.push(step(
        "relation",
        format!(
            "вероятно {}, в анкете не указан(а)",
            finding.kin.russian(sex)
        ),
    ));
    steps.push(Step {
        id: pm.inn.as_ref().map(ToString::to_string),
        score: Some(round_score(p)),
        ..step(
            "person",
            format!("{name} [признаки: {}; {p:.2}]", finding.signals.join(", ")),
        )
    });
    steps.extend(link_steps(g, c));
    let company_label = g.company_label(company);
    steps.extend(super::bid_steps(&company_label, bid, proc_));
    Case {
        case_id: case_id(
            CODE,
            &proc_.procurement_id,
            &official.official_id,
            &bid.participant_inn.text(),
        ),
        rule: CODE,
        severity: Severity::Low,
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: official.official_id.to_string(),
        official_name: official.full_name.to_string(),
        official_role: seat.role.code(),
        relation: finding.kin.code(),
        linked_person: name,
        participant_inn: bid.participant_inn.to_string(),
        participant_name: if bid.participant_name.is_empty() {
            company_label
        } else {
            bid.participant_name.to_string()
        },
        participant_link: link_text(g, c),
        is_winner: bid.is_winner,
        contract_price: bid.contract_price,
        legal_basis: LEGAL_BASIS,
        evidence: evidence_of(&steps),
        chain: steps,
    }
}
