//! summary.md: what was analysed, what was rejected, what was found, and the paragraph for
//! the annual report on measure 2.2. Figures are group-bys over the cases (polars).

use chrono::Datelike;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::pipeline::Analysis;
use crate::rules::Case;

/// One row of the cases-by-rule-and-severity table.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRow {
    /// Rule code.
    pub rule: String,
    /// Severity code.
    pub severity: String,
    /// Number of cases.
    pub cases: u64,
    /// Distinct procurements.
    pub procurements: u64,
    /// Sum of contract prices of the cases where the participant won.
    pub winner_amount: f64,
}

/// The figures of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Cases by rule and severity, in rule then severity order.
    pub groups: Vec<GroupRow>,
    /// Distinct procurements with at least one case.
    pub procurements: u64,
    /// Distinct officials with at least one case.
    pub officials: u64,
    /// Distinct participants with at least one case.
    pub participants: u64,
    /// Sum of contract prices won by flagged participants (each bid once).
    pub winner_amount: f64,
}

fn polars_err(e: PolarsError) -> Error {
    Error::write("summary.md", e.to_string())
}

/// Computes the figures of a list of cases.
pub fn figures(cases: &[Case]) -> Result<Figures> {
    if cases.is_empty() {
        return Ok(Figures::default());
    }
    let rank = |s: &str| match s {
        "high" => 0u32,
        "medium" => 1,
        _ => 2,
    };
    let severity: Vec<&str> = cases.iter().map(|c| c.severity.code()).collect();
    let df = df!(
        "rule" => cases.iter().map(|c| c.rule).collect::<Vec<_>>(),
        "severity" => severity.clone(),
        "rank" => severity.iter().map(|s| rank(s)).collect::<Vec<_>>(),
        "procurement_id" => cases.iter().map(|c| c.procurement_id.as_str()).collect::<Vec<_>>(),
        "official_id" => cases.iter().map(|c| c.official_id.as_str()).collect::<Vec<_>>(),
        "participant_inn" => cases.iter().map(|c| c.participant_inn.as_str()).collect::<Vec<_>>(),
        "bid" => cases.iter().map(|c| format!("{}|{}", c.procurement_id, c.participant_inn)).collect::<Vec<_>>(),
        "winner_amount" => cases
            .iter()
            .map(|c| if c.is_winner { c.contract_price.unwrap_or(0.0) } else { 0.0 })
            .collect::<Vec<_>>(),
    )
    .map_err(polars_err)?;
    // A bid flagged through two officials is one contract: its amount counts once.
    let amounts = df
        .clone()
        .lazy()
        .group_by([col("rule"), col("severity"), col("bid")])
        .agg([col("winner_amount").max()])
        .group_by([col("rule"), col("severity")])
        .agg([col("winner_amount").sum()]);
    let grouped = df
        .clone()
        .lazy()
        .group_by([col("rule"), col("severity"), col("rank")])
        .agg([
            len().alias("cases"),
            col("procurement_id").n_unique().alias("procurements"),
        ])
        .join(
            amounts,
            [col("rule"), col("severity")],
            [col("rule"), col("severity")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["rule", "rank"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_err)?;
    let totals = df
        .clone()
        .lazy()
        .select([
            col("procurement_id").n_unique().alias("procurements"),
            col("official_id").n_unique().alias("officials"),
            col("participant_inn").n_unique().alias("participants"),
        ])
        .collect()
        .map_err(polars_err)?;
    let amount = df
        .lazy()
        .group_by([col("bid")])
        .agg([col("winner_amount").max()])
        .select([col("winner_amount").sum()])
        .collect()
        .map_err(polars_err)?;
    let mut fig = Figures::default();
    let text = |d: &DataFrame, c: &str, i: usize| -> String {
        d.column(c)
            .ok()
            .and_then(|s| s.get(i).ok())
            .map(|v| v.str_value().to_string())
            .unwrap_or_default()
    };
    let num = |d: &DataFrame, c: &str, i: usize| -> f64 {
        d.column(c)
            .ok()
            .and_then(|s| s.get(i).ok())
            .and_then(|v| v.extract::<f64>())
            .unwrap_or(0.0)
    };
    for i in 0..grouped.height() {
        fig.groups.push(GroupRow {
            rule: text(&grouped, "rule", i),
            severity: text(&grouped, "severity", i),
            cases: num(&grouped, "cases", i) as u64,
            procurements: num(&grouped, "procurements", i) as u64,
            winner_amount: num(&grouped, "winner_amount", i),
        });
    }
    fig.procurements = num(&totals, "procurements", 0) as u64;
    fig.officials = num(&totals, "officials", 0) as u64;
    fig.participants = num(&totals, "participants", 0) as u64;
    fig.winner_amount = num(&amount, "winner_amount", 0);
    Ok(fig)
}

/// The report's sentences on what was found: 44-FZ's prohibition first, then the personal
/// interest of 273-FZ (the wider rules), then relatives missing from questionnaires, then linked
/// bidders, each with its counts and the contracts won.
fn findings(cases: &[Case]) -> String {
    use std::collections::BTreeSet;
    let coi = |c: &&Case| c.rule == "COI-44FZ";
    let sentence = |cs: &[&Case], what: &str| -> String {
        let procurements: BTreeSet<&str> = cs.iter().map(|c| c.procurement_id.as_str()).collect();
        let officials: BTreeSet<&str> = cs.iter().map(|c| c.official_id.as_str()).collect();
        let winners = cs.iter().filter(|c| c.is_winner).count();
        // A bid flagged through two officials is one contract: its amount counts once.
        let won: std::collections::BTreeMap<(&str, &str), f64> = cs
            .iter()
            .filter(|c| c.is_winner)
            .filter_map(|c| {
                let price = c.contract_price?;
                Some((
                    (c.procurement_id.as_str(), c.participant_inn.as_str()),
                    price,
                ))
            })
            .collect();
        let amount: f64 = won.values().sum();
        let mut t = format!(
            "{what}: всего — {} (закупок — {}, должностных лиц — {}), из них с победителем закупки — {winners}",
            cs.len(),
            procurements.len(),
            officials.len()
        );
        if amount > 0.0 {
            t.push_str(&format!(" (сумма контрактов — {} руб.)", rub(amount)));
        }
        t.push('.');
        t
    };
    let (bidders, officials): (Vec<&Case>, Vec<&Case>) =
        cases.iter().partition(|c| c.rule == "BIDDERS");
    let (undeclared, officials): (Vec<&Case>, Vec<&Case>) =
        officials.into_iter().partition(|c| c.rule == "UNDECLARED");
    let (strict, wider): (Vec<&Case>, Vec<&Case>) = officials.into_iter().partition(coi);
    let mut out = Vec::new();
    if strict.is_empty() {
        out.push("Случаи конфликта интересов по 44-ФЗ ст. 31 ч. 1 п. 9 не выявлены.".to_owned());
    } else {
        out.push(sentence(
            &strict,
            "Выявлены случаи возможного конфликта интересов (44-ФЗ ст. 31 ч. 1 п. 9)",
        ));
    }
    if !wider.is_empty() {
        let lead = if strict.is_empty() {
            "Выявлены"
        } else {
            "Кроме того, выявлены"
        };
        out.push(sentence(
            &wider,
            &format!("{lead} признаки личной заинтересованности (273-ФЗ ст. 10: свойство, бывшие супруги, доли до 10%, сотрудники заказчика вне комиссии, общие контакты)"),
        ));
    }
    if !undeclared.is_empty() {
        out.push(sentence(
            &undeclared,
            "Выявлены лица, вероятно являющиеся родственниками должностных лиц и не указанные в их анкетах (проверка сведений анкет, мероприятие 2.7; совпадение фамилии и отчества или адреса, требует проверки)",
        ));
    }
    if !bidders.is_empty() {
        let procurements: BTreeSet<&str> =
            bidders.iter().map(|c| c.procurement_id.as_str()).collect();
        let won = bidders.iter().filter(|c| c.is_winner).count();
        out.push(format!(
            "Выявлены признаки согласованного участия в закупках (общие руководители, учредители или контакты участников одной закупки): групп участников — {} (закупок — {}), из них с победителем закупки — {won}.",
            bidders.len(),
            procurements.len()
        ));
    }
    out.join(" ")
}

/// What the previous run and the decisions say: new, repeated and gone cases; cases reviewed
/// (by decision) and new ones awaiting review.
fn history_section(cases: &[Case], h: &super::History) -> String {
    let mut t = String::from("## Сравнение с прошлой проверкой и решения\n\n");
    if h.has_previous() {
        let new = cases
            .iter()
            .filter(|c| h.status(&c.case_id) == "new")
            .count();
        let (_, gone) = h.gone(cases);
        t.push_str(&format!(
            "Новых случаев — {new}, повторных — {}, не выявленных повторно — {} (список: gone_cases.csv).\n\n",
            cases.len() - new,
            gone.len()
        ));
    }
    if h.has_decisions() {
        let count = |d: &str| {
            cases
                .iter()
                .filter(|c| h.decision(&c.case_id).is_some_and(|x| x.decision == d))
                .count()
        };
        let open = cases
            .iter()
            .filter(|c| h.decision(&c.case_id).is_none())
            .count();
        t.push_str(&format!(
            "Рассмотрены ранее: подтверждено — {}, снято — {}, передано — {}; без решения — {open}.\n\n",
            count("confirmed"),
            count("cleared"),
            count("referred")
        ));
    }
    t
}

/// Money in Russian style: `1 234 567,89`.
pub fn rub(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let (int, frac) = (cents / 100, (cents % 100).abs());
    let digits = int.abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{}{grouped},{frac:02}", if int < 0 { "-" } else { "" })
}

fn severity_ru(s: &str) -> &'static str {
    match s {
        "high" => "высокая",
        "medium" => "средняя",
        _ => "низкая",
    }
}

/// The whole summary.md text.
pub fn markdown(a: &Analysis, h: &super::History) -> Result<String> {
    let d = &a.data;
    let fig = figures(&a.cases)?;
    let mut s = String::new();
    let dates: Vec<_> = d.procurements.iter().filter_map(|p| p.published).collect();
    let period = match (dates.iter().min(), dates.iter().max()) {
        (Some(a), Some(b)) => format!("{} – {}", a.format("%d.%m.%Y"), b.format("%d.%m.%Y")),
        _ => "даты публикации не указаны".into(),
    };
    let year = dates.iter().max().map(|d| d.year());
    // Counts of distinct values only: interned INNs in a hash set, officials as flags (a
    // sorted set of every bid's INN took seconds and hundreds of megabytes at national scale).
    let participants = d
        .participants
        .iter()
        .map(|p| p.participant_inn)
        .collect::<rustc_hash::FxHashSet<_>>()
        .len();
    let seated = a
        .resolution
        .sitting(d.officials.len())
        .into_iter()
        .filter(|&f| f)
        .count();
    let w = |s: &mut String, t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    w(
        &mut s,
        "# Анализ аффилированности участников закупок (affil)\n".into(),
    );
    w(&mut s, "## Что проанализировано\n".into());
    w(&mut s, "| показатель | значение |\n|---|---|".into());
    w(
        &mut s,
        format!(
            "| закупки | {} (опубликованы {period}) |",
            d.procurements.len()
        ),
    );
    w(
        &mut s,
        format!(
            "| заявки участников | {} (участников: {}) |",
            d.participants.len(),
            participants
        ),
    );
    w(
        &mut s,
        format!(
            "| должностные лица | {} (в комиссиях и ролях заказчика по закупкам: {}) |",
            d.officials.len(),
            seated
        ),
    );
    w(
        &mut s,
        format!("| места в комиссиях и роли заказчика | {} |", d.seats.len()),
    );
    w(
        &mut s,
        format!("| родственники из анкет | {} |", d.relatives.len()),
    );
    w(
        &mut s,
        format!(
            "| записи реестра: организации / роли в организациях | {} / {} |",
            d.companies.len(),
            d.roles.len()
        ),
    );
    w(
        &mut s,
        format!(
            "| сопоставление лиц | {} упоминаний -> {} лиц ({} пар сравнено) |\n",
            a.mentions.list.len(),
            a.resolution.persons,
            a.resolution.pairs_compared
        ),
    );
    w(&mut s, "## Входные файлы\n".into());
    w(&mut s, "| файл | кодировка | разделитель | строк прочитано | использовано | отклонено |\n|---|---|---|---|---|---|".into());
    for f in &d.stats {
        let delim = match f.delimiter {
            '\t' => "tab".to_owned(),
            c => format!("`{c}`"),
        };
        w(
            &mut s,
            format!(
                "| {} | {} | {} | {} | {} | {} |",
                f.file, f.encoding, delim, f.rows_read, f.rows_used, f.rows_rejected
            ),
        );
    }
    s.push('\n');
    let rejected: Vec<_> = crate::report::sorted_warnings(&a.warnings.0)
        .into_iter()
        .filter(|w| w.problem.starts_with("row rejected"))
        .collect();
    let other = a.warnings.0.len().saturating_sub(rejected.len());
    w(&mut s, "## Отклонённые строки\n".into());
    if rejected.is_empty() {
        w(&mut s, "Нет.\n".into());
    } else {
        w(
            &mut s,
            "| файл | строка | столбец | причина |\n|---|---|---|---|".into(),
        );
        for r in &rejected {
            w(
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
    w(
        &mut s,
        format!("Прочих предупреждений о значениях: {other} (полный список: warnings.csv).\n"),
    );
    w(&mut s, "## Выявленные случаи\n".into());
    if fig.groups.is_empty() {
        w(&mut s, "Случаев не выявлено.\n".into());
    } else {
        w(&mut s, "| правило | значимость | случаев | закупок | сумма контрактов победителей, руб. |\n|---|---|---|---|---|".into());
        for g in &fig.groups {
            w(
                &mut s,
                format!(
                    "| {} | {} | {} | {} | {} |",
                    g.rule,
                    severity_ru(&g.severity),
                    g.cases,
                    g.procurements,
                    rub(g.winner_amount)
                ),
            );
        }
        s.push('\n');
    }
    if h.has_previous() || h.has_decisions() {
        w(&mut s, history_section(&a.cases, h));
    }
    w(
        &mut s,
        "## Для отчёта об исполнении плана противодействия коррупции (мероприятие 2.2)\n".into(),
    );
    let when = year
        .map(|y| format!("В {y} году"))
        .unwrap_or_else(|| "В отчётном периоде".into());
    let mut para = format!(
        "{when} проведён анализ информации об участниках государственных и муниципальных закупок (закупок — {}, заявок — {}, участников — {}) на предмет установления их аффилированных связей с должностными лицами (всего — {}), в том числе членами комиссий по осуществлению закупок, с учётом сведений о родственниках из анкет (записей — {}) и данных реестра юридических лиц (записей о руководителях и учредителях — {}). ",
        d.procurements.len(),
        d.participants.len(),
        participants,
        d.officials.len(),
        d.relatives.len(),
        d.roles.len()
    );
    if a.cases.is_empty() {
        para.push_str("Нарушения требований антикоррупционного законодательства не выявлены.");
    } else {
        para.push_str(&findings(&a.cases));
        para.push_str(" Материалы направлены для проведения антикоррупционных проверок.");
    }
    w(&mut s, para);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_in_russian_style() {
        assert_eq!(rub(1234567.891), "1\u{a0}234\u{a0}567,89");
        assert_eq!(rub(0.0), "0,00");
        assert_eq!(rub(999.5), "999,50");
    }
}
