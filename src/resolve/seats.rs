//! Commission seats: the names in protocols matched to the customer's officials.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::load::Warnings;
use crate::model::{Dataset, OptIndex, Sym};
use crate::normalize::{parse_name, Mention, MentionSource, Mentions, PackedSource};
use crate::resolve::compare::{compare, prior_for, Basis, Link};
use crate::resolve::{mention_keys, BlockKey, Groups, SeatMatch};

pub(super) fn name_probe(name: &str) -> Mention {
    Mention {
        // No row: the highest a mention's source can name.
        source: MentionSource::Role(PackedSource::MAX_ROW).into(),
        names: smallvec::smallvec![parse_name(name)],
        birth: None,
        inn: None,
        family: OptIndex::NONE,
    }
}

/// Scores a protocol name against candidate officials out of a pool of `pool_len`, keeping every
/// official within 3 bits of the best fit (those the name cannot tell apart), in id order.
pub(super) fn score_member(
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
pub(super) struct KeyIndex(Vec<(u64, bool, u32)>);

impl KeyIndex {
    pub(super) fn of(officials: &[u32], mentions: &Mentions) -> KeyIndex {
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
    pub(super) fn candidates(&self, keys: &[BlockKey], out: &mut Vec<u32>) {
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

/// A seat that names its official by id (see [`distinct_names`]).
const BY_ID: u32 = u32::MAX;

/// Protocols repeat the same members: each (customer, name) is matched once. Each seat's
/// (customer, name) pair ([`BY_ID`] when the seat names its official by id), and the distinct
/// pairs in order of first sight.
#[allow(clippy::type_complexity)]
fn distinct_names(data: &Dataset) -> (Vec<u32>, Vec<(crate::model::Inn, Sym)>) {
    let mut index: FxHashMap<(crate::model::Inn, Sym), u32> = FxHashMap::default();
    let mut wanted: Vec<(crate::model::Inn, Sym)> = Vec::new();
    let which: Vec<u32> = data
        .seats
        .iter()
        .map(|seat| {
            if seat.official.get().is_some() {
                return BY_ID;
            }
            let customer = data.procurements[seat.procurement as usize].customer_inn;
            let name = data.member_name(seat).unwrap_or_default();
            *index.entry((customer, name)).or_insert_with(|| {
                wanted.push((customer, name));
                wanted.len() as u32 - 1
            })
        })
        .collect();
    drop(index);
    (which, wanted)
}

/// An official a protocol name fits: what a seat keeps of the comparison.
#[derive(Clone, Copy, Debug)]
struct Fit {
    official: u32,
    probability: f64,
    basis: Basis,
}

/// The officials a name fits, nearly always one: inline, without an allocation each (millions
/// of distinct names at national scale).
type Fits = smallvec::SmallVec<[Fit; 1]>;

/// The officials each wanted name fits, with the comparison, in `wanted`'s order. Customer by
/// customer, in parallel: the names wanted there meet the customer's own officials (and those
/// with no employer given), indexed by key in a table small enough to stay in cache (a
/// country-wide table made every lookup a walk through memory).
fn fit_names(
    wanted: &[(crate::model::Inn, Sym)],
    staff: &FxHashMap<crate::model::Inn, Vec<u32>>,
    unattached: &[u32],
    unattached_index: &KeyIndex,
    mentions: &Mentions,
) -> Vec<Fits> {
    let mut by_customer: Vec<u32> = (0..wanted.len() as u32).collect();
    by_customer.sort_unstable_by_key(|&w| (wanted[w as usize].0, w));
    let mut fitted: Vec<(u32, Fits)> = by_customer
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
                    let fits = fits.into_iter().map(|(official, l)| Fit {
                        official,
                        probability: l.probability,
                        basis: l.basis,
                    });
                    (w, fits.collect())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    fitted.sort_unstable_by_key(|f| f.0);
    fitted.into_iter().map(|(_, f)| f).collect()
}

/// Matches each seat of commissions.csv to the customer's officials: by id, or by the name
/// the minutes give (each fitting official a candidate, at a score divided among them), with
/// a warning for a name that fits none or several.
pub(super) fn resolve_seats(
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
    let (which, wanted) = distinct_names(data);
    let fitted = fit_names(&wanted, &staff, &unattached, &unattached_index, mentions);
    // Sized exactly: grown by doubling, the national seats' matches (26 million) held up to
    // twice their room through the rules.
    let matches = which.iter().map(|&w| match w {
        BY_ID => 0,
        w => fitted[w as usize].len(),
    });
    let mut out = Groups::with_capacity(data.seats.len(), matches.sum());
    let mut reported = vec![false; wanted.len()];
    let seats_file = data.file_name("commissions.csv");
    for (seat, &w) in data.seats.iter().zip(&which) {
        if w == BY_ID {
            // Its one match is made on reading (see `Resolution::seat_matches`).
            out.push([]);
            continue;
        }
        let fits = &fitted[w as usize];
        let n = fits.len();
        out.push(fits.iter().map(|f| SeatMatch {
            official: f.official,
            score: f.probability / n as f64,
            basis: Some(f.basis),
            candidates: u16::try_from(n).unwrap_or(u16::MAX),
        }));
        let (customer, name) = wanted[w as usize];
        match n {
            0 => warnings.push(
                &seats_file,
                seat.line.into(),
                "member_name",
                format!("`{name}` matches no official of customer {customer}; seat not checked"),
            ),
            1 => {}
            n if !reported[w as usize] => {
                reported[w as usize] = true;
                let ids: Vec<std::borrow::Cow<str>> = fits
                    .iter()
                    .map(|f| data.officials[f.official as usize].official_id())
                    .collect();
                warnings.push(
                    &seats_file,
                    seat.line.into(),
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
