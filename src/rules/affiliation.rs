//! The shared search over procurements. For each procurement: the customer-side officials (the
//! seats of its commission, and the customer's own staff who hold no seat), the relatives of
//! each, and the persons who control each bidder; every (official's post, relative, control)
//! that meets is a hit, and [`classify`] says whether COI-44FZ, KIN-EXT or EMPLOYEE, if any,
//! it belongs to. One walk up each bidder's owners serves those three, BIDDERS
//! ([`super::bidders::groups`]) and UNDECLARED ([`super::undeclared::cases`]); it does only the
//! work of the rules selected ([`Wanted`]). The helpers those rules share with it are in
//! [`super::shared`], so that no rule file imports this one.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::resolve::Groups;

use super::{case_id, round_score, Case, Chain, Context, Step};
use super::{Matched, MinutesName, OfficialPost, Relation, Said};
use crate::graph::{any_upstream_person, controls, kin_edges, Control, ControlKind};
use crate::model::{Inn, Kinship, OptIndex, Participant, Procurement, RowRef};
use crate::normalize::name::same_but_case;
use crate::normalize::{MentionId, MentionSource};
use crate::resolve::{compare::sex_of, Basis, PersonId};

use super::bidders::CODE as BIDDERS;
use super::coi_44fz::CODE as COI;
use super::employee::CODE as EMPLOYEE;
use super::kin_ext::CODE as KIN_EXT;
use super::shared::{control_order, identity, identity_link, link_steps, link_text};
use super::shared::{over_ten_percent, qualifies};
use super::shared::{Post, Upstream};

/// The parts of [`scan`] the selected rules need: it does only their work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Wanted {
    /// COI-44FZ, KIN-EXT or EMPLOYEE: the officials' circles and the bidders' controls (the
    /// three together, since KIN-EXT yields to COI-44FZ and EMPLOYEE skips the seated).
    pub(super) officials: bool,
    /// BIDDERS: the bidders' walks compared with each other.
    pub(super) bidders: bool,
    /// UNDECLARED: the seated officials against the persons of the walks, and its prior.
    pub(super) undeclared: bool,
}

impl Wanted {
    /// Every part.
    pub(super) const ALL: Wanted = Wanted {
        officials: true,
        bidders: true,
        undeclared: true,
    };

    /// The parts the rules of `codes` need.
    pub(super) fn of<'a>(codes: impl IntoIterator<Item = &'a str>) -> Wanted {
        let mut w = Wanted {
            officials: false,
            bidders: false,
            undeclared: false,
        };
        for code in codes {
            match code {
                COI | KIN_EXT | EMPLOYEE => w.officials = true,
                BIDDERS => w.bidders = true,
                super::undeclared::CODE => w.undeclared = true,
                _ => {}
            }
        }
        w
    }

    /// Whether any part is wanted.
    pub(super) fn any(self) -> bool {
        self.officials || self.bidders || self.undeclared
    }

    /// Whether a part that reads the registry's contacts is wanted.
    pub(super) fn contacts(self) -> bool {
        self.bidders || self.undeclared
    }
}

/// A person in the official's circle: the official or a close relative.
struct Member {
    person: PersonId,
    /// `None` for the official themself.
    kinship: Option<Kinship>,
    /// The mention that names this person on the official's side.
    anchor: MentionId,
    /// When the official is the relative in someone else's questionnaire: that relative
    /// mention, which must be the official.
    /// (An [`OptIndex`]: a member in 16 bytes, not 20; 13.6 million of them nationally.)
    official_alias: OptIndex,
}

/// The official and the relatives any of the rules counts (kinship recorded in either
/// direction): close relatives (44-FZ), in-laws, step relations and former spouses (273-FZ).
fn circle(ctx: &Context, person: PersonId, official_mention: MentionId) -> Vec<Member> {
    let mut out = vec![Member {
        person,
        kinship: None,
        anchor: official_mention,
        official_alias: OptIndex::NONE,
    }];
    for (q, kinship, relrow, declared_by_official) in kin_edges(ctx.graph, person) {
        if !kinship.is_44fz_close() && !kinship.is_affinity() {
            continue;
        }
        let rel_mention = ctx.mentions.of_relative[relrow as usize];
        let (anchor, official_alias) = if declared_by_official {
            (rel_mention, None)
        } else {
            let owner = ctx.mentions.list[rel_mention as usize]
                .family
                .get()
                .unwrap_or(0);
            (ctx.mentions.of_official[owner as usize], Some(rel_mention))
        };
        out.push(Member {
            person: q,
            kinship: Some(kinship),
            anchor,
            official_alias: official_alias.into(),
        });
    }
    out
}

