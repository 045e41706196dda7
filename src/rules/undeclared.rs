//! UNDECLARED: a person of the company registry behind a bidder (in a role COI-44FZ names) who
//! is probably a relative of an official seated in the procurement, yet not in the official's
//! questionnaire. It checks the questionnaires themselves (measure 2.7 of the plan).
//!
//! A relative shares the official's surname in its gendered form (or the official's former
//! surname), and then: a sibling the same patronymic, a child a patronymic formed from the
//! official's given name, a father a given name the official's patronymic is formed from, a
//! spouse or other household member the same flat. Namesakes are the risk: each signal weighs
//! as much as it is rare in the data at hand (see [`WEIGHTS`]), the prior is estimated from
//! the data's own pairs (see [`PriorEstimate`]), and a case needs a probability of kinship
//! over a namesake of at least [`MIN_PROBABILITY`].

use rayon::prelude::*;
use smallvec::SmallVec;

use super::shared::{control_order, link_steps, link_text, qualifies, seat_step, Post, Upstream};
/// The relation the signals point to.
use super::ProbableKin as Kin;
use super::{
    case_id, round_score, Case, Chain, Context, Counted, Relation, Rule, RuleInfo, Said, Sentence,
    Severity, Signal, Step, Text,
};
use crate::graph::{controls, kin_edges, Control};
use crate::model::{Official, Participant, Procurement, Sex};
use crate::normalize::name::{is_common_surname, patronymic_from, patronymic_root};
use crate::normalize::{Mention, MentionId, MentionSource, Part};
use crate::resolve::compare::{typo_close, RARE_SURNAME_BITS};
use crate::resolve::PersonId;

/// Code of the rule.
pub const CODE: &str = "UNDECLARED";

/// Its sentence of the annual report.
static SENTENCE: Sentence = Sentence {
    order: 2,
    found: Text {
        ru: "Выявлены лица, вероятно являющиеся родственниками должностных лиц и не указанные в их анкетах (проверка сведений анкет, мероприятие 2.7; совпадение фамилии и отчества или адреса, требует проверки)",
        en: "Persons were found who are probably relatives of officials and are missing from their questionnaires (a check of the questionnaires, measure 2.7; a shared surname and patronymic or address, to be verified)",
    },
    found_besides: None,
    none: None,
    counted: Counted::Cases,
};

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Вероятные родственники, не указанные в анкете",
        en: "Probable relatives missing from the questionnaire",
    },
    description: "a person behind a bidder is probably a seated official's relative (surname and patronymic, or a shared flat) missing from the questionnaire",
    // The duty to report what may bring a conflict of interest, of which the questionnaire
    // is part.
    legal_basis: "273-ФЗ ст. 11",
    severity: [Severity::Low, Severity::Low],
    sentence: &SENTENCE,
    yields_to: &[],
};

/// The rule.
pub struct Undeclared;

