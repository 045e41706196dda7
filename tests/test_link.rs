//! `affil link`: the matcher on two person lists.

mod common;

use common::*;

fn pairs(wd: &Workdir, out: &str) -> Vec<(String, String, f64)> {
    read_csv(&wd.path(out))
        .into_iter()
        .map(|r| {
            (
                r["left_id"].clone(),
                r["right_id"].clone(),
                r["score"].parse().unwrap(),
            )
        })
        .collect()
}

/// The linked `(left_id, right_id)` pairs of an output, in file order.
fn linked_ids(wd: &Workdir, out: &str) -> Vec<(String, String)> {
    pairs(wd, out).into_iter().map(|(l, r, _)| (l, r)).collect()
}

#[test]
fn links_cyrillic_latin_and_noisy_variants() {
    let wd = Workdir::new();
    wd.write(
        "left.csv",
        "id,full_name,birth_date,inn\n\
         L1,Иванова Мария Петровна,12.03.1978,\n\
         L2,Сидоров Алексей Викторович,1975-06-01,\n\
         L3,Кузнецова Елена Андреевна,,\n\
         L4,Щукин Юрий Дмитриевич,1969,\n\
         L5,Петров Иван Петрович,15.08.1975,\n\
         L6,Семёнова Татьяна Ильинична,,\n",
    );
    wd.write_cp1251(
        "right.csv",
        "ID;Full_Name;Birth_Date;Address\n\
         R1;Ivanova Mariya Petrovna;1978-03-12;Moscow\n\
         R2;АЛЕКСЕЙ ВИКТОРОВИЧ СИДОРОВ;1975;\n\
         R3;Kuznetsova Elena Andreevna;;\n\
         R4;Shchukin Yuriy Dmitriyevich;01.01.1969;\n\
         R5;Петров Иван Петрович;16.08.1975;\n\
         R6;Семенова Тaтьяна Ильинична;;\n\
         R7;Смирнов Олег Владимирович;;\n\
         R8;Петров Иван Петрович;03.11.1962;\n",
    );
    let o = wd.run(&["link", "left.csv", "right.csv", "--out", "m.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = linked_ids(&wd, "m.csv");
    let want: Vec<(String, String)> = [
        ("L1", "R1"),
        ("L2", "R2"),
        ("L3", "R3"),
        ("L4", "R4"),
        ("L5", "R5"),
        ("L6", "R6"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    // L5 / R5: a birth date one digit off is a typo; L5 / R8: a namesake born years apart is
    // another person.
    assert_eq!(got, want);
    for (_, _, s) in pairs(&wd, "m.csv") {
        assert!((0.0..=1.0).contains(&s));
    }
    let header = std::fs::read_to_string(wd.path("m.csv")).unwrap();
    assert!(header.starts_with("left_id,right_id,score\n"));
}

#[test]
fn inn_links_despite_a_changed_surname_and_blocks_different_inns() {
    let wd = Workdir::new();
    let a = person_inn(5916000001);
    let b = person_inn(5916000002);
    wd.write(
        "l.csv",
        &format!(
            "id,full_name,inn\nL1,Орлова Наталья Владимировна,{a}\nL2,Петров Иван Петрович,{a}\n"
        ),
    );
    wd.write(
        "r.csv",
        &format!(
            "id,full_name,inn\nR1,Смирнова Наталья Владимировна,{a}\nR2,Петров Иван Петрович,{b}\n"
        ),
    );
    let o = wd.run(&["link", "l.csv", "r.csv", "--out", "m.csv"]);
    assert!(o.status.success());
    let got = linked_ids(&wd, "m.csv");
    assert!(got.contains(&("L1".into(), "R1".into())));
    assert!(
        !got.contains(&("L2".into(), "R2".into())),
        "different valid INNs"
    );
}

#[test]
fn an_inn_that_lost_its_leading_zero_is_restored_with_a_warning() {
    let wd = Workdir::new();
    let inn = person_inn(16000001);
    assert!(inn.starts_with('0'), "{inn}");
    // The same person under another surname: only the INN ties them.
    wd.write(
        "l.csv",
        &format!(
            "id,full_name,inn\nL1,Орлова Наталья Владимировна,{}\n",
            &inn[1..]
        ),
    );
    wd.write(
        "r.csv",
        &format!("id,full_name,inn\nR1,Смирнова Наталья Владимировна,{inn}\n"),
    );
    let o = wd.run(&["link", "l.csv", "r.csv", "--out", "m.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "[inn]: INN `{}` read as {inn} (leading zero restored)",
            &inn[1..]
        )),
        "{}",
        stderr(&o)
    );
    let got = linked_ids(&wd, "m.csv");
    assert_eq!(got, vec![("L1".to_owned(), "R1".to_owned())]);
}

#[test]
fn an_impossible_date_is_compared_by_its_digits_with_a_warning() {
    let wd = Workdir::new();
    wd.write(
        "l.csv",
        "id,full_name,birth_date\nL1,Орлов Пётр Сергеевич,17.00.1916\n",
    );
    wd.write(
        "r.csv",
        "id,full_name,birth_date\nR1,Орлов Пётр Сергеевич,17.10.1916\n",
    );
    let o = wd.run(&["link", "l.csv", "r.csv", "--out", "m.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("[birth_date]: `17.00.1916` is not a calendar date; compared by its digits"),
        "{err}"
    );
    assert!(!err.contains("`17.10.1916`"), "{err}");
    let got = linked_ids(&wd, "m.csv");
    assert_eq!(got, vec![("L1".to_owned(), "R1".to_owned())]);
}

#[test]
fn a_former_surname_links_a_married_name_to_the_maiden_one() {
    let wd = Workdir::new();
    // The questionnaire gives her maiden name alone; the registry still has it.
    wd.write(
        "l.csv",
        "id,full_name,former_names\n\
         L1,Петрова Анна Игоревна,Сидорова\n\
         L2,Козлова Мария Олеговна,\n",
    );
    wd.write(
        "r.csv",
        "id,full_name\n\
         R1,Сидорова Анна Игоревна\n\
         R2,Сидорова Мария Олеговна\n",
    );
    let o = wd.run(&["link", "l.csv", "r.csv", "--out", "m.csv", "--explain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&wd.path("m.csv"));
    let linked: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["left_id"].as_str(), r["right_id"].as_str()))
        .collect();
    // Without a former name, another surname is another person (names only, no dates).
    assert_eq!(linked, vec![("L1", "R1")], "{rows:?}");
    assert!(
        rows[0]["explanation"].starts_with("surname former name +"),
        "{}",
        rows[0]["explanation"]
    );
}

#[test]
fn missing_id_column_exits_2() {
    let wd = Workdir::new();
    wd.write("l.csv", "name\nX\n");
    wd.write("r.csv", "id,full_name\n1,X\n");
    let o = wd.run(&["link", "l.csv", "r.csv", "--out", "m.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("l.csv") && stderr(&o).contains("`id`"));
}

#[test]
fn one_list_gives_its_duplicates_and_clusters() {
    let wd = Workdir::new();
    wd.write(
        "list.csv",
        "id,full_name,birth_date,inn\n\
         D1,Иванова Мария Петровна,12.03.1978,\n\
         D2,ИВАНОВА МАРИЯ ПЕТРОВНА,1978-03-12,\n\
         D3,Ivanova Mariya Petrovna,12.03.1978,\n\
         D4,Петров Иван Петрович,15.08.1975,\n\
         D5,Петров Иван Петрович,16.08.1975,\n\
         D6,Сидоров Алексей Викторович,,591600080064\n\
         D7,Сидоров А. В.,,591600080064\n\
         D8,Петров Иван Петрович,03.11.1962,\n",
    );
    let o = wd.run(&["link", "list.csv", "--out", "dup.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("dup_clusters.csv"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("candidate pair(s) compared"),
        "{}",
        stderr(&o)
    );
    let got = linked_ids(&wd, "dup.csv");
    // Each pair once, every pair of a cluster (D2 and D3 are linked through D1 too); D4 and
    // D5, born a digit apart, are one person with a typo; their namesake D8, born years
    // apart, another.
    let want: Vec<(String, String)> = [
        ("D1", "D2"),
        ("D1", "D3"),
        ("D2", "D3"),
        ("D4", "D5"),
        ("D6", "D7"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    let clusters: Vec<(String, String)> = read_csv(&wd.path("dup_clusters.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r["cluster_id"].clone()))
        .collect();
    let want: Vec<(String, String)> = [
        ("D1", "D1"),
        ("D2", "D1"),
        ("D3", "D1"),
        ("D4", "D4"),
        ("D5", "D4"),
        ("D6", "D6"),
        ("D7", "D6"),
        ("D8", "D8"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(clusters, want);
}

/// Three records of one surname: P1 (no birth date) shares P2's INN and P3's full name; P2 and
/// P3 were born in different years. The explain test adds P4, P3's twin with initials.
const CHAIN: &str = "id,full_name,birth_date,inn\n\
     P1,Морозов Олег Ильич,,591600080064\n\
     P2,Морозов О. И.,05.05.1980,591600080064\n\
     P3,Морозов Олег Ильич,05.05.1979,\n";

#[test]
fn a_cluster_lists_its_pairs_the_matcher_would_not_link_with_their_scores() {
    // P1 has no birth date: it links P2 (same INN) and P3 (same name,
    // no conflict), so all three are one cluster; P2 and P3, born a year apart, are listed
    // with the low score the matcher gives them, for the analyst to see the chain is weak.
    let wd = Workdir::new();
    wd.write("list.csv", CHAIN);
    let o = wd.run(&["link", "list.csv", "--out", "dup.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = pairs(&wd, "dup.csv");
    assert_eq!(got.len(), 3, "{got:?}");
    let p2p3 = got.iter().find(|(l, r, _)| l == "P2" && r == "P3").unwrap();
    assert!(p2p3.2 < 0.5, "{p2p3:?}");
    assert!(got
        .iter()
        .filter(|(l, _, _)| l == "P1")
        .all(|(_, _, s)| *s >= 0.8));
    let clusters = read_csv(&wd.path("dup_clusters.csv"));
    assert!(
        clusters.iter().all(|r| r["cluster_id"] == "P1"),
        "{clusters:?}"
    );
}

#[test]
fn explain_gives_each_pairs_weights_summing_to_its_score() {
    let wd = Workdir::new();
    wd.write(
        "list.csv",
        &format!("{CHAIN}P4,Морозов О. И.,05.05.1979,\n"),
    );
    let o = wd.run(&["link", "list.csv", "--out", "dup.csv", "--explain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&wd.path("dup.csv"));
    let text = |l: &str, r: &str| {
        rows.iter()
            .find(|x| x["left_id"] == l && x["right_id"] == r)
            .map(|x| x["explanation"].clone())
            .unwrap()
    };
    assert!(
        text("P1", "P2").contains("INN equal +"),
        "{}",
        text("P1", "P2")
    );
    assert!(text("P3", "P4").contains("birth date exact +"));
    assert!(text("P3", "P4").contains("given initial"));
    assert!(
        text("P2", "P3").contains("birth date year +-1 -"),
        "{}",
        text("P2", "P3")
    );
    // Every comparable pair: the parts add up to the score's weight in bits.
    for r in &rows {
        let e = &r["explanation"];
        if e.starts_with("not comparable") {
            continue;
        }
        let (parts, _) = e.split_once("->").unwrap();
        let bits: f64 = parts
            .split([',', ')'])
            .filter_map(|part| part.split_whitespace().last())
            .filter_map(|w| w.strip_prefix('+').or(Some(w)))
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
            .filter_map(|w| w.parse::<f64>().ok())
            .sum();
        let p = 1.0 / (1.0 + (-bits).exp2());
        let score: f64 = r["score"].parse().unwrap();
        assert!((p - score).abs() < 0.01, "{e}: {bits} bits, {p} vs {score}");
    }
}

#[test]
fn double_barrelled_surnames_link_in_either_order_and_form() {
    // tests/fixtures/link/double_barrelled.csv: one woman as Иванова, Иванова-Петрова,
    // Петрова Иванова (with her flat's address, no date) and Петрова-Иванова (day and month
    // swapped); a Петрова with another patronymic and date and a Сидорова with another given
    // name stay apart.
    let wd = Workdir::new();
    let list = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/link/double_barrelled.csv");
    let o = wd.run(&[
        "link",
        list.to_str().unwrap(),
        "--out",
        "dup.csv",
        "--explain",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&wd.path("dup.csv"));
    let linked: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["score"].parse::<f64>().unwrap() >= 0.8)
        .map(|r| (r["left_id"].as_str(), r["right_id"].as_str()))
        .collect();
    assert_eq!(
        linked,
        [
            ("B1", "B2"),
            ("B1", "B3"),
            ("B1", "B4"),
            ("B2", "B3"),
            ("B2", "B4"),
            ("B3", "B4")
        ]
    );
    let why = |l: &str, r: &str| {
        rows.iter()
            .find(|x| x["left_id"] == l && x["right_id"] == r)
            .map(|x| x["explanation"].clone())
            .unwrap()
    };
    assert!(why("B1", "B2").contains("surname double-barrelled +"));
    assert!(why("B2", "B3").contains("surname double-barrelled +"));
    assert!(why("B1", "B3").contains("address exact +"));
    assert!(why("B1", "B4").contains("birth date day/month swapped +"));
    assert!(stderr(&o).contains("weights: default weights (the list has 6 records"));
}

/// A person list of `people` persons (surname, given name, patronymic and date drawn from
/// pools with a fixed generator), every fourth written a second time with clerks' slips, each
/// independently with chance 1/3: a typo in the surname, initials for the given name and
/// patronymic, day and month swapped, one digit of the year changed.
fn noisy_person_list(people: usize) -> (String, usize) {
    const SURNAMES: [&str; 40] = [
        "Иванов",
        "Смирнов",
        "Кузнецов",
        "Попов",
        "Васильев",
        "Петров",
        "Соколов",
        "Михайлов",
        "Новиков",
        "Федоров",
        "Морозов",
        "Волков",
        "Алексеев",
        "Лебедев",
        "Семенов",
        "Егоров",
        "Павлов",
        "Козлов",
        "Степанов",
        "Николаев",
        "Орлов",
        "Андреев",
        "Макаров",
        "Никитин",
        "Захаров",
        "Зайцев",
        "Соловьев",
        "Борисов",
        "Яковлев",
        "Григорьев",
        "Романов",
        "Воробьев",
        "Сергеев",
        "Кузьмин",
        "Фролов",
        "Александров",
        "Дмитриев",
        "Королев",
        "Гусев",
        "Киселев",
    ];
    const MEN: [&str; 16] = [
        "Александр",
        "Сергей",
        "Андрей",
        "Дмитрий",
        "Алексей",
        "Максим",
        "Евгений",
        "Иван",
        "Михаил",
        "Артём",
        "Роман",
        "Олег",
        "Павел",
        "Денис",
        "Игорь",
        "Виктор",
    ];
    const WOMEN: [&str; 16] = [
        "Елена",
        "Ольга",
        "Наталья",
        "Татьяна",
        "Ирина",
        "Светлана",
        "Анна",
        "Мария",
        "Юлия",
        "Екатерина",
        "Галина",
        "Людмила",
        "Марина",
        "Вера",
        "Нина",
        "Ксения",
    ];
    const PATRONYMICS: [(&str, &str); 12] = [
        ("Иванович", "Ивановна"),
        ("Петрович", "Петровна"),
        ("Сергеевич", "Сергеевна"),
        ("Николаевич", "Николаевна"),
        ("Владимирович", "Владимировна"),
        ("Михайлович", "Михайловна"),
        ("Александрович", "Александровна"),
        ("Андреевич", "Андреевна"),
        ("Юрьевич", "Юрьевна"),
        ("Викторович", "Викторовна"),
        ("Олегович", "Олеговна"),
        ("Павлович", "Павловна"),
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut out = String::from("id,full_name,birth_date\n");
    let mut pairs = 0;
    for i in 0..people {
        let woman = next(2) == 0;
        let surname = SURNAMES[next(SURNAMES.len())];
        let surname = if woman {
            format!("{surname}а")
        } else {
            surname.to_owned()
        };
        let pool = if woman { &WOMEN } else { &MEN };
        let given = pool[next(pool.len())];
        let (his, hers) = PATRONYMICS[next(PATRONYMICS.len())];
        let patronymic = if woman { hers } else { his };
        let (d, m, y) = (1 + next(28), 1 + next(12), 1940 + next(60));
        out += &format!("P{i},{surname} {given} {patronymic},{d:02}.{m:02}.{y}\n");
        if i % 4 == 0 {
            pairs += 1;
            let mut slip = || next(3) == 0;
            let surname = if slip() {
                format!("{surname}х")
            } else {
                surname
            };
            let initial = |w: &str| format!("{}.", w.chars().next().unwrap());
            let name = if slip() {
                format!("{surname} {} {}", initial(given), initial(patronymic))
            } else {
                format!("{surname} {given} {patronymic}")
            };
            let (d, m) = if slip() { (m, d) } else { (d, m) };
            let y = if slip() { y + 1 - 2 * (y % 2) } else { y };
            out += &format!("Q{i},{name},{d:02}.{m:02}.{y}\n");
        }
    }
    (out, pairs)
}

#[test]
fn train_prints_and_saves_the_weights_and_a_model_file_gives_the_same_pairs() {
    let wd = Workdir::new();
    let (list, planted) = noisy_person_list(2000);
    wd.write("list.csv", &list);
    let o = wd.run(&[
        "link", "list.csv", "--out", "a.csv", "--train", "--model", "m.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.starts_with("weights: estimated from"), "{table}");
    for row in [
        "surname      typo",
        "birth_date   day/month swapped",
        "address      exact",
    ] {
        assert!(table.contains(row), "{row}: {table}");
    }
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("m.json")).unwrap()).unwrap();
    assert_eq!(model["fields"][3]["field"], "birth_date");
    assert!(model["matches_per_record"].as_f64().unwrap() > 0.0);
    // The planted second records are found, and little else (a second record with two date
    // slips, day and month swapped and the year changed, falls to the year +-1 level: one in
    // nine of them).
    let found = pairs(&wd, "a.csv");
    let right = found
        .iter()
        .filter(|(l, r, _)| l.starts_with('P') && r == &l.replacen('P', "Q", 1))
        .count();
    assert!(
        right as f64 >= 0.85 * planted as f64,
        "{right} of {planted}"
    );
    assert!(
        found.len() <= planted + planted / 20,
        "{} pairs",
        found.len()
    );
    // The saved model, read back, scores the same pairs the same way.
    let again = wd.run(&["link", "list.csv", "--out", "b.csv", "--model", "m.json"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("weights: estimated from"));
    assert_eq!(
        std::fs::read(wd.path("a.csv")).unwrap(),
        std::fs::read(wd.path("b.csv")).unwrap()
    );
}

#[test]
fn a_model_file_of_another_shape_is_refused_with_its_name() {
    let wd = Workdir::new();
    wd.write("list.csv", "id,full_name\n1,Иванов Иван\n");
    wd.write("m.json", "{\"source\": \"x\", \"fields\": []}");
    let o = wd.run(&["link", "list.csv", "--out", "a.csv", "--model", "m.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("m.json") && stderr(&o).contains("not a usable model file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn estimated_weights_and_pairs_are_the_same_for_any_thread_count() {
    let wd = Workdir::new();
    let (list, _) = noisy_person_list(1500);
    wd.write("list.csv", &list);
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let out = format!("t{threads}.csv");
        let o = wd.run(&[
            "--threads",
            threads,
            "link",
            "list.csv",
            "--out",
            &out,
            "--train",
            "--explain",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).starts_with("weights: estimated from"));
        outputs.push((stdout(&o), std::fs::read(wd.path(&out)).unwrap()));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn random_pairs_are_a_few_per_record_unless_asked_for() {
    let wd = Workdir::new();
    let (list, _) = noisy_person_list(1500);
    wd.write("list.csv", &list);
    let records = list.lines().count() - 1;
    // "weights: estimated from N records: u from K random pairs, ..." -> K
    let compared = |extra: &[&str]| {
        let mut args = vec!["link", "list.csv", "--out", "a.csv"];
        args.extend_from_slice(extra);
        let o = wd.run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        let k = err
            .split(" random pairs")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|k| k.parse::<usize>().ok());
        k.unwrap_or_else(|| panic!("no count of random pairs: {err}"))
    };
    // Some drawn pairs are never compared (two sexes), so fewer than drawn are counted.
    let default = compared(&[]);
    assert!(
        (records..=affil::resolve::model::U_PER_RECORD * records).contains(&default),
        "{default} for {records} records"
    );
    let asked = compared(&["--random-pairs", "3000"]);
    assert!((1000..=3000).contains(&asked), "{asked}");
}
