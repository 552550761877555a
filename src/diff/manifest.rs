//! The solution manifest's header: version, managed flag, names and publisher as property
//! changes; root components and missing dependencies as sets of structured items, each
//! named by its kind (a process by its category) and its display name where the package
//! knows one; platform build attributes apart, as information. Missing dependencies are
//! export state beside their identity: their `key` numbers, the `package` that provides the
//! required component, the providing solution's version and the display names of components
//! in other solutions change with the org, not with the solution, and are not changes
//! ([`noise::DEPENDENCY_STATE`]).

use super::tree::{Side, compare};
use super::{Change, Index, PropertyChange, noise};
use crate::model::kinds::{KINDS, process_title, type_name, value_name};
use crate::model::{Component, ComponentTree, normalize_key};
use crate::xml::{Document, NodeId, unescape_lossy};
use noise::{NIL, PLATFORM_ATTRIBUTES, is_namespace_attribute};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;

/// A component a manifest list names: a root component, either end of a missing dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentName {
    /// The kind's machine name where the kinds table knows the type (`entity`, `workflow`).
    pub kind: Option<&'static str>,
    /// What a maker calls it: `Table`, `Cloud flow`, `Custom connector`.
    pub kind_title: String,
    /// The solution component type code, when the export writes a number.
    pub type_code: Option<u32>,
    /// The type as the export writes it when it is a table name (`connectionreference`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// The key as the export writes it: schema name, id (`{…}`), or `id.*` values.
    pub key: String,
    /// The display name, where the package or the export knows one.
    pub display_name: Option<String>,
    /// The table a column, form or view belongs to (its display name where known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl ComponentName {
    /// `Table "Business Unit"`, `Column "Score" of Project`, `Table email`.
    pub fn text(&self) -> String {
        let mut s = match &self.display_name {
            Some(d) => format!("{} \"{d}\"", self.kind_title),
            None => format!("{} {}", self.kind_title, self.key),
        };
        if let Some(p) = &self.parent {
            s.push_str(&format!(" of {p}"));
        }
        s
    }
}

/// A root component of the solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootComponent {
    #[serde(flatten)]
    pub component: ComponentName,
    /// `behavior`: 0 include subcomponents, 1 do not include subcomponents, 2 include as
    /// shell only.
    pub behavior: Option<u32>,
    pub behavior_name: Option<&'static str>,
}

impl RootComponent {
    pub fn text(&self) -> String {
        match (self.behavior, self.behavior_name) {
            (Some(b), Some(name)) if b != 0 => format!("{} ({name})", self.component.text()),
            _ => self.component.text(),
        }
    }
}

/// One missing dependency: a component the solution needs from another solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingDependency {
    pub required: ComponentName,
    /// The solution that provides the required component, without its version.
    pub required_solution: Option<String>,
    pub dependent: ComponentName,
}

impl MissingDependency {
    pub fn text(&self) -> String {
        let from = self
            .required_solution
            .as_deref()
            .map_or(String::new(), |s| format!(" (from {s})"));
        format!(
            "{}{from}, required by {}",
            self.required.text(),
            self.dependent.text()
        )
    }
}

/// An item kept on both sides whose own properties changed (a root component's behavior).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemChange<T> {
    pub item: T,
    pub changes: Vec<PropertyChange>,
}

/// A keyed manifest list compared as a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListDelta<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<ItemChange<T>>,
}

impl<T> Default for ListDelta<T> {
    fn default() -> Self {
        ListDelta {
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }
}

impl<T> ListDelta<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    pub fn len(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }
}

/// The solution manifest's changes, reported in a header of their own.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ManifestDiff {
    /// Platform build attributes (`version`, `OrganizationVersion`, …): informational.
    pub platform: Vec<PropertyChange>,
    /// Version, managed flag, names, publisher fields.
    pub changes: Vec<PropertyChange>,
    pub root_components: ListDelta<RootComponent>,
    pub missing_dependencies: ListDelta<MissingDependency>,
}

impl ManifestDiff {
    /// Whether the manifest differs in meaning (platform builds do not count).
    pub fn has_differences(&self) -> bool {
        !self.changes.is_empty()
            || !self.root_components.is_empty()
            || !self.missing_dependencies.is_empty()
    }

    /// Changes counted in the summary.
    pub fn count(&self) -> usize {
        self.changes.len() + self.root_components.len() + self.missing_dependencies.len()
    }
}

fn solution_component<'t>(i: &Index<'t>) -> Option<&'t Component> {
    i.tree.components.iter().find(|c| c.kind.name == "solution")
}

