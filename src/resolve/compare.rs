//! Comparing two mentions, Fellegi-Sunter style: each field falls into a comparison level,
//! each level carries a match weight in bits, and the weights add up (see [`WEIGHTS`]).

use serde::Serialize;
use smallvec::SmallVec;

use crate::model::{BirthDate, DateAgreement, Sex, Sym};
use crate::normalize::name::is_given_name;
use crate::normalize::{Mention, NormName, Part, PartKind};

/// How one field of two records compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Identical after normalisation.
    Exact,
    /// A typo apart, or another gender form of the same surname.
    Close,
    /// An initial agrees with a whole word or another initial.
    Initial,
    /// One side lacks the field.
    Missing,
    /// The field differs.
    Disagree,
}

/// Match weights in bits per level: `[exact, close, initial, missing, disagree]`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Weights {
    /// Surname levels.
    pub surname: [f64; 5],
    /// Given-name levels.
    pub given: [f64; 5],
    /// Patronymic levels.
    pub patronymic: [f64; 5],
    /// Birth dates equal.
    pub date_exact: f64,
    /// Birth years equal, one side a bare year.
    pub date_year: f64,
    /// Two full birth dates with day and month swapped; `None`: a different date, which no
    /// name outweighs (the default; an estimate sets it where the data's matches show it).
    pub date_swapped: Option<f64>,
    /// Two full birth dates of one year a digit of the day or month apart (or two neighbouring
    /// digits swapped); `None` as for [`Weights::date_swapped`].
    pub date_one_digit: Option<f64>,
    /// Weight given to an equal valid INN (it decides on its own).
    pub inn_equal: f64,
}

impl Default for Weights {
    fn default() -> Self {
        WEIGHTS
    }
}

impl Weights {
    /// The weight of two birth dates' agreement; `None`: they cannot be one person's.
    pub fn date(&self, agreement: DateAgreement) -> Option<f64> {
        match agreement {
            DateAgreement::Exact => Some(self.date_exact),
            DateAgreement::Year => Some(self.date_year),
            DateAgreement::Swapped => self.date_swapped,
            DateAgreement::OneDigit => self.date_one_digit,
            DateAgreement::Disagree => None,
        }
    }

    /// Whether two full dates that differ can still be one person's (a slip level weighed).
    pub fn weighs_date_slips(&self) -> bool {
        self.date_swapped.is_some() || self.date_one_digit.is_some()
    }
}

/// How two birth dates compare under `w`: the slip levels (day and month swapped, one digit
/// off) are told apart only where `w` weighs them, and are otherwise a disagreement.
pub fn date_agreement(a: &BirthDate, b: &BirthDate, w: &Weights) -> DateAgreement {
    let coarse = a.compare(b);
    if coarse != DateAgreement::Disagree || !w.weighs_date_slips() {
        return coarse;
    }
    date_slip(a, b)
}

/// The slip between two full dates of one year: day and month swapped, or a digit of the day
/// or month off (or two neighbouring digits swapped); else a disagreement. A slip in the year
/// is not told from a namesake of another year, nor does blocking let namesakes of two years
/// meet (see `resolve::MAX_BLOCK`).
pub fn date_slip(a: &BirthDate, b: &BirthDate) -> DateAgreement {
    use super::fields::{date, date_level, RawDate};
    if a.year() != b.year() {
        return DateAgreement::Disagree;
    }
    match date_level(Some(RawDate::of(*a)), Some(RawDate::of(*b))) {
        date::SWAPPED => DateAgreement::Swapped,
        date::ONE_DIGIT => DateAgreement::OneDigit,
        _ => DateAgreement::Disagree,
    }
}

/// The comparison levels and weights affil uses, documented in `docs/matching.md`.
pub const WEIGHTS: Weights = Weights {
    surname: [8.5, 5.0, 0.0, 0.0, -10.0],
    given: [5.0, 3.0, 2.0, 0.0, -8.0],
    patronymic: [6.0, 4.0, 2.5, 0.0, -8.0],
    date_exact: 9.0,
    date_year: 3.0,
    date_swapped: None,
    date_one_digit: None,
    inn_equal: 30.0,
};

/// Frequency of surnames in the data at hand, for term-frequency weights: agreeing on `Смирнов`
/// says less than agreeing on a surname that occurs once in 100,000 records.
#[derive(Clone, Debug, Default)]
pub struct TermFreq {
    /// Match weight of agreeing on each surname stem, given name and patronymic seen.
    /// Keyed by the interned text: a lookup hashes and compares no characters.
    weights: [rustc_hash::FxHashMap<Sym, f64>; 3],
    /// Weight of a value not seen, per part.
    unseen: [f64; 3],
    /// Surnames counted (names of all mentions, former names included).
    surnames_counted: f64,
    /// The level weights comparisons under these frequencies use ([`WEIGHTS`] unless set).
    pub levels: Weights,
}

/// Pseudo-records at the default surname frequency mixed into every estimate, so that small
/// datasets (a few hundred records) keep the default weights.
const TF_PSEUDO: f64 = 10_000.0;
/// Match weight at or above which a surname counts as rare (about 1 in 4,500 records or rarer).
pub const RARE_SURNAME_BITS: f64 = 12.0;
/// P(a name part agrees | one person): the m of every exact level.
const PART_M: f64 = 0.9;

/// Name parts with term frequencies.
#[derive(Clone, Copy)]
enum TfPart {
    Surname = 0,
    Given = 1,
    Patronymic = 2,
}

/// The default exact weight of each part.
const TF_EXACT: [f64; 3] = [WEIGHTS.surname[0], WEIGHTS.given[0], WEIGHTS.patronymic[0]];

impl TermFreq {
    /// Counts the name parts of the mentions' names (former names included) and turns the
    /// counts into match weights once, so that comparisons only look them up.
    pub fn of(mentions: &[Mention]) -> TermFreq {
        Self::of_lists(&[mentions])
    }

