//! The fields of a person record as the field model compares them (see [`super::model`]):
//! each field's values in a comparable form, and the level two values fall into. Levels are
//! numbered from the strongest agreement down; [`MISSING`] when one side lacks the field.

use smallvec::SmallVec;

use crate::identifiers::{clean_inn, inn_valid, InnCheck};
use crate::model::{BirthDate, Sym};
use crate::normalize::contact::{email_key, phone_key};
use crate::normalize::{parse_name, split_names, NormName, Part};

use super::compare::{compare_names, typo_close, Level};

/// The level of a field one side (or both) lacks: weighs nothing.
pub const MISSING: u8 = u8::MAX;

/// A birth date as its digits, valid or not (`17.00.1916` keeps its day and year): a clerk's
/// typo in a date is evidence, not a reason to drop it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawDate {
    /// Year.
    pub year: u16,
    /// Month 1..12 as written (0: not given; may be out of range when mistyped).
    pub month: u8,
    /// Day as written (0: not given).
    pub day: u8,
    /// Day and month are given (a mistyped `00` included).
    pub full: bool,
}

impl RawDate {
    /// Reads a date in any form [`crate::values::parse_birth_date`] reads, else its three
    /// digit groups (`DD.MM.YYYY` or `YYYY-MM-DD`) even when they make no calendar date.
    pub fn parse(s: &str) -> Option<RawDate> {
        if let Some(b) = crate::values::parse_birth_date(s) {
            return Some(RawDate::of(b));
        }
        let groups: SmallVec<[&str; 3]> = s
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        let num = |g: &str| g.parse::<u16>().ok();
        let (y, m, d) = match groups.as_slice() {
            [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
                (num(y)?, num(m)?, num(d)?)
            }
            [y, m, d] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
                (num(y)?, num(m)?, num(d)?)
            }
            [all] if all.len() == 8 => (num(&all[4..])?, num(&all[2..4])?, num(&all[..2])?),
            _ => return None,
        };
        (1800..=2100).contains(&y).then_some(RawDate {
            year: y,
            month: m.min(99) as u8,
            day: d.min(99) as u8,
            full: true,
        })
    }

    /// The digits of a date read as a calendar date (or a year).
    pub fn of(b: BirthDate) -> RawDate {
        use chrono::Datelike;
        match b {
            BirthDate::Full(d) => RawDate {
                year: d.year() as u16,
                month: d.month() as u8,
                day: d.day() as u8,
                full: true,
            },
            BirthDate::Year(y) => RawDate {
                year: y as u16,
                month: 0,
                day: 0,
                full: false,
            },
        }
    }

    /// True when day and month are given.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// True when the digits make a date of the calendar (a year alone does).
    pub fn is_calendar(&self) -> bool {
        !self.full
            || chrono::NaiveDate::from_ymd_opt(
                i32::from(self.year),
                u32::from(self.month),
                u32::from(self.day),
            )
            .is_some()
    }

    /// The eight digits `DDMMYYYY`.
    fn digits(&self) -> [u8; 8] {
        let (d, m, y) = (self.day % 100, self.month % 100, self.year);
        [
            d / 10,
            d % 10,
            m / 10,
            m % 10,
            (y / 1000 % 10) as u8,
            (y / 100 % 10) as u8,
            (y / 10 % 10) as u8,
            (y % 10) as u8,
        ]
    }
}

/// Birth-date levels (see [`date_level`]).
pub mod date {
    /// The same day, month and year.
    pub const EXACT: u8 = 0;
    /// Day and month swapped (`05.03` against `03.05`).
    pub const SWAPPED: u8 = 1;
    /// One digit changed, or two neighbouring digits swapped.
    pub const ONE_DIGIT: u8 = 2;
    /// The same year, one side giving only the year.
    pub const YEAR_ONLY: u8 = 3;
    /// Years at most one apart.
    pub const YEAR_CLOSE: u8 = 4;
    /// Anything else.
    pub const DIFFERENT: u8 = 5;
}

