//! The Markdown renderer, for a pull-request comment: a title, the manifest changes, a
//! summary table of counts by kind, then one collapsible `<details>` section per top-level
//! component holding its changes as a `diff` code block (GitHub colours `+`/`-` lines).

use super::{Row, Style, kind_counts, layout, manifest_rows, summary_line, title};
use crate::diff::text::LineOp;
use crate::diff::{Change, DiffReport};
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
        // Rows that start with their change sign: the sign moved to column 0.
        Style::Mark(_) => ["+ ", "- ", "~ ", "↕ "]
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

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### soltree diff: {}", escape_html(&title(report)))?;
    writeln!(out)?;
    writeln!(out, "**{}**", summary_line(report))?;
    writeln!(out)?;
    let manifest = manifest_rows(report);
    if !manifest.is_empty() {
        writeln!(out, "<details><summary>Solution manifest</summary>")?;
        writeln!(out)?;
        writeln!(out, "```diff")?;
        for row in &manifest {
            writeln!(out, "{}", diff_line(row))?;
        }
        writeln!(out, "```")?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
        writeln!(out)?;
    }
    let kinds = kind_counts(report);
    if !kinds.is_empty() {
        writeln!(out, "| kind | added | removed | changed |")?;
        writeln!(out, "| --- | ---: | ---: | ---: |")?;
        for (k, n) in &kinds {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape_cell(k),
                n[0],
                n[1],
                n[2]
            )?;
        }
        writeln!(out)?;
    }
    for g in layout(report) {
        if g.rows.is_empty() {
            // An added or removed component: one line says it all.
            let line = match g.heading.split_at_checked(2) {
                Some(("+ ", rest)) => format!("**added** {}", escape_html(rest)),
                Some(("- ", rest)) => format!("**removed** {}", escape_html(rest)),
                _ => escape_html(&g.heading),
            };
            writeln!(out, "- {line}")?;
            writeln!(out)?;
            continue;
        }
        let changes = g.changes;
        writeln!(
            out,
            "<details><summary>{} — {} change{}</summary>",
            escape_html(&g.heading),
            changes,
            if changes == 1 { "" } else { "s" }
        )?;
        writeln!(out)?;
        {
            // A fence longer than any backtick run inside keeps the block closed.
            let fence = "`".repeat(3.max(longest_backticks(&g.rows) + 1));
            writeln!(out, "{fence}diff")?;
            for row in &g.rows {
                writeln!(out, "{}", diff_line(row))?;
            }
            writeln!(out, "{fence}")?;
            writeln!(out)?;
        }
        writeln!(out, "</details>")?;
        writeln!(out)?;
    }
    Ok(())
}

fn longest_backticks(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| r.text.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0)
}
