//! KIN-EXT: Federal Law 273-FZ art. 10, personal interest through kinship or affinity. What
//! COI-44FZ's letter misses: a customer-side official's in-law (свёкор, свекровь, тесть, тёща,
//! зять, невестка, деверь, золовка, шурин, свояченица, свояк), step relative (отчим, мачеха,
//! пасынок, падчерица, сводные брат и сестра) or former spouse in a role COI-44FZ names, and
//! the official or any of these relatives holding 10% or less as a founder or beneficiary.
//! A pair of official and participant that COI-44FZ flags is not flagged again here.

use super::{Case, Context, Rule, RuleInfo, Severity, Text, PERSONAL_INTEREST};

/// Code of the rule.
pub const CODE: &str = "KIN-EXT";

/// The rule.
pub struct KinExt;

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Свойство, бывшие супруги, доли до 10% (273-ФЗ ст. 10)",
        en: "In-laws, former spouses, shares up to 10% (273-FZ art. 10)",
    },
    description: "273-FZ art. 10: a customer-side official's in-law, step relative or former spouse has a role COI-44FZ names, or the official or a relative holds 10% or less",
    legal_basis: "273-ФЗ ст. 10",
    severity: [Severity::Medium, Severity::Medium],
    sentence: &PERSONAL_INTEREST,
    yields_to: &[super::coi_44fz::CODE],
};

impl Rule for KinExt {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(CODE)
    }
}
