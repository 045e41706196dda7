//! Beneficial ownership by the Tax Code art. 105.2 method: multiply shares along each chain
//! of companies and add the chains up. Circular holdings are solved as the linear system
//! `(I - A) v = b` (the matrix method), exactly in rationals, so no walk goes round forever.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};
use petgraph::graph::DiGraph;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use super::{AffilGraph, CompanyId, Edge};
use crate::model::{CompanyRoleKind, Dataset, Date};
use crate::normalize::{MentionId, Mentions};
use crate::resolve::PersonId;
use crate::values::Share;

/// Circular blocks larger than this are solved in floating point (with a flag).
const EXACT_LIMIT: usize = 64;
/// At most this many chains are kept per holding for the explanation.
const MAX_CHAINS: usize = 8;

/// The rings of companies that hold each other (directly or through others, on any date) with
/// more than `EXACT_LIMIT` (64) companies: shares through them are solved in floating point, not
/// exactly. Their sizes, largest first.
pub fn large_holding_rings(data: &Dataset, ag: &AffilGraph) -> Vec<usize> {
    let index = &ag.company_by_inn;
    // Only companies that hold or are held by a company, numbered densely.
    let mut dense: FxHashMap<u32, u32> = FxHashMap::default();
    let mut id = |c: u32| {
        let next = dense.len() as u32;
        *dense.entry(c).or_insert(next)
    };
    let edges: Vec<(u32, u32)> = data
        .roles
        .iter()
        .filter_map(|r| {
            let holder = *index.get(&r.holder_inn?)?;
            Some((holder, *index.get(&r.company_inn)?))
        })
        .map(|(a, b)| (id(a), id(b)))
        .collect();
    if edges.len() <= EXACT_LIMIT {
        return Vec::new();
    }
    let g: DiGraph<(), (), u32> = DiGraph::from_edges(&edges);
    let mut sizes: Vec<usize> = petgraph::algo::tarjan_scc(&g)
        .into_iter()
        .map(|c| c.len())
        .filter(|&n| n > EXACT_LIMIT)
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// One chain from a person down to the company: the person's share of the first company,
/// then each company's share of the next.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The person's own share of the first company.
    pub person_share: Share,
    /// Each intermediate company and its share of the next one (the last: of the target).
    pub links: Vec<(CompanyId, Share)>,
    /// Product of all the shares.
    pub product: Share,
    /// The rows of company_roles.csv of each link (indices into `Dataset::roles`).
    pub roles: Vec<u32>,
}

/// A person's whole share of a company on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct Holding {
    /// The person.
    pub person: PersonId,
    /// Direct plus indirect share.
    pub share: Share,
    /// Direct share (founder of the company itself).
    pub direct: Option<Share>,
    /// Indirect chains, largest first (at most a few, for the explanation).
    pub chains: Vec<Chain>,
    /// Founder rows (mentions) the holding rests on.
    pub mentions: Vec<MentionId>,
    /// The company-to-company rows of every chain the holding rests on (indices into
    /// `Dataset::roles`), sorted: with `mentions`, every row its share is computed from.
    pub chain_roles: Vec<u32>,
    /// Some founder row had a blank share and was not the only founder.
    pub share_unknown: bool,
    /// Ownership passes through circular holdings.
    pub circular: bool,
    /// A circular block was too large for exact arithmetic.
    pub approximate: bool,
}

/// The result of [`beneficial_owners`].
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    /// One holding per person, in person order.
    pub holdings: Vec<Holding>,
}

struct Up {
    /// Local index -> company.
    companies: Vec<CompanyId>,
    /// holds[k] = (j, share, row): company k holds `share` of company j (company_roles row).
    holds: Vec<Vec<(usize, Share, u32)>>,
}

fn founder_count(ag: &AffilGraph, data: &Dataset, c: CompanyId, date: Option<Date>) -> usize {
    ag.g.edges_directed(ag.company_node(c), Direction::Incoming)
        .filter(|e| match e.weight() {
            Edge::Role { role } | Edge::Holds { role } => {
                let r = &data.roles[*role as usize];
                r.role == CompanyRoleKind::Founder && r.active_on(date)
            }
            _ => false,
        })
        .count()
}

