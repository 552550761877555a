//! Model layer: the canonical component tree of a package.
//!
//! The boundary type is [`ComponentTree`]: every entry of a [`Package`] (XML entries parsed
//! into lossless [`Document`]s, other parts kept as bytes) plus every component found in
//! them, addressed by a stable path of `kind:key` segments such as
//! `entity:account/attribute:new_score` — the same path whether the component came from a
//! zip, a customizations.xml or an unpacked `Entity.xml`. What a kind is, where it lives and
//! how it is keyed comes only from the declarative table in [`kinds`]; [`Classifier`] applies
//! that table to a document.

pub mod kinds;
pub mod noise;

use crate::input::{self, Entry, InputError, Package, PackageForm, TextEncoding};
use crate::xml::{Document, NodeId, XmlError};
use kinds::{Display, KINDS, KeySpec, KindDef, ListOrder, Role};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::path::PathBuf;
use std::sync::LazyLock;

/// Errors while building the model: a part that is not valid text or not well-formed XML,
/// told apart where the cause is plain (an unresolved merge, a file that is not XML at all).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error(
        "{entry}:{line}: holds conflict markers (an unresolved merge); resolve them, then try again"
    )]
    ConflictMarkers { entry: String, line: usize },
    #[error("{entry}: not a solution file: it is not XML (a solution file starts with `<`)")]
    NotXml { entry: String },
    #[error(transparent)]
    Yaml(#[from] crate::yaml::YamlError),
    #[error(transparent)]
    Projection(#[from] crate::yaml::project::ProjectionError),
}

/// One entry of the package, parsed where it is XML.
#[derive(Debug)]
pub enum Part {
    Xml(Document),
    Bytes(Vec<u8>),
}

#[derive(Debug)]
pub struct ModelEntry {
    pub path: String,
    pub part: Part,
    /// How an XML part was stored (UTF-8 or UTF-16), so it is written back the same way.
    pub encoding: TextEncoding,
    /// For a file of the YAML layout, the file's style: its [`Part::Xml`] document is the
    /// projection of the YAML, and is written back as YAML in this style.
    pub yaml: Option<crate::yaml::Style>,
}

impl ModelEntry {
    pub fn document(&self) -> Option<&Document> {
        match &self.part {
            Part::Xml(d) => Some(d),
            Part::Bytes(_) => None,
        }
    }
}

/// A component found in the package.
#[derive(Debug, Clone)]
pub struct Component {
    pub kind: &'static KindDef,
    /// Normalized identity key (GUIDs without braces, names lower-cased).
    pub key: String,
    /// The name a user knows it by (a label, a schema name …); empty when the components
    /// were found [`Naming::Unnamed`].
    pub display: String,
    /// Stable canonical path: `kind:key` segments of its component ancestors and itself.
    pub path: String,
    /// Index into [`ComponentTree::entries`].
    pub entry: usize,
    pub node: NodeId,
    /// Index of the enclosing component, if any.
    pub parent: Option<usize>,
}

/// The canonical component tree of one package.
#[derive(Debug)]
pub struct ComponentTree {
    pub form: PackageForm,
    pub source: PathBuf,
    pub entries: Vec<ModelEntry>,
    pub components: Vec<Component>,
}

/// Whether an entry is XML that the model parses (customizations, manifests, component
/// files). Web resource contents are parts, whatever their extension; their `.data.xml`
/// metadata is XML.
pub fn is_xml_entry(path: &str, form: PackageForm) -> bool {
    if form == PackageForm::XmlFile {
        return true;
    }
    let lower = path.to_ascii_lowercase();
    if !lower.ends_with(".xml") {
        return false;
    }
    let in_web_resources = lower.starts_with("webresources/") || lower.contains("/webresources/");
    !in_web_resources || lower.ends_with(".data.xml")
}

/// Suffix of the top component's path segment in a `_managed.xml` twin. A SolutionPackager
/// "Both" folder holds each form, app and site map twice — `{id}.xml` (unmanaged) and
/// `{id}_managed.xml` (managed) — with the same key; the suffix keeps the two layers apart
/// (`entity:account/form:…` and `entity:account/form:…@managed`), so each is listed and
/// compared with its own twin.
pub const MANAGED_LAYER: &str = "@managed";

/// Whether an entry is the managed twin of a SolutionPackager file (`…_managed.xml`).
pub fn is_managed_twin(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with("_managed.xml")
}

/// The component path prefix implied by where an entry sits in a SolutionPackager tree
/// (`Entities/<Entity>/FormXml/main/{id}.xml` belongs to `entity:<entity>`) or in the YAML
/// layout (`entities/<entity>/attributes/<column>.yml` likewise, and
/// `solutions/<name>/rootcomponents.yml` belongs to `solution:<name>`).
pub fn entry_prefix(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    // The layout may sit below other folders of a repository (git's `%P`): its last
    // `Entities` or `solutions` folder anchors it.
    let at = segments
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("Entities") || s.eq_ignore_ascii_case("solutions"))?;
    let (first, second, rest) = (segments[at], *segments.get(at + 1)?, &segments[at + 2..]);
    if first.eq_ignore_ascii_case("solutions") {
        let [file] = rest else { return None };
        return (input::yaml::is_yaml_name(file) && !file.eq_ignore_ascii_case("solution.yml"))
            .then(|| format!("solution:{}", normalize_key(second)));
    }
    let own_file =
        |f: &str| f.eq_ignore_ascii_case("Entity.xml") || f.eq_ignore_ascii_case("entity.yml");
    if rest.is_empty() || (rest.len() == 1 && own_file(rest[0])) {
        return None;
    }
    Some(format!("entity:{}", normalize_key(second)))
}

