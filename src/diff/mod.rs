//! `soltree diff`: what changed between two packages, component by component.
//!
//! The boundary type is [`DiffReport`] (serde-serializable, versioned by
//! [`SCHEMA_VERSION`]); the renderers in [`crate::render`] only read it. Both sides are
//! modelled as [`ComponentTree`]s and components are matched by their canonical path
//! (`entity:account/attribute:new_score`), which is the same in every package form, so a zip
//! diffs against the folder it was unpacked to. A matched pair whose subtree hashes agree is
//! skipped in O(1); otherwise the component's own content is walked generically
//! ([`tree`]), leaving descendant components to their own comparison. Parts that are not XML
//! (web resource sources, workflow XAML, flow JSON, DLLs, .msapp) are compared as a property
//! of the component that names them ([`noise::PART_REFERENCES`]), else by entry path.
//! The solution manifest (version, publisher, root components, missing dependencies) and the
//! platform version go to a header of their own; export noise (`[Content_Types].xml`,
//! platform versions, order of sets, GUID spelling, formatting) never counts as a difference.

pub mod describe;
pub mod filter;
pub mod flow;
pub mod manifest;
mod moves;
pub mod text;
pub mod tree;

use crate::model::kinds::{KINDS, KindDef, kind_named};
pub use crate::model::noise;
use crate::model::{Classifier, Component, ComponentTree, Part, SolutionInfo, field};
use crate::xml::{Document, NodeId};
pub use manifest::{ComponentName, ListDelta, ManifestDiff, MissingDependency, RootComponent};
use manifest::{component_title, manifest};
use noise::{PART_REFERENCES, PLATFORM_ATTRIBUTES, is_content_types};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
pub use text::TextDiff;
use tree::{Side, compare, shorten, transparent};

/// Bumped whenever a field of the JSON output changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 2;

/// What happened to a component or a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Moved,
}

impl Change {
    pub fn sign(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
            Change::Moved => '↕',
        }
    }
}

/// One property of a component that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PropertyChange {
    /// Readable path inside the component: `MaxLength`, `displayname (1036)`,
    /// `tab "General" / section "Details" / row 2 / cell "Score"`.
    pub property: String,
    pub change: Change,
    pub old: Option<String>,
    pub new: Option<String>,
    /// For text (embedded XML/JSON, web resource sources): the line diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_diff: Option<TextDiff>,
    /// `old`/`new` describe an element added or removed (`columns: a, b`, `width 100,
    /// id 2`) rather than holding a value as the package writes it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub summary: bool,
}

impl PropertyChange {
    pub fn changed(property: String, old: &str, new: &str) -> PropertyChange {
        PropertyChange {
            property,
            change: Change::Changed,
            old: Some(shorten(old)),
            new: Some(shorten(new)),
            text_diff: None,
            summary: false,
        }
    }
}

/// A component added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentChange {
    pub path: String,
    pub kind: &'static str,
    pub kind_title: &'static str,
    pub display_name: String,
    pub change: Change,
    /// Property changes (changed components only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<PropertyChange>,
    /// For an added or removed component: what defines it (a column's type and length, a
    /// plug-in step's message, stage and mode), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    /// For an added or removed component: the components inside it, by kind (they are not
    /// listed one by one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contains: Vec<KindCount>,
    /// The top-level component this one belongs to (itself for a top-level component):
    /// output is grouped by it.
    pub group: ComponentRef,
}

/// Names a component without its changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComponentRef {
    pub path: String,
    pub kind: &'static str,
    pub kind_title: &'static str,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub title: &'static str,
    pub count: usize,
}

/// A defining property of an added or removed component: `type`: `whole number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    pub source: String,
    pub form: &'static str,
    pub solution: Option<SolutionSummary>,
}

/// The solution a side holds, with the format's numbers and flags as numbers and flags.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionSummary {
    pub unique_name: String,
    pub display_name: String,
    pub version: String,
    /// `false` unmanaged, `true` managed, `null` for a SolutionPackager folder that holds
    /// both (`<Managed>2</Managed>`).
    pub managed: Option<bool>,
    pub publisher: String,
    pub prefix: String,
}

impl From<SolutionInfo> for SolutionSummary {
    fn from(s: SolutionInfo) -> Self {
        SolutionSummary {
            managed: match s.managed.trim() {
                "0" => Some(false),
                "1" => Some(true),
                _ => None,
            },
            unique_name: s.unique_name,
            display_name: s.display_name,
            version: s.version,
            publisher: s.publisher,
            prefix: s.prefix,
        }
    }
}

