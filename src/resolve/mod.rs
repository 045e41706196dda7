//! Stage 3: resolve mentions into persons, and commission seats into officials.
//!
//! Blocking keys (see [`blocking_keys`]) propose candidate pairs; [`mod@compare`] scores them;
//! pairs at or above [`MATCH_PROBABILITY`] are merged strongest first, and a merge that would
//! put two valid INNs, two birth dates, two sexes or two members of one questionnaire into
//! one person is refused.

pub mod blocking;
mod cluster;
pub mod compare;
pub mod estimate;
pub mod fields;
mod groups;
mod keys;
pub mod model;
mod propose;
mod seats;

pub use cluster::*;
pub use groups::*;
pub use keys::{blocking_keys, mention_keys, BlockKey, SHARDS};
pub use propose::{
    born, candidate_pairs, candidate_pairs_keyed, candidate_pairs_packed, Born, MAX_BLOCK,
};

pub use compare::{
    compare, person_link, prior_for, registry_prior, Basis, Difference, Link, TermFreq,
    MATCH_PROBABILITY, TARGETED_PRIOR,
};

use propose::{big_block_test, entries_by_shard, propose_sharded, unpack_pair, BornTable};
use seats::resolve_seats;

use crate::load::Warnings;
use crate::model::Dataset;
use crate::normalize::{MentionId, Mentions};

/// Index of a resolved person.
pub type PersonId = u32;

/// How a commission seat was tied to an official.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeatMatch {
    /// Index of the official in `Dataset::officials`.
    pub official: u32,
    /// Confidence in 0..1 (1 when the file gives `official_id`).
    pub score: f64,
    /// What the name match rests on; `None` when given by id.
    pub basis: Option<Basis>,
    /// How many officials the name fits (more than 1: ambiguous); two bytes, so that a seat
    /// takes 16 (tens of millions of seats at national scale), counting up to 65,535.
    pub candidates: u16,
}

/// Persons and seat assignments: the output of [`resolve`].
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// Person of each mention.
    pub person_of: Vec<PersonId>,
    /// Number of persons (person ids run from 0; persons are numbered by their first mention).
    pub persons: usize,
    /// Officials each seat (row of commissions.csv) resolves to by the name in the minutes;
    /// none kept for a seat given by `official_id` (most of them: 16 bytes each of 15 million
    /// at national scale), whose one match [`Resolution::seat_matches`] makes.
    pub seats: Groups<SeatMatch>,
    /// Pairs merged.
    pub links_made: usize,
    /// Candidate pairs scored.
    pub pairs_compared: usize,
    /// Registry records tied to an official's or a relative's mention by a targeted comparison
    /// (prior [`TARGETED_PRIOR`]: is this company's controller one of the few people around this
    /// official?), as `(registry mention, circle mention)`, sorted. A rule asks that narrower
    /// question, so it ties records that whole-registry resolution keeps apart.
    pub ties: Vec<(MentionId, MentionId)>,
    /// Surname frequencies of the dataset, and the level weights the comparisons used.
    pub tf: TermFreq,
    /// Where the level weights come from: estimated from the data, or the defaults and why
    /// (see [`estimate`]).
    pub weights: String,
}

impl Resolution {
    /// For each official of `data`, whether some seat resolves to them.
    pub fn sitting(&self, data: &Dataset) -> Vec<bool> {
        let mut sitting = vec![false; data.officials.len()];
        for o in data.seats.iter().filter_map(|s| s.official.get()) {
            sitting[o as usize] = true;
        }
        for m in self.seats.items() {
            sitting[m.official as usize] = true;
        }
        sitting
    }

    /// The officials seat `row` of `data` resolves to: the one its `official_id` names (score
    /// 1, no basis), else those its name fits.
    pub fn seat_matches<'a>(
        &'a self,
        data: &Dataset,
        row: usize,
    ) -> impl DoubleEndedIterator<Item = SeatMatch> + 'a {
        let by_id = data.seats[row].official.get().map(|official| SeatMatch {
            official,
            score: 1.0,
            basis: None,
            candidates: 1,
        });
        by_id.into_iter().chain(self.seats.of(row).iter().copied())
    }

    /// How many seat matches there are in all.
    pub fn seat_match_count(&self, data: &Dataset) -> usize {
        let by_id = data
            .seats
            .iter()
            .filter(|s| s.official.get().is_some())
            .count();
        by_id + self.seats.items().len()
    }
}