/// A founder's or beneficiary's share of 10% or less: below 44-FZ, a personal interest under
/// 273-FZ all the same.
fn small_share(c: &Control) -> bool {
    match &c.kind {
        ControlKind::Owner(h) => !over_ten_percent(&h.share) && !h.share_unknown,
        ControlKind::RegistryBeneficiary(Some(s)) => !over_ten_percent(s),
        _ => false,
    }
}

/// Where an official stands in a procurement.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// On its commission (or its customer's head, its contract manager).
    Seat,
    /// On the customer's staff, with no seat in it.
    Staff,
}

/// The rule a hit belongs to and the factor on its score, if any: COI-44FZ for a seat and a
/// close relative in a 44-FZ role; KIN-EXT for a seat and an in-law, step relative or former
/// spouse in such a role, or anyone of the circle with a small share; EMPLOYEE for the staff and
/// a close relative in a 44-FZ role.
fn classify(
    standing: Standing,
    kinship: Option<Kinship>,
    c: &Control,
) -> Option<(&'static str, f64)> {
    let close = kinship.is_none_or(Kinship::is_44fz_close);
    let affinity = kinship.is_some_and(Kinship::is_affinity);
    match standing {
        Standing::Seat if close => qualifies(c)
            .map(|f| (COI, f))
            .or_else(|| small_share(c).then_some((KIN_EXT, 1.0))),
        Standing::Seat if affinity => qualifies(c)
            .map(|f| (KIN_EXT, f))
            .or_else(|| small_share(c).then_some((KIN_EXT, 1.0))),
        Standing::Staff if close => qualifies(c).map(|f| (EMPLOYEE, f)),
        _ => None,
    }
}

impl Post {
    fn standing(&self) -> Standing {
        if self.seat.is_some() {
            Standing::Seat
        } else {
            Standing::Staff
        }
    }
}

/// Builds the case of one hit under rule `code`.
#[allow(clippy::too_many_arguments)]
fn build_case(
    ctx: &Context,
    code: &'static str,
    proc_: &Procurement,
    bid: &Parti<'_>,
    post: &Post,
    member: &Member,
    c: &Control,
    factor: f64,
) -> Case {
    let (data, g) = (ctx.data, ctx.graph);
    let info = super::info_of(code);
    let official = &data.officials[post.official as usize];
    let official_mention = ctx.mentions.of_official[post.official as usize];
    let (mut score, official_role, first) = official_step(ctx, post, factor);
    let mut steps = vec![first];
    if let Some(alias) = member.official_alias.get() {
        score = score.min(identity(ctx, official_mention, alias).0);
    }
    let anchor = &ctx.mentions.list[member.anchor as usize];
    let linked_name = anchor.display_name(data).into_owned();
    let (weakest, linked) = linked_steps(ctx, member, c, &linked_name);
    score = score.min(weakest);
    steps.extend(linked);
    steps.extend(link_steps(g, c));
    let company_label = g.company_label(bid.company);
    let p = bid.row;
    steps.extend(super::bid_steps(&company_label, p, proc_));
    // Every input row the case rests on, for the contradictions among them.
    let source = |m: MentionId| ctx.mentions.list[m as usize].source().row();
    let mut rows = vec![
        RowRef::Official(post.official),
        RowRef::Participant(bid.index),
        anchor.source().row(),
    ];
    rows.extend(member.official_alias.get().map(source));
    rows.extend(c.mentions.iter().map(|&m| source(m)));
    if let ControlKind::Owner(h) = &c.kind {
        rows.extend(h.chain_roles.iter().map(|&r| RowRef::Role(r)));
    }
    steps.extend(super::conflict_note(data, rows));
    Case {
        case_id: case_id(
            code,
            &proc_.procurement_id,
            &official.official_id(),
            &p.participant_inn.text(),
        ),
        rule: code,
        severity: info.severity(p.is_winner),
        score: round_score(score),
        procurement_id: proc_.procurement_id.to_string(),
        customer_inn: proc_.customer_inn.to_string(),
        official_id: official.official_id().to_string(),
        official_name: official.full_name().to_string(),
        official_role,
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
        contract_price: p.contract_price.get(),
        legal_basis: info.legal_basis,
        chain: Chain(steps),
        persons: chain_persons(ctx, post.person, member.anchor, c),
    }
}

