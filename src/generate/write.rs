//! Writing a chunk's rows in the input format, with the noise of real registries.

use crate::generate::names::gendered;
use crate::generate::noise::{noisy_name, protocol_name};
use crate::generate::{
    address_written, dotted, kin_word, ogrn, phone_written, ChunkOut, Comp, Off, World, FILES,
    SUBJECTS,
};
use crate::rng::Rng;

impl World<'_> {
    /// The chunk's rows of every file, in order: officials and their relatives, companies and
    /// their roles, procurements with their bids and seats, the truth and decoys, the person
    /// lists (each part draws from the one random stream in this order).
    pub(in crate::generate) fn write(mut self) -> ChunkOut {
        let mut sink = Sink::new();
        let offs = std::mem::take(&mut self.offs);
        self.write_officials(&mut sink, &offs);
        let comps = std::mem::take(&mut self.comps);
        self.write_companies(&mut sink, &comps);
        self.write_procurements(&mut sink, &offs, &comps);
        for t in &self.truth {
            sink.put(7, t);
        }
        for d in &self.decoys {
            sink.put(8, d);
        }
        self.write_person_lists(&mut sink, &offs);
        sink.finish()
    }

    /// officials.csv and relatives.csv.
    fn write_officials(&mut self, sink: &mut Sink, offs: &[Off]) {
        let noise = *self.noise;
        for o in offs {
            let p = &o.person;
            let birth = if self.rng.chance(0.1) {
                p.birth.0.to_string()
            } else {
                p.birth_iso()
            };
            sink.put(
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
                sink.put(
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
    }

    /// companies.csv and company_roles.csv.
    fn write_companies(&mut self, sink: &mut Sink, comps: &[Comp]) {
        let noise = *self.noise;
        for (i, c) in comps.iter().enumerate() {
            sink.put(
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
                sink.put(
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
    }

    /// procurements.csv, participants.csv and commissions.csv.
    fn write_procurements(&mut self, sink: &mut Sink, offs: &[Off], comps: &[Comp]) {
        for pr in &self.procs {
            let (cinn, cname) = &self.customers[pr.customer];
            sink.put(
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
                sink.put(
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
                sink.put(6, &[pr.id.clone(), id, name, role.into()]);
            }
        }
    }

    /// Person lists for `affil link`: the questionnaires' people on the left, half of them
    /// again on the right as a registry would write them, among strangers and namesakes.
    fn write_person_lists(&mut self, sink: &mut Sink, offs: &[Off]) {
        let noise = *self.noise;
        for o in offs {
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
                sink.put(9, &[left.clone(), p.full_name(), birth, left_inn]);
                if self.rng.chance(0.5) {
                    let right = format!("R{}-{k}", o.id);
                    let birth = match self.rng.below(20) {
                        0..=11 => p.birth_iso(),
                        12..=14 => p.birth.0.to_string(),
                        _ => String::new(),
                    };
                    let name = noisy_name(&mut self.rng, &p.full_name(), &noise);
                    let right_inn = inn(&mut self.rng, 0.2);
                    sink.put(10, &[right.clone(), name, birth, right_inn]);
                    sink.put(11, &[left, right]);
                } else if self.rng.chance(0.1) {
                    // A namesake born in another year.
                    let mut twin = p.clone();
                    twin.birth.0 -= self.rng.range(2, 40) as i32;
                    sink.put(
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
            sink.put(
                10,
                &[
                    format!("S{}", o.id),
                    noisy_name(&mut self.rng, &stranger.full_name(), &noise),
                    stranger.birth_iso(),
                    String::new(),
                ],
            );
        }
    }
}

/// A chunk's CSV writers, one per file of [`FILES`], and their row counts.
struct Sink {
    writers: Vec<csv::Writer<Vec<u8>>>,
    rows: Vec<usize>,
}

impl Sink {
    fn new() -> Sink {
        let writers = FILES
            .iter()
            .map(|(_, _, cp)| {
                csv::WriterBuilder::new()
                    .delimiter(if *cp { b';' } else { b',' })
                    .from_writer(Vec::new())
            })
            .collect();
        Sink {
            writers,
            rows: vec![0; FILES.len()],
        }
    }

    /// A row of file `f` (an index into [`FILES`]).
    fn put(&mut self, f: usize, rec: &[String]) {
        let _ = self.writers[f].write_record(rec);
        self.rows[f] += 1;
    }

    fn finish(self) -> ChunkOut {
        ChunkOut {
            files: self
                .writers
                .into_iter()
                .map(|x| x.into_inner().unwrap_or_default())
                .collect(),
            rows: self.rows,
        }
    }
}
