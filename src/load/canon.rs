//! One fact, one record, in an order of its own: each file's records are sorted by what they
//! state (never by where they stand in the file), a fact given twice is kept once, and a fact
//! given with contradicting values is settled on the reading that creates no case by itself.
//! Every stage after the loader indexes these vectors, so each choice among equals downstream
//! (which record names a person, which bid or role comes first) follows this order, and the
//! same facts in another row order, encoding or layout give the same answer.

use std::cmp::Ordering;

use rayon::prelude::*;

pub(super) use crate::normalize::name::folded_cmp;

use super::Warnings;
use crate::model::{Conflict, ConflictKind, FileStats};

/// Orders texts by their letters, case and `ё`/`е` aside, then as written: one text in upper
/// and in mixed case sorts to the same place among the others.
pub(super) fn text_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    folded_cmp(a, b).then_with(|| a.cmp(b))
}

/// A text's first eight bytes, the first in the top byte, zeros past its end: ordered as the
/// texts are, as far as those bytes go.
pub(super) fn text_key(text: &str) -> u64 {
    let mut bytes = [0; 8];
    let n = text.len().min(8);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

/// Orders optional values with the given ones first: the value a row states wins over a blank.
pub(super) fn given_first<T: Ord>(a: &Option<T>, b: &Option<T>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// How one file's records are put in canonical form.
pub(super) struct Rules<K, R, D, S, Q> {
    /// Orders records by the fact they state: `Equal` is one fact.
    pub fact: K,
    /// Orders the records of one fact by everything else they hold: `Equal` with `fact` is an
    /// exact repeat. The first of a fact is the one read.
    pub rest: R,
    /// Names a fact in warnings (`official_id `O01``).
    pub describe: D,
    /// Settles a fact given with different values: the first record (to be read, and
    /// changed to the reading chosen) and the others (see [`Settle`]).
    pub settle: S,
    /// A number that orders records as `fact` does as far as its top bits go (`key(a) <
    /// key(b)` only where `fact` puts `a` first), to sort by; `None` for a record it cannot
    /// place, and then the file is sorted by comparison alone.
    pub key: Q,
}

/// Bits of a sort entry that hold the record's index; the key's top bits fill the rest (a
/// key's lower bits are not read).
const INDEX_BITS: u32 = 26;

/// Sorts `records` by `full`, a total order, that `key` agrees with (see [`Rules::key`]):
/// the records' keys with their indices are sorted as integers, each run of one key by `full`,
/// then the records are moved into that order in place, each once. Sorting the records
/// themselves by comparison moved each many times and called `full` for every comparison.
fn sort_records<T: Send + Sync>(
    records: &mut [T],
    key: impl Fn(&T) -> Option<u64> + Sync,
    full: impl Fn(&T, &T) -> Ordering + Sync,
) {
    const INDEX: u64 = (1 << INDEX_BITS) - 1;
    let entries: Option<Vec<u64>> = match records.len() <= INDEX as usize {
        true => records
            .par_iter()
            .enumerate()
            .map(|(i, r)| key(r).map(|k| (k & !INDEX) | i as u64))
            .collect(),
        false => None,
    };
    let Some(mut entries) = entries else {
        return records.par_sort_unstable_by(full);
    };
    crate::packed::sort_packed(&mut entries);
    let at = |e: u64| (e & INDEX) as usize;
    entries
        .par_chunk_by_mut(|a, b| (a ^ b) & !INDEX == 0)
        .filter(|run| run.len() > 1)
        .for_each(|run| run.sort_unstable_by(|&x, &y| full(&records[at(x)], &records[at(y)])));
    // Position i takes the record at `at(entries[i])`: each cycle of the permutation is
    // followed once, swapping, and its entries marked done (no entry is all ones: every
    // index is below INDEX).
    const DONE: u64 = u64::MAX;
    for i in 0..entries.len() {
        let mut here = i;
        while entries[here] != DONE {
            let from = at(entries[here]);
            entries[here] = DONE;
            if from != i {
                records.swap(here, from);
                here = from;
            }
        }
    }
}

/// How the records of one fact that differ from its first are settled.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Settle {
    /// Merged into the first, which now holds the reading chosen; with what they contradicted
    /// each other on (empty: they agree, the others only say less).
    Merged(Vec<ConflictKind>),
    /// A key given with other values: the others are rejected.
    Rejected,
    /// Not one fact after all (two people of one name, told apart by their birth dates):
    /// every record is kept.
    Apart,
}

/// The conflicts settled in one file: the index of the record read (after repeats are dropped)
/// and the conflict.
pub(super) type Settled = Vec<(u32, Conflict)>;

/// Sorts `records` by fact, drops repeats and settles contradictions (see [`Rules`]), with a
/// warning for each record not used as it stands, naming its line and the line read; counts
/// them in `stats`.
pub(super) fn canonical<T, K, R, D, S, Q>(
    file: &str,
    records: &mut Vec<T>,
    line: impl Fn(&T) -> u64 + Sync,
    mut rules: Rules<K, R, D, S, Q>,
    warnings: &mut Warnings,
    stats: &mut FileStats,
) -> Settled
where
    T: Send + Sync,
    Q: Fn(&T) -> Option<u64> + Sync,
    K: Fn(&T, &T) -> Ordering + Sync,
    R: Fn(&T, &T) -> Ordering + Sync,
    D: Fn(&T) -> String,
    S: FnMut(&mut T, &[&T]) -> Settle,
{
    let (fact, rest) = (&rules.fact, &rules.rest);
    // The line last: of exact repeats, the first in the file is read.
    sort_records(records, &rules.key, |a, b| {
        fact(a, b)
            .then_with(|| rest(a, b))
            .then_with(|| line(a).cmp(&line(b)))
    });
    let mut keep = vec![true; records.len()];
    let mut settled = Vec::new();
    let (mut start, mut dropped) = (0, 0u32);
    while start < records.len() {
        let mut end = start + 1;
        while end < records.len() && (rules.fact)(&records[start], &records[end]).is_eq() {
            end += 1;
        }
        if end - start > 1 {
            let conflicts = one_fact(
                file,
                &mut records[start..end],
                &mut keep[start..end],
                &line,
                &mut rules,
                warnings,
                stats,
            );
            let at = start as u32 - dropped;
            settled.extend(conflicts.into_iter().map(|c| (at, c)));
            dropped += keep[start..end].iter().filter(|k| !**k).count() as u32;
        }
        start = end;
    }
    if dropped > 0 {
        let mut i = 0;
        records.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    settled
}

/// The records of one fact, sorted, the first to be read: marks in `keep` those not used,
/// warns about each, counts them, and returns the conflicts recorded on the first.
fn one_fact<T, K, R, D, S, Q>(
    file: &str,
    group: &mut [T],
    keep: &mut [bool],
    line: &impl Fn(&T) -> u64,
    rules: &mut Rules<K, R, D, S, Q>,
    warnings: &mut Warnings,
    stats: &mut FileStats,
) -> Vec<Conflict>
where
    R: Fn(&T, &T) -> Ordering,
    D: Fn(&T) -> String,
    S: FnMut(&mut T, &[&T]) -> Settle,
{
    let (head, others) = group.split_at_mut(1);
    let head = &mut head[0];
    // Exact repeats of the record before them go; the others differ from the first.
    let mut differing: Vec<usize> = Vec::new();
    for j in 0..others.len() {
        let prev = if j == 0 { &*head } else { &others[j - 1] };
        if (rules.rest)(prev, &others[j]).is_eq() {
            let text = format!("row repeats line {}: one fact, used once", line(prev));
            warnings.push(file, line(&others[j]), "", text);
            stats.rows_repeated += 1;
            stats.rows_used -= 1;
            keep[1 + j] = false;
        } else {
            differing.push(j);
        }
    }
    if differing.is_empty() {
        return Vec::new();
    }
    let views: Vec<&T> = differing.iter().map(|&j| &others[j]).collect();
    let settle = (rules.settle)(head, &views);
    let (head_line, what) = (line(head), (rules.describe)(head));
    let (kinds, rejected) = match settle {
        Settle::Apart => return Vec::new(),
        Settle::Rejected => (vec![ConflictKind::Values], true),
        Settle::Merged(kinds) => (kinds, false),
    };
    let reading = match rejected {
        true => String::new(),
        false => kinds.iter().map(english).collect::<Vec<_>>().join("; "),
    };
    for &j in &differing {
        keep[1 + j] = false;
        stats.rows_used -= 1;
        let text = if rejected {
            stats.rows_rejected += 1;
            format!(
                "row rejected: {what} is also at line {head_line} with other values \
                 (a conflict); line {head_line} is read"
            )
        } else if kinds.is_empty() {
            stats.rows_repeated += 1;
            format!("row repeats the {what} of line {head_line}; used once")
        } else {
            stats.rows_repeated += 1;
            format!(
                "the {what} of line {head_line} is given here otherwise (a conflict): {reading}"
            )
        };
        warnings.push(file, line(&others[j]), "", text);
    }
    if kinds.is_empty() {
        return Vec::new();
    }
    stats.conflicts += 1;
    let mut rows: Vec<(String, u64)> = std::iter::once(head_line)
        .chain(differing.iter().map(|&j| line(&others[j])))
        .map(|l| (file.to_owned(), l))
        .collect();
    rows.sort_unstable();
    kinds
        .into_iter()
        .map(|kind| Conflict {
            rows: rows.clone(),
            kind,
        })
        .collect()
}

/// What a conflict's reading is, in English, for warnings.
pub(crate) fn english(kind: &ConflictKind) -> String {
    use crate::values::{share_percent_text, shares_text};
    match kind {
        ConflictKind::Share { given } => format!(
            "shares {} given; the smallest, {}, is read",
            shares_text(given),
            share_percent_text(&given[0])
        ),
        ConflictKind::Until { read } => {
            format!("different end dates given; the earliest, {read}, is read")
        }
        ConflictKind::Winner => "given as won and as not won; read as not won".into(),
        ConflictKind::ContractPrice => {
            "different contract prices given; the smallest is read".into()
        }
        ConflictKind::Values => "other values given; the row that sorts first is read".into(),
        ConflictKind::BirthDates { inn, dates } => {
            let dates: Vec<String> = dates.iter().map(ToString::to_string).collect();
            format!(
                "INN {inn} is given birth dates {} that cannot be one person's; no birth date \
                 is read under it",
                dates.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Rec {
        line: u64,
        key: &'static str,
        value: u32,
    }

    /// Canonical form of `rows` (key, value) at lines 2, 3, ...; a fact given with other
    /// values is merged as a contract-price conflict, or settled as `settle` says.
    fn run(
        rows: &[(&'static str, u32)],
        settle: Option<Settle>,
    ) -> (Vec<Rec>, Settled, Warnings, FileStats) {
        let mut recs: Vec<Rec> = rows
            .iter()
            .enumerate()
            .map(|(i, &(key, value))| Rec {
                line: i as u64 + 2,
                key,
                value,
            })
            .collect();
        let mut w = Warnings::default();
        let mut stats = FileStats {
            rows_used: recs.len(),
            ..FileStats::default()
        };
        let settled = canonical(
            "t.csv",
            &mut recs,
            |r| r.line,
            Rules {
                fact: |a: &Rec, b: &Rec| a.key.cmp(b.key),
                rest: |a: &Rec, b: &Rec| a.value.cmp(&b.value),
                describe: |r: &Rec| format!("key `{}`", r.key),
                key: |r: &Rec| Some(text_key(r.key)),
                settle: |head: &mut Rec, others: &[&Rec]| {
                    head.value = others.iter().map(|o| o.value).fold(head.value, u32::min);
                    settle
                        .clone()
                        .unwrap_or(Settle::Merged(vec![ConflictKind::ContractPrice]))
                },
            },
            &mut w,
            &mut stats,
        );
        (recs, settled, w, stats)
    }

    #[test]
    fn repeats_are_kept_once_whatever_their_order() {
        let (a, _, w, stats) = run(&[("b", 1), ("a", 5), ("b", 1), ("a", 5)], None);
        let (b, _, _, _) = run(&[("a", 5), ("a", 5), ("b", 1), ("b", 1)], None);
        let strip = |v: &[Rec]| v.iter().map(|r| (r.key, r.value)).collect::<Vec<_>>();
        assert_eq!(strip(&a), vec![("a", 5), ("b", 1)]);
        assert_eq!(strip(&a), strip(&b));
        assert_eq!(
            (stats.rows_used, stats.rows_repeated, stats.conflicts),
            (2, 2, 0)
        );
        // Both lines named: the repeat's own (the warning's line) and the one read.
        assert!(w
            .0
            .iter()
            .any(|x| x.line == 4 && x.problem.contains("repeats line 2")));
        assert!(w
            .0
            .iter()
            .any(|x| x.line == 5 && x.problem.contains("repeats line 3")));
    }

    #[test]
    fn contradictions_are_settled_and_recorded() {
        let (recs, settled, w, stats) = run(&[("k", 9), ("z", 1), ("k", 4), ("k", 9)], None);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].value, 4);
        assert_eq!(
            (stats.rows_used, stats.rows_repeated, stats.conflicts),
            (2, 2, 1)
        );
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].0, 0);
        assert_eq!(
            settled[0].1.rows,
            vec![("t.csv".to_owned(), 2), ("t.csv".to_owned(), 4)]
        );
        assert!(w
            .0
            .iter()
            .any(|x| x.line == 5 && x.problem.contains("repeats line 2")));
        assert!(w
            .0
            .iter()
            .any(|x| x.line == 2 && x.problem.contains("(a conflict)")));
    }

    #[test]
    fn rejected_contradictions_count_as_rejected() {
        let (recs, settled, w, stats) = run(&[("k", 9), ("k", 4)], Some(Settle::Rejected));
        assert_eq!(recs.len(), 1);
        assert_eq!(
            (stats.rows_used, stats.rows_rejected, stats.conflicts),
            (1, 1, 1)
        );
        assert_eq!(settled.len(), 1);
        assert!(w.0[0]
            .problem
            .starts_with("row rejected: key `k` is also at line 3"));
    }

    #[test]
    fn records_apart_are_all_kept_but_their_repeats() {
        let (recs, settled, w, stats) = run(
            &[("k", 9), ("k", 4), ("k", 9), ("j", 1)],
            Some(Settle::Apart),
        );
        let kept: Vec<_> = recs.iter().map(|r| (r.key, r.value, r.line)).collect();
        assert_eq!(kept, vec![("j", 1, 5), ("k", 4, 3), ("k", 9, 2)]);
        assert_eq!(
            (stats.rows_used, stats.rows_repeated, stats.conflicts),
            (3, 1, 0)
        );
        assert!(settled.is_empty());
        assert_eq!(w.0.len(), 1);
        assert!(w.0[0].line == 4 && w.0[0].problem.contains("repeats line 2"));
    }

    #[test]
    fn text_order_sets_case_and_yo_aside() {
        assert_eq!(folded_cmp("Сёмин Пётр", "СЕМИН ПЕТР"), Ordering::Equal);
        assert_eq!(text_cmp("Абрамов", "БОРИСОВ"), Ordering::Less);
        assert_eq!(text_cmp("АБРАМОВ", "Борисов"), Ordering::Less);
        assert_ne!(text_cmp("Иванов", "ИВАНОВ"), Ordering::Equal);
    }

    #[test]
    fn sorting_by_key_then_comparison_sorts_as_comparison_alone() {
        let mut rng = crate::rng::Rng::new(5, 0);
        type Row = (u32, u32, u64);
        let recs: Vec<Row> = (0..5000)
            .map(|i| (rng.below(300) as u32, rng.below(4) as u32, i * 7919 % 5000))
            .collect();
        let full = |x: &Row, y: &Row| x.cmp(y);
        let mut want = recs.clone();
        want.sort_by(full);
        // (Lines out of order, so that records of one key come in no order.) Exact keys, keys of the first field only (runs to sort by comparison), one key for
        // all, and one record without a key (all by comparison).
        let keys: [fn(&Row) -> Option<u64>; 4] = [
            |r| Some(u64::from(r.0) << 32 | u64::from(r.1) << 26),
            |r| Some(u64::from(r.0) << 32),
            |_| Some(7 << 40),
            |r| (r.2 != 4321).then_some(u64::from(r.0) << 32),
        ];
        for (k, key) in keys.into_iter().enumerate() {
            let mut got = recs.clone();
            sort_records(&mut got, key, full);
            assert!(got == want, "key {k}");
        }
    }

    #[test]
    fn a_text_key_orders_as_the_texts() {
        let texts = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefgi",
            "O00001-0001",
            "O00001-0002",
            "O0000",
            "Щ",
            "Я",
            "ё",
            "0",
            "\u{0}",
            "a\u{0}b",
            "😀",
        ];
        for a in texts {
            for b in texts {
                if text_key(a) < text_key(b) {
                    assert!(a < b, "{a:?} {b:?}");
                }
                if a < b {
                    assert!(text_key(a) <= text_key(b), "{a:?} {b:?}");
                }
            }
        }
        assert!(text_key("O00001-0001") < text_key("O00002-0001"));
        assert_eq!(
            text_key("O00001-0001"),
            text_key("O00001-0002"),
            "eight bytes only"
        );
    }
}