/// A package-level note that is not a component change (`[Content_Types].xml`).
#[derive(Debug, Clone, Serialize)]
pub struct PackageNote {
    pub entry: String,
    pub change: Change,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub manifest_changes: usize,
    /// The exit status follows this: true → 1.
    pub differences: bool,
}

/// Everything `soltree diff` found.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema_version: u32,
    pub old: SideInfo,
    pub new: SideInfo,
    pub manifest: ManifestDiff,
    pub package: Vec<PackageNote>,
    pub components: Vec<ComponentChange>,
    pub summary: Summary,
}

impl DiffReport {
    pub fn has_differences(&self) -> bool {
        self.summary.differences
    }
}

/// Per-tree lookups built once: classifiers per XML entry, components by path, entries by
/// lower-cased path.
pub(crate) struct Index<'t> {
    tree: &'t ComponentTree,
    classifiers: Vec<Option<Classifier<'t>>>,
    by_path: FxHashMap<&'t str, usize>,
    entries: FxHashMap<String, usize>,
}

impl<'t> Index<'t> {
    fn new(tree: &'t ComponentTree) -> Index<'t> {
        let classifiers = tree
            .entries
            .iter()
            .map(|e| e.document().map(Classifier::new))
            .collect();
        let placeholder = |c: &Component| {
            tree.entries[c.entry].document().is_some_and(|d| {
                d.elements(c.node).next().is_none() && d.attributes(c.node).next().is_none()
            })
        };
        let mut by_path: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, c) in tree.components.iter().enumerate() {
            // A path seen twice keeps its first occurrence — unless that one is an empty
            // placeholder (`<RibbonDiffXml />` in `Entity.xml`, the ribbon itself in
            // `RibbonDiff.xml`). (A `_managed.xml` twin has a path of its own.)
            match by_path.entry(c.path.as_str()) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    if placeholder(&tree.components[*o.get()]) && !placeholder(c) {
                        o.insert(i);
                    }
                }
            }
        }
        let entries = tree
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.to_ascii_lowercase(), i))
            .collect();
        Index {
            tree,
            classifiers,
            by_path,
            entries,
        }
    }

    fn side(&self, entry: usize) -> Option<Side<'_>> {
        let doc = self.tree.entries[entry].document()?;
        let cls = self.classifiers[entry].as_ref()?;
        Some(Side { doc, cls })
    }

    fn component(&self, path: &str) -> Option<&'t Component> {
        self.by_path.get(path).map(|&i| &self.tree.components[i])
    }

    fn has_parts(&self) -> bool {
        self.tree.form != crate::input::PackageForm::XmlFile
    }

    fn part_bytes(&self, entry: usize) -> &'t [u8] {
        match &self.tree.entries[entry].part {
            Part::Xml(d) => d.text().as_bytes(),
            Part::Bytes(b) => b,
        }
    }
}