pub(super) fn manifest(oi: &Index, ni: &Index) -> ManifestDiff {
    let mut m = ManifestDiff {
        platform: platform_changes(oi, ni),
        ..ManifestDiff::default()
    };
    // Only a package with a manifest on both sides has a manifest to compare: a lone
    // customizations.xml against a zip is compared on what both have.
    let (Some(o), Some(n)) = (solution_component(oi), solution_component(ni)) else {
        return m;
    };
    let (Some(os), Some(ns)) = (oi.side(o.entry), ni.side(n.entry)) else {
        return m;
    };
    m.changes = compare(
        os,
        o.node,
        ns,
        n.node,
        "solution",
        &["RootComponents", "MissingDependencies"],
        &[],
    );
    m.changes.retain(|c| {
        !(c.property == "Managed"
            && noise::managed_flags_agree(
                c.old.as_deref().unwrap_or_default(),
                c.new.as_deref().unwrap_or_default(),
            ))
    });
    let op = oi
        .tree
        .components
        .iter()
        .find(|c| c.kind.name == "publisher");
    let np = ni
        .tree
        .components
        .iter()
        .find(|c| c.kind.name == "publisher");
    if let (Some(op), Some(np)) = (op, np)
        && let (Some(ops), Some(nps)) = (oi.side(op.entry), ni.side(np.entry))
    {
        for mut c in compare(ops, op.node, nps, np.node, "publisher", &[], &[]) {
            c.property = format!("publisher / {}", c.property);
            m.changes.push(c);
        }
    }
    let (onames, nnames) = (Names::of(oi.tree), Names::of(ni.tree));
    m.root_components = list_delta(
        os,
        o.node,
        ns,
        n.node,
        "RootComponents",
        &[],
        |doc, node, new| root_component(doc, node, if new { &nnames } else { &onames }),
    );
    m.missing_dependencies = list_delta(
        os,
        o.node,
        ns,
        n.node,
        "MissingDependencies",
        noise::DEPENDENCY_STATE,
        |doc, node, new| missing_dependency(doc, node, if new { &nnames } else { &onames }),
    );
    // The providing solution's version follows the org: only another solution is a change.
    for c in &mut m.missing_dependencies.changed {
        c.changes.retain(|p| {
            !(p.property.ends_with("solution") && same_solution(p.old.as_deref(), p.new.as_deref()))
        });
    }
    m.missing_dependencies
        .changed
        .retain(|c| !c.changes.is_empty());
    m
}

/// `Name (1.2.3)` against `Name (1.2.4)`: the same solution.
fn same_solution(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => strip_version(a) == strip_version(b),
        _ => false,
    }
}

fn strip_version(s: &str) -> &str {
    match s.rfind(" (") {
        Some(i) if s.ends_with(')') => &s[..i],
        _ => s,
    }
}

/// Platform build attributes of the manifest root (or, without manifests, of the
/// customizations root).
fn platform_changes(oi: &Index, ni: &Index) -> Vec<PropertyChange> {
    fn root_of<'t>(i: &Index<'t>, names: &[&str]) -> Option<(&'t Document, NodeId)> {
        names.iter().find_map(|n| {
            let e = *i.entries.get(*n)?;
            let doc = i.tree.entries[e].document()?;
            Some((doc, doc.root()?))
        })
    }
    fn pick<'t>(i: &Index<'t>) -> Option<(&'t Document, NodeId)> {
        root_of(i, &["solution.xml", "other/solution.xml"])
            .or_else(|| root_of(i, &["customizations.xml", "other/customizations.xml"]))
            .or_else(|| {
                // A single XML file: its own root.
                if i.tree.form != crate::input::PackageForm::XmlFile {
                    return None;
                }
                let d = i.tree.entries.first()?.document()?;
                Some((d, d.root()?))
            })
    }
    let (Some((od, or)), Some((nd, nr))) = (pick(oi), pick(ni)) else {
        return Vec::new();
    };
    PLATFORM_ATTRIBUTES
        .iter()
        .filter_map(|a| {
            let (ov, nv) = (od.attr(or, a), nd.attr(nr, a));
            (ov != nv).then(|| PropertyChange {
                property: (*a).to_string(),
                change: match (&ov, &nv) {
                    (None, _) => Change::Added,
                    (_, None) => Change::Removed,
                    _ => Change::Changed,
                },
                old: ov.map(Cow::into_owned),
                new: nv.map(Cow::into_owned),
                text_diff: None,
                summary: false,
            })
        })
        .collect()
}

/// Components of a package by type code and by every key they are known by (their
/// identity key, and the ids they carry: a custom connector is keyed by name but listed as
/// a root component by `connectorid`).
pub(super) struct Names<'t> {
    by_key: FxHashMap<(u32, String), &'t Component>,
    tree: &'t ComponentTree,
}

