//! cases.xlsx: the cases to review (frozen header, filters, fitted widths, severity colours,
//! money as numbers in roubles), a sheet per rule with its figures and cases, the warnings, and
//! row 2.2 of the annual report. Headers in the report's language.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::figures::{CaseCounts, HistoryCounts, MeasureRow};
use super::{History, Lang};
use crate::error::{Error, Result};
use crate::rules::{Case, Severity};

/// Rows a sheet holds below its header (Excel's limit, 1,048,576, less the header).
const MAX_ROWS: usize = 1_048_575;
/// Widest column, in characters: longer texts wrap in the cell instead.
const MAX_WIDTH: f64 = 60.0;
/// Money in roubles, Russian locale.
const MONEY_FORMAT: &str = "#,##0.00 [$₽-419]";

/// A cell of a sheet.
enum Cell {
    Text(String),
    /// A severity word, filled with its severity's colour.
    Severity(Severity, &'static str),
    Number(f64),
    Money(f64),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Characters it shows, for the column width.
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => s.chars().count(),
            Cell::Severity(_, s) => s.chars().count(),
            Cell::Number(_) => 8,
            Cell::Money(v) => format!("{v:.2}").len() + 6,
            Cell::Empty => 0,
        }
    }
}

fn fail(e: XlsxError) -> Error {
    Error::write("cases.xlsx", e.to_string())
}

struct Styles {
    header: Format,
    text: Format,
    quoted: Format,
    wrap: Format,
    money: Format,
    severity: [Format; 3],
}

impl Styles {
    fn new() -> Styles {
        let fill = |rgb: u32| {
            Format::new()
                .set_background_color(Color::RGB(rgb))
                .set_align(FormatAlign::Center)
        };
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            money: Format::new().set_num_format(MONEY_FORMAT),
            severity: [fill(0xF8CBAD), fill(0xFFE699), fill(0xE2EFDA)],
        }
    }
}

/// A table: its header and its rows.
struct Table<'a> {
    header: Vec<&'a str>,
    rows: Vec<Vec<Cell>>,
}

/// Writes a table from row `top`: the header, the rows, with `filters` a frozen header and
/// filters; column widths fitted to the longest cell (up to [`MAX_WIDTH`], wrapping beyond).
/// `widths` holds the widest cell of each column over the tables of one sheet.
fn put_table(
    ws: &mut Worksheet,
    st: &Styles,
    top: u32,
    t: Table,
    filters: bool,
    widths: &mut Vec<usize>,
) -> Result<()> {
    let cols = t.header.len();
    if widths.len() < cols {
        widths.resize(cols, 0);
    }
    for (w, h) in widths.iter_mut().zip(&t.header) {
        *w = (*w).max(h.chars().count().min(30));
    }
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &st.header)
            .map_err(fail)?;
    }
    for (i, row) in t.rows.iter().enumerate().take(MAX_ROWS - top as usize) {
        let r = top + 1 + i as u32;
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(cell.width());
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    let f = if super::formula_like(s) {
                        // Text either way; the quote prefix keeps it text when edited.
                        &st.quoted
                    } else if s.chars().count() > MAX_WIDTH as usize {
                        &st.wrap
                    } else {
                        &st.text
                    };
                    ws.write_string_with_format(r, col, s, f).map_err(fail)?;
                }
                Cell::Severity(sev, s) => {
                    ws.write_string_with_format(r, col, *s, &st.severity[sev.rank()])
                        .map_err(fail)?;
                }
                Cell::Number(v) => {
                    ws.write_number(r, col, *v).map_err(fail)?;
                }
                Cell::Money(v) => {
                    ws.write_number_with_format(r, col, *v, &st.money)
                        .map_err(fail)?;
                }
                Cell::Empty => {}
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(MAX_WIDTH))
            .map_err(fail)?;
    }
    if filters && cols > 0 {
        let last = top + t.rows.len().min(MAX_ROWS - top as usize) as u32;
        ws.set_freeze_panes(top + 1, 0).map_err(fail)?;
        ws.autofilter(top, 0, last, cols as u16 - 1).map_err(fail)?;
    }
    Ok(())
}

