//! The README's examples and the docs' weights table, checked against what affil does, so that
//! neither can drift from the code. Every ```` ```console ```` block of README.md is run in one
//! scratch directory (holding a copy of `data/sample`), command after command: a line `$ affil
//! ARGS` runs the binary, the lines up to the next command are its output (stdout, then
//! stderr), where a line `...` stands for any number of lines and `[..]` for any text within a
//! line. A ```` ```text FILE ```` block's text must appear in that file of the scratch directory
//! once the commands have run.

mod common;

use common::*;

/// A fenced block of the README: its info string and its lines.
struct Block {
    info: String,
    lines: Vec<String>,
    /// Line of the README where the block starts, for messages.
    at: usize,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    lines: Vec::new(),
                    at: i + 1,
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => b.lines.push(line.to_owned()),
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    out
}

/// Whether `line` matches `pattern`, in which `[..]` stands for any text.
fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || !line[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Whether the output lines match the expected ones (see the module).
fn output_matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => {
            (0..=actual.len()).any(|skip| output_matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(e, a) && output_matches(rest, more)),
    }
}

/// The console blocks' commands with their expected output.
fn commands(block: &Block) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in &block.lines {
        match line.strip_prefix("$ ") {
            Some(command) => out.push((command.to_owned(), Vec::new())),
            None => out
                .last_mut()
                .unwrap_or_else(|| panic!("README:{}: output before a command", block.at))
                .1
                .push(line.clone()),
        }
    }
    out
}

#[test]
fn readme_examples_run_as_shown() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let wd = Workdir::new();
    wd.copy_sample("data/sample");
    let all = blocks(&readme);
    let mut ran = 0;
    for block in all.iter().filter(|b| b.info == "console") {
        for (command, expected) in commands(block) {
            let args: Vec<&str> = command
                .strip_prefix("affil ")
                .unwrap_or_else(|| panic!("README:{}: not an affil command: {command}", block.at))
                .split_whitespace()
                .collect();
            let o = wd.run(&args);
            assert!(
                o.status.success(),
                "README: `{command}` failed: {}",
                stderr(&o)
            );
            let text = format!("{}{}", stdout(&o), stderr(&o));
            let actual: Vec<&str> = text.lines().collect();
            assert!(
                output_matches(&expected, &actual),
                "README:{}: `{command}` printed\n{text}\nexpected\n{}",
                block.at,
                expected.join("\n")
            );
            ran += 1;
        }
    }
    assert!(ran >= 5, "the README's console blocks hold {ran} commands");
    let mut found = 0;
    for block in all.iter().filter(|b| b.info.starts_with("text ")) {
        let file = block.info["text ".len()..].trim();
        let content = read_text(&wd.path(file));
        let wanted = block.lines.join("\n");
        assert!(
            content.contains(&wanted),
            "README:{}: {file} does not hold\n{wanted}",
            block.at
        );
        found += 1;
    }
    assert!(found >= 1, "the README has no text block to find");
}

#[test]
fn the_output_pattern_reads_dots_and_wildcards() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(output_matches(
        &e(&["a", "...", "d"]),
        &["a", "b", "c", "d"]
    ));
    assert!(output_matches(&e(&["a", "...", "d"]), &["a", "d"]));
    assert!(!output_matches(&e(&["a", "...", "d"]), &["a", "b"]));
    assert!(!output_matches(&e(&["a", "b"]), &["a", "b", "c"]));
    assert!(output_matches(&e(&["time: [..]s"]), &["time: 0.02s"]));
    assert!(!output_matches(&e(&["time: [..]s"]), &["tim: 0.02s"]));
    assert!(line_matches("x [..] y [..] z", "x 1 y 2 z"));
    assert!(!line_matches("x [..] y [..] z", "x 1 z 2 y"));
}

/// The comparison table of docs/matching.md holds the weights of `compare::WEIGHTS`.
#[test]
fn the_docs_weights_table_is_the_codes() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/matching.md")).unwrap();
    let w = affil::resolve::compare::WEIGHTS;
    // The first number of a cell: `+8.5`, `−10`, `decides (+30)`; `None` for `–`.
    let number = |cell: &str| -> Option<f64> {
        let t = cell.replace('−', "-");
        let start = t.find(|c: char| c == '+' || c == '-' || c.is_ascii_digit())?;
        let rest = &t[start..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(rest.len(), |e| e + 1);
        rest[..end].parse().ok()
    };
    let row = |field: &str| -> Vec<String> {
        let line = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {field} |")))
            .unwrap_or_else(|| panic!("no row `{field}` in docs/matching.md"));
        line.trim_matches('|')
            .split('|')
            .skip(1)
            .map(|c| c.trim().to_owned())
            .collect()
    };
    for (field, levels) in [
        ("surname", w.surname),
        ("given name", w.given),
        ("patronymic", w.patronymic),
    ] {
        let cells = row(field);
        // Columns: exact, close, initial agrees, missing, differs (the order of the arrays).
        for (i, cell) in cells.iter().enumerate().take(5) {
            match number(cell) {
                Some(v) => assert_eq!(v, levels[i], "{field}, column {}", i + 1),
                None => assert_eq!(cell, "–", "{field}, column {}", i + 1),
            }
        }
    }
    let date = row("birth date");
    assert_eq!(number(&date[0]), Some(w.date_exact));
    assert_eq!(number(&date[1]), Some(w.date_year));
    assert_eq!(
        (w.date_swapped, w.date_one_digit),
        (None, None),
        "the table says a slip is never the same person by default"
    );
    assert_eq!(number(&row("INN")[0]), Some(w.inn_equal));
}
