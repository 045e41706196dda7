//! The report's model, shared by summary.md, the workbook and the page: the figures (group-bys
//! over the cases, polars), the counts of a set of cases and of the years compared, the scope
//! of the check, and the paragraph and row of the annual report on measure 2.2.

use chrono::Datelike;
use polars::prelude::*;

use super::Lang;
use crate::error::{Error, Result};
use crate::pipeline::Analysis;
use crate::rules::{self, Case};

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
/// Long on purpose: the polars group-bys of the cases (by rule and severity, counting each
/// bid's contract once) and the figures read off them.
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

/// What a set of cases counts, for the report's sentences and a rule's sheet.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CaseCounts {
    /// Cases.
    pub cases: usize,
    /// Cases by severity: high, medium, low.
    pub by_severity: [usize; 3],
    /// Distinct procurements.
    pub procurements: usize,
    /// Distinct officials.
    pub officials: usize,
    /// Distinct participants.
    pub participants: usize,
    /// Cases whose participant won.
    pub winners: usize,
    /// Contract prices won, each bid once.
    pub won: f64,
}

impl CaseCounts {
    /// Counts them.
    pub fn of(cases: &[&Case]) -> CaseCounts {
        use std::collections::{BTreeMap, BTreeSet};
        let distinct =
            |f: fn(&Case) -> &str| cases.iter().map(|c| f(c)).collect::<BTreeSet<_>>().len();
        let mut by_severity = [0; 3];
        for c in cases {
            by_severity[c.severity.rank()] += 1;
        }
        // A bid flagged through two officials is one contract: its amount counts once.
        let won: BTreeMap<(&str, &str), f64> = cases
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
        CaseCounts {
            cases: cases.len(),
            by_severity,
            procurements: distinct(|c| &c.procurement_id),
            officials: distinct(|c| &c.official_id),
            participants: distinct(|c| &c.participant_inn),
            winners: cases.iter().filter(|c| c.is_winner).count(),
            won: won.values().sum(),
        }
    }
}

/// The report's sentences on what was found: one per sentence the registered rules declare
/// ([`rules::Sentence`]: 44-FZ's prohibition, the personal interest of 273-FZ, relatives missing
/// from questionnaires, linked bidders), in its order, each with its counts and the contracts
/// won.
fn findings(cases: &[Case], lang: Lang) -> String {
    let mut sentences: Vec<&'static rules::Sentence> = Vec::new();
    for r in rules::registry() {
        let s = r.info().sentence;
        if !sentences.iter().any(|t| std::ptr::eq(*t, s)) {
            sentences.push(s);
        }
    }
    sentences.sort_by_key(|s| s.order);
    let counted = |cs: &[&Case], what: &str| -> String {
        let k = CaseCounts::of(cs);
        let (n, np, no, winners, amount) = (k.cases, k.procurements, k.officials, k.winners, k.won);
        let mut t = match lang {
            Lang::Ru => format!(
                "{what}: всего — {n} (закупок — {np}, должностных лиц — {no}), из них с победителем закупки — {winners}"
            ),
            Lang::En => format!(
                "{what}: {} in {} involving {}, {winners} of them with the procurement's winner",
                plural(n, "case", "cases"),
                plural(np, "procurement", "procurements"),
                plural(no, "official", "officials"),
            ),
        };
        if amount > 0.0 {
            t.push_str(&match lang {
                Lang::Ru => format!(" (сумма контрактов — {} руб.)", lang.money(amount)),
                Lang::En => format!(" (contracts worth RUB {})", lang.money(amount)),
            });
        }
        t.push('.');
        t
    };
    let groups = |cs: &[&Case], what: &str| -> String {
        let k = CaseCounts::of(cs);
        let (n, np, won) = (k.cases, k.procurements, k.winners);
        match lang {
            Lang::Ru => format!(
                "{what}: групп участников — {n} (закупок — {np}), из них с победителем закупки — {won}."
            ),
            Lang::En => format!(
                "{what}: {} in {}, {won} of them with the procurement's winner.",
                plural(n, "group of bidders", "groups of bidders"),
                plural(np, "procurement", "procurements"),
            ),
        }
    };
    let mut out = Vec::new();
    let mut found_earlier = false;
    for s in sentences {
        let cs: Vec<&Case> = cases
            .iter()
            .filter(|c| rules::info(c.rule).is_some_and(|i| std::ptr::eq(i.sentence, s)))
            .collect();
        if cs.is_empty() {
            out.extend(s.none.map(|t| lang.pick(t.ru, t.en).to_owned()));
            continue;
        }
        let opening = match s.found_besides {
            Some(besides) if found_earlier => besides,
            _ => s.found,
        };
        let what = lang.pick(opening.ru, opening.en);
        out.push(match s.counted {
            rules::Counted::Cases => counted(&cs, what),
            rules::Counted::BidderGroups => groups(&cs, what),
        });
        found_earlier = true;
    }
    out.join(" ")
}