    /// [`TermFreq::of`] the mentions of several lists together.
    pub fn of_lists(lists: &[&[Mention]]) -> TermFreq {
        type Counts = [rustc_hash::FxHashMap<Sym, u32>; 3];
        let count = |part: &[Mention]| {
            let mut counts: Counts = Default::default();
            let mut add = |part: TfPart, key: Sym| {
                *counts[part as usize].entry(key).or_default() += 1;
            };
            for m in part {
                for n in &m.names {
                    if let Some(s) = n.surname_stem {
                        add(TfPart::Surname, s);
                    }
                    if let Some(g) = n.given.and_then(Part::word) {
                        add(TfPart::Given, g);
                    }
                    if let Some(p) = n.patronymic.and_then(Part::word) {
                        add(TfPart::Patronymic, p);
                    }
                }
            }
            counts
        };
        // One count per thread over a contiguous part, then summed: sums do not depend on
        // the split, so neither do the weights.
        use rayon::prelude::*;
        let parts = rayon::current_num_threads().max(1);
        let size = lists
            .iter()
            .map(|l| l.len())
            .sum::<usize>()
            .div_ceil(parts)
            .max(1);
        let chunks: Vec<&[Mention]> = lists.iter().flat_map(|l| l.chunks(size)).collect();
        let mut partial: Vec<Counts> = chunks.into_par_iter().map(count).collect();
        let mut counts = partial.pop().unwrap_or_default();
        for p in partial {
            for (all, part) in counts.iter_mut().zip(p) {
                for (k, c) in part {
                    *all.entry(k).or_default() += c;
                }
            }
        }
        let totals: [f64; 3] =
            std::array::from_fn(|i| counts[i].values().map(|&c| f64::from(c)).sum());
        let weight = |i: usize, count: u32| {
            let u0 = PART_M / TF_EXACT[i].exp2();
            let f = (f64::from(count) + TF_PSEUDO * u0) / (totals[i] + TF_PSEUDO);
            (PART_M / f).log2()
        };
        let mut tf = TermFreq {
            surnames_counted: totals[TfPart::Surname as usize],
            ..TermFreq::default()
        };
        for (i, counts) in counts.iter().enumerate() {
            tf.unseen[i] = weight(i, 0);
            tf.weights[i] = counts.iter().map(|(&k, &c)| (k, weight(i, c))).collect();
        }
        tf
    }

    /// Match weight of agreeing on `key` in `part`.
    fn weight(&self, part: TfPart, key: Sym) -> f64 {
        let i = part as usize;
        self.weights[i].get(&key).copied().unwrap_or(self.unseen[i])
    }

    /// Match weight, in bits, of agreeing on a surname stem: the rarer, the more.
    pub fn surname_weight(&self, stem: Sym) -> f64 {
        self.weight(TfPart::Surname, stem)
    }

    /// The share of the names counted that a surname stem has, as its weight takes it
    /// (pseudo-records included): the chance that a random name agrees with it.
    pub fn surname_share(&self, stem: Sym) -> f64 {
        PART_M * (-self.surname_weight(stem)).exp2()
    }

    /// How many surnames were counted: below a few tens of thousands, a surname's count says
    /// little of its frequency.
    pub fn surnames_counted(&self) -> f64 {
        self.surnames_counted
    }

    /// Match weight, in bits, of agreeing on a whole patronymic.
    pub fn patronymic_weight(&self, patronymic: Sym) -> f64 {
        self.weight(TfPart::Patronymic, patronymic)
    }

    /// True when some name of `m` has a rare surname stem (see [`RARE_SURNAME_BITS`]).
    pub fn has_rare_surname(&self, m: &Mention) -> bool {
        m.names.iter().any(|n| {
            n.surname_stem
                .is_some_and(|s| self.weight(TfPart::Surname, s) >= RARE_SURNAME_BITS)
        })
    }

    /// The smaller match weight of two agreeing values (the commoner decides): one lookup when
    /// they are the same.
    fn pair_weight(&self, part: TfPart, a: Sym, b: Sym) -> f64 {
        let wa = self.weight(part, a);
        if a == b {
            wa
        } else {
            wa.min(self.weight(part, b))
        }
    }
}

/// Probability at or above which two mentions are judged one person.
pub const MATCH_PROBABILITY: f64 = 0.8;

/// The smallest population a check's persons are assumed to come from (a municipal
/// district): a name-only match is weighed against that many possible namesakes.
pub const POPULATION_FLOOR: usize = 100_000;

fn weight_of(levels: &[f64; 5], l: Level) -> f64 {
    levels[l as usize]
}

/// True when two skeletons are a typo apart (one edit; two in surnames of 9+ letters).
pub fn typo_close(a: &str, b: &str) -> bool {
    typo_within(a, b, if a.len().max(b.len()) >= 9 { 2 } else { 1 })
}

/// True when two skeletons of 4+ letters are at most `edits` edits apart, counting a letter
/// written with two Latin letters (ч = ch, ш = sh, ...) as one.
fn typo_within(a: &str, b: &str, edits: usize) -> bool {
    if a.len().max(b.len()) < 4 || a.len().abs_diff(b.len()) > 4 * edits {
        return false;
    }
    // Most near pairs are one edit apart: told in one scan, without the distance table.
    if edits >= 1 && a.is_ascii() && b.is_ascii() && osa_at_most_one(a.as_bytes(), b.as_bytes()) {
        return true;
    }
    // A digraph letter changes at most two skeleton characters, so fold only near misses.
    let limit = 2 * edits;
    if mask_distance(a, b) > limit || bag_distance(a, b) > limit {
        return false;
    }
    let d = osa_bounded(a, b, limit);
    d <= edits || (d <= 2 * edits && letters_within(a, b, edits))
}

