//! COI-44FZ: Federal Law 44-FZ art. 31 part 1 item 9. A customer-side official of a
//! procurement, or their spouse or close relative, is the participant, its director, board
//! member, head of its managing company, or a beneficiary of more than 10%.

use std::collections::BTreeMap;

use num_rational::BigRational;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rayon::prelude::*;

use super::{case_id, round_score, Case, Context, Rule, Severity, Step};
use crate::graph::{controls, kin_of, AffilGraph, Control, ControlKind, Edge, Holding};
use crate::model::{Kinship, SeatRole};
use crate::normalize::{MentionId, MentionSource};
use crate::resolve::{compare, compare::sex_of, prior_for, Basis, PersonId, SeatMatch};
use crate::values::{share_percent_text, Share};

/// The rule.
pub struct Coi44Fz;

const CODE: &str = "COI-44FZ";
const LEGAL_BASIS: &str = "44-ФЗ ст. 31 ч. 1 п. 9";

/// A person in the official's circle: the official or a close relative.
struct Circle {
    person: PersonId,
    kinship: Option<Kinship>,
    /// The mention that names this person on the official's side.
    anchor: MentionId,
    /// When the official appears as the relative in someone else's questionnaire:
    /// that relative mention, which must be the official.
    official_alias: Option<MentionId>,
}

fn circle(ctx: &Context, person: PersonId, official_mention: MentionId) -> Vec<Circle> {
    let mut out = vec![Circle {
        person,
        kinship: None,
        anchor: official_mention,
        official_alias: None,
    }];
    let node = ctx.graph.person_node[person as usize];
    for (q, kinship, relrow) in kin_of(ctx.graph, person) {
        if !kinship.is_44fz_close() {
            continue;
        }
        let rel_mention = ctx.mentions.of_relative[relrow as usize];
        let outgoing = ctx
            .graph
            .g
            .edges_directed(node, Direction::Outgoing)
            .any(|e| matches!(e.weight(), Edge::Kin { relative, .. } if *relative == relrow));
        let (anchor, alias) = if outgoing {
            (rel_mention, None)
        } else {
            let owner = ctx.mentions.list[rel_mention as usize].family.unwrap_or(0);
            (ctx.mentions.of_official[owner as usize], Some(rel_mention))
        };
        out.push(Circle {
            person: q,
            kinship: Some(kinship),
            anchor,
            official_alias: alias,
        });
    }
    out
}

fn over_ten_percent(s: &Share) -> bool {
    *s > BigRational::new(1.into(), 10.into())
}

/// Whether a control counts under the rule, and its score factor.
fn qualifies(c: &Control) -> Option<f64> {
    match &c.kind {
        ControlKind::Entrepreneur
        | ControlKind::Director
        | ControlKind::BoardMember
        | ControlKind::ManagingHead { .. } => Some(1.0),
        ControlKind::Owner(h) if over_ten_percent(&h.share) => Some(1.0),
        // A co-founder with a blank share may hold more than 10%: flagged for review, at half score.
        ControlKind::Owner(h) if h.share_unknown => Some(0.5),
        ControlKind::Owner(_) => None,
        ControlKind::RegistryBeneficiary(Some(s)) if over_ten_percent(s) => Some(1.0),
        ControlKind::RegistryBeneficiary(Some(_)) => None,
        ControlKind::RegistryBeneficiary(None) => Some(1.0),
    }
}

fn chain_text(g: &AffilGraph, h: &Holding, russian: bool) -> String {
    let Some(ch) = h.chains.first() else { return String::new() };
    let mut parts = vec![format!("{}", share_percent_text(&ch.person_share))];
    for (c, s) in &ch.links {
        parts.push(format!("{} {}", g.company_label(*c), share_percent_text(s)));
    }
    let more = h.chains.len().saturating_sub(1);
    let tail = match (more, russian) {
        (0, _) => String::new(),
        (n, true) => format!(" и ещё {n} цеп."),
        (n, false) => format!(" and {n} more chain(s)"),
    };
    format!("{}{tail}", parts.join(" -> "))
}