/// `1 case`, `2 cases`: English counts.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text with its first letter in capitals.
pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Counts of what the previous run and the decisions say of this run's cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryCounts {
    /// Cases the previous run did not have (0 without a previous run).
    pub new: usize,
    /// Cases the previous run had too.
    pub repeated: usize,
    /// The previous run's cases not found now.
    pub gone: usize,
    /// Cases with a decision: confirmed, cleared, referred.
    pub decided: [usize; 3],
    /// Cases with no decision.
    pub open: usize,
}

impl HistoryCounts {
    /// Counts them; `gone` is the number of the previous run's cases not found now (the caller
    /// lists them in gone_cases.csv).
    pub fn of(cases: &[Case], h: &super::History, gone: usize) -> HistoryCounts {
        let mut n = HistoryCounts::default();
        if h.has_previous() {
            n.new = cases
                .iter()
                .filter(|c| h.status(&c.case_id) == "new")
                .count();
            n.repeated = cases.len() - n.new;
            n.gone = gone;
        }
        for c in cases {
            match h.decision(&c.case_id) {
                Some(d) => {
                    if let Some(i) = super::history::DECISIONS
                        .iter()
                        .position(|x| *x == d.decision)
                    {
                        n.decided[i] += 1;
                    }
                }
                None => n.open += 1,
            }
        }
        n
    }
}

impl HistoryCounts {
    /// The counts a report shows, labelled: new, repeated and gone with a previous run; by
    /// decision and awaiting one with decisions.
    pub fn labelled(&self, h: &super::History, lang: Lang) -> Vec<(&'static str, usize)> {
        let mut v = Vec::new();
        if h.has_previous() {
            v.push((lang.pick("Новых случаев", "New cases"), self.new));
            v.push((lang.pick("Повторных", "Repeated"), self.repeated));
            v.push((lang.pick("Не выявлено повторно", "Gone"), self.gone));
        }
        if h.has_decisions() {
            let [c, cl, r] = self.decided;
            v.push((lang.pick("Подтверждено", "Confirmed"), c));
            v.push((lang.pick("Снято", "Cleared"), cl));
            v.push((lang.pick("Передано на проверку", "Referred"), r));
            v.push((lang.pick("Без решения", "Awaiting a decision"), self.open));
        }
        v
    }
}

/// Row 2.2 of the annual report on the anti-corruption plan, as its table lays it out (the
/// columns of the report in `shared/seed`): the measure, who carries it out, the deadline, the
/// expected result, and what was done and found, filled with this run's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasureRow {
    /// The measure's number in the plan.
    pub number: &'static str,
    /// The measure.
    pub measure: &'static str,
    /// The department responsible.
    pub department: String,
    /// The deadline.
    pub deadline: &'static str,
    /// The expected result.
    pub expected: &'static str,
    /// What was done and found: this run's paragraph.
    pub done: String,
}

impl MeasureRow {
    /// The column headers of the annual report's table.
    pub fn headers(lang: Lang) -> [&'static str; 6] {
        match lang {
            Lang::Ru => [
                "№ п/п",
                "Мероприятия",
                "Ответственные исполнители",
                "Срок выполнения",
                "Ожидаемые результаты",
                "Выполнено и выявлено",
            ],
            Lang::En => [
                "No.",
                "Measure",
                "Responsible",
                "Deadline",
                "Expected result",
                "Done and found",
            ],
        }
    }

    /// The row's cells, in the headers' order.
    pub fn cells(&self) -> [&str; 6] {
        [
            self.number,
            self.measure,
            &self.department,
            self.deadline,
            self.expected,
            &self.done,
        ]
    }
}

/// The department the plan names for measure 2.2 unless `--department` says otherwise.
pub const DEFAULT_DEPARTMENT: &str = "Отдел по общим вопросам, муниципальной службе и кадрам";

/// [`DEFAULT_DEPARTMENT`] in the report's language.
pub fn default_department(lang: Lang) -> &'static str {
    lang.pick(
        DEFAULT_DEPARTMENT,
        "Department of general affairs, municipal service and personnel",
    )
}

