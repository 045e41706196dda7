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