impl Rule for Undeclared {
    fn info(&self) -> &'static RuleInfo {
        &INFO
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
    /// a given official on its commission, where the data is too small to estimate them (see
    /// [`PriorEstimate`]). -12.25: under the floor of [`MIN_PROBABILITY`] a case then needs
    /// 16.5 bits of signals, as it did at even odds under the hand-set prior of -16.5 before
    /// the prior was estimated.
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

/// The weights UNDECLARED uses, documented in `docs/rules.md`.
pub const WEIGHTS: Weights = Weights {
    prior: -12.25,
    sibling_years: [(5, 1.5), (10, 0.5), (15, -1.5)],
    generation_years: [(20, 40, 1.0), (16, 50, -1.0)],
    same_flat: 12.0,
    uncommon_surname: 10.0,
    surnames_for_counts: 50_000.0,
};

/// The least probability of kinship over a namesake that makes a case: the rule's precision
/// floor (a screening rule, its recall reported, not forced), so that, with a prior from the
/// data, each case is at least that likely.
pub const MIN_PROBABILITY: f64 = 0.95;

/// [`MIN_PROBABILITY`] as log2 odds: the least the signals and the prior sum to in a case.
fn min_bits() -> f64 {
    (MIN_PROBABILITY / (1.0 - MIN_PROBABILITY)).log2()
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
    /// Log2 likelihood ratio of kinship over a namesake: the signals' weights, no prior.
    bits: f64,
    signals: Vec<Signal>,
}

impl Finding {
    fn probability(&self, prior: f64) -> f64 {
        1.0 / (1.0 + (-(self.bits + prior)).exp2())
    }
}

fn full(p: Option<Part>) -> Option<crate::model::Sym> {
    p.and_then(Part::word)
}

/// Weighs what an official's record and a registry person's share; `same_flat` tells whether the
/// registry gives the person's address and it is the official's (asked only of the few pairs
/// that share a surname: nearly none do).
/// Long on purpose: the surname, then each pattern of names and ages, then the address, each
/// a weight the next adds to, in the order the evidence lists the signals.
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
    let mut patterns: Vec<(Kin, f64, Option<Signal>)> = Vec::new();
    if let (Some(a), Some(b)) = (full(on.patronymic), full(pn.patronymic)) {
        // Parents do not give two children of one sex one name: that is a namesake.
        let same_name = on.given == pn.given && on.sex == pn.sex;
        if !same_name && patronymic_root(&a).is_some() && patronymic_root(&a) == patronymic_root(&b)
        {
            patterns.push((
                Kin::Sibling,
                tf.patronymic_weight(b),
                Some(Signal::SamePatronymic),
            ));
        }
    }
    if let (Some(Sex::Male), Some(g), Some(p)) = (on.sex, full(on.given), full(pn.patronymic)) {
        if patronymic_from(&p, &g) {
            patterns.push((
                Kin::Child,
                tf.patronymic_weight(p),
                Some(Signal::PatronymicFromOfficial),
            ));
        }
    }
    if let (Some(Sex::Male), Some(g), Some(p)) = (pn.sex, full(pn.given), full(on.patronymic)) {
        if patronymic_from(&p, &g) {
            patterns.push((
                Kin::Parent,
                tf.patronymic_weight(p),
                Some(Signal::OfficialPatronymicFromTheirs),
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
        patterns.push((kin, 0.0, None));
    }
    let surname_signal = Signal::Surname {
        former,
        rare: surname_bits >= RARE_SURNAME_BITS,
    };
    patterns
        .into_iter()
        .filter_map(|(kin, pattern_bits, signal)| {
            let years_bits = match gap {
                Some(d) => Some(kin.years_bits(d)?),
                None => None,
            };
            let mut bits = surname_bits + pattern_bits;
            let mut signals = vec![surname_signal];
            signals.extend(signal);
            if let (Some(w), Some(a), Some(b)) = (years_bits, om.birth, pm.birth) {
                bits += w;
                if !matches!(kin, Kin::Spouse | Kin::Household) {
                    signals.push(Signal::BirthYears(a.year(), b.year()));
                }
            }
            if same_flat {
                bits += WEIGHTS.same_flat;
                signals.push(Signal::OneAddress);
            }
            Some(Finding { kin, bits, signals })
        })
        .filter(|f| f.bits + PRIOR_CEILING >= min_bits())
        .max_by(|a, b| a.bits.total_cmp(&b.bits).then(b.kin.cmp(&a.kin)))
}

/// Whether two names can be one person's: one surname stem, and given names and patronymics
/// that agree, are a typo apart, or are initials of each other (or missing). Looser than the
/// resolver's levels (`compare_word_parts`), which tell two dictionary given names a letter
/// apart (Елена, Алена) as two people: here either may be a listed relative written wrong.
fn one_name(a: &Mention, b: &Mention) -> bool {
    fn parts_agree(x: Option<Part>, y: Option<Part>) -> bool {
        match (x, y) {
            (Some(x), Some(y)) => match (x.word(), y.word()) {
                (Some(x), Some(y)) => x == y || typo_close(&x, &y),
                _ => x.text().chars().next() == y.text().chars().next(),
            },
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
    crate::normalize::contact::address_contact(address).filter(|&k| !ctx.contact_index().is_mass(k))
}

/// Whether the registry gives a person's address (an entrepreneur's is theirs) and it is the
/// official's flat.
fn same_flat(ctx: &Context, pm: &Mention, official: &Official) -> bool {
    let MentionSource::Entrepreneur(i) = pm.source() else {
        return false;
    };
    let inn = ctx.data.participants[i as usize].participant_inn;
    let registry = ctx
        .graph
        .company_by_inn
        .get(&inn)
        .and_then(|&c| ctx.contact_index().row(c))
        .and_then(|row| flat(ctx, &ctx.data.companies[row as usize].address()));
    registry.is_some() && registry == flat(ctx, &official.address())
}

/// One (seated official, registry person behind a bidder) pair whose signals may make a case,
/// kept until the prior is known (see [`finish`]).
pub(super) struct Candidate<'a> {
    proc_: &'a Procurement,
    /// (official, bidder's index in the procurement): a case per key at most.
    key: (u32, u32),
    bid: &'a Participant,
    company: u32,
    /// (official, seat row, how well the seat's name matched the official).
    seat: (u32, u32, f64),
    mention: MentionId,
    finding: Finding,
    control: Control,
    /// The relation and the strength of the role: what ranks equal scores.
    order: (Kin, u8),
}

/// What the pairs of the procurements tell about how often a seated official and a person
/// behind a bidder are undeclared kin (see [`PriorEstimate`]). Pairs are counted once per
/// procurement.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PairCounts {
    /// (seated official, registry person behind a bidder) pairs whose official's surname is
    /// rare in the data (every stem weighs at least [`RARE_SURNAME_BITS`]).
    pub rare_pairs: u64,
    /// Rare pairs sharing the official's surname stem whose person is not the official nor a
    /// relative the questionnaire lists.
    pub rare_agreeing: u64,
    /// How many rare pairs would share the surname by chance: the sum of its frequency.
    pub rare_chance: f64,
}

impl PairCounts {
    /// Both counts together (in a fixed order, so the sum of frequencies does not depend on
    /// threads).
    pub(super) fn add(&mut self, o: &PairCounts) {
        self.rare_pairs += o.rare_pairs;
        self.rare_agreeing += o.rare_agreeing;
        self.rare_chance += o.rare_chance;
    }
}

/// What one procurement gives UNDECLARED: its candidates, in key order, and its pair counts.
#[derive(Default)]
pub(super) struct Found<'a> {
    pub(super) candidates: Vec<Candidate<'a>>,
    pub(super) counts: PairCounts,
}

/// The candidates of one procurement and its pair counts.
pub(super) fn cases<'a>(
    ctx: &'a Context,
    proc_: &'a Procurement,
    seated: &[Post],
    bids: &[(u32, &'a Participant)],
    upstream: &[Upstream],
) -> Found<'a> {
    let list = &ctx.mentions.list;
    let tf = &ctx.resolution.tf;
    let mut found = Found::default();
    // Each seated official's surname stems, if all are rare, with their summed frequency.
    let rare: Vec<Option<(SmallVec<[crate::model::Sym; 2]>, f64)>> = seated
        .iter()
        .map(|s| {
            let om = &list[ctx.mentions.of_official[s.official as usize] as usize];
            let stems: SmallVec<[_; 2]> = om.names.iter().filter_map(|n| n.surname_stem).collect();
            let rare = !stems.is_empty()
                && tf.surnames_counted() >= WEIGHTS.surnames_for_counts
                && stems
                    .iter()
                    .all(|&st| tf.surname_weight(st) >= RARE_SURNAME_BITS);
            rare.then(|| {
                let chance = stems.iter().map(|&st| tf.surname_share(st)).sum();
                (stems, chance)
            })
        })
        .collect();
    for (bi, &(company, bid)) in bids.iter().enumerate() {
        let mut ctrls: Option<Vec<Control>> = None;
        for &(p, m) in &upstream[bi] {
            let Some(m) = m else { continue };
            let pm = &list[m as usize];
            for (s, rare) in seated.iter().zip(&rare) {
                let Some((seat_row, matched)) = s.seat else {
                    continue;
                };
                // Asked only of the few pairs that share a surname, and once.
                let mut is_known = None;
                let mut known_pair =
                    || *is_known.get_or_insert_with(|| known(ctx, s.official, s.person, p, m));
                if let Some((stems, chance)) = rare {
                    found.counts.rare_pairs += 1;
                    found.counts.rare_chance += chance;
                    let agrees = pm
                        .names
                        .iter()
                        .any(|n| n.surname_stem.is_some_and(|st| stems.contains(&st)));
                    if agrees && !known_pair() {
                        found.counts.rare_agreeing += 1;
                    }
                }
                let om = &list[ctx.mentions.of_official[s.official as usize] as usize];
                let official = &ctx.data.officials[s.official as usize];
                let Some(finding) = weigh(ctx, om, pm, || same_flat(ctx, pm, official)) else {
                    continue;
                };
                if known_pair() {
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
                found.candidates.push(Candidate {
                    proc_,
                    key: (s.official, bi as u32),
                    bid,
                    company,
                    seat: (s.official, seat_row, matched.score),
                    mention: m,
                    order: (finding.kin, control_order(c)),
                    finding,
                    control: c.clone(),
                });
            }
        }
    }
    // Stable: within a key, the order of the walk decides ties.
    found.candidates.sort_by_key(|c| c.key);
    found
}

/// UNDECLARED's cases: per (procurement, official, bidder), the candidate of the highest score
/// whose probability of kinship under `prior` is at least [`MIN_PROBABILITY`]. `candidates`
/// come grouped by procurement and key, as [`cases`] gives them.
pub(super) fn finish(ctx: &Context, candidates: &[&Candidate], prior: f64) -> Vec<Case> {
    let same = |a: &&Candidate, b: &&Candidate| std::ptr::eq(a.proc_, b.proc_) && a.key == b.key;
    candidates
        .chunk_by(same)
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|group| {
            let mut best: Option<(f64, (Kin, u8), &Candidate)> = None;
            for &c in group
                .iter()
                .filter(|c| c.finding.bits + prior >= min_bits())
            {
                let score = round_score(c.seat.2.min(c.finding.probability(prior)));
                let better = best.is_none_or(|(s, o, _)| score > s || (score == s && c.order < o));
                if better {
                    best = Some((score, c.order, c));
                }
            }
            best.map(|(_, _, c)| build_case(ctx, c, prior))
        })
        .collect()
}

/// The log2 prior odds that a seated official and a person behind a bidder are undeclared
/// kin, estimated from the pairs of the data at hand.
///
/// Where the official's surname is rare in the data, a person behind a bidder who shares it is
/// nearly always family: the pairs sharing it beyond the count chance gives (the sum of the
/// surname's frequency over the pairs) are the kin among them, found in a share `m` of the
/// kin (estimated from the questionnaires: the declared relatives who share the official's
/// surname). So the rate of kin among rare pairs is `(agreeing - chance) / m / rare pairs`,
/// and kinship does not depend on how rare one's surname is. Chance comes from the surname
/// frequencies of the data, which count the families themselves: it errs high, so the prior
/// errs low (fewer cases, not more). With too few kin beyond chance ([`MIN_KIN`]) to
/// estimate from, the rule keeps [`Weights::prior`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriorEstimate {
    /// The prior used, in bits.
    pub prior: f64,
    /// It was estimated from the data (else the default).
    pub estimated: bool,
    /// What the pairs showed.
    pub counts: PairCounts,
    /// Share of declared relatives who share the official's surname stem.
    pub surname_m: f64,
    /// Surnames counted in the data: below [`Weights::surnames_for_counts`] no surname counts
    /// as rare and the prior is the default.
    pub surnames_counted: f64,
}

impl std::fmt::Display for PriorEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.counts;
        let kin = kin_beyond_chance(c, self.surname_m);
        write!(f, "UNDECLARED prior: {:.1} bits, ", self.prior)?;
        if self.estimated {
            write!(f, "estimated from the data: ")?;
        } else if self.surnames_counted < WEIGHTS.surnames_for_counts {
            return write!(
                f,
                "the default: {:.0} surnames counted, fewer than {:.0} to tell a rare one",
                self.surnames_counted, WEIGHTS.surnames_for_counts
            );
        } else {
            write!(
                f,
                "the default: fewer than {MIN_KIN:.0} kin beyond chance to estimate from: "
            )?;
        }
        write!(
            f,
            "{} of {} pairs whose official's surname is rare share it, {:.1} by chance, \
             {:.0}% of declared relatives share their official's surname: {kin:.1} kin",
            c.rare_agreeing,
            c.rare_pairs,
            c.rare_chance,
            100.0 * self.surname_m
        )
    }
}