/// Facts of the run the report quotes.
pub struct Scope {
    /// First and last publication dates, `DD.MM.YYYY – DD.MM.YYYY`, or empty.
    pub period: String,
    /// The last publication date (its year is the report's; it dates the workbook).
    pub last_published: Option<chrono::NaiveDate>,
    /// Distinct participants (by INN).
    pub participants: usize,
    /// Officials seated in a procurement.
    pub seated: usize,
}

/// The run's facts for the report (counted once: distinct bidders take a pass over every bid).
pub fn scope(a: &Analysis) -> Scope {
    let d = &a.data;
    let dates: Vec<_> = d.procurements.iter().filter_map(|p| p.published).collect();
    let period = match (dates.iter().min(), dates.iter().max()) {
        (Some(a), Some(b)) => format!("{} – {}", a.format("%d.%m.%Y"), b.format("%d.%m.%Y")),
        _ => String::new(),
    };
    // Counts of distinct values only: interned INNs in a hash set, officials as flags (a
    // sorted set of every bid's INN took seconds and hundreds of megabytes at national scale).
    let participants = d
        .participants
        .iter()
        .map(|p| p.participant_inn)
        .collect::<rustc_hash::FxHashSet<_>>()
        .len();
    let seated = a.resolution.sitting(d).into_iter().filter(|&f| f).count();
    Scope {
        period,
        last_published: dates.iter().max().copied(),
        participants,
        seated,
    }
}

pub(super) fn paragraph(a: &Analysis, sc: &Scope, lang: Lang) -> String {
    let d = &a.data;
    let (np, nb, nu, no, nr, nroles) = (
        d.procurements.len(),
        d.participants.len(),
        sc.participants,
        d.officials.len(),
        d.relatives.len(),
        d.roles.len(),
    );
    let mut para = match lang {
        Lang::Ru => format!(
            "{} проведён анализ информации об участниках государственных и муниципальных закупок (закупок — {np}, заявок — {nb}, участников — {nu}) на предмет установления их аффилированных связей с должностными лицами (всего — {no}), в том числе членами комиссий по осуществлению закупок, с учётом сведений о родственниках из анкет (записей — {nr}) и данных реестра юридических лиц (записей о руководителях и учредителях — {nroles}). ",
            sc.last_published.map(|d| d.year()).map(|y| format!("В {y} году")).unwrap_or_else(|| "В отчётном периоде".into())
        ),
        Lang::En => format!(
            "{} the participants of state and municipal procurements ({np} procurements, {nb} bids, {nu} participants) were analysed for affiliations with officials ({no} in all), including the members of procurement commissions, using the relatives declared in questionnaires ({nr} records) and the register of legal entities ({nroles} records of directors and founders). ",
            sc.last_published.map(|d| d.year()).map(|y| format!("In {y}")).unwrap_or_else(|| "In the reporting period".into())
        ),
    };
    if a.cases.is_empty() {
        para.push_str(lang.pick(
            "Нарушения требований антикоррупционного законодательства не выявлены.",
            "No violations of the anti-corruption law were found.",
        ));
    } else {
        para.push_str(&findings(&a.cases, lang));
        para.push_str(lang.pick(
            " Материалы направлены для проведения антикоррупционных проверок.",
            " The materials were passed on for anti-corruption checks.",
        ));
    }
    para
}

/// Row 2.2 of the annual report for this run.
pub fn measure_row(a: &Analysis, sc: &Scope, department: &str, lang: Lang) -> MeasureRow {
    MeasureRow {
        number: "2.2",
        measure: lang.pick(
            "Проведение анализа информации об участниках государственных и муниципальных закупок, в том числе в рамках реализации национальных проектов, на предмет установления их аффилированных связей с государственными, муниципальными служащими, лицами, замещающими государственные и муниципальные должности, в том числе членами комиссий по осуществлению закупок",
            "Analysis of the participants of state and municipal procurements, national projects included, for affiliations with state and municipal employees and holders of state and municipal offices, including the members of procurement commissions",
        ),
        department: department.to_owned(),
        deadline: lang.pick("Ежегодно до 20 сентября", "Every year by 20 September"),
        expected: lang.pick(
            "Выявление случаев нарушений требований антикоррупционного законодательства и инициирование соответствующих антикоррупционных проверок",
            "Violations of the anti-corruption law found and the corresponding anti-corruption checks started",
        ),
        done: paragraph(a, sc, lang),
    }
}
