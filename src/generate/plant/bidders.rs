//! Planting BIDDERS groups and their decoys, and deriving every group the chunk holds.

use crate::generate::{person_key, PersonKey, RoleRow, World, AGENTS};

impl World<'_> {
    /// Two new bidders of one procurement tied the way BIDDERS looks for: one director, one
    /// holding the other, or one phone, e-mail or address.
    pub(in crate::generate) fn plant_bidders(&mut self) {
        let k = self.rng.below(self.procs.len());
        let date = self.procs[k].date;
        let since = self.since_before(date);
        let a = self.ordinary_company();
        let kind = *self
            .rng
            .pick(&["director", "parent", "phone", "email", "address"]);
        let b = match kind {
            "parent" => {
                let b = self.company(None);
                self.role(b, "founder", None, Some(a), Some(60), since);
                self.fill_capital(b, 60, since);
                let d = self.random_person(1960, 1995);
                self.role(b, "director", Some(d), None, None, since);
                b
            }
            _ => {
                let b = self.ordinary_company();
                match kind {
                    "director" => {
                        let d = self.comps[a]
                            .roles
                            .iter()
                            .find(|r| r.role == "director")
                            .and_then(|r| r.person.clone());
                        for r in self.comps[b].roles.iter_mut() {
                            if r.role == "director" {
                                r.person = d.clone();
                                r.since = since;
                            }
                        }
                    }
                    "phone" => self.comps[b].phone = self.comps[a].phone.clone(),
                    "email" => self.comps[b].email = self.comps[a].email.to_uppercase(),
                    _ => {
                        if AGENTS.contains(&self.comps[a].addr) {
                            self.comps[a].addr.unit += 1;
                        }
                        self.comps[b].addr = self.comps[a].addr;
                    }
                }
                b
            }
        };
        self.bid(k, a);
        self.bid(k, b);
        self.bidder_plants.push((k, vec![a, b], kind));
    }

    /// Decoys of BIDDERS: two bidders whose directors are namesakes born in other years (full
    /// dates written), or two bidders at one registration agent's address.
    pub(in crate::generate) fn bidders_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let a = self.ordinary_company();
        let b = self.ordinary_company();
        let kind = if self.rng.chance(0.5) {
            let d = self.comps[a]
                .roles
                .iter()
                .find(|r| r.role == "director")
                .and_then(|r| r.person.clone());
            if let Some(mut twin) = d {
                twin.birth.0 -= self.rng.range(3, 20) as i32;
                twin.inn = None;
                // Every row of the two firms with its full date: the first director is often
                // its founder too, and a dateless founder row would link the namesakes by name.
                for c in [a, b] {
                    for r in self.comps[c].roles.iter_mut() {
                        r.full_birth = true;
                    }
                }
                for r in self.comps[b].roles.iter_mut() {
                    if r.role == "director" {
                        r.person = Some(twin.clone());
                    }
                }
            }
            "namesake_directors"
        } else {
            let agent = AGENTS[self.rng.below(AGENTS.len())];
            self.comps[a].addr = agent;
            self.comps[b].addr = agent;
            "agent_address"
        };
        self.bid(k, a);
        self.bid(k, b);
        let mut inns = [self.comps[a].inn.clone(), self.comps[b].inn.clone()];
        inns.sort();
        self.decoys.push([
            self.procs[k].id.clone(),
            String::new(),
            inns.join(";"),
            kind.into(),
        ]);
    }

    /// Everyone the registry shows behind company `c` on `date`, as affil walks it: persons in
    /// its roles and in those of the companies holding it (up the chain), the directors of its
    /// managing company, the entrepreneur. Persons are told apart by name, sex and birth date.
    pub(in crate::generate) fn upstream(&self, c: usize, date: (i32, u32, u32)) -> Vec<PersonKey> {
        let active = |r: &RoleRow| r.since <= date && r.until.is_none_or(|u| date <= u);
        let mut out: Vec<PersonKey> = Vec::new();
        if let Some(p) = &self.comps[c].owner {
            out.push(person_key(p));
        }
        let (mut seen, mut next) = (vec![c], 0);
        while next < seen.len() {
            let x = seen[next];
            next += 1;
            for r in self.comps[x].roles.iter().filter(|r| active(r)) {
                if let Some(p) = &r.person {
                    out.push(person_key(p));
                }
                match (r.role, r.holder) {
                    ("founder", Some(h)) if !seen.contains(&h) => seen.push(h),
                    ("managing_company", Some(m)) if x == c => {
                        for mr in self.comps[m].roles.iter().filter(|r| active(r)) {
                            if let (Some(p), "director") = (&mr.person, mr.role) {
                                out.push(person_key(p));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// BIDDERS truth from the world as generated: in every procurement, the groups of bidders
    /// that share a person behind them or a contact (not an agent's address). Planted groups
    /// are named by their kind; the others (a firm and its subsidiary bidding together) are
    /// `bidders:held`.
    pub(in crate::generate) fn derive_bidders(&mut self) {
        for k in 0..self.procs.len() {
            let bids = self.procs[k].bids.clone();
            if bids.len() < 2 {
                continue;
            }
            let date = self.procs[k].date;
            let ups: Vec<Vec<PersonKey>> = bids.iter().map(|&c| self.upstream(c, date)).collect();
            let mut parent: Vec<usize> = (0..bids.len()).collect();
            fn find(p: &mut [usize], mut x: usize) -> usize {
                while p[x] != x {
                    x = p[x];
                }
                x
            }
            for i in 0..bids.len() {
                for j in i + 1..bids.len() {
                    let (a, b) = (&self.comps[bids[i]], &self.comps[bids[j]]);
                    if bids[i] == bids[j] {
                        continue;
                    }
                    let shared = ups[i].iter().any(|p| ups[j].binary_search(p).is_ok())
                        || a.phone == b.phone
                        || a.email.eq_ignore_ascii_case(&b.email)
                        || (a.addr == b.addr && !AGENTS.contains(&a.addr));
                    if shared {
                        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                        if ri != rj {
                            parent[rj.max(ri)] = ri.min(rj);
                        }
                    }
                }
            }
            let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
            for (i, &c) in bids.iter().enumerate() {
                let r = find(&mut parent, i);
                groups.entry(r).or_default().push(c);
            }
            for (_, mut members) in groups {
                members.sort_unstable();
                members.dedup();
                if members.len() < 2 {
                    continue;
                }
                let kind = self
                    .bidder_plants
                    .iter()
                    .find(|(pk, cs, _)| *pk == k && cs.iter().all(|c| members.contains(c)))
                    .map_or("held", |p| p.2);
                let mut inns: Vec<String> =
                    members.iter().map(|&c| self.comps[c].inn.clone()).collect();
                inns.sort();
                self.truth.push([
                    "BIDDERS".into(),
                    self.procs[k].id.clone(),
                    String::new(),
                    inns.join(";"),
                    String::new(),
                    format!("bidders:{kind}"),
                ]);
            }
        }
    }
}