/// How two birth dates compare (see [`date`]).
pub fn date_level(a: Option<RawDate>, b: Option<RawDate>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a.is_full() && b.is_full() {
        if a == b {
            return date::EXACT;
        }
        if a.year == b.year && a.day == b.month && a.month == b.day {
            return date::SWAPPED;
        }
        if one_edit_same_length(&a.digits(), &b.digits()) {
            return date::ONE_DIGIT;
        }
    } else if a.year == b.year {
        return date::YEAR_ONLY;
    }
    if a.year.abs_diff(b.year) <= 1 {
        date::YEAR_CLOSE
    } else {
        date::DIFFERENT
    }
}

/// True when two equally long digit strings differ in one place or by two neighbours swapped.
fn one_edit_same_length(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff: SmallVec<[usize; 4]> = (0..a.len()).filter(|&i| a[i] != b[i]).take(3).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

/// INN levels (see [`inn_level`]).
pub mod inn {
    /// The same digits.
    pub const EQUAL: u8 = 0;
    /// One digit off (or two neighbours swapped) and one side fails its checksum: a typo.
    pub const ONE_DIGIT: u8 = 1;
    /// Anything else (two valid INNs that differ are two people).
    pub const DIFFERENT: u8 = 2;
}

/// How two INNs (their digits, valid or not) compare (see [`inn`]).
pub fn inn_level(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a == b {
        inn::EQUAL
    } else if (!inn_valid(a) || !inn_valid(b)) && one_edit_same_length(a.as_bytes(), b.as_bytes()) {
        inn::ONE_DIGIT
    } else {
        inn::DIFFERENT
    }
}

/// An address in comparable parts: the words that name the place (settlement and street, or
/// every word of an address without markers), the house and flat numbers and the postcode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    /// The place's words run together, letters only: `лениналуговаябухта`.
    pub words: String,
    /// The set of character bigrams of `words`, hashed into 512 bits, for a similarity that
    /// survives split, merged and mistyped words and costs a few instructions per pair.
    bigrams: [u64; 8],
    /// House number with its block or building (`5`, `5к2`).
    pub house: Option<String>,
    /// Flat or office.
    pub flat: Option<String>,
    /// A number of four or more digits: the postcode.
    pub postcode: Option<String>,
}

impl Address {
    /// Reads an address: Russian markers (`ул.`, `д.`, `кв.`) through
    /// [`crate::normalize::contact::address_parts_of`]; without them, words are the place, a
    /// number of 4+ digits the postcode, the first other number the house, the next the flat.
    pub fn parse(raw: &str) -> Option<Address> {
        let mut a = Address::default();
        if let Some(p) = crate::normalize::contact::address_parts_of(raw) {
            a.words = p.place.concat();
            a.house = p.house;
            a.flat = p.flat;
            a.postcode = p.postcode;
        } else {
            let text = crate::normalize::contact::fold(raw);
            let mut numbers = Vec::new();
            for w in text.split(|c: char| !c.is_alphanumeric()) {
                if w.is_empty() {
                    continue;
                }
                if w.starts_with(|c: char| c.is_ascii_digit()) {
                    if w.len() >= 4 && w.bytes().all(|b| b.is_ascii_digit()) {
                        a.postcode.get_or_insert_with(|| w.to_owned());
                    } else {
                        numbers.push(w.to_owned());
                    }
                } else {
                    a.words.push_str(w);
                }
            }
            let mut numbers = numbers.into_iter();
            a.house = numbers.next();
            a.flat = numbers.next();
        }
        if a.words.is_empty() && a.house.is_none() && a.postcode.is_none() {
            return None;
        }
        let chars: Vec<char> = a.words.chars().collect();
        for w in chars.windows(2) {
            let h = (u64::from(w[0]).wrapping_mul(0x9e37_79b9) ^ u64::from(w[1])) % 512;
            a.bigrams[(h / 64) as usize] |= 1 << (h % 64);
        }
        Some(a)
    }