/// [`entry_prefix`] within a package: in the YAML layout, a publisher's file belongs to the
/// package's solution (`solution:<name>/publisher:<publisher>`, as in `solution.xml`).
fn package_entry_prefix(path: &str, yaml_solution: Option<&str>) -> Option<String> {
    match yaml_solution {
        Some(solution) if path.to_ascii_lowercase().starts_with("publishers/") => {
            Some(format!("solution:{}", normalize_key(solution)))
        }
        _ => entry_prefix(path),
    }
}

impl ComponentTree {
    /// Reads and models the package at `path`.
    pub fn load(
        path: &std::path::Path,
        limits: &input::Limits,
    ) -> Result<ComponentTree, ModelError> {
        ComponentTree::build(input::read(path, limits)?)
    }

    /// Parses every XML entry (in parallel) and collects the components.
    pub fn build(pkg: Package) -> Result<ComponentTree, ModelError> {
        let form = pkg.form;
        let entries: Vec<ModelEntry> = pkg
            .entries
            .into_par_iter()
            .map(|Entry { path, data }| {
                if is_yaml_entry(&path, form) {
                    let (doc, style) = parse_yaml_entry(data, &path)?;
                    Ok(ModelEntry {
                        path,
                        part: Part::Xml(doc),
                        encoding: TextEncoding::Utf8 { bom: false },
                        yaml: Some(style),
                    })
                } else if is_xml_entry(&path, form) {
                    let (text, encoding) = input::decode_xml(&path, data)?;
                    let doc = parse_entry(text, &path, encoding)?;
                    Ok(ModelEntry {
                        path,
                        part: Part::Xml(doc),
                        encoding,
                        yaml: None,
                    })
                } else {
                    Ok(ModelEntry {
                        path,
                        part: Part::Bytes(data),
                        encoding: TextEncoding::Utf8 { bom: false },
                        yaml: None,
                    })
                }
            })
            .collect::<Result<_, ModelError>>()?;
        Ok(ComponentTree::from_entries(form, pkg.source, entries))
    }

    /// Collects the components of entries already parsed (`check` parses each entry itself,
    /// so that one bad entry is a finding, not the end of the run).
    pub fn from_entries(
        form: PackageForm,
        source: PathBuf,
        entries: Vec<ModelEntry>,
    ) -> ComponentTree {
        let components = components_of(&entries, Naming::Named);
        ComponentTree {
            form,
            source,
            entries,
            components,
        }
    }

    /// The solution manifest, if the package has one.
    pub fn solution(&self) -> Option<SolutionInfo> {
        let c = self.components.iter().find(|c| c.kind.name == "solution")?;
        let doc = self.entries[c.entry].document()?;
        let field = |n: &str| doc.child_text(c.node, n).map(Cow::into_owned);
        // The publisher's own file where the manifest only names it (the YAML layout).
        let (pdoc, publisher) = match self.components.iter().find(|p| p.kind.name == "publisher") {
            Some(p) => (self.entries[p.entry].document()?, Some(p.node)),
            None => (doc, doc.child(c.node, "Publisher")),
        };
        Some(SolutionInfo {
            unique_name: field("UniqueName").unwrap_or_default(),
            display_name: c.display.clone(),
            version: field("Version").unwrap_or_default(),
            managed: field("Managed").unwrap_or_default(),
            publisher: publisher
                .and_then(|p| pdoc.child_text(p, "UniqueName"))
                .map(Cow::into_owned)
                .unwrap_or_default(),
            prefix: publisher
                .and_then(|p| pdoc.child_text(p, "CustomizationPrefix"))
                .map(Cow::into_owned)
                .unwrap_or_default(),
        })
    }
}

