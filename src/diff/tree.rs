//! The generic property walk inside one matched component: the component's own XML content,
//! with descendant components left out (they are compared as components in their own right)
//! and containers that only hold components treated as empty. Children are matched by
//! identity from the kinds table ([`Classifier::children`]): sets by key whatever their
//! order, sequences aligned so that insertions, removals and moves read as such; unknown
//! repeated elements (form rows, columns) are aligned by content. A form or site map layout
//! element on one side of its parent only that the other side has under another parent is
//! a move ([`super::moves`]), not a removal and an addition. The result is a list of
//! [`PropertyChange`]s with readable property paths such as
//! `tab "General" / section "Details" / row 2 / cell "Score" / label (1036)`.

use super::moves::{self, Places};
use super::noise::{
    DESCRIBE_BY_CHILD, EMBEDDED_TEXT, FIELD_REFERENCE, NIL, SILENT_ELEMENTS, SILENT_IN_PATH,
    VERSION_FIELDS, is_empty_list, is_namespace_attribute, is_nil, is_noise_field, same_version,
};
use super::text::{break_tags, diff_lines, json_diff};
use super::{Change, PropertyChange};
use crate::model::kinds::{KeySpec, KindDef, ListOrder, Role};
use crate::model::{Child, Classifier, Ident, display_of, normalize_key};
use crate::xml::{Document, NodeId, unescape_lossy};
use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffOp, capture_diff_slices};
use std::borrow::Cow;

/// One side of a comparison: a document and its classifier.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub doc: &'a Document,
    pub cls: &'a Classifier<'a>,
}

/// Values longer than this are left out of `old`/`new` when a line diff carries the change.
const INLINE_VALUE_MAX: usize = 240;

struct Walker<'a> {
    old: Side<'a>,
    new: Side<'a>,
    /// The component kind, for its noise fields.
    kind: &'a str,
    /// Child element names left out at the component root (handled elsewhere).
    skip: &'a [&'a str],
    /// Attribute names left out at the component root.
    skip_attrs: &'a [&'a str],
    /// Elements entered: 1 at the component's own element.
    depth: usize,
    /// The component's own elements (old, new): where readable places start.
    roots: (NodeId, NodeId),
    /// Layout elements by identity across the component, built the first time one is on
    /// one side of a parent only (most walks never need it).
    places: Option<Places>,
    out: Vec<PropertyChange>,
}

/// The property changes between two elements that stand for the same component (or the
/// same package-level part). Descendant components are not looked into.
pub fn compare(
    old: Side<'_>,
    old_node: NodeId,
    new: Side<'_>,
    new_node: NodeId,
    kind: &str,
    skip: &[&str],
    skip_attrs: &[&str],
) -> Vec<PropertyChange> {
    let mut w = Walker {
        old,
        new,
        kind,
        skip,
        skip_attrs,
        depth: 0,
        roots: (old_node, new_node),
        places: None,
        out: Vec::new(),
    };
    let mut path = Vec::new();
    w.element(old_node, new_node, None, &mut path);
    w.out
}

/// Whether an element holds nothing but components (and containers of components): such
/// an element is a placeholder of the package form (`<FormXml />` in a SolutionPackager
/// `Entity.xml`), not content of the component that encloses it.
pub fn transparent(side: Side<'_>, node: NodeId) -> bool {
    let doc = side.doc;
    let mut any_child = false;
    for c in doc.elements(node) {
        any_child = true;
        let is_component = side.cls.classify(c).is_some_and(|k| k.role.is_component());
        if !is_component && !transparent(side, c) {
            return false;
        }
    }
    // A leaf holds a value (even an empty one): never a placeholder.
    any_child
}

fn is_component(c: &Child) -> bool {
    c.kind.is_some_and(|k| k.role.is_component())
}

/// GUIDs compare without regard to case or braces (design.md non-negotiable 4).
pub fn same_value(a: &str, b: &str) -> bool {
    a == b || (looks_like_guid(a) && looks_like_guid(b) && normalize_key(a) == normalize_key(b))
}

pub fn looks_like_guid(s: &str) -> bool {
    let t = s.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    t.len() == 36
        && t.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A value for `old`/`new` in a report: trimmed and cut to a readable length.
pub fn shorten(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= INLINE_VALUE_MAX {
        t.to_string()
    } else {
        let cut: String = t.chars().take(INLINE_VALUE_MAX).collect();
        format!("{cut}…")
    }
}

/// An element name that is only a list wrapper (`labels`, `tabs`, `rows`, `displaynames`):
/// no attributes and element children that all share one name. It is left out of readable
/// property paths, since the item segment already says what it is.
pub(super) fn is_list_container(doc: &Document, node: NodeId) -> bool {
    if doc
        .attributes(node)
        .any(|(k, _)| !is_namespace_attribute(k))
    {
        return false;
    }
    let mut names = doc.elements(node).map(|c| doc.name(c));
    match names.next() {
        Some(first) => names.all(|n| n == first),
        None => false,
    }
}

/// Myers reports a changed item as a deletion next to an insertion; pair them up as one
/// replacement so that a changed row is compared, not reported as gone and new.
fn pair_replacements(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        let merged = match (out.last(), &op) {
            (
                Some(&DiffOp::Delete {
                    old_index, old_len, ..
                }),
                &DiffOp::Insert {
                    new_index, new_len, ..
                },
            )
            | (
                Some(&DiffOp::Insert {
                    new_index, new_len, ..
                }),
                &DiffOp::Delete {
                    old_index, old_len, ..
                },
            ) => Some(DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            }),
            _ => None,
        };
        match merged {
            Some(m) => *out.last_mut().expect("a previous op") = m,
            None => out.push(op),
        }
    }
    out
}

