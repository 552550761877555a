//! The JSON renderer: the [`DiffReport`] as it is, pretty-printed. The schema is versioned
//! by `schema_version` and documented in README.md (`## soltree diff`).

use crate::diff::DiffReport;
use std::io::{self, Write};

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