/// Resolves the mentions of `data` into persons and its commission seats into officials.
pub fn resolve(data: &Dataset, mentions: &Mentions, warnings: &mut Warnings) -> Resolution {
    let list = &mentions.list;
    let mut seat_warnings = Warnings::default();
    let prior = registry_prior(list.len());
    // Two arms that share nothing: blocking (the largest buffers of the stage, parallel
    // itself), and beside it the weights' training (a sample of 120,000 records), whose
    // sequential parts fill the cores blocking leaves idle. Blocking tests the pairs of big
    // blocks with the surname frequencies, so those come first. Where the data shows slips in
    // birth dates beyond chance, the dates a slip apart meet in blocking too (whether they
    // weigh is the estimate's to say; if not, the comparison refuses them).
    let ((mut tf, slips, (pairs, oversized)), trained) = rayon::join(
        || {
            // The keys counted beside the frequencies; each shard's entries written when its
            // turn comes, so that one shard's are held at a time.
            let (tf, entries) = rayon::join(|| TermFreq::of(list), || entries_by_shard(list));
            crate::progress::inc(list.len() as u64);
            let slips = estimate::SlipCounts::of(list, &tf);
            let born = BornTable::of(list, &tf, slips.shown());
            let proposed =
                propose_sharded(entries, |_, _| true, &born, big_block_test(list, &born));
            (tf, slips, proposed)
        },
        || estimate::train(list),
    );
    let estimated = trained.weigh(&slips);
    tf.levels = estimated.weights;
    if oversized > 0 {
        warnings.push(
            "",
            0,
            "",
            format!(
                "{oversized} name blocks of more than {MAX_BLOCK} records (namesakes) were \
                 compared within birth years; there a record without a birth date is compared \
                 only with officials and relatives"
            ),
        );
    }
    crate::progress::grow(pairs.len() as u64);
    // The commission seats (matched with the default weights) beside the clustering, not
    // beside blocking: their buffers and blocking's entries at once were the national run's
    // peak (1.4 GB over its 15 GB).
    let (
        Clustered {
            person_of,
            persons,
            merged: links_made,
            ties,
        },
        seats,
    ) = rayon::join(
        || cluster(list, &pairs, prior, Some(&tf)),
        || resolve_seats(data, mentions, &mut seat_warnings),
    );
    warnings.0.extend(seat_warnings.0);
    Resolution {
        person_of,
        persons,
        seats,
        weights: estimated.model.source,
        pairs_compared: pairs.len(),
        ties,
        links_made,
        tf,
    }
}

#[cfg(test)]
mod tests {
    use super::keys::{poly, raw_mention_keys, raw_mention_keys_in};
    use super::propose::propose;
    use super::*;
    use crate::normalize::{parse_name, Mention, MentionSource, Part};

    #[test]
    fn deletion_keys_hash_their_whole_text() {
        // Digraph letters (щ, ж, ч) fold to one multibyte letter each.
        for raw in [
            "Щукина Жанна Чеславовна",
            "Ан Ли Петрович",
            "Кузнецов-Шмидт Иван Ильич",
            // Longer than the table of powers (64 letters).
            "Кузнецовапетровасидороваивановасмирновапоповаволковаморозоваалексеевалебедева \
             Анна Ивановна",
        ] {
            let n = parse_name(raw);
            let (Some(g), Some(p)) = (
                n.given.and_then(Part::word),
                n.patronymic.and_then(Part::word),
            ) else {
                panic!("{raw}: whole given name and patronymic")
            };
            let folded = compare::letters(n.surname.as_deref().unwrap());
            let text = |surname: &str| {
                let head = format!("g:{g}|{p}|");
                let h = poly::extend(0, head.bytes().map(u64::from));
                poly::finish(poly::extend(h, surname.chars().map(u64::from)))
            };
            let mut want = vec![text(&folded)];
            for (i, c) in folded.char_indices().skip(1) {
                want.push(text(&format!(
                    "{}{}",
                    &folded[..i],
                    &folded[i + c.len_utf8()..]
                )));
            }
            let mut keys = Vec::new();
            blocking_keys(&n, &mut keys);
            let got: Vec<u64> = keys
                .iter()
                .filter(|k| k.shard != 0)
                .map(|k| k.hash)
                .collect();
            assert_eq!(got, want, "{raw}");
            assert_eq!(want.len(), folded.chars().count());
        }
    }

