//! Stage 3: resolve mentions into persons, and commission seats into officials.
//!
//! Blocking keys (see [`blocking_keys`]) propose candidate pairs; [`mod@compare`] scores them;
//! pairs at or above [`MATCH_PROBABILITY`] are merged strongest first, and a merge that would
//! put two valid INNs, two birth dates, two sexes or two members of one questionnaire into
//! one person is refused.

pub mod blocking;
pub mod compare;
pub mod estimate;
pub mod fields;
pub mod model;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use rayon::prelude::*;

pub use compare::{
    compare, person_link, prior_for, registry_prior, Basis, Link, TermFreq, MATCH_PROBABILITY,
    TARGETED_PRIOR,
};
use compare::{Weights, WEIGHTS};

use crate::load::Warnings;
use crate::model::{BirthDate, Dataset, Sex, Sym};
use crate::normalize::{parse_name, Mention, MentionId, MentionSource, Mentions, NormName, Part};

/// Index of a resolved person.
pub type PersonId = u32;

/// How a commission seat was tied to an official.
#[derive(Clone, Debug, PartialEq)]
pub struct SeatMatch {
    /// Index of the official in `Dataset::officials`.
    pub official: u32,
    /// Confidence in 0..1 (1 when the file gives `official_id`).
    pub score: f64,
    /// What the name match rests on; `None` when given by id.
    pub basis: Option<Basis>,
    /// How many officials the name fits (more than 1: ambiguous); two bytes, so that a seat
    /// takes 16 (tens of millions of seats at national scale), counting up to 65,535.
    pub candidates: u16,
}

/// Lists of items for each of `len()` owners, stored flat (offsets into one vector): millions
/// of small `Vec`s would each cost a header and an allocation.
#[derive(Clone, Debug)]
pub struct Groups<T> {
    /// Start of each owner's items in `items`, and the end of the last.
    starts: Vec<u32>,
    /// Every owner's items, owner after owner.
    items: Vec<T>,
}

impl<T> Default for Groups<T> {
    fn default() -> Self {
        Groups {
            starts: vec![0],
            items: Vec::new(),
        }
    }
}

impl<T> Groups<T> {
    /// No owners yet, with room for `owners` owners and `items` items in all.
    pub fn with_capacity(owners: usize, items: usize) -> Self {
        let mut starts = Vec::with_capacity(owners + 1);
        starts.push(0);
        Groups {
            starts,
            items: Vec::with_capacity(items),
        }
    }

    /// Number of owners.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no owners.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items of owner `i`.
    pub fn of(&self, i: usize) -> &[T] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Index in [`Groups::item`] of the first item of owner `i`.
    pub fn first_index(&self, i: usize) -> u32 {
        self.starts[i]
    }

    /// Every item, owner after owner.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// One item by its flat index.
    pub fn item(&self, index: u32) -> &T {
        &self.items[index as usize]
    }

    /// Appends the items of the next owner.
    pub fn push(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.starts.push(self.items.len() as u32);
    }
}

/// Persons and seat assignments: the output of [`resolve`].
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// Person of each mention.
    pub person_of: Vec<PersonId>,
    /// Number of persons (person ids run from 0; persons are numbered by their first mention).
    pub persons: usize,
    /// Officials each seat (row of commissions.csv) resolves to.
    pub seats: Groups<SeatMatch>,
    /// Pairs merged.
    pub links_made: usize,
    /// Candidate pairs scored.
    pub pairs_compared: usize,
    /// Registry records tied to an official's or a relative's mention by a targeted comparison
    /// (prior [`TARGETED_PRIOR`]: is this company's controller one of the few people around this
    /// official?), as `(registry mention, circle mention)`, sorted. A rule asks that narrower
    /// question, so it ties records that whole-registry resolution keeps apart.
    pub ties: Vec<(MentionId, MentionId)>,
    /// Surname frequencies of the dataset, and the level weights the comparisons used.
    pub tf: TermFreq,
    /// Where the level weights come from: estimated from the data, or the defaults and why
    /// (see [`estimate`]).
    pub weights: String,
}

/// A blocking key: a hash of its text, and whether the mention only *probes* the block.
///
/// Symmetric keys pair every two members of a block. A probe key pairs each probing member with
/// every member, but not two plain members with each other: a name without a patronymic (or with
/// initials) meets all full names of its surname and given name without all those full names
/// being paired among themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockKey {
    /// Hash of the key text (the text names its family, so families never mix).
    pub hash: u64,
    /// The key belongs to a probe family (`o:`, `i:`).
    pub probe_family: bool,
    /// The mention probes the block: it lacks the part the key stands in for.
    pub probe: bool,
    /// The group of keys ([`SHARDS`]) it is blocked with.
    pub shard: u8,
}

/// Groups of keys that never share a block, blocked one after another so that only one group's
/// proposed pairs are held at a time: 0 for the name families but `g:` (a key's text names its
/// family), 1 and 2 for the `g:` keys (over half of all keys) by the parity of the surname
/// form's letters, so that one key text is always in one shard, 3 for INNs (compared whole,
/// whatever the birth dates).
pub const SHARDS: usize = 4;

/// The shard of identifier keys.
const IDENTIFIER_SHARD: u8 = 3;

/// Hash of a key's parts, one after another (FxHash: fast and the same on every run and
/// machine). Each part is hashed with its length, so the parts need no separators.
fn key_hash(parts: &[&str]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for p in parts {
        h.write(p.as_bytes());
    }
    h.finish()
}

fn key(parts: &[&str]) -> BlockKey {
    BlockKey {
        hash: key_hash(parts),
        probe_family: false,
        probe: false,
        shard: 0,
    }
}

fn probe_key(parts: &[&str], probe: bool) -> BlockKey {
    BlockKey {
        hash: key_hash(parts),
        probe_family: true,
        probe,
        shard: 0,
    }
}

/// The shard of a `g:` key whose surname form's letters sum to `letters` (see [`SHARDS`]).
fn g_shard(letters: u32) -> u8 {
    1 + (letters % 2) as u8
}

/// Blocking keys of one parsed name (see `docs/matching.md`): a true pair shares a key unless
/// two of its parts are mistyped at once, or the first letter of the surname is.
pub fn blocking_keys(n: &NormName, out: &mut Vec<BlockKey>) {
    // The first letter of a part (or `_`), as text.
    fn first(p: &Option<Part>) -> &str {
        p.as_ref()
            .and_then(|p| {
                let t = p.text();
                t.chars().next().map(|c| &t[..c.len_utf8()])
            })
            .unwrap_or("_")
    }
    fn full(p: &Option<Part>) -> Option<&str> {
        match p {
            Some(Part::Full(w)) => Some(w),
            _ => None,
        }
    }
    let stem = n.surname_stem.as_deref();
    let (given, patr) = (full(&n.given), full(&n.patronymic));
    if let (Some(s), Some(g)) = (stem, given) {
        out.push(key(&["n:", s, g, first(&n.patronymic)]));
        out.push(probe_key(&["o:", s, g], n.patronymic.is_none()));
    }
    if let (Some(g), Some(p), Some(written)) = (given, patr, n.surname.as_deref()) {
        // The surname's one-letter deletion neighbourhood (first letter kept, on the form as
        // written so that a typo in the gender ending counts once): two surnames one typo apart
        // (a letter changed, dropped, doubled or two swapped) share one of these keys, surnames
        // further apart share none, so the blocks stay small. The keys of one name differ in a
        // letter each, so they are hashed by composing a polynomial hash (see [`poly`]) of the
        // text before and after the letter dropped.
        let (folded, sum) = surname_letters(written);
        let head = ["g:", g, "|", p, "|"]
            .iter()
            .fold(0, |h, part| poly::extend(h, part.bytes().map(u64::from)));
        let n = folded.len();
        // `before[k]`: the hash of the head and the first k letters; `after[k]`: of the
        // letters from k on; `power[k]`: BASE^k.
        let mut before: SmallVec<[u64; 32]> = smallvec::smallvec![head; n + 1];
        let mut after: SmallVec<[u64; 32]> = smallvec::smallvec![0; n + 1];
        let mut power: SmallVec<[u64; 32]> = smallvec::smallvec![1; n + 1];
        for k in 0..n {
            before[k + 1] = poly::extend(before[k], [u64::from(folded[k])]);
            power[k + 1] = power[k].wrapping_mul(poly::BASE);
        }
        for k in (0..n).rev() {
            after[k] = u64::from(folded[k])
                .wrapping_mul(power[n - k - 1])
                .wrapping_add(after[k + 1]);
        }
        let g_key = |hash: u64, letters: u32| BlockKey {
            hash: poly::finish(hash),
            probe_family: false,
            probe: false,
            shard: g_shard(letters),
        };
        out.push(g_key(before[n], sum));
        for k in 1..n {
            let without = before[k]
                .wrapping_mul(power[n - k - 1])
                .wrapping_add(after[k + 1]);
            out.push(g_key(without, sum - folded[k]));
        }
    }
    if let (Some(s), Some(p)) = (stem, patr) {
        out.push(key(&["t:", s, p, first(&n.given)]));
    }
    if let Some(s) = stem {
        out.push(probe_key(&["i:", s, first(&n.given)], given.is_none()));
    }
}

