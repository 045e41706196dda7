//! COI-44FZ: Federal Law 44-FZ art. 31 part 1 item 9. A customer-side official of a
//! procurement, or their spouse or close relative, is the participant, its director, board
//! member, head of its managing company, or a beneficiary of more than 10%.

use std::collections::BTreeMap;

use num_rational::BigRational;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::resolve::Groups;

use super::{case_id, round_score, Case, Context, Rule, Severity, Step};
use crate::graph::{
    any_upstream_person, controls, kin_edges, AffilGraph, Control, ControlKind, Edge, Holding, Node,
};
use crate::model::{Kinship, Participant, Procurement};
use crate::normalize::{MentionId, MentionSource};
use crate::resolve::{compare::sex_of, person_link, Basis, PersonId, SeatMatch, TARGETED_PRIOR};
use crate::values::{share_percent_text, Share};

/// The rule.
pub struct Coi44Fz;

const CODE: &str = "COI-44FZ";
const LEGAL_BASIS: &str = "44-ФЗ ст. 31 ч. 1 п. 9";

/// A person in the official's circle: the official or a close relative.
struct Member {
    person: PersonId,
    /// `None` for the official themself.
    kinship: Option<Kinship>,
    /// The mention that names this person on the official's side.
    anchor: MentionId,
    /// When the official is the relative in someone else's questionnaire: that relative
    /// mention, which must be the official.
    official_alias: Option<MentionId>,
}

/// The official and their close relatives (kinship recorded in either direction).
fn circle(ctx: &Context, person: PersonId, official_mention: MentionId) -> Vec<Member> {
    let mut out = vec![Member {
        person,
        kinship: None,
        anchor: official_mention,
        official_alias: None,
    }];
    for (q, kinship, relrow, declared_by_official) in kin_edges(ctx.graph, person) {
        if !kinship.is_44fz_close() {
            continue;
        }
        let rel_mention = ctx.mentions.of_relative[relrow as usize];
        let (anchor, official_alias) = if declared_by_official {
            (rel_mention, None)
        } else {
            let owner = ctx.mentions.list[rel_mention as usize].family.unwrap_or(0);
            (ctx.mentions.of_official[owner as usize], Some(rel_mention))
        };
        out.push(Member {
            person: q,
            kinship: Some(kinship),
            anchor,
            official_alias,
        });
    }
    out
}

fn over_ten_percent(s: &Share) -> bool {
    *s > BigRational::new(1.into(), 10.into())
}

/// Whether a control counts under the rule, and the factor it puts on the score.
fn qualifies(c: &Control) -> Option<f64> {
    match &c.kind {
        ControlKind::Entrepreneur
        | ControlKind::Director
        | ControlKind::BoardMember
        | ControlKind::ManagingHead { .. } => Some(1.0),
        ControlKind::Owner(h) if over_ten_percent(&h.share) => Some(1.0),
        // A co-founder with a blank share may hold more than 10%: flagged for review at half score.
        ControlKind::Owner(h) if h.share_unknown => Some(0.5),
        ControlKind::Owner(_) => None,
        ControlKind::RegistryBeneficiary(Some(s)) => over_ten_percent(s).then_some(1.0),
        ControlKind::RegistryBeneficiary(None) => Some(1.0),
    }
}

