//! The check's comparison weights estimated from its own people with `affil link`'s machinery
//! ([`super::model`]): the officials' and relatives' records against the registry's, u from
//! random pairs across the two, m by EM in sessions over a sample of both taken by surname (a
//! person's records share one, so they stay together in the sample), each level's weight
//! shrunk towards its hand-set one by [`PRIOR_MATCHES`], so that a level few matches show
//! moves little.

use super::compare::{Weights, WEIGHTS};
use super::fields::{self, compare_records, FieldRecord, RawDate, Vector};
use super::model::{self, Model, TrainInput};
use crate::normalize::Mention;
use crate::rng::Rng;

/// Records the sessions' sample holds at most, both sides together.
pub const SAMPLE: usize = 120_000;
/// Random pairs drawn for the u-probabilities.
const U_PAIRS: usize = 100_000;
/// Matches a level's weight counts its default as: a level seen in as many matches of its
/// session is weighed halfway between its estimate and its default. The sessions' m are
/// estimated as `affil link` estimates them; this shrinks the weights, not the m, because a
/// level's default m and u are conditional on the level being possible (one side an
/// initial), which the data's rate of such records need not match.
pub const PRIOR_MATCHES: f64 = 50.0;

/// The check's weights and where they come from.
#[derive(Clone, Debug)]
pub struct Estimated {
    /// Level weights the resolution uses.
    pub weights: Weights,
    /// The estimated model (the defaults when the data is too small), with its `source`.
    pub model: Model,
}

/// A mention as a person-list record: its name as written, birth date and INN.
fn record(m: &Mention) -> FieldRecord {
    FieldRecord {
        name: m.names.first().cloned().unwrap_or_default(),
        birth: m.birth.map(RawDate::of),
        inn: m.inn.map(|i| i.text()),
        ..FieldRecord::default()
    }
}

/// A stable hash of a mention's surname stem (the interned number is not stable across runs).
fn surname_hash(m: &Mention) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let stem = m.names.first()?.surname_stem?;
    let mut h = rustc_hash::FxHasher::default();
    stem.as_bytes().hash(&mut h);
    Some(h.finish())
}

/// One side of the mentions (the officials' and relatives', or the registry's) to draw from at
/// random: a large side by drawing mentions until one of it comes (no index held, and at most
/// [`DRAWS`] tries on average), a small one from the index of its mentions.
struct Side<'a> {
    list: &'a [Mention],
    in_circle: bool,
    /// Mentions of the side.
    count: usize,
    index: Option<Vec<u32>>,
}

/// The smallest share of the list a side drawn by trial has: 1 in `DRAWS`.
const DRAWS: usize = 64;

impl<'a> Side<'a> {
    fn new(list: &'a [Mention], in_circle: bool) -> Side<'a> {
        let count = list.iter().filter(|m| m.in_circle() == in_circle).count();
        let index = (count * DRAWS < list.len()).then(|| {
            (0..list.len() as u32)
                .filter(|&i| list[i as usize].in_circle() == in_circle)
                .collect()
        });
        Side {
            list,
            in_circle,
            count,
            index,
        }
    }

    /// A mention of the side at random (the side must have one).
    fn draw(&self, rng: &mut Rng) -> &'a Mention {
        if let Some(index) = &self.index {
            return &self.list[index[rng.below(index.len())] as usize];
        }
        loop {
            let m = &self.list[rng.below(self.list.len())];
            if m.in_circle() == self.in_circle {
                return m;
            }
        }
    }
}

/// Estimates the check's level weights from `list` (see the module).
pub fn estimate(list: &[Mention]) -> Estimated {
    use rayon::prelude::*;
    // One surname in `keep` is sampled: at most SAMPLE records in all, each side's in list
    // order, the officials' and relatives' first.
    let keep = (list.len() as u64).div_ceil(SAMPLE as u64).max(1);
    let sampled = |in_circle: bool| {
        list.iter()
            .filter(move |m| m.in_circle() == in_circle)
            .filter(move |m| surname_hash(m).is_some_and(|h| h % keep == 0))
            .map(record)
    };
    let mut records: Vec<FieldRecord> = sampled(true).collect();
    let split = records.len();
    records.extend(sampled(false));
    let sampled = records.len() - split;
    if split.min(sampled) < model::MIN_TRAIN_RECORDS {
        let mut model = Model::defaults();
        model.source = format!(
            "default weights ({split} officials' and relatives' records and {sampled} of the \
             registry's sampled; at least {} on each side are needed to estimate them)",
            model::MIN_TRAIN_RECORDS
        );
        return Estimated {
            weights: WEIGHTS,
            model,
        };
    }
    // u from random pairs of the whole lists.
    let mut rng = Rng::new(0x5eed_affe, 1);
    let (from_circle, from_registry) = (Side::new(list, true), Side::new(list, false));
    let pairs: Vec<(&Mention, &Mention)> = (0..U_PAIRS)
        .map(|_| (from_circle.draw(&mut rng), from_registry.draw(&mut rng)))
        .collect();
    let random: Vec<Vector> = pairs
        .par_iter()
        .filter_map(|&(a, b)| compare_records(&record(a), &record(b)))
        .collect();
    let (mut model, training) = model::train_from(&TrainInput {
        records: &records,
        split: Some(split),
        random: &random,
        candidates: &[],
        possible: from_circle.count as f64 * from_registry.count as f64,
        smaller: split.min(sampled),
    });
    if !training.estimated {
        return Estimated {
            weights: WEIGHTS,
            model,
        };
    }
    // "estimated from N records: ..." says which records.
    model.source = model.source.replacen(
        " records:",
        " records (officials and relatives sampled by surname against the registry):",
        1,
    );
    Estimated {
        weights: weights_of(&model, &training.field_matches),
        model,
    }
}

