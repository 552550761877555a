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
//! saying why. One exception for markers: a base holding them is git's virtual base of a
//! criss-cross history, and is merged structurally against both of its readings when the
//! result does not depend on the reading ([`merge_owned`]).

pub mod json;
pub mod line;
mod moves;
pub mod package;
pub mod rules;
pub mod run;
mod tree;
mod yaml;

use crate::input::{TextEncoding, decode_text, encode_text, looks_like_json};
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
    /// Check a clean result as `soltree check` does, and report what the merge broke as
    /// conflicts (the runs do this: [`run`] and the git driver; `--no-check` turns it off).
    pub check_result: bool,
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
            check_result: true,
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
    /// Both sides moved the same part (a form field, a section, a site map subarea) to
    /// different places.
    BothMoved,
    /// The line-based fallback could not combine a region.
    Lines,
    /// The result combines both sides without a conflict, but `soltree check` finds an error
    /// in it that neither side had (Dataverse would refuse it at import).
    InvalidResult,
}

/// One conflict, as listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

impl Unstructured {
    /// The reason, in words, that the line merge's note gives.
    fn explain(self, timeout: Duration) -> String {
        match self {
            Unstructured::Timeout => timed_out(timeout),
            Unstructured::Reason(why) => why,
        }
    }
}

/// Why a merge that ran out of time fell back to lines.
fn timed_out(timeout: Duration) -> String {
    format!("the structured merge passed its time limit of {timeout:?}")
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
    crate::input::conflict_marker_line(text).is_some()
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
///
/// A base with conflict markers is what git passes for a criss-cross history (two merge
/// bases, merged into a virtual one, with markers where they disagreed): see
/// [`merge_over_virtual_base`].
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
    if let Some(why) = unreadable_side(base.as_deref(), &ours, &theirs) {
        return line::keep_ours(&ours, &why);
    }
    if let Some(outcome) = merge_reencoded(base.as_deref(), &ours, &theirs, opts) {
        return outcome;
    }
    let text = |b: Vec<u8>| String::from_utf8(b).expect("checked by unreadable_side");
    let utf8 = TextEncoding::Utf8 { bom: false };
    merge_texts(base.map(text), text(ours), text(theirs), utf8, opts)
}

/// Whether a merge is of a YAML layout file: by its path (git's `%P`, `--path`), or,
/// without one, by ours reading as a YAML mapping.
fn is_yaml_file(path: Option<&str>, ours: &str) -> bool {
    match path {
        Some(p) => crate::input::yaml::is_yaml_name(p),
        None => {
            let first = ours
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next();
            !matches!(first, Some('<' | '{' | '[') | None)
                && crate::yaml::Document::parse(ours, "ours").is_ok_and(|d| d.mapping().is_some())
        }
    }
}

/// Why a side cannot be read as text, if one cannot: UTF-16 without a byte order mark (read
/// as UTF-8 it would merge into garbage), or bytes that are neither UTF-8 nor UTF-16 with a
/// BOM. Such a merge keeps ours whole, as a conflict.
pub fn unreadable_side(base: Option<&[u8]>, ours: &[u8], theirs: &[u8]) -> Option<String> {
    let sides = [
        ("base", base),
        ("ours", Some(ours)),
        ("theirs", Some(theirs)),
    ];
    let sides = sides.iter().filter_map(|(n, d)| d.map(|d| (*n, d)));
    for (name, data) in sides {
        if TextEncoding::utf16_without_bom(data).is_some() {
            return Some(format!(
                "{name} is UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a BOM"
            ));
        }
        let readable = match TextEncoding::utf16_bom(data) {
            Some(_) => decode_text(data).is_some(),
            None => std::str::from_utf8(data).is_ok(),
        };
        if !readable {
            return Some(format!(
                "{name} is not text (UTF-8, or UTF-16 with a byte-order mark)"
            ));
        }
    }
    None
}

