//! BIDDERS: two or more participants of one procurement share a director, a founder or a
//! beneficiary (directly or up a chain of companies), a phone, an e-mail or an address (not a
//! mass contact, see [`super::contact`]): a sign of a coordinated bid rather than of a conflict
//! with an official. One case per procurement and group of linked bidders; its `official_id` is
//! empty and its `participant_inn` lists the group's INNs, sorted, joined by `;`.

use rustc_hash::FxHashMap;

use super::contact::{contact_kind, written_as};
use super::shared::{identity, Upstream};
use super::{
    case_id, round_score, Case, Chain, Context, Counted, Role, RoleWord, Rule, RuleInfo, Said,
    Sentence, Severity, ShareSaid, Step, Text,
};
use crate::model::{CompanyRoleKind, Participant, Procurement};
use crate::normalize::{MentionId, MentionSource};
use crate::resolve::{find, PersonId};

/// The rule.
pub struct Bidders;

/// Code of the rule.
pub const CODE: &str = "BIDDERS";

/// Its sentence of the annual report: groups of bidders, not cases of officials.
static SENTENCE: Sentence = Sentence {
    order: 3,
    found: Text {
        ru: "Выявлены признаки согласованного участия в закупках (общие руководители, учредители или контакты участников одной закупки)",
        en: "Signs of coordinated bidding were found (bidders of one procurement sharing directors, founders or contacts)",
    },
    found_besides: None,
    none: None,
    counted: Counted::BidderGroups,
};

static INFO: RuleInfo = RuleInfo {
    code: CODE,
    title: Text {
        ru: "Связанные участники одной закупки",
        en: "Linked bidders of one procurement",
    },
    description: "participants of one procurement share a director, a founder or beneficiary (directly or through a chain), a phone, an e-mail or an address",
    legal_basis: "135-ФЗ ст. 17",
    severity: [Severity::Medium, Severity::Low],
    sentence: &SENTENCE,
    yields_to: &[],
};

impl Rule for Bidders {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        ctx.affiliation_cases(CODE)
    }
}

/// What ties two bidders.
enum Tie {
    /// One person in both, named in each by these registry mentions.
    Person(PersonId, Option<MentionId>, Option<MentionId>),
    /// One contact (see `normalize::contact::keyed`).
    Contact(u64),
}

/// The groups of linked bidders of one procurement: `bids` are (graph company, bid row), and
/// `upstream` what each bidder's walk met, in the same order.
pub(super) fn groups(
    ctx: &Context,
    proc_: &Procurement,
    bids: &[(u32, &Participant)],
    upstream: &[Upstream],
) -> Vec<Case> {
    let n = bids.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // The ties that joined two groups, in the order found: the evidence of each group.
    let mut ties: Vec<(usize, usize, Tie)> = Vec::new();
    let mut join = |parent: &mut Vec<u32>, a: usize, b: usize, tie: Tie| {
        // One company bidding twice is not two bidders.
        if bids[a].0 == bids[b].0 {
            return;
        }
        let (ra, rb) = (find(parent, a as u32), find(parent, b as u32));
        if ra != rb {
            parent[rb.max(ra) as usize] = ra.min(rb);
            ties.push((a, b, tie));
        }
    };
    let mut first_person: FxHashMap<PersonId, (usize, Option<MentionId>)> = FxHashMap::default();
    for (i, met) in upstream.iter().enumerate() {
        for &(p, m) in met {
            match first_person.get(&p) {
                Some(&(j, mj)) if j != i => join(&mut parent, j, i, Tie::Person(p, mj, m)),
                Some(_) => {}
                None => {
                    first_person.insert(p, (i, m));
                }
            }
        }
    }
    let index = ctx.contact_index();
    let mut first_contact: FxHashMap<u64, usize> = FxHashMap::default();
    for (i, &(company, _)) in bids.iter().enumerate() {
        let Some(row) = index.row(company) else {
            continue;
        };
        for k in index.of_row(row) {
            match first_contact.get(&k) {
                Some(&j) if j != i => join(&mut parent, j, i, Tie::Contact(k)),
                Some(_) => {}
                None => {
                    first_contact.insert(k, i);
                }
            }
        }
    }
    if ties.is_empty() {
        return Vec::new();
    }
    let root_of: Vec<usize> = (0..n)
        .map(|i| find(&mut parent, i as u32) as usize)
        .collect();
    let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, &r) in root_of.iter().enumerate() {
        members.entry(r).or_default().push(i);
    }
    let mut roots: Vec<usize> = members
        .iter()
        .filter(|(_, m)| m.len() >= 2)
        .map(|(&r, _)| r)
        .collect();
    roots.sort_unstable();
    roots
        .into_iter()
        .map(|r| {
            let group_ties: Vec<&(usize, usize, Tie)> =
                ties.iter().filter(|(a, _, _)| root_of[*a] == r).collect();
            build_case(ctx, proc_, bids, &members[&r], &group_ties)
        })
        .collect()
}

