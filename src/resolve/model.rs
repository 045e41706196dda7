//! The field model of `affil link`: Fellegi-Sunter match weights for every field of the
//! person schema, described as data (a table of fields, levels and their m- and
//! u-probabilities), estimated from the lists at hand as Splink does: u from random pairs, m by
//! expectation maximisation over the blocked pairs, the prior's start from deterministic rules.
//! [`Model::defaults`] is the starting point, and the fallback where the lists are too small to
//! estimate (a municipality's 40 officials).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::model::Sym;
use crate::normalize::Part;
use crate::rng::Rng;

use super::fields::{self, compare_records, FieldRecord, Vector, FIELDS, MISSING};

/// The fields compared, in [`Vector`] order, as the model file names them.
pub const FIELD_NAMES: [&str; FIELDS] = [
    "surname",
    "given_name",
    "patronymic",
    "birth_date",
    "inn",
    "address",
    "phone",
    "email",
];

/// The fields as explanations name them.
const FIELD_WORDS: [&str; FIELDS] = [
    "surname",
    "given",
    "patronymic",
    "birth date",
    "INN",
    "address",
    "phone",
    "e-mail",
];

/// The levels of each field, strongest agreement first (the codes of [`fields`]).
pub const LEVEL_NAMES: [&[&str]; FIELDS] = [
    &[
        "exact",
        "gender form",
        "double-barrelled",
        "typo",
        "transposed",
        "similar",
        "former name",
        "different",
    ],
    &["exact", "typo", "initial", "different"],
    &["exact", "typo", "initial", "different"],
    &[
        "exact",
        "day/month swapped",
        "one digit",
        "year only",
        "year +-1",
        "different",
    ],
    &["equal", "one digit", "different"],
    &[
        "exact",
        "same flat",
        "same house",
        "same street",
        "similar",
        "different",
    ],
    &["equal", "different"],
    &["equal", "same user", "different"],
];

/// The starting `(m, u)` of every level: today's hand-set weights (`log2(m/u)` in bits, see
/// [`super::compare::WEIGHTS`] for the names and the date) where the old matcher had them, and
/// its vetoes (two full birth dates that differ) as about -20 bits; the typo levels new.
const DEFAULTS: [&[(f64, f64)]; FIELDS] = [
    &[
        (0.85, 0.0024),
        (0.03, 0.0009),
        (0.01, 0.0003),
        (0.04, 0.0012),
        (0.01, 0.0001),
        (0.01, 0.005),
        (0.02, 0.00008),
        (0.001, 0.995),
    ],
    &[(0.88, 0.0275), (0.04, 0.005), (0.05, 0.0125), (0.003, 0.77)],
    &[(0.9, 0.014), (0.03, 0.0019), (0.05, 0.0088), (0.003, 0.77)],
    &[
        (0.85, 0.00166),
        (0.01, 0.0001),
        (0.04, 0.001),
        (0.03, 0.00375),
        (1e-5, 0.05),
        (1e-6, 0.94),
    ],
    &[(0.97, 1e-9), (0.02, 1e-6), (0.001, 1.0)],
    &[
        (0.4, 0.0005),
        (0.1, 0.0002),
        (0.15, 0.001),
        (0.1, 0.01),
        (0.1, 0.05),
        (0.15, 0.94),
    ],
    &[(0.8, 0.0001), (0.2, 0.9999)],
    &[(0.8, 0.00001), (0.05, 0.001), (0.15, 0.999)],
];

/// One level's probabilities.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    /// The level's name (see [`LEVEL_NAMES`]).
    pub level: String,
    /// P(level | the two records are one person).
    pub m: f64,
    /// P(level | two different people).
    pub u: f64,
}

impl LevelParams {
    /// Match weight in bits: log2(m/u).
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// One field's levels, and where its probabilities come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    /// The field (see [`FIELD_NAMES`]).
    pub field: String,
    /// `estimated` or `default` (too few values to estimate), for m and u.
    pub m_from: String,
    /// See `m_from`.
    pub u_from: String,
    /// Levels, strongest agreement first.
    pub levels: Vec<LevelParams>,
}

/// A trained (or default) field model, as `--model FILE` saves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Where the weights come from, in words.
    pub source: String,
    /// Expected matching pairs per record of the (smaller) list: the prior, independent of
    /// the list's size. `None`: one match per record among all its possible partners.
    pub matches_per_record: Option<f64>,
    /// Fields in [`FIELD_NAMES`] order.
    pub fields: Vec<FieldParams>,
}

