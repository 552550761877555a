//! The oracles: what must hold whatever the input. Each target drives soltree in process
//! and returns [`Failure`]s, each with an oracle name, a shape (what kind of failure, in
//! words that do not depend on the particular input, so findings de-duplicate) and the
//! particulars.
//!
//! - show: a package that builds has no character XML forbids (soltree must refuse those),
//!   every XML entry writes back byte for byte, the inventory renders, its JSON parses;
//! - normalize: only elements move (the bytes of each entry are a permutation of the
//!   input's), the output reads back, normalize of it is identical (idempotent), keeps
//!   every component, diffs empty against the input, and does not depend on the order of
//!   set members;
//! - diff: diff(x, x) is empty, "differs" is symmetric, all four renders work, equal normal
//!   forms diff empty;
//! - merge: the four merge laws byte for byte (with and without the byte-equality shortcuts);
//!   a clean merge of well-formed XML (or valid JSON) inputs is well-formed in the encoding it
//!   declares and, when all inputs share one, in that encoding; inputs with one newline style
//!   give a result in it; conflicts come with markers of the asked size and a clean result
//!   has none; no `xsi:nil="true"` element with content unless an input had one; the same
//!   merge twice gives the same bytes;
//! - package merge: the laws on entry lists, nothing added or kept by a side is lost, no
//!   duplicate entries, and every merged entry passes the merge oracles;
//! - zip: what the reader accepts has safe, unique (ignoring case) entry names, reads back
//!   as written, and passes show's oracles;
//! - cli: whole command lines end in the exit codes of the contract, write nothing on an
//!   error, and agree with the library.

use crate::harness::{self, Quiet};
use crate::package::{duplicate_names, unsafe_name, write_zip};
use crate::plan::{Case, CliCommand, EntriesTriple, FileTriple, Subject, Target};
use crate::text::{self, Encoding, Format, Newlines};
use fastrand::Rng;
use soltree::cli::Cli;
use soltree::diff::diff;
use soltree::input::{self, Entry, Limits, Package, PackageForm};
use soltree::merge::package::{CONTENT_TYPES, Resolution, merge_packages};
use soltree::merge::run::check_file_result;
use soltree::merge::{ConflictStyle, MergeOptions, MergeOutcome, merge_files};
use soltree::model::kinds::ListOrder;
use soltree::model::{Classifier, ComponentTree, Part, is_xml_entry};
use soltree::normalize::normalize;
use soltree::xml::{Document, NodeId};
use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One oracle that did not hold.
#[derive(Clone, Debug)]
pub struct Failure {
    pub oracle: &'static str,
    pub shape: String,
    pub detail: String,
}

fn fail(oracle: &'static str, shape: impl Into<String>, detail: impl Into<String>) -> Failure {
    Failure {
        oracle,
        shape: shape.into(),
        detail: detail.into(),
    }
}

/// The oracle of law breaches that only change layout with the shortcuts off.
pub const LAYOUT_NOTE: &str = "law-layout-note";

/// Oracles that report what is worth knowing but is by design: they do not fail a run.
pub fn is_note(oracle: &str) -> bool {
    oracle == LAYOUT_NOTE
}

/// What the checks need besides the case.
pub struct Env {
    pub limits: Limits,
    /// A private scratch folder (zips and command lines need files).
    pub work: PathBuf,
}

/// Runs the oracles of `target` on `case`.
pub fn check(target: Target, case: &Case, knobs: u64, env: &Env) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut rng = Rng::with_seed(knobs);
    match (target, case) {
        (Target::Show, Case::Single(s)) => check_show(s, &mut out),
        (Target::Normalize, Case::Single(s)) => check_normalize(s, &mut rng, &mut out),
        (Target::Convert, Case::Single(s)) => check_convert(s, &mut out),
        (Target::Diff, Case::Pair(a, b)) => check_diff(a, b, &mut out),
        (Target::Merge, Case::Merge(t)) => check_merge(t, &mut rng, &mut out),
        (Target::PackageMerge, Case::PackageMerge(t)) => check_package_merge(t, &mut rng, &mut out),
        (Target::Zip, Case::Zip { bytes, written }) => {
            check_zip(bytes, written.as_deref(), env, &mut out)
        }
        (Target::Cli, Case::Cli(command, inner)) => {
            check_cli(*command, inner, &mut rng, env, &mut out)
        }
        _ => out.push(fail(
            "harness",
            "case does not fit its target",
            format!("{target:?}"),
        )),
    }
    out
}

/// [`check`] with panics caught: a panic is a finding like any other, located by file and
/// line (so one bug is one finding), and so is a panic soltree caught itself.
pub fn run(target: Target, case: &Case, knobs: u64, env: &Env) -> Vec<Failure> {
    match harness::guarded(|| check(target, case, knobs, env)) {
        Ok(mut found) => {
            if let Some(p) = harness::take_recorded_panic() {
                found.push(panic_failure(&p, true));
            }
            found
        }
        Err(p) => vec![panic_failure(&p, false)],
    }
}

fn panic_failure(p: &harness::Panic, caught_inside: bool) -> Failure {
    // The last three components of the path: `src/merge/tree.rs:120` or a dependency's.
    let parts: Vec<&str> = p.location.rsplit('/').take(3).collect();
    let location: Vec<&str> = parts.into_iter().rev().collect();
    let how = if caught_inside {
        "caught inside soltree, "
    } else {
        ""
    };
    fail(
        "panic",
        format!("{how}at {}", location.join("/")),
        format!(
            "{}
  at {}
{}",
            p.message,
            p.location,
            harness::short_backtrace(&p.backtrace)
        ),
    )
}

/// A message's shape: digits and quoted particulars taken out, so one kind of failure on
/// different inputs reads the same.
pub fn shape(msg: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in msg.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if matches!(c, '`' | '"' | '\'') => {
                out.push(c);
                quote = Some(c);
            }
            None if c.is_ascii_digit()
                && !out.ends_with(|p: char| p.is_ascii_alphabetic() || p == '-')
                && !(out.ends_with(|p: char| p.is_ascii_digit())) =>
            {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            None if c.is_ascii_digit() && out.ends_with('#') => {}
            None => out.push(c),
        }
    }
    out.chars().take(120).collect()
}

/// Where two byte strings first differ, with a little of each around it.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let around = |s: &[u8]| {
        let from = at.saturating_sub(60);
        let to = (at + 60).min(s.len());
        format!("{:?}", String::from_utf8_lossy(&s[from.min(to)..to]))
    };
    format!(
        "lengths {} and {}; first difference at byte {at}:\n  expected: {}\n  got:      {}",
        a.len(),
        b.len(),
        around(a),
        around(b)
    )
}

