//! Blocking of person lists for the field model: several keys per record (name parts,
//! birth date, address, identifiers), and every pair that shares one is a candidate, so that a
//! typo in one field still leaves the pair a key in another, and no list is compared with the
//! whole of another.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::normalize::Part;

use super::fields::FieldRecord;

/// Blocks larger than this are left out (and counted): a key shared by that many records
/// (a common surname's ending with a common given name) proposes pairs by the million and
/// tells little.
pub const BLOCK_CAP: usize = 1_000;

/// The keys blocking groups records by, one per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
enum Rule {
    /// Surname stem, the given name's and the patronymic's first letters.
    SurnameInitial,
    /// Surname stem and given name, as a set (either written first).
    NameSet,
    /// Surname stem and birth year.
    SurnameYear,
    /// Given name, the patronymic's first letter and birth year.
    GivenYear,
    /// Birth date (day and month in either order) and the surname's first letter.
    Date,
    /// Birth date (day and month in either order) and the given name's first letter.
    DateGiven,
    /// Birth date (day and month in either order) and the house number or the postcode.
    DatePlace,
    /// Given name, patronymic and birth year (a surname changed at marriage).
    GivenPatronymic,
    /// The surname's first four letters, the given name and the patronymic's first letter (a
    /// typo or a second half late in the surname).
    SurnameHead,
    /// The surname stem's last five letters, the given name and the patronymic's first letter
    /// (a typo or a first half early in the surname).
    SurnameTail,
    /// House number and postcode.
    HousePostcode,
    /// House number and the address's first letters.
    HouseStreet,
    /// INN digits.
    Inn,
    /// Phone.
    Phone,
    /// E-mail.
    Email,
}

fn hash_key(rule: Rule, parts: &[&[u8]]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    (rule as u8).hash(&mut h);
    for p in parts {
        h.write(p);
        h.write_u8(0xff);
    }
    h.finish()
}

