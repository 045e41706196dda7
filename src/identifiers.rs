//! Russian identifiers: INN, OGRN, OGRNIP check digits (see DOMAIN.md).

/// The kind of a valid taxpayer number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InnKind {
    /// 10 digits: an organisation.
    Organisation,
    /// 12 digits: a natural person (and an individual entrepreneur).
    Person,
}

/// Weights of the 10-digit INN's check digit.
const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the 12-digit INN's 11th digit.
const W12_11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Weights of the 12-digit INN's 12th digit.
const W12_12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// The digits of a 10- or 12-digit number, without an allocation (checked for every INN read).
fn inn_digits(s: &str) -> Option<([u32; 12], usize)> {
    let b = s.as_bytes();
    if b.len() != 10 && b.len() != 12 {
        return None;
    }
    let mut d = [0u32; 12];
    for (x, &c) in d.iter_mut().zip(b) {
        *x = (c as char).to_digit(10)?;
    }
    Some((d, b.len()))
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum::<u32>() % 11 % 10
}

/// Checks an INN's check digits; returns its kind when valid.
pub fn inn_kind(inn: &str) -> Option<InnKind> {
    let (d, len) = inn_digits(inn)?;
    match len {
        10 => (weighted(&d, &W10) == d[9]).then_some(InnKind::Organisation),
        12 => {
            let c11 = weighted(&d, &W12_11);
            let c12 = weighted(&d, &W12_12);
            (c11 == d[10] && c12 == d[11]).then_some(InnKind::Person)
        }
        _ => None,
    }
}

fn text(d: &[u32]) -> String {
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect()
}

/// A valid organisation INN whose first nine digits are `body` (mod 10^9), for synthetic data.
pub fn org_inn_from(body: u64) -> String {
    let mut d = digits(&format!("{:09}", body % 1_000_000_000)).unwrap_or_default();
    d.push(weighted(&d, &W10));
    text(&d)
}

/// A valid personal INN whose first ten digits are `body` (mod 10^10), for synthetic data.
pub fn person_inn_from(body: u64) -> String {
    let mut d = digits(&format!("{:010}", body % 10_000_000_000)).unwrap_or_default();
    d.push(weighted(&d, &W12_11));
    d.push(weighted(&d, &W12_12));
    text(&d)
}

/// A valid OGRN: `1`, then `body` (mod 10^11) in eleven digits, then the check digit.
pub fn ogrn_from(body: u64) -> String {
    let s = format!("1{:011}", body % 100_000_000_000);
    let n: u64 = s.parse().unwrap_or(0);
    format!("{s}{}", n % 11 % 10)
}

/// True when `inn` is a 10- or 12-digit INN with correct check digits.
pub fn inn_valid(inn: &str) -> bool {
    inn_kind(inn).is_some()
}

/// Checks a SNILS (insurance number: 11 digits, written `123-456-789 64` or bare). Its control
/// number is the sum of the first nine digits weighted 9 down to 1, taken mod 101 (100 and 101
/// give 00); numbers up to 001-001-998 carry none to check.
pub fn snils_valid(raw: &str) -> bool {
    let digits: Vec<u32> = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if digits.len() != 11 {
        return false;
    }
    let number = digits[..9].iter().fold(0u64, |n, &d| n * 10 + u64::from(d));
    if number <= 1_001_998 {
        return true;
    }
    let sum: u32 = digits[..9]
        .iter()
        .zip((1..=9).rev())
        .map(|(d, w)| d * w)
        .sum();
    let control = match sum % 101 {
        100 => 0,
        c => c,
    };
    control == digits[9] * 10 + digits[10]
}

/// Checks OGRN (13 digits) or OGRNIP (15 digits).
pub fn ogrn_valid(ogrn: &str) -> bool {
    if !ogrn.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, modulus) = match ogrn.len() {
        13 => (&ogrn[..12], 11u64),
        15 => (&ogrn[..14], 13u64),
        _ => return false,
    };
    let n: u64 = body.parse().unwrap_or(0);
    let check = (n % modulus % 10) as u8;
    ogrn.as_bytes()[ogrn.len() - 1] - b'0' == check
}

/// Outcome of cleaning an INN cell.
#[derive(Debug, PartialEq, Eq)]
pub enum InnCheck {
    /// Valid as written (spaces removed).
    Valid(crate::model::Text),
    /// Valid after restoring a leading zero lost by a spreadsheet.
    Restored(crate::model::Text),
    /// Not a valid INN.
    Invalid,
}

/// Cleans an INN cell: strips spaces, restores one lost leading zero when that makes it valid.
pub fn clean_inn(raw: &str) -> InnCheck {
    let s: crate::model::Text = if raw.bytes().all(|b| b.is_ascii_digit()) {
        raw.into()
    } else {
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    };
    if inn_valid(&s) {
        return InnCheck::Valid(s);
    }
    if (s.len() == 9 || s.len() == 11) && s.bytes().all(|b| b.is_ascii_digit()) {
        let padded = crate::model::Text::from(format!("0{s}"));
        if inn_valid(&padded) {
            return InnCheck::Restored(padded);
        }
    }
    InnCheck::Invalid
}

