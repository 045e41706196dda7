//! `affil link LEFT.csv RIGHT.csv --out MATCHES.csv`: the matcher on its own; with one list,
//! `affil link LIST.csv --out MATCHES.csv` finds the duplicates within it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::identifiers::{clean_inn, inn_kind, InnCheck, InnKind};
use crate::load::{CsvTable, Record, Warnings};
use crate::normalize::{parse_name, Mention, MentionSource};
use crate::resolve::{
    born, candidate_pairs_keyed, mention_keys, person_link, prior_for, BlockKey, Born, TermFreq,
    MATCH_PROBABILITY,
};
use crate::values::parse_birth_date;

/// A person list in the person schema `id, full_name, birth_date, inn, ...`.
pub struct PersonList {
    /// The ids, in file order.
    pub ids: Vec<String>,
    /// One mention per row.
    pub mentions: Vec<Mention>,
}

/// Reads a person list; bad values are dropped with a warning, rows without id or name rejected.
pub fn read_person_list(path: &Path, warnings: &mut Warnings) -> Result<PersonList> {
    let table = CsvTable::read(path)?;
    table.require(&["id", "full_name"])?;
    let col = |n: &str| table.col(n);
    let (id_c, name_c, birth_c, inn_c) =
        (col("id"), col("full_name"), col("birth_date"), col("inn"));
    fn get(r: &Record, c: Option<usize>) -> Option<&str> {
        c.and_then(|i| r.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
    /// One usable row: line, id, name, birth date and INN as written.
    type Raw = (u64, String, String, Option<String>, Option<String>);
    let mut raw: Vec<Raw> = Vec::new();
    table.each(|line, r| match (get(r, id_c), get(r, name_c)) {
        (Some(id), Some(name)) => raw.push((
            line,
            id.to_owned(),
            name.to_owned(),
            get(r, birth_c).map(str::to_owned),
            get(r, inn_c).map(str::to_owned),
        )),
        _ => warnings.push(
            &table.file,
            line,
            "",
            "row rejected: id or full_name is empty",
        ),
    })?;
    /// A row's problems: line, column, text.
    type Problems = Vec<(u64, &'static str, String)>;
    // Names are parsed in parallel; warnings keep the row order.
    let parsed: Vec<(Mention, Problems)> = raw
        .par_iter()
        .enumerate()
        .map(|(i, (line, _, name, birth, inn))| {
            let mut problems = Vec::new();
            let birth = birth.as_deref().and_then(|b| {
                let d = parse_birth_date(b);
                if d.is_none() {
                    problems.push((
                        *line,
                        "birth_date",
                        format!("unparsable birth date `{b}`; value dropped"),
                    ));
                }
                d
            });
            let inn = inn.as_deref().and_then(|raw| match clean_inn(raw) {
                InnCheck::Valid(v) | InnCheck::Restored(v)
                    if inn_kind(&v) == Some(InnKind::Person) =>
                {
                    Some(crate::model::Inn::new(&v))
                }
                _ => {
                    problems.push((
                        *line,
                        "inn",
                        format!("`{raw}` is not a valid personal INN; value dropped"),
                    ));
                    None
                }
            });
            let m = Mention {
                source: MentionSource::Role(i as u32),
                names: smallvec::smallvec![parse_name(name)],
                birth,
                inn,
                family: None,
            };
            (m, problems)
        })
        .collect();
    let mut out = PersonList {
        ids: Vec::with_capacity(raw.len()),
        mentions: Vec::with_capacity(raw.len()),
    };
    for ((_, id, ..), (m, problems)) in raw.into_iter().zip(parsed) {
        for (line, column, problem) in problems {
            warnings.push(&table.file, line, column, problem);
        }
        out.ids.push(id);
        out.mentions.push(m);
    }
    Ok(out)
}

/// One linked pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Row index in the left list.
    pub left: usize,
    /// Row index in the right list.
    pub right: usize,
    /// Probability that both are one person.
    pub score: f64,
    /// The link as a waterfall in words (see [`crate::resolve::Link::explain`]).
    pub explanation: String,
}

/// What a linking run compared and found.
#[derive(Clone, Debug, Default)]
pub struct Linked {
    /// The pairs written, in row order.
    pub pairs: Vec<Match>,
    /// Candidate pairs the blocking proposed and the matcher compared.
    pub candidates: usize,
    /// Name blocks over [`crate::resolve::MAX_BLOCK`] records, compared only within birth
    /// years (a record without a birth date there meets only officials and relatives).
    pub oversized_blocks: usize,
}

/// Links two lists: every pair judged the same person, in left then right order.
pub fn link_lists(left: &PersonList, right: &PersonList) -> Linked {
    let (l, r) = (&left.mentions, &right.mentions);
    let n_left = l.len();
    let at = |i: u32| {
        let i = i as usize;
        if i < n_left {
            &l[i]
        } else {
            &r[i - n_left]
        }
    };
    let keys: Vec<Vec<BlockKey>> = l.par_iter().chain(r.par_iter()).map(mention_keys).collect();
    let (pairs, oversized_blocks) = candidate_pairs_keyed(
        &keys,
        |a, b| (a as usize) < n_left && (b as usize) >= n_left,
        // The left list (officials and relatives) plays the part of the questionnaires.
        |i| Born {
            family: (i as usize) < n_left,
            ..born(at(i))
        },
    );
    drop(keys);
    let prior = prior_for(n_left.max(r.len()));
    let tf = TermFreq::of_lists(&[l, r]);
    let mut out: Vec<Match> = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let link = person_link(at(a), at(b), prior, Some(&tf))?;
            (link.probability >= MATCH_PROBABILITY).then(|| Match {
                left: a as usize,
                right: b as usize - n_left,
                score: crate::rules::round_score(link.probability),
                explanation: link.explain(prior),
            })
        })
        .collect();
    out.sort_by_key(|m| (m.left, m.right));
    Linked {
        pairs: out,
        candidates: pairs.len(),
        oversized_blocks,
    }
}