/// `ООО «Холдинг» -> ООО «Стройка» (50% x 30%)` for the largest chain.
fn chain_text(g: &AffilGraph, h: &Holding) -> String {
    let Some(ch) = h.chains.first() else {
        return String::new();
    };
    let names: Vec<String> = ch.links.iter().map(|(c, _)| g.company_label(*c)).collect();
    let shares: Vec<String> = std::iter::once(&ch.person_share)
        .chain(ch.links.iter().map(|(_, s)| s))
        .map(share_percent_text)
        .collect();
    let more = match h.chains.len() - 1 {
        0 => String::new(),
        n => format!(" and {n} more chain(s)"),
    };
    format!("{} ({}){more}", names.join(" -> "), shares.join(" x "))
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
            // A ring of more than 64 companies is solved in floating point: say so.
            let circ = match (h.circular, h.approximate) {
                (true, true) => " (circular holdings, share computed approximately)",
                (true, false) => " (circular holdings)",
                _ => "",
            };
            format!(
                "beneficiary {}{direct} via {}{circ}",
                share_percent_text(&h.share),
                chain_text(g, h)
            )
        }
        ControlKind::RegistryBeneficiary(Some(s)) => {
            format!("beneficiary {} (registry)", share_percent_text(s))
        }
        ControlKind::RegistryBeneficiary(None) => "beneficiary (share not stated)".into(),
    }
}

fn step(kind: &'static str, label: impl Into<String>) -> Step {
    Step {
        kind,
        label: label.into(),
        id: None,
        score: None,
        basis: None,
    }
}

/// Evidence steps from the linked person to (not including) the participant.
fn link_steps(g: &AffilGraph, c: &Control) -> Vec<Step> {
    let company = |c: u32| Step {
        id: Some(g.companies[c as usize].inn.to_string()),
        ..step("company", g.company_label(c))
    };
    match &c.kind {
        ControlKind::Entrepreneur => vec![step("role", "индивидуальный предприниматель")],
        ControlKind::Director => vec![step("role", "директор")],
        ControlKind::BoardMember => {
            vec![step("role", "член коллегиального исполнительного органа")]
        }
        ControlKind::ManagingHead { manager } => vec![
            step("role", "директор"),
            company(*manager),
            step("role", "управляющая организация"),
        ],
        ControlKind::Owner(h) if h.chains.is_empty() => match &h.direct {
            Some(d) => vec![step(
                "role",
                format!("учредитель {}", share_percent_text(d)),
            )],
            None => vec![step("role", "учредитель (доля не указана)")],
        },
        ControlKind::Owner(h) => {
            let ch = &h.chains[0];
            let mut v = vec![step(
                "role",
                format!("учредитель {}", share_percent_text(&ch.person_share)),
            )];
            for (i, (comp, s)) in ch.links.iter().enumerate() {
                v.push(company(*comp));
                let mut label = format!("учредитель {}", share_percent_text(s));
                if i + 1 == ch.links.len() {
                    let all = if h.chains.len() > 1 || h.direct.is_some() {
                        ", по всем цепочкам"
                    } else {
                        ""
                    };
                    label.push_str(&format!(" (итого {}{all})", share_percent_text(&h.share)));
                }
                v.push(step("role", label));
            }
            v
        }
        ControlKind::RegistryBeneficiary(Some(s)) => {
            vec![step(
                "role",
                format!("бенефициар {} (по реестру)", share_percent_text(s)),
            )]
        }
        ControlKind::RegistryBeneficiary(None) => {
            vec![step("role", "бенефициар (доля не указана)")]
        }
    }
}

/// Preference among links of one (official, participant): closer relation, then stronger role.
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

/// Direct comparison of two mentions in the context of one procurement: probability and basis.
fn identity(ctx: &Context, a: MentionId, b: MentionId) -> (f64, Basis) {
    if a == b {
        return (1.0, Basis::Inn);
    }
    let list = &ctx.mentions.list;
    match person_link(
        &list[a as usize],
        &list[b as usize],
        TARGETED_PRIOR,
        Some(&ctx.resolution.tf),
    ) {
        Some(l) => (l.probability, l.basis),
        // Linked only through other mentions of the same person.
        None => (0.5, Basis::NameOnly),
    }
}

/// A seat of the procurement: who sits, on which row of commissions.csv, matched how.
struct SeatRef<'a> {
    person: PersonId,
    row: u32,
    matched: &'a SeatMatch,
}