    /// Dice coefficient of the two places' sets of character bigrams: 1 for the same words,
    /// about 0.9 for one typo in twenty letters, near 0 for unrelated places. (Two bigrams
    /// hashed to one bit count as one: a slight overestimate, the same for every pair.)
    pub fn similarity(&self, other: &Address) -> f64 {
        let count = |b: &[u64; 8]| b.iter().map(|w| w.count_ones()).sum::<u32>();
        let (x, y) = (count(&self.bigrams), count(&other.bigrams));
        if x == 0 || y == 0 {
            return if self.words == other.words { 1.0 } else { 0.0 };
        }
        let common: u32 = self
            .bigrams
            .iter()
            .zip(&other.bigrams)
            .map(|(a, b)| (a & b).count_ones())
            .sum();
        2.0 * f64::from(common) / f64::from(x + y)
    }
}

/// Address levels (see [`address_level`]).
pub mod address {
    /// Same words, house, flat and postcode.
    pub const EXACT: u8 = 0;
    /// Same house and flat (both given), the place's words alike.
    pub const SAME_FLAT: u8 = 1;
    /// Same house, the place's words alike.
    pub const SAME_HOUSE: u8 = 2;
    /// The place's words alike, the house different or not given.
    pub const SAME_STREET: u8 = 3;
    /// The place's words partly alike, or the same house number and postcode.
    pub const SIMILAR: u8 = 4;
    /// Anything else.
    pub const DIFFERENT: u8 = 5;
}

/// Bigram similarity at or above which two places count as alike.
const ALIKE: f64 = 0.8;
/// Bigram similarity at or above which two places count as partly alike.
const PARTLY_ALIKE: f64 = 0.6;

/// How two addresses compare (see [`address`]).
pub fn address_level(a: Option<&Address>, b: Option<&Address>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a.words == b.words && a.house == b.house && a.flat == b.flat && a.postcode == b.postcode {
        return address::EXACT;
    }
    let sim = a.similarity(b);
    let same = |x: &Option<String>, y: &Option<String>| x.is_some() && x == y;
    let house = same(&a.house, &b.house);
    if sim >= ALIKE {
        if house && same(&a.flat, &b.flat) {
            address::SAME_FLAT
        } else if house {
            address::SAME_HOUSE
        } else {
            address::SAME_STREET
        }
    } else if sim >= PARTLY_ALIKE || (house && same(&a.postcode, &b.postcode)) {
        address::SIMILAR
    } else {
        address::DIFFERENT
    }
}

/// Levels of a field compared by its key alone (phone).
pub mod key {
    /// The same key.
    pub const EQUAL: u8 = 0;
    /// Different keys.
    pub const DIFFERENT: u8 = 1;
}

/// How two keys compare (see [`key`]).
pub fn key_level(a: Option<&str>, b: Option<&str>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => key::EQUAL,
        (Some(_), Some(_)) => key::DIFFERENT,
        _ => MISSING,
    }
}

/// E-mail levels (see [`email_level`]).
pub mod email {
    /// The same address.
    pub const EQUAL: u8 = 0;
    /// The same name before `@`, another domain.
    pub const SAME_USER: u8 = 1;
    /// Anything else.
    pub const DIFFERENT: u8 = 2;
}

/// How two e-mail keys compare (see [`email`]).
pub fn email_level(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    let user = |e: &str| e.split_once('@').map_or(e, |(u, _)| u).to_owned();
    if a == b {
        email::EQUAL
    } else if user(a) == user(b) {
        email::SAME_USER
    } else {
        email::DIFFERENT
    }
}

