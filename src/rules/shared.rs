//! What several rules build their cases from: the post an official holds in a procurement,
//! the persons each bidder's walk meets, which controls of a company count under 44-FZ and in
//! what order, their evidence steps and texts, and the direct comparison of two mentions.

use num_rational::BigRational;
use smallvec::SmallVec;

use super::{round_score, Context, OfficialPost, Role, RoleWord, Said, ShareSaid, Step};
use crate::graph::{AffilGraph, Control, ControlKind, Holding};
use crate::model::{Official, SeatRole};
use crate::normalize::MentionId;
use crate::resolve::{person_link, Basis, Link, PersonId, SeatMatch, TARGETED_PRIOR};
use crate::values::{share_percent_text, Share};

pub(super) fn over_ten_percent(s: &Share) -> bool {
    *s > BigRational::new(1.into(), 10.into())
}

/// Whether a control counts under 44-FZ, and the factor it puts on the score.
pub(super) fn qualifies(c: &Control) -> Option<f64> {
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
pub(super) fn link_text(g: &AffilGraph, c: &Control) -> String {
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

/// Evidence steps from the linked person to (not including) the participant.
pub(super) fn link_steps(g: &AffilGraph, c: &Control) -> Vec<Step> {
    let company = |c: u32| {
        Step::new(Said::Company(g.company_label(c)))
            .with_id(Some(g.companies[c as usize].inn.to_string()))
    };
    let role = |what: RoleWord, share: ShareSaid| {
        Step::new(Said::Role(Role {
            what,
            share,
            of: None,
        }))
    };
    let plain = |what: RoleWord| Step::new(Said::Role(Role::plain(what)));
    match &c.kind {
        ControlKind::Entrepreneur => vec![plain(RoleWord::Entrepreneur)],
        ControlKind::Director => vec![plain(RoleWord::Director)],
        ControlKind::BoardMember => vec![plain(RoleWord::ExecutiveBoardMember)],
        ControlKind::ManagingHead { manager } => vec![
            plain(RoleWord::Director),
            company(*manager),
            plain(RoleWord::ManagingCompany),
        ],
        ControlKind::Owner(h) if h.chains.is_empty() => match &h.direct {
            Some(d) => vec![role(RoleWord::Founder, ShareSaid::Held(d.clone()))],
            None => vec![role(RoleWord::Founder, ShareSaid::NotGiven)],
        },
        ControlKind::Owner(h) => {
            let ch = &h.chains[0];
            let mut v = vec![role(
                RoleWord::Founder,
                ShareSaid::Held(ch.person_share.clone()),
            )];
            for (i, (comp, s)) in ch.links.iter().enumerate() {
                v.push(company(*comp));
                let share = if i + 1 == ch.links.len() {
                    ShareSaid::Chain {
                        held: s.clone(),
                        total: h.share.clone(),
                        all_chains: h.chains.len() > 1 || h.direct.is_some(),
                    }
                } else {
                    ShareSaid::Held(s.clone())
                };
                v.push(role(RoleWord::Founder, share));
            }
            v
        }
        ControlKind::RegistryBeneficiary(Some(s)) => {
            vec![role(
                RoleWord::Beneficiary,
                ShareSaid::PerRegistry(s.clone()),
            )]
        }
        ControlKind::RegistryBeneficiary(None) => {
            vec![role(RoleWord::Beneficiary, ShareSaid::NotGiven)]
        }
    }
}

/// The first step of a chain from a seated official whose seat matched them with
/// `seat_score` (said when under 1).
pub(super) fn seat_step(official: &Official, role: SeatRole, seat_score: f64) -> Step {
    Step {
        score: (seat_score < 1.0).then_some(round_score(seat_score)),
        ..Step::new(Said::Official {
            name: official.full_name().to_string(),
            post: OfficialPost::Seat {
                role,
                minutes: None,
            },
        })
        .with_id(Some(official.official_id().to_string()))
    }
}

/// Preference among links of one (official, participant): closer relation, then stronger role.
pub(super) fn control_order(c: &Control) -> u8 {
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
pub(super) fn identity(ctx: &Context, a: MentionId, b: MentionId) -> (f64, Basis) {
    let (p, basis, _) = identity_link(ctx, a, b);
    (p, basis)
}

/// [`identity`] and the comparison it rests on (`None` for one mention, or two comparable
/// only through other mentions of the same person).
pub(super) fn identity_link(
    ctx: &Context,
    a: MentionId,
    b: MentionId,
) -> (f64, Basis, Option<Link>) {
    if a == b {
        return (1.0, Basis::Inn, None);
    }
    let list = &ctx.mentions.list;
    match person_link(
        &list[a as usize],
        &list[b as usize],
        TARGETED_PRIOR,
        Some(&ctx.resolution.tf),
    ) {
        Some(l) => (l.probability, l.basis, Some(l)),
        // Linked only through other mentions of the same person.
        None => (0.5, Basis::NameOnly, None),
    }
}

/// An official's post in a procurement: a seat (which row of commissions.csv, matched how), or
/// a place on the customer's staff.
pub(super) struct Post {
    /// The official's person.
    pub(super) person: PersonId,
    /// Index into `Dataset::officials`.
    pub(super) official: u32,
    /// The row of commissions.csv and how its name matched the official; `None` on the staff.
    pub(super) seat: Option<(u32, SeatMatch)>,
}

/// The persons a bidder's walk meets (see [`any_upstream_person`]), with the registry mention
/// naming each.
pub(super) type Upstream = SmallVec<[(PersonId, Option<MentionId>); 8]>;
