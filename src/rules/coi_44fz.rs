//! COI-44FZ: Federal Law 44-FZ art. 31 part 1 item 9. A customer-side official of a
//! procurement, or their spouse or close relative, is the participant, its director, board
//! member, head of its managing company, or a beneficiary of more than 10%.

use super::{Case, Context, Counted, Rule, RuleInfo, Sentence, Severity, Text};

/// Code of the rule.
pub const CODE: &str = "COI-44FZ";

/// The rule.
pub struct Coi44Fz;

/// Its sentence of the annual report, which says so when nothing was found.
static SENTENCE: Sentence = Sentence {
    order: 0,
    found: Text {
        ru: "Выявлены случаи возможного конфликта интересов (44-ФЗ ст. 31 ч. 1 п. 9)",
        en: "Possible conflicts of interest were found (44-FZ art. 31 p. 1 i. 9)",
    },
    found_besides: None,
    none: Some(Text {
        ru: "Случаи конфликта интересов по 44-ФЗ ст. 31 ч. 1 п. 9 не выявлены.",
        en: "No conflict of interest under 44-FZ art. 31 p. 1 i. 9 was found.",
    }),
    counted: Counted::Cases,
};

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Конфликт интересов по 44-ФЗ ст. 31 ч. 1 п. 9",
        en: "Conflict of interest, 44-FZ art. 31 p. 1 i. 9",
    },
    description: "44-FZ art. 31 p.1 i.9: a customer-side official or a close relative is the participant, its director, board member, head of its managing company, or a beneficiary over 10%",
    legal_basis: "44-ФЗ ст. 31 ч. 1 п. 9",
    severity: [Severity::High, Severity::Medium],
    sentence: &SENTENCE,
    yields_to: &[],
};

impl Rule for Coi44Fz {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(CODE)
    }
}
