//! The text renderer: the report as an indented tree for a terminal, grouped by top-level
//! component, with a one-line summary of counts. The only renderer that uses colour
//! (`colored`; whether colour is on is decided once by the command line from `--color`,
//! `NO_COLOR` and the terminal).

use super::{Row, Style, layout, manifest_rows, summary_line, title};
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

/// Writes the report as text.
pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", title(report).bold())?;
    for row in manifest_rows(report) {
        write_row(out, &row)?;
    }
    for g in layout(report) {
        writeln!(out)?;
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
