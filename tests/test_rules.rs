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

/// Every registered rule declares what the report needs (titles, law, severity, its sentence
/// of the annual report, the rules it yields to), and the English of every word its evidence
/// writes: on the sample and every rule fixture, each step of each case put in English keeps
/// no Russian word but what the input wrote (names, which are capitalised; quoted company
/// names; job titles and contacts as written).
#[test]
fn every_rule_declares_what_the_report_needs() {
    use affil::report::{step_words, Lang};
    let registry = affil::rules::registry();
    let codes: Vec<&str> = registry.iter().map(|r| r.code()).collect();
    for (i, r) in registry.iter().enumerate() {
        let info = r.info();
        assert!(!codes[..i].contains(&info.code), "{} twice", info.code);
        for text in [info.title, info.sentence.found] {
            assert!(!text.ru.is_empty() && !text.en.is_empty(), "{}", info.code);
        }
        assert!(!info.description.is_empty(), "{}", info.code);
        assert!(info.legal_basis.contains("ФЗ"), "{}", info.code);
        for y in info.yields_to {
            assert!(codes.contains(y), "{} yields to unknown {y}", info.code);
        }
    }
    let mut dirs = fixtures();
    dirs.push(sample_dir());
    let mut seen: Vec<&str> = Vec::new();
    for dir in dirs {
        let a = affil::pipeline::analyse(&dir, &registry).unwrap();
        // What the input wrote, which stays as written in any language.
        let data = &a.data;
        let mut written: Vec<String> = Vec::new();
        for o in &data.officials {
            written.extend([
                o.position.to_string(),
                o.address().to_string(),
                o.phone().to_string(),
            ]);
            written.push(o.email().to_string());
        }
        for r in &data.relatives {
            written.extend([r.address().to_string(), r.phone().to_string()]);
        }
        for c in &data.companies {
            written.extend([
                c.address().to_string(),
                c.phone().to_string(),
                c.email().to_string(),
            ]);
        }
        written.retain(|w| !w.is_empty());
        written.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for case in &a.cases {
            if !seen.contains(&case.rule) {
                seen.push(case.rule);
            }
            for step in &case.chain {
                let mut en = step_words(step, Lang::En);
                for w in &written {
                    en = en.replace(w.as_str(), "");
                }
                let outside = unquoted(&en);
                let left: Vec<&str> = outside
                    .split(|c: char| !c.is_alphabetic())
                    .filter(|w| w.chars().next().is_some_and(|c| c.is_lowercase()))
                    .filter(|w| w.chars().any(|c| ('а'..='я').contains(&c) || c == 'ё'))
                    .collect();
                assert!(
                    left.is_empty(),
                    "{}: {} step `{}` in English `{en}` keeps {left:?}",
                    dir.display(),
                    case.rule,
                    step_words(step, Lang::Ru)
                );
            }
        }
    }
    // The datasets hold a case of every rule, so that each one's words are checked.
    for code in &codes {
        assert!(seen.contains(code), "no case of {code} to check");
    }
}

/// The text outside «quotes».
fn unquoted(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|&c| match c {
            '«' => {
                depth += 1;
                false
            }
            '»' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// The rule files import each other in one direction only: no circle among `src/rules/`
/// (the module root, which declares them, aside), so a rule's file can be read, and changed,
/// without the others that build on it.
#[test]
fn no_import_circle_among_the_rule_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_owned))
        .filter(|f| f != "mod")
        .collect();
    files.sort();
    // Which files each one names as `super::<file>`.
    let edges: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(dir.join(format!("{f}.rs"))).unwrap();
            files
                .iter()
                .enumerate()
                .filter(|(_, g)| *g != f && text.contains(&format!("super::{g}::")))
                .map(|(j, _)| j)
                .collect()
        })
        .collect();
    assert!(
        edges.iter().any(|e| !e.is_empty()),
        "no imports seen: {files:?}"
    );
    // Depth-first search for a back edge.
    fn visit(i: usize, edges: &[Vec<usize>], state: &mut [u8], path: &mut Vec<usize>) -> bool {
        state[i] = 1;
        path.push(i);
        for &j in &edges[i] {
            if state[j] == 1 {
                path.push(j);
                return true;
            }
            if state[j] == 0 && visit(j, edges, state, path) {
                return true;
            }
        }
        state[i] = 2;
        path.pop();
        false
    }
    let mut state = vec![0u8; files.len()];
    for i in 0..files.len() {
        let mut path = Vec::new();
        if state[i] == 0 && visit(i, &edges, &mut state, &mut path) {
            let names: Vec<&str> = path.iter().map(|&k| files[k].as_str()).collect();
            panic!("import circle: {}", names.join(" -> "));
        }
    }
}

/// The stages by hand, with or without the contacts no rule reads blanked first, and with or
/// without the texts packed after normalizing: the cases.
fn cases_of(dir: &std::path::Path, blank: bool, pack: bool) -> Vec<affil::rules::Case> {
    let affil::load::Loaded {
        mut data,
        mut warnings,
    } = affil::load::load(dir).unwrap();
    if blank {
        affil::normalize::contact::blank_unread(&mut data);
    }
    let mentions = affil::normalize::normalize(&data);
    if pack {
        data.pack_texts();
    }
    let resolution = affil::resolve::resolve(&data, &mentions, &mut warnings);
    let graph = affil::graph::build(&data, &mentions, &resolution);
    let ctx = affil::rules::Context::new(&data, &mentions, &resolution, &graph);
    affil::rules::run(&affil::rules::registry(), &ctx)
}

/// Runs every fixture and the sample through the stages as `before` and as `after` ((blank,
/// pack) for [`cases_of`]), asserts the same cases, and counts the cases `counted` picks.
fn same_cases(
    before: (bool, bool),
    after: (bool, bool),
    counted: impl Fn(&affil::rules::Case) -> bool,
) -> usize {
    let mut dirs = fixtures();
    dirs.push(sample_dir());
    let mut n = 0;
    for dir in dirs {
        let expected = cases_of(&dir, before.0, before.1);
        n += expected.iter().filter(|c| counted(c)).count();
        let got = cases_of(&dir, after.0, after.1);
        assert_eq!(got, expected, "{}", dir.display());
    }
    n
}

/// Blanking the contacts no rule reads (as every check does) changes no case: on every
/// fixture and the sample, whose CONTACT, BIDDERS and UNDECLARED cases quote shared contacts.
#[test]
fn the_contacts_blanked_after_loading_change_no_case() {
    let quoted = same_cases((false, false), (true, false), |c| {
        c.participant_link.starts_with("shared_")
    });
    assert!(quoted >= 3, "only {quoted} cases quote a shared contact");
}

/// Packing the records' texts after normalizing (as every check does) changes no case: the
/// names and contacts the cases quote read back from the packed texts as written.
#[test]
fn the_texts_packed_after_normalizing_change_no_case() {
    let cyrillic = same_cases((true, false), (true, true), |c| {
        !c.official_name.is_ascii() && !c.linked_person.is_ascii()
    });
    assert!(cyrillic >= 10, "only {cyrillic} cases quote Cyrillic names");
}