/// The official's person, the linked person and the registry persons of the control.
fn chain_persons(
    ctx: &Context,
    official: PersonId,
    anchor: MentionId,
    c: &Control,
) -> Vec<PersonId> {
    let person = |m: MentionId| ctx.resolution.person_of[m as usize];
    let mut v = vec![official, person(anchor)];
    v.extend(c.mentions.iter().map(|&m| person(m)));
    v.sort_unstable();
    v.dedup();
    v
}

/// The official's step (their post: the seat and how the minutes named them, or a place on
/// the staff), the score the post gives the case, and the role code.
fn official_step(ctx: &Context, post: &Post, factor: f64) -> (f64, &'static str, Step) {
    let data = ctx.data;
    let official = &data.officials[post.official as usize];
    let (score, official_role, post_said) = match post.seat {
        Some((row, matched)) => {
            let seat_row = &data.seats[row as usize];
            let minutes = match (data.member_name(seat_row), seat_row.official.get()) {
                (Some(name), None) => Some(MinutesName {
                    name: name.to_string(),
                    candidates: matched.candidates as usize,
                }),
                _ => None,
            };
            let post = OfficialPost::Seat {
                role: seat_row.role,
                minutes,
            };
            (matched.score * factor, seat_row.role.code(), post)
        }
        None => {
            let post = OfficialPost::Staff {
                position: official.position.to_string(),
            };
            (factor, "employee", post)
        }
    };
    let first = Step {
        score: post
            .seat
            .and_then(|(_, m)| (m.score < 1.0).then_some(round_score(m.score))),
        basis: post.seat.and_then(|(_, m)| m.basis.map(Basis::code)),
        ..Step::new(Said::Official {
            name: official.full_name().to_string(),
            post: post_said,
        })
        .with_id(Some(official.official_id().to_string()))
    };
    (score, official_role, first)
}

/// The relation step and the linked person's (with the weakest registry record the control
/// rests on, compared with the person), and that record's probability (1 with none).
fn linked_steps(
    ctx: &Context,
    member: &Member,
    c: &Control,
    linked_name: &str,
) -> (f64, Vec<Step>) {
    let data = ctx.data;
    let anchor = &ctx.mentions.list[member.anchor as usize];
    let mut steps = Vec::new();
    let sex = sex_of(anchor);
    // An in-law's word says whose parent or sibling (тёща or свекровь): the questionnaire's
    // own word is kept where the official wrote it.
    let relation = match (member.kinship, member.official_alias.get(), anchor.source()) {
        (Some(k), None, MentionSource::Relative(r)) if k.is_affinity() => Relation::Written {
            word: data.relatives[r as usize].kinship_word.to_lowercase(),
            kinship: k,
            sex,
        },
        (Some(kinship), _, _) => Relation::Kin { kinship, sex },
        (None, _, _) => Relation::Itself,
    };
    steps.push(Step::new(Said::Relation(relation)));
    // The weakest of the registry records the link rests on, each compared with the anchor.
    let weakest = c
        .mentions
        .iter()
        .map(|&m| (identity_link(ctx, member.anchor, m), m))
        .min_by(|a, b| a.0 .0.total_cmp(&b.0 .0));
    if let Some(((p, basis, link), m)) = weakest {
        let registry = &ctx.mentions.list[m as usize];
        let registry_name = registry.display_name(data);
        let name = if member.kinship.is_some() {
            linked_name.to_owned()
        } else {
            String::new()
        };
        // A registry name that differs only in letter case (`ПЕТРОВ ИВАН`) says nothing more.
        let registry_name = (!registry_name.is_empty()
            && !same_but_case(&registry_name, linked_name))
        .then(|| registry_name.into_owned());
        let from_registry = matches!(
            registry.source(),
            MentionSource::Role(_) | MentionSource::Entrepreneur(_)
        );
        let matched = from_registry.then_some(Matched {
            basis,
            link,
            probability: p,
        });
        steps.push(Step {
            id: anchor.inn.as_ref().map(ToString::to_string),
            score: from_registry.then_some(round_score(p)),
            basis: from_registry.then_some(basis.code()),
            ..Step::new(Said::Person {
                name,
                registry: registry_name,
                matched,
            })
        });
    } else if member.kinship.is_some() {
        steps.push(Step::new(Said::Person {
            name: linked_name.to_owned(),
            registry: None,
            matched: None,
        }));
    }
    (weakest.map_or(1.0, |((p, _, _), _)| p), steps)
}

