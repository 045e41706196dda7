//! `affil link LEFT.csv RIGHT.csv --out MATCHES.csv`: two person lists linked by the field
//! model (`resolve::fields`, `resolve::model`), its weights estimated from the lists or read
//! from `--model`; with one list, `affil link LIST.csv --out MATCHES.csv` finds the duplicates
//! within it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::identifiers::inn_valid;
use crate::load::{CsvTable, Record, Warnings};
use crate::normalize::contact::{email_key, phone_key};
use crate::resolve::blocking::candidate_pairs;
use crate::resolve::fields::{compare_records, FieldRecord, Vector};
use crate::resolve::model::{train, Model, ValueFreq, ValueWeights};
use crate::resolve::MATCH_PROBABILITY;

/// A person list in the person schema `id, full_name, birth_date, inn, address, phone, email`
/// (all but the first two optional).
pub struct PersonList {
    /// The ids, in file order.
    pub ids: Vec<String>,
    /// One record per row.
    pub records: Vec<FieldRecord>,
}

/// The optional columns of the person schema, in [`FieldRecord::new`] order, then the former
/// names ([`FieldRecord::with_former`]).
const FIELD_COLUMNS: [&str; 6] = [
    "birth_date",
    "inn",
    "address",
    "phone",
    "email",
    "former_names",
];

