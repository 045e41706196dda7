//! Metamorphic tests of the whole check: from the sample and from a generated municipal set,
//! each test derives a variant that states the same facts (rows shuffled, every row twice,
//! columns reordered, another encoding and layout, dates written otherwise, names in capitals)
//! and asserts the same answer: the same bytes of cases.csv, cases.json and summary.md, but for
//! the line numbers of warnings (and, where a variant must change them, the counts of rows and
//! the encodings). Variants that change a fact a case rests on (a share lowered to exactly 10%,
//! a role ended the day before the procurement) must change that case, so that no test passes
//! by ignoring its input.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use affil::load::INPUT_FILES;
use chrono::NaiveDate;
use common::*;

/// Columns holding dates.
const DATE_COLUMNS: [&str; 5] = [
    "birth_date",
    "person_birth_date",
    "since",
    "until",
    "published",
];

/// Columns holding names of people or companies.
const NAME_COLUMNS: [&str; 5] = [
    "full_name",
    "former_names",
    "person_name",
    "participant_name",
    "member_name",
];

#[derive(Clone)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// The input files of a data directory, by name.
type Data = BTreeMap<&'static str, Table>;

fn table(path: &Path) -> Table {
    let (header, rows) = read_table(path);
    Table { header, rows }
}

fn read_data(dir: &Path) -> Data {
    INPUT_FILES
        .iter()
        .filter(|f| dir.join(f).is_file())
        .map(|&f| (f, table(&dir.join(f))))
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf8,
    Utf8Bom,
    Cp1251,
    Koi8r,
}

/// How a variant writes each file: encoding, delimiter, line end.
#[derive(Clone, Copy)]
struct Layout {
    enc: Enc,
    delim: u8,
    crlf: bool,
}

const PLAIN: Layout = Layout {
    enc: Enc::Utf8,
    delim: b',',
    crlf: false,
};

fn encode(text: &str, enc: Enc) -> Vec<u8> {
    let single = |e: &'static encoding_rs::Encoding| {
        let (bytes, _, bad) = e.encode(text);
        assert!(!bad, "{enc:?} cannot hold the text: make it safe first");
        bytes.into_owned()
    };
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => format!("\u{feff}{text}").into_bytes(),
        Enc::Cp1251 => single(encoding_rs::WINDOWS_1251),
        Enc::Koi8r => single(encoding_rs::KOI8_R),
    }
}

