//! Merge layer: three-way merge of one solution XML file (customizations.xml, solution.xml,
//! any SolutionPackager component file), the way a careful Dynamics developer merges by hand.
//!
//! The boundary type is [`MergeOutcome`]: the merged bytes, every conflict (component path,
//! property, base/ours/theirs values) and every decision a domain rule made. The result is
//! written like OURS: unchanged regions are OURS' bytes, nodes taken from THEIRS get OURS'
//! newline style and indentation. Keyed children merge as maps, ordered lists as sequences,
//! properties one by one ([`tree`]); domain rules are data ([`rules`]); JSON parts (cloud
//! flow definitions) merge as JSON ([`json`]); inputs that are neither, hold conflict
//! markers or run past the time limit get a line-based merge ([`line`]) and a one-line note
//! saying why.

pub mod json;
pub mod line;
pub mod package;
pub mod rules;
mod tree;

use crate::input::{TextEncoding, decode_text, encode_text};
use crate::model::kinds::{CONTAINER_ROOTS, KINDS};
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
    /// Run the structured merge even where the byte-equality shortcuts would answer, so
    /// tests can hold the tree merge itself to the merge laws.
    #[doc(hidden)]
    pub no_shortcuts: bool,
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
            no_shortcuts: false,
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
/// (SolutionPackager component files), plus the list roots SolutionPackager writes
/// ([`CONTAINER_ROOTS`]).
pub fn is_solution_root(name: &str) -> bool {
    CONTAINER_ROOTS.contains(&name)
        || KINDS.iter().any(|k| {
            k.at.iter().any(|at| {
                at.strip_prefix('/')
                    .is_some_and(|a| a.split('/').next() == Some(name))
            })
        })
}

/// Lines that start a conflict region (git's markers, any size of 7 or more).
pub fn has_conflict_markers(text: &str) -> bool {
    let bytes = text.as_bytes();
    [&b"<<<<<<<"[..], &b">>>>>>>"[..]].iter().any(|marker| {
        memchr::memmem::find_iter(bytes, marker).any(|at| {
            let line_start = at == 0 || bytes[at - 1] == b'\n';
            let after = bytes[at..].iter().find(|&&b| b != b'<' && b != b'>');
            line_start && after.is_none_or(|&b| b == b' ' || b == b'\r' || b == b'\n')
        })
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
    merge_owned(
        base.map(<[u8]>::to_vec),
        ours.to_vec(),
        theirs.to_vec(),
        opts,
    )
}

/// [`merge_files`] on owned buffers: large inputs move into the parsed documents instead
/// of being copied (a 100 MB merge holds each input once).
pub fn merge_owned(
    base: Option<Vec<u8>>,
    ours: Vec<u8>,
    theirs: Vec<u8>,
    opts: &MergeOptions,
) -> MergeOutcome {
    // The merge laws, byte for byte, before anything can reformat.
    if !opts.no_shortcuts {
        if ours == theirs || base.as_deref() == Some(&theirs[..]) {
            return clean(ours);
        }
        if base.as_deref() == Some(&ours[..]) {
            return clean(theirs);
        }
    }
    // A base that is there but empty is git's stand-in for "added on both sides".
    let base = base.filter(|b| !b.is_empty());
    if let Some(outcome) = merge_reencoded(base.as_deref(), &ours, &theirs, opts) {
        return outcome;
    }
    let valid = base
        .as_deref()
        .is_none_or(|b| std::str::from_utf8(b).is_ok())
        && std::str::from_utf8(&ours).is_ok()
        && std::str::from_utf8(&theirs).is_ok();
    if !valid {
        return line::keep_ours(&ours, "an input is not valid UTF-8");
    }
    let text = |b: Vec<u8>| String::from_utf8(b).expect("validated above");
    let (base, ours, theirs) = (base.map(text), text(ours), text(theirs));
    if let Some(why) = &opts.line_only {
        return line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, why);
    }
    if json::looks_like_json(&ours) {
        return json::merge(base.as_deref(), &ours, &theirs, opts).unwrap_or_else(|why| {
            line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, &why)
        });
    }
    match structured(base, ours, theirs, opts) {
        Ok(outcome) => outcome,
        Err((why, base, ours, theirs)) => {
            let why = match why {
                Unstructured::Timeout => format!(
                    "the structured merge passed its time limit of {:?}",
                    opts.timeout
                ),
                Unstructured::Reason(why) => why,
            };
            line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, &why)
        }
    }
}

