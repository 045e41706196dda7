//! The typed data model shared by every stage: input records, enumerations, warnings.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::identifiers::Inn;

/// An exact share of capital as a fraction in 0..=1 (`values::parse_share` reads one).
pub type Share = num_rational::BigRational;

/// Text of a record field: strings of up to 24 bytes (INNs, ids, dates, phones) are kept inline,
/// without an allocation of their own.
pub type Text = compact_str::CompactString;

/// The texts of one record in one allocation: `N` fields end to end, then a tail (the
/// record's former names, `;`-joined). At national scale tens of millions of records each
/// held three to five strings of 24 bytes inline and an allocation per long one. The text is a
/// `Box<[u8]>` taken apart, its length kept in four bytes rather than eight: a relative, an
/// official and a company each 8 bytes smaller (17.6 million of them nationally).
///
/// Once read, a text can be packed ([`Texts::packed`]): Cyrillic in one byte a letter
/// (Windows-1251) rather than UTF-8's two, which halves the names that the records keep
/// through the run. A field is read as a [`Cow`]: borrowed from UTF-8, decoded from a packed
/// text.
pub struct Texts<const N: usize> {
    /// The text's bytes, owned (see [`Texts::from_box`]).
    ptr: std::ptr::NonNull<u8>,
    /// The text's length, and [`PACKED`] when it is packed.
    len: u32,
    /// Where each field ends in the text; the tail runs from the last end.
    ends: [u32; N],
}

/// Marks a packed text's length: its bytes are Windows-1251, not UTF-8.
const PACKED: u32 = 1 << 31;

/// A character's Windows-1251 byte, for ASCII and the Russian alphabet (А-я, Ё, ё): what
/// [`Texts::packed`] writes and the Windows-1251 decoder reads back.
fn pack_char(c: char) -> Option<u8> {
    match c {
        '\0'..='\x7f' => Some(c as u8),
        'А'..='я' => Some((c as u32 - 'А' as u32 + 0xC0) as u8),
        'Ё' => Some(0xA8),
        'ё' => Some(0xB8),
        _ => None,
    }
}

// SAFETY: a `Texts` owns its bytes as the `Box<[u8]>` it was made of did, and shares them only
// through `&self`.
unsafe impl<const N: usize> Send for Texts<N> {}
// SAFETY: as above; nothing mutates the bytes.
unsafe impl<const N: usize> Sync for Texts<N> {}

impl<const N: usize> Drop for Texts<N> {
    fn drop(&mut self) {
        let raw = std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.byte_len());
        // SAFETY: `ptr` and the length are those of the `Box<[u8]>` taken apart in
        // `from_box`, whose bytes nothing else owns; it is rebuilt once, here.
        drop(unsafe { Box::from_raw(raw) });
    }
}

impl<const N: usize> Clone for Texts<N> {
    fn clone(&self) -> Self {
        Texts::from_box(self.bytes().into(), self.ends, self.is_packed())
    }
}

impl<const N: usize> PartialEq for Texts<N> {
    /// Equal texts: both packed or both not (a text's packed form follows from its content).
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.ends == other.ends && self.bytes() == other.bytes()
    }
}

impl<const N: usize> Eq for Texts<N> {}

impl<const N: usize> std::hash::Hash for Texts<N> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
        self.len.hash(state);
        self.ends.hash(state);
    }
}

