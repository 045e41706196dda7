//! Property tests (proptest) standing in for fuzzing (cargo-fuzz needs a nightly compiler): the
//! CSV loader (whole checks on mutated sample data), the name normaliser, the value parsers and
//! the identifier validators, each for a fixed number of cases in CI. Every input must be read
//! without a panic, and the same way twice. A failing case is shrunk and its seed saved in
//! `tests/test_fuzz.proptest-regressions`: commit that file, and proptest replays it first on
//! every run.

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `cases` cases, failures kept beside this file.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// Pieces broken exports are made of.
const PIECES: &[&[u8]] = &[
    b"\"",
    b";",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\"\"",
    b"=1+1",
    b"\xD0\x98\xD0\xB2",
    b"\xC8\xE2\xE0\xED",
    b"\xFF\xFE",
    b"\xEF\xBB\xBF",
    b"\xC3\x8E\xC3\xB2",
    b"0",
    b"-",
    b"12.34.5678",
    b"1/0",
    b"100%",
    b"\xE2\x80\xA8",
    b"\x00",
];

/// One edit of a file's bytes (positions taken modulo the length).
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Insert(usize, usize),
    Delete(usize, usize),
    Repeat(usize, usize),
    /// A name of thousands of letters, or a row of thousands of fields.
    LongRun(usize, bool),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Edit::Set(a, b)),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(a, p)| Edit::Insert(a, p)),
        (any::<usize>(), 1..64usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), 1..256usize).prop_map(|(a, n)| Edit::Repeat(a, n)),
        (any::<usize>(), any::<bool>()).prop_map(|(a, b)| Edit::LongRun(a, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let at = |a: usize, len: usize| if len == 0 { 0 } else { a % len };
    match *e {
        Edit::Set(a, b) if !bytes.is_empty() => {
            let i = at(a, bytes.len());
            bytes[i] = b;
        }
        Edit::Insert(a, p) => {
            let i = at(a, bytes.len() + 1);
            bytes.splice(i..i, PIECES[p].iter().copied());
        }
        Edit::Delete(a, n) if !bytes.is_empty() => {
            let i = at(a, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Repeat(a, n) if !bytes.is_empty() => {
            let i = at(a, bytes.len());
            let end = (i + n).min(bytes.len());
            let copy = bytes[i..end].to_vec();
            bytes.splice(i..i, copy);
        }
        Edit::LongRun(a, letters) => {
            let i = at(a, bytes.len() + 1);
            let run: Vec<u8> = if letters {
                "Я".repeat(5_000).into_bytes()
            } else {
                vec![b','; 3_000]
            };
            bytes.splice(i..i, run);
        }
        Edit::Truncate(a) => {
            let i = at(a, bytes.len() + 1);
            bytes.truncate(i);
        }
        _ => {}
    }
}

fn sample_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(sample_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != "expected_cases.csv")
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(config(150))]

    /// The sample with one or two files edited the ways exports break: an error (a header gone,
    /// a file no longer text) is an answer, a panic is not; twice, the same answer.
    #[test]
    fn mutated_sample_data_never_crashes_a_check(
        targets in prop::collection::vec((0..7usize, prop::collection::vec(edit(), 1..5)), 1..3)
    ) {
        let files = sample_files();
        let wd = Workdir::new();
        let dir = wd.copy_sample("data");
        for (f, edits) in &targets {
            let path = dir.join(&files[f % files.len()]);
            let mut bytes = std::fs::read(&path).unwrap();
            for e in edits {
                apply(&mut bytes, e);
            }
            std::fs::write(&path, bytes).unwrap();
        }
        let rules = affil::rules::registry();
        let run = || {
            affil::pipeline::analyse(&dir, &rules)
                .map(|a| (a.cases, a.warnings.0))
                .map_err(|e| e.to_string())
        };
        let first = run();
        prop_assert_eq!(first, run());
    }
}

/// Letters, marks, digits, punctuation and spaces a name cell may hold.
const POOL: &[&str] = &[
    "Иван", "ова", "Ё", "ё", "й", "ъ", "ь", "-", " ", "  ", ".", ",", "(", ")", "\"", "'", "ИП",
    "оглы", "кызы", "A", "o", "H", "C", "Ivanov", "Yu", "shch", "1", "№", "\u{301}", "\u{feff}",
    "\u{a0}", "😀", "ß", "İ", "ǅ", "\t", "\n", "Σ",
];

fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        prop::collection::vec(prop::sample::select(POOL), 0..12).prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(config(5_000))]

    /// Any text through the name normaliser, the value and contact parsers and the identifier
    /// validators: no panic. (These are pure functions: reading twice guards only against a
    /// cache that answers differently the second time, such as the interned name parts'.)
    #[test]
    fn names_and_values_of_any_text_parse_the_same_twice(s in cell_text()) {
        use affil::normalize::contact::{address_key, email_key, phone_key};
        use affil::normalize::parse_name;
        use affil::values::*;
        prop_assert_eq!(parse_name(&s), parse_name(&s));
        prop_assert_eq!(parse_date(&s), parse_date(&s));
        prop_assert_eq!(parse_birth_date(&s), parse_birth_date(&s));
        prop_assert_eq!(parse_decimal(&s), parse_decimal(&s));
        let _ = parse_exact_decimal(&s);
        let _ = parse_bool(&s);
        let _ = parse_kinship(&s);
        let _ = parse_share(&s, ShareScale::Percent);
        let _ = parse_share(&s, ShareScale::Fraction);
        let _ = (phone_key(&s), email_key(&s), address_key(&s));
        let _ = affil::identifiers::clean_inn(&s);
        let _ = affil::identifiers::ogrn_valid(&s);
        let _ = affil::identifiers::snils_valid(&s);
    }

    /// What is written is read back: dates in both formats, shares to the hundredth of a
    /// percent, generated INNs and OGRNs valid, an INN that lost its leading zero restored.
    #[test]
    fn value_parsers_read_back_what_is_written(
        (y, m, d) in (1000i32..3000, 1u32..=12, 1u32..=28),
        pct in 0i64..=10_000,
        body in any::<u64>(),
    ) {
        use affil::values::*;
        let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for f in ["%Y-%m-%d", "%d.%m.%Y"] {
            prop_assert_eq!(parse_date(&date.format(f).to_string()), Some(date));
        }
        let share = parse_share(&format!("{}.{:02}%", pct / 100, pct % 100), ShareScale::Percent);
        prop_assert_eq!(share, Some(num_rational::BigRational::new(pct.into(), 10_000.into())));
        for inn in [
            affil::identifiers::org_inn_from(body),
            affil::identifiers::person_inn_from(body),
        ] {
            prop_assert!(affil::identifiers::inn_valid(&inn), "{}", inn);
            if let Some(short) = inn.strip_prefix('0') {
                prop_assert!(matches!(
                    affil::identifiers::clean_inn(short),
                    affil::identifiers::InnCheck::Restored(_)
                ));
            }
        }
        prop_assert!(affil::identifiers::ogrn_valid(&affil::identifiers::ogrn_from(body)));
    }
}

