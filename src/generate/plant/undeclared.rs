//! Planting UNDECLARED relatives (missing from the questionnaire) and their decoys.

use crate::generate::names::{Person, MALE};
use crate::generate::{World, AGENTS};
use crate::model::{Kinship, Sex};

impl World<'_> {
    /// A new person of `family`'s surname whose given name no one of official `o`'s family
    /// (the official, the declared relatives) has: a relative the questionnaire could not hide
    /// behind a namesake.
    pub(in crate::generate) fn kin_person(
        &mut self,
        o: usize,
        sex: Sex,
        family: &'static str,
        father: usize,
        year: i32,
    ) -> Person {
        let mut p = self.person(sex, family, father, year);
        for _ in 0..20 {
            let off = &self.offs[o];
            // Nor a name a typo away from theirs: the first two letters differ.
            let near = |g: &str| g.chars().take(2).eq(p.given.chars().take(2));
            let taken = near(off.person.given) || off.rels.iter().any(|r| near(r.person.given));
            if !taken {
                break;
            }
            p = self.person(sex, family, father, year);
        }
        p
    }

    /// An UNDECLARED case: a relative of a seated official that the questionnaire leaves out
    /// (a sibling, a child, the father; or a spouse registered as an entrepreneur at the
    /// official's flat, whom CONTACT flags too) in a role COI-44FZ names at a new bidder.
    pub(in crate::generate) fn plant_undeclared(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let date = self.procs[k].date;
        let off = self.offs[o].person.clone();
        let family = off.maiden.unwrap_or(off.surname);
        let year = off.birth.0;
        let mut kinds = vec!["sibling"];
        // A child old enough to run a firm, with the official's patronymic to tell.
        if off.sex == Sex::Male && year <= 1983 {
            kinds.push("child");
        }
        let home = self.offs[o].home;
        let married = self.offs[o].rels.iter().any(|r| r.kin == Kinship::Spouse);
        // The father, when the questionnaire does not name him already.
        let father_declared = self.offs[o]
            .rels
            .iter()
            .any(|r| r.kin == Kinship::Parent && r.person.sex == Sex::Male);
        if !father_declared {
            kinds.push("parent");
        }
        if !married && !AGENTS.contains(&home) {
            kinds.push("spouse");
        }
        let kind = *self.rng.pick(&kinds);
        let q = match kind {
            "sibling" => {
                let sex = self.any_sex();
                let y = year + self.rng.range(-8, 8) as i32;
                self.kin_person(o, sex, family, off.father_name, y)
            }
            "child" => {
                let sex = self.any_sex();
                let y = (year + self.rng.range(20, 35) as i32).min(2003);
                let father = off.male_index().unwrap_or(0);
                self.kin_person(o, sex, off.surname, father, y)
            }
            "parent" => {
                let y = year - self.rng.range(22, 35) as i32;
                let grand = self.rng.below(MALE.len());
                let mut f = self.person(Sex::Male, family, grand, y);
                f.given = MALE[off.father_name].0;
                f
            }
            _ => {
                let sex = if off.sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let y = year + self.rng.range(-5, 5) as i32;
                let father = self.rng.below(MALE.len());
                self.kin_person(o, sex, off.surname, father, y)
            }
        };
        let link = if kind == "spouse" {
            "entrepreneur"
        } else {
            *self
                .rng
                .pick(&["director", "founder", "board_member", "entrepreneur"])
        };
        let c = self.link(&q, link, date);
        self.bid(k, c);
        if kind == "spouse" {
            self.comps[c].addr = home;
            self.plant_truth("CONTACT", k, o, c, "self", "contact:self:address".into());
        }
        let relation = format!("probable_{kind}");
        self.plant_truth(
            "UNDECLARED",
            k,
            o,
            c,
            &relation,
            format!("undeclared:{kind}:{link}"),
        );
    }

    /// Decoys of UNDECLARED: a director with a seated official's surname and nothing else of
    /// a relative's (another patronymic, not formed from the official's name), or with the
    /// official's surname and patronymic but born 30 to 40 years apart (full dates written).
    pub(in crate::generate) fn undeclared_decoy(&mut self) {
        let k = self.rng.below(self.procs.len());
        let (o, _) = *self.rng.pick(&self.procs[k].seats.clone());
        let off = self.offs[o].person.clone();
        let family = off.maiden.unwrap_or(off.surname);
        let year = off.birth.0;
        // An official named after their father would make a child of anyone with their
        // patronymic: such an official gets the first kind only.
        let kind = if self.rng.chance(0.5) || off.male_index() == Some(off.father_name) {
            "surname_only"
        } else {
            "age_gap"
        };
        let mut q = if kind == "surname_only" {
            // A father's name that is neither the official's father's nor the official's own.
            let mut father = self.rng.below(MALE.len());
            while father == off.father_name || Some(father) == off.male_index() {
                father = self.rng.below(MALE.len());
            }
            let sex = self.any_sex();
            let y = year + self.rng.range(-8, 8) as i32;
            self.kin_person(o, sex, family, father, y)
        } else {
            let sex = self.any_sex();
            let y = year - self.rng.range(26, 36) as i32;
            let mut p = self.kin_person(o, sex, family, off.father_name, y);
            // Nor the official's father by name.
            if p.male_index() == Some(off.father_name) {
                p.given = MALE[(off.father_name + 1) % MALE.len()].0;
            }
            p
        };
        q.inn = None;
        let date = self.procs[k].date;
        let c = self.link(&q, "director", date);
        for r in self.comps[c].roles.iter_mut() {
            r.full_birth = true;
        }
        self.bid(k, c);
        self.decoy_row(k, o, c, kind);
    }
}