/// A polynomial hash, `h(s u) = h(s) * BASE + u` for a unit `u` (a byte or a letter): the hash
/// of a text follows from the hashes of its parts (`h(x y) = h(x) * BASE^len(y) + h(y)`), which
/// lets [`blocking_keys`] hash a surname's deletion neighbourhood in one step per key.
mod poly {
    /// The multiplier (odd, with mixed bits).
    pub const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The hash of the text hashed `h` followed by `units` (bytes or letters).
    pub fn extend(h: u64, units: impl IntoIterator<Item = u64>) -> u64 {
        units
            .into_iter()
            .fold(h, |h, u| h.wrapping_mul(BASE).wrapping_add(u))
    }

    /// Mixes every bit into the top ones, which blocking keeps (splitmix64's finaliser).
    pub fn finish(mut h: u64) -> u64 {
        h ^= h >> 30;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 27;
        h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^ (h >> 31)
    }
}

/// The letters of a surname as written (digraphs folded, see [`compare::letters`]) as code
/// points, and their sum (which picks a `g:` key's shard, see [`g_shard`]).
fn surname_letters(written: &str) -> (SmallVec<[u32; 32]>, u32) {
    let folded: SmallVec<[u32; 32]> = compare::letter_chars(written).map(u32::from).collect();
    let sum = folded.iter().sum();
    (folded, sum)
}

/// How many keys of each shard [`blocking_keys`] gives a name, without hashing them (the
/// blocking buffers are sized with it; the fill checks that the two agree).
fn blocking_key_count(n: &NormName, count: &mut [usize; SHARDS]) {
    let full = |p: &Option<Part>| matches!(p, Some(Part::Full(_)));
    let stem = n.surname_stem.is_some();
    let (given, patr) = (full(&n.given), full(&n.patronymic));
    if stem && given {
        count[0] += 2;
    }
    if let (true, true, Some(written)) = (given, patr, n.surname.as_deref()) {
        let (folded, sum) = surname_letters(written);
        count[g_shard(sum) as usize] += 1;
        for &c in folded.iter().skip(1) {
            count[g_shard(sum - c) as usize] += 1;
        }
    }
    if stem && patr {
        count[0] += 1;
    }
    if stem {
        count[0] += 1;
    }
}

/// Keys of a whole mention (every name, and the INN), sorted.
pub fn mention_keys(m: &Mention) -> Vec<BlockKey> {
    let mut keys = Vec::with_capacity(5 * m.names.len() + 1);
    raw_mention_keys(m, &mut keys);
    // A probe beats a plain entry of the same key (sorting puts `probe: true` last).
    keys.sort_unstable();
    keys.reverse();
    keys.dedup_by_key(|k| k.hash);
    keys.reverse();
    keys
}

/// Appends the keys of every name of a mention and of its INN, unsorted and possibly repeated.
fn raw_mention_keys(m: &Mention, out: &mut Vec<BlockKey>) {
    for n in &m.names {
        blocking_keys(n, out);
    }
    if let Some(inn) = &m.inn {
        out.push(BlockKey {
            shard: IDENTIFIER_SHARD,
            ..key(&["inn:", &inn.text()])
        });
    }
}

/// Candidate pairs `(a, b)` with `a < b`, sorted, from shared blocking keys.
pub fn candidate_pairs(
    mentions: &[Mention],
    allow: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32)> {
    let keyed: Vec<Vec<BlockKey>> = mentions.par_iter().map(mention_keys).collect();
    candidate_pairs_keyed(&keyed, allow, |i| born(&mentions[i as usize])).0
}

/// [`candidate_pairs`] packed `a << 32 | b`, as [`cluster`] takes them.
pub fn candidate_pairs_packed(mentions: &[Mention]) -> Vec<u64> {
    propose_sharded(
        packed_entries(mentions),
        |_, _| true,
        &BornTable::from_fn(mentions.len(), |i| born(&mentions[i as usize])),
        |_, _| true,
    )
    .0
}

/// What blocking needs to know of a mention: its birth date as far as known, and whether it is
/// an official's or a relative's (see [`Mention::in_circle`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Born {
    /// Birth year, if known.
    pub year: Option<i32>,
    /// Day of the year (1..=366) of a full birth date; 0 for a bare year or none.
    pub day: u16,
    /// The mention is an official's or a relative's.
    pub family: bool,
}

/// [`Born`] of a mention.
pub fn born(m: &Mention) -> Born {
    use chrono::Datelike;
    Born {
        year: m.birth.map(|b| b.year()),
        day: match m.birth {
            Some(BirthDate::Full(d)) => d.ordinal() as u16,
            _ => 0,
        },
        family: m.in_circle(),
    }
}

/// [`Born`] of every mention in four bytes, and whether it has a rare surname (see
/// [`TermFreq::has_rare_surname`]): blocking looks them up for every entry of every block, at
/// random, and a mention is 96 bytes. A year outside 1..32767 counts as none.
struct BornTable {
    cells: Vec<u32>,
    /// Full dates a slip apart meet (the data shows such slips: see
    /// [`estimate::SlipCounts`]).
    slips: bool,
}

impl BornTable {
    const YEAR: u32 = 0x7fff;
    const DAY_SHIFT: u32 = 15;
    const FAMILY: u32 = 1 << 24;
    const RARE: u32 = 1 << 25;

    /// The table of `mentions` under `tf`'s surname frequencies; `slips`: see the field.
    fn of(mentions: &[Mention], tf: &TermFreq, slips: bool) -> BornTable {
        BornTable {
            cells: mentions
                .par_iter()
                .map(|m| Self::encode(born(m), tf.has_rare_surname(m)))
                .collect(),
            slips,
        }
    }

    /// The table of `n` mentions whose [`Born`] `born_of` tells, none with a rare surname, no
    /// slips meeting.
    fn from_fn(n: usize, born_of: impl Fn(u32) -> Born + Sync) -> BornTable {
        BornTable {
            cells: (0..n as u32)
                .into_par_iter()
                .map(|i| Self::encode(born_of(i), false))
                .collect(),
            slips: false,
        }
    }

