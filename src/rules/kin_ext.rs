//! KIN-EXT: Federal Law 273-FZ art. 10, personal interest through kinship or affinity. What
//! COI-44FZ's letter misses: a customer-side official's in-law (свёкор, свекровь, тесть, тёща,
//! зять, невестка, деверь, золовка, шурин, свояченица, свояк), step relative (отчим, мачеха,
//! пасынок, падчерица, сводные брат и сестра) or former spouse in a role COI-44FZ names, and
//! the official or any of these relatives holding 10% or less as a founder or beneficiary.
//! A pair of official and participant that COI-44FZ flags is not flagged again here.

use super::affiliation::KIN_EXT;
use super::{Case, Context, Rule};

/// The rule.
pub struct KinExt;

impl Rule for KinExt {
    fn code(&self) -> &'static str {
        KIN_EXT
    }

    fn description(&self) -> &'static str {
        "273-FZ art. 10: a customer-side official's in-law, step relative or former spouse has a role COI-44FZ names, or the official or a relative holds 10% or less"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(KIN_EXT)
    }
}