/// The fewest kin beyond chance in the rare pairs from which the prior is estimated.
pub const MIN_KIN: f64 = 20.0;

/// The prior cannot be estimated above this (bits; kin in one pair of a thousand would be a
/// clan running the procurements): candidates whose signals could not make a case under it
/// are not kept for [`finish`].
const PRIOR_CEILING: f64 = -10.0;

/// Estimates UNDECLARED's prior from the pairs counted (see [`PriorEstimate`]).
pub(super) fn estimate_prior(ctx: &Context, counts: &PairCounts) -> PriorEstimate {
    let m = surname_m(ctx);
    let estimate = prior_from(counts, m);
    PriorEstimate {
        prior: estimate.unwrap_or(WEIGHTS.prior),
        estimated: estimate.is_some(),
        counts: *counts,
        surname_m: m,
        surnames_counted: ctx.resolution.tf.surnames_counted(),
    }
}

/// The kin among the rare pairs: those sharing the surname beyond chance, over the share `m`
/// of kin who share it.
fn kin_beyond_chance(counts: &PairCounts, m: f64) -> f64 {
    (counts.rare_agreeing as f64 - counts.rare_chance).max(0.0) / m
}

/// The prior in bits from the rare pairs (see [`PriorEstimate`]), `None` with fewer than
/// [`MIN_KIN`] kin beyond chance; never above [`PRIOR_CEILING`].
fn prior_from(counts: &PairCounts, m: f64) -> Option<f64> {
    let kin = kin_beyond_chance(counts, m);
    (kin >= MIN_KIN).then(|| {
        let rate = (kin + 0.5) / (counts.rare_pairs as f64 + 1.0);
        (rate / (1.0 - rate)).log2().min(PRIOR_CEILING)
    })
}