    fn encode(b: Born, rare: bool) -> u32 {
        let date = match b.year.filter(|y| (1..=Self::YEAR as i32).contains(y)) {
            Some(y) => y as u32 | u32::from(b.day) << Self::DAY_SHIFT,
            None => 0,
        };
        let family = if b.family { Self::FAMILY } else { 0 };
        let rare = if rare { Self::RARE } else { 0 };
        date | family | rare
    }

    /// Asks for mention `i`'s cell ahead of [`BornTable::get`]: blocks list mentions in no
    /// order, and the table is larger than the cache.
    fn prefetch(&self, i: u32) {
        if let Some(v) = self.cells.get(i as usize) {
            prefetch(v);
        }
    }

    fn get(&self, i: u32) -> Born {
        let v = self.cells[i as usize];
        let y = (v & Self::YEAR) as i32;
        Born {
            year: (y != 0).then_some(y),
            day: ((v >> Self::DAY_SHIFT) & 0x1ff) as u16,
            family: v & Self::FAMILY != 0,
        }
    }

    fn rare(&self, i: u32) -> bool {
        self.cells[i as usize] & Self::RARE != 0
    }
}

/// Members of a block above which a member without a birth date meets only the officials and
/// relatives in it (every block compares its dated members within their birth year): a name
/// shared by thousands of records (a common full name at national scale) would otherwise
/// propose millions of pairs that the name alone cannot decide. The regional generated data
/// (seed 7) gives the same cases with it.
pub const MAX_BLOCK: usize = 10;

/// How many entries ahead blocking asks for a member's [`BornTable`] cell.
const PREFETCH_AHEAD: usize = 16;

/// Bits of a packed (key, mention) entry kept for the mention index.
const IDX_BITS: u32 = 26;
/// The key belongs to a probe family.
const FAMILY: u64 = 1 << (IDX_BITS + 1);
/// The mention probes the block.
const PROBE: u64 = 1 << IDX_BITS;

/// One u64 per (key, mention): the key hash's top 36 bits, the probe flags, the mention index.
/// Two keys whose top bits collide merge into one block: that only proposes extra pairs, which
/// are scored and rejected like any other.
fn pack(k: &BlockKey, i: usize) -> u64 {
    (k.hash & !((FAMILY << 1) - 1))
        | if k.probe_family { FAMILY } else { 0 }
        | if k.probe { PROBE } else { 0 }
        | i as u64
}

/// Cuts `buf` into consecutive slices of the given lengths, for filling in parallel.
fn split_at_counts<T>(mut buf: &mut [T], lengths: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut slices = Vec::new();
    for n in lengths {
        let (head, tail) = buf.split_at_mut(n);
        slices.push(head);
        buf = tail;
    }
    slices
}

/// Mentions per parallel task when filling a buffer at known offsets.
const FILL_CHUNK: usize = 1 << 14;

/// The packed entries of every mention's blocking keys, shard by shard, without keeping the
/// keys. The keys are counted first and then written straight into buffers of the exact size:
/// collecting per-worker buffers and joining them would hold the entries twice (gigabytes at
/// national scale). A key listed twice for a mention (plain and probe) proposes nothing the
/// probe alone does not.
fn packed_entries(mentions: &[Mention]) -> [Vec<u64>; SHARDS] {
    assert!(
        mentions.len() < 1 << IDX_BITS,
        "more than 2^26 mentions in one run"
    );
    let counts: Vec<[usize; SHARDS]> = mentions
        .par_chunks(FILL_CHUNK)
        .map(|chunk| {
            let mut count = [0; SHARDS];
            for m in chunk {
                m.names
                    .iter()
                    .for_each(|n| blocking_key_count(n, &mut count));
                count[IDENTIFIER_SHARD as usize] += usize::from(m.inn.is_some());
            }
            count
        })
        .collect();
    let mut out: [Vec<u64>; SHARDS] =
        std::array::from_fn(|s| vec![0u64; counts.iter().map(|c| c[s]).sum()]);
    // Each task's slice of every shard.
    let mut slices: Vec<std::vec::IntoIter<&mut [u64]>> = out
        .iter_mut()
        .enumerate()
        .map(|(s, buf)| split_at_counts(buf, counts.iter().map(|c| c[s])).into_iter())
        .collect();
    let tasks: Vec<[&mut [u64]; SHARDS]> = (0..counts.len())
        .map(|_| std::array::from_fn(|s| slices[s].next().expect("a slice per task")))
        .collect();
    tasks
        .into_par_iter()
        .enumerate()
        .for_each_init(Vec::new, |keys, (c, task)| {
            let start = c * FILL_CHUNK;
            let end = (start + FILL_CHUNK).min(mentions.len());
            let mut at = [0; SHARDS];
            for (i, m) in mentions[start..end].iter().enumerate() {
                keys.clear();
                raw_mention_keys(m, keys);
                for k in keys.iter() {
                    let s = k.shard as usize;
                    task[s][at[s]] = pack(k, start + i);
                    at[s] += 1;
                }
            }
            for s in 0..SHARDS {
                assert_eq!(
                    at[s],
                    task[s].len(),
                    "blocking key count out of step with the keys"
                );
            }
        });
    out
}

/// [`candidate_pairs`] from keys already computed.
///
/// Blocks are runs of a sorted list of (key, mention) packed into integers.
///
/// Returns the pairs and the number of blocks over [`MAX_BLOCK`] members, where `born_of`
/// tells each mention's [`Born`].
pub fn candidate_pairs_keyed(
    keyed: &[Vec<BlockKey>],
    allow: impl Fn(u32, u32) -> bool + Sync,
    born_of: impl Fn(u32) -> Born + Sync,
) -> (Vec<(u32, u32)>, usize) {
    assert!(
        keyed.len() < 1 << IDX_BITS,
        "more than 2^26 mentions in one run"
    );
    let shards: [Vec<u64>; SHARDS] = std::array::from_fn(|shard| {
        keyed
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, keys)| {
                keys.iter()
                    .filter(move |k| k.shard as usize == shard)
                    .map(move |k| pack(k, i))
            })
            .collect()
    });
    let born = BornTable::from_fn(keyed.len(), born_of);
    let (pairs, oversized) = propose_sharded(shards, allow, &born, |_, _| true);
    (pairs.into_iter().map(unpack_pair).collect(), oversized)
}

