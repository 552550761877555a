//! `soltree check`: what a careless merge or hand edit leaves in a solution that Dataverse
//! would refuse at import, days later — found locally, per file and line, with the
//! component's path and name. The boundary type is [`CheckReport`]: the [`Problem`]s of one
//! package, each with a [`Code`], a severity and a fix hint, rendered as text or JSON.
//!
//! Unlike the other commands, a bad entry is a finding here, not the end of the run: every
//! entry is read on its own (markers, then well-formedness), and the entries that parse are
//! modelled together for the structural checks (duplicate keys, nil with content, the
//! manifest against the component files).

use crate::input::{self, ConflictMarker, Package, PackageForm, TextEncoding};
use crate::model::kinds::{KINDS, KeySpec, KindDef, REPEATS_ALLOWED};
use crate::model::noise::NIL;
use crate::model::{
    self, Classifier, Component, ComponentTree, ModelEntry, Part, is_managed_twin, key_of,
    normalize_key,
};
use crate::xml::{Document, NodeId};
use colored::Colorize;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::io::{self, Write};

/// Bumped whenever a field of the JSON output changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// What a problem is. The names are the contract of `--disable` and of the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// git's conflict markers left in a file.
    ConflictMarker,
    /// An XML part that is not well-formed (or not valid text in its encoding).
    MalformedXml,
    /// A JSON part (a cloud flow) that is not valid JSON.
    MalformedJson,
    /// A file of the YAML layout that is not the YAML Dataverse writes, or does not project
    /// to one XML element.
    MalformedYaml,
    /// Two items of one keyed list with the same identity key.
    DuplicateKey,
    /// One component defined in two files of a folder.
    DuplicateComponent,
    /// An element that says it is null (`xsi:nil="true"`) and holds content.
    NilWithContent,
    /// A root component of the manifest that the package does not define.
    MissingComponentFiles,
    /// A component file the manifest does not list as a root component.
    UnlistedComponentFiles,
    /// A SolutionPackager `_managed.xml` file without its unmanaged twin.
    UnpairedManagedFile,
    /// A form field, view column or relationship naming a column its table does not have.
    MissingColumn,
    /// A relationship naming a table that neither the package nor its missing dependencies hold.
    MissingTable,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::ConflictMarker,
        Code::MalformedXml,
        Code::MalformedJson,
        Code::MalformedYaml,
        Code::DuplicateKey,
        Code::DuplicateComponent,
        Code::NilWithContent,
        Code::MissingComponentFiles,
        Code::UnlistedComponentFiles,
        Code::UnpairedManagedFile,
        Code::MissingColumn,
        Code::MissingTable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Code::ConflictMarker => "conflict-marker",
            Code::MalformedXml => "malformed-xml",
            Code::MalformedJson => "malformed-json",
            Code::MalformedYaml => "malformed-yaml",
            Code::DuplicateKey => "duplicate-key",
            Code::DuplicateComponent => "duplicate-component",
            Code::NilWithContent => "nil-with-content",
            Code::MissingComponentFiles => "missing-component-files",
            Code::UnlistedComponentFiles => "unlisted-component-files",
            Code::UnpairedManagedFile => "unpaired-managed-file",
            Code::MissingColumn => "missing-column",
            Code::MissingTable => "missing-table",
        }
    }

    /// The code named `name` (as `--disable` takes it).
    pub fn named(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Error: the import fails or a component is lost. Warning: suspicious, worth a look.
    pub fn severity(self) -> Severity {
        match self {
            Code::UnlistedComponentFiles => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// How to fix it, in a sentence.
    pub fn hint(self) -> &'static str {
        match self {
            Code::ConflictMarker => {
                "resolve the conflict (keep one side or combine them) and delete the marker lines; \
                 `soltree merge BASE OURS THEIRS` redoes a merge component by component"
            }
            Code::MalformedXml => {
                "fix the XML at this place, or take the file from one side of the merge"
            }
            Code::MalformedJson => {
                "fix the JSON at this place, or take the file from one side of the merge"
            }
            Code::MalformedYaml => {
                "fix the YAML at this place (Dataverse writes block style: no flow \
                 collections, anchors, or comments below the first key), or take the file \
                 from one side of the merge"
            }
            Code::DuplicateKey => {
                "keep one of them (a line merge duplicates an item both sides touched); \
                 `soltree diff` against each parent shows which one is new"
            }
            Code::DuplicateComponent => "delete one of the two files, or merge them into one",
            Code::NilWithContent => {
                "remove `xsi:nil=\"true\"` to keep the content, or the content to keep the null"
            }
            Code::MissingComponentFiles => {
                "restore the component's files, or remove the root component from the manifest \
                 (the component would be dropped at pack or import)"
            }
            Code::UnlistedComponentFiles => {
                "add a root component for it to the manifest, or delete the files if the component \
                 left the solution"
            }
            Code::UnpairedManagedFile => {
                "restore the unmanaged file beside it (a package of type Both needs both), or delete \
                 the managed one"
            }
            Code::MissingColumn => {
                "restore the column's definition in the table (a merge may have kept the form and \
                 lost the column), or remove the field, view column or relationship that names it"
            }
            Code::MissingTable => {
                "restore the table (and its root component), or remove the relationship; a table \
                 another solution provides belongs in the missing dependencies"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: Code,
    pub severity: Severity,
    /// The entry (file) of the package, `/`-separated; empty for the package as a whole.
    pub entry: String,
    /// 1-based line and column in that entry, where one place is to blame.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The canonical path of the component concerned (`entity:account/attribute:new_score`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The component as a maker names it: `Column "Score" of Table "Account"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    pub message: String,
    pub hint: &'static str,
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Codes turned off.
    pub disabled: Vec<Code>,
}

/// The findings of one package.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub source: String,
    pub form: &'static str,
    /// Entries read (files of a folder, entries of a zip).
    pub entries: usize,
    /// Components found in the entries that parse.
    pub components: usize,
    pub errors: usize,
    pub warnings: usize,
    pub problems: Vec<Problem>,
}

/// Checks a package that was read.
pub fn check(pkg: Package, opts: &CheckOptions) -> CheckReport {
    let Package {
        form,
        source,
        entries,
    } = pkg;
    let read = entries
        .into_par_iter()
        .map(|e| read_entry(e.path, e.data, form))
        .collect();
    check_read(form, source, read, opts)
}

/// [`check`] once every entry was read on its own ([`read_entry`]).
fn check_read(
    form: PackageForm,
    source: std::path::PathBuf,
    read: Vec<(ModelEntry, Vec<Problem>)>,
    opts: &CheckOptions,
) -> CheckReport {
    let entry_count = read.len();
    let entry_paths: Vec<String> = read.iter().map(|(e, _)| e.path.clone()).collect();
    let mut problems = Vec::new();
    let mut entries = Vec::with_capacity(read.len());
    for (entry, found) in read {
        problems.extend(found);
        entries.push(entry);
    }
    // The components and the walk over every element need only the parsed entries: they
    // run side by side; the walk's findings are named once the components are known.
    let (components, found) = rayon::join(
        || model::components_of(&entries, model::Naming::Unnamed),
        || {
            entries
                .par_iter()
                .map(|e| match &e.part {
                    Part::Xml(doc) => scan(doc),
                    Part::Bytes(_) => Vec::new(),
                })
                .collect::<Vec<_>>()
        },
    );
    let tree = ComponentTree {
        form,
        source,
        entries,
        components,
    };
    let names = Names::of(&tree);
    let per_entry: Vec<Vec<Problem>> = found
        .into_iter()
        .enumerate()
        .map(|(i, found)| describe_found(found, i, &tree, &names))
        .collect();
    problems.extend(per_entry.into_iter().flatten());
    problems.extend(duplicate_components(&tree, &names));
    // The manifest is compared with the components only when every XML part was read: a
    // customizations.xml that does not parse would make every root component look missing.
    let all_read = tree
        .entries
        .iter()
        .all(|e| e.document().is_some() || !model::is_xml_entry(&e.path, form));
    if form == PackageForm::YamlFolder && all_read {
        problems.extend(classic_checks(&tree));
    } else if !form.is_single_file() && all_read {
        problems.extend(manifest(&tree, &names));
        problems.extend(references(&tree, &names));
    }
    if form == PackageForm::PackagerFolder {
        problems.extend(unpaired_managed(&entry_paths));
    }
    if form == PackageForm::YamlFolder {
        let solution = input::yaml::solution_of(entry_paths.iter().map(String::as_str));
        if let Some(name) = solution {
            // A package read from disk is compared with the whole layout folder (other
            // solutions may list a folder); one in memory (a merge's result) with itself.
            let gaps = if tree.source.as_os_str().is_empty() {
                let entries: Vec<input::Entry> = tree
                    .entries
                    .iter()
                    .map(|e| {
                        // Only the manifests' text is read, written back from its projection.
                        let data = match (e.document(), &e.yaml) {
                            (Some(doc), Some(style))
                                if e.path.ends_with("/solutioncomponents.yml") =>
                            {
                                crate::yaml::project::xml_text_to_yaml(doc.text(), &e.path, style)
                                    .map(String::into_bytes)
                                    .unwrap_or_default()
                            }
                            _ => Vec::new(),
                        };
                        input::Entry {
                            path: e.path.clone(),
                            data,
                        }
                    })
                    .collect();
                input::yaml::entry_gaps(&entries, name)
            } else {
                input::yaml::layout_gaps(&tree.source.join("solutions").join(name))
            };
            problems.extend(yaml_layout(gaps, name));
        }
    }
    problems.retain(|p| !opts.disabled.contains(&p.code));
    problems.sort_by(|a, b| {
        (&a.entry, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.entry, b.line, b.column, b.code, &b.message))
    });
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    CheckReport {
        source: tree.source.display().to_string(),
        form: form.name(),
        entries: entry_count,
        components: tree.components.len(),
        errors,
        warnings: problems.len() - errors,
        problems,
    }
}

/// The errors a merge made: what `check` finds in a merged `result` that neither side
/// already had. A problem the result shares with ours or theirs was kept by the merge, not
/// made by it (as many times as the side that has it most holds it). `sides` gives ours and
/// theirs, and is called only when the result has errors (the common clean result costs one
/// check).
pub fn merge_errors(result: Package, sides: &dyn Fn() -> Vec<Package>) -> Vec<Problem> {
    let opts = CheckOptions::default();
    let errors_of = |report: CheckReport| -> Vec<Problem> {
        report
            .problems
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect()
    };
    let errors = |pkg: Package| errors_of(check(pkg, &opts));
    let found = if result.form == PackageForm::XmlFile && result.entries.len() == 1 {
        // A lone file with nothing to report needs no component tree (which only names
        // what is found): the cheap answer for the common clean merge result.
        let Package {
            form,
            source,
            mut entries,
        } = result;
        let e = entries.pop().expect("one entry");
        let (entry, found) = read_entry(e.path, e.data, form);
        if found.is_empty() && entry.document().is_none_or(|doc| scan(doc).is_empty()) {
            return Vec::new();
        }
        errors_of(check_read(form, source, vec![(entry, found)], &opts))
    } else {
        errors(result)
    };
    if found.is_empty() {
        return found;
    }
    let mut kept: FxHashMap<(Code, String, Option<String>, String), usize> = FxHashMap::default();
    for side in sides() {
        let mut counts: FxHashMap<_, usize> = FxHashMap::default();
        for p in errors(side) {
            *counts.entry(fingerprint(&p)).or_default() += 1;
        }
        for (k, n) in counts {
            let e = kept.entry(k).or_default();
            *e = (*e).max(n);
        }
    }
    found
        .into_iter()
        .filter(|p| match kept.get_mut(&fingerprint(p)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// What makes two findings in two versions of a file the same finding: everything but the
/// places (line numbers move with every edit above them).
fn fingerprint(p: &Problem) -> (Code, String, Option<String>, String) {
    let mut message = String::with_capacity(p.message.len());
    let mut after_line = false;
    let mut chars = p.message.chars().peekable();
    while let Some(c) = chars.next() {
        if after_line && c.is_ascii_digit() {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            message.push('#');
            continue;
        }
        message.push(c);
        after_line = ["line ", "lines ", "column ", "offset "]
            .iter()
            .any(|w| message.ends_with(w))
            || c == '–';
    }
    (p.code, p.entry.clone(), p.path.clone(), message)
}

fn problem(code: Code, entry: &str, at: Option<(u32, u32)>, message: String) -> Problem {
    Problem {
        code,
        severity: code.severity(),
        entry: entry.to_string(),
        line: at.map(|a| a.0),
        column: at.map(|a| a.1),
        path: None,
        component: None,
        message,
        hint: code.hint(),
    }
}

/// Reads one entry: its conflict markers, then whether it is well-formed. An XML entry that
/// parses becomes a document for the structural checks; any other stays bytes.
fn read_entry(path: String, data: Vec<u8>, form: PackageForm) -> (ModelEntry, Vec<Problem>) {
    let mut found = Vec::new();
    let bytes = |data| ModelEntry {
        path: path.clone(),
        part: Part::Bytes(data),
        encoding: TextEncoding::Utf8 { bom: false },
        yaml: None,
    };
    if model::is_yaml_entry(&path, form) {
        let markers = std::str::from_utf8(&data)
            .map(|t| conflict_markers(&path, t))
            .unwrap_or_default();
        if !markers.is_empty() {
            found.extend(markers);
            return (bytes(data), found);
        }
        return match model::parse_yaml_entry(data, &path) {
            Ok((doc, style)) => (
                ModelEntry {
                    path,
                    part: Part::Xml(doc),
                    encoding: TextEncoding::Utf8 { bom: false },
                    yaml: Some(style),
                },
                found,
            ),
            Err(err) => {
                let at = match &err {
                    model::ModelError::Yaml(e) => Some((e.line, e.column)),
                    _ => None,
                };
                found.push(problem(Code::MalformedYaml, &path, at, err.to_string()));
                (bytes(Vec::new()), found)
            }
        };
    }
    let is_json = path.to_ascii_lowercase().ends_with(".json");
    let is_xml = !is_json && model::is_xml_entry(&path, form);
    if !is_xml && !input::is_text(&data) {
        return (bytes(data), found);
    }
    let text = if is_xml {
        // The bytes of an entry that is not text are not needed afterwards: no copy.
        match input::decode_xml(&path, data) {
            Ok(t) => t,
            Err(e) => {
                found.push(problem(Code::MalformedXml, &path, None, e.to_string()));
                return (bytes(Vec::new()), found);
            }
        }
    } else {
        match input::decode_text(&data) {
            Some(t) => t,
            None => return (bytes(data), found),
        }
    };
    let (text, encoding) = text;
    if is_xml {
        // An opening marker line is never well-formed XML outside CDATA, so a file that
        // parses and has no closing marker has no conflict: the full scan runs only when
        // the parse fails or a closing marker shows (one vectorized search instead of two
        // passes over the largest files).
        let (parsed, may_close) = Document::try_parse_stored_beside(text, &path, encoding, |t| {
            memchr::memmem::find(t.as_bytes(), b">>>>>>>").is_some()
        });
        return match parsed {
            Ok(doc) => {
                if may_close {
                    found.extend(conflict_markers(&path, doc.text()));
                }
                (
                    ModelEntry {
                        path,
                        part: Part::Xml(doc),
                        encoding,
                        yaml: None,
                    },
                    found,
                )
            }
            Err((err, text)) => {
                let markers = conflict_markers(&path, &text);
                // Markers explain the parse error; one finding per cause.
                if markers.is_empty() {
                    found.push(problem(
                        Code::MalformedXml,
                        &path,
                        Some((err.line, err.column)),
                        format!("not well-formed XML: {}", err.message),
                    ));
                }
                found.extend(markers);
                (bytes(Vec::new()), found)
            }
        };
    }
    let markers = conflict_markers(&path, &text);
    let marked = !markers.is_empty();
    found.extend(markers);
    if is_json {
        if !marked
            && let Err(e) =
                serde_json::from_str::<serde::de::IgnoredAny>(text.trim_start_matches('\u{feff}'))
        {
            found.push(problem(
                Code::MalformedJson,
                &path,
                Some((e.line() as u32, (e.column() as u32).max(1))),
                format!("not valid JSON: {e}"),
            ));
        }
        return (bytes(Vec::new()), found);
    }
    (bytes(Vec::new()), found)
}

/// One finding per conflict (at its opening marker) and per stray closing marker.
fn conflict_markers(entry: &str, text: &str) -> Vec<Problem> {
    let lines = input::conflict_marker_lines(text);
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut report = |line: usize, end: Option<usize>| {
        let message = match end {
            Some(end) => {
                format!("an unresolved conflict: git's conflict markers, lines {line}–{end}")
            }
            None => format!("git's conflict marker without its other half, line {line}"),
        };
        out.push(problem(
            Code::ConflictMarker,
            entry,
            Some((line as u32, 1)),
            message,
        ));
    };
    for (line, marker) in lines {
        match marker {
            ConflictMarker::Open => {
                if let Some(start) = open.replace(line) {
                    report(start, None);
                }
            }
            ConflictMarker::Close => match open.take() {
                Some(start) => report(start, Some(line)),
                None => report(line, None),
            },
            _ => {}
        }
    }
    if let Some(start) = open {
        report(start, None);
    }
    out
}

/// Component names for messages: each component's node, per entry, so that a finding deep
/// in a file is named by the component that holds it.
struct Names<'t> {
    /// Per entry, the component at each node; made when a problem is first named (a file
    /// without problems, the common case, needs none).
    by_node: std::sync::OnceLock<Vec<FxHashMap<NodeId, usize>>>,
    tree: &'t ComponentTree,
}

impl<'t> Names<'t> {
    fn of(tree: &'t ComponentTree) -> Names<'t> {
        Names {
            by_node: std::sync::OnceLock::new(),
            tree,
        }
    }

    /// The component at `node` of entry `entry`, if one is.
    fn at(&self, entry: usize, node: NodeId) -> Option<&'t Component> {
        let by_node = self.by_node.get_or_init(|| {
            let mut by_node = vec![FxHashMap::default(); self.tree.entries.len()];
            for (i, c) in self.tree.components.iter().enumerate() {
                by_node[c.entry].insert(c.node, i);
            }
            by_node
        });
        by_node[entry].get(&node).map(|&i| &self.tree.components[i])
    }

    /// The component that holds `node` (itself, if it is one).
    fn holder(&self, entry: usize, doc: &Document, node: NodeId) -> Option<&'t Component> {
        let mut cur = Some(node);
        while let Some(n) = cur {
            if let Some(c) = self.at(entry, n) {
                return Some(c);
            }
            cur = doc.parent(n);
        }
        None
    }

    /// `Column "Score" of Table "Account"`.
    fn describe(&self, c: &Component) -> String {
        let mut s = name_of(self.tree, c);
        let mut parent = c.parent;
        while let Some(p) = parent {
            let pc = &self.tree.components[p];
            if pc.kind.name != "solution" {
                s.push_str(&format!(" of {}", name_of(self.tree, pc)));
            }
            parent = pc.parent;
        }
        s
    }
}

fn name_of(tree: &ComponentTree, c: &Component) -> String {
    let title = crate::diff::manifest::component_title(tree, c);
    let display = display_name(tree, c);
    if display.is_empty() || display == c.key {
        format!("{title} {}", c.key)
    } else {
        format!("{title} \"{display}\"")
    }
}

/// A component's display name, found in its document when it is named: the tree `check`
/// builds has none (see [`model::Naming`]), the classic tree of a YAML layout has them all.
fn display_name(tree: &ComponentTree, c: &Component) -> String {
    if !c.display.is_empty() {
        return c.display.clone();
    }
    tree.entries[c.entry]
        .document()
        .and_then(|doc| model::display_of(doc, c.node, c.kind))
        .unwrap_or_else(|| c.kind.title.to_string())
}

/// What the walk over every element of a document finds, before it is named.
enum Found {
    /// An element that is nil and holds content.
    Nil(NodeId),
    /// Keyed children of `parent` that share a kind and key: the first, then the others.
    Duplicate {
        parent: NodeId,
        kind: &'static KindDef,
        key: String,
        nodes: Vec<NodeId>,
    },
    /// A tab or cell id that `form` holds twice, not as siblings: the first, then this one.
    InForm {
        form: NodeId,
        first: NodeId,
        node: NodeId,
    },
}

/// Nil elements with content, found from the attributes, and duplicate keys, in one pass
/// over the elements of a document.
fn scan(doc: &Document) -> Vec<Found> {
    let walk = Walk::of(doc);
    // Few elements are nil: they are found from the attributes, not at every element.
    let nil = doc.symbol(NIL).map_or_else(Vec::new, |nil| {
        doc.elements_with_attr(nil)
            .into_iter()
            .filter(|&n| {
                doc.attr_raw_sym(n, nil) == Some("true")
                    && (doc.elements(n).next().is_some() || !doc.text_of(n).trim().is_empty())
            })
            .map(Found::Nil)
            .collect()
    });
    let keyed = (0..doc.node_count() as u32)
        .into_par_iter()
        .with_min_len(8192)
        .map(NodeId)
        .fold(
            || (Vec::new(), Scratch::default()),
            |(mut out, mut scratch), n| {
                if doc.is_element(n) {
                    walk.visit(n, &mut out, &mut scratch);
                }
                (out, scratch)
            },
        )
        .flat_map_iter(|(out, _)| out);
    nil.into_par_iter().chain(keyed).collect()
}

/// What the walk of one document looks for, found once: the kinds of its elements and the
/// symbols of the names it tests (numbers compared instead of strings at every element).
struct Walk<'d> {
    doc: &'d Document,
    classifier: Classifier<'d>,
    form: Option<u32>,
    /// `tab` in `tabs`, `cell` in `row`: the form-wide identities.
    identified: [(Option<u32>, Option<u32>); 2],
    id: Option<u32>,
}

/// Buffers a worker reuses from one element to the next (most keyed lists are short: a
/// buffer per list would cost more than the comparing).
#[derive(Default)]
struct Scratch {
    kinds: Vec<(NodeId, &'static KindDef)>,
    hashed: Vec<(u64, NodeId)>,
}

impl<'d> Walk<'d> {
    fn of(doc: &'d Document) -> Walk<'d> {
        Walk {
            doc,
            classifier: Classifier::new(doc),
            form: doc.symbol("systemform"),
            identified: [
                (doc.symbol("tab"), doc.symbol("tabs")),
                (doc.symbol("cell"), doc.symbol("row")),
            ],
            id: doc.symbol("id"),
        }
    }

    fn visit(&self, n: NodeId, out: &mut Vec<Found>, scratch: &mut Scratch) {
        let doc = self.doc;
        if self.classifier.may_hold_kinds(n) {
            self.duplicate_keys(n, out, scratch);
        }
        if self.form.is_some() && doc.name_sym(n) == self.form {
            self.form_wide_duplicates(n, out);
        }
    }

    /// Keyed children of `parent` that share a kind and key.
    fn duplicate_keys(&self, parent: NodeId, out: &mut Vec<Found>, scratch: &mut Scratch) {
        let doc = self.doc;
        let Scratch { kinds, hashed } = scratch;
        kinds.clear();
        // Lists are mostly of one kind: whether a kind is checked is decided once per run.
        let mut last: Option<(&'static KindDef, bool)> = None;
        for c in doc.elements(parent) {
            let Some(kind) = self.classifier.classify(c) else {
                continue;
            };
            let checked = match last {
                Some((k, checked)) if std::ptr::eq(k, kind) => checked,
                _ => {
                    // A record's fields are keyed by element name and may repeat (multi-valued
                    // fields); the others repeat in real exports.
                    let checked =
                        kind.name != "record-field" && !REPEATS_ALLOWED.contains(&kind.name);
                    last = Some((kind, checked));
                    checked
                }
            };
            if checked {
                kinds.push((c, kind));
            }
        }
        if kinds.len() < 2 {
            return;
        }
        // Kinds that occur once here cannot repeat (most lists are of one kind, but a
        // table's parts are not); keys are compared by hash, and built only where hashes
        // meet (a real duplicate, or a collision the comparison of the keys tells apart).
        kinds.sort_unstable_by_key(|&(c, k)| (std::ptr::from_ref(k) as usize, c));
        for run in kinds.chunk_by(|a, b| std::ptr::eq(a.1, b.1)) {
            if run.len() < 2 {
                continue;
            }
            let kind = run[0].1;
            hashed.clear();
            hashed.extend(
                run.iter()
                    .map(|&(c, _)| (self.classifier.key_hash(c, kind), c)),
            );
            hashed.sort_unstable();
            for meeting in hashed.chunk_by(|a, b| a.0 == b.0) {
                if meeting.len() < 2 {
                    continue;
                }
                let mut keyed: Vec<(String, NodeId)> = meeting
                    .iter()
                    .map(|&(_, c)| (key_of(doc, c, kind), c))
                    .collect();
                keyed.sort();
                for group in keyed.chunk_by(|a, b| a.0 == b.0) {
                    if group.len() > 1 {
                        out.push(Found::Duplicate {
                            parent,
                            kind,
                            key: group[0].0.clone(),
                            nodes: group.iter().map(|g| g.1).collect(),
                        });
                    }
                }
            }
        }
    }

    /// Tabs and cells are identified across a whole form by their ids (a field dragged to
    /// another section keeps its cell id): one id in two places of a form — as two different
    /// moves of one field merged by lines, or by a merge that did not see the move, leave
    /// it — is a duplicate even when the two are not siblings (siblings are found with every
    /// keyed list). Sections and controls are left out: real exports repeat their ids.
    fn form_wide_duplicates(&self, form: NodeId, out: &mut Vec<Found>) {
        // Ids are compared by hash; should two different ids share one, by their text.
        let mark = out.len();
        if !self.form_wide_duplicates_by(form, out, model::normalized_hash) {
            out.truncate(mark);
            self.form_wide_duplicates_by(form, out, normalize_key);
        }
    }

    /// [`Walk::form_wide_duplicates`] with ids compared by `key`; false when two different
    /// ids met under one key.
    fn form_wide_duplicates_by<K: std::hash::Hash + Eq>(
        &self,
        form: NodeId,
        out: &mut Vec<Found>,
        key: impl Fn(&str) -> K,
    ) -> bool {
        let doc = self.doc;
        let Some(id) = self.id else {
            return true;
        };
        let mut first: FxHashMap<(usize, K), NodeId> = FxHashMap::default();
        for n in doc.descendant_ids(form) {
            let Some(which) = doc.name_sym(n).and_then(|name| {
                self.identified
                    .iter()
                    .position(|&(item, _)| item == Some(name))
            }) else {
                continue;
            };
            if doc.parent(n).and_then(|p| doc.name_sym(p)) != self.identified[which].1 {
                continue;
            }
            let Some(raw) = doc.attr_raw_sym(n, id).map(crate::xml::unescape_lossy) else {
                continue;
            };
            if model::key_text(&raw).is_empty() {
                continue;
            }
            match first.entry((which, key(&raw))) {
                Entry::Vacant(v) => {
                    v.insert(n);
                }
                Entry::Occupied(o) => {
                    let other = *o.get();
                    let text = |m| doc.attr(m, "id").map(|v| normalize_key(&v));
                    if text(other) != text(n) {
                        return false;
                    }
                    if doc.parent(other) != doc.parent(n) {
                        out.push(Found::InForm {
                            form,
                            first: other,
                            node: n,
                        });
                    }
                }
            }
        }
        true
    }
}

/// The problems of what [`scan`] found in entry `entry`, named by their components.
fn describe_found(
    found: Vec<Found>,
    entry: usize,
    tree: &ComponentTree,
    names: &Names,
) -> Vec<Problem> {
    let Some(doc) = tree.entries[entry].document() else {
        return Vec::new();
    };
    let path = &tree.entries[entry].path;
    let lines = Lines::default();
    let mut out = Vec::new();
    for f in found {
        match f {
            Found::Nil(n) => {
                let mut p = problem(
                    Code::NilWithContent,
                    path,
                    Some(lines.position(doc, n)),
                    format!(
                        "<{}> says it is null (xsi:nil=\"true\") and holds content; no schema accepts both",
                        doc.name(n)
                    ),
                );
                name_problem(&mut p, names.holder(entry, doc, n), names);
                out.push(p);
            }
            Found::InForm { form, first, node } => {
                let name = doc.name(node);
                let kind = crate::model::kinds::kind_named(name).expect("tab and cell are kinds");
                let id = doc
                    .attr(node, "id")
                    .map(|v| normalize_key(&v))
                    .unwrap_or_default();
                let label = model::display_of(doc, node, kind)
                    .filter(|d| normalize_key(d) != id)
                    .map_or_else(String::new, |d| format!(" \"{d}\""));
                let holder = names.holder(entry, doc, form);
                let within = holder.map_or_else(|| "the form".to_string(), |h| names.describe(h));
                let mut p = problem(
                    Code::DuplicateKey,
                    path,
                    Some(lines.position(doc, node)),
                    format!(
                        "{}{label} ({id}) is in {within} twice; the other is at line {} (one id, one place on a form)",
                        kind.title,
                        lines.position(doc, first).0
                    ),
                );
                name_problem(&mut p, holder, names);
                out.push(p);
            }
            Found::Duplicate {
                parent,
                kind,
                key,
                nodes,
            } => {
                let first = nodes[0];
                let first_line = lines.position(doc, first).0;
                let what = item_name(doc, first, kind, &key, tree);
                let holder = names.holder(entry, doc, parent);
                let within = holder.map(|h| names.describe(h));
                let times = if nodes.len() == 2 {
                    "twice".to_string()
                } else {
                    format!("{} times", nodes.len())
                };
                for node in &nodes[1..] {
                    let mut message = format!("{what} is listed {times}");
                    if let Some(w) = &within {
                        message.push_str(&format!(" in {w}"));
                    }
                    message.push_str(&format!("; the first is at line {first_line}"));
                    let mut p = problem(
                        Code::DuplicateKey,
                        path,
                        Some(lines.position(doc, *node)),
                        message,
                    );
                    // Name the duplicated component itself where it is one, else its holder.
                    let own = names.at(entry, *node);
                    name_problem(&mut p, own.or(holder), names);
                    out.push(p);
                }
            }
        }
    }
    out
}

/// Line starts of a document, found once and only when a problem needs a position (a
/// position counted from the start of a 100 MB file per problem adds up).
#[derive(Default)]
struct Lines(std::sync::OnceLock<crate::xml::LineIndex>);

impl Lines {
    /// 1-based line and column (in characters) of a node's start.
    fn position(&self, doc: &Document, node: NodeId) -> (u32, u32) {
        if doc.is_projected() {
            return doc.position(node);
        }
        let text = doc.text();
        self.0
            .get_or_init(|| crate::xml::LineIndex::new(text))
            .position(text, doc.span(node).start)
    }
}

/// How a keyed item is named in a message: its kind title, display name and key.
fn item_name(
    doc: &Document,
    node: NodeId,
    kind: &KindDef,
    key: &str,
    tree: &ComponentTree,
) -> String {
    // A role an app or a form refers to by id: named by the role, where the package has it.
    if matches!(kind.name, "approle" | "displayconditionrole")
        && let Some(role) = tree
            .components
            .iter()
            .find(|c| c.kind.name == "role" && c.key == key)
    {
        return format!("{} \"{}\" ({key})", kind.title, display_name(tree, role));
    }
    let display = model::display_of(doc, node, kind);
    let key_text = match kind.key {
        KeySpec::Singleton => String::new(),
        KeySpec::ElementName => format!(" <{key}>"),
        _ if kind.name == "label" => format!(" for language {key}"),
        _ if kind.name == "rootcomponent" => root_component_text(doc, node),
        _ => match &display {
            Some(d) if normalize_key(d) != *key => format!(" \"{d}\" ({key})"),
            _ => format!(" {key}"),
        },
    };
    if kind.name == "rootcomponent" {
        return format!("root component {key_text}");
    }
    if kind.name == "missingdependency" {
        let end = |name: &str| {
            doc.child(node, name)
                .map_or_else(|| "?".to_string(), |n| root_component_text(doc, n))
        };
        return format!(
            "The missing dependency of {} on {}",
            end("Dependent"),
            end("Required")
        );
    }
    format!("{}{key_text}", kind.title)
}

/// A root component as the manifest names it: `Table account`, `Process {id}`.
fn root_component_text(doc: &Document, node: NodeId) -> String {
    let ty = doc.attr(node, "type").unwrap_or_default();
    let title = ty
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(crate::model::kinds::type_title)
        .map_or_else(|| format!("component of type {ty}"), str::to_string);
    let key = doc
        .attr(node, "schemaName")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| doc.attr(node, "id"))
        .unwrap_or_default();
    match doc
        .attr(node, "displayName")
        .filter(|v| !v.trim().is_empty())
    {
        Some(name) => format!("{title} \"{}\" ({})", name.trim(), key.trim()),
        None => format!("{title} {}", key.trim()),
    }
}

fn name_problem(p: &mut Problem, c: Option<&Component>, names: &Names) {
    if let Some(c) = c {
        p.path = Some(strip_number(&c.path).to_string());
        p.component = Some(names.describe(c));
    }
}

/// The same component defined in two files (a SolutionPackager folder: a workflow copied
/// under a new file name). Duplicates within one file are duplicate keys.
fn duplicate_components(tree: &ComponentTree, names: &Names) -> Vec<Problem> {
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    let mut out = Vec::new();
    // A component twice in one file is a duplicate key, found with its list.
    if tree.entries.len() < 2 {
        return out;
    }
    for (i, c) in tree.components.iter().enumerate() {
        let base = strip_number(&c.path);
        match first.get(base) {
            None => {
                first.insert(base, i);
            }
            Some(&j) => {
                let other = &tree.components[j];
                if other.entry == c.entry || c.parent.is_some() {
                    continue;
                }
                let message = format!(
                    "{} is also defined in {}",
                    names.describe(c),
                    tree.entries[other.entry].path
                );
                let p = at_component(Code::DuplicateComponent, tree, c, names, message);
                out.push(p);
            }
        }
    }
    out
}

/// A problem with a whole component, placed at its start and named by it.
fn at_component(
    code: Code,
    tree: &ComponentTree,
    c: &Component,
    names: &Names,
    message: String,
) -> Problem {
    let doc = tree.entries[c.entry]
        .document()
        .expect("components come from XML");
    let mut p = problem(
        code,
        &tree.entries[c.entry].path,
        Some(doc.position(c.node)),
        message,
    );
    name_problem(&mut p, Some(c), names);
    p
}

/// A path without the `#2` the model gives a second component of one path.
fn strip_number(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    match last.rfind('#') {
        Some(at) if at + 1 < last.len() && last[at + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &path[..path.len() - (last.len() - at)]
        }
        _ => path,
    }
}

/// The kinds whose root components can be matched to their definitions by key: a root
/// component gives a schema name or an id, and the kind's key is one of them.
fn definable(code: u32) -> impl Iterator<Item = &'static KindDef> {
    KINDS
        .iter()
        .filter(move |k| k.code == Some(code) && k.role.is_component())
}

/// The manifest against the package: root components without a definition, and component
/// files no root component lists.
fn manifest(tree: &ComponentTree, names: &Names) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(solution) = tree.components.iter().find(|c| c.kind.name == "solution") else {
        return out;
    };
    let Some(doc) = tree.entries[solution.entry].document() else {
        return out;
    };
    let manifest_path = &tree.entries[solution.entry].path;
    // Only a package that holds its customizations can be checked against its manifest.
    let has_customizations = tree.entries.iter().any(|e| {
        let p = e.path.to_ascii_lowercase();
        p == "customizations.xml" || p.ends_with("other/customizations.xml")
    });
    if !has_customizations {
        return out;
    }
    let Some(list) = doc.child(solution.node, "RootComponents") else {
        return out;
    };
    // What identifies the defined components, by type code.
    let mut defined: FxHashMap<u32, FxHashSet<String>> = FxHashMap::default();
    for c in &tree.components {
        if let Some(code) = c.kind.code {
            defined
                .entry(code)
                .or_default()
                .extend(identifiers(tree, c));
        }
    }
    // A root component another solution provides is listed as a missing dependency too;
    // the export leaves its definition out (a managed form of a first-party app).
    let mut provided: FxHashSet<(u32, String)> = FxHashSet::default();
    if let Some(deps) = doc.child(solution.node, "MissingDependencies") {
        for dep in doc.elements(deps) {
            let Some(req) = doc.child(dep, "Required") else {
                continue;
            };
            let Some(code) = doc
                .attr(req, "type")
                .and_then(|t| t.trim().parse::<u32>().ok())
            else {
                continue;
            };
            for f in ["schemaName", "id"] {
                if let Some(v) = doc.attr(req, f).filter(|v| !v.trim().is_empty()) {
                    provided.insert((code, normalize_key(&v)));
                }
            }
        }
    }
    let mut listed: FxHashMap<u32, FxHashSet<String>> = FxHashMap::default();
    for rc in doc.elements(list) {
        let Some(code) = doc
            .attr(rc, "type")
            .and_then(|t| t.trim().parse::<u32>().ok())
        else {
            continue;
        };
        let keys: Vec<String> = ["schemaName", "id"]
            .iter()
            .filter_map(|f| doc.attr(rc, f))
            .filter(|v| !v.trim().is_empty())
            .map(|v| normalize_key(&v))
            .collect();
        listed.entry(code).or_default().extend(keys.iter().cloned());
        if !MATCHED_BY_KEY.contains(&code)
            || definable(code).next().is_none()
            || keys.iter().any(|k| provided.contains(&(code, k.clone())))
        {
            continue;
        }
        let found = defined
            .get(&code)
            .is_some_and(|set| keys.iter().any(|k| set.contains(k)));
        if !found {
            out.push(problem(
                Code::MissingComponentFiles,
                manifest_path,
                Some(doc.position(rc)),
                format!(
                    "the manifest lists {} as a root component, but the package does not define it",
                    root_component_text(doc, rc)
                ),
            ));
        }
    }
    // Dataverse's own exports include components no root component lists (environment
    // variable definitions, business rules of a listed table); the manifests people edit —
    // SolutionPackager's — are where an unlisted file means a lost component.
    if tree.form != PackageForm::PackagerFolder {
        return out;
    }
    for c in &tree.components {
        let Some(code) = c.kind.code else { continue };
        if c.parent.is_some()
            || !MATCHED_BY_KEY.contains(&code)
            || code == ENTITY
            || model::entry_prefix(&tree.entries[c.entry].path).is_some()
        {
            continue;
        }
        if listed
            .get(&code)
            .is_some_and(|set| identifiers(tree, c).iter().any(|k| set.contains(k)))
        {
            continue;
        }
        let message = format!(
            "{} is in the package, but the manifest does not list it as a root component",
            names.describe(c)
        );
        let p = at_component(Code::UnlistedComponentFiles, tree, c, names, message);
        out.push(p);
    }
    out
}

/// The manifest and reference checks of a YAML layout package, run on the classic tree it
/// converts to (where the manifest's lists are in one document again), each problem put
/// back on the YAML file that holds its component.
fn classic_checks(tree: &ComponentTree) -> Vec<Problem> {
    let Ok(entries) = crate::convert::classic_entries(tree) else {
        return Vec::new();
    };
    let classic = match ComponentTree::build(input::Package {
        form: PackageForm::ExtractedFolder,
        source: tree.source.clone(),
        entries,
    }) {
        Ok(t) => t,
        Err(_) => return Vec::new(),
    };
    let names = Names::of(&classic);
    let mut found = manifest(&classic, &names);
    found.extend(references(&classic, &names));
    // A problem without a component of its own is the manifest's.
    let manifest_list = tree
        .entries
        .iter()
        .find(|e| e.path.ends_with("/rootcomponents.yml"))
        .map(|e| e.path.clone());
    for p in &mut found {
        let component = p
            .path
            .as_deref()
            .and_then(|path| tree.components.iter().find(|c| c.path == path));
        let place = component.and_then(|c| yaml_place(&classic, tree, p, c));
        let file = component.map(|c| tree.entries[c.entry].path.clone());
        p.entry = file.or_else(|| manifest_list.clone()).unwrap_or_default();
        (p.line, p.column) = place.map_or((None, None), |(l, c)| (Some(l), Some(c)));
    }
    found
}

/// Where in its YAML file a problem found on the classic tree is: the classic tree holds
/// each component's element as its YAML file projects it, so the element the problem was
/// placed at is the one at the same rank, in document order, under the YAML component.
fn yaml_place(
    classic: &ComponentTree,
    tree: &ComponentTree,
    p: &Problem,
    yaml_component: &Component,
) -> Option<(u32, u32)> {
    let at = (p.line?, p.column?);
    let path = p.path.as_deref()?;
    let c = classic.components.iter().find(|c| c.path == path)?;
    let doc = classic.entries[c.entry].document()?;
    let lines = Lines::default();
    let classic_nodes: Vec<NodeId> = std::iter::once(c.node)
        .chain(descendants(doc, c.node))
        .collect();
    let rank = classic_nodes
        .iter()
        .position(|&n| lines.position(doc, n) == at)?;
    let ydoc = tree.entries[yaml_component.entry].document()?;
    let node = std::iter::once(yaml_component.node)
        .chain(descendants(ydoc, yaml_component.node))
        .nth(rank)?;
    // Only where the two are the same element (a part the conversion moved is not).
    (ydoc.name(node) == doc.name(classic_nodes[rank])).then(|| ydoc.position(node))
}

/// The YAML layout's manifest against its folders: a component `solutioncomponents.yml`
/// lists without files, and a component folder no solution of the layout lists. `pac
/// solution pack` drops both without an error, so a merge that lost a manifest line or a
/// folder loses a component at import.
fn yaml_layout(gaps: input::yaml::LayoutGaps, name: &str) -> Vec<Problem> {
    let manifest = format!("solutions/{name}/solutioncomponents.yml");
    let mut out = Vec::new();
    for (path, line) in gaps.listed_without_files {
        out.push(problem(
            Code::MissingComponentFiles,
            &manifest,
            Some((line, 1)),
            format!("the manifest lists /{path}, but the layout has no files there"),
        ));
    }
    for folder in gaps.unlisted_folders {
        out.push(problem(
            Code::UnlistedComponentFiles,
            &folder,
            None,
            format!("{folder} holds a component, but no solution's solutioncomponents.yml lists it (pack drops it)"),
        ));
    }
    out
}

/// References that must resolve inside the package: form fields, view columns and
/// relationships naming columns and tables. Only what a package can tell for sure is
/// checked — names that carry the publisher's own prefix (system tables and columns, and
/// those of other publishers, live in the target org without being exported), and the
/// columns of the publisher's own tables exported whole (root component behavior 0, which
/// exports every column the publisher added). A business process flow's table is left out:
/// its form shows the columns of its stages' tables.
fn references(tree: &ComponentTree, names: &Names) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(known) = Known::of(tree) else {
        return out;
    };
    for c in &tree.components {
        let (element, attr, what) = match c.kind.name {
            "form" => ("control", "datafieldname", "shows the column"),
            "view" => ("cell", "name", "has a column"),
            "relationship" => {
                out.extend(known.relationship(c, names));
                continue;
            }
            _ => continue,
        };
        let Some(table) = table_of(&c.path) else {
            continue;
        };
        let (Some(columns), Some(doc)) = (
            known.checked_columns(table),
            tree.entries[c.entry].document(),
        ) else {
            continue;
        };
        for n in descendants(doc, c.node) {
            if doc.name(n) != element {
                continue;
            }
            // A view column of a linked table is `alias.column`.
            let Some(name) = doc.attr(n, attr).map(|v| normalize_key(&v)) else {
                continue;
            };
            if name.contains('.') || !known.own(&name) || columns.contains(name.as_str()) {
                continue;
            }
            let message = format!(
                "{} {what} {name}, which {} does not have",
                names.describe(c),
                name_of(tree, known.tables[table])
            );
            out.push(known.problem(Code::MissingColumn, c, n, message, names));
        }
    }
    out
}

/// What a package says about its own tables, for [`references`].
struct Known<'t> {
    tree: &'t ComponentTree,
    /// The publisher's customization prefix, lower-cased.
    prefix: String,
    /// Tables exported whole (root component type 1, behavior 0).
    whole: FxHashSet<String>,
    /// Tables the manifest lists as missing dependencies (another solution has them).
    provided: FxHashSet<String>,
    tables: FxHashMap<&'t str, &'t Component>,
    /// The columns of each table, found by path: in a SolutionPackager folder a table's
    /// columns, forms and views live in several files.
    columns: FxHashMap<&'t str, FxHashSet<&'t str>>,
}