/// Files saved as UTF-16 (flow definitions from some tools are), on any side: each side is
/// decoded from its own encoding (UTF-16 or UTF-8, with or without a byte order mark), the
/// texts are merged, and the result is written back in ours' encoding. `None` when no side
/// is UTF-16 (the ordinary path) or a side cannot be decoded.
fn merge_reencoded(
    base: Option<&[u8]>,
    ours: &[u8],
    theirs: &[u8],
    opts: &MergeOptions,
) -> Option<MergeOutcome> {
    let sides = [base.unwrap_or_default(), ours, theirs];
    if !sides.iter().any(|s| TextEncoding::utf16_bom(s).is_some()) {
        return None;
    }
    let (o, encoding) = decode_text(ours)?;
    let (t, _) = decode_text(theirs)?;
    let b = match base {
        Some(b) => Some(decode_text(b)?.0),
        None => None,
    };
    let mut inner = merge_owned(
        b.map(String::into_bytes),
        o.into_bytes(),
        t.into_bytes(),
        opts,
    );
    let text = String::from_utf8_lossy(&inner.bytes);
    inner.bytes = encode_text(&text, encoding);
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
    base: Option<String>,
    ours: String,
    theirs: String,
    opts: &MergeOptions,
) -> Result<MergeOutcome, (Unstructured, Option<String>, String, String)> {
    let not_xml = [("ours", &ours), ("theirs", &theirs)]
        .into_iter()
        .find_map(|(side, text)| {
            let first = text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next();
            (first != Some('<')).then(|| format!("{side} is not XML"))
        });
    let marked = [
        ("base", base.as_deref()),
        ("ours", Some(&ours[..])),
        ("theirs", Some(&theirs[..])),
    ]
    .into_iter()
    .find_map(|(side, text)| {
        text.is_some_and(has_conflict_markers)
            .then(|| format!("{side} already holds conflict markers"))
    });
    if let Some(why) = not_xml.or(marked) {
        return Err((Unstructured::Reason(why), base, ours, theirs));
    }
    let deadline = Instant::now() + opts.timeout;
    let parse = |text: String, side: &str| -> Result<Document, (String, String)> {
        Document::try_parse(text, side).map_err(|(e, text): (XmlError, String)| {
            (
                format!(
                    "{side} is not well-formed XML ({}:{}: {})",
                    e.line, e.column, e.message
                ),
                text,
            )
        })
    };
    // Parse the sides in parallel: on large files this is most of the work.
    let base = base.filter(|b| !b.trim().is_empty());
    let ((b, o), t) = rayon::join(
        || rayon::join(|| base.map(|b| parse(b, "base")), || parse(ours, "ours")),
        || parse(theirs, "theirs"),
    );
    // Any failure hands every text back for the line merge.
    let back = |d: Result<Document, (String, String)>| -> (Option<String>, String) {
        match d {
            Ok(doc) => (None, doc.into_text()),
            Err((why, text)) => (Some(why), text),
        }
    };
    let (b, o, t) = match (b.transpose(), o, t) {
        (Ok(b), Ok(o), Ok(t)) => (b, o, t),
        (b, o, t) => {
            let (wb, tb) = match b {
                Ok(Some(doc)) => (None, Some(doc.into_text())),
                Ok(None) => (None, None),
                Err((why, text)) => (Some(why), Some(text)),
            };
            let ((wo, to), (wt, tt)) = (back(o), back(t));
            let why = wo.or(wt).or(wb).unwrap_or_default();
            return Err((Unstructured::Reason(why), tb, to, tt));
        }
    };
    let give_back = |why,
                     b: Option<Document>,
                     o: Document,
                     t: Document|
     -> (Unstructured, Option<String>, String, String) {
        (
            why,
            b.map(Document::into_text),
            o.into_text(),
            t.into_text(),
        )
    };
    let foreign = [("ours", &o), ("theirs", &t)]
        .into_iter()
        .find_map(|(side, doc)| {
            let root = doc.root().map(|r| doc.name(r)).unwrap_or_default();
            (!is_solution_root(root))
                .then(|| format!("{side} is not a solution file (root element <{root}>)"))
        });
    if let Some(why) = foreign {
        return Err(give_back(Unstructured::Reason(why), b, o, t));
    }
    match tree::merge_documents(b.as_ref(), &o, &t, opts, deadline) {
        Ok(outcome) => Ok(outcome),
        Err(why) => Err(give_back(why, b, o, t)),
    }
}
