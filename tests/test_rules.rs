//! The rules on fixtures (`tests/fixtures/rules/<name>/`): each directory is a dataset with the
//! positives and decoys of one rule, described in its README, and `expected_cases.csv`, exactly
//! the cases `affil check` must find there.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;

fn fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected_cases.csv").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_finds_exactly_its_expected_cases() {
    let dirs = fixtures();
    assert!(dirs.len() >= 2, "{dirs:?}");
    for dir in dirs {
        let wd = Workdir::new();
        let o = wd.run(&["check", dir.to_str().unwrap(), "--out", "out"]);
        assert!(o.status.success(), "{}: {}", dir.display(), stderr(&o));
        assert_eq!(
            case_keys(&wd.path("out/cases.csv")),
            case_keys(&dir.join("expected_cases.csv")),
            "{}",
            dir.display()
        );
    }
}

#[test]
fn a_rule_run_alone_finds_what_it_finds_among_all() {
    for dir in fixtures() {
        let expected = case_keys(&dir.join("expected_cases.csv"));
        let rules: BTreeSet<String> = expected.iter().map(|k| k[0].clone()).collect();
        for rule in rules {
            let wd = Workdir::new();
            let o = wd.run(&[
                "check",
                dir.to_str().unwrap(),
                "--out",
                "out",
                "--rules",
                &rule,
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            let want: BTreeSet<[String; 6]> =
                expected.iter().filter(|k| k[0] == rule).cloned().collect();
            assert_eq!(
                case_keys(&wd.path("out/cases.csv")),
                want,
                "{} {rule}",
                dir.display()
            );
        }
    }
}

#[test]
fn wider_cases_say_why_they_are_not_44fz() {
    let wd = Workdir::new();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    for name in ["kin_ext", "employee"] {
        let out = format!("out-{name}");
        let o = wd.run(&[
            "check",
            fixtures.join(name).to_str().unwrap(),
            "--out",
            &out,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let kin = read_csv(&wd.path("out-kin_ext/cases.csv"));
    let emp = read_csv(&wd.path("out-employee/cases.csv"));
    for name in ["kin_ext", "employee"] {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(wd.path(&format!("out-{name}/cases.json"))).unwrap(),
        )
        .unwrap();
        for c in json.as_array().unwrap() {
            let basis = if c["rule"] == "COI-44FZ" {
                "44-ФЗ ст. 31 ч. 1 п. 9"
            } else {
                "273-ФЗ ст. 10"
            };
            assert_eq!(c["legal_basis"], basis, "{c}");
        }
    }
    // The in-law, named as such, and a share of 10% or less, stated.
    let t1 = kin
        .iter()
        .find(|c| c["participant_name"] == "ООО Т1")
        .unwrap();
    assert!(t1["evidence"].contains("тёща"), "{t1:?}");
    let t4 = kin
        .iter()
        .find(|c| c["participant_name"] == "ООО Т4")
        .unwrap();
    assert_eq!(t4["participant_link"], "founder 8%");
    // The staff member is named with the post and as holding no role in the procurement.
    let t1 = emp
        .iter()
        .find(|c| c["participant_name"] == "ООО Т1")
        .unwrap();
    assert_eq!(t1["official_role"], "employee");
    assert!(
        t1["evidence"].starts_with(
            "Фомин Борис Олегович (сотрудник заказчика, главный специалист, в закупке не участвует) -> жена -> "
        ),
        "{t1:?}"
    );
}

#[test]
fn a_group_of_bidders_names_each_bidder_once_along_its_ties() {
    let wd = Workdir::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/bidders");
    let o = wd.run(&["check", dir.to_str().unwrap(), "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = read_csv(&wd.path("out/cases.csv"));
    let three = cases
        .iter()
        .find(|c| c["participant_inn"] == "7703000053;7703000060;7703000078")
        .expect("the group of three");
    assert_eq!(three["official_id"], "");
    assert_eq!(three["participant_name"], "ООО Б5; ООО Б6; ООО Б7");
    for firm in ["ООО Б5", "ООО Б6", "ООО Б7"] {
        assert_eq!(
            three["evidence"].matches(firm).count(),
            1,
            "{}",
            three["evidence"]
        );
    }
    assert!(
        three["participant_link"].contains("shared_phone"),
        "{three:?}"
    );
    assert!(
        three["participant_link"].contains("shared_email"),
        "{three:?}"
    );
}

#[test]
fn undeclared_relatives_say_which_signals_agreed() {
    let wd = Workdir::new();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/undeclared");
    let o = wd.run(&["check", dir.to_str().unwrap(), "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases: Vec<_> = read_csv(&wd.path("out/cases.csv"))
        .into_iter()
        .filter(|c| c["rule"] == "UNDECLARED")
        .collect();
    let of = |firm: &str| {
        cases
            .iter()
            .find(|c| c["participant_name"] == firm)
            .unwrap_or_else(|| panic!("{firm}: {cases:?}"))
    };
    let sister = of("ООО Т1");
    assert!(
        sister["evidence"].contains(
            "-> вероятно сестра, в анкете не указан(а) -> Ломекина Вероника Дмитриевна [признаки: фамилия, то же отчество, годы рождения 1975 и 1978;"
        ),
        "{sister:?}"
    );
    assert!(of("ООО Т5")["evidence"].contains("прежняя фамилия должностного лица, то же отчество"));
    assert!(of("ООО Т2")["evidence"].contains("отчество от имени должностного лица"));
    assert!(of("ООО Т3")["evidence"].contains("отчество должностного лица от его имени"));
    let husband = of("ИП Сомов Игорь Павлович");
    assert!(husband["evidence"].contains("[признаки: фамилия, один адрес;"));
    // A shared flat says more than a patronymic; every case is a hint, low.
    let score = |c: &std::collections::HashMap<String, String>| c["score"].parse::<f64>().unwrap();
    assert!(score(husband) > score(sister), "{husband:?} {sister:?}");
    assert!(cases.iter().all(|c| c["severity"] == "low"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("out/cases.json")).unwrap()).unwrap();
    for c in json.as_array().unwrap() {
        if c["rule"] == "UNDECLARED" {
            assert_eq!(c["legal_basis"], "273-ФЗ ст. 11", "{c}");
        }
    }
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(md.contains("мероприятие 2.7"), "{md}");
}