impl<'t> Known<'t> {
    fn of(tree: &'t ComponentTree) -> Option<Known<'t>> {
        let solution = tree.components.iter().find(|c| c.kind.name == "solution")?;
        let doc = tree.entries[solution.entry].document()?;
        let prefix = doc
            .child(solution.node, "Publisher")
            .and_then(|p| doc.child_text(p, "CustomizationPrefix"))
            .map(|p| normalize_key(&p))
            .filter(|p| !p.is_empty())?;
        let attr_is = |n: NodeId, name: &str, value: &str| {
            doc.attr(n, name).as_deref().map(str::trim) == Some(value)
        };
        let schema_name = |n: NodeId| doc.attr(n, "schemaName").map(|v| normalize_key(&v));
        let whole = doc
            .child(solution.node, "RootComponents")
            .into_iter()
            .flat_map(|list| doc.elements(list))
            .filter(|&rc| attr_is(rc, "type", "1") && attr_is(rc, "behavior", "0"))
            .filter_map(schema_name)
            .collect();
        // A table is provided when it is missing itself, or when a part of it is (a
        // column another solution adds to a table that solution also has: its
        // `parentSchemaName`, as Dataverse's own export of a YAML-layout solution shows).
        let provided = doc
            .child(solution.node, "MissingDependencies")
            .into_iter()
            .flat_map(|deps| doc.elements(deps))
            .filter_map(|dep| doc.child(dep, "Required"))
            .flat_map(|req| {
                let table = attr_is(req, "type", "1")
                    .then(|| schema_name(req))
                    .flatten();
                let parent = doc
                    .attr(req, "parentSchemaName")
                    .map(|v| normalize_key(&v))
                    .filter(|v| !v.is_empty());
                table.into_iter().chain(parent)
            })
            .collect();
        let mut tables = FxHashMap::default();
        let mut columns: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
        for c in &tree.components {
            match c.kind.name {
                "entity" => {
                    tables.insert(strip_number(&c.key), c);
                }
                "attribute" => {
                    if let Some(table) = table_of(&c.path) {
                        columns
                            .entry(table)
                            .or_default()
                            .insert(strip_number(&c.key));
                    }
                }
                _ => {}
            }
        }
        Some(Known {
            tree,
            prefix,
            whole,
            provided,
            tables,
            columns,
        })
    }

    /// A name with the publisher's prefix (`new_project` for the prefix `new`).
    fn own(&self, name: &str) -> bool {
        name.len() > self.prefix.len() + 1
            && name.starts_with(self.prefix.as_str())
            && name.as_bytes()[self.prefix.len()] == b'_'
    }

    /// The columns of `table` when the package holds all of them that can be checked: the
    /// publisher's own table, exported whole, not a process flow's.
    fn checked_columns(&self, table: &str) -> Option<&FxHashSet<&'t str>> {
        let component = self.tables.get(table)?;
        if !self.own(table)
            || !self.whole.contains(table)
            || is_process_flow_table(self.tree, component)
        {
            return None;
        }
        self.columns.get(table)
    }