/// The `participant_link` text (English codes, as documented).
fn link_text(g: &AffilGraph, c: &Control) -> String {
    match &c.kind {
        ControlKind::Entrepreneur => "self".into(),
        ControlKind::Director => "director".into(),
        ControlKind::BoardMember => "board_member".into(),
        ControlKind::ManagingHead { manager } => {
            format!("managing_company_head ({})", g.company_label(*manager))
        }
        ControlKind::Owner(h) if h.share_unknown && !over_ten_percent(&h.share) => {
            "founder (share not stated)".into()
        }
        ControlKind::Owner(h) if h.chains.is_empty() => {
            format!("founder {}", share_percent_text(&h.share))
        }
        ControlKind::Owner(h) => {
            let direct = h
                .direct
                .as_ref()
                .map(|d| format!(" (direct {})", share_percent_text(d)))
                .unwrap_or_default();
            let circ = if h.circular { " (circular holdings)" } else { "" };
            format!(
                "beneficiary {}{direct} via {}{circ}",
                share_percent_text(&h.share),
                chain_text(g, h, false)
            )
        }
        ControlKind::RegistryBeneficiary(Some(s)) => {
            format!("beneficiary {} (registry)", share_percent_text(s))
        }
        ControlKind::RegistryBeneficiary(None) => "beneficiary (share not stated)".into(),
    }
}

/// Russian steps from the linked person to the participant company.
fn link_steps(g: &AffilGraph, c: &Control, company_label: &str) -> Vec<String> {
    match &c.kind {
        ControlKind::Entrepreneur => vec!["индивидуальный предприниматель".into()],
        ControlKind::Director => vec!["директор".into()],
        ControlKind::BoardMember => vec!["член коллегиального исполнительного органа".into()],
        ControlKind::ManagingHead { manager } => vec![
            "директор".into(),
            g.company_label(*manager),
            "управляющая организация".into(),
        ],
        ControlKind::Owner(h) if h.chains.is_empty() => match (&h.direct, h.share_unknown) {
            (Some(d), _) => vec![format!("учредитель {}", share_percent_text(d))],
            (None, _) => vec!["учредитель (доля не указана)".into()],
        },
        ControlKind::Owner(h) => {
            let ch = &h.chains[0];
            let mut v = vec![format!("учредитель {}", share_percent_text(&ch.person_share))];
            for (i, (comp, s)) in ch.links.iter().enumerate() {
                v.push(g.company_label(*comp));
                let last = i + 1 == ch.links.len();
                v.push(if last {
                    format!(
                        "учредитель {} (итого {}{})",
                        share_percent_text(s),
                        share_percent_text(&h.share),
                        if h.chains.len() > 1 || h.direct.is_some() {
                            ", с учётом всех цепочек"
                        } else {
                            ""
                        }
                    )
                } else {
                    format!("учредитель {}", share_percent_text(s))
                });
            }
            let _ = company_label;
            v
        }
        ControlKind::RegistryBeneficiary(Some(s)) => {
            vec![format!("бенефициар {} (по реестру)", share_percent_text(s))]
        }
        ControlKind::RegistryBeneficiary(None) => vec!["бенефициар (доля не указана)".into()],
    }
}

struct Candidate {
    score: f64,
    order: (u8, u8),
    case: Case,
}

fn control_order(c: &Control) -> u8 {
    match c.kind {
        ControlKind::Entrepreneur => 0,
        ControlKind::Director => 1,
        ControlKind::ManagingHead { .. } => 2,
        ControlKind::BoardMember => 3,
        ControlKind::Owner(_) => 4,
        ControlKind::RegistryBeneficiary(_) => 5,
    }
}

/// Direct comparison of two mentions: probability and basis.
fn identity(ctx: &Context, a: MentionId, b: MentionId) -> (f64, Basis) {
    if a == b {
        return (1.0, Basis::Inn);
    }
    let list = &ctx.mentions.list;
    let prior = prior_for(list.len());
    match compare(&list[a as usize], &list[b as usize], prior) {
        Some(l) => (l.probability, l.basis),
        // Linked only through other mentions of the same person.
        None => (0.5, Basis::NameOnly),
    }
}

