//! `affil check DATA_DIR --out OUT_DIR`: the whole yearly check.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::meter::{Meter, StageCost};

use crate::error::Result;
use crate::model::FileStats;
use crate::pipeline::analyse_graph;
use crate::report;
use crate::rules;

/// Options of `affil check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Directory with the input CSV files.
    pub data_dir: PathBuf,
    /// Directory for the outputs (created if missing).
    pub out_dir: PathBuf,
    /// Rule codes to run; `None` runs all.
    pub rules: Option<Vec<String>>,
    /// Also write `timings.csv` (per-stage wall, CPU and peak memory) to the output directory.
    pub timings: bool,
    /// An earlier run's output directory: cases are marked new or repeated, and the ones gone
    /// are listed.
    pub previous: Option<PathBuf>,
    /// The analyst's decisions on earlier cases (case_id, decision, comment, date).
    pub decisions: Option<PathBuf>,
    /// Language of the report texts.
    pub lang: report::Lang,
    /// The department responsible for measure 2.2 (row 2.2 of the annual report); `None`: the
    /// one the plan names, [`report::default_department`].
    pub department: Option<String>,
    /// How the input files are read (the sheet of a workbook).
    pub load: crate::load::LoadOptions,
    /// Exports of the affiliation graph to write beside the outputs.
    pub export: Vec<Export>,
    /// The exports hold only what the cases pass through.
    pub cases_only: bool,
    /// Bytes of memory the run may use (`--memory-limit`); `None`: no limit.
    pub memory_limit: Option<u64>,
}

/// An export of the affiliation graph (`--export`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Export {
    /// graph.graphml: GraphML, for Gephi, yEd or networkx.
    Graphml,
    /// graph.ftm.json: FollowTheMoney entities, for Aleph and the `ftm` tools.
    Ftm,
}

/// What a check did, for the summary on stderr.
#[derive(Clone, Debug)]
pub struct CheckSummary {
    /// Per-file counts.
    pub files: Vec<FileStats>,
    /// Mentions of persons found.
    pub mentions: usize,
    /// Persons after resolution.
    pub persons: usize,
    /// Where the resolution's level weights come from (see [`crate::resolve::estimate`]).
    pub weights: String,
    /// Cases: high, medium, low.
    pub by_severity: [usize; 3],
    /// Warnings written.
    pub warnings: usize,
    /// UNDECLARED's prior, when UNDECLARED ran.
    pub undeclared_prior: Option<rules::PriorEstimate>,
    /// Wall time, CPU time and peak memory of each stage.
    pub timings: Vec<StageCost>,
    /// The peak `--memory-limit` estimates for the input (see [`crate::memory::estimate`]).
    pub memory_estimate: u64,
    /// Total wall time.
    pub elapsed: Duration,
    /// Where the outputs are.
    pub out_dir: PathBuf,
    /// `gone_cases.csv` was written (a previous run was given).
    pub gone_listed: bool,
    /// `timings.csv` was written (`--timings`).
    pub timings_listed: bool,
    /// graph.graphml was written, with so many nodes and edges.
    pub graphml: Option<report::graphml::GraphCounts>,
    /// graph.ftm.json was written, with so many entities.
    pub ftm: Option<usize>,
}