    /// The tables and the lookup column a relationship names.
    fn relationship(&self, c: &Component, names: &Names) -> Vec<Problem> {
        let mut out = Vec::new();
        let Some(doc) = self.tree.entries[c.entry].document() else {
            return out;
        };
        for field in [
            "ReferencingEntityName",
            "ReferencedEntityName",
            "FirstEntityName",
            "SecondEntityName",
        ] {
            let Some(n) = doc.child(c.node, field) else {
                continue;
            };
            let table = normalize_key(&doc.text_of(n));
            if table.is_empty()
                || !self.own(&table)
                || self.tables.contains_key(table.as_str())
                || self.provided.contains(&table)
            {
                continue;
            }
            let message = format!(
                "{} relates table {table}, which is neither in the package nor among its missing dependencies",
                names.describe(c)
            );
            out.push(self.problem(Code::MissingTable, c, n, message, names));
        }
        let (Some(table), Some(n)) = (
            doc.child_text(c.node, "ReferencingEntityName")
                .map(|t| normalize_key(&t)),
            doc.child(c.node, "ReferencingAttributeName"),
        ) else {
            return out;
        };
        let column = normalize_key(&doc.text_of(n));
        let Some(columns) = self.checked_columns(&table) else {
            return out;
        };
        if !column.is_empty() && self.own(&column) && !columns.contains(column.as_str()) {
            let message = format!(
                "{} looks up through the column {column}, which {} does not have",
                names.describe(c),
                name_of(self.tree, self.tables[table.as_str()])
            );
            out.push(self.problem(Code::MissingColumn, c, n, message, names));
        }
        out
    }