#[test]
fn pathological_inputs_finish_with_warnings() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let add = |file: &str, rows: &str| {
        let mut text = read_text(&dir.join(file));
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(rows);
        if file == "company_roles.csv" {
            wd.write_cp1251(&format!("data/{file}"), &text);
        } else {
            wd.write(&format!("data/{file}"), &text);
        }
    };
    // A row of a million fields; a name of 100,000 letters.
    add("participants.csv", &format!("x{}", ",".repeat(1_000_000)));
    add(
        "officials.csv",
        &format!(
            "O99,{} Иван Иванович,,,,5916684301,,,,\n",
            "Щ".repeat(100_000)
        ),
    );
    // An ownership ring of a thousand companies, each holding half of the next; the first bids.
    let inn = |i: u64| affil::identifiers::org_inn_from(591_700_000 + i);
    let mut companies = String::new();
    let mut roles = String::new();
    for i in 0..1000 {
        companies.push_str(&format!("{},,ООО «Кольцо {i}»,,,,\n", inn(i)));
        roles.push_str(&format!(
            "{};founder;;;;{};50;01.01.2015;\n",
            inn((i + 1) % 1000),
            inn(i)
        ));
    }
    roles.push_str(&format!(
        "{};founder;Петров Иван Петрович;591687583461;15.08.1975;;50;01.01.2015;\n",
        inn(0)
    ));
    add("companies.csv", &companies);
    add("company_roles.csv", &roles);
    add(
        "participants.csv",
        &format!("0156300012321000045,{},ООО «Кольцо 0»,нет,,\n", inn(0)),
    );
    // A commission of 10,000 members named in the protocol only.
    let members: String = (0..10_000)
        .map(|i| format!("0156300012321000046,,Членов{i} А.Б.,member\n"))
        .collect();
    add("commissions.csv", &members);
    let o = wd.run(&["check", "data", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let w = read_csv(&wd.path("out/warnings.csv"));
    assert!(
        w.iter()
            .any(|x| x["problem"].contains("fields, the header has")),
        "the million-field row"
    );
    assert!(
        w.iter().any(|x| x["file"] == "officials.csv"
            && x["column"] == "full_name"
            && x["problem"] == "a name of 100014 characters; the first 300 are read"),
        "the long name"
    );
    assert!(
        w.iter().any(|x| x["file"] == "company_roles.csv"
            && x["problem"].starts_with("1000 companies hold each other in a ring")),
        "the ring"
    );
    let unmatched = w
        .iter()
        .filter(|x| x["file"] == "commissions.csv" && x["problem"].contains("matches no official"))
        .count();
    assert!(unmatched >= 10_000, "the commission: {unmatched}");
    // The ring is solved (more than 64 companies in a cycle: in floating point), its first
    // company flagged through its founder, and the sample's cases are all still there.
    let cases = case_keys(&wd.path("out/cases.csv"));
    for k in case_keys(&sample_dir().join("expected_cases.csv")) {
        assert!(cases.contains(&k), "{k:?}");
    }
    let ring: Vec<_> = read_csv(&wd.path("out/cases.csv"))
        .into_iter()
        .filter(|c| c["participant_inn"] == inn(0))
        .collect();
    assert!(
        ring.iter()
            .any(|c| c["rule"] == "COI-44FZ" && c["relation"] == "sibling"),
        "{ring:?}"
    );
}