/// Runs the check and writes the outputs.
pub fn run(opts: &CheckOptions) -> Result<CheckSummary> {
    let start = Instant::now();
    let rules = rules::select(opts.rules.as_deref())?;
    // Before anything is read or written: a run that cannot fit stops here.
    let input_bytes = crate::load::input_bytes(&opts.data_dir);
    let _watch = opts
        .memory_limit
        .map(|limit| crate::memory::guard(input_bytes, limit))
        .transpose()?;
    // Read before the run: the previous directory may be the one this run writes to.
    let history = report::History::load(opts.previous.as_deref(), opts.decisions.as_deref())?;
    let keep_graph = !opts.export.is_empty();
    let (a, graph) = analyse_graph(&opts.data_dir, &rules, &opts.load, keep_graph)?;
    let mut meter = Meter::start();
    let report_opts = report::ReportOptions {
        lang: opts.lang,
        department: opts
            .department
            .clone()
            .unwrap_or_else(|| report::default_department(opts.lang).to_owned()),
        rules: rules.iter().map(|r| r.code()).collect(),
    };
    report::write_all(&opts.out_dir, &a, &history, &report_opts)?;
    let ftm = match &graph {
        Some(g) if opts.export.contains(&Export::Ftm) => Some(report::ftm::write(
            &opts.out_dir.join("graph.ftm.json"),
            &a,
            g,
            &opts.data_dir,
        )?),
        _ => None,
    };
    let graphml = match &graph {
        Some(g) if opts.export.contains(&Export::Graphml) => Some(report::graphml::write(
            &opts.out_dir.join("graph.graphml"),
            &a,
            g,
            opts.cases_only,
        )?),
        _ => None,
    };
    drop(graph);
    meter.lap("report");
    let mut timings = a.timings.clone();
    timings.extend(meter.into_costs());
    if opts.timings {
        report::write_timings(&opts.out_dir, &timings)?;
    }
    let mut by_severity = [0; 3];
    for c in &a.cases {
        by_severity[c.severity.rank()] += 1;
    }
    Ok(CheckSummary {
        files: a.data.stats.clone(),
        mentions: a.mentions.list.len(),
        persons: a.resolution.persons,
        weights: a.resolution.weights.clone(),
        by_severity,
        warnings: report::sorted_warnings(&a.warnings.0).len(),
        undeclared_prior: a
            .undeclared_prior
            .filter(|_| rules.iter().any(|r| r.code() == rules::UNDECLARED)),
        timings,
        memory_estimate: crate::memory::estimate(input_bytes),
        elapsed: start.elapsed(),
        out_dir: opts.out_dir.clone(),
        gone_listed: history.has_previous(),
        timings_listed: opts.timings,
        graphml,
        ftm,
    })
}

impl std::fmt::Display for CheckSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "files read:")?;
        for s in &self.files {
            writeln!(
                f,
                "  {:<20} {:>8} rows: {} used, {} rejected{} ({}, '{}')",
                s.file,
                s.rows_read,
                s.rows_used,
                s.rows_rejected,
                s.repeats_text(),
                s.encoding,
                if s.delimiter == '\t' {
                    "\\t".to_owned()
                } else {
                    s.delimiter.to_string()
                }
            )?;
        }
        writeln!(
            f,
            "people resolved: {} mentions -> {} persons",
            self.mentions, self.persons
        )?;
        writeln!(f, "weights: {}", self.weights)?;
        let [h, m, l] = self.by_severity;
        writeln!(f, "cases: {} (high {h}, medium {m}, low {l})", h + m + l)?;
        writeln!(f, "warnings: {}", self.warnings)?;
        if let Some(p) = &self.undeclared_prior {
            writeln!(f, "{p}")?;
        }
        let stages: Vec<String> = self
            .timings
            .iter()
            .map(|c| format!("{} {:.3}s", c.stage, c.wall.as_secs_f64()))
            .collect();
        writeln!(
            f,
            "time: {:.3}s ({})",
            self.elapsed.as_secs_f64(),
            stages.join(", ")
        )?;
        let out = self.out_dir.display();
        let files: Vec<String> = report::OUTPUT_FILES
            .iter()
            .map(|f| format!("{out}/{f}"))
            .collect();
        write!(f, "outputs: {}", files.join(", "))?;
        if self.gone_listed {
            write!(f, ", {out}/gone_cases.csv")?;
        }
        if self.timings_listed {
            write!(f, ", {out}/timings.csv")?;
        }
        if let Some(n) = self.ftm {
            write!(f, ", {out}/graph.ftm.json ({n} entities)")?;
        }
        if let Some(n) = self.graphml {
            write!(
                f,
                ", {out}/graph.graphml ({} nodes, {} edges)",
                n.nodes, n.edges
            )?;
        }
        Ok(())
    }
}
