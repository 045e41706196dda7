//! `affil link LEFT.csv RIGHT.csv --out MATCHES.csv`: the matcher on its own.

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
}

/// Links two lists: every pair judged the same person, in left then right order.
pub fn link_lists(left: &PersonList, right: &PersonList) -> Vec<Match> {
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
    let (pairs, _) = candidate_pairs_keyed(
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
            })
        })
        .collect();
    out.sort_by_key(|m| (m.left, m.right));
    out
}

/// Options of `affil link`.
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Left list.
    pub left: PathBuf,
    /// Right list.
    pub right: PathBuf,
    /// Output file.
    pub out: PathBuf,
}

/// Reads both lists, links them, writes `left_id,right_id,score`; returns the match count and warnings.
pub fn run(opts: &LinkOptions) -> Result<(usize, Warnings)> {
    let (mut warnings, mut right_warnings) = (Warnings::default(), Warnings::default());
    let (left, right) = rayon::join(
        || read_person_list(&opts.left, &mut warnings),
        || read_person_list(&opts.right, &mut right_warnings),
    );
    let (left, right) = (left?, right?);
    warnings.0.extend(right_warnings.0);
    let matches = link_lists(&left, &right);
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::write(&opts.out, e);
    w.write_record(["left_id", "right_id", "score"])
        .map_err(fail)?;
    for m in &matches {
        w.write_record([
            &*crate::report::csv_cell(&left.ids[m.left]),
            &*crate::report::csv_cell(&right.ids[m.right]),
            &format!("{:.3}", m.score),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::write(&opts.out, e.to_string()))?;
    if let Some(parent) = opts.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    std::fs::write(&opts.out, bytes).map_err(|e| Error::write(&opts.out, e))?;
    Ok((matches.len(), warnings))
}