/// Builds the case for one qualifying control; returns it with its score.
fn build_case(
    ctx: &Context,
    proc_: &Procurement,
    bid: &Parti<'_>,
    seat: &SeatRef,
    member: &Member,
    c: &Control,
    factor: f64,
) -> Case {
    let (data, g) = (ctx.data, ctx.graph);
    let seat_row = &data.seats[seat.row as usize];
    let official = &data.officials[seat.matched.official as usize];
    let official_mention = ctx.mentions.of_official[seat.matched.official as usize];
    let mut score = seat.matched.score * factor;
    let mut label = format!("{} ({}", official.full_name, seat_row.role.russian());
    if let (Some(name), None) = (&seat_row.member_name, seat_row.official) {
        label.push_str(&format!(", в протоколе «{name}»"));
        if seat.matched.candidates > 1 {
            label.push_str(&format!(
                ", подходит к {} сотрудникам",
                seat.matched.candidates
            ));
        }
    }
    label.push(')');
    let mut steps = vec![Step {
        id: Some(official.official_id.to_string()),
        score: (seat.matched.score < 1.0).then_some(round_score(seat.matched.score)),
        basis: seat.matched.basis.map(Basis::code),
        ..step("person", label)
    }];
    if let Some(alias) = member.official_alias {
        score = score.min(identity(ctx, official_mention, alias).0);
    }
    let anchor = &ctx.mentions.list[member.anchor as usize];
    let linked_name = anchor.display_name(data).to_owned();
    steps.push(step(
        "relation",
        member
            .kinship
            .map_or("сам(а)", |k| k.russian(sex_of(anchor))),
    ));
    // The weakest of the registry records the link rests on, each compared with the anchor.
    let weakest = c
        .mentions
        .iter()
        .map(|&m| (identity(ctx, member.anchor, m), m))
        .min_by(|a, b| a.0 .0.total_cmp(&b.0 .0));
    if let Some(((p, basis), m)) = weakest {
        score = score.min(p);
        let registry = &ctx.mentions.list[m as usize];
        let registry_name = registry.display_name(data);
        let mut label = if member.kinship.is_some() {
            linked_name.clone()
        } else {
            String::new()
        };
        if !registry_name.is_empty() && registry_name != linked_name {
            let sep = if label.is_empty() { "" } else { " " };
            label.push_str(&format!("{sep}(в реестре «{registry_name}»)"));
        }
        let from_registry = matches!(
            registry.source,
            MentionSource::Role(_) | MentionSource::Entrepreneur(_)
        );
        if from_registry {
            let sep = if label.is_empty() { "" } else { " " };
            label.push_str(&format!("{sep}[совпадение: {}, {p:.2}]", basis.russian()));
        }
        steps.push(Step {
            id: anchor.inn.as_ref().map(ToString::to_string),
            score: from_registry.then_some(round_score(p)),
            basis: from_registry.then_some(basis.code()),
            ..step("person", label)
        });
    } else if member.kinship.is_some() {
        steps.push(step("person", linked_name.clone()));
    }
    steps.extend(link_steps(g, c));
    let company_label = g.company_label(bid.company);
    let p = bid.row;
    steps.push(Step {
        id: Some(p.participant_inn.to_string()),
        ..step("company", company_label.clone())
    });
    steps.push(Step {
        id: Some(proc_.procurement_id.to_string()),
        ..step(
            "procurement",
            format!(
                "{} закупки {}",
                if p.is_winner {
                    "победитель"
                } else {
                    "участник"
                },
                proc_.procurement_id
            ),
        )
    });
    let evidence = steps
        .iter()
        .filter(|s| !s.label.is_empty())
        .map(|s| s.label.as_str())
        .collect::<Vec<_>>()
        .join(" -> ");
    Case {
        case_id: case_id(
            CODE,
            &proc_.procurement_id,
            &official.official_id,
            &p.participant_inn.text(),
        ),
        rule: CODE,
        severity: if p.is_winner {
            Severity::High
        } else {
            Severity::Medium
        },
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: official.official_id.to_string(),
        official_name: official.full_name.to_string(),
        official_role: seat_row.role.code(),
        relation: member.kinship.map_or("self", Kinship::code),
        linked_person: linked_name,
        participant_inn: p.participant_inn.to_string(),
        participant_name: if p.participant_name.is_empty() {
            company_label
        } else {
            p.participant_name.to_string()
        },
        participant_link: link_text(g, c),
        is_winner: p.is_winner,
        contract_price: p.contract_price,
        legal_basis: LEGAL_BASIS,
        evidence,
        chain: steps,
    }
}

