//! Contacts in one form: phones, e-mails and Russian postal addresses, so that two registries
//! writing the same contact differently give the same key.

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::model::{Dataset, Texts, WithContacts};

/// A phone as its ten-digit national number (`+7 (342) 555-01-01`, `8 342 5550101` and
/// `73425550101` are one phone). Numbers that are not ten digits after the country code (local
/// numbers without the area code, extensions run together) give `None`: too short to tie
/// anyone.
pub fn phone_key(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    national_number(&digits).map(str::to_owned)
}

/// The ten-digit national number of a phone's digits (see [`phone_key`]).
fn national_number(digits: &str) -> Option<&str> {
    match digits.len() {
        10 => Some(digits),
        11 if digits.starts_with('7') || digits.starts_with('8') => Some(&digits[1..]),
        _ => None,
    }
}

/// An e-mail folded to lower case, without spaces and a `mailto:` prefix; `None` unless it has
/// one `@` with text on both sides.
pub fn email_key(raw: &str) -> Option<String> {
    let e: String = without_mailto(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    is_email(&e).then_some(e)
}

/// An e-mail trimmed, its `mailto:` prefixes stripped (as `trim_start_matches` would, without
/// its substring searcher).
fn without_mailto(raw: &str) -> &str {
    let mut text = raw.trim();
    while let Some(rest) = text.strip_prefix("mailto:") {
        text = rest;
    }
    text
}

/// A folded e-mail has one `@` with text on both sides and a dot after it.
fn is_email(e: &str) -> bool {
    e.split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'))
}

/// What a part of an address names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PartKind {
    Settlement,
    Street,
    House,
    Block,
    Building,
    Flat,
    /// Country, region, district: left out of the key (one registry writes them, another not).
    Region,
}

/// The kind of address part a marker word names (lower case, `ё` as `е`, without the dot), and
/// the one way a street type is written in the key.
fn marker(word: &str) -> Option<(PartKind, &'static str)> {
    Some(match word {
        "г" | "город" | "пос" | "поселок" | "п" | "пгт" | "рп" | "с" | "село" | "дер"
        | "деревня" | "ст-ца" | "станица" | "х" | "хутор" => {
            (PartKind::Settlement, "")
        }
        "ул" | "улица" => (PartKind::Street, "ул"),
        "пр" | "пр-т" | "просп" | "проспект" => (PartKind::Street, "пр-т"),
        "пер" | "переулок" => (PartKind::Street, "пер"),
        "б-р" | "бул" | "бульвар" => (PartKind::Street, "б-р"),
        "ш" | "шоссе" => (PartKind::Street, "ш"),
        "наб" | "набережная" => (PartKind::Street, "наб"),
        "пл" | "площадь" => (PartKind::Street, "пл"),
        "мкр" | "микрорайон" => (PartKind::Street, "мкр"),
        "пр-д" | "проезд" => (PartKind::Street, "пр-д"),
        "туп" | "тупик" => (PartKind::Street, "туп"),
        "аллея" => (PartKind::Street, "аллея"),
        "тракт" => (PartKind::Street, "тракт"),
        "д" | "дом" | "влд" | "владение" => (PartKind::House, ""),
        "корп" | "к" | "корпус" => (PartKind::Block, ""),
        "стр" | "строение" => (PartKind::Building, ""),
        "кв" | "квартира" | "оф" | "офис" | "пом" | "помещение" | "комн" | "комната" => {
            (PartKind::Flat, "")
        }
        "обл"
        | "область"
        | "край"
        | "респ"
        | "республика"
        | "р-н"
        | "район"
        | "ао"
        | "россия"
        | "рф" => (PartKind::Region, ""),
        _ => return None,
    })
}

/// A house, block or flat number: digits with an optional letter or `/` part (`5`, `5а`, `5/2`).
fn number(word: &str) -> Option<&str> {
    word.starts_with(|c: char| c.is_ascii_digit())
        .then_some(word)
}

