//! Clustering: candidate pairs scored and merged strongest first, a merge that would join
//! two INNs, two birth dates, two sexes or two members of one questionnaire refused.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::{BirthDate, Sex};
use crate::normalize::{Mention, MentionId, MentionSource};
use crate::resolve::compare::{
    person_link, Basis, Link, TermFreq, Weights, MATCH_PROBABILITY, TARGETED_PRIOR, WEIGHTS,
};
use crate::resolve::{compare, unpack_pair, PersonId};

/// What a growing person cluster already holds, to refuse contradicting merges.
#[derive(Clone, Debug, Default)]
pub(super) struct Cluster {
    inn: Option<crate::model::Inn>,
    birth: Option<BirthDate>,
    sex: Option<Sex>,
    families: Vec<u32>,
    has_official: bool,
}

impl Cluster {
    pub(super) fn of(m: &Mention) -> Cluster {
        let first = m.names.first();
        Cluster {
            inn: m.inn,
            birth: m.birth,
            sex: first.filter(|n| n.sex_from_patronymic).and_then(|n| n.sex),
            families: m.family.get().into_iter().collect(),
            has_official: matches!(m.source(), MentionSource::Official(_)),
        }
    }

    /// Whether `o` may join: no two INNs, birth dates (under `w`'s date levels), sexes or
    /// questionnaires that set them apart.
    pub(super) fn compatible(&self, o: &Cluster, link: &Link, w: &Weights) -> bool {
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

    pub(super) fn absorb(&mut self, o: Cluster) {
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
pub(super) type Scored = (f64, u32, u32, Link);

/// Asks the processor to bring `x` into cache without waiting for it.
pub(super) fn prefetch<T>(x: &T) {
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
    /// [`TARGETED_PRIOR`]) ties: see [`Resolution::ties`](crate::resolve::Resolution::ties).
    pub ties: Vec<(MentionId, MentionId)>,
}

/// What one comparison of two mentions tells: the link that merges them into one person
/// (under the registry-wide `prior`), if strong enough, and whether it ties an official's or
/// relative's record to a registry record under [`TARGETED_PRIOR`] (see [`Resolution::ties`](crate::resolve::Resolution::ties)).
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
/// `pairs` are candidate pairs `a << 32 | b` (as [`candidate_pairs_packed`](crate::resolve::candidate_pairs_packed) gives them).
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
    // threads (no two links share their pair, so the order is total).
    links.par_sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
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
