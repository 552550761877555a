//! Moves across parents, before the structured merge. The form designer drags a field (its
//! cell) to another section or tab and a section to another tab, keeping their ids; site map
//! areas, groups and subareas move the same way ([`MOVABLE_PARTS`]). The merge matches
//! children among siblings, so a move alone would read as a deletion in one place and an
//! addition in another: a move by one side against an edit by the other would conflict, and
//! two different moves would leave the part twice.
//!
//! So the documents are aligned first: where one side moved a part and the other did not,
//! the part is moved the same way in the other side and in base (its own content left as
//! each had it), and the ordinary merge then composes the move with every edit. Parts both
//! sides moved to one place are moved so in base too. Two different moves of one part, and a
//! move against a deletion, cannot be aligned: they are [`Contest`]s, which the merge writes
//! as conflicts. The boundary type is [`Aligned`]: the three documents as the merge sees
//! them, with the contests.

use super::tree::write::{reindented, restyled};
use crate::input::TextEncoding;
use crate::model::kinds::{KindDef, MOVABLE_PARTS, MOVE_WRAPPERS};
use crate::model::{Classifier, Ident, key_of};
use crate::xml::{Document, NodeId};
use rustc_hash::FxHashMap;

/// The documents with every move one side made applied to the others: `None` where a
/// document is unchanged (the caller's own is used).
pub(super) struct Aligned {
    pub docs: [Option<Document>; 3],
    pub contests: Vec<Contest>,
}

/// A part the sides placed in ways that cannot be combined: moved to two places, or moved
/// by one side and deleted by the other.
#[derive(Debug, Clone)]
pub(super) struct Contest {
    /// What ours wrote for the moved part (the part, or the row around it), if ours moved it.
    pub ours: Option<NodeId>,
    /// What theirs wrote for the moved part, if theirs moved it.
    pub theirs: Option<NodeId>,
    /// Kind and name of the part (`cell "Email"`).
    pub part: String,
    /// Where base, ours and theirs have it, in words (`section "Contact"`, `deleted`).
    pub places: [String; 3],
}

/// Which side moved a part.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Ours,
    Theirs,
}