/// A founder row's share; a blank share counts as whole when it is the only founder.
fn row_share(
    ag: &AffilGraph,
    data: &Dataset,
    role: u32,
    c: CompanyId,
    date: Option<Date>,
) -> Option<Share> {
    let r = &data.roles[role as usize];
    match data.share(r) {
        Some(s) => Some(s.clone()),
        None if founder_count(ag, data, c, date) == 1 => Some(BigRational::one()),
        None => None,
    }
}

fn collect_up(ag: &AffilGraph, data: &Dataset, target: CompanyId, date: Option<Date>) -> Up {
    let mut index: FxHashMap<CompanyId, usize> = FxHashMap::from_iter([(target, 0)]);
    let mut up = Up {
        companies: vec![target],
        holds: vec![Vec::new()],
    };
    let mut next = 0;
    while next < up.companies.len() {
        let c = up.companies[next];
        let mut incoming: Vec<(CompanyId, u32)> =
            ag.g.edges_directed(ag.company_node(c), Direction::Incoming)
                .filter_map(|e| match e.weight() {
                    Edge::Holds { role } if data.roles[*role as usize].active_on(date) => {
                        ag.as_company(e.source()).map(|h| (h, *role))
                    }
                    _ => None,
                })
                .collect();
        incoming.sort_unstable();
        for (h, role) in incoming {
            let Some(share) = row_share(ag, data, role, c, date) else {
                continue;
            };
            if h == target {
                // The target holding itself through others adds nothing to its owners.
                continue;
            }
            let k = *index.entry(h).or_insert_with(|| {
                up.companies.push(h);
                up.holds.push(Vec::new());
                up.companies.len() - 1
            });
            up.holds[k].push((next, share, role));
        }
        next += 1;
    }
    up
}

/// Solves `(I - A) x = b` exactly; `a[i]` lists `(j, a_ij)`.
fn solve_exact(n: usize, a: &[Vec<(usize, Share)>], b: &[Share]) -> Option<Vec<Share>> {
    let mut m: Vec<Vec<Share>> = (0..n)
        .map(|i| {
            let mut row = vec![BigRational::zero(); n + 1];
            row[i] = BigRational::one();
            for (j, v) in &a[i] {
                row[*j] -= v;
            }
            row[n] = b[i].clone();
            row
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).find(|&r| !m[r][col].is_zero())?;
        m.swap(col, pivot);
        let p = m[col][col].clone();
        for v in m[col].iter_mut() {
            *v /= &p;
        }
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r == col || row[col].is_zero() {
                continue;
            }
            let f = row[col].clone();
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= &f * p;
            }
        }
    }
    Some(m.into_iter().map(|row| row[n].clone()).collect())
}

/// Solves `(I - A) x = b` in floating point for very large circular blocks.
fn solve_float(n: usize, a: &[Vec<(usize, Share)>], b: &[Share]) -> Option<Vec<Share>> {
    let mut m = vec![vec![0.0f64; n + 1]; n];
    for i in 0..n {
        m[i][i] = 1.0;
        for (j, v) in &a[i] {
            m[i][*j] -= v.to_f64().unwrap_or(0.0);
        }
        m[i][n] = b[i].to_f64().unwrap_or(0.0);
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            if r == col || f == 0.0 {
                continue;
            }
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
        }
    }
    (0..n)
        .map(|i| BigRational::from_float(m[i][n] / m[i][i]))
        .collect()
}

