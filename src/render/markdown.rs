//! The Markdown renderer, for a pull-request comment: a title, the summary, a table of
//! counts by kind, then the solution manifest and one collapsible `<details>` section per
//! top-level component holding its changes as a `diff` code block (GitHub colours `+`/`-`
//! lines); components that take one line each form a plain list.
//!
//! A comment has a size limit, so the report has a budget ([`RenderOptions::max_bytes`],
//! 65,536 by default on the command line): the title, the summary and the counts table are
//! always whole; then sections in report order, each whole if it fits, else as one line per
//! component if that fits, else left out; a last line says what was shortened or left out
//! and how to see it all.

use super::{
    Group, LayoutOptions, RenderOptions, Row, Style, kind_counts, layout_with, manifest_rows_with,
    stat_rows, summary_line, title,
};
use crate::diff::text::LineOp;
use crate::diff::{Change, DiffReport, segments};
use std::io::{self, Write};

/// A row inside a `diff` block: the change sign moves to column 0 so GitHub colours it.
fn diff_line(row: &Row) -> String {
    let sign = match row.style {
        Style::Mark(Change::Added) | Style::Line(LineOp::Added) => '+',
        Style::Mark(Change::Removed) | Style::Line(LineOp::Removed) => '-',
        Style::Mark(Change::Changed) | Style::Mark(Change::Moved) => '!',
        _ => ' ',
    };
    let text = match row.style {
        Style::Line(_) => &row.text[row.text.chars().next().map_or(0, char::len_utf8)..],
        // Rows that start with their change sign: the sign moved to column 0. A move keeps
        // its `↕` after the `!`, which alone would read as a change of value.
        Style::Mark(_) => ["+ ", "- ", "~ "]
            .iter()
            .find_map(|p| row.text.strip_prefix(p))
            .unwrap_or(&row.text),
        _ => &row.text,
    };
    format!("{sign}{:indent$}{text}", "", indent = row.indent)
}

fn escape_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes the report as Markdown, every detail shown, no budget.
pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, &RenderOptions::default(), out)
}

/// One block of the report after the head, in full and as one line per component.
struct Section {
    full: String,
    /// The section as one line per component (None: it has no shorter form).
    short: Option<String>,
    /// Components it reports (0 for the manifest).
    components: usize,
    /// A one-line item that runs on from the one before it (a list of one-line items).
    list_item: bool,
}

/// Writes the report as Markdown within `opts.max_bytes`.
pub fn render_with(
    report: &DiffReport,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let head = head(report);
    let sections = if opts.stat {
        stat_sections(report)
    } else {
        sections(report, &opts.layout)
    };
    let Some(budget) = opts.max_bytes else {
        out.write_all(head.as_bytes())?;
        let mut prev_list = false;
        for s in &sections {
            write_section(out, &s.full, s.list_item, prev_list)?;
            prev_list = s.list_item;
        }
        return Ok(());
    };
    // Room for the closing note, which is short and of known shape.
    const NOTE_ROOM: usize = 400;
    let mut used = head.len();
    let mut body = String::new();
    let (mut shortened, mut left_out, mut left_out_components) = (0usize, 0usize, 0usize);
    let mut prev_list = false;
    for s in &sections {
        let sep = if s.list_item && prev_list { 0 } else { 1 };
        if used + sep + s.full.len() + NOTE_ROOM <= budget {
            used += sep + s.full.len();
            push_section(&mut body, &s.full, s.list_item, prev_list);
            prev_list = s.list_item;
            continue;
        }
        if let Some(short) = &s.short
            && used + 1 + short.len() + NOTE_ROOM <= budget
        {
            used += 1 + short.len();
            push_section(&mut body, short, false, prev_list);
            prev_list = false;
            shortened += 1;
            continue;
        }
        left_out += 1;
        left_out_components += s.components;
    }
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())?;
    if shortened + left_out > 0 {
        let mut what = Vec::new();
        if shortened > 0 {
            what.push(format!(
                "{shortened} section{} shortened to one line per component",
                super::plural(shortened)
            ));
        }
        if left_out > 0 {
            what.push(format!(
                "{left_out} section{} ({left_out_components} component{}) left out",
                super::plural(left_out),
                super::plural(left_out_components)
            ));
        }
        writeln!(out)?;
        writeln!(
            out,
            "_{} to keep this report within {budget} bytes. The whole report: \
             `soltree diff --format html` (or `--format json`), or `--full` for all of it in \
             Markdown._",
            what.join(" and ")
        )?;
    }
    Ok(())
}

fn push_section(body: &mut String, text: &str, list_item: bool, prev_list: bool) {
    if !(list_item && prev_list) {
        body.push('\n');
    }
    body.push_str(text);
}