/// A bid: the participant company and its row.
struct Parti<'a> {
    company: u32,
    row: &'a Participant,
    /// Index of `row` in `Dataset::participants`.
    index: u32,
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

/// Circles of the officials the rules look at (on a commission, or on the staff of a customer
/// with procurements), by official index, empty for the others; stored flat: millions of
/// officials at national scale.
type Circles = Groups<Member>;

/// Every member of the circles of a list of posts, by person and by the mention naming them, as
/// (post, member) indices: flat lists sorted by person and by mention, each one's entries in
/// the order of the walk (maps of a small vector per member cost an allocation per member, for
/// every procurement).
#[derive(Default)]
struct Near {
    by_person: Vec<(PersonId, u32, u32)>,
    by_anchor: Vec<(MentionId, u32, u32)>,
}

/// The entries of `key` in a list sorted by key.
fn entries_of<K: Ord + Copy>(list: &[(K, u32, u32)], key: K) -> &[(K, u32, u32)] {
    let from = list.partition_point(|e| e.0 < key);
    let to = from + list[from..].partition_point(|e| e.0 == key);
    &list[from..to]
}

impl Near {
    /// The index of the circles of posts `first`, `first + 1`, ...
    fn of<'a>(first: u32, circles: impl Iterator<Item = &'a [Member]> + Clone) -> Near {
        let members: usize = circles.clone().map(<[Member]>::len).sum();
        let mut near = Near {
            by_person: Vec::with_capacity(members),
            by_anchor: Vec::with_capacity(members),
        };
        for (i, circle) in circles.enumerate() {
            for (mi, member) in circle.iter().enumerate() {
                let (post, at) = (first + i as u32, mi as u32);
                near.by_person.push((member.person, post, at));
                near.by_anchor.push((member.anchor, post, at));
            }
        }
        // Stable: one key's entries stay in the order of the walk.
        near.by_person.sort_by_key(|e| e.0);
        near.by_anchor.sort_by_key(|e| e.0);
        near
    }

    /// Whether a person (named in the registry by mention `m`) is a member of some circle: the
    /// same resolved person, or a registry record that the targeted comparison ties to the
    /// member's mention even though the whole-registry resolution kept them apart.
    fn has(&self, ties: &Ties, p: PersonId, m: Option<MentionId>) -> bool {
        !entries_of(&self.by_person, p).is_empty()
            || m.is_some_and(|m| {
                ties.anchors_of(m)
                    .any(|&a| !entries_of(&self.by_anchor, a).is_empty())
            })
    }

    /// The (post, member) pairs a control's person is, appended to `out`.
    fn hits(&self, ties: &Ties, c: &Control, out: &mut Vec<(u32, u32)>) {
        out.extend(
            entries_of(&self.by_person, c.person)
                .iter()
                .map(|e| (e.1, e.2)),
        );
        for &m in &c.mentions {
            for &anchor in ties.anchors_of(m) {
                out.extend(
                    entries_of(&self.by_anchor, anchor)
                        .iter()
                        .map(|e| (e.1, e.2)),
                );
            }
        }
    }
}

/// A customer's staff: its officials, and who is near them (posts numbered from 0).
struct Staff {
    officials: Vec<u32>,
    near: Near,
}

