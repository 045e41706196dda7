//! `affil eval OUT_DIR/cases.csv DIR/truth.csv [--decoys DIR/decoys.csv] [--json]`:
//! precision, recall and F1 of a run against the planted truth. Given the output of
//! `affil link` and `link_truth.csv` instead, it scores the linked pairs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::load::CsvTable;

/// Counts and scores of one group (a rule or a pattern).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Score {
    /// Planted and found.
    pub true_positives: usize,
    /// Flagged but not planted (for a pattern: decoys of it flagged).
    pub false_positives: usize,
    /// Planted but not found.
    pub false_negatives: usize,
    /// TP / (TP + FP); 1 when nothing was flagged.
    pub precision: f64,
    /// TP / (TP + FN); 1 when nothing was planted.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl Score {
    fn finish(mut self) -> Score {
        let (tp, fp, fn_) = (
            self.true_positives as f64,
            self.false_positives as f64,
            self.false_negatives as f64,
        );
        self.precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
        self.recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
        self.f1 = if self.precision + self.recall > 0.0 {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        } else {
            0.0
        };
        self
    }
}

/// The evaluation of one run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Evaluation {
    /// Per rule.
    pub rules: BTreeMap<String, Score>,
    /// Per planted pattern (decoy patterns count their flagged decoys as false positives).
    pub patterns: BTreeMap<String, Score>,
    /// Decoys that were flagged: procurement_id, official_id, participant_inn, pattern.
    pub flagged_decoys: Vec<[String; 4]>,
    /// Planted cases not found: rule, procurement_id, official_id, participant_inn, pattern.
    pub missed: Vec<[String; 5]>,
    /// Flagged cases neither planted nor decoys: rule, procurement_id, official_id, participant_inn.
    pub unexpected: Vec<[String; 4]>,
}

fn rows(path: &Path, cols: &[&str]) -> Result<Vec<Vec<String>>> {
    let t = CsvTable::read(path)?;
    t.require(cols)?;
    let idx: Vec<usize> = cols.iter().map(|c| t.col(c).unwrap_or(0)).collect();
    Ok(t.rows()?
        .iter()
        .map(|(_, r)| {
            idx.iter()
                .map(|&i| r.get(i).unwrap_or("").trim().to_owned())
                .collect()
        })
        .collect())
}

/// Scores `cases` against `truth` (and `decoys`).
pub fn evaluate(cases: &Path, truth: &Path, decoys: Option<&Path>) -> Result<Evaluation> {
    let key = ["procurement_id", "official_id", "participant_inn"];
    let found: BTreeSet<Vec<String>> = rows(cases, &["rule", key[0], key[1], key[2]])?
        .into_iter()
        .collect();
    let planted = rows(truth, &["rule", key[0], key[1], key[2], "pattern"])?;
    let decoy_rows = match decoys {
        Some(d) => rows(d, &[key[0], key[1], key[2], "pattern"])?,
        None => Vec::new(),
    };
    let mut ev = Evaluation::default();
    let mut planted_keys = BTreeSet::new();
    for p in &planted {
        let k = p[..4].to_vec();
        planted_keys.insert(k.clone());
        let hit = found.contains(&k);
        let rule = ev.rules.entry(p[0].clone()).or_default();
        let pat = ev.patterns.entry(p[4].clone()).or_default();
        if hit {
            rule.true_positives += 1;
            pat.true_positives += 1;
        } else {
            rule.false_negatives += 1;
            pat.false_negatives += 1;
            ev.missed.push([
                p[0].clone(),
                p[1].clone(),
                p[2].clone(),
                p[3].clone(),
                p[4].clone(),
            ]);
        }
    }
    let decoy_keys: BTreeMap<Vec<String>, String> = decoy_rows
        .iter()
        .map(|d| (d[..3].to_vec(), d[3].clone()))
        .collect();
    for f in &found {
        if planted_keys.contains(f) {
            continue;
        }
        ev.rules.entry(f[0].clone()).or_default().false_positives += 1;
        match decoy_keys.get(&f[1..4]) {
            Some(pattern) => {
                ev.patterns
                    .entry(format!("decoy:{pattern}"))
                    .or_default()
                    .false_positives += 1;
                ev.flagged_decoys
                    .push([f[1].clone(), f[2].clone(), f[3].clone(), pattern.clone()]);
            }
            None => ev
                .unexpected
                .push([f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()]),
        }
    }
    for pattern in decoy_keys.values() {
        ev.patterns.entry(format!("decoy:{pattern}")).or_default();
    }
    ev.rules = ev.rules.into_iter().map(|(k, v)| (k, v.finish())).collect();
    ev.patterns = ev
        .patterns
        .into_iter()
        .map(|(k, v)| (k, v.finish()))
        .collect();
    Ok(ev)
}

