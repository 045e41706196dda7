//! COI-44FZ: Federal Law 44-FZ art. 31 part 1 item 9. A customer-side official of a
//! procurement, or their spouse or close relative, is the participant, its director, board
//! member, head of its managing company, or a beneficiary of more than 10%.

use super::affiliation::COI;
use super::{Case, Context, Rule};

/// The rule.
pub struct Coi44Fz;

impl Rule for Coi44Fz {
    fn code(&self) -> &'static str {
        COI
    }

    fn description(&self) -> &'static str {
        "44-FZ art. 31 p.1 i.9: a customer-side official or a close relative is the participant, its director, board member, head of its managing company, or a beneficiary over 10%"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(COI)
    }
}