/// A taxpayer number as one 8-byte value: a cell of up to 15 digits is held as its number and
/// its length (so leading zeros survive), anything else (an identifier kept as written) as an
/// index into a table of such rare values. Registries repeat INNs tens of millions of times;
/// this compares, hashes and copies them as integers, with no global string table to lock.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inn(std::num::NonZeroU64);

/// Set on an [`Inn`] that is not all digits: the low 32 bits index [`OTHER_IDS`].
const OTHER: u64 = 1 << 63;
/// Where an all-digit [`Inn`] keeps its length (1 to 15; never 0, so the value is never 0).
const LEN_SHIFT: u32 = 50;
const MAX_DIGITS: usize = 15;

/// The identifiers that are not all digits, each once, in the order first met, and where each is.
#[derive(Default)]
struct OtherIds {
    list: Vec<&'static str>,
    index: Option<rustc_hash::FxHashMap<&'static str, u32>>,
}

static OTHER_IDS: std::sync::Mutex<OtherIds> = std::sync::Mutex::new(OtherIds {
    list: Vec::new(),
    index: None,
});

impl Inn {
    /// The value of a cell as written (callers trim and validate first).
    pub fn new(s: &str) -> Inn {
        let b = s.as_bytes();
        let raw = if !b.is_empty() && b.len() <= MAX_DIGITS && b.iter().all(u8::is_ascii_digit) {
            let v = b.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
            v | (b.len() as u64) << LEN_SHIFT
        } else {
            let mut t = OTHER_IDS.lock().unwrap_or_else(|e| e.into_inner());
            let OtherIds { list, index } = &mut *t;
            let index = index.get_or_insert_with(Default::default);
            let i = match index.get(s) {
                Some(&i) => i,
                None => {
                    let kept: &'static str = Box::leak(s.into());
                    let i = u32::try_from(list.len()).expect("fewer than 2^32 odd identifiers");
                    list.push(kept);
                    index.insert(kept, i);
                    i
                }
            };
            OTHER | u64::from(i)
        };
        Inn(std::num::NonZeroU64::new(raw).expect("an INN's value is never zero"))
    }

    /// The number and the count of digits, when the value is all digits.
    fn digits(self) -> Option<(u64, u32)> {
        let raw = self.0.get();
        (raw & OTHER == 0).then_some((raw & ((1 << LEN_SHIFT) - 1), (raw >> LEN_SHIFT) as u32))
    }

    /// A number in the INNs' order, for an INN of digits: one INN's is below another's only
    /// where the INN sorts first; `None` for an identifier that is not all digits. Padded with
    /// zeros on the right to 15 digits, a digit string sorts as its number; a prefix of another
    /// sorts first (the length, in the low bits).
    pub fn order_key(self) -> Option<u64> {
        let (v, len) = self.digits()?;
        Some((v * 10u64.pow(MAX_DIGITS as u32 - len)) << 4 | u64::from(len))
    }

    /// The value as written, kept inline (no allocation).
    pub fn text(self) -> compact_str::CompactString {
        compact_str::ToCompactString::to_compact_string(&self)
    }

    /// The kind of a valid INN (see [`inn_kind`]).
    pub fn kind(self) -> Option<InnKind> {
        let (mut v, len) = self.digits().filter(|d| matches!(d.1, 10 | 12))?;
        let mut text = [b'0'; 12];
        for c in text[..len as usize].iter_mut().rev() {
            *c = b'0' + (v % 10) as u8;
            v /= 10;
        }
        inn_kind(std::str::from_utf8(&text[..len as usize]).ok()?)
    }
}

impl std::fmt::Display for Inn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.digits() {
            Some((v, len)) => write!(f, "{v:0width$}", width = len as usize),
            None => {
                let t = OTHER_IDS.lock().unwrap_or_else(|e| e.into_inner());
                f.write_str(t.list[(self.0.get() & !OTHER) as usize])
            }
        }
    }
}

impl std::fmt::Debug for Inn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Inn({self})")
    }
}

/// In the order of the written text, as the strings they replace were sorted.
impl Ord for Inn {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (a, b) = (self.0.get(), other.0.get());
        // Two numbers of one length (nearly every comparison: records are sorted by INN as
        // they are read) compare as their stored values, length bits alike: as numbers, with
        // no padding to compute.
        if a & OTHER == 0 && (a ^ b) >> LEN_SHIFT == 0 {
            return a.cmp(&b);
        }
        match (self.order_key(), other.order_key()) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.to_string().cmp(&other.to_string()),
        }
    }
}