/// Surname levels (see [`name_levels`]).
pub mod surname {
    /// The same surname as written.
    pub const EXACT: u8 = 0;
    /// The same surname in another gender form (`Иванов`, `Иванова`).
    pub const GENDER_FORM: u8 = 1;
    /// One side's surname is a part of the other's double-barrelled one (`Иванова-Петрова`
    /// against `Петрова`, either order, hyphen or space).
    pub const DOUBLE_BARRELLED: u8 = 2;
    /// A typo apart.
    pub const TYPO: u8 = 3;
    /// Surname and given name swapped on one side, and agreeing that way.
    pub const TRANSPOSED: u8 = 4;
    /// More than a typo apart but alike (Jaro-Winkler similarity 0.88 or more).
    pub const SIMILAR: u8 = 5;
    /// Different, but one side's former surname is the other's (exactly or in another gender
    /// form): a maiden name.
    pub const FORMER: u8 = 6;
    /// Anything else.
    pub const DIFFERENT: u8 = 7;
}

/// Given-name and patronymic levels (see [`name_levels`]).
pub mod word {
    /// The same word.
    pub const EXACT: u8 = 0;
    /// A typo apart.
    pub const TYPO: u8 = 1;
    /// An initial agrees with the word or another initial.
    pub const INITIAL: u8 = 2;
    /// Anything else.
    pub const DIFFERENT: u8 = 3;
}

fn word_code(l: Level) -> u8 {
    match l {
        Level::Exact => word::EXACT,
        Level::Close => word::TYPO,
        Level::Initial => word::INITIAL,
        Level::Missing => MISSING,
        Level::Disagree => word::DIFFERENT,
    }
}

/// The levels of two names' parts: `[surname, given, patronymic]`, or `None` when their
/// patronymics tell two sexes.
pub fn name_levels(a: &NormName, b: &NormName) -> Option<[u8; 3]> {
    let lv = compare_names(a, b);
    if lv.sex_conflict {
        return None;
    }
    let surname_code = match lv.surname {
        Level::Exact => surname::EXACT,
        Level::Close if a.surname_stem.is_some() && a.surname_stem == b.surname_stem => {
            surname::GENDER_FORM
        }
        Level::Close => surname::TYPO,
        Level::Missing => MISSING,
        _ if double_barrelled(a, b) => surname::DOUBLE_BARRELLED,
        _ if similar(a.surname, b.surname) => surname::SIMILAR,
        _ => surname::DIFFERENT,
    };
    let normal = [surname_code, word_code(lv.given), word_code(lv.patronymic)];
    if surname_code == surname::DIFFERENT || lv.given == Level::Disagree {
        if let Some(given) = transposed(a, b) {
            return Some([surname::TRANSPOSED, given, normal[2]]);
        }
    }
    if surname_code == surname::DIFFERENT {
        if let Some(given) = lone_given(a, b).or_else(|| lone_given(b, a)) {
            return Some([MISSING, given, MISSING]);
        }
    }
    Some(normal)
}

/// The given-name level when `a` is one word (read as a surname) that is `b`'s given name,
/// exactly or by a typo: a record that kept only the given name (`Мария` against `Петрова
/// Мария`). The surname and patronymic then count as missing.
fn lone_given(a: &NormName, b: &NormName) -> Option<u8> {
    if a.given.is_some() || a.patronymic.is_some() {
        return None;
    }
    let (word, given) = match (a.surname, b.given.and_then(Part::word)) {
        (Some(w), Some(g)) => (w, g),
        _ => return None,
    };
    if word == given {
        Some(word::EXACT)
    } else if typo_close(&word, &given) {
        Some(word::TYPO)
    } else {
        None
    }
}

/// Jaro-Winkler similarity at or above which two surnames more than a typo apart are alike.
const SIMILAR_JW: f64 = 0.88;

