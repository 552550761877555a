//! Merge layer: three-way merge of one solution XML file (customizations.xml, solution.xml,
//! any SolutionPackager component file), the way a careful Dynamics developer merges by hand.
//!
//! The boundary type is [`MergeOutcome`]: the merged bytes, every conflict (component path,
//! property, base/ours/theirs values) and every decision a domain rule made. The result is
//! written like OURS: unchanged regions are OURS' bytes, nodes taken from THEIRS get OURS'
//! newline style and indentation. Keyed children merge as maps, ordered lists as sequences,
//! properties one by one ([`tree`]); domain rules are data ([`rules`]); inputs that are not
//! solution XML, hold conflict markers or run past the time limit get a line-based merge
//! ([`line`]) and a one-line note saying why.

pub mod line;
pub mod rules;
mod tree;

use crate::model::kinds::KINDS;
use crate::xml::{Document, XmlError};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How conflicts are written (git's `merge.conflictStyle`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictStyle {
    Merge,
    Diff3,
    Zdiff3,
}

/// Options for one merge, free of any command-line types.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    pub style: ConflictStyle,
    pub marker_size: usize,
    pub label_ours: String,
    pub label_base: String,
    pub label_theirs: String,
    /// The file's path in the repository (git's `%P`): helps place SolutionPackager files.
    pub path: Option<String>,
    /// Past this, the structured merge gives up and the line merge takes over.
    pub timeout: Duration,
    /// Skip the structured merge (the `SOLTREE_DRIVER=0` escape hatch).
    pub line_only: Option<String>,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            style: ConflictStyle::Merge,
            marker_size: 7,
            label_ours: "ours".into(),
            label_base: "base".into(),
            label_theirs: "theirs".into(),
            path: None,
            timeout: Duration::from_secs(60),
            line_only: None,
        }
    }
}

/// Why two sides could not be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictReason {
    /// The same property changed to different values.
    BothChanged,
    /// Both sides added the same key with different content.
    BothAdded,
    /// Ours deleted what theirs changed.
    DeletedByOurs,
    /// Theirs deleted what ours changed.
    DeletedByTheirs,
    /// Both sides reordered the same ordered list differently.
    BothReordered,
    /// The line-based fallback could not combine a region.
    Lines,
}

/// One conflict, as listed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Canonical path of the enclosing component (`entity:account/attribute:new_score`).
    pub path: String,
    pub kind: String,
    pub display_name: String,
    /// Where inside the component (`displaynames/displayname:1036/@description`).
    pub property: String,
    pub reason: ConflictReason,
    pub base: Option<String>,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

/// A decision a domain rule made.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub rule: &'static str,
    pub path: String,
    pub property: String,
    pub ours: Option<String>,
    pub theirs: Option<String>,
    pub result: Option<String>,
}

/// The result of a merge.
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub conflicts: Vec<Conflict>,
    pub decisions: Vec<Decision>,
    /// Set when the line-based merge produced the result, with the reason.
    pub fallback: Option<String>,
}

impl MergeOutcome {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// The JSON report written by `--report`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub schema_version: u32,
    pub path: Option<&'a str>,
    pub clean: bool,
    pub fallback: Option<&'a str>,
    pub conflicts: &'a [Conflict],
    pub decisions: &'a [Decision],
}

impl MergeOutcome {
    pub fn report<'a>(&'a self, path: Option<&'a str>) -> Report<'a> {
        Report {
            schema_version: 1,
            path,
            clean: self.is_clean(),
            fallback: self.fallback.as_deref(),
            conflicts: &self.conflicts,
            decisions: &self.decisions,
        }
    }
}

/// Why the structured merge did not run.
#[derive(Debug)]
pub(crate) enum Unstructured {
    Timeout,
    Reason(String),
}

/// Document roots the structured merge understands: `ImportExportXml` (customizations.xml,
/// solution.xml) and every root that the kinds table anchors at a document root
/// (SolutionPackager component files), plus the containers SolutionPackager writes.
pub fn is_solution_root(name: &str) -> bool {
    const CONTAINERS: &[&str] = &[
        "ImportExportXml",
        "forms",
        "savedqueries",
        "EntityRelationships",
        "EntityMaps",
        "FieldSecurityProfiles",
        "EmailTemplates",
        "RibbonDiffXml",
        "Types",
        "Visualizations",
    ];
    CONTAINERS.contains(&name)
        || KINDS.iter().any(|k| {
            k.at.iter().any(|at| {
                at.strip_prefix('/')
                    .is_some_and(|a| a.split('/').next() == Some(name))
            })
        })
}