/// How a registry mention holds its company, with the company when it is not the bidder
/// itself (a holder up the chain).
fn role_of(ctx: &Context, m: Option<MentionId>) -> Role {
    let data = ctx.data;
    match m.map(|m| ctx.mentions.list[m as usize].source()) {
        Some(MentionSource::Role(r)) => {
            let role = &data.roles[r as usize];
            let (what, share) = match role.role {
                CompanyRoleKind::Director => (RoleWord::Director, ShareSaid::Nothing),
                CompanyRoleKind::BoardMember => (RoleWord::BoardMember, ShareSaid::Nothing),
                CompanyRoleKind::Founder => match data.share(role) {
                    Some(s) => (RoleWord::Founder, ShareSaid::Held(s.clone())),
                    None => (RoleWord::Founder, ShareSaid::Nothing),
                },
                CompanyRoleKind::Beneficiary => (RoleWord::Beneficiary, ShareSaid::Nothing),
                CompanyRoleKind::ManagingCompany => (RoleWord::ManagingCompany, ShareSaid::Nothing),
            };
            let company = ctx
                .graph
                .company_by_inn
                .get(&role.company_inn)
                .map(|&c| ctx.graph.company_label(c))
                .unwrap_or_default();
            Role {
                what,
                share,
                of: Some(company),
            }
        }
        Some(MentionSource::Entrepreneur(_)) => Role::plain(RoleWord::Entrepreneur),
        _ => Role::plain(RoleWord::AmongOwners),
    }
}

