//! report.html: one self-contained page (inline CSS, SVG and script; nothing fetched): the
//! figures, charts of the cases by severity and rule, row 2.2 of the annual report, and the
//! cases in a table with search and sorting, each with its evidence chain drawn as a graph.
//! Every text from the data is escaped.

use std::fmt::Write as _;

use super::evidence::step_words;
use super::figures::MeasureRow;
use super::{History, Lang};
use crate::rules::{Case, Said, Step};

/// Above this many cases the chains start folded (the page stays quick to open).
const OPEN_CHAINS: usize = 200;
/// The page shows the first this many cases in report order (most severe first); a national
/// run's tens of thousands would make a page no browser opens quickly. The rest are in
/// cases.xlsx and cases.csv, and the page says so.
pub const MAX_HTML_CASES: usize = 5_000;

/// Escapes text for HTML and SVG, in content and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const SEVERITY_COLOURS: [(&str, &str); 3] = [
    ("high", "#d9534f"),
    ("medium", "#f0ad4e"),
    ("low", "#8fbc5a"),
];

const STYLE: &str = r#"
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#263b5e;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:22px}
main{padding:16px 24px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:17px;margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #dde1e7;border-radius:6px;padding:8px 12px;min-width:130px}
.card b{display:block;font-size:20px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e3e6ea;padding:5px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}
#cases{font-size:13px}
#cases th{cursor:pointer;user-select:none}
.tablewrap{overflow-x:auto}
#cases th[aria-sort=ascending]::after{content:" \25B2"}
#cases th[aria-sort=descending]::after{content:" \25BC"}
td.num{text-align:right;white-space:nowrap}
.sev{display:inline-block;padding:1px 6px;border-radius:3px;color:#fff;font-size:12px}
.sev-high{background:#d9534f}.sev-medium{background:#f0ad4e}.sev-low{background:#8fbc5a}
tr.chain td{border-bottom:2px solid #c9ced6;background:#fbfbfc}
.evidence{font-size:12px;color:#555;margin:4px 0}
.decide{margin:6px 0;font-size:13px}.decide select,.decide input{font:inherit}.decide input{width:40%}
.svgwrap{overflow-x:auto;width:0;min-width:100%}
#q,#view{font-size:14px;padding:5px 8px}
#q{width:320px}
.measure td{white-space:pre-wrap}
footer{color:#777;font-size:12px;padding:0 24px 24px}
"#;

/// Sorting by a column (numbers by `data-v`), search over each case's text, a view (all, new,
/// awaiting a decision, reviewed); `#q=...` in the address opens the page searched, `#view=open`
/// in a view, `#sort=price` (or `-price`, descending; any column's `data-key`) sorted. The body's `data-ready` says the script ran to its end.
const SCRIPT: &str = r#"
(function () {
  var table = document.getElementById('cases');
  if (!table) { document.body.setAttribute('data-ready', '1'); return; }
  var q = document.getElementById('q');
  var shown = document.getElementById('shown');
  var bodies = function () { return Array.prototype.slice.call(table.tBodies); };
  var view = document.getElementById('view');
  // A case is in a view by its data-status (new, repeated) and data-decided (0, 1).
  function inView(b) {
    switch (view.value) {
      case 'new': return b.getAttribute('data-status') === 'new';
      case 'open': return b.getAttribute('data-decided') === '0';
      case 'reviewed': return b.getAttribute('data-decided') === '1';
      default: return true;
    }
  }
  function filter() {
    var needle = q.value.trim().toLowerCase();
    var n = 0;
    bodies().forEach(function (b) {
      var hit = inView(b) &&
        (needle === '' || b.textContent.toLowerCase().indexOf(needle) >= 0);
      b.hidden = !hit;
      if (hit) { n += 1; }
    });
    shown.textContent = String(n);
  }
  function key(b, i, num) {
    var cell = b.rows[0].cells[i];
    var v = cell.getAttribute('data-v');
    if (v === null) { v = cell.textContent; }
    return num ? parseFloat(v) || 0 : v.toLowerCase();
  }
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      var num = th.getAttribute('data-type') === 'num';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var list = bodies();
      list.sort(function (a, b) {
        var x = key(a, i, num), y = key(b, i, num);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return asc ? c : -c;
      });
      list.forEach(function (b) { table.appendChild(b); });
    });
  });
  q.addEventListener('input', filter);
  view.addEventListener('change', filter);
  var m = /[#&]q=([^&]*)/.exec(window.location.hash);
  if (m) { q.value = decodeURIComponent(m[1]); }
  var v = /[#&]view=([a-z]+)/.exec(window.location.hash);
  if (v) { view.value = v[1]; }
  var by = /[#&]sort=(-?)([a-z_]+)/.exec(window.location.hash);
  if (by) {
    var th = table.tHead.querySelector('th[data-key="' + by[2] + '"]');
    if (th) { th.click(); if (by[1] === '-') { th.click(); } }
  }
  filter();
  decisions();
  document.body.setAttribute('data-ready', '1');

  // Decisions chosen in the page: kept in the browser under the run's key and each case id,
  // counted, and exported as the decisions.csv that `affil check --decisions` reads.
  function decisions() {
    var run = table.getAttribute('data-run');
    var store = null;
    try { store = window.localStorage; } catch (e) { store = null; }
    var keyOf = function (id) { return 'affil:' + run + ':' + id; };
    var today = function () {
      var d = new Date(), p = function (n) { return (n < 10 ? '0' : '') + n; };
      return p(d.getDate()) + '.' + p(d.getMonth() + 1) + '.' + d.getFullYear();
    };
    var cell = function (s) { return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    var forms = [];
    bodies().forEach(function (b) {
      var f = b.querySelector('.decide');
      if (f) { forms.push({ body: b, dec: f.querySelector('.dec'), com: f.querySelector('.com') }); }
    });
    function csv() {
      var lines = ['case_id,decision,comment,date'];
      forms.forEach(function (f) {
        if (f.dec.value) {
          lines.push([f.body.id, f.dec.value, f.com.value, f.com.getAttribute('data-date') || today()]
            .map(cell).join(','));
        }
      });
      return lines.join('\n') + '\n';
    }
    function show() {
      var n = 0;
      forms.forEach(function (f) {
        if (store && store.getItem(keyOf(f.body.id)) !== null) { n += 1; }
        f.body.setAttribute('data-decided', f.dec.value ? '1' : '0');
      });
      document.getElementById('decided').textContent = String(n);
      document.getElementById('decisions-csv').textContent = csv();
    }
    function keep(f) {
      f.com.setAttribute('data-date', today());
      if (store) {
        store.setItem(keyOf(f.body.id), JSON.stringify({ d: f.dec.value, c: f.com.value, t: today() }));
      }
      show();
      filter();
    }
    forms.forEach(function (f) {
      var kept = store && store.getItem(keyOf(f.body.id));
      if (kept) {
        try {
          var k = JSON.parse(kept);
          f.dec.value = k.d; f.com.value = k.c; f.com.setAttribute('data-date', k.t);
        } catch (e) { store.removeItem(keyOf(f.body.id)); }
      }
      f.dec.addEventListener('change', function () { keep(f); });
      f.com.addEventListener('change', function () { keep(f); });
    });
    // A decision given in the address (#decide=CASE_ID:referred:comment, from a script or a
    // case tracker's link) is recorded as if chosen.
    var given = /[#&]decide=([^&]*)/.exec(window.location.hash);
    if (given) {
      var parts = decodeURIComponent(given[1]).split(':');
      forms.forEach(function (f) {
        if (f.body.id === parts[0]) {
          f.dec.value = parts[1] || ''; f.com.value = parts.slice(2).join(':'); keep(f);
        }
      });
    }
    show();
    document.getElementById('export').addEventListener('click', function () {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([csv()], { type: 'text/csv' }));
      a.download = 'decisions.csv';
      document.body.appendChild(a); a.click(); a.remove();
    });
  }
})();
"#;

/// Breaks a label into lines of at most `width` characters, at spaces where it can; at most
/// `max` lines, the last cut with an ellipsis.
fn wrap(s: &str, width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_owned();
        loop {
            let have = cur.chars().count();
            let need = word.chars().count() + usize::from(have > 0);
            if have + need <= width {
                if have > 0 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if have > 0 {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            // A word longer than a line: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max {
        lines.truncate(max);
        let last = &mut lines[max - 1];
        let kept: String = last.chars().take(width.saturating_sub(1)).collect();
        *last = format!("{kept}…");
    }
    lines
}

use crate::rules::NOTE;

fn is_node(kind: &str) -> bool {
    !matches!(kind, "relation" | "role")
}

fn node_fill(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "person" => ("#e3edf9", "#4a78b5"),
        "company" => ("#e4f3e4", "#4f9a4f"),
        "procurement" => ("#fdf0dc", "#d08a1e"),
        _ => ("#eeeeee", "#888888"),
    }
}

/// The arrowhead every chain's edges use, defined once in the page (a zero-size SVG: markers in
/// a hidden one are not drawn).
const ARROW_DEFS: &str = r##"<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs></svg>"##;

/// The evidence chain as a graph: people, companies, contacts and the procurement as boxes left
/// to right, joined by arrows labelled with the kinship or role (and share) between them.
/// Long on purpose: the layout (boxes, wrapped labels, arrows, edge labels) is computed
/// and drawn in one pass over the nodes.
pub fn chain_svg(chain: &[Step], lang: Lang) -> String {
    const W: usize = 170;
    const GAP: usize = 104;
    const LINE: usize = 14;
    const PAD: usize = 8;
    // Nodes, each with the label of the edge that leads to it.
    let mut nodes: Vec<(&Step, &String, Option<&String>)> = Vec::new();
    let mut edge: Option<&String> = None;
    let labels: Vec<String> = chain.iter().map(|s| step_words(s, lang)).collect();
    // Notes are no link of the chain: the evidence line under it has them.
    for (s, label) in chain.iter().zip(&labels).filter(|(s, _)| s.kind() != NOTE) {
        if is_node(s.kind()) {
            nodes.push((s, label, edge.take()));
        } else {
            edge = Some(label);
        }
    }
    let texts: Vec<Vec<String>> = nodes.iter().map(|(_, l, _)| wrap(l, 24, 5)).collect();
    let lines = texts.iter().map(Vec::len).max().unwrap_or(1).max(2);
    let box_h = lines * LINE + 2 * PAD;
    // Each edge label's lines; room above the boxes for the tallest, which sits over the
    // arrow's middle.
    let edge_parts: Vec<Option<Vec<String>>> = nodes
        .iter()
        .map(|(_, _, e)| e.map(|l| wrap(l, 15, 3)))
        .collect();
    let edge_lines = edge_parts.iter().flatten().map(Vec::len).max().unwrap_or(0);
    let top = 6 + (edge_lines * 12 + 8).saturating_sub(box_h / 2);
    let height = box_h + top + 6;
    let width = nodes.len() * W + nodes.len().saturating_sub(1) * GAP + 4;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chain" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"#,
        escape(lang.pick("Цепочка доказательств", "Evidence chain"))
    );
    for (i, ((step, label, into), text)) in nodes.iter().zip(&texts).enumerate() {
        let x = 2 + i * (W + GAP);
        if i > 0 {
            let (x0, x1, y) = (x - GAP + 2, x - 2, top + box_h / 2);
            let _ = write!(
                o,
                r##"<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#666" stroke-width="1.5" marker-end="url(#arr)"/>"##
            );
            if let (Some(label), Some(parts)) = (into, &edge_parts[i]) {
                let base = y - 6 - (parts.len() - 1) * 12;
                let _ = write!(
                    o,
                    r##"<text class="edge" x="{}" y="{base}" font-size="11" text-anchor="middle" fill="#333"><title>{}</title>"##,
                    x0 + GAP / 2 - 2,
                    escape(label)
                );
                for (k, p) in parts.iter().enumerate() {
                    let _ = write!(
                        o,
                        r#"<tspan x="{}" dy="{}">{}</tspan>"#,
                        x0 + GAP / 2 - 2,
                        if k == 0 { 0 } else { 12 },
                        escape(p)
                    );
                }
                o.push_str("</text>");
            }
        }
        let (fill, stroke) = node_fill(step.kind());
        let _ = write!(
            o,
            r#"<g class="node {}"><title>{}</title><rect x="{x}" y="{top}" width="{W}" height="{box_h}" rx="6" fill="{fill}" stroke="{stroke}"/>"#,
            escape(step.kind()),
            escape(label)
        );
        let first = top + PAD + 11 + (box_h - 2 * PAD - text.len() * LINE) / 2;
        let _ = write!(
            o,
            r##"<text x="{}" y="{first}" font-size="12" text-anchor="middle" fill="#222">"##,
            x + W / 2
        );
        for (k, line) in text.iter().enumerate() {
            let _ = write!(
                o,
                r#"<tspan x="{}" dy="{}">{}</tspan>"#,
                x + W / 2,
                if k == 0 { 0 } else { LINE },
                escape(line)
            );
        }
        o.push_str("</text></g>");
    }
    o.push_str("</svg>");
    o
}

/// Horizontal bars, one per row, each split into coloured parts; the total at its end.
fn bar_chart(title: &str, rows: &[(String, Vec<(usize, &str)>)]) -> String {
    const LABEL: usize = 230;
    const BAR: usize = 260;
    const ROW: usize = 26;
    let max = rows
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| p.0).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = rows.len() * ROW + 30;
    let width = LABEL + BAR + 50;
    let mut o = format!(
        r#"<figure><svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><text x="0" y="16" font-size="13" font-weight="bold">{t}</text>"#,
        t = escape(title)
    );
    for (i, (label, parts)) in rows.iter().enumerate() {
        let y = 26 + i * ROW;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>"#,
            LABEL - 8,
            y + 15,
            escape(label)
        );
        let mut x = LABEL;
        let mut total = 0;
        for (n, colour) in parts {
            let w = n * BAR / max;
            if w > 0 {
                let _ = write!(
                    o,
                    r#"<rect x="{x}" y="{}" width="{w}" height="20" fill="{colour}"><title>{n}</title></rect>"#,
                    y + 2
                );
            }
            x += w;
            total += n;
        }
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" font-size="12">{total}</text>"#,
            x + 6,
            y + 15
        );
    }
    o.push_str("</svg></figure>");
    o
}

fn card(o: &mut String, label: &str, value: &str) {
    let _ = write!(
        o,
        r#"<div class="card">{}<b>{}</b></div>"#,
        escape(label),
        escape(value)
    );
}

/// The relation as words: the chain's relation step says it (`сын`, `тёща`; `son`,
/// `mother-in-law`), or the code when the chain has none (BIDDERS).
fn relation_text(c: &Case, lang: Lang) -> String {
    c.chain
        .iter()
        .find(|s| matches!(s.said, Said::Relation(_)))
        .map(|s| step_words(s, lang))
        .unwrap_or_else(|| match lang {
            Lang::Ru => c.relation.to_owned(),
            Lang::En => c.relation.replace('_', " "),
        })
}

fn case_body(o: &mut String, c: &Case, h: &History, lang: Lang, open: bool) {
    let (sev, rank) = (c.severity.code(), c.severity.rank());
    let d = h.decision(&c.case_id);
    let _ = write!(
        o,
        r#"<tbody class="case" id="{id}" data-status="{status}" data-decided="{decided}"><tr><td data-v="{rank}"><span class="sev sev-{sev}">{}</span></td><td title="{}">{}</td><td class="num" data-v="{:.3}">{:.2}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td><td class="num" data-v="{}">{}</td><td>{}</td><td>{}</td></tr>"#,
        escape(lang.severity(sev)),
        escape(lang.rule_title(c.rule)),
        escape(c.rule),
        c.score,
        c.score,
        escape(&c.procurement_id),
        escape(&c.official_name),
        escape(lang.role(c.official_role)),
        escape(&relation_text(c, lang)),
        escape(&c.linked_person),
        escape(&c.participant_name),
        escape(&c.participant_inn),
        if c.is_winner {
            lang.pick("да", "yes")
        } else {
            lang.pick("нет", "no")
        },
        c.contract_price.unwrap_or(0.0),
        c.contract_price.map(|v| lang.money(v)).unwrap_or_default(),
        escape(lang.status(h.status(&c.case_id))),
        escape(
            &d.map(|d| {
                let mut t = lang.decision(&d.decision).to_owned();
                if !d.date.is_empty() {
                    t.push_str(&format!(" ({})", d.date));
                }
                t
            })
            .unwrap_or_default()
        ),
        id = escape(&c.case_id),
        status = escape(h.status(&c.case_id)),
        decided = u8::from(d.is_some()),
    );
    let _ = write!(
        o,
        r#"<tr class="chain"><td colspan="12"><details{}><summary>{} · {}</summary><div class="svgwrap">{}</div><p class="evidence">{}</p>"#,
        if open { " open" } else { "" },
        escape(&c.case_id),
        escape(&lang.legal_basis(c.legal_basis)),
        chain_svg(&c.chain, lang),
        escape(&super::evidence_text(c, lang))
    );
    if let Some(d) = d.filter(|d| !d.comment.is_empty()) {
        let _ = write!(
            o,
            r#"<p class="evidence">{}: {}</p>"#,
            escape(lang.pick("Комментарий", "Comment")),
            escape(&d.comment)
        );
    }
    decision_form(o, d, lang);
    o.push_str("</details></td></tr></tbody>");
}

/// The analyst's decision on a case, chosen in the page (kept in the browser, exported as the
/// decisions.csv that `--decisions` reads): the decision given by `--decisions` first.
fn decision_form(o: &mut String, d: Option<&super::history::Decision>, lang: Lang) {
    let given = d.map_or("", |d| d.decision.as_str());
    let _ = write!(
        o,
        r#"<div class="decide"><label>{} <select class="dec"><option value=""></option>"#,
        escape(lang.pick("Решение", "Decision"))
    );
    for code in ["confirmed", "cleared", "referred"] {
        let _ = write!(
            o,
            r#"<option value="{code}"{}>{}</option>"#,
            if code == given { " selected" } else { "" },
            escape(lang.decision(code))
        );
    }
    let _ = write!(
        o,
        r#"</select></label> <input class="com" value="{}" placeholder="{}" aria-label="{}" data-date="{}"></div>"#,
        escape(d.map_or("", |d| d.comment.as_str())),
        escape(lang.pick("Комментарий", "Comment")),
        escape(lang.pick("Комментарий", "Comment")),
        escape(d.map_or("", |d| d.date.as_str())),
    );
}

/// The key the page keeps its decisions under in the browser: the same cases give the same
/// key, so a report written again from the same data finds them.
fn run_key(cases: &[Case]) -> String {
    let h = crate::rules::fnv1a_parts(cases.iter().map(|c| c.case_id.as_str()));
    format!("{h:016x}")
}

/// The whole report.html text: the header, then each section in turn.
pub fn page(r: &super::Report) -> String {
    let lang = r.lang;
    let l = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    let sc = &r.scope;
    let period = if sc.period.is_empty() {
        String::new()
    } else {
        format!(
            "{} {} · ",
            l("Закупки, опубликованные", "Procurements published"),
            sc.period
        )
    };
    let mut o = String::new();
    let title = l(
        "Анализ аффилированности участников закупок",
        "Affiliations of procurement participants",
    );
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title><style>{STYLE}</style></head><body>{ARROW_DEFS}<header><h1>{}</h1><div>{}affil {}</div></header><main>"#,
        lang.code(),
        escape(title),
        escape(title),
        escape(&period),
        env!("CARGO_PKG_VERSION")
    );
    figures_section(&mut o, r);
    charts_section(&mut o, r);
    measure_section(&mut o, r);
    cases_section(&mut o, r);
    let _ = writeln!(
        o,
        "</section></main><footer>{}</footer><script>{SCRIPT}</script></body></html>",
        l(
            "Все файлы проверки: cases.csv, cases.json, cases.xlsx, summary.md, warnings.csv.",
            "All files of the check: cases.csv, cases.json, cases.xlsx, summary.md, warnings.csv."
        )
    );
    o
}

/// The figures: counts of the input and of the cases, as cards.
fn figures_section(o: &mut String, r: &super::Report) {
    let (a, lang) = (r.analysis, r.lang);
    let cases = &a.cases;
    let l = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    let sc = &r.scope;
    let count = |s: &str| cases.iter().filter(|c| c.severity.code() == s).count();
    let participants = sc.participants;
    let _ = write!(
        o,
        "<section><h2>{}</h2><div class=\"cards\">",
        l("Итоги", "Figures")
    );
    card(
        o,
        l("Закупок", "Procurements"),
        &a.data.procurements.len().to_string(),
    );
    card(
        o,
        l("Заявок", "Bids"),
        &a.data.participants.len().to_string(),
    );
    card(
        o,
        l("Участников", "Participants"),
        &participants.to_string(),
    );
    card(
        o,
        l("Должностных лиц", "Officials"),
        &a.data.officials.len().to_string(),
    );
    card(o, l("Случаев", "Cases"), &cases.len().to_string());
    for (code, _) in SEVERITY_COLOURS {
        let label = match lang {
            Lang::Ru => format!("{} значимость", lang.severity(code)),
            Lang::En => format!("{} severity", lang.severity(code)),
        };
        card(
            o,
            &super::figures::capitalise(&label),
            &count(code).to_string(),
        );
    }
    card(
        o,
        l("Закупок со случаями", "Procurements with cases"),
        &r.figures.procurements.to_string(),
    );
    card(
        o,
        l("Контракты победителей, руб.", "Contracts won, RUB"),
        &lang.money(r.figures.winner_amount),
    );
    o.push_str("</div></section>");
}

/// Cases by severity and by rule, as bar charts.
fn charts_section(o: &mut String, r: &super::Report) {
    let (cases, lang) = (&r.analysis.cases, r.lang);
    let l = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    let count = |s: &str| cases.iter().filter(|c| c.severity.code() == s).count();
    let by_severity: Vec<(String, Vec<(usize, &str)>)> = SEVERITY_COLOURS
        .iter()
        .map(|(code, colour)| (lang.severity(code).to_owned(), vec![(count(code), *colour)]))
        .collect();
    let by_rule: Vec<(String, Vec<(usize, &str)>)> = r
        .rules
        .iter()
        .map(|rule| {
            let parts = SEVERITY_COLOURS
                .iter()
                .map(|(sev, colour)| {
                    let n = r
                        .figures
                        .groups
                        .iter()
                        .filter(|g| g.rule == *rule && g.severity == *sev)
                        .map(|g| g.cases as usize)
                        .sum();
                    (n, *colour)
                })
                .collect();
            (rule.to_string(), parts)
        })
        .collect();
    let _ = write!(
        o,
        "<section><h2>{}</h2><div class=\"charts\">{}{}</div></section>",
        l(
            "Случаи по значимости и правилам",
            "Cases by severity and rule"
        ),
        bar_chart(l("По значимости", "By severity"), &by_severity),
        bar_chart(l("По правилам", "By rule"), &by_rule)
    );
}

/// Row 2.2 of the annual report, then what the last check and the decisions say.
fn measure_section(o: &mut String, r: &super::Report) {
    let (h, lang) = (r.history, r.lang);
    let l = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    let m = &r.measure;
    let _ = write!(
        o,
        "<section><h2>{}</h2><table class=\"measure\"><thead><tr>",
        l(
            "Для отчёта об исполнении плана противодействия коррупции (мероприятие 2.2)",
            "For the report on the anti-corruption plan (measure 2.2)"
        )
    );
    for hd in MeasureRow::headers(lang) {
        let _ = write!(o, "<th>{}</th>", escape(hd));
    }
    o.push_str("</tr></thead><tbody><tr>");
    for cell in m.cells() {
        let _ = write!(o, "<td>{}</td>", escape(cell));
    }
    o.push_str("</tr></tbody></table></section>");
    if h.has_previous() || h.has_decisions() {
        let n = &r.history_counts;
        let _ = write!(
            o,
            "<section><h2>{}</h2><div class=\"cards\">",
            l(
                "Сравнение с прошлой проверкой и решения",
                "Compared with the last check, and decisions"
            )
        );
        for (label, v) in n.labelled(h, lang) {
            card(o, label, &v.to_string());
        }
        o.push_str("</div></section>");
    }
}

/// The cases: search, filter, and a table row with its chain under each.
fn cases_section(o: &mut String, r: &super::Report) {
    let (a, h, lang) = (r.analysis, r.history, r.lang);
    let cases = &a.cases;
    let l = |ru: &'static str, en: &'static str| lang.pick(ru, en);
    let _ = write!(
        o,
        r#"<section><h2>{}</h2><p><input id="q" type="search" placeholder="{}" aria-label="{}"> <select id="view" aria-label="{}"><option value="all">{}</option><option value="new">{}</option><option value="open">{}</option><option value="reviewed">{}</option></select> {} <span id="shown">{}</span> / {}</p>"#,
        l("Случаи", "Cases"),
        l(
            "Поиск: ФИО, ИНН, закупка…",
            "Search: name, INN, procurement…"
        ),
        l("Поиск", "Search"),
        l("Показать", "Show"),
        l("все случаи", "all cases"),
        l("новые (с прошлой проверки)", "new (since the last check)"),
        l("без решения", "awaiting a decision"),
        l("рассмотренные", "reviewed"),
        l("показано", "shown"),
        cases.len().min(MAX_HTML_CASES),
        cases.len().min(MAX_HTML_CASES)
    );
    if cases.len() > MAX_HTML_CASES {
        let _ = write!(
            o,
            r#"<p class="limit">{}</p>"#,
            escape(&match lang {
                Lang::Ru => format!(
                    "Показаны первые {} случаев из {} (сначала более значимые); полный список — cases.xlsx и cases.csv.",
                    lang.grouped(MAX_HTML_CASES as u64),
                    lang.grouped(cases.len() as u64)
                ),
                Lang::En => format!(
                    "The first {} of {} cases are shown (most severe first); all of them are in cases.xlsx and cases.csv.",
                    lang.grouped(MAX_HTML_CASES as u64),
                    lang.grouped(cases.len() as u64)
                ),
            })
        );
    }
    let columns: [(&str, &str, &str, bool); 12] = [
        ("severity", "Значимость", "Severity", true),
        ("rule", "Правило", "Rule", false),
        ("score", "Оценка", "Score", true),
        ("procurement", "Закупка", "Procurement", false),
        ("official", "Должностное лицо", "Official", false),
        ("relation", "Связь", "Relation", false),
        ("linked_person", "Связанное лицо", "Linked person", false),
        ("participant", "Участник", "Participant", false),
        ("winner", "Победитель", "Winner", false),
        ("price", "Цена контракта", "Contract price", true),
        ("status", "Статус", "Status", false),
        ("decision", "Решение", "Decision", false),
    ];
    let _ = write!(
        o,
        r#"<p class="decisions">{} <span id="decided">0</span> · <button type="button" id="export">{}</button></p><pre id="decisions-csv" hidden></pre>"#,
        escape(l(
            "Решений, принятых на этой странице:",
            "Decisions made on this page:"
        )),
        escape(l("Выгрузить decisions.csv", "Export decisions.csv"))
    );
    let _ = write!(
        o,
        r#"<div class="tablewrap"><table id="cases" data-run="{}"><thead><tr>"#,
        run_key(cases)
    );
    for (key, ru, en, num) in columns {
        let _ = write!(
            o,
            r#"<th data-key="{key}"{}>{}</th>"#,
            if num { r#" data-type="num""# } else { "" },
            escape(lang.pick(ru, en))
        );
    }
    o.push_str("</tr></thead>");
    let open = cases.len() <= OPEN_CHAINS;
    for c in cases.iter().take(MAX_HTML_CASES) {
        case_body(o, c, h, lang, open);
    }
    o.push_str("</table></div>");
    if cases.is_empty() {
        let _ = write!(o, "<p>{}</p>", l("Случаев не выявлено.", "No cases found."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn labels_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(
            wrap("ООО «Холдинг Север»", 12, 3),
            ["ООО «Холдинг", "Север»"]
        );
        assert_eq!(wrap("абвгдежзик", 4, 5), ["абвг", "дежз", "ик"]);
        assert_eq!(wrap("a b c d e f", 1, 2), ["a", "…"]);
    }

    #[test]
    fn a_chain_draws_each_node_and_labels_each_edge() {
        use crate::model::{Kinship, Sex};
        use crate::rules::{Relation, Role, RoleWord, ShareSaid};
        let person = |name: &str| {
            Step::new(Said::Person {
                name: name.to_owned(),
                registry: None,
                matched: None,
            })
        };
        let half = num_rational::BigRational::new(1.into(), 2.into());
        let chain = [
            person("Морозов Дмитрий Сергеевич <b>"),
            Step::new(Said::Relation(Relation::Kin {
                kinship: Kinship::Child,
                sex: Some(Sex::Male),
            })),
            person("Морозов Артём Дмитриевич"),
            Step::new(Said::Role(Role {
                what: RoleWord::Founder,
                share: ShareSaid::Held(half),
                of: None,
            })),
            Step::new(Said::Company("ООО «Стройка»".to_owned())),
            Step::new(Said::Bid {
                won: true,
                procurement: "1".to_owned(),
            }),
        ];
        let svg = chain_svg(&chain, Lang::Ru);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert_eq!(svg.matches("<line").count(), 3);
        assert_eq!(svg.matches(r#"class="edge""#).count(), 2);
        assert!(svg.contains(">сын</tspan>"));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
    }
}
