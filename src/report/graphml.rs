//! graph.graphml (`affil check --export graphml`): the affiliation graph for Gephi, yEd or
//! networkx. Nodes are persons, companies and procurements, typed (`kind`) and named
//! (`label`); edges are kinship, roles, holdings, management, entrepreneurs' businesses,
//! seats and bids, labelled. With `--cases-only`, only the persons, companies and procurements
//! the cases' chains pass through, and the edges among them.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::error::{Error, Result};
use crate::graph::{AffilGraph, Edge, Node};
use crate::pipeline::Analysis;
use crate::values::share_percent_text;

/// The attributes GraphML declares: (id, for, name, type).
const KEYS: [(&str, &str, &str, &str); 9] = [
    ("kind", "node", "kind", "string"),
    ("label", "node", "label", "string"),
    ("inn", "node", "inn", "string"),
    ("official_id", "node", "official_id", "string"),
    ("birth_date", "node", "birth_date", "string"),
    ("flagged", "node", "flagged", "boolean"),
    ("edge_kind", "edge", "kind", "string"),
    ("edge_label", "edge", "label", "string"),
    ("share", "edge", "share", "double"),
];

/// How many nodes and edges a graph file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GraphCounts {
    /// Nodes written.
    pub nodes: usize,
    /// Edges written.
    pub edges: usize,
}

/// Writes the graph (or, with `cases_only`, the part of it the cases pass through) to `path`.
pub fn write(path: &Path, a: &Analysis, g: &AffilGraph, cases_only: bool) -> Result<GraphCounts> {
    let flagged = flagged_nodes(a, g);
    let keep = |n: NodeIndex| !cases_only || flagged[n.index()];
    let names = person_facts(a);
    let fail = |e: std::io::Error| Error::write(path, e);
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut counts = GraphCounts::default();
    let mut head = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
    );
    for (id, on, name, ty) in KEYS {
        let _ = writeln!(
            head,
            "<key id=\"{id}\" for=\"{on}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    head.push_str("<graph id=\"affil\" edgedefault=\"directed\">\n");
    w.write_all(head.as_bytes()).map_err(fail)?;
    let mut line = String::new();
    for n in g.g.node_indices().filter(|&n| keep(n)) {
        line.clear();
        node_line(&mut line, a, g, &names, n, flagged[n.index()]);
        w.write_all(line.as_bytes()).map_err(fail)?;
        counts.nodes += 1;
    }
    for e in g.g.edge_references() {
        if !(keep(e.source()) && keep(e.target())) {
            continue;
        }
        line.clear();
        edge_line(
            &mut line,
            a,
            g,
            e.id().index(),
            (e.source(), e.target()),
            e.weight(),
        );
        w.write_all(line.as_bytes()).map_err(fail)?;
        counts.edges += 1;
    }
    w.write_all(b"</graph>\n</graphml>\n").map_err(fail)?;
    w.flush().map_err(fail)?;
    Ok(counts)
}

/// The nodes some case's chain passes through: its persons, the companies its steps name by
/// INN, and its procurement.
fn flagged_nodes(a: &Analysis, g: &AffilGraph) -> Vec<bool> {
    let mut flagged = vec![false; g.g.node_count()];
    let procurement: rustc_hash::FxHashMap<&str, u32> = a
        .data
        .procurements
        .iter()
        .enumerate()
        .map(|(i, p)| (p.procurement_id.as_str(), i as u32))
        .collect();
    for c in &a.cases {
        for &p in &c.persons {
            flagged[g.person_node(p).index()] = true;
        }
        for step in &c.chain {
            let Some(id) = &step.id else { continue };
            match step.kind() {
                "company" => {
                    let inn = crate::model::Inn::new(id);
                    if let Some(&co) = g.company_by_inn.get(&inn) {
                        flagged[g.company_node(co).index()] = true;
                    }
                }
                "procurement" => {
                    if let Some(&i) = procurement.get(id.as_str()) {
                        flagged[g.procurement_node[i as usize].index()] = true;
                    }
                }
                _ => {}
            }
        }
    }
    flagged
}

/// What the exports say of a person.
#[derive(Clone, Debug, Default)]
pub(super) struct PersonFacts {
    pub(super) name: String,
    pub(super) inn: String,
    pub(super) birth: Option<crate::model::BirthDate>,
    pub(super) official_id: String,
}