impl PartialOrd for Inn {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<&str> for Inn {
    fn from(s: &str) -> Inn {
        Inn::new(s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn inns_sort_as_their_text() {
        let texts = [
            "7707083893",
            "0707083893",
            "770708389",
            "77070838930",
            "500100732259",
            "5001007322",
            "1",
            "X-12",
            "001",
            "01",
            "X-13",
            "A-1",
            "999999999999999",
            "100000000000000",
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (super::Inn::new(a), super::Inn::new(b));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a} vs {b}");
                // The order key of two numbers orders them alike.
                if let (Some(kx), Some(ky)) = (x.order_key(), y.order_key()) {
                    assert_eq!(kx.cmp(&ky), a.cmp(b), "keys of {a} vs {b}");
                }
            }
        }
        let keyed = texts
            .iter()
            .filter(|t| super::Inn::new(t).order_key().is_some());
        assert_eq!(keyed.count(), texts.len() - 3, "every number has a key");
    }

    #[test]
    fn snils_control_numbers() {
        // 112-233-445 95: 1x9 + 1x8 + 2x7 + 2x6 + 3x5 + 3x4 + 4x3 + 4x2 + 5x1 = 95.
        assert!(snils_valid("112-233-445 95"));
        assert!(snils_valid("11223344595"));
        assert!(!snils_valid("112-233-445 96"));
        assert!(!snils_valid("112-233-445"));
        assert!(!snils_valid("112-233-44a 95"));
        // A sum of 101 or more is taken mod 101 (405 -> 01); 100 is written 00.
        assert!(snils_valid("999-999-999 01"));
        assert!(!snils_valid("999-999-999 41"));
        // 001-326-679: 0 + 0 + 7 + 18 + 10 + 24 + 18 + 14 + 9 = 100.
        assert!(snils_valid("001-326-679 00"));
        assert!(!snils_valid("001-326-679 01"));
    }

    use super::*;

    #[test]
    fn organisation_inn_checksum() {
        // Sberbank's public INN.
        assert_eq!(inn_kind("7707083893"), Some(InnKind::Organisation));
        assert_eq!(inn_kind("7707083894"), None);
    }

    #[test]
    fn person_inn_checksum() {
        assert_eq!(inn_kind("500100732259"), Some(InnKind::Person));
        assert_eq!(inn_kind("500100732258"), None);
        assert_eq!(inn_kind("50010073225"), None);
        assert_eq!(inn_kind("50010073225x"), None);
    }

    #[test]
    fn ogrn_and_ogrnip_checksum() {
        assert!(ogrn_valid("1027700132195"));
        assert!(!ogrn_valid("1027700132196"));
        assert!(ogrn_valid("304500116000157"));
        assert!(!ogrn_valid("304500116000158"));
        assert!(!ogrn_valid("10277001321"));
    }

    #[test]
    fn lost_leading_zero_is_restored() {
        // 0274062111 is a valid 10-digit INN (Bashkortostan region code 02).
        assert!(inn_valid("0274062111"));
        assert_eq!(
            clean_inn("274062111"),
            InnCheck::Restored("0274062111".into())
        );
        assert_eq!(
            clean_inn(" 7707 083893 "),
            InnCheck::Valid("7707083893".into())
        );
        assert_eq!(clean_inn("123"), InnCheck::Invalid);
    }

    #[test]
    fn an_inn_prints_as_written_and_sorts_as_text() {
        let cells = [
            "7707083893",
            "0123456789",
            "000000000012",
            "500100732259",
            "12",
            "120",
            "1200",
            "0",
            "123456789012345",
            "1234567890123456",
            "77-07-083893",
            "ИНН7707",
            "7707083893",
        ];
        for c in cells {
            assert_eq!(Inn::new(c).to_string(), c);
            assert_eq!(Inn::new(c), Inn::new(c));
        }
        assert_ne!(Inn::new("0123456789"), Inn::new("123456789"));
        assert_ne!(Inn::new("12"), Inn::new("120"));
        let mut by_value: Vec<Inn> = cells.iter().map(|c| Inn::new(c)).collect();
        by_value.sort();
        let mut by_text = cells.to_vec();
        by_text.sort();
        let printed: Vec<String> = by_value.iter().map(Inn::to_string).collect();
        assert_eq!(printed, by_text);
        assert_eq!(std::mem::size_of::<Option<Inn>>(), 8);
    }

    #[test]
    fn an_inns_kind_is_its_texts() {
        for c in [
            "7707083893",
            "7707083894",
            "500100732259",
            "500100732258",
            "0",
            "x1",
        ] {
            assert_eq!(Inn::new(c).kind(), inn_kind(c), "{c}");
        }
        assert_eq!(Inn::new(&person_inn_from(42)).kind(), Some(InnKind::Person));
        assert_eq!(
            Inn::new(&org_inn_from(7)).kind(),
            Some(InnKind::Organisation)
        );
    }
}