/// Diffs two modelled packages.
pub fn diff(old: &ComponentTree, new: &ComponentTree) -> DiffReport {
    let (oi, ni) = rayon::join(|| Index::new(old), || Index::new(new));
    let mut manifest = manifest(&oi, &ni);
    describe::name_values("solution", &mut manifest.changes);
    for c in &mut manifest.root_components.changed {
        describe::name_values("rootcomponent", &mut c.changes);
    }
    let (o_parts, o_attached) = attached_parts(&oi);
    let (n_parts, n_attached) = attached_parts(&ni);

    // Components matched by path; unchanged subtrees skipped by hash.
    let mut components: Vec<ComponentChange> = new
        .components
        .par_iter()
        .enumerate()
        .filter(|(i, c)| ni.by_path.get(c.path.as_str()) == Some(i) && !in_header(c.kind))
        .filter_map(|(_, n)| {
            let o = oi.component(&n.path)?;
            let mut changes = own_changes(&oi, o, &ni, n);
            changes.extend(part_changes(&oi, &o_parts, o, &ni, &n_parts, n));
            if n.kind.name == "environmentvariable" {
                changes.extend(describe::value_change(&oi, o, &ni, n));
            }
            describe::name_values(n.kind.name, &mut changes);
            (!changes.is_empty()).then(|| ComponentChange {
                path: n.path.clone(),
                kind: n.kind.name,
                kind_title: component_title(new, n),
                display_name: n.display.clone(),
                change: Change::Changed,
                changes,
                properties: Vec::new(),
                contains: Vec::new(),
                group: ComponentRef::default(),
            })
        })
        .collect();
    components.extend(one_sided(&ni, &oi, Change::Added));
    components.extend(one_sided(&oi, &ni, Change::Removed));
    pair_reregistered(&oi, &o_parts, &ni, &n_parts, &mut components);
    let mut package = Vec::new();
    components.extend(entry_residuals(&oi, &ni, &mut package));
    components.extend(loose_parts(&oi, &o_attached, &ni, &n_attached));
    sort_components(&mut components);
    // Built only when there are property paths or unnamed components to name GUIDs in.
    let names = if components
        .iter()
        .any(|c| !c.changes.is_empty() || c.display_name == c.kind_title)
    {
        guid_names(&oi, &ni)
    } else {
        FxHashMap::default()
    };
    for c in &mut components {
        for p in &mut c.changes {
            p.property = name_guids(&p.property, &names);
        }
        // A component without a name of its own is shown under its kind's title.
        if c.display_name == c.kind_title
            && let Some(named) = named_ends(&c.path, &names)
        {
            c.display_name = named;
        }
        let top = segments(&c.path)[0];
        let found = ni
            .component(top)
            .map(|t| (t, new))
            .or_else(|| oi.component(top).map(|t| (t, old)));
        c.group = match found {
            Some((t, tree)) => ComponentRef {
                path: t.path.clone(),
                kind: t.kind.name,
                kind_title: component_title(tree, t),
                display_name: t.display.clone(),
            },
            None => ComponentRef {
                path: top.to_string(),
                kind: c.kind,
                kind_title: c.kind_title,
                display_name: c.display_name.clone(),
            },
        };
        if c.group.display_name == c.group.kind_title
            && let Some(named) = named_ends(&c.group.path, &names)
        {
            c.group.display_name = named;
        }
    }

    let count = |ch: Change| components.iter().filter(|c| c.change == ch).count();
    let manifest_changes = manifest.count();
    let summary = Summary {
        added: count(Change::Added),
        removed: count(Change::Removed),
        changed: count(Change::Changed),
        manifest_changes,
        differences: !components.is_empty() || manifest.has_differences(),
    };
    DiffReport {
        schema_version: SCHEMA_VERSION,
        old: side_info(old),
        new: side_info(new),
        manifest,
        package,
        components,
        summary,
    }
}

fn side_info(t: &ComponentTree) -> SideInfo {
    SideInfo {
        source: t.source.display().to_string(),
        form: t.form.name(),
        solution: t.solution().map(SolutionSummary::from),
    }
}

/// Display names of components keyed by GUID (roles, forms, views, processes), from both
/// sides, new first.
fn guid_names<'t>(oi: &Index<'t>, ni: &Index<'t>) -> FxHashMap<&'t str, &'t str> {
    let mut names = FxHashMap::default();
    for i in [ni, oi] {
        for c in &i.tree.components {
            if tree::looks_like_guid(&c.key)
                && !c.display.is_empty()
                && !tree::looks_like_guid(&c.display)
            {
                names.entry(c.key.as_str()).or_insert(c.display.as_str());
            }
        }
    }
    names
}

/// A component without a name of its own whose key is GUIDs of named components (a
/// connection role association) is named by them: `Contributor → Contributed to`.
fn named_ends(path: &str, names: &FxHashMap<&str, &str>) -> Option<String> {
    let key = segments(path).last()?.split_once(':')?.1;
    let ends: Option<Vec<&str>> = key
        .split('|')
        .map(|g| names.get(crate::model::key_text(g)).copied())
        .collect();
    Some(ends?.join(" → "))
}