impl Staff {
    fn of(officials: Vec<u32>, circles: &Circles) -> Staff {
        let near = Near::of(0, officials.iter().map(|&o| circles.of(o as usize)));
        Staff { officials, near }
    }
}

/// All cases of one procurement: per rule, one per (official, participant). KIN-EXT gives way
/// to COI-44FZ for the same official and participant.
/// Long on purpose: the per-procurement walk in its order (the seats' circles, each bidder's
/// upstream persons, the hits and their cases, then BIDDERS and UNDECLARED on what the walk
/// met), whose locals each later step reads.
fn procurement_cases<'a>(
    ctx: &'a Context,
    wanted: Wanted,
    circles: &Circles,
    ties: &Ties,
    staff: &Staff,
    pi: usize,
) -> (Vec<Case>, super::undeclared::Found<'a>) {
    let (g, data) = (ctx.graph, ctx.data);
    let proc_ = &data.procurements[pi];
    let (mut posts, bids) = seats_and_bids(ctx, pi);
    // Officials to be near (the officials' rules, UNDECLARED), or bidders to be near each
    // other (BIDDERS).
    let officials_near = wanted.officials && !(posts.is_empty() && staff.officials.is_empty());
    let seated_near = wanted.undeclared && !posts.is_empty();
    let bidders_near = wanted.bidders && bids.len() >= 2;
    if bids.is_empty() || !(officials_near || seated_near || bidders_near) {
        return (Vec::new(), super::undeclared::Found::default());
    }
    posts.sort_by_key(|s| (s.person, s.seat.map(|s| s.0), s.official));
    let seated: Vec<u32> = {
        let mut v: Vec<u32> = posts.iter().map(|p| p.official).collect();
        v.sort_unstable();
        v
    };
    let seat_count = posts.len() as u32;
    // The staff follow the seats, numbered as in `staff`; those with a seat here are skipped.
    posts.extend(staff.officials.iter().map(|&o| Post {
        person: ctx.resolution.person_of[ctx.mentions.of_official[o as usize] as usize],
        official: o,
        seat: None,
    }));
    // Every seat's official has a circle: they are computed from the same seat matches.
    let circle_of = |p: &Post| circles.of(p.official as usize);
    let seats_near = if wanted.officials {
        Near::of(0, posts[..seat_count as usize].iter().map(circle_of))
    } else {
        Near::default()
    };
    let mut best: BTreeMap<(&'static str, String, String), Ranked> = BTreeMap::new();
    // Everyone each bidder's walk meets, for BIDDERS.
    let mut upstream: Vec<Upstream> = Vec::with_capacity(bids.len());
    for bid in &bids {
        // Most bidders have no one near the commission or the staff: skip their exact ownership.
        let mut met = Upstream::new();
        let mut near_anyone = false;
        any_upstream_person(
            g,
            data,
            ctx.mentions,
            bid.company,
            proc_.published,
            |p, m| {
                met.push((p, m));
                near_anyone = near_anyone
                    || wanted.officials
                        && (seats_near.has(ties, p, m) || staff.near.has(ties, p, m));
                false
            },
        );
        upstream.push(met);
        if !near_anyone {
            continue;
        }
        let ctrls = controls(g, data, ctx.mentions, bid.company, proc_.published);
        let near = Nearby {
            ties,
            seats: &seats_near,
            staff,
            seat_count,
            seated: &seated,
            posts: &posts,
        };
        for (si, mi, ci) in near.hits(&ctrls) {
            let post = &posts[si as usize];
            let member = &circle_of(post)[mi as usize];
            let c = &ctrls[ci as usize];
            let Some((code, factor)) = classify(post.standing(), member.kinship, c) else {
                continue;
            };
            let case = build_case(ctx, code, proc_, bid, post, member, c, factor);
            let order = (member.kinship.map_or(0, |k| k as u8 + 1), control_order(c));
            let key = (code, case.official_id.clone(), case.participant_inn.clone());
            let better = best
                .get(&key)
                .is_none_or(|(s, o, _)| case.score > *s || (case.score == *s && order < *o));
            if better {
                best.insert(key, (case.score, order, case));
            }
        }
    }
    let mut cases = without_yielding(best);
    let group_bids: Vec<(u32, &Participant)> = bids.iter().map(|b| (b.company, b.row)).collect();
    if bidders_near {
        cases.extend(super::bidders::groups(ctx, proc_, &group_bids, &upstream));
    }
    let found = if wanted.undeclared {
        super::undeclared::cases(
            ctx,
            proc_,
            &posts[..seat_count as usize],
            &group_bids,
            &upstream,
        )
    } else {
        super::undeclared::Found::default()
    };
    (cases, found)
}

/// The procurement's seats (each with its official's person and how the seat matched) and
/// bids, in [`Context::seat_matches`]'s order.
fn seats_and_bids<'a>(ctx: &'a Context, pi: usize) -> (Vec<Post>, Vec<Parti<'a>>) {
    let posts = ctx.seat_matches(pi).map(|(seat, matched)| {
        let mention = ctx.mentions.of_official[matched.official as usize];
        Post {
            person: ctx.resolution.person_of[mention as usize],
            official: matched.official,
            seat: Some((seat, matched)),
        }
    });
    let bids = ctx.bids(pi).map(|b| Parti {
        company: b.company,
        row: &ctx.data.participants[b.participant as usize],
        index: b.participant,
    });
    (posts.collect(), bids.collect())
}

