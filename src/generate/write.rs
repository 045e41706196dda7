//! Writing a chunk's rows in the input format, with the noise of real registries.

use crate::generate::*;

impl World<'_> {
    pub(in crate::generate) fn write(mut self) -> ChunkOut {
        let mut w: Vec<csv::Writer<Vec<u8>>> = FILES
            .iter()
            .map(|(_, _, cp)| {
                csv::WriterBuilder::new()
                    .delimiter(if *cp { b';' } else { b',' })
                    .from_writer(Vec::new())
            })
            .collect();
        let mut rows = vec![0usize; FILES.len()];
        let noise = *self.noise;
        let mut put = |w: &mut Vec<csv::Writer<Vec<u8>>>, f: usize, rec: &[String]| {
            let _ = w[f].write_record(rec);
            rows[f] += 1;
        };
        let offs = std::mem::take(&mut self.offs);
        for o in &offs {
            let p = &o.person;
            let birth = if self.rng.chance(0.1) {
                p.birth.0.to_string()
            } else {
                p.birth_iso()
            };
            put(
                &mut w,
                0,
                &[
                    o.id.clone(),
                    p.full_name(),
                    birth,
                    p.inn.clone().unwrap_or_default(),
                    "специалист".into(),
                    self.customers[o.customer].0.clone(),
                    address_written(&o.home, self.chunk, &mut self.rng),
                    phone_written(&o.phone, &mut self.rng),
                    o.email.clone(),
                    p.maiden_name().unwrap_or_default(),
                ],
            );
            for (ri, r) in o.rels.iter().enumerate() {
                let rp = &r.person;
                let yo = if self.rng.chance(noise.yo) {
                    rp.full_name().replace('ё', "е")
                } else {
                    rp.full_name()
                };
                let word = kin_word(r.kin, rp.sex, &mut self.rng);
                let word = if self.rng.chance(0.3) {
                    word.to_uppercase()
                } else {
                    word.to_owned()
                };
                let birth = match r.birth_written {
                    0 => rp.birth_dotted(),
                    1 => rp.birth.0.to_string(),
                    _ => String::new(),
                };
                put(
                    &mut w,
                    1,
                    &[
                        format!("{}-R{ri:02}", o.id),
                        o.id.clone(),
                        word,
                        yo,
                        rp.maiden_name().unwrap_or_default(),
                        birth,
                        if self.rng.chance(0.1) {
                            rp.inn.clone().unwrap_or_default()
                        } else {
                            String::new()
                        },
                        r.home
                            .map(|h| address_written(&h, self.chunk, &mut self.rng))
                            .unwrap_or_default(),
                        String::new(),
                        String::new(),
                    ],
                );
            }
        }
        let comps = std::mem::take(&mut self.comps);
        for (i, c) in comps.iter().enumerate() {
            put(
                &mut w,
                2,
                &[
                    c.inn.clone(),
                    if c.ie {
                        String::new()
                    } else {
                        ogrn(self.chunk * 20_000 + i as u64)
                    },
                    c.name.clone(),
                    address_written(&c.addr, self.chunk, &mut self.rng),
                    phone_written(&c.phone, &mut self.rng),
                    c.email.clone(),
                    "действующее".into(),
                ],
            );
            for r in &c.roles {
                let (name, inn, birth) = match &r.person {
                    Some(p) => {
                        let birth = if r.full_birth {
                            p.birth_dotted()
                        } else {
                            match self.rng.below(20) {
                                0..=9 => p.birth_dotted(),
                                10..=12 => p.birth.0.to_string(),
                                _ => String::new(),
                            }
                        };
                        let inn = if self.rng.chance(0.7) {
                            p.inn.clone().unwrap_or_default()
                        } else {
                            String::new()
                        };
                        (
                            noisy_name(&mut self.rng, &p.full_name(), &noise),
                            inn,
                            birth,
                        )
                    }
                    None => Default::default(),
                };
                put(
                    &mut w,
                    3,
                    &[
                        c.inn.clone(),
                        r.role.into(),
                        name,
                        inn,
                        birth,
                        r.holder.map(|h| comps[h].inn.clone()).unwrap_or_default(),
                        r.share.map(|s| s.to_string()).unwrap_or_default(),
                        dotted(r.since),
                        r.until.map(dotted).unwrap_or_default(),
                    ],
                );
            }
        }
        for pr in &self.procs {
            let (cinn, cname) = &self.customers[pr.customer];
            put(
                &mut w,
                4,
                &[
                    pr.id.clone(),
                    cinn.clone(),
                    cname.clone(),
                    SUBJECTS[pr.price as usize % SUBJECTS.len()].into(),
                    "электронный аукцион".into(),
                    format!("{}-{:02}-{:02}", pr.date.0, pr.date.1, pr.date.2),
                    format!("{}.00", pr.price),
                    String::new(),
                ],
            );
            for (bi, &c) in pr.bids.iter().enumerate() {
                let win = bi == pr.winner;
                let bid = pr.price * (90 + (bi as u64 * 7) % 10) / 100;
                put(
                    &mut w,
                    5,
                    &[
                        pr.id.clone(),
                        comps[c].inn.clone(),
                        comps[c].name.clone(),
                        if win { "1" } else { "0" }.into(),
                        format!("{bid}.00"),
                        if win {
                            format!("{bid}.00")
                        } else {
                            String::new()
                        },
                    ],
                );
            }
            for &(o, role) in &pr.seats {
                let p = &offs[o].person;
                let (id, name) = if self.rng.chance(0.6) {
                    (offs[o].id.clone(), String::new())
                } else {
                    let surname = gendered(p.surname, p.sex);
                    (
                        String::new(),
                        protocol_name(&mut self.rng, &surname, p.given, p.patronymic()),
                    )
                };
                put(&mut w, 6, &[pr.id.clone(), id, name, role.into()]);
            }
        }
        for t in &self.truth {
            put(&mut w, 7, t);
        }
        for d in &self.decoys {
            put(&mut w, 8, d);
        }
        // Person lists for `affil link`: the questionnaires' people on the left, half of them
        // again on the right as a registry would write them, among strangers and namesakes.
        for o in &offs {
            let people = std::iter::once(&o.person).chain(o.rels.iter().map(|r| &r.person));
            for (k, p) in people.enumerate() {
                let left = format!("L{}-{k}", o.id);
                let inn = |rng: &mut Rng, share: f64| {
                    if rng.chance(share) {
                        p.inn.clone().unwrap_or_default()
                    } else {
                        String::new()
                    }
                };
                let birth = if self.rng.chance(0.1) {
                    p.birth.0.to_string()
                } else {
                    p.birth_dotted()
                };
                let left_inn = inn(&mut self.rng, 0.3);
                put(&mut w, 9, &[left.clone(), p.full_name(), birth, left_inn]);
                if self.rng.chance(0.5) {
                    let right = format!("R{}-{k}", o.id);
                    let birth = match self.rng.below(20) {
                        0..=11 => p.birth_iso(),
                        12..=14 => p.birth.0.to_string(),
                        _ => String::new(),
                    };
                    let name = noisy_name(&mut self.rng, &p.full_name(), &noise);
                    let right_inn = inn(&mut self.rng, 0.2);
                    put(&mut w, 10, &[right.clone(), name, birth, right_inn]);
                    put(&mut w, 11, &[left, right]);
                } else if self.rng.chance(0.1) {
                    // A namesake born in another year.
                    let mut twin = p.clone();
                    twin.birth.0 -= self.rng.range(2, 40) as i32;
                    put(
                        &mut w,
                        10,
                        &[
                            format!("N{}-{k}", o.id),
                            twin.full_name(),
                            twin.birth_iso(),
                            String::new(),
                        ],
                    );
                }
            }
            let stranger = self.random_person(1950, 2000);
            put(
                &mut w,
                10,
                &[
                    format!("S{}", o.id),
                    noisy_name(&mut self.rng, &stranger.full_name(), &noise),
                    stranger.birth_iso(),
                    String::new(),
                ],
            );
        }
        ChunkOut {
            files: w
                .into_iter()
                .map(|x| x.into_inner().unwrap_or_default())
                .collect(),
            rows,
        }
    }
}