/// A pair `(a, b)` packed as `a << 32 | b`: sorting the packed pairs sorts the pairs.
fn unpack_pair(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Candidate pairs from packed entries (see [`pack`]), packed (see [`unpack_pair`]), sorted and
/// distinct, and the number of blocks over [`MAX_BLOCK`] members. `allow` filters every pair;
/// `may_match` only the pairs of a big block that lack a date in common (see `each_pair`).
fn propose(
    mut entries: Vec<u64>,
    by_year: bool,
    allow: impl Fn(u32, u32) -> bool + Sync,
    born: &BornTable,
    may_match: impl Fn(u32, u32) -> bool + Sync,
) -> (Vec<u64>, usize) {
    let idx = |e: u64| (e & (PROBE - 1)) as u32;
    // A block: the same hash bits and the same family (so a collision never mixes a symmetric
    // block into a probe block, where its members would stop meeting each other).
    let top = |e: u64| e >> (IDX_BITS + 1);
    entries.par_sort_unstable();
    assert!(
        entries.len() < u32::MAX as usize,
        "more than 2^32 blocking entries"
    );
    // A pair of two entries, ordered, unless it is one mention twice or not allowed.
    let pair = |ea: u64, eb: u64, emit: &mut dyn FnMut(u32, u32)| {
        let (a, b) = (idx(ea).min(idx(eb)), idx(ea).max(idx(eb)));
        if a != b && allow(a, b) {
            emit(a, b);
        }
    };
    // The same, for a pair tested in its block (see `each_pair`).
    let tested_pair = |ea: u64, eb: u64, emit: &mut dyn FnMut(u32, u32)| {
        pair(ea, eb, &mut |a, b| {
            if may_match(a, b) {
                emit(a, b)
            }
        })
    };
    // Every pair of a block (or of one birth year of a block) that may meet.
    let pairs_in = |block: &[u64], emit: &mut dyn FnMut(u32, u32)| {
        if block[0] & FAMILY == 0 {
            for (x, &ea) in block.iter().enumerate() {
                for &eb in &block[x + 1..] {
                    pair(ea, eb, emit);
                }
            }
        } else {
            // A block someone probes: each probe meets everyone; plain members meet each
            // other only through their own symmetric keys.
            let (probes, plain): (Vec<u64>, Vec<u64>) =
                block.iter().partition(|&&e| e & PROBE != 0);
            for (x, &p) in probes.iter().enumerate() {
                for &b in plain.iter().chain(&probes[x + 1..]) {
                    pair(p, b, emit);
                }
            }
        }
    };
    // Two records with different full birth dates, or born in different years, are never one
    // person (see `compare`), so dated members of a name block meet only where their dates
    // agree: a full date meets the same date and the bare year; a bare year meets its whole
    // year. A member without a date meets the whole block, except in a block of namesakes
    // (over MAX_BLOCK members), where it meets only the officials and relatives (the records
    // the rules link), unless it is one of them. Identifier blocks are compared whole: an
    // equal INN outweighs the dates.
    let each_pair = |(from, to): (u32, u32), emit: &mut dyn FnMut(u32, u32)| {
        let block = &entries[from as usize..to as usize];
        if !by_year {
            return pairs_in(block, emit);
        }
        let small = block.len() <= MAX_BLOCK;
        const NO_YEAR: i32 = i32::MIN;
        let mut tagged: SmallVec<[(i32, u16, u64, bool); 16]> = block
            .iter()
            .map(|&e| {
                let b = born.get(idx(e));
                (b.year.unwrap_or(NO_YEAR), b.day, e, b.family)
            })
            .collect();
        tagged.sort_unstable_by_key(|t| (t.0, t.1, t.2));
        let (dateless, dated) = tagged.split_at(tagged.partition_point(|t| t.0 == NO_YEAR));
        let probing = block[0] & FAMILY != 0;
        // In a probe block one of the two must probe; a pair met twice is kept once.
        let meets = |d: u64, o: u64| !probing || (d | o) & PROBE != 0;
        for year in dated.chunk_by(|a, b| a.0 == b.0) {
            let (bare, full) = year.split_at(year.partition_point(|t| t.1 == 0));
            for day in full.chunk_by(|a, b| a.1 == b.1) {
                let members: SmallVec<[u64; 16]> = day.iter().map(|t| t.2).collect();
                pairs_in(&members, emit);
            }
            for (k, &(_, _, d, _)) in bare.iter().enumerate() {
                for &(_, _, o, _) in full.iter().chain(&bare[k + 1..]) {
                    if meets(d, o) {
                        pair(d, o, emit);
                    }
                }
            }
        }
        if born.slips {
            // Full dates of one year a slip apart (see `compare::date_slip`) meet too.
            for year in dated.chunk_by(|a, b| a.0 == b.0) {
                let full: SmallVec<[(BirthDate, u64); 16]> = year
                    .iter()
                    .filter_map(|t| {
                        let d = chrono::NaiveDate::from_yo_opt(t.0, u32::from(t.1))?;
                        Some((BirthDate::Full(d), t.2))
                    })
                    .collect();
                for (k, (x, a)) in full.iter().enumerate() {
                    for (y, b) in &full[k + 1..] {
                        if x != y
                            && meets(*a, *b)
                            && compare::date_slip(x, y) != crate::model::DateAgreement::Disagree
                        {
                            pair(*a, *b, emit);
                        }
                    }
                }
            }
        }
        // A big block's pairs without a date are tested here, where the block's members are in
        // cache, for what a match on names alone needs: at national scale they are most
        // candidate pairs, and few pass.
        let dateless_pair = |d: u64, o: u64, emit: &mut dyn FnMut(u32, u32)| {
            if small {
                pair(d, o, emit)
            } else {
                tested_pair(d, o, emit)
            }
        };
        // Listed once: a big block has thousands of members without a date.
        let circle: SmallVec<[u64; 16]> = if small {
            SmallVec::new()
        } else {
            tagged.iter().filter(|t| t.3).map(|t| t.2).collect()
        };
        for (k, &(_, _, d, d_family)) in dateless.iter().enumerate() {
            if small || d_family {
                for &(_, _, o, _) in dated.iter().chain(&dateless[k + 1..]) {
                    if meets(d, o) {
                        dateless_pair(d, o, emit);
                    }
                }
            } else {
                for &o in &circle {
                    if meets(d, o) {
                        dateless_pair(d, o, emit);
                    }
                }
            }
        }
    };
    // One pass, each task over its own run of whole blocks and into its own buffer (a second,
    // counting pass would test every pair of the big blocks twice); the entries go before the
    // buffers are joined.
    const ENTRIES_PER_TASK: usize = 1 << 16;
    let mut cuts: Vec<usize> = (0..entries.len())
        .step_by(ENTRIES_PER_TASK)
        .map(|at| {
            // Moved on to the start of a block.
            let mut at = at;
            while at > 0 && at < entries.len() && top(entries[at]) == top(entries[at - 1]) {
                at += 1;
            }
            at
        })
        .collect();
    cuts.push(entries.len());
    cuts.dedup();
    let parts: Vec<(Vec<u64>, usize)> = cuts
        .par_windows(2)
        .map(|run| {
            let (from, to) = (run[0], run[1]);
            let (mut part, mut oversized) = (Vec::new(), 0);
            let mut start = from;
            for i in from + 1..=to {
                // Every member's cell asked for well before its block's turn.
                if let Some(&ahead) = entries.get(i + PREFETCH_AHEAD) {
                    born.prefetch(idx(ahead));
                }
                if i == to || top(entries[i]) != top(entries[start]) {
                    if i - start >= 2 {
                        oversized += usize::from(i - start > MAX_BLOCK);
                        each_pair((start as u32, i as u32), &mut |a, b| {
                            part.push((u64::from(a) << 32) | u64::from(b))
                        });
                    }
                    start = i;
                }
            }
            (part, oversized)
        })
        .collect();
    drop(entries);
    let oversized = parts.iter().map(|p| p.1).sum();
    let parts: Vec<Vec<u64>> = parts.into_iter().map(|p| p.0).collect();
    let mut pairs = parts.concat();
    drop(parts);
    // A pair sharing several blocks is proposed by each: sorted once, kept once.
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, oversized)
}

/// [`propose`] shard after shard (see [`SHARDS`]), each shard's entries dropped once used.
fn propose_sharded(
    shards: [Vec<u64>; SHARDS],
    allow: impl Fn(u32, u32) -> bool + Sync,
    born: &BornTable,
    may_match: impl Fn(u32, u32) -> bool + Sync,
) -> (Vec<u64>, usize) {
    let mut all: Vec<u64> = Vec::new();
    let mut oversized = 0;
    for (shard, entries) in shards.into_iter().enumerate() {
        let by_year = shard != IDENTIFIER_SHARD as usize;
        let (pairs, over) = propose(entries, by_year, &allow, born, &may_match);
        oversized += over;
        if all.is_empty() {
            all = pairs;
        } else {
            all.extend_from_slice(&pairs);
        }
    }
    // A pair sharing blocks of two shards is in both.
    all.par_sort_unstable();
    all.dedup();
    (all, oversized)
}