fn write_section(
    out: &mut dyn Write,
    text: &str,
    list_item: bool,
    prev_list: bool,
) -> io::Result<()> {
    let mut s = String::new();
    push_section(&mut s, text, list_item, prev_list);
    out.write_all(s.as_bytes())
}

/// The title, the summary and the counts table: always whole.
fn head(report: &DiffReport) -> String {
    let mut s = format!(
        "### soltree diff: {}\n\n**{}**\n",
        escape_html(&title(report)),
        summary_line(report)
    );
    let kinds = kind_counts(report);
    let m = &report.manifest;
    if !kinds.is_empty() || m.has_differences() {
        s.push_str("\n| kind | added | removed | changed |\n| --- | ---: | ---: | ---: |\n");
        for (k, n) in &kinds {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                escape_cell(k),
                n[0],
                n[1],
                n[2]
            ));
        }
        for (name, d) in [
            (
                "Root component",
                (
                    m.root_components.added.len(),
                    m.root_components.removed.len(),
                    m.root_components.changed.len(),
                ),
            ),
            (
                "Missing dependency",
                (
                    m.missing_dependencies.added.len(),
                    m.missing_dependencies.removed.len(),
                    m.missing_dependencies.changed.len(),
                ),
            ),
        ] {
            if d != (0, 0, 0) {
                s.push_str(&format!("| {name} | {} | {} | {} |\n", d.0, d.1, d.2));
            }
        }
    }
    s
}

fn details(summary: &str, rows: &[Row]) -> String {
    // A fence longer than any backtick run inside keeps the block closed.
    let fence = "`".repeat(3.max(longest_backticks(rows) + 1));
    let mut s = format!("<details><summary>{summary}</summary>\n\n{fence}diff\n");
    for row in rows {
        s.push_str(&diff_line(row));
        s.push('\n');
    }
    s.push_str(&format!("{fence}\n\n</details>\n"));
    s
}

fn sections(report: &DiffReport, layout: &LayoutOptions) -> Vec<Section> {
    let mut out = Vec::new();
    let manifest = manifest_rows_with(report, layout);
    if !manifest.is_empty() {
        let short: Vec<Row> = manifest.iter().filter(|r| r.indent <= 2).cloned().collect();
        out.push(Section {
            full: details("Solution manifest", &manifest),
            short: (short.len() < manifest.len()).then(|| details("Solution manifest", &short)),
            components: 0,
            list_item: false,
        });
    }
    let stat = super::stat_rows_with(report, false);
    let mut at = 0;
    for g in layout_with(report, layout) {
        let rows_of_group = &stat[at..at + g.components];
        at += g.components;
        if g.rows.is_empty() {
            // An added or removed component: one line says it all.
            out.push(Section {
                full: format!("- {}\n", one_line(&g)),
                short: None,
                components: g.components,
                list_item: true,
            });
            continue;
        }
        let summary = format!(
            "{} — {} change{}",
            escape_html(&g.heading),
            g.changes,
            super::plural(g.changes)
        );
        out.push(Section {
            full: details(&summary, &g.rows),
            short: Some(details(&summary, rows_of_group)),
            components: g.components,
            list_item: false,
        });
    }
    out
}

fn one_line(g: &Group) -> String {
    match g.heading.split_at_checked(2) {
        Some(("+ ", rest)) => format!("**added** {}", escape_html(rest)),
        Some(("- ", rest)) => format!("**removed** {}", escape_html(rest)),
        _ => escape_html(&g.heading),
    }
}

/// `--stat`: one line per changed component, in one block per top-level component.
fn stat_sections(report: &DiffReport) -> Vec<Section> {
    let rows = stat_rows(report);
    let mut out: Vec<Section> = Vec::new();
    let mut current: Option<&str> = None;
    for (c, row) in report.components.iter().zip(&rows) {
        let top = segments(&c.path)[0];
        let line = format!("- {}\n", escape_html(&diff_line_text(row, c)));
        match out.last_mut() {
            Some(s) if current == Some(top) => {
                s.full.push_str(&line);
                s.components += 1;
            }
            _ => {
                out.push(Section {
                    full: line,
                    short: None,
                    components: 1,
                    list_item: true,
                });
                current = Some(top);
            }
        }
    }
    out
}

/// A `--stat` line in words: `**added** Column new_score "Score" in Table "Project"`.
fn diff_line_text(row: &Row, c: &crate::diff::ComponentChange) -> String {
    let word = match c.change {
        Change::Added => "**added**",
        Change::Removed => "**removed**",
        Change::Moved => "**moved**",
        Change::Changed => "**changed**",
    };
    // The row starts with its sign and a space.
    let mut chars = row.text.chars();
    chars.next();
    format!("{word}{}", chars.as_str())
}

fn longest_backticks(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| r.text.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0)
}