    /// A finding at `node` inside component `c`, named by it.
    fn problem(
        &self,
        code: Code,
        c: &Component,
        node: NodeId,
        message: String,
        names: &Names,
    ) -> Problem {
        let entry = &self.tree.entries[c.entry];
        let doc = entry.document().expect("components come from XML");
        let mut p = problem(code, &entry.path, Some(doc.position(node)), message);
        name_problem(&mut p, Some(c), names);
        p
    }
}

/// The table key a component path lies under: `entity:account/form:…` → `account`.
fn table_of(path: &str) -> Option<&str> {
    let first = path.strip_prefix("entity:")?.split('/').next()?;
    Some(strip_number(first))
}

/// A business process flow's table (`IsBPFEntity`).
fn is_process_flow_table(tree: &ComponentTree, table: &Component) -> bool {
    let Some(doc) = tree.entries[table.entry].document() else {
        return false;
    };
    doc.child(table.node, "EntityInfo")
        .and_then(|i| doc.child(i, "entity"))
        .and_then(|e| doc.child_text(e, "IsBPFEntity"))
        .is_some_and(|v| v.trim() == "1")
}

/// Every element below `node`, in document order.
fn descendants(doc: &Document, node: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack: Vec<NodeId> = doc.elements(node).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        out.push(n);
        let start = stack.len();
        stack.extend(doc.elements(n));
        stack[start..].reverse();
    }
    out
}