/// Who is near a procurement's officials: the circles of its seats and of the customer's
/// staff, with the posts they belong to (the seats first, then the staff).
struct Nearby<'n> {
    ties: &'n Ties<'n>,
    seats: &'n Near,
    staff: &'n Staff,
    seat_count: u32,
    /// The seated officials, sorted: a staff member with a seat is met at the seat.
    seated: &'n [u32],
    posts: &'n [Post],
}

impl Nearby<'_> {
    /// The (post, circle member, control) triples that tie a bidder's controls to an
    /// official, in the order of the exhaustive walk, which decides ties between cases.
    fn hits(&self, ctrls: &[Control]) -> Vec<(u32, u32, u32)> {
        let mut hits: Vec<(u32, u32, u32)> = Vec::new();
        let mut near: Vec<(u32, u32)> = Vec::new();
        for (ci, c) in ctrls.iter().enumerate() {
            near.clear();
            self.seats.hits(self.ties, c, &mut near);
            let from = near.len();
            self.staff.near.hits(self.ties, c, &mut near);
            for at in &mut near[from..] {
                at.0 += self.seat_count;
            }
            near.retain(|&(post, _)| {
                post < self.seat_count
                    || self
                        .seated
                        .binary_search(&self.posts[post as usize].official)
                        .is_err()
            });
            near.sort_unstable();
            near.dedup();
            hits.extend(near.iter().map(|&(s, m)| (s, m, ci as u32)));
        }
        hits.sort_unstable();
        hits
    }
}

