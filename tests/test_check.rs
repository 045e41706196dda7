//! `affil check` end to end: the sample data, broken copies of it, and data written from scratch.

mod common;

use std::collections::HashMap;

use common::*;

#[test]
fn sample_finds_exactly_the_expected_cases() {
    let wd = Workdir::new();
    let o = wd.run(&["check", sample_dir().to_str().unwrap(), "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let found = case_keys(&wd.path("out/cases.csv"));
    let expected = case_keys(&sample_dir().join("expected_cases.csv"));
    assert_eq!(found, expected);
    // Too few records to estimate the comparison weights from: the run says so.
    assert!(
        stderr(&o).contains(
            "weights: default weights (26 officials' and relatives' records and 28 of the \
             registry's sampled; at least 1000 on each side are needed to estimate them)"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn decoys_are_not_flagged() {
    let wd = Workdir::new();
    let o = wd.run(&["check", sample_dir().to_str().unwrap(), "--out", "out"]);
    assert!(o.status.success());
    let cases = read_csv(&wd.path("out/cases.csv"));
    let rules_of = |name: &str| -> Vec<String> {
        cases
            .iter()
            .filter(|c| c["participant_name"] == name)
            .map(|c| c["rule"].clone())
            .collect()
    };
    // A namesake with another birth date, a role that ended before the procurement: no rule.
    for decoy in ["ООО «Эпсилон»", "ООО «Каппа»"] {
        assert_eq!(rules_of(decoy), Vec::<String>::new(), "{decoy} flagged");
    }
    // Outside 44-FZ, flagged by the wider rules only: an in-law director, a 9% chain, a former
    // spouse, exactly 10% through a chain (KIN-EXT); a relative's company bidding where the
    // official, on the customer's staff, sits on no commission (EMPLOYEE).
    for (decoy, rule) in [
        ("ООО «Дельта»", "KIN-EXT"),
        ("ООО «Зета»", "KIN-EXT"),
        ("ООО «Лямбда»", "KIN-EXT"),
        ("ООО «Тета»", "KIN-EXT"),
        ("ООО «Омега»", "EMPLOYEE"),
    ] {
        assert_eq!(rules_of(decoy), vec![rule.to_owned()], "{decoy}");
    }
    // Ромашка wins 0156300012321000054 too, where the official's sister is not seated.
    let rules_054: Vec<&str> = cases
        .iter()
        .filter(|c| c["procurement_id"] == "0156300012321000054")
        .map(|c| c["rule"].as_str())
        .collect();
    assert_eq!(rules_054, vec!["EMPLOYEE"]);
}

#[test]
fn cases_carry_evidence_scores_and_order() {
    let wd = Workdir::new();
    wd.run(&["check", sample_dir().to_str().unwrap(), "--out", "out"]);
    let cases = read_csv(&wd.path("out/cases.csv"));
    let sev_rank = |s: &str| {
        ["high", "medium", "low"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    for pair in cases.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (ra, rb) = (sev_rank(&a["severity"]), sev_rank(&b["severity"]));
        assert!(
            ra < rb || (ra == rb && a["score"] >= b["score"]),
            "order: {a:?} / {b:?}"
        );
    }
    let chain = cases
        .iter()
        .find(|c| c["participant_name"] == "ООО «Стройка»")
        .expect("indirect beneficiary case");
    assert_eq!(chain["relation"], "child");
    assert!(chain["participant_link"].starts_with("beneficiary 15% via ООО «Холдинг Север»"));
    assert!(chain["evidence"]
        .contains("учредитель 50% -> ООО «Холдинг Север» -> учредитель 30% (итого 15%)"));
    let ambiguous = cases
        .iter()
        .find(|c| c["procurement_id"] == "0156300012321000052")
        .expect("ambiguous member case");
    assert!(ambiguous["evidence"].contains("подходит к 2 сотрудникам"));
    assert!(ambiguous["score"].parse::<f64>().unwrap() <= 0.5);
    let warnings = std::fs::read_to_string(wd.path("out/warnings.csv")).unwrap();
    assert!(warnings.contains("`Иванова М.П.` fits 2 officials"));
    // A name alone links, but scores below a name with its birth date.
    let score = |c: &std::collections::HashMap<String, String>| c["score"].parse::<f64>().unwrap();
    let name_only = cases.iter().find(|c| c["relation"] == "spouse").unwrap();
    assert!(name_only["evidence"].contains("только ФИО"));
    let with_date = cases
        .iter()
        .find(|c| c["relation"] == "parent" && c["participant_name"] == "АО «Техно»")
        .unwrap();
    assert!(with_date["evidence"].contains("ФИО и дата рождения"));
    assert!(score(name_only) >= 0.8 && score(name_only) < score(with_date));
}

#[test]
fn json_and_summary_agree_with_csv() {
    let wd = Workdir::new();
    wd.run(&["check", sample_dir().to_str().unwrap(), "--out", "out"]);
    let csv_cases = read_csv(&wd.path("out/cases.csv"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("out/cases.json")).unwrap()).unwrap();
    let arr = json.as_array().unwrap();
    assert_eq!(arr.len(), csv_cases.len());
    for (j, c) in arr.iter().zip(&csv_cases) {
        assert_eq!(j["case_id"], c["case_id"].as_str());
        let steps = j["chain"].as_array().unwrap();
        assert!(steps.len() >= 4);
        assert_eq!(steps.last().unwrap()["kind"], "procurement");
    }
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(md.contains("мероприятие 2.2"));
    assert!(md.contains("закупок — 10, заявок — 23, участников — 19"));
    assert!(md.contains(
        "всего — 9 (закупок — 8, должностных лиц — 7), из них с победителем закупки — 5"
    ));
    assert!(md.contains("| company_roles.csv | Windows-1251 | `;` | 31 | 31 | 0 |"));
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let wd = Workdir::new();
    let data = sample_dir();
    let data = data.to_str().unwrap();
    assert!(wd
        .run(&["--threads", "1", "check", data, "--out", "one"])
        .status
        .success());
    assert!(wd
        .run(&["--threads", "2", "check", data, "--out", "two"])
        .status
        .success());
    assert!(wd.run(&["check", data, "--out", "three"]).status.success());
    for f in affil::report::OUTPUT_FILES {
        let a = std::fs::read(wd.path(&format!("one/{f}"))).unwrap();
        assert_eq!(
            a,
            std::fs::read(wd.path(&format!("two/{f}"))).unwrap(),
            "{f}"
        );
        assert_eq!(
            a,
            std::fs::read(wd.path(&format!("three/{f}"))).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn missing_required_column_exits_2_naming_file_and_column() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let text = read_text(&dir.join("relatives.csv")).replace("kinship", "relation_word");
    wd.write("data/relatives.csv", &text);
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("relatives.csv") && err.contains("`kinship`"),
        "{err}"
    );
}

#[test]
fn missing_required_file_exits_2() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    std::fs::remove_file(dir.join("commissions.csv")).unwrap();
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("commissions.csv"));
    assert!(!wd.path("out/cases.csv").exists());
}

#[test]
fn bad_inn_is_a_warning_and_the_rest_is_still_found() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    // Break the checksum of the official O01's INN and of a neutral bidder's INN.
    let officials = read_text(&dir.join("officials.csv"));
    let o01 = read_csv(&dir.join("officials.csv"))[0]["inn"].clone();
    let mut broken = o01.clone();
    let last = broken.pop().unwrap();
    broken.push(if last == '0' { '1' } else { '0' });
    wd.write("data/officials.csv", &officials.replace(&o01, &broken));
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let warnings = read_csv(&wd.path("out/warnings.csv"));
    assert!(warnings.iter().any(|w| w["file"] == "officials.csv"
        && w["line"] == "2"
        && w["column"] == "inn"
        && w["problem"].contains(&broken)));
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
}

#[test]
fn rejected_rows_are_counted_and_listed() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let mut text = read_text(&dir.join("participants.csv"));
    text.push_str("0999999999999999999,7707083893,ООО «Нет такой закупки»,нет,,\n");
    text.push_str(",,,,,\n");
    wd.write("data/participants.csv", &text);
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success());
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.contains("| participants.csv | UTF-8 | `,` | 25 | 23 | 2 |"),
        "{md}"
    );
    let warnings = read_csv(&wd.path("out/warnings.csv"));
    let rejected: Vec<_> = warnings
        .iter()
        .filter(|w| w["file"] == "participants.csv" && w["problem"].starts_with("row rejected"))
        .collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected
        .iter()
        .any(|w| w["line"] == "25" && w["problem"].contains("not in procurements.csv")));
    assert!(stderr(&o).contains("participants.csv"));
}