fn head(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn tail(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    s.char_indices().nth(count - n).map_or(s, |(i, _)| &s[i..])
}

/// The blocking keys of one record.
/// Long on purpose: one short block per blocking rule (`Rule`), read as the list of them.
pub fn record_keys(r: &FieldRecord) -> SmallVec<[u64; 16]> {
    let mut keys = SmallVec::new();
    let mut add = |rule: Rule, parts: &[&[u8]]| keys.push(hash_key(rule, parts));
    let n = &r.name;
    let stem = n.surname_stem.as_deref();
    let surname = n.surname.as_deref();
    let given = n.given.and_then(Part::word).map(|g| g.as_str());
    let initial = n.given.map(|g| head(g.text(), 1));
    let patronymic = n.patronymic.and_then(Part::word).map(|p| p.as_str());
    let year = r.birth.map(|d| d.year.to_le_bytes());
    // The patronymic's first letter (none: empty), so that keys stay small where patronymics
    // are written (a few given names and surname endings cover half of Russia).
    let pat_initial = n.patronymic.map_or("", |p| head(p.text(), 1));
    if let (Some(s), Some(i)) = (stem, initial) {
        add(
            Rule::SurnameInitial,
            &[s.as_bytes(), i.as_bytes(), pat_initial.as_bytes()],
        );
    }
    // A former surname meets the other record's current one as the current one would.
    for f in &r.former {
        if let (Some(s), Some(i)) = (f.surname_stem.as_deref(), initial) {
            add(
                Rule::SurnameInitial,
                &[s.as_bytes(), i.as_bytes(), pat_initial.as_bytes()],
            );
        }
    }
    if let (Some(s), Some(g)) = (stem, given) {
        let (x, y) = if s <= g { (s, g) } else { (g, s) };
        add(Rule::NameSet, &[x.as_bytes(), y.as_bytes()]);
    }
    if let (Some(s), Some(y)) = (stem, &year) {
        add(Rule::SurnameYear, &[s.as_bytes(), y]);
    }
    if let (Some(g), Some(y)) = (given, &year) {
        add(Rule::GivenYear, &[g.as_bytes(), pat_initial.as_bytes(), y]);
    }
    // A lone word may be the given name of a record that kept only it.
    if let (Some(w), None, None, Some(y)) = (surname, &n.given, &n.patronymic, &year) {
        add(Rule::GivenYear, &[w.as_bytes(), b"", y]);
    }
    if let Some(d) = r.birth.filter(|d| d.is_full()) {
        // With either name's first letter, or the house or postcode: a date alone gathers
        // hundreds of people in a million, and a clerk seldom gets all of them wrong.
        let (lo, hi) = (d.day.min(d.month), d.day.max(d.month));
        let date = [d.year.to_le_bytes()[0], d.year.to_le_bytes()[1], lo, hi];
        if let Some(s) = surname {
            add(Rule::Date, &[&date, head(s, 1).as_bytes()]);
        }
        if let Some(i) = initial {
            add(Rule::DateGiven, &[&date, i.as_bytes()]);
        }
        if let Some(a) = &r.address {
            for part in [&a.house, &a.postcode].into_iter().flatten() {
                add(Rule::DatePlace, &[&date, part.as_bytes()]);
            }
        }
    }
    if let (Some(g), Some(p), Some(y)) = (given, patronymic, &year) {
        add(Rule::GivenPatronymic, &[g.as_bytes(), p.as_bytes(), y]);
    }
    if let (Some(s), Some(g)) = (surname, given) {
        if s.chars().count() >= 4 {
            add(
                Rule::SurnameHead,
                &[head(s, 4).as_bytes(), g.as_bytes(), pat_initial.as_bytes()],
            );
        }
    }
    if let (Some(s), Some(g)) = (stem, given) {
        if s.chars().count() >= 5 {
            add(
                Rule::SurnameTail,
                &[tail(s, 5).as_bytes(), g.as_bytes(), pat_initial.as_bytes()],
            );
        }
    }
    if let Some(a) = &r.address {
        if let Some(h) = &a.house {
            if let Some(p) = &a.postcode {
                add(Rule::HousePostcode, &[h.as_bytes(), p.as_bytes()]);
            }
            if !a.words.is_empty() {
                add(
                    Rule::HouseStreet,
                    &[h.as_bytes(), head(&a.words, 4).as_bytes()],
                );
            }
        }
    }
    if let Some(i) = &r.inn {
        add(Rule::Inn, &[i.as_bytes()]);
    }
    if let Some(p) = &r.phone {
        add(Rule::Phone, &[p.as_bytes()]);
    }
    if let Some(e) = &r.email {
        add(Rule::Email, &[e.as_bytes()]);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Candidate pairs `(a, b)`, `a < b`, sorted, of records sharing a key;
/// with `split`, only pairs across the two lists (records `..split` and `split..`). Returns them
/// and the number of blocks left out for their size (see [`BLOCK_CAP`]).
pub fn candidate_pairs(records: &[FieldRecord], split: Option<usize>) -> (Vec<(u32, u32)>, usize) {
    let entries: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, r)| record_keys(r).into_iter().map(move |k| (k, i as u32)))
        .collect();
    pairs_sharing_keys(entries, split)
}

/// The pairs `(a, b)`, `a < b`, sorted and each once, of records with an equal key among
/// `(key, record)` entries, blocks over [`BLOCK_CAP`] left out (their count returned); with
/// `split`, only pairs across the two lists.
pub fn pairs_sharing_keys(
    mut entries: Vec<(u64, u32)>,
    split: Option<usize>,
) -> (Vec<(u32, u32)>, usize) {
    entries.par_sort_unstable();
    let blocks: Vec<&[(u64, u32)]> = entries.chunk_by(|x, y| x.0 == y.0).collect();
    let oversized = blocks.iter().filter(|b| b.len() > BLOCK_CAP).count();
    let mut pairs: Vec<u64> = blocks
        .par_iter()
        .filter(|b| b.len() > 1 && b.len() <= BLOCK_CAP)
        .flat_map_iter(|b| {
            // Entries are sorted, so within a block `a < c`.
            let mut out = Vec::new();
            for (k, &(_, a)) in b.iter().enumerate() {
                for &(_, c) in &b[k + 1..] {
                    if split.is_none_or(|s| (a as usize) < s && (c as usize) >= s) {
                        out.push(u64::from(a) << 32 | u64::from(c));
                    }
                }
            }
            out
        })
        .collect();
    crate::packed::sort_packed(&mut pairs);
    pairs.dedup();
    (
        pairs
            .into_iter()
            .map(|p| ((p >> 32) as u32, p as u32))
            .collect(),
        oversized,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, date: &str, address: &str) -> FieldRecord {
        FieldRecord::new(name, Some(date), None, Some(address), None, None)
    }

    #[test]
    fn a_typo_in_any_one_field_leaves_a_shared_key() {
        let base = rec(
            "Иванова Мария Петровна",
            "05.03.1980",
            "г. Пермь, ул. Ленина, д. 5",
        );
        let variants = [
            rec(
                "Иванова Мария Петровна",
                "15.03.1981",
                "г. Пермь, ул. Ленина, д. 5",
            ),
            rec("Ивонова Мария Петровна", "05.03.1980", ""),
            rec("Иванова Марья Петровна", "05.03.1980", ""),
            rec("Иванова-Петрова Мария Петровна", "", ""),
            rec("Мария Иванова", "03.05.1980", ""),
            rec("Сидорова Анна", "01.01.1950", "г. Пермь, ул. Ленина, д. 5"),
        ];
        for v in &variants {
            let records = [base.clone(), v.clone()];
            let (pairs, _) = candidate_pairs(&records, None);
            assert_eq!(pairs, vec![(0, 1)], "{:?}", v.name);
        }
        let stranger = rec("Сидорова Анна", "01.01.1950", "г. Кунгур, ул. Гоголя, д. 1");
        assert!(candidate_pairs(&[base.clone(), stranger], None)
            .0
            .is_empty());
        // Across two lists only.
        let (pairs, _) = candidate_pairs(&[base.clone(), base.clone(), base], Some(1));
        assert_eq!(pairs, vec![(0, 1), (0, 2)]);
    }
}