/// The merge of three decoded texts, which will be written in `encoding` (ours'): JSON
/// merges as JSON, XML structurally, the rest (and whatever the structured merges cannot
/// take) line by line.
fn merge_texts(
    base: Option<String>,
    ours: String,
    theirs: String,
    encoding: TextEncoding,
    opts: &MergeOptions,
) -> MergeOutcome {
    // A file with CR-only line ends (old Mac style) is one long line to every line-based
    // step: merge it in LF and give the result ours' CRs back. The first side with line
    // ends at all decides (a one-line ours says nothing).
    let breaks = |t: &str| t.contains('\r') || t.contains('\n');
    let styled = [Some(&ours), Some(&theirs), base.as_ref()]
        .into_iter()
        .flatten()
        .find(|t| breaks(t));
    if styled.is_some_and(|t| !t.contains('\n')) {
        let lf = |t: String| t.replace("\r\n", "\n").replace('\r', "\n");
        let mut outcome = merge_texts(base.map(lf), lf(ours), lf(theirs), encoding, opts);
        let text = String::from_utf8(std::mem::take(&mut outcome.bytes)).expect("merged text");
        outcome.bytes = text.replace('\n', "\r").into_bytes();
        return outcome;
    }
    let base = present(base);
    if let Some(why) = &opts.line_only {
        return line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, why);
    }
    // One time limit for everything structured, however many attempts it takes.
    let deadline = Instant::now() + opts.timeout;
    if let Some(outcome) = base
        .as_deref()
        .filter(|b| has_conflict_markers(b))
        .and_then(|b| merge_over_virtual_base(b, &ours, &theirs, encoding, opts, deadline))
    {
        return outcome;
    }
    if is_yaml_file(opts.path.as_deref(), &ours) {
        return yaml::merge(base.as_deref(), &ours, &theirs, opts, deadline).unwrap_or_else(
            |why| line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, &why),
        );
    }
    if looks_like_json(&ours) {
        return json::merge(base.as_deref(), &ours, &theirs, opts, deadline).unwrap_or_else(
            |why| line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, &why),
        );
    }
    match structured(base, ours, theirs, encoding, opts, deadline) {
        Ok(outcome) => outcome,
        Err((why, base, ours, theirs)) => {
            let why = why.explain(opts.timeout);
            line::merge(base.as_deref().unwrap_or(""), &ours, &theirs, opts, &why)
        }
    }
}

/// Files saved as UTF-16 (flow definitions from some tools are, and XML re-saved by an
/// editor), on any side: each side is decoded from its own encoding (UTF-16 or UTF-8, with
/// or without a byte order mark), the texts are merged, and the result is written back in
/// ours' encoding. An XML declaration in base or theirs is made to name ours' encoding first,
/// so whichever declaration the merge keeps tells the truth about the bytes written. `None`
/// when no side is UTF-16 (the ordinary path).
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
    let (mut t, t_encoding) = decode_text(theirs)?;
    let mut b = match base {
        Some(b) => Some(decode_text(b)?),
        None => None,
    };
    let same_family = |e: TextEncoding| {
        matches!(e, TextEncoding::Utf16 { .. }) == matches!(encoding, TextEncoding::Utf16 { .. })
    };
    // Ours' own spelling of its encoding, unless ours' declaration is itself untrue.
    let ours_label = crate::xml::declared_encoding_span(&o)
        .map(|span| o[span].to_string())
        .filter(|label| same_family(label_family(label)))
        .unwrap_or_else(|| encoding_label(encoding).to_string());
    if !same_family(t_encoding) {
        declare_encoding(&mut t, &ours_label);
    }
    if let Some((text, e)) = &mut b
        && !same_family(*e)
    {
        declare_encoding(text, &ours_label);
    }
    // The texts come without byte order marks; ours' comes back with its encoding. A text
    // that still starts with one had two: the structured merges would keep it as layout, so
    // such a merge goes line by line.
    let second_bom = [Some(&o), Some(&t), b.as_ref().map(|(text, _)| text)]
        .into_iter()
        .flatten()
        .any(|text| text.starts_with('\u{feff}'));
    let line_only;
    let opts = if second_bom && opts.line_only.is_none() {
        line_only = MergeOptions {
            line_only: Some("a side starts with a second byte-order mark".into()),
            ..opts.clone()
        };
        &line_only
    } else {
        opts
    };
    let mut inner = merge_texts(b.map(|(text, _)| text), o, t, encoding, opts);
    let text = String::from_utf8_lossy(&inner.bytes);
    inner.bytes = encode_text(&text, encoding);
    Some(inner)
}