/// A bid: the participant company and its row.
struct Parti<'a> {
    company: u32,
    row: &'a Participant,
}

/// A case with what ranks it among the links of one (official, participant): score, then
/// closeness of the relation and strength of the role.
type Ranked = (f64, (u8, u8), Case);

/// Registry records tied by the targeted comparison to an official's or a relative's mention
/// (see [`crate::resolve::Resolution::ties`]): (registry mention, anchor mention) pairs, sorted.
struct Ties<'a>(&'a [(MentionId, MentionId)]);

impl Ties<'_> {
    /// The anchor mentions a registry mention is tied to.
    fn anchors_of(&self, registry: MentionId) -> impl Iterator<Item = &MentionId> {
        let from = self.0.partition_point(|(r, _)| *r < registry);
        self.0[from..]
            .iter()
            .take_while(move |(r, _)| *r == registry)
            .map(|(_, a)| a)
    }
}

/// Circles of the officials on commission seats, by official index (empty for an official on no
/// commission), stored flat: millions of officials at national scale.
type Circles = Groups<Member>;

/// All cases of one procurement, one per (official, participant).
fn procurement_cases(ctx: &Context, circles: &Circles, ties: &Ties, pi: usize) -> Vec<Case> {
    let (g, data) = (ctx.graph, ctx.data);
    let proc_ = &data.procurements[pi];
    let mut seats: Vec<SeatRef> = Vec::new();
    let mut bids: Vec<Parti> = Vec::new();
    for e in
        g.g.edges_directed(g.procurement_node[pi], Direction::Incoming)
    {
        match (e.weight(), g.g[e.source()]) {
            (Edge::Seat { seat, matched }, Node::Person(person)) => seats.push(SeatRef {
                person,
                row: *seat,
                matched: ctx.resolution.seats.item(*matched),
            }),
            (Edge::Bid { participant }, Node::Company(company)) => bids.push(Parti {
                company,
                row: &data.participants[*participant as usize],
            }),
            _ => {}
        }
    }
    if seats.is_empty() || bids.is_empty() {
        return Vec::new();
    }
    seats.sort_by_key(|s| (s.person, s.row, s.matched.official));
    bids.sort_by_key(|b| b.company);
    // Every seat's official has a circle: they are computed from the same seat matches.
    let circle_of = |s: &SeatRef| circles.of(s.matched.official as usize);
    // Every member of every seat's circle, indexed by person and by the mention naming them.
    // Sized once: grown entry by entry they rehashed several times per procurement.
    let members: usize = seats.iter().map(|s| circle_of(s).len()).sum();
    let mut by_person: FxHashMap<PersonId, Vec<(u32, u32)>> =
        FxHashMap::with_capacity_and_hasher(members, Default::default());
    let mut by_anchor: FxHashMap<MentionId, Vec<(u32, u32)>> =
        FxHashMap::with_capacity_and_hasher(members, Default::default());
    for (si, seat) in seats.iter().enumerate() {
        for (mi, member) in circle_of(seat).iter().enumerate() {
            let at = (si as u32, mi as u32);
            by_person.entry(member.person).or_default().push(at);
            by_anchor.entry(member.anchor).or_default().push(at);
        }
    }
    let mut best: BTreeMap<(String, String), Ranked> = BTreeMap::new();
    for bid in &bids {
        // Most bidders have no one near the commission: skip their exact ownership.
        let near_anyone = any_upstream_person(
            g,
            data,
            ctx.mentions,
            bid.company,
            proc_.published,
            |p, m| {
                by_person.contains_key(&p)
                    || m.is_some_and(|m| ties.anchors_of(m).any(|a| by_anchor.contains_key(a)))
            },
        );
        if !near_anyone {
            continue;
        }
        let ctrls = controls(g, data, ctx.mentions, bid.company, proc_.published);
        // (seat, member, control) triples that tie: the same resolved person, or a registry
        // record that the targeted comparison ties to the member's mention even though the
        // whole-registry resolution kept them apart.
        let mut hits: Vec<(u32, u32, u32)> = Vec::new();
        for (ci, c) in ctrls.iter().enumerate() {
            let ci = ci as u32;
            let mut near: Vec<(u32, u32)> = by_person.get(&c.person).cloned().unwrap_or_default();
            for &m in &c.mentions {
                for anchor in ties.anchors_of(m) {
                    near.extend(by_anchor.get(anchor).into_iter().flatten());
                }
            }
            near.sort_unstable();
            near.dedup();
            hits.extend(near.into_iter().map(|(s, m)| (s, m, ci)));
        }
        // The order of the exhaustive walk (seat, member, control) decides ties between cases.
        hits.sort_unstable();
        for (si, mi, ci) in hits {
            let seat = &seats[si as usize];
            let member = &circle_of(seat)[mi as usize];
            let c = &ctrls[ci as usize];
            let Some(factor) = qualifies(c) else { continue };
            let case = build_case(ctx, proc_, bid, seat, member, c, factor);
            let order = (member.kinship.map_or(0, |k| k as u8 + 1), control_order(c));
            let key = (case.official_id.clone(), case.participant_inn.clone());
            let better = best
                .get(&key)
                .is_none_or(|(s, o, _)| case.score > *s || (case.score == *s && order < *o));
            if better {
                best.insert(key, (case.score, order, case));
            }
        }
    }
    best.into_values().map(|(_, _, c)| c).collect()
}