/// Lists smaller than this keep the default weights: too few pairs to estimate from.
pub const MIN_TRAIN_RECORDS: usize = 1_000;
/// Expected matching pairs below which the estimate is not trusted.
const MIN_TRAIN_MATCHES: f64 = 20.0;
/// Random pairs drawn for the u-probabilities at most.
pub const U_SAMPLE: usize = 300_000;
/// Random pairs drawn per record at most: beyond a few per record the pairs only re-use the
/// same records' values. Measured, not fitted: the F1 on FEBRL 1-3 (lists of 1,000 and 5,000)
/// moves by at most 0.001 from 2 to 1,000 pairs per record, on a generated regional pair of
/// lists (285,000 records) by 0.0001 from 0.07 to 1 (docs/matching.md); the 300,000 drawn for a
/// list of 1,000 records were most of the run's time.
pub const U_PER_RECORD: usize = 20;
/// Pseudo-pairs added to each level's count among random pairs (Jeffreys' half): a level never
/// seen in N random pairs gets u of about 1 in 2N, not zero.
const U_PSEUDO: f64 = 0.5;
/// Pseudo-matches, spread over a field's levels as the defaults spread m, added to each EM
/// estimate: a level the matches never show keeps a finite m, and so much less than one
/// observation that the data decides (unseen in 2,000 matches, a level's m is about 1 in a
/// million: a strong sign against).
const M_PSEUDO: f64 = 0.05;
/// Expected matches with a field present below which its m stays the default.
const MIN_FIELD_MATCHES: f64 = 10.0;
/// Smallest m or u a level gets: no level decides alone with infinite weight.
const FLOOR: f64 = 1e-9;
/// EM iterations at most, and the change in every m below which it stops.
const EM_MAX_ITER: usize = 100;
const EM_TOLERANCE: f64 = 1e-6;
/// Records at the level's u mixed into each term frequency, so that small lists (a few
/// hundred records) keep the level's weight (as the check's term frequencies do).
const TF_PSEUDO: f64 = 10_000.0;