/// The family of encoding a declaration's label names (UTF-8 for anything not UTF-16).
fn label_family(label: &str) -> TextEncoding {
    let label = label.trim().to_ascii_lowercase();
    if label.starts_with("utf-16") || matches!(label.as_str(), "utf16" | "ucs-2" | "unicode") {
        TextEncoding::Utf16 {
            little_endian: true,
        }
    } else {
        TextEncoding::Utf8 { bom: false }
    }
}

/// The name an XML declaration gives an encoding.
fn encoding_label(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 { .. } => "utf-8",
        TextEncoding::Utf16 { .. } => "utf-16",
    }
}

/// Rewrites the `encoding` of the XML declaration that opens `text`, if it has one.
fn declare_encoding(text: &mut String, label: &str) {
    if let Some(span) = crate::xml::declared_encoding_span(text) {
        text.replace_range(span, label);
    }
}

/// A base that is there but blank (maybe a byte order mark) is git's stand-in for "added on
/// both sides": no base.
fn present(base: Option<String>) -> Option<String> {
    base.filter(|b| !b.trim_start_matches('\u{feff}').trim().is_empty())
}

fn clean(bytes: Vec<u8>) -> MergeOutcome {
    MergeOutcome {
        bytes,
        conflicts: Vec::new(),
        decisions: Vec::new(),
        fallback: None,
    }
}

/// A base holding conflict markers, from git's virtual base of a criss-cross history: its
/// conflicted regions are where the two merge bases disagreed, so neither reading of them
/// (every region resolved to its first side, or to its second) is the true base. The
/// structured merge runs against both readings, and its result is taken only when it does
/// not depend on the reading: the sides resolved those regions alike, or left them to a real
/// conflict either way. Otherwise `None`, and the line merge over the marked base conflicts
/// there, as git's own merge does, instead of quietly taking one merge base's side.
fn merge_over_virtual_base(
    base: &str,
    ours: &str,
    theirs: &str,
    encoding: TextEncoding,
    opts: &MergeOptions,
    deadline: Instant,
) -> Option<MergeOutcome> {
    if has_conflict_markers(ours) || has_conflict_markers(theirs) {
        return None;
    }
    let (first, second) = marker_readings(base)?;
    let run = |reading: String| {
        let reading = present(Some(reading));
        if looks_like_json(ours) {
            json::merge(reading.as_deref(), ours, theirs, opts, deadline).ok()
        } else {
            structured(
                reading,
                ours.to_owned(),
                theirs.to_owned(),
                encoding,
                opts,
                deadline,
            )
            .ok()
        }
    };
    let by_first = run(first)?;
    let by_second = run(second)?;
    // The same result and the same conflicts either way; a conflict's base may differ (it is
    // where the readings differ), what the sides hold may not.
    let same_sides = |x: &Conflict, y: &Conflict| {
        (&x.path, &x.property, x.reason, &x.ours, &x.theirs)
            == (&y.path, &y.property, y.reason, &y.ours, &y.theirs)
    };
    let agree = by_first.conflicts.len() == by_second.conflicts.len()
        && by_first
            .conflicts
            .iter()
            .zip(&by_second.conflicts)
            .all(|(x, y)| same_sides(x, y));
    (by_first.bytes == by_second.bytes && agree).then_some(by_first)
}