impl<'t> Names<'t> {
    pub(super) fn of(tree: &'t ComponentTree) -> Names<'t> {
        let mut by_key = FxHashMap::default();
        for c in &tree.components {
            let Some(code) = c.kind.code else { continue };
            by_key.entry((code, c.key.clone())).or_insert(c);
            let Some(doc) = tree.entries[c.entry].document() else {
                continue;
            };
            let mut ids: Vec<String> = doc
                .attributes(c.node)
                .filter(|(k, _)| k.to_ascii_lowercase().ends_with("id"))
                .map(|(_, v)| unescape_lossy(v).into_owned())
                .collect();
            ids.extend(
                doc.elements(c.node)
                    .filter(|&e| doc.name(e).to_ascii_lowercase().ends_with("id"))
                    .filter(|&e| doc.elements(e).next().is_none())
                    .map(|e| doc.text_of(e).into_owned()),
            );
            for id in ids {
                if super::tree::looks_like_guid(&id) {
                    by_key.entry((code, normalize_key(&id))).or_insert(c);
                }
            }
        }
        Names { by_key, tree }
    }

    fn get(&self, code: u32, key: &str) -> Option<&'t Component> {
        self.by_key.get(&(code, normalize_key(key))).copied()
    }

    /// The title of a component as a maker knows it: a process by its category.
    pub(super) fn title_of(&self, c: &Component) -> &'static str {
        component_title(self.tree, c)
    }
}

/// A component's kind title, or for a process, the title of its category.
pub fn component_title(tree: &ComponentTree, c: &Component) -> &'static str {
    if c.kind.name == "workflow"
        && let Some(doc) = tree.entries[c.entry].document()
        && let Some(cat) = crate::model::field(doc, c.node, "Category")
        && let Some(t) = process_title(&cat)
    {
        return t;
    }
    c.kind.title
}

fn kind_of_code(code: u32) -> Option<&'static str> {
    KINDS
        .iter()
        .find(|k| k.code == Some(code) && k.role.is_component())
        .map(|k| k.name)
}

/// A type as written (`"61"`, `"connectionreference"`): code, table name and title.
fn type_parts(raw: &str) -> (Option<u32>, Option<String>, String) {
    let raw = raw.trim();
    let code = raw.parse::<u32>().ok();
    let title = type_name(raw).map(str::to_string).unwrap_or_else(|| {
        if raw.is_empty() {
            "Component".to_string()
        } else {
            format!("Component of an unnamed type ({raw})")
        }
    });
    let table = code
        .is_none()
        .then(|| raw.to_string())
        .filter(|s| !s.is_empty());
    (code, table, title)
}

fn root_component(doc: &Document, node: NodeId, names: &Names) -> RootComponent {
    let ty = doc.attr(node, "type").unwrap_or_default();
    let key = doc
        .attr(node, "id")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| doc.attr(node, "schemaName"))
        .unwrap_or_default()
        .into_owned();
    let (code, type_name, mut title) = type_parts(&ty);
    let found = code.and_then(|c| {
        names
            .get(c, &key)
            .or_else(|| doc.attr(node, "schemaName").and_then(|s| names.get(c, &s)))
    });
    let mut display = None;
    if let Some(c) = found {
        title = names.title_of(c).to_string();
        // A component without a name of its own displays as its kind's title.
        if !c.display.is_empty()
            && !c.display.eq_ignore_ascii_case(&key)
            && !c.display.eq_ignore_ascii_case(&title)
            && c.display != c.kind.title
        {
            display = Some(c.display.clone());
        }
    }
    // A key that is a GUID says nothing; a schema name is a name of sorts.
    let key = match doc.attr(node, "schemaName") {
        Some(s) if display.is_none() && super::tree::looks_like_guid(&key) => s.into_owned(),
        _ => key,
    };
    let behavior = doc
        .attr(node, "behavior")
        .and_then(|b| b.trim().parse::<u32>().ok());
    RootComponent {
        component: ComponentName {
            kind: code.and_then(kind_of_code),
            kind_title: title,
            type_code: code,
            type_name,
            key,
            display_name: display,
            parent: None,
        },
        behavior,
        behavior_name: behavior
            .and_then(|b| value_name("rootcomponent", "behavior", &b.to_string())),
    }
}