/// The readable path segment for a keyed child.
pub(super) fn keyed_segment(doc: &Document, node: NodeId, kind: &KindDef, key: &str) -> String {
    if SILENT_IN_PATH.contains(&kind.name) {
        return String::new();
    }
    match kind.key {
        KeySpec::ElementName | KeySpec::Singleton => doc.name(node).to_string(),
        _ if kind.role == Role::Localized => format!("{} ({key})", doc.name(node)),
        _ => {
            let title = kind.title.to_lowercase();
            // Short readable keys (option values, privilege names) are worth showing next
            // to the label; GUIDs and composite keys are not.
            let key_readable = !looks_like_guid(key) && !key.contains('|') && key.len() <= 40;
            let display = display_of(doc, node, kind);
            // Named by what it shows (a column's schema name): not a label, so unquoted.
            if display.as_deref().is_none_or(looks_like_guid)
                && looks_like_guid(key)
                && let Some(r) = name_by_reference(doc, node, kind)
            {
                return format!("{title} {r}");
            }
            match display {
                // The name as the package writes it (`prvReadAccount`), not the
                // lower-cased key.
                Some(d) if d.eq_ignore_ascii_case(key) => format!("{title} {d}"),
                Some(d) if !d.eq_ignore_ascii_case(key) && key_readable => {
                    format!("{title} {key} \"{d}\"")
                }
                // A GUID is a key, not a name (an app component shows its id).
                Some(d) if looks_like_guid(&d) => format!("{title} {d}"),
                Some(d) if !d.eq_ignore_ascii_case(key) => format!("{title} \"{d}\""),
                _ => format!("{title} {key}"),
            }
        }
    }
}

/// A name for an element keyed only by a GUID, from what it refers to: a form cell by the
/// column its control shows, a control description by the control it describes.
fn name_by_reference(doc: &Document, node: NodeId, kind: &KindDef) -> Option<String> {
    if let Some(v) = DESCRIBE_BY_CHILD
        .iter()
        .filter(|(k, _, _, _)| *k == kind.name)
        .find_map(|(_, child, attr, _)| doc.child(node, child).and_then(|x| doc.attr(x, attr)))
    {
        return Some(v.into_owned());
    }
    if kind.name == "controldescription" {
        let target = normalize_key(&doc.attr(node, "forControl")?);
        let mut form = doc.parent(node)?;
        while doc.is_element(form) && doc.name(form) != "form" {
            form = doc.parent(form)?;
        }
        let mut stack = vec![form];
        while let Some(n) = stack.pop() {
            if doc.is_element(n) && doc.name(n) == "control" {
                let ids = [doc.attr(n, "uniqueid"), doc.attr(n, "id")];
                if ids.iter().flatten().any(|v| normalize_key(v) == target) {
                    return doc
                        .attr(n, FIELD_REFERENCE)
                        .or_else(|| doc.attr(n, "id"))
                        .filter(|v| !looks_like_guid(v))
                        .map(|v| format!("for {v}"));
                }
            }
            stack.extend(doc.elements(n));
        }
    }
    None
}

/// What an added or removed element is, in one line.
fn describe(doc: &Document, node: NodeId, kind: Option<&KindDef>) -> String {
    if let Some(k) = kind
        && let Some(d) = display_of(doc, node, k)
    {
        return shorten(&d);
    }
    if doc.elements(node).next().is_none() {
        let t = doc.text_of(node);
        if !t.trim().is_empty() {
            return shorten(&t);
        }
    }
    attribute_summary(doc, node)
}

/// `controls: a, b, c` — the columns (or, for subgrids and the like, the controls) a layout
/// element (tab, section, row) shows, leaving out the elements in `elsewhere` (moved in or
/// out: their move is reported on its own).
fn fields_inside(doc: &Document, node: NodeId, elsewhere: &[NodeId]) -> Option<String> {
    let mut fields = Vec::new();
    let mut stack: Vec<NodeId> = doc.elements(node).collect();
    while let Some(n) = stack.pop() {
        if elsewhere.contains(&n) {
            continue;
        }
        // Subgrids, timelines and web resources show no column: name them by control id.
        let shown = doc.attr(n, FIELD_REFERENCE).or_else(|| {
            (doc.name(n) == "control")
                .then(|| doc.attr(n, "id"))
                .flatten()
        });
        if let Some(f) = shown {
            fields.push(f.into_owned());
        }
        stack.extend(doc.elements(n));
    }
    if fields.is_empty() {
        return None;
    }
    fields.sort();
    fields.dedup();
    Some(shorten(&format!("columns: {}", fields.join(", "))))
}

fn attribute_summary(doc: &Document, node: NodeId) -> String {
    let attrs: Vec<(&str, Cow<str>)> = doc
        .attributes(node)
        .filter(|(k, _)| !is_namespace_attribute(k))
        .map(|(k, v)| (k, unescape_lossy(v)))
        .collect();
    attribute_list(&attrs)
}

/// Properties of an element as a reader reads them: `width 100, id 2` (an empty value as
/// `""`), never as XML.
fn attribute_list(attrs: &[(&str, Cow<str>)]) -> String {
    let parts: Vec<String> = attrs
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                format!("{k} \"\"")
            } else {
                format!("{k} {v}")
            }
        })
        .collect();
    shorten(&parts.join(", "))
}

/// The attribute that holds a label's text: its value is the label itself.
fn is_label_value(kind: Option<&KindDef>, attr: &str) -> bool {
    kind.is_some_and(|k| k.role == Role::Localized)
        && matches!(attr, "description" | "Title" | "Description")
}