/// The two readings of a text with conflict markers: each region resolved to its first side,
/// and each resolved to its second (a diff3 base section is dropped from both). `None` when
/// the markers do not pair up, or a reading still holds markers (regions nested by a deeper
/// criss-cross, with other marker sizes).
fn marker_readings(text: &str) -> Option<(String, String)> {
    /// Where a line is, by the size of its region's markers.
    enum At {
        Outside,
        First(usize),
        Base(usize),
        Second(usize),
    }
    let mut first = String::with_capacity(text.len());
    let mut second = String::with_capacity(text.len());
    let mut at = At::Outside;
    for line in text.split_inclusive('\n') {
        at = match at {
            At::Outside => match marker_run(line, b'<') {
                Some(n) => At::First(n),
                None => {
                    first.push_str(line);
                    second.push_str(line);
                    At::Outside
                }
            },
            At::First(n) | At::Base(n) if marker_run(line, b'=') == Some(n) => At::Second(n),
            At::First(n) if marker_run(line, b'|') == Some(n) => At::Base(n),
            At::First(n) => {
                first.push_str(line);
                At::First(n)
            }
            At::Base(n) => At::Base(n),
            At::Second(n) if marker_run(line, b'>') == Some(n) => At::Outside,
            At::Second(n) => {
                second.push_str(line);
                At::Second(n)
            }
        };
    }
    let paired = matches!(at, At::Outside);
    (paired && !has_conflict_markers(&first) && !has_conflict_markers(&second))
        .then_some((first, second))
}

/// The size of a conflict marker of `mark` that opens `line`: seven or more of it, then the
/// end of the line, or a space and a label (never after the `=` separator).
fn marker_run(line: &str, mark: u8) -> Option<usize> {
    let bytes = line.as_bytes();
    let n = bytes.iter().take_while(|&&b| b == mark).count();
    let rest = &bytes[n..];
    let ends = matches!(rest, b"" | b"\n" | b"\r\n");
    let labelled = mark != b'=' && rest.first() == Some(&b' ');
    (n >= 7 && (ends || labelled)).then_some(n)
}