/// Whether [`components_of`] gives each component its display name. `check` names only the
/// few components it reports (from their documents, with [`display_of`]): finding the name
/// of every component of a large file is a fifth of the walk it would wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    Named,
    /// [`Component::display`] is left empty.
    Unnamed,
}

/// Every component of parsed entries, numbered where a path repeats (what
/// [`ComponentTree::from_entries`] collects; `check` runs it beside its own walk).
pub fn components_of(entries: &[ModelEntry], naming: Naming) -> Vec<Component> {
    let solution = input::yaml::solution_of(entries.iter().map(|e| e.path.as_str()));
    let per_entry: Vec<Vec<Component>> = entries
        .par_iter()
        .enumerate()
        .map(|(i, e)| match &e.part {
            Part::Xml(doc) if !is_index_entry(&e.path) => {
                let prefix = package_entry_prefix(&e.path, solution);
                collect_components(doc, i, &e.path, prefix, naming)
            }
            _ => Vec::new(),
        })
        .collect();
    let mut components = Vec::with_capacity(per_entry.iter().map(Vec::len).sum());
    for mut list in per_entry {
        let offset = components.len();
        for c in &mut list {
            c.parent = c.parent.map(|p| p + offset);
        }
        components.extend(list);
    }
    number_duplicates(&mut components, entries);
    components
}

/// Gives components that share a path (a component listed twice, as a line merge can leave
/// it) paths of their own: the second and later get `#2`, `#3`, … after their segment, in
/// the order of their content (not their place, which a set does not keep), and their
/// descendants follow. Without duplicates (every real export) nothing changes.
fn number_duplicates(components: &mut [Component], entries: &[ModelEntry]) {
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    if components.iter().all(|c| seen.insert(c.path.as_str())) {
        return;
    }
    // Level by level, so that a duplicate's descendants are numbered under their own parent.
    let old: Vec<String> = components.iter().map(|c| c.path.clone()).collect();
    let mut depth = vec![0usize; components.len()];
    for i in 0..components.len() {
        // Parents come before their children.
        depth[i] = components[i].parent.map_or(0, |p| depth[p] + 1);
    }
    let levels = depth.iter().copied().max().unwrap_or(0);
    for level in 0..=levels {
        let mut groups: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for i in (0..components.len()).filter(|&i| depth[i] == level) {
            let parent = components[i].parent;
            let path = match parent {
                Some(p) => {
                    let segment = old[i]
                        .strip_prefix(&format!("{}/", old[p]))
                        .unwrap_or(&old[i]);
                    format!("{}/{segment}", components[p].path)
                }
                None => old[i].clone(),
            };
            groups.entry(path).or_default().push(i);
        }
        for (path, mut members) in groups {
            if members.len() > 1 {
                members.sort_by_cached_key(|&i| {
                    let c = &components[i];
                    let doc = entries[c.entry]
                        .document()
                        .expect("components come from XML");
                    (doc.unordered_hash(c.node), doc.raw(c.node).to_string(), i)
                });
            }
            for (nth, &i) in members.iter().enumerate() {
                components[i].path = if nth == 0 {
                    path.clone()
                } else {
                    format!("{path}#{}", nth + 1)
                };
            }
        }
    }
}

/// Whether an entry is a YAML file of the layout, read through its XML projection.
pub fn is_yaml_entry(path: &str, form: PackageForm) -> bool {
    form.is_yaml() && input::yaml::is_yaml_name(path)
}

/// How the projection of a YAML entry is written as XML in memory: plain, so that
/// positions in it read like the YAML's nesting.
pub fn projected_xml_style() -> crate::yaml::project::XmlStyle {
    crate::yaml::project::XmlStyle {
        bom: false,
        declaration: None,
        newline: "\n",
        indent: 2,
        final_newline: true,
        escape_cr: true,
    }
}