/// A GUID in a property path says little to a reader: where the package names the component
/// it stands for (`form role 89f628bc-…` is the security role "Environmental user"), the
/// name goes in front of it.
fn name_guids(text: &str, names: &FxHashMap<&str, &str>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let end = i + 36;
        let candidate = text.get(i..end);
        let at_boundary = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
        if at_boundary
            && let Some(g) = candidate
            && tree::looks_like_guid(g)
            && !text
                .get(end..end + 1)
                .is_some_and(|c| c.as_bytes()[0].is_ascii_hexdigit())
        {
            let key = g.to_ascii_lowercase();
            if let Some(name) = names.get(key.as_str()) {
                // `{guid}` keeps its braces inside the parentheses.
                let braced = i > 0 && bytes[i - 1] == b'{' && text.get(end..end + 1) == Some("}");
                if braced {
                    out.pop();
                    out.push_str(&format!("\"{name}\" ({{{g}}})"));
                    i = end + 1;
                } else {
                    out.push_str(&format!("\"{name}\" ({g})"));
                    i = end;
                }
                continue;
            }
        }
        let ch = text[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The solution and its publisher are reported in the manifest header.
fn in_header(kind: &KindDef) -> bool {
    matches!(kind.name, "solution" | "publisher")
}

/// The component's own content, without its descendant components.
fn own_changes(oi: &Index, o: &Component, ni: &Index, n: &Component) -> Vec<PropertyChange> {
    let (Some(os), Some(ns)) = (oi.side(o.entry), ni.side(n.entry)) else {
        return Vec::new();
    };
    if os.doc.hash(o.node) == ns.doc.hash(n.node) {
        return Vec::new();
    }
    let mut changes = compare(os, o.node, ns, n.node, n.kind.name, &[], &[]);
    // A derived property changes with its source; the source says it.
    for &(kind, derived, source) in noise::DERIVED_FIELDS {
        if n.kind.name == kind && changes.iter().any(|c| c.property == source) {
            changes.retain(|c| c.property != derived);
        }
    }
    changes
}

/// Path segments of a component path: `kind:key` pieces (a key may itself hold `/`, as web
/// resource names do, so a piece starts only where a known kind name follows).
pub fn segments(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, _) in path.match_indices('/') {
        let rest = &path[i + 1..];
        // `kind:key`, or a bare kind name for a singleton (`entity:account/ribbon`).
        let end = rest.find([':', '/']).unwrap_or(rest.len());
        let kind = &rest[..end];
        let keyed = rest[end..].starts_with(':');
        let starts_kind = (kind_named(kind).is_some()
            || (keyed && (kind == "part" || kind == "entry")))
            && (keyed
                || kind_named(kind)
                    .is_some_and(|k| matches!(k.key, crate::model::kinds::KeySpec::Singleton)));
        if starts_kind {
            out.push(&path[start..i]);
            start = i + 1;
        }
    }
    out.push(&path[start..]);
    out
}

/// Components on one side only. Inside an added (removed) component, descendants are
/// counted in its `contains`, not listed.
fn one_sided(this: &Index, other: &Index, change: Change) -> Vec<ComponentChange> {
    let mut listed: FxHashMap<&str, ComponentChange> = FxHashMap::default();
    let mut order: Vec<&str> = Vec::new();
    // Against a single XML file, a package is compared on what both have: the components
    // of the entry that file is (customizations.xml against a zip's customizations.xml).
    let scope = (other.tree.form == crate::input::PackageForm::XmlFile)
        .then(|| {
            let name = other
                .tree
                .entries
                .first()?
                .path
                .rsplit('/')
                .next()?
                .to_ascii_lowercase();
            this.tree
                .entries
                .iter()
                .position(|e| canonical_entry(&e.path) == name)
        })
        .flatten();
    for (i, c) in this.tree.components.iter().enumerate() {
        if scope.is_some_and(|e| c.entry != e) {
            continue;
        }
        if this.by_path.get(c.path.as_str()) != Some(&i)
            || other.by_path.contains_key(c.path.as_str())
            || in_header(c.kind)
        {
            continue;
        }
        // The outermost ancestor that is also one-sided, if any.
        let segs = segments(&c.path);
        let mut ancestor = None;
        let mut len = 0;
        for s in &segs[..segs.len() - 1] {
            len += s.len();
            let prefix = &c.path[..len];
            len += 1;
            if this.by_path.contains_key(prefix) && !other.by_path.contains_key(prefix) {
                ancestor = Some(prefix);
                break;
            }
        }
        match ancestor.and_then(|a| listed.get_mut(a)) {
            Some(parent) => match parent.contains.iter_mut().find(|k| k.kind == c.kind.name) {
                Some(k) => k.count += 1,
                None => parent.contains.push(KindCount {
                    kind: c.kind.name,
                    title: c.kind.title,
                    count: 1,
                }),
            },
            None => {
                order.push(&c.path);
                listed.insert(
                    &c.path,
                    ComponentChange {
                        path: c.path.clone(),
                        kind: c.kind.name,
                        kind_title: component_title(this.tree, c),
                        display_name: c.display.clone(),
                        change,
                        changes: Vec::new(),
                        properties: describe::properties(this, c),
                        contains: Vec::new(),
                        group: ComponentRef::default(),
                    },
                );
            }
        }
    }
    order.into_iter().filter_map(|p| listed.remove(p)).collect()
}

/// What a plug-in registration is when its ids are not: a step by its name, table and the
/// class it runs; an assembly by its name without version and key. Registering again
/// (a new environment, a reset) gives every step and assembly new GUIDs.
fn registration_key(i: &Index, c: &Component) -> Option<String> {
    let doc = i.tree.entries[c.entry].document()?;
    let f = |n: &str| {
        field(doc, c.node, n)
            .map(|v| {
                let v = v.trim();
                v.split(", Version=").next().unwrap_or(v).to_lowercase()
            })
            .unwrap_or_default()
    };
    match c.kind.name {
        "step" => Some(format!(
            "step|{}|{}|{}",
            f("Name"),
            f("PrimaryEntity"),
            f("PluginTypeName")
        )),
        "pluginassembly" => Some(format!("assembly|{}", f("FullName"))),
        _ => None,
    }
}

/// A text with every GUID taken out (`…-BD7F1A29-1265-…/x.dll` and `…-46024254-…/x.dll`
/// are the same file name but for the id).
fn without_guids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s.get(i..i + 36).is_some_and(tree::looks_like_guid) {
            i += 36;
            continue;
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Steps and assemblies registered again under new ids are one component changed, not one
/// removed and another added: paired by [`registration_key`], compared without their ids.
fn pair_reregistered(
    oi: &Index,
    op: &Attached,
    ni: &Index,
    np: &Attached,
    components: &mut Vec<ComponentChange>,
) {
    fn key_of<'t>(i: &Index<'t>, path: &str) -> Option<(String, &'t Component)> {
        let c = i.component(path)?;
        registration_key(i, c).map(|k| (k, c))
    }
    let removed: Vec<(usize, String)> = components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.change == Change::Removed)
        .filter_map(|(ix, c)| key_of(oi, &c.path).map(|(k, _)| (ix, k)))
        .collect();
    if removed.is_empty() {
        return;
    }
    let mut drop = Vec::new();
    for ix in 0..components.len() {
        if components[ix].change != Change::Added {
            continue;
        }
        let Some((key, n)) = key_of(ni, &components[ix].path) else {
            continue;
        };
        let Some(&(rx, _)) = removed
            .iter()
            .find(|(rx, k)| *k == key && !drop.contains(rx))
        else {
            continue;
        };
        let Some(o) = oi.component(&components[rx].path) else {
            continue;
        };
        let (Some(os), Some(ns)) = (oi.side(o.entry), ni.side(n.entry)) else {
            continue;
        };
        let mut changes = vec![PropertyChange {
            property: "registered again under new ids".into(),
            change: Change::Changed,
            old: None,
            new: None,
            text_diff: None,
            summary: true,
        }];
        changes.extend(
            compare(os, o.node, ns, n.node, n.kind.name, &[], &[])
                .into_iter()
                // The ids are what changed by registering again.
                .filter(|p| {
                    let same_but_ids = match (&p.old, &p.new) {
                        (Some(a), Some(b)) => without_guids(a) == without_guids(b),
                        _ => false,
                    };
                    !same_but_ids
                }),
        );
        changes.extend(part_changes(oi, op, o, ni, np, n));
        describe::name_values(n.kind.name, &mut changes);
        let c = &mut components[ix];
        c.change = Change::Changed;
        c.changes = changes;
        c.properties.clear();
        c.contains.clear();
        drop.push(rx);
    }
    drop.sort_unstable();
    for rx in drop.into_iter().rev() {
        components.remove(rx);
    }
}