    use crate::values::parse_birth_date;

    fn m(name: &str, birth: Option<&str>, family: Option<u32>) -> Mention {
        Mention {
            source: MentionSource::Role(0).into(),
            names: smallvec::smallvec![parse_name(name)],
            birth: birth.and_then(parse_birth_date),
            inn: None,
            family: family.into(),
        }
    }

    #[test]
    fn dates_a_slip_apart_meet_and_merge_only_where_the_data_shows_slips() {
        let ms = vec![
            m("Кузнецова Ольга Петровна", Some("05.03.1980"), Some(0)),
            m("Кузнецова Ольга Петровна", Some("03.05.1980"), None),
            m("Кузнецова Ольга Петровна", Some("05.03.1981"), None),
        ];
        let mut tf = TermFreq::of(&ms);
        let proposed = |slips: bool| -> Vec<(u32, u32)> {
            let born = BornTable::of(&ms, &tf, slips);
            let entries = entries_by_shard(&ms);
            let (pairs, _) = propose_sharded(entries, |_, _| true, &born, |_, _| true);
            pairs.into_iter().map(unpack_pair).collect()
        };
        assert!(proposed(false).is_empty(), "{:?}", proposed(false));
        // The swapped date meets; the year a digit off does not (another year's namesake).
        assert_eq!(proposed(true), [(0, 1)]);
        let pairs = [1u64];
        assert_eq!(cluster(&ms, &pairs, -12.0, Some(&tf)).merged, 0);
        tf.levels.date_swapped = Some(8.0);
        let c = cluster(&ms, &pairs, -12.0, Some(&tf));
        assert_eq!((c.merged, c.person_of[0] == c.person_of[1]), (1, true));
    }

    fn persons(ms: &[Mention]) -> Vec<PersonId> {
        cluster(ms, &candidate_pairs_packed(ms), -12.0, None).person_of
    }