/// Reads a YAML entry into the XML document it projects to, and the file's style.
pub fn parse_yaml_entry(
    data: Vec<u8>,
    path: &str,
) -> Result<(Document, crate::yaml::Style), ModelError> {
    let text = input::decode_utf8(path, data)?;
    if let Some(line) = input::conflict_marker_line(&text) {
        return Err(ModelError::ConflictMarkers {
            entry: path.to_string(),
            line,
        });
    }
    let yaml = crate::yaml::Document::parse(&text, path)?;
    let (xml, origins) = crate::yaml::project::to_xml_placed(&yaml, path, &projected_xml_style())?;
    // Reports on the document point into the YAML file, not into its projection.
    let lines = crate::xml::LineIndex::new(&text);
    let positions = origins
        .into_iter()
        .map(|(offset, origin)| {
            let (line, column) = lines.position(&text, origin);
            crate::xml::SourcePosition {
                offset: offset as u32,
                line,
                column,
            }
        })
        .collect();
    let doc = Document::parse(xml, path)?.with_source_positions(positions);
    Ok((doc, yaml.style))
}

/// Parses one XML entry; a failure caused by conflict markers or by text that is not XML at
/// all says so instead of pointing at the first odd character.
fn parse_entry(text: String, path: &str, encoding: TextEncoding) -> Result<Document, ModelError> {
    Document::try_parse_stored(text, path, encoding).map_err(|(err, text)| {
        if let Some(line) = input::conflict_marker_line(&text) {
            ModelError::ConflictMarkers {
                entry: path.to_string(),
                line,
            }
        } else if !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            ModelError::NotXml {
                entry: path.to_string(),
            }
        } else {
            ModelError::Xml(err)
        }
    })
}

/// The few manifest facts shown in headers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SolutionInfo {
    pub unique_name: String,
    pub display_name: String,
    pub version: String,
    pub managed: String,
    pub publisher: String,
    pub prefix: String,
}

/// `Other/Relationships.xml` only lists relationship names; the definitions live in
/// `Other/Relationships/<Entity>.xml`, so the index is not an inventory source.
fn is_index_entry(path: &str) -> bool {
    path.eq_ignore_ascii_case("Other/Relationships.xml")
        || path
            .to_ascii_lowercase()
            .ends_with("/other/relationships.xml")
}

fn collect_components(
    doc: &Document,
    entry: usize,
    entry_path: &str,
    prefix: Option<String>,
    naming: Naming,
) -> Vec<Component> {
    let classifier = Classifier::new(doc);
    let layer = if is_managed_twin(entry_path) {
        MANAGED_LAYER
    } else {
        ""
    };
    let mut out = Vec::new();
    let Some(root) = doc.root() else {
        return out;
    };
    // Depth-first, carrying the index of the enclosing component.
    let mut stack: Vec<(NodeId, Option<usize>)> = vec![(root, None)];
    while let Some((node, parent)) = stack.pop() {
        let mut here = parent;
        if let Some(kind) = classifier.classify(node)
            && kind.role.is_component()
            && !is_placeholder(doc, node, kind)
        {
            let key = key_of(doc, node, kind);
            // The layer marks the entry's top component; the rest hang below it.
            let layer = if parent.is_none() { layer } else { "" };
            let segment = if key.is_empty() {
                format!("{}{layer}", kind.name)
            } else {
                format!("{}:{}{layer}", kind.name, key)
            };
            let path = match (parent, &prefix) {
                (Some(p), _) => format!("{}/{}", out_path(&out, p), segment),
                (None, Some(pre)) if kind.role != Role::Scope => format!("{pre}/{segment}"),
                _ => segment,
            };
            out.push(Component {
                kind,
                key,
                display: match naming {
                    Naming::Named => {
                        display_of(doc, node, kind).unwrap_or_else(|| kind.title.to_string())
                    }
                    Naming::Unnamed => String::new(),
                },
                path,
                entry,
                node,
                parent,
            });
            here = Some(out.len() - 1);
            if kind.role == Role::Leaf {
                continue;
            }
        }
        let before = stack.len();
        stack.extend(doc.elements(node).map(|c| (c, here)));
        stack[before..].reverse();
    }
    out
}

/// An empty singleton such as the `<RibbonDiffXml />` SolutionPackager leaves in `Entity.xml`
/// where the real ribbon lives in its own file: a place holder, not a second component.
fn is_placeholder(doc: &Document, node: NodeId, kind: &KindDef) -> bool {
    // The YAML layout's `solution.yml` names its publisher, whose definition lives in
    // `publishers/<name>/publisher.yml`.
    if kind.name == "publisher" {
        let mut children = doc.elements(node);
        return children.next().is_some_and(|c| doc.name(c) == "UniqueName")
            && children.next().is_none();
    }
    matches!(kind.key, KeySpec::Singleton)
        && doc.children(node).next().is_none()
        && doc.attributes(node).next().is_none()
        && doc.raw_content(node).trim().is_empty()
}

fn out_path(out: &[Component], i: usize) -> &str {
    &out[i].path
}

