//! The check's comparison weights estimated from its own people with `affil link`'s machinery
//! ([`super::model`]): the officials' and relatives' records against the registry's, u from
//! random pairs across the two, m by EM in sessions over a sample of both taken by surname (a
//! person's records share one, so they stay together in the sample), each level's weight
//! shrunk towards its hand-set one by [`PRIOR_MATCHES`], so that a level few matches show
//! moves little.

use super::compare::{date_slip, TermFreq};
use super::compare::{Weights, WEIGHTS};
use super::fields::{self, compare_records, FieldRecord, RawDate};
use super::model::{self, LevelCounts, Model, TrainInput};
use crate::model::{BirthDate, DateAgreement, Inn, Sym};
use crate::normalize::{Mention, Part};
use crate::rng::Rng;

/// Records the sessions' sample holds at most, both sides together.
pub const SAMPLE: usize = 120_000;
/// The birth date's field in the model (see [`fields::FIELDS`]).
const BIRTH_DATE: usize = 3;
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

/// The trained model before the birth-date slips are weighed: training needs no blocking and
/// no term frequencies, so it runs from the start of the stage, the slips' counts after.
#[derive(Clone, Debug)]
pub struct Trained {
    model: Model,
    /// Matches per field of the sessions, `None` when the defaults are kept.
    field_matches: Option<[f64; fields::FIELDS]>,
}

impl Trained {
    /// The weights, with the slips the data shows weighed (see [`weights_of`]).
    pub fn weigh(self, slips: &SlipCounts) -> Estimated {
        let Trained {
            mut model,
            field_matches,
        } = self;
        let Some(matches) = field_matches else {
            return Estimated {
                weights: WEIGHTS,
                model,
            };
        };
        let weights = weights_of(&model, &matches, slips);
        model.source.push_str(&slips_note(&weights, slips));
        Estimated { weights, model }
    }
}

/// Estimates the check's level weights from `list` (see the module); the slips are weighed
/// by [`Trained::weigh`].
pub fn train(list: &[Mention]) -> Trained {
    use rayon::prelude::*;
    // One surname in `keep` is sampled: at most SAMPLE records in all, each side's in list
    // order, the officials' and relatives' first.
    let keep = (list.len() as u64).div_ceil(SAMPLE as u64).max(1);
    let sampled = |in_circle: bool| {
        (0..list.len() as u32).filter(move |&i| {
            let m = &list[i as usize];
            m.in_circle() == in_circle && surname_hash(m).is_some_and(|h| h % keep == 0)
        })
    };
    // The records' indices first, so that the records (a few hundred bytes each) are written
    // once into a buffer of their number, not copied as it grows.
    let mut chosen: Vec<u32> = sampled(true).collect();
    let split = chosen.len();
    chosen.extend(sampled(false));
    let records: Vec<FieldRecord> = chosen
        .par_iter()
        .map(|&i| record(&list[i as usize]))
        .collect();
    drop(chosen);
    let sampled = records.len() - split;
    if split.min(sampled) < model::MIN_TRAIN_RECORDS {
        let mut model = Model::defaults();
        model.source = format!(
            "default weights ({split} officials' and relatives' records and {sampled} of the \
             registry's sampled; at least {} on each side are needed to estimate them)",
            model::MIN_TRAIN_RECORDS
        );
        return Trained {
            model,
            field_matches: None,
        };
    }
    // u from random pairs of the whole lists.
    let mut rng = Rng::new(0x5eed_affe, 1);
    let (from_circle, from_registry) = (Side::new(list, true), Side::new(list, false));
    let pairs: Vec<(&Mention, &Mention)> = (0..U_PAIRS)
        .map(|_| (from_circle.draw(&mut rng), from_registry.draw(&mut rng)))
        .collect();
    let random = LevelCounts::of(
        pairs
            .par_iter()
            .filter_map(|&(a, b)| compare_records(&record(a), &record(b))),
    );
    drop(pairs);
    let (mut model, training) = model::train_from(&TrainInput {
        records: &records,
        split: Some(split),
        random: &random,
        candidates: &[],
        possible: from_circle.count as f64 * from_registry.count as f64,
        smaller: split.min(sampled),
    });
    if !training.estimated {
        return Trained {
            model,
            field_matches: None,
        };
    }
    // "estimated from N records: ..." says which records.
    model.source = model.source.replacen(
        " records:",
        " records (officials and relatives sampled by surname against the registry):",
        1,
    );
    Trained {
        model,
        field_matches: Some(training.field_matches),
    }
}

