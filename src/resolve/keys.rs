//! Blocking keys: the keys of a parsed name and of a mention (its names and INN), which
//! propose the pairs two records of one person share (see `docs/matching.md`).

use smallvec::SmallVec;

use crate::normalize::{Mention, NormName, Part};
use crate::resolve::compare;

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
/// family), 1 and 2 for the `g:` keys (over half of all keys) by their given name and
/// patronymic (so that one key text is always in one shard, and a name's whole surname
/// neighbourhood in one: the other shard's pass skips it unread), 3 for INNs (compared whole,
/// whatever the birth dates).
pub const SHARDS: usize = 4;

/// The shard of identifier keys.
pub(super) const IDENTIFIER_SHARD: u8 = 3;

/// Hash of a key's parts, one after another (FxHash: fast and the same on every run and
/// machine). Each part is hashed with its length, so the parts need no separators.
pub(super) fn key_hash(parts: &[&str]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    for p in parts {
        h.write(p.as_bytes());
    }
    h.finish()
}

pub(super) fn key(parts: &[&str]) -> BlockKey {
    BlockKey {
        hash: key_hash(parts),
        probe_family: false,
        probe: false,
        shard: 0,
    }
}

pub(super) fn probe_key(parts: &[&str], probe: bool) -> BlockKey {
    BlockKey {
        hash: key_hash(parts),
        probe_family: true,
        probe,
        shard: 0,
    }
}

/// The shard of the `g:` keys whose given name and patronymic hash to `head` (see
/// [`SHARDS`]): nearly even halves (51.4% and 48.6% of the surname letters of seed 12's
/// three-word names, CRC32 of the written words standing in for this hash; the national
/// resolve peak did not move).
pub(super) fn g_shard(head: u64) -> u8 {
    1 + (poly::finish(head) & 1) as u8
}

/// A part's word, unless it is missing or an initial.
fn whole_word(p: &Option<Part>) -> Option<&'static str> {
    p.and_then(Part::word).map(|w| w.as_str())
}

/// The hash the `g:` keys of given name `g` and patronymic `p` start from.
fn g_head(g: &str, p: &str) -> u64 {
    ["g:", g, "|", p, "|"]
        .iter()
        .fold(0, |h, part| poly::extend(h, part.bytes().map(u64::from)))
}

/// A set of shards, a bit each (`1 << shard`).
pub(super) type ShardSet = u8;

/// Every shard.
pub(super) const ALL_SHARDS: ShardSet = (1 << SHARDS) - 1;

/// The `g:` shards.
const G_SHARDS: ShardSet = 0b0110;

/// Blocking keys of one parsed name (see `docs/matching.md`): a true pair shares a key unless
/// two of its parts are mistyped at once, or the first letter of the surname is.
pub fn blocking_keys(n: &NormName, out: &mut Vec<BlockKey>) {
    blocking_keys_in(n, ALL_SHARDS, out)
}

/// [`blocking_keys`] of the shards in `shards` only, the others not computed.
pub(super) fn blocking_keys_in(n: &NormName, shards: ShardSet, out: &mut Vec<BlockKey>) {
    // The first letter of a part (or `_`), as text.
    pub(super) fn first(p: &Option<Part>) -> &str {
        p.as_ref()
            .and_then(|p| {
                let t = p.text();
                t.chars().next().map(|c| &t[..c.len_utf8()])
            })
            .unwrap_or("_")
    }
    let stem = n.surname_stem.as_deref();
    let (given, patr) = (whole_word(&n.given), whole_word(&n.patronymic));
    // Shard 0: the name families but `g:`.
    let name_shard = shards & 1 != 0;
    if let (true, Some(s), Some(g)) = (name_shard, stem, given) {
        out.push(key(&["n:", s, g, first(&n.patronymic)]));
        out.push(probe_key(&["o:", s, g], n.patronymic.is_none()));
    }
    let g_shards = shards & G_SHARDS != 0;
    if let (true, Some(g), Some(p), Some(written)) = (g_shards, given, patr, n.surname.as_deref()) {
        let head = g_head(g, p);
        let shard = g_shard(head);
        if shards & (1 << shard) != 0 {
            surname_neighbourhood(head, shard, written, out);
        }
    }
    if let (true, Some(s), Some(p)) = (name_shard, stem, patr) {
        out.push(key(&["t:", s, p, first(&n.given)]));
    }
    if let (true, Some(s)) = (name_shard, stem) {
        out.push(probe_key(&["i:", s, first(&n.given)], given.is_none()));
    }
}