/// Rows of a CSV output as maps.
type Rows = Vec<HashMap<String, String>>;

/// The sample with `rows` appended to its company_roles.csv (rewritten as UTF-8): the check's
/// cases.csv rows and its warnings.
fn with_roles(wd: &Workdir, rows: &str) -> (Rows, Rows) {
    let dir = wd.copy_sample("data");
    let roles = read_text(&dir.join("company_roles.csv"));
    wd.write("data/company_roles.csv", &format!("{roles}{rows}"));
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    (
        read_csv(&wd.path("out/cases.csv")),
        read_csv(&wd.path("out/warnings.csv")),
    )
}

#[test]
fn a_contradicting_share_creates_no_case_and_the_case_on_it_says_so() {
    let wd = Workdir::new();
    // Line 19 has ООО «Инвест» holding 30% of ООО «Зета»; at 60% the official's sister (30% of
    // Инвест) would hold 18% of Зета: a COI-44FZ case, made by the contradiction alone.
    let (cases, warnings) = with_roles(&wd, "5916392669;founder;;;;5916112978;60;01.01.2018;\n");
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
    let zeta: Vec<_> = cases
        .iter()
        .filter(|c| c["participant_inn"] == "5916392669")
        .collect();
    assert_eq!(zeta.len(), 1, "{zeta:?}");
    assert_eq!(zeta[0]["rule"], "KIN-EXT");
    assert!(
        zeta[0]["evidence"].ends_with(
            "[противоречие в данных: доля указана как 30%, 60% (company_roles.csv, строки 19, 33), \
             взята меньшая: 30%]"
        ),
        "{}",
        zeta[0]["evidence"]
    );
    // The other cases rest on no contradiction and say nothing of one.
    assert_eq!(
        cases
            .iter()
            .filter(|c| c["evidence"].contains("противоречие"))
            .count(),
        1
    );
    let w: Vec<_> = warnings
        .iter()
        .filter(|w| w["problem"].contains("(a conflict)"))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(
        (w[0]["file"].as_str(), w[0]["line"].as_str()),
        ("company_roles.csv", "33")
    );
    assert!(
        w[0]["problem"].contains("of line 19"),
        "{}",
        w[0]["problem"]
    );
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.contains("| company_roles.csv | UTF-8 | `;` | 32 | 31 | 0 | 1 | 1 |"),
        "{md}"
    );
}

#[test]
fn a_holding_restated_with_less_is_one_holding_and_two_people_stay_two() {
    let wd = Workdir::new();
    // Line 20: Панова Алла Борисовна, no INN nor birth date, 70% of ООО «Зета» since 2018.
    // Restated with her birth date and in capitals (line 33), it is one holding; a namesake
    // born otherwise at line 34 is told apart from line 33, so every row is kept as it is.
    let (_, warnings) = with_roles(
        &wd,
        "5916392669;founder;ПАНОВА АЛЛА БОРИСОВНА;;12.12.1950;;70;01.01.2018;\n",
    );
    let w: Vec<_> = warnings
        .iter()
        .filter(|w| w["file"] == "company_roles.csv")
        .map(|w| (w["line"].as_str(), w["problem"].as_str()))
        .collect();
    assert_eq!(
        w,
        [(
            "20",
            "row repeats the founder of 5916392669 by ПАНОВА АЛЛА БОРИСОВНА since 2018-01-01 \
             of line 33; used once"
        )]
    );
    let wd = Workdir::new();
    let (_, warnings) = with_roles(
        &wd,
        "5916392669;founder;ПАНОВА АЛЛА БОРИСОВНА;;12.12.1950;;70;01.01.2018;\n\
         5916392669;founder;Панова Алла Борисовна;;03.04.1979;;70;01.01.2018;\n",
    );
    assert!(
        !warnings.iter().any(|w| w["file"] == "company_roles.csv"),
        "{warnings:?}"
    );
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.contains("| company_roles.csv | UTF-8 | `;` | 33 | 33 | 0 | 0 | 0 |"),
        "{md}"
    );
}

#[test]
fn one_inn_with_two_birth_dates_decides_no_match_by_either() {
    let wd = Workdir::new();
    // The founder of ООО «Ромашка» (line 3: INN 591687583461, born 15.08.1975) is given another
    // birth date under the same INN, in a company that bids nowhere.
    let (cases, warnings) = with_roles(
        &wd,
        "5916999005;director;Петров Иван Петрович;591687583461;16.09.1976;;;01.01.2019;\n",
    );
    let named: Vec<_> = warnings
        .iter()
        .filter(|w| {
            w["problem"].contains("591687583461 is given birth dates 15.08.1975, 16.09.1976")
        })
        .map(|w| (w["file"].as_str(), w["line"].as_str()))
        .collect();
    assert_eq!(
        named,
        [("company_roles.csv", "3"), ("company_roles.csv", "33")]
    );
    let romashka: Vec<_> = cases
        .iter()
        .filter(|c| c["participant_inn"] == "5916447124")
        .collect();
    assert_eq!(romashka.len(), 3);
    for c in romashka {
        let e = &c["evidence"];
        // Matched on the name alone now: the birth date that agreed is not read.
        assert!(e.contains("[совпадение: только ФИО"), "{e}");
        assert!(
            e.ends_with(
                "[противоречие в данных: ИНН 591687583461 с разными датами рождения 15.08.1975, \
                 16.09.1976 (company_roles.csv, строки 3, 33), дата рождения не учтена]"
            ),
            "{e}"
        );
    }
}

