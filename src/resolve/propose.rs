//! Candidate pairs from shared blocking keys: the keys packed per shard, sorted, and every
//! block's pairs proposed, big blocks within birth years.

use rayon::prelude::*;
use smallvec::SmallVec;

use crate::model::BirthDate;
use crate::normalize::Mention;
use crate::packed::sort_packed;
use crate::resolve::compare::TermFreq;
use crate::resolve::keys::{blocking_key_count, raw_mention_keys_in, ShardSet, IDENTIFIER_SHARD};
use crate::resolve::{compare, mention_keys, prefetch, BlockKey, SHARDS};

/// Candidate pairs `(a, b)` with `a < b`, sorted, from shared blocking keys.
pub fn candidate_pairs(
    mentions: &[Mention],
    allow: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32)> {
    let keyed: Vec<Vec<BlockKey>> = mentions.par_iter().map(mention_keys).collect();
    candidate_pairs_keyed(&keyed, allow, |i| born(&mentions[i as usize])).0
}

/// [`candidate_pairs`] packed `a << 32 | b`, as [`cluster`](crate::resolve::cluster) takes them.
pub fn candidate_pairs_packed(mentions: &[Mention]) -> Vec<u64> {
    propose_sharded(
        entries_by_shard(mentions),
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
/// random, and a mention is 72 bytes. A year outside 1..32767 counts as none.
pub(super) struct BornTable {
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
    pub(super) fn of(mentions: &[Mention], tf: &TermFreq, slips: bool) -> BornTable {
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
    pub(super) fn from_fn(n: usize, born_of: impl Fn(u32) -> Born + Sync) -> BornTable {
        BornTable {
            cells: (0..n as u32)
                .into_par_iter()
                .map(|i| Self::encode(born_of(i), false))
                .collect(),
            slips: false,
        }
    }

    pub(super) fn encode(b: Born, rare: bool) -> u32 {
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
    pub(super) fn prefetch(&self, i: u32) {
        if let Some(v) = self.cells.get(i as usize) {
            prefetch(v);
        }
    }

    pub(super) fn get(&self, i: u32) -> Born {
        let v = self.cells[i as usize];
        let y = (v & Self::YEAR) as i32;
        Born {
            year: (y != 0).then_some(y),
            day: ((v >> Self::DAY_SHIFT) & 0x1ff) as u16,
            family: v & Self::FAMILY != 0,
        }
    }

    pub(super) fn rare(&self, i: u32) -> bool {
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
pub(super) const PREFETCH_AHEAD: usize = 16;

/// Bits of a packed (key, mention) entry kept for the mention index.
pub(super) const IDX_BITS: u32 = 26;
/// The key belongs to a probe family.
pub(super) const FAMILY: u64 = 1 << (IDX_BITS + 1);
/// The mention probes the block.
pub(super) const PROBE: u64 = 1 << IDX_BITS;

/// One u64 per (key, mention): the key hash's top 36 bits, the probe flags, the mention index.
/// Two keys whose top bits collide merge into one block: that only proposes extra pairs, which
/// are scored and rejected like any other.
pub(super) fn pack(k: &BlockKey, i: usize) -> u64 {
    (k.hash & !((FAMILY << 1) - 1))
        | if k.probe_family { FAMILY } else { 0 }
        | if k.probe { PROBE } else { 0 }
        | i as u64
}

/// Cuts `buf` into consecutive slices of the given lengths, for filling in parallel.
pub(super) fn split_at_counts<T>(
    mut buf: &mut [T],
    lengths: impl Iterator<Item = usize>,
) -> Vec<&mut [T]> {
    let mut slices = Vec::new();
    for n in lengths {
        let (head, tail) = buf.split_at_mut(n);
        slices.push(head);
        buf = tail;
    }
    slices
}

/// Mentions per parallel task when filling a buffer at known offsets.
pub(super) const FILL_CHUNK: usize = 1 << 14;

/// How many blocking keys of each shard each [`FILL_CHUNK`] of mentions has (counted without
/// hashing), which sizes [`shard_entries`]'s buffers.
pub(super) fn key_counts(mentions: &[Mention]) -> Vec<[usize; SHARDS]> {
    assert!(
        mentions.len() < 1 << IDX_BITS,
        "more than 2^26 mentions in one run"
    );
    mentions
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
        .collect()
}

/// The packed entries of every mention's blocking keys of one shard, without keeping the
/// keys: [`propose_sharded`] asks for each shard's as it gets to it, so that one shard's
/// entries are held at a time (all four were 2.8 GB at national scale, the resolve stage's
/// peak). The keys are written straight into a buffer of the exact size (`counts`, from
/// [`key_counts`]): collecting per-worker buffers and joining them would hold the entries
/// twice. A key listed twice for a mention (plain and probe) proposes nothing the probe alone
/// does not.
pub(super) fn shard_entries(
    mentions: &[Mention],
    counts: &[[usize; SHARDS]],
    shard: usize,
) -> Vec<u64> {
    let only: ShardSet = 1 << shard;
    let mut out = vec![0u64; counts.iter().map(|c| c[shard]).sum()];
    let tasks = split_at_counts(&mut out, counts.iter().map(|c| c[shard]));
    tasks
        .into_par_iter()
        .enumerate()
        .for_each_init(Vec::new, |keys, (c, task)| {
            let start = c * FILL_CHUNK;
            let end = (start + FILL_CHUNK).min(mentions.len());
            let mut at = 0;
            for (i, m) in mentions[start..end].iter().enumerate() {
                keys.clear();
                raw_mention_keys_in(m, only, keys);
                for k in keys.iter() {
                    task[at] = pack(k, start + i);
                    at += 1;
                }
            }
            assert_eq!(
                at,
                task.len(),
                "blocking key count out of step with the keys"
            );
        });
    out
}

/// Every shard's entries of `mentions`, one after another, for [`propose_sharded`].
pub(super) fn entries_by_shard(mentions: &[Mention]) -> impl FnMut(usize) -> Vec<u64> + '_ {
    let counts = key_counts(mentions);
    move |s| shard_entries(mentions, &counts, s)
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
    let mut shards: [Vec<u64>; SHARDS] = std::array::from_fn(|shard| {
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
    let shard = |s: usize| std::mem::take(&mut shards[s]);
    let (pairs, oversized) = propose_sharded(shard, allow, &born, |_, _| true);
    (pairs.into_iter().map(unpack_pair).collect(), oversized)
}

/// A pair `(a, b)` packed as `a << 32 | b`: sorting the packed pairs sorts the pairs.
pub(super) fn unpack_pair(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Candidate pairs from packed entries (see [`pack`]), packed (see [`unpack_pair`]), sorted and
/// distinct, and the number of blocks over [`MAX_BLOCK`] members. `allow` filters every pair;
/// `may_match` only the pairs of a big block that lack a date in common (see `each_pair`).
/// Long on purpose: which members of a block meet is written as closures over the sorted
/// entries, inlined into the per-block loop, the hottest of the resolve stage.
pub(super) fn propose(
    mut entries: Vec<u64>,
    by_year: bool,
    allow: impl Fn(u32, u32) -> bool + Sync,
    born: &BornTable,
    may_match: impl Fn(u32, u32) -> bool + Sync,
) -> (Vec<u64>, usize) {
    let idx = |e: u64| (e & (PROBE - 1)) as u32;
    sort_packed(&mut entries);
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
    let each_pair = |block: &[u64], emit: &mut dyn FnMut(u32, u32)| {
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
        // So a plain member of a big probe block meets its probes only: they are listed (with
        // their places) once, not found again past every other member for each plain one (a
        // national `i:` block of a common surname has tens of thousands of plain members). A
        // small block is walked whole: listing would cost more than it saves.
        let by_probes = probing && !small;
        let probes_in = |list: &[(i32, u16, u64, bool)]| -> Vec<(usize, u64)> {
            if !by_probes {
                return Vec::new();
            }
            let listed = list.iter().map(|t| t.2).enumerate();
            listed.filter(|(_, e)| e & PROBE != 0).collect()
        };
        // The probes listed past place `k`.
        fn after(probes: &[(usize, u64)], k: usize) -> &[(usize, u64)] {
            &probes[probes.partition_point(|p| p.0 <= k)..]
        }
        for year in dated.chunk_by(|a, b| a.0 == b.0) {
            let (bare, full) = year.split_at(year.partition_point(|t| t.1 == 0));
            for day in full.chunk_by(|a, b| a.1 == b.1) {
                let members: SmallVec<[u64; 16]> = day.iter().map(|t| t.2).collect();
                pairs_in(&members, emit);
            }
            let (full_probes, bare_probes) = (probes_in(full), probes_in(bare));
            for (k, &(_, _, d, _)) in bare.iter().enumerate() {
                if by_probes && d & PROBE == 0 {
                    for o in full_probes.iter().chain(after(&bare_probes, k)) {
                        pair(d, o.1, emit);
                    }
                    continue;
                }
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
        let (dated_probes, dateless_probes) = (probes_in(dated), probes_in(dateless));
        let circle_probes: Vec<u64> = match by_probes {
            true => circle.iter().copied().filter(|o| o & PROBE != 0).collect(),
            false => Vec::new(),
        };
        for (k, &(_, _, d, d_family)) in dateless.iter().enumerate() {
            if by_probes && d & PROBE == 0 {
                if d_family {
                    for o in dated_probes.iter().chain(after(&dateless_probes, k)) {
                        dateless_pair(d, o.1, emit);
                    }
                } else {
                    for &o in &circle_probes {
                        dateless_pair(d, o, emit);
                    }
                }
                continue;
            }
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
    pairs_of_blocks(entries, born, each_pair)
}

/// Every block's pairs by `each_pair`, packed, sorted and distinct, and the number of blocks
/// over [`MAX_BLOCK`] members. One pass, each task over its own run of whole blocks and into
/// its own buffer (a second, counting pass would test every pair of the big blocks twice);
/// the entries go before the buffers are joined.
fn pairs_of_blocks(
    entries: Vec<u64>,
    born: &BornTable,
    each_pair: impl Fn(&[u64], &mut dyn FnMut(u32, u32)) + Sync,
) -> (Vec<u64>, usize) {
    let idx = |e: u64| (e & (PROBE - 1)) as u32;
    // A block: the same hash bits and the same family (so a collision never mixes a symmetric
    // block into a probe block, where its members would stop meeting each other).
    let top = |e: u64| e >> (IDX_BITS + 1);
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
                        each_pair(&entries[start..i], &mut |a, b| {
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
    sort_packed(&mut pairs);
    pairs.dedup();
    (pairs, oversized)
}

/// [`propose`] shard after shard (see [`SHARDS`]): `entries` gives each shard's entries when
/// it is its turn, and they are dropped once used.
pub(super) fn propose_sharded(
    mut entries: impl FnMut(usize) -> Vec<u64>,
    allow: impl Fn(u32, u32) -> bool + Sync,
    born: &BornTable,
    may_match: impl Fn(u32, u32) -> bool + Sync,
) -> (Vec<u64>, usize) {
    let mut all: Vec<u64> = Vec::new();
    let mut oversized = 0;
    for shard in 0..SHARDS {
        let by_year = shard != IDENTIFIER_SHARD as usize;
        let (pairs, over) = propose(entries(shard), by_year, &allow, born, &may_match);
        oversized += over;
        if all.is_empty() {
            all = pairs;
        } else {
            all.extend_from_slice(&pairs);
        }
    }
    // A pair sharing blocks of two shards is in both.
    sort_packed(&mut all);
    all.dedup();
    (all, oversized)
}

/// The test of the pairs of big blocks that lack a date in common (see [`propose`]).
pub(super) fn big_block_test<'a>(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::keys::BlockKey;

    #[test]
    fn every_block_proposes_exactly_the_pairs_its_rules_let_meet() {
        // Random blocks of both families, small and big, with probes, members listed twice
        // (plain and probe), and members of every kind of date, in or out of a circle; each
        // block's pairs against the rules written pair by pair (see `propose`).
        let mut rng = crate::rng::Rng::new(11, 0);
        let n = 400u32;
        let borns: Vec<Born> = (0..n)
            .map(|_| Born {
                year: [None, Some(1970), Some(1971)][rng.below(3)],
                day: [0, 32, 33][rng.below(3)],
                family: rng.chance(0.3),
            })
            .map(|b| Born {
                day: if b.year.is_some() { b.day } else { 0 },
                ..b
            })
            .collect();
        let born = BornTable::from_fn(n as usize, |i| borns[i as usize]);
        let allow = |a: u32, b: u32| (a + 2 * b) % 7 != 0;
        let may_match = |a: u32, b: u32| (a * 3 + b) % 5 != 0;
        let (mut entries, mut want) = (Vec::new(), Vec::new());
        for block in 0..60 {
            let probing = block % 2 == 0;
            let size = if block % 3 == 0 {
                2 + rng.below(9)
            } else {
                11 + rng.below(60)
            };
            let hash = rng.next_u64();
            let mut members: Vec<u64> = (0..size)
                .map(|_| {
                    let probe = probing && rng.chance(0.15);
                    let key = BlockKey {
                        hash,
                        probe_family: probing,
                        probe,
                        shard: 0,
                    };
                    pack(&key, rng.below(n as usize))
                })
                .collect();
            if probing {
                // A member listed as plain and as probe.
                members.push(members[0] | PROBE);
            }
            let small = members.len() <= MAX_BLOCK;
            for (x, &ea) in members.iter().enumerate() {
                for &eb in &members[x + 1..] {
                    let (a, b) = ((ea & (PROBE - 1)) as u32, (eb & (PROBE - 1)) as u32);
                    let (ba, bb) = (borns[a as usize], borns[b as usize]);
                    let meets = !probing || (ea | eb) & PROBE != 0;
                    let (untested, tested) = match (ba.year, bb.year) {
                        (Some(x), Some(y)) => {
                            let dates = x == y && (ba.day == bb.day || ba.day == 0 || bb.day == 0);
                            (dates, false)
                        }
                        _ if small => (true, false),
                        _ => (false, ba.family || bb.family),
                    };
                    let (lo, hi) = (a.min(b), a.max(b));
                    let met = meets
                        && lo != hi
                        && allow(lo, hi)
                        && (untested || tested && may_match(lo, hi));
                    if met {
                        want.push(u64::from(lo) << 32 | u64::from(hi));
                    }
                }
            }
            entries.extend(members);
        }
        want.sort_unstable();
        want.dedup();
        let (pairs, oversized) = propose(entries, true, allow, &born, may_match);
        assert_eq!(pairs, want);
        assert!(
            oversized >= 30 && want.len() > 1000,
            "{oversized} big blocks, {} pairs",
            want.len()
        );
    }
}