/// What the weights make of a slip in a birth date, for the run's note on its weights.
pub fn slips_note(w: &Weights, slips: &SlipCounts) -> String {
    let level = |l: u8, name: &str, weight: Option<f64>| {
        let (seen, chance) = (slips.seen(l), slips.chance(l));
        match weight {
            Some(x) => format!("{seen} {name} ({chance:.1} by chance) {x:+.1}"),
            None => format!("{seen} {name} ({chance:.1} by chance): a different date"),
        }
    };
    format!(
        "; birth-date slips from {} pairs of one rare whole name with two full dates: {}, {}",
        slips.pairs,
        level(
            fields::date::SWAPPED,
            "day and month swapped",
            w.date_swapped
        ),
        level(
            fields::date::ONE_DIGIT,
            "a digit of the day or month off",
            w.date_one_digit
        )
    )
}

/// How the full birth dates of the pairs a deterministic rule calls one person compare (an
/// official's or relative's record and a registry record; all of them, not a sample): one
/// whole name (surname, given name and patronymic exact) with a surname rare in the data (see
/// [`TermFreq::has_rare_surname`]) and no two INNs. Namesakes among them are few, and a slip
/// between two of them fewer still. One INN is no such rule here: the loader reads no birth
/// date under an INN whose dates disagree, so its pairs would only ever agree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlipCounts {
    /// Pairs with two full birth dates.
    pub pairs: usize,
    /// Of them, day and month swapped.
    pub swapped: usize,
    /// Of them, a digit of the day or month off.
    pub one_digit: usize,
}

/// A record's whole name, when its surname is rare: `[surname stem, given name, patronymic]`.
type WholeName = [Sym; 3];

/// A dated record as [`SlipCounts::of`] groups it.
#[derive(Clone, Copy)]
struct Dated {
    circle: bool,
    inn: Option<Inn>,
    name: WholeName,
    birth: BirthDate,
}

/// The chance under which a slip's count must fall for the slip to count as shown: as many
/// by chance in fewer than one data set in a thousand.
pub const SLIP_SIGNIFICANCE: f64 = 0.001;

impl SlipCounts {
    /// Whether the pairs show some slip beyond chance (see [`SlipCounts::beyond_chance`]):
    /// blocking then lets dates a slip apart meet, before the weights are estimated.
    pub fn shown(&self) -> bool {
        [fields::date::SWAPPED, fields::date::ONE_DIGIT]
            .into_iter()
            .any(|l| self.beyond_chance(l).is_some())
    }

    /// The pairs showing slip `level` (a [`fields::date`] level; 0 for one not a slip).
    pub fn seen(&self, level: u8) -> usize {
        match level {
            fields::date::SWAPPED => self.swapped,
            fields::date::ONE_DIGIT => self.one_digit,
            _ => 0,
        }
    }

    /// The pairs chance gives slip `level`: every pair taken for two strangers, who show it
    /// with the default model's u (decided on the defaults, so that blocking and the weights
    /// agree on it).
    pub fn chance(&self, level: u8) -> f64 {
        self.pairs as f64 * Model::default_u(BIRTH_DATE, level)
    }