/// The `g:` keys of a name in `shard`, its given name and patronymic hashed to `head`: the
/// surname's one-letter deletion neighbourhood (first letter kept, on the form as written so
/// that a typo in the gender ending counts once). Two surnames one typo apart (a letter
/// changed, dropped, doubled or two swapped) share one of these keys, surnames further apart
/// share none, so the blocks stay small. The keys of one name differ in a letter each, so they
/// are hashed by composing a polynomial hash (see [`poly`]) of the text before and after the
/// letter dropped.
fn surname_neighbourhood(head: u64, shard: u8, written: &str, out: &mut Vec<BlockKey>) {
    let folded = surname_letters(written);
    let n = folded.len();
    // With `before` the hash of the head and the first k letters, the text without letter k
    // hashes to `before * BASE^(n-k-1) + after`, `after` the hash of the letters past k; and
    // `whole = before_next * BASE^(n-k-1) + after`, so it is `whole + BASE^(n-k-1) * (before -
    // before_next)`: one pass, no tables (wrapping arithmetic is a ring, so the identity is
    // exact).
    let whole = poly::extend(head, folded.iter().map(|&c| u64::from(c)));
    let g_key = |hash: u64| BlockKey {
        hash: poly::finish(hash),
        probe_family: false,
        probe: false,
        shard,
    };
    out.push(g_key(whole));
    // The first letter is kept.
    let mut before = head;
    for (k, &letter) in folded.iter().enumerate() {
        let next = poly::extend(before, [u64::from(letter)]);
        if k > 0 {
            let without =
                whole.wrapping_add(poly::power(n - k - 1).wrapping_mul(before.wrapping_sub(next)));
            out.push(g_key(without));
        }
        before = next;
    }
}

/// A polynomial hash, `h(s u) = h(s) * BASE + u` for a unit `u` (a byte or a letter): the hash
/// of a text follows from the hashes of its parts (`h(x y) = h(x) * BASE^len(y) + h(y)`), which
/// lets [`blocking_keys`] hash a surname's deletion neighbourhood in one step per key.
pub(super) mod poly {
    /// The multiplier (odd, with mixed bits).
    pub const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The hash of the text hashed `h` followed by `units` (bytes or letters).
    pub fn extend(h: u64, units: impl IntoIterator<Item = u64>) -> u64 {
        units
            .into_iter()
            .fold(h, |h, u| h.wrapping_mul(BASE).wrapping_add(u))
    }

    /// `BASE^k`.
    pub fn power(k: usize) -> u64 {
        const TABLE: [u64; 64] = {
            let mut t = [1u64; 64];
            let mut i = 1;
            while i < 64 {
                t[i] = t[i - 1].wrapping_mul(BASE);
                i += 1;
            }
            t
        };
        match TABLE.get(k) {
            Some(&p) => p,
            None => (TABLE.len()..=k).fold(TABLE[63], |p, _| p.wrapping_mul(BASE)),
        }
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
/// points.
fn surname_letters(written: &str) -> SmallVec<[u32; 32]> {
    compare::letter_chars(written).map(u32::from).collect()
}

/// How many keys of each shard [`blocking_keys`] gives a name, without hashing them (the
/// blocking buffers are sized with it; the fill checks that the two agree).
pub(super) fn blocking_key_count(n: &NormName, count: &mut [usize; SHARDS]) {
    let stem = n.surname_stem.is_some();
    let (given, patr) = (whole_word(&n.given), whole_word(&n.patronymic));
    if stem && given.is_some() {
        count[0] += 2;
    }
    if let (Some(g), Some(p), Some(written)) = (given, patr, n.surname.as_deref()) {
        // The whole form, and one key per letter dropped past the first.
        let letters = compare::letter_chars(written).count();
        count[g_shard(g_head(g, p)) as usize] += letters.max(1);
    }
    if stem && patr.is_some() {
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
pub(super) fn raw_mention_keys(m: &Mention, out: &mut Vec<BlockKey>) {
    raw_mention_keys_in(m, ALL_SHARDS, out)
}

/// [`raw_mention_keys`] of the shards in `shards` only.
pub(super) fn raw_mention_keys_in(m: &Mention, shards: ShardSet, out: &mut Vec<BlockKey>) {
    for n in &m.names {
        blocking_keys_in(n, shards, out);
    }
    if let (true, Some(inn)) = (shards & (1 << IDENTIFIER_SHARD) != 0, &m.inn) {
        out.push(BlockKey {
            shard: IDENTIFIER_SHARD,
            ..key(&["inn:", &inn.text()])
        });
    }
}
