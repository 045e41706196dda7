//! EMPLOYEE: an official on the customer's own staff (`employer_inn` is the procurement's
//! customer) who holds no post in the procurement, but who, or whose close relative, is tied to
//! a participant as in COI-44FZ. Not a violation of 44-FZ by itself: a personal interest under
//! 273-FZ art. 10 for the customer to look at.

use super::affiliation::EMPLOYEE;
use super::{Case, Context, Rule};

/// The rule.
pub struct Employee;

impl Rule for Employee {
    fn code(&self) -> &'static str {
        EMPLOYEE
    }

    fn description(&self) -> &'static str {
        "273-FZ art. 10: an official of the customer's staff with no role in the procurement, or a close relative, is tied to a participant as in COI-44FZ"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(EMPLOYEE)
    }
}