impl Resolution {
    /// For each of `officials` officials, whether some seat resolves to them.
    pub fn sitting(&self, officials: usize) -> Vec<bool> {
        let mut sitting = vec![false; officials];
        for m in self.seats.items() {
            sitting[m.official as usize] = true;
        }
        sitting
    }
}

/// What a growing person cluster already holds, to refuse contradicting merges.
#[derive(Clone, Debug, Default)]
struct Cluster {
    inn: Option<crate::model::Inn>,
    birth: Option<BirthDate>,
    sex: Option<Sex>,
    families: Vec<u32>,
    has_official: bool,
}

impl Cluster {
    fn of(m: &Mention) -> Cluster {
        let first = m.names.first();
        Cluster {
            inn: m.inn,
            birth: m.birth,
            sex: first.filter(|n| n.sex_from_patronymic).and_then(|n| n.sex),
            families: m.family.into_iter().collect(),
            has_official: matches!(m.source, MentionSource::Official(_)),
        }
    }

    /// Whether `o` may join: no two INNs, birth dates (under `w`'s date levels), sexes or
    /// questionnaires that set them apart.
    fn compatible(&self, o: &Cluster, link: &Link, w: &Weights) -> bool {
        if let (Some(a), Some(b)) = (&self.inn, &o.inn) {
            if a != b {
                return false;
            }
        }
        if let (Some(a), Some(b)) = (&self.birth, &o.birth) {
            if w.date(compare::date_agreement(a, b, w)).is_none() {
                return false;
            }
        }
        if let (Some(a), Some(b)) = (self.sex, o.sex) {
            if a != b {
                return false;
            }
        }
        if self.families.iter().any(|f| o.families.contains(f)) {
            return false;
        }
        // Two officials are one person only on INN or a shared birth date.
        !(self.has_official && o.has_official && link.basis == Basis::NameOnly)
    }

    fn absorb(&mut self, o: Cluster) {
        self.inn = self.inn.take().or(o.inn);
        self.birth = match (self.birth, o.birth) {
            (Some(BirthDate::Year(_)), Some(full @ BirthDate::Full(_))) => Some(full),
            (a, b) => a.or(b),
        };
        self.sex = self.sex.or(o.sex);
        self.families.extend(o.families);
        self.has_official |= o.has_official;
    }
}

/// The root of `x` in a union-find forest, halving the path on the way.
pub(crate) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// A pair judged one person: its weight, its mentions, the comparison.
type Scored = (f64, u32, u32, Link);

/// Asks the processor to bring `x` into cache without waiting for it.
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults and changes no memory.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = (x as *const T).cast::<i8>();
        _mm_prefetch::<_MM_HINT_T0>(p);
        // A value over 64 bytes (a mention) may span two lines.
        if std::mem::size_of::<T>() > 64 {
            _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(64));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// What scoring the candidate pairs gives.
pub struct Clustered {
    /// Person of each mention.
    pub person_of: Vec<PersonId>,
    /// Number of persons (numbered from 0 by their first mention).
    pub persons: usize,
    /// Pairs merged.
    pub merged: usize,
    /// `(registry mention, circle mention)` pairs, sorted, that the targeted comparison (prior
    /// [`TARGETED_PRIOR`]) ties: see [`Resolution::ties`].
    pub ties: Vec<(MentionId, MentionId)>,
}

/// What one comparison of two mentions tells: the link that merges them into one person
/// (under the registry-wide `prior`), if strong enough, and whether it ties an official's or
/// relative's record to a registry record under [`TARGETED_PRIOR`] (see [`Resolution::ties`]).
pub fn judge(
    ma: &Mention,
    mb: &Mention,
    prior: f64,
    tf: Option<&TermFreq>,
) -> (Option<Link>, bool) {
    let l = person_link(ma, mb, prior, tf);
    let tie = l.is_some_and(|l| {
        ma.in_circle() != mb.in_circle()
            && compare::reweigh(&l, TARGETED_PRIOR).probability >= MATCH_PROBABILITY
    });
    (l.filter(|l| l.probability >= MATCH_PROBABILITY), tie)
}

/// Clusters mentions into persons, scoring each candidate pair once for both questions: one
/// person in the registry-wide sense, and tied under the targeted prior.
///
/// `pairs` are candidate pairs `a << 32 | b` (as [`candidate_pairs_packed`] gives them).
pub fn cluster(
    mentions: &[Mention],
    pairs: &[u64],
    prior: f64,
    tf: Option<&TermFreq>,
) -> Clustered {
    use rayon::iter::Either;
    const CHUNK: usize = 1024;
    // Pairs are sorted by their first mention, so the second is a random read: asked for a few
    // pairs ahead, it is in cache when its pair comes.
    const AHEAD: usize = 8;
    let (mut links, mut ties): (Vec<Scored>, Vec<(MentionId, MentionId)>) = pairs
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            crate::progress::inc(chunk.len() as u64);
            chunk.iter().enumerate().map(move |(k, &pair)| {
                if let Some(&ahead) = chunk.get(k + AHEAD) {
                    prefetch(&mentions[unpack_pair(ahead).1 as usize]);
                }
                pair
            })
        })
        .flat_map_iter(|pair| {
            let (a, b) = unpack_pair(pair);
            let (ma, mb) = (&mentions[a as usize], &mentions[b as usize]);
            let (link, tie) = judge(ma, mb, prior, tf);
            // Ties far outnumber links at national scale (namesakes under the targeted prior):
            // each kept as just its two mentions.
            let tie = tie.then(|| if ma.in_circle() { (b, a) } else { (a, b) });
            let link = link.map(|l| (l.weight, a, b, l));
            link.map(Either::Left)
                .into_iter()
                .chain(tie.map(Either::Right))
        })
        .partition_map(|x| x);
    ties.par_sort_unstable();
    // Strongest evidence first; equal weights in id order keep the result independent of
    // threads.
    links.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let weights = tf.map_or(&WEIGHTS, |t| &t.levels);
    let mut parent: Vec<u32> = (0..mentions.len() as u32).collect();
    // What each merged cluster holds, by its root; a record never merged is its own cluster,
    // so most records (singletons) need no entry.
    let mut state: FxHashMap<u32, Cluster> = FxHashMap::default();
    let mut merged = 0;
    for (_, a, b, link) in &links {
        let (ra, rb) = (find(&mut parent, *a), find(&mut parent, *b));
        if ra == rb {
            continue;
        }
        let (keep, gone) = (ra.min(rb), ra.max(rb));
        let mut take =
            |r: u32| (state.remove(&r)).unwrap_or_else(|| Cluster::of(&mentions[r as usize]));
        let (mut k, g) = (take(keep), take(gone));
        if !k.compatible(&g, link, weights) {
            state.insert(keep, k);
            state.insert(gone, g);
            continue;
        }
        k.absorb(g);
        state.insert(keep, k);
        parent[gone as usize] = keep;
        merged += 1;
    }
    // Number persons by their first mention.
    const NONE: PersonId = PersonId::MAX;
    let mut id_of_root: Vec<PersonId> = vec![NONE; mentions.len()];
    let mut next: PersonId = 0;
    let mut person_of = Vec::with_capacity(mentions.len());
    for m in 0..mentions.len() as u32 {
        let r = find(&mut parent, m) as usize;
        if id_of_root[r] == NONE {
            id_of_root[r] = next;
            next += 1;
        }
        person_of.push(id_of_root[r]);
    }
    Clustered {
        person_of,
        persons: next as usize,
        merged,
        ties,
    }
}