fn join(path: &[String], leaf: Option<&str>) -> String {
    let mut s = String::new();
    for p in path.iter().filter(|p| !p.is_empty()) {
        if !s.is_empty() {
            s.push_str(" / ");
        }
        s.push_str(p);
    }
    if let Some(l) = leaf.filter(|l| !l.is_empty()) {
        if !s.is_empty() {
            s.push_str(" / ");
        }
        s.push_str(l);
    }
    s
}

/// How one value differs: not at all (same value, GUID spelling, JSON key order), as a line
/// diff (embedded XML or JSON, multi-line or long text), or as old → new.
fn value_change(property: String, name: &str, old: &str, new: &str) -> Option<PropertyChange> {
    if same_value(old, new) || (VERSION_FIELDS.contains(&name) && same_version(old, new)) {
        return None;
    }
    if let Some(json) = json_diff(old, new) {
        return json.map(|td| PropertyChange {
            property,
            change: Change::Changed,
            old: None,
            new: None,
            text_diff: Some(td),
            summary: false,
        });
    }
    let embedded = EMBEDDED_TEXT.iter().any(|e| e.eq_ignore_ascii_case(name))
        || old.contains('\n')
        || new.contains('\n')
        || old.len().max(new.len()) > INLINE_VALUE_MAX;
    if !embedded {
        return Some(PropertyChange::changed(property, old, new));
    }
    // No line diff means the same lines: only line endings moved, which is formatting.
    let td = diff_lines(&break_tags(old), &break_tags(new))?;
    let short =
        old.len().max(new.len()) <= INLINE_VALUE_MAX && !old.contains('\n') && !new.contains('\n');
    Some(PropertyChange {
        property,
        change: Change::Changed,
        old: short.then(|| old.to_string()),
        new: short.then(|| new.to_string()),
        text_diff: Some(td),
        summary: false,
    })
}

impl<'a> Walker<'a> {
    /// Whether the walk is at the component's own element (not merely at an empty readable
    /// path, which silent wrappers also give).
    fn at_root(&self) -> bool {
        self.depth == 1
    }

    fn element(
        &mut self,
        on: NodeId,
        nn: NodeId,
        kind: Option<&'static KindDef>,
        path: &mut Vec<String>,
    ) {
        if self.old.doc.hash(on) == self.new.doc.hash(nn) {
            return;
        }
        self.depth += 1;
        self.attributes(on, nn, kind, path);
        let (od, nd) = (self.old.doc, self.new.doc);
        let o_leaf = od.elements(on).next().is_none();
        let n_leaf = nd.elements(nn).next().is_none();
        if o_leaf && n_leaf {
            self.leaf_text(on, nn, path);
        } else {
            self.children(on, nn, path);
        }
        self.depth -= 1;
    }