/// Lines that start a conflict region (git's markers, any size of 7 or more).
pub fn has_conflict_markers(text: &str) -> bool {
    text.split('\n').any(|l| {
        let l = l.trim_end_matches('\r');
        (l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>"))
            && l.trim_start_matches(['<', '>'])
                .chars()
                .next()
                .is_none_or(|c| c == ' ')
    })
}

/// Merges three versions of one file. `base` is `None` when the file did not exist in the
/// merge base (both sides added it). Never fails: what cannot be merged structurally is
/// merged line by line, with the reason in [`MergeOutcome::fallback`].
pub fn merge_files(
    base: Option<&[u8]>,
    ours: &[u8],
    theirs: &[u8],
    opts: &MergeOptions,
) -> MergeOutcome {
    // The merge laws, byte for byte, before anything can reformat.
    if ours == theirs || base == Some(theirs) {
        return clean(ours.to_vec());
    }
    if base == Some(ours) {
        return clean(theirs.to_vec());
    }
    if let Some(outcome) = merge_utf16(base, ours, theirs, opts) {
        return outcome;
    }
    let texts = (
        base.map(std::str::from_utf8).transpose(),
        std::str::from_utf8(ours),
        std::str::from_utf8(theirs),
    );
    let (Ok(base), Ok(ours), Ok(theirs)) = texts else {
        return line::merge_bytes(base, ours, theirs, opts, "an input is not valid UTF-8");
    };
    if let Some(why) = &opts.line_only {
        return line::merge(base.unwrap_or(""), ours, theirs, opts, why);
    }
    match structured(base, ours, theirs, opts) {
        Ok(outcome) => outcome,
        Err(Unstructured::Timeout) => line::merge(
            base.unwrap_or(""),
            ours,
            theirs,
            opts,
            &format!(
                "the structured merge passed its time limit of {:?}",
                opts.timeout
            ),
        ),
        Err(Unstructured::Reason(why)) => line::merge(base.unwrap_or(""), ours, theirs, opts, &why),
    }
}

/// Files saved as UTF-16 (flow definitions from some tools are): merged as text, written
/// back in the encoding and byte order of ours.
fn merge_utf16(
    base: Option<&[u8]>,
    ours: &[u8],
    theirs: &[u8],
    opts: &MergeOptions,
) -> Option<MergeOutcome> {
    fn decode(b: &[u8]) -> Option<(String, bool)> {
        let le = b.starts_with(&[0xFF, 0xFE]);
        if !le && !b.starts_with(&[0xFE, 0xFF]) || !b.len().is_multiple_of(2) {
            return None;
        }
        let units = b[2..].chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
            .map(|s| (s, le))
    }
    let (o, le) = decode(ours)?;
    let (t, _) = decode(theirs)?;
    let b = match base {
        Some(b) => Some(decode(b)?.0),
        None => None,
    };
    let mut inner = merge_files(
        b.as_deref().map(str::as_bytes),
        o.as_bytes(),
        t.as_bytes(),
        opts,
    );
    let text = String::from_utf8_lossy(&inner.bytes).into_owned();
    let mut bytes = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    inner.bytes = bytes;
    Some(inner)
}

fn clean(bytes: Vec<u8>) -> MergeOutcome {
    MergeOutcome {
        bytes,
        conflicts: Vec::new(),
        decisions: Vec::new(),
        fallback: None,
    }
}

fn structured(
    base: Option<&str>,
    ours: &str,
    theirs: &str,
    opts: &MergeOptions,
) -> Result<MergeOutcome, Unstructured> {
    for (side, text) in [("ours", Some(ours)), ("theirs", Some(theirs))] {
        let first = text
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next();
        if first != Some('<') {
            return Err(Unstructured::Reason(format!("{side} is not XML")));
        }
    }
    for (side, text) in [
        ("base", base),
        ("ours", Some(ours)),
        ("theirs", Some(theirs)),
    ] {
        if text.is_some_and(has_conflict_markers) {
            return Err(Unstructured::Reason(format!(
                "{side} already holds conflict markers"
            )));
        }
    }
    let deadline = Instant::now() + opts.timeout;
    let parse = |text: &str, side: &str| -> Result<Document, Unstructured> {
        Document::parse(text.to_string(), side).map_err(|e: XmlError| {
            Unstructured::Reason(format!(
                "{side} is not well-formed XML ({}:{}: {})",
                e.line, e.column, e.message
            ))
        })
    };
    // Parse the sides in parallel: on large files this is most of the work.
    let base_text = base.filter(|b| !b.trim().is_empty());
    let ((b, o), t) = rayon::join(
        || {
            rayon::join(
                || base_text.map(|b| parse(b, "base")).transpose(),
                || parse(ours, "ours"),
            )
        },
        || parse(theirs, "theirs"),
    );
    let (b, o, t) = (b?, o?, t?);
    for (side, doc) in [("ours", &o), ("theirs", &t)] {
        let root = doc.root().map(|r| doc.name(r)).unwrap_or_default();
        if !is_solution_root(root) {
            return Err(Unstructured::Reason(format!(
                "{side} is not a solution file (root element <{root}>)"
            )));
        }
    }
    tree::merge_documents(b.as_ref(), &o, &t, opts, deadline)
}

#[cfg(test)]
mod tests;