/// The test of the pairs of big blocks that lack a date in common (see [`propose`]).
fn big_block_test<'a>(
    list: &'a [Mention],
    born: &'a BornTable,
) -> impl Fn(u32, u32) -> bool + Sync + 'a {
    move |a, b| {
        let (ma, mb) = (&list[a as usize], &list[b as usize]);
        // Two records with INNs meet in the INN blocks, whatever their names.
        if ma.inn.is_some() && mb.inn.is_some() {
            return false;
        }
        compare::may_link_on_name(ma, mb, born.rare(a) && born.rare(b))
    }
}

/// Resolves the mentions of `data` into persons and its commission seats into officials.
pub fn resolve(data: &Dataset, mentions: &Mentions, warnings: &mut Warnings) -> Resolution {
    let list = &mentions.list;
    let mut seat_warnings = Warnings::default();
    let prior = registry_prior(list.len());
    // Two arms that share nothing: blocking (the largest buffers of the stage, parallel
    // itself), and beside it the weights' training (a sample of 120,000 records) and the
    // commission seats (matched with the default weights), whose sequential parts fill the
    // cores blocking leaves idle. Blocking tests the pairs of big blocks with the surname
    // frequencies, so those come first. Where the data shows slips in birth dates beyond
    // chance, the dates a slip apart meet in blocking too (whether they weigh is the
    // estimate's to say; if not, the comparison refuses them).
    let ((mut tf, slips, (pairs, oversized)), (trained, seats)) = rayon::join(
        || {
            let (tf, entries) = rayon::join(|| TermFreq::of(list), || packed_entries(list));
            crate::progress::inc(list.len() as u64);
            let slips = estimate::SlipCounts::of(list, &tf);
            let born = BornTable::of(list, &tf, slips.shown());
            let proposed =
                propose_sharded(entries, |_, _| true, &born, big_block_test(list, &born));
            (tf, slips, proposed)
        },
        || {
            rayon::join(
                || estimate::train(list),
                || resolve_seats(data, mentions, &mut seat_warnings),
            )
        },
    );
    let estimated = trained.weigh(&slips);
    tf.levels = estimated.weights;
    if oversized > 0 {
        warnings.push(
            "",
            0,
            "",
            format!(
                "{oversized} name blocks of more than {MAX_BLOCK} records (namesakes) were \
                 compared within birth years; there a record without a birth date is compared \
                 only with officials and relatives"
            ),
        );
    }
    warnings.0.extend(seat_warnings.0);
    crate::progress::grow(pairs.len() as u64);
    let Clustered {
        person_of,
        persons,
        merged: links_made,
        ties,
    } = cluster(list, &pairs, prior, Some(&tf));
    Resolution {
        person_of,
        persons,
        seats,
        weights: estimated.model.source,
        pairs_compared: pairs.len(),
        ties,
        links_made,
        tf,
    }
}

fn name_probe(name: &str) -> Mention {
    Mention {
        source: MentionSource::Role(u32::MAX),
        names: smallvec::smallvec![parse_name(name)],
        birth: None,
        inn: None,
        family: None,
    }
}

/// Scores a protocol name against candidate officials out of a pool of `pool_len`, keeping every
/// official within 3 bits of the best fit (those the name cannot tell apart), in id order.
fn score_member(
    probe: &Mention,
    candidates: impl Iterator<Item = u32>,
    pool_len: usize,
    mentions: &Mentions,
) -> Vec<(u32, Link)> {
    let prior = prior_for(pool_len + 1);
    let mut fits: Vec<(u32, Link)> = candidates
        .filter_map(|o| {
            let m = &mentions.list[mentions.of_official[o as usize] as usize];
            compare(probe, m, prior).map(|l| (o, l))
        })
        .filter(|(_, l)| l.probability >= 0.5)
        .collect();
    let best = fits.iter().map(|(_, l)| l.weight).fold(f64::MIN, f64::max);
    fits.retain(|(_, l)| l.weight >= best - 3.0);
    fits.sort_by_key(|(o, _)| *o);
    fits
}

/// Officials by blocking key, sorted: `(key hash, probes the block, official)`.
struct KeyIndex(Vec<(u64, bool, u32)>);

impl KeyIndex {
    fn of(officials: &[u32], mentions: &Mentions) -> KeyIndex {
        let mut keys: Vec<(u64, bool, u32)> = officials
            .iter()
            .flat_map(|&o| {
                let m = &mentions.list[mentions.of_official[o as usize] as usize];
                mention_keys(m)
                    .into_iter()
                    .map(move |k| (k.hash, k.probe, o))
            })
            .collect();
        keys.sort_unstable();
        KeyIndex(keys)
    }

    /// Appends the officials sharing a block with a name of `keys`: a plain member of a probe
    /// block meets only the officials probing it. Unsorted, repeated.
    fn candidates(&self, keys: &[BlockKey], out: &mut Vec<u32>) {
        for k in keys {
            let from = self.0.partition_point(|e| e.0 < k.hash);
            for &(_, probe, o) in self.0[from..].iter().take_while(|e| e.0 == k.hash) {
                if !k.probe_family || k.probe || probe {
                    out.push(o);
                }
            }
        }
    }
}