    fn attributes(
        &mut self,
        on: NodeId,
        nn: NodeId,
        kind: Option<&'static KindDef>,
        path: &[String],
    ) {
        let root = self.at_root();
        let keep = |k: &str| {
            !is_namespace_attribute(k)
                && k != NIL
                && !(root && (self.skip_attrs.contains(&k) || is_noise_field(self.kind, k)))
        };
        let old: Vec<(&str, Cow<str>)> = self
            .old
            .doc
            .attributes(on)
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k, unescape_lossy(v)))
            .collect();
        let new: Vec<(&str, Cow<str>)> = self
            .new
            .doc
            .attributes(nn)
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k, unescape_lossy(v)))
            .collect();
        let property = |k: &str| {
            if is_label_value(kind, k) {
                join(path, None)
            } else {
                join(path, Some(k))
            }
        };
        for (k, ov) in &old {
            match new.iter().find(|(nk, _)| nk == k) {
                Some((_, nv)) if same_value(ov, nv) => {}
                Some((_, nv)) => {
                    let change = value_change(property(k), k, ov, nv);
                    self.out.extend(change);
                }
                None => self.out.push(PropertyChange {
                    property: property(k),
                    change: Change::Removed,
                    old: Some(shorten(ov)),
                    new: None,
                    text_diff: None,
                    summary: false,
                }),
            }
        }
        for (k, nv) in &new {
            if !old.iter().any(|(ok, _)| ok == k) {
                self.out.push(PropertyChange {
                    property: property(k),
                    change: Change::Added,
                    old: None,
                    new: Some(shorten(nv)),
                    text_diff: None,
                    summary: false,
                });
            }
        }
    }

    fn leaf_text(&mut self, on: NodeId, nn: NodeId, path: &[String]) {
        let (ot, nt) = (self.old.doc.text_of(on), self.new.doc.text_of(nn));
        let name = self.new.doc.name(nn);
        self.out
            .extend(value_change(join(path, None), name, ot.trim(), nt.trim()));
    }

    fn children(&mut self, on: NodeId, nn: NodeId, path: &mut Vec<String>) {
        let root = self.at_root();
        let skip = |doc: &Document, c: &Child| {
            is_component(c)
                || is_empty_list(doc, c.node)
                || (root
                    && (self.skip.contains(&doc.name(c.node))
                        || is_noise_field(self.kind, doc.name(c.node))))
        };
        let (od, nd) = (self.old.doc, self.new.doc);
        let oc: Vec<Child> = self
            .old
            .cls
            .children(on)
            .into_iter()
            .filter(|c| !skip(od, c))
            .collect();
        let nc: Vec<Child> = self
            .new
            .cls
            .children(nn)
            .into_iter()
            .filter(|c| !skip(nd, c))
            .collect();
        if oc.is_empty() && nc.is_empty() {
            return;
        }
        self.keyed(&oc, &nc, path);
        self.named(&oc, &nc, path);
    }

    /// Children the kinds table knows: matched by identity.
    fn keyed(&mut self, oc: &[Child], nc: &[Child], path: &mut Vec<String>) {
        let old_by: FxHashMap<&Ident, &Child> = oc
            .iter()
            .filter(|c| matches!(c.ident, Ident::Keyed { .. }))
            .map(|c| (&c.ident, c))
            .collect();
        let new_keys: FxHashMap<&Ident, ()> = nc
            .iter()
            .filter(|c| matches!(c.ident, Ident::Keyed { .. }))
            .map(|c| (&c.ident, ()))
            .collect();
        let (od, nd) = (self.old.doc, self.new.doc);
        for n in nc {
            let (Ident::Keyed { key, .. }, Some(kind)) = (&n.ident, n.kind) else {
                continue;
            };
            let segment = keyed_segment(nd, n.node, kind, key);
            match old_by.get(&n.ident) {
                Some(o) => {
                    path.push(segment);
                    self.element(o.node, n.node, Some(kind), path);
                    path.pop();
                }
                None => self.one_side(Change::Added, self.new, n, segment, path),
            }
        }
        for o in oc {
            let (Ident::Keyed { key, .. }, Some(kind)) = (&o.ident, o.kind) else {
                continue;
            };
            if !new_keys.contains_key(&o.ident) {
                let segment = keyed_segment(od, o.node, kind, key);
                self.one_side(Change::Removed, self.old, o, segment, path);
            }
        }
        self.moves(oc, nc, &old_by, &new_keys, path);
    }

    /// In sequences (form layout, options, sitemap, libraries), an item that kept its
    /// identity but not its place among the items both sides have is reported as moved.
    fn moves(
        &mut self,
        oc: &[Child],
        nc: &[Child],
        old_by: &FxHashMap<&Ident, &Child>,
        new_keys: &FxHashMap<&Ident, ()>,
        path: &[String],
    ) {
        let sequence = |c: &&Child| c.kind.is_some_and(|k| k.order == ListOrder::Sequence);
        let mut kinds: Vec<&'static str> = nc
            .iter()
            .filter(sequence)
            .filter_map(|c| c.kind.map(|k| k.name))
            .collect();
        kinds.dedup();
        for kind in kinds {
            let of_kind = |c: &&Child| c.kind.is_some_and(|k| k.name == kind);
            let old_seq: Vec<&Ident> = oc
                .iter()
                .filter(of_kind)
                .filter(|c| new_keys.contains_key(&c.ident))
                .map(|c| &c.ident)
                .collect();
            let new_seq: Vec<&Ident> = nc
                .iter()
                .filter(of_kind)
                .filter(|c| old_by.contains_key(&c.ident))
                .map(|c| &c.ident)
                .collect();
            if old_seq == new_seq {
                continue;
            }
            for op in capture_diff_slices(Algorithm::Myers, &old_seq, &new_seq) {
                let (start, len) = match op {
                    DiffOp::Insert {
                        new_index, new_len, ..
                    } => (new_index, new_len),
                    DiffOp::Replace {
                        new_index, new_len, ..
                    } => (new_index, new_len),
                    _ => continue,
                };
                for ident in &new_seq[start..start + len] {
                    let n = nc.iter().find(|c| &&c.ident == ident).expect("new child");
                    let o = old_by[ident];
                    let pos = |list: &[Child], c: &Child| {
                        list.iter()
                            .filter(of_kind)
                            .position(|x| x.node == c.node)
                            .unwrap_or(0)
                            + 1
                    };
                    let (Ident::Keyed { key, .. }, Some(k)) = (&n.ident, n.kind) else {
                        continue;
                    };
                    let segment = keyed_segment(self.new.doc, n.node, k, key);
                    self.out.push(PropertyChange {
                        property: join(path, Some(&segment)),
                        change: Change::Moved,
                        old: Some(format!("position {}", pos(oc, o))),
                        new: Some(format!("position {}", pos(nc, n))),
                        text_diff: None,
                        summary: false,
                    });
                }
            }
        }
    }

    /// Children the table does not know: matched by name; repeated names (form rows and
    /// columns) aligned by content, so an inserted row reads as one insertion.
    fn named(&mut self, oc: &[Child], nc: &[Child], path: &mut Vec<String>) {
        let mut names: Vec<&str> = Vec::new();
        // Grouped by element name; the identity the classifier gives a repeated element (a
        // row by its first cell) is the alignment key, so rows that moved or lost their first
        // cell still pair up with their old selves.
        let named_el = |c: &Child| matches!(c.ident, Ident::Named { .. });
        let (od, nd) = (self.old.doc, self.new.doc);
        for c in nc.iter().filter(|c| named_el(c)) {
            let n = nd.name(c.node);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for c in oc.iter().filter(|c| named_el(c)) {
            let n = od.name(c.node);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let o: Vec<&Child> = oc
                .iter()
                .filter(|c| named_el(c) && od.name(c.node) == name)
                .collect();
            let n: Vec<&Child> = nc
                .iter()
                .filter(|c| named_el(c) && nd.name(c.node) == name)
                .collect();
            let single = o.len() <= 1 && n.len() <= 1;
            let segment = |doc: &Document, c: &Child, pos: usize| -> Option<String> {
                if is_list_container(doc, c.node) || SILENT_ELEMENTS.contains(&name) {
                    None
                } else if single {
                    Some(name.to_string())
                } else {
                    Some(format!("{name} {pos}"))
                }
            };
            if single {
                match (o.first(), n.first()) {
                    (Some(a), Some(b)) => self.descend(a, b, segment(self.new.doc, b, 1), path),
                    (None, Some(b)) => {
                        let s = name.to_string();
                        self.one_side(Change::Added, self.new, b, s, path)
                    }
                    (Some(a), None) => {
                        let s = name.to_string();
                        self.one_side(Change::Removed, self.old, a, s, path)
                    }
                    (None, None) => {}
                }
                continue;
            }
            // Elements the classifier could tell apart (`row{cell:…}`) align by that identity;
            // anonymous ones (a condition's `value`s) by content, so a removed value reads
            // as removed rather than as every later value changing.
            let ident = |doc: &Document, c: &Child| match &c.ident {
                Ident::Named { name: n, .. } if n.len() > name.len() => n.clone(),
                // Content as the comparison sees it: a null marker or a namespace
                // declaration is no content.
                _ => format!(
                    "{name}#{:016x}",
                    doc.unordered_hash_of(c.node, &|k| k != NIL && !is_namespace_attribute(k))
                ),
            };
            let ok: Vec<String> = o.iter().map(|c| ident(od, c)).collect();
            let nk: Vec<String> = n.iter().map(|c| ident(nd, c)).collect();
            let spans: Vec<(usize, usize, usize, usize)> =
                pair_replacements(capture_diff_slices(Algorithm::Myers, &ok, &nk))
                    .into_iter()
                    .map(|op| match op {
                        DiffOp::Equal {
                            old_index,
                            new_index,
                            len,
                        } => (old_index, len, new_index, len),
                        DiffOp::Delete {
                            old_index, old_len, ..
                        } => (old_index, old_len, 0, 0),
                        DiffOp::Insert {
                            new_index, new_len, ..
                        } => (0, 0, new_index, new_len),
                        DiffOp::Replace {
                            old_index,
                            old_len,
                            new_index,
                            new_len,
                        } => (old_index, old_len, new_index, new_len),
                    })
                    .collect();
            // Values one side has alone that compare equal (two versions that differ only
            // as export noise) are one unchanged value, whichever way the alignment split
            // them: found first, then left out where the items are reported in order.
            let lone_old: Vec<usize> = spans
                .iter()
                .flat_map(|&(oi, ol, _, nl)| oi + ol.min(nl)..oi + ol)
                .collect();
            let lone_new: Vec<usize> = spans
                .iter()
                .flat_map(|&(_, ol, ni, nl)| ni + ol.min(nl)..ni + nl)
                .collect();
            let leaf = |doc: &Document, c: &Child| doc.elements(c.node).next().is_none();
            let (mut quiet_old, mut quiet_new) = (Vec::new(), Vec::new());
            for &i in &lone_old {
                if !leaf(od, o[i]) {
                    continue;
                }
                let same = lone_new.iter().copied().find(|&j| {
                    !quiet_new.contains(&j) && leaf(nd, n[j]) && {
                        let before = self.out.len();
                        self.descend(o[i], n[j], None, path);
                        let quiet = self.out.len() == before;
                        self.out.truncate(before);
                        quiet
                    }
                });
                if let Some(j) = same {
                    quiet_old.push(i);
                    quiet_new.push(j);
                }
            }
            for (oi, ol, ni, nl) in spans {
                let paired = ol.min(nl);
                for i in 0..paired {
                    let (a, b) = (o[oi + i], n[ni + i]);
                    let s = segment(self.new.doc, b, ni + i + 1);
                    self.descend(a, b, s, path);
                }
                for i in (oi + paired..oi + ol).filter(|i| !quiet_old.contains(i)) {
                    let segment = format!("{name} {}", i + 1);
                    self.one_side(Change::Removed, self.old, o[i], segment, path);
                }
                for i in (ni + paired..ni + nl).filter(|i| !quiet_new.contains(i)) {
                    let segment = format!("{name} {}", i + 1);
                    self.one_side(Change::Added, self.new, n[i], segment, path);
                }
            }
        }
    }

    fn descend(&mut self, a: &Child, b: &Child, segment: Option<String>, path: &mut Vec<String>) {
        let pushed = segment.is_some();
        if let Some(s) = segment {
            path.push(s);
        }
        self.element(a.node, b.node, None, path);
        if pushed {
            path.pop();
        }
    }

    /// A child present on one side only. Containers that only hold components are
    /// placeholders of the package form and say nothing.
    fn one_side(
        &mut self,
        change: Change,
        side: Side<'a>,
        c: &Child,
        segment: String,
        path: &[String],
    ) {
        let doc = side.doc;
        // An empty list equals absence (as among the children of a changed element), also
        // inside an element only one side has.
        if is_nil(doc, c.node)
            || is_empty_list(doc, c.node)
            || (doc.elements(c.node).next().is_some() && transparent(side, c.node))
        {
            return;
        }
        // A layout element that is elsewhere on the other side moved: reported once, where
        // it arrived.
        if let Some(kind) = c.kind.filter(|_| moves::is_movable(c.kind)) {
            match self.elsewhere(change, &c.ident, c.node) {
                Some(old) if change == Change::Added => {
                    return self.moved(old, c.node, kind, &mut path.to_vec());
                }
                Some(_) => return,
                None => {}
            }
        }
        // A wrapper with no values of its own (a list that appeared): report its items.
        if c.kind.is_none()
            && doc.elements(c.node).next().is_some()
            && doc
                .attributes(c.node)
                .all(|(k, _)| is_namespace_attribute(k))
        {
            let mut inner = path.to_vec();
            // `labels`, `rows` say nothing; `row 2` says where the new cells are.
            let name = doc.name(c.node);
            if !(is_list_container(doc, c.node) && (name.ends_with('s') || name.ends_with('S'))) {
                inner.push(segment);
            }
            let children = side.cls.children(c.node);
            let repeated =
                |name: &str| children.iter().filter(|x| doc.name(x.node) == name).count() > 1;
            for (i, child) in children.iter().enumerate() {
                if is_component(child) {
                    continue;
                }
                let seg = match (&child.ident, child.kind) {
                    (Ident::Keyed { key, .. }, Some(k)) => keyed_segment(doc, child.node, k, key),
                    _ if repeated(doc.name(child.node)) => {
                        format!("{} {}", doc.name(child.node), i + 1)
                    }
                    _ => doc.name(child.node).to_string(),
                };
                self.one_side(change, side, child, seg, &inner);
            }
            return;
        }
        // Embedded XML or JSON (a `DependencyXml` that appeared) reads as lines, as a
        // changed one does, never as one line of markup.
        if doc.elements(c.node).next().is_none() {
            let text = doc.text_of(c.node);
            let t = text.trim();
            let embedded = EMBEDDED_TEXT
                .iter()
                .any(|e| e.eq_ignore_ascii_case(doc.name(c.node)))
                || t.starts_with('<')
                || t.contains('\n');
            if embedded && !t.is_empty() {
                let body = if json_diff("{}", t).is_some() {
                    crate::diff::flow::readable(&serde_json::from_str(t).unwrap_or_default())
                } else {
                    break_tags(t)
                };
                let td = match change {
                    Change::Added => diff_lines("", &body),
                    _ => diff_lines(&body, ""),
                };
                self.out.push(PropertyChange {
                    property: join(path, Some(&segment)),
                    change,
                    old: None,
                    new: None,
                    text_diff: td,
                    summary: false,
                });
                return;
            }
        }
        // Layout elements inside it that moved in (or out) are not part of what was added
        // (or removed): each is a move of its own.
        let elsewhere = self.elsewhere_inside(change, side, c.node);
        let here: Vec<NodeId> = elsewhere.iter().map(|&(h, _)| h).collect();
        let mut inner = path.to_vec();
        inner.push(segment.clone());
        let (value, summary, segment) = self.one_side_value(side, c, segment, &here);
        let property = join(path, Some(&segment));
        let value = Some(value);
        let (old, new) = match change {
            Change::Added => (None, value),
            _ => (value, None),
        };
        self.out.push(PropertyChange {
            property,
            change,
            old,
            new,
            text_diff: None,
            summary,
        });
        if change != Change::Added {
            return;
        }
        for (n, o) in elsewhere {
            let Some(kind) = side.cls.classify(n) else {
                continue;
            };
            let mut at = inner.clone();
            at.extend(moves::place(side, c.node, n).into_iter().map(|s| s.text));
            self.moved(o, n, kind, &mut at);
        }
    }

    /// For a movable element on one side of its parent only (`change` says which): the
    /// element it is on the other side, where that side has it under another parent.
    fn elsewhere(&mut self, change: Change, ident: &Ident, node: NodeId) -> Option<NodeId> {
        if self.places.is_none() {
            let (o, n) = self.roots;
            self.places = Some(Places::new(self.old, o, self.new, n));
        }
        let places = self.places.as_ref().expect("built above");
        match change {
            Change::Added => places.arrived(ident, node),
            _ => places.left(ident, node),
        }
    }

    /// The outermost movable elements inside a one-sided `node` that the other side has
    /// elsewhere, in document order, each with its other-side element.
    fn elsewhere_inside(
        &mut self,
        change: Change,
        side: Side<'a>,
        node: NodeId,
    ) -> Vec<(NodeId, NodeId)> {
        let doc = side.doc;
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = doc.elements(node).collect();
        stack.reverse();
        while let Some(n) = stack.pop() {
            let kind = side.cls.classify(n);
            if kind.is_some_and(|k| k.role.is_component()) {
                continue;
            }
            if let Some(k) = kind.filter(|_| moves::is_movable(kind))
                && let Some(other) = self.elsewhere(change, &moves::ident_of(doc, n, k), n)
            {
                out.push((n, other));
                continue;
            }
            let at = stack.len();
            stack.extend(doc.elements(n));
            stack[at..].reverse();
        }
        out
    }

    /// One element moved to another parent: the move, then what changed inside it, under
    /// its new place (`path`, the readable path of its new parent).
    fn moved(&mut self, old: NodeId, new: NodeId, kind: &'static KindDef, path: &mut Vec<String>) {
        // Still in the same spot of the same holder (the walk paired rows otherwise):
        // nothing moved, but what changed inside it still counts.
        if let Some((from, to)) =
            moves::from_to((self.old, self.roots.0, old), (self.new, self.roots.1, new))
        {
            self.out.push(PropertyChange {
                property: moves::moved_name(self.new.doc, new, kind),
                change: Change::Moved,
                old: Some(from),
                new: Some(to),
                text_diff: None,
                summary: true,
            });
        }
        let key = crate::model::key_of(self.new.doc, new, kind);
        path.push(keyed_segment(self.new.doc, new, kind, &key));
        self.element(old, new, Some(kind), path);
        path.pop();
    }

    /// What an added or removed element holds, for its line: a label its text; an item
    /// with one property that property (`privilege prvReadAccount / level: Global`); else
    /// its name, the column a cell shows, the columns a section holds, or its properties
    /// (`width 100, id 2`, a summary).
    fn one_side_value(
        &self,
        side: Side<'a>,
        c: &Child,
        segment: String,
        elsewhere: &[NodeId],
    ) -> (String, bool, String) {
        let doc = side.doc;
        if let Some(k) = c.kind
            && k.role == Role::Localized
        {
            let text = ["description", "Title", "Description"]
                .iter()
                .find_map(|a| doc.attr(c.node, a))
                .map(|v| shorten(&v))
                .unwrap_or_default();
            return (text, false, segment);
        }
        let value = describe(doc, c.node, c.kind);
        // An item keyed by its own text (a language, a condition's value) is its value.
        if c.kind.is_some_and(|k| matches!(k.key, KeySpec::Text)) {
            return (value, false, segment);
        }
        let display = c.kind.and_then(|k| display_of(doc, c.node, k));
        let Ident::Keyed { key, .. } = &c.ident else {
            // An unknown element: its text, or its properties.
            let is_summary =
                doc.elements(c.node).next().is_some() || doc.text_of(c.node).trim().is_empty();
            return (value, is_summary, segment);
        };
        let from_attributes = display.is_none()
            && (doc.elements(c.node).next().is_some() || doc.text_of(c.node).trim().is_empty());
        if !(normalize_key(&value) == *key
            || value.is_empty()
            || from_attributes
            || display.as_deref() == Some(value.as_str()))
        {
            return (value, false, segment);
        }
        // The key is already in the path: show what else the item holds.
        let attrs: Vec<(&str, Cow<str>)> = doc
            .attributes(c.node)
            .filter(|(k, _)| !is_namespace_attribute(k))
            .map(|(k, v)| (k, unescape_lossy(v)))
            .filter(|(_, v)| {
                !v.is_empty()
                    && normalize_key(v) != *key
                    && !key.split('|').any(|p| p == normalize_key(v))
                    && display.as_deref() != Some(v.as_ref())
            })
            .collect();
        let kind = c.kind.map_or("", |k| k.name);
        // A condition is named by what it tests (column and operator): what it holds besides
        // is what it compares with, its values listed or not.
        if kind == "fetchcondition" {
            let mut parts: Vec<String> = attrs
                .iter()
                .filter(|(k, _)| !matches!(*k, "attribute" | "operator" | "entityname"))
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let listed: Vec<String> = doc
                .elements(c.node)
                .filter(|&v| doc.name(v) == "value")
                .map(|v| doc.text_of(v).trim().to_string())
                .collect();
            if !listed.is_empty() {
                parts.push(format!("values {}", listed.join(", ")));
            }
            return (shorten(&parts.join(", ")), !parts.is_empty(), segment);
        }
        if let Some((word, named)) = DESCRIBE_BY_CHILD
            .iter()
            .filter(|(k, _, _, _)| *k == kind)
            .find_map(|(_, child, attr, word)| {
                doc.child(c.node, child)
                    .and_then(|x| doc.attr(x, attr))
                    .map(|v| (*word, v))
            })
        {
            // A cell already named by its column says no more by repeating it.
            if segment.ends_with(&*named) {
                return (String::new(), false, segment);
            }
            return (format!("{word} {named}"), true, segment);
        }
        if let Some(fields) = fields_inside(doc, c.node, elsewhere) {
            return (fields, true, segment);
        }
        match attrs.as_slice() {
            [] => (String::new(), false, segment),
            // One property: named in the path, shown as a value.
            [(k, v)] if doc.elements(c.node).next().is_none() => {
                (shorten(v), false, format!("{segment} / {k}"))
            }
            _ => (attribute_list(&attrs), true, segment),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn changes(old: &str, new: &str) -> Vec<PropertyChange> {
        changes_of("test", old, new)
    }

    /// The property changes between two documents whose roots are a component of `kind`.
    pub(in crate::diff) fn changes_of(kind: &str, old: &str, new: &str) -> Vec<PropertyChange> {
        let od = Document::parse(old.to_string(), "old.xml").unwrap();
        let nd = Document::parse(new.to_string(), "new.xml").unwrap();
        let (oc, nc) = (Classifier::new(&od), Classifier::new(&nd));
        compare(
            Side { doc: &od, cls: &oc },
            od.root().unwrap(),
            Side { doc: &nd, cls: &nc },
            nd.root().unwrap(),
            kind,
            &[],
            &[],
        )
    }

    fn lines(v: &[PropertyChange]) -> Vec<String> {
        v.iter()
            .map(|c| {
                format!(
                    "{:?} {}: {} -> {}",
                    c.change,
                    c.property,
                    c.old.as_deref().unwrap_or("-"),
                    c.new.as_deref().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn version_spellings_are_one_version() {
        let old =
            "<attribute PhysicalName=\"a\"><IntroducedVersion>1.0</IntroducedVersion></attribute>";
        let new = "<attribute PhysicalName=\"a\"><IntroducedVersion>1.0.0.0</IntroducedVersion></attribute>";
        assert!(changes(old, new).is_empty());
        let new = "<attribute PhysicalName=\"a\"><IntroducedVersion>1.0.0.1</IntroducedVersion></attribute>";
        assert_eq!(changes(old, new).len(), 1);
    }

    #[test]
    fn labels_match_by_language_not_position() {
        let old = r#"<attribute PhysicalName="a"><displaynames><displayname description="Note" languagecode="1036" /><displayname description="Score" languagecode="1033" /></displaynames></attribute>"#;
        let new = r#"<attribute PhysicalName="a"><displaynames><displayname languagecode="1033" description="Score"/><displayname description="Notation" languagecode="1036" /></displaynames></attribute>"#;
        assert_eq!(
            lines(&changes(old, new)),
            ["Changed displayname (1036): Note -> Notation"]
        );
    }

    #[test]
    fn guids_ignore_case_and_braces_and_formatting_is_not_a_change() {
        let old = "<x><id>{ABCDEF01-2345-6789-ABCD-EF0123456789}</id><y a=\"1\" b=\"2\"/></x>";
        let new =
            "<x>\n  <id>abcdef01-2345-6789-abcd-ef0123456789</id>\n  <y b='2' a='1'></y>\n</x>";
        assert!(changes(old, new).is_empty());
    }

    #[test]
    fn option_sequence_reports_insertions_and_moves() {
        let old = r#"<optionset Name="p"><options><option value="1"/><option value="2"/><option value="3"/></options></optionset>"#;
        let new = r#"<optionset Name="p"><options><option value="2"/><option value="1"/><option value="3"/><option value="4"><labels><label description="Critical" languagecode="1033"/></labels></option></options></optionset>"#;
        let got = lines(&changes(old, new));
        assert!(
            got.contains(&"Added option 4 \"Critical\": - -> ".to_string()),
            "{got:?}"
        );
        assert_eq!(
            got.iter().filter(|l| l.starts_with("Moved")).count(),
            1,
            "{got:?}"
        );
    }

    #[test]
    fn inserted_row_is_one_insertion() {
        let row = |id: &str| format!(r#"<row><cell id="{id}"><control id="f{id}"/></cell></row>"#);
        let old = format!(
            "<section name=\"s\"><rows>{}{}</rows></section>",
            row("a"),
            row("b")
        );
        let new = format!(
            "<section name=\"s\"><rows>{}{}{}</rows></section>",
            row("a"),
            row("c"),
            row("b")
        );
        assert_eq!(
            lines(&changes(&old, &new)),
            ["Added row 2 / cell c: - -> control fc"]
        );
    }

    #[test]
    fn emptied_row_pairs_with_its_old_self() {
        let row = |id: &str| {
            format!(
                r#"<row><cell id="{id}"><labels><label description="L{id}" languagecode="1033" /></labels><control id="f{id}"/></cell></row>"#
            )
        };
        let old = format!(
            "<section name=\"s\"><rows>{}{}{}</rows></section>",
            row("a"),
            row("b"),
            row("c")
        );
        let new = format!(
            "<section name=\"s\"><rows>{}<row>\n  </row>{}</rows></section>",
            row("a"),
            row("c")
        );
        assert_eq!(
            lines(&changes(&old, &new)),
            ["Removed row 2 / cell b \"Lb\": control fb -> -"]
        );
    }

    #[test]
    fn anonymous_repeated_values_align_by_content() {
        let old = "<option value=\"1\"><tag>1</tag><tag>2</tag><tag>3</tag></option>";
        let new = "<option value=\"1\"><tag>1</tag><tag>3</tag></option>";
        assert_eq!(lines(&changes(old, new)), ["Removed tag 2: 2 -> -"]);
    }

    #[test]
    fn fetch_conditions_are_named_by_what_they_test() {
        let old = "<filter><condition attribute=\"s\" operator=\"in\"><value>1</value><value>2</value><value>3</value></condition></filter>";
        let new = "<filter><condition attribute=\"s\" operator=\"in\"><value>1</value><value>3</value></condition><condition attribute=\"t\" operator=\"null\" /></filter>";
        assert_eq!(
            lines(&changes(old, new)),
            [
                "Removed condition s in / condition value 2: 2 -> -",
                "Added condition t null: - -> "
            ]
        );
    }

    #[test]
    fn added_labels_and_privileges_read_as_values() {
        let old = r#"<attribute PhysicalName="a"><displaynames><displayname description="Score" languagecode="1033" /></displaynames></attribute>"#;
        let new = r#"<attribute PhysicalName="a"><displaynames><displayname description="Score" languagecode="1033" /><displayname description="Punktzahl" languagecode="1031" /></displaynames></attribute>"#;
        assert_eq!(
            lines(&changes(old, new)),
            ["Added displayname (1031): - -> Punktzahl"]
        );
        let old = r#"<Role id="{1}"><RolePrivileges /></Role>"#;
        let new = r#"<Role id="{1}"><RolePrivileges><RolePrivilege name="prvReadecer_Program" level="Global" /></RolePrivileges></Role>"#;
        assert_eq!(
            lines(&changes(old, new)),
            ["Added privilege prvReadecer_Program / level: - -> Global"]
        );
    }

    #[test]
    fn guid_keyed_layout_is_named_by_what_it_shows() {
        let form = |ordinal: &str, order: &str| {
            format!(
                r#"<form><tabs><tab name="t"><columns><column><sections><section name="s"><rows><row><cell id="{{3441a91e-47c5-672c-7a20-902d6baa9036}}" ordinalvalue="{ordinal}"><control id="new_phone" datafieldname="new_phone" /></cell></row><row><cell id="{{11111111-47c5-672c-7a20-902d6baa9036}}"><control id="Contacts" uniqueid="{{fa63a787-0000-4000-8000-000000000001}}" /></cell></row></rows></section></sections></column></columns></tab></tabs><controlDescriptions>{order}</controlDescriptions></form>"#
            )
        };
        let cd = |n: &str| {
            format!(
                r#"<controlDescription forControl="{{fa63a787-0000-4000-8000-00000000000{n}}}" />"#
            )
        };
        let got = lines(&changes(&form("1", &cd("1")), &form("2", &cd("1"))));
        assert!(
            got[0].contains("cell new_phone / ordinalvalue: 1 -> 2"),
            "{got:?}"
        );
        let got = lines(&changes(&form("1", ""), &form("1", &cd("1"))));
        assert!(
            got[0].contains("control description for Contacts"),
            "{got:?}"
        );
    }

    #[test]
    fn containers_of_components_are_transparent() {
        let old = "<Entity><Name>a</Name><FormXml /></Entity>";
        let new = "<Entity><Name>a</Name><FormXml><forms type=\"main\"><systemform><formid>{1}</formid></systemform></forms></FormXml></Entity>";
        assert!(changes(old, new).is_empty());
        let old = "<form><DisplayConditions><Everyone /></DisplayConditions></form>";
        let new = "<form><DisplayConditions><Role Id=\"{1}\" /></DisplayConditions></form>";
        let got = lines(&changes(old, new));
        assert_eq!(got.len(), 2, "an empty element is content: {got:?}");
    }
}