fn write_data(dir: &Path, data: &Data, layout: impl Fn(usize) -> Layout) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, (name, t)) in data.iter().enumerate() {
        let l = layout(i);
        let mut w = csv::WriterBuilder::new()
            .delimiter(l.delim)
            .terminator(if l.crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .flexible(true)
            .from_writer(Vec::new());
        w.write_record(&t.header).unwrap();
        for r in &t.rows {
            w.write_record(r).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        std::fs::write(dir.join(name), encode(&text, l.enc)).unwrap();
    }
}

/// The outputs a variant must keep.
struct Answer {
    cases_csv: String,
    cases_json: String,
    summary: String,
}

fn check(wd: &Workdir, data: &str) -> Answer {
    let out = format!("{data}-out");
    let o = wd.run(&["check", data, "--out", &out]);
    assert!(o.status.success(), "{data}: {}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(wd.path(&format!("{out}/{f}"))).unwrap();
    Answer {
        cases_csv: read("cases.csv"),
        cases_json: read("cases.json"),
        summary: read("summary.md"),
    }
}

/// Which parts of summary.md a variant may change.
#[derive(Clone, Copy, PartialEq)]
enum Summary {
    /// Only the line numbers of rejected rows.
    Lines,
    /// Also the encoding and delimiter of each file.
    Layout,
    /// Also the counts of rows and warnings.
    Counts,
}

/// summary.md with what the variant may change masked.
fn masked(summary: &str, may: Summary) -> String {
    let mut out = Vec::new();
    for line in summary.lines() {
        let cells: Vec<&str> = line.split(" | ").collect();
        let file_row = line.starts_with("| ") && cells[0].ends_with(".csv");
        let rejected_row = file_row
            && cells.len() > 1
            && !cells[1].is_empty()
            && cells[1].bytes().all(|b| b.is_ascii_digit());
        if rejected_row || (file_row && may == Summary::Counts) {
            let digits: String = line
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            if may != Summary::Counts {
                out.push(digits);
            }
            continue;
        }
        if file_row && may == Summary::Layout {
            let mut c = cells.clone();
            c[1] = "*";
            c[2] = "*";
            out.push(c.join(" | "));
            continue;
        }
        if may == Summary::Counts && line.contains("предупреждений") {
            continue;
        }
        out.push(line.to_owned());
    }
    out.join("\n")
}

/// Asserts that `variant` gives the same answer as `base` (`fold`: but for letter case).
fn same_answer(base: &Answer, variant: &Answer, may: Summary, fold: bool, what: &str) {
    let norm = |s: &str| {
        if fold {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    assert!(
        base.cases_csv.lines().count() > 2,
        "{what}: the base finds too few cases to tell"
    );
    assert_eq!(
        norm(&base.cases_csv),
        norm(&variant.cases_csv),
        "{what}: cases.csv"
    );
    assert_eq!(
        norm(&base.cases_json),
        norm(&variant.cases_json),
        "{what}: cases.json"
    );
    assert_eq!(
        norm(&masked(&base.summary, may)),
        norm(&masked(&variant.summary, may)),
        "{what}: summary.md"
    );
}

/// The two datasets every variant is derived from, written in `wd` as `sample` and `municipal`.
fn bases(wd: &Workdir) -> Vec<(&'static str, Data)> {
    let o = wd.run(&[
        "generate",
        "--out",
        "generated",
        "--scale",
        "municipal",
        "--seed",
        "18",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    vec![
        ("sample", read_data(&sample_dir())),
        ("municipal", read_data(&wd.path("generated"))),
    ]
}

/// Runs the check on each base and on its variant, and asserts the same answer.
fn metamorphic(
    may: Summary,
    fold: bool,
    variant: impl Fn(&Data) -> Data,
    layout: impl Fn(usize) -> Layout + Copy,
) {
    let wd = Workdir::new();
    for (name, base) in bases(&wd) {
        let changed = variant(&base);
        write_data(&wd.path(name), &base, |_| PLAIN);
        let v = format!("{name}-variant");
        write_data(&wd.path(&v), &changed, layout);
        same_answer(&check(&wd, name), &check(&wd, &v), may, fold, name);
    }
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

fn map_rows(data: &Data, mut f: impl FnMut(&str, &Table, &mut Vec<String>, usize)) -> Data {
    data.iter()
        .map(|(&name, t)| {
            let mut t2 = t.clone();
            for (i, r) in t2.rows.iter_mut().enumerate() {
                f(name, t, r, i);
            }
            (name, t2)
        })
        .collect()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

#[test]
fn rows_shuffled_give_the_same_answer() {
    metamorphic(
        Summary::Lines,
        false,
        |data| {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
            data.iter()
                .map(|(&name, t)| {
                    let mut t = t.clone();
                    rng.shuffle(&mut t.rows);
                    (name, t)
                })
                .collect()
        },
        |_| PLAIN,
    );
}

#[test]
fn every_row_twice_gives_the_same_cases() {
    metamorphic(
        Summary::Counts,
        false,
        |data| {
            let mut rng = Rng(7);
            data.iter()
                .map(|(&name, t)| {
                    let mut t = t.clone();
                    t.rows = t.rows.iter().flat_map(|r| [r.clone(), r.clone()]).collect();
                    rng.shuffle(&mut t.rows);
                    (name, t)
                })
                .collect()
        },
        |_| PLAIN,
    );
}

#[test]
fn every_row_twice_is_counted_and_named() {
    let wd = Workdir::new();
    let base = read_data(&sample_dir());
    let twice: Data = base
        .iter()
        .map(|(&name, t)| {
            let mut t = t.clone();
            t.rows = t.rows.iter().flat_map(|r| [r.clone(), r.clone()]).collect();
            (name, t)
        })
        .collect();
    write_data(&wd.path("twice"), &twice, |_| PLAIN);
    let v = wd.run(&["validate", "twice"]);
    let out = stdout(&v);
    for (name, t) in &base {
        let n = t.rows.len();
        // Every second line (from 3) repeats the one before it, and says which.
        for k in 0..n {
            let (first, again) = (2 + 2 * k, 3 + 2 * k);
            let line = format!("{name}:{again}: row repeats line {first}: one fact, used once");
            let blank = t.rows[k].iter().all(|c| c.trim().is_empty());
            assert!(blank || out.contains(&line), "`{line}` not in\n{out}");
        }
    }
    let roles = base["company_roles.csv"].rows.len();
    assert!(
        out.contains(&format!(
            "company_roles.csv: {} rows read, {roles} used, 0 rejected, {roles} repeated",
            2 * roles
        )),
        "{out}"
    );
}

#[test]
fn columns_reordered_and_unknown_columns_give_the_same_answer() {
    metamorphic(
        Summary::Lines,
        false,
        |data| {
            data.iter()
                .map(|(&name, t)| {
                    let mut t = t.clone();
                    let at = t.header.len() / 2;
                    t.header.insert(at, "примечание".into());
                    t.header.reverse();
                    for (i, r) in t.rows.iter_mut().enumerate() {
                        r.resize(t.header.len() - 1, String::new());
                        r.insert(at, format!("заметка {i}; см. «дело»"));
                        r.reverse();
                    }
                    (name, t)
                })
                .collect()
        },
        |_| PLAIN,
    );
}

/// Maps the characters an encoding cannot hold to ones it can, in base and variant alike.
fn safe_for(enc: Enc, data: &Data) -> Data {
    let e = match enc {
        Enc::Cp1251 => encoding_rs::WINDOWS_1251,
        Enc::Koi8r => encoding_rs::KOI8_R,
        _ => return data.clone(),
    };
    let fix = |s: &mut String| {
        if e.encode(s).2 {
            *s = s
                .chars()
                .map(|c| {
                    let mut b = [0u8; 4];
                    if e.encode(c.encode_utf8(&mut b)).2 {
                        '"'
                    } else {
                        c
                    }
                })
                .collect();
        }
    };
    map_rows(data, |_, _, r, _| r.iter_mut().for_each(fix))
}

/// Re-encodes every file in `enc`, with each of the three delimiters and both line ends taken
/// in turn across the files.
fn reencoded(enc: Enc) {
    let wd = Workdir::new();
    for (name, base) in bases(&wd) {
        let base = safe_for(enc, &base);
        write_data(&wd.path(name), &base, |_| PLAIN);
        let v = format!("{name}-{enc:?}");
        write_data(&wd.path(&v), &base, |i| Layout {
            enc,
            delim: [b';', b',', b'\t'][i % 3],
            crlf: i % 2 == 0,
        });
        same_answer(
            &check(&wd, name),
            &check(&wd, &v),
            Summary::Layout,
            false,
            &v,
        );
    }
}

#[test]
fn utf8_gives_the_same_answer() {
    reencoded(Enc::Utf8);
}

#[test]
fn utf8_with_bom_gives_the_same_answer() {
    reencoded(Enc::Utf8Bom);
}

#[test]
fn windows_1251_gives_the_same_answer() {
    reencoded(Enc::Cp1251);
}

#[test]
fn koi8_r_gives_the_same_answer() {
    reencoded(Enc::Koi8r);
}

/// A date in one of the accepted formats, chosen by `k`, where that format can hold it.
fn date_as(d: NaiveDate, k: usize) -> String {
    use chrono::Datelike;
    let y = d.year();
    match k % 4 {
        0 => d.format("%Y-%m-%d").to_string(),
        2 if (1930..=2029).contains(&y) => d.format("%d.%m.%y").to_string(),
        3 if (1928..=2118).contains(&y) => {
            let day0 = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            (d - day0).num_days().to_string()
        }
        _ => d.format("%d.%m.%Y").to_string(),
    }
}

#[test]
fn dates_in_every_accepted_format_give_the_same_answer() {
    metamorphic(
        Summary::Lines,
        false,
        |data| {
            let mut rewritten = 0;
            let out = map_rows(data, |_, t, r, i| {
                for (j, col) in DATE_COLUMNS.iter().enumerate() {
                    let Some(c) = t.col(col) else { continue };
                    if let Some(d) = r.get(c).and_then(|v| parse_date(v.trim())) {
                        r[c] = date_as(d, i + j);
                        rewritten += 1;
                    }
                }
            });
            assert!(rewritten > 20, "only {rewritten} dates rewritten");
            out
        },
        |_| PLAIN,
    );
}

#[test]
fn names_in_capitals_give_the_same_answer_but_for_letter_case() {
    metamorphic(
        Summary::Lines,
        true,
        |data| {
            map_rows(data, |_, t, r, _| {
                for col in NAME_COLUMNS {
                    if let Some(v) = t.col(col).and_then(|c| r.get_mut(c)) {
                        *v = v.to_uppercase();
                    }
                }
            })
        },
        |_| PLAIN,
    );
}

/// The rows of cases.csv as maps.
fn cases_of(wd: &Workdir, out: &str) -> Vec<std::collections::HashMap<String, String>> {
    read_csv(&wd.path(&format!("{out}/cases.csv")))
}

/// A COI-44FZ case of `base` whose link `pick` accepts: the variant made from it by `change`
/// must no longer flag it through any link `still` accepts.
fn must_change(
    pick: impl Fn(&str) -> bool,
    still: impl Fn(&str) -> bool,
    change: impl Fn(&mut Data, &std::collections::HashMap<String, String>),
) {
    let wd = Workdir::new();
    for (name, base) in bases(&wd) {
        write_data(&wd.path(name), &base, |_| PLAIN);
        check(&wd, name);
        let cases = cases_of(&wd, &format!("{name}-out"));
        let case = cases
            .iter()
            .find(|c| c["rule"] == "COI-44FZ" && pick(&c["participant_link"]))
            .unwrap_or_else(|| panic!("{name}: no COI-44FZ case of that link"));
        let mut changed = base.clone();
        change(&mut changed, case);
        let v = format!("{name}-changed");
        write_data(&wd.path(&v), &changed, |_| PLAIN);
        check(&wd, &v);
        let after = cases_of(&wd, &format!("{v}-out"));
        let same = after.iter().find(|c| c["case_id"] == case["case_id"]);
        assert!(
            same.is_none_or(|c| !still(&c["participant_link"])),
            "{name}: case {} still flagged as {}",
            case["case_id"],
            case["participant_link"]
        );
        // Only that case may go: the rest of the answer stands.
        let others = |v: &[std::collections::HashMap<String, String>]| -> usize {
            v.iter().filter(|c| c["case_id"] != case["case_id"]).count()
        };
        assert!(
            others(&after) + 5 >= others(&cases),
            "{name}: too much changed"
        );
    }
}

fn is_role(word: &str, english: &str, russian: &str) -> bool {
    let w = word.trim().to_lowercase();
    w == english || w.contains(russian)
}

#[test]
fn a_share_lowered_to_exactly_ten_percent_ends_the_case() {
    must_change(
        // A direct share, so that the variant's is exactly 10%.
        |l| l.starts_with("founder ") && l.ends_with('%'),
        |l| l.starts_with("founder ") || l.starts_with("beneficiary"),
        |data, case| {
            let roles = data.get_mut("company_roles.csv").unwrap();
            let (ci, ri, si) = (
                roles.col("company_inn").unwrap(),
                roles.col("role").unwrap(),
                roles.col("share_percent").unwrap(),
            );
            let mut lowered = 0;
            for r in &mut roles.rows {
                if r[ci] == case["participant_inn"] && is_role(&r[ri], "founder", "учредител")
                {
                    r[si] = "10".into();
                    lowered += 1;
                }
            }
            assert!(lowered > 0);
        },
    );
}

#[test]
fn a_role_ended_the_day_before_the_procurement_ends_the_case() {
    must_change(
        |l| l == "director",
        |l| l == "director",
        |data, case| {
            let published = {
                let p = &data["procurements.csv"];
                let (ii, pi) = (
                    p.col("procurement_id").unwrap(),
                    p.col("published").unwrap(),
                );
                let row = p
                    .rows
                    .iter()
                    .find(|r| r[ii] == case["procurement_id"])
                    .unwrap();
                parse_date(row[pi].trim()).expect("a publication date")
            };
            let roles = data.get_mut("company_roles.csv").unwrap();
            let (ci, ri, ui) = (
                roles.col("company_inn").unwrap(),
                roles.col("role").unwrap(),
                roles.col("until").unwrap(),
            );
            let day_before = published.pred_opt().unwrap();
            let mut ended = 0;
            for r in &mut roles.rows {
                if r[ci] == case["participant_inn"] && is_role(&r[ri], "director", "директор")
                {
                    r[ui] = day_before.format("%d.%m.%Y").to_string();
                    ended += 1;
                }
            }
            assert!(ended > 0);
        },
    );
}