/// True when two words are alike by Jaro-Winkler (see [`SIMILAR_JW`]). Most pairs are told
/// apart first by a bound: Jaro counts at most the letters the two share, and Winkler's prefix
/// bonus closes at most 0.4 of the rest.
fn similar(a: Option<Sym>, b: Option<Sym>) -> bool {
    let (Some(x), Some(y)) = (a, b) else {
        return false;
    };
    let (xb, yb) = (x.as_bytes(), y.as_bytes());
    if xb.len() < 4 || yb.len() < 4 {
        return false;
    }
    let mut counts = [0u8; 128];
    for &c in xb {
        let n = &mut counts[usize::from(c & 127)];
        *n = n.saturating_add(1);
    }
    let mut shared = 0usize;
    for &c in yb {
        let n = &mut counts[usize::from(c & 127)];
        if *n > 0 {
            *n -= 1;
            shared += 1;
        }
    }
    let m = shared as f64;
    let jaro_bound = (m / xb.len() as f64 + m / yb.len() as f64 + 1.0) / 3.0;
    if jaro_bound + 0.4 * (1.0 - jaro_bound) < SIMILAR_JW {
        return false;
    }
    strsim::jaro_winkler(&x, &y) >= SIMILAR_JW
}

/// True when one surname is a part (4+ letters) at the start or end of the other, longer one
/// (a double-barrelled surname taken at marriage against either of its halves), or the two
/// are one double-barrelled surname with its halves in either order.
fn double_barrelled(a: &NormName, b: &NormName) -> bool {
    let pairs = [(a.surname, b.surname), (a.surname_stem, b.surname_stem)];
    pairs.iter().any(|p| match *p {
        (Some(x), Some(y)) => {
            let (long, short): (&str, &str) = if x.len() >= y.len() {
                (&x, &y)
            } else {
                (&y, &x)
            };
            if long.len() == short.len() {
                return halves_swapped(long, short);
            }
            short.len() >= 4
                && long.len() >= short.len() + 4
                && (long.starts_with(short) || long.ends_with(short))
        }
        _ => false,
    })
}

/// True when `y` is `x` with its two parts (4+ letters each) swapped: `ivanovapetrova` and
/// `petrovaivanova`.
fn halves_swapped(x: &str, y: &str) -> bool {
    x != y
        && (4..=x.len().saturating_sub(4)).any(|k| {
            x.is_char_boundary(k)
                && y.is_char_boundary(y.len() - k)
                && x[..k] == y[y.len() - k..]
                && x[k..] == y[..y.len() - k]
        })
}

/// The given-name level when `a`'s surname and given name, swapped, agree with `b`'s (a clerk
/// who wrote the given name first): one of the two cross pairs exactly, the other exactly or by
/// a typo.
fn transposed(a: &NormName, b: &NormName) -> Option<u8> {
    let word = |p: &Option<Part>| p.and_then(Part::word);
    let (sa, ga, sb, gb) = (a.surname?, word(&a.given)?, b.surname?, word(&b.given)?);
    // One cross pair exact, the other exact or a typo apart: a typo on both sides of a swap
    // is too weak to tell from chance (and testing it on every pair costs).
    let agree = |x: Sym, y: Sym, z: Sym, w: Sym| x == y && (z == w || typo_close(&z, &w));
    if !(agree(sa, gb, ga, sb) || agree(ga, sb, sa, gb)) {
        return None;
    }
    Some(if ga == sb && sa == gb {
        word::EXACT
    } else {
        word::TYPO
    })
}

/// One record of a person list, its fields in comparable form.
#[derive(Clone, Debug, Default)]
pub struct FieldRecord {
    /// The name as written, parsed.
    pub name: NormName,
    /// Former names (a maiden name), parsed; one given as a surname alone takes the current
    /// given name and patronymic.
    pub former: SmallVec<[NormName; 1]>,
    /// Birth date as its digits.
    pub birth: Option<RawDate>,
    /// INN digits as written (valid or not: a typo is evidence); inline, never allocated.
    pub inn: Option<compact_str::CompactString>,
    /// Address.
    pub address: Option<Address>,
    /// Phone as its ten-digit national number.
    pub phone: Option<String>,
    /// E-mail folded.
    pub email: Option<String>,
}