struct Compiled {
    kind: &'static KindDef,
    anchored: bool,
    /// Context segments from the element upward (`"A/B"` → `["B", "A"]`).
    up: Vec<&'static str>,
}

struct Table {
    by_name: FxHashMap<&'static str, Vec<usize>>,
    wildcard: Vec<usize>,
    contexts: Vec<Compiled>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut t = Table {
        by_name: FxHashMap::default(),
        wildcard: Vec::new(),
        contexts: Vec::new(),
    };
    for kind in KINDS {
        for at in kind.at {
            let anchored = at.starts_with('/');
            let up: Vec<&'static str> = at.trim_start_matches('/').rsplit('/').collect();
            let i = t.contexts.len();
            if up[0] == "*" {
                t.wildcard.push(i);
            } else {
                t.by_name.entry(up[0]).or_default().push(i);
            }
            t.contexts.push(Compiled { kind, anchored, up });
        }
    }
    t
});

/// Applies the kinds table to one document. Candidate contexts are precomputed per
/// interned element name, with their segments as the document's name symbols (a context
/// naming an element the document lacks can never match and is left out), so classifying
/// an element is a vector lookup plus a short walk up comparing numbers.
pub struct Classifier<'d> {
    doc: &'d Document,
    /// Per symbol: the contexts that may match an element of that name.
    candidates: Vec<Vec<usize>>,
    /// Per context of the table: its segments from the element upward as symbols (`None`
    /// for `*`), or `None` when the document lacks one of its names.
    segments: Vec<Option<Box<[Option<u32>]>>>,
    /// Per symbol: whether an element of that name is the parent in some context, so its
    /// children may be of a kind (most elements are not: fields, labels, values).
    parents: Vec<bool>,
    /// Per kind keyed by fields (by the address of its definition): the fields' names as
    /// symbols (`None`: the document never uses the name).
    key_fields: FxHashMap<usize, Box<[Option<u32>]>>,
}

impl<'d> Classifier<'d> {
    pub fn new(doc: &'d Document) -> Classifier<'d> {
        let table = &*TABLE;
        let symbols: FxHashMap<&str, u32> = doc
            .symbols()
            .iter()
            .enumerate()
            .map(|(i, name)| (&**name, i as u32))
            .collect();
        let segments: Vec<Option<Box<[Option<u32>]>>> = table
            .contexts
            .iter()
            .map(|c| {
                c.up.iter()
                    .map(|seg| match *seg {
                        "*" => Some(None),
                        name => symbols.get(name).map(|&s| Some(s)),
                    })
                    .collect()
            })
            .collect();
        let candidates = doc
            .symbols()
            .iter()
            .map(|name| {
                let mut v = table.by_name.get(&**name).cloned().unwrap_or_default();
                v.extend(&table.wildcard);
                v.retain(|&i| segments[i].is_some());
                v
            })
            .collect();
        let mut parents = vec![false; doc.symbols().len()];
        for segs in segments.iter().flatten() {
            match segs.get(1) {
                Some(&Some(parent)) => parents[parent as usize] = true,
                // `*/B`: any element may be the parent.
                Some(None) => parents.iter_mut().for_each(|p| *p = true),
                None => {}
            }
        }
        let key_fields = table
            .contexts
            .iter()
            .filter_map(|c| match c.kind.key {
                KeySpec::Fields(fields) | KeySpec::AnyOf(fields) => Some((
                    std::ptr::from_ref(c.kind) as usize,
                    fields.iter().map(|f| symbols.get(f).copied()).collect(),
                )),
                _ => None,
            })
            .collect();
        Classifier {
            doc,
            candidates,
            segments,
            parents,
            key_fields,
        }
    }

    /// A hash of [`key_of`]`(doc, node, kind)` — equal keys hash alike — computed without
    /// building the key where it is made of fields (nearly every keyed item: `check` hashes
    /// hundreds of thousands of labels and columns in a large file, and compares keys only
    /// where hashes meet), the fields found by symbol.
    pub fn key_hash(&self, node: NodeId, kind: &'static KindDef) -> u64 {
        let doc = self.doc;
        let mut h = KeyHasher::default();
        let Some(fields) = self.key_fields.get(&(std::ptr::from_ref(kind) as usize)) else {
            h.write(key_of(doc, node, kind).as_bytes());
            return h.0;
        };
        // As [`field`]: the attribute, else the text of a child element of that name.
        let field = |sym: Option<u32>| -> Option<Cow<'d, str>> {
            let sym = sym?;
            doc.attr_raw_sym(node, sym)
                .map(crate::xml::unescape_lossy)
                .or_else(|| {
                    doc.elements(node)
                        .find(|&c| doc.name_sym(c) == Some(sym))
                        .map(|c| doc.text_of(c))
                })
        };
        if let KeySpec::AnyOf(_) = kind.key {
            if let Some(v) = fields.iter().find_map(|&f| field(f)) {
                h.write_normalized(&v);
            }
        } else {
            for (i, &f) in fields.iter().enumerate() {
                if i > 0 {
                    h.write(b"|");
                }
                if let Some(v) = field(f) {
                    h.write_normalized(&v);
                }
            }
        }
        h.0
    }

