//! Stage 4: the affiliation graph. Nodes are persons, companies and procurements (integer
//! ids only); edges are kinship, roles in companies and holdings. Commission seats and bids are
//! per-procurement indexes beside it, and edges too only in a graph built for an export.

pub mod ownership;

use rustc_hash::FxHashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

pub use ownership::{beneficial_owners, Chain, Holding};

use crate::model::{CompanyRoleKind, Dataset, Date, Kinship, Sym};
use crate::normalize::{MentionId, Mentions};
use crate::resolve::{Groups, PersonId, Resolution};

/// Index of a company in [`AffilGraph::companies`].
pub type CompanyId = u32;

/// A node of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A resolved person.
    Person(PersonId),
    /// A company or an individual entrepreneur's business, by INN.
    Company(CompanyId),
    /// A procurement (index into `Dataset::procurements`).
    Procurement(u32),
}

/// A [`Node`] as the graph keeps it: four bytes, the kind in the top two bits (30 million
/// nodes at national scale; a node was 16 bytes with an 8-byte [`Node`], 12 with this).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PackedNode(u32);

impl PackedNode {
    const KIND_SHIFT: u32 = 30;
    const ID: u32 = (1 << Self::KIND_SHIFT) - 1;

    /// The node.
    pub fn get(self) -> Node {
        let id = self.0 & Self::ID;
        match self.0 >> Self::KIND_SHIFT {
            0 => Node::Person(id),
            1 => Node::Company(id),
            _ => Node::Procurement(id),
        }
    }
}

impl From<Node> for PackedNode {
    fn from(n: Node) -> PackedNode {
        let (kind, id) = match n {
            Node::Person(id) => (0, id),
            Node::Company(id) => (1, id),
            Node::Procurement(id) => (2, id),
        };
        assert!(id <= Self::ID, "over 2^30 nodes of one kind");
        PackedNode(kind << Self::KIND_SHIFT | id)
    }
}

impl std::fmt::Debug for PackedNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// An edge of the graph: eight bytes (21 million edges at national scale).
#[derive(Clone, Debug, PartialEq)]
pub enum Edge {
    /// Official -> relative: the relative's relation to the official (relatives.csv row).
    Kin {
        /// The relation of the target to the source.
        kinship: Kinship,
        /// Row of relatives.csv.
        relative: u32,
    },
    /// Person -> company: director, founder, beneficiary or board member (company_roles row).
    Role {
        /// Row of company_roles.csv.
        role: u32,
    },
    /// Company -> company: the source holds a share of the target (company_roles row).
    Holds {
        /// Row of company_roles.csv.
        role: u32,
    },
    /// Company -> company: the source is the target's managing company (company_roles row).
    Manages {
        /// Row of company_roles.csv.
        role: u32,
    },
    /// Person -> the business they run as an individual entrepreneur.
    Entrepreneur,
    /// Person -> procurement: a customer-side seat (one edge per official the seat resolves
    /// to: the edge's person tells which).
    Seat {
        /// Row of commissions.csv.
        seat: u32,
    },
    /// Company -> procurement: a bid (participants.csv row).
    Bid {
        /// Row of participants.csv.
        participant: u32,
    },
}

/// A company known to the graph.
#[derive(Clone, Debug)]
pub struct CompanyInfo {
    /// INN as the files give it.
    pub inn: crate::model::Inn,
    /// Name from companies.csv, else from a bid.
    pub name: Sym,
}

/// A bid as the rules read it: its participants.csv row and the company that made it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BidRef {
    /// Row of participants.csv.
    pub participant: u32,
    /// The bidder.
    pub company: CompanyId,
}

/// The affiliation graph and its indexes. A procurement's bids and seats are read from
/// [`AffilGraph::bids`] and [`AffilGraph::seats`]; they are edges of `g` as well only when
/// built for an export ([`build_for_export`]): at national scale those 38 million edges took
/// a gigabyte that the two indexes hold in a sixth of it.
pub struct AffilGraph {
    /// The graph.
    pub g: DiGraph<PackedNode, Edge, u32>,
    /// Companies by id.
    pub companies: Vec<CompanyInfo>,
    /// Node of each company.
    pub company_node: Vec<NodeIndex>,
    /// Company id by INN.
    pub company_by_inn: FxHashMap<crate::model::Inn, CompanyId>,
    /// Node of each procurement.
    pub procurement_node: Vec<NodeIndex>,
    /// Each procurement's bids, in participants.csv order.
    pub bids: Groups<BidRef>,
    /// Each procurement's seats: rows of commissions.csv, in file order.
    pub seats: Groups<u32>,
}