/// The words of each part of an address (settlement, street with its canonical type first,
/// house, block, building, flat), as slices of the folded text; an empty list is a part the
/// address does not give.
type Parts<'a> = [SmallVec<[&'a str; 3]>; 6];

/// Folds case and `ё`, and drops `№`, in one pass (millions of addresses at national scale).
/// Characters the fold keeps (lower-case Russian letters, digits, punctuation) are copied by
/// the run, not one by one; ASCII and the Russian letters are read as bytes.
pub(crate) fn fold(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut text = String::with_capacity(raw.len());
    // Start of the characters kept as they are and not yet copied.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (folded, len) = match b {
            b'A'..=b'Z' => (char::from(b + 32), 1),
            0..=0x7F => {
                i += 1;
                continue;
            }
            // а..п (D0 B0..BF) and р..я (D1 80..8F): kept.
            0xD0 if bytes[i + 1] >= 0xB0 => {
                i += 2;
                continue;
            }
            0xD1 if bytes[i + 1] <= 0x8F => {
                i += 2;
                continue;
            }
            _ => {
                let c = raw[i..].chars().next().unwrap_or_default();
                match c {
                    'ё' | 'Ё' => ('е', 2),
                    '№' => (' ', 3),
                    'А'..='Я' => (char::from_u32(c as u32 + 32).unwrap_or(c), 2),
                    c => {
                        let mut lower = c.to_lowercase();
                        let len = c.len_utf8();
                        if lower.len() != 1 || lower.clone().next() != Some(c) {
                            text.push_str(&raw[run..i]);
                            text.extend(&mut lower);
                            run = i + len;
                        }
                        i += len;
                        continue;
                    }
                }
            }
        };
        text.push_str(&raw[run..i]);
        text.push(folded);
        i += len;
        run = i;
    }
    text.push_str(&raw[run..]);
    text
}

/// The words of one component of a folded address, split at whitespace and dots (a marker's
/// dot split off: `ул.Ленина`, `д.5`), empty ones dropped: `split(|c| c.is_whitespace() || c
/// == '.')` read byte by byte, a character decoded only where its lead byte may begin a
/// whitespace character outside ASCII (U+0085, U+00A0, U+1680, U+2000..U+3000).
fn words_into<'a>(component: &'a str, words: &mut SmallVec<[&'a str; 8]>) {
    let bytes = component.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let (split, len) = match b {
            b'.' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => (true, 1),
            0..=0x7F => (false, 1),
            0xC2 | 0xE1..=0xE3 => {
                let c = component[i..].chars().next().unwrap_or_default();
                (c.is_whitespace(), c.len_utf8())
            }
            0x80..=0xDF => (false, 2),
            0xE0..=0xEF => (false, 3),
            _ => (false, 4),
        };
        if split {
            if i > start {
                words.push(&component[start..i]);
            }
            start = i + len;
        }
        i += len;
    }
    if bytes.len() > start {
        words.push(&component[start..]);
    }
}

