//! Layout elements that changed parent: a form field (a `cell`) dragged to another section,
//! tab or row, a section dragged to another tab, a site map subarea or group put under
//! another group or area. Their identity is global within the component (a cell's, section's
//! or tab's `id`, a site map item's `Id`, a view cell's column name), so the property walk
//! ([`super::tree`]) matches them across the whole component, not only among siblings: one
//! found on the other side under another parent is one [`Change::Moved`](super::Change)
//! naming the old and new parent in readable words (`section "General"` → `section
//! "Contact"`), and what changed inside it is reported under its new place, instead of a
//! removal in the old parent and an addition in the new one. A move among siblings (a
//! reorder) is the walk's own business.
//!
//! An identity seen twice on one side (a hand-edited file) says nothing about where the
//! element went: such elements keep the sibling-only matching.

use super::tree::{Side, is_list_container, keyed_segment};
use crate::model::kinds::{KindDef, MOVABLE_PARTS};
use crate::model::noise::SILENT_ELEMENTS;
use crate::model::{Ident, key_of};
use crate::xml::{Document, NodeId};
use rustc_hash::FxHashMap;

/// Whether a kind's identity holds across the whole component: form layout (tabs, sections,
/// cells; a view's layout cells are cells too) and the site map's areas, groups, subareas —
/// the parts of [`MOVABLE_PARTS`], the table the merge moves them by too.
fn movable(name: &str) -> bool {
    MOVABLE_PARTS.iter().any(|(_, parts)| parts.contains(&name))
}

/// Where the top of the component is named, as flows name their top-level scope.
const TOP: &str = "the top level";

pub(super) fn is_movable(kind: Option<&KindDef>) -> bool {
    kind.is_some_and(|k| movable(k.name))
}

/// The identity of a movable element as sibling matching spells it.
pub(super) fn ident_of(doc: &Document, node: NodeId, kind: &'static KindDef) -> Ident {
    Ident::Keyed {
        kind: kind.name,
        key: key_of(doc, node, kind),
    }
}

/// Every movable element of one component, on both sides, by identity; an identity that
/// repeats on a side is left out there.
pub(super) struct Places {
    old: FxHashMap<Ident, NodeId>,
    new: FxHashMap<Ident, NodeId>,
}

impl Places {
    pub(super) fn new(old: Side<'_>, old_root: NodeId, new: Side<'_>, new_root: NodeId) -> Places {
        Places {
            old: index(old, old_root),
            new: index(new, new_root),
        }
    }

    /// The old element that a new one is, when the old side has it too (the caller knows it
    /// is not among the old siblings, so it sat elsewhere).
    pub(super) fn arrived(&self, ident: &Ident, new_node: NodeId) -> Option<NodeId> {
        (self.new.get(ident) == Some(&new_node))
            .then(|| self.old.get(ident).copied())
            .flatten()
    }

    /// The new element that an old one became, when the new side has it too.
    pub(super) fn left(&self, ident: &Ident, old_node: NodeId) -> Option<NodeId> {
        (self.old.get(ident) == Some(&old_node))
            .then(|| self.new.get(ident).copied())
            .flatten()
    }
}

/// Movable elements below `root`, not looking into descendant components (they are
/// compared on their own).
fn index(side: Side<'_>, root: NodeId) -> FxHashMap<Ident, NodeId> {
    let doc = side.doc;
    let mut found: FxHashMap<Ident, Option<NodeId>> = FxHashMap::default();
    let mut stack: Vec<NodeId> = doc.elements(root).collect();
    while let Some(n) = stack.pop() {
        let kind = side.cls.classify(n);
        if kind.is_some_and(|k| k.role.is_component()) {
            continue;
        }
        if let Some(k) = kind.filter(|k| movable(k.name)) {
            let ident = ident_of(doc, n, k);
            if !matches!(&ident, Ident::Keyed { key, .. } if key.is_empty()) {
                found
                    .entry(ident)
                    .and_modify(|seen| *seen = None)
                    .or_insert(Some(n));
            }
        }
        stack.extend(doc.elements(n));
    }
    found
        .into_iter()
        .filter_map(|(i, n)| n.map(|n| (i, n)))
        .collect()
}

/// One ancestor of an element as a reader names it, and, for a keyed one, its identity.
pub(super) struct Segment {
    node: NodeId,
    holder: Option<Ident>,
    pub(super) text: String,
}

