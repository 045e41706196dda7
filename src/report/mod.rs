//! Stage 6: write the outputs: cases.csv, cases.json, summary.md, warnings.csv, cases.xlsx and
//! report.html.

mod evidence;
mod figures;
pub mod ftm;
pub mod graphml;
pub mod history;
mod html;
mod lang;
mod summary;
mod xlsx;

use std::fs;
use std::path::Path;

pub use evidence::{evidence_line, step_words};
pub use figures::{
    default_department, figures, measure_row, scope, CaseCounts, Figures, HistoryCounts,
    MeasureRow, Scope, DEFAULT_DEPARTMENT,
};
pub use history::History;
pub use lang::Lang;

/// How the report is written.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// Language of the report texts.
    pub lang: Lang,
    /// The department responsible for measure 2.2, for its row of the annual report.
    pub department: String,
    /// Rule codes run, in report order.
    pub rules: Vec<&'static str>,
}

use crate::error::{Error, Result};
use crate::load::INPUT_FILES;
use crate::model::Warning;
use crate::pipeline::Analysis;
use crate::rules::Case;

/// Columns of cases.csv, in order (a public contract: extend, never rename).
pub const CASE_COLUMNS: [&str; 21] = [
    "case_id",
    "rule",
    "severity",
    "score",
    "procurement_id",
    "customer_inn",
    "official_id",
    "official_name",
    "official_role",
    "relation",
    "linked_person",
    "participant_inn",
    "participant_name",
    "participant_link",
    "is_winner",
    "contract_price",
    "evidence",
    "status",
    "decision",
    "decision_comment",
    "decision_date",
];

/// A case's evidence line in the report's language (cases.csv writes it in Russian).
pub fn evidence_text(c: &Case, lang: Lang) -> String {
    evidence_line(&c.chain, lang)
}

/// Formats money with two decimals, or nothing.
pub fn money(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

fn case_row(c: &Case, h: &History) -> [String; 21] {
    let d = h.decision(&c.case_id);
    let decided = |f: fn(&history::Decision) -> &String| d.map(f).cloned().unwrap_or_default();
    [
        c.case_id.clone(),
        c.rule.to_owned(),
        c.severity.code().to_owned(),
        format!("{:.3}", c.score),
        c.procurement_id.clone(),
        c.customer_inn.clone(),
        c.official_id.clone(),
        c.official_name.clone(),
        c.official_role.to_owned(),
        c.relation.to_owned(),
        c.linked_person.clone(),
        c.participant_inn.clone(),
        c.participant_name.clone(),
        c.participant_link.clone(),
        c.is_winner.to_string(),
        money(c.contract_price),
        evidence_text(c, Lang::Ru),
        h.status(&c.case_id).to_owned(),
        decided(|d| &d.decision),
        decided(|d| &d.comment),
        decided(|d| &d.date),
    ]
}

/// A text a spreadsheet would run as a formula if it met it in a cell: one starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return (a name or an id from the input may).
pub fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as written to a CSV output: a [`formula_like`] one gets a leading `'`, which
/// spreadsheets show as text and do not run.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn csv_bytes<I, R>(header: &[&str], rows: I) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::write("csv buffer", e);
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::write("csv buffer", e.to_string()))
}

/// Writes an output file (one step of the report stage's progress).
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| Error::write(path, e))?;
    crate::progress::inc(1);
    Ok(())
}

/// cases.csv content.
pub fn cases_csv(cases: &[Case], h: &History) -> Result<Vec<u8>> {
    csv_bytes(&CASE_COLUMNS, cases.iter().map(|c| case_row(c, h)))
}

/// A case in cases.json: the case, with what the previous run and the decisions say of it.
#[derive(serde::Serialize)]
struct JsonCase<'a> {
    #[serde(flatten)]
    case: &'a Case,
    #[serde(skip_serializing_if = "str::is_empty")]
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<JsonDecision<'a>>,
}

#[derive(serde::Serialize)]
struct JsonDecision<'a> {
    decision: &'a str,
    comment: &'a str,
    date: &'a str,
}

/// Warnings in a stable order: by input file order, then line, column and text.
pub fn sorted_warnings(w: &[Warning]) -> Vec<Warning> {
    let mut v = w.to_vec();
    let rank = |f: &str| {
        INPUT_FILES
            .iter()
            .position(|x| *x == f)
            .unwrap_or(usize::MAX)
    };
    v.sort_by(|a, b| rank(&a.file).cmp(&rank(&b.file)).then_with(|| a.cmp(b)));
    v.dedup();
    v
}

