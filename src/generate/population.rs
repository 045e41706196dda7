//! The population of a chunk: customers, officials and their families, companies with their
//! roles and capital, procurements with their commissions and bids.

use crate::generate::names::{birth_in, Person, FEMALE, MALE, SURNAMES};
use crate::generate::{
    names, org_inn, person_inn, phone, shift, Addr, Comp, Off, Proc, Rel, RoleRow, ScaleParams,
    World, AGENTS, AGENT_FIRMS, FORMS, STREETS, WORDS, YEAR,
};
use crate::model::{Kinship, Sex};

impl World<'_> {
    pub(in crate::generate) fn surname(&mut self) -> &'static str {
        if self.rng.chance(names::HEAD_SHARE) {
            SURNAMES[self.rng.weighted(self.weights)]
        } else {
            let tail = names::tail_surnames();
            tail[self.rng.below(tail.len())].as_str()
        }
    }

    pub(in crate::generate) fn new_inn(&mut self) -> String {
        self.next_person += 1;
        person_inn(self.chunk * 1_000_000 + self.next_person)
    }

    /// Male or female, even odds.
    pub(in crate::generate) fn any_sex(&mut self) -> Sex {
        if self.rng.chance(0.5) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    pub(in crate::generate) fn person(
        &mut self,
        sex: Sex,
        surname: &'static str,
        father_name: usize,
        year: i32,
    ) -> Person {
        let given = match sex {
            Sex::Male => MALE[self.rng.below(MALE.len())].0,
            Sex::Female => *self.rng.pick(FEMALE),
        };
        let inn = if self.rng.chance(0.6) {
            Some(self.new_inn())
        } else {
            None
        };
        Person {
            surname,
            maiden: None,
            sex,
            given,
            father_name,
            birth: birth_in(&mut self.rng, year),
            inn,
        }
    }

    pub(in crate::generate) fn random_person(&mut self, year_lo: i32, year_hi: i32) -> Person {
        let sex = self.any_sex();
        let s = self.surname();
        let f = self.rng.below(MALE.len());
        let y = self.rng.range(year_lo as i64, year_hi as i64) as i32;
        self.person(sex, s, f, y)
    }

    pub(in crate::generate) fn company(&mut self, ie: Option<&Person>) -> usize {
        let i = self.comps.len();
        let (inn, name) = match ie {
            Some(p) => {
                let inn = p.inn.clone().unwrap_or_else(|| self.new_inn());
                (inn, format!("ИП {}", p.full_name()))
            }
            None => (
                org_inn(self.chunk * 20_000 + i as u64 + 100_000_000),
                format!("{} «{} {}»", self.rng.pick(FORMS), self.rng.pick(WORDS), i),
            ),
        };
        // Firms registered at an agent's address: the first few of every chunk (so that each
        // agent has a mass of them at any scale), and 2% of the rest.
        let addr = if ie.is_none() && i < AGENTS.len() * AGENT_FIRMS {
            AGENTS[i % AGENTS.len()]
        } else if ie.is_none() && self.rng.chance(0.02) {
            AGENTS[self.rng.below(AGENTS.len())]
        } else {
            Addr {
                street: self.rng.below(STREETS.len()),
                house: self.rng.range(1, 120) as u32,
                unit: self.rng.range(400, 800) as u32,
                office: true,
            }
        };
        let phone = phone(&mut self.rng);
        self.comps.push(Comp {
            inn,
            name,
            roles: Vec::new(),
            ie: ie.is_some(),
            owner: ie.cloned(),
            addr,
            phone,
            email: format!("office{}.{i}@example.ru", self.chunk),
        });
        i
    }

    pub(in crate::generate) fn since_before(&mut self, d: (i32, u32, u32)) -> (i32, u32, u32) {
        shift(d, -self.rng.range(30, 3000))
    }

    pub(in crate::generate) fn role(
        &mut self,
        c: usize,
        role: &'static str,
        person: Option<Person>,
        holder: Option<usize>,
        share: Option<u32>,
        since: (i32, u32, u32),
    ) {
        self.comps[c].roles.push(RoleRow {
            role,
            person,
            holder,
            share,
            since,
            until: None,
            full_birth: false,
        });
    }

    /// Fills the company's capital up to 100% with random founders.
    pub(in crate::generate) fn fill_capital(
        &mut self,
        c: usize,
        taken: u32,
        since: (i32, u32, u32),
    ) {
        if taken < 100 {
            let p = self.random_person(1955, 1995);
            self.role(c, "founder", Some(p), None, Some(100 - taken), since);
        }
    }

    pub(in crate::generate) fn ordinary_company(&mut self) -> usize {
        let c = self.company(None);
        let since = shift((YEAR, 1, 1), -self.rng.range(100, 5000));
        let director = self.random_person(1955, 1995);
        self.role(c, "director", Some(director.clone()), None, None, since);
        match self.rng.below(10) {
            0..=3 => self.role(c, "founder", Some(director), None, Some(100), since),
            4..=7 => {
                let a = 10 * self.rng.range(2, 8) as u32;
                let p = self.random_person(1955, 1995);
                self.role(c, "founder", Some(p), None, Some(a), since);
                self.fill_capital(c, a, since);
            }
            _ if c > 0 => {
                let holder = self.rng.below(c);
                if !self.comps[holder].ie {
                    let a = 10 * self.rng.range(3, 10) as u32;
                    self.role(c, "founder", None, Some(holder), Some(a), since);
                    self.fill_capital(c, a, since);
                } else {
                    self.fill_capital(c, 0, since);
                }
            }
            _ => self.fill_capital(c, 0, since),
        }
        c
    }

    /// The chunk's customers and officials, each official with the family their questionnaire
    /// gives, a home, a phone and maybe an e-mail.
    pub(in crate::generate) fn build_officials(&mut self, p: &ScaleParams) {
        self.build_customers(p);
        for i in 0..p.officials {
            let sex = if self.rng.chance(0.6) {
                Sex::Female
            } else {
                Sex::Male
            };
            let year = self.rng.range(1960, 1998) as i32;
            let family = self.surname();
            let father_name = self.rng.below(MALE.len());
            let mut o = self.person(sex, family, father_name, year);
            o.inn = if self.rng.chance(0.7) {
                Some(self.new_inn())
            } else {
                None
            };
            let mut rels = self.relatives_of(&mut o, sex, family, father_name, year);
            let home = Addr {
                street: self.rng.below(STREETS.len()),
                house: self.rng.range(1, 120) as u32,
                unit: self.rng.range(1, 300) as u32,
                office: false,
            };
            // A spouse lives at the same flat, or apart, or the questionnaire does not say.
            for r in rels.iter_mut().filter(|r| r.kin == Kinship::Spouse) {
                r.home = match self.rng.below(10) {
                    0..=4 => Some(home),
                    5..=7 => Some(Addr {
                        street: self.rng.below(STREETS.len()),
                        house: self.rng.range(1, 120) as u32,
                        unit: self.rng.range(1, 300) as u32,
                        office: false,
                    }),
                    _ => None,
                };
            }
            let phone = phone(&mut self.rng);
            let email = if self.rng.chance(0.5) {
                format!("o{}.{i}@mail.example", self.chunk)
            } else {
                String::new()
            };
            self.offs.push(Off {
                id: format!("O{:05}-{:04}", self.chunk, i),
                person: o,
                customer: i % p.customers,
                rels,
                home,
                phone,
                email,
            });
        }
    }

    /// The chunk's customers: an administration, then municipal institutions.
    fn build_customers(&mut self, p: &ScaleParams) {
        for c in 0..p.customers {
            let inn = org_inn(self.chunk * 20_000 + c as u64 + 900_000_000);
            let name = match c {
                0 => format!(
                    "Администрация муниципального образования № {}",
                    self.chunk + 1
                ),
                _ => format!("МКУ «Учреждение {} № {}»", c, self.chunk + 1),
            };
            self.customers.push((inn, name));
        }
    }

    /// An official's parents, spouse, children and siblings (a married woman takes her
    /// husband's surname: `o`'s is changed then), each with how the questionnaire writes the
    /// birth date.
    /// Long on purpose: one block per kind of relative, in the order they draw from the chunk's
    /// random stream (which the generated files depend on).
    fn relatives_of(
        &mut self,
        o: &mut Person,
        sex: Sex,
        family: &'static str,
        father_name: usize,
        year: i32,
    ) -> Vec<Rel> {
        let mut rels = Vec::new();
        // Parents: the father gives the surname and the patronymic.
        let grand = self.rng.below(MALE.len());
        let mut father = {
            let r0 = self.rng.range(22, 35);
            self.person(Sex::Male, family, grand, year - r0 as i32)
        };
        father.given = MALE[father_name].0;
        let mut mother = {
            let r0 = self.rng.below(MALE.len());
            self.person(Sex::Female, family, r0, father.birth.0 + 2)
        };
        mother.maiden = Some(self.surname());
        if self.rng.chance(0.85) {
            rels.push(Rel {
                kin: Kinship::Parent,
                person: father.clone(),
                birth_written: 0,
                home: None,
            });
        }
        if self.rng.chance(0.85) {
            rels.push(Rel {
                kin: Kinship::Parent,
                person: mother,
                birth_written: 0,
                home: None,
            });
        }
        // Spouse: a married woman takes her husband's surname.
        let mut children_surname = family;
        let mut children_father = o.male_index();
        if self.rng.chance(0.7) {
            let ssex = if sex == Sex::Male {
                Sex::Female
            } else {
                Sex::Male
            };
            let other = self.surname();
            let mut s = {
                let r0 = self.rng.below(MALE.len());
                let r1 = self.rng.range(-5, 5);
                self.person(ssex, other, r0, year + r1 as i32)
            };
            if sex == Sex::Male {
                s.maiden = Some(other);
                s.surname = family;
            } else {
                o.maiden = Some(family);
                o.surname = other;
                children_surname = other;
                children_father = s.male_index();
            }
            rels.push(Rel {
                kin: Kinship::Spouse,
                person: s,
                birth_written: 0,
                home: None,
            });
        }
        for _ in 0..self.rng.below(3) {
            let csex = self.any_sex();
            let f = children_father.unwrap_or_else(|| self.rng.below(MALE.len()));
            let child = {
                let r0 = self.rng.range(20, 35);
                self.person(csex, children_surname, f, (year + r0 as i32).min(2022))
            };
            rels.push(Rel {
                kin: Kinship::Child,
                person: child,
                birth_written: 0,
                home: None,
            });
        }
        for _ in 0..self.rng.below(3) {
            let ssex = self.any_sex();
            let mut sib = {
                let r0 = self.rng.range(-8, 8);
                self.person(ssex, family, father_name, year + r0 as i32)
            };
            if ssex == Sex::Female && self.rng.chance(0.6) {
                sib.maiden = Some(family);
                sib.surname = self.surname();
            }
            rels.push(Rel {
                kin: Kinship::Sibling,
                person: sib,
                birth_written: 0,
                home: None,
            });
        }
        for r in &mut rels {
            r.birth_written = match self.rng.below(10) {
                0 => 2,
                1 => 1,
                _ => 0,
            };
        }
        rels
    }

    pub(in crate::generate) fn build_market(&mut self, p: &ScaleParams) {
        for _ in 0..p.companies {
            if self.rng.chance(0.04) {
                let person = self.random_person(1960, 1998);
                let mut person = person;
                if person.inn.is_none() {
                    person.inn = Some(self.new_inn());
                }
                self.company(Some(&person));
            } else {
                self.ordinary_company();
            }
        }
        let n_comps = self.comps.len();
        for k in 0..p.procurements {
            let customer = self.rng.below(p.customers);
            let staff: Vec<usize> = (0..self.offs.len())
                .filter(|&o| self.offs[o].customer == customer)
                .collect();
            let mut seats = vec![(staff[0], "customer_head")];
            let mut pool: Vec<usize> = staff[1..].to_vec();
            for role in ["chair", "member", "member", "secretary", "contract_manager"] {
                if pool.is_empty() {
                    break;
                }
                let o = pool.swap_remove(self.rng.below(pool.len()));
                seats.push((o, role));
            }
            if self.rng.chance(0.5) && !pool.is_empty() {
                let o = pool.swap_remove(self.rng.below(pool.len()));
                seats.push((o, "deputy_chair"));
            }
            let nb = 2 + self.rng.below(p.max_bids - 1);
            let mut bids = Vec::new();
            while bids.len() < nb {
                let c = self.rng.below(n_comps);
                if !bids.contains(&c) {
                    bids.push(c);
                }
            }
            let winner = self.rng.below(nb);
            self.procs.push(Proc {
                id: format!("01{:07}{:02}{:08}", self.chunk, YEAR % 100, k),
                customer,
                date: (
                    YEAR,
                    self.rng.range(1, 12) as u32,
                    self.rng.range(1, 28) as u32,
                ),
                price: self.rng.range(100, 50_000) as u64 * 1000,
                seats,
                bids,
                winner,
            });
        }
    }

    /// A relative of official `o` with relation `kin`, declared in the questionnaire.
    pub(in crate::generate) fn relative(&mut self, o: usize, kin: Kinship) -> Person {
        if matches!(
            kin,
            Kinship::Spouse | Kinship::Parent | Kinship::Child | Kinship::Sibling
        ) {
            let have: Vec<usize> = (0..self.offs[o].rels.len())
                .filter(|&r| self.offs[o].rels[r].kin == kin)
                .collect();
            if !have.is_empty() {
                let r = *self.rng.pick(&have);
                return self.offs[o].rels[r].person.clone();
            }
        }
        let off = self.offs[o].person.clone();
        let year = off.birth.0;
        let sex = self.any_sex();
        let family = off.maiden.unwrap_or(off.surname);
        let p = match kin {
            Kinship::Spouse | Kinship::FormerSpouse => {
                let ssex = if off.sex == Sex::Male {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let s = if ssex == Sex::Male {
                    off.surname
                } else {
                    self.surname()
                };
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(ssex, s, r0, year + 2)
                }
            }
            Kinship::Parent => {
                let r0 = self.rng.below(MALE.len());
                self.person(Sex::Male, family, r0, year - 28)
            }
            Kinship::Sibling | Kinship::HalfSibling => {
                self.person(sex, family, off.father_name, year + 3)
            }
            Kinship::Child | Kinship::AdoptedChild => {
                let f = off
                    .male_index()
                    .unwrap_or_else(|| self.rng.below(MALE.len()));
                self.person(sex, off.surname, f, (year + 27).min(2020))
            }
            Kinship::Grandparent => {
                let r0 = self.rng.below(MALE.len());
                self.person(sex, family, r0, year - 55)
            }
            Kinship::Grandchild => {
                let s = self.surname();
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(sex, s, r0, (year + 50).min(2020))
                }
            }
            _ => {
                let s = self.surname();
                {
                    let r0 = self.rng.below(MALE.len());
                    self.person(sex, s, r0, year - 25)
                }
            }
        };
        let birth_written = if self.rng.chance(0.1) { 1 } else { 0 };
        self.offs[o].rels.push(Rel {
            kin,
            person: p.clone(),
            birth_written,
            home: None,
        });
        p
    }

    /// Makes `q` control a new company in the way `link` says; returns the bidding company.
    pub(in crate::generate) fn link(
        &mut self,
        q: &Person,
        link: &str,
        date: (i32, u32, u32),
    ) -> usize {
        let since = self.since_before(date);
        match link {
            "entrepreneur" => {
                let mut q = q.clone();
                if q.inn.is_none() {
                    q.inn = Some(self.new_inn());
                }
                self.company(Some(&q))
            }
            "managing_head" => {
                let m = self.company(None);
                self.role(m, "director", Some(q.clone()), None, None, since);
                self.fill_capital(m, 0, since);
                let c = self.company(None);
                self.role(c, "managing_company", None, Some(m), None, since);
                self.fill_capital(c, 0, since);
                c
            }
            "chain" => {
                let h = self.company(None);
                let a = *self.rng.pick(&[40u32, 50, 60, 80, 100]);
                self.role(h, "founder", Some(q.clone()), None, Some(a), since);
                self.fill_capital(h, a, since);
                let c = self.company(None);
                let b = *self.rng.pick(&[30u32, 40, 50, 60]);
                self.role(c, "founder", None, Some(h), Some(b), since);
                self.fill_capital(c, b, since);
                let d = self.random_person(1960, 1995);
                self.role(c, "director", Some(d), None, None, since);
                c
            }
            _ => {
                let c = self.company(None);
                match link {
                    "founder" => {
                        let s = 10 * self.rng.range(2, 10) as u32;
                        self.role(c, "founder", Some(q.clone()), None, Some(s), since);
                        self.fill_capital(c, s, since);
                    }
                    "registry_beneficiary" => {
                        let s = 5 * self.rng.range(3, 12) as u32;
                        self.role(c, "beneficiary", Some(q.clone()), None, Some(s), since);
                        self.fill_capital(c, 0, since);
                    }
                    role => {
                        self.role(
                            c,
                            if role == "board_member" {
                                "board_member"
                            } else {
                                "director"
                            },
                            Some(q.clone()),
                            None,
                            None,
                            since,
                        );
                        self.fill_capital(c, 0, since);
                    }
                }
                if link != "director" {
                    let d = self.random_person(1960, 1995);
                    self.role(c, "director", Some(d), None, None, since);
                }
                c
            }
        }
    }

    pub(in crate::generate) fn bid(&mut self, k: usize, c: usize) {
        self.procs[k].bids.push(c);
        if self.rng.chance(0.5) {
            self.procs[k].winner = self.procs[k].bids.len() - 1;
        }
    }
}