/// Reads a person list. Rows without id or name are rejected, values nothing can be read
/// from dropped, and values read only in part (a date that is no calendar date, an INN failing
/// its checksum) kept for comparison by their digits: each with a warning.
/// Long on purpose: the raw rows, then each row parsed (in parallel) with one short check
/// per optional column and its warning, then the list in row order.
pub fn read_person_list(path: &Path, warnings: &mut Warnings) -> Result<PersonList> {
    let table = CsvTable::read(path)?;
    table.require(&["id", "full_name"])?;
    let (id_c, name_c) = (table.col("id"), table.col("full_name"));
    let cols: Vec<Option<usize>> = FIELD_COLUMNS.iter().map(|c| table.col(c)).collect();
    fn get(r: &Record, c: Option<usize>) -> Option<&str> {
        c.and_then(|i| r.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
    /// One usable row: line, id, name and the optional fields as written.
    type Raw = (u64, String, String, [Option<String>; 6]);
    let mut raw: Vec<Raw> = Vec::new();
    table.each(|line, r| match (get(r, id_c), get(r, name_c)) {
        (Some(id), Some(name)) => raw.push((
            line,
            id.to_owned(),
            name.to_owned(),
            std::array::from_fn(|k| get(r, cols[k]).map(str::to_owned)),
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
    // Rows are parsed in parallel; warnings keep the row order.
    let parsed: Vec<(FieldRecord, Problems)> = raw
        .par_iter()
        .map(|(line, _, name, f)| {
            let mut problems = Vec::new();
            let [birth, inn, address, phone, email, former] = f.each_ref().map(Option::as_deref);
            let mut record = FieldRecord::new(name, birth, inn, address, phone, email);
            if let Some(former) = former {
                record = record.with_former(former);
            }
            let mut say = |column: &'static str, text: String| problems.push((*line, column, text));
            if let Some(b) = birth {
                if record.birth.is_none() {
                    say(
                        "birth_date",
                        format!("unparsable birth date `{b}`; value dropped"),
                    );
                } else if record.birth.is_some_and(|d| !d.is_calendar()) {
                    say(
                        "birth_date",
                        format!("`{b}` is not a calendar date; compared by its digits"),
                    );
                }
            }
            if let Some(i) = inn {
                match &record.inn {
                    None => say(
                        "inn",
                        format!("`{i}` is not an INN (10 or 12 digits); value dropped"),
                    ),
                    Some(d) if !inn_valid(d) => say(
                        "inn",
                        format!("`{i}` fails the INN checksum; compared by its digits"),
                    ),
                    Some(d) if d.len() == i.chars().filter(char::is_ascii_digit).count() + 1 => {
                        say(
                            "inn",
                            format!("INN `{i}` read as {d} (leading zero restored)"),
                        )
                    }
                    Some(_) => {}
                }
            }
            if let Some(p) = phone.filter(|p| phone_key(p).is_none()) {
                say(
                    "phone",
                    format!("`{p}` is not a ten-digit phone number; value dropped"),
                );
            }
            if let Some(e) = email.filter(|e| email_key(e).is_none()) {
                say(
                    "email",
                    format!("`{e}` is not an e-mail address; value dropped"),
                );
            }
            if address.is_some() && record.address.is_none() {
                say(
                    "address",
                    "no place, house or postcode in the address; value dropped".to_owned(),
                );
            }
            (record, problems)
        })
        .collect();
    let mut out = PersonList {
        ids: Vec::with_capacity(raw.len()),
        records: Vec::with_capacity(raw.len()),
    };
    for ((_, id, ..), (record, problems)) in raw.into_iter().zip(parsed) {
        for (line, column, problem) in problems {
            warnings.push(&table.file, line, column, problem);
        }
        out.ids.push(id);
        out.records.push(record);
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
    /// The score as a waterfall in words (see [`Model::explain`]); empty unless asked for.
    pub explanation: String,
}

/// What a linking run compared and found.
#[derive(Clone, Debug)]
pub struct Linked {
    /// The pairs written, in row order.
    pub pairs: Vec<Match>,
    /// Candidate pairs the blocking proposed and the matcher compared.
    pub candidates: usize,
    /// Blocks left out for their size (see [`crate::resolve::blocking::BLOCK_CAP`]).
    pub oversized_blocks: usize,
    /// The weights used: estimated, loaded or the defaults (its `source` says which).
    pub model: Model,
}

/// Where the weights come from: a model file, or estimated from the lists (the defaults when
/// they are too small).
#[derive(Clone, Debug)]
pub enum Weights {
    /// Estimated from the lists at hand, u from `random_pairs` random pairs (`None`: the
    /// default number, see [`train`]).
    Estimate {
        /// Random pairs drawn for the u-probabilities.
        random_pairs: Option<usize>,
    },
    /// Read from a model file.
    Load(PathBuf),
}

impl Default for Weights {
    fn default() -> Weights {
        Weights::Estimate { random_pairs: None }
    }
}

/// The records of one or two lists, with the weights that score them.
struct Scorer<'a> {
    records: &'a [FieldRecord],
    model: Model,
    freq: ValueWeights,
    prior: f64,
    candidates: Vec<(u32, u32)>,
    /// Each candidate's level vector (`None`: not comparable).
    vectors: Vec<Option<Vector>>,
    oversized: usize,
    /// Explanations are asked for (else left empty: formatting one per linked pair costs).
    explain: bool,
}

impl<'a> Scorer<'a> {
    /// Blocks `records` (one list, or two with `split`), compares the candidates and gets the
    /// weights.
    fn new(
        records: &'a [FieldRecord],
        split: Option<usize>,
        weights: &Weights,
        explain: bool,
    ) -> Result<Self> {
        let (candidates, oversized) = candidate_pairs(records, split);
        let vectors: Vec<Option<Vector>> = candidates
            .par_iter()
            .map(|&(a, b)| compare_records(&records[a as usize], &records[b as usize]))
            .collect();
        let model = match weights {
            Weights::Load(path) => Model::read(path)?,
            Weights::Estimate { random_pairs } => {
                let comparable: Vec<Vector> = vectors.iter().flatten().copied().collect();
                train(records, split, &comparable, *random_pairs).0
            }
        };
        Ok(Scorer {
            records,
            prior: model.prior(records.len(), split),
            freq: ValueFreq::of(&[records]).weights(&model),
            model,
            candidates,
            vectors,
            oversized,
            explain,
        })
    }

    /// The score in words when explanations are asked for, else empty.
    fn explanation(&self, s: &crate::resolve::model::Scored) -> String {
        if self.explain {
            self.model.explain(s, self.prior)
        } else {
            String::new()
        }
    }

    /// Scores two records by index: probability and explanation; `None` when they cannot be
    /// one person.
    fn score(&self, a: usize, b: usize) -> Option<(f64, String)> {
        let (x, y) = (&self.records[a], &self.records[b]);
        let s = self.model.score(x, y, self.prior, &self.freq)?;
        Some((s.probability, self.explanation(&s)))
    }

    /// The candidate pairs at or above [`MATCH_PROBABILITY`], in order.
    fn linked(&self) -> Vec<Match> {
        self.candidates
            .par_iter()
            .zip(&self.vectors)
            .filter_map(|(&(a, b), v)| {
                let (x, y) = (&self.records[a as usize], &self.records[b as usize]);
                let s = self.model.score_vector(x, y, (*v)?, self.prior, &self.freq);
                (s.probability >= MATCH_PROBABILITY).then(|| Match {
                    left: a as usize,
                    right: b as usize,
                    score: crate::rules::round_score(s.probability),
                    explanation: self.explanation(&s),
                })
            })
            .collect()
    }

    fn finish(self, pairs: Vec<Match>) -> Linked {
        Linked {
            pairs,
            candidates: self.candidates.len(),
            oversized_blocks: self.oversized,
            model: self.model,
        }
    }
}

/// Links two lists: every pair judged the same person, in left then right order.
pub fn link_lists(
    left: &PersonList,
    right: &PersonList,
    weights: &Weights,
    explain: bool,
) -> Result<Linked> {
    let split = left.records.len();
    let records: Vec<FieldRecord> = left.records.iter().chain(&right.records).cloned().collect();
    let scorer = Scorer::new(&records, Some(split), weights, explain)?;
    let mut pairs = scorer.linked();
    for m in &mut pairs {
        m.right -= split;
    }
    Ok(scorer.finish(pairs))
}

/// The duplicates within one list: every pair of records the matcher judges one person, then
/// every pair within each cluster those pairs make (a cluster of three lists its three pairs,
/// each with its own score). Returns the pairs, in row order, and each row's cluster: the
/// index of its first row.
pub fn dedup_list(
    list: &PersonList,
    weights: &Weights,
    explain: bool,
) -> Result<(Linked, Vec<usize>)> {
    let n = list.records.len();
    let scorer = Scorer::new(&list.records, None, weights, explain)?;
    let linked = scorer.linked();
    // Clusters by union-find; each named by its first row.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for m in &linked {
        let (ra, rb) = (root(&mut parent, m.left), root(&mut parent, m.right));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let cluster: Vec<usize> = (0..n).map(|i| root(&mut parent, i)).collect();
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
            let (score, explanation) = scorer.score(a, b).unwrap_or_else(|| {
                (
                    0.0,
                    "not comparable (two valid INNs or two sexes) -> 0.000".to_owned(),
                )
            });
            Match {
                left: a,
                right: b,
                score: crate::rules::round_score(score),
                explanation,
            }
        })
        .collect();
    out.sort_by_key(|p| (p.left, p.right));
    Ok((scorer.finish(out), cluster))
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
    /// Estimate the weights and save them to `model` (when given).
    pub train: bool,
    /// A model file: read (or, with `train`, written).
    pub model: Option<PathBuf>,
    /// Random pairs drawn for the u-probabilities (`None`: the default number).
    pub random_pairs: Option<usize>,
}

impl LinkOptions {
    /// Where the weights come from under these options.
    fn weights(&self) -> Weights {
        match (&self.model, self.train) {
            (Some(path), false) => Weights::Load(path.clone()),
            _ => Weights::Estimate {
                random_pairs: self.random_pairs,
            },
        }
    }

    /// Saves the model when asked to train into a file.
    fn save(&self, model: &Model) -> Result<()> {
        match (&self.model, self.train) {
            (Some(path), true) => model.write(path),
            _ => Ok(()),
        }
    }
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
        let (linked, cluster) = dedup_list(&list, &opts.weights(), opts.explain)?;
        opts.save(&linked.model)?;
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
    let linked = link_lists(&left, &right, &opts.weights(), opts.explain)?;
    opts.save(&linked.model)?;
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
