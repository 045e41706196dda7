//! summary.md: what was analysed, what was rejected, what was found, and the paragraph for
//! the annual report on measure 2.2, from the report's model ([`super::figures`]).

use super::figures::*;
use super::Lang;

/// What the previous run and the decisions say: new, repeated and gone cases; cases reviewed
/// (by decision) and new ones awaiting review.
fn history_section(n: &HistoryCounts, h: &super::History, lang: Lang) -> String {
    let mut t = lang
        .pick(
            "## Сравнение с прошлой проверкой и решения\n\n",
            "## Compared with the last check, and decisions\n\n",
        )
        .to_owned();
    if h.has_previous() {
        t.push_str(&match lang {
            Lang::Ru => format!(
                "Новых случаев — {}, повторных — {}, не выявленных повторно — {} (список: gone_cases.csv).\n\n",
                n.new, n.repeated, n.gone
            ),
            Lang::En => format!(
                "New cases: {}, repeated: {}, not found again: {} (listed in gone_cases.csv).\n\n",
                n.new, n.repeated, n.gone
            ),
        });
    }
    if h.has_decisions() {
        let [c, cl, r] = n.decided;
        t.push_str(&match lang {
            Lang::Ru => format!(
                "Рассмотрены ранее: подтверждено — {c}, снято — {cl}, передано — {r}; без решения — {}.\n\n",
                n.open
            ),
            Lang::En => format!(
                "Reviewed earlier: confirmed {c}, cleared {cl}, referred {r}; awaiting a decision: {}.\n\n",
                n.open
            ),
        });
    }
    t
}

/// The whole summary.md text: what was analysed, the input files, the rejected rows, the
/// cases, the comparison with the last check, and the annual report's paragraph.
pub fn markdown(r: &super::Report) -> String {
    let (a, h, lang) = (r.analysis, r.history, r.lang);
    let l = |ru: &str, en: &str| lang.pick(ru, en).to_owned();
    let mut s = String::new();
    push_line(
        &mut s,
        l(
            "# Анализ аффилированности участников закупок (affil)\n",
            "# Affiliations of procurement participants (affil)\n",
        ),
    );
    s.push_str(&analysed_section(r));
    s.push_str(&input_files_section(r));
    s.push_str(&rejected_section(r));
    s.push_str(&cases_section(r));
    if h.has_previous() || h.has_decisions() {
        push_line(&mut s, history_section(&r.history_counts, h, lang));
    }
    push_line(
        &mut s,
        l(
            "## Для отчёта об исполнении плана противодействия коррупции (мероприятие 2.2)\n",
            "## For the report on the anti-corruption plan (measure 2.2)\n",
        ),
    );
    push_line(&mut s, paragraph(a, &r.scope, lang));
    s
}

/// Adds a line (`t` and a line end).
fn push_line(s: &mut String, t: String) {
    s.push_str(&t);
    s.push('\n');
}

/// What was analysed: the counts of each input and of the people resolved.
/// Long on purpose: one table row per input, in both languages.
fn analysed_section(r: &super::Report) -> String {
    let (a, lang, sc) = (r.analysis, r.lang, &r.scope);
    let d = &a.data;
    let period = if sc.period.is_empty() {
        lang.pick("даты публикации не указаны", "no publication dates")
            .to_owned()
    } else {
        sc.period.clone()
    };
    let l = |ru: &str, en: &str| r.lang.pick(ru, en).to_owned();
    let mut s = String::new();
    push_line(
        &mut s,
        l("## Что проанализировано\n", "## What was analysed\n"),
    );
    push_line(
        &mut s,
        l(
            "| показатель | значение |\n|---|---|",
            "| item | value |\n|---|---|",
        ),
    );
    let rows: [(&str, &str, String); 7] = [
        (
            "закупки",
            "procurements",
            match lang {
                Lang::Ru => format!("{} (опубликованы {period})", d.procurements.len()),
                Lang::En => format!("{} (published {period})", d.procurements.len()),
            },
        ),
        (
            "заявки участников",
            "bids",
            match lang {
                Lang::Ru => format!("{} (участников: {})", d.participants.len(), sc.participants),
                Lang::En => format!(
                    "{} (participants: {})",
                    d.participants.len(),
                    sc.participants
                ),
            },
        ),
        (
            "должностные лица",
            "officials",
            match lang {
                Lang::Ru => format!(
                    "{} (в комиссиях и ролях заказчика по закупкам: {})",
                    d.officials.len(),
                    sc.seated
                ),
                Lang::En => format!(
                    "{} (seated in commissions or customer roles: {})",
                    d.officials.len(),
                    sc.seated
                ),
            },
        ),
        (
            "места в комиссиях и роли заказчика",
            "commission seats and customer roles",
            d.seats.len().to_string(),
        ),
        (
            "родственники из анкет",
            "relatives from questionnaires",
            d.relatives.len().to_string(),
        ),
        (
            "записи реестра: организации / роли в организациях",
            "registry records: companies / roles in companies",
            format!("{} / {}", d.companies.len(), d.roles.len()),
        ),
        (
            "сопоставление лиц",
            "people resolved",
            match lang {
                Lang::Ru => format!(
                    "{} упоминаний -> {} лиц ({} пар сравнено)",
                    a.mentions.list.len(),
                    a.resolution.persons,
                    a.resolution.pairs_compared
                ),
                Lang::En => format!(
                    "{} mentions -> {} persons ({} pairs compared)",
                    a.mentions.list.len(),
                    a.resolution.persons,
                    a.resolution.pairs_compared
                ),
            },
        ),
    ];
    for (ru, en, v) in &rows {
        push_line(&mut s, format!("| {} | {v} |", lang.pick(ru, en)));
    }
    s.push('\n');
    s
}