fn cases_table<'a>(cases: &[&Case], h: &History, lang: Lang) -> Table<'a> {
    let header = match lang {
        Lang::Ru => vec![
            "Номер случая",
            "Правило",
            "Значимость",
            "Оценка",
            "Закупка",
            "ИНН заказчика",
            "Код должностного лица",
            "Должностное лицо",
            "Роль",
            "Связь",
            "Связанное лицо",
            "ИНН участника",
            "Участник",
            "Связь с участником",
            "Победитель",
            "Цена контракта",
            "Основание",
            "Статус",
            "Решение",
            "Комментарий к решению",
            "Дата решения",
            "Цепочка доказательств",
        ],
        Lang::En => vec![
            "Case id",
            "Rule",
            "Severity",
            "Score",
            "Procurement",
            "Customer INN",
            "Official id",
            "Official",
            "Role",
            "Relation",
            "Linked person",
            "Participant INN",
            "Participant",
            "Link to participant",
            "Winner",
            "Contract price",
            "Legal basis",
            "Status",
            "Decision",
            "Decision comment",
            "Decision date",
            "Evidence chain",
        ],
    };
    let rows = cases
        .iter()
        .map(|c| {
            let d = h.decision(&c.case_id);
            vec![
                Cell::text(&c.case_id),
                Cell::text(c.rule),
                Cell::Severity(c.severity, lang.severity(c.severity.code())),
                Cell::Number((c.score * 1000.0).round() / 1000.0),
                Cell::text(&c.procurement_id),
                Cell::text(&c.customer_inn),
                Cell::text(&c.official_id),
                Cell::text(&c.official_name),
                Cell::text(lang.role(c.official_role)),
                Cell::text(c.relation),
                Cell::text(&c.linked_person),
                Cell::text(&c.participant_inn),
                Cell::text(&c.participant_name),
                Cell::text(&c.participant_link),
                Cell::text(if c.is_winner {
                    lang.pick("да", "yes")
                } else {
                    lang.pick("нет", "no")
                }),
                c.contract_price.map_or(Cell::Empty, Cell::Money),
                Cell::text(lang.legal_basis(c.legal_basis)),
                Cell::text(lang.status(h.status(&c.case_id))),
                Cell::text(d.map(|d| lang.decision(&d.decision)).unwrap_or_default()),
                Cell::text(d.map(|d| d.comment.as_str()).unwrap_or_default()),
                Cell::text(d.map(|d| d.date.as_str()).unwrap_or_default()),
                Cell::text(super::evidence_text(c, lang)),
            ]
        })
        .collect();
    Table { header, rows }
}

/// Rows of label and value, for a sheet's figures.
fn figures_table<'a>(rows: Vec<(&'a str, Cell)>, lang: Lang) -> Table<'a> {
    Table {
        header: vec![
            lang.pick("Показатель", "Figure"),
            lang.pick("Значение", "Value"),
        ],
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k), v])
            .collect(),
    }
}

/// A count of a rule's cases by a key: Russian and English header, the key.
type Breakdown = (&'static str, &'static str, fn(&Case, Lang) -> String);

/// A rule's sheet: its title, figures, and its cases counted by relation and by role (the
/// cases themselves are on the first sheet, filtered by rule there).
/// Long on purpose: the sheet's rows top to bottom (title, figures, each breakdown).
fn rule_sheet(
    wb: &mut Workbook,
    st: &Styles,
    code: &str,
    cases: &[&Case],
    lang: Lang,
) -> Result<()> {
    let ws = wb.add_worksheet();
    // Sheet names are at most 31 characters; rule codes are short.
    ws.set_name(code).map_err(fail)?;
    ws.write_string_with_format(0, 0, lang.rule_title(code), &st.header)
        .map_err(fail)?;
    let k = CaseCounts::of(cases);
    let n = |v: usize| Cell::Number(v as f64);
    let figures = figures_table(
        vec![
            (lang.pick("Случаев", "Cases"), n(k.cases)),
            (
                lang.pick("высокой значимости", "high severity"),
                n(k.by_severity[0]),
            ),
            (
                lang.pick("средней значимости", "medium severity"),
                n(k.by_severity[1]),
            ),
            (
                lang.pick("низкой значимости", "low severity"),
                n(k.by_severity[2]),
            ),
            (lang.pick("Закупок", "Procurements"), n(k.procurements)),
            (lang.pick("Должностных лиц", "Officials"), n(k.officials)),
            (lang.pick("Участников", "Participants"), n(k.participants)),
            (
                lang.pick("Случаев с победителем", "Cases with the winner"),
                n(k.winners),
            ),
            (
                lang.pick("Сумма контрактов победителей", "Contracts won"),
                Cell::Money(k.won),
            ),
        ],
        lang,
    );
    let mut widths = vec![lang.rule_title(code).chars().count() / 2];
    put_table(ws, st, 2, figures, false, &mut widths)?;
    // Breakdowns: by relation and by the official's role (BIDDERS has neither).
    let mut top = 14;
    let breakdowns: [Breakdown; 2] = [
        ("Связь", "Relation", |c, _| c.relation.to_owned()),
        (
            "Роль должностного лица",
            "Official's role",
            |c, l| l.role(c.official_role).to_owned(),
        ),
    ];
    for (ru, en, key) in breakdowns {
        let mut by: std::collections::BTreeMap<String, [usize; 2]> = Default::default();
        for c in cases {
            let k = key(c, lang);
            if !k.is_empty() {
                let e = by.entry(k).or_default();
                e[0] += 1;
                e[1] += usize::from(c.is_winner);
            }
        }
        if by.is_empty() {
            continue;
        }
        let n = by.len();
        let table = Table {
            header: vec![
                lang.pick(ru, en),
                lang.pick("Случаев", "Cases"),
                lang.pick("С победителем", "With the winner"),
            ],
            rows: by
                .into_iter()
                .map(|(k, [n, w])| {
                    vec![
                        Cell::text(k),
                        Cell::Number(n as f64),
                        Cell::Number(w as f64),
                    ]
                })
                .collect(),
        };
        put_table(ws, st, top, table, false, &mut widths)?;
        top += n as u32 + 3;
    }
    Ok(())
}