/// The parts of a folded address (see [`address_key`]), or `None` when it names no place.
/// Long on purpose: one pass over the comma-separated components, each word read by the
/// marker before or after it (`ул.`, `д.`, `кв.`), the rules for each marker inline.
fn address_parts(text: &str) -> Option<Parts<'_>> {
    let mut parts: Parts = Default::default();
    let slot = |k: PartKind| match k {
        PartKind::Settlement => Some(0),
        PartKind::Street => Some(1),
        PartKind::House => Some(2),
        PartKind::Block => Some(3),
        PartKind::Building => Some(4),
        PartKind::Flat => Some(5),
        PartKind::Region => None,
    };
    // A part is taken from the first place that gives it.
    fn set<'a>(parts: &mut Parts<'a>, s: usize, words: &[&'a str]) {
        if parts[s].is_empty() {
            parts[s].extend(words.iter().copied());
        }
    }
    let mut words: SmallVec<[&str; 8]> = SmallVec::new();
    let mut rest: SmallVec<[&str; 8]> = SmallVec::new();
    // `text.split([',', ';'])`, read as bytes.
    let mut start = 0;
    let ends = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| matches!(b, b',' | b';'));
    for end in ends.map(|(i, _)| i).chain([text.len()]) {
        let component = &text[start..end];
        start = end + 1;
        // Words, with a marker's dot split off (`ул.Ленина`, `д.5`).
        words.clear();
        words_into(component, &mut words);
        if words.is_empty() {
            continue;
        }
        // A postcode alone.
        if words.len() == 1 && words[0].len() == 6 && words[0].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut kind = None;
        rest.clear();
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            match marker(w) {
                // `д` before a name is a village (деревня), before a number a house.
                Some((PartKind::House, _))
                    if w == "д" && words.get(i + 1).is_some_and(|n| number(n).is_none()) =>
                {
                    kind.get_or_insert((PartKind::Settlement, ""));
                }
                Some((k, canon)) => {
                    if kind.is_none() || k != PartKind::Street && rest.is_empty() {
                        kind = Some((k, canon));
                    } else if let Some(n) = words.get(i + 1).and_then(|n| number(n)) {
                        // A second marker inside one component: `ул. Ленина д. 5 кв. 12`.
                        if let Some(s) = slot(k) {
                            set(&mut parts, s, &[n]);
                        }
                        i += 1;
                    }
                }
                None => rest.push(w),
            }
            i += 1;
        }
        match kind {
            Some((PartKind::Region, _)) => {}
            Some((PartKind::Street, canon)) => {
                // `ул. Ленина 5`: a trailing number is the house.
                if rest.len() > 1 {
                    if let Some(n) = rest.last().and_then(|w| number(w)) {
                        set(&mut parts, 2, &[n]);
                        rest.pop();
                    }
                }
                if !rest.is_empty() && parts[1].is_empty() {
                    parts[1].push(canon);
                    parts[1].extend(rest.iter().copied());
                }
            }
            Some((k, _)) => {
                if let Some(s) = slot(k) {
                    if k == PartKind::Settlement {
                        set(&mut parts, s, &rest);
                    } else if let Some(n) = rest.first().and_then(|w| number(w)) {
                        set(&mut parts, s, &[n]);
                    }
                }
            }
            // No marker: a bare number after the street is the house, a word a settlement.
            None => {
                if let Some(n) = rest.first().and_then(|w| number(w)) {
                    if !parts[1].is_empty() && rest.len() == 1 {
                        set(&mut parts, 2, &[n]);
                    }
                } else if parts[0].is_empty() && marker(rest[0]).is_none() {
                    set(&mut parts, 0, &rest);
                }
            }
        }
    }
    // A house, and a street or a settlement to find it in.
    let named = !parts[2].is_empty() && (!parts[0].is_empty() || !parts[1].is_empty());
    named.then_some(parts)
}

/// An address as the key of one flat (or of one building, when the address has no flat):
/// settlement, street (its type written one way), house, block, building and flat, in that order
/// whatever the order written; postcode, country, region and district left out. Markers are
/// read in full and abbreviated (`ул.`/`улица`, `д.`/`дом`, `кв.`/`квартира`, `г.`/`город`,
/// ...), before or after the name (`ул. Ленина`, `Ленина ул`). `None` when there is no street
/// or settlement, or no house number: too little to name a place.
pub fn address_key(raw: &str) -> Option<String> {
    let text = fold(raw);
    let parts = address_parts(&text)?;
    Some(
        parts
            .iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("|"),
    )
}

/// An address read by its markers, for comparing two addresses part by part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressParts {
    /// The settlement's words, then the street's (its type written one way).
    pub place: Vec<String>,
    /// House number, with block and building (`5`, `5 к2 с1`).
    pub house: Option<String>,
    /// Flat or office number.
    pub flat: Option<String>,
    /// A six-digit postcode.
    pub postcode: Option<String>,
}

