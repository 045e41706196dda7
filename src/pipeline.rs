//! The stages wired together: load -> normalize -> resolve -> graph -> rules.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::graph::{self, AffilGraph};
use crate::load::{self, Warnings};
use crate::model::Dataset;
use crate::normalize::{self, Mentions};
use crate::resolve::{self, Resolution};
use crate::rules::{self, Case, Rule};

/// Everything a check computed, for the report.
pub struct Analysis {
    /// Input.
    pub data: Dataset,
    /// Mentions of persons.
    pub mentions: Mentions,
    /// Persons and seats.
    pub resolution: Resolution,
    /// The graph.
    pub graph: AffilGraph,
    /// Cases, sorted.
    pub cases: Vec<Case>,
    /// Warnings of every stage.
    pub warnings: Warnings,
    /// Wall time of each stage.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Runs every stage on the data directory `dir` with the given rules.
pub fn analyse(dir: &Path, rules: &[Box<dyn Rule>]) -> Result<Analysis> {
    let mut timings = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, t: &mut Instant| {
        timings.push((name, t.elapsed()));
        *t = Instant::now();
    };
    let load::Loaded { data, mut warnings } = load::load(dir)?;
    lap("load", &mut t);
    let mentions = normalize::normalize(&data);
    lap("normalize", &mut t);
    let resolution = resolve::resolve(&data, &mentions, &mut warnings);
    lap("resolve", &mut t);
    let graph = graph::build(&data, &mentions, &resolution);
    lap("graph", &mut t);
    let ctx = rules::Context {
        data: &data,
        mentions: &mentions,
        resolution: &resolution,
        graph: &graph,
    };
    let cases = rules::run(rules, &ctx);
    lap("rules", &mut t);
    Ok(Analysis {
        data,
        mentions,
        resolution,
        graph,
        cases,
        warnings,
        timings,
    })
}