/// The best case of each (rule, official, participant), without those that give way to a case
/// of a rule they yield to (KIN-EXT to COI-44FZ) for the same official and participant.
fn without_yielding(mut best: BTreeMap<(&'static str, String, String), Ranked>) -> Vec<Case> {
    let yielding: Vec<(&'static str, String, String)> = best
        .keys()
        .filter(|(code, o, p)| {
            super::info_of(code)
                .yields_to
                .iter()
                .any(|y| best.contains_key(&(*y, o.clone(), p.clone())))
        })
        .cloned()
        .collect();
    for key in yielding {
        best.remove(&key);
    }
    best.into_values().map(|(_, _, c)| c).collect()
}

/// The circles of the officials `wanted`, empty for the others: each official's circle once,
/// however many procurements they are near. Counted, then built in parallel batches joined in
/// official order into a buffer of the exact size: no second copy of the circles is ever held.
fn circles_of(ctx: &Context, wanted: &[bool]) -> Circles {
    let officials = wanted.len();
    let circle_of = |o: usize| {
        let m = ctx.mentions.of_official[o];
        circle(ctx, ctx.resolution.person_of[m as usize], m)
    };
    let total: usize = (0..officials)
        .into_par_iter()
        .filter(|&o| wanted[o])
        .map(|o| circle_of(o).len())
        .sum();
    let mut circles = Circles::with_capacity(officials, total);
    const BATCH: usize = 1 << 18;
    for batch in (0..officials).step_by(BATCH) {
        let built: Vec<Vec<Member>> = (batch..(batch + BATCH).min(officials))
            .into_par_iter()
            .map(|o| if wanted[o] { circle_of(o) } else { Vec::new() })
            .collect();
        for circle in built {
            circles.push(circle);
        }
    }
    circles
}

/// The cases of the rules that share the pass (the three, BIDDERS and UNDECLARED), found in
/// one pass over the procurements, and UNDECLARED's prior estimated on its pairs.
pub(super) fn scan(
    ctx: &Context,
    parts: Wanted,
) -> (Vec<Case>, Option<super::undeclared::PriorEstimate>) {
    let data = ctx.data;
    // BIDDERS and UNDECLARED read the registry's contacts inside the parallel search: built
    // before it (by `super::run`; here again for a caller that did not).
    if parts.contacts() {
        ctx.contact_index();
    }
    // The staff of each customer with procurements, and the circles of the officials the
    // officials' rules look at (on a commission, or on such a staff): none for the other parts.
    let mut staff_of: FxHashMap<Inn, Vec<u32>> = FxHashMap::default();
    let circles = if parts.officials {
        for p in &data.procurements {
            staff_of.entry(p.customer_inn).or_default();
        }
        for (o, official) in data.officials.iter().enumerate() {
            if let Some(list) = official.employer_inn.and_then(|e| staff_of.get_mut(&e)) {
                list.push(o as u32);
            }
        }
        let mut wanted = ctx.resolution.sitting(ctx.data);
        for &o in staff_of.values().flatten() {
            wanted[o as usize] = true;
        }
        circles_of(ctx, &wanted)
    } else {
        Circles::default()
    };
    let ties = Ties(&ctx.resolution.ties);
    // The procurements of each customer together, so that its staff is indexed once.
    let mut by_customer: Vec<(Inn, u32)> = data
        .procurements
        .iter()
        .enumerate()
        .map(|(pi, p)| (p.customer_inn, pi as u32))
        .collect();
    by_customer.par_sort_unstable();
    let groups: Vec<&[(Inn, u32)]> = by_customer.chunk_by(|a, b| a.0 == b.0).collect();
    let per_group: Vec<(Vec<Case>, super::undeclared::Found)> = groups
        .into_par_iter()
        .map(|group| {
            let officials = staff_of.get(&group[0].0).cloned().unwrap_or_default();
            let staff = Staff::of(officials, &circles);
            let mut cases = Vec::new();
            let mut found = super::undeclared::Found::default();
            for &(_, pi) in group.iter() {
                crate::progress::inc(1);
                let (c, f) = procurement_cases(ctx, parts, &circles, &ties, &staff, pi as usize);
                cases.extend(c);
                found.candidates.extend(f.candidates);
                found.counts.add(&f.counts);
            }
            (cases, found)
        })
        .collect();
    // The circles (217 MB of members nationally) are not read again.
    drop(circles);
    drop(staff_of);
    crate::memory::give_back_freed_memory_here();
    // UNDECLARED's cases wait for its prior, which all the pairs give.
    let (undeclared, estimate) = if parts.undeclared {
        let mut counts = super::undeclared::PairCounts::default();
        for (_, f) in &per_group {
            counts.add(&f.counts);
        }
        let estimate = super::undeclared::estimate_prior(ctx, &counts);
        let candidates: Vec<&super::undeclared::Candidate> =
            per_group.iter().flat_map(|(_, f)| &f.candidates).collect();
        let undeclared = super::undeclared::finish(ctx, &candidates, estimate.prior);
        (undeclared, Some(estimate))
    } else {
        (Vec::new(), None)
    };
    let mut cases: Vec<Case> = Vec::new();
    for (c, _) in per_group {
        cases.extend(c);
    }
    cases.extend(undeclared);
    (cases, estimate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_member_takes_sixteen_bytes_its_alias_read_back() {
        // 13.6 million members of the national circles.
        assert_eq!(std::mem::size_of::<Member>(), 16);
        let m = Member {
            person: 1,
            kinship: None,
            anchor: 2,
            official_alias: Some(7).into(),
        };
        assert_eq!(m.official_alias.get(), Some(7));
    }
}