impl AffilGraph {
    /// Node of a person: the persons are the graph's first nodes, in order (no table of 21
    /// million node indices at national scale).
    pub fn person_node(&self, p: PersonId) -> NodeIndex {
        debug_assert!(
            matches!(self.g.node_weight(NodeIndex::new(p as usize)).map(|w| w.get()), Some(Node::Person(q)) if q == p)
        );
        NodeIndex::new(p as usize)
    }

    fn company(&mut self, inn: crate::model::Inn, name: Sym) -> CompanyId {
        if let Some(&c) = self.company_by_inn.get(&inn) {
            if self.companies[c as usize].name.is_empty() && !name.is_empty() {
                self.companies[c as usize].name = name;
            }
            return c;
        }
        let id = self.companies.len() as CompanyId;
        self.companies.push(CompanyInfo { inn, name });
        self.company_node
            .push(self.g.add_node(Node::Company(id).into()));
        self.company_by_inn.insert(inn, id);
        id
    }

    /// Name of a company, or its INN when no name is known.
    pub fn company_label(&self, c: CompanyId) -> String {
        let info = &self.companies[c as usize];
        if info.name.is_empty() {
            format!("ИНН {}", info.inn)
        } else {
            info.name.to_string()
        }
    }

    /// Node of a company.
    pub fn company_node(&self, c: CompanyId) -> NodeIndex {
        self.company_node[c as usize]
    }

    /// What a node stands for.
    pub fn node(&self, n: NodeIndex) -> Node {
        self.g[n].get()
    }

    /// The company behind a node, if it is one.
    pub fn as_company(&self, n: NodeIndex) -> Option<CompanyId> {
        match self.node(n) {
            Node::Company(c) => Some(c),
            _ => None,
        }
    }

    /// The person behind a node, if it is one.
    pub fn as_person(&self, n: NodeIndex) -> Option<PersonId> {
        match self.node(n) {
            Node::Person(p) => Some(p),
            _ => None,
        }
    }
}

/// Builds the graph from the dataset, its mentions and their resolution, for the rules: bids
/// and seats in the per-procurement indexes only.
pub fn build(data: &Dataset, mentions: &Mentions, res: &Resolution) -> AffilGraph {
    build_with(data, mentions, res, false)
}

/// [`build`], with bids and seats as edges of the graph too (procurement nodes' incoming
/// edges), for the exports that write the whole graph.
pub fn build_for_export(data: &Dataset, mentions: &Mentions, res: &Resolution) -> AffilGraph {
    build_with(data, mentions, res, true)
}