fn kind_rank(kind: &str) -> usize {
    KINDS
        .iter()
        .position(|k| k.name == kind)
        .unwrap_or(KINDS.len())
}

/// Grouped by top-level component (in kinds-table order), then by path.
fn sort_components(v: &mut [ComponentChange]) {
    v.sort_by_cached_key(|c| {
        let segs = segments(&c.path);
        let top = segs[0];
        let top_kind = top.split_once(':').map_or(top, |(k, _)| k);
        (
            kind_rank(top_kind),
            top.to_string(),
            segs.len(),
            kind_rank(c.kind),
            c.path.clone(),
        )
    });
}

// ---- package-level XML outside components ----

/// The name an entry has in every package form: a SolutionPackager `Other/Solution.xml` is
/// the zip's `solution.xml`.
fn canonical_entry(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    match lower.as_str() {
        "other/solution.xml" => "solution.xml".into(),
        "other/customizations.xml" => "customizations.xml".into(),
        _ => lower,
    }
}

/// XML entries whose root is not a component (customizations.xml, solution.xml, container
/// files) hold some content of their own — `Languages`, section placeholders — compared as
/// the pseudo-component `entry:<name>`. `[Content_Types].xml` is package metadata.
fn entry_residuals(oi: &Index, ni: &Index, notes: &mut Vec<PackageNote>) -> Vec<ComponentChange> {
    let roots = |i: &Index| -> FxHashMap<String, usize> {
        i.tree
            .entries
            .iter()
            .enumerate()
            .filter_map(|(e, entry)| {
                let doc = entry.document()?;
                let root = doc.root()?;
                let cls = i.classifiers[e].as_ref()?;
                if cls.classify(root).is_some_and(|k| k.role.is_component())
                    || is_relationship_index(&entry.path)
                {
                    return None;
                }
                Some((canonical_entry(&entry.path), e))
            })
            .collect()
    };
    let (or, nr) = (roots(oi), roots(ni));
    let mut out = Vec::new();
    let both_packages = oi.has_parts() && ni.has_parts();
    // Only a zip (and the folder it extracts to) has a content-type list: against a
    // SolutionPackager or YAML folder its absence is the form, not a change.
    let both_zips = [oi, ni].iter().all(|i| {
        matches!(
            i.tree.form,
            crate::input::PackageForm::Zip | crate::input::PackageForm::ExtractedFolder
        )
    });
    let mut names: Vec<&String> = nr.keys().chain(or.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (o, n) = (or.get(name), nr.get(name));
        if is_content_types(name) {
            if let Some(note) = content_types_note(oi, o.copied(), ni, n.copied())
                && both_packages
                && both_zips
            {
                notes.push(note);
            }
            continue;
        }
        let change = match (o, n) {
            (Some(&o), Some(&n)) => {
                let (Some(os), Some(ns)) = (oi.side(o), ni.side(n)) else {
                    continue;
                };
                let (on, nn) = (os.doc.root().unwrap(), ns.doc.root().unwrap());
                if os.doc.hash(on) == ns.doc.hash(nn) {
                    continue;
                }
                let changes = compare(os, on, ns, nn, "entry", &[], PLATFORM_ATTRIBUTES);
                if changes.is_empty() {
                    continue;
                }
                (Change::Changed, changes, n, ni)
            }
            (None, Some(&n)) if both_packages => (Change::Added, Vec::new(), n, ni),
            (Some(&o), None) if both_packages => (Change::Removed, Vec::new(), o, oi),
            _ => continue,
        };
        let (change, changes, e, idx) = change;
        if change != Change::Changed {
            let Some(s) = idx.side(e) else { continue };
            if transparent(s, s.doc.root().unwrap()) {
                continue;
            }
        }
        out.push(ComponentChange {
            path: format!("entry:{name}"),
            kind: "entry",
            kind_title: "Package part",
            display_name: idx.tree.entries[e].path.clone(),
            change,
            changes,
            properties: Vec::new(),
            contains: Vec::new(),
            group: ComponentRef::default(),
        });
    }
    out
}