/// True when the optimal string alignment distance of `a` and `b` is at most 1: equal, or one
/// letter changed, dropped or added, or two neighbours swapped.
fn osa_at_most_one(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if a.len() < b.len() {
        // A letter of `b` dropped at the first difference.
        return a[p..] == b[p + 1..];
    }
    p == a.len()
        || a[p + 1..] == b[p + 1..]
        || (p + 1 < a.len() && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
}

/// True when the letters (see [`letters`]) of two skeletons are at most `edits` edits apart;
/// without allocating for names of up to 32 letters.
fn letters_within(a: &str, b: &str, edits: usize) -> bool {
    let la: SmallVec<[char; 32]> = letter_chars(a).collect();
    let lb: SmallVec<[char; 32]> = letter_chars(b).collect();
    if la.len() > OSA_MAX || lb.len() > OSA_MAX {
        return strsim::osa_distance(&letters(a), &letters(b)) <= edits;
    }
    osa_slices(&la, &lb, edits) <= edits
}

/// A lower bound of [`bag_distance`] that needs no table: how many kinds of byte (folded to 6
/// bits, which only merges kinds) one string has and the other has none of. Most random pairs
/// of names fail on it.
fn mask_distance(a: &str, b: &str) -> usize {
    let mask = |s: &str| s.bytes().fold(0u64, |m, c| m | 1 << (c & 63));
    let (ma, mb) = (mask(a), mask(b));
    (ma & !mb).count_ones().max((mb & !ma).count_ones()) as usize
}

/// A lower bound of every edit distance, cheap to compute: how many letters one string has that
/// the other lacks (an edit, a transposition included, changes it by at most one).
fn bag_distance(a: &str, b: &str) -> usize {
    // Bytes folded to 7 bits: merging two letters only lowers the count, so it stays a bound.
    let mut counts = [0i16; 128];
    for &c in a.as_bytes() {
        counts[usize::from(c & 127)] += 1;
    }
    for &c in b.as_bytes() {
        counts[usize::from(c & 127)] -= 1;
    }
    let (mut more, mut fewer) = (0usize, 0usize);
    for &c in a.as_bytes() {
        let n = &mut counts[usize::from(c & 127)];
        if *n > 0 {
            more += *n as usize;
            *n = 0;
        }
    }
    for &c in b.as_bytes() {
        let n = &mut counts[usize::from(c & 127)];
        if *n < 0 {
            fewer += (-*n) as usize;
            *n = 0;
        }
    }
    more.max(fewer)
}

/// Longest ASCII strings the table-free edit distance handles (longer ones go to strsim).
const OSA_MAX: usize = 63;

/// [`osa_distance`] when it is at most `limit`, else `limit + 1`: stops as soon as every cell of
/// a row exceeds the limit.
pub fn osa_bounded(a: &str, b: &str, limit: usize) -> usize {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    if !ab.is_ascii() || !bb.is_ascii() || ab.len() > OSA_MAX || bb.len() > OSA_MAX {
        return strsim::osa_distance(a, b).min(limit.saturating_add(1));
    }
    osa_slices(ab, bb, limit)
}

/// [`osa_bounded`] of two sequences of at most [`OSA_MAX`] items. Only the cells within
/// `limit` of the diagonal are computed (a cell further off is more than `limit` edits, since
/// each edit moves one step off it at most), and the three rows in use are taken in turn, not
/// copied.
fn osa_slices<T: PartialEq>(ab: &[T], bb: &[T], limit: usize) -> usize {
    const MAX: usize = OSA_MAX;
    debug_assert!(ab.len() <= MAX && bb.len() <= MAX);
    if ab.len().abs_diff(bb.len()) > limit {
        return limit + 1;
    }
    let n = bb.len();
    // Beyond the band: more than `limit` (capped, and every cell is at most MAX).
    let far = u8::try_from(limit.saturating_add(1)).unwrap_or(u8::MAX);
    let band = limit.min(MAX);
    let mut rows = [[0u8; MAX + 1]; 3];
    for (j, v) in rows[0].iter_mut().enumerate().take(n + 1) {
        *v = j as u8;
    }
    for i in 1..=ab.len() {
        // Row i is `rows[i % 3]`.
        let [r0, r1, r2] = &mut rows;
        let (prev2, prev, cur) = match i % 3 {
            1 => (&*r2, &*r0, r1),
            2 => (&*r0, &*r1, r2),
            _ => (&*r1, &*r2, r0),
        };
        let (lo, hi) = (i.saturating_sub(band).max(1), (i + band).min(n));
        cur[0] = i as u8;
        if lo > 1 {
            cur[lo - 1] = far;
        }
        if hi < n {
            cur[hi + 1] = far;
        }
        let mut row_min = if lo == 1 { cur[0] } else { far };
        for j in lo..=hi {
            let cost = u8::from(ab[i - 1] != bb[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && ab[i - 1] == bb[j - 2] && ab[i - 2] == bb[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > limit {
            return limit + 1;
        }
    }
    usize::from(rows[ab.len() % 3][n]).min(limit + 1)
}

/// Optimal string alignment distance; on short ASCII skeletons (all of them in practice) without
/// allocating.
pub fn osa_distance(a: &str, b: &str) -> usize {
    // A limit nothing reaches: the exact distance, for strings of any length.
    osa_bounded(a, b, usize::MAX - 1)
}

/// One character per letter: the skeleton's digraphs folded back.
pub(crate) fn letters(s: &str) -> String {
    letter_chars(s).collect()
}

/// The characters of [`letters`], without building the string.
pub(crate) fn letter_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let (bytes, mut at) = (s.as_bytes(), 0);
    std::iter::from_fn(move || {
        let &c = bytes.get(at)?;
        if !c.is_ascii() {
            // Skeletons are ASCII; anything else passes through whole.
            let ch = s[at..].chars().next()?;
            at += ch.len_utf8();
            return Some(ch);
        }
        // The digraphs: щ = shch, ж = zh, х = kh, ц = ts, ч = ch, ш = sh, ю = iu, я = ia.
        let (letter, len) = match (c, bytes.get(at + 1)) {
            (b's', Some(b'h')) if bytes[at..].starts_with(b"shch") => ('щ', 4),
            (b's', Some(b'h')) => ('ш', 2),
            (b'z', Some(b'h')) => ('ж', 2),
            (b'k', Some(b'h')) => ('х', 2),
            (b't', Some(b's')) => ('ц', 2),
            (b'c', Some(b'h')) => ('ч', 2),
            (b'i', Some(b'u')) => ('ю', 2),
            (b'i', Some(b'a')) => ('я', 2),
            _ => (char::from(c), 1),
        };
        at += len;
        Some(letter)
    })
}

/// The level of two different whole words: [`Level::Close`] a typo apart, else
/// [`Level::Disagree`].
fn words_level(x: &str, y: &str, dictionary: bool) -> Level {
    if dictionary && is_given_name(x) && is_given_name(y) {
        // Мария and Марина are two names, not a typo.
        Level::Disagree
    } else if typo_within(x, y, 1) {
        // One edit only: Игоревич and Егорович are two fathers, not a typo.
        Level::Close
    } else {
        Level::Disagree
    }
}

/// What a remembered level compares (see [`remembered_level`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compared {
    /// Two different given names ([`words_level`] with the dictionary).
    Given,
    /// Two different patronymics ([`words_level`] without it).
    Patronymic,
    /// Two different surnames as written ([`surname_level`]; the stems follow from them).
    Surname,
}

/// The level of two different interned words, remembered per thread: the same names meet
/// millions of times at national scale, and the level is a pure, symmetric function of the two
/// words, so it is computed once per slot.
fn remembered_level(x: Sym, y: Sym, what: Compared, level: impl FnOnce() -> Level) -> Level {
    use std::cell::RefCell;
    const SLOTS: usize = 1 << 14;
    type Slot = (usize, usize, Compared, Level);
    thread_local! {
        static MEMO: RefCell<Vec<Option<Slot>>> = RefCell::new(vec![None; SLOTS]);
    }
    let (a, b) = (x.id() as usize, y.id() as usize);
    let (a, b) = (a.min(b), a.max(b));
    let slot = (x.precomputed_hash() ^ y.precomputed_hash() ^ what as u64) as usize % SLOTS;
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        match memo[slot] {
            Some((ma, mb, mw, l)) if (ma, mb, mw) == (a, b, what) => l,
            _ => {
                let l = level();
                memo[slot] = Some((a, b, what, l));
                l
            }
        }
    })
}

/// [`words_level`] of two different interned words, remembered (see [`remembered_level`]).
fn different_words_level(x: Sym, y: Sym, dictionary: bool) -> Level {
    let what = if dictionary {
        Compared::Given
    } else {
        Compared::Patronymic
    };
    remembered_level(x, y, what, || words_level(&x, &y, dictionary))
}

fn compare_word_parts(a: Option<&Part>, b: Option<&Part>, dictionary: bool) -> Level {
    match (a.map(|p| p.kind()), b.map(|p| p.kind())) {
        (None, _) | (_, None) => Level::Missing,
        (Some(PartKind::Full(x)), Some(PartKind::Full(y))) => {
            if x == y {
                Level::Exact
            } else {
                different_words_level(x, y, dictionary)
            }
        }
        (Some(PartKind::Full(w)), Some(PartKind::Initial(i)))
        | (Some(PartKind::Initial(i)), Some(PartKind::Full(w))) => {
            if w.starts_with(i) {
                Level::Initial
            } else {
                Level::Disagree
            }
        }
        (Some(PartKind::Initial(x)), Some(PartKind::Initial(y))) => {
            if x == y {
                Level::Initial
            } else {
                Level::Disagree
            }
        }
    }
}

/// Levels of the three name parts and whether the sexes contradict each other.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NameLevels {
    /// Surname.
    pub surname: Level,
    /// Given name.
    pub given: Level,
    /// Patronymic.
    pub patronymic: Level,
    /// Both patronymics tell a sex and they differ.
    pub sex_conflict: bool,
}