/// The structured merge of three XML texts decoded from `encoding` (their declarations, if
/// any, name it).
fn structured(
    base: Option<String>,
    ours: String,
    theirs: String,
    encoding: TextEncoding,
    opts: &MergeOptions,
    deadline: Instant,
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
    let parse = |text: String, side: &str| -> Result<Document, (String, String)> {
        Document::try_parse_stored(text, side, encoding).map_err(|(e, text): (XmlError, String)| {
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
    // Moves across parents are applied to the other documents first (see [`moves`]); the
    // sides' own texts stay for the line merge, should the structured one give up.
    let aligned = b.as_ref().and_then(|b| moves::align(b, &o, &t, encoding));
    let merged = match &aligned {
        None => tree::merge_documents(b.as_ref(), &o, &t, opts, deadline, &[]),
        Some(a) => {
            let [ab, ao, at] = &a.docs;
            tree::merge_documents(
                ab.as_ref().or(b.as_ref()),
                ao.as_ref().unwrap_or(&o),
                at.as_ref().unwrap_or(&t),
                opts,
                deadline,
                &a.contests,
            )
        }
    };
    drop(aligned);
    match merged {
        Ok(outcome) => Ok(outcome),
        Err(why) => Err(give_back(why, b, o, t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An option set whose first option's English label is `label` (a line of its own, or
    /// a conflict region), followed by `more` options.
    fn option_set(label: &str, more: &[u32]) -> String {
        let mut text = String::from(
            "<optionset Name=\"new_priority\">\n  <options>\n    <option value=\"1\">\n      <labels>\n",
        );
        text.push_str(label);
        text.push_str("      </labels>\n    </option>\n");
        for value in more {
            text.push_str(&format!("    <option value=\"{value}\" />\n"));
        }
        text.push_str("  </options>\n</optionset>\n");
        text
    }

    fn label(description: &str) -> String {
        format!("        <label description=\"{description}\" languagecode=\"1033\" />\n")
    }

    /// git's virtual base of a criss-cross history: the two merge bases labelled the option
    /// "High" and "Top", from "Hi" (diff3 style, markers of size 9 as for an inner merge).
    fn virtual_base() -> String {
        option_set(
            &format!(
                "<<<<<<<<< Temporary merge branch 1\n{}||||||||| merged common ancestors\n{}=========\n{}>>>>>>>>> Temporary merge branch 2\n",
                label("High"),
                label("Hi"),
                label("Top")
            ),
            &[],
        )
    }

    #[test]
    fn marker_readings_resolve_every_region_each_way() {
        let (first, second) = marker_readings(&virtual_base()).unwrap();
        assert_eq!(first, option_set(&label("High"), &[]));
        assert_eq!(second, option_set(&label("Top"), &[]));
        // Unpaired or nested markers have no reading.
        assert!(marker_readings("<<<<<<< a\nx\n=======\ny\n").is_none());
        let nested =
            "<<<<<<<<< 1\n<<<<<<< 2\na\n=======\nb\n>>>>>>> 2\n=========\nc\n>>>>>>>>> 2\n";
        assert!(marker_readings(nested).is_none());
        // A separator of another size is content of its region, not the region's end.
        let (first, _) =
            marker_readings("<<<<<<<<< 1\n=======\n=========\nb\n>>>>>>>>> 2\n").unwrap();
        assert_eq!(first, "=======\n");
    }

    #[test]
    fn a_virtual_base_with_markers_merges_structurally_when_its_reading_does_not_matter() {
        let opts = MergeOptions::default();
        // Both sides settled on "High", then each added an option at the same place.
        let ours = option_set(&label("High"), &[2]);
        let theirs = option_set(&label("High"), &[3]);
        let out = merge_files(
            Some(virtual_base().as_bytes()),
            ours.as_bytes(),
            theirs.as_bytes(),
            &opts,
        );
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(out.fallback, None);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            option_set(&label("High"), &[2, 3])
        );
    }

    #[test]
    fn a_virtual_base_with_markers_never_lets_one_reading_win() {
        // Each side kept its own merge base's label: read as "High", theirs changed it; read as
        // "Top", ours did. Neither reading is the base, so this is a conflict.
        let opts = MergeOptions::default();
        let ours = option_set(&label("High"), &[]);
        let theirs = option_set(&label("Top"), &[]);
        let out = merge_files(
            Some(virtual_base().as_bytes()),
            ours.as_bytes(),
            theirs.as_bytes(),
            &opts,
        );
        assert_eq!(out.conflicts.len(), 1, "{:?}", out.conflicts);
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("High") && text.contains("Top"), "{text}");
        assert!(out.fallback.unwrap().contains("conflict markers"));
    }

    #[test]
    fn a_flow_over_a_virtual_base_with_markers_merges_as_json_when_the_reading_does_not_matter() {
        // The merge bases disagreed on `retries`; both sides settled on 3, then each added
        // an action at the end.
        let base = "{\n  \"actions\": {\n    \"Get\": {}\n  },\n<<<<<<<<< Temporary merge branch 1\n  \"retries\": 3\n=========\n  \"retries\": 5\n>>>>>>>>> Temporary merge branch 2\n}\n";
        let side = |action: &str| {
            format!(
                "{{\n  \"actions\": {{\n    \"Get\": {{}},\n    \"{action}\": {{}}\n  }},\n  \"retries\": 3\n}}\n"
            )
        };
        let out = merge_files(
            Some(base.as_bytes()),
            side("Send").as_bytes(),
            side("Post").as_bytes(),
            &MergeOptions::default(),
        );
        assert!(
            out.is_clean() && out.fallback.is_none(),
            "{:?}",
            out.fallback
        );
        let v: serde_json::Value = serde_json::from_slice(&out.bytes).unwrap();
        assert_eq!(v["retries"], 3);
        let actions: Vec<&String> = v["actions"].as_object().unwrap().keys().collect();
        assert_eq!(actions, ["Get", "Send", "Post"]);
        // Sides that kept their own base's value: no reading is the base, so a conflict.
        let other = side("Post").replace("3", "5");
        let out = merge_files(
            Some(base.as_bytes()),
            side("Send").as_bytes(),
            other.as_bytes(),
            &MergeOptions::default(),
        );
        assert!(!out.is_clean());
    }

    /// An option set file with its declaration naming `encoding`, and `more` options.
    fn declared(encoding: &str, more: &[u32]) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n{}",
            option_set(&label("High"), more)
        )
    }

    fn utf16le(text: &str) -> Vec<u8> {
        encode_text(
            text,
            TextEncoding::Utf16 {
                little_endian: true,
            },
        )
    }

    #[test]
    fn a_side_in_utf16_without_a_bom_is_refused_not_mangled() {
        let base = declared("utf-8", &[]);
        let ours = utf16le(&declared("utf-16", &[]));
        // Theirs: an edited copy as UTF-16LE without the BOM.
        let theirs = utf16le(&declared("utf-16", &[2]))[2..].to_vec();
        let out = merge_files(
            Some(base.as_bytes()),
            &ours,
            &theirs,
            &MergeOptions::default(),
        );
        assert!(!out.is_clean());
        assert_eq!(out.bytes, ours, "ours kept whole");
        assert!(
            out.fallback
                .unwrap()
                .contains("theirs is UTF-16 without a byte-order mark")
        );
        // The same for a flow definition.
        let flow = |v: u32| format!("{{\r\n  \"a\": {v}\r\n}}");
        let opts = MergeOptions {
            path: Some("Workflows/FlowA-1234.json".into()),
            ..MergeOptions::default()
        };
        let theirs = utf16le(&flow(2))[2..].to_vec();
        let out = merge_files(Some(flow(1).as_bytes()), &utf16le(&flow(1)), &theirs, &opts);
        assert!(!out.is_clean());
        assert!(out.fallback.unwrap().contains("without a byte-order mark"));
    }

    #[test]
    fn a_side_resaved_as_utf16_merges_into_ours_encoding_and_declaration() {
        let base = declared("utf-8", &[]);
        let ours = declared("utf-8", &[2]);
        let theirs = utf16le(&declared("utf-16", &[3]));
        let opts = MergeOptions::default();
        let out = merge_files(Some(base.as_bytes()), ours.as_bytes(), &theirs, &opts);
        assert!(out.is_clean(), "{:?} {:?}", out.conflicts, out.fallback);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            declared("utf-8", &[2, 3])
        );
        // Ours in UTF-16: the result is UTF-16 and says so, whatever the others declared.
        let ours = utf16le(&declared("utf-16", &[2]));
        let theirs = declared("utf-8", &[3]);
        let out = merge_files(Some(base.as_bytes()), &ours, theirs.as_bytes(), &opts);
        assert!(out.is_clean(), "{:?} {:?}", out.conflicts, out.fallback);
        assert_eq!(out.bytes, utf16le(&declared("utf-16", &[2, 3])));
        // Theirs, also UTF-16, spelled its declaration another way: a change of theirs that
        // still tells the truth.
        let theirs = utf16le(&declared("UTF-16", &[]));
        let out = merge_files(Some(base.as_bytes()), ours.as_slice(), &theirs, &opts);
        assert!(out.is_clean());
        assert_eq!(out.bytes, utf16le(&declared("UTF-16", &[2])));
    }

    #[test]
    fn cr_only_files_keep_their_line_ends() {
        let cr = |t: String| t.replace('\n', "\r");
        let base = cr(option_set(&label("High"), &[]));
        let ours = cr(option_set(&label("High"), &[2]));
        // Theirs re-saved with LF and an option added.
        let theirs = option_set(&label("Top"), &[]);
        let out = merge_files(
            Some(base.as_bytes()),
            ours.as_bytes(),
            theirs.as_bytes(),
            &MergeOptions::default(),
        );
        assert!(out.is_clean(), "{:?} {:?}", out.conflicts, out.fallback);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            cr(option_set(&label("Top"), &[2]))
        );
        // A line-merged CR-only file is merged by lines too, and stays CR-only.
        let opts = MergeOptions {
            line_only: Some("test".into()),
            ..MergeOptions::default()
        };
        let out = merge_files(Some(b"a\rb\rc\r"), b"A\rb\rc\r", b"a\nb\nC\n", &opts);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(out.bytes, b"A\rb\rC\r");
        // A one-line ours says nothing: theirs' CRs decide, markers included.
        let out = merge_files(Some(b"a"), b"b", b"x\rc", &opts);
        assert!(
            !out.bytes.contains(&b'\n'),
            "{:?}",
            String::from_utf8_lossy(&out.bytes)
        );
    }
}