    #[test]
    fn a_seat_match_takes_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<SeatMatch>(), 16);
    }

    #[test]
    fn a_seat_given_by_id_keeps_no_match_and_reads_one_at_full_score() {
        use crate::model::{OptBirth, Procurement, Seat, SeatRole, Sym, Texts};
        let customer = crate::model::Inn::new("7700000000");
        let official = |id: &str, name: &str| crate::model::Official {
            line: 2,
            texts: Texts::new([id, name, "", "", ""], []),
            birth_date: OptBirth::NONE,
            inn: None,
            position: Sym::default(),
            employer_inn: Some(customer),
        };
        let seat = |official: Option<u32>, name: Option<&str>| Seat {
            line: 2,
            procurement: 0,
            official: official.into(),
            member_name: name.map(|_| 0).into(),
            role: SeatRole::Member,
        };
        let data = Dataset {
            officials: vec![
                official("A1", "Гаврилов Тимофей Ильич"),
                official("A2", "Соколова Вера Петровна"),
            ],
            procurements: vec![Procurement {
                line: 2,
                procurement_id: "0373100000121000009".into(),
                customer_inn: customer,
                customer_name: Sym::default(),
                subject: Sym::default(),
                method: Sym::default(),
                published: None,
                national_project: Sym::default(),
            }],
            seats: vec![seat(Some(0), None), seat(None, Some("Соколова В.П."))],
            member_names: vec![Sym::from("Соколова В.П.")],
            ..Dataset::default()
        };
        let mentions = crate::normalize::normalize(&data);
        let res = resolve(&data, &mentions, &mut Warnings::default());
        assert!(
            res.seats.of(0).is_empty(),
            "nothing kept for the seat given by id"
        );
        let by_id: Vec<SeatMatch> = res.seat_matches(&data, 0).collect();
        let want = SeatMatch {
            official: 0,
            score: 1.0,
            basis: None,
            candidates: 1,
        };
        assert_eq!(by_id, [want]);
        let by_name: Vec<SeatMatch> = res.seat_matches(&data, 1).collect();
        assert_eq!(by_name.len(), 1);
        assert_eq!((by_name[0].official, by_name[0].candidates), (1, 1));
        assert!(by_name[0].basis.is_some() && by_name[0].score < 1.0);
        assert_eq!(res.seat_match_count(&data), 2);
        assert_eq!(res.sitting(&data), [true, true]);
    }

    #[test]
    fn variants_of_one_person_cluster_together() {
        let ms = vec![
            m("Петров Иван Петрович", Some("1980-02-01"), None),
            m("ПЕТРОВ ИВАН ПЕТРОВИЧ", None, None),
            m("Иван Петрович Петров", Some("1980"), None),
            m("Сидоров Олег Ильич", None, None),
        ];
        assert_eq!(persons(&ms), vec![0, 0, 0, 1]);
    }

    #[test]
    fn a_dateless_mention_joins_only_one_of_two_namesakes() {
        let ms = vec![
            m("Петров Иван Петрович", Some("1980-02-01"), None),
            m("Петров Иван Петрович", Some("1962-07-01"), None),
            m("Петров Иван Петрович", None, None),
        ];
        let p = persons(&ms);
        assert_ne!(p[0], p[1], "namesakes with different birth dates");
        assert!(p[2] == p[0] || p[2] == p[1]);
    }

    #[test]
    fn blocking_catches_initials_and_typos() {
        let ms = vec![
            m("Иванова Мария Петровна", None, None),
            m("Иванова М.П.", None, None),
            m("Ивонова Мария Петровна", None, None),
            m("Мария Петровна Иванова", None, None),
        ];
        let pairs = candidate_pairs(&ms, |_, _| true);
        for b in 1..4 {
            assert!(pairs.contains(&(0, b)), "pair 0-{b} missing from {pairs:?}");
        }
    }

    #[test]
    fn groups_keep_each_owners_items_in_order() {
        let mut h = Groups::default();
        h.push([1u8, 2]);
        h.push([]);
        h.push([3]);
        assert_eq!(
            (h.len(), h.of(0), h.of(1), h.of(2)),
            (3, &[1, 2][..], &[][..], &[3][..])
        );
        assert_eq!(h.items(), [1, 2, 3]);
    }

    #[test]
    fn an_oversized_namesake_block_is_compared_within_birth_years() {
        // 0, 1: born 1970; 2: 1980; 3, 4: no date (registry); 5: no date, a relative of
        // official 0; then namesakes born in other years, so the block passes MAX_BLOCK.
        let name = "Иванов Иван Иванович";
        let mut ms = vec![
            m(name, Some("1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("1980"), None),
            m(name, None, None),
            m(name, None, None),
            m(name, None, Some(0)),
        ];
        let years: Vec<String> = (0..MAX_BLOCK).map(|y| (1990 + y).to_string()).collect();
        ms.extend(years.iter().map(|y| m(name, Some(y), None)));
        let pairs = candidate_pairs(&ms, |_, _| true);
        let met = |a: u32, b: u32| pairs.contains(&(a, b));
        assert!(met(0, 1), "same year");
        assert!(!met(0, 2) && !met(1, 2), "different years");
        assert!(!met(3, 4), "two dateless registry records");
        assert!(met(3, 5) && met(4, 5), "dateless record and a relative");
        assert!(met(0, 5) && met(2, 5), "a dateless relative meets everyone");
        // In a small block, dated records still meet within their year only (they could not
        // be one person otherwise), and a dateless one meets everyone.
        let few = candidate_pairs(&ms[..5], |_, _| true);
        assert!(few.contains(&(0, 1)) && !few.contains(&(0, 2)));
        assert!(few.contains(&(3, 4)) && few.contains(&(0, 3)) && few.contains(&(2, 4)));
        // An equal INN outweighs the dates: such records meet whatever their years.
        let mut two = vec![m(name, Some("1970"), None), m(name, Some("1971"), None)];
        assert!(candidate_pairs(&two, |_, _| true).is_empty());
        for r in &mut two {
            r.inn = Some("500100732259".into());
        }
        assert_eq!(candidate_pairs(&two, |_, _| true), [(0, 1)]);
    }

    #[test]
    fn full_birth_dates_meet_only_their_own_date_and_bare_year() {
        let name = "Иванов Иван Иванович";
        let ms = vec![
            m(name, Some("01.02.1970"), None),
            m(name, Some("01.02.1970"), None),
            m(name, Some("02.02.1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("1970"), None),
            m(name, Some("01.02.1971"), None),
        ];
        let pairs = candidate_pairs(&ms, |_, _| true);
        // One date; a bare year with every date of it and with another bare year.
        let want = [
            (0, 1),
            (0, 3),
            (0, 4),
            (1, 3),
            (1, 4),
            (2, 3),
            (2, 4),
            (3, 4),
        ];
        assert_eq!(pairs, want);
        // Exactly the pairs a comparison does not rule apart.
        for a in 0..ms.len() as u32 {
            for b in a + 1..ms.len() as u32 {
                let c = compare(&ms[a as usize], &ms[b as usize], TARGETED_PRIOR).is_some();
                assert_eq!(c, want.contains(&(a, b)), "{a} {b}");
            }
        }
    }

    #[test]
    fn the_name_test_of_big_blocks_keeps_every_pair_that_links_or_ties() {
        let names = [
            "Цвырчиков Иван Петрович",
            "Цвырчикова Мария Петровна",
            "Цвырчиков И.П.",
            "Цвырчиков Иван",
            "Цвырчиков Иван Павлович",
            "Цвырчков Иван Петрович",
            "Смирнов Иван Иванович",
            "Смирнов И.И.",
            "Смирнов Иван",
            "Смирнов Иван Ивановчи",
            "Смирнов Иван Петрович",
            "Cмирнов Иван Иванович",
            "Иван Иванович Смирнов",
            "Смирнова Ивана Ивановна",
        ];
        // Without dates; officials' and relatives' records beside registry ones, for ties.
        let ms: Vec<Mention> = names
            .iter()
            .enumerate()
            .map(|(i, n)| m(n, None, (i % 3 == 0).then_some(i as u32)))
            .collect();
        // Enough common namesakes for the first surname to be rare and the second common.
        let filler = m("Смирнов Пётр Сергеевич", Some("1960"), None);
        let all: Vec<Mention> = ms
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(filler, 200_000))
            .collect();
        let tf = TermFreq::of(&all);
        assert!(tf.has_rare_surname(&ms[0]) && !tf.has_rare_surname(&ms[6]));
        let prior = registry_prior(all.len());
        let (mut kept, mut dropped, mut matched) = (0, 0, 0);
        for (i, a) in ms.iter().enumerate() {
            for b in &ms[i + 1..] {
                let (link, tie) = judge(a, b, prior, Some(&tf));
                let both_rare = tf.has_rare_surname(a) && tf.has_rare_surname(b);
                let passes = compare::may_link_on_name(a, b, both_rare);
                if link.is_some() || tie {
                    matched += 1;
                    assert!(passes, "{a:?} {b:?}");
                }
                if passes {
                    kept += 1;
                } else {
                    dropped += 1;
                }
            }
        }
        assert!(
            matched > 5 && kept > matched && dropped > 20,
            "{matched} {kept} {dropped}"
        );
    }

    #[test]
    fn a_big_block_keeps_name_matches_and_leaves_inns_to_the_inn_blocks() {
        // A relative (0) and namesakes without dates, enough for a big block.
        let name = "Иванов Иван Иванович";
        let mut ms = vec![m(name, None, Some(0))];
        ms.extend((0..MAX_BLOCK + 2).map(|_| m(name, None, None)));
        ms.push(m("Иванов Иван Петрович", None, None));
        let inn = |s: &str| Some(crate::model::Inn::from(s));
        ms[0].inn = inn("500100732259");
        ms[1].inn = inn("500100732259");
        ms[2].inn = inn("773370857141");
        let last = ms.len() as u32 - 1;
        let tf = TermFreq::of(&ms);
        let born = BornTable::of(&ms, &tf, false);
        let (pairs, oversized) = propose_sharded(
            entries_by_shard(&ms),
            |_, _| true,
            &born,
            big_block_test(&ms, &born),
        );
        assert!(oversized > 0);
        let pairs: Vec<(u32, u32)> = pairs.into_iter().map(unpack_pair).collect();
        assert!(pairs.contains(&(0, 1)), "the same INN");
        assert!(!pairs.contains(&(0, 2)), "two different INNs");
        assert!(pairs.contains(&(0, 3)), "the same full name, one INN");
        assert!(!pairs.contains(&(0, last)), "another patronymic");
        // Registry namesakes without dates do not meet each other in a big block.
        assert!(!pairs.contains(&(3, 4)));
    }

    #[test]
    fn a_shards_keys_are_the_keys_of_that_shard() {
        let mut ms: Vec<Mention> = [
            "Петров Иван Петрович",
            "Щукина-Жданова Жанна Чеславовна",
            "Петров И.П.",
            "Иван Петров",
            "Петров",
        ]
        .iter()
        .map(|n| m(n, None, None))
        .collect();
        ms[0].inn = Some("500100732259".into());
        for m in &ms {
            let mut all = Vec::new();
            raw_mention_keys(m, &mut all);
            let mut seen = 0;
            for shard in 0..SHARDS {
                let mut some = Vec::new();
                raw_mention_keys_in(m, 1 << shard, &mut some);
                let want: Vec<BlockKey> = all
                    .iter()
                    .filter(|k| k.shard as usize == shard)
                    .copied()
                    .collect();
                assert_eq!(some, want, "shard {shard}");
                seen += some.len();
            }
            assert_eq!(seen, all.len());
        }
    }

    #[test]
    fn sharded_blocking_proposes_what_one_pass_does() {
        // Typos in each part, initials, word order, a missing patronymic, namesakes.
        let names = [
            "Петров Иван Петрович",
            "Петрова Ивана Петрович",
            "Пертов Иван Петрович",
            "Петров Иван Петровчи",
            "Петров И.П.",
            "Иван Петрович Петров",
            "Петров Иван",
            "Петровский Иван Петрович",
            "Патров Иван Петрович",
            "Сидорова Анна Павловна",
            "Сидорова Анна Павлована",
            "Сидорва Анна Павловна",
        ];
        let ms: Vec<Mention> = names
            .iter()
            .enumerate()
            .map(|(i, n)| m(n, (i % 3 == 0).then_some("1970"), None))
            .collect();
        // The reference: every key in one pass (no INNs here, so every block is a name block).
        let one_pass: Vec<(u32, u32)> = propose(
            {
                let mut entries = entries_by_shard(&ms);
                (0..SHARDS).flat_map(&mut entries).collect()
            },
            true,
            |_, _| true,
            &BornTable::from_fn(ms.len(), |i| born(&ms[i as usize])),
            |_, _| true,
        )
        .0
        .into_iter()
        .map(unpack_pair)
        .collect();
        let sharded: Vec<(u32, u32)> = candidate_pairs_packed(&ms)
            .into_iter()
            .map(unpack_pair)
            .collect();
        assert_eq!(sharded, one_pass);
        assert!(one_pass.contains(&(0, 2)) && one_pass.contains(&(9, 11)));
        // The keys are spread over every shard (a name's `g:` keys are all in one of two).
        let mut keys = Vec::new();
        let with_inn = Mention {
            inn: Some("500100732259".into()),
            ..ms[0].clone()
        };
        raw_mention_keys(&with_inn, &mut keys);
        for m in &ms {
            raw_mention_keys(m, &mut keys);
        }
        for shard in 0..SHARDS as u8 {
            assert!(keys.iter().any(|k| k.shard == shard), "shard {shard} empty");
        }
    }
}