impl Rule for Coi44Fz {
    fn code(&self) -> &'static str {
        CODE
    }

    fn description(&self) -> &'static str {
        "44-FZ art. 31 p.1 i.9: a customer-side official or a close relative is the participant, its director, board member, head of its managing company, or a beneficiary over 10%"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        let g = ctx.graph;
        let data = ctx.data;
        let mut cases: Vec<Case> = (0..data.procurements.len())
            .into_par_iter()
            .flat_map_iter(|pi| {
                let proc_ = &data.procurements[pi];
                let pnode = g.procurement_node[pi];
                let mut seats: Vec<(PersonId, u32, SeatMatch)> = Vec::new();
                let mut bids: Vec<(u32, u32)> = Vec::new();
                for e in g.g.edges_directed(pnode, Direction::Incoming) {
                    match e.weight() {
                        Edge::Seat { seat, matched } => {
                            if let Some(p) = g.as_person(e.source()) {
                                seats.push((p, *seat, matched.clone()));
                            }
                        }
                        Edge::Bid { participant } => {
                            if let Some(c) = g.as_company(e.source()) {
                                bids.push((c, *participant));
                            }
                        }
                        _ => {}
                    }
                }
                seats.sort_by_key(|(p, s, m)| (*p, *s, m.official));
                bids.sort_unstable();
                let mut best: BTreeMap<(String, String), Candidate> = BTreeMap::new();
                if seats.is_empty() || bids.is_empty() {
                    return Vec::new().into_iter();
                }
                for &(company, part) in &bids {
                    let bid = &data.participants[part as usize];
                    let ctrls = controls(g, data, ctx.mentions, company, proc_.published);
                    if ctrls.is_empty() {
                        continue;
                    }
                    let company_label = g.company_label(company);
                    for (person, seat_row, matched) in &seats {
                        let seat = &data.seats[*seat_row as usize];
                        let official = &data.officials[matched.official as usize];
                        let om = ctx.mentions.of_official[matched.official as usize];
                        for member in circle(ctx, *person, om) {
                            for c in ctrls.iter().filter(|c| c.person == member.person) {
                                let Some(factor) = qualifies(c) else { continue };
                                let mut score = matched.score * factor;
                                let mut steps = Vec::new();
                                let mut seat_label = format!("{} ({}", official.full_name, seat.role.russian());
                                if let Some(name) = &seat.member_name {
                                    if seat.official_id.is_none() {
                                        seat_label.push_str(&format!(", в протоколе «{name}»"));
                                        if matched.candidates > 1 {
                                            seat_label.push_str(&format!(
                                                ", подходит к {} сотрудникам",
                                                matched.candidates
                                            ));
                                        }
                                    }
                                }
                                seat_label.push(')');
                                steps.push(Step {
                                    kind: "person",
                                    label: seat_label,
                                    id: Some(official.official_id.clone()),
                                    score: (matched.score < 1.0).then_some(round_score(matched.score)),
                                    basis: matched.basis.map(Basis::code),
                                });
                                if let Some(alias) = member.official_alias {
                                    let (p, b) = identity(ctx, om, alias);
                                    score = score.min(p);
                                    let _ = b;
                                }
                                let linked_mention = member.anchor;
                                let linked_name = ctx.mentions.list[linked_mention as usize]
                                    .display_name(data)
                                    .to_owned();
                                let relation_code = member.kinship.map_or("self", Kinship::code);
                                match member.kinship {
                                    None => steps.push(Step {
                                        kind: "relation",
                                        label: "сам(а)".into(),
                                        id: None,
                                        score: None,
                                        basis: None,
                                    }),
                                    Some(k) => {
                                        let sex = sex_of(&ctx.mentions.list[linked_mention as usize]);
                                        steps.push(Step {
                                            kind: "relation",
                                            label: k.russian(sex).into(),
                                            id: None,
                                            score: None,
                                            basis: None,
                                        });
                                    }
                                }
                                // The registry records the link rests on, each compared with the anchor.
                                let mut weakest: Option<(f64, Basis, MentionId)> = None;
                                for &m in &c.mentions {
                                    let (p, b) = identity(ctx, linked_mention, m);
                                    if weakest.is_none_or(|(wp, _, _)| p < wp) {
                                        weakest = Some((p, b, m));
                                    }
                                }
                                let (id_score, id_basis) = weakest.map_or((1.0, Basis::Inn), |(p, b, _)| (p, b));
                                score = score.min(id_score);
                                let registry_name = weakest
                                    .map(|(_, _, m)| ctx.mentions.list[m as usize].display_name(data))
                                    .filter(|n| !n.is_empty() && *n != linked_name);
                                let mut person_label = if member.kinship.is_some() {
                                    linked_name.clone()
                                } else {
                                    "".into()
                                };
                                if let Some(rn) = registry_name {
                                    let sep = if person_label.is_empty() { "" } else { " " };
                                    person_label.push_str(&format!("{sep}(в реестре «{rn}»)"));
                                }
                                let is_registry_source = |m: MentionId| {
                                    matches!(ctx.mentions.list[m as usize].source, MentionSource::Role(_) | MentionSource::Entrepreneur(_))
                                };
                                let basis_note = weakest
                                    .filter(|(_, _, m)| is_registry_source(*m))
                                    .map(|_| format!("совпадение: {}, {:.2}", id_basis.russian(), id_score));
                                if !person_label.is_empty() || basis_note.is_some() {
                                    let label = match (&basis_note, person_label.is_empty()) {
                                        (Some(n), true) => format!("[{n}]"),
                                        (Some(n), false) => format!("{person_label} [{n}]"),
                                        (None, _) => person_label,
                                    };
                                    steps.push(Step {
                                        kind: "person",
                                        label,
                                        id: ctx.mentions.list[linked_mention as usize].inn.clone(),
                                        score: basis_note.as_ref().map(|_| round_score(id_score)),
                                        basis: basis_note.as_ref().map(|_| id_basis.code()),
                                    });
                                }
                                for s in link_steps(g, c, &company_label) {
                                    steps.push(Step {
                                        kind: "role",
                                        label: s,
                                        id: None,
                                        score: None,
                                        basis: None,
                                    });
                                }
                                steps.push(Step {
                                    kind: "company",
                                    label: company_label.clone(),
                                    id: Some(bid.participant_inn.clone()),
                                    score: None,
                                    basis: None,
                                });
                                steps.push(Step {
                                    kind: "procurement",
                                    label: format!(
                                        "{} закупки {}",
                                        if bid.is_winner { "победитель" } else { "участник" },
                                        proc_.procurement_id
                                    ),
                                    id: Some(proc_.procurement_id.clone()),
                                    score: None,
                                    basis: None,
                                });
                                let evidence = steps
                                    .iter()
                                    .filter(|s| !s.label.is_empty())
                                    .map(|s| s.label.as_str())
                                    .collect::<Vec<_>>()
                                    .join(" -> ");
                                let score = round_score(score);
                                let case = Case {
                                    case_id: case_id(CODE, &proc_.procurement_id, &official.official_id, &bid.participant_inn),
                                    rule: CODE,
                                    severity: if bid.is_winner { Severity::High } else { Severity::Medium },
                                    score,
                                    procurement_id: proc_.procurement_id.clone(),
                                    customer_inn: proc_.customer_inn.clone(),
                                    official_id: official.official_id.clone(),
                                    official_name: official.full_name.clone(),
                                    official_role: seat_role(seat.role),
                                    relation: relation_code,
                                    linked_person: linked_name,
                                    participant_inn: bid.participant_inn.clone(),
                                    participant_name: if bid.participant_name.is_empty() {
                                        company_label.clone()
                                    } else {
                                        bid.participant_name.clone()
                                    },
                                    participant_link: link_text(g, c),
                                    is_winner: bid.is_winner,
                                    contract_price: bid.contract_price,
                                    legal_basis: LEGAL_BASIS,
                                    evidence,
                                    chain: steps,
                                };
                                let order = (member.kinship.map_or(0, |k| k as u8 + 1), control_order(c));
                                let key = (official.official_id.clone(), bid.participant_inn.clone());
                                let better = best.get(&key).is_none_or(|b| {
                                    score > b.score || (score == b.score && order < b.order)
                                });
                                if better {
                                    best.insert(key, Candidate { score, order, case });
                                }
                            }
                        }
                    }
                }
                best.into_values().map(|c| c.case).collect::<Vec<_>>().into_iter()
            })
            .collect();
        cases.sort_by(|a, b| a.case_id.cmp(&b.case_id));
        cases
    }
}

fn seat_role(r: SeatRole) -> &'static str {
    r.code()
}
