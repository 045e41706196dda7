//! Fuzzing without a fuzzer: seeded random inputs, a fixed number of iterations in CI, for the
//! CSV loader (whole checks on mutated sample data), the name normaliser, the value parsers and
//! the identifier validators. Every input must be read without a panic, and the same way twice.
//! A failing iteration prints its seed; commit its input as a test of its own.

mod common;

use affil::generate::rng::Rng;
use common::*;

/// Random edits of a file's bytes: the shapes broken exports take.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
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
    ];
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let at = if bytes.is_empty() {
            0
        } else {
            rng.below(bytes.len())
        };
        match rng.below(7) {
            0 if !bytes.is_empty() => bytes[at] = rng.next_u64() as u8,
            1 => {
                let piece = PIECES[rng.below(PIECES.len())];
                bytes.splice(at..at, piece.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if !bytes.is_empty() => {
                let end = (at + 1 + rng.below(256)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            4 => {
                // A long run: a name of thousands of letters, a row of thousands of fields.
                let (unit, n): (&[u8], usize) = if rng.chance(0.5) {
                    ("Я".as_bytes(), 5_000)
                } else {
                    (b",", 3_000)
                };
                let run: Vec<u8> = unit.iter().copied().cycle().take(unit.len() * n).collect();
                bytes.splice(at..at, run);
            }
            5 => bytes.truncate(at),
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                bytes.extend_from_slice(piece);
            }
        }
    }
}

#[test]
fn mutated_sample_data_never_crashes_a_check() {
    const ITERATIONS: u64 = 150;
    let files: Vec<String> = std::fs::read_dir(sample_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != "expected_cases.csv")
        .collect();
    let rules = affil::rules::registry();
    let (mut checked, mut refused) = (0, 0);
    for seed in 0..ITERATIONS {
        let mut rng = Rng::new(2026, seed);
        let wd = Workdir::new();
        let dir = wd.copy_sample("data");
        for _ in 0..1 + rng.below(2) {
            let f = &files[rng.below(files.len())];
            let mut bytes = std::fs::read(dir.join(f)).unwrap();
            mutate(&mut rng, &mut bytes);
            std::fs::write(dir.join(f), bytes).unwrap();
        }
        // An error (a header gone, a file no longer text) is an answer; a panic is not. Twice,
        // the same answer.
        let run = || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                affil::pipeline::analyse(&dir, &rules)
            }))
            .unwrap_or_else(|_| panic!("seed {seed}: the check panicked"))
            .map(|a| (a.cases, a.warnings.0))
            .map_err(|e| e.to_string())
        };
        let first = run();
        assert_eq!(first, run(), "seed {seed}: two runs differ");
        match &first {
            Ok((cases, _)) if !cases.is_empty() => checked += 1,
            Ok(_) => {}
            Err(_) => refused += 1,
        }
    }
    // The edits must leave most datasets readable (else the loader is barely exercised), and
    // some not.
    assert!(
        checked >= ITERATIONS / 2,
        "{checked} of {ITERATIONS} gave cases"
    );
    assert!(refused > 0);
}

/// A random string from letters, marks, digits, punctuation and spaces a name cell may hold.
fn random_text(rng: &mut Rng) -> String {
    const POOL: &[&str] = &[
        "Иван", "ова", "Ё", "ё", "й", "ъ", "ь", "-", " ", "  ", ".", ",", "(", ")", "\"", "'",
        "ИП", "оглы", "кызы", "A", "o", "H", "C", "Ivanov", "Yu", "shch", "1", "№", "\u{301}",
        "\u{feff}", "\u{a0}", "😀", "ß", "İ", "ǅ", "\t", "\n", "Σ",
    ];
    let n = rng.below(12);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(POOL[rng.below(POOL.len())]);
    }
    if rng.chance(0.02) {
        s.push_str(&"Щ".repeat(100_000));
    }
    s
}

#[test]
fn names_and_values_of_any_text_parse_the_same_twice() {
    use affil::normalize::contact::{address_key, email_key, phone_key};
    use affil::normalize::parse_name;
    use affil::values::*;
    let mut rng = Rng::new(7, 1);
    for _ in 0..20_000 {
        let s = random_text(&mut rng);
        assert_eq!(parse_name(&s), parse_name(&s), "{s:?}");
        assert_eq!(parse_date(&s), parse_date(&s));
        assert_eq!(parse_birth_date(&s), parse_birth_date(&s));
        let _ = parse_decimal(&s);
        let _ = parse_exact_decimal(&s);
        let _ = parse_bool(&s);
        let _ = parse_kinship(&s);
        let _ = parse_share(&s, ShareScale::Percent);
        let _ = parse_share(&s, ShareScale::Fraction);
        let _ = (phone_key(&s), email_key(&s), address_key(&s));
        let _ = affil::identifiers::clean_inn(&s);
        let _ = affil::identifiers::ogrn_valid(&s);
    }
}

#[test]
fn value_parsers_read_back_what_is_written() {
    use affil::values::*;
    let mut rng = Rng::new(7, 2);
    for _ in 0..20_000 {
        let d = chrono::NaiveDate::from_ymd_opt(
            rng.range(1000, 2999) as i32,
            rng.range(1, 12) as u32,
            rng.range(1, 28) as u32,
        )
        .unwrap();
        for f in ["%Y-%m-%d", "%d.%m.%Y"] {
            assert_eq!(parse_date(&d.format(f).to_string()), Some(d), "{d}");
        }
        let pct = rng.below(10_001) as i64;
        let share = parse_share(
            &format!("{}.{:02}%", pct / 100, pct % 100),
            ShareScale::Percent,
        );
        assert_eq!(
            share,
            Some(num_rational::BigRational::new(pct.into(), 10_000.into()))
        );
        let body = rng.next_u64();
        for inn in [
            affil::identifiers::org_inn_from(body),
            affil::identifiers::person_inn_from(body),
        ] {
            assert!(affil::identifiers::inn_valid(&inn), "{inn}");
            // An INN that lost its leading zero in a spreadsheet is restored.
            if let Some(short) = inn.strip_prefix('0') {
                assert!(matches!(
                    affil::identifiers::clean_inn(short),
                    affil::identifiers::InnCheck::Restored(_)
                ));
            }
        }
        assert!(affil::identifiers::ogrn_valid(
            &affil::identifiers::ogrn_from(body)
        ));
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