/// The readable segments of the elements between `from` (left out) and `node` (left out):
/// `tab "General"`, `column`, `section "Details"`, `row 2`. List wrappers (`tabs`, `rows`)
/// and body wrappers (`form`) say nothing and are left out.
pub(super) fn place(side: Side<'_>, from: NodeId, node: NodeId) -> Vec<Segment> {
    let doc = side.doc;
    let mut out = Vec::new();
    let mut cur = doc.parent(node);
    while let Some(n) = cur.filter(|&n| n != from && doc.is_element(n)) {
        let name = doc.name(n);
        match side.cls.classify(n) {
            Some(k) => {
                let key = key_of(doc, n, k);
                let text = keyed_segment(doc, n, k, &key);
                if !text.is_empty() {
                    out.push(Segment {
                        node: n,
                        holder: Some(Ident::Keyed { kind: k.name, key }),
                        text,
                    });
                }
            }
            None if SILENT_ELEMENTS.contains(&name)
                || (is_list_container(doc, n) && (name.ends_with('s') || name.ends_with('S'))) => {}
            None => {
                let same: Vec<NodeId> = doc
                    .parent(n)
                    .map(|p| doc.elements(p).filter(|&s| doc.name(s) == name).collect())
                    .unwrap_or_default();
                let text = match same.iter().position(|&s| s == n) {
                    Some(i) if same.len() > 1 => format!("{name} {}", i + 1),
                    _ => name.to_string(),
                };
                out.push(Segment {
                    node: n,
                    holder: None,
                    text,
                });
            }
        }
        cur = doc.parent(n);
    }
    out.reverse();
    out
}