/// `--rules R` does only R's work (the shared search skips the others' parts): its cases are
/// exactly the full run's cases of R, row for row, for every rule.
#[test]
fn rule_subset_and_unknown_rule() {
    let wd = Workdir::new();
    let data = sample_dir();
    let o = wd.run(&["check", data.to_str().unwrap(), "--out", "all"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (header, all) = read_table(&wd.path("all/cases.csv"));
    let rule = header.iter().position(|h| h == "rule").unwrap();
    for code in [
        "COI-44FZ",
        "KIN-EXT",
        "EMPLOYEE",
        "CONTACT",
        "BIDDERS",
        "UNDECLARED",
    ] {
        let out = format!("out-{code}");
        let o = wd.run(&[
            "check",
            data.to_str().unwrap(),
            "--out",
            &out,
            "--rules",
            code,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let (_, rows) = read_table(&wd.path(&format!("{out}/cases.csv")));
        let expected: Vec<&Vec<String>> = all.iter().filter(|r| r[rule] == code).collect();
        assert!(!expected.is_empty(), "the sample has no {code} case");
        assert_eq!(rows.iter().collect::<Vec<_>>(), expected, "{code}");
        // UNDECLARED's prior is estimated, and said, only when it runs.
        assert_eq!(
            stderr(&o).contains("UNDECLARED prior:"),
            code == "UNDECLARED",
            "{code}: {}",
            stderr(&o)
        );
    }
    let o = wd.run(&[
        "check",
        data.to_str().unwrap(),
        "--out",
        "out2",
        "--rules",
        "NOPE",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown rule `NOPE`"));
}

/// A dataset written from scratch in another style: ISO dates, given-name-first names, Latin
/// look-alikes, initials, upper-case headers, extra columns, no companies.csv, an IE relative
/// found by INN, a chain through circular holdings, and a role that starts after the procurement.
#[test]
fn data_written_by_someone_else() {
    let wd = Workdir::new();
    let cust = org_inn(770100001);
    let g = org_inn(770200008);
    let (a, b, c, d, e, f) = (
        org_inn(770200002),
        org_inn(770200003),
        org_inn(770200004),
        org_inn(770200005),
        org_inn(770200006),
        org_inn(770200007),
    );
    let ie = person_inn(7703000001);
    wd.write_cp1251(
        "d/officials.csv",
        &format!(
            "OFFICIAL_ID;FULL_NAME;BIRTH_DATE;EMPLOYER_INN;NOTES\n\
             A1;Тимофей Ильич Гаврилов;1971-01-01;{cust};x\n\
             A2;Зуева Дарья Олеговна;1986-05-05;{cust};\n\
             A3;Зуева Дина Олеговна;1990-06-06;{cust};\n"
        ),
    );
    wd.write(
        "d/relatives.csv",
        &format!(
            "official_id,kinship,full_name,birth_date,inn\n\
             A1,Дочь,Гаврилова Вера Тимофеевна,1995,\n\
             A1,Свёкор,Лаптев Ян Ильич,1950,\n\
             A2,Внук,Зуев Игорь Петрович,2001-02-02,{ie}\n\
             A2,Супруг,Зуев Пётр Ильич,1984-04-04,\n\
             A3,Брат,Зуев Олег Олегович,1980-08-08,\n"
        ),
    );
    wd.write(
        "d/company_roles.csv",
        &format!(
            "company_inn,role,person_name,person_birth_date,holder_inn,share_percent,since,until\n\
             {a},Директор,Вера Тимофеевна Гаврилова,,,,2020-01-01,\n\
             {b},director,Лаптев Ян Ильич,1950,,,2020-01-01,\n\
             {c},founder,,,{d},0.5,2020-01-01,\n\
             {d},founder,,,{g},0.5,2020-01-01,\n\
             {g},founder,,,{d},0.5,2020-01-01,\n\
             {g},founder,Зуев Пётр Ильич,,,0.5,2020-01-01,\n\
             {e},director,Зуев Олег Олегович,1980-08-08,,,2022-01-01,\n\
             {f},director,ЗУЕВ ОЛЕГ ОЛЕГОВИЧ,1966-01-01,,,2020-01-01,\n"
        ),
    );
    wd.write(
        "d/procurements.csv",
        &format!(
            "procurement_id,customer_inn,published\n\
             0373100000121000001,{cust},2021-05-05\n\
             0373100000121000002,{cust},2021-06-06\n"
        ),
    );
    wd.write(
        "d/participants.csv",
        &format!(
            "procurement_id,participant_inn,participant_name,is_winner,contract_price\n\
             0373100000121000001,{a},ООО Альфа,yes,100.5\n\
             0373100000121000001,{b},ООО Бета,no,\n\
             0373100000121000002,{ie},ИП Зуев И. П.,1,\"1 000,00\"\n\
             0373100000121000002,{c},АО Цикл,0,\n\
             0373100000121000002,{e},ООО Е,0,\n\
             0373100000121000002,{f},ООО Ф,0,\n"
        ),
    );
    wd.write(
        "d/commissions.csv",
        "procurement_id,member_name,role\n\
         0373100000121000001,Гaврилов T.И.,chair\n\
         0373100000121000002,Зуева Д. О.,member\n",
    );
    let o = wd.run(&["check", "d", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    let got: std::collections::BTreeSet<(String, String, String)> = cases
        .iter()
        .filter(|c| c["rule"] == "COI-44FZ")
        .map(|c| {
            (
                c["official_id"].clone(),
                c["participant_inn"].clone(),
                c["relation"].clone(),
            )
        })
        .collect();
    // Дочь directs A (given-name-first in the registry, look-alike letters in the protocol).
    // "Зуева Д. О." fits A2 and A3: A2's grandson is the IE; A2's husband holds half of G;
    // G and D hold half of each other; D holds half of C: D's share of C is
    // 1/2 + 1/2 x (G's share) and G's is 1/2 x (D's share), so 2/3 and 1/3, and his is 1/6
    // (16.67% > 10%) by the matrix method.
    // Decoys: father-in-law directs B; A3's brother directs E only from 2022; F's director is a
    // namesake of A3's brother born in another year.
    let expect: std::collections::BTreeSet<(String, String, String)> = [
        ("A1", a.as_str(), "child"),
        ("A2", ie.as_str(), "grandchild"),
        ("A2", c.as_str(), "spouse"),
    ]
    .iter()
    .map(|(x, y, z)| (x.to_string(), y.to_string(), z.to_string()))
    .collect();
    assert_eq!(got, expect);
    // The father-in-law is outside 44-FZ: KIN-EXT flags him. F's director, a namesake of A3's
    // brother, is no relative of A3; but he is 20 years older than A2 and her patronymic comes
    // from his name: UNDECLARED takes him for her father, whom her questionnaire leaves out.
    // Nothing else is flagged.
    let wider: Vec<(&str, &str, &str)> = cases
        .iter()
        .filter(|c| c["rule"] != "COI-44FZ")
        .map(|c| {
            (
                c["rule"].as_str(),
                c["participant_inn"].as_str(),
                c["relation"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        wider,
        vec![
            ("KIN-EXT", b.as_str(), "parent_in_law"),
            ("UNDECLARED", f.as_str(), "probable_parent")
        ]
    );
    let father = cases.iter().find(|x| x["rule"] == "UNDECLARED").unwrap();
    assert_eq!(father["official_id"], "A2");
    let cyc = cases.iter().find(|x| x["participant_inn"] == c).unwrap();
    assert!(
        cyc["participant_link"].starts_with("beneficiary 16.67%"),
        "{cyc:?}"
    );
    assert!(cyc["participant_link"].contains("circular"), "{cyc:?}");
}

#[test]
fn timings_are_written_per_stage_on_request_only() {
    let wd = Workdir::new();
    let data = sample_dir();
    let o = wd.run(&["check", data.to_str().unwrap(), "--out", "plain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!wd.path("plain/timings.csv").exists());
    // The stderr summary names every file written, and only those.
    let err = stderr(&o);
    for f in affil::report::OUTPUT_FILES {
        assert!(err.contains(&format!("plain/{f}")), "{f}: {err}");
        assert!(wd.path(&format!("plain/{f}")).exists(), "{f}");
    }
    assert!(!err.contains("timings.csv") && !err.contains("gone_cases.csv"));
    let o = wd.run(&[
        "check",
        data.to_str().unwrap(),
        "--out",
        "timed",
        "--timings",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&wd.path("timed/timings.csv"));
    let stages: Vec<&str> = rows.iter().map(|r| r["stage"].as_str()).collect();
    assert_eq!(
        stages,
        ["load", "normalize", "resolve", "graph", "rules", "report"]
    );
    for r in &rows {
        for col in ["wall_s", "cpu_s", "peak_rss_mb"] {
            let v: f64 = r[col].parse().unwrap_or(-1.0);
            assert!(v >= 0.0, "{col} = {}", r[col]);
        }
    }
    // The table on stderr names every stage and a total; the summary names the file.
    let err = stderr(&o);
    assert!(
        err.contains("peak RSS, MB") && err.contains("\ntotal "),
        "{err}"
    );
    assert!(err.contains("timed/timings.csv"), "{err}");
}

#[test]
fn a_memory_limit_too_small_stops_before_reading_and_says_why() {
    let wd = Workdir::new();
    let data = sample_dir();
    let data = data.to_str().unwrap();
    let o = wd.run(&["check", data, "--out", "small", "--memory-limit", "50M"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("would need about 200 MiB")
            && err.contains("over --memory-limit 50 MiB: stopped before reading anything"),
        "{err}"
    );
    assert!(!wd.path("small").exists(), "nothing is written");
    // Under a limit it fits in, the same outputs as without one.
    let o = wd.run(&["check", data, "--out", "limited", "--memory-limit", "1.5G"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wd.run(&["check", data, "--out", "free"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in affil::report::OUTPUT_FILES {
        let read = |d: &str| std::fs::read(wd.path(&format!("{d}/{f}"))).unwrap();
        assert!(read("limited") == read("free"), "{f} differs");
    }
    let o = wd.run(&["check", data, "--out", "x", "--memory-limit", "4Q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown unit"), "{}", stderr(&o));
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let wd = Workdir::new();
    let o = wd.run_env(
        &["check", sample_dir().to_str().unwrap(), "--out", "out"],
        &[("AFFIL_PROGRESS_AFTER_MS", "0")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        !err.contains('\u{1b}') && !err.contains("=>"),
        "progress drawn into a pipe: {err}"
    );
}

/// Writes a check in `d/` where official A1 (wife: Гаврилова Вера Петровна) chairs the
/// commission of customer `cust`'s one procurement, which company `t` wins, with the given
/// `company_roles.csv`; runs `affil check d --out out`.
fn one_bid_with_the_chairs_wife(
    wd: &Workdir,
    cust: &str,
    t: &str,
    roles: &str,
) -> std::process::Output {
    wd.write(
        "d/officials.csv",
        &format!("official_id,full_name,birth_date,employer_inn\nA1,Гаврилов Тимофей Ильич,1971-01-01,{cust}\n"),
    );
    wd.write(
        "d/relatives.csv",
        "official_id,kinship,full_name,birth_date\nA1,жена,Гаврилова Вера Петровна,1973-03-03\n",
    );
    wd.write("d/company_roles.csv", roles);
    wd.write(
        "d/procurements.csv",
        &format!("procurement_id,customer_inn,published\n0373100000121000009,{cust},2021-05-05\n"),
    );
    wd.write(
        "d/participants.csv",
        &format!(
            "procurement_id,participant_inn,participant_name,is_winner\n0373100000121000009,{t},ООО Тор,1\n"
        ),
    );
    wd.write(
        "d/commissions.csv",
        "procurement_id,official_id,role\n0373100000121000009,A1,chair\n",
    );
    wd.run(&["check", "d", "--out", "out"])
}

#[test]
fn a_ring_of_over_64_companies_is_flagged_as_approximate() {
    // The official's wife holds half of R1; R1 holds 60% of the bidder T; R2 holds half of R1,
    // R3 half of R2, ..., R70 half of R69, and R1 half of R70: a ring of 70 companies, solved in
    // floating point. Her share of T is about 30%.
    let wd = Workdir::new();
    let cust = org_inn(770100001);
    let t = org_inn(770300001);
    let ring: Vec<String> = (1..=70).map(|k| org_inn(770400000 + k)).collect();
    let mut roles = String::from(
        "company_inn,role,person_name,person_birth_date,holder_inn,share_percent,since,until\n",
    );
    roles.push_str(&format!("{t},founder,,,{},60,2020-01-01,\n", ring[0]));
    roles.push_str(&format!(
        "{},founder,Гаврилова Вера Петровна,1973-03-03,,50,2020-01-01,\n",
        ring[0]
    ));
    for k in 0..69 {
        roles.push_str(&format!(
            "{},founder,,,{},50,2020-01-01,\n",
            ring[k],
            ring[k + 1]
        ));
    }
    roles.push_str(&format!(
        "{},founder,,,{},50,2020-01-01,\n",
        ring[69], ring[0]
    ));
    let o = one_bid_with_the_chairs_wife(&wd, &cust, &t, &roles);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    assert_eq!(cases.len(), 1, "{cases:?}");
    let link = &cases[0]["participant_link"];
    assert!(link.starts_with("beneficiary 30%"), "{link}");
    assert!(
        link.ends_with("(circular holdings, share computed approximately)"),
        "{link}"
    );
}

#[test]
fn a_relative_at_the_top_of_a_long_chain_is_found() {
    // The bidder T is held whole by C1, C1 by C2, ..., C39 by C40, and the official's wife
    // founded C40: forty links up, past where the walk up the chain keeps a set of companies
    // seen instead of a list.
    let wd = Workdir::new();
    let cust = org_inn(770100001);
    let t = org_inn(770300001);
    let chain: Vec<String> = (1..=40).map(|k| org_inn(770400000 + k)).collect();
    let mut roles = String::from(
        "company_inn,role,person_name,person_birth_date,holder_inn,share_percent,since,until\n",
    );
    roles.push_str(&format!("{t},founder,,,{},100,2020-01-01,\n", chain[0]));
    for k in 0..39 {
        roles.push_str(&format!(
            "{},founder,,,{},100,2020-01-01,\n",
            chain[k],
            chain[k + 1]
        ));
    }
    roles.push_str(&format!(
        "{},founder,Гаврилова Вера Петровна,1973-03-03,,100,2020-01-01,\n",
        chain[39]
    ));
    let o = one_bid_with_the_chairs_wife(&wd, &cust, &t, &roles);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    assert_eq!(cases.len(), 1, "{cases:?}");
    let link = &cases[0]["participant_link"];
    assert!(link.contains("100%"), "{link}");
}

/// A protocol name is matched among the customer's own staff and the officials with no
/// employer given, never among another customer's namesakes.
#[test]
fn protocol_names_are_matched_within_the_customer() {
    let wd = Workdir::new();
    let (c1, c2) = (org_inn(770100001), org_inn(770100002));
    wd.write(
        "d/officials.csv",
        &format!(
            "official_id,full_name,birth_date,employer_inn\n\
             S1,Сидоров Пётр Иванович,1970-01-01,{c1}\n\
             S2,Сидоров Пётр Иванович,1971-02-02,{c2}\n\
             S3,Сидоров Павел Игоревич,1972-03-03,\n\
             S4,Сидоров Пётр Иванович,1973-04-04,{c2}\n"
        ),
    );
    wd.write(
        "d/procurements.csv",
        &format!(
            "procurement_id,customer_inn,published\n\
             0373100000121000001,{c1},2021-05-05\n\
             0373100000121000002,{c2},2021-05-05\n"
        ),
    );
    wd.write(
        "d/commissions.csv",
        "procurement_id,member_name,role\n\
         0373100000121000001,Сидоров П.И.,chair\n\
         0373100000121000002,Сидоров Пётр Иванович,chair\n",
    );
    wd.write("d/relatives.csv", "official_id,kinship,full_name\n");
    wd.write("d/company_roles.csv", "company_inn,role,person_name\n");
    wd.write("d/participants.csv", "procurement_id,participant_inn\n");
    let o = wd.run(&["check", "d", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let warnings = std::fs::read_to_string(wd.path("out/warnings.csv")).unwrap();
    assert!(
        warnings.contains(&format!(
            "`Сидоров П.И.` fits 2 officials of customer {c1} (S1, S3)"
        )),
        "{warnings}"
    );
    assert!(
        warnings.contains(&format!(
            "`Сидоров Пётр Иванович` fits 2 officials of customer {c2} (S2, S4)"
        )),
        "{warnings}"
    );
}

#[test]
fn russian_headers_read_as_the_documented_columns() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let russian = |column: &str| {
        affil::load::headers::ALIASES
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(column.to_owned(), |(_, a)| a[0].to_uppercase())
    };
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name == "expected_cases.csv" {
            continue;
        }
        let text = read_text(&path);
        let (head, rest) = text.split_once('\n').unwrap();
        let delim = if head.contains(';') { ";" } else { "," };
        // Headers holding the delimiter (`доля, %`) are quoted.
        let head: Vec<String> = head
            .trim_end_matches('\r')
            .split(delim)
            .map(|h| {
                let r = russian(h);
                if r.contains(delim) {
                    format!("\"{r}\"")
                } else {
                    r
                }
            })
            .collect();
        let text = format!("{}\n{rest}", head.join(delim));
        if name == "company_roles.csv" {
            wd.write_cp1251(&format!("data/{name}"), &text);
        } else {
            wd.write(&format!("data/{name}"), &text);
        }
    }
    assert!(
        read_text(&dir.join("officials.csv")).starts_with("ТАБЕЛЬНЫЙ НОМЕР,ФИО,ДАТА РОЖДЕНИЯ,ИНН")
    );
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
}

#[test]
fn cells_a_spreadsheet_would_run_are_neutralised() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let text = read_text(&dir.join("officials.csv"))
        .replacen(
            "O01,Иванова Мария Петровна",
            "O01,=Иванова Мария Петровна",
            1,
        )
        .replacen("O02,Сидоров", "O02,@Сидоров", 1);
    wd.write("data/officials.csv", &text);
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    // The same cases (the marks are not letters of the name), and no cell starts a formula.
    assert_eq!(
        cases.len(),
        read_csv(&sample_dir().join("expected_cases.csv")).len()
    );
    for c in &cases {
        for v in c.values() {
            assert!(!v.starts_with(['=', '+', '-', '@']), "{v}");
        }
    }
    assert!(cases
        .iter()
        .any(|c| c["official_name"] == "'=Иванова Мария Петровна"));
    assert!(cases
        .iter()
        .any(|c| c["evidence"].starts_with("'@Сидоров Алексей Викторович")));
}

#[test]
fn koi8_r_and_repaired_mojibake_give_the_same_cases() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    // officials.csv in KOI8-R; relatives.csv as Windows-1251 that was shown as Latin-1 and saved
    // as UTF-8 (`Îòäåë` for `Отдел`).
    let officials = read_text(&dir.join("officials.csv"));
    std::fs::write(
        dir.join("officials.csv"),
        encoding_rs::KOI8_R.encode(&officials).0,
    )
    .unwrap();
    let relatives = read_text(&dir.join("relatives.csv"));
    let seen_as_latin1: String = encoding_rs::WINDOWS_1251
        .encode(&relatives)
        .0
        .iter()
        .map(|&b| char::from(b))
        .collect();
    assert!(seen_as_latin1.contains("ñåñòðà"), "{seen_as_latin1}");
    wd.write("data/relatives.csv", &seen_as_latin1);
    let md = check_gives_the_sample_cases(&wd);
    assert!(md.contains("| officials.csv | KOI8-R |"), "{md}");
    assert!(md.contains("| relatives.csv | UTF-8 (repaired) |"), "{md}");
    let warnings = read_csv(&wd.path("out/warnings.csv"));
    assert!(
        warnings
            .iter()
            .any(|w| w["file"] == "relatives.csv" && w["problem"].contains("repaired")),
        "{warnings:?}"
    );
}

#[test]
fn a_workbook_saved_as_csv_is_refused_by_name() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    std::fs::write(
        dir.join("participants.csv"),
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
    )
    .unwrap();
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("participants.csv"), "{err}");
    assert!(err.contains("save the sheet as CSV"), "{err}");
}

#[test]
fn broken_shapes_are_warned_and_kept_where_they_can_be() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    // A duplicate header, a short row that still has its required fields (a new bid), a long
    // row, a blank line and a total row under the records.
    let text = read_text(&dir.join("participants.csv"));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0].push_str(",participant_name");
    lines.push("0156300012321000046,5916561331".to_owned());
    lines.push("0156300012321000046,5916954043,ООО «Эпсилон»,нет,,,лишнее,ещё,и ещё".to_owned());
    lines.push(String::new());
    lines.push("Итого,,,,\"100 000,00\",".to_owned());
    wd.write("data/participants.csv", &(lines.join("\n") + "\n"));
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
    let w = read_csv(&wd.path("out/warnings.csv"));
    let says = |line: &str, what: &str| {
        w.iter().any(|x| {
            x["file"] == "participants.csv" && x["line"] == line && x["problem"].contains(what)
        })
    };
    let n = lines.len();
    assert!(says("1", "appears twice in the header"), "{w:?}");
    assert!(
        says(&(n - 3).to_string(), "row has 2 fields, the header has 7"),
        "{w:?}"
    );
    assert!(says(&(n - 2).to_string(), "row has 9 fields"), "{w:?}");
    assert!(says(&n.to_string(), "a total row (`Итого`)"), "{w:?}");
    // Read = used + rejected: the two new bids are used, the total row rejected.
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.contains("| participants.csv | UTF-8 | `,` | 26 | 25 | 1 |"),
        "{md}"
    );
}

#[test]
fn snils_control_numbers_are_checked() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let text = read_text(&dir.join("officials.csv"));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0].push_str(",СНИЛС");
    lines[1].push_str(",112-233-445 95");
    lines[2].push_str(",112-233-445 96");
    wd.write("data/officials.csv", &(lines.join("\n") + "\n"));
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let w = read_csv(&wd.path("out/warnings.csv"));
    let snils: Vec<_> = w.iter().filter(|x| x["column"] == "snils").collect();
    assert_eq!(snils.len(), 1, "{snils:?}");
    assert_eq!(snils[0]["line"], "3");
    assert!(snils[0]["problem"].contains("112-233-445 96"));
}

#[test]
fn year_over_year_marks_cases_and_carries_decisions() {
    let wd = Workdir::new();
    // Last year: the sample without ООО «Сигма»'s bid (its CONTACT and BIDDERS cases are not
    // there yet) and with one more bid of ООО «Ромашка» that gives a case this year lacks.
    let last = wd.copy_sample("last");
    let bids = read_text(&last.join("participants.csv"));
    let mut rows: Vec<&str> = bids.lines().filter(|l| !l.contains("5916770014")).collect();
    rows.push("0156300012321000046,5916447124,ООО «Ромашка»,нет,,");
    wd.write("last/participants.csv", &(rows.join("\n") + "\n"));
    let o = wd.run(&["check", "last", "--out", "out-last"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = read_csv(&wd.path("out-last/cases.csv"));
    assert!(before.iter().all(|c| c["status"].is_empty()));
    // Decisions on two of last year's cases; the word's case does not matter.
    let (a, b) = (&before[0]["case_id"], &before[1]["case_id"]);
    wd.write(
        "decisions.csv",
        &format!(
            "case_id,decision,comment,date\n{a},Confirmed,проверено,15.10.2021\n{b},cleared,не подтвердилось,16.10.2021\n"
        ),
    );
    let o = wd.run(&[
        "check",
        sample_dir().to_str().unwrap(),
        "--out",
        "out",
        "--previous",
        "out-last",
        "--decisions",
        "decisions.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("out/gone_cases.csv"), "{}", stderr(&o));
    let now = read_csv(&wd.path("out/cases.csv"));
    let by_id = |id: &str| now.iter().find(|c| c["case_id"] == id);
    // The same case has the same id a year later; decisions travel with it.
    assert_eq!(by_id(a).unwrap()["status"], "repeated");
    assert_eq!(by_id(a).unwrap()["decision"], "confirmed");
    assert_eq!(by_id(a).unwrap()["decision_comment"], "проверено");
    assert_eq!(by_id(b).unwrap()["decision"], "cleared");
    assert_eq!(by_id(b).unwrap()["decision_date"], "16.10.2021");
    let new: Vec<&str> = now
        .iter()
        .filter(|c| c["status"] == "new")
        .map(|c| c["rule"].as_str())
        .collect();
    assert_eq!(new, ["BIDDERS", "CONTACT"], "{now:?}");
    assert!(now
        .iter()
        .all(|c| c["status"] == "new" || c["status"] == "repeated"));
    let gone = read_csv(&wd.path("out/gone_cases.csv"));
    assert!(!gone.is_empty());
    assert!(gone
        .iter()
        .all(|g| g["participant_inn"].contains("5916447124")
            && g["procurement_id"] == "0156300012321000046"));
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.contains(&format!(
            "Новых случаев — 2, повторных — {}, не выявленных повторно — {}",
            now.len() - 2,
            gone.len()
        )),
        "{md}"
    );
    assert!(
        md.contains("подтверждено — 1, снято — 1, передано — 0"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("out/cases.json")).unwrap()).unwrap();
    let ja = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == a.as_str())
        .unwrap();
    assert_eq!(ja["status"], "repeated");
    assert_eq!(ja["decision"]["decision"], "confirmed");
    // A decision affil does not know is an error naming the file and line.
    wd.write("bad.csv", &format!("case_id,decision\n{a},maybe\n"));
    let o = wd.run(&[
        "check",
        sample_dir().to_str().unwrap(),
        "--out",
        "out2",
        "--decisions",
        "bad.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv") && stderr(&o).contains("line 2"),
        "{}",
        stderr(&o)
    );
}

/// A sample CSV file's header and records, as written.
/// Runs the check on `data` in `wd`, asserts it finds exactly the sample's cases, and returns
/// its summary.md.
fn check_gives_the_sample_cases(wd: &Workdir) -> String {
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
    std::fs::read_to_string(wd.path("out/summary.md")).unwrap()
}

fn sample_table(name: &str) -> Table {
    read_table(&sample_dir().join(name))
}

#[test]
fn officials_and_relatives_from_opendocument_spreadsheets_give_the_sample_cases() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    for name in ["officials", "relatives"] {
        std::fs::remove_file(dir.join(format!("{name}.csv"))).unwrap();
    }
    as_ods(
        &dir.join("officials.ods"),
        &sample_table("officials.csv"),
        "Сотрудники",
        2,
    );
    as_ods(
        &dir.join("relatives.ods"),
        &sample_table("relatives.csv"),
        "Лист1",
        0,
    );
    let md = check_gives_the_sample_cases(&wd);
    assert!(md.contains("| officials.ods[Сотрудники] | ODS |"), "{md}");
}

#[test]
fn officials_from_a_legacy_xls_workbook_give_the_sample_cases() {
    // tests/fixtures/xls/officials.xls: the sample's officials as Excel 97-2003 (xlwt, its
    // make.py), a title block above the header, birth dates as date cells.
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    std::fs::remove_file(dir.join("officials.csv")).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xls/officials.xls"),
        dir.join("officials.xls"),
    )
    .unwrap();
    let md = check_gives_the_sample_cases(&wd);
    assert!(md.contains("| officials.xls[Сотрудники] | XLS |"), "{md}");
}

#[test]
fn officials_and_relatives_from_workbooks_give_the_sample_cases() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    for name in ["officials", "relatives"] {
        std::fs::remove_file(dir.join(format!("{name}.csv"))).unwrap();
    }
    let (header, mut officials) = sample_table("officials.csv");
    // A checksum broken in the fifth official: its row in the sheet is 2 (title) + 1 (blank)
    // + 1 (header) + 5 = 9.
    let inn = header.iter().position(|h| h == "inn").unwrap();
    let good = officials[4][inn].clone();
    officials[4][inn] = "591600000000".into();
    // The first official again at the end (sheet row 16): a repeat, named by its sheet rows.
    officials.push(officials[0].clone());
    as_workbook(
        &dir.join("officials.xlsx"),
        &(header, officials),
        "Сотрудники",
        2,
        false,
    );
    as_workbook(
        &dir.join("relatives.xlsx"),
        &sample_table("relatives.csv"),
        "Лист1",
        0,
        false,
    );
    let md = check_gives_the_sample_cases(&wd);
    assert!(
        md.contains("| officials.xlsx[Сотрудники] | XLSX | `,` | 12 | 11 | 0 | 1 | 0 |"),
        "{md}"
    );
    let warnings = read_csv(&wd.path("out/warnings.csv"));
    let bad: Vec<_> = warnings
        .iter()
        .filter(|w| w["problem"].contains("591600000000"))
        .map(|w| (w["file"].as_str(), w["line"].as_str(), w["column"].as_str()))
        .collect();
    assert_eq!(
        bad,
        [("officials.xlsx[Сотрудники]", "9", "inn")],
        "was {good}"
    );
    assert!(warnings
        .iter()
        .any(|w| w["file"] == "officials.xlsx[Сотрудники]"
            && w["line"] == "16"
            && w["problem"] == "row repeats line 5: one fact, used once"));
}

#[test]
fn a_workbook_sheet_is_chosen_by_name_and_a_missing_one_is_an_error() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    std::fs::remove_file(dir.join("officials.csv")).unwrap();
    as_workbook(
        &dir.join("officials.xlsx"),
        &sample_table("officials.csv"),
        "Данные",
        0,
        true,
    );
    // The first sheet holds instructions, not the columns.
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("officials.xlsx[Инструкция]: required column `official_id`"),
        "{}",
        stderr(&o)
    );
    let o = wd.run(&["check", "data", "--out", "out", "--sheet", "Данные"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        case_keys(&wd.path("out/cases.csv")),
        case_keys(&sample_dir().join("expected_cases.csv"))
    );
    let o = wd.run(&["validate", "data", "--sheet", "Лист2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no sheet «Лист2»; the workbook has «Инструкция», «Данные»"),
        "{}",
        stderr(&o)
    );
    // One input given twice is refused, naming both.
    std::fs::copy(
        sample_dir().join("officials.csv"),
        dir.join("officials.csv"),
    )
    .unwrap();
    let o = wd.run(&["validate", "data", "--sheet", "Данные"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("officials.csv and officials.xlsx are one input file given twice"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn evidence_names_the_name_fields_a_registry_match_did_not_agree_on() {
    // The registry writes the board member with initials only; her birth date still ties her.
    let wd = Workdir::new();
    let data = wd.copy_sample("data");
    let roles = encoding_rs::WINDOWS_1251
        .decode(&std::fs::read(data.join("company_roles.csv")).unwrap())
        .0
        .replace(
            "Волкова Галина Петровна;;10.10.1960",
            "Волкова Г. П.;;10.10.1960",
        );
    assert!(roles.contains("Волкова Г. П."));
    wd.write_cp1251("data/company_roles.csv", &roles);
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    let case = cases
        .iter()
        .find(|c| c["participant_name"] == "АО «Техно»" && c["relation"] == "parent")
        .expect("the board member's case");
    let want = "[совпадение: ФИО и дата рождения (имя по инициалу, отчество по инициалу), 1.00]";
    assert!(case["evidence"].contains(want), "{}", case["evidence"]);
    // The report's English texts say the same.
    let o = wd.run(&["check", "data", "--out", "en", "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string(wd.path("en/report.html")).unwrap();
    assert!(
        page.contains("name and birth date (given name by its initial, patronymic by its initial)"),
        "no English field names in report.html"
    );
}

/// The counts `graph.graphml (N nodes, M edges)` the run prints.
fn graph_counts(stderr: &str) -> (usize, usize) {
    let at = stderr
        .find("graph.graphml (")
        .expect("graph.graphml listed");
    let text = &stderr[at + "graph.graphml (".len()..];
    let words: Vec<&str> = text.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

/// Whether python3 can import `module`; if not, says on stderr that `test` skips (written to
/// stderr directly: the harness captures eprintln! of a passing test).
fn python_has(module: &str, test: &str) -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no {module} Python package (pip install {module}; .ci/run installs it)"
        );
    }
    found
}

/// What networkx reads from a GraphML file: nodes, edges (parallel ones kept), the kinds of
/// each, and the ids of the nodes flagged.
fn networkx_read(path: &std::path::Path) -> serde_json::Value {
    let script = r#"
import collections, json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1], force_multigraph=True)
print(json.dumps({
    "nodes": g.number_of_nodes(),
    "edges": g.number_of_edges(),
    "node_kinds": collections.Counter(d["kind"] for _, d in g.nodes(data=True)),
    "edge_kinds": collections.Counter(d["kind"] for _, _, d in g.edges(data=True)),
    "flagged": sorted(n for n, d in g.nodes(data=True) if d["flagged"]),
    "labels": {n: d["label"] for n, d in g.nodes(data=True)},
}))
"#;
    let o = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("python3 runs (networkx reads the GraphML)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `--export graphml` writes the whole graph, which networkx reads back with the counts the run
/// printed; `--cases-only` keeps what the cases pass through: every case's procurement and
/// bidder, and its official, all flagged.
/// `affil check` of the sample into `out` with the options `more`, which must succeed: its stderr.
fn check_sample_into(wd: &Workdir, out: &str, more: &[&str]) -> String {
    let sample = sample_dir();
    let mut args = vec!["check", sample.to_str().unwrap(), "--out", out];
    args.extend_from_slice(more);
    let o = wd.run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn graph_export_reads_back_with_networkx() {
    let wd = Workdir::new();
    let sample = sample_dir();
    let (nodes, edges) = graph_counts(&check_sample_into(&wd, "all", &["--export", "graphml"]));
    if !python_has("networkx", "graph_export_reads_back_with_networkx") {
        return;
    }
    let all = networkx_read(&wd.path("all/graph.graphml"));
    assert_eq!(
        (all["nodes"].as_u64(), all["edges"].as_u64()),
        (Some(nodes as u64), Some(edges as u64))
    );
    // Every procurement, and every bid, is there.
    let procurements = read_csv(&sample.join("procurements.csv")).len() as u64;
    let bids = read_csv(&sample.join("participants.csv")).len() as u64;
    assert_eq!(
        all["node_kinds"]["procurement"].as_u64(),
        Some(procurements)
    );
    assert_eq!(all["edge_kinds"]["bid"].as_u64(), Some(bids));
    for kind in ["kinship", "role", "seat"] {
        assert!(all["edge_kinds"][kind].as_u64() > Some(0), "{kind}: {all}");
    }
    let said = check_sample_into(&wd, "cases", &["--export", "graphml", "--cases-only"]);
    let (nodes_cases, _) = graph_counts(&said);
    let cases_graph = networkx_read(&wd.path("cases/graph.graphml"));
    assert_eq!(cases_graph["nodes"].as_u64(), Some(nodes_cases as u64));
    assert!(nodes_cases < nodes);
    let flagged: Vec<String> = cases_graph["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        flagged.len(),
        nodes_cases,
        "every node of the cases' graph is flagged"
    );
    let labels = &cases_graph["labels"];
    let officials = read_csv(&sample.join("officials.csv"));
    for c in read_csv(&wd.path("cases/cases.csv")) {
        assert!(
            flagged.contains(&format!("t{}", c["procurement_id"])),
            "{c:?}"
        );
        for inn in c["participant_inn"].split(';') {
            assert!(flagged.contains(&format!("c{inn}")), "{c:?}");
        }
        if !c["official_id"].is_empty() {
            let name = &officials
                .iter()
                .find(|o| o["official_id"] == c["official_id"])
                .unwrap()["full_name"];
            let found = labels
                .as_object()
                .unwrap()
                .values()
                .any(|l| l == name.as_str());
            assert!(found, "official {name} of {c:?}");
        }
    }
    // Without --export the graph is not written.
    let o = wd.run(&["check", sample.to_str().unwrap(), "--out", "plain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(wd.path("plain/cases.csv").exists());
    assert!(!wd.path("plain/graph.graphml").exists());
    assert!(!stderr(&o).contains("graph.graphml"));
}

/// What tests/scripts/ftm_validate.py says of a graph.ftm.json, or `None` without the
/// `followthemoney` package (after saying on stderr that the test skips).
fn ftm_validate(path: &std::path::Path) -> Option<serde_json::Value> {
    if !python_has("followthemoney", "ftm_export_validates_with_followthemoney") {
        return None;
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/ftm_validate.py");
    let o = std::process::Command::new("python3")
        .arg(script)
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

/// `--export ftm` writes FollowTheMoney entities that the followthemoney package validates
/// (schemas, required and known properties, value types, references and their ranges), on the
/// sample and on a generated municipal dataset: a Note per case, a Contract per procurement, a
/// ContractAward per bid; the same bytes with one thread or two.
#[test]
fn ftm_export_validates_with_followthemoney() {
    let wd = Workdir::new();
    let sample = sample_dir();
    let said = check_sample_into(&wd, "s", &["--export", "ftm"]);
    let at = said.find("graph.ftm.json (").unwrap() + "graph.ftm.json (".len();
    let entities: u64 = said[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let Some(v) = ftm_validate(&wd.path("s/graph.ftm.json")) else {
        return;
    };
    assert_eq!(v["problem_count"], 0, "{v}");
    assert_eq!(v["entities"].as_u64(), Some(entities));
    let cases = read_csv(&wd.path("s/cases.csv")).len() as u64;
    let procurements = read_csv(&sample.join("procurements.csv")).len() as u64;
    let bids = read_csv(&sample.join("participants.csv")).len() as u64;
    assert_eq!(v["schemas"]["Note"].as_u64(), Some(cases));
    // Companies carry the OGRN companies.csv gives (the sample's valid ones).
    let ftm = read_text(&wd.path("s/graph.ftm.json"));
    assert!(
        ftm.lines()
            .filter(|l| l.contains(r#""ogrnCode":["#))
            .count()
            > 10
    );
    assert_eq!(v["schemas"]["Contract"].as_u64(), Some(procurements));
    assert_eq!(v["schemas"]["ContractAward"].as_u64(), Some(bids));
    for schema in [
        "Person",
        "Company",
        "Family",
        "Ownership",
        "Directorship",
        "Membership",
    ] {
        assert!(v["schemas"][schema].as_u64() > Some(0), "{schema}: {v}");
    }
    let o = wd.run(&[
        "generate",
        "--out",
        "gen",
        "--scale",
        "municipal",
        "--seed",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (threads, out) in [("1", "g1"), ("2", "g2")] {
        let o = wd.run(&[
            "--threads",
            threads,
            "check",
            "gen",
            "--out",
            out,
            "--export",
            "ftm",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let v = ftm_validate(&wd.path("g1/graph.ftm.json")).unwrap();
    assert_eq!(v["problem_count"], 0, "{v}");
    assert!(v["entities"].as_u64() > Some(10_000), "{v}");
    assert_eq!(
        std::fs::read(wd.path("g1/graph.ftm.json")).unwrap(),
        std::fs::read(wd.path("g2/graph.ftm.json")).unwrap()
    );
}
