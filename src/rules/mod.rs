//! Stage 5: the rules. Each rule is one file implementing [`Rule`]; [`registry`] lists them.

mod affiliation;
mod bidders;
mod coi_44fz;
mod contact;
mod employee;
mod evidence;
mod kin_ext;
mod shared;
mod undeclared;

use std::sync::OnceLock;

use serde::Serialize;

pub use bidders::Bidders;
pub use coi_44fz::Coi44Fz;
pub use contact::Contact;
pub use employee::Employee;
pub use evidence::{
    Chain, Channel, Matched, MinutesName, OfficialPost, ProbableKin, Relation, Role, RoleWord,
    Said, ShareSaid, Signal, Step, NOTE,
};
pub use kin_ext::KinExt;
pub use undeclared::{
    PairCounts, PriorEstimate, Undeclared, Weights as UndeclaredWeights, CODE as UNDECLARED,
    MIN_KIN as UNDECLARED_MIN_KIN, MIN_PROBABILITY as UNDECLARED_MIN_PROBABILITY,
    WEIGHTS as UNDECLARED_WEIGHTS,
};

use crate::error::{Error, Result};
use crate::graph::AffilGraph;
use crate::model::Dataset;
use crate::normalize::Mentions;
use crate::resolve::{Resolution, SeatMatch};

/// How urgent a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A prohibited relation with the winner.
    High,
    /// A prohibited relation with a participant that did not win.
    Medium,
    /// A weaker signal.
    Low,
}

impl Severity {
    /// 0 for high, 1 medium, 2 low: the order of the report.
    pub fn rank(self) -> usize {
        self as usize
    }

    /// Code used in the output files.
    pub fn code(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// A flagged case: one (rule, procurement, official, participant).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// Stable id: the same case gets the same id in every run.
    pub case_id: String,
    /// Rule code.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Confidence in 0..1: the weakest link of the chain.
    pub score: f64,
    /// Procurement number.
    pub procurement_id: String,
    /// Customer INN.
    pub customer_inn: String,
    /// Official id.
    pub official_id: String,
    /// Official's name.
    pub official_name: String,
    /// Official's customer-side role code.
    pub official_role: &'static str,
    /// Relation of the linked person to the official (`self`, `sibling`, ...).
    pub relation: &'static str,
    /// The person on the participant's side.
    pub linked_person: String,
    /// Participant INN.
    pub participant_inn: String,
    /// Participant name.
    pub participant_name: String,
    /// How the linked person is tied to the participant.
    pub participant_link: String,
    /// The participant won.
    pub is_winner: bool,
    /// Contract price, if known.
    pub contract_price: Option<f64>,
    /// Legal basis.
    pub legal_basis: &'static str,
    /// The evidence chain, typed (written as the Russian `evidence` line and its steps).
    #[serde(flatten)]
    pub chain: Chain,
    /// The persons the chain passes through, for the graph of the cases (`--export graphml
    /// --cases-only`); not written to cases.json.
    #[serde(skip)]
    pub persons: Vec<crate::resolve::PersonId>,
}

/// What every rule reads.
pub struct Context<'a> {
    /// Input.
    pub data: &'a Dataset,
    /// Mentions.
    pub mentions: &'a Mentions,
    /// Resolution.
    pub resolution: &'a Resolution,
    /// Graph.
    pub graph: &'a AffilGraph,
    /// The cases of the rules that share one search (see `affiliation`), found once.
    affiliations: OnceLock<(Vec<Case>, Option<undeclared::PriorEstimate>)>,
    /// The registry's company contacts, built once for the rules that read them.
    contacts: OnceLock<contact::CompanyContacts>,
}