fn is_relationship_index(path: &str) -> bool {
    path.eq_ignore_ascii_case("Other/Relationships.xml")
        || path
            .to_ascii_lowercase()
            .ends_with("/other/relationships.xml")
}

fn content_types_note(
    oi: &Index,
    o: Option<usize>,
    ni: &Index,
    n: Option<usize>,
) -> Option<PackageNote> {
    let parts = |i: &Index, e: Option<usize>| -> FxHashSet<String> {
        let Some(doc) = e.and_then(|e| i.tree.entries[e].document()) else {
            return FxHashSet::default();
        };
        let Some(root) = doc.root() else {
            return FxHashSet::default();
        };
        doc.elements(root)
            .map(|c| {
                let v = doc
                    .attr(c, "PartName")
                    .or_else(|| doc.attr(c, "Extension"))
                    .unwrap_or_default();
                format!("{} {}", doc.name(c), v.to_ascii_lowercase())
            })
            .collect()
    };
    let (op, np) = (parts(oi, o), parts(ni, n));
    if o.is_some() && n.is_some() && op == np {
        return None;
    }
    let added = np.difference(&op).count();
    let removed = op.difference(&np).count();
    Some(PackageNote {
        entry: "[Content_Types].xml".into(),
        change: match (o, n) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        },
        detail: format!(
            "derived from the entry list: {added} part type(s) added, {removed} removed"
        ),
    })
}