impl NameLevels {
    /// Sum of the weights of the three parts.
    pub fn weight(&self) -> f64 {
        self.weight_with(&WEIGHTS)
    }

    /// [`NameLevels::weight`] under level weights `w`.
    pub fn weight_with(&self, w: &Weights) -> f64 {
        weight_of(&w.surname, self.surname)
            + weight_of(&w.given, self.given)
            + weight_of(&w.patronymic, self.patronymic)
    }
}

/// Compares two parsed names part by part.
pub fn compare_names(a: &NormName, b: &NormName) -> NameLevels {
    NameLevels {
        surname: surname_level(a, b),
        given: given_level(a, b),
        patronymic: patronymic_level(a, b),
        sex_conflict: sex_conflict(a, b),
    }
}

/// The surname level of two names (see [`compare_names`]).
fn surname_level(a: &NormName, b: &NormName) -> Level {
    match (a.surname, b.surname) {
        (Some(x), Some(y)) if x == y => Level::Exact,
        (Some(x), Some(y)) => {
            let (sx, sy) = (a.surname_stem, b.surname_stem);
            match (sx, sy) {
                (Some(sx), Some(sy)) if sx == sy => Level::Close,
                // The stem follows from the surname as written (see `parse_name`), so the
                // level is a function of the two written forms.
                (Some(sx), Some(sy)) => remembered_level(x, y, Compared::Surname, || {
                    if typo_close(&sx, &sy) || typo_close(&x, &y) {
                        Level::Close
                    } else {
                        Level::Disagree
                    }
                }),
                _ => Level::Disagree,
            }
        }
        _ => Level::Missing,
    }
}

/// The given-name level of two names (see [`compare_names`]).
fn given_level(a: &NormName, b: &NormName) -> Level {
    compare_word_parts(a.given.as_ref(), b.given.as_ref(), true)
}

/// The patronymic level of two names (see [`compare_names`]).
fn patronymic_level(a: &NormName, b: &NormName) -> Level {
    compare_word_parts(a.patronymic.as_ref(), b.patronymic.as_ref(), false)
}

/// Both patronymics tell a sex and they differ.
fn sex_conflict(a: &NormName, b: &NormName) -> bool {
    a.sex_from_patronymic && b.sex_from_patronymic && a.sex.is_some() && a.sex != b.sex
}

/// What a link between two mentions rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Equal valid INN.
    Inn,
    /// Name and birth date (or year).
    NameAndDate,
    /// Name alone.
    NameOnly,
}

impl Basis {
    /// English code.
    pub fn code(self) -> &'static str {
        match self {
            Basis::Inn => "inn",
            Basis::NameAndDate => "name_and_date",
            Basis::NameOnly => "name_only",
        }
    }
}

/// The outcome of comparing two mentions that are not ruled apart.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Link {
    /// Total match weight in bits, prior included.
    pub weight: f64,
    /// Probability that both mentions are one person.
    pub probability: f64,
    /// What the link rests on.
    pub basis: Basis,
    /// The names agreed through a former name.
    pub former_name: bool,
    /// Name levels of the best-agreeing pair of names.
    pub levels: NameLevels,
    /// The agreeing surname is rare in the data (see [`RARE_SURNAME_BITS`]).
    pub rare_surname: bool,
    /// Weight of the names' agreement in bits (no prior).
    pub name_weight: f64,
    /// Weight of the birth dates' agreement in bits.
    pub date_weight: f64,
    /// How the birth dates agreed (`None`: a side lacks one).
    #[serde(skip)]
    pub date: Option<DateAgreement>,
}

impl Level {
    /// The level in a word, for explanations.
    pub fn word(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Close => "close",
            Level::Initial => "initial",
            Level::Missing => "missing",
            Level::Disagree => "different",
        }
    }
}

impl Link {
    /// The link as a waterfall in words: each part's weight in bits, the prior, the result:
    /// `names (surname exact, given exact, patronymic initial) +21.4, birth date exact +9.0,
    /// prior -9.9 -> 1.000`. `prior` is the one the link was weighed with; what the names and
    /// the date leave of the total is the equal INN's part (its floor), or the cap on a weak
    /// link.
    pub fn explain(&self, prior: f64) -> String {
        let l = &self.levels;
        let date = match self.date {
            Some(DateAgreement::Exact) => "exact",
            Some(DateAgreement::Year) => "same year",
            Some(DateAgreement::Swapped) => "day/month swapped",
            Some(DateAgreement::OneDigit) => "one digit off",
            _ => "not compared",
        };
        let rest = self.weight - prior - self.name_weight - self.date_weight;
        let rest = if self.basis == Basis::Inn {
            format!(", INN equal {rest:+.1}")
        } else if rest.abs() > 1e-9 {
            format!(", weak link capped {rest:+.1}")
        } else {
            String::new()
        };
        format!(
            "names (surname {}, given {}, patronymic {}{}) {:+.1}, birth date {date} {:+.1}{rest}, \
             prior {:+.1} -> {:.3}",
            l.surname.word(),
            l.given.word(),
            l.patronymic.word(),
            if self.former_name {
                ", through a former name"
            } else {
                ""
            },
            self.name_weight,
            self.date_weight,
            prior,
            self.probability
        )
    }
}