impl<const N: usize> Texts<N> {
    /// The fields, and the names of the tail joined by `;` (each without a `;` of its own, as
    /// [`crate::normalize::split_names`] gives them).
    pub fn new<'a>(fields: [&str; N], tail: impl IntoIterator<Item = &'a str>) -> Texts<N> {
        // The whole length first, so that the text is allocated once at its size (a record
        // with former names had its text grown for them, then shrunk into the box).
        let tail: smallvec::SmallVec<[&str; 4]> = tail.into_iter().collect();
        let joined = tail
            .iter()
            .map(|t| t.len() + 1)
            .sum::<usize>()
            .saturating_sub(1);
        let mut all = String::with_capacity(fields.iter().map(|f| f.len()).sum::<usize>() + joined);
        let mut ends = [0u32; N];
        for (end, f) in ends.iter_mut().zip(fields) {
            all.push_str(f);
            // Not past the whole length, which `from_box` checks.
            *end = all.len() as u32;
        }
        for (i, name) in tail.into_iter().enumerate() {
            debug_assert!(!name.contains(';'));
            if i > 0 {
                all.push(';');
            }
            all.push_str(name);
        }
        Texts::from_box(all.into_bytes().into_boxed_slice(), ends, false)
    }

    /// Takes `bytes` apart into a pointer and a four-byte length.
    fn from_box(bytes: Box<[u8]>, ends: [u32; N], packed: bool) -> Texts<N> {
        // Two billion bytes of text in one record: no registry export comes near it.
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|&l| l < PACKED)
            .expect("a record's texts fit in 2 GiB");
        let ptr = std::ptr::NonNull::new(Box::into_raw(bytes) as *mut u8)
            .expect("a box's pointer is never null");
        Texts {
            ptr,
            len: if packed { len | PACKED } else { len },
            ends,
        }
    }

    fn byte_len(&self) -> usize {
        (self.len & !PACKED) as usize
    }

    fn is_packed(&self) -> bool {
        self.len & PACKED != 0
    }

    /// The whole text's bytes: UTF-8, or Windows-1251 when packed.
    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` and the length are those of the `Box<[u8]>` this value owns (see
        // `from_box`), alive as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.byte_len()) }
    }

    /// The text of bytes `from..to`, which begin and end at field or name boundaries.
    fn text(&self, from: usize, to: usize) -> Cow<'_, str> {
        let b = &self.bytes()[from..to];
        if self.is_packed() {
            encoding_rs::WINDOWS_1251.decode_without_bom_handling(b).0
        } else {
            // SAFETY: an unpacked text is the bytes of a `String` (see `new`), cut at the
            // ends of its fields and at `;`, which are char boundaries.
            Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(b) })
        }
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Cow<'_, str> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text(start, self.ends[i] as usize)
    }

    /// The same texts with the fields `blank` marks emptied.
    pub fn blanked(&self, blank: [bool; N]) -> Texts<N> {
        let fields: [Cow<'_, str>; N] = std::array::from_fn(|i| {
            if blank[i] {
                Cow::Borrowed("")
            } else {
                self.get(i)
            }
        });
        let tail: smallvec::SmallVec<[Cow<'_, str>; 4]> = self.tail().collect();
        Texts::new(fields.each_ref().map(|f| &**f), tail.iter().map(|t| &**t))
    }

    /// The names of the tail.
    pub fn tail(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let start = self.ends.last().map_or(0, |&e| e as usize);
        let split = crate::normalize::split_names;
        match self.text(start, self.byte_len()) {
            Cow::Borrowed(tail) => either::Either::Left(split(tail).map(Cow::Borrowed)),
            // A packed tail is decoded once, its names owned.
            Cow::Owned(tail) => either::Either::Right(
                split(&tail)
                    .map(|n| Cow::Owned(n.to_owned()))
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
        }
    }

    /// The same texts packed, where packing makes them smaller: `None` when they are packed
    /// already, all ASCII (one byte a letter either way), or hold a character other than
    /// ASCII and the Russian alphabet (kept as UTF-8).
    pub fn packed(&self) -> Option<Texts<N>> {
        if self.is_packed() || self.bytes().is_ascii() {
            return None;
        }
        let utf8 = self.text(0, self.byte_len());
        // Every character takes one byte: the packed length is the count of characters.
        let mut out = Vec::with_capacity(utf8.chars().count());
        for c in utf8.chars() {
            out.push(pack_char(c)?);
        }
        // Each field's end moves back by the bytes the characters before it saved.
        let mut ends = self.ends;
        let mut prev = 0usize;
        let mut saved = 0u32;
        for end in ends.iter_mut() {
            let field = &utf8[prev..*end as usize];
            saved += (field.len() - field.chars().count()) as u32;
            prev = *end as usize;
            *end -= saved;
        }
        Some(Texts::from_box(out.into_boxed_slice(), ends, true))
    }
}

impl<const N: usize> std::fmt::Debug for Texts<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries((0..N).map(|i| self.get(i)))
            .entries(self.tail())
            .finish()
    }
}

/// Text of a field whose values repeat across rows (customer names, role and kinship
/// words, commission members): interned, one copy of each distinct value, a 4-byte handle.
pub use crate::intern::Sym;

/// Interns a value that repeats very often (a name part): the global table locks (a shard at a
/// time), so each thread first looks in a cache of its own (bounded, cleared when full; without
/// it a regional check took 0.3 s more CPU).
pub fn sym(s: &str) -> Sym {
    use std::cell::RefCell;
    const CACHE_LIMIT: usize = 1 << 16;
    thread_local! {
        static CACHE: RefCell<rustc_hash::FxHashMap<&'static str, Sym>> = RefCell::default();
    }
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(&v) = c.get(s) {
            return v;
        }
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        let v = Sym::from(s);
        c.insert(v.as_str(), v);
        v
    })
}

/// A calendar date.
pub type Date = NaiveDate;

/// A record's 1-based line in its file: four bytes (a national registry has tens of millions
/// of rows, no file four billion lines; a row past [`Line::MAX`] is rejected, named in the
/// warnings).
pub type Line = u32;

/// A birth date as registries give it: a full date or a bare year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BirthDate {
    /// Day, month and year known.
    Full(Date),
    /// Only the year known.
    Year(i32),
}

/// A birth date that may be absent, in four bytes where `Option<BirthDate>` takes eight (23
/// million records at national scale): 0 for none; a full date as its day count from the
/// common era, a bare year with the top bit set, each offset by 2^30 (any date chrono holds,
/// any year a registry writes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptBirth(u32);

impl OptBirth {
    /// No birth date.
    pub const NONE: OptBirth = OptBirth(0);
    const YEAR: u32 = 1 << 31;
    const OFFSET: i64 = 1 << 30;

    /// The birth date, if any.
    pub fn get(self) -> Option<BirthDate> {
        if self == Self::NONE {
            return None;
        }
        let v = i64::from(self.0 & !Self::YEAR) - Self::OFFSET;
        Some(if self.0 & Self::YEAR != 0 {
            BirthDate::Year(v as i32)
        } else {
            BirthDate::Full(Date::from_num_days_from_ce_opt(v as i32).expect("packed from a date"))
        })
    }
}

impl From<Option<BirthDate>> for OptBirth {
    /// A year past +-2^30, which no parser reads, panics.
    fn from(b: Option<BirthDate>) -> OptBirth {
        use chrono::Datelike;
        let (tag, v) = match b {
            None => return OptBirth::NONE,
            Some(BirthDate::Full(d)) => (0, i64::from(d.num_days_from_ce())),
            Some(BirthDate::Year(y)) => (OptBirth::YEAR, i64::from(y)),
        };
        let packed = v + OptBirth::OFFSET;
        assert!(
            (1..OptBirth::OFFSET * 2).contains(&packed),
            "birth date {b:?} out of range"
        );
        OptBirth(tag | packed as u32)
    }
}

impl std::fmt::Debug for OptBirth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl BirthDate {
    /// The year of the date.
    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        match self {
            BirthDate::Full(d) => d.year(),
            BirthDate::Year(y) => *y,
        }
    }

    /// Whether some two of `dates` cannot be one person's (see [`BirthDate::compare`]).
    pub fn any_disagree(dates: &[BirthDate]) -> bool {
        dates.iter().enumerate().any(|(i, a)| {
            dates[i + 1..]
                .iter()
                .any(|b| a.compare(b) == DateAgreement::Disagree)
        })
    }

    /// How two birth dates compare: a bare year agrees with any date in it; two full dates
    /// agree only when equal (a clerk's slip counts as a different date here: see
    /// `resolve::compare::date_agreement` for the finer levels).
    pub fn compare(&self, other: &BirthDate) -> DateAgreement {
        match (self, other) {
            (BirthDate::Full(a), BirthDate::Full(b)) if a == b => DateAgreement::Exact,
            (BirthDate::Full(_), BirthDate::Full(_)) => DateAgreement::Disagree,
            _ if self.year() == other.year() => DateAgreement::Year,
            _ => DateAgreement::Disagree,
        }
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BirthDate::Full(d) => write!(f, "{}", d.format("%d.%m.%Y")),
            BirthDate::Year(y) => write!(f, "{y}"),
        }
    }
}

/// Agreement of two birth dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateAgreement {
    /// The same full date.
    Exact,
    /// The same year, one side a bare year.
    Year,
    /// Two full dates with day and month swapped (`05.03` against `03.05`).
    Swapped,
    /// Two full dates of one year a digit of the day or month apart, or two neighbouring
    /// digits swapped.
    OneDigit,
    /// Different dates or years.
    Disagree,
}

/// Sex, as far as a name tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// The relation of a relative to the official, as the HR questionnaire states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kinship {
    /// Husband or wife.
    Spouse,
    /// Father or mother.
    Parent,
    /// Son or daughter.
    Child,
    /// Grandfather or grandmother.
    Grandparent,
    /// Grandson or granddaughter.
    Grandchild,
    /// Full brother or sister.
    Sibling,
    /// Half brother or sister (a common father or mother).
    HalfSibling,
    /// Adoptive parent.
    AdoptiveParent,
    /// Adopted child.
    AdoptedChild,
    /// Spouse's parent (свёкор, свекровь, тесть, тёща).
    ParentInLaw,
    /// Child's spouse (зять, невестка, сноха).
    ChildInLaw,
    /// Spouse's sibling or sibling's spouse (деверь, золовка, шурин, свояченица, свояк).
    SiblingInLaw,
    /// Stepfather or stepmother.
    StepParent,
    /// Stepson or stepdaughter.
    StepChild,
    /// Step-brother or step-sister (сводный брат, сводная сестра).
    StepSibling,
    /// Former husband or wife.
    FormerSpouse,
    /// A word the questionnaire used that affil does not know.
    Unknown,
}

impl Kinship {
    /// Close relation under 44-FZ art. 31 p.1 i.9 (marriage, direct line, siblings, adoption).
    pub fn is_44fz_close(self) -> bool {
        use Kinship::*;
        matches!(
            self,
            Spouse
                | Parent
                | Child
                | Grandparent
                | Grandchild
                | Sibling
                | HalfSibling
                | AdoptiveParent
                | AdoptedChild
        )
    }

    /// Affinity, step relation or former marriage: a personal interest under 273-FZ art. 10,
    /// not a close relation under 44-FZ.
    pub fn is_affinity(self) -> bool {
        use Kinship::*;
        matches!(
            self,
            ParentInLaw
                | ChildInLaw
                | SiblingInLaw
                | StepParent
                | StepChild
                | StepSibling
                | FormerSpouse
        )
    }

    /// The relation seen from the other side (A is B's parent -> B is A's child).
    pub fn inverse(self) -> Kinship {
        use Kinship::*;
        match self {
            Parent => Child,
            Child => Parent,
            Grandparent => Grandchild,
            Grandchild => Grandparent,
            AdoptiveParent => AdoptedChild,
            AdoptedChild => AdoptiveParent,
            ParentInLaw => ChildInLaw,
            ChildInLaw => ParentInLaw,
            StepParent => StepChild,
            StepChild => StepParent,
            other => other,
        }
    }

    /// Stable code used in the output files.
    pub fn code(self) -> &'static str {
        use Kinship::*;
        match self {
            Spouse => "spouse",
            Parent => "parent",
            Child => "child",
            Grandparent => "grandparent",
            Grandchild => "grandchild",
            Sibling => "sibling",
            HalfSibling => "half_sibling",
            AdoptiveParent => "adoptive_parent",
            AdoptedChild => "adopted_child",
            ParentInLaw => "parent_in_law",
            ChildInLaw => "child_in_law",
            SiblingInLaw => "sibling_in_law",
            StepParent => "step_parent",
            StepChild => "step_child",
            StepSibling => "step_sibling",
            FormerSpouse => "former_spouse",
            Unknown => "unknown",
        }
    }
}

/// A role of a person or organisation in a company, from the registry extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyRoleKind {
    /// Sole executive body (director, general director, president).
    Director,
    /// Founder (participant) with a share of the capital.
    Founder,
    /// Beneficiary as the registry reports it (direct and indirect together).
    Beneficiary,
    /// Member of a collegial executive body.
    BoardMember,
    /// A managing company acting as the sole executive body.
    ManagingCompany,
}

impl CompanyRoleKind {
    /// Stable code used in the input and output files.
    pub fn code(self) -> &'static str {
        match self {
            CompanyRoleKind::Director => "director",
            CompanyRoleKind::Founder => "founder",
            CompanyRoleKind::Beneficiary => "beneficiary",
            CompanyRoleKind::BoardMember => "board_member",
            CompanyRoleKind::ManagingCompany => "managing_company",
        }
    }
}

/// A customer-side role in one procurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatRole {
    /// Head of the customer.
    CustomerHead,
    /// Chair of the procurement commission.
    Chair,
    /// Deputy chair of the commission.
    DeputyChair,
    /// Commission member.
    Member,
    /// Commission secretary.
    Secretary,
    /// Contract manager.
    ContractManager,
    /// Head of the contract service.
    ContractServiceHead,
}

impl SeatRole {
    /// Every seat, in the order above.
    pub const ALL: [SeatRole; 7] = [
        SeatRole::CustomerHead,
        SeatRole::Chair,
        SeatRole::DeputyChair,
        SeatRole::Member,
        SeatRole::Secretary,
        SeatRole::ContractManager,
        SeatRole::ContractServiceHead,
    ];

    /// Stable code used in the input and output files.
    pub fn code(self) -> &'static str {
        match self {
            SeatRole::CustomerHead => "customer_head",
            SeatRole::Chair => "chair",
            SeatRole::DeputyChair => "deputy_chair",
            SeatRole::Member => "member",
            SeatRole::Secretary => "secretary",
            SeatRole::ContractManager => "contract_manager",
            SeatRole::ContractServiceHead => "contract_service_head",
        }
    }
}

/// A row of officials.csv.
#[derive(Clone, Debug)]
pub struct Official {
    /// Line in the file.
    pub line: Line,
    /// The analyst's id, full name as written, home address, phone, e-mail; then the other
    /// full names (maiden or married): read through the methods of the same names.
    pub texts: Texts<5>,
    /// Birth date.
    pub birth_date: OptBirth,
    /// Valid personal INN.
    pub inn: Option<Inn>,
    /// Position held.
    pub position: Sym,
    /// INN of the employer (the customer whose staff the official is).
    pub employer_inn: Option<Inn>,
}

impl Official {
    /// The analyst's id of the official.
    pub fn official_id(&self) -> Cow<'_, str> {
        self.texts.get(0)
    }

    /// Full name as written.
    pub fn full_name(&self) -> Cow<'_, str> {
        self.texts.get(1)
    }

    /// Home address, or "".
    pub fn address(&self) -> Cow<'_, str> {
        self.texts.get(Self::ADDRESS)
    }

    /// Phone, or "".
    pub fn phone(&self) -> Cow<'_, str> {
        self.texts.get(Self::PHONE)
    }

    /// E-mail, or "".
    pub fn email(&self) -> Cow<'_, str> {
        self.texts.get(Self::EMAIL)
    }

    const ADDRESS: usize = 2;
    const PHONE: usize = 3;
    const EMAIL: usize = 4;

    /// Other full names (maiden or married).
    pub fn former_names(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.texts.tail()
    }
}

/// A row of relatives.csv.
#[derive(Clone, Debug)]
pub struct Relative {
    /// Line in the file.
    pub line: Line,
    /// The official whose questionnaire lists this relative: index into `Dataset::officials`.
    pub official: u32,
    /// The relation of the relative to the official.
    pub kinship: Kinship,
    /// The kinship word as written.
    pub kinship_word: Sym,
    /// Full name as written, home address, phone (few questionnaires give those two); then
    /// the other full names: read through the methods of the same names.
    pub texts: Texts<3>,
    /// Birth date.
    pub birth_date: OptBirth,
    /// Valid personal INN.
    pub inn: Option<Inn>,
}

impl Relative {
    /// Full name as written.
    pub fn full_name(&self) -> Cow<'_, str> {
        self.texts.get(0)
    }

    /// Home address, or "".
    pub fn address(&self) -> Cow<'_, str> {
        self.texts.get(Self::ADDRESS)
    }

    /// Phone, or "".
    pub fn phone(&self) -> Cow<'_, str> {
        self.texts.get(Self::PHONE)
    }

    const ADDRESS: usize = 1;
    const PHONE: usize = 2;

    /// Other full names.
    pub fn former_names(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.texts.tail()
    }
}

/// A row of companies.csv.
#[derive(Clone, Debug)]
pub struct Company {
    /// Line in the file.
    pub line: Line,
    /// Valid INN (10 digits; 12 for an entrepreneur).
    pub inn: Inn,
    /// Name with legal form (interned, so that the graph shares it).
    pub name: Sym,
    /// Legal address, phone, e-mail: read through the methods of the same names.
    pub texts: Texts<3>,
}

impl Company {
    /// Legal address, or "".
    pub fn address(&self) -> Cow<'_, str> {
        self.texts.get(Self::ADDRESS)
    }

    /// Phone, or "".
    pub fn phone(&self) -> Cow<'_, str> {
        self.texts.get(Self::PHONE)
    }

    /// E-mail, or "".
    pub fn email(&self) -> Cow<'_, str> {
        self.texts.get(Self::EMAIL)
    }

    const ADDRESS: usize = 0;
    const PHONE: usize = 1;
    const EMAIL: usize = 2;
}

/// A record whose texts hold contacts (an official, a relative, a company): where they are, so
/// that the contacts no rule reads can be blanked after loading
/// ([`crate::normalize::contact::blank_unread`]).
pub trait WithContacts<const N: usize> {
    /// The fields of the texts holding the e-mail, the phone and the address, in that order;
    /// `None` for a contact the record does not have.
    const CONTACT_FIELDS: [Option<usize>; 3];

    /// The record's texts, to replace.
    fn texts_mut(&mut self) -> &mut Texts<N>;

    /// The record's texts.
    fn texts(&self) -> &Texts<N>;
}

impl WithContacts<5> for Official {
    const CONTACT_FIELDS: [Option<usize>; 3] =
        [Some(Self::EMAIL), Some(Self::PHONE), Some(Self::ADDRESS)];
    fn texts_mut(&mut self) -> &mut Texts<5> {
        &mut self.texts
    }
    fn texts(&self) -> &Texts<5> {
        &self.texts
    }
}

impl WithContacts<3> for Relative {
    // Questionnaires give a relative's address and phone, no e-mail.
    const CONTACT_FIELDS: [Option<usize>; 3] = [None, Some(Self::PHONE), Some(Self::ADDRESS)];
    fn texts_mut(&mut self) -> &mut Texts<3> {
        &mut self.texts
    }
    fn texts(&self) -> &Texts<3> {
        &self.texts
    }
}

impl WithContacts<3> for Company {
    const CONTACT_FIELDS: [Option<usize>; 3] =
        [Some(Self::EMAIL), Some(Self::PHONE), Some(Self::ADDRESS)];
    fn texts_mut(&mut self) -> &mut Texts<3> {
        &mut self.texts
    }
    fn texts(&self) -> &Texts<3> {
        &self.texts
    }
}

/// A row of company_roles.csv.
#[derive(Clone, Debug)]
pub struct CompanyRole {
    /// Line in the file.
    pub line: Line,
    /// The company the role is in.
    pub company_inn: Inn,
    /// The role.
    pub role: CompanyRoleKind,
    /// The person holding the role, if a person: the name as written, in one field of
    /// [`Texts`] (16 bytes, where most names would not fit the 24 of a [`Text`]; packed after
    /// normalizing). Read with [`CompanyRole::person_name`].
    pub person_name: Option<Texts<1>>,
    /// The person's valid INN.
    pub person_inn: Option<Inn>,
    /// The person's birth date.
    pub person_birth_date: OptBirth,
    /// The organisation holding the role (a founder company, a managing company).
    pub holder_inn: Option<Inn>,
    /// Share of the capital: index into `Dataset::shares` (few distinct values, each kept
    /// once as an exact fraction).
    pub share: OptIndex,
    /// First day of the role, inclusive.
    pub since: Option<Date>,
    /// Last day of the role, inclusive.
    pub until: Option<Date>,
}

impl Dataset {
    /// Packs the texts of every record (see [`Texts::packed`]): once the names are parsed,
    /// the records keep their texts only to quote them, and Cyrillic takes half the room.
    pub fn pack_texts(&mut self) {
        use rayon::prelude::*;
        fn pack<const N: usize>(t: &mut Texts<N>) {
            if let Some(p) = t.packed() {
                *t = p;
            }
        }
        self.officials
            .par_iter_mut()
            .for_each(|o| pack(&mut o.texts));
        self.relatives
            .par_iter_mut()
            .for_each(|r| pack(&mut r.texts));
        self.companies
            .par_iter_mut()
            .for_each(|c| pack(&mut c.texts));
        self.roles
            .par_iter_mut()
            .filter_map(|r| r.person_name.as_mut())
            .for_each(pack);
    }

    /// The member's name of a seat as the protocol gives it, if it gives one.
    pub fn member_name(&self, seat: &Seat) -> Option<Sym> {
        seat.member_name
            .get()
            .map(|i| self.member_names[i as usize])
    }

    /// The share of capital a company role holds, if the row gives one.
    pub fn share(&self, role: &CompanyRole) -> Option<&Share> {
        role.share.get().map(|i| &self.shares[i as usize])
    }

    /// The name of the file read for an input (`officials.xlsx` for `officials.csv` when a
    /// workbook stood in for it), for messages.
    pub fn file_name(&self, input: &str) -> String {
        let stem = input.trim_end_matches(".csv");
        self.stats
            .iter()
            .map(|s| s.file.as_str())
            .find(|f| f.strip_prefix(stem).is_some_and(|ext| ext.starts_with('.')))
            .unwrap_or(input)
            .to_owned()
    }

    /// The file and line of an input row.
    pub fn place(&self, row: RowRef) -> (String, u64) {
        let (input, line) = match row {
            RowRef::Official(i) => ("officials.csv", self.officials[i as usize].line),
            RowRef::Relative(i) => ("relatives.csv", self.relatives[i as usize].line),
            RowRef::Role(i) => ("company_roles.csv", self.roles[i as usize].line),
            RowRef::Participant(i) => ("participants.csv", self.participants[i as usize].line),
        };
        (self.file_name(input), u64::from(line))
    }

    /// The conflicts (indices into `conflicts`) any of `rows` takes part in, sorted, each once.
    pub fn conflicts_among(&self, rows: impl IntoIterator<Item = RowRef>) -> Vec<u32> {
        if self.conflict_of.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<u32> = rows
            .into_iter()
            .filter_map(|r| self.conflict_of.get(&r))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl CompanyRole {
    /// The person's name as written, where the holder is a person.
    pub fn person_name(&self) -> Option<Cow<'_, str>> {
        self.person_name.as_ref().map(|t| t.get(0))
    }

    /// True when the role holds on `date` (an unknown date holds every role).
    pub fn active_on(&self, date: Option<Date>) -> bool {
        let Some(d) = date else { return true };
        self.since.is_none_or(|s| s <= d) && self.until.is_none_or(|u| d <= u)
    }
}

/// A row of procurements.csv.
#[derive(Clone, Debug)]
pub struct Procurement {
    /// Line in the file.
    pub line: Line,
    /// Procurement number.
    pub procurement_id: Text,
    /// Customer's INN.
    pub customer_inn: Inn,
    /// Customer's name.
    pub customer_name: Sym,
    /// Subject.
    pub subject: Sym,
    /// Procurement method.
    pub method: Sym,
    /// Publication date: the date the rules check roles on.
    pub published: Option<Date>,
    /// National project, if any.
    pub national_project: Sym,
}

/// A row of participants.csv: one bid.
#[derive(Clone, Debug)]
pub struct Participant {
    /// Line in the file.
    pub line: Line,
    /// The procurement: index into `Dataset::procurements` (its number is there).
    pub procurement: u32,
    /// Participant's INN (10 digits: a company; 12: an individual entrepreneur).
    pub participant_inn: Inn,
    /// Participant's name as written.
    pub participant_name: Sym,
    /// True for the winner.
    pub is_winner: bool,
    /// Contract price (winner).
    pub contract_price: OptPrice,
}

/// A price that may be absent, in eight bytes where `Option<f64>` takes sixteen (12 million
/// bids at national scale): NaN, which no parsed price is, stands for none.
#[derive(Clone, Copy)]
pub struct OptPrice(f64);

impl OptPrice {
    /// No price.
    pub const NONE: OptPrice = OptPrice(f64::NAN);

    /// The price, if any.
    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl From<Option<f64>> for OptPrice {
    /// `Some(NaN)` panics: no parsed price is NaN.
    fn from(p: Option<f64>) -> OptPrice {
        match p {
            Some(p) => {
                assert!(!p.is_nan(), "a price is never NaN");
                OptPrice(p)
            }
            None => OptPrice::NONE,
        }
    }
}

impl std::fmt::Debug for OptPrice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// An index that may be absent, in four bytes where `Option<u32>` takes eight (26 million
/// seats at national scale): `u32::MAX` stands for none. Ordered as `Option<u32>` is.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptIndex(u32);

impl OptIndex {
    /// No index.
    pub const NONE: OptIndex = OptIndex(u32::MAX);

    /// The index, if any.
    pub fn get(self) -> Option<u32> {
        (self != Self::NONE).then_some(self.0)
    }
}

impl From<Option<u32>> for OptIndex {
    /// `Some(u32::MAX)`, which no vector of records reaches, panics.
    fn from(i: Option<u32>) -> OptIndex {
        match i {
            Some(i) => {
                assert!(i != u32::MAX, "index {i} out of range");
                OptIndex(i)
            }
            None => OptIndex::NONE,
        }
    }
}

impl Ord for OptIndex {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.get().cmp(&other.get())
    }
}

impl PartialOrd for OptIndex {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Debug for OptIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A row of commissions.csv: one customer-side seat in a procurement.
#[derive(Clone, Debug)]
pub struct Seat {
    /// Line in the file.
    pub line: Line,
    /// The procurement: index into `Dataset::procurements` (its number is there).
    pub procurement: u32,
    /// The official, when the file names one in officials.csv: index into `Dataset::officials`.
    pub official: OptIndex,
    /// The member's name as the protocol gives it: index into `Dataset::member_names` (see
    /// [`Dataset::member_name`]).
    pub member_name: OptIndex,
    /// The role.
    pub role: SeatRole,
}

/// One value or row the run could not use.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// File name.
    pub file: String,
    /// 1-based line (0 when not tied to a line).
    pub line: u64,
    /// Column name (empty when the whole row is concerned).
    pub column: String,
    /// What is wrong and what was done.
    pub problem: String,
}

/// Counts for one input file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileStats {
    /// File name.
    pub file: String,
    /// Encoding detected.
    pub encoding: String,
    /// Delimiter detected.
    pub delimiter: char,
    /// Data rows read.
    pub rows_read: usize,
    /// Rows used.
    pub rows_used: usize,
    /// Rows rejected (each listed in warnings).
    pub rows_rejected: usize,
    /// Rows that state again a fact of another row (an exact repeat, or the same holding
    /// given twice): used once, each listed in warnings. Read = used + repeated + rejected.
    pub rows_repeated: usize,
    /// Facts the file gives with contradicting values (see [`Conflict`]), each in warnings.
    pub conflicts: usize,
}

impl FileStats {
    /// `, 2 repeated, 1 conflict` where the file has them, for the one-line file summaries.
    pub fn repeats_text(&self) -> String {
        let mut out = String::new();
        if self.rows_repeated > 0 {
            out.push_str(&format!(", {} repeated", self.rows_repeated));
        }
        match self.conflicts {
            0 => {}
            1 => out.push_str(", 1 conflict"),
            n => out.push_str(&format!(", {n} conflicts")),
        }
        out
    }
}

/// An input row, by file and index into its `Dataset` vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowRef {
    /// `Dataset::officials`.
    Official(u32),
    /// `Dataset::relatives`.
    Relative(u32),
    /// `Dataset::roles`.
    Role(u32),
    /// `Dataset::participants`.
    Participant(u32),
}

/// What two or more rows contradict each other on, and which reading the run uses.
#[derive(Clone, Debug, PartialEq)]
pub enum ConflictKind {
    /// One holding (company, role, holder, since) with different shares: the smallest is read.
    Share {
        /// The shares given, each once, smallest first: the first is read.
        given: Vec<Share>,
    },
    /// One role (company, role, holder, since) ending on different days: the earliest is read.
    Until {
        /// The end read.
        read: Date,
    },
    /// One bid given as the winner's and as another's: read as not winning.
    Winner,
    /// One bid with different contract prices: the smallest is read.
    ContractPrice,
    /// One key (an official_id, a company INN, a procurement number) with other values: the
    /// row that sorts first by its values is read, the others rejected.
    Values,
    /// One person INN with birth dates that cannot be one person's: no birth date is read
    /// under that INN.
    BirthDates {
        /// The INN.
        inn: Inn,
        /// The dates given.
        dates: Vec<BirthDate>,
    },
}

/// Rows of the input that contradict each other (see [`ConflictKind`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The rows, as (file, line), sorted.
    pub rows: Vec<(String, u64)>,
    /// What they contradict each other on.
    pub kind: ConflictKind,
}

/// All input of one check, typed and validated.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// officials.csv.
    pub officials: Vec<Official>,
    /// relatives.csv.
    pub relatives: Vec<Relative>,
    /// companies.csv.
    pub companies: Vec<Company>,
    /// company_roles.csv.
    pub roles: Vec<CompanyRole>,
    /// procurements.csv.
    pub procurements: Vec<Procurement>,
    /// participants.csv.
    pub participants: Vec<Participant>,
    /// commissions.csv.
    pub seats: Vec<Seat>,
    /// The distinct shares of company_roles.csv, exact fractions in 0..=1.
    pub shares: Vec<Share>,
    /// The distinct member names of commissions.csv, each once (a seat's four-byte index
    /// instead of an eight-byte handle: 26 million seats at national scale).
    pub member_names: Vec<Sym>,
    /// Per-file counts, in reading order.
    pub stats: Vec<FileStats>,
    /// The contradictions met in the input.
    pub conflicts: Vec<Conflict>,
    /// The conflicts each row takes part in: indices into `conflicts`.
    pub conflict_of: rustc_hash::FxHashMap<RowRef, smallvec::SmallVec<[u32; 2]>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_index_orders_as_an_option_in_four_bytes() {
        let values = [None, Some(0), Some(7), Some(u32::MAX - 1)];
        for a in values {
            assert_eq!(OptIndex::from(a).get(), a);
            for b in values {
                assert_eq!(OptIndex::from(a).cmp(&b.into()), a.cmp(&b), "{a:?} {b:?}");
            }
        }
        assert_eq!(std::mem::size_of::<OptIndex>(), 4);
        // What the packed fields buy (tens of millions of rows at national scale): four bytes
        // for a line, a seat's official, a role's share and a birth date, one allocation for a
        // record's texts, eight bytes for a price, four for an interned text.
        assert_eq!(std::mem::size_of::<Seat>(), 20);
        assert_eq!(std::mem::size_of::<CompanyRole>(), 64);
        assert_eq!(std::mem::size_of::<Relative>(), 56);
        assert_eq!(std::mem::size_of::<Official>(), 64);
        assert_eq!(std::mem::size_of::<Company>(), 40);
        assert_eq!(std::mem::size_of::<Procurement>(), 56);
        assert_eq!(std::mem::size_of::<Texts<3>>(), 24);
        assert_eq!(std::mem::size_of::<Texts<5>>(), 32);
        assert_eq!(std::mem::size_of::<Participant>(), 32);
    }

    #[test]
    fn a_packed_birth_date_reads_back_what_was_packed() {
        let full = |y, m, d| Some(BirthDate::Full(Date::from_ymd_opt(y, m, d).unwrap()));
        let values = [
            None,
            full(1960, 2, 29),
            full(1, 1, 1),
            full(0, 12, 31),
            Some(BirthDate::Full(Date::MIN)),
            Some(BirthDate::Full(Date::MAX)),
            Some(BirthDate::Year(1975)),
            Some(BirthDate::Year(0)),
            Some(BirthDate::Year(-40)),
        ];
        for v in values {
            assert_eq!(OptBirth::from(v).get(), v, "{v:?}");
        }
        assert_eq!(OptBirth::from(None), OptBirth::NONE);
        assert_eq!(std::mem::size_of::<OptBirth>(), 4);
    }

    #[test]
    fn a_packed_price_reads_back_what_was_packed() {
        for v in [None, Some(0.0), Some(-0.0), Some(-12.5), Some(1e15)] {
            let got = OptPrice::from(v).get();
            assert_eq!(got.map(f64::to_bits), v.map(f64::to_bits), "{v:?}");
        }
        assert_eq!(std::mem::size_of::<OptPrice>(), 8);
    }

    #[test]
    fn a_records_texts_read_back_field_by_field_with_the_names_after() {
        let t = Texts::new(
            ["id7", "", "Иванова Анна"],
            ["Петрова Анна", "Сидорова Анна"],
        );
        assert_eq!([t.get(0), t.get(1), t.get(2)], ["id7", "", "Иванова Анна"]);
        assert_eq!(
            t.tail().collect::<Vec<_>>(),
            ["Петрова Анна", "Сидорова Анна"]
        );
        let bare = Texts::new(["", ""], []);
        assert_eq!([bare.get(0), bare.get(1)], ["", ""]);
        assert_eq!(bare.tail().count(), 0);
    }

    #[test]
    fn texts_clone_compare_and_hash_by_their_text_not_their_address() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hash = |t: &Texts<2>| BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(t);
        let a = Texts::new(["Иванова Анна", "ул. Ленина, д. 1"], ["Петрова Анна"]);
        let b = a.clone();
        assert_eq!(a, b);
        assert_eq!(hash(&a), hash(&b));
        drop(a);
        // The clone owns its own bytes: they outlive the original.
        assert_eq!(b.get(1), "ул. Ленина, д. 1");
        assert_eq!(b.tail().collect::<Vec<_>>(), ["Петрова Анна"]);
        // The same text cut into other fields is other texts.
        let moved = Texts::new(["Иванова Анна ул. Ленина,", " д. 1"], ["Петрова Анна"]);
        assert_ne!(b, moved);
        assert_ne!(b, b.blanked([false, true]));
        assert_eq!(b.blanked([false, true]).get(1), "");
        // Empty texts own no allocation: made and dropped a thousand times, none is freed (a
        // free of their dangling pointer would abort the test).
        let empties: Vec<Texts<2>> = (0..1000).map(|_| Texts::new(["", ""], [])).collect();
        assert!(empties.iter().all(|t| *t == Texts::new(["", ""], [])));
    }

    #[test]
    fn packed_texts_read_back_as_written_in_half_the_bytes() {
        let t = Texts::new(
            ["O-1", "Ёлкина Алёна Юрьевна", "ул. Щорса, 5"],
            ["Яковлева Алёна", "  ", "Жук А.Ю."],
        );
        let p = t.packed().expect("ASCII and Russian letters pack");
        assert!(p.is_packed() && !t.is_packed());
        // One byte a character, each field where it was.
        assert_eq!(p.byte_len(), t.text(0, t.byte_len()).chars().count());
        for i in 0..3 {
            assert_eq!(p.get(i), t.get(i));
            assert!(matches!(t.get(i), Cow::Borrowed(_)));
        }
        assert_eq!(p.tail().collect::<Vec<_>>(), t.tail().collect::<Vec<_>>());
        assert_eq!(p.tail().collect::<Vec<_>>(), ["Яковлева Алёна", "Жук А.Ю."]);
        // A clone is packed too; a packed text packs no further.
        assert_eq!(p.clone(), p);
        assert_eq!(p.clone().get(1), "Ёлкина Алёна Юрьевна");
        assert!(p.packed().is_none());
        assert_eq!(p.blanked([false, true, false]).get(2), "ул. Щорса, 5");
        // All ASCII gains nothing; a letter outside the Russian alphabet stays UTF-8.
        assert!(Texts::new(["id", "Ivanova Anna"], []).packed().is_none());
        for odd in ["Іваненко Олена", "ООО «Ромашка»", "Müller Anna", "дом № 5"]
        {
            assert!(Texts::new([odd], []).packed().is_none(), "{odd}");
        }
        // Every letter of the alphabet, both cases, round-trips.
        let alphabet: String = ('А'..='я').chain(['Ё', 'ё']).collect();
        let a = Texts::new([alphabet.as_str()], []).packed().unwrap();
        assert_eq!(a.get(0), alphabet);
    }
}