/// One move to apply: part `part` of the component `scope`, placed as `mover` has it.
#[derive(Debug)]
struct Move {
    scope: (&'static str, String),
    /// The component in base, ours and theirs, as the plan found it.
    scope_nodes: [NodeId; 3],
    part: (&'static str, String),
    mover: Side,
    /// Whether the other side's document is moved too (false when both moved it alike:
    /// only base is).
    other: bool,
}

/// At most this many rounds of moves (a move inside a part that moves too waits for the
/// next round); what is left merges as before.
const MAX_ROUNDS: usize = 8;

/// Aligns the documents, or `None` when no side moved a part (the common case: nothing is
/// copied or parsed again).
pub(super) fn align(
    b: &Document,
    o: &Document,
    t: &Document,
    encoding: TextEncoding,
) -> Option<Aligned> {
    let originals = [b, o, t];
    let mut owned: [Option<Document>; 3] = [None, None, None];
    let mut settled = None;
    for _ in 0..MAX_ROUNDS {
        let current: [&Document; 3] =
            std::array::from_fn(|i| owned[i].as_ref().unwrap_or(originals[i]));
        let (moves, contests) = plan(current);
        if moves.is_empty() {
            settled = Some(contests);
            break;
        }
        let Some(texts) = apply(current, &moves) else {
            break;
        };
        for (i, text) in texts.into_iter().enumerate() {
            if let Some(text) = text {
                // A move always writes well-formed text; should it not, no move is made.
                owned[i] = Some(Document::try_parse_stored(text, "moved", encoding).ok()?);
            }
        }
    }
    let contests = settled.unwrap_or_else(|| {
        let current: [&Document; 3] =
            std::array::from_fn(|i| owned[i].as_ref().unwrap_or(originals[i]));
        plan(current).1
    });
    if owned.iter().all(Option::is_none) && contests.is_empty() {
        return None;
    }
    Some(Aligned {
        docs: owned,
        contests,
    })
}

/// The parts of one component in one document: per (kind, key), the node and its place
/// (the movable part or component that holds it).
struct Parts<'d> {
    doc: &'d Document,
    cls: Classifier<'d>,
    scope: NodeId,
    at: FxHashMap<(&'static str, String), NodeId>,
    /// `at` the other way: the part each node is.
    part_at: FxHashMap<NodeId, (&'static str, String)>,
    /// Parts listed more than once (left out of `at`).
    repeated: Vec<(&'static str, String)>,
}

impl<'d> Parts<'d> {
    fn of(doc: &'d Document, scope: NodeId, movable: &[&str]) -> Parts<'d> {
        let cls = Classifier::new(doc);
        let mut at: FxHashMap<(&'static str, String), NodeId> = FxHashMap::default();
        let mut repeated = Vec::new();
        for n in doc.descendant_ids(scope) {
            if !doc.is_element(n) {
                continue;
            }
            let Some(kind) = cls.classify(n).filter(|k| movable.contains(&k.name)) else {
                continue;
            };
            let key = key_of(doc, n, kind);
            if key.is_empty() {
                continue;
            }
            if at.insert((kind.name, key.clone()), n).is_some() {
                repeated.push((kind.name, key));
            }
        }
        // A part listed twice has no one place.
        for r in &repeated {
            at.remove(r);
        }
        let part_at = at.iter().map(|(k, &n)| (n, k.clone())).collect();
        Parts {
            doc,
            cls,
            scope,
            at,
            part_at,
            repeated,
        }
    }

    /// The movable part (or the component) that holds `n`.
    fn holder(&self, n: NodeId) -> Option<(&'static str, String)> {
        let mut cur = self.doc.parent(n)?;
        while cur != self.scope {
            if let Some(part) = self.part_at.get(&cur) {
                return Some(part.clone());
            }
            cur = self.doc.parent(cur)?;
        }
        None
    }

    fn place(&self, part: &(&'static str, String)) -> Option<Option<(&'static str, String)>> {
        self.at.get(part).map(|&n| self.holder(n))
    }

    /// The part's place in words: `section "Contact"`, or `the form` at the top.
    fn place_text(&self, part: &(&'static str, String)) -> String {
        match self.at.get(part) {
            None => "deleted".into(),
            Some(&n) => match self.holder(n) {
                None => "the top".into(),
                Some(h) => {
                    let node = self.at[&h];
                    let kind = self.cls.classify(node).expect("a part");
                    describe(self.doc, node, kind)
                }
            },
        }
    }
}

/// A part in words: `cell "Email"`; a cell without a label by the column it shows.
fn describe(doc: &Document, node: NodeId, kind: &KindDef) -> String {
    let name = crate::model::display_of(doc, node, kind)
        .or_else(|| {
            let control = doc.child(node, "control")?;
            doc.attr(control, "datafieldname").map(|v| v.into_owned())
        })
        .unwrap_or_else(|| key_of(doc, node, kind));
    format!("{} \"{name}\"", kind.title.to_lowercase())
}

/// The components (forms, site maps) of a document that may hold moves, by kind and key.
fn scopes(doc: &Document) -> FxHashMap<(&'static str, String), NodeId> {
    let cls = Classifier::new(doc);
    let names: Vec<u32> = ["systemform", "AppModuleSiteMap", "SiteMap"]
        .iter()
        .filter_map(|n| doc.symbol(n))
        .collect();
    let mut out = FxHashMap::default();
    if names.is_empty() {
        return out;
    }
    for i in 0..doc.node_count() as u32 {
        let n = NodeId(i);
        if !doc.name_sym(n).is_some_and(|s| names.contains(&s)) {
            continue;
        }
        if let Some(kind) = cls.classify(n)
            && MOVABLE_PARTS.iter().any(|(k, _)| *k == kind.name)
        {
            out.insert((kind.name, key_of(doc, n, kind)), n);
        }
    }
    out
}

/// The moves to apply next, and the contests (from the documents as they are).
fn plan(docs: [&Document; 3]) -> (Vec<Move>, Vec<Contest>) {
    let [b, o, t] = docs;
    let ((sb, so), st) = rayon::join(|| rayon::join(|| scopes(b), || scopes(o)), || scopes(t));
    let mut moves = Vec::new();
    let mut contests = Vec::new();
    let mut keys: Vec<_> = sb.keys().collect();
    keys.sort();
    for scope in keys {
        let (Some(&nb), Some(&no), Some(&nt)) = (sb.get(scope), so.get(scope), st.get(scope))
        else {
            continue;
        };
        // Only a component both sides changed (differently) needs aligning: otherwise the
        // merge takes one side's version whole.
        let (hb, ho, ht) = (b.hash(nb), o.hash(no), t.hash(nt));
        if hb == ho || hb == ht || ho == ht {
            continue;
        }
        let movable = MOVABLE_PARTS
            .iter()
            .find(|(k, _)| *k == scope.0)
            .map(|(_, m)| *m)
            .unwrap_or(&[]);
        let (pb, po, pt) = (
            Parts::of(b, nb, movable),
            Parts::of(o, no, movable),
            Parts::of(t, nt, movable),
        );
        let mut parts: Vec<_> = pb.at.keys().cloned().collect();
        parts.sort();
        for part in parts {
            // A part some side lists twice is neither moved nor deleted there.
            if po.repeated.contains(&part) || pt.repeated.contains(&part) {
                continue;
            }
            let lb = pb.place(&part).expect("base has it");
            let (lo, lt) = (po.place(&part), pt.place(&part));
            let moved_o = lo.as_ref().is_some_and(|l| *l != lb);
            let moved_t = lt.as_ref().is_some_and(|l| *l != lb);
            let mv = |mover, other| Move {
                scope: scope.clone(),
                scope_nodes: [nb, no, nt],
                part: part.clone(),
                mover,
                other,
            };
            match (moved_o, moved_t) {
                (false, false) => {}
                (true, false) if lt.is_some() => moves.push(mv(Side::Ours, true)),
                (false, true) if lo.is_some() => moves.push(mv(Side::Theirs, true)),
                (true, true) if lo == lt => moves.push(mv(Side::Ours, false)),
                _ => {
                    let kind = pb.cls.classify(pb.at[&part]).expect("a part");
                    contests.push(Contest {
                        ours: moved_o.then(|| unit(o, po.at[&part], part.0)),
                        theirs: moved_t.then(|| unit(t, pt.at[&part], part.0)),
                        part: describe(b, pb.at[&part], kind),
                        places: [
                            pb.place_text(&part),
                            po.place_text(&part),
                            pt.place_text(&part),
                        ],
                    });
                }
            }
        }
    }
    (moves, contests)
}

/// One edit of a document's text: `remove` replaced by `insert`.
struct Edit {
    remove: std::ops::Range<usize>,
    insert: String,
}

/// The texts of base, ours and theirs with this round's moves applied (`None`: unchanged),
/// or `None` when a move cannot be written (the merge then runs on the documents as they
/// were). Moves whose edits would touch one another wait for the next round.
fn apply(docs: [&Document; 3], moves: &[Move]) -> Option<[Option<String>; 3]> {
    let mut edits: [Vec<Edit>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for mv in moves {
        let (m, targets): (usize, &[usize]) = match (mv.mover, mv.other) {
            (Side::Ours, true) => (1, &[0, 2]),
            (Side::Theirs, true) => (2, &[0, 1]),
            (_, false) => (1, &[0]),
        };
        let Some(planned) = targets
            .iter()
            .map(|&d| move_edits((docs[m], m), (docs[d], d), mv).map(|e| (d, e)))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let clashes = planned.iter().any(|(d, new)| {
            new.iter().any(|a| {
                edits[*d].iter().any(|b| {
                    overlaps(&a.remove, &b.remove)
                        || a.remove.contains(&b.remove.start)
                        || b.remove.contains(&a.remove.start)
                })
            })
        });
        if clashes {
            continue;
        }
        for (d, new) in planned {
            edits[d].extend(new);
        }
    }
    if edits.iter().all(Vec::is_empty) {
        return None;
    }
    let mut out: [Option<String>; 3] = [None, None, None];
    for (i, mut list) in edits.into_iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        list.sort_by_key(|e| std::cmp::Reverse((e.remove.start, e.remove.end)));
        let mut text = docs[i].text().to_string();
        for e in list {
            text.replace_range(e.remove, &e.insert);
        }
        out[i] = Some(text);
    }
    Some(out)
}

fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The part and the row around it when that row holds nothing else ([`MOVE_WRAPPERS`]).
fn unit(doc: &Document, part: NodeId, kind: &str) -> NodeId {
    if let Some(parent) = doc.parent(part)
        && MOVE_WRAPPERS
            .iter()
            .any(|&(k, w)| k == kind && doc.name(parent) == w)
        && doc.elements(parent).count() == 1
    {
        return parent;
    }
    part
}

/// The edits that move the part in `d` to where mover `m` has it: out of its place, with the
/// whitespace before it, and into the place `m` gives it (after the same sibling), written
/// as `m` writes it (its row, say) around `d`'s own version of the part.
fn move_edits(
    (m, im): (&Document, usize),
    (d, id): (&Document, usize),
    mv: &Move,
) -> Option<Vec<Edit>> {
    let (scope_m, scope_d) = (mv.scope_nodes[im], mv.scope_nodes[id]);
    let movable = MOVABLE_PARTS
        .iter()
        .find(|(k, _)| *k == mv.scope.0)
        .map(|(_, p)| *p)?;
    let (pm, pd) = (
        Parts::of(m, scope_m, movable),
        Parts::of(d, scope_d, movable),
    );
    let (&xm, &xd) = (pm.at.get(&mv.part)?, pd.at.get(&mv.part)?);
    let (mut um, ud) = (unit(m, xm, mv.part.0), unit(d, xd, mv.part.0));
    // A part moved into a container the mover created (a new tab) moves with it: `d` gets
    // the container too, around its own version of the part — when the container holds no
    // other part `d` has (that one would be there twice).
    while let Some(h) = pm.holder(um)
        && !pd.at.contains_key(&h)
    {
        let container = pm.at[&h];
        let others = pm.at.iter().any(|(k, &n)| {
            *k != mv.part && *k != h && is_within(m, n, container) && pd.at.contains_key(k)
        });
        if others {
            return None;
        }
        um = unit(m, container, h.0);
    }
    // The parent in `d`: found from the part (or component) that holds it in `m`, then by
    // the identities of the elements between.
    let parent_m = m.parent(um)?;
    let holder_m = pm.holder(um).map(|h| pm.at[&h]).unwrap_or(scope_m);
    let holder_d = match pm.holder(um) {
        Some(h) => *pd.at.get(&h)?,
        None => scope_d,
    };
    let mut chain = Vec::new();
    let mut cur = parent_m;
    while cur != holder_m {
        chain.push(ident_of(&pm.cls, cur)?);
        cur = m.parent(cur)?;
    }
    let mut parent_d = holder_d;
    for ident in chain.iter().rev() {
        parent_d = pd
            .cls
            .children(parent_d)
            .into_iter()
            .find(|c| &c.ident == ident)?
            .node;
    }
    if d.is_self_closing(parent_d) || ud == parent_d || is_within(d, parent_d, ud) {
        return None;
    }
    // After the nearest sibling before the part in `m` that `d`'s parent holds too: the
    // same identity, or (a keyless row, whose identity depends on its siblings) the same
    // first part inside.
    let d_children = pd.cls.children(parent_d);
    let first_part = |parts: &Parts, n: NodeId| -> Option<(&'static str, String)> {
        std::iter::once(n)
            .chain(parts.doc.descendant_ids(n))
            .find_map(|c| parts.part_at.get(&c).cloned())
    };
    let mut anchor = None;
    let mut prev = m
        .elements(parent_m)
        .take_while(|&c| c != um)
        .collect::<Vec<_>>();
    while let Some(p) = prev.pop() {
        let Some(ident) = ident_of(&pm.cls, p) else {
            continue;
        };
        let inner = first_part(&pm, p);
        if let Some(c) = d_children.iter().find(|c| {
            c.node != ud
                && (c.ident == ident
                    || (m.name(p) == d.name(c.node)
                        && inner.is_some()
                        && first_part(&pd, c.node) == inner))
        }) {
            anchor = Some(c.node);
            break;
        }
    }
    let nl = d.newline_style().as_str();
    // The whitespace `m` has before the part (none in a file on one line).
    let gap_m = {
        let before = &m.text()[..m.span(um).start];
        let blank = before.len() - before.trim_end().len();
        restyled(&before[before.len() - blank..], nl)
    };
    // The part as `d` has it, inside what `m` wrapped it in.
    let part_d = reindented(d, xd, m.indentation(xm).unwrap_or(""));
    let span_um = m.span(um);
    let span_xm = m.span(xm);
    let mut moved = String::new();
    moved.push_str(&m.text()[span_um.start..span_xm.start]);
    moved.push_str(&part_d);
    moved.push_str(&m.text()[span_xm.end..span_um.end]);
    let moved = restyled(&moved, nl);
    let insert_at = match anchor {
        Some(a) => d.span(a).end,
        None => d.content_span(parent_d).start,
    };
    let insert = format!("{gap_m}{moved}");
    // Out of its old place with the line it stood on.
    let span_ud = d.span(ud);
    let before = &d.text()[..span_ud.start];
    let line_start = before
        .rfind('\n')
        .filter(|&i| before[i + 1..].trim().is_empty())
        .map(|i| {
            if i > 0 && before.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            }
        })
        .unwrap_or(span_ud.start);
    Some(vec![
        Edit {
            remove: line_start..span_ud.end,
            insert: String::new(),
        },
        Edit {
            remove: insert_at..insert_at,
            insert,
        },
    ])
}

/// Whether `inner` lies within `outer`.
fn is_within(d: &Document, inner: NodeId, outer: NodeId) -> bool {
    let (i, o) = (d.span(inner), d.span(outer));
    o.start <= i.start && i.end <= o.end
}

fn ident_of(cls: &Classifier<'_>, n: NodeId) -> Option<Ident> {
    let doc = cls.document();
    let parent = doc.parent(n)?;
    cls.children(parent)
        .into_iter()
        .find(|c| c.node == n)
        .map(|c| c.ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A form with sections `s1` and `s2` on one tab, each listing its cells' ids.
    fn form(s1: &[u8], s2: &[u8]) -> Document {
        let section = |n: u8, cells: &[u8]| {
            let rows: String = cells
                .iter()
                .map(|c| format!("<row><cell id=\"{{c{c}}}\"><control id=\"f{c}\" /></cell></row>"))
                .collect();
            format!("<section id=\"{{s{n}}}\"><rows>{rows}</rows></section>")
        };
        let text = format!(
            "<forms><systemform><formid>{{f}}</formid><form><tabs><tab id=\"{{t}}\"><columns><column><sections>{}{}</sections></column></columns></tab></tabs></form></systemform></forms>",
            section(1, s1),
            section(2, s2)
        );
        Document::parse(text, "form.xml").unwrap()
    }

    fn contests_and_moves(b: &Document, o: &Document, t: &Document) -> (usize, usize) {
        let (moves, contests) = plan([b, o, t]);
        (moves.len(), contests.len())
    }

    #[test]
    fn moves_deletions_and_parts_listed_twice() {
        let base = form(&[1, 2], &[3]);
        // Ours moves cell 1; theirs edits elsewhere (drops cell 3): one move to apply.
        assert_eq!(
            contests_and_moves(&base, &form(&[2], &[3, 1]), &form(&[1, 2], &[])),
            (1, 0)
        );
        // Theirs deletes the cell ours moved: a contest.
        assert_eq!(
            contests_and_moves(&base, &form(&[2], &[3, 1]), &form(&[2], &[3])),
            (0, 1)
        );
        // Theirs lists it twice: no one place there, so neither a move nor a deletion.
        assert_eq!(
            contests_and_moves(&base, &form(&[2], &[3, 1]), &form(&[1, 1, 2], &[3])),
            (0, 0)
        );
        // Both move it to one place: base is moved too; to two places: a contest.
        assert_eq!(
            contests_and_moves(&base, &form(&[2], &[3, 1]), &form(&[2], &[1, 3])),
            (1, 0)
        );
    }

    #[test]
    fn aligning_moves_the_part_in_the_other_side_and_base() {
        let base = form(&[1, 2], &[3]);
        let ours = form(&[2], &[3, 1]);
        let theirs = form(&[1, 2], &[]);
        let aligned = align(&base, &ours, &theirs, TextEncoding::Utf8 { bom: false }).unwrap();
        assert!(aligned.contests.is_empty());
        let [b, o, t] = aligned.docs;
        assert!(o.is_none(), "ours is the mover");
        assert_eq!(b.unwrap().text(), form(&[2], &[3, 1]).text());
        assert_eq!(t.unwrap().text(), form(&[2], &[1]).text());
    }

    #[test]
    fn a_site_map_subarea_moved_to_another_group_keeps_the_other_side_s_edit() {
        let site_map = |g1: &str, g2: &str| {
            format!(
                "<AppModuleSiteMap>\n  <SiteMapUniqueName>new_app</SiteMapUniqueName>\n  <SiteMap>\n    <Area Id=\"a1\">\n      <Group Id=\"g1\">{g1}\n      </Group>\n      <Group Id=\"g2\">{g2}\n      </Group>\n    </Area>\n  </SiteMap>\n</AppModuleSiteMap>\n"
            )
        };
        let sub = |title: &str| {
            format!("\n        <SubArea Id=\"s1\" Entity=\"account\" Title=\"{title}\" />")
        };
        let other = "\n        <SubArea Id=\"s2\" Entity=\"contact\" />";
        let base = site_map(&format!("{}{other}", sub("Accounts")), "");
        // Ours moves s1 to g2; theirs retitles it where it was.
        let ours = site_map(other, &sub("Accounts"));
        let theirs = site_map(&format!("{}{other}", sub("Customers")), "");
        let out = crate::merge::merge_files(
            Some(base.as_bytes()),
            ours.as_bytes(),
            theirs.as_bytes(),
            &crate::merge::MergeOptions::default(),
        );
        assert!(out.conflicts.is_empty(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            site_map(other, &sub("Customers"))
        );
    }
}
