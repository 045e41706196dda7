//! The stages wired together: load -> normalize -> resolve -> graph -> rules.

use std::path::Path;

use crate::error::Result;
use crate::graph::{self, AffilGraph};
use crate::load::{self, Warnings};
use crate::meter::{Meter, StageCost};
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
    /// Wall time, CPU time and peak memory of each stage.
    pub timings: Vec<StageCost>,
}

/// Runs every stage on the data directory `dir` with the given rules.
pub fn analyse(dir: &Path, rules: &[Box<dyn Rule>]) -> Result<Analysis> {
    let mut meter = Meter::start();
    let load::Loaded { data, mut warnings } = load::load(dir)?;
    meter.lap("load");
    let mentions = normalize::normalize(&data);
    meter.lap("normalize");
    let resolution = resolve::resolve(&data, &mentions, &mut warnings);
    meter.lap("resolve");
    let graph = graph::build(&data, &mentions, &resolution);
    meter.lap("graph");
    let ctx = rules::Context {
        data: &data,
        mentions: &mentions,
        resolution: &resolution,
        graph: &graph,
    };
    let cases = rules::run(rules, &ctx);
    meter.lap("rules");
    Ok(Analysis {
        data,
        mentions,
        resolution,
        graph,
        cases,
        warnings,
        timings: meter.into_costs(),
    })
}