/// Each input file: its encoding, delimiter and row counts.
fn input_files_section(r: &super::Report) -> String {
    let d = &r.analysis.data;
    let l = |ru: &str, en: &str| r.lang.pick(ru, en).to_owned();
    let mut s = String::new();
    push_line(&mut s, l("## Входные файлы\n", "## Input files\n"));
    push_line(&mut s, l("| файл | кодировка | разделитель | строк прочитано | использовано | отклонено | повторов | противоречий |\n|---|---|---|---|---|---|---|---|", "| file | encoding | delimiter | rows read | used | rejected | repeated | conflicts |\n|---|---|---|---|---|---|---|---|"));
    for f in &d.stats {
        let delim = match f.delimiter {
            '\t' => "tab".to_owned(),
            c => format!("`{c}`"),
        };
        push_line(
            &mut s,
            format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                f.file,
                f.encoding,
                delim,
                f.rows_read,
                f.rows_used,
                f.rows_rejected,
                f.rows_repeated,
                f.conflicts
            ),
        );
    }
    s.push('\n');
    s
}

/// The rejected rows, each with its file, line, column and reason, and the count of other
/// warnings.
fn rejected_section(r: &super::Report) -> String {
    let (a, lang) = (r.analysis, r.lang);
    let l = |ru: &str, en: &str| r.lang.pick(ru, en).to_owned();
    let mut s = String::new();
    let rejected: Vec<_> = r
        .warnings
        .iter()
        .filter(|w| w.problem.starts_with("row rejected"))
        .collect();
    let other = a.warnings.0.len().saturating_sub(rejected.len());
    push_line(&mut s, l("## Отклонённые строки\n", "## Rejected rows\n"));
    if rejected.is_empty() {
        push_line(&mut s, l("Нет.\n", "None.\n"));
    } else {
        push_line(
            &mut s,
            l(
                "| файл | строка | столбец | причина |\n|---|---|---|---|",
                "| file | line | column | reason |\n|---|---|---|---|",
            ),
        );
        for r in &rejected {
            push_line(
                &mut s,
                format!(
                    "| {} | {} | {} | {} |",
                    r.file,
                    r.line,
                    r.column,
                    r.problem.replace('|', "/")
                ),
            );
        }
        s.push('\n');
    }
    push_line(
        &mut s,
        match lang {
            Lang::Ru => format!(
                "Прочих предупреждений о значениях: {other} (полный список: warnings.csv).\n"
            ),
            Lang::En => {
                format!("Other warnings on values: {other} (all listed in warnings.csv).\n")
            }
        },
    );
    s
}

/// The cases found, by rule and severity.
fn cases_section(r: &super::Report) -> String {
    let (fig, lang) = (&r.figures, r.lang);
    let l = |ru: &str, en: &str| r.lang.pick(ru, en).to_owned();
    let mut s = String::new();
    push_line(&mut s, l("## Выявленные случаи\n", "## Cases found\n"));
    if fig.groups.is_empty() {
        push_line(&mut s, l("Случаев не выявлено.\n", "No cases found.\n"));
    } else {
        push_line(&mut s, l("| правило | значимость | случаев | закупок | сумма контрактов победителей, руб. |\n|---|---|---|---|---|", "| rule | severity | cases | procurements | contracts won, RUB |\n|---|---|---|---|---|"));
        for g in &fig.groups {
            push_line(
                &mut s,
                format!(
                    "| {} | {} | {} | {} | {} |",
                    g.rule,
                    lang.severity(&g.severity),
                    g.cases,
                    g.procurements,
                    lang.money(g.winner_amount)
                ),
            );
        }
        s.push('\n');
    }
    s
}