impl FieldRecord {
    /// A record from its raw fields (empty or unreadable values are `None`).
    pub fn new(
        full_name: &str,
        birth: Option<&str>,
        inn: Option<&str>,
        address: Option<&str>,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> FieldRecord {
        // A valid INN, or one a spreadsheet cut the leading zero of, as the registry loader
        // reads it; else its digits at an INN's length (a typo is evidence).
        let inn = inn.and_then(|s| match clean_inn(s) {
            InnCheck::Valid(v) | InnCheck::Restored(v) => Some(v.as_str().into()),
            InnCheck::Invalid => Some(
                s.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<compact_str::CompactString>(),
            )
            .filter(|d| d.len() == 10 || d.len() == 12),
        });
        FieldRecord {
            name: parse_name(full_name),
            former: SmallVec::new(),
            birth: birth.and_then(RawDate::parse),
            inn,
            address: address.and_then(Address::parse),
            phone: phone.and_then(phone_key),
            email: email.and_then(email_key),
        }
    }

    /// The record with its former names, `;`-separated as officials.csv writes them.
    pub fn with_former(mut self, former: &str) -> FieldRecord {
        for f in split_names(former) {
            let mut n = parse_name(f);
            if n.given.is_none() && n.patronymic.is_none() {
                n.given = self.name.given;
                n.patronymic = self.name.patronymic;
                n.sex = n.sex.or(self.name.sex);
                n.sex_from_patronymic = self.name.sex_from_patronymic;
            }
            if n.surname.is_some() {
                self.former.push(n);
            }
        }
        self
    }
}

/// The levels through a former name when the current surnames differ: one side's former
/// surname agrees with the other's current one (exactly or in another gender form), the given
/// name and patronymic then compared as usual. The first such pair counts.
fn former_levels(a: &FieldRecord, b: &FieldRecord) -> Option<[u8; 3]> {
    let pairs = a
        .former
        .iter()
        .map(|fa| (fa, &b.name))
        .chain(b.former.iter().map(|fb| (&a.name, fb)));
    for (x, y) in pairs {
        if let Some([s, g, p]) = name_levels(x, y) {
            if s == surname::EXACT || s == surname::GENDER_FORM {
                return Some([surname::FORMER, g, p]);
            }
        }
    }
    None
}

/// Number of compared fields: surname, given name, patronymic, birth date, INN, address,
/// phone, e-mail.
pub const FIELDS: usize = 8;

/// One level per field, [`MISSING`] where a side lacks it.
pub type Vector = [u8; FIELDS];

/// How two records compare, field by field; `None` when they cannot be one person: two
/// valid INNs that differ, or two sexes by the patronymics.
pub fn compare_records(a: &FieldRecord, b: &FieldRecord) -> Option<Vector> {
    if let (Some(x), Some(y)) = (&a.inn, &b.inn) {
        if x != y && inn_valid(x) && inn_valid(y) {
            return None;
        }
    }
    let [s, g, p] = if a.name.is_empty() || b.name.is_empty() {
        [MISSING; 3]
    } else {
        name_levels(&a.name, &b.name)?
    };
    let [s, g, p] = if s == surname::DIFFERENT {
        former_levels(a, b).unwrap_or([s, g, p])
    } else {
        [s, g, p]
    };
    Some([
        s,
        g,
        p,
        date_level(a.birth, b.birth),
        inn_level(a.inn.as_deref(), b.inn.as_deref()),
        address_level(a.address.as_ref(), b.address.as_ref()),
        key_level(a.phone.as_deref(), b.phone.as_deref()),
        email_level(a.email.as_deref(), b.email.as_deref()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<RawDate> {
        RawDate::parse(s)
    }

    #[test]
    fn date_levels() {
        assert_eq!(date_level(d("05.03.1980"), d("1980-03-05")), date::EXACT);
        assert_eq!(date_level(d("05.03.1980"), d("03.05.1980")), date::SWAPPED);
        assert_eq!(
            date_level(d("05.03.1980"), d("05.03.1981")),
            date::ONE_DIGIT
        );
        assert_eq!(
            date_level(d("15.03.1980"), d("51.03.1980")),
            date::ONE_DIGIT
        );
        // An impossible month is still compared by its digits.
        assert_eq!(
            date_level(d("17.00.1916"), d("17.10.1916")),
            date::ONE_DIGIT
        );
        assert_eq!(date_level(d("1980"), d("05.03.1980")), date::YEAR_ONLY);
        assert_eq!(
            date_level(d("05.03.1980"), d("20.11.1979")),
            date::YEAR_CLOSE
        );
        assert_eq!(
            date_level(d("05.03.1980"), d("20.11.1950")),
            date::DIFFERENT
        );
        assert_eq!(date_level(d("05.03.1980"), None), MISSING);
        assert_eq!(d("не знаю"), None);
    }

    #[test]
    fn a_date_says_whether_the_calendar_has_it() {
        assert!(d("05.03.1980").unwrap().is_calendar());
        assert!(d("1980").unwrap().is_calendar());
        assert!(!d("17.00.1916").unwrap().is_calendar());
        assert!(!d("31.02.1990").unwrap().is_calendar());
    }

    #[test]
    fn a_former_surname_meets_the_current_one() {
        let rec = |name: &str, former: &str| {
            FieldRecord::new(name, None, None, None, None, None).with_former(former)
        };
        let married = rec("Петрова Анна Игоревна", "Сидорова");
        let levels = |a: &FieldRecord, b: &FieldRecord| compare_records(a, b).unwrap();
        // Her maiden surname alone takes her given name and patronymic.
        assert_eq!(
            levels(&married, &rec("Сидорова Анна Игоревна", ""))[..3],
            [surname::FORMER, word::EXACT, word::EXACT]
        );
        // Either side may carry it; a former full name is compared as written.
        let other = rec("Сидорова Анна Игоревна", "Кузнецова Анна Петровна");
        assert_eq!(
            levels(&rec("Кузнецова Анна Петровна", ""), &other)[..3],
            [surname::FORMER, word::EXACT, word::EXACT]
        );
        // A current surname that agrees is that, whatever the former names.
        assert_eq!(
            levels(&married, &rec("Петрова Анна", ""))[0],
            surname::EXACT
        );
        assert_eq!(
            levels(&married, &rec("Смирнова Анна Игоревна", ""))[0],
            surname::DIFFERENT
        );
    }

    #[test]
    fn an_inn_that_lost_its_leading_zero_is_restored() {
        // 0274062111 written as a number: 274062111.
        let r = FieldRecord::new("Иванов Иван", None, Some("274062111"), None, None, None);
        assert_eq!(r.inn.as_deref(), Some("0274062111"));
        let r = FieldRecord::new("Иванов Иван", None, Some("7707 083 893"), None, None, None);
        assert_eq!(r.inn.as_deref(), Some("7707083893"));
        // A typo keeps its digits; a number of another length is no INN.
        let r = FieldRecord::new("Иванов Иван", None, Some("7707083894"), None, None, None);
        assert_eq!(r.inn.as_deref(), Some("7707083894"));
        let r = FieldRecord::new("Иванов Иван", None, Some("12345"), None, None, None);
        assert_eq!(r.inn, None);
    }

    #[test]
    fn inn_levels() {
        // 500100732259 is valid; one digit changed breaks its checksum.
        assert!(inn_valid("500100732259"));
        assert_eq!(
            inn_level(Some("500100732259"), Some("500100732259")),
            inn::EQUAL
        );
        assert_eq!(
            inn_level(Some("500100732259"), Some("500100732250")),
            inn::ONE_DIGIT
        );
        assert_eq!(
            inn_level(Some("500100732259"), Some("7707083893")),
            inn::DIFFERENT
        );
        assert_eq!(inn_level(None, Some("7707083893")), MISSING);
    }

    #[test]
    fn address_levels() {
        let a = |s: &str| Address::parse(s);
        let base = a("г. Пермь, ул. Ленина, д. 5, кв. 12");
        let lvl = |s: &str| address_level(base.as_ref(), a(s).as_ref());
        assert_eq!(
            lvl("Пермь г, Ленина ул, дом 5, квартира 12"),
            address::EXACT
        );
        assert_eq!(
            lvl("г. Пермь, ул. Ленена, д. 5, кв. 12"),
            address::SAME_FLAT
        );
        assert_eq!(
            lvl("г. Пермь, ул. Ленина, д. 5, кв. 40"),
            address::SAME_HOUSE
        );
        assert_eq!(lvl("г. Пермь, ул. Ленина, д. 17"), address::SAME_STREET);
        assert_eq!(lvl("г. Кунгур, ул. Гоголя, д. 1"), address::DIFFERENT);
        // No markers: words, then numbers by place.
        let febrl = a("15, lubuma place, merewether public school, greensborough, 3138, qld");
        let noisy = a("15, merewether pufblic school, lubumaplace, greensborough, 3138, qld");
        assert_eq!(febrl.as_ref().unwrap().house.as_deref(), Some("15"));
        assert_eq!(febrl.as_ref().unwrap().postcode.as_deref(), Some("3138"));
        assert!(address_level(febrl.as_ref(), noisy.as_ref()) <= address::SAME_HOUSE);
        assert_eq!(address_level(febrl.as_ref(), None), MISSING);
    }

    #[test]
    fn contact_levels() {
        let p = |s: &str| phone_key(s);
        assert_eq!(
            key_level(
                p("+7 (342) 555-01-01").as_deref(),
                p("83425550101").as_deref()
            ),
            key::EQUAL
        );
        let e = |s: &str| email_key(s);
        assert_eq!(
            email_level(
                e("Ivanov@Mail.ru").as_deref(),
                e("ivanov@yandex.ru").as_deref()
            ),
            email::SAME_USER
        );
    }

    #[test]
    fn name_levels_cover_clerks_habits() {
        let lv = |a: &str, b: &str| name_levels(&parse_name(a), &parse_name(b)).unwrap();
        assert_eq!(
            lv("Иванова Мария Петровна", "Иванова Мария Петровна"),
            [surname::EXACT, word::EXACT, word::EXACT]
        );
        assert_eq!(
            lv("Иванов Пётр Ильич", "Иванова Петра Ильича")[0],
            surname::GENDER_FORM
        );
        assert_eq!(
            lv(
                "Иванова-Петрова Мария Петровна",
                "Петрова Иванова Мария Петровна"
            )[0],
            surname::DOUBLE_BARRELLED
        );
        for double in [
            "Иванова-Петрова Мария Петровна",
            "Петрова-Иванова Мария Петровна",
            "Петрова Иванова Мария Петровна",
        ] {
            assert_eq!(
                lv(double, "Иванова Мария Петровна"),
                [surname::DOUBLE_BARRELLED, word::EXACT, word::EXACT],
                "{double}"
            );
        }
        assert_eq!(
            lv("hannagan mikhayla", "mikhayla hannagan"),
            [surname::TRANSPOSED, word::EXACT, MISSING]
        );
        assert_eq!(lv("Сидоров Пётр", "Кузнецов Пётр")[0], surname::DIFFERENT);
        // A record that kept only the given name.
        assert_eq!(
            lv("felicity", "pulford felicity"),
            [MISSING, word::EXACT, MISSING]
        );
        assert_eq!(lv("Иванова", "Петрова Мария")[0], surname::DIFFERENT);
        // More than a typo apart but alike.
        assert_eq!(
            lv("hannagan mikhayla", "hannaan mikhayla")[0],
            surname::TYPO
        );
        assert_eq!(
            lv("hannagan mikhayla", "hanigna mikhayla")[0],
            surname::SIMILAR
        );
        assert_eq!(
            lv("hannagan mikhayla", "smith mikhayla")[0],
            surname::DIFFERENT
        );
        assert!(name_levels(
            &parse_name("Иванов Саша Петрович"),
            &parse_name("Иванов Саша Петровна")
        )
        .is_none());
    }
}