fn resolve_seats(
    data: &Dataset,
    mentions: &Mentions,
    warnings: &mut Warnings,
) -> Groups<SeatMatch> {
    // Each customer's pool: its staff, plus the officials with no employer given.
    let mut staff: FxHashMap<crate::model::Inn, Vec<u32>> = FxHashMap::default();
    let mut unattached: Vec<u32> = Vec::new();
    for (i, o) in data.officials.iter().enumerate() {
        match o.employer_inn {
            Some(e) => staff.entry(e).or_default().push(i as u32),
            None => unattached.push(i as u32),
        }
    }
    let unattached_index = KeyIndex::of(&unattached, mentions);
    // Protocols repeat the same members: each (customer, name) is matched once, in parallel.
    // The distinct pairs in order of first sight, and each seat's pair (none when the seat
    // names its official by id).
    const BY_ID: u32 = u32::MAX;
    let mut index: FxHashMap<(crate::model::Inn, Sym), u32> = FxHashMap::default();
    let mut wanted: Vec<(crate::model::Inn, Sym)> = Vec::new();
    let which: Vec<u32> = data
        .seats
        .iter()
        .map(|seat| {
            if seat.official.is_some() {
                return BY_ID;
            }
            let customer = data.procurements[seat.procurement as usize].customer_inn;
            let name = seat.member_name.unwrap_or_default();
            *index.entry((customer, name)).or_insert_with(|| {
                wanted.push((customer, name));
                wanted.len() as u32 - 1
            })
        })
        .collect();
    drop(index);
    // Customer by customer: the names wanted there meet the customer's own officials, indexed
    // by key in a table small enough to stay in cache (a country-wide table made every lookup
    // a walk through memory).
    let mut by_customer: Vec<u32> = (0..wanted.len() as u32).collect();
    by_customer.sort_unstable_by_key(|&w| (wanted[w as usize].0, w));
    let mut fitted: Vec<(u32, Vec<(u32, Link)>)> = by_customer
        .chunk_by(|&a, &b| wanted[a as usize].0 == wanted[b as usize].0)
        .collect::<Vec<_>>()
        .into_par_iter()
        .flat_map_iter(|names| {
            let customer = wanted[names[0] as usize].0;
            let own = staff.get(&customer).map_or(&[][..], Vec::as_slice);
            let own_index = KeyIndex::of(own, mentions);
            let pool = own.len() + unattached.len();
            let mut candidates = Vec::new();
            names
                .iter()
                .map(|&w| {
                    let probe = name_probe(&wanted[w as usize].1);
                    let keys = mention_keys(&probe);
                    candidates.clear();
                    own_index.candidates(&keys, &mut candidates);
                    unattached_index.candidates(&keys, &mut candidates);
                    candidates.sort_unstable();
                    candidates.dedup();
                    let fits = score_member(&probe, candidates.iter().copied(), pool, mentions);
                    (w, fits)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    fitted.sort_unstable_by_key(|f| f.0);
    let fitted: Vec<Vec<(u32, Link)>> = fitted.into_iter().map(|(_, f)| f).collect();
    let mut out = Groups::default();
    let mut reported = vec![false; wanted.len()];
    let seats_file = data.file_name("commissions.csv");
    for (seat, &w) in data.seats.iter().zip(&which) {
        if w == BY_ID {
            let o = seat.official.unwrap_or_default();
            out.push([SeatMatch {
                official: o,
                score: 1.0,
                basis: None,
                candidates: 1,
            }]);
            continue;
        }
        let fits = &fitted[w as usize];
        let n = fits.len();
        out.push(fits.iter().map(|(o, l)| SeatMatch {
            official: *o,
            score: l.probability / n as f64,
            basis: Some(l.basis),
            candidates: u16::try_from(n).unwrap_or(u16::MAX),
        }));
        let (customer, name) = wanted[w as usize];
        match n {
            0 => warnings.push(
                &seats_file,
                seat.line,
                "member_name",
                format!("`{name}` matches no official of customer {customer}; seat not checked"),
            ),
            1 => {}
            n if !reported[w as usize] => {
                reported[w as usize] = true;
                let ids: Vec<&str> = fits
                    .iter()
                    .map(|(o, _)| data.officials[*o as usize].official_id.as_str())
                    .collect();
                warnings.push(
                    &seats_file,
                    seat.line,
                    "member_name",
                    format!(
                        "`{name}` fits {n} officials of customer {customer} ({}); each is checked with a lower score",
                        ids.join(", ")
                    ),
                );
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_keys_hash_their_whole_text() {
        // Digraph letters (щ, ж, ч) fold to one multibyte letter each.
        for raw in [
            "Щукина Жанна Чеславовна",
            "Ан Ли Петрович",
            "Кузнецов-Шмидт Иван Ильич",
        ] {
            let n = parse_name(raw);
            let (Some(Part::Full(g)), Some(Part::Full(p))) = (n.given, n.patronymic) else {
                panic!("{raw}: whole given name and patronymic")
            };
            let folded = compare::letters(n.surname.as_deref().unwrap());
            let text = |surname: &str| {
                let head = format!("g:{g}|{p}|");
                let h = poly::extend(0, head.bytes().map(u64::from));
                poly::finish(poly::extend(h, surname.chars().map(u64::from)))
            };
            let mut want = vec![text(&folded)];
            for (i, c) in folded.char_indices().skip(1) {
                want.push(text(&format!(
                    "{}{}",
                    &folded[..i],
                    &folded[i + c.len_utf8()..]
                )));
            }
            let mut keys = Vec::new();
            blocking_keys(&n, &mut keys);
            let got: Vec<u64> = keys
                .iter()
                .filter(|k| k.shard != 0)
                .map(|k| k.hash)
                .collect();
            assert_eq!(got, want, "{raw}");
            assert_eq!(want.len(), folded.chars().count());
        }
    }

    use crate::values::parse_birth_date;

    fn m(name: &str, birth: Option<&str>, family: Option<u32>) -> Mention {
        Mention {
            source: MentionSource::Role(0),
            names: smallvec::smallvec![parse_name(name)],
            birth: birth.and_then(parse_birth_date),
            inn: None,
            family,
        }
    }

    #[test]
    fn dates_a_slip_apart_meet_and_merge_only_where_the_data_shows_slips() {
        let ms = vec![
            m("Кузнецова Ольга Петровна", Some("05.03.1980"), Some(0)),
            m("Кузнецова Ольга Петровна", Some("03.05.1980"), None),
            m("Кузнецова Ольга Петровна", Some("05.03.1981"), None),
        ];
        let mut tf = TermFreq::of(&ms);
        let proposed = |slips: bool| -> Vec<(u32, u32)> {
            let born = BornTable::of(&ms, &tf, slips);
            let (pairs, _) = propose_sharded(packed_entries(&ms), |_, _| true, &born, |_, _| true);
            pairs.into_iter().map(unpack_pair).collect()
        };
        assert!(proposed(false).is_empty(), "{:?}", proposed(false));
        // The swapped date meets; the year a digit off does not (another year's namesake).
        assert_eq!(proposed(true), [(0, 1)]);
        let pairs = [1u64];
        assert_eq!(cluster(&ms, &pairs, -12.0, Some(&tf)).merged, 0);
        tf.levels.date_swapped = Some(8.0);
        let c = cluster(&ms, &pairs, -12.0, Some(&tf));
        assert_eq!((c.merged, c.person_of[0] == c.person_of[1]), (1, true));
    }

    fn persons(ms: &[Mention]) -> Vec<PersonId> {
        cluster(ms, &candidate_pairs_packed(ms), -12.0, None).person_of
    }

    #[test]
    fn a_seat_match_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<SeatMatch>(), 16);
    }

    #[test]
    fn variants_of_one_person_cluster_together() {
        let ms = vec![
            m("Петров Иван Петрович", Some("1980-02-01"), None),
            m("ПЕТРОВ ИВАН ПЕТРОВИЧ", None, None),
            m("Иван Петрович Петров", Some("1980"), None),
            m("Сидоров Олег Ильич", None, None),
        ];
        assert_eq!(persons(&ms), vec![0, 0, 0, 1]);
    }

    #[test]
    fn a_dateless_mention_joins_only_one_of_two_namesakes() {
        let ms = vec![
            m("Петров Иван Петрович", Some("1980-02-01"), None),
            m("Петров Иван Петрович", Some("1962-07-01"), None),
            m("Петров Иван Петрович", None, None),
        ];
        let p = persons(&ms);
        assert_ne!(p[0], p[1], "namesakes with different birth dates");
        assert!(p[2] == p[0] || p[2] == p[1]);
    }

    #[test]
    fn blocking_catches_initials_and_typos() {
        let ms = vec![
            m("Иванова Мария Петровна", None, None),
            m("Иванова М.П.", None, None),
            m("Ивонова Мария Петровна", None, None),
            m("Мария Петровна Иванова", None, None),
        ];
        let pairs = candidate_pairs(&ms, |_, _| true);
        for b in 1..4 {
            assert!(pairs.contains(&(0, b)), "pair 0-{b} missing from {pairs:?}");
        }
    }

    #[test]
    fn groups_keep_each_owners_items_in_order() {
        let mut h = Groups::default();
        h.push([1u8, 2]);
        h.push([]);
        h.push([3]);
        assert_eq!(
            (h.len(), h.of(0), h.of(1), h.of(2)),
            (3, &[1, 2][..], &[][..], &[3][..])
        );
        assert_eq!(h.items(), [1, 2, 3]);
        assert_eq!(*h.item(h.first_index(2)), 3);
    }

    #[test]
    fn an_oversized_namesake_block_is_compared_within_birth_years() {
        // 0, 1: born 1970; 2: 1980; 3, 4: no date (registry); 5: no date, a relative of
        // official 0; then namesakes born in other years, so the block passes MAX_BLOCK.
        let name = "Иванов Иван Иванович";
        let mut ms = vec![
            m(name, Some("1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("1980"), None),
            m(name, None, None),
            m(name, None, None),
            m(name, None, Some(0)),
        ];
        let years: Vec<String> = (0..MAX_BLOCK).map(|y| (1990 + y).to_string()).collect();
        ms.extend(years.iter().map(|y| m(name, Some(y), None)));
        let pairs = candidate_pairs(&ms, |_, _| true);
        let met = |a: u32, b: u32| pairs.contains(&(a, b));
        assert!(met(0, 1), "same year");
        assert!(!met(0, 2) && !met(1, 2), "different years");
        assert!(!met(3, 4), "two dateless registry records");
        assert!(met(3, 5) && met(4, 5), "dateless record and a relative");
        assert!(met(0, 5) && met(2, 5), "a dateless relative meets everyone");
        // In a small block, dated records still meet within their year only (they could not
        // be one person otherwise), and a dateless one meets everyone.
        let few = candidate_pairs(&ms[..5], |_, _| true);
        assert!(few.contains(&(0, 1)) && !few.contains(&(0, 2)));
        assert!(few.contains(&(3, 4)) && few.contains(&(0, 3)) && few.contains(&(2, 4)));
        // An equal INN outweighs the dates: such records meet whatever their years.
        let mut two = vec![m(name, Some("1970"), None), m(name, Some("1971"), None)];
        assert!(candidate_pairs(&two, |_, _| true).is_empty());
        for r in &mut two {
            r.inn = Some("500100732259".into());
        }
        assert_eq!(candidate_pairs(&two, |_, _| true), [(0, 1)]);
    }

    #[test]
    fn full_birth_dates_meet_only_their_own_date_and_bare_year() {
        let name = "Иванов Иван Иванович";
        let ms = vec![
            m(name, Some("01.02.1970"), None),
            m(name, Some("01.02.1970"), None),
            m(name, Some("02.02.1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("01.02.1971"), None),
        ];
        let pairs = candidate_pairs(&ms, |_, _| true);
        // One date; a bare year with every date of it and with another bare year.
        let want = [
            (0, 1),
            (0, 3),
            (0, 4),
            (1, 3),
            (1, 4),
            (2, 3),
            (2, 4),
            (3, 4),
        ];
        assert_eq!(pairs, want);
        // Exactly the pairs a comparison does not rule apart.
        for a in 0..ms.len() as u32 {
            for b in a + 1..ms.len() as u32 {
                let c = compare(&ms[a as usize], &ms[b as usize], TARGETED_PRIOR).is_some();
                assert_eq!(c, want.contains(&(a, b)), "{a} {b}");
            }
        }
    }

    #[test]
    fn the_name_test_of_big_blocks_keeps_every_pair_that_links_or_ties() {
        let names = [
            "Цвырчиков Иван Петрович",
            "Цвырчикова Мария Петровна",
            "Цвырчиков И.П.",
            "Цвырчиков Иван",
            "Цвырчиков Иван Павлович",
            "Цвырчков Иван Петрович",
            "Смирнов Иван Иванович",
            "Смирнов И.И.",
            "Смирнов Иван",
            "Смирнов Иван Ивановчи",
            "Смирнов Иван Петрович",
            "Cмирнов Иван Иванович",
            "Иван Иванович Смирнов",
            "Смирнова Ивана Ивановна",
        ];
        // Without dates; officials' and relatives' records beside registry ones, for ties.
        let ms: Vec<Mention> = names
            .iter()
            .enumerate()
            .map(|(i, n)| m(n, None, (i % 3 == 0).then_some(i as u32)))
            .collect();
        // Enough common namesakes for the first surname to be rare and the second common.
        let filler = m("Смирнов Пётр Сергеевич", Some("1960"), None);
        let all: Vec<Mention> = ms
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(filler, 200_000))
            .collect();
        let tf = TermFreq::of(&all);
        assert!(tf.has_rare_surname(&ms[0]) && !tf.has_rare_surname(&ms[6]));
        let prior = registry_prior(all.len());
        let (mut kept, mut dropped, mut matched) = (0, 0, 0);
        for (i, a) in ms.iter().enumerate() {
            for b in &ms[i + 1..] {
                let (link, tie) = judge(a, b, prior, Some(&tf));
                let both_rare = tf.has_rare_surname(a) && tf.has_rare_surname(b);
                let passes = compare::may_link_on_name(a, b, both_rare);
                if link.is_some() || tie {
                    matched += 1;
                    assert!(passes, "{a:?} {b:?}");
                }
                if passes {
                    kept += 1;
                } else {
                    dropped += 1;
                }
            }
        }
        assert!(
            matched > 5 && kept > matched && dropped > 20,
            "{matched} {kept} {dropped}"
        );
    }

    #[test]
    fn a_big_block_keeps_name_matches_and_leaves_inns_to_the_inn_blocks() {
        // A relative (0) and namesakes without dates, enough for a big block.
        let name = "Иванов Иван Иванович";
        let mut ms = vec![m(name, None, Some(0))];
        ms.extend((0..MAX_BLOCK + 2).map(|_| m(name, None, None)));
        ms.push(m("Иванов Иван Петрович", None, None));
        let inn = |s: &str| Some(crate::model::Inn::from(s));
        ms[0].inn = inn("500100732259");
        ms[1].inn = inn("500100732259");
        ms[2].inn = inn("773370857141");
        let last = ms.len() as u32 - 1;
        let tf = TermFreq::of(&ms);
        let born = BornTable::of(&ms, &tf, false);
        let (pairs, oversized) = propose_sharded(
            packed_entries(&ms),
            |_, _| true,
            &born,
            big_block_test(&ms, &born),
        );
        assert!(oversized > 0);
        let pairs: Vec<(u32, u32)> = pairs.into_iter().map(unpack_pair).collect();
        assert!(pairs.contains(&(0, 1)), "the same INN");
        assert!(!pairs.contains(&(0, 2)), "two different INNs");
        assert!(pairs.contains(&(0, 3)), "the same full name, one INN");
        assert!(!pairs.contains(&(0, last)), "another patronymic");
        // Registry namesakes without dates do not meet each other in a big block.
        assert!(!pairs.contains(&(3, 4)));
    }

    #[test]
    fn sharded_blocking_proposes_what_one_pass_does() {
        // Typos in each part, initials, word order, a missing patronymic, namesakes.
        let names = [
            "Петров Иван Петрович",
            "Петрова Ивана Петрович",
            "Пертов Иван Петрович",
            "Петров Иван Петровчи",
            "Петров И.П.",
            "Иван Петрович Петров",
            "Петров Иван",
            "Петровский Иван Петрович",
            "Патров Иван Петрович",
            "Сидорова Анна Павловна",
            "Сидорова Анна Павлована",
            "Сидорва Анна Павловна",
        ];
        let ms: Vec<Mention> = names
            .iter()
            .enumerate()
            .map(|(i, n)| m(n, (i % 3 == 0).then_some("1970"), None))
            .collect();
        // The reference: every key in one pass (no INNs here, so every block is a name block).
        let one_pass: Vec<(u32, u32)> = propose(
            packed_entries(&ms).concat(),
            true,
            |_, _| true,
            &BornTable::from_fn(ms.len(), |i| born(&ms[i as usize])),
            |_, _| true,
        )
        .0
        .into_iter()
        .map(unpack_pair)
        .collect();
        let sharded: Vec<(u32, u32)> = candidate_pairs_packed(&ms)
            .into_iter()
            .map(unpack_pair)
            .collect();
        assert_eq!(sharded, one_pass);
        assert!(one_pass.contains(&(0, 2)) && one_pass.contains(&(9, 11)));
        // The keys are spread over every shard.
        let mut keys = Vec::new();
        let with_inn = Mention {
            inn: Some("500100732259".into()),
            ..ms[0].clone()
        };
        raw_mention_keys(&with_inn, &mut keys);
        for shard in 0..SHARDS as u8 {
            assert!(keys.iter().any(|k| k.shard == shard), "shard {shard} empty");
        }
    }
}