/// A way two records of one person differ, which the evidence names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The names agreed through a former surname.
    FormerName,
    /// The surname in another form or with a typo.
    SurnameClose,
    /// No surname on one side.
    SurnameMissing,
    /// The given name with a typo.
    GivenClose,
    /// The given name by its initial.
    GivenInitial,
    /// No given name on one side.
    GivenMissing,
    /// The patronymic with a typo.
    PatronymicClose,
    /// The patronymic by its initial.
    PatronymicInitial,
    /// No patronymic on one side.
    PatronymicMissing,
    /// Birth day and month swapped.
    DateSwapped,
    /// A birth date one digit off.
    DateOneDigit,
}

impl Link {
    /// What did not agree exactly (nothing when surname, given name and patronymic all agree
    /// exactly and no former name was needed, or an equal INN links a record with no surname).
    pub fn differences(&self) -> Vec<Difference> {
        let l = &self.levels;
        let mut parts: Vec<Difference> = Vec::new();
        if self.former_name {
            parts.push(Difference::FormerName);
        }
        parts.extend(match l.surname {
            Level::Close => Some(Difference::SurnameClose),
            Level::Missing => Some(Difference::SurnameMissing),
            _ => None,
        });
        parts.extend(match l.given {
            Level::Close => Some(Difference::GivenClose),
            Level::Initial => Some(Difference::GivenInitial),
            Level::Missing => Some(Difference::GivenMissing),
            _ => None,
        });
        parts.extend(match l.patronymic {
            Level::Close => Some(Difference::PatronymicClose),
            Level::Initial => Some(Difference::PatronymicInitial),
            Level::Missing => Some(Difference::PatronymicMissing),
            _ => None,
        });
        parts.extend(match self.date {
            Some(DateAgreement::Swapped) if self.basis == Basis::NameAndDate => {
                Some(Difference::DateSwapped)
            }
            Some(DateAgreement::OneDigit) if self.basis == Basis::NameAndDate => {
                Some(Difference::DateOneDigit)
            }
            _ => None,
        });
        if self.basis == Basis::Inn && l.surname == Level::Missing {
            parts.clear();
        }
        parts
    }
}

/// Converts a weight in bits to a probability.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// The prior weight for comparing within a population of `n` candidates: log2(1/n).
pub fn prior_for(n: usize) -> f64 {
    -(n.max(2) as f64).log2()
}

/// Prior weight of a targeted comparison inside a rule: is this controller of a company bidding
/// in an official's procurement one of the few people around that official? About 1 in 1,000
/// (a bid is rarely conflicted, and an official's circle and a bidder's controllers are a handful
/// of people each), against 1 in 100,000 or more for resolving a whole registry.
pub const TARGETED_PRIOR: f64 = -10.0;

/// The prior of a check with `n` mentions: at least [`POPULATION_FLOOR`] candidates.
pub fn registry_prior(n: usize) -> f64 {
    prior_for(n.max(POPULATION_FLOOR))
}

/// Compares two mentions with the default weights (see [`compare_tf`]).
pub fn compare(a: &Mention, b: &Mention, prior: f64) -> Option<Link> {
    compare_tf(a, b, prior, None)
}

/// Surname weight of two agreeing names under term frequencies: the commoner stem decides.
fn tf_surname(na: &NormName, nb: &NormName, lv: &NameLevels, tf: &TermFreq) -> Option<f64> {
    if !matches!(lv.surname, Level::Exact | Level::Close) {
        return None;
    }
    let w = tf.pair_weight(TfPart::Surname, na.surname_stem?, nb.surname_stem?);
    let levels = &tf.levels.surname;
    Some(w - (levels[0] - weight_of(levels, lv.surname)))
}

/// Term-frequency correction of an agreeing whole given name or patronymic (0 otherwise).
fn tf_word(
    a: &Option<Part>,
    b: &Option<Part>,
    level: Level,
    part: TfPart,
    levels: &[f64; 5],
    tf: &TermFreq,
) -> f64 {
    match (a.and_then(Part::word), b.and_then(Part::word), level) {
        (Some(x), Some(y), Level::Exact | Level::Close) => tf.pair_weight(part, x, y) - levels[0],
        _ => 0.0,
    }
}

/// Compares two mentions. `None` when they cannot be one person: different valid INNs,
/// different full birth dates, contradicting sexes, or one questionnaire. With `tf`, the
/// surname's weight follows its frequency in the data.
pub fn compare_tf(a: &Mention, b: &Mention, prior: f64, tf: Option<&TermFreq>) -> Option<Link> {
    if a.in_circle() && a.family == b.family {
        return None;
    }
    let inn_equal = match (&a.inn, &b.inn) {
        (Some(x), Some(y)) if x == y => true,
        (Some(_), Some(_)) => return None,
        _ => false,
    };
    let lw = tf.map_or(&WEIGHTS, |t| &t.levels);
    let date = match (&a.birth, &b.birth) {
        (Some(x), Some(y)) => Some(date_agreement(x, y, lw)),
        _ => None,
    };
    let date_w = date.map(|d| lw.date(d));
    if date_w == Some(None) && !inn_equal {
        return None;
    }
    let mut best: Option<(f64, NameLevels, bool, bool)> = None;
    for (i, na) in a.names.iter().enumerate() {
        for (j, nb) in b.names.iter().enumerate() {
            if na.is_empty() || nb.is_empty() {
                continue;
            }
            let lv = compare_names(na, nb);
            if lv.sex_conflict {
                continue;
            }
            let mut w = lv.weight_with(lw);
            let mut rare = false;
            if let Some(tf) = tf {
                if let Some(sw) = tf_surname(na, nb, &lv, tf) {
                    w += sw - weight_of(&lw.surname, lv.surname);
                    rare = sw >= RARE_SURNAME_BITS;
                }
                w += tf_word(&na.given, &nb.given, lv.given, TfPart::Given, &lw.given, tf);
                w += tf_word(
                    &na.patronymic,
                    &nb.patronymic,
                    lv.patronymic,
                    TfPart::Patronymic,
                    &lw.patronymic,
                    tf,
                );
            }
            if best.as_ref().is_none_or(|(bw, _, _, _)| w > *bw) {
                best = Some((w, lv, i > 0 || j > 0, rare));
            }
        }
    }
    let (name_w, levels, former_name, rare_surname) = match best {
        Some(b) => b,
        None if inn_equal => (
            0.0,
            NameLevels {
                surname: Level::Missing,
                given: Level::Missing,
                patronymic: Level::Missing,
                sex_conflict: false,
            },
            false,
            false,
        ),
        None => return None,
    };
    let date_w = date_w.flatten();
    let weight = total_weight(prior, name_w, date_w.unwrap_or(0.0), inn_equal);
    let basis = if inn_equal {
        Basis::Inn
    } else if date_w.is_some() {
        Basis::NameAndDate
    } else {
        Basis::NameOnly
    };
    Some(Link {
        weight,
        probability: probability(weight),
        basis,
        former_name,
        levels,
        rare_surname,
        name_weight: name_w,
        date_weight: date_w.unwrap_or(0.0),
        date,
    })
}