// ---- parts that are not XML ----

/// Parts named by a component: component index → `(label, entry)` in reference order.
type Attached = FxHashMap<usize, Vec<(String, usize)>>;

/// The part paths a reference field holds: its value, or for a list field
/// (`AdditionalUris/AdditionalUri`) the value of each item.
fn references(doc: &Document, node: NodeId, name: &str) -> Vec<String> {
    if let Some(list) = doc.child(node, name)
        && doc.elements(list).next().is_some()
    {
        return doc
            .elements(list)
            .map(|e| doc.text_of(e).trim().to_string())
            .collect();
    }
    field(doc, node, name)
        .map(|v| vec![v.trim().to_string()])
        .unwrap_or_default()
}

fn attached_parts(i: &Index) -> (Attached, FxHashSet<usize>) {
    let mut map = Attached::default();
    let mut used = FxHashSet::default();
    // A single XML file has no parts to attach.
    if !i.has_parts() {
        return (map, used);
    }
    for (ci, c) in i.tree.components.iter().enumerate() {
        // An environment variable's value file sits beside its definition: its value is a
        // property of the variable ([`describe::current_value`]).
        if c.kind.name == "environmentvariable"
            && let Some(e) = describe::values_entry(i, c)
        {
            used.insert(e);
            continue;
        }
        let Some((_, refs)) = PART_REFERENCES.iter().find(|(k, _)| *k == c.kind.name) else {
            continue;
        };
        let Some(doc) = i.tree.entries[c.entry].document() else {
            continue;
        };
        let mut parts = Vec::new();
        let entry_path = i.tree.entries[c.entry].path.to_ascii_lowercase();
        // A SolutionPackager folder keeps a table's formulas in the table's own folder
        // (`Entities/<table>/Formulas/…`), beside its Entity.xml, not at the zip's path.
        let entry_dir = entry_path.rsplit_once('/').map(|(d, _)| d);
        let mut first_label = None;
        for (fname, label) in refs.iter() {
            let values = references(doc, c.node, fname);
            if !values.is_empty() && first_label.is_none() {
                first_label = Some(*label);
            }
            let many = values.len() > 1;
            for (k, v) in values.iter().enumerate() {
                let p = v.trim_start_matches('/').to_ascii_lowercase();
                let label = if many {
                    format!("{label} {}", k + 1)
                } else {
                    (*label).to_string()
                };
                let found = i
                    .entries
                    .get(&p)
                    .or_else(|| entry_dir.and_then(|d| i.entries.get(&format!("{d}/{p}"))));
                if let Some(&e) = found {
                    parts.push((label, e));
                    used.insert(e);
                }
            }
        }
        // In a SolutionPackager folder the content sits beside its `.data.xml`, under the
        // natural name, not the zip name the reference still holds; it is reported under
        // the field that names it.
        if parts.is_empty()
            && let Some(&e) = entry_path
                .strip_suffix(".data.xml")
                .and_then(|s| i.entries.get(s))
        {
            let label = first_label.unwrap_or(refs[0].1);
            parts.push((label.to_string(), e));
            used.insert(e);
        }
        if !parts.is_empty() {
            map.insert(ci, parts);
        }
    }
    (map, used)
}

fn part_changes(
    oi: &Index,
    op: &Attached,
    o: &Component,
    ni: &Index,
    np: &Attached,
    n: &Component,
) -> Vec<PropertyChange> {
    let names_parts = PART_REFERENCES.iter().any(|(k, _)| *k == n.kind.name);
    if !(names_parts && oi.has_parts() && ni.has_parts()) {
        return Vec::new();
    }
    let (Some(o_idx), Some(n_idx)) = (
        oi.by_path.get(o.path.as_str()),
        ni.by_path.get(n.path.as_str()),
    ) else {
        return Vec::new();
    };
    let none = Vec::new();
    let (o_parts, n_parts) = (
        op.get(o_idx).unwrap_or(&none),
        np.get(n_idx).unwrap_or(&none),
    );
    let mut out = Vec::new();
    for (label, b) in n_parts {
        match o_parts.iter().find(|(l, _)| l == label) {
            Some((_, a)) => {
                let (ob, nb) = (oi.part_bytes(*a), ni.part_bytes(*b));
                if ob == nb {
                    continue;
                }
                // A cloud flow reads as its actions, not as lines of re-sorted JSON.
                if label == "flow definition"
                    && let (Some(ot), Some(nt)) =
                        (crate::input::part_text(ob), crate::input::part_text(nb))
                    && let Some(steps) = flow::changes(&ot, &nt)
                {
                    out.extend(steps);
                    continue;
                }
                out.extend(compare_bytes(label, ob, nb))
            }
            None => out.push(PropertyChange {
                property: label.clone(),
                change: Change::Added,
                old: None,
                new: Some(describe_bytes(ni.part_bytes(*b))),
                text_diff: None,
                summary: false,
            }),
        }
    }
    for (label, a) in o_parts {
        if !n_parts.iter().any(|(l, _)| l == label) {
            out.push(PropertyChange {
                property: label.clone(),
                change: Change::Removed,
                old: Some(describe_bytes(oi.part_bytes(*a))),
                new: None,
                text_diff: None,
                summary: false,
            });
        }
    }
    out
}

