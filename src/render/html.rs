//! The HTML renderer: one self-contained page (inline CSS, no scripts, no external assets)
//! with the title, the manifest changes, a table of counts by kind and one collapsible
//! section per top-level component. Uses the shared [`super::layout`]; changed words in line
//! diffs are wrapped in `<mark>`.

use super::{Row, Style, kind_counts, layout, manifest_rows, summary_line, title};
use crate::diff::text::LineOp;
use crate::diff::{Change, DiffReport};
use std::io::{self, Write};

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.3em}table{border-collapse:collapse;margin:1em 0}\
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:first-child,th:first-child{text-align:left}\
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}\
pre{margin:.3em 0 .3em 1em;font-size:.9em;line-height:1.35}\
.add{color:#116329}.rem{color:#a40e26}.chg{color:#7d4e00}.mov{color:#0550ae}\
.hunk{color:#6e7781}.ctx,.note{color:#57606a}mark{background:#fff3b0;color:inherit}";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn class(style: Style) -> &'static str {
    match style {
        Style::Mark(Change::Added) | Style::Line(LineOp::Added) => "add",
        Style::Mark(Change::Removed) | Style::Line(LineOp::Removed) => "rem",
        Style::Mark(Change::Changed) => "chg",
        Style::Mark(Change::Moved) => "mov",
        Style::Hunk => "hunk",
        Style::Line(LineOp::Context) => "ctx",
        Style::Note | Style::Heading => "note",
    }
}

fn row_html(row: &Row) -> String {
    let mut body = String::new();
    let mut pos = 0;
    for &(s, e) in &row.highlights {
        let (s, e) = (s.min(row.text.len()), e.min(row.text.len()));
        if s < pos || !row.text.is_char_boundary(s) || !row.text.is_char_boundary(e) {
            continue;
        }
        body.push_str(&escape(&row.text[pos..s]));
        body.push_str(&format!("<mark>{}</mark>", escape(&row.text[s..e])));
        pos = e;
    }
    body.push_str(&escape(&row.text[pos..]));
    format!(
        "<span class=\"{}\">{:indent$}{body}</span>",
        class(row.style),
        "",
        indent = row.indent
    )
}

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let t = escape(&title(report));
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>soltree diff: {t}</title><style>{CSS}</style></head><body>"
    )?;
    writeln!(
        out,
        "<h1>{t}</h1>\n<p><strong>{}</strong></p>",
        escape(&summary_line(report))
    )?;
    let manifest = manifest_rows(report);
    if !manifest.is_empty() {
        writeln!(
            out,
            "<details open><summary>Solution manifest</summary><pre>"
        )?;
        for row in &manifest {
            writeln!(out, "{}", row_html(row))?;
        }
        writeln!(out, "</pre></details>")?;
    }
    let kinds = kind_counts(report);
    if !kinds.is_empty() {
        writeln!(
            out,
            "<table><tr><th>kind</th><th>added</th><th>removed</th><th>changed</th></tr>"
        )?;
        for (k, n) in &kinds {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(k),
                n[0],
                n[1],
                n[2]
            )?;
        }
        writeln!(out, "</table>")?;
    }
    for g in layout(report) {
        let cls = match g.heading.chars().next() {
            Some('+') => "add",
            Some('-') => "rem",
            _ => "chg",
        };
        if g.rows.is_empty() {
            writeln!(out, "<p class=\"{cls}\">{}</p>", escape(&g.heading))?;
            continue;
        }
        writeln!(
            out,
            "<details open><summary class=\"{cls}\">{}</summary><pre>",
            escape(&g.heading)
        )?;
        for row in &g.rows {
            writeln!(out, "{}", row_html(row))?;
        }
        writeln!(out, "</pre></details>")?;
    }
    writeln!(out, "</body></html>")
}