/// The duplicates within one list: every pair of records the matcher judges one person, then
/// every pair within each cluster those pairs make (a cluster of three lists its three pairs,
/// each with its own score). Returns the pairs, in row order, and each row's cluster: the
/// index of its first row.
pub fn dedup_list(list: &PersonList) -> (Linked, Vec<usize>) {
    let m = &list.mentions;
    let keys: Vec<Vec<BlockKey>> = m.par_iter().map(mention_keys).collect();
    let (pairs, oversized_blocks) =
        candidate_pairs_keyed(&keys, |a, b| a < b, |i| born(&m[i as usize]));
    drop(keys);
    let prior = prior_for(m.len());
    let tf = TermFreq::of_lists(&[m]);
    let linked: Vec<(usize, usize)> = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let (a, b) = (a.min(b) as usize, a.max(b) as usize);
            let link = person_link(&m[a], &m[b], prior, Some(&tf))?;
            (link.probability >= MATCH_PROBABILITY).then_some((a, b))
        })
        .collect();
    // Clusters by union-find; each named by its first row.
    let mut parent: Vec<usize> = (0..m.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b) in &linked {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let cluster: Vec<usize> = (0..m.len()).map(|i| root(&mut parent, i)).collect();
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, &c) in cluster.iter().enumerate() {
        members.entry(c).or_default().push(i);
    }
    let within: Vec<(usize, usize)> = members
        .values()
        .filter(|rows| rows.len() > 1)
        .flat_map(|rows| {
            rows.iter()
                .enumerate()
                .flat_map(move |(k, &a)| rows[k + 1..].iter().map(move |&b| (a, b)))
        })
        .collect();
    let mut out: Vec<Match> = within
        .par_iter()
        .map(|&(a, b)| {
            let link = person_link(&m[a], &m[b], prior, Some(&tf));
            Match {
                left: a,
                right: b,
                score: crate::rules::round_score(link.as_ref().map_or(0.0, |l| l.probability)),
                explanation: link.map_or_else(
                    || "not comparable (INNs, birth dates or sexes differ) -> 0.000".to_owned(),
                    |l| l.explain(prior),
                ),
            }
        })
        .collect();
    out.sort_by_key(|p| (p.left, p.right));
    (
        Linked {
            pairs: out,
            candidates: pairs.len(),
            oversized_blocks,
        },
        cluster,
    )
}

/// Options of `affil link`.
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Left list.
    pub left: PathBuf,
    /// Right list; without one, the duplicates within the left list.
    pub right: Option<PathBuf>,
    /// Output file.
    pub out: PathBuf,
    /// Add an `explanation` column: each pair's weights in words.
    pub explain: bool,
}

/// Where dedup mode writes each record's cluster: beside the pairs, `<stem>_clusters.csv`.
pub fn clusters_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!("{stem}_clusters.csv"))
}

/// Reads both lists, links them, writes `left_id,right_id,score`; with one list, its
/// duplicates, and each record's `cluster_id` in [`clusters_path`]. Returns what was linked
/// and the warnings.
pub fn run(opts: &LinkOptions) -> Result<(Linked, Warnings)> {
    let mut warnings = Warnings::default();
    let Some(right_path) = &opts.right else {
        let list = read_person_list(&opts.left, &mut warnings)?;
        let (linked, cluster) = dedup_list(&list);
        write_pairs(&opts.out, &list, &list, &linked.pairs, opts.explain)?;
        let mut rows = vec![vec!["id".to_owned(), "cluster_id".to_owned()]];
        for (i, c) in cluster.iter().enumerate() {
            rows.push(vec![
                crate::report::csv_cell(&list.ids[i]).into_owned(),
                crate::report::csv_cell(&list.ids[*c]).into_owned(),
            ]);
        }
        write_csv(&clusters_path(&opts.out), &rows)?;
        return Ok((linked, warnings));
    };
    let mut right_warnings = Warnings::default();
    let (left, right) = rayon::join(
        || read_person_list(&opts.left, &mut warnings),
        || read_person_list(right_path, &mut right_warnings),
    );
    let (left, right) = (left?, right?);
    warnings.0.extend(right_warnings.0);
    let linked = link_lists(&left, &right);
    write_pairs(&opts.out, &left, &right, &linked.pairs, opts.explain)?;
    Ok((linked, warnings))
}

/// Writes `left_id,right_id,score` (and `explanation` when asked).
fn write_pairs(
    out: &Path,
    left: &PersonList,
    right: &PersonList,
    pairs: &[Match],
    explain: bool,
) -> Result<()> {
    let mut header = vec![
        "left_id".to_owned(),
        "right_id".to_owned(),
        "score".to_owned(),
    ];
    if explain {
        header.push("explanation".to_owned());
    }
    let mut rows = vec![header];
    for m in pairs {
        let mut row = vec![
            crate::report::csv_cell(&left.ids[m.left]).into_owned(),
            crate::report::csv_cell(&right.ids[m.right]).into_owned(),
            format!("{:.3}", m.score),
        ];
        if explain {
            row.push(m.explanation.clone());
        }
        rows.push(row);
    }
    write_csv(out, &rows)
}

/// Writes rows as a CSV file, creating its folder.
fn write_csv(out: &Path, rows: &[Vec<String>]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(|e| Error::write(out, e))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::write(out, e.to_string()))?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    std::fs::write(out, bytes).map_err(|e| Error::write(out, e))
}
