//! Planting KIN-EXT cases: in-laws, step relatives, former spouses, shares of 10% or less.

use crate::generate::names::Person;
use crate::generate::World;
use crate::model::Kinship;

impl World<'_> {
    /// A KIN-EXT case: a seated official's in-law, step relative or former spouse in a role
    /// COI-44FZ names, or the official or a close relative holding 10% or less.
    pub(in crate::generate) fn plant_kin_ext(&mut self) {
        const AFFINITY: [Kinship; 7] = [
            Kinship::ParentInLaw,
            Kinship::ChildInLaw,
            Kinship::SiblingInLaw,
            Kinship::StepParent,
            Kinship::StepChild,
            Kinship::StepSibling,
            Kinship::FormerSpouse,
        ];
        const CLOSE: [Kinship; 4] = [
            Kinship::Spouse,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::Parent,
        ];
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let (relation, link, c) = if self.rng.chance(0.6) {
            let kin = *self.rng.pick(&AFFINITY);
            let q = self.relative(o, kin);
            let link = *self
                .rng
                .pick(&["director", "board_member", "founder", "chain"]);
            (kin.code(), link, self.link(&q, link, date))
        } else {
            let (relation, q) = if self.rng.chance(0.2) {
                ("self", self.offs[o].person.clone())
            } else {
                let kin = *self.rng.pick(&CLOSE);
                (kin.code(), self.relative(o, kin))
            };
            (relation, "small_share", self.small_share(&q, date))
        };
        self.bid(k, c);
        self.plant_truth(
            "KIN-EXT",
            k,
            o,
            c,
            relation,
            format!("kin-ext:{relation}:{link}"),
        );
    }

    /// A new company in which `q` holds 10% or less, directly or through a holding.
    pub(in crate::generate) fn small_share(&mut self, q: &Person, date: (i32, u32, u32)) -> usize {
        let since = self.since_before(date);
        let c = self.company(None);
        if self.rng.chance(0.5) {
            let s = self.rng.range(1, 10) as u32;
            self.role(c, "founder", Some(q.clone()), None, Some(s), since);
            self.fill_capital(c, s, since);
        } else {
            let h = self.company(None);
            self.role(h, "founder", Some(q.clone()), None, Some(20), since);
            self.fill_capital(h, 20, since);
            self.role(c, "founder", None, Some(h), Some(40), since);
            self.fill_capital(c, 40, since);
        }
        let d = self.random_person(1960, 1995);
        self.role(c, "director", Some(d), None, None, since);
        c
    }
}