impl<'a> Context<'a> {
    /// What the rules read.
    pub fn new(
        data: &'a Dataset,
        mentions: &'a Mentions,
        resolution: &'a Resolution,
        graph: &'a AffilGraph,
    ) -> Context<'a> {
        Context {
            data,
            mentions,
            resolution,
            graph,
            affiliations: OnceLock::new(),
            contacts: OnceLock::new(),
        }
    }

    /// A procurement's seat matches (a seat named in the minutes may fit several officials),
    /// each with its commissions.csv row, latest row first: the order the graph's edges gave
    /// them in, which decides ties between cases.
    fn seat_matches(&self, pi: usize) -> impl Iterator<Item = (u32, SeatMatch)> + '_ {
        let (res, data) = (self.resolution, self.data);
        self.graph.seats.of(pi).iter().rev().flat_map(move |&seat| {
            res.seat_matches(data, seat as usize)
                .rev()
                .map(move |m| (seat, m))
        })
    }

    /// A procurement's bids, latest row first (see [`Context::seat_matches`]).
    fn bids(&self, pi: usize) -> impl Iterator<Item = crate::graph::BidRef> + '_ {
        self.graph.bids.of(pi).iter().rev().copied()
    }

    /// The registry's company contacts (see [`contact::CompanyContacts`]), built on first use.
    fn contact_index(&self) -> &contact::CompanyContacts {
        self.contacts
            .get_or_init(|| contact::CompanyContacts::of(self))
    }

    /// UNDECLARED's prior, if the shared search ran for it (see [`undeclared::PriorEstimate`]).
    pub fn undeclared_prior(&self) -> Option<undeclared::PriorEstimate> {
        self.affiliations.get().and_then(|a| a.1)
    }

    /// Runs the shared search for the parts `wanted`, unless it ran.
    fn scan(&self, wanted: affiliation::Wanted) {
        self.affiliations
            .get_or_init(|| affiliation::scan(self, wanted));
    }

    /// The cases of rule `code` among those of the shared search; run on the first call for
    /// every rule, unless [`run`] ran it for the selected ones.
    fn affiliation_cases(&self, code: &str) -> Vec<Case> {
        self.affiliations
            .get_or_init(|| affiliation::scan(self, affiliation::Wanted::ALL))
            .0
            .iter()
            .filter(|c| c.rule == code)
            .cloned()
            .collect()
    }
}

/// A text in each language of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// Russian.
    pub ru: &'static str,
    /// English.
    pub en: &'static str,
}

/// How a finding of the annual-report paragraph counts its cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Cases, procurements, officials, cases with the winner, the contracts' sum.
    Cases,
    /// Groups of bidders, procurements, groups with the winner.
    BidderGroups,
}

/// A sentence of the annual-report paragraph (summary.md, the workbook's row 2.2): the cases of
/// every rule that names it, counted together. Rules that share a sentence name one `static`.
#[derive(Debug)]
pub struct Sentence {
    /// Its place in the paragraph (the lowest first).
    pub order: u8,
    /// The sentence's opening (its counts follow): `Выявлены ...`.
    pub found: Text,
    /// The opening when an earlier sentence of the paragraph found cases too (`Кроме того,
    /// ...`), where it differs.
    pub found_besides: Option<Text>,
    /// The sentence when its rules found nothing, where the paragraph says so.
    pub none: Option<Text>,
    /// What it counts.
    pub counted: Counted,
}

/// The sentence of the wider rules under 273-FZ art. 10 (KIN-EXT, EMPLOYEE, CONTACT), which
/// count their cases together.
pub static PERSONAL_INTEREST: Sentence = Sentence {
    order: 1,
    found: Text {
        ru: "Выявлены признаки личной заинтересованности (273-ФЗ ст. 10: свойство, бывшие супруги, доли до 10%, сотрудники заказчика вне комиссии, общие контакты)",
        en: "Signs of personal interest were found (273-FZ art. 10: in-laws, former spouses, shares up to 10%, customer's staff outside the commission, shared contacts)",
    },
    found_besides: Some(Text {
        ru: "Кроме того, выявлены признаки личной заинтересованности (273-ФЗ ст. 10: свойство, бывшие супруги, доли до 10%, сотрудники заказчика вне комиссии, общие контакты)",
        en: "Besides, signs of personal interest were found (273-FZ art. 10: in-laws, former spouses, shares up to 10%, customer's staff outside the commission, shared contacts)",
    }),
    none: None,
    counted: Counted::Cases,
};