const ENTITY: u32 = 1;

/// Everything a root component may name a top-level component by: its key, and the values
/// of its own attributes and short child elements (a root component names a web resource by
/// its name, an environment variable by its id, an old plug-in assembly by its full name).
fn identifiers(tree: &ComponentTree, c: &Component) -> Vec<String> {
    let mut out = vec![strip_number(&c.key).to_string()];
    if c.parent.is_some() && c.kind.role != crate::model::kinds::Role::Leaf {
        return out;
    }
    let Some(doc) = tree.entries[c.entry].document() else {
        return out;
    };
    for (_, v) in doc.attributes(c.node) {
        out.push(normalize_key(&crate::xml::unescape_lossy(v)));
    }
    for child in doc.elements(c.node) {
        if doc.elements(child).next().is_none() && doc.raw_content(child).len() <= 512 {
            out.push(normalize_key(&doc.text_of(child)));
        }
    }
    out.retain(|k| !k.is_empty());
    out
}

/// Type codes whose root components name the key the kinds table reads (a schema name or an
/// id that the definition carries). Others (a column by id: its definition has no id) are
/// not matched.
const MATCHED_BY_KEY: &[u32] = &[
    1, 9, 20, 26, 29, 36, 59, 60, 61, 62, 63, 66, 70, 80, 91, 92, 95, 300, 372, 380,
];