fn measure_sheet(
    wb: &mut Workbook,
    st: &Styles,
    row: &MeasureRow,
    n: &HistoryCounts,
    h: &History,
    lang: Lang,
) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Отчёт 2.2", "Report 2.2"))
        .map_err(fail)?;
    let table = Table {
        header: MeasureRow::headers(lang).to_vec(),
        rows: vec![row.cells().iter().map(|c| Cell::text(*c)).collect()],
    };
    let mut widths = Vec::new();
    put_table(ws, st, 0, table, false, &mut widths)?;
    let rows: Vec<(&str, Cell)> = n
        .labelled(h, lang)
        .into_iter()
        .map(|(label, v)| (label, Cell::Number(v as f64)))
        .collect();
    if !rows.is_empty() {
        put_table(ws, st, 3, figures_table(rows, lang), false, &mut widths)?;
    }
    Ok(())
}

/// cases.xlsx content.
pub fn workbook(r: &super::Report) -> Result<Vec<u8>> {
    let (cases, h, lang) = (&r.analysis.cases, r.history, r.lang);
    let st = Styles::new();
    let mut wb = Workbook::new();
    use chrono::Datelike;
    let date = r
        .scope
        .last_published
        .and_then(|d| {
            let y = u16::try_from(d.year()).ok()?;
            ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok()
        })
        .map_or_else(|| ExcelDateTime::from_ymd(2000, 1, 1), Ok)
        .map_err(fail)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(lang.pick(
                "Анализ аффилированности участников закупок",
                "Affiliations of procurement participants",
            ))
            .set_creation_datetime(&date),
    );
    let all: Vec<&Case> = cases.iter().collect();
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Случаи", "Cases")).map_err(fail)?;
    put_table(
        ws,
        &st,
        0,
        cases_table(&all, h, lang),
        true,
        &mut Vec::new(),
    )?;
    for code in r.rules {
        let of_rule: Vec<&Case> = cases.iter().filter(|c| c.rule == *code).collect();
        rule_sheet(&mut wb, &st, code, &of_rule, lang)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Предупреждения", "Warnings"))
        .map_err(fail)?;
    let warnings = Table {
        header: match lang {
            Lang::Ru => vec!["Файл", "Строка", "Столбец", "Проблема"],
            Lang::En => vec!["File", "Line", "Column", "Problem"],
        },
        rows: r
            .warnings
            .iter()
            .map(|w| {
                vec![
                    Cell::text(&w.file),
                    Cell::Number(w.line as f64),
                    Cell::text(&w.column),
                    Cell::text(&w.problem),
                ]
            })
            .collect(),
    };
    put_table(ws, &st, 0, warnings, true, &mut Vec::new())?;
    measure_sheet(&mut wb, &st, &r.measure, &r.history_counts, h, lang)?;
    wb.save_to_buffer().map_err(fail)
}