/// What a rule declares besides its logic: what the report, the workbook and the page say of
/// it, and how it ranks.
#[derive(Debug)]
pub struct RuleInfo {
    /// Code in `cases.csv`, e.g. `COI-44FZ`.
    pub code: &'static str,
    /// Title of its section and sheet.
    pub title: Text,
    /// One line on what the rule flags (`--help`, the docs).
    pub description: &'static str,
    /// The law its cases rest on, as `cases.csv` writes it (`44-ФЗ ст. 31 ч. 1 п. 9`).
    pub legal_basis: &'static str,
    /// Severity of a case with the winner, and with another bidder.
    pub severity: [Severity; 2],
    /// Its sentence of the annual-report paragraph.
    pub sentence: &'static Sentence,
    /// Rules whose case for the same procurement, official and participant replaces its own.
    pub yields_to: &'static [&'static str],
}

impl RuleInfo {
    /// Severity of a case whose participant won or did not.
    pub fn severity(&self, won: bool) -> Severity {
        self.severity[usize::from(!won)]
    }
}

/// A rule: finds cases in the graph.
pub trait Rule: Sync {
    /// What the rule declares (see [`RuleInfo`]).
    fn info(&self) -> &'static RuleInfo;
    /// Code in `cases.csv`, e.g. `COI-44FZ`.
    fn code(&self) -> &'static str {
        self.info().code
    }
    /// One line on what the rule flags.
    fn description(&self) -> &'static str {
        self.info().description
    }
    /// Runs the rule.
    fn run(&self, ctx: &Context) -> Vec<Case>;
}

/// Every rule affil knows, in report order.
pub fn registry() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(Coi44Fz),
        Box::new(KinExt),
        Box::new(Employee),
        Box::new(Contact),
        Box::new(Bidders),
        Box::new(Undeclared),
    ]
}

/// What the rule of `code` declares, if affil knows it.
pub fn info(code: &str) -> Option<&'static RuleInfo> {
    static INFOS: OnceLock<Vec<&'static RuleInfo>> = OnceLock::new();
    INFOS
        .get_or_init(|| registry().iter().map(|r| r.info()).collect())
        .iter()
        .copied()
        .find(|i| i.code == code)
}

/// What the rule of `code`, which a rule of this registry wrote, declares.
pub(crate) fn info_of(code: &str) -> &'static RuleInfo {
    info(code).unwrap_or_else(|| panic!("rule `{code}` is not in the registry"))
}

/// Picks rules by code (`None`: all). Unknown codes are an error naming the known ones.
pub fn select(codes: Option<&[String]>) -> Result<Vec<Box<dyn Rule>>> {
    let all = registry();
    let Some(codes) = codes else { return Ok(all) };
    let known: Vec<&str> = all.iter().map(|r| r.code()).collect();
    if let Some(bad) = codes.iter().find(|c| !known.contains(&c.as_str())) {
        return Err(Error::Option(format!(
            "unknown rule `{bad}`; known rules: {}",
            known.join(", ")
        )));
    }
    Ok(all
        .into_iter()
        .filter(|r| codes.iter().any(|c| c == r.code()))
        .collect())
}

