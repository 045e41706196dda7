//! Stage 2: turn every place a person is named into a [`Mention`] with a parsed name.

pub mod contact;
pub mod name;
pub mod translit;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

pub use name::{parse_name, split_names, NormName, Part, PartKind};

use crate::identifiers::InnKind;
use crate::model::{BirthDate, Dataset, OptIndex};

/// Index of a mention in [`Mentions::list`].
pub type MentionId = u32;

/// Where a mention comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MentionSource {
    /// An official (index into `Dataset::officials`).
    Official(u32),
    /// A relative (index into `Dataset::relatives`).
    Relative(u32),
    /// A person in a company role (index into `Dataset::roles`).
    Role(u32),
    /// An individual entrepreneur participant (index into `Dataset::participants`).
    Entrepreneur(u32),
}

impl MentionSource {
    /// The input row the mention is read from.
    pub fn row(self) -> crate::model::RowRef {
        use crate::model::RowRef;
        match self {
            MentionSource::Official(i) => RowRef::Official(i),
            MentionSource::Relative(i) => RowRef::Relative(i),
            MentionSource::Role(i) => RowRef::Role(i),
            MentionSource::Entrepreneur(i) => RowRef::Participant(i),
        }
    }
}

/// A [`MentionSource`] in four bytes, where the enum takes eight (23 million mentions at
/// national scale): the kind in the top two bits, the row below them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PackedSource(u32);

impl PackedSource {
    /// The highest row a source can name.
    pub const MAX_ROW: u32 = (1 << 30) - 1;

    /// The source.
    pub fn get(self) -> MentionSource {
        let row = self.0 & Self::MAX_ROW;
        match self.0 >> 30 {
            0 => MentionSource::Official(row),
            1 => MentionSource::Relative(row),
            2 => MentionSource::Role(row),
            _ => MentionSource::Entrepreneur(row),
        }
    }
}

impl From<MentionSource> for PackedSource {
    /// A row past 2^30 panics (blocking takes fewer than 2^26 mentions in all).
    fn from(s: MentionSource) -> PackedSource {
        let (kind, row) = match s {
            MentionSource::Official(i) => (0, i),
            MentionSource::Relative(i) => (1, i),
            MentionSource::Role(i) => (2, i),
            MentionSource::Entrepreneur(i) => (3, i),
        };
        assert!(row <= Self::MAX_ROW, "row {row} of a mention past 2^30");
        PackedSource(kind << 30 | row)
    }
}

impl std::fmt::Debug for PackedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// The names of a mention: nearly always one, kept inline without an allocation.
pub type Names = smallvec::SmallVec<[NormName; 1]>;

/// One naming of a person in one record.
#[derive(Clone, Debug)]
pub struct Mention {
    /// The record it comes from (see [`Mention::source`]).
    pub source: PackedSource,
    /// The name as written, parsed; then the former names.
    pub names: Names,
    /// Birth date, if the record has one.
    pub birth: Option<BirthDate>,
    /// Valid personal INN, if the record has one.
    pub inn: Option<crate::model::Inn>,
    /// The official whose questionnaire the record belongs to (the official or a relative):
    /// two mentions of one questionnaire are never one person.
    pub family: OptIndex,
}

/// Every mention of a dataset, with indexes from records to mentions.
#[derive(Clone, Debug, Default)]
pub struct Mentions {
    /// All mentions.
    pub list: Vec<Mention>,
    /// Mention of each official.
    pub of_official: Vec<MentionId>,
    /// Mention of each relative.
    pub of_relative: Vec<MentionId>,
    /// Mention of each company role held by a person.
    pub of_role: Vec<OptIndex>,
    /// Mention of each entrepreneur participant, by INN.
    pub of_entrepreneur: FxHashMap<crate::model::Inn, MentionId>,
}

impl Mention {
    /// An official's or a relative's record (one with a questionnaire): the circle around an
    /// official, which the rules look for among companies' controllers.
    pub fn in_circle(&self) -> bool {
        self.family.get().is_some()
    }

    /// The record it comes from.
    pub fn source(&self) -> MentionSource {
        self.source.get()
    }

    /// The name as written in its record.
    pub fn display_name<'a>(&self, data: &'a Dataset) -> Cow<'a, str> {
        match self.source() {
            MentionSource::Official(i) => data.officials[i as usize].full_name(),
            MentionSource::Relative(i) => data.relatives[i as usize].full_name(),
            MentionSource::Role(i) => data.roles[i as usize].person_name().unwrap_or_default(),
            MentionSource::Entrepreneur(i) => {
                Cow::Borrowed(data.participants[i as usize].participant_name.as_str())
            }
        }
    }
}