/// Effective fraction of the target held by each company of `up` (the target itself: 1).
fn effective(up: &Up) -> (Vec<Share>, Vec<bool>, bool) {
    let n = up.companies.len();
    if n == 1 {
        // No company holds the target: the common case, nothing to propagate.
        return (vec![BigRational::one()], vec![false], false);
    }
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(n, n);
    for _ in 0..n {
        g.add_node(());
    }
    for (k, hs) in up.holds.iter().enumerate() {
        for (j, _, _) in hs {
            g.add_edge((k as u32).into(), (*j as u32).into(), ());
        }
    }
    let mut v: Vec<Option<Share>> = vec![None; n];
    let mut circular = vec![false; n];
    let mut approximate = false;
    // Tarjan yields components held-before-holder (reverse topological order).
    for scc in petgraph::algo::tarjan_scc(&g) {
        let members: Vec<usize> = {
            let mut m: Vec<usize> = scc.iter().map(|x| x.index()).collect();
            m.sort_unstable();
            m
        };
        let self_loop = members.len() == 1
            && up.holds[members[0]]
                .iter()
                .any(|(j, _, _)| *j == members[0]);
        if members.len() == 1 && !self_loop {
            let k = members[0];
            let val = if k == 0 {
                BigRational::one()
            } else {
                up.holds[k]
                    .iter()
                    .map(|(j, s, _)| s * v[*j].clone().unwrap_or_else(BigRational::zero))
                    .fold(BigRational::zero(), |acc, x| acc + x)
            };
            v[k] = Some(val);
            continue;
        }
        let pos: FxHashMap<usize, usize> =
            members.iter().enumerate().map(|(i, &k)| (k, i)).collect();
        let mut a = vec![Vec::new(); members.len()];
        let mut b = vec![BigRational::zero(); members.len()];
        for (i, &k) in members.iter().enumerate() {
            for (j, s, _) in &up.holds[k] {
                match pos.get(j) {
                    Some(&jj) => a[i].push((jj, s.clone())),
                    None => b[i] += s * v[*j].clone().unwrap_or_else(BigRational::zero),
                }
            }
            circular[k] = true;
        }
        let solved = if members.len() <= EXACT_LIMIT {
            solve_exact(members.len(), &a, &b)
        } else {
            approximate = true;
            solve_float(members.len(), &a, &b)
        };
        let solved = solved.unwrap_or_else(|| vec![BigRational::zero(); members.len()]);
        for (i, &k) in members.iter().enumerate() {
            v[k] = Some(solved[i].clone());
        }
    }
    let v = v
        .into_iter()
        .map(|x| x.unwrap_or_else(BigRational::zero))
        .collect();
    (v, circular, approximate)
}

/// Simple paths from company `from` down to the target (local index 0), as chains.
fn chains_from(up: &Up, from: usize, person_share: &Share) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut path: Vec<(usize, Share, u32)> = Vec::new();
    fn walk(
        up: &Up,
        at: usize,
        path: &mut Vec<(usize, Share, u32)>,
        ps: &Share,
        out: &mut Vec<Chain>,
    ) {
        if out.len() >= 64 || path.len() > 12 {
            return;
        }
        for (j, s, role) in &up.holds[at] {
            if path.iter().any(|(c, _, _)| *c == *j) || *j == at {
                continue;
            }
            path.push((at, s.clone(), *role));
            if *j == 0 {
                let product = path.iter().fold(ps.clone(), |acc, (_, s, _)| acc * s);
                out.push(Chain {
                    person_share: ps.clone(),
                    links: path
                        .iter()
                        .map(|(c, s, _)| (up.companies[*c], s.clone()))
                        .collect(),
                    product,
                    roles: path.iter().map(|p| p.2).collect(),
                });
            } else {
                walk(up, *j, path, ps, out);
            }
            path.pop();
        }
    }
    walk(up, from, &mut path, person_share, &mut out);
    out
}