/// A necessary condition, cheap to test, for two mentions without a birth date in common to
/// link or tie (see [`person_link`]): their INNs agree, or, with no INN or questionnaire
/// setting them apart, some two of their names (sexes not contradicting) agree on whole given
/// names and patronymics, or agree on a surname rare for both (`both_rare`: each mention has a
/// name whose surname stem weighs at least [`RARE_SURNAME_BITS`]). On names alone anything
/// less is a weak link (see [`Link::is_weak`]), which never reaches even odds. Blocking tests
/// it where namesakes would otherwise propose millions of pairs.
pub fn may_link_on_name(a: &Mention, b: &Mention, both_rare: bool) -> bool {
    if a.in_circle() && a.family == b.family {
        return false;
    }
    if let (Some(x), Some(y)) = (&a.inn, &b.inn) {
        return x == y;
    }
    let whole = |l: Level| matches!(l, Level::Exact | Level::Close);
    a.names.iter().filter(|n| !n.is_empty()).any(|na| {
        b.names.iter().filter(|n| !n.is_empty()).any(|nb| {
            !sex_conflict(na, nb)
                && ((whole(patronymic_level(na, nb)) && whole(given_level(na, nb)))
                    || (both_rare && whole(surname_level(na, nb))))
        })
    })
}

/// The weight of a comparison: prior plus evidence, and at least the INN's when INNs agree.
fn total_weight(prior: f64, name_w: f64, date_w: f64, inn_equal: bool) -> f64 {
    let weight = prior + name_w + date_w;
    if inn_equal {
        weight.max(WEIGHTS.inn_equal)
    } else {
        weight
    }
}

impl Link {
    /// A link on the name alone where the given name or the patronymic is missing or only an
    /// initial, and the surname is not rare: namesakes are too common for it to identify a person.
    pub fn is_weak(&self) -> bool {
        let whole = |l: Level| matches!(l, Level::Exact | Level::Close);
        self.basis == Basis::NameOnly
            && !self.rare_surname
            && !(whole(self.levels.given) && whole(self.levels.patronymic))
    }
}

/// Compares two mentions as [`compare_tf`] does, for identifying persons across registries: a
/// weak name-only link (see [`Link::is_weak`]) is held below even odds, so it never links alone.
pub fn person_link(a: &Mention, b: &Mention, prior: f64, tf: Option<&TermFreq>) -> Option<Link> {
    let mut l = compare_tf(a, b, prior, tf)?;
    if l.is_weak() {
        l.weight = l.weight.min(-1.0);
        l.probability = probability(l.weight);
    }
    Some(l)
}

/// A [`person_link`] result under another prior (the evidence does not depend on the prior):
/// one comparison serves both the registry-wide and the targeted question.
pub fn reweigh(l: &Link, prior: f64) -> Link {
    let mut weight = total_weight(prior, l.name_weight, l.date_weight, l.basis == Basis::Inn);
    if l.is_weak() {
        weight = weight.min(-1.0);
    }
    Link {
        weight,
        probability: probability(weight),
        ..*l
    }
}