impl Model {
    /// The hand-set starting point.
    pub fn defaults() -> Model {
        Model {
            source: "default weights".to_owned(),
            matches_per_record: None,
            fields: (0..FIELDS)
                .map(|f| FieldParams {
                    field: FIELD_NAMES[f].to_owned(),
                    m_from: "default".to_owned(),
                    u_from: "default".to_owned(),
                    levels: LEVEL_NAMES[f]
                        .iter()
                        .zip(DEFAULTS[f])
                        .map(|(name, &(m, u))| LevelParams {
                            level: (*name).to_owned(),
                            m,
                            u,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The default u of a field's level (see [`Model::defaults`]).
    pub fn default_u(field: usize, level: u8) -> f64 {
        DEFAULTS[field][usize::from(level)].1
    }

    /// Reads a model file, checking its fields and levels against the code's.
    pub fn read(path: &std::path::Path) -> crate::error::Result<Model> {
        use crate::error::Error;
        let bad = |reason: String| Error::BadModel {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let model: Model = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let fits = model.fields.len() == FIELDS
            && model.fields.iter().enumerate().all(|(f, p)| {
                p.field == FIELD_NAMES[f]
                    && p.levels.len() == LEVEL_NAMES[f].len()
                    && p.levels.iter().zip(LEVEL_NAMES[f]).all(|(l, n)| {
                        l.level == *n && l.m > 0.0 && l.u > 0.0 && l.m <= 1.0 && l.u <= 1.0
                    })
            });
        if !fits {
            return Err(bad(format!(
                "its fields or levels are not this version's ({}), or a probability is \
                 outside (0, 1]",
                FIELD_NAMES.join(", ")
            )));
        }
        Ok(model)
    }

    /// Writes the model as JSON.
    pub fn write(&self, path: &std::path::Path) -> crate::error::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a model serialises");
        std::fs::write(path, text + "\n").map_err(|e| crate::error::Error::write(path, e))
    }

    /// Weight in bits of one field's level (0 when missing).
    pub fn weight(&self, field: usize, level: u8) -> f64 {
        if level == MISSING {
            0.0
        } else {
            self.fields[field].levels[usize::from(level)].weight()
        }
    }

    /// The prior weight for `n` records in one list, or two lists split at `split`. A trained
    /// model expects its matches per record of the smaller list among all possible pairs; the
    /// defaults, as the old matcher, log2(1/n) for the larger list's `n` records.
    pub fn prior(&self, n: usize, split: Option<usize>) -> f64 {
        let (smaller, larger) = match split {
            Some(s) => (s.min(n - s), s.max(n - s)),
            None => (n, n),
        };
        match self.matches_per_record {
            Some(r) => {
                let expected = r * smaller.max(1) as f64;
                let lambda = (expected / possible_pairs(n, split).max(1.0)).clamp(1e-15, 0.5);
                (lambda / (1.0 - lambda)).log2()
            }
            None => super::compare::prior_for(larger),
        }
    }

    /// The table in words, for `--train`.
    pub fn table(&self) -> String {
        let mut out = format!("weights: {}\n", self.source);
        if let Some(r) = self.matches_per_record {
            let _ = writeln!(out, "matching pairs per record: {r:.4}");
        }
        let _ = writeln!(
            out,
            "{:<12} {:<18} {:>10} {:>12} {:>8}  m / u from",
            "field", "level", "m", "u", "bits"
        );
        for f in &self.fields {
            for l in &f.levels {
                let _ = writeln!(
                    out,
                    "{:<12} {:<18} {:>10.6} {:>12.3e} {:>+8.2}  {} / {}",
                    f.field,
                    l.level,
                    l.m,
                    l.u,
                    l.weight(),
                    f.m_from,
                    f.u_from
                );
            }
        }
        out
    }
}

/// How often each given name, surname and patronymic occurs in the lists, for weights that
/// follow a value's frequency: agreeing on `Смирнов` says less than on a rare surname.
#[derive(Clone, Debug, Default)]
pub struct ValueFreq {
    counts: [FxHashMap<Sym, u32>; 3],
    totals: [f64; 3],
}

impl ValueFreq {
    /// Counts the records' name parts.
    pub fn of(records: &[&[FieldRecord]]) -> ValueFreq {
        let mut vf = ValueFreq::default();
        for r in records.iter().flat_map(|l| l.iter()) {
            for (i, v) in name_values(r).into_iter().enumerate() {
                if let Some(v) = v {
                    *vf.counts[i].entry(v).or_default() += 1;
                    vf.totals[i] += 1.0;
                }
            }
        }
        vf
    }

    /// The exact level's weight for agreeing on each value counted, from the level's m and the
    /// value's frequency pulled toward the level's u (Splink's term-frequency adjustment):
    /// computed once per value, looked up per pair.
    pub fn weights(&self, model: &Model) -> ValueWeights {
        let weight = |part: usize, count: u32| {
            let level = &model.fields[part].levels[0];
            let freq = (f64::from(count) + TF_PSEUDO * level.u) / (self.totals[part] + TF_PSEUDO);
            (level.m / freq.max(FLOOR)).log2()
        };
        ValueWeights {
            weights: std::array::from_fn(|part| {
                self.counts[part]
                    .iter()
                    .map(|(&v, &c)| (v, weight(part, c)))
                    .collect()
            }),
            unseen: std::array::from_fn(|part| weight(part, 0)),
        }
    }
}

/// The exact levels' weights of the name values of some lists under one model (see
/// [`ValueFreq::weights`]).
#[derive(Clone, Debug, Default)]
pub struct ValueWeights {
    weights: [FxHashMap<Sym, f64>; 3],
    unseen: [f64; 3],
}

impl ValueWeights {
    fn weight(&self, part: usize, value: Sym) -> f64 {
        self.weights[part]
            .get(&value)
            .copied()
            .unwrap_or(self.unseen[part])
    }
}

/// The surname (as written), the whole given name and the whole patronymic of a record.
fn name_values(r: &FieldRecord) -> [Option<Sym>; 3] {
    let word = |p: &Option<Part>| p.and_then(Part::word);
    [
        r.name.surname,
        word(&r.name.given),
        word(&r.name.patronymic),
    ]
}

/// One compared pair, scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// Field levels.
    pub vector: Vector,
    /// Weight of each field in bits (term frequencies applied), 0 where missing.
    pub weights: [f64; FIELDS],
    /// Total weight, prior included.
    pub total: f64,
    /// Probability that both records are one person.
    pub probability: f64,
}

impl Model {
    /// Scores two records; `None` when they cannot be one person (see [`compare_records`]).
    pub fn score(
        &self,
        a: &FieldRecord,
        b: &FieldRecord,
        prior: f64,
        freq: &ValueWeights,
    ) -> Option<Scored> {
        Some(self.score_vector(a, b, compare_records(a, b)?, prior, freq))
    }

    /// [`Model::score`] of two records already compared into `vector`.
    pub fn score_vector(
        &self,
        a: &FieldRecord,
        b: &FieldRecord,
        vector: Vector,
        prior: f64,
        freq: &ValueWeights,
    ) -> Scored {
        let mut weights = [0.0; FIELDS];
        let (va, vb) = (name_values(a), name_values(b));
        for (f, w) in weights.iter_mut().enumerate() {
            *w = self.weight(f, vector[f]);
        }
        for part in 0..3 {
            // Term frequencies where the two agree exactly (the commoner value decides).
            if vector[part] == 0 {
                if let (Some(x), Some(y)) = (va[part], vb[part]) {
                    weights[part] = if x == y {
                        freq.weight(part, x)
                    } else {
                        freq.weight(part, x).min(freq.weight(part, y))
                    };
                }
            }
        }
        let total = prior + weights.iter().sum::<f64>();
        Scored {
            vector,
            weights,
            total,
            probability: super::compare::probability(total),
        }
    }

    /// The score as a waterfall in words: `surname exact +8.4, given typo +2.9,
    /// birth date day/month swapped +6.1, address same house +3.0, prior -17.2 -> 0.970`;
    /// fields one side lacks are left out.
    pub fn explain(&self, s: &Scored, prior: f64) -> String {
        let mut out = String::new();
        for f in 0..FIELDS {
            if s.vector[f] == MISSING {
                continue;
            }
            let _ = write!(
                out,
                "{} {} {:+.1}, ",
                FIELD_WORDS[f],
                LEVEL_NAMES[f][usize::from(s.vector[f])],
                s.weights[f]
            );
        }
        let _ = write!(out, "prior {prior:+.1} -> {:.3}", s.probability);
        out
    }
}

/// What training saw.
#[derive(Clone, Debug, Default)]
pub struct Training {
    /// Candidate pairs compared.
    pub candidates: usize,
    /// Random pairs the u-probabilities were counted over.
    pub random_pairs: usize,
    /// EM iterations run (0: not trained).
    pub iterations: usize,
    /// Expected matching pairs among all pairs, by the estimate.
    pub expected_matches: f64,
    /// Each session: its rule, expected matches and pairs.
    pub sessions: Vec<(Session, f64, usize)>,
    /// Per field, the expected matches with the field present in the session its m comes
    /// from (0: the default m).
    pub field_matches: [f64; FIELDS],
    /// The model was estimated (else it is [`Model::defaults`], its `source` saying why).
    pub estimated: bool,
}

/// A deterministic rule's match: equal INN, e-mail or phone, or surname, given name and full
/// birth date exact.
fn deterministic(v: &Vector) -> bool {
    v[4] == fields::inn::EQUAL
        || v[6] == fields::key::EQUAL
        || v[7] == fields::email::EQUAL
        || (v[0] == fields::surname::EXACT
            && v[1] == fields::word::EXACT
            && v[3] == fields::date::EXACT)
}

/// The most levels a field has (see [`LEVEL_NAMES`]).
const MAX_LEVELS: usize = 8;
const _: () = {
    let mut f = 0;
    while f < FIELDS {
        assert!(LEVEL_NAMES[f].len() <= MAX_LEVELS);
        f += 1;
    }
};

/// How often each level of each field came up among random pairs: what the u-probabilities
/// are estimated from. Counts rather than the pairs' vectors, so that drawing many pairs needs
/// no memory; integers, so that their sum is the same in any order and on any thread count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LevelCounts {
    /// Pairs counted (a pair with two valid different INNs or of two sexes is never compared).
    pub pairs: usize,
    counts: [[u64; MAX_LEVELS]; FIELDS],
}

impl LevelCounts {
    /// Counts one pair's levels.
    pub fn add(&mut self, v: &Vector) {
        self.pairs += 1;
        for (counts, &level) in self.counts.iter_mut().zip(v) {
            if level != MISSING {
                counts[usize::from(level)] += 1;
            }
        }
    }

    /// Both counts together.
    pub fn merge(mut self, other: LevelCounts) -> LevelCounts {
        self.pairs += other.pairs;
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        self
    }

    /// The levels of the pairs `vectors` yields, counted in parallel.
    pub fn of<I: ParallelIterator<Item = Vector>>(vectors: I) -> LevelCounts {
        vectors
            .fold(LevelCounts::default, |mut c, v| {
                c.add(&v);
                c
            })
            .reduce(LevelCounts::default, LevelCounts::merge)
    }

    /// How often field `f` was at `level`.
    fn count(&self, f: usize, level: usize) -> u64 {
        self.counts[f][level]
    }
}

/// What a model is estimated from (see [`train_from`]).
pub struct TrainInput<'a> {
    /// Records the EM sessions pair up: with `split`, the left list's first.
    pub records: &'a [FieldRecord],
    /// With two lists, where the right one starts.
    pub split: Option<usize>,
    /// The levels of random pairs of the whole population: the u-probabilities.
    pub random: &'a LevelCounts,
    /// Level vectors of the candidate pairs, for the prior; empty: no prior estimated (the
    /// estimate is then trusted on its sessions' matches).
    pub candidates: &'a [Vector],
    /// Pairs there are to compare in the population.
    pub possible: f64,
    /// Records of the smaller list (or the one list) of the population.
    pub smaller: usize,
}

/// Estimates a model from the records and their candidate pairs. `split`: with two lists,
/// records `..split` are the left list and random pairs are drawn across; `None` in dedup
/// mode. `random_pairs`: how many to draw for u (`None`: [`U_PER_RECORD`] per record, at most
/// [`U_SAMPLE`]). Falls back to [`Model::defaults`] (saying so in `source`) when the lists are
/// too small.
pub fn train(
    records: &[FieldRecord],
    split: Option<usize>,
    candidates: &[Vector],
    random_pairs: Option<usize>,
) -> (Model, Training) {
    let n = records.len();
    let smaller = split.map_or(n, |s| s.min(n - s));
    // The same random pairs on every run, whatever the threads: pair i is drawn by the two
    // draws of one stream that start at 2i. None for lists too small to estimate from.
    let stream = Rng::new(0x5eed_affe, 0);
    let draws = if smaller < MIN_TRAIN_RECORDS {
        0
    } else {
        random_pairs.unwrap_or(U_SAMPLE.min(U_PER_RECORD * n))
    };
    let random = LevelCounts::of((0..draws).into_par_iter().filter_map(|i| {
        let mut rng = stream.clone();
        rng.skip(2 * i as u64);
        let (a, b) = random_pair(&mut rng, n, split);
        compare_records(&records[a], &records[b])
    }));
    train_from(&TrainInput {
        records,
        split,
        random: &random,
        candidates,
        possible: possible_pairs(n, split),
        smaller,
    })
}

/// A random pair of `n` records (two draws of `rng`): across the lists with `split`, else two
/// different records.
fn random_pair(rng: &mut Rng, n: usize, split: Option<usize>) -> (usize, usize) {
    match split {
        Some(s) => (rng.below(s), s + rng.below(n - s)),
        None => {
            let a = rng.below(n);
            let b = (a + 1 + rng.below(n - 1)) % n;
            (a, b)
        }
    }
}

/// [`train`] from its parts: u from `input.random`, m by EM in sessions over `input.records`,
/// the prior from `input.candidates`.
pub fn train_from(input: &TrainInput) -> (Model, Training) {
    let mut model = Model::defaults();
    let TrainInput {
        records,
        split,
        random,
        candidates,
        possible,
        smaller,
    } = *input;
    let n = records.len();
    let mut training = Training {
        candidates: candidates.len(),
        random_pairs: random.pairs,
        ..Training::default()
    };
    if smaller < MIN_TRAIN_RECORDS {
        model.source = format!(
            "default weights (the list has {smaller} records; at least {MIN_TRAIN_RECORDS} are \
             needed to estimate them)"
        );
        return (model, training);
    }
    estimate_u(&mut model, random);
    let notes = estimate_m(&mut model, records, split, &mut training);
    // The prior: with m and u fixed, the share of matches among all possible pairs that makes
    // the candidates most likely (pairs blocking does not propose are taken as non-matches),
    // starting from the pairs deterministic rules call matches. Without candidates (the
    // caller keeps its own prior), the sessions' matches are what the estimate rests on.
    training.expected_matches = if candidates.is_empty() {
        training.sessions.iter().map(|s| s.1).sum()
    } else {
        expected_matches(&model, candidates, possible)
    };
    if training.expected_matches < MIN_TRAIN_MATCHES {
        let mut fallback = Model::defaults();
        fallback.source = format!(
            "default weights (the estimate found {:.0} matching pairs; at least {MIN_TRAIN_MATCHES} \
             are needed)",
            training.expected_matches
        );
        return (fallback, training);
    }
    training.estimated = true;
    model.source = if candidates.is_empty() {
        format!(
            "estimated from {n} records: u from {} random pairs, m by EM ({})",
            random.pairs,
            notes.join("; "),
        )
    } else {
        model.matches_per_record = Some(training.expected_matches / smaller as f64);
        format!(
            "estimated from {n} records: u from {} random pairs, m by EM ({}), {:.0} matching \
             pairs expected",
            random.pairs,
            notes.join("; "),
            training.expected_matches,
        )
    };
    (model, training)
}

/// The u-probabilities of each field seen in 100 random pairs or more: random pairs are almost
/// all of two different people.
fn estimate_u(model: &mut Model, random: &LevelCounts) {
    for (f, p) in model.fields.iter_mut().enumerate() {
        let levels = p.levels.len();
        let counts: Vec<f64> = (0..levels).map(|l| random.count(f, l) as f64).collect();
        let seen: f64 = counts.iter().sum();
        if seen < 100.0 {
            continue;
        }
        p.u_from = "estimated".to_owned();
        for (l, c) in p.levels.iter_mut().zip(&counts) {
            l.u = ((c + U_PSEUDO) / (seen + U_PSEUDO * levels as f64)).max(FLOOR);
        }
    }
}

/// The m-probabilities by EM, one session per training rule: within pairs that agree on the
/// rule's fields, non-matches look like random pairs in the other fields (what u describes),
/// so those fields' m can be estimated there, and the rule's own fields' m in another session.
/// Returns a note per session.
fn estimate_m(
    model: &mut Model,
    records: &[FieldRecord],
    split: Option<usize>,
    training: &mut Training,
) -> Vec<String> {
    let mut m_est: Vec<Vec<f64>> = vec![Vec::new(); FIELDS];
    let mut from: [Option<&str>; FIELDS] = [None; FIELDS];
    let u: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|p| p.levels.iter().map(|l| l.u).collect())
        .collect();
    let start: Vec<Vec<f64>> = model
        .fields
        .iter()
        .map(|p| {
            let sum: f64 = p.levels.iter().map(|l| l.m).sum();
            p.levels.iter().map(|l| l.m / sum).collect()
        })
        .collect();
    let mut notes = Vec::new();
    for rule in SESSIONS {
        let pairs = session_pairs(records, split, &rule);
        let vectors: Vec<Vector> = pairs
            .par_iter()
            .filter_map(|&(a, b)| compare_records(&records[a as usize], &records[b as usize]))
            .collect();
        let Some(session) = em_session(&vectors, rule.fields, &start, &u) else {
            notes.push(format!("{}: no pairs", rule.name));
            continue;
        };
        training.iterations += session.iterations;
        for f in 0..FIELDS {
            if !rule.fields.contains(&f)
                && session.present[f] >= MIN_FIELD_MATCHES
                && from[f].is_none()
            {
                m_est[f].clone_from(&session.m[f]);
                from[f] = Some(rule.name);
                training.field_matches[f] = session.present[f];
            }
        }
        notes.push(format!(
            "{}: {} pairs, {:.0} matches, {} iterations",
            rule.name,
            vectors.len(),
            session.matches,
            session.iterations
        ));
        training
            .sessions
            .push((rule, session.matches, vectors.len()));
    }
    for (f, p) in model.fields.iter_mut().enumerate() {
        if let Some(rule) = from[f] {
            p.m_from = format!("estimated ({rule})");
            for (l, m) in p.levels.iter_mut().zip(&m_est[f]) {
                l.m = m.max(FLOOR);
            }
        }
    }
    notes
}

/// Pairs of records there are to compare: across the two lists, or within the one.
pub fn possible_pairs(n: usize, split: Option<usize>) -> f64 {
    match split {
        Some(s) => s as f64 * n.saturating_sub(s) as f64,
        None => n as f64 * n.saturating_sub(1) as f64 / 2.0,
    }
}

/// Iterations at most of the prior's estimate.
const PRIOR_MAX_ITER: usize = 200;

/// The expected matches among `possible` pairs: the maximum-likelihood share of matches with
/// m and u fixed, over the candidates' level vectors.
fn expected_matches(model: &Model, candidates: &[Vector], possible: f64) -> f64 {
    let mut counted: BTreeMap<Vector, f64> = BTreeMap::new();
    for v in candidates {
        *counted.entry(*v).or_default() += 1.0;
    }
    // Each pattern's likelihood under a match and under a non-match.
    let patterns: Vec<(f64, f64, f64)> = counted
        .iter()
        .map(|(v, &c)| {
            let (mut pm, mut pu) = (1.0, 1.0);
            for (f, &level) in v.iter().enumerate() {
                if level != MISSING {
                    let l = &model.fields[f].levels[usize::from(level)];
                    pm *= l.m;
                    pu *= l.u;
                }
            }
            (pm, pu, c)
        })
        .collect();
    let found = candidates.iter().filter(|v| deterministic(v)).count();
    let mut lambda = (found.max(1) as f64 / possible).min(0.5);
    for _ in 0..PRIOR_MAX_ITER {
        let matches: f64 = patterns
            .iter()
            .map(|&(pm, pu, c)| c * lambda * pm / (lambda * pm + (1.0 - lambda) * pu))
            .sum();
        let next = (matches / possible).min(0.5);
        let done = (next - lambda).abs() <= 1e-6 * lambda;
        lambda = next;
        if done {
            break;
        }
    }
    lambda * possible
}

/// A training rule: the pairs that agree on some fields, where the other fields' m are
/// estimated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Session {
    /// The rule in words.
    pub name: &'static str,
    /// The fields the pairs agree on exactly.
    pub fields: &'static [usize],
}

/// The training rules, most trusted first: a field's m comes from the first session that
/// estimates it. The same INN (nearly all one person: every other field's m as it is among
/// matches), the same birth date (for the names, INN and contacts), the same surname and given
/// name (for the date, patronymic and contacts; namesakes, who agree on the name more often
/// than random pairs do, make this the least trusted).
pub const SESSIONS: [Session; 3] = [
    Session {
        name: "same INN",
        fields: &[4],
    },
    Session {
        name: "same birth date",
        fields: &[3],
    },
    Session {
        name: "same surname and given name",
        fields: &[0, 1],
    },
];

/// Pairs in a session at most; beyond, every k-th pair is taken.
const SESSION_PAIRS: usize = 2_000_000;

/// The pairs of a session: records agreeing exactly on its fields (blocks over
/// [`super::blocking::BLOCK_CAP`] left out), across the lists with `split`.
fn session_pairs(records: &[FieldRecord], split: Option<usize>, rule: &Session) -> Vec<(u32, u32)> {
    use std::hash::{Hash, Hasher};
    let key = |r: &FieldRecord| -> Option<u64> {
        let mut h = rustc_hash::FxHasher::default();
        for &f in rule.fields {
            match f {
                0 => r.name.surname?.as_bytes().hash(&mut h),
                1 => r.name.given.and_then(Part::word)?.as_bytes().hash(&mut h),
                3 => r.birth.filter(|d| d.is_full())?.hash(&mut h),
                4 => r.inn.as_deref()?.hash(&mut h),
                _ => return None,
            }
        }
        Some(h.finish())
    };
    let entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| key(r).map(|k| (k, i as u32)))
        .collect();
    let (mut pairs, _) = super::blocking::pairs_sharing_keys(entries, split);
    if pairs.len() > SESSION_PAIRS {
        let step = pairs.len().div_ceil(SESSION_PAIRS);
        pairs = pairs.into_iter().step_by(step).collect();
    }
    pairs
}