/// Long on purpose: one loop per kind of node and edge (persons, companies, procurements,
/// kinship, roles, bids, entrepreneurs, seats), in the order the indices they use are made.
fn build_with(
    data: &Dataset,
    mentions: &Mentions,
    res: &Resolution,
    procurement_edges: bool,
) -> AffilGraph {
    let procurement_edge_count = if procurement_edges {
        data.participants.len() + res.seat_match_count(data)
    } else {
        0
    };
    let mut ag = AffilGraph {
        // Room for every node and edge up front: growing millions of edges copies them each time.
        g: DiGraph::with_capacity(
            res.persons + data.companies.len() + data.procurements.len(),
            data.relatives.len()
                + data.roles.len()
                + mentions.of_entrepreneur.len()
                + procurement_edge_count,
        ),
        companies: Vec::with_capacity(data.companies.len()),
        company_node: Vec::with_capacity(data.companies.len()),
        company_by_inn: FxHashMap::default(),
        procurement_node: Vec::with_capacity(data.procurements.len()),
        bids: Groups::default(),
        seats: Groups::by_owner(data.procurements.len(), || {
            data.seats
                .iter()
                .enumerate()
                .map(|(i, s)| (s.procurement, i as u32))
        }),
    };
    // Persons first, in order: person `p` is node `p` (see `person_node`).
    for p in 0..res.persons as PersonId {
        ag.g.add_node(Node::Person(p).into());
    }
    let person_of = |m: MentionId| res.person_of[m as usize];
    for c in &data.companies {
        ag.company(c.inn, c.name);
    }
    for i in 0..data.procurements.len() as u32 {
        ag.procurement_node
            .push(ag.g.add_node(Node::Procurement(i).into()));
    }
    // Kinship: the official's person -> the relative's person.
    for (i, r) in data.relatives.iter().enumerate() {
        let Some(official) = mentions.list[mentions.of_relative[i] as usize].family.get() else {
            continue;
        };
        let from = ag.person_node(person_of(mentions.of_official[official as usize]));
        let to = ag.person_node(person_of(mentions.of_relative[i]));
        ag.g.add_edge(
            from,
            to,
            Edge::Kin {
                kinship: r.kinship,
                relative: i as u32,
            },
        );
    }
    for (i, role) in data.roles.iter().enumerate() {
        let company = ag.company(role.company_inn, Sym::default());
        let target = ag.company_node(company);
        if let Some(m) = mentions.of_role[i].get() {
            let from = ag.person_node(person_of(m));
            ag.g.add_edge(from, target, Edge::Role { role: i as u32 });
        } else if let Some(holder) = &role.holder_inn {
            let h = ag.company(*holder, Sym::default());
            let from = ag.company_node(h);
            let edge = match role.role {
                CompanyRoleKind::ManagingCompany => Edge::Manages { role: i as u32 },
                _ => Edge::Holds { role: i as u32 },
            };
            ag.g.add_edge(from, target, edge);
        }
    }
    let mut bidder = Vec::with_capacity(data.participants.len());
    for (i, b) in data.participants.iter().enumerate() {
        let c = ag.company(b.participant_inn, b.participant_name);
        bidder.push(c);
        if procurement_edges {
            let pnode = ag.procurement_node[b.procurement as usize];
            ag.g.add_edge(
                ag.company_node(c),
                pnode,
                Edge::Bid {
                    participant: i as u32,
                },
            );
        }
    }
    ag.bids = Groups::by_owner(data.procurements.len(), || {
        data.participants.iter().enumerate().map(|(i, b)| {
            let bid = BidRef {
                participant: i as u32,
                company: bidder[i],
            };
            (b.procurement, bid)
        })
    });
    drop(bidder);
    let mut entrepreneurs: Vec<(&crate::model::Inn, &MentionId)> =
        mentions.of_entrepreneur.iter().collect();
    entrepreneurs.sort();
    for (inn, &m) in entrepreneurs {
        let c = ag.company_by_inn[inn];
        let from = ag.person_node(person_of(m));
        ag.g.add_edge(from, ag.company_node(c), Edge::Entrepreneur);
    }
    if procurement_edges {
        add_seat_edges(&mut ag, data, mentions, res);
    }
    ag
}

/// Seats as edges: the seated official's person -> the procurement, one per match.
fn add_seat_edges(ag: &mut AffilGraph, data: &Dataset, mentions: &Mentions, res: &Resolution) {
    for (i, seat) in data.seats.iter().enumerate() {
        let pnode = ag.procurement_node[seat.procurement as usize];
        for matched in res.seat_matches(data, i) {
            let person = res.person_of[mentions.of_official[matched.official as usize] as usize];
            ag.g.add_edge(ag.person_node(person), pnode, Edge::Seat { seat: i as u32 });
        }
    }
}

/// A person's relatives: (relative person, relation of that person to `person`, relatives row).
/// Kinship recorded in either direction is used, inverted where needed.
pub fn kin_of(ag: &AffilGraph, person: PersonId) -> Vec<(PersonId, Kinship, u32)> {
    kin_edges(ag, person)
        .into_iter()
        .map(|(p, k, r, _)| (p, k, r))
        .collect()
}