/// Every person's direct and indirect share of `target` on `date`.
pub fn beneficial_owners(
    ag: &AffilGraph,
    data: &Dataset,
    mentions: &Mentions,
    target: CompanyId,
    date: Option<Date>,
) -> Ownership {
    let up = collect_up(ag, data, target, date);
    let (v, circular, approximate) = effective(&up);
    let mut by_person: BTreeMap<PersonId, Holding> = BTreeMap::new();
    for (k, &c) in up.companies.iter().enumerate() {
        if v[k].is_zero() {
            continue;
        }
        let mut edges: Vec<(PersonId, u32)> =
            ag.g.edges_directed(ag.company_node(c), Direction::Incoming)
                .filter_map(|e| match e.weight() {
                    Edge::Role { role } => {
                        let r = &data.roles[*role as usize];
                        (r.role == CompanyRoleKind::Founder && r.active_on(date))
                            .then(|| ag.as_person(e.source()).map(|p| (p, *role)))
                            .flatten()
                    }
                    _ => None,
                })
                .collect();
        edges.sort_unstable();
        for (p, role) in edges {
            let h = by_person.entry(p).or_insert_with(|| Holding {
                person: p,
                share: BigRational::zero(),
                direct: None,
                chains: Vec::new(),
                mentions: Vec::new(),
                chain_roles: Vec::new(),
                share_unknown: false,
                circular: false,
                approximate: false,
            });
            h.mentions.extend(mentions.of_role[role as usize].get());
            let Some(s) = row_share(ag, data, role, c, date) else {
                h.share_unknown = true;
                continue;
            };
            // Most holdings are one direct share: skip the exact arithmetic that changes nothing.
            let part = if v[k].is_one() { s.clone() } else { &s * &v[k] };
            if h.share.is_zero() {
                h.share = part;
            } else {
                h.share += part;
            }
            h.circular |= circular[k];
            h.approximate |= approximate && circular[k];
            if k == 0 {
                h.direct = Some(match h.direct.take() {
                    Some(d) => d + s,
                    None => s,
                });
            } else {
                h.chains.extend(chains_from(&up, k, &s));
            }
        }
    }
    let holdings = by_person
        .into_values()
        .map(|mut h| {
            h.chain_roles = h
                .chains
                .iter()
                .flat_map(|c| c.roles.iter().copied())
                .collect();
            h.chain_roles.sort_unstable();
            h.chain_roles.dedup();
            h.chains.sort_by(|a, b| b.product.cmp(&a.product));
            h.chains.truncate(MAX_CHAINS);
            h.mentions.sort_unstable();
            h.mentions.dedup();
            h
        })
        .collect();
    Ownership { holdings }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Share {
        BigRational::new(n.into(), d.into())
    }

    fn up(n: usize, edges: &[(usize, usize, Share)]) -> Up {
        let mut holds = vec![Vec::new(); n];
        for (i, (k, j, s)) in edges.iter().enumerate() {
            holds[*k].push((*j, s.clone(), i as u32));
        }
        Up {
            companies: (0..n as u32).collect(),
            holds,
        }
    }

    #[test]
    fn chain_multiplies() {
        // 1 holds 30% of the target 0; 2 holds 50% of 1.
        let u = up(3, &[(1, 0, r(3, 10)), (2, 1, r(1, 2))]);
        let (v, circ, _) = effective(&u);
        assert_eq!(v, vec![r(1, 1), r(3, 10), r(3, 20)]);
        assert!(circ.iter().all(|c| !c));
    }

    #[test]
    fn chains_add_up() {
        // 2 holds the target directly (5%) and through 1 (50% x 20% = 10%): 15%.
        let u = up(3, &[(1, 0, r(1, 5)), (2, 1, r(1, 2)), (2, 0, r(1, 20))]);
        let (v, _, _) = effective(&u);
        assert_eq!(v[2], r(3, 20));
        assert_eq!(chains_from(&u, 2, &r(1, 1)).len(), 2);
    }

    #[test]
    fn exactly_ten_percent_stays_exact() {
        // 50% x 20% is exactly 1/10, not 0.1000000001.
        let u = up(3, &[(1, 0, r(1, 5)), (2, 1, r(1, 2))]);
        let (v, _, _) = effective(&u);
        assert_eq!(v[2], r(1, 10));
        assert!(v[2] <= r(1, 10));
    }

    #[test]
    fn cycle_is_a_geometric_series() {
        // 1 holds 50% of the target; 1 and 2 hold 50% of each other; 3 holds the other 50% of 1.
        // v1 = 1/2 + 1/2 v2, v2 = 1/2 v1 -> v1 = 2/3, v2 = 1/3; v3 = 1/2 v1 = 1/3.
        let u = up(
            4,
            &[
                (1, 0, r(1, 2)),
                (2, 1, r(1, 2)),
                (1, 2, r(1, 2)),
                (3, 1, r(1, 2)),
            ],
        );
        let (v, circ, approx) = effective(&u);
        assert_eq!(v[1], r(2, 3));
        assert_eq!(v[2], r(1, 3));
        assert_eq!(v[3], r(1, 3));
        assert!(circ[1] && circ[2] && !approx);
    }

    #[test]
    fn large_cycles_finish_in_floating_point() {
        // A ring of 200 companies each holding 50% of the next, the first holding 50% of the target.
        let n = 201;
        let mut edges = vec![(1, 0, r(1, 2))];
        for k in 1..n - 1 {
            edges.push((k + 1, k, r(1, 2)));
        }
        edges.push((1, n - 1, r(1, 2)));
        let u = up(n, &edges);
        let (v, _, approx) = effective(&u);
        assert!(approx);
        let v1 = v[1].to_f64().unwrap();
        assert!((v1 - 0.5).abs() < 1e-6, "{v1}");
    }

    #[test]
    fn exact_solver_matches_hand_algebra() {
        let a = vec![vec![(1, r(1, 2))], vec![(0, r(1, 2))]];
        let b = vec![r(1, 2), r(0, 1)];
        assert_eq!(solve_exact(2, &a, &b).unwrap(), vec![r(2, 3), r(1, 3)]);
    }
}