/// What one EM session estimated.
struct Estimate {
    /// m of every level (of the fields the session estimates).
    m: Vec<Vec<f64>>,
    /// Expected matches with each field present.
    present: [f64; FIELDS],
    /// Expected matches among the session's pairs.
    matches: f64,
    iterations: usize,
}

/// Expectation maximisation over one session's level vectors, u fixed, the `blocked` fields
/// left out of the likelihood; `None` without pairs.
fn em_session(
    vectors: &[Vector],
    blocked: &[usize],
    start: &[Vec<f64>],
    u: &[Vec<f64>],
) -> Option<Estimate> {
    if vectors.is_empty() {
        return None;
    }
    // Counted by pattern, sorted, so that sums run in one order whatever the threads.
    let mut counted: BTreeMap<Vector, f64> = BTreeMap::new();
    for v in vectors {
        *counted.entry(*v).or_default() += 1.0;
    }
    let patterns: Vec<(Vector, f64)> = counted.into_iter().collect();
    let total = vectors.len() as f64;
    let free: Vec<usize> = (0..FIELDS).filter(|f| !blocked.contains(f)).collect();
    let deterministic = vectors.iter().filter(|v| deterministic(v)).count();
    let mut lambda = (deterministic.max(1) as f64 / total).clamp(0.01, 0.9);
    let mut m = start.to_vec();
    let mut est = Estimate {
        m: Vec::new(),
        present: [0.0; FIELDS],
        matches: 0.0,
        iterations: 0,
    };
    for it in 1..=EM_MAX_ITER {
        let mut new_m: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut present = [0.0; FIELDS];
        let mut matches = 0.0;
        for (v, count) in &patterns {
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for &f in &free {
                if v[f] != MISSING {
                    pm *= m[f][usize::from(v[f])];
                    pu *= u[f][usize::from(v[f])];
                }
            }
            let w = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 } * count;
            matches += w;
            for &f in &free {
                if v[f] != MISSING {
                    new_m[f][usize::from(v[f])] += w;
                    present[f] += w;
                }
            }
        }
        let mut change: f64 = (matches / total - lambda).abs();
        lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        for &f in &free {
            if present[f] < MIN_FIELD_MATCHES {
                continue;
            }
            for ((old, new), prior) in m[f].iter_mut().zip(&new_m[f]).zip(&start[f]) {
                // A level no match shows keeps a small m, in proportion to its default.
                let new = ((new + M_PSEUDO * prior) / (present[f] + M_PSEUDO)).max(FLOOR);
                change = change.max((new - *old).abs());
                *old = new;
            }
        }
        est.present = present;
        est.matches = matches;
        est.iterations = it;
        if change < EM_TOLERANCE {
            break;
        }
    }
    est.m = m;
    Some(est)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_name_every_level_once() {
        let m = Model::defaults();
        for (f, p) in m.fields.iter().enumerate() {
            assert_eq!(p.field, FIELD_NAMES[f]);
            assert_eq!(p.levels.len(), LEVEL_NAMES[f].len());
            // Strongest agreement first: the first level weighs most, the last least.
            let w: Vec<f64> = p.levels.iter().map(LevelParams::weight).collect();
            assert!(
                w.iter().all(|&x| x <= w[0] && x >= w[w.len() - 1]),
                "{}",
                p.field
            );
            assert!(w[0] > 0.0 && w[w.len() - 1] < 0.0, "{}", p.field);
        }
        // The old matcher's name and date weights are the starting point.
        let c = super::super::compare::WEIGHTS;
        assert!((m.weight(0, 0) - c.surname[0]).abs() < 0.1);
        assert!((m.weight(1, 0) - c.given[0]).abs() < 0.1);
        assert!((m.weight(2, 0) - c.patronymic[0]).abs() < 0.1);
        assert!((m.weight(3, 0) - c.date_exact).abs() < 0.1);
    }

    #[test]
    fn model_file_round_trips_and_refuses_another_shape() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        let m = Model::defaults();
        m.write(&path).unwrap();
        assert_eq!(Model::read(&path).unwrap(), m);
        let broken = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"surname\"", "\"family_name\"");
        std::fs::write(&path, broken).unwrap();
        let err = Model::read(&path).unwrap_err().to_string();
        assert!(err.contains("not this version's"), "{err}");
    }

    /// Records of `people` persons, each written twice with one field spoiled, plus singles.
    fn noisy_list(people: usize) -> (Vec<FieldRecord>, Vec<(usize, usize)>) {
        let surnames = [
            "smith", "jones", "brown", "taylor", "wilson", "walker", "white",
        ];
        let given = [
            "john", "mary", "peter", "susan", "james", "linda", "paul", "anna",
        ];
        let mut records = Vec::new();
        let mut truth = Vec::new();
        let mut rng = Rng::new(7, 0);
        for i in 0..people {
            let s = format!(
                "{}{}",
                surnames[i % 7],
                ["", "son", "ley", "ford"][(i / 7) % 4]
            );
            let g = given[rng.below(given.len())];
            let (d, mo, y) = (1 + rng.below(28), 1 + rng.below(12), 1930 + rng.below(70));
            let date = format!("{d:02}.{mo:02}.{y}");
            let addr = format!(
                "{}, {} street, town{}",
                1 + rng.below(200),
                g,
                rng.below(50)
            );
            let rec = |name: &str, date: &str| {
                FieldRecord::new(name, Some(date), None, Some(&addr), None, None)
            };
            records.push(rec(&format!("{s} {g}"), &date));
            if i % 2 == 0 {
                let spoiled = match i % 3 {
                    0 => rec(&format!("{s}x {g}"), &date),
                    1 => rec(&format!("{g} {s}"), &date),
                    _ => rec(&format!("{s} {g}"), &format!("{mo:02}.{d:02}.{y}")),
                };
                truth.push((records.len() - 1, records.len()));
                records.push(spoiled);
            }
        }
        (records, truth)
    }

    #[test]
    fn em_learns_that_names_and_dates_identify() {
        let (records, truth) = noisy_list(3000);
        let (pairs, _) = super::super::blocking::candidate_pairs(&records, None);
        let vectors: Vec<Vector> = pairs
            .iter()
            .filter_map(|&(a, b)| compare_records(&records[a as usize], &records[b as usize]))
            .collect();
        let (model, training) = train(&records, None, &vectors, None);
        assert!(model.source.starts_with("estimated"), "{}", model.source);
        // About the planted duplicates are expected.
        let planted = truth.len() as f64;
        assert!(
            (training.expected_matches - planted).abs() < 0.1 * planted,
            "{} vs {planted}",
            training.expected_matches
        );
        // Exact dates identify; a different surname speaks against.
        assert!(model.weight(3, fields::date::EXACT) > 8.0);
        assert!(model.weight(0, fields::surname::DIFFERENT) < 0.0);
        let freq = ValueFreq::of(&[&records]).weights(&model);
        let prior = model.prior(records.len(), None);
        let found = truth
            .iter()
            .filter(|&&(a, b)| {
                model
                    .score(&records[a], &records[b], prior, &freq)
                    .is_some_and(|s| s.probability >= 0.8)
            })
            .count();
        assert!(found as f64 >= 0.95 * planted, "{found} of {planted}");
        // The same training gives the same model, on one thread too.
        assert_eq!(train(&records, None, &vectors, None).0, model);
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        assert_eq!(
            one_thread
                .install(|| train(&records, None, &vectors, None))
                .0,
            model
        );
        // A few random pairs per record: 4,500 records, at most 90,000 pairs (fewer are
        // compared: some are of two sexes).
        assert!(
            (80_000..=U_PER_RECORD * records.len()).contains(&training.random_pairs),
            "{}",
            training.random_pairs
        );
    }

    #[test]
    fn level_counts_add_up_in_any_order() {
        let v1: Vector = [0, 3, MISSING, 5, MISSING, 1, MISSING, 2];
        let v2: Vector = [7, 0, 0, 0, MISSING, MISSING, 1, MISSING];
        let mut one = LevelCounts::default();
        one.add(&v1);
        one.add(&v2);
        one.add(&v1);
        let mut a = LevelCounts::default();
        a.add(&v2);
        let mut b = LevelCounts::default();
        b.add(&v1);
        b.add(&v1);
        assert_eq!(a.clone().merge(b.clone()), one);
        assert_eq!(b.merge(a), one);
        assert_eq!(LevelCounts::of(vec![v1, v2, v1].into_par_iter()), one);
        assert_eq!(one.pairs, 3);
        assert_eq!((one.count(0, 0), one.count(0, 7)), (2, 1));
        // A missing field is not counted at any level.
        assert_eq!((0..4).map(|l| one.count(2, l)).sum::<u64>(), 1);
    }

    #[test]
    fn small_lists_keep_the_defaults_and_say_so() {
        let (records, _) = noisy_list(40);
        let (model, _) = train(&records, None, &[], None);
        assert!(
            model.source.starts_with("default weights (the list has"),
            "{}",
            model.source
        );
        assert_eq!(model.fields, Model::defaults().fields);
    }
}