/// [`kin_of`] with, for each relation, whether `person` declared it (an outgoing kin edge) or
/// the relative did.
pub fn kin_edges(ag: &AffilGraph, person: PersonId) -> Vec<(PersonId, Kinship, u32, bool)> {
    let node = ag.person_node(person);
    let mut out = Vec::new();
    for e in ag.g.edges_directed(node, Direction::Outgoing) {
        if let Edge::Kin { kinship, relative } = e.weight() {
            if let Some(p) = ag.as_person(e.target()) {
                out.push((p, *kinship, *relative, true));
            }
        }
    }
    for e in ag.g.edges_directed(node, Direction::Incoming) {
        if let Edge::Kin { kinship, relative } = e.weight() {
            if let Some(p) = ag.as_person(e.source()) {
                out.push((p, kinship.inverse(), *relative, false));
            }
        }
    }
    out.retain(|(p, _, _, _)| *p != person);
    out.sort_by_key(|(p, k, r, d)| (*p, *k, *r, !*d));
    out
}

/// One way a person controls a company on a date, before any legal threshold.
#[derive(Clone, Debug)]
pub struct Control {
    /// The person.
    pub person: PersonId,
    /// How.
    pub kind: ControlKind,
    /// The registry mentions of the person this rests on.
    pub mentions: Vec<MentionId>,
}

/// Kinds of [`Control`].
#[derive(Clone, Debug)]
pub enum ControlKind {
    /// The participant is this person's individual business.
    Entrepreneur,
    /// Director (sole executive body).
    Director,
    /// Member of the collegial executive body.
    BoardMember,
    /// Director of the managing company.
    ManagingHead {
        /// The managing company.
        manager: CompanyId,
    },
    /// Beneficial ownership: direct and through chains of companies.
    Owner(Holding),
    /// Beneficiary as the registry reports it; `None` when the share is blank.
    RegistryBeneficiary(Option<crate::values::Share>),
}

