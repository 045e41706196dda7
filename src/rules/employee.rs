//! EMPLOYEE: an official on the customer's own staff (`employer_inn` is the procurement's
//! customer) who holds no post in the procurement, but who, or whose close relative, is tied to
//! a participant as in COI-44FZ. Not a violation of 44-FZ by itself: a personal interest under
//! 273-FZ art. 10 for the customer to look at.

use super::{Case, Context, Rule, RuleInfo, Severity, Text, PERSONAL_INTEREST};

/// Code of the rule.
pub const CODE: &str = "EMPLOYEE";

/// The rule.
pub struct Employee;

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Сотрудники заказчика вне комиссии (273-ФЗ ст. 10)",
        en: "Customer's staff outside the commission (273-FZ art. 10)",
    },
    description: "273-FZ art. 10: an official of the customer's staff with no role in the procurement, or a close relative, is tied to a participant as in COI-44FZ",
    legal_basis: "273-ФЗ ст. 10",
    severity: [Severity::Medium, Severity::Low],
    sentence: &PERSONAL_INTEREST,
    yields_to: &[],
};

impl Rule for Employee {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(CODE)
    }
}
