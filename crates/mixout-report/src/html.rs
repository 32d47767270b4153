//! `index.html`: the whole report on one self-contained page, readable offline from
//! `file://`: provenance, one sortable table per task with its figures (linked relative
//! to the report folder), and the legend. No framework, no network: a few lines of
//! inline script sort a table when its header is clicked.

use std::fmt::Write as _;

use crate::plot::Figure;
use crate::study::{harness_version, utc, Study};
use crate::summary::cells::{cell, columns, task_caption};
use crate::summary::markdown::legend;
use crate::summary::{Provenance, TaskSummary};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The legend's markdown (`**bold**`, `` `code` ``) as HTML.
fn inline_markdown(md: &str) -> String {
    let mut out = String::new();
    let (mut bold, mut code) = (false, false);
    let mut chars = escape(md).chars().peekable().collect::<Vec<_>>().into_iter().peekable();
    while let Some(c) = chars.next() {
        if c == '*' && chars.peek() == Some(&'*') && !code {
            chars.next();
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
        } else if c == '`' {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        } else {
            out.push(c);
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:none}\
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 7px;font-size:13px}\
th{background:#f0f0f0;cursor:pointer;position:sticky;top:0}td.num{text-align:right}\
tr.baseline td{background:#fff6d5}figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\
figcaption{color:#555;font-size:13px}.prov td:first-child{font-weight:bold}.note{background:#f6f6f6;padding:.5em}";

/// Sorts a table by the clicked column: numbers by value (the leading number of the
/// cell), text alphabetically; a second click reverses.
const SORT_SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,col){\
th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0];\
var rows=Array.prototype.slice.call(tb.rows);var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';\
var key=function(r){var t=r.cells[col].textContent.trim();var n=parseFloat(t.replace(/^[+]/,''));return isNaN(n)?t:n;};\
rows.sort(function(a,b){var x=key(a),y=key(b);if(typeof x===typeof y){return (x<y?-1:x>y?1:0)*dir;}\
return (typeof x==='number'?-1:1)*dir;});rows.forEach(function(r){tb.appendChild(r);});});});";

/// The page: provenance of every study, then per task its table and figures, then the
/// legend. Figures are given with their file names relative to the report folder.
pub fn index_html(
    tasks: &[TaskSummary],
    prov: &Provenance,
    studies: &[Study],
    sources: &[Option<String>],
    figures: &[Figure],
) -> String {
    let mut h = String::new();
    let title = format!("Mixout report: {}", prov.experiments.join(", "));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\n<body>\n",
        escape(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(&title));
    provenance(&mut h, studies, sources, prov);
    let _ =
        writeln!(h, "<p>Files: <a href=\"summary.csv\">summary.csv</a> · <a href=\"summary.md\">summary.md</a></p>");
    for t in tasks {
        task_section(&mut h, t, figures);
    }
    let _ = writeln!(h, "<h2 id=\"legend\">Legend</h2>\n<ul>");
    for item in legend(tasks) {
        let _ = writeln!(h, "<li>{}</li>", inline_markdown(&item));
    }
    let _ = writeln!(
        h,
        "<li><b>Figures</b>: one panel per group of settings (per source when several folders are read), \
         on one score axis per file; the baseline column is tinted (its mean dotted), the baseline line \
         is black; a baseline from another panel is drawn dashed grey. Large studies take several \
         numbered files.</li>\n</ul>"
    );
    let _ = writeln!(h, "<script>{SORT_SCRIPT}</script>\n</body></html>");
    h
}

/// The provenance table: per study its folder, source label, experiment, models,
/// devices, precisions, harness and libtorch versions (with `git describe`) and when its
/// result files were written.
fn provenance(h: &mut String, studies: &[Study], sources: &[Option<String>], prov: &Provenance) {
    let _ = writeln!(h, "<h2>Provenance</h2>");
    for (k, s) in studies.iter().enumerate() {
        let uniq = |f: &dyn Fn(&crate::RunResult) -> String| {
            let set: std::collections::BTreeSet<String> = s.results.iter().map(f).collect();
            set.into_iter().collect::<Vec<_>>().join(", ")
        };
        let when = match s.written {
            Some((a, b)) if a == b => utc(a),
            Some((a, b)) => format!("{} – {}", utc(a), utc(b)),
            None => "unknown".to_string(),
        };
        let rows = [
            ("results folder", s.dir.display().to_string()),
            ("source", sources.get(k).cloned().flatten().unwrap_or_else(|| "-".to_string())),
            ("experiment", uniq(&|r| r.experiment.clone())),
            ("result files", s.results.len().to_string()),
            ("model", uniq(&|r| r.model.clone())),
            ("devices", uniq(&|r| r.device.clone())),
            ("precision", uniq(&|r| r.params.precision.clone())),
            ("harness (git describe)", uniq(&harness_version)),
            ("tch, libtorch", uniq(&|r| format!("tch {}, libtorch {}", r.versions.tch, r.versions.libtorch))),
            ("runs written", when),
        ];
        let _ = writeln!(h, "<table class=\"prov\">");
        for (name, value) in rows {
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", name, escape(&value));
        }
        let _ = writeln!(h, "</table>");
    }
    if prov.uses_minilm() {
        let _ = writeln!(
            h,
            "<p class=\"note\"><b>Model note:</b> the shipped models are sentence-encoder MiniLMs (BERT \
             architecture, further trained on NLI/paraphrase pairs), not raw MLM-pretrained BERT; neither \
             their scores nor their stability are directly comparable to the paper's BERT-large.</p>"
        );
    }
}

/// A task's heading, sortable table (one row per setting) and figures.
fn task_section(h: &mut String, t: &TaskSummary, figures: &[Figure]) {
    let cols = columns(t);
    let _ = writeln!(h, "<h2>{}</h2>", escape(&task_caption(t).replace('`', "")));
    let _ = writeln!(h, "<table class=\"sortable summary\" data-task=\"{}\"><thead><tr>", escape(&t.task));
    for c in &cols {
        let _ = write!(h, "<th>{}</th>", escape(c.header()));
    }
    let _ = writeln!(h, "</tr></thead><tbody>");
    for r in &t.rows {
        let class = if r.is_baseline() { " class=\"baseline\"" } else { "" };
        let _ = write!(h, "<tr{class}>");
        for &c in &cols {
            let num = if c.is_text() { "" } else { " class=\"num\"" };
            let _ = write!(h, "<td{num}>{}</td>", escape(&cell(r, c, false)));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody></table>");
    for w in &t.warnings {
        let _ = writeln!(h, "<p class=\"warning\"><strong>Warning:</strong> {}</p>", escape(w));
    }
    for f in figures.iter().filter(|f| f.task == t.task) {
        let name = f.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let page = if f.page.1 > 1 { format!(" (file {} of {})", f.page.0, f.page.1) } else { String::new() };
        let _ = writeln!(
            h,
            "<figure><a href=\"{n}\"><img src=\"{n}\" alt=\"{k} figure of {task}{page}\" width=\"{w}\" height=\"{ht}\"></a><figcaption>{n}: {cap}{page}</figcaption></figure>",
            n = escape(&name),
            k = f.kind.name(),
            task = escape(&t.task),
            w = f.size.0,
            ht = f.size.1,
            cap = escape(f.kind.caption()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_of_the_legend_becomes_html() {
        assert_eq!(inline_markdown("**runs**: `a<b` & c"), "<b>runs</b>: <code>a&lt;b</code> &amp; c");
        assert_eq!(escape("\"x\" 'y'"), "&quot;x&quot; &#39;y&#39;");
    }
}