/// Everyone [`controls`] could name for `company` on `date`, found without the share arithmetic:
/// calls `f(person, registry mention)` for each person with a role in the company or in any
/// company holding it (directly or up a chain), the directors of its managing companies, and the
/// entrepreneur; `f` returns `true` to stop. Returns whether it stopped. A cheap test that lets
/// the rule skip the exact ownership of the many bidders no official is near.
pub fn any_upstream_person(
    ag: &AffilGraph,
    data: &Dataset,
    mentions: &Mentions,
    company: CompanyId,
    date: Option<Date>,
    mut f: impl FnMut(PersonId, Option<MentionId>) -> bool,
) -> bool {
    // Most chains are a company or two: the list itself tells which were seen, and a set is
    // built only for a long one (this runs for every bid).
    const LONG: usize = 32;
    let mut seen: smallvec::SmallVec<[CompanyId; 8]> = smallvec::smallvec![company];
    let mut visited: Option<rustc_hash::FxHashSet<CompanyId>> = None;
    let mut next = 0;
    while next < seen.len() {
        let c = seen[next];
        next += 1;
        for e in ag.g.edges_directed(ag.company_node(c), Direction::Incoming) {
            match e.weight() {
                Edge::Entrepreneur => {
                    if let Some(p) = ag.as_person(e.source()) {
                        let m = mentions
                            .of_entrepreneur
                            .get(&ag.companies[c as usize].inn)
                            .copied();
                        if f(p, m) {
                            return true;
                        }
                    }
                }
                Edge::Role { role } if data.roles[*role as usize].active_on(date) => {
                    if let Some(p) = ag.as_person(e.source()) {
                        if f(p, mentions.of_role[*role as usize].get()) {
                            return true;
                        }
                    }
                }
                Edge::Holds { role } if data.roles[*role as usize].active_on(date) => {
                    if let Some(h) = ag.as_company(e.source()) {
                        let new = match &mut visited {
                            Some(set) => set.insert(h),
                            None if seen.len() < LONG => !seen.contains(&h),
                            None => {
                                let set = visited.insert(seen.iter().copied().collect());
                                set.insert(h)
                            }
                        };
                        if new {
                            seen.push(h);
                        }
                    }
                }
                Edge::Manages { role }
                    if c == company && data.roles[*role as usize].active_on(date) =>
                {
                    for me in ag.g.edges_directed(e.source(), Direction::Incoming) {
                        if let (Edge::Role { role: mrole }, Some(p)) =
                            (me.weight(), ag.as_person(me.source()))
                        {
                            if data.roles[*mrole as usize].active_on(date)
                                && f(p, mentions.of_role[*mrole as usize].get())
                            {
                                return true;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    false
}

/// Every person controlling `company` on `date` (roles outside their dates are left out).
pub fn controls(
    ag: &AffilGraph,
    data: &Dataset,
    mentions: &Mentions,
    company: CompanyId,
    date: Option<Date>,
) -> Vec<Control> {
    let node = ag.company_node(company);
    let mut out = Vec::new();
    for e in ag.g.edges_directed(node, Direction::Incoming) {
        match e.weight() {
            Edge::Entrepreneur => {
                if let Some(p) = ag.as_person(e.source()) {
                    let inn = &ag.companies[company as usize].inn;
                    out.push(Control {
                        person: p,
                        kind: ControlKind::Entrepreneur,
                        mentions: mentions
                            .of_entrepreneur
                            .get(inn)
                            .copied()
                            .into_iter()
                            .collect(),
                    });
                }
            }
            Edge::Role { role } => {
                let r = &data.roles[*role as usize];
                if !r.active_on(date) {
                    continue;
                }
                let Some(p) = ag.as_person(e.source()) else {
                    continue;
                };
                let m = mentions.of_role[*role as usize].get().into_iter().collect();
                let kind = match r.role {
                    CompanyRoleKind::Director => ControlKind::Director,
                    CompanyRoleKind::BoardMember => ControlKind::BoardMember,
                    CompanyRoleKind::Beneficiary => {
                        ControlKind::RegistryBeneficiary(data.share(r).cloned())
                    }
                    CompanyRoleKind::Founder | CompanyRoleKind::ManagingCompany => continue,
                };
                out.push(Control {
                    person: p,
                    kind,
                    mentions: m,
                });
            }
            Edge::Manages { role } => {
                if !data.roles[*role as usize].active_on(date) {
                    continue;
                }
                let Some(manager) = ag.as_company(e.source()) else {
                    continue;
                };
                for me in ag.g.edges_directed(e.source(), Direction::Incoming) {
                    let Edge::Role { role: mrole } = me.weight() else {
                        continue;
                    };
                    let r = &data.roles[*mrole as usize];
                    if r.role != CompanyRoleKind::Director || !r.active_on(date) {
                        continue;
                    }
                    if let Some(p) = ag.as_person(me.source()) {
                        out.push(Control {
                            person: p,
                            kind: ControlKind::ManagingHead { manager },
                            mentions: mentions.of_role[*mrole as usize]
                                .get()
                                .into_iter()
                                .collect(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    for h in beneficial_owners(ag, data, mentions, company, date).holdings {
        out.push(Control {
            person: h.person,
            mentions: h.mentions.clone(),
            kind: ControlKind::Owner(h),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_takes_twelve_bytes_and_an_edge_twenty_four() {
        assert_eq!(std::mem::size_of::<PackedNode>(), 4);
        assert_eq!(std::mem::size_of::<Edge>(), 8);
        assert_eq!(
            std::mem::size_of::<petgraph::graph::Node<PackedNode, u32>>(),
            12
        );
        assert_eq!(std::mem::size_of::<petgraph::graph::Edge<Edge, u32>>(), 24);
    }

    #[test]
    fn a_packed_node_reads_back_as_it_was() {
        let max = PackedNode::ID;
        for n in [0, 1, 7, max] {
            for node in [Node::Person(n), Node::Company(n), Node::Procurement(n)] {
                assert_eq!(PackedNode::from(node).get(), node);
            }
        }
        assert_ne!(
            PackedNode::from(Node::Person(3)),
            PackedNode::from(Node::Company(3))
        );
        assert!(std::panic::catch_unwind(|| PackedNode::from(Node::Company(max + 1))).is_err());
    }
}