/// The parts of an address with markers (see [`address_key`] for what is read), `None` when
/// it names no house in a street or settlement.
pub fn address_parts_of(raw: &str) -> Option<AddressParts> {
    let text = fold(raw);
    let parts = address_parts(&text)?;
    let house: Vec<String> = [(2, ""), (3, "к"), (4, "с")]
        .iter()
        .filter(|(i, _)| !parts[*i].is_empty())
        .map(|(i, mark)| format!("{mark}{}", parts[*i].join(" ")))
        .collect();
    Some(AddressParts {
        place: parts[0]
            .iter()
            .chain(&parts[1])
            .map(|w| (*w).to_owned())
            .collect(),
        house: (!house.is_empty()).then(|| house.join(" ")),
        flat: (!parts[5].is_empty()).then(|| parts[5].join(" ")),
        postcode: text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .map(str::to_owned),
    })
}

/// A hash of [`address_key`] computed without building it: equal keys, equal hashes.
pub fn address_hash(raw: &str) -> Option<u64> {
    use std::hash::Hasher;
    let text = fold(raw);
    let parts = address_parts(&text)?;
    let mut h = rustc_hash::FxHasher::default();
    for p in &parts {
        for w in p {
            h.write(w.as_bytes());
            h.write_u8(0xff);
        }
        h.write_u8(0xfe);
    }
    Some(h.finish())
}

/// A contact's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A home or legal address with a building and a flat.
    Address,
}

/// Companies of the registry sharing one contact from this many on make it a mass contact (a
/// registration agent's address, an accountant's phone): it ties no one.
pub const MASS: usize = 5;

/// A contact in its compared form, hashed, with its channel in the two low bits (8 bytes a
/// contact: tens of millions of them at national scale).
pub fn keyed(ch: Channel, key: &(impl std::hash::Hash + ?Sized)) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    ch.hash(&mut h);
    key.hash(&mut h);
    (h.finish() & !3) | ch as u64
}

/// The channel of a [`keyed`] contact.
pub fn channel(k: u64) -> Channel {
    match k & 3 {
        0 => Channel::Email,
        1 => Channel::Phone,
        _ => Channel::Address,
    }
}

/// A home or legal address as a [`keyed`] contact, if it has a building and flat to compare.
pub fn address_contact(address: &str) -> Option<u64> {
    address_hash(address).map(|h| keyed(Channel::Address, &h))
}