fn head(bytes: &[u8]) -> String {
    format!(
        "{:?}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    )
}

/// "xml utf-8" and the like, for shapes.
fn kind_of(data: &[u8]) -> String {
    let format = match Format::sniff(data) {
        Format::Xml => "xml",
        Format::Json => "json",
        Format::Other => "other",
    };
    format!("{format} {}", text::detect(data).name())
}

// ---------------------------------------------------------------------------------------
// show

fn package_of(s: &Subject) -> Package {
    match s {
        Subject::File { name, data } => Package {
            form: PackageForm::XmlFile,
            source: PathBuf::from(name),
            entries: vec![Entry {
                path: name.clone(),
                data: data.clone(),
            }],
        },
        Subject::Package { form, entries } => Package {
            form: *form,
            source: PathBuf::from("fuzz"),
            entries: entries.clone(),
        },
    }
}

/// A character XML forbids in an XML entry of a package that soltree accepted.
fn accepted_forbidden_chars(pkg: &Package, out: &mut Vec<Failure>) {
    for e in &pkg.entries {
        if !is_xml_entry(&e.path, pkg.form) {
            continue;
        }
        let Some((t, _)) = text::decode(&e.data) else {
            continue;
        };
        if t.starts_with('\u{feff}') {
            out.push(fail(
                "accepts-invalid-xml",
                "a second byte order mark accepted",
                format!(
                    "{}: starts with two byte order marks and was read without an error",
                    e.path
                ),
            ));
            return;
        }
        if let Some((at, c)) = text::illegal_xml_char(&t) {
            let class = match c {
                0 => "NUL",
                1..=0x1F => "C0 control",
                0xD800..=0xDFFF => "surrogate",
                _ => "noncharacter",
            };
            let how = if t[at..].starts_with("&#") {
                "as a character reference"
            } else {
                "raw"
            };
            let (line, col) = soltree::xml::line_column(&t, at);
            out.push(fail(
                "accepts-invalid-xml",
                format!("forbidden character accepted ({how})"),
                format!(
                    "{}:{line}:{col}: U+{c:04X} ({class}, {how}) was read without an error",
                    e.path
                ),
            ));
            return;
        }
    }
}

fn check_show(s: &Subject, out: &mut Vec<Failure>) {
    let pkg = package_of(s);
    let Ok(tree) = ComponentTree::build(pkg.clone()) else {
        return;
    };
    accepted_forbidden_chars(&pkg, out);
    for (entry, model) in pkg.entries.iter().zip(&tree.entries) {
        if let Part::Xml(doc) = &model.part {
            let mut written = Vec::new();
            doc.write_to(&mut written);
            // Read from UTF-16, a document's text is UTF-8: stored again as it was read.
            let written = match model.encoding {
                soltree::input::TextEncoding::Utf8 { .. } => written,
                utf16 => soltree::input::encode_xml(&String::from_utf8_lossy(&written), utf16),
            };
            if written != entry.data {
                out.push(fail(
                    "roundtrip",
                    "an XML entry does not write back byte for byte",
                    format!(
                        "{}: {}",
                        entry.path,
                        first_difference(&entry.data, &written)
                    ),
                ));
            }
        }
    }
    let inv = soltree::show::inventory(&tree);
    let mut buf = Vec::new();
    if let Err(e) = soltree::show::render_text(&inv, &mut buf) {
        out.push(fail("render", "show text fails", e.to_string()));
    }
    buf.clear();
    match soltree::show::render_json(&inv, &mut buf) {
        Err(e) => out.push(fail("render", "show json fails", e.to_string())),
        Ok(()) => {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&buf) {
                out.push(fail("render", "show json is not JSON", e.to_string()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// normalize

fn byte_counts(data: &[u8]) -> [usize; 256] {
    let mut c = [0usize; 256];
    for &b in data {
        c[b as usize] += 1;
    }
    c
}

fn paths(tree: &ComponentTree) -> Vec<String> {
    let mut v: Vec<String> = tree.components.iter().map(|c| c.path.clone()).collect();
    v.sort();
    v
}

fn check_normalize(s: &Subject, rng: &mut Rng, out: &mut Vec<Failure>) {
    let pkg = package_of(s);
    let Ok(tree) = ComponentTree::build(pkg.clone()) else {
        return;
    };
    let first = normalize(&tree);
    for (a, b) in pkg.entries.iter().zip(&first.entries) {
        if a.path != b.path || byte_counts(&a.data) != byte_counts(&b.data) {
            out.push(fail(
                "normalize-changes-bytes",
                "normalize did more than move elements",
                format!("{}: {}", a.path, first_difference(&a.data, &b.data)),
            ));
        }
    }
    let again = match ComponentTree::build(first.clone()) {
        Ok(t) => t,
        Err(e) => {
            out.push(fail(
                "normalize-unreadable",
                shape(&e.to_string()),
                e.to_string(),
            ));
            return;
        }
    };
    let second = normalize(&again);
    if let Some((a, b)) = first
        .entries
        .iter()
        .zip(&second.entries)
        .find(|(a, b)| a != b)
    {
        out.push(fail(
            "normalize-not-idempotent",
            "normalize of normalize's output differs",
            format!("{}: {}", a.path, first_difference(&a.data, &b.data)),
        ));
    }
    let (before, after) = (paths(&tree), paths(&again));
    if before != after {
        let lost: Vec<&String> = before
            .iter()
            .filter(|p| !after.contains(p))
            .take(5)
            .collect();
        let gained: Vec<&String> = after
            .iter()
            .filter(|p| !before.contains(p))
            .take(5)
            .collect();
        out.push(fail(
            "normalize-changes-components",
            "normalize changed the component list",
            format!(
                "{} → {} components; lost {lost:?}; gained {gained:?}",
                before.len(),
                after.len()
            ),
        ));
    }
    let report = diff(&tree, &again);
    if report.has_differences() {
        let mut rendered = Vec::new();
        let _ = soltree::render::text::render(&report, &mut rendered);
        let rendered: String = String::from_utf8_lossy(&rendered)
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n");
        out.push(fail(
            "normalize-changes-meaning",
            "diff of a package and its normal form is not empty",
            rendered,
        ));
    }
    if let Some(shuffled) = swap_set_members(&pkg, rng)
        && let Ok(t) = ComponentTree::build(shuffled)
    {
        let third = normalize(&t);
        if let Some((a, b)) = first
            .entries
            .iter()
            .zip(&third.entries)
            .find(|(a, b)| a != b)
        {
            out.push(fail(
                "normalize-order-dependent",
                "normalize depends on the order of set members",
                format!("{}: {}", a.path, first_difference(&a.data, &b.data)),
            ));
        }
    }
}

/// The package with two members of one unordered list (by soltree's kinds table) swapped.
fn swap_set_members(pkg: &Package, rng: &mut Rng) -> Option<Package> {
    let xml: Vec<usize> = (0..pkg.entries.len())
        .filter(|&i| is_xml_entry(&pkg.entries[i].path, pkg.form))
        .collect();
    let i = *xml.get(rng.usize(..xml.len().max(1)))?;
    let t = String::from_utf8(pkg.entries[i].data.clone()).ok()?;
    let doc = Document::parse(t.clone(), "fuzz").ok()?;
    let classifier = Classifier::new(&doc);
    let mut lists: Vec<Vec<NodeId>> = Vec::new();
    let mut stack: Vec<NodeId> = doc.root().into_iter().collect();
    while let Some(p) = stack.pop() {
        let members: Vec<NodeId> = doc
            .elements(p)
            .filter(|&c| {
                classifier
                    .classify(c)
                    .is_some_and(|k| k.order == ListOrder::Set)
            })
            .collect();
        if members.len() >= 2 {
            lists.push(members);
        }
        stack.extend(doc.elements(p));
    }
    let list = lists.get(rng.usize(..lists.len().max(1)))?;
    let (x, y) = (rng.usize(..list.len()), rng.usize(..list.len()));
    if x == y {
        return None;
    }
    let (a, b) = (list[x.min(y)], list[x.max(y)]);
    let (sa, sb) = (doc.span(a), doc.span(b));
    let swapped = format!(
        "{}{}{}{}{}",
        &t[..sa.start],
        doc.raw(b),
        &t[sa.end..sb.start],
        doc.raw(a),
        &t[sb.end..]
    );
    let mut out = pkg.clone();
    out.entries[i].data = swapped.into_bytes();
    Some(out)
}

// ---------------------------------------------------------------------------------------
// diff

/// `convert --to packager` and back, from either side. A package may be refused; one
/// that converts must read as the same solution in the other form, convert back to the same
/// solution, and that must convert to the same files again: a zip or folder goes to a
/// SolutionPackager folder and back, a SolutionPackager folder to a zip and back.
fn check_convert(s: &Subject, out: &mut Vec<Failure>) {
    use soltree::convert::{Target as To, convert};
    let pkg = package_of(s);
    let (there, back) = match pkg.form {
        PackageForm::Zip | PackageForm::ExtractedFolder => (To::Packager, To::Zip),
        PackageForm::PackagerFolder => (To::Zip, To::Packager),
        _ => return,
    };
    let Ok(tree) = ComponentTree::build(pkg) else {
        return;
    };
    let Ok(first) = convert(&tree, there) else {
        return;
    };
    let described = |report: &soltree::diff::DiffReport| {
        let mut buf = Vec::new();
        let _ = soltree::render::text::render(report, &mut buf);
        String::from_utf8_lossy(&buf)
            .chars()
            .take(3000)
            .collect::<String>()
    };
    let build = |p: Package, out: &mut Vec<Failure>| match ComponentTree::build(p) {
        Ok(t) => Some(t),
        // A file nested near the reader's depth limit gets deeper inside customizations.xml:
        // the limit, not a conversion fault.
        Err(e) if e.to_string().contains("nested deeper than") => None,
        Err(e) => {
            out.push(fail(
                "convert-unreadable",
                shape(&e.to_string()),
                e.to_string(),
            ));
            None
        }
    };
    let Some(converted) = build(first.clone(), out) else {
        return;
    };
    let report = diff(&tree, &converted);
    if report.has_differences() {
        out.push(fail(
            "convert-changes",
            format!("the package as {} is not the same solution", first.form),
            described(&report),
        ));
        return;
    }
    let returned = match convert(&converted, back) {
        Ok(p) => p,
        Err(e) => {
            out.push(fail(
                "convert-no-return",
                shape(&e.to_string()),
                e.to_string(),
            ));
            return;
        }
    };
    let Some(returned) = build(returned, out) else {
        return;
    };
    let report = diff(&tree, &returned);
    if report.has_differences() {
        out.push(fail(
            "convert-return-changes",
            "the package converted there and back is not the same solution",
            described(&report),
        ));
        return;
    }
    match convert(&returned, there) {
        Ok(again) if again.entries == first.entries => {}
        Ok(again) => {
            let (a, b) = first
                .entries
                .iter()
                .zip(&again.entries)
                .find(|(a, b)| a != b)
                .unwrap_or((&first.entries[0], &again.entries[0]));
            out.push(fail(
                "convert-not-stable",
                "converted there, back and there again, the files differ",
                format!(
                    "{} / {}: {}",
                    a.path,
                    b.path,
                    first_difference(&a.data, &b.data)
                ),
            ));
        }
        Err(e) => out.push(fail(
            "convert-not-stable",
            shape(&e.to_string()),
            e.to_string(),
        )),
    }
}

fn check_diff(old: &Subject, new: &Subject, out: &mut Vec<Failure>) {
    let (Ok(a), b) = (
        ComponentTree::build(package_of(old)),
        ComponentTree::build(package_of(new)),
    ) else {
        return;
    };
    if diff(&a, &a).has_differences() {
        out.push(fail("diff-self", "diff(x, x) is not empty", String::new()));
    }
    let Ok(b) = b else { return };
    let forward = diff(&a, &b);
    let backward = diff(&b, &a);
    if forward.has_differences() != backward.has_differences() {
        out.push(fail(
            "diff-asymmetric",
            "x differs from y but y does not differ from x",
            format!(
                "diff(old, new) differs: {}; diff(new, old) differs: {}",
                forward.has_differences(),
                backward.has_differences()
            ),
        ));
    }
    type Render = fn(&soltree::diff::DiffReport, &mut dyn std::io::Write) -> std::io::Result<()>;
    let renders: [(&str, Render); 4] = [
        ("text", soltree::render::text::render),
        ("json", soltree::render::json::render),
        ("markdown", soltree::render::markdown::render),
        ("html", soltree::render::html::render),
    ];
    for (name, render) in renders {
        let mut buf = Vec::new();
        match render(&forward, &mut buf) {
            Err(e) => out.push(fail("render", format!("diff {name} fails"), e.to_string())),
            Ok(()) if name == "json" => {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&buf) {
                    out.push(fail("render", "diff json is not JSON", e.to_string()));
                }
            }
            Ok(()) => {}
        }
    }
    if forward.has_differences() {
        let (na, nb) = (normalize(&a), normalize(&b));
        if na.entries == nb.entries {
            out.push(fail(
                "diff-equal-normal-forms",
                "two packages with equal normal forms diff non-empty",
                String::new(),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// merge

fn merge_options(rng: &mut Rng, path: Option<&str>) -> MergeOptions {
    let style = match rng.u8(..10) {
        0..=5 => ConflictStyle::Merge,
        6 | 7 => ConflictStyle::Diff3,
        _ => ConflictStyle::Zdiff3,
    };
    let marker_size = if rng.u8(..5) == 0 {
        rng.usize(8..=12)
    } else {
        7
    };
    let mut opts = MergeOptions {
        style,
        marker_size,
        path: path.filter(|_| rng.u8(..10) < 7).map(str::to_string),
        ..MergeOptions::default()
    };
    if rng.u8(..4) == 0 {
        opts.label_ours = "HEAD".into();
        opts.label_base = "merged common ancestors".into();
        opts.label_theirs = "feature/x y".into();
    }
    opts
}

fn check_merge(t: &FileTriple, rng: &mut Rng, out: &mut Vec<Failure>) {
    let opts = merge_options(rng, t.path.as_deref());
    let result = merge_files(t.base.as_deref(), &t.ours, &t.theirs, &opts);
    if rng.u8(..4) == 0 {
        let again = merge_files(t.base.as_deref(), &t.ours, &t.theirs, &opts);
        if again.bytes != result.bytes || again.conflicts.len() != result.conflicts.len() {
            out.push(fail(
                "merge-nondeterministic",
                format!(
                    "the same merge twice gives two results [{}]",
                    kind_of(&t.ours)
                ),
                first_difference(&result.bytes, &again.bytes),
            ));
        }
    }
    merge_laws(t, &opts, out);
    merge_result(t, &result, &opts, out);
    if rng.u8(..3) == 0 {
        check_yaml_merge(t, rng, out);
    }
}

/// The same triple written as the YAML layout writes it (each side's XML projected), merged
/// as a YAML file: the laws hold, a clean result reads as YAML, and a conflict has markers.
fn check_yaml_merge(t: &FileTriple, rng: &mut Rng, out: &mut Vec<Failure>) {
    let yaml = |data: &[u8]| -> Option<Vec<u8>> {
        let text = std::str::from_utf8(data).ok()?;
        let doc = Document::parse(text.to_string(), "x.xml").ok()?;
        let y = soltree::yaml::project::from_xml(&doc, "x.xml").ok()?;
        Some(y.write().into_bytes())
    };
    let (Some(ours), Some(theirs)) = (yaml(&t.ours), yaml(&t.theirs)) else {
        return;
    };
    let base = match t.base.as_deref() {
        Some(b) => match yaml(b) {
            Some(b) => Some(b),
            None => return,
        },
        None => None,
    };
    // People annotate files at the top (`# filepath: …`, `---`): a side in four gets lines
    // there, which the YAML layer keeps as written and a merge takes as one value.
    let mut annotate = |data: Vec<u8>| -> Vec<u8> {
        if rng.usize(0..4) != 0 {
            return data;
        }
        let newline = if data.windows(2).any(|w| w == b"\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let mut header = format!("# note {}{newline}", rng.u8(0..3));
        if rng.bool() {
            header.push_str(&format!("---{newline}"));
        }
        [header.into_bytes(), data].concat()
    };
    let (base, ours, theirs) = (base.map(&mut annotate), annotate(ours), annotate(theirs));
    let y = FileTriple {
        base,
        ours,
        theirs,
        path: Some("entities/account/x.yml".to_string()),
        file_name: "x.yml".to_string(),
    };
    let opts = merge_options(rng, y.path.as_deref());
    let result = merge_files(y.base.as_deref(), &y.ours, &y.theirs, &opts);
    merge_laws(&y, &opts, out);
    let text = String::from_utf8_lossy(&result.bytes);
    if result.is_clean() && result.fallback.is_none() {
        if let Err(e) = soltree::yaml::Document::parse(&text, "x.yml") {
            out.push(fail(
                "yaml-merge-unreadable",
                "a clean YAML merge does not read as YAML",
                e.to_string(),
            ));
        }
    } else if !result.is_clean()
        && !result
            .conflicts
            .iter()
            .all(|c| c.reason == soltree::merge::ConflictReason::InvalidResult)
        && !text.contains(&"<".repeat(opts.marker_size))
    {
        out.push(fail(
            "yaml-conflict-without-markers",
            "a YAML merge with conflicts wrote no markers",
            format!("{:?}", result.conflicts.first()),
        ));
    }
}

/// merge(x,x,x)=x, merge(b,x,x)=x, merge(b,o,b)=o, merge(b,b,t)=t: the same bytes, clean.
fn merge_laws(t: &FileTriple, opts: &MergeOptions, out: &mut Vec<Failure>) {
    let all_text = [t.base.as_deref(), Some(&t.ours[..]), Some(&t.theirs[..])]
        .into_iter()
        .flatten()
        .all(|d| input::decode_text(d).is_some());
    for no_shortcuts in [false, true] {
        // Without the shortcuts, bytes that are not text are kept as ours by design.
        if no_shortcuts && !all_text {
            continue;
        }
        let o = MergeOptions {
            no_shortcuts,
            ..opts.clone()
        };
        let mode = if no_shortcuts {
            "no shortcuts"
        } else {
            "default"
        };
        let mut law = |name: &str, got: MergeOutcome, want: &[u8]| {
            if got.bytes == want && got.is_clean() {
                return;
            }
            let via = got.fallback.as_deref().map_or_else(
                || "structured".to_string(),
                |f| shape(f.split(':').next().unwrap_or(f)),
            );
            let breach = law_breach(&got, want);
            // Without the shortcuts a side's layout-only change gives way to ours' layout by
            // design ("written like ours"): a note, not a failure.
            let oracle = if no_shortcuts && breach == "changes only layout" {
                LAYOUT_NOTE
            } else {
                "merge-law"
            };
            out.push(fail(
                oracle,
                format!("{name} {breach} [{mode}; {via}; {}]", format_of(want)),
                format!(
                    "{name} ({mode}): fallback {:?}; {} conflicts\n{}",
                    got.fallback,
                    got.conflicts.len(),
                    first_difference(want, &got.bytes)
                ),
            ));
        };
        let (x, th) = (&t.ours[..], &t.theirs[..]);
        law("merge(x,x,x)=x", merge_files(Some(x), x, x, &o), x);
        law(
            "merge(b,x,x)=x",
            merge_files(t.base.as_deref(), x, x, &o),
            x,
        );
        if let Some(b) = t.base.as_deref() {
            law("merge(b,o,b)=o", merge_files(Some(b), x, b, &o), x);
            law("merge(b,b,t)=t", merge_files(Some(b), b, th, &o), th);
        }
    }
}

/// How a law's result differs from what the law says: conflicts, a broken file where the
/// expected one is sound, other content, or only other layout (whitespace, newlines,
/// encoding, attribute order — what "written like ours" may change).
fn law_breach(got: &MergeOutcome, want: &[u8]) -> String {
    if got.bytes == want {
        return "reports conflicts".into();
    }
    let conflicts = if got.is_clean() {
        ""
    } else {
        ", with conflicts"
    };
    let broken = match Format::sniff(want) {
        Format::Xml => text::xml_facts(want)
            .is_ok()
            .then(|| text::xml_facts(&got.bytes).err())
            .flatten(),
        Format::Json => text::json_facts(want)
            .is_ok()
            .then(|| text::json_facts(&got.bytes).err())
            .flatten(),
        Format::Other => None,
    };
    if let Some(why) = broken {
        return format!("gives a broken file ({}){conflicts}", shape(&why));
    }
    if text::canonical(want) == text::canonical(&got.bytes) {
        format!("changes only layout{conflicts}")
    } else {
        format!("changes content{conflicts}")
    }
}

fn format_of(data: &[u8]) -> &'static str {
    match Format::sniff(data) {
        Format::Xml => "xml",
        Format::Json => "json",
        Format::Other => "other",
    }
}

/// The sides a merge really has: a blank base is no base (as git passes it).
fn present_sides(t: &FileTriple) -> Vec<&[u8]> {
    let blank = |b: &[u8]| {
        text::decode(b).is_some_and(|(s, _)| s.trim_start_matches('\u{feff}').trim().is_empty())
    };
    let mut v: Vec<&[u8]> = Vec::new();
    if let Some(b) = t.base.as_deref().filter(|b| !blank(b)) {
        v.push(b);
    }
    v.push(&t.ours);
    v.push(&t.theirs);
    v
}

/// The inputs' encodings in broad strokes (for shapes: one bug, one shape).
fn encodings(list: &[Encoding]) -> &'static str {
    let utf16 = |e: &Encoding| matches!(e, Encoding::Utf16 { .. });
    if list
        .iter()
        .any(|e| matches!(e, Encoding::Utf16 { bom: false, .. }))
    {
        "a BOM-less UTF-16 input"
    } else if list.iter().all(utf16) {
        "UTF-16 inputs"
    } else if list.iter().any(utf16) {
        "UTF-8 and UTF-16 inputs"
    } else {
        "UTF-8 inputs"
    }
}

/// The oracles on one merge result (also used for every merged entry of a package).
fn merge_result(t: &FileTriple, res: &MergeOutcome, opts: &MergeOptions, out: &mut Vec<Failure>) {
    let sides = present_sides(t);
    let decoded: Option<Vec<(String, Encoding)>> = sides.iter().map(|d| text::decode(d)).collect();
    let result_text = text::decode(&res.bytes);
    let kind = format_of(&t.ours);
    let state = if res.is_clean() { "clean" } else { "conflicts" };

    if let (Some(dec), Some((got, _))) = (&decoded, &result_text) {
        let styles: Vec<Newlines> = dec
            .iter()
            .map(|(s, _)| Newlines::of(s))
            .filter(|n| *n != Newlines::None)
            .collect();
        if let Some(&style) = styles.first()
            && style != Newlines::Mixed
            && styles.iter().all(|&s| s == style)
        {
            let result_style = Newlines::of(got);
            if result_style != style && result_style != Newlines::None {
                out.push(fail(
                    "merge-newlines",
                    format!(
                        "{style:?} inputs give a {result_style:?} result [{state}; {}]",
                        format_of(&t.ours)
                    ),
                    format!(
                        "every input breaks lines with {style:?}; the result has a {}",
                        text::odd_newline(got, style).unwrap_or_default()
                    ),
                ));
            }
        }
    }

    if !res.is_clean() {
        let kept_whole = res
            .fallback
            .as_deref()
            .is_some_and(|f| f.starts_with("kept ours whole"));
        if !kept_whole
            && let Some((got, _)) = &result_text
            && !text::marker_sizes(got).any(|(c, n)| c == b'<' && n == opts.marker_size)
        {
            out.push(fail(
                "merge-markers",
                format!("conflicts reported, no opening marker of the asked size [{kind}]"),
                format!(
                    "{} conflicts, marker size {}, fallback {:?}",
                    res.conflicts.len(),
                    opts.marker_size,
                    res.fallback
                ),
            ));
        }
        return;
    }

    if let (Some(dec), Some((got, _))) = (&decoded, &result_text)
        && text::has_marker_lines(got)
        && !dec.iter().any(|(s, _)| text::has_marker_lines(s))
    {
        out.push(fail(
            "merge-markers",
            format!("a clean result holds conflict markers [{kind}]"),
            head(&res.bytes),
        ));
    }

    let xml: Result<Vec<text::XmlFacts>, String> =
        sides.iter().map(|d| text::xml_facts(d)).collect();
    if let Ok(facts) = xml {
        let encs: Vec<Encoding> = facts.iter().map(|f| f.encoding).collect();
        match text::xml_facts(&res.bytes) {
            Err(why) => out.push(fail(
                "merge-not-well-formed",
                format!("{} [{}]", shape(&why), encodings(&encs)),
                format!(
                    "clean merge of well-formed inputs: {why}\nresult starts: {}",
                    head(&res.bytes)
                ),
            )),
            Ok(f) => {
                if encs.iter().all(|&e| e == encs[0]) && f.encoding != encs[0] {
                    out.push(fail(
                        "merge-encoding",
                        format!("{} inputs give {}", encs[0].name(), f.encoding.name()),
                        head(&res.bytes),
                    ));
                }
                if let Some(element) = &f.nil_with_content
                    && facts.iter().all(|x| x.nil_with_content.is_none())
                {
                    out.push(fail(
                        "merge-nil-content",
                        "an xsi:nil=\"true\" element with content in a clean merge",
                        element.clone(),
                    ));
                }
            }
        }
    }

    let json: Result<Vec<text::JsonFacts>, String> =
        sides.iter().map(|d| text::json_facts(d)).collect();
    if let Ok(facts) = json {
        let encs: Vec<Encoding> = facts.iter().map(|f| f.encoding).collect();
        match text::json_facts(&res.bytes) {
            Err(why) => out.push(fail(
                "merge-invalid-json",
                format!("{} [{}]", shape(&why), encodings(&encs)),
                format!(
                    "clean merge of valid JSON: {why}\nresult starts: {}",
                    head(&res.bytes)
                ),
            )),
            Ok(f) => {
                if encs.iter().all(|&e| e == encs[0]) && f.encoding != encs[0] {
                    out.push(fail(
                        "merge-encoding",
                        format!("{} JSON inputs give {}", encs[0].name(), f.encoding.name()),
                        head(&res.bytes),
                    ));
                }
                json_layout(&sides, &res.bytes, out);
            }
        }
    }
}

/// Pretty-printed JSON inputs give a pretty-printed result: when every input that has
/// members is written over several lines (an emptied `{}` says nothing about layout), a
/// result with members is too.
fn json_layout(sides: &[&[u8]], result: &[u8], out: &mut Vec<Failure>) {
    let body = |d: &[u8]| text::decode(d).map(|(t, _)| t.trim().to_string());
    let empty = |t: &str| {
        let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        compact == "{}" || compact == "[]"
    };
    let multi_line = |t: &str| t.contains(['\n', '\r']);
    let Some(bodies) = sides
        .iter()
        .map(|d| body(d))
        .collect::<Option<Vec<String>>>()
    else {
        return;
    };
    let with_members: Vec<&String> = bodies.iter().filter(|t| !empty(t)).collect();
    let Some(got) = body(result) else { return };
    if !with_members.is_empty()
        && with_members.iter().all(|t| multi_line(t))
        && !empty(&got)
        && !multi_line(&got)
    {
        let emptied = if bodies.iter().any(|t| empty(t)) {
            " (a side emptied to {})"
        } else {
            ""
        };
        out.push(fail(
            "merge-json-layout",
            format!("pretty-printed inputs give a one-line result{emptied}"),
            head(result),
        ));
    }
}

// ---------------------------------------------------------------------------------------
// package merge

fn is_content_types(path: &str) -> bool {
    path.eq_ignore_ascii_case(CONTENT_TYPES)
}

/// Entry lists equal as sets of (path ignoring case, bytes), `[Content_Types].xml` aside (it
/// is regenerated); otherwise what differs.
/// How two entry lists differ as sets of (path ignoring case, bytes), `[Content_Types].xml`
/// aside (it is regenerated): `None` when they do not, else a description and whether
/// every difference is one of layout only.
fn entries_differ(want: &[Entry], got: &[Entry]) -> Option<(String, bool)> {
    let map = |v: &[Entry]| {
        v.iter()
            .filter(|e| !is_content_types(&e.path))
            .map(|e| (e.path.to_ascii_lowercase(), e.data.clone()))
            .collect::<std::collections::BTreeMap<String, Vec<u8>>>()
    };
    let (w, g) = (map(want), map(got));
    if w == g {
        return None;
    }
    let missing: Vec<&String> = w.keys().filter(|k| !g.contains_key(*k)).take(3).collect();
    let extra: Vec<&String> = g.keys().filter(|k| !w.contains_key(*k)).take(3).collect();
    let changed: Vec<&String> = w
        .iter()
        .filter(|(k, v)| g.get(*k).is_some_and(|x| x != *v))
        .map(|(k, _)| k)
        .collect();
    let layout_only = missing.is_empty()
        && extra.is_empty()
        && changed.iter().all(|k| {
            text::canonical(&w[*k]).is_some() && text::canonical(&w[*k]) == text::canonical(&g[*k])
        });
    Some((
        format!(
            "missing {missing:?}; unexpected {extra:?}; changed {:?}",
            &changed[..changed.len().min(3)]
        ),
        layout_only,
    ))
}

fn lower_paths(v: &[Entry]) -> HashSet<String> {
    v.iter().map(|e| e.path.to_ascii_lowercase()).collect()
}

fn check_package_merge(t: &EntriesTriple, rng: &mut Rng, out: &mut Vec<Failure>) {
    if [&t.base, &t.ours, &t.theirs]
        .iter()
        .any(|s| duplicate_names(s).is_some())
    {
        return;
    }
    let opts = merge_options(rng, None);
    let res = merge_packages(&t.base, &t.ours, &t.theirs, &opts);
    if let Some((a, b)) = duplicate_names(&res.entries) {
        out.push(fail(
            "package-merge-duplicate-entry",
            "the merged package holds one entry twice",
            format!("{a} and {b}"),
        ));
    }
    let (b, o, th, r) = (
        lower_paths(&t.base),
        lower_paths(&t.ours),
        lower_paths(&t.theirs),
        lower_paths(&res.entries),
    );
    for p in o.union(&th) {
        let kept = (o.contains(p) && th.contains(p)) || !b.contains(p);
        if kept && !is_content_types(p) && !r.contains(p) {
            out.push(fail(
                "package-merge-lost-entry",
                "an entry kept or added by a side is missing from the merge",
                p.clone(),
            ));
            break;
        }
    }
    for no_shortcuts in [false, true] {
        if no_shortcuts && rng.u8(..5) != 0 {
            continue;
        }
        let o = MergeOptions {
            no_shortcuts,
            ..opts.clone()
        };
        let mode = if no_shortcuts {
            "no shortcuts"
        } else {
            "default"
        };
        let mut law =
            |name: &str, base: &[Entry], ours: &[Entry], theirs: &[Entry], want: &[Entry]| {
                let got = merge_packages(base, ours, theirs, &o);
                let differs = entries_differ(want, &got.entries);
                if differs.is_none() && got.is_clean() {
                    return;
                }
                let conflicted: Vec<&str> =
                    got.conflicted().map(|e| e.path.as_str()).take(3).collect();
                let (oracle, how) = match &differs {
                    None => ("package-merge-law", "reports conflicts"),
                    Some((_, true)) if no_shortcuts && got.is_clean() => {
                        (LAYOUT_NOTE, "changes only layout")
                    }
                    Some((_, true)) => ("package-merge-law", "changes only layout"),
                    Some((_, false)) => ("package-merge-law", "changes entries"),
                };
                out.push(fail(
                    oracle,
                    format!("package {name} {how} [{mode}]"),
                    format!(
                        "{:?}; conflicted entries {conflicted:?}",
                        differs.map(|d| d.0)
                    ),
                ));
            };
        law("merge(x,x,x)=x", &t.ours, &t.ours, &t.ours, &t.ours);
        law("merge(b,x,x)=x", &t.base, &t.ours, &t.ours, &t.ours);
        law("merge(b,o,b)=o", &t.base, &t.ours, &t.base, &t.ours);
        law("merge(b,b,t)=t", &t.base, &t.base, &t.theirs, &t.theirs);
    }
    // Every entry both sides had and that was merged passes the file-merge oracles.
    let find = |v: &[Entry], p: &str| {
        v.iter()
            .find(|e| e.path.eq_ignore_ascii_case(p))
            .map(|e| e.data.clone())
    };
    for outcome in &res.outcomes {
        if !matches!(
            outcome.resolution,
            Resolution::Merged | Resolution::AddedByBoth
        ) {
            continue;
        }
        let (Some(ours), Some(theirs), Some(merged)) = (
            find(&t.ours, &outcome.path),
            find(&t.theirs, &outcome.path),
            find(&res.entries, &outcome.path),
        ) else {
            continue;
        };
        let triple = FileTriple {
            base: find(&t.base, &outcome.path),
            ours,
            theirs,
            path: Some(outcome.path.clone()),
            file_name: outcome.path.clone(),
        };
        let single = MergeOutcome {
            bytes: merged,
            conflicts: outcome.conflicts.clone(),
            decisions: Vec::new(),
            fallback: outcome.fallback.clone(),
        };
        merge_result(&triple, &single, &opts, out);
    }
}

// ---------------------------------------------------------------------------------------
// zip

fn check_zip(bytes: &[u8], written: Option<&[Entry]>, env: &Env, out: &mut Vec<Failure>) {
    let path = env.work.join("input.zip");
    if std::fs::write(&path, bytes).is_err() {
        out.push(fail(
            "harness",
            "cannot write the scratch zip",
            path.display().to_string(),
        ));
        return;
    }
    let Ok(pkg) = input::read(&path, &env.limits) else {
        return;
    };
    if let Some((e, why)) = pkg
        .entries
        .iter()
        .find_map(|e| unsafe_name(&e.path).map(|w| (e, w)))
    {
        out.push(fail(
            "zip-accepts-unsafe-name",
            format!("entry name with {why} accepted"),
            format!("{:?}", e.path),
        ));
    }
    if let Some((a, b)) = duplicate_names(&pkg.entries) {
        let how = if a == b {
            "the same name"
        } else {
            "names that differ only in case"
        };
        out.push(fail(
            "zip-accepts-duplicate-entry",
            format!("two entries with {how} accepted"),
            format!("{a:?} and {b:?}"),
        ));
    }
    if let Some(w) = written
        && w.iter().all(|e| unsafe_name(&e.path).is_none())
        && duplicate_names(w).is_none()
        && pkg.form == PackageForm::Zip
        && pkg.entries != w
    {
        let names = |v: &[Entry]| v.iter().map(|e| e.path.clone()).collect::<Vec<_>>();
        out.push(fail(
            "zip-roundtrip",
            "a zip does not read back as written",
            format!("written {:?}\nread {:?}", names(w), names(&pkg.entries)),
        ));
    }
    check_show(
        &Subject::Package {
            form: pkg.form,
            entries: pkg.entries,
        },
        out,
    );
}

// ---------------------------------------------------------------------------------------
// command lines

fn run_cli(args: &[OsString]) -> Result<Result<ExitCode, String>, String> {
    let cli = <Cli as clap::Parser>::try_parse_from(args).map_err(|e| e.to_string())?;
    let _quiet = Quiet::new();
    Ok(soltree::cli::run(cli).map_err(|e| format!("{e:#}")))
}

fn os(s: impl AsRef<std::ffi::OsStr>) -> OsString {
    s.as_ref().to_os_string()
}

/// Writes a subject where the command line can read it: a file, or a package as a zip.
fn write_subject(dir: &Path, s: &Subject) -> std::io::Result<PathBuf> {
    let (name, bytes) = match s {
        Subject::File { name, data } => (
            name.rsplit('/').next().unwrap_or(name).to_string(),
            data.clone(),
        ),
        Subject::Package { entries, .. } => ("input.zip".to_string(), write_zip(entries)),
    };
    let path = dir.join(if name.is_empty() { "input" } else { &name });
    std::fs::write(&path, bytes)?;
    Ok(path)
}

fn style_name(s: ConflictStyle) -> &'static str {
    match s {
        ConflictStyle::Merge => "merge",
        ConflictStyle::Diff3 => "diff3",
        ConflictStyle::Zdiff3 => "zdiff3",
    }
}

fn check_cli(command: CliCommand, inner: &Case, rng: &mut Rng, env: &Env, out: &mut Vec<Failure>) {
    let dir = env.work.join("cli");
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::create_dir_all(&dir).is_err() {
        out.push(fail(
            "harness",
            "cannot make the scratch folder",
            dir.display().to_string(),
        ));
        return;
    }
    let outcome = match (command, inner) {
        (CliCommand::Show | CliCommand::Normalize, Case::Single(s)) => {
            cli_single(command, s, &dir, rng, out)
        }
        (CliCommand::Merge, Case::Merge(t)) => cli_merge(t, &dir, rng, out),
        (CliCommand::GitMerge, Case::Merge(t)) => cli_git_merge(t, &dir, rng, out),
        _ => Err("command does not fit its case".into()),
    };
    if let Err(e) = outcome {
        out.push(fail("harness", "command line not run", e));
    }
}

fn cli_single(
    command: CliCommand,
    s: &Subject,
    dir: &Path,
    rng: &mut Rng,
    out: &mut Vec<Failure>,
) -> Result<(), String> {
    let input = write_subject(dir, s).map_err(|e| e.to_string())?;
    let name = if command == CliCommand::Show {
        "show"
    } else {
        "normalize"
    };
    let output = dir.join(match (command, s) {
        (CliCommand::Show, _) => "out.txt",
        (_, Subject::File { .. }) => "out.xml",
        (_, Subject::Package { .. }) => "out.zip",
    });
    let mut args = vec![os("soltree"), os(name), os(&input), os("-o"), os(&output)];
    if command == CliCommand::Show {
        args.extend([os("--format"), os(if rng.bool() { "json" } else { "text" })]);
        args.extend([os("--color"), os("never")]);
    }
    match run_cli(&args)? {
        Ok(code) if code != ExitCode::SUCCESS => out.push(fail(
            "cli-exit-code",
            format!("{name} succeeded with an exit code other than 0"),
            format!("{code:?}"),
        )),
        Ok(_) if !output.exists() => out.push(fail(
            "cli-output",
            format!("{name} succeeded without writing -o"),
            String::new(),
        )),
        Ok(_) => {}
        Err(e) if output.exists() => out.push(fail(
            "cli-wrote-on-error",
            format!("{name} failed but wrote its output"),
            e,
        )),
        Err(_) => {}
    }
    Ok(())
}

/// The three sides as files (`base` sometimes missing or empty: "added on both sides").
fn write_triple(t: &FileTriple, dir: &Path, rng: &mut Rng) -> Result<[PathBuf; 3], String> {
    let ext = Path::new(&t.file_name)
        .extension()
        .map_or_else(|| "xml".to_string(), |e| e.to_string_lossy().into_owned());
    let p = |n: &str| dir.join(format!("{n}.{ext}"));
    let w = |path: &Path, d: &[u8]| std::fs::write(path, d).map_err(|e| e.to_string());
    match &t.base {
        Some(b) => w(&p("base"), b)?,
        None if rng.bool() => w(&p("base"), b"")?,
        None => {}
    }
    w(&p("ours"), &t.ours)?;
    w(&p("theirs"), &t.theirs)?;
    Ok([p("base"), p("ours"), p("theirs")])
}

fn cli_merge(
    t: &FileTriple,
    dir: &Path,
    rng: &mut Rng,
    out: &mut Vec<Failure>,
) -> Result<(), String> {
    let [base, ours, theirs] = write_triple(t, dir, rng)?;
    let opts = merge_options(rng, t.path.as_deref());
    let output = dir.join("merged.out");
    let mut args = vec![
        os("soltree"),
        os("merge"),
        os(&base),
        os(&ours),
        os(&theirs),
        os("-o"),
        os(&output),
        os("--conflict-style"),
        os(style_name(opts.style)),
        os("--marker-size"),
        os(opts.marker_size.to_string()),
        os("--label-ours"),
        os(&opts.label_ours),
        os("--label-base"),
        os(&opts.label_base),
        os("--label-theirs"),
        os(&opts.label_theirs),
    ];
    if let Some(p) = &opts.path {
        args.extend([os("--path"), os(p)]);
    }
    let mut expected = merge_files(
        t.base.as_deref().filter(|b| !b.is_empty()),
        &t.ours,
        &t.theirs,
        &opts,
    );
    // The command checks its clean result (what it names the file by decides the checks).
    let name = opts
        .path
        .clone()
        .unwrap_or_else(|| "merged.out".to_string());
    check_file_result(&mut expected, &name, &opts, &|| {
        vec![t.ours.clone(), t.theirs.clone()]
    });
    match run_cli(&args)? {
        Ok(code) => {
            let clean = code == ExitCode::SUCCESS;
            if !clean && code != ExitCode::from(1) {
                out.push(fail(
                    "cli-exit-code",
                    "merge exit code outside 0, 1, 2",
                    format!("{code:?}"),
                ));
            } else if clean != expected.is_clean() {
                out.push(fail(
                    "cli-mismatch",
                    "merge exit code does not match the library's outcome",
                    format!("{code:?}, library clean: {}", expected.is_clean()),
                ));
            }
            match std::fs::read(&output) {
                Ok(got) if got != expected.bytes => out.push(fail(
                    "cli-mismatch",
                    "merge -o holds other bytes than the library's merge",
                    first_difference(&expected.bytes, &got),
                )),
                Ok(_) => {}
                Err(e) => out.push(fail(
                    "cli-output",
                    "merge succeeded without writing -o",
                    e.to_string(),
                )),
            }
        }
        Err(e) if output.exists() => out.push(fail(
            "cli-wrote-on-error",
            "merge failed but wrote its output",
            e,
        )),
        Err(_) => {}
    }
    Ok(())
}

fn cli_git_merge(
    t: &FileTriple,
    dir: &Path,
    rng: &mut Rng,
    out: &mut Vec<Failure>,
) -> Result<(), String> {
    // Two zips would make the driver write a conflict folder beside %P: never here.
    if t.ours.starts_with(b"PK") && t.theirs.starts_with(b"PK") {
        return Ok(());
    }
    let [base, ours, theirs] = write_triple(t, dir, rng)?;
    let mut opts = merge_options(rng, t.path.as_deref());
    let repo_path = t.path.clone().unwrap_or_else(|| t.file_name.clone());
    opts.path = Some(repo_path.clone());
    let labelled = rng.bool();
    if !labelled {
        opts.label_ours = MergeOptions::default().label_ours;
        opts.label_base = MergeOptions::default().label_base;
        opts.label_theirs = MergeOptions::default().label_theirs;
    }
    let mut args = vec![
        os("soltree"),
        os("merge"),
        os("--git"),
        os(&base),
        os(&ours),
        os(&theirs),
        os(opts.marker_size.to_string()),
        os(&repo_path),
    ];
    if labelled {
        args.extend([
            os(&opts.label_base),
            os(&opts.label_ours),
            os(&opts.label_theirs),
        ]);
    }
    args.extend([os("--conflict-style"), os(style_name(opts.style))]);
    let base_bytes = std::fs::read(&base).ok().filter(|b| !b.is_empty());
    let mut expected = merge_files(base_bytes.as_deref(), &t.ours, &t.theirs, &opts);
    check_file_result(&mut expected, &repo_path, &opts, &|| {
        vec![t.ours.clone(), t.theirs.clone()]
    });
    match run_cli(&args)? {
        Ok(code) => {
            let got = std::fs::read(&ours).map_err(|e| e.to_string())?;
            if code == ExitCode::from(2) {
                if got != t.ours {
                    out.push(fail(
                        "cli-wrote-on-error",
                        "the driver failed but changed %A",
                        String::new(),
                    ));
                }
            } else if code != ExitCode::SUCCESS && code != ExitCode::from(1) {
                out.push(fail(
                    "cli-exit-code",
                    "the merge driver exited outside 0, 1, 2",
                    format!("{code:?}"),
                ));
            } else {
                if (code == ExitCode::SUCCESS) != expected.is_clean() {
                    out.push(fail(
                        "cli-mismatch",
                        "driver exit code does not match the library's outcome",
                        format!("{code:?}, library clean: {}", expected.is_clean()),
                    ));
                }
                if got != expected.bytes {
                    out.push(fail(
                        "cli-mismatch",
                        "driver result in %A differs from the library's merge",
                        first_difference(&expected.bytes, &got),
                    ));
                }
            }
        }
        Err(e) => out.push(fail(
            "cli-exit-code",
            "the merge driver returned an error, not an exit code",
            e,
        )),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_drop_particulars() {
        assert_eq!(
            shape("line 12: expected `</a>`, found \"b\""),
            "line #: expected `…`, found \"…\""
        );
    }

    #[test]
    fn first_difference_points_at_it() {
        assert!(first_difference(b"abcd", b"abXd").contains("byte 2"));
    }
}