/// warnings.csv content, the warnings in the order given ([`sorted_warnings`]'s).
pub fn warnings_csv(w: &[Warning]) -> Result<Vec<u8>> {
    csv_bytes(
        &["file", "line", "column", "problem"],
        w.iter().map(|w| {
            [
                w.file.clone(),
                w.line.to_string(),
                w.column.clone(),
                w.problem.clone(),
            ]
        }),
    )
}

/// A run as the report files show it: the analysis, and what is computed from it once for
/// summary.md, cases.xlsx and report.html.
pub struct Report<'a> {
    /// The run.
    pub analysis: &'a Analysis,
    /// What the previous run and the decisions say of its cases.
    pub history: &'a History,
    /// The same, counted.
    pub history_counts: HistoryCounts,
    /// Its figures (group-bys over the cases).
    pub figures: Figures,
    /// Its facts: period, distinct bidders, seated officials.
    pub scope: Scope,
    /// Row 2.2 of the annual report.
    pub measure: MeasureRow,
    /// Its warnings, sorted and without repeats.
    pub warnings: Vec<Warning>,
    /// Rule codes run, in report order.
    pub rules: &'a [&'static str],
    /// Language of the texts.
    pub lang: Lang,
}

/// The output files of a check, in the order written.
pub const OUTPUT_FILES: [&str; 6] = [
    "cases.csv",
    "cases.json",
    "summary.md",
    "warnings.csv",
    "cases.xlsx",
    "report.html",
];

/// Writes every output file of a check into `out`; `h` says what earlier runs and decisions say
/// of the cases (and, with a previous run, `gone_cases.csv` lists its cases this run no longer
/// finds).
pub fn write_all(out: &Path, a: &Analysis, h: &History, opts: &ReportOptions) -> Result<()> {
    fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
    let files = OUTPUT_FILES.len() + usize::from(h.has_previous());
    let _bar = crate::progress::stage("report", files as u64, "files");
    // The case lists on one core while the other prepares the report's figures; then the
    // workbook (the longest) beside the page and the summary.
    let (lists, prepared) = rayon::join(
        || -> Result<()> {
            write(&out.join("cases.csv"), &cases_csv(&a.cases, h)?)?;
            let json_cases: Vec<JsonCase> = a
                .cases
                .iter()
                .map(|c| JsonCase {
                    case: c,
                    status: h.status(&c.case_id),
                    decision: h.decision(&c.case_id).map(|d| JsonDecision {
                        decision: &d.decision,
                        comment: &d.comment,
                        date: &d.date,
                    }),
                })
                .collect();
            let json = serde_json::to_vec_pretty(&json_cases)
                .map_err(|e| Error::write(out.join("cases.json"), e))?;
            write(&out.join("cases.json"), &json)
        },
        || -> Result<Report<'_>> {
            let warnings = sorted_warnings(&a.warnings.0);
            write(&out.join("warnings.csv"), &warnings_csv(&warnings)?)?;
            let mut gone_count = 0;
            if h.has_previous() {
                let (header, gone) = h.gone(&a.cases);
                gone_count = gone.len();
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                write(&out.join("gone_cases.csv"), &csv_bytes(&header, gone)?)?;
            }
            let scope = figures::scope(a);
            Ok(Report {
                analysis: a,
                history: h,
                history_counts: HistoryCounts::of(&a.cases, h, gone_count),
                figures: figures(&a.cases)?,
                measure: measure_row(a, &scope, &opts.department, opts.lang),
                scope,
                warnings,
                rules: &opts.rules,
                lang: opts.lang,
            })
        },
    );
    lists?;
    let r = prepared?;
    let (book, (page, summary)) = rayon::join(
        || xlsx::workbook(&r),
        || (html::page(&r), summary::markdown(&r)),
    );
    write(&out.join("summary.md"), summary.as_bytes())?;
    write(&out.join("cases.xlsx"), &book?)?;
    write(&out.join("report.html"), page.as_bytes())?;
    Ok(())
}

/// Writes `timings.csv`: wall and CPU seconds and peak resident megabytes of each stage.
pub fn write_timings(out: &Path, costs: &[crate::meter::StageCost]) -> Result<()> {
    let bytes = csv_bytes(
        &["stage", "wall_s", "cpu_s", "peak_rss_mb"],
        costs.iter().map(|c| {
            [
                c.stage.to_owned(),
                format!("{:.3}", c.wall.as_secs_f64()),
                format!("{:.3}", c.cpu.as_secs_f64()),
                format!("{:.0}", c.peak_rss as f64 / 1_048_576.0),
            ]
        }),
    )?;
    write(&out.join("timings.csv"), &bytes)
}
