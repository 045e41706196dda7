//! Planting EMPLOYEE cases: the customer's staff outside the commission.

use crate::generate::World;
use crate::model::Kinship;

impl World<'_> {
    /// An EMPLOYEE case: an official of the customer's staff with no seat in the procurement,
    /// or a close relative, tied to a bidder as in COI-44FZ.
    pub(in crate::generate) fn plant_employee(&mut self) {
        const RELATIONS: [Kinship; 5] = [
            Kinship::Spouse,
            Kinship::Parent,
            Kinship::Child,
            Kinship::Sibling,
            Kinship::Grandchild,
        ];
        const LINKS: [&str; 6] = [
            "director",
            "board_member",
            "founder",
            "chain",
            "registry_beneficiary",
            "entrepreneur",
        ];
        let k = self.rng.below(self.procs.len());
        let customer = self.procs[k].customer;
        let seated: Vec<usize> = self.procs[k].seats.iter().map(|s| s.0).collect();
        let free: Vec<usize> = (0..self.offs.len())
            .filter(|&x| self.offs[x].customer == customer && !seated.contains(&x))
            .collect();
        if free.is_empty() {
            return;
        }
        let o = *self.rng.pick(&free);
        let date = self.procs[k].date;
        let (relation, q) = if self.rng.chance(0.15) {
            ("self", self.offs[o].person.clone())
        } else {
            let kin = *self.rng.pick(&RELATIONS);
            (kin.code(), self.relative(o, kin))
        };
        let link = *self.rng.pick(&LINKS);
        let c = self.link(&q, link, date);
        self.bid(k, c);
        self.plant_truth(
            "EMPLOYEE",
            k,
            o,
            c,
            relation,
            format!("employee:{relation}:{link}"),
        );
    }
}
