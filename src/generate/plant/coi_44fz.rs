//! Planting COI-44FZ cases (a seated official or a close relative in a role the law names) and
//! the decoys no rule may flag, with the truth rows they write.

use crate::generate::{decoy_rule, shift, RoleRow, World, DECOY_KINDS};
use crate::model::Kinship;

impl World<'_> {
    pub(in crate::generate) fn plant(&mut self) {
        const RELATIONS: [Kinship; 9] = [
            Kinship::Spouse,
            Kinship::Parent,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::HalfSibling,
            Kinship::Grandparent,
            Kinship::Grandchild,
            Kinship::AdoptiveParent,
            Kinship::AdoptedChild,
        ];
        const LINKS: [&str; 6] = [
            "director",
            "board_member",
            "founder",
            "chain",
            "registry_beneficiary",
            "managing_head",
        ];
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let (relation, q) = if self.rng.chance(0.15) {
            ("self", self.offs[o].person.clone())
        } else {
            let kin = *self.rng.pick(&RELATIONS);
            (kin.code(), self.relative(o, kin))
        };
        let link = if self.rng.chance(0.12) {
            "entrepreneur"
        } else {
            *self.rng.pick(&LINKS)
        };
        let c = self.link(&q, link, date);
        self.bid(k, c);
        self.plant_truth("COI-44FZ", k, o, c, relation, format!("{relation}:{link}"));
    }

    /// Records a decoy of kind `kind`: bidder `c` in procurement `k`, near official `o`.
    pub(in crate::generate) fn decoy_row(&mut self, k: usize, o: usize, c: usize, kind: &str) {
        self.decoys.push([
            self.procs[k].id.clone(),
            self.offs[o].id.clone(),
            self.comps[c].inn.clone(),
            kind.into(),
        ]);
    }

    /// Records a planted case of `rule`: bidder `c` in procurement `k`, tied to official `o`.
    pub(in crate::generate) fn plant_truth(
        &mut self,
        rule: &str,
        k: usize,
        o: usize,
        c: usize,
        relation: &str,
        pattern: String,
    ) {
        self.truth.push([
            rule.into(),
            self.procs[k].id.clone(),
            self.offs[o].id.clone(),
            self.comps[c].inn.clone(),
            relation.into(),
            pattern,
        ]);
    }

    /// Plants one decoy: a tie COI-44FZ must not flag (some are another rule's case, see
    /// `decoy_rule`). Long on purpose: one match arm per kind of decoy (`DECOY_KINDS`), each a
    /// short recipe, so that the arms read as the table of decoys.
    pub(in crate::generate) fn decoy(&mut self) {
        let kind = *self.rng.pick(&DECOY_KINDS);
        let k = self.rng.below(self.procs.len());
        let seats = self.procs[k].seats.clone();
        let (mut o, _) = *self.rng.pick(&seats);
        let date = self.procs[k].date;
        let since = self.since_before(date);
        // The relation of the decoy's relative to official `o`.
        let mut relation = Kinship::Sibling;
        let c = match kind {
            "in_law" | "step" | "former_spouse" => {
                let kin = match kind {
                    "in_law" => *self.rng.pick(&[
                        Kinship::ParentInLaw,
                        Kinship::SiblingInLaw,
                        Kinship::ChildInLaw,
                    ]),
                    "step" => *self.rng.pick(&[
                        Kinship::StepParent,
                        Kinship::StepChild,
                        Kinship::StepSibling,
                    ]),
                    _ => Kinship::FormerSpouse,
                };
                relation = kin;
                let q = self.relative(o, kin);
                self.link(&q, "director", date)
            }
            "founder_5" => {
                // A direct share of 5%: a personal interest, not a 44-FZ beneficiary.
                let q = self.relative(o, Kinship::Sibling);
                let c = self.company(None);
                self.role(c, "founder", Some(q), None, Some(5), since);
                self.fill_capital(c, 5, since);
                let d = self.random_person(1960, 1995);
                self.role(c, "director", Some(d), None, None, since);
                c
            }
            "in_law_ended" => {
                // A brother-in-law who directed the bidder until before the procurement.
                let q = self.relative(o, Kinship::SiblingInLaw);
                let c = self.company(None);
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(q),
                    holder: None,
                    share: None,
                    since: shift(date, -2000),
                    until: Some(shift(date, -self.rng.range(1, 300))),
                    full_birth: false,
                });
                self.fill_capital(c, 0, since);
                c
            }
            "other_customer" => {
                // An official of another customer, seated nowhere in this procurement.
                let customer = self.procs[k].customer;
                let seated: Vec<usize> = seats.iter().map(|s| s.0).collect();
                let others: Vec<usize> = (0..self.offs.len())
                    .filter(|&x| self.offs[x].customer != customer && !seated.contains(&x))
                    .collect();
                if others.is_empty() {
                    return;
                }
                o = *self.rng.pick(&others);
                relation = Kinship::Spouse;
                let q = self.relative(o, Kinship::Spouse);
                self.link(&q, "director", date)
            }
            "namesake" => {
                let q = self.relative(o, Kinship::Sibling);
                // The questionnaire must show the full date for the namesake to be told apart.
                let last = self.offs[o]
                    .rels
                    .iter()
                    .rposition(|r| r.person.full_name() == q.full_name());
                if let Some(r) = last {
                    self.offs[o].rels[r].birth_written = 0;
                }
                let mut twin = q.clone();
                twin.birth.0 -= self.rng.range(3, 30) as i32;
                twin.inn = None;
                let c = self.company(None);
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(twin),
                    holder: None,
                    share: None,
                    since,
                    until: None,
                    full_birth: true,
                });
                self.fill_capital(c, 0, since);
                c
            }
            "chain_10" | "chain_9" => {
                relation = Kinship::Child;
                let q = self.relative(o, Kinship::Child);
                let (a, b) = if kind == "chain_10" {
                    (50, 20)
                } else {
                    (30, 30)
                };
                let h = self.company(None);
                self.role(h, "founder", Some(q), None, Some(a), since);
                self.fill_capital(h, a, since);
                let c = self.company(None);
                self.role(c, "founder", None, Some(h), Some(b), since);
                self.fill_capital(c, b, since);
                c
            }
            "role_ended" | "role_started_after" => {
                let q = self.relative(o, Kinship::Sibling);
                let c = self.company(None);
                let (s, u) = if kind == "role_ended" {
                    (
                        shift(date, -2000),
                        Some(shift(date, -self.rng.range(1, 300))),
                    )
                } else {
                    (shift(date, self.rng.range(1, 300)), None)
                };
                self.comps[c].roles.push(RoleRow {
                    role: "director",
                    person: Some(q),
                    holder: None,
                    share: None,
                    since: s,
                    until: u,
                    full_birth: false,
                });
                self.fill_capital(c, 0, since);
                c
            }
            _ => {
                // A colleague of the same customer who does not sit on this procurement.
                let customer = self.procs[k].customer;
                let seated: Vec<usize> = seats.iter().map(|s| s.0).collect();
                let free: Vec<usize> = (0..self.offs.len())
                    .filter(|&x| self.offs[x].customer == customer && !seated.contains(&x))
                    .collect();
                if free.is_empty() {
                    return;
                }
                o = *self.rng.pick(&free);
                relation = Kinship::Spouse;
                let q = self.relative(o, Kinship::Spouse);
                self.link(&q, "director", date)
            }
        };
        self.bid(k, c);
        if let Some(rule) = decoy_rule(kind) {
            let pattern = format!("{}:{kind}", rule.to_lowercase());
            self.plant_truth(rule, k, o, c, relation.code(), pattern);
        }
        self.decoy_row(k, o, c, kind);
    }
}