    /// Whether a child of `node` may be of some kind: `node`'s name is the parent in a
    /// context of the table (a cheap test before classifying its children one by one).
    pub fn may_hold_kinds(&self, node: NodeId) -> bool {
        self.doc
            .name_sym(node)
            .is_some_and(|s| self.parents[s as usize])
    }

    /// The kind of an element, if the table knows it in this context.
    pub fn classify(&self, node: NodeId) -> Option<&'static KindDef> {
        let sym = self.doc.name_sym(node)?;
        let table = &*TABLE;
        self.candidates[sym as usize]
            .iter()
            .find(|&&i| self.matches(node, i, table.contexts[i].anchored))
            .map(|&i| table.contexts[i].kind)
    }

    fn matches(&self, node: NodeId, context: usize, anchored: bool) -> bool {
        let doc = self.doc;
        // Candidates are only contexts whose names the document has.
        let segments = self.segments[context]
            .as_deref()
            .expect("a candidate context");
        let mut cur = Some(node);
        for seg in segments.iter() {
            match cur {
                Some(n) if doc.is_element(n) && seg.is_none_or(|s| doc.name_sym(n) == Some(s)) => {
                    cur = doc.parent(n);
                }
                _ => return false,
            }
        }
        !anchored || cur == Some(Document::DOCUMENT)
    }
}

/// How a child element is told apart from its siblings, the same way in every version of a
/// file: by kind and key where the table knows the kind, else by element name and its
/// occurrence among same-named siblings (positional, for unknown repeated elements).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ident {
    Keyed { kind: &'static str, key: String },
    Named { name: String, nth: u32 },
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ident::Keyed { kind, key } if key.is_empty() => write!(f, "{kind}"),
            Ident::Keyed { kind, key } => write!(f, "{kind}:{key}"),
            Ident::Named { name, nth: 0 } => write!(f, "{name}"),
            Ident::Named { name, nth } => write!(f, "{name}[{}]", nth + 1),
        }
    }
}

/// One child element with its identity and, where the table knows it, its kind.
#[derive(Debug, Clone)]
pub struct Child {
    pub node: NodeId,
    pub ident: Ident,
    pub kind: Option<&'static KindDef>,
}