/// [`email_key`] as a [`keyed`] contact; an ASCII e-mail (nearly all) is folded into a buffer
/// on the stack, not a new string (a million e-mails at regional scale).
fn email_contact(raw: &str) -> Option<u64> {
    let text = without_mailto(raw);
    let mut buf = [0u8; 128];
    if !text.is_ascii() || text.len() > buf.len() {
        return email_key(raw).map(|k| keyed(Channel::Email, &k));
    }
    let mut n = 0;
    for b in text.bytes().filter(|&b| !char::from(b).is_whitespace()) {
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let e = std::str::from_utf8(&buf[..n]).ok()?;
    is_email(e).then(|| keyed(Channel::Email, e))
}

/// [`phone_key`] as a [`keyed`] contact, its digits gathered on the stack.
fn phone_contact(raw: &str) -> Option<u64> {
    let mut digits = [0u8; 11];
    let mut n = 0;
    for b in raw.bytes().filter(u8::is_ascii_digit) {
        // More digits than any national number has.
        if n == digits.len() {
            return None;
        }
        digits[n] = b;
        n += 1;
    }
    let national = national_number(std::str::from_utf8(&digits[..n]).ok()?)?;
    Some(keyed(Channel::Phone, national))
}

/// The compared contacts of one record's address, phone and e-mail, [`keyed`]: at most one
/// per channel.
fn contacts(address: &str, phone: &str, email: &str) -> SmallVec<[u64; 3]> {
    let mut out = SmallVec::new();
    // Most contacts are blank once those no rule reads are (see `blank_unread`): no key
    // function allocates for them.
    if let Some(k) = Some(email)
        .filter(|e| !e.is_empty())
        .and_then(email_contact)
    {
        out.push(k);
    }
    if let Some(k) = Some(phone)
        .filter(|p| !p.is_empty())
        .and_then(phone_contact)
    {
        out.push(k);
    }
    if let Some(h) = Some(address)
        .filter(|a| !a.is_empty())
        .and_then(address_hash)
    {
        out.push(keyed(Channel::Address, &h));
    }
    out
}

/// The [`keyed`] contacts of a record (an official's, a relative's or a company's).
pub fn contacts_of<T: WithContacts<N>, const N: usize>(r: &T) -> SmallVec<[u64; 3]> {
    let [email, phone, address] = T::CONTACT_FIELDS.map(|f| f.map(|i| r.texts().get(i)));
    contacts(
        address.as_deref().unwrap_or_default(),
        phone.as_deref().unwrap_or_default(),
        email.as_deref().unwrap_or_default(),
    )
}

/// Blanks, right after loading, every contact no rule can read, and returns how many.
///
/// The rules compare contacts only as [`keyed`] values and quote one only where two records
/// share it: a company's with an official's or a relative's (CONTACT, UNDECLARED's same flat)
/// or with another company's (BIDDERS), never a [`MASS`] one. So a company keeps a contact
/// that other companies (fewer than [`MASS`]) or an official's side give; an official or a
/// relative keeps one that companies (fewer than [`MASS`]) give; every other contact, and one
/// no key can be read from, is dropped: nearly every one in the generated national data,
/// whose peak fell by 0.8 GiB with it. The rules then find the same contacts shared, with the
/// same texts.
pub fn blank_unread(data: &mut Dataset) -> usize {
    let company_keys: Vec<SmallVec<[u64; 3]>> =
        data.companies.par_iter().map(contacts_of).collect();
    // The non-mass contacts of the registry, by how many companies give them.
    let mut all: Vec<u64> = company_keys.iter().flatten().copied().collect();
    all.par_sort_unstable();
    let (mut once, mut shared) = (Vec::new(), Vec::new());
    for run in all.chunk_by(|a, b| a == b) {
        match run.len() {
            1 => once.push(run[0]),
            n if n < MASS => shared.push(run[0]),
            _ => {}
        }
    }
    drop(all);
    let has = |list: &[u64], k: u64| list.binary_search(&k).is_ok();
    let in_registry = |k: u64| has(&shared, k) || has(&once, k);
    let mut blanked = blank_where(&mut data.officials, |_, r| contacts_of(r), in_registry);
    blanked += blank_where(&mut data.relatives, |_, r| contacts_of(r), in_registry);
    // A contact one company gives is kept where an official's side gives it too.
    let mut side: Vec<u64> = data
        .officials
        .par_iter()
        .flat_map_iter(contacts_of)
        .chain(data.relatives.par_iter().flat_map_iter(contacts_of))
        .filter(|&k| has(&once, k))
        .collect();
    side.par_sort_unstable();
    side.dedup();
    drop(once);
    blanked += blank_where(
        &mut data.companies,
        |i, _| company_keys[i].clone(),
        |k| has(&shared, k) || has(&side, k),
    );
    blanked
}

/// Blanks the contacts of `records` (whose [`keyed`] contacts `keys` gives, by index) that
/// `keep` refuses, and those without a key; returns how many. When most records change, every
/// record's texts are made anew before the old ones go, so that the old ones free whole pages
/// of memory rather than leave holes among those kept.
fn blank_where<T: WithContacts<N> + Send + Sync, const N: usize>(
    records: &mut [T],
    keys: impl Fn(usize, &T) -> SmallVec<[u64; 3]> + Sync,
    keep: impl Fn(u64) -> bool + Sync,
) -> usize {
    let blank_of = |(row, r): (usize, &T)| -> [bool; N] {
        let mut blank = [false; N];
        for field in T::CONTACT_FIELDS.into_iter().flatten() {
            blank[field] = !r.texts().get(field).is_empty();
        }
        for k in keys(row, r) {
            if keep(k) {
                if let Some(field) = T::CONTACT_FIELDS[channel(k) as usize] {
                    blank[field] = false;
                }
            }
        }
        blank
    };
    let blanks: Vec<[bool; N]> = records.par_iter().enumerate().map(blank_of).collect();
    let count = |b: &[bool; N]| b.iter().filter(|&&x| x).count();
    let changed = blanks.iter().filter(|b| count(b) > 0).count();
    let all = changed * 2 > records.len();
    let fresh: Vec<Option<Texts<N>>> = records
        .par_iter()
        .zip(&blanks)
        .map(|(r, b)| (all || count(b) > 0).then(|| r.texts().blanked(*b)))
        .collect();
    for (r, t) in records.iter_mut().zip(fresh) {
        if let Some(t) = t {
            *r.texts_mut() = t;
        }
    }
    blanks.iter().map(count).sum()
}

/// The building of an address key (the flat dropped): where a registration agent's many
/// companies are counted.
pub fn building_of(key: &str) -> &str {
    key.rsplit_once('|').map_or(key, |(b, _)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_phone_however_written() {
        let want = Some("3425550101".to_owned());
        for p in [
            "+7 (342) 555-01-01",
            "8 342 555 01 01",
            "8-342-555-01-01",
            "+73425550101",
            "83425550101",
            "3425550101",
        ] {
            assert_eq!(phone_key(p), want, "{p}");
        }
        assert_eq!(phone_key("555-01-01"), None);
        assert_eq!(phone_key("+1 212 555 0101 22"), None);
    }

    #[test]
    fn emails_fold_case_and_must_look_like_one() {
        assert_eq!(
            email_key(" M.Ivanova@Example.ORG "),
            Some("m.ivanova@example.org".to_owned())
        );
        assert_eq!(email_key("mailto:a@b.ru"), Some("a@b.ru".to_owned()));
        assert_eq!(email_key("нет"), None);
        assert_eq!(email_key("a@b"), None);
    }

    #[test]
    fn one_address_in_its_usual_spellings() {
        let want = address_key("г. Северск, ул. Ленина, д. 5, кв. 12").unwrap();
        assert_eq!(want, "северск|ул ленина|5|||12");
        for a in [
            "636000, г. Северск, ул. Ленина, д. 5, кв. 12",
            "Томская обл., город Северск, улица Ленина, дом 5, квартира 12",
            "Северск г, Ленина ул, д.5, кв.12",
            "ул. Ленина, д. 5, кв. 12, г. Северск, 636000",
            "г.Северск, ул.Ленина, 5, кв 12",
            "Россия, г. Северск, ул. Ленина д. 5 кв. 12",
            "г. СЕВЕРСК, УЛ. ЛЕНИНА, Д. 5, КВ. 12",
            "г. Северск, ул. Ленина 5, кв. 12",
        ] {
            assert_eq!(address_key(a).as_deref(), Some(want.as_str()), "{a}");
        }
        // Another flat, another house, another street type: other places.
        for other in [
            "г. Северск, ул. Ленина, д. 5, кв. 13",
            "г. Северск, ул. Ленина, д. 7, кв. 12",
            "г. Северск, пр. Ленина, д. 5, кв. 12",
        ] {
            assert_ne!(
                address_key(other).as_deref(),
                Some(want.as_str()),
                "{other}"
            );
        }
        assert_eq!(
            address_key("г. Северск, пр-т Победы, д. 106"),
            address_key("Северск, проспект Победы, дом 106")
        );
        // A village written with `д.`, a house with `д.`.
        assert_eq!(
            address_key("д. Ивановка, ул. Садовая, д. 3").as_deref(),
            Some("ивановка|ул садовая|3|||")
        );
        assert_eq!(address_key("г. Северск"), None);
        assert_eq!(address_key(""), None);
    }

    #[test]
    fn the_hash_of_an_address_follows_its_key() {
        let a = [
            "г. Северск, ул. Ленина, д. 5, кв. 12",
            "Северск г, Ленина ул, д.5, кв.12",
            "г. Северск, ул. Ленина, д. 5, кв. 13",
            "г. Северск, ул. Ленина, д. 51, кв. 2",
            "г. Северск, пр. Ленина, д. 5, кв. 12",
            "д. Ивановка, ул. Садовая, д. 3",
        ];
        for x in a {
            for y in a {
                let same_key = address_key(x) == address_key(y);
                assert_eq!(address_hash(x) == address_hash(y), same_key, "{x} | {y}");
            }
        }
        assert_eq!(address_hash("г. Северск"), None);
    }

    /// Characters to try the byte-level reading on: every one up to U+0500 (ASCII, Latin,
    /// Cyrillic, `ё`/`Ё`), every whitespace character beyond it, and others whose lower case is
    /// two characters (`İ`), a different length (`Ω` `K` signs), or none (`№`, an emoji).
    fn trial_chars() -> Vec<char> {
        let beyond = "\u{1680}\u{2000}\u{2007}\u{200A}\u{200B}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}№İΩKẞ€😀";
        (0..=0x500u32)
            .filter_map(char::from_u32)
            .chain(beyond.chars())
            .collect()
    }

    #[test]
    fn the_fold_is_the_character_by_character_one() {
        // The fold's rules, a character at a time through the Unicode tables.
        fn reference(raw: &str) -> String {
            let mut text = String::new();
            for c in raw.chars() {
                match c {
                    'ё' | 'Ё' => text.push('е'),
                    '№' => text.push(' '),
                    c => text.extend(c.to_lowercase()),
                }
            }
            text
        }
        let chars = trial_chars();
        for &c in &chars {
            for text in [
                format!("{c}"),
                format!("Ул. {c}Ленина{c}, д.5{c}"),
                format!("{c}{c}ЁЖИК ёж ABC xyz"),
            ] {
                assert_eq!(fold(&text), reference(&text), "{c:?} in {text:?}");
            }
        }
        assert_eq!(fold("Ёлкин ПЕР., №5"), "елкин пер.,  5");
    }

    #[test]
    fn the_words_of_a_component_are_split_as_by_characters() {
        let chars = trial_chars();
        let whitespace = chars.iter().filter(|c| c.is_whitespace()).count();
        assert_eq!(whitespace, 6 + 2 + 9, "whitespace characters tried");
        for &c in &chars {
            for text in [
                format!("{c}"),
                format!("ул.{c}ленина{c}{c}д.5 {c}"),
                format!("{c}кв{c}12."),
            ] {
                let want: Vec<&str> = text
                    .split(|c: char| c.is_whitespace() || c == '.')
                    .filter(|w| !w.is_empty())
                    .collect();
                let mut words = SmallVec::new();
                words_into(&text, &mut words);
                assert_eq!(words.as_slice(), want.as_slice(), "{c:?} in {text:?}");
            }
        }
    }

    #[test]
    fn e_mails_and_phones_key_as_their_written_keys_do() {
        let emails = [
            " M.Ivanova@Example.ORG ",
            "mailto:a@b.ru",
            "mailto: A @ B.RU",
            "mailto:mailto:a@b.ru",
            " mailtoa@b.ru",
            "a@b",
            "@b.ru",
            "a@b@c.ru",
            "нет",
            "Иван@почта.рф",
            "a\u{b}b@c.ru",
            "a\u{a0}b@c.ru",
            "",
        ];
        let long = format!("{}@example.ru", "x".repeat(130));
        for e in emails.iter().copied().chain([long.as_str()]) {
            let want = email_key(e).map(|k| keyed(Channel::Email, &k));
            assert_eq!(email_contact(e), want, "{e:?}");
        }
        let phones = [
            "+7 (342) 555-01-01",
            "8 342 555 01 01",
            "3425550101",
            "93425550101",
            "555-01-01",
            "+1 212 555 0101 22",
            "+7 342 555 01 01 доб. 1",
            "тел. 8(342)5550101",
            "",
        ];
        for p in phones {
            let want = phone_key(p).map(|k| keyed(Channel::Phone, &k));
            assert_eq!(phone_contact(p), want, "{p:?}");
        }
    }

    #[test]
    fn the_building_drops_the_flat() {
        let k = address_key("г. Северск, ул. Ленина, д. 5, офис 3").unwrap();
        assert_eq!(building_of(&k), "северск|ул ленина|5||");
    }

    #[test]
    fn only_contacts_two_records_share_outside_mass_ones_are_kept() {
        use crate::model::{Company, Inn, Official, OptBirth, Relative, Sym};
        let official = |phone: &str, email: &str| Official {
            line: 2,
            texts: Texts::new(
                ["O1", "Гаврилов Тимофей Ильич", "", phone, email],
                ["Г Т И"],
            ),
            birth_date: OptBirth::NONE,
            inn: None,
            position: Sym::default(),
            employer_inn: None,
        };
        let relative = |address: &str, phone: &str| Relative {
            line: 2,
            official: 0,
            kinship: crate::model::Kinship::Spouse,
            kinship_word: Sym::default(),
            texts: Texts::new(["Гаврилова Анна Ильинична", address, phone], []),
            birth_date: OptBirth::NONE,
            inn: None,
        };
        let company = |address: &str, phone: &str, email: &str| Company {
            line: 2,
            inn: Inn::new("7700000000"),
            name: Sym::default(),
            texts: Texts::new([address, phone, email], []),
        };
        let mass = "г. Пермь, ул. Ленина, д. 1, кв. 5";
        let flat = "г. Пермь, ул. Гоголя, д. 7, кв. 12";
        let mut data = Dataset {
            officials: vec![
                // Its e-mail a company gives (written otherwise); its phone no one's.
                official("+7 342 111-11-11", "Boss@Mail.example"),
                // A phone only a mass contact's companies give.
                official("8 342 555 55 55", ""),
            ],
            relatives: vec![relative(flat, "123"), relative("", "")],
            companies: vec![
                // Two companies share a phone: each keeps it.
                company("", "+7 342 222-22-22", ""),
                company("", "83422222222", "boss@mail.example"),
                // One company gives the relative's flat; another a phone no one else does.
                company(flat, "+7 342 333-33-33", ""),
            ]
            .into_iter()
            // Five companies at one address with one phone: mass contacts, dropped everywhere.
            .chain((0..MASS).map(|_| company(mass, "+7 342 555-55-55", "")))
            .collect(),
            ..Dataset::default()
        };
        let blanked = blank_unread(&mut data);
        let o: Vec<[std::borrow::Cow<str>; 3]> = data
            .officials
            .iter()
            .map(|o| [o.address(), o.phone(), o.email()])
            .collect();
        assert_eq!(o, [["", "", "Boss@Mail.example"], ["", "", ""]]);
        assert_eq!(
            data.officials[0].former_names().collect::<Vec<_>>(),
            ["Г Т И"],
            "the rest of the texts kept"
        );
        assert_eq!(data.officials[0].full_name(), "Гаврилов Тимофей Ильич");
        let r: Vec<[std::borrow::Cow<str>; 2]> = data
            .relatives
            .iter()
            .map(|r| [r.address(), r.phone()])
            .collect();
        assert_eq!(r, [[flat, ""], ["", ""]], "a phone with no key goes too");
        let c: Vec<[std::borrow::Cow<str>; 3]> = data
            .companies
            .iter()
            .map(|c| [c.address(), c.phone(), c.email()])
            .collect();
        let mut want = vec![
            ["", "+7 342 222-22-22", ""],
            ["", "83422222222", "boss@mail.example"],
            [flat, "", ""],
        ];
        want.extend([["", "", ""]; MASS]);
        assert_eq!(c, want);
        // Dropped: the official's phones (2), the relative's phone, a company's phone, and each
        // mass company's address and phone.
        assert_eq!(blanked, 2 + 1 + 1 + 2 * MASS);
        assert_eq!(blank_unread(&mut data), 0, "what is kept is kept again");
    }
}