/// The check's levels under a model's weights, each shrunk towards its hand-set weight in
/// [`WEIGHTS`] by [`PRIOR_MATCHES`] (`matches`: per field, the matches its m was estimated
/// on): a close surname is the model's typo, a name part's initial its initial; a missing part
/// weighs nothing; an equal INN keeps its floor.
pub fn weights_of(model: &Model, matches: &[f64; fields::FIELDS]) -> Weights {
    use fields::{date, surname, word};
    let w = |f: usize, l: Option<u8>, default: f64| {
        let Some(l) = l else { return default };
        let seen = matches[f] * model.fields[f].levels[usize::from(l)].m;
        (seen * model.weight(f, l) + PRIOR_MATCHES * default) / (seen + PRIOR_MATCHES)
    };
    // The model's level of each of the check's: exact, close, initial, missing, different.
    let part = |f: usize, levels: [Option<u8>; 5], defaults: [f64; 5]| {
        std::array::from_fn(|k| w(f, levels[k], defaults[k]))
    };
    let words = [
        Some(word::EXACT),
        Some(word::TYPO),
        Some(word::INITIAL),
        None,
        Some(word::DIFFERENT),
    ];
    let surnames = [
        Some(surname::EXACT),
        Some(surname::TYPO),
        None,
        None,
        Some(surname::DIFFERENT),
    ];
    Weights {
        surname: part(0, surnames, WEIGHTS.surname),
        given: part(1, words, WEIGHTS.given),
        patronymic: part(2, words, WEIGHTS.patronymic),
        date_exact: w(3, Some(date::EXACT), WEIGHTS.date_exact),
        date_year: w(3, Some(date::YEAR_ONLY), WEIGHTS.date_year),
        inn_equal: WEIGHTS.inn_equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(name: &str, family: Option<u32>) -> Mention {
        Mention {
            source: crate::normalize::MentionSource::Role(0),
            names: std::iter::once(crate::normalize::name::parse_name(name)).collect(),
            birth: None,
            inn: None,
            family,
        }
    }

    #[test]
    fn a_lopsided_list_is_drawn_from_its_index_and_keeps_the_defaults() {
        // Three officials among 20,000 registry people: drawing by trial would take thousands
        // of tries per official; too few to estimate from, so the defaults, and said so.
        let mut list: Vec<Mention> = (0..20_000)
            .map(|i| mention(&format!("Фамилия{i} Иван Петрович"), None))
            .collect();
        for k in 0..3 {
            list.push(mention("Сидорова Анна Игоревна", Some(k)));
        }
        let side = Side::new(&list, true);
        assert_eq!(side.index.as_deref(), Some(&[20_000, 20_001, 20_002][..]));
        assert!(Side::new(&list, false).index.is_none());
        let e = estimate(&list);
        assert_eq!(format!("{:?}", e.weights), format!("{WEIGHTS:?}"));
        assert!(
            e.model
                .source
                .starts_with("default weights (3 officials' and relatives'"),
            "{}",
            e.model.source
        );
    }

    #[test]
    fn the_defaults_are_the_hand_set_weights() {
        // No matches seen: every level keeps its default, which is today's WEIGHTS.
        let w = weights_of(&Model::defaults(), &[0.0; fields::FIELDS]);
        assert_eq!(format!("{w:?}"), format!("{WEIGHTS:?}"));
        // And the model's own default table says the same: however many matches, the defaults
        // stay within a tenth of a bit of the hand-set weights (one table cannot drift from
        // the other).
        let all = weights_of(&Model::defaults(), &[1e9; fields::FIELDS]);
        let flat = |w: &Weights| {
            let mut v: Vec<f64> = [w.surname, w.given, w.patronymic].concat();
            v.extend([w.date_exact, w.date_year, w.inn_equal]);
            v
        };
        for (x, y) in flat(&all).iter().zip(flat(&WEIGHTS)) {
            assert!((x - y).abs() < 0.1, "{all:?}");
        }
    }

    #[test]
    fn a_level_moves_from_its_default_by_the_matches_that_show_it() {
        let mut model = Model::defaults();
        // The data says a full birth date is 16 bits of evidence, not the default 9.
        let exact = &mut model.fields[3].levels[usize::from(fields::date::EXACT)];
        exact.u = exact.m / 65_536.0;
        let estimate = model.weight(3, fields::date::EXACT);
        assert!((estimate - 16.0).abs() < 1e-9);
        // Halfway between the estimate and the hand-set 9 bits.
        let weight = |matches: f64| {
            let mut seen = [0.0; fields::FIELDS];
            seen[3] = matches;
            weights_of(&model, &seen).date_exact
        };
        let m = model.fields[3].levels[usize::from(fields::date::EXACT)].m;
        // As many matches at the level as PRIOR_MATCHES: halfway.
        assert!((weight(PRIOR_MATCHES / m) - 12.5).abs() < 1e-9);
        assert!((weight(0.0) - 9.0).abs() < 1e-9);
        assert!((weight(1e7) - 16.0).abs() < 0.01);
    }
}
