//! Planting CONTACT cases and their decoys (mass addresses, one building).

use crate::generate::{Addr, World, AGENTS};
use crate::model::Kinship;

impl World<'_> {
    /// A CONTACT case: a new bidder registered with a seated official's own phone, e-mail or
    /// flat, or the flat of a spouse who lives apart.
    pub(in crate::generate) fn plant_contact(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let home = self.offs[o].home;
        let apart = self.offs[o]
            .rels
            .iter()
            .find(|r| r.kin == Kinship::Spouse && r.home.is_some_and(|h| h != home))
            .and_then(|r| r.home);
        let c = self.ordinary_company();
        let (relation, channel) = match apart {
            Some(h) if self.rng.chance(0.3) => {
                self.comps[c].addr = h;
                ("spouse", "address")
            }
            _ => {
                let mut channels = vec!["phone"];
                if !AGENTS.contains(&home) {
                    channels.push("address");
                }
                if !self.offs[o].email.is_empty() {
                    channels.push("email");
                }
                let ch = *self.rng.pick(&channels);
                match ch {
                    "phone" => self.comps[c].phone = self.offs[o].phone.clone(),
                    "email" => self.comps[c].email = self.offs[o].email.to_uppercase(),
                    _ => self.comps[c].addr = home,
                }
                ("self", ch)
            }
        };
        self.bid(k, c);
        self.plant_truth(
            "CONTACT",
            k,
            o,
            c,
            relation,
            format!("contact:{relation}:{channel}"),
        );
    }

    /// Decoys of CONTACT: a seated official living at a registration agent's address (its many
    /// firms must not all be flagged), and a bidder in the official's building but in other
    /// premises.
    pub(in crate::generate) fn contact_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let (kind, c) = if self.rng.chance(0.5) {
            let agent = AGENTS[self.rng.below(AGENTS.len())];
            self.offs[o].home = agent;
            let c = self.ordinary_company();
            self.comps[c].addr = agent;
            ("mass_address", c)
        } else {
            let home = self.offs[o].home;
            let c = self.ordinary_company();
            self.comps[c].addr = Addr {
                unit: self.rng.range(400, 800) as u32,
                office: true,
                ..home
            };
            ("same_building", c)
        };
        self.bid(k, c);
        self.decoy_row(k, o, c, kind);
    }
}