impl Classifier<'_> {
    /// The element children of `parent`, each with its identity. Keyed children whose key
    /// repeats among their siblings (malformed, but seen in hand-edited files) get the
    /// occurrence appended, so identities are unique within a parent.
    pub fn children(&self, parent: NodeId) -> Vec<Child> {
        let doc = self.doc;
        let kids: Vec<(NodeId, Option<&'static KindDef>)> = doc
            .elements(parent)
            .map(|n| (n, self.classify(n)))
            .collect();
        // Unknown elements that repeat (form rows, for instance) are told apart by their
        // first keyed child (a row by its first cell), which survives insertions around it;
        // only those without one fall back to their position.
        let mut repeats: FxHashMap<&str, u32> = FxHashMap::default();
        for (n, k) in &kids {
            if k.is_none() {
                *repeats.entry(doc.name(*n)).or_insert(0) += 1;
            }
        }
        let keys: Vec<Option<String>> = kids
            .iter()
            .map(|(n, k)| k.map(|k| key_of(doc, *n, k)))
            .collect();
        // Members of a set that share a key are numbered by their content, not their place
        // (a set's order means nothing), so a reordered copy numbers them alike.
        let mut groups: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
        for (i, ((_, k), key)) in kids.iter().zip(&keys).enumerate() {
            if let (Some(k), Some(key)) = (k, key) {
                groups.entry((k.name, key.as_str())).or_default().push(i);
            }
        }
        let mut occurrence: Vec<u32> = vec![0; kids.len()];
        for members in groups.values_mut() {
            let set = kids[members[0]]
                .1
                .is_some_and(|k| k.order == ListOrder::Set);
            if members.len() > 1 && set {
                members.sort_by_cached_key(|&i| {
                    let n = kids[i].0;
                    (doc.unordered_hash(n), doc.raw(n))
                });
            }
            for (nth, &i) in members.iter().enumerate() {
                occurrence[i] = nth as u32 + 1;
            }
        }
        let mut seen: FxHashMap<String, u32> = FxHashMap::default();
        kids.into_iter()
            .zip(keys)
            .zip(occurrence)
            .map(|(((node, kind), key), n)| {
                let ident = match (kind, key) {
                    (Some(k), Some(key)) => {
                        let key = if n > 1 { format!("{key}#{n}") } else { key };
                        Ident::Keyed { kind: k.name, key }
                    }
                    _ => {
                        let mut name = doc.name(node).to_string();
                        if repeats.get(doc.name(node)).is_some_and(|&c| c > 1)
                            && let Some(sig) = self.signature(node)
                        {
                            name = format!("{name}{{{sig}}}");
                        }
                        let n = seen.entry(name.clone()).or_insert(0);
                        *n += 1;
                        Ident::Named { name, nth: *n - 1 }
                    }
                };
                Child { node, ident, kind }
            })
            .collect()
    }

    pub fn document(&self) -> &Document {
        self.doc
    }

    /// What tells an unknown repeated element from its siblings: its first keyed child (a
    /// form row by its first cell), which survives insertions around it. Where that child's
    /// kind is a set, whose order means nothing, the least key of that kind instead, so a
    /// reordered copy is told apart the same way.
    fn signature(&self, node: NodeId) -> Option<String> {
        let doc = self.doc;
        let keyed = |c: NodeId| {
            self.classify(c)
                .filter(|k| !matches!(k.key, KeySpec::Singleton) && k.role != Role::Localized)
        };
        let (first, kind) = doc.elements(node).find_map(|c| keyed(c).map(|k| (c, k)))?;
        let key = if kind.order == ListOrder::Set {
            doc.elements(node)
                .filter(|&c| keyed(c).is_some_and(|k| k.name == kind.name))
                .map(|c| key_of(doc, c, kind))
                .min()?
        } else {
            key_of(doc, first, kind)
        };
        Some(format!("{}:{key}", kind.name))
    }
}

/// An attribute, else the trimmed text of a child element.
pub fn field<'d>(doc: &'d Document, node: NodeId, name: &str) -> Option<Cow<'d, str>> {
    doc.attr(node, name).or_else(|| doc.child_text(node, name))
}

/// Keys compare case-insensitively and GUIDs without braces (solution-format.md §3.2).
pub fn normalize_key(raw: &str) -> String {
    key_text(raw).to_lowercase()
}

/// What a key compares of `raw`, before case is folded: trimmed, GUID braces removed.
pub fn key_text(raw: &str) -> &str {
    let t = raw.trim();
    t.strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t)
}

/// A hash of [`normalize_key`]`(raw)`, computed without building it.
pub fn normalized_hash(raw: &str) -> u64 {
    let mut h = KeyHasher::default();
    h.write_normalized(raw);
    h.0
}

/// FNV-1a over the bytes of a key, fed in any pieces (the hash of a key does not depend on
/// how it was cut).
struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The bytes of [`normalize_key`]`(raw)`, lowercased on the way where they are ASCII.
    fn write_normalized(&mut self, raw: &str) {
        let t = key_text(raw);
        if t.is_ascii() {
            for b in t.bytes() {
                self.write(&[b.to_ascii_lowercase()]);
            }
        } else {
            self.write(t.to_lowercase().as_bytes());
        }
    }
}