/// Sex of a mention's primary name, if known.
pub fn sex_of(m: &Mention) -> Option<Sex> {
    m.names.first().and_then(|n| n.sex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_word_levels_are_the_computed_ones() {
        let words = [
            "ivanovich",
            "ivanovna",
            "ivnaovich",
            "petrovich",
            "pavlovich",
            "mariia",
            "marina",
            "mariya",
            "igorevich",
            "egorovich",
            "sergeevich",
            "sergeevch",
        ];
        // Twice in both orders, so that the second pass reads what the first remembered.
        for _ in 0..2 {
            for a in words {
                for b in words {
                    if a == b {
                        continue;
                    }
                    for dictionary in [false, true] {
                        let want = words_level(a, b, dictionary);
                        let got = different_words_level(Sym::from(a), Sym::from(b), dictionary);
                        assert_eq!(got, want, "{a} {b} {dictionary}");
                        assert_eq!(words_level(b, a, dictionary), want, "symmetric: {a} {b}");
                    }
                }
            }
        }
        assert_eq!(words_level("ivanovich", "ivnaovich", false), Level::Close);
        assert_eq!(words_level("mariia", "marina", true), Level::Disagree);
    }

    #[test]
    fn remembered_surname_levels_are_the_computed_ones() {
        use crate::normalize::parse_name;
        // Surnames that are also given names or patronymics (Марина, Иванович), so that the
        // kinds of remembered levels must not be mixed up.
        let surnames = [
            "Иванов",
            "Иванова",
            "Ивнаов",
            "Смирнов",
            "Смирнова",
            "Шмирнов",
            "Кузнецов",
            "Кузнецова",
            "Кузнецовский",
            "Марина",
            "Мариия",
            "Иванович",
            "Иванвоич",
            "Щукин",
            "Шукин",
            "Черных",
            "Чёрных",
            "Цой",
        ];
        let names: Vec<NormName> = surnames.iter().map(|s| parse_name(s)).collect();
        let direct = |a: &NormName, b: &NormName| match (a.surname, b.surname) {
            (Some(x), Some(y)) if x == y => Level::Exact,
            (Some(x), Some(y)) => match (a.surname_stem, b.surname_stem) {
                (Some(sx), Some(sy)) if sx == sy || typo_close(&sx, &sy) || typo_close(&x, &y) => {
                    Level::Close
                }
                _ => Level::Disagree,
            },
            _ => Level::Missing,
        };
        let mut closes = 0;
        for _ in 0..2 {
            for a in &names {
                for b in &names {
                    let want = direct(a, b);
                    closes += usize::from(want == Level::Close);
                    assert_eq!(surname_level(a, b), want, "{a:?} {b:?}");
                    let (x, y) = (a.surname.unwrap(), b.surname.unwrap());
                    if x != y {
                        for dictionary in [false, true] {
                            let words = different_words_level(x, y, dictionary);
                            assert_eq!(words, words_level(&x, &y, dictionary), "{x} {y}");
                        }
                    }
                }
            }
        }
        assert!(closes > 0, "some surnames are a typo apart");
    }

    #[test]
    fn one_edit_test_agrees_with_the_distance() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "bac", "abcd", "abdc", "abd", "abxd", "xabcd",
            "abcdx", "aabcd", "ivanov", "ivnaov", "ivanova", "iavnov", "ivanvo", "ivano",
        ];
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                assert_eq!(
                    osa_at_most_one(a.as_bytes(), b.as_bytes()),
                    d <= 1,
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn osa_distance_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "ivanov",
            "ivanova",
            "ivnaov",
            "petrov",
            "pterov",
            "shchukin",
            "schukin",
            "abcdefghij",
            "badcfehgji",
            "zhukov",
            "zukhov",
            "kuznetsov",
            "kuznecov",
        ];
        for a in words {
            for b in words {
                assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b), "{a} vs {b}");
            }
        }
        assert_eq!(osa_distance("щукин", "шукин"), 1);
        assert_eq!(letters("shchukin"), "щukin");
        assert_eq!(
            letters("zhukov kuznetsov chaikina iuliia"),
            "жukov kuzneцov чaikina юliя"
        );
        // Distances over letters (digraphs folded) agree with strsim's over the folded text.
        for a in words {
            for b in words {
                for edits in [1, 2] {
                    let want = strsim::osa_distance(&letters(a), &letters(b)) <= edits;
                    assert_eq!(letters_within(a, b, edits), want, "{a} vs {b}");
                }
            }
        }
        // Random words of a small alphabet (many near pairs), every limit up to past their
        // lengths: the band and the rows taken in turn against strsim.
        let mut rng = crate::rng::Rng::new(3, 0);
        let word = |rng: &mut crate::rng::Rng| -> String {
            let len = if rng.chance(0.1) {
                40 + rng.below(24)
            } else {
                rng.below(13)
            };
            (0..len)
                .map(|_| ['a', 'b', 'c', 'd'][rng.below(4)])
                .collect()
        };
        for _ in 0..20_000 {
            let (a, b) = (word(&mut rng), word(&mut rng));
            let d = strsim::osa_distance(&a, &b);
            assert_eq!(osa_distance(&a, &b), d, "{a} vs {b}");
            for limit in [0, 1, 2, 3, 4, 6, 13, 254, 300] {
                assert_eq!(
                    osa_bounded(&a, &b, limit),
                    d.min(limit + 1),
                    "{a} vs {b} {limit}"
                );
            }
        }
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                for limit in 0..4 {
                    assert_eq!(osa_bounded(a, b, limit), d.min(limit + 1), "{a} vs {b}");
                    assert!(bag_distance(a, b) <= d, "bag bound {a} vs {b}");
                }
            }
        }
    }
    use crate::normalize::{parse_name, MentionSource};
    use crate::values::parse_birth_date;

    fn m(name: &str, birth: Option<&str>, inn: Option<&str>) -> Mention {
        Mention {
            source: MentionSource::Role(0).into(),
            names: smallvec::smallvec![parse_name(name)],
            birth: birth.and_then(parse_birth_date),
            inn: inn.map(Into::into),
            family: None.into(),
        }
    }

    const PRIOR: f64 = -12.0;

    fn linked(a: &Mention, b: &Mention) -> bool {
        compare(a, b, PRIOR).is_some_and(|l| l.probability >= MATCH_PROBABILITY)
    }

    #[test]
    fn same_name_and_date_links() {
        let a = m("Петров Иван Петрович", Some("01.02.1980"), None);
        let b = m("ПЕТРОВ ИВАН ПЕТРОВИЧ", Some("1980-02-01"), None);
        let l = compare(&a, &b, PRIOR).unwrap();
        assert_eq!(l.basis, Basis::NameAndDate);
        assert!(l.probability > 0.999);
    }

    #[test]
    fn namesakes_with_other_birth_dates_never_link() {
        let a = m("Петров Иван Петрович", Some("01.02.1980"), None);
        let b = m("Петров Иван Петрович", Some("02.02.1980"), None);
        assert!(compare(&a, &b, PRIOR).is_none());
    }

    #[test]
    fn bare_year_agrees_with_a_date_in_it() {
        let a = m("Петров Иван Петрович", Some("1980"), None);
        let b = m("Петров Иван Петрович", Some("02.02.1980"), None);
        assert_eq!(compare(&a, &b, PRIOR).unwrap().basis, Basis::NameAndDate);
        let c = m("Петров Иван Петрович", Some("1981"), None);
        assert!(compare(&c, &b, PRIOR).is_none());
    }

    #[test]
    fn inn_decides() {
        let a = m("Петров Иван Петрович", None, Some("500100732259"));
        let b = m("Петров Иван Петрович", None, Some("500100732259"));
        assert_eq!(compare(&a, &b, PRIOR).unwrap().basis, Basis::Inn);
        let c = m("Петров Иван Петрович", None, Some("772000000004"));
        assert!(compare(&a, &c, PRIOR).is_none());
    }

    #[test]
    fn the_mask_bound_never_exceeds_the_bag_distance() {
        let words: Vec<&str> = "ivanov ivanova petrov smirnov smirnova sidorov aaaa abcd dcba \
                                ivanoff yvanov chernyshev chernishev z"
            .split_whitespace()
            .chain([""])
            .collect();
        for &a in &words {
            for &b in &words {
                assert!(mask_distance(a, b) <= bag_distance(a, b), "{a} {b}");
            }
        }
        assert_eq!(mask_distance("abcd", "wxyz"), 4);
    }

    #[test]
    fn typos_lookalikes_and_transliteration_link() {
        let base = m("Сидорова Ольга Николаевна", None, None);
        for v in [
            "Сидорова Ольга Hиколаевна",
            "Сидорова Ольга Николавна",
            "Сидорва Ольга Николаевна",
            "Ольга Николаевна Сидорова",
            "Sidorova Olga Nikolaevna",
            "СИДОРОВА ОЛЬГА НИКОЛАЕВНА",
        ] {
            assert!(linked(&base, &m(v, None, None)), "{v}");
        }
    }

    #[test]
    fn different_given_names_do_not_link() {
        let a = m("Иванова Мария Петровна", None, None);
        let b = m("Иванова Марина Петровна", None, None);
        assert!(!linked(&a, &b));
    }

    #[test]
    fn spelling_variants_of_one_given_name_link() {
        let a = m("Орлова Наталья Владимировна", None, None);
        for v in ["Орлова Наталия Владимировна", "Orlova Natalia Vladimirovna"]
        {
            assert!(linked(&a, &m(v, None, None)), "{v}");
        }
    }

    #[test]
    fn patronymics_of_two_fathers_do_not_link() {
        let a = m("Волков Глеб Игоревич", None, None);
        assert!(!linked(&a, &m("Волков Глеб Егорович", None, None)));
        assert!(linked(&a, &m("Волков Глеб Игорвич", None, None)));
        // One mistyped letter is one edit even where the skeleton spells it with two.
        let b = m("Богикнев Игорь Кузьмич", None, None);
        assert!(linked(&b, &m("Богикнев Игочь Кузьмич", None, None)));
    }

    #[test]
    fn names_without_patronymic_or_with_initials_need_a_date() {
        let full = m("Гусев Георгий Аркадьевич", None, None);
        for weak in ["Гусев Георгий", "Гусев Г.А."] {
            let l = person_link(&full, &m(weak, None, None), PRIOR + 4.0, None).unwrap();
            assert!(l.probability < 0.5, "{weak}");
            let dated = person_link(
                &m("Гусев Георгий Аркадьевич", Some("1970"), None),
                &m(weak, Some("1970-01-01"), None),
                PRIOR + 4.0,
                None,
            );
            assert!(
                dated.unwrap().probability >= MATCH_PROBABILITY,
                "{weak} with a date"
            );
        }
    }

    #[test]
    fn man_and_woman_do_not_link() {
        let a = m("Петров Александр Иванович", None, None);
        let b = m("Петрова Александра Ивановна", None, None);
        assert!(compare(&a, &b, PRIOR).is_none());
    }

    #[test]
    fn date_slips_link_only_where_the_weights_weigh_them() {
        let a = m("Кузнецова Ольга Петровна", Some("05.03.1980"), None);
        let swapped = m("Кузнецова Ольга Петровна", Some("03.05.1980"), None);
        let day_off = m("Кузнецова Ольга Петровна", Some("06.03.1980"), None);
        let year_off = m("Кузнецова Ольга Петровна", Some("05.03.1981"), None);
        // The defaults: a slip is a different date, which no name outweighs.
        for b in [&swapped, &day_off, &year_off] {
            assert!(compare(&a, b, PRIOR).is_none());
        }
        let mut tf = TermFreq::of(&[a.clone(), swapped.clone()]);
        tf.levels.date_swapped = Some(8.0);
        tf.levels.date_one_digit = Some(4.0);
        let l = compare_tf(&a, &swapped, PRIOR, Some(&tf)).unwrap();
        assert_eq!(
            (l.basis, l.date, l.date_weight),
            (Basis::NameAndDate, Some(DateAgreement::Swapped), 8.0)
        );
        assert!(l
            .explain(PRIOR)
            .contains("birth date day/month swapped +8.0"));
        assert!(l.differences().contains(&Difference::DateSwapped));
        let l = compare_tf(&a, &day_off, PRIOR, Some(&tf)).unwrap();
        assert_eq!(
            (l.date, l.date_weight),
            (Some(DateAgreement::OneDigit), 4.0)
        );
        assert!(l.differences().contains(&Difference::DateOneDigit));
        // A digit of the year is not a slip the check weighs: namesakes of two years.
        assert!(compare_tf(&a, &year_off, PRIOR, Some(&tf)).is_none());
        // Without its weight, a level stays a different date.
        tf.levels.date_swapped = None;
        assert!(compare_tf(&a, &swapped, PRIOR, Some(&tf)).is_none());
        assert!(compare_tf(&a, &day_off, PRIOR, Some(&tf)).is_some());
    }

    #[test]
    fn former_surname_links() {
        let mut a = m("Орлова Наталья Владимировна", Some("1975"), None);
        a.names.push(parse_name("Смирнова Наталья Владимировна"));
        let b = m("Смирнова Наталья Владимировна", Some("1975"), None);
        let l = compare(&a, &b, PRIOR).unwrap();
        assert!(l.former_name);
        assert!(l.probability >= MATCH_PROBABILITY);
    }

    #[test]
    fn initials_are_weaker_than_full_names() {
        let full = m("Иванова Мария Петровна", None, None);
        let init = m("Иванова М.П.", None, None);
        let same = m("Иванова Мария Петровна", None, None);
        let w_init = compare(&full, &init, PRIOR).unwrap().weight;
        let w_full = compare(&full, &same, PRIOR).unwrap().weight;
        assert!(w_init < w_full);
        assert!(
            compare(&full, &m("Иванова М.С.", None, None), PRIOR)
                .unwrap()
                .probability
                < 0.01
        );
    }

    #[test]
    fn questionnaire_members_are_distinct() {
        let mut a = m("Петров Иван Петрович", None, None);
        let mut b = m("Петров Иван Петрович", None, None);
        a.family = Some(3).into();
        b.family = Some(3).into();
        assert!(compare(&a, &b, PRIOR).is_none());
    }

    #[test]
    fn reweighing_equals_comparing_under_the_other_prior() {
        let pairs = [
            // Name and date; name only, weak (initials); INN agreement; a typo.
            (
                m("Петров Иван Петрович", Some("1980-02-01"), None),
                m("Петров Иван Петрович", Some("1980-02-01"), None),
            ),
            (
                m("Петров И.П.", None, None),
                m("Петров Иван Петрович", None, None),
            ),
            (
                m("Петров Иван", None, Some("500100732259")),
                m("Петров Иван Петрович", None, Some("500100732259")),
            ),
            (
                m("Петрова Мария Ивановна", None, None),
                m("Петрава Мария Ивановна", Some("1990"), None),
            ),
        ];
        for (a, b) in &pairs {
            for (from, to) in [(-24.0, TARGETED_PRIOR), (TARGETED_PRIOR, -30.0)] {
                let direct = person_link(a, b, to, None).unwrap();
                let reweighed = reweigh(&person_link(a, b, from, None).unwrap(), to);
                assert_eq!(reweighed, direct, "{a:?} vs {b:?}");
            }
        }
        // The weak link stays under even odds whatever the prior.
        let weak = person_link(&pairs[1].0, &pairs[1].1, -24.0, None).unwrap();
        assert!(weak.is_weak() && reweigh(&weak, 20.0).probability < 0.5);
    }
}