    /// The pairs showing slip `level` beyond chance, if chance gives as many with a
    /// probability under [`SLIP_SIGNIFICANCE`].
    pub fn beyond_chance(&self, level: u8) -> Option<f64> {
        let (seen, expected) = (self.seen(level), self.chance(level));
        (poisson_tail(expected, seen) < SLIP_SIGNIFICANCE).then_some(seen as f64 - expected)
    }

    /// Counts the pairs of `list` under `tf`'s surname frequencies.
    pub fn of(list: &[Mention], tf: &TermFreq) -> SlipCounts {
        let whole = |m: &Mention| -> Option<WholeName> {
            let n = m.names.first()?;
            let (given, patronymic) = (
                n.given.and_then(Part::word),
                n.patronymic.and_then(Part::word),
            );
            match (n.surname_stem, given, patronymic) {
                (Some(s), Some(g), Some(p)) if tf.has_rare_surname(m) => Some([s, g, p]),
                _ => None,
            }
        };
        use rayon::prelude::*;
        let mut dated: Vec<Dated> = list
            .par_iter()
            .filter(|m| matches!(m.birth, Some(BirthDate::Full(_))))
            .filter_map(|m| {
                Some(Dated {
                    circle: m.in_circle(),
                    inn: m.inn,
                    name: whole(m)?,
                    birth: m.birth?,
                })
            })
            .collect();
        // Any order that brings one name's records together serves (the counts are sums): the
        // interned strings' handles, not the strings.
        dated.par_sort_unstable_by_key(|d| (d.name.map(|s| s.id()), d.circle));
        let mut counts = SlipCounts::default();
        for group in dated.chunk_by(|a, b| a.name == b.name) {
            counts.add(group);
        }
        counts
    }

    /// Counts the pairs of one name's records (the registry's first) whose INNs do not differ.
    fn add(&mut self, group: &[Dated]) {
        let apart = |a: &Dated, b: &Dated| matches!((a.inn, b.inn), (Some(x), Some(y)) if x != y);
        let (registry, circle) = group.split_at(group.partition_point(|d| !d.circle));
        for a in circle {
            for b in registry.iter().filter(|b| !apart(a, b)) {
                self.pairs += 1;
                match date_slip(&a.birth, &b.birth) {
                    DateAgreement::Swapped => self.swapped += 1,
                    DateAgreement::OneDigit => self.one_digit += 1,
                    _ => {}
                }
            }
        }
    }
}

/// P(X >= k) for X Poisson with mean `mean`, where `k` exceeds the mean (else 1, as far as a
/// test of a count above chance cares): the k-th term, in logarithms so that no large mean
/// underflows, times the sum of the ratios of the terms after it.
fn poisson_tail(mean: f64, k: usize) -> f64 {
    if k == 0 || k as f64 <= mean {
        return 1.0;
    }
    let ln_factorial: f64 = (1..=k).map(|i| (i as f64).ln()).sum();
    let ln_term = -mean + k as f64 * mean.ln() - ln_factorial;
    let (mut ratio, mut sum, mut i) = (1.0, 1.0, k);
    while ratio > 1e-17 * sum {
        i += 1;
        ratio *= mean / i as f64;
        sum += ratio;
    }
    ln_term.exp() * sum
}

