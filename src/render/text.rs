//! The text renderer: the report as an indented tree for a terminal, grouped by top-level
//! component, with a one-line summary of counts. The only renderer that uses colour
//! (`colored`; whether colour is on is decided once by the command line from `--color`,
//! `NO_COLOR` and the terminal). Components that take one line each (added relationships,
//! removed parts) follow each other without blank lines; `--stat` gives the counts by kind
//! and one line per changed component.

use super::{
    RenderOptions, Row, Style, kind_counts, layout_with, manifest_rows_with, stat_rows,
    summary_line, title,
};
use crate::diff::text::LineOp;
use crate::diff::{Change, DiffReport};
use colored::{ColoredString, Colorize};
use std::io::{self, Write};

fn paint(style: Style, s: &str) -> ColoredString {
    match style {
        Style::Heading => s.bold(),
        Style::Mark(Change::Added) | Style::Line(LineOp::Added) => s.green(),
        Style::Mark(Change::Removed) | Style::Line(LineOp::Removed) => s.red(),
        Style::Mark(Change::Changed) => s.yellow(),
        Style::Mark(Change::Moved) => s.blue(),
        Style::Hunk => s.cyan(),
        Style::Line(LineOp::Context) | Style::Note => s.dimmed(),
    }
}

fn write_row(out: &mut dyn Write, row: &Row) -> io::Result<()> {
    write!(out, "{:indent$}", "", indent = row.indent)?;
    if row.highlights.is_empty() {
        return writeln!(out, "{}", paint(row.style, &row.text));
    }
    // Changed words stand out inside a changed line.
    let mut pos = 0;
    for &(s, e) in &row.highlights {
        let (s, e) = (s.min(row.text.len()), e.min(row.text.len()));
        if s < pos || !row.text.is_char_boundary(s) || !row.text.is_char_boundary(e) {
            continue;
        }
        write!(out, "{}", paint(row.style, &row.text[pos..s]))?;
        write!(
            out,
            "{}",
            paint(row.style, &row.text[s..e]).bold().underline()
        )?;
        pos = e;
    }
    writeln!(out, "{}", paint(row.style, &row.text[pos..]))
}

/// Writes the report as text, every detail shown.
pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, &RenderOptions::default(), out)
}

/// Writes the report as text.
pub fn render_with(
    report: &DiffReport,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "{}", title(report).bold())?;
    if opts.stat {
        return render_stat(report, out);
    }
    for row in manifest_rows_with(report, &opts.layout) {
        write_row(out, &row)?;
    }
    let mut one_liner = false;
    for g in layout_with(report, &opts.layout) {
        // One-line components read as a list; anything longer gets air around it.
        if !(one_liner && g.rows.is_empty()) {
            writeln!(out)?;
        }
        one_liner = g.rows.is_empty();
        let heading = match g.heading.chars().next() {
            Some('+') => g.heading.green().bold(),
            Some('-') => g.heading.red().bold(),
            _ => g.heading.bold(),
        };
        writeln!(out, "{heading}")?;
        for row in &g.rows {
            write_row(out, row)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report))
}

/// `--stat`: the summary, the counts by kind, one line per changed component.
fn render_stat(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", summary_line(report))?;
    let kinds = kind_counts(report);
    if !kinds.is_empty() {
        writeln!(out)?;
        let width = kinds
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(4);
        writeln!(
            out,
            "  {:width$}  {:>5}  {:>7}  {:>7}",
            "kind", "added", "removed", "changed"
        )?;
        for (k, n) in &kinds {
            writeln!(out, "  {k:width$}  {:>5}  {:>7}  {:>7}", n[0], n[1], n[2])?;
        }
    }
    let m = &report.manifest;
    let lists = [
        (
            "root components",
            m.root_components.added.len(),
            m.root_components.removed.len(),
        ),
        (
            "missing dependencies",
            m.missing_dependencies.added.len(),
            m.missing_dependencies.removed.len(),
        ),
    ];
    if m.has_differences() {
        writeln!(out)?;
        for (name, a, r) in lists {
            if a + r > 0 {
                writeln!(out, "  {name}: +{a} -{r}")?;
            }
        }
        for p in &m.changes {
            writeln!(out, "  ~ {}", super::property_text(p))?;
        }
    }
    let rows = stat_rows(report);
    if !rows.is_empty() {
        writeln!(out)?;
    }
    for row in &rows {
        write_row(out, row)?;
    }
    Ok(())
}