/// Each person's name, INN, birth date and official_id, from their first mention that gives
/// each (officials' mentions come first).
pub(super) fn person_facts(a: &Analysis) -> Vec<PersonFacts> {
    let mut out: Vec<PersonFacts> = vec![PersonFacts::default(); a.resolution.persons];
    let official_of: rustc_hash::FxHashMap<u32, u32> = a
        .mentions
        .of_official
        .iter()
        .enumerate()
        .map(|(o, &m)| (m, o as u32))
        .collect();
    for (m, mention) in a.mentions.list.iter().enumerate() {
        let slot = &mut out[a.resolution.person_of[m] as usize];
        if slot.name.is_empty() {
            slot.name = mention.display_name(&a.data).into_owned();
        }
        if slot.inn.is_empty() {
            if let Some(inn) = &mention.inn {
                slot.inn = inn.to_string();
            }
        }
        slot.birth = slot.birth.or(mention.birth);
        if slot.official_id.is_empty() {
            if let Some(&o) = official_of.get(&(m as u32)) {
                slot.official_id = a.data.officials[o as usize].official_id().to_string();
            }
        }
    }
    out
}

fn node_id(g: &AffilGraph, a: &Analysis, n: NodeIndex) -> String {
    match g.node(n) {
        Node::Person(p) => format!("p{p}"),
        Node::Company(c) => format!("c{}", g.companies[c as usize].inn),
        Node::Procurement(i) => format!("t{}", a.data.procurements[i as usize].procurement_id),
    }
}

fn node_line(
    o: &mut String,
    a: &Analysis,
    g: &AffilGraph,
    names: &[PersonFacts],
    n: NodeIndex,
    flagged: bool,
) {
    let id = node_id(g, a, n);
    let (kind, label, inn, official, birth) = match g.node(n) {
        Node::Person(p) => {
            let f = &names[p as usize];
            let birth = f.birth.map(|b| b.to_string()).unwrap_or_default();
            (
                "person",
                f.name.clone(),
                f.inn.clone(),
                f.official_id.as_str(),
                birth,
            )
        }
        Node::Company(c) => (
            "company",
            g.company_label(c),
            g.companies[c as usize].inn.to_string(),
            "",
            String::new(),
        ),
        Node::Procurement(i) => {
            let p = &a.data.procurements[i as usize];
            (
                "procurement",
                p.procurement_id.to_string(),
                String::new(),
                "",
                String::new(),
            )
        }
    };
    let _ = write!(
        o,
        "<node id=\"{}\"><data key=\"kind\">{kind}</data><data key=\"label\">{}</data>",
        escape(&id),
        escape(&label)
    );
    for (key, v) in [
        ("inn", inn.as_str()),
        ("official_id", official),
        ("birth_date", birth.as_str()),
    ] {
        if !v.is_empty() {
            let _ = write!(o, "<data key=\"{key}\">{}</data>", escape(v));
        }
    }
    let _ = writeln!(o, "<data key=\"flagged\">{flagged}</data></node>");
}

fn edge_line(
    o: &mut String,
    a: &Analysis,
    g: &AffilGraph,
    index: usize,
    (from, to): (NodeIndex, NodeIndex),
    edge: &Edge,
) {
    let data = &a.data;
    let role = |r: u32| {
        let role = &data.roles[r as usize];
        let share = data.share(role);
        let label = match share {
            Some(s) => format!("{} {}", role.role.code(), share_percent_text(s)),
            None => role.role.code().to_owned(),
        };
        (label, share.and_then(num_traits::ToPrimitive::to_f64))
    };
    let (kind, label, share) = match edge {
        Edge::Kin { kinship, .. } => ("kinship", kinship.code().to_owned(), None),
        Edge::Role { role: r } => {
            let (label, share) = role(*r);
            ("role", label, share)
        }
        Edge::Holds { role: r } => {
            let (label, share) = role(*r);
            ("holding", label, share)
        }
        Edge::Manages { .. } => ("manages", "managing_company".to_owned(), None),
        Edge::Entrepreneur => ("entrepreneur", "entrepreneur".to_owned(), None),
        Edge::Seat { seat, .. } => (
            "seat",
            data.seats[*seat as usize].role.code().to_owned(),
            None,
        ),
        Edge::Bid { participant } => {
            let won = data.participants[*participant as usize].is_winner;
            (
                "bid",
                if won { "winner" } else { "bidder" }.to_owned(),
                None,
            )
        }
    };
    let _ = write!(
        o,
        "<edge id=\"e{index}\" source=\"{}\" target=\"{}\"><data key=\"edge_kind\">{kind}</data><data key=\"edge_label\">{}</data>",
        escape(&node_id(g, a, from)),
        escape(&node_id(g, a, to)),
        escape(&label)
    );
    if let Some(s) = share {
        let _ = write!(o, "<data key=\"share\">{s}</data>");
    }
    o.push_str("</edge>\n");
}

/// Text for XML: escaped as the page escapes it ([`super::html::escape`]), without the control
/// characters XML 1.0 does not allow (a name from the input may hold one).
fn escape(s: &str) -> String {
    let allowed = |c: char| (c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r');
    if s.chars().all(allowed) {
        return super::html::escape(s);
    }
    super::html::escape(&s.chars().filter(|&c| allowed(c)).collect::<String>())
}