impl Rule for Coi44Fz {
    fn code(&self) -> &'static str {
        CODE
    }

    fn description(&self) -> &'static str {
        "44-FZ art. 31 p.1 i.9: a customer-side official or a close relative is the participant, its director, board member, head of its managing company, or a beneficiary over 10%"
    }

    fn run(&self, ctx: &Context) -> Vec<Case> {
        // Each official's circle once, however many commissions they sit on.
        let officials = ctx.mentions.of_official.len();
        let sitting = ctx.resolution.sitting(officials);
        // Counted, then built in parallel batches joined in official order into a buffer of
        // the exact size: no second copy of the circles is ever held.
        let circle_of = |o: usize| {
            let m = ctx.mentions.of_official[o];
            circle(ctx, ctx.resolution.person_of[m as usize], m)
        };
        let total: usize = (0..officials)
            .into_par_iter()
            .filter(|&o| sitting[o])
            .map(|o| circle_of(o).len())
            .sum();
        let mut circles = Circles::with_capacity(officials, total);
        const BATCH: usize = 1 << 18;
        for batch in (0..officials).step_by(BATCH) {
            let parts: Vec<Vec<Member>> = (batch..(batch + BATCH).min(officials))
                .into_par_iter()
                .map(|o| if sitting[o] { circle_of(o) } else { Vec::new() })
                .collect();
            for circle in parts {
                circles.push(circle);
            }
        }
        drop(sitting);
        let ties = Ties(&ctx.resolution.ties);
        (0..ctx.data.procurements.len())
            .into_par_iter()
            .flat_map_iter(|pi| {
                crate::progress::inc(1);
                procurement_cases(ctx, &circles, &ties, pi)
            })
            .collect()
    }
}