fn build_case(
    ctx: &Context,
    proc_: &Procurement,
    bids: &[(u32, &Participant)],
    group: &[usize],
    ties: &[&(usize, usize, Tie)],
) -> Case {
    let data = ctx.data;
    let g = ctx.graph;
    let label = |i: usize| {
        let p = bids[i].1;
        if p.participant_name.is_empty() {
            g.company_label(bids[i].0)
        } else {
            p.participant_name.to_string()
        }
    };
    let mut sorted: Vec<usize> = group.to_vec();
    sorted.sort_by_key(|&i| (bids[i].1.participant_inn, i));
    sorted.dedup_by_key(|i| bids[*i].1.participant_inn);
    let inns: Vec<String> = sorted
        .iter()
        .map(|&i| bids[i].1.participant_inn.to_string())
        .collect();
    let names: Vec<String> = sorted.iter().map(|&i| label(i)).collect();
    let company_step = |i: usize| {
        Step::new(Said::Company(label(i))).with_id(Some(bids[i].1.participant_inn.to_string()))
    };
    let (mut steps, mut links, mut score) = (Vec::new(), Vec::new(), 1.0f64);
    let mut linked: Option<String> = None;
    for &&(a, b, ref tie) in ties {
        // A chain of ties names a bidder once where one tie ends and the next begins.
        let a_step = company_step(a);
        if steps.last() != Some(&a_step) {
            steps.push(a_step);
        }
        let said = tie_said(ctx, bids, a, b, tie);
        score = score.min(said.score);
        linked.get_or_insert(said.linked);
        links.push(said.link);
        steps.extend(said.steps);
        steps.push(company_step(b));
    }
    let source = |m: &Option<MentionId>| m.map(|m| ctx.mentions.list[m as usize].source().row());
    let rows = ties.iter().flat_map(|(_, _, tie)| match tie {
        Tie::Person(_, ma, mb) => [source(ma), source(mb)],
        Tie::Contact(_) => [None, None],
    });
    let note = super::conflict_note(data, rows.flatten());
    let won: Vec<&Participant> = sorted
        .iter()
        .map(|&i| bids[i].1)
        .filter(|p| p.is_winner)
        .collect();
    steps.push(
        Step::new(Said::GroupBids {
            one_won: !won.is_empty(),
            procurement: proc_.procurement_id.to_string(),
        })
        .with_id(Some(proc_.procurement_id.to_string())),
    );
    steps.extend(note);
    let inn_key = inns.join(";");
    Case {
        case_id: case_id(CODE, &proc_.procurement_id, "", &inn_key),
        rule: CODE,
        severity: INFO.severity(!won.is_empty()),
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: String::new(),
        official_name: String::new(),
        official_role: "",
        relation: "",
        linked_person: linked.unwrap_or_default(),
        participant_inn: inn_key,
        participant_name: names.join("; "),
        participant_link: links.join("; "),
        is_winner: !won.is_empty(),
        contract_price: won.first().and_then(|p| p.contract_price.get()),
        legal_basis: INFO.legal_basis,
        chain: Chain(steps),
        persons: {
            let mut v: Vec<PersonId> = ties
                .iter()
                .filter_map(|(_, _, tie)| match tie {
                    Tie::Person(p, _, _) => Some(*p),
                    Tie::Contact(_) => None,
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        },
    }
}

/// What one tie between bidders `a` and `b` says: its steps between the two companies, its
/// score, the person or contact it names, and its `participant_link` part.
struct TieSaid {
    steps: Vec<Step>,
    score: f64,
    linked: String,
    link: String,
}

fn tie_said(ctx: &Context, bids: &[(u32, &Participant)], a: usize, b: usize, tie: &Tie) -> TieSaid {
    let data = ctx.data;
    match tie {
        Tie::Person(p, ma, mb) => {
            let (p_score, basis) = match (ma, mb) {
                (Some(x), Some(y)) => identity(ctx, *x, *y),
                _ => (1.0, crate::resolve::Basis::Inn),
            };
            let name = ma.or(*mb).map(|m| {
                ctx.mentions.list[m as usize]
                    .display_name(data)
                    .into_owned()
            });
            let said = match &name {
                Some(name) => Said::Person {
                    name: name.clone(),
                    registry: None,
                    matched: None,
                },
                None => Said::Unnamed(*p),
            };
            // The output columns are codes and names, the same in every language.
            let name = name.unwrap_or_else(|| format!("лицо {p}"));
            TieSaid {
                link: format!("shared_person ({name})"),
                linked: name,
                score: p_score,
                steps: vec![
                    Step::new(Said::Role(role_of(ctx, *ma))),
                    Step {
                        score: (p_score < 1.0).then_some(round_score(p_score)),
                        basis: Some(basis.code()),
                        ..Step::new(said)
                    },
                    Step::new(Said::Role(role_of(ctx, *mb))),
                ],
            }
        }
        Tie::Contact(k) => {
            let (channel, c_score) = contact_kind(*k);
            let written = |i: usize| {
                ctx.contact_index()
                    .row(bids[i].0)
                    .map(|r| {
                        let c = &data.companies[r as usize];
                        written_as(*k, &c.address(), &c.phone(), &c.email()).to_owned()
                    })
                    .unwrap_or_default()
            };
            let shown = written(a);
            TieSaid {
                link: format!("shared_{} ({shown})", channel.code()),
                linked: shown.clone(),
                score: c_score,
                steps: vec![Step {
                    score: Some(round_score(c_score)),
                    ..Step::new(Said::Contact {
                        channel,
                        left: shown,
                        right: written(b),
                        right_in_registry: false,
                    })
                }],
            }
        }
    }
}