/// Text (UTF-8 or UTF-16, without NUL; see [`crate::input::part_text`]) as a line diff;
/// anything else by size and hash.
pub fn compare_bytes(property: &str, old: &[u8], new: &[u8]) -> Option<PropertyChange> {
    if old == new {
        return None;
    }
    let as_text = crate::input::part_text;
    if let (Some(a), Some(b)) = (as_text(old), as_text(new)) {
        if let Some(json) = text::json_diff(&a, &b) {
            return json.map(|td| PropertyChange {
                property: property.to_string(),
                change: Change::Changed,
                old: None,
                new: None,
                text_diff: Some(td),
                summary: false,
            });
        }
        return Some(match text::diff_lines(&a, &b) {
            Some(td) => PropertyChange {
                property: property.to_string(),
                change: Change::Changed,
                old: None,
                new: None,
                text_diff: Some(td),
                summary: false,
            },
            None => PropertyChange {
                property: property.to_string(),
                change: Change::Changed,
                old: Some("same lines".into()),
                new: Some("line endings, byte-order mark or encoding changed".into()),
                text_diff: None,
                summary: false,
            },
        });
    }
    Some(PropertyChange {
        property: property.to_string(),
        change: Change::Changed,
        old: Some(describe_bytes(old)),
        new: Some(describe_bytes(new)),
        text_diff: None,
        summary: false,
    })
}

fn describe_bytes(b: &[u8]) -> String {
    format!(
        "{} bytes, xxh3 {:016x}",
        b.len(),
        xxhash_rust::xxh3::xxh3_64(b)
    )
}

/// Parts no component names, matched by entry path.
fn loose_parts(
    oi: &Index,
    o_used: &FxHashSet<usize>,
    ni: &Index,
    n_used: &FxHashSet<usize>,
) -> Vec<ComponentChange> {
    if !(oi.has_parts() && ni.has_parts()) {
        return Vec::new();
    }
    let loose = |i: &Index, used: &FxHashSet<usize>| -> Vec<(String, usize)> {
        i.tree
            .entries
            .iter()
            .enumerate()
            .filter(|(e, entry)| matches!(entry.part, Part::Bytes(_)) && !used.contains(e))
            .map(|(e, entry)| (entry.path.to_ascii_lowercase(), e))
            .collect()
    };
    let (o, n) = (loose(oi, o_used), loose(ni, n_used));
    let om: FxHashMap<&str, usize> = o.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let nm: FxHashMap<&str, usize> = n.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let part = |path: &str, display: &str, change, changes| ComponentChange {
        path: format!("part:{path}"),
        kind: "part",
        kind_title: "Package part",
        display_name: display.to_string(),
        change,
        changes,
        properties: Vec::new(),
        contains: Vec::new(),
        group: ComponentRef::default(),
    };
    let mut out = Vec::new();
    for (k, e) in &n {
        let display = &ni.tree.entries[*e].path;
        match om.get(k.as_str()) {
            Some(&oe) => {
                if let Some(c) = compare_bytes("content", oi.part_bytes(oe), ni.part_bytes(*e)) {
                    out.push(part(k, display, Change::Changed, vec![c]));
                }
            }
            None => out.push(part(k, display, Change::Added, Vec::new())),
        }
    }
    for (k, e) in &o {
        if !nm.contains_key(k.as_str()) {
            out.push(part(
                k,
                &oi.tree.entries[*e].path,
                Change::Removed,
                Vec::new(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
