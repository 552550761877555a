//! The JSON renderer: the [`DiffReport`] as it is, pretty-printed. The schema is versioned
//! by `schema_version` and documented in `docs/diff.md`. `--stat` leaves out the property
//! changes and defining properties of components (their counts stay in `summary`).

use super::RenderOptions;
use crate::diff::DiffReport;
use std::io::{self, Write};

/// Writes the whole report.
pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}

/// Writes the report; with `stat`, components without their details.
pub fn render_with(
    report: &DiffReport,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if !opts.stat {
        return render(report, out);
    }
    let mut brief = report.clone();
    for c in &mut brief.components {
        c.changes.clear();
        c.properties.clear();
    }
    render(&brief, out)
}