fn names<S: AsRef<str>>(primary: &str, former: impl IntoIterator<Item = S>) -> Names {
    std::iter::once(parse_name(primary))
        .chain(former.into_iter().map(|f| parse_name(f.as_ref())))
        .collect()
}

/// Counts records on the progress bar, 1024 at a time (record `i` closes each batch).
fn tick(i: usize) {
    if i % 1024 == 1023 {
        crate::progress::inc(1024);
    }
}

/// Builds the mentions of every person named in `data`.
pub fn normalize(data: &Dataset) -> Mentions {
    // Every mention is written once, in place, into one list of known size (collecting each
    // kind apart and then joining them moved gigabytes at national scale).
    let named_roles: Vec<u32> = (0..data.roles.len() as u32)
        .filter(|&i| data.roles[i as usize].person_name.is_some())
        .collect();
    let mut m = Mentions::default();
    m.list.reserve_exact(
        data.officials.len() + data.relatives.len() + named_roles.len() + data.participants.len(),
    );
    m.list
        .par_extend(data.officials.par_iter().enumerate().map(|(i, o)| {
            tick(i);
            Mention {
                source: MentionSource::Official(i as u32).into(),
                names: names(&o.full_name(), o.former_names()),
                birth: o.birth_date.get(),
                inn: o.inn,
                family: Some(i as u32).into(),
            }
        }));
    m.of_official = (0..data.officials.len() as MentionId).collect();
    let base = m.list.len() as MentionId;
    m.list
        .par_extend(data.relatives.par_iter().enumerate().map(|(i, r)| {
            tick(i);
            Mention {
                source: MentionSource::Relative(i as u32).into(),
                names: names(&r.full_name(), r.former_names()),
                birth: r.birth_date.get(),
                inn: r.inn,
                family: Some(r.official).into(),
            }
        }));
    m.of_relative = (base..m.list.len() as MentionId).collect();
    let base = m.list.len() as MentionId;
    m.list
        .par_extend(named_roles.par_iter().enumerate().map(|(k, &i)| {
            tick(k);
            let r = &data.roles[i as usize];
            Mention {
                source: MentionSource::Role(i).into(),
                names: names(
                    &r.person_name().unwrap_or_default(),
                    std::iter::empty::<&str>(),
                ),
                birth: r.person_birth_date.get(),
                inn: r.person_inn,
                family: OptIndex::NONE,
            }
        }));
    // Roles without a person (a company as founder) count as done too.
    crate::progress::inc((data.roles.len() - named_roles.len()) as u64);
    m.of_role = vec![OptIndex::NONE; data.roles.len()];
    for (k, &i) in named_roles.iter().enumerate() {
        m.of_role[i as usize] = Some(base + k as MentionId).into();
    }
    let registry_name: FxHashMap<crate::model::Inn, &str> = data
        .companies
        .iter()
        .map(|c| (c.inn, c.name.as_str()))
        .collect();
    for (i, p) in data.participants.iter().enumerate() {
        if p.participant_inn.kind() != Some(InnKind::Person)
            || m.of_entrepreneur.contains_key(&p.participant_inn)
        {
            continue;
        }
        m.of_entrepreneur
            .insert(p.participant_inn, m.list.len() as MentionId);
        // The bid may give "ИП Петров И.П." where the registry has the full name: keep both.
        let mut names = smallvec::smallvec![parse_name(&p.participant_name)];
        if let Some(full) = registry_name.get(&p.participant_inn) {
            names.push(parse_name(full));
        }
        m.list.push(Mention {
            source: MentionSource::Entrepreneur(i as u32).into(),
            names,
            birth: None,
            inn: Some(p.participant_inn),
            family: OptIndex::NONE,
        });
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_source_reads_back_its_kind_and_row_in_four_bytes() {
        for row in [0, 1, 12_345_678, PackedSource::MAX_ROW] {
            for s in [
                MentionSource::Official(row),
                MentionSource::Relative(row),
                MentionSource::Role(row),
                MentionSource::Entrepreneur(row),
            ] {
                assert_eq!(PackedSource::from(s).get(), s);
            }
        }
        assert_eq!(std::mem::size_of::<PackedSource>(), 4);
    }

    #[test]
    #[should_panic(expected = "past 2^30")]
    fn a_row_past_what_a_packed_source_holds_is_refused() {
        let _ = PackedSource::from(MentionSource::Role(PackedSource::MAX_ROW + 1));
    }
}
