//! `affil validate`: every problem with file, line and column; nothing written.

mod common;

use common::*;

#[test]
fn reports_problems_with_file_line_and_column() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    let mut text = read_text(&dir.join("procurements.csv"));
    text.push_str("0156300012321000099;5916684301;X;Y;Z;31.02.2021;много;\n");
    wd.write("data/procurements.csv", &text);
    let o = wd.run(&["validate", "data"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("procurements.csv:12 [published]: unparsable date `31.02.2021`"),
        "{out}"
    );
    assert!(
        out.contains("procurements.csv:12 [initial_price]: unparsable number `много`"),
        "{out}"
    );
    assert!(
        out.contains("officials.csv:10 [inn]: INN `772000000001` fails the checksum"),
        "{out}"
    );
    assert!(
        out.contains("relatives.csv:16 [kinship]: unknown kinship word `кум`"),
        "{out}"
    );
    assert!(out.contains("commissions.csv:18 [member_name]"), "{out}");
    assert!(!wd.path("out").exists());
}

#[test]
fn unusable_input_exits_2() {
    let wd = Workdir::new();
    let dir = wd.copy_sample("data");
    std::fs::remove_file(dir.join("officials.csv")).unwrap();
    let o = wd.run(&["validate", "data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("officials.csv"));
}