/// Scores the pairs of an `affil link` run against the true pairs (both `left_id,right_id`);
/// the result's only rule is `LINK`.
pub fn evaluate_link(matches: &Path, truth: &Path) -> Result<Evaluation> {
    let cols = ["left_id", "right_id"];
    let found: BTreeSet<Vec<String>> = rows(matches, &cols)?.into_iter().collect();
    let planted: BTreeSet<Vec<String>> = rows(truth, &cols)?.into_iter().collect();
    let mut ev = Evaluation::default();
    let s = ev.rules.entry("LINK".into()).or_default();
    s.true_positives = found.intersection(&planted).count();
    s.false_positives = found.len() - s.true_positives;
    s.false_negatives = planted.len() - s.true_positives;
    *s = std::mem::take(s).finish();
    for m in planted.difference(&found) {
        ev.missed.push([
            "LINK".into(),
            m[0].clone(),
            m[1].clone(),
            String::new(),
            "pair".into(),
        ]);
    }
    for u in found.difference(&planted) {
        ev.unexpected
            .push(["LINK".into(), u[0].clone(), u[1].clone(), String::new()]);
    }
    Ok(ev)
}

/// Options of `affil eval`.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    /// cases.csv of a run.
    pub cases: PathBuf,
    /// truth.csv of the generated dataset.
    pub truth: PathBuf,
    /// decoys.csv of the generated dataset.
    pub decoys: Option<PathBuf>,
}

/// Runs the evaluation.
pub fn run(opts: &EvalOptions) -> Result<Evaluation> {
    for p in std::iter::once(&opts.cases)
        .chain([&opts.truth])
        .chain(opts.decoys.iter())
    {
        if !p.is_file() {
            return Err(Error::MissingFile {
                file: p.display().to_string(),
                dir: p.parent().map(Path::to_path_buf).unwrap_or_default(),
            });
        }
    }
    let is_link = CsvTable::read(&opts.cases)?.col("left_id").is_some();
    if is_link {
        evaluate_link(&opts.cases, &opts.truth)
    } else {
        evaluate(&opts.cases, &opts.truth, opts.decoys.as_deref())
    }
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = |f: &mut std::fmt::Formatter<'_>, name: &str, s: &Score| {
            writeln!(
                f,
                "{name:<34} {:>6} {:>6} {:>6} {:>9.4} {:>9.4} {:>9.4}",
                s.true_positives, s.false_positives, s.false_negatives, s.precision, s.recall, s.f1
            )
        };
        let head = format!(
            "{:<34} {:>6} {:>6} {:>6} {:>9} {:>9} {:>9}",
            "", "TP", "FP", "FN", "precision", "recall", "F1"
        );
        writeln!(f, "{}", head.replacen("  ", "rule", 1))?;
        for (k, s) in &self.rules {
            line(f, k, s)?;
        }
        writeln!(f, "\n{}", head.replacen("     ", "pattern", 1))?;
        for (k, s) in &self.patterns {
            line(f, k, s)?;
        }
        writeln!(f, "\nflagged decoys: {}", self.flagged_decoys.len())?;
        for d in &self.flagged_decoys {
            writeln!(f, "  {} {} {} {}", d[3], d[0], d[1], d[2])?;
        }
        writeln!(f, "missed cases: {}", self.missed.len())?;
        for m in &self.missed {
            writeln!(f, "  {} {} {} {} {}", m[4], m[1], m[2], m[3], m[0])?;
        }
        write!(f, "unexpected cases: {}", self.unexpected.len())?;
        for u in &self.unexpected {
            write!(f, "\n  {} {} {} {}", u[0], u[1], u[2], u[3])?;
        }
        Ok(())
    }
}
