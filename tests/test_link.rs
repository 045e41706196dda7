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
         R7;Смирнов Олег Владимирович;;\n",
    );
    let o = wd.run(&["link", "left.csv", "right.csv", "--out", "m.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got: Vec<(String, String)> = pairs(&wd, "m.csv")
        .into_iter()
        .map(|(l, r, _)| (l, r))
        .collect();
    let want: Vec<(String, String)> = [
        ("L1", "R1"),
        ("L2", "R2"),
        ("L3", "R3"),
        ("L4", "R4"),
        ("L6", "R6"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    // L5 / R5: namesakes with different birth dates are never one person.
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
    let got: Vec<(String, String)> = pairs(&wd, "m.csv")
        .into_iter()
        .map(|(l, r, _)| (l, r))
        .collect();
    assert!(got.contains(&("L1".into(), "R1".into())));
    assert!(
        !got.contains(&("L2".into(), "R2".into())),
        "different valid INNs"
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
         D7,Сидоров А. В.,,591600080064\n",
    );
    let o = wd.run(&["link", "list.csv", "--out", "dup.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("dup_clusters.csv"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("candidate pair(s) compared"),
        "{}",
        stderr(&o)
    );
    let got: Vec<(String, String)> = pairs(&wd, "dup.csv")
        .into_iter()
        .map(|(l, r, _)| (l, r))
        .collect();
    // Each pair once, every pair of a cluster (D2 and D3 are linked through D1 too); the
    // namesakes born a day apart are two people.
    let want: Vec<(String, String)> = [("D1", "D2"), ("D1", "D3"), ("D2", "D3"), ("D6", "D7")]
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
        ("D5", "D5"),
        ("D6", "D6"),
        ("D7", "D6"),
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
    // no conflict), so all three are one cluster; P2 and P3, born in different years, are listed
    // with the score the matcher gives them, 0, for the analyst to see the chain is weak.
    let wd = Workdir::new();
    wd.write("list.csv", CHAIN);
    let o = wd.run(&["link", "list.csv", "--out", "dup.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = pairs(&wd, "dup.csv");
    assert_eq!(got.len(), 3, "{got:?}");
    let p2p3 = got.iter().find(|(l, r, _)| l == "P2" && r == "P3").unwrap();
    assert_eq!(p2p3.2, 0.0);
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
    assert!(text("P2", "P3").starts_with("not comparable"));
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