/// The check's levels under a model's weights, each shrunk towards its hand-set weight in
/// [`WEIGHTS`] by [`PRIOR_MATCHES`] (`matches`: per field, the matches its m was estimated
/// on): a close surname is the model's typo, a name part's initial its initial; a missing part
/// weighs nothing; an equal INN keeps its floor. The slips in birth dates are weighed from
/// `slips`.
pub fn weights_of(model: &Model, matches: &[f64; fields::FIELDS], slips: &SlipCounts) -> Weights {
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
    // A slip in a date (day and month swapped, a digit off) defaults to a different date, no
    // match at all (m = 0). It is weighed only where the rule's pairs show it more often than
    // chance could (see `SlipCounts::beyond_chance`), with m the pairs beyond chance over all
    // the pairs and PRIOR_MATCHES more, and a weight that is evidence for one person. The u is
    // the model's, of any digit off: at least the u of a digit of one year's day or month, so
    // the weight errs low.
    let slip = |l: u8| {
        let beyond = slips.beyond_chance(l)?;
        let u = model.fields[BIRTH_DATE].levels[usize::from(l)].u;
        let weight = (beyond / (slips.pairs as f64 + PRIOR_MATCHES) / u).log2();
        (weight > 0.0).then_some(weight)
    };
    Weights {
        surname: part(0, surnames, WEIGHTS.surname),
        given: part(1, words, WEIGHTS.given),
        patronymic: part(2, words, WEIGHTS.patronymic),
        date_exact: w(3, Some(date::EXACT), WEIGHTS.date_exact),
        date_year: w(3, Some(date::YEAR_ONLY), WEIGHTS.date_year),
        date_swapped: slip(date::SWAPPED),
        date_one_digit: slip(date::ONE_DIGIT),
        inn_equal: WEIGHTS.inn_equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(name: &str, family: Option<u32>) -> Mention {
        Mention {
            source: crate::normalize::MentionSource::Role(0).into(),
            names: std::iter::once(crate::normalize::name::parse_name(name)).collect(),
            birth: None,
            inn: None,
            family: family.into(),
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
        let e = train(&list).weigh(&SlipCounts::default());
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
    fn slips_are_counted_on_rare_whole_names_and_weighed_where_shown() {
        let dated = |name: &str, birth: &str, inn: Option<&str>, family: Option<u32>| Mention {
            birth: crate::values::parse_birth_date(birth),
            inn: inn.map(Into::into),
            ..mention(name, family)
        };
        // A surname of its own for each number, in letters.
        let surname = |mut i: usize| {
            let letters: Vec<char> = "бвгдклмнпрстфхц".chars().collect();
            let mut s = String::from("Ка");
            loop {
                s.push(letters[i % letters.len()]);
                s.push('о');
                i /= letters.len();
                if i == 0 {
                    break s + "ва";
                }
            }
        };
        // 150,000 other registry people, so that a surname seen twice is rare (the term
        // frequencies' pseudo-counts make nothing rare in a small list).
        let mut list: Vec<Mention> = (1000..151_000)
            .map(|i| mention(&format!("{} Анна Ивановна", surname(i)), None))
            .collect();
        // 100 people with surnames of their own, each in a questionnaire and in the registry:
        // 10 registry dates with day and month swapped, 5 with a digit of the day off, 5 with
        // a digit of the year off (another year: not a slip), 80 the same.
        for i in 0..100u32 {
            let name = format!("{} Ольга Петровна", surname(i as usize));
            list.push(dated(&name, "05.03.1980", None, Some(i)));
            let registry = match i {
                0..10 => "03.05.1980",
                10..15 => "06.03.1980",
                15..20 => "05.03.1981",
                _ => "05.03.1980",
            };
            list.push(dated(&name, registry, None, None));
        }
        // Not counted: two INNs; initials; a bare year.
        list.push(dated(
            "Иная Анна Ивановна",
            "01.02.1990",
            Some("500100732259"),
            Some(200),
        ));
        list.push(dated(
            "Иная Анна Ивановна",
            "02.01.1990",
            Some("773370857141"),
            None,
        ));
        list.push(dated("Другая А.И.", "01.02.1990", None, Some(201)));
        list.push(dated("Другая А.И.", "02.01.1990", None, None));
        list.push(dated("Третья Анна Ивановна", "1990", None, Some(202)));
        list.push(dated("Третья Анна Ивановна", "1990", None, None));
        let counts = SlipCounts::of(&list, &TermFreq::of(&list));
        let expected = SlipCounts {
            pairs: 100,
            swapped: 10,
            one_digit: 5,
        };
        assert_eq!(counts, expected);
        // m of a swap (10 less the 0.01 chance gives) / (100 + 50) against the default u 1 in
        // 10,000; the 5 digits off against 0.1 by chance are shown too.
        let w = weights_of(&Model::defaults(), &[0.0; fields::FIELDS], &counts);
        let m = (10.0 - 100.0 * 0.0001) / 150.0;
        assert!((w.date_swapped.unwrap() - (m / 0.0001f64).log2()).abs() < 1e-9);
        assert!(w.date_one_digit.is_some());
        // None shown: a different date.
        let none = SlipCounts {
            swapped: 0,
            one_digit: 0,
            ..counts
        };
        let w = weights_of(&Model::defaults(), &[0.0; fields::FIELDS], &none);
        assert_eq!((w.date_swapped, w.date_one_digit), (None, None));
        assert!(slips_note(&w, &none)
            .contains("0 day and month swapped (0.0 by chance): a different date"));
    }

    #[test]
    fn the_poisson_tail_is_the_sum_of_its_terms() {
        // P(X >= 3), mean 0.5: 1 - e^-0.5 (1 + 0.5 + 0.125).
        let direct = 1.0 - (-0.5f64).exp() * 1.625;
        assert!((poisson_tail(0.5, 3) - direct).abs() < 1e-12);
        assert_eq!(poisson_tail(2.0, 2), 1.0);
        assert_eq!(poisson_tail(0.0, 1), 0.0);
        // A mean whose e^-mean underflows: 1,200 expected, 1,400 seen is far beyond chance,
        // 1,210 is not.
        assert!(poisson_tail(1200.0, 1400) < 1e-6);
        assert!(poisson_tail(1200.0, 1210) > 0.3);
    }

    #[test]
    fn a_slip_chance_explains_is_not_shown() {
        // As national generated data (which writes no slips) gives: 5 swaps and 82 digits off
        // among 125,979 pairs, against 12.6 and 126 by chance at the defaults' u of 1 in
        // 10,000 and 1 in 1,000: not shown.
        let national = SlipCounts {
            pairs: 125_979,
            swapped: 5,
            one_digit: 82,
        };
        assert_eq!(national.beyond_chance(fields::date::SWAPPED), None);
        assert_eq!(national.beyond_chance(fields::date::ONE_DIGIT), None);
        assert!(!national.shown());
        // As 3% of a regional registry's dates given slips: 11 and 18 among 1,303 pairs.
        let slipped = SlipCounts {
            pairs: 1303,
            swapped: 11,
            one_digit: 18,
        };
        let beyond = slipped.beyond_chance(fields::date::SWAPPED).unwrap();
        assert!((beyond - (11.0 - 1303.0 * 0.0001)).abs() < 1e-9);
        assert!(slipped.beyond_chance(fields::date::ONE_DIGIT).is_some());
        assert!(slipped.shown());
    }

    #[test]
    fn the_defaults_are_the_hand_set_weights() {
        // No matches seen: every level keeps its default, which is today's WEIGHTS.
        let w = weights_of(
            &Model::defaults(),
            &[0.0; fields::FIELDS],
            &SlipCounts::default(),
        );
        assert_eq!(format!("{w:?}"), format!("{WEIGHTS:?}"));
        // And the model's own default table says the same: however many matches, the defaults
        // stay within a tenth of a bit of the hand-set weights (one table cannot drift from
        // the other).
        let all = weights_of(
            &Model::defaults(),
            &[1e9; fields::FIELDS],
            &SlipCounts::default(),
        );
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
            weights_of(&model, &seen, &SlipCounts::default()).date_exact
        };
        let m = model.fields[3].levels[usize::from(fields::date::EXACT)].m;
        // As many matches at the level as PRIOR_MATCHES: halfway.
        assert!((weight(PRIOR_MATCHES / m) - 12.5).abs() < 1e-9);
        assert!((weight(0.0) - 9.0).abs() < 1e-9);
        assert!((weight(1e7) - 16.0).abs() < 0.01);
    }
}