fn dependency_end(doc: &Document, node: NodeId, side: &str, names: &Names) -> ComponentName {
    let Some(e) = doc.child(node, side) else {
        return ComponentName {
            kind: None,
            kind_title: "Component".into(),
            type_code: None,
            type_name: None,
            key: String::new(),
            display_name: None,
            parent: None,
        };
    };
    let attr = |n: &str| {
        doc.attr(e, n)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (code, type_name, title) = type_parts(&attr("type").unwrap_or_default());
    // Record-style components are keyed by `id.<column>` attributes.
    let alt: Vec<String> = doc
        .attributes(e)
        .filter(|(k, _)| k.starts_with("id."))
        .map(|(_, v)| unescape_lossy(v).into_owned())
        .collect();
    let key = attr("schemaName")
        .or_else(|| attr("id"))
        .unwrap_or_else(|| alt.join(" / "));
    let mut display = attr("displayName").filter(|d| !d.eq_ignore_ascii_case(&key));
    let mut title = title;
    // The solution's own components (most dependents) are named as the package names them.
    if let Some(c) = code.and_then(|c| names.get(c, &key)) {
        title = names.title_of(c).to_string();
        if display.is_none() && !c.display.is_empty() && !c.display.eq_ignore_ascii_case(&key) {
            display = Some(c.display.clone());
        }
    }
    let parent = attr("parentDisplayName").or_else(|| attr("parentSchemaName"));
    let parent = parent.filter(|p| Some(p) != display.as_ref());
    ComponentName {
        kind: code.and_then(kind_of_code),
        kind_title: title,
        type_code: code,
        type_name,
        key,
        display_name: display,
        parent,
    }
}

fn missing_dependency(doc: &Document, node: NodeId, names: &Names) -> MissingDependency {
    let solution = doc
        .child(node, "Required")
        .and_then(|r| doc.attr(r, "solution"))
        .map(|s| strip_version(s.trim()).to_string())
        .filter(|s| !s.is_empty());
    MissingDependency {
        required: dependency_end(doc, node, "Required", names),
        required_solution: solution,
        dependent: dependency_end(doc, node, "Dependent", names),
    }
}

/// A keyed manifest list compared as a set; `state` names attributes and child elements
/// of an item's parts that are export state, not content.
fn list_delta<T>(
    os: Side,
    on: NodeId,
    ns: Side,
    nn: NodeId,
    list: &str,
    state: &[&str],
    item: impl Fn(&Document, NodeId, bool) -> T,
) -> ListDelta<T> {
    let items = |s: Side, n: NodeId| -> Vec<(String, NodeId)> {
        s.doc.child(n, list).map_or(Vec::new(), |l| {
            s.cls
                .children(l)
                .into_iter()
                .map(|c| (c.ident.to_string(), c.node))
                .collect()
        })
    };
    let (o, n) = (items(os, on), items(ns, nn));
    let om: FxHashMap<&str, NodeId> = o.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let nm: FxHashMap<&str, NodeId> = n.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut d = ListDelta::default();
    for (k, node) in &n {
        match om.get(k.as_str()) {
            None => d.added.push(item(ns.doc, *node, true)),
            // Equal but for export state: no change, read from either side.
            Some(&o_node)
                if content_hash(os.doc, o_node, state) == content_hash(ns.doc, *node, state) => {}
            Some(&o_node) => {
                let changes = outside_state(compare(os, o_node, ns, *node, "", &[], &[]), state);
                // The walk follows one side's shape: where a state element holds a value on
                // one side and elements on the other, only one direction names it as state.
                // What is a change one way is one the other way too.
                let changes = if changes.is_empty()
                    && !outside_state(compare(ns, *node, os, o_node, "", &[], &[]), state)
                        .is_empty()
                {
                    vec![PropertyChange {
                        property: "content".into(),
                        change: Change::Changed,
                        old: None,
                        new: None,
                        text_diff: None,
                        summary: false,
                    }]
                } else {
                    changes
                };
                if !changes.is_empty() {
                    d.changed.push(ItemChange {
                        item: item(ns.doc, *node, true),
                        changes,
                    });
                }
            }
        }
    }
    for (k, node) in &o {
        if !nm.contains_key(k.as_str()) {
            d.removed.push(item(os.doc, *node, false));
        }
    }
    d
}

/// The changes of a manifest item outside its export state (`package`, or `package 2`
/// when an end names several).
fn outside_state(changes: Vec<PropertyChange>, state: &[&str]) -> Vec<PropertyChange> {
    changes
        .into_iter()
        .filter(|c| {
            !c.property.split(" / ").any(|seg| {
                let name = seg.trim_end_matches(|ch: char| ch.is_ascii_digit());
                state.contains(&seg) || state.contains(&name.trim_end())
            })
        })
        .collect()
}

/// A hash of an item's content that does not see its export state (`state`: attribute and
/// element names at any depth), the order of its parts, white space around text, `xsi:nil`
/// markers or namespace declarations: equal for two items that differ in state alone, read
/// from either side.
fn content_hash(doc: &Document, node: NodeId, state: &[&str]) -> u64 {
    doc.unordered_hash_of(node, &|k| {
        !state.contains(&k) && k != NIL && !is_namespace_attribute(k)
    })
}
