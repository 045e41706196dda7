//! `affil check`'s analyst deliverables: cases.xlsx read back with calamine, report.html opened
//! in headless Chromium (skipped, saying so, only where no Chromium is installed), `--lang en`.

mod common;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use common::{read_csv, read_text, stderr, Workdir};

fn workbook(path: &Path) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(std::fs::read(path).unwrap())).expect("a readable workbook")
}

fn sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

/// A part of the workbook's zip, as text.
fn part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn text(r: &Range<Data>, row: usize, col: usize) -> String {
    r.get((row, col)).map(|d| d.to_string()).unwrap_or_default()
}

/// The column of a header row that says `name`.
fn column(r: &Range<Data>, name: &str) -> usize {
    (0..r.width())
        .find(|&c| text(r, 0, c) == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Replaces the first `from` in a file of the data directory with `to`.
fn replace_in(dir: &Path, file: &str, from: &str, to: &str) {
    let t = read_text(&dir.join(file));
    assert!(t.contains(from), "{file} has no {from}");
    std::fs::write(dir.join(file), t.replacen(from, to, 1)).unwrap();
}

/// The value beside `label` in a sheet's two-column table of figures.
fn figure(r: &Range<Data>, label: &str) -> String {
    (0..r.height())
        .find(|&i| text(r, i, 0) == label)
        .map(|i| text(r, i, 1))
        .unwrap_or_else(|| panic!("no figure {label}"))
}

/// Runs a check of the sample, with `edit` applied to its copy first.
fn check(wd: &Workdir, args: &[&str], edit: impl Fn(&Path)) {
    let dir = wd.copy_sample("data");
    edit(&dir);
    let mut all = vec!["check", "data", "--out", "out"];
    all.extend_from_slice(args);
    let o = wd.run(&all);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_workbook_reads_back_with_the_cases_figures_and_warnings() {
    let wd = Workdir::new();
    // A name a spreadsheet would run as a formula.
    check(&wd, &[], |dir| {
        replace_in(
            dir,
            "officials.csv",
            "O01,Иванова Мария Петровна",
            "O01,=Иванова Мария Петровна",
        )
    });
    let csv = read_csv(&wd.path("out/cases.csv"));
    let mut wb = workbook(&wd.path("out/cases.xlsx"));
    // The cases, a sheet per rule run (all of the registry's, in its order), the warnings,
    // the annual report's row.
    let mut sheets = vec!["Случаи".to_owned()];
    sheets.extend(affil::rules::registry().iter().map(|r| r.code().to_owned()));
    sheets.extend(["Предупреждения".to_owned(), "Отчёт 2.2".to_owned()]);
    assert_eq!(sheets[1..4], ["COI-44FZ", "KIN-EXT", "EMPLOYEE"]);
    assert_eq!(wb.sheet_names(), sheets);
    let cases = sheet(&mut wb, "Случаи");
    assert_eq!(cases.height(), csv.len() + 1);
    let (id, sev, price, name, decision) = (
        column(&cases, "Номер случая"),
        column(&cases, "Значимость"),
        column(&cases, "Цена контракта"),
        column(&cases, "Должностное лицо"),
        column(&cases, "Решение"),
    );
    for (i, c) in csv.iter().enumerate() {
        let row = i + 1;
        assert_eq!(text(&cases, row, id), c["case_id"], "row {row}");
        let word = match c["severity"].as_str() {
            "high" => "высокая",
            "medium" => "средняя",
            _ => "низкая",
        };
        assert_eq!(text(&cases, row, sev), word);
        // Money is a number, not text.
        match (cases.get((row, price)), c["contract_price"].as_str()) {
            (Some(Data::Float(v)), p) => assert_eq!(format!("{v:.2}"), p),
            (Some(Data::Empty) | None, "") => {}
            (other, p) => panic!("row {row}: price {other:?}, csv {p}"),
        }
        assert_eq!(text(&cases, row, decision), "");
    }
    // The name is kept as text, not a formula, and its cell carries Excel's quote prefix, so
    // that it stays text when the analyst edits it; the others do not.
    let formulas = wb.worksheet_formula("Случаи").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    assert!((1..cases.height()).any(|r| text(&cases, r, name) == "=Иванова Мария Петровна"));
    let styles = part(&wd.path("out/cases.xlsx"), "xl/styles.xml");
    assert_eq!(styles.matches(r#"quotePrefix="1""#).count(), 1, "{styles}");
    // Dated by the input (its latest publication), not the clock: the bytes depend on the input.
    let core = part(&wd.path("out/cases.xlsx"), "docProps/core.xml");
    assert!(
        core.contains(">2021-10-01T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    // The first sheet: header frozen, filters over every case, column widths set; money in a
    // rouble format; a fill for each severity.
    let first = part(&wd.path("out/cases.xlsx"), "xl/worksheets/sheet1.xml");
    assert!(first
        .contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
    assert!(first.contains(&format!(r#"<autoFilter ref="A1:V{}"/>"#, csv.len() + 1)));
    assert!(first.matches("customWidth=\"1\"").count() >= 10);
    assert!(styles.contains(r##"formatCode="#,##0.00 [$₽-419]""##));
    for fill in ["FFF8CBAD", "FFFFE699", "FFE2EFDA"] {
        assert!(styles.contains(fill), "{fill}");
    }

    // A rule's sheet: its title and figures.
    let coi = sheet(&mut wb, "COI-44FZ");
    assert!(text(&coi, 0, 0).contains("44-ФЗ ст. 31"));
    let of_rule = |rule: &str| csv.iter().filter(|c| c["rule"] == rule).count();
    assert_eq!(figure(&coi, "Случаев"), of_rule("COI-44FZ").to_string());
    let undeclared = sheet(&mut wb, "UNDECLARED");
    assert_eq!(
        figure(&undeclared, "Случаев"),
        of_rule("UNDECLARED").to_string()
    );

    let warnings = sheet(&mut wb, "Предупреждения");
    assert_eq!(
        warnings.height(),
        read_csv(&wd.path("out/warnings.csv")).len() + 1
    );
    let report = sheet(&mut wb, "Отчёт 2.2");
    assert_eq!(text(&report, 1, 0), "2.2");
    assert_eq!(text(&report, 1, 3), "Ежегодно до 20 сентября");
    assert!(text(&report, 1, 5).contains("закупок — 10, заявок — 23"));
}

#[test]
fn reviewed_cases_show_as_such_in_the_workbook_and_the_page() {
    let wd = Workdir::new();
    check(&wd, &[], |_| {});
    let first = read_csv(&wd.path("out/cases.csv"));
    let styles = part(&wd.path("out/cases.xlsx"), "xl/styles.xml");
    assert!(
        !styles.contains("quotePrefix"),
        "no cell needs it in the sample"
    );
    let id = first[0]["case_id"].clone();
    wd.write(
        "decisions.csv",
        &format!("case_id,decision,comment,date\n{id},cleared,брат не участвует,01.10.2021\n"),
    );
    let o = wd.run(&[
        "check",
        "data",
        "--out",
        "out2",
        "--previous",
        "out",
        "--decisions",
        "decisions.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut wb = workbook(&wd.path("out2/cases.xlsx"));
    let cases = sheet(&mut wb, "Случаи");
    let (status, decision, comment) = (
        column(&cases, "Статус"),
        column(&cases, "Решение"),
        column(&cases, "Комментарий к решению"),
    );
    let row = (1..cases.height())
        .find(|&r| text(&cases, r, 0) == id)
        .unwrap();
    assert_eq!(text(&cases, row, decision), "снято");
    assert_eq!(text(&cases, row, comment), "брат не участвует");
    assert!((1..cases.height()).all(|r| text(&cases, r, status) == "повторный"));
    let report = sheet(&mut wb, "Отчёт 2.2");
    assert_eq!(figure(&report, "Снято"), "1");
    assert_eq!(
        figure(&report, "Без решения"),
        (first.len() - 1).to_string()
    );
    let html = std::fs::read_to_string(wd.path("out2/report.html")).unwrap();
    assert!(html.contains("снято (01.10.2021)"));
    assert!(html.contains("брат не участвует"));
}

#[test]
fn the_page_is_self_contained_and_escapes_every_name() {
    let wd = Workdir::new();
    check(&wd, &[], |dir| {
        replace_in(
            dir,
            "companies.csv",
            "ООО «Ромашка»",
            "ООО «Ромашка<script>alert(1)</script>»",
        )
    });
    let html = std::fs::read_to_string(wd.path("out/report.html")).unwrap();
    assert!(html.contains("Ромашка&lt;script&gt;alert(1)&lt;/script&gt;»"));
    assert!(!html.contains("<script>alert"));
    // One script, the page's own; nothing loaded from anywhere.
    assert_eq!(html.matches("<script").count(), 1);
    for attr in ["src=", "href=", "@import", "url(http"] {
        assert!(!html.contains(attr), "{attr}");
    }
    let addresses: Vec<&str> = html
        .match_indices("http")
        .map(|(i, _)| &html[i..(i + 30).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(addresses.is_empty(), "{addresses:?}");
    let cases = read_csv(&wd.path("out/cases.csv")).len();
    assert_eq!(html.matches(r#"<svg class="chain""#).count(), cases);
    assert!(html.contains("Ежегодно до 20 сентября"));
    assert!(html.contains("Отдел по общим вопросам, муниципальной службе и кадрам"));
}

#[test]
fn english_texts_with_lang_en_and_a_department_of_ones_own() {
    let wd = Workdir::new();
    check(
        &wd,
        &["--lang", "en", "--department", "Contract <service>"],
        |_| {},
    );
    let md = std::fs::read_to_string(wd.path("out/summary.md")).unwrap();
    assert!(
        md.starts_with("# Affiliations of procurement participants"),
        "{md}"
    );
    assert!(md
        .contains("Possible conflicts of interest were found (44-FZ art. 31 p. 1 i. 9): 9 cases in 8 procurements involving 7 officials, 5 of them with the procurement's winner"));
    assert!(!md.contains("Выявлены"));
    let html = std::fs::read_to_string(wd.path("out/report.html")).unwrap();
    assert!(html.starts_with(r#"<!DOCTYPE html><html lang="en">"#));
    assert!(html.contains("Every year by 20 September"));
    assert!(html.contains("Contract &lt;service&gt;"));
    let mut wb = workbook(&wd.path("out/cases.xlsx"));
    assert_eq!(wb.sheet_names()[0], "Cases");
    let cases = sheet(&mut wb, "Cases");
    assert_eq!(text(&cases, 0, 0), "Case id");
    assert_eq!(text(&cases, 1, column(&cases, "Severity")), "high");
    // The evidence in English: every word the rules write is translated; what stays Cyrillic is
    // the input's: names (capitalised: people, ООО, ИП), quoted company names, job titles.
    let mut positions: Vec<String> = read_csv(&wd.path("data/officials.csv"))
        .into_iter()
        .map(|o| o["position"].clone())
        .filter(|p| !p.is_empty())
        .collect();
    positions.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let evidence = column(&cases, "Evidence chain");
    for r in 1..cases.height() {
        let mut e = text(&cases, r, evidence);
        for p in &positions {
            e = e.replace(p.as_str(), "");
        }
        let mut outside = String::new();
        let mut depth = 0;
        for ch in e.chars() {
            match ch {
                '«' => depth += 1,
                '»' => depth -= 1,
                c if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        let untranslated: Vec<&str> = outside
            .split(|c: char| !c.is_alphabetic() && c != '(' && c != ')')
            .filter(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() && ('а'..='я').contains(&c) || c == 'ё')
            })
            .collect();
        assert!(untranslated.is_empty(), "{untranslated:?} in {e}");
        assert!(e.contains(" -> "), "{e}");
    }
    assert!(
        (1..cases.height()).any(|r| text(&cases, r, evidence).contains("winner of procurement"))
    );
    // The Russian evidence is its chain's labels joined: the English one, built from the chain
    // the same way, says the same steps.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(wd.path("out/cases.json")).unwrap()).unwrap();
    for c in json.as_array().unwrap() {
        let joined: Vec<&str> = c["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap())
            .collect();
        assert_eq!(c["evidence"].as_str().unwrap(), joined.join(" -> "));
    }
    // The CSV and JSON keep their codes whatever the language.
    let csv = std::fs::read_to_string(wd.path("out/cases.csv")).unwrap();
    assert!(csv.starts_with("case_id,rule,severity,score,"));
    let o = wd.run(&["check", "data", "--out", "x", "--lang", "de"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--lang"));
}

/// Chromium, as Debian installs it, if it is there.
fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Chromium for test `test`, or `None` after saying on stderr that the test is skipped
/// (written to stderr directly: the harness captures eprintln! of a passing test).
fn chromium_for(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no Chromium installed (apt-get install chromium; .ci/run installs it)"
        );
    }
    found
}

/// Runs headless Chromium on `url` with `extra` arguments; returns stdout and stderr. A browser
/// that has not finished in two minutes is killed and the test fails (CI must not hang on it).
fn headless(browser: &Path, profile: &Path, url: &str, extra: &[&str]) -> (String, String) {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let (out_path, err_path) = (profile.with_extension("out"), profile.with_extension("err"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (
        std::fs::read_to_string(&out_path).unwrap_or_default(),
        String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned(),
    );
    assert!(status.success(), "{err}");
    (out, err)
}

/// The page's DOM after its script ran; the browser must have logged no console message.
fn dom_of(browser: &Path, profile: &Path, url: &str) -> String {
    let (dom, log) = headless(browser, profile, url, &["--dump-dom"]);
    let console = console_lines(&log);
    assert!(console.is_empty(), "{url}: {console:?}");
    dom
}

/// Lines of the browser's log that report the page's console (errors, uncaught exceptions).
fn console_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn the_page_renders_in_a_real_browser() {
    let Some(browser) = chromium_for("the_page_renders_in_a_real_browser") else {
        return;
    };
    let wd = Workdir::new();
    check(&wd, &[], |dir| {
        replace_in(
            dir,
            "companies.csv",
            "ООО «Ромашка»",
            "ООО «Ромашка<img src=x onerror=alert(1)>»",
        )
    });
    let cases = read_csv(&wd.path("out/cases.csv"));
    let page = wd.path("out/report.html");
    let url = format!("file://{}", page.display());
    let profile = wd.path("profile");

    // The DOM after the script ran: every case row and chain, the script's end reached, no
    // console message, the injected tag shown as text.
    let dom = dom_of(&browser, &profile, &url);
    assert!(
        dom.contains(r#"data-ready="1""#),
        "the page's script did not finish"
    );
    assert_eq!(dom.matches(r#"<tbody class="case""#).count(), cases.len());
    assert_eq!(dom.matches(r#"<svg class="chain""#).count(), cases.len());
    assert_eq!(dom.matches("<img").count(), 0);
    assert!(dom.contains(&format!(r#"<span id="shown">{}</span>"#, cases.len())));

    // Searched from the address: only the cases that name the company stay shown.
    let romashka = cases
        .iter()
        .filter(|c| c.values().any(|v| v.contains("Ромашка")))
        .count();
    assert!(romashka > 0 && romashka < cases.len());
    let dom = dom_of(
        &browser,
        &profile,
        &format!("{url}#q=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0"),
    );
    assert!(
        dom.contains(&format!(r#"<span id="shown">{romashka}</span>"#)),
        "search for Ромашка should leave {romashka} cases"
    );
    let shown_rows = dom
        .match_indices(r#"<tbody class="case" id="#)
        .filter(|(i, _)| !dom[*i..*i + dom[*i..].find('>').unwrap()].contains("hidden"))
        .count();
    assert_eq!(shown_rows, romashka);

    // Sorted from the address by contract price, descending: the prices in page order fall.
    let dom = dom_of(&browser, &profile, &format!("{url}#sort=-price"));
    let prices: Vec<f64> = dom
        .match_indices(r#"<td class="num" data-v=""#)
        .map(|(i, m)| &dom[i + m.len()..])
        .map(|rest| rest[..rest.find('"').unwrap()].parse::<f64>().unwrap())
        .skip(1)
        .step_by(2)
        .collect();
    assert_eq!(prices.len(), cases.len(), "{prices:?}");
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}");
    let mut unsorted: Vec<f64> = cases
        .iter()
        .map(|c| c["contract_price"].parse().unwrap_or(0.0))
        .collect();
    assert_ne!(prices, unsorted, "the report order is not already by price");
    unsorted.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(prices, unsorted);
    assert!(dom.contains(r#"data-key="price" data-type="num" aria-sort="descending""#));

    // A year later, with one case decided: the views part reviewed cases from the others.
    let id = &cases[0]["case_id"];
    wd.write(
        "decisions.csv",
        &format!("case_id,decision,comment,date\n{id},referred,,02.10.2021\n"),
    );
    let o = wd.run(&[
        "check",
        "data",
        "--out",
        "later",
        "--previous",
        "out",
        "--decisions",
        "decisions.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let later = format!("file://{}", wd.path("later/report.html").display());
    for (view, expect) in [
        ("reviewed", 1),
        ("open", cases.len() - 1),
        ("new", 0),
        ("all", cases.len()),
    ] {
        let dom = dom_of(&browser, &profile, &format!("{later}#view={view}"));
        assert!(
            dom.contains(&format!(r#"<span id="shown">{expect}</span>"#)),
            "view {view} should show {expect}"
        );
    }

    // A screenshot, kept for a person to look at.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&shot);
    let (_, log) = headless(
        &browser,
        &profile,
        &url,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(console_lines(&log).is_empty(), "{:?}", console_lines(&log));
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{}",
        png.len()
    );
    let _ = writeln!(
        std::io::stderr(),
        "report.html screenshot: {}",
        shot.display()
    );
}

/// The decisions-csv text of a page's DOM (as the export button would write it).
fn decisions_csv_of(dom: &str) -> String {
    let at = dom
        .find(r#"<pre id="decisions-csv""#)
        .expect("the page keeps decisions.csv");
    let text = &dom[at..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</pre>").unwrap()];
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A decision made in the page is kept in the browser (a reload finds it), counted, and
/// exported as the decisions.csv that `affil check --decisions` reads back into the case.
#[test]
fn a_decision_made_in_the_page_goes_back_into_the_check() {
    let Some(browser) = chromium_for("a_decision_made_in_the_page_goes_back_into_the_check") else {
        return;
    };
    let wd = Workdir::new();
    check(&wd, &[], |_| {});
    let cases = read_csv(&wd.path("out/cases.csv"));
    let id = cases[3]["case_id"].clone();
    let url = format!("file://{}", wd.path("out/report.html").display());
    let profile = wd.path("profile");
    // Chosen (through the address, as a script would): counted at once.
    let comment = "родство подтверждено, \"см. анкету\"";
    let encoded: String = format!("{id}:referred:{comment}")
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    let dom = dom_of(&browser, &profile, &format!("{url}#decide={encoded}"));
    assert!(
        dom.contains(r#"<span id="decided">1</span>"#),
        "not counted"
    );
    // Reloaded in the same browser: still there.
    let dom = dom_of(&browser, &profile, &url);
    assert!(dom.contains(r#"<span id="decided">1</span>"#), "not kept");
    assert_eq!(dom.matches(r#"data-decided="1""#).count(), 1);
    let csv = decisions_csv_of(&dom);
    assert!(csv.starts_with("case_id,decision,comment,date\n"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // Another browser has none.
    let dom = dom_of(&browser, &wd.path("profile2"), &url);
    assert!(dom.contains(r#"<span id="decided">0</span>"#));
    // The export, fed to the next check, carries the decision into the case.
    wd.write("decisions.csv", &csv);
    let o = wd.run(&[
        "check",
        "data",
        "--out",
        "next",
        "--decisions",
        "decisions.csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let next = read_csv(&wd.path("next/cases.csv"));
    let case = next.iter().find(|c| c["case_id"] == id).unwrap();
    assert_eq!(case["decision"], "referred");
    assert_eq!(case["decision_comment"], comment);
    assert_eq!(case["decision_date"].len(), 10, "{case:?}");
    // The page written from it shows the decision chosen, and counts it as reviewed.
    let page = read_text(&wd.path("next/report.html"));
    assert!(page.contains(r#"<option value="referred" selected>"#));
}