/// Runs the rules and sorts the cases: severity, then score, then contract price.
pub fn run(rules: &[Box<dyn Rule>], ctx: &Context) -> Vec<Case> {
    // The shared search does only the selected rules' work; its rules run beside the others
    // (CONTACT), which fill the cores the search's sequential parts leave idle. The
    // registry's contacts are built first, so that no worker waits on (or, stealing work,
    // re-enters) their build.
    let shares = |r: &dyn Rule| affiliation::Wanted::of([r.code()]).any();
    let wanted = affiliation::Wanted::of(rules.iter().map(|r| r.code()));
    if wanted.contacts() || rules.iter().any(|r| r.code() == contact::CODE) {
        ctx.contact_index();
    }
    // The order they are joined in does not matter: the sort below orders every case by its
    // key, which no two cases share.
    let run_each = |shared: bool| -> Vec<Case> {
        rules
            .iter()
            .filter(|r| shares(r.as_ref()) == shared)
            .flat_map(|r| r.run(ctx))
            .collect()
    };
    let (mut cases, own) = rayon::join(
        || {
            if wanted.any() {
                ctx.scan(wanted);
            }
            run_each(true)
        },
        || run_each(false),
    );
    // What the two sides freed goes back before their cases are joined (the national peak).
    crate::memory::give_back_freed_memory();
    cases.extend(own);
    cases.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.score.total_cmp(&a.score))
            .then(
                b.contract_price
                    .unwrap_or(-1.0)
                    .total_cmp(&a.contract_price.unwrap_or(-1.0)),
            )
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.procurement_id.cmp(&b.procurement_id))
            .then_with(|| a.official_id.cmp(&b.official_id))
            .then_with(|| a.participant_inn.cmp(&b.participant_inn))
    });
    cases
}

/// FNV-1a, 64 bits: the hash behind every stable id of the outputs (case ids, the page's run
/// key, the graph exports' ids).
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// [`fnv1a`] of `parts`, each ended by a unit separator (so that ("a","bc") and ("ab","c")
/// differ).
pub fn fnv1a_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    fnv1a(
        parts
            .into_iter()
            .flat_map(|p| p.bytes().chain(std::iter::once(0x1f))),
    )
}

/// Stable case id from the case key.
pub fn case_id(
    rule: &str,
    procurement_id: &str,
    official_id: &str,
    participant_inn: &str,
) -> String {
    let h = fnv1a_parts([rule, procurement_id, official_id, participant_inn]);
    format!("{rule}-{h:016x}")
}

/// The last two steps of every chain: the bidding company and the procurement it bid in.
pub(crate) fn bid_steps(
    company_label: &str,
    bid: &crate::model::Participant,
    procurement: &crate::model::Procurement,
) -> [Step; 2] {
    [
        Step::new(Said::Company(company_label.to_owned()))
            .with_id(Some(bid.participant_inn.to_string())),
        Step::new(Said::Bid {
            won: bid.is_winner,
            procurement: procurement.procurement_id.to_string(),
        })
        .with_id(Some(procurement.procurement_id.to_string())),
    ]
}

/// A note saying that a case rests on input rows that contradict each other (see
/// [`crate::model::Conflict`]) and which reading was used, or `None` when it rests on none.
pub(crate) fn conflict_note(
    data: &Dataset,
    rows: impl IntoIterator<Item = crate::model::RowRef>,
) -> Option<Step> {
    let ids = data.conflicts_among(rows);
    if ids.is_empty() {
        return None;
    }
    let conflicts = ids
        .iter()
        .map(|&i| data.conflicts[i as usize].clone())
        .collect();
    Some(Step::new(Said::Conflicts(conflicts)))
}

/// Rounds a score to three decimals for stable output.
pub fn round_score(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_are_stable_and_distinct() {
        let a = case_id("COI-44FZ", "0156300012321000045", "O1", "7707083893");
        assert_eq!(
            a,
            case_id("COI-44FZ", "0156300012321000045", "O1", "7707083893")
        );
        assert_ne!(
            a,
            case_id("COI-44FZ", "0156300012321000045", "O2", "7707083893")
        );
        // Field boundaries matter: ("a","bc") differs from ("ab","c").
        assert_ne!(case_id("R", "a", "bc", ""), case_id("R", "ab", "c", ""));
        assert!(a.starts_with("COI-44FZ-"));
    }

    #[test]
    fn unknown_rule_codes_are_refused() {
        assert!(select(Some(&["COI-44FZ".to_owned()])).is_ok());
        let err = select(Some(&["NOPE".to_owned()])).err().unwrap();
        assert!(err.to_string().contains("COI-44FZ"));
    }
}