/// The share of declared relatives (spouses, parents, children, siblings) who share a
/// surname stem with their official, with half a relative added either way (Jeffreys).
fn surname_m(ctx: &Context) -> f64 {
    let list = &ctx.mentions.list;
    let (mut agree, mut all) = (0u64, 0u64);
    for &id in &ctx.mentions.of_official {
        let om = &list[id as usize];
        let person = ctx.resolution.person_of[id as usize];
        for (_, kinship, relrow, declared) in kin_edges(ctx.graph, person) {
            use crate::model::Kinship as K;
            let close = matches!(
                kinship,
                K::Spouse | K::Parent | K::Child | K::Sibling | K::HalfSibling
            );
            if !declared || !close {
                continue;
            }
            let rm = &list[ctx.mentions.of_relative[relrow as usize] as usize];
            all += 1;
            let shares = om.names.iter().any(|a| {
                rm.names
                    .iter()
                    .any(|b| a.surname_stem.is_some() && a.surname_stem == b.surname_stem)
            });
            agree += u64::from(shares);
        }
    }
    (agree as f64 + 0.5) / (all as f64 + 1.0)
}

fn build_case(ctx: &Context, cand: &Candidate, prior: f64) -> Case {
    let Candidate {
        proc_,
        bid,
        company,
        seat: (official_row, seat_row, seat_score),
        mention,
        ref finding,
        control: ref c,
        ..
    } = *cand;
    let pm = &ctx.mentions.list[mention as usize];
    let (data, g) = (ctx.data, ctx.graph);
    let official = &data.officials[official_row as usize];
    let seat = &data.seats[seat_row as usize];
    let p = finding.probability(prior);
    let score = seat_score.min(p);
    let name = pm.display_name(data).into_owned();
    let sex = pm.names.iter().find_map(|n| n.sex);
    let mut steps = vec![seat_step(official, seat.role, seat_score)];
    steps.push(Step::new(Said::Relation(Relation::Probable {
        kin: finding.kin,
        sex,
    })));
    steps.push(Step {
        id: pm.inn.as_ref().map(ToString::to_string),
        score: Some(round_score(p)),
        ..Step::new(Said::Suspect {
            name: name.clone(),
            signals: finding.signals.clone(),
            probability: p,
        })
    });
    steps.extend(link_steps(g, c));
    let company_label = g.company_label(company);
    steps.extend(super::bid_steps(&company_label, bid, proc_));
    Case {
        case_id: case_id(
            CODE,
            &proc_.procurement_id,
            &official.official_id(),
            &bid.participant_inn.text(),
        ),
        rule: CODE,
        severity: INFO.severity(bid.is_winner),
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: official.official_id().to_string(),
        official_name: official.full_name().to_string(),
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
        contract_price: bid.contract_price.get(),
        legal_basis: INFO.legal_basis,
        chain: Chain(steps),
        persons: {
            let person = |m: MentionId| ctx.resolution.person_of[m as usize];
            let mut v = vec![
                person(ctx.mentions.of_official[official_row as usize]),
                person(mention),
            ];
            v.extend(c.mentions.iter().map(|&m| person(m)));
            v.sort_unstable();
            v.dedup();
            v
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rare_pairs: u64, rare_agreeing: u64, rare_chance: f64) -> PairCounts {
        PairCounts {
            rare_pairs,
            rare_agreeing,
            rare_chance,
        }
    }

    #[test]
    fn the_prior_is_the_rate_of_kin_beyond_chance_among_rare_pairs() {
        // 300 agreeing, 100 by chance, every relative sharing the surname: 200 kin in 4 million.
        let c = counts(4_000_000, 300, 100.0);
        let expected = (200.5f64 / 4_000_001.0 / (1.0 - 200.5 / 4_000_001.0)).log2();
        let got = prior_from(&c, 1.0).unwrap();
        assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
        assert!((got - -14.28).abs() < 0.01, "{got}");
        // Half the relatives share the surname: twice the kin, one bit more.
        let half = prior_from(&c, 0.5).unwrap();
        assert!((half - got - 1.0).abs() < 0.01, "{half} vs {got}");
    }

    #[test]
    fn too_few_kin_beyond_chance_keep_the_default() {
        // 15 beyond chance: fewer than MIN_KIN.
        assert_eq!(prior_from(&counts(4_000_000, 115, 100.0), 1.0), None);
        // Fewer agreeing than chance gives: no kin at all.
        assert_eq!(prior_from(&counts(4_000_000, 90, 100.0), 1.0), None);
    }

    #[test]
    fn the_prior_never_exceeds_its_ceiling() {
        // Kin in one pair of ten would be -3.2 bits: held at the ceiling.
        assert_eq!(
            prior_from(&counts(1_000, 100, 0.0), 1.0),
            Some(PRIOR_CEILING)
        );
    }

    #[test]
    fn a_case_needs_the_floor_probability() {
        let f = Finding {
            kin: Kin::Sibling,
            bits: 14.2 + min_bits(),
            signals: Vec::new(),
        };
        assert!((f.probability(-14.2) - MIN_PROBABILITY).abs() < 1e-9);
        // The default prior asks the 16.5 bits the hand-set prior asked at even odds.
        assert!((WEIGHTS.prior - min_bits() - -16.5).abs() < 0.01);
    }

    #[test]
    fn the_summary_line_says_where_the_prior_comes_from() {
        let estimate = |estimated: bool, surnames_counted: f64| PriorEstimate {
            prior: if estimated { -14.25 } else { WEIGHTS.prior },
            estimated,
            counts: counts(4_000_000, 300, 100.0),
            surname_m: 1.0,
            surnames_counted,
        };
        assert_eq!(
            estimate(true, 1e6).to_string(),
            "UNDECLARED prior: -14.2 bits, estimated from the data: 300 of 4000000 pairs whose \
             official's surname is rare share it, 100.0 by chance, 100% of declared relatives \
             share their official's surname: 200.0 kin"
        );
        assert_eq!(
            estimate(false, 43_464.0).to_string(),
            "UNDECLARED prior: -12.2 bits, the default: 43464 surnames counted, fewer than 50000 \
             to tell a rare one"
        );
        assert!(estimate(false, 1e6)
            .to_string()
            .starts_with("UNDECLARED prior: -12.2 bits, the default: fewer than 20 kin"));
    }
}