/// The old and new parent of an element found under another parent, each as short as still
/// tells them apart: the nearest named holder (`section "General"` → `section "Contact"`),
/// with outer holders in front while the two read alike (two sections both called
/// "General"), and with the rows or columns below it when the holder is the same one (a
/// field moved to another row of its section: `section "General" / row 1` → `section
/// "General" / row 3`). `None` when the holder is the same and the element kept its spot in
/// it (see [`same_spot`]).
pub(super) fn from_to(
    (old, old_root, old_node): (Side<'_>, NodeId, NodeId),
    (new, new_root, new_node): (Side<'_>, NodeId, NodeId),
) -> Option<(String, String)> {
    let (oc, nc) = (
        place(old, old_root, old_node),
        place(new, new_root, new_node),
    );
    let holder = |c: &[Segment]| c.iter().rposition(|s| s.holder.is_some());
    let (ho, hn) = (holder(&oc), holder(&nc));
    let same_holder = match (ho, hn) {
        (Some(a), Some(b)) => oc[a].holder == nc[b].holder,
        (None, None) => true,
        _ => false,
    };
    if same_holder {
        let at = |c: &[Segment], h: Option<usize>, root| h.map_or(root, |h| c[h].node);
        if same_spot(
            (old, at(&oc, ho, old_root), old_node),
            (new, at(&nc, hn, new_root), new_node),
        ) {
            return None;
        }
    }
    let span = |c: &[Segment], h: Option<usize>| match h {
        Some(h) if same_holder => (h, c.len()),
        Some(h) => (h, h + 1),
        None => (0, c.len()),
    };
    let ((mut os, oe), (mut ns, ne)) = (span(&oc, ho), span(&nc, hn));
    let text = |c: &[Segment], s: usize, e: usize| {
        let parts: Vec<&str> = c[s..e].iter().map(|x| x.text.as_str()).collect();
        if parts.is_empty() {
            TOP.to_string()
        } else {
            parts.join(" / ")
        }
    };
    while text(&oc, os, oe) == text(&nc, ns, ne) && (os > 0 || ns > 0) {
        os = os.saturating_sub(1);
        ns = ns.saturating_sub(1);
    }
    Some((text(&oc, os, oe), text(&nc, ns, ne)))
}

/// Whether an element that stayed in its holder (a field in its section) kept its spot
/// there: after the same elements of its kind that both sides have, beside the same ones
/// in its row or column. Rows and columns have no identity, so the walk may pair a row with
/// another (a section with one row against one with three); the element then looks moved
/// when only rows were added around it.
fn same_spot(
    (old, old_holder, old_node): (Side<'_>, NodeId, NodeId),
    (new, new_holder, new_node): (Side<'_>, NodeId, NodeId),
) -> bool {
    let Some(kind) = new.cls.classify(new_node) else {
        return false;
    };
    let (ol, nl) = (
        of_kind(old, old_holder, kind.name),
        of_kind(new, new_holder, kind.name),
    );
    let shared = |a: &[(Ident, Option<NodeId>, NodeId)], b: &[(Ident, Option<NodeId>, NodeId)]| {
        let keep: Vec<&Ident> = b.iter().map(|x| &x.0).collect();
        a.iter()
            .filter(|x| keep.contains(&&x.0))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ol, nl) = (shared(&ol, &nl), shared(&nl, &ol));
    // What comes before it, and what shares its row, by identity.
    let spot = |list: &[(Ident, Option<NodeId>, NodeId)], node: NodeId| {
        let at = list.iter().position(|x| x.2 == node)?;
        let mut before: Vec<Ident> = list[..at].iter().map(|x| x.0.clone()).collect();
        let mut beside: Vec<Ident> = list
            .iter()
            .filter(|x| x.2 != node && x.1 == list[at].1)
            .map(|x| x.0.clone())
            .collect();
        before.sort();
        beside.sort();
        Some((before, beside))
    };
    match (spot(&ol, old_node), spot(&nl, new_node)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The elements of one kind inside `holder`, in document order: identity, parent, element.
fn of_kind(side: Side<'_>, holder: NodeId, kind: &str) -> Vec<(Ident, Option<NodeId>, NodeId)> {
    let doc = side.doc;
    let mut out = Vec::new();
    let mut stack: Vec<NodeId> = doc.elements(holder).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        match side.cls.classify(n) {
            Some(k) if k.role.is_component() => continue,
            Some(k) if k.name == kind => {
                out.push((ident_of(doc, n, k), doc.parent(n), n));
                continue;
            }
            _ => {}
        }
        let at = stack.len();
        stack.extend(doc.elements(n));
        stack[at..].reverse();
    }
    out
}

/// A moved element as the designer names it: a cell that shows a column is a field
/// (`field "Email"`); anything else by its path segment (`section "Details"`, `cell
/// Contacts` for a subgrid).
pub(super) fn moved_name(doc: &Document, node: NodeId, kind: &KindDef) -> String {
    let segment = keyed_segment(doc, node, kind, &key_of(doc, node, kind));
    let shows_column = doc
        .child(node, "control")
        .and_then(|c| doc.attr(c, crate::model::noise::FIELD_REFERENCE))
        .is_some();
    match segment.strip_prefix("cell ") {
        Some(rest) if kind.name == "cell" && shows_column => format!("field {rest}"),
        _ => segment,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::changes_of;
    use crate::diff::PropertyChange;

    fn changes(old: &str, new: &str) -> Vec<PropertyChange> {
        changes_of("form", old, new)
    }

    fn lines(old: &str, new: &str) -> Vec<String> {
        changes(old, new)
            .iter()
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

    fn labels(text: &str) -> String {
        format!(r#"<labels><label description="{text}" languagecode="1033" /></labels>"#)
    }

    /// A form: tabs, each `(id, label, sections)`; a section `(id, label, rows)`; a row a
    /// list of cells `(id, label, column)`.
    type Cell<'a> = (&'a str, &'a str, &'a str);
    type Section<'a> = (&'a str, &'a str, Vec<Vec<Cell<'a>>>);

    fn form(tabs: &[(&str, &str, Vec<Section>)]) -> String {
        let mut s = String::from("<form><tabs>");
        for (id, label, sections) in tabs {
            s += &format!(
                r#"<tab id="{{{id}}}" name="t{label}">{}<columns><column width="100%"><sections>"#,
                labels(label)
            );
            for (id, label, rows) in sections {
                s += &format!(
                    r#"<section id="{{{id}}}" name="s{label}">{}<rows>"#,
                    labels(label)
                );
                for row in rows {
                    s += "<row>";
                    for (id, label, column) in row {
                        s += &format!(
                            r#"<cell id="{{{id}}}">{}<control id="{column}" datafieldname="{column}" /></cell>"#,
                            labels(label)
                        );
                    }
                    s += "</row>";
                }
                s += "</rows></section>";
            }
            s += "</sections></column></columns></tab>";
        }
        s + "</tabs></form>"
    }

    const T1: &str = "0b6e1f3a-5c2d-4e8f-9a71-2d4b6c8e0f13";
    const T2: &str = "1b6e1f3a-5c2d-4e8f-9a71-2d4b6c8e0f13";
    const S1: &str = "6a1d3c5e-7f90-4b2a-8c4e-1f3a5b7d9e20";
    const S2: &str = "7a1d3c5e-7f90-4b2a-8c4e-1f3a5b7d9e20";
    const S3: &str = "8a1d3c5e-7f90-4b2a-8c4e-1f3a5b7d9e20";
    const NAME: Cell = ("a3c5e7f9-1b2d-4f6a-8e0c-3b5d7f9a1c24", "Name", "name");
    const EMAIL: Cell = (
        "b4d6f8a0-2c3e-4a7b-9f1d-4c6e8a0b2d35",
        "Email",
        "emailaddress1",
    );
    const PHONE: Cell = (
        "c5e7a9b1-3d4f-4b8c-8a2e-5d7f9b1c3e46",
        "Phone",
        "telephone1",
    );

    #[test]
    fn field_moved_to_another_section_is_one_move() {
        let old = form(&[(
            T1,
            "Summary",
            vec![
                (S1, "General", vec![vec![NAME], vec![EMAIL]]),
                (S2, "Contact", vec![vec![PHONE]]),
            ],
        )]);
        // Another spelling of the same id (upper case) is the same cell.
        let email = (EMAIL.0.to_uppercase(), EMAIL.1, EMAIL.2);
        let new = form(&[(
            T1,
            "Summary",
            vec![
                (S1, "General", vec![vec![NAME]]),
                (
                    S2,
                    "Contact",
                    vec![vec![PHONE], vec![(&email.0, email.1, email.2)]],
                ),
            ],
        )]);
        assert_eq!(
            lines(&old, &new),
            [r#"Moved field "Email": section "General" -> section "Contact""#]
        );
    }

    #[test]
    fn field_moved_to_another_tab_names_the_tabs_when_the_sections_read_alike() {
        let old = form(&[
            (
                T1,
                "Summary",
                vec![(S1, "General", vec![vec![NAME, EMAIL]])],
            ),
            (T2, "Details", vec![(S2, "General", vec![vec![PHONE]])]),
        ]);
        let new = form(&[
            (T1, "Summary", vec![(S1, "General", vec![vec![NAME]])]),
            (
                T2,
                "Details",
                vec![(S2, "General", vec![vec![PHONE, EMAIL]])],
            ),
        ]);
        assert_eq!(
            lines(&old, &new),
            [
                r#"Moved field "Email": tab "Summary" / column / section "General" -> tab "Details" / column / section "General""#
            ]
        );
    }

    #[test]
    fn section_moved_to_another_tab_carries_its_fields() {
        let old = form(&[
            (
                T1,
                "Summary",
                vec![
                    (S1, "General", vec![vec![NAME]]),
                    (S2, "Contact", vec![vec![EMAIL], vec![PHONE]]),
                ],
            ),
            (T2, "Details", vec![(S3, "Other", vec![])]),
        ]);
        let new = form(&[
            (T1, "Summary", vec![(S1, "General", vec![vec![NAME]])]),
            (
                T2,
                "Details",
                vec![
                    (S3, "Other", vec![]),
                    (S2, "Contact", vec![vec![EMAIL], vec![PHONE]]),
                ],
            ),
        ]);
        assert_eq!(
            lines(&old, &new),
            [r#"Moved section "Contact": tab "Summary" -> tab "Details""#]
        );
    }

    #[test]
    fn moved_field_with_a_new_label_is_a_move_and_a_change_at_its_new_place() {
        let old = form(&[(
            T1,
            "Summary",
            vec![
                (S1, "General", vec![vec![NAME, EMAIL]]),
                (S2, "Contact", vec![vec![PHONE]]),
            ],
        )]);
        let new = form(&[(
            T1,
            "Summary",
            vec![
                (S1, "General", vec![vec![NAME]]),
                (
                    S2,
                    "Contact",
                    vec![vec![PHONE, (EMAIL.0, "E-mail", EMAIL.2)]],
                ),
            ],
        )]);
        assert_eq!(
            lines(&old, &new),
            [
                r#"Moved field "E-mail": section "General" -> section "Contact""#,
                r#"Changed tab "Summary" / column / section "Contact" / cell "E-mail" / label (1033): Email -> E-mail"#,
            ]
        );
    }

    #[test]
    fn reorder_within_a_section_is_not_a_move_to_another_parent() {
        let old = form(&[(
            T1,
            "Summary",
            vec![(S1, "General", vec![vec![NAME, EMAIL, PHONE]])],
        )]);
        let new = form(&[(
            T1,
            "Summary",
            vec![(S1, "General", vec![vec![EMAIL, NAME, PHONE]])],
        )]);
        let got = lines(&old, &new);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("Moved "), "{got:?}");
        assert!(got[0].ends_with(": position 2 -> position 1"), "{got:?}");
    }

    #[test]
    fn field_moved_to_another_row_of_its_section_names_the_rows() {
        let old = form(&[(
            T1,
            "Summary",
            vec![(S1, "General", vec![vec![NAME, EMAIL], vec![PHONE]])],
        )]);
        let new = form(&[(
            T1,
            "Summary",
            vec![(S1, "General", vec![vec![NAME], vec![PHONE, EMAIL]])],
        )]);
        assert_eq!(
            lines(&old, &new),
            [r#"Moved field "Email": section "General" / row 1 -> section "General" / row 2"#]
        );
    }

    #[test]
    fn rows_added_around_a_field_do_not_move_it() {
        // A section's only row has no signature to pair it by: the walk pairs it with the
        // new first row, and the field there looks moved to row 2.
        let old = form(&[(T1, "Summary", vec![(S1, "General", vec![vec![EMAIL]])])]);
        let new = form(&[(
            T1,
            "Summary",
            vec![(
                S1,
                "General",
                vec![vec![NAME], vec![(EMAIL.0, "E-mail", EMAIL.2)]],
            )],
        )]);
        assert_eq!(
            lines(&old, &new),
            [
                r#"Added tab "Summary" / column / section "General" / cell "Name": - -> column name"#,
                r#"Changed tab "Summary" / column / section "General" / row 2 / cell "E-mail" / label (1033): Email -> E-mail"#,
            ]
        );
    }

    #[test]
    fn field_moved_into_a_new_section_is_not_part_of_what_was_added() {
        let old = form(&[(
            T1,
            "Summary",
            vec![(S1, "General", vec![vec![NAME], vec![EMAIL]])],
        )]);
        let new = form(&[(
            T1,
            "Summary",
            vec![
                (S1, "General", vec![vec![NAME]]),
                (S2, "Contact", vec![vec![EMAIL, PHONE]]),
            ],
        )]);
        assert_eq!(
            lines(&old, &new),
            [
                r#"Added tab "Summary" / column / section "Contact": - -> columns: telephone1"#,
                r#"Moved field "Email": section "General" -> section "Contact""#,
            ]
        );
        // And back: the removed section does not list the field that left it.
        assert_eq!(
            lines(&new, &old),
            [
                r#"Moved field "Email": section "Contact" -> section "General""#,
                r#"Removed tab "Summary" / column / section "Contact": columns: telephone1 -> -"#,
            ]
        );
    }

    #[test]
    fn site_map_subarea_moved_to_another_group() {
        let map = |sales: &str, service: &str| {
            format!(
                r#"<AppModuleSiteMap><SiteMap><Area Id="Main"><Group Id="Sales"><Titles><Title LCID="1033" Title="Sales" /></Titles>{sales}</Group><Group Id="Service"><Titles><Title LCID="1033" Title="Service" /></Titles>{service}</Group></Area></SiteMap></AppModuleSiteMap>"#
            )
        };
        let sub = |id: &str, entity: &str| format!(r#"<SubArea Id="{id}" Entity="{entity}" />"#);
        let old = map(
            &(sub("nav_accounts", "account") + &sub("nav_cases", "incident")),
            "",
        );
        let new = map(
            &sub("nav_accounts", "account"),
            &sub("nav_cases", "incident"),
        );
        assert_eq!(
            lines(&old, &new),
            [
                r#"Moved site map subarea nav_cases "incident": site map group Sales -> site map group Service"#
            ]
        );
    }
}