/// The identity key of an element of `kind`, normalized.
pub fn key_of(doc: &Document, node: NodeId, kind: &KindDef) -> String {
    match kind.key {
        KeySpec::Fields(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|f| {
                    field(doc, node, f)
                        .map(|v| normalize_key(&v))
                        .unwrap_or_default()
                })
                .collect();
            parts.join("|")
        }
        KeySpec::AnyOf(fields) => fields
            .iter()
            .find_map(|f| field(doc, node, f))
            .map(|v| normalize_key(&v))
            .unwrap_or_default(),
        KeySpec::Text => normalize_key(&doc.text_of(node)),
        KeySpec::ElementName => doc.name(node).to_string(),
        KeySpec::Singleton => String::new(),
        KeySpec::RootComponent => {
            let ty = doc.attr(node, "type").unwrap_or_default();
            let id = doc
                .attr(node, "id")
                .filter(|v| !v.trim().is_empty())
                .or_else(|| doc.attr(node, "schemaName"))
                .unwrap_or_default();
            format!("{}:{}", normalize_key(&ty), normalize_key(&id))
        }
        KeySpec::MissingDependency => {
            let side = |name: &str| {
                let Some(n) = doc.child(node, name) else {
                    return String::new();
                };
                let mut parts = vec![normalize_key(&doc.attr(n, "type").unwrap_or_default())];
                for (k, v) in doc.attributes(n) {
                    if k == "id"
                        || k == "schemaName"
                        || k == "parentSchemaName"
                        || k.starts_with("id.")
                    {
                        parts.push(format!(
                            "{k}={}",
                            normalize_key(&crate::xml::unescape_lossy(v))
                        ));
                    }
                }
                parts.join(",")
            };
            format!("{} <- {}", side("Required"), side("Dependent"))
        }
        KeySpec::FetchCondition => {
            let tested = condition_test(doc, node);
            let shared = doc.parent(node).is_some_and(|filter| {
                doc.elements(filter).any(|other| {
                    other != node
                        && doc.name(other) == doc.name(node)
                        && condition_test(doc, other) == tested
                })
            });
            if shared {
                format!("{tested} {}", condition_values(doc, node))
            } else {
                tested
            }
        }
        KeySpec::FetchFilter => {
            let kind = doc
                .attr(node, "type")
                .map(|t| normalize_key(&t))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "and".into());
            let quick_find = doc
                .attr(node, "isquickfindfields")
                .is_some_and(|v| matches!(v.trim(), "1" | "true"));
            if quick_find {
                format!("{kind} quick find")
            } else {
                kind
            }
        }
    }
}

/// What a FetchXML condition tests: `[entityname.]attribute operator`, normalized.
fn condition_test(doc: &Document, node: NodeId) -> String {
    let part = |name: &str| {
        doc.attr(node, name)
            .map(|v| normalize_key(&v))
            .unwrap_or_default()
    };
    let entity = part("entityname");
    let column = if entity.is_empty() {
        part("attribute")
    } else {
        format!("{entity}.{}", part("attribute"))
    };
    format!("{column} {}", part("operator"))
}

/// The values a FetchXML condition compares with: its `value` (or `valueof`, a column)
/// and its `<value>` children, sorted (they are a set), joined by commas.
fn condition_values(doc: &Document, node: NodeId) -> String {
    let mut values: Vec<String> = Vec::new();
    if let Some(v) = doc.attr(node, "value") {
        values.push(normalize_key(&v));
    }
    if let Some(v) = doc.attr(node, "valueof") {
        values.push(format!("valueof {}", normalize_key(&v)));
    }
    let mut listed: Vec<String> = doc
        .elements(node)
        .filter(|&c| doc.name(c) == "value")
        .map(|c| normalize_key(&doc.text_of(c)))
        .collect();
    listed.sort_by(|a, b| natural_cmp(a, b));
    values.extend(listed);
    values.join(",")
}

/// The display name of an element of `kind`: the first probe of the table that finds one.
pub fn display_of(doc: &Document, node: NodeId, kind: &KindDef) -> Option<String> {
    kind.display.iter().find_map(|probe| {
        let v = match *probe {
            Display::Field(f) => field(doc, node, f),
            Display::ChildAttr(child, attr) => {
                doc.child(node, child).and_then(|c| doc.attr(c, attr))
            }
            Display::Label(container, item, attr) => label(doc, node, container, item, attr),
        }?;
        let v = v.trim();
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// A label from a localized collection: the base language (1033) if present, else the first.
fn label<'d>(
    doc: &'d Document,
    node: NodeId,
    container: &str,
    item: &str,
    attr: &str,
) -> Option<Cow<'d, str>> {
    let c = doc.child(node, container)?;
    let items: Vec<NodeId> = doc.elements(c).filter(|&i| doc.name(i) == item).collect();
    let lang = |i: NodeId| doc.attr(i, "languagecode").or_else(|| doc.attr(i, "LCID"));
    let pick = items
        .iter()
        .copied()
        .find(|&i| lang(i).as_deref() == Some("1033"))
        .or_else(|| items.first().copied())?;
    doc.attr(pick, attr)
}

/// Compares keys so that digit runs compare as numbers ("9" < "10"), which keeps option
/// values, language codes and component type codes in their natural order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let si = i;
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            let sj = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (na, nb) = (trim_zeros(&a[si..i]), trim_zeros(&b[sj..j]));
            let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
            if ord != Ordering::Equal {
                return ord;
            }
        } else {
            if a[i] != b[j] {
                return a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let n = d.iter().take_while(|&&c| c == b'0').count();
    &d[n.min(d.len().saturating_sub(1))..]
}

#[cfg(test)]
mod tests;