/// `X_managed.xml` without `X.xml` in a SolutionPackager folder.
fn unpaired_managed(paths: &[String]) -> Vec<Problem> {
    let all: FxHashSet<String> = paths.iter().map(|p| p.to_ascii_lowercase()).collect();
    paths
        .iter()
        .filter(|p| is_managed_twin(p))
        .filter(|p| {
            let lower = p.to_ascii_lowercase();
            let twin = format!("{}.xml", &lower[..lower.len() - "_managed.xml".len()]);
            !all.contains(&twin)
        })
        .map(|p| {
            let twin = format!("{}.xml", &p[..p.len() - "_managed.xml".len()]);
            problem(
                Code::UnpairedManagedFile,
                p,
                None,
                format!("{p} is a managed twin, but its unmanaged file {twin} is missing"),
            )
        })
        .collect()
}

/// Text for people: one line per problem, `file:line:column: severity[code]: message`, the
/// component and the hint below it, then a summary.
pub fn render_text(reports: &[CheckReport], out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        for p in &r.problems {
            let location = location(r, p);
            let severity = match p.severity {
                Severity::Error => "error".red().bold(),
                Severity::Warning => "warning".yellow().bold(),
            };
            writeln!(
                out,
                "{}: {severity}[{}]: {}",
                location.bold(),
                p.code.name(),
                p.message
            )?;
            if let (Some(c), Some(path)) = (&p.component, &p.path) {
                writeln!(out, "  component: {c} ({})", path.cyan())?;
            }
            writeln!(out, "  hint: {}", p.hint)?;
        }
    }
    let errors: usize = reports.iter().map(|r| r.errors).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings).sum();
    let components: usize = reports.iter().map(|r| r.components).sum();
    let entries: usize = reports.iter().map(|r| r.entries).sum();
    let what = if reports.len() == 1 {
        format!("{} ({})", reports[0].source, reports[0].form)
    } else {
        format!("{} packages", reports.len())
    };
    if errors + warnings == 0 {
        writeln!(
            out,
            "{}: no problems ({entries} {}, {components} {})",
            what,
            plural(entries, "file", "files"),
            plural(components, "component", "components")
        )
    } else {
        if !reports.iter().all(|r| r.problems.is_empty()) {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{}: {} {}, {} {}",
            what,
            errors,
            plural(errors, "error", "errors"),
            warnings,
            plural(warnings, "warning", "warnings")
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Where a problem is, as an editor opens it: the file (inside a folder package, its path
/// under the folder), then line and column.
fn location(r: &CheckReport, p: &Problem) -> String {
    let file = match r.form {
        "xml-file" => r.source.clone(),
        _ if p.entry.is_empty() => r.source.clone(),
        "zip" => format!("{}!{}", r.source, p.entry),
        _ => std::path::Path::new(&r.source)
            .join(&p.entry)
            .display()
            .to_string(),
    };
    match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file,
    }
}

/// JSON for scripts: the schema version, totals, and one report per package.
pub fn render_json(reports: &[CheckReport], out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Output<'a> {
        schema_version: u32,
        errors: usize,
        warnings: usize,
        packages: &'a [CheckReport],
    }
    serde_json::to_writer_pretty(
        &mut *out,
        &Output {
            schema_version: SCHEMA_VERSION,
            errors: reports.iter().map(|r| r.errors).sum(),
            warnings: reports.iter().map(|r| r.warnings).sum(),
            packages: reports,
        },
    )?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Entry;

    fn check_xml(text: &str) -> CheckReport {
        let pkg = Package {
            form: PackageForm::XmlFile,
            source: "customizations.xml".into(),
            entries: vec![Entry {
                path: "customizations.xml".into(),
                data: text.as_bytes().to_vec(),
            }],
        };
        check(pkg, &CheckOptions::default())
    }

    fn codes(r: &CheckReport) -> Vec<(&'static str, Option<u32>)> {
        r.problems.iter().map(|p| (p.code.name(), p.line)).collect()
    }

    #[test]
    fn a_conflict_is_one_finding_at_its_opening_marker() {
        let r = check_xml("<a>\n<<<<<<< ours\n<b/>\n=======\n<c/>\n>>>>>>> theirs\n</a>\n");
        assert_eq!(codes(&r), vec![("conflict-marker", Some(2))]);
        assert!(
            r.problems[0].message.contains("lines 2–6"),
            "{}",
            r.problems[0].message
        );
    }

    #[test]
    fn a_stray_marker_is_a_finding_of_its_own() {
        let r = check_xml("<a>\n<b/>\n>>>>>>> theirs\n</a>\n");
        assert_eq!(codes(&r), vec![("conflict-marker", Some(3))]);
        assert!(r.problems[0].message.contains("without its other half"));
    }

    #[test]
    fn names_strip_only_the_model_number() {
        assert_eq!(
            strip_number("entity:a/attribute:b#2"),
            "entity:a/attribute:b"
        );
        assert_eq!(
            strip_number("entity:a#2/attribute:b"),
            "entity:a#2/attribute:b"
        );
        assert_eq!(strip_number("webresource:x#y"), "webresource:x#y");
    }

    #[test]
    fn every_code_has_a_distinct_name_that_reads_back() {
        let names: FxHashSet<&str> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            assert_eq!(Code::named(c.name()), Some(*c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.name().to_string())
            );
        }
    }
}
