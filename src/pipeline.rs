//! The stages wired together: load -> normalize -> resolve -> graph -> rules.

use std::path::Path;

use crate::error::Result;
use crate::graph;
use crate::load::{self, Warnings};
use crate::meter::{Meter, StageCost};
use crate::model::Dataset;
use crate::normalize::{self, Mentions};
use crate::progress;
use crate::resolve::{self, Resolution};
use crate::rules::{self, Case, Rule};

/// Everything a check computed, for the report.
pub struct Analysis {
    /// Input, with the contacts no rule reads blanked (see
    /// [`normalize::contact::blank_unread`]).
    pub data: Dataset,
    /// Mentions of persons.
    pub mentions: Mentions,
    /// Persons and seats.
    pub resolution: Resolution,
    /// Cases, sorted.
    pub cases: Vec<Case>,
    /// Warnings of every stage.
    pub warnings: Warnings,
    /// Wall time, CPU time and peak memory of each stage.
    pub timings: Vec<StageCost>,
    /// UNDECLARED's prior and what it was estimated from; `None` when the rules that share
    /// its pass did not run.
    pub undeclared_prior: Option<rules::PriorEstimate>,
}

/// Runs every stage on the data directory `dir` with the given rules.
pub fn analyse(dir: &Path, rules: &[Box<dyn Rule>]) -> Result<Analysis> {
    analyse_with(dir, rules, &load::LoadOptions::default())
}

/// [`analyse`] with options for reading the input.
pub fn analyse_with(
    dir: &Path,
    rules: &[Box<dyn Rule>],
    load_opts: &load::LoadOptions,
) -> Result<Analysis> {
    analyse_graph(dir, rules, load_opts, false).map(|(a, _)| a)
}

/// Closes a stage: what it freed goes back to the system before the next one allocates, and its
/// costs are measured.
fn end_stage(meter: &mut Meter, stage: &'static str) {
    crate::memory::give_back_freed_memory();
    meter.lap(stage);
}

/// [`analyse_with`], and the affiliation graph when `keep_graph` (for an export of it;
/// otherwise it goes before the report, whose memory it would add to).
pub fn analyse_graph(
    dir: &Path,
    rules: &[Box<dyn Rule>],
    load_opts: &load::LoadOptions,
    keep_graph: bool,
) -> Result<(Analysis, Option<graph::AffilGraph>)> {
    let mut meter = Meter::start();
    let bar = progress::stage("load", load::input_bytes(dir), "bytes");
    let load::Loaded {
        mut data,
        mut warnings,
    } = load::load_with(dir, load_opts)?;
    drop(bar);
    end_stage(&mut meter, "load");
    let bar = progress::stage(
        "normalize",
        (data.officials.len() + data.relatives.len() + data.roles.len()) as u64,
        "records",
    );
    // The contacts no rule reads go first (0.8 GiB of the national peak).
    normalize::contact::blank_unread(&mut data);
    let mentions = normalize::normalize(&data);
    // From here the records' texts are only quoted.
    data.pack_texts();
    drop(bar);
    end_stage(&mut meter, "normalize");
    let bar = progress::stage("resolve", mentions.list.len() as u64, "steps");
    let resolution = resolve::resolve(&data, &mentions, &mut warnings);
    drop(bar);
    end_stage(&mut meter, "resolve");
    let graph = if keep_graph {
        graph::build_for_export(&data, &mentions, &resolution)
    } else {
        graph::build(&data, &mentions, &resolution)
    };
    for n in graph::ownership::large_holding_rings(&data, &graph) {
        warnings.push(
            &data.file_name("company_roles.csv"),
            0,
            "holder_inn",
            format!(
                "{n} companies hold each other in a ring; shares through it are computed in \
                 floating point, approximately (marked in the cases)"
            ),
        );
    }
    end_stage(&mut meter, "graph");
    let ctx = rules::Context::new(&data, &mentions, &resolution, &graph);
    // The rules over procurements share one pass (see `rules::affiliation`).
    let bar = progress::stage("rules", data.procurements.len() as u64, "procurements");
    let cases = rules::run(rules, &ctx);
    let undeclared_prior = ctx.undeclared_prior();
    drop(bar);
    // The report needs no graph: its gigabytes at national scale go back before it.
    let graph = keep_graph.then_some(graph);
    end_stage(&mut meter, "rules");
    let analysis = Analysis {
        data,
        mentions,
        resolution,
        cases,
        warnings,
        timings: meter.into_costs(),
        undeclared_prior,
    };
    Ok((analysis, graph))
}
