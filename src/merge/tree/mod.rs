//! The structured three-way merge of two documents against their base.
//!
//! It walks OURS and writes OURS' bytes wherever THEIRS made no change (subtree hashes make
//! that check O(1)), takes THEIRS' subtree wherever only THEIRS changed (re-indented and with
//! OURS' newlines), and descends only where both sides changed: attributes merge one by one,
//! leaf values three-way (with the domain rules), children as keyed maps (sets) or keyed
//! sequences, using the identities of the kinds table. What cannot be combined becomes a
//! conflict around the smallest enclosing element, in git's marker format.
//!
//! This module holds the walk and the merge of one element (attributes, values, nil-ness,
//! export lists); [`children`] merges child lists, [`write`] writes the result like OURS.

use super::moves::Contest;
use super::rules::{self, Rule};
use super::{
    Conflict, ConflictReason, ConflictStyle, Decision, MergeOptions, MergeOutcome, Unstructured,
};
use crate::model::kinds::{KindDef, ListOrder, Role};
use crate::model::{
    Child, Classifier, Ident, MANAGED_LAYER, display_of, entry_prefix, is_managed_twin, key_of,
    natural_cmp,
};
use crate::xml::{Document, NodeId, NodeKind, escape_attr, unescape_lossy};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::time::Instant;

mod children;
pub(super) mod write;

use write::{content_end, content_start, indent_unit};

pub(super) fn merge_documents(
    b: Option<&Document>,
    o: &Document,
    t: &Document,
    opts: &MergeOptions,
    deadline: Instant,
    contests: &[Contest],
) -> Result<MergeOutcome, Unstructured> {
    let (o_root, t_root) = (o.root().expect("parsed"), t.root().expect("parsed"));
    if o.name(o_root) != t.name(t_root) {
        return Err(Unstructured::Reason(format!(
            "the root elements differ (<{}> and <{}>)",
            o.name(o_root),
            t.name(t_root)
        )));
    }
    let b_root = b.and_then(|b| b.root().filter(|&r| b.name(r) == o.name(o_root)));
    let mut m = Merger {
        b,
        o,
        t,
        cb: b.map(Classifier::new),
        co: Classifier::new(o),
        ct: Classifier::new(t),
        opts,
        out: Vec::with_capacity(o.text().len() + t.text().len() / 16),
        nl: o.newline_style().as_str(),
        conflicts: Vec::new(),
        decisions: Vec::new(),
        deadline,
        ticks: 0,
        trail: Vec::new(),
        prefix: opts.path.as_deref().and_then(entry_prefix),
        layer: if opts.path.as_deref().is_some_and(is_managed_twin) {
            MANAGED_LAYER
        } else {
            ""
        },
        need_newline: false,
        theirs_newer: theirs_is_newer(o, t),
        contests: Contests::of(contests, o, t),
    };
    // The prolog (declaration, comments before the root) and what follows the root merge
    // as wholes: theirs' version when only theirs changed it.
    let outer = |d: &'_ Document, r: NodeId| {
        let s = d.span(r);
        (
            d.text()[..s.start].to_string(),
            d.text()[s.end..].to_string(),
        )
    };
    let (o_pro, o_epi) = outer(o, o_root);
    let (t_pro, t_epi) = outer(t, t_root);
    let (b_pro, b_epi) = match (b, b_root) {
        (Some(d), Some(r)) => {
            let (p, e) = outer(d, r);
            (Some(p), Some(e))
        }
        _ => (None, None),
    };
    let pick = |ours: String, theirs: String, base: Option<String>| -> String {
        if base.as_deref() == Some(ours.as_str()) && theirs != ours {
            theirs
        } else {
            ours
        }
    };
    let (prolog, epilogue) = (pick(o_pro, t_pro, b_pro), pick(o_epi, t_epi, b_epi));
    m.put(&prolog);
    let root_kind = m.co.classify(o_root);
    let root_ident = match root_kind {
        Some(k) => Ident::Keyed {
            kind: k.name,
            key: key_of(o, o_root, k),
        },
        None => Ident::Named {
            name: o.name(o_root).to_string(),
            nth: 0,
        },
    };
    m.enter(o, o_root, root_kind, root_ident);
    m.merge_element(b_root, o_root, t_root)?;
    m.trail.pop();
    m.put(&epilogue);
    // A contest whose part the walk wrote as one side's whole (inside a section that side
    // added, say) has no markers: the line merge marks it instead.
    if m.contests.written.iter().any(|w| !w) {
        return Err(Unstructured::Reason(
            "a part moved differently on both sides (or moved and deleted) could not be marked in the structured merge".into(),
        ));
    }
    Ok(MergeOutcome {
        bytes: m.out,
        conflicts: m.conflicts,
        decisions: m.decisions,
        fallback: None,
    })
}

/// One level of the path being merged, for naming conflicts.
struct Seg {
    ident: Ident,
    component: Option<(&'static KindDef, String)>,
}

struct Merger<'a> {
    b: Option<&'a Document>,
    o: &'a Document,
    t: &'a Document,
    cb: Option<Classifier<'a>>,
    co: Classifier<'a>,
    ct: Classifier<'a>,
    opts: &'a MergeOptions,
    out: Vec<u8>,
    nl: &'static str,
    conflicts: Vec<Conflict>,
    decisions: Vec<Decision>,
    deadline: Instant,
    ticks: u32,
    trail: Vec<Seg>,
    prefix: Option<String>,
    /// [`MANAGED_LAYER`] in the managed twin of a SolutionPackager file, else empty.
    layer: &'static str,
    /// Set after a conflict's closing marker: the next output must start on a new line.
    need_newline: bool,
    /// Whether theirs is the newer export (higher solution version), for export-state rules.
    theirs_newer: bool,
    contests: Contests<'a>,
}

/// Parts the sides moved in ways that cannot be combined ([`Contest`]), as the walk meets
/// them: the elements each side wrote for them, and their ancestors, which the walk enters
/// even where one side left them as base had them (so the markers land around the part).
struct Contests<'a> {
    list: &'a [Contest],
    ours: FxHashMap<NodeId, usize>,
    theirs: FxHashMap<NodeId, usize>,
    enter_ours: rustc_hash::FxHashSet<NodeId>,
    enter_theirs: rustc_hash::FxHashSet<NodeId>,
    written: Vec<bool>,
}

impl<'a> Contests<'a> {
    fn of(list: &'a [Contest], o: &Document, t: &Document) -> Contests<'a> {
        let mut c = Contests {
            list,
            ours: FxHashMap::default(),
            theirs: FxHashMap::default(),
            enter_ours: Default::default(),
            enter_theirs: Default::default(),
            written: vec![false; list.len()],
        };
        for (i, contest) in list.iter().enumerate() {
            for (node, doc, at, enter) in [
                (contest.ours, o, &mut c.ours, &mut c.enter_ours),
                (contest.theirs, t, &mut c.theirs, &mut c.enter_theirs),
            ] {
                if let Some(n) = node {
                    at.insert(n, i);
                    let mut up = doc.parent(n);
                    while let Some(p) = up {
                        enter.insert(p);
                        up = doc.parent(p);
                    }
                }
            }
        }
        c
    }

    /// Whether the walk must enter this pair of elements.
    fn enter(&self, o: NodeId, t: NodeId) -> bool {
        !self.list.is_empty() && (self.enter_ours.contains(&o) || self.enter_theirs.contains(&t))
    }
}

impl<'a> Merger<'a> {
    fn tick(&mut self) -> Result<(), Unstructured> {
        self.ticks += 1;
        if self.ticks.is_multiple_of(512) && Instant::now() > self.deadline {
            return Err(Unstructured::Timeout);
        }
        Ok(())
    }

    fn enter(
        &mut self,
        doc: &Document,
        node: NodeId,
        kind: Option<&'static KindDef>,
        ident: Ident,
    ) {
        let component = kind
            .filter(|k| k.role.is_component())
            .map(|k| (k, display_of(doc, node, k).unwrap_or_default()));
        self.trail.push(Seg { ident, component });
    }

    /// Component path, kind, display name and the property path below the component.
    fn location(&self, tail: Option<&str>) -> (String, String, String, String) {
        let last = self.trail.iter().rposition(|s| s.component.is_some());
        let mut path: Vec<String> = Vec::new();
        if let Some(p) = &self.prefix
            && !self.trail.iter().any(|s| {
                s.component
                    .as_ref()
                    .is_some_and(|(k, _)| k.role == Role::Scope)
            })
        {
            path.push(p.clone());
        }
        let mut layer = self.layer;
        for s in &self.trail {
            if s.component.is_some() {
                // The layer marks the file's top component; the rest hang below it.
                path.push(format!("{}{layer}", s.ident));
                layer = "";
            }
        }
        let (kind, display) = last
            .and_then(|i| self.trail[i].component.as_ref())
            .map(|(k, d)| (k.name.to_string(), d.clone()))
            .unwrap_or_default();
        let start = last.map_or(1, |i| i + 1);
        let mut prop: Vec<String> = self.trail[start.min(self.trail.len())..]
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let Some(t) = tail {
            prop.push(t.to_string());
        }
        (path.join("/"), kind, display, prop.join("/"))
    }

    fn conflict(
        &mut self,
        tail: Option<&str>,
        reason: ConflictReason,
        base: Option<String>,
        ours: Option<String>,
        theirs: Option<String>,
    ) {
        let (path, kind, display_name, property) = self.location(tail);
        self.conflicts.push(Conflict {
            path,
            kind,
            display_name,
            property,
            reason,
            base,
            ours,
            theirs,
        });
    }

    fn decide(
        &mut self,
        rule: &'static str,
        tail: Option<&str>,
        ours: Option<String>,
        theirs: Option<String>,
        result: Option<String>,
    ) {
        let (path, _, _, property) = self.location(tail);
        self.decisions.push(Decision {
            rule,
            path,
            property,
            ours,
            theirs,
            result,
        });
    }

    /// The conflict of a contested part, named by where each side put it.
    fn contest_conflict(&mut self, contest: &Contest) {
        let [base, ours, theirs] = &contest.places;
        let reason = match (contest.ours, contest.theirs) {
            (Some(_), Some(_)) => ConflictReason::BothMoved,
            (Some(_), None) => ConflictReason::DeletedByTheirs,
            _ => ConflictReason::DeletedByOurs,
        };
        let moved = |place: &str| {
            if place == "deleted" {
                "deleted".to_string()
            } else {
                format!("{} in {place}", contest.part)
            }
        };
        self.conflict(
            Some(&contest.part),
            reason,
            Some(moved(base)),
            Some(moved(ours)),
            Some(moved(theirs)),
        );
    }

    /// Writes one side's element for a contested part between markers, the other side's
    /// half empty (that side put the part elsewhere, or deleted it); the conflict is listed
    /// once, where the first of its halves is written.
    pub(super) fn write_contested(&mut self, theirs: bool, node: NodeId, gap: &str) -> bool {
        let found = if theirs {
            self.contests.theirs.get(&node).copied()
        } else {
            self.contests.ours.get(&node).copied()
        };
        let Some(i) = found else {
            return false;
        };
        let indent = gap.rsplit('\n').next().unwrap_or("").to_string();
        self.put(gap);
        let text = if theirs {
            self.transplant(node, &indent)
        } else {
            self.o.raw(node).to_string()
        };
        let contest = &self.contests.list[i];
        if !self.contests.written[i] {
            self.contests.written[i] = true;
            self.contest_conflict(contest);
        }
        if theirs {
            self.write_markers(None, None, Some(&text), &indent);
        } else {
            self.write_markers(Some(&text), None, None, &indent);
        }
        true
    }

    /// Merges one element present in ours and theirs (and in base when `b` is set).
    fn merge_element(
        &mut self,
        b: Option<NodeId>,
        o: NodeId,
        t: NodeId,
    ) -> Result<(), Unstructured> {
        self.tick()?;
        let (o_doc, t_doc) = (self.o, self.t);
        let (ho, ht) = (o_doc.hash(o), t_doc.hash(t));
        if ho == ht {
            // Equal in content. Keep a formatting-only change of theirs (`<a></a>` → `<a />`)
            // when ours left the bytes as base had them.
            let theirs_reformatted = b
                .zip(self.b)
                .is_some_and(|(n, d)| d.raw(n) == o_doc.raw(o) && t_doc.raw(t) != o_doc.raw(o));
            if theirs_reformatted {
                let indent = o_doc.indentation(o).unwrap_or("").to_string();
                let text = self.transplant(t, &indent);
                self.put(&text);
            } else {
                self.put(o_doc.raw(o));
            }
            return Ok(());
        }
        if let (Some(b), Some(b_doc)) = (b, self.b)
            && !self.contests.enter(o, t)
        {
            // Hashes ignore formatting and comments; a side counts as unchanged only when its
            // bytes are base's too, so neither side's comment or layout edit is dropped.
            let hb = b_doc.hash(b);
            if hb == ht && b_doc.raw(b) == t_doc.raw(t) {
                self.put(o_doc.raw(o));
                return Ok(());
            }
            if hb == ho && b_doc.raw(b) == o_doc.raw(o) {
                let indent = o_doc.indentation(o).unwrap_or("").to_string();
                let text = self.transplant(t, &indent);
                self.put(&text);
                return Ok(());
            }
        }
        // Both sides changed this element.
        if rules::EXPORT_LISTS.contains(&o_doc.name(o)) && self.take_whole_export_list(b, o, t) {
            return Ok(());
        }
        if [
            Some((o_doc, o)),
            Some((t_doc, t)),
            b.zip(self.b).map(|(n, d)| (d, n)),
        ]
        .into_iter()
        .flatten()
        .any(|(d, n)| has_markup_besides_elements(d, n))
        {
            return self.merge_as_lines(b, o, t);
        }
        if self.merge_nil(b, o, t) {
            return Ok(());
        }
        let attrs = self.merge_attributes(b, o, t);
        let leaf = |d: &Document, n: NodeId| d.children(n).next().is_none();
        let all_leaves =
            leaf(o_doc, o) && leaf(t_doc, t) && b.zip(self.b).is_none_or(|(n, d)| leaf(d, n));
        if all_leaves {
            let content = self.merge_text(b, o, t);
            return match (attrs, content) {
                (Some(attrs), Some(content)) => {
                    self.write_start_tag(o, &attrs, !content.is_empty());
                    self.put(&content);
                    self.write_end_tag(o, !content.is_empty());
                    Ok(())
                }
                _ => {
                    self.element_conflict(b, o, t);
                    Ok(())
                }
            };
        }
        // One side holds a value where the other holds child elements: these cannot be
        // combined, and merging the children alone would drop the value.
        let valued = |d: &Document, n: NodeId| leaf(d, n) && !d.raw_content(n).trim().is_empty();
        if valued(o_doc, o) || valued(t_doc, t) || b.zip(self.b).is_some_and(|(n, d)| valued(d, n))
        {
            let base = b
                .zip(self.b)
                .map(|(n, d)| d.raw_content(n).trim().to_string());
            let (ours, theirs) = (
                o_doc.raw_content(o).trim().to_string(),
                t_doc.raw_content(t).trim().to_string(),
            );
            self.conflict(
                None,
                ConflictReason::BothChanged,
                base,
                Some(ours),
                Some(theirs),
            );
            self.element_conflict(b, o, t);
            return Ok(());
        }
        match attrs {
            Some(attrs) => self.write_start_tag(o, &attrs, true),
            None if o_doc.is_self_closing(o) || t_doc.is_self_closing(t) => {
                self.element_conflict(b, o, t);
                return Ok(());
            }
            None => {
                // Conflicting attributes: markers around the start tags alone, so the
                // children below still merge and stay out of the conflict.
                let ours = o_doc.raw_start_tag(o).to_string();
                let theirs = self.restyle(t_doc.raw_start_tag(t));
                let base = b.zip(self.b).map(|(n, d)| self.restyle(d.raw_start_tag(n)));
                let indent = o_doc.indentation(o).unwrap_or("").to_string();
                self.write_markers(Some(&ours), base.as_deref(), Some(&theirs), &indent);
            }
        }
        self.merge_children(b, o, t)?;
        self.write_end_tag(o, true);
        Ok(())
    }

    /// An element whose nil-ness (`xsi:nil="true"`, the platform's null) differs between
    /// the sides: nil and content are one property and move together, so the result never
    /// holds one side's nil with the other side's value, which neither side wrote. The side
    /// that changed the pair from base gives both; both changing it differently (or adding
    /// it differently) is a conflict. Other attributes still merge one by one. False when
    /// every side is equally nil or not (the ordinary merge then runs).
    fn merge_nil(&mut self, b: Option<NodeId>, o: NodeId, t: NodeId) -> bool {
        let (o_doc, t_doc) = (self.o, self.t);
        let (so, st) = (NilState::of(o_doc, o), NilState::of(t_doc, t));
        let sb = b.zip(self.b).map(|(n, d)| NilState::of(d, n));
        if so.nil == st.nil && sb.as_ref().is_none_or(|sb| sb.nil == so.nil) {
            return false;
        }
        // Added on both sides: a side that left the element empty (not nil) set nothing.
        let unset = |s: &NilState| b.is_none() && s.is_blank();
        let theirs_wins = if so == st || unset(&st) {
            false
        } else if sb.as_ref() == Some(&so) || unset(&so) {
            true
        } else if sb.as_ref() == Some(&st) {
            false
        } else {
            let reason = if b.is_some() {
                ConflictReason::BothChanged
            } else {
                ConflictReason::BothAdded
            };
            self.conflict(
                None,
                reason,
                sb.map(NilState::shown),
                Some(so.shown()),
                Some(st.shown()),
            );
            self.element_conflict(b, o, t);
            return true;
        };
        let Some(mut attrs) = self.merge_attributes(b, o, t) else {
            self.element_conflict(b, o, t);
            return true;
        };
        let (w_doc, w) = if theirs_wins { (t_doc, t) } else { (o_doc, o) };
        // The nil attribute as the winning side has it (present or not).
        for (name, value) in attrs.iter_mut() {
            if is_nil_attr(name) {
                *value = w_doc.attr(w, name).map(Cow::into_owned);
            }
        }
        for (name, value) in w_doc.attributes(w) {
            if is_nil_attr(name) && !attrs.iter().any(|(n, _)| n == name) {
                attrs.push((name.to_string(), Some(unescape_lossy(value).into_owned())));
            }
        }
        let content = if theirs_wins {
            self.restyle(t_doc.raw_content(t))
        } else {
            o_doc.raw_content(o).to_string()
        };
        let theirs_attrs: Vec<(String, Option<String>)> = t_doc
            .attributes(t)
            .map(|(n, _)| (n.to_string(), t_doc.attr(t, n).map(Cow::into_owned)))
            .collect();
        let same_as_theirs = attrs.iter().filter(|(_, v)| v.is_some()).count()
            == theirs_attrs.len()
            && theirs_attrs.iter().all(|a| attrs.contains(a));
        if theirs_wins && same_as_theirs {
            // Theirs' element as a whole, formatted as theirs wrote it.
            let indent = o_doc.indentation(o).unwrap_or("").to_string();
            let text = self.transplant(t, &indent);
            self.put(&text);
        } else {
            self.write_start_tag(o, &attrs, !content.is_empty());
            self.put(&content);
            self.write_end_tag(o, !content.is_empty());
        }
        true
    }

    /// An export-generated list (see [`rules::EXPORT_LISTS`]) where one side's entries
    /// include all of the other's: that side's list is written whole. Returns false when
    /// neither list contains the other (the entries then merge as a set).
    fn take_whole_export_list(&mut self, b: Option<NodeId>, o: NodeId, t: NodeId) -> bool {
        let idents = |c: &Classifier<'_>, n: NodeId| -> rustc_hash::FxHashSet<Ident> {
            c.children(n).into_iter().map(|ch| ch.ident).collect()
        };
        let (so, st) = (idents(&self.co, o), idents(&self.ct, t));
        let sb = match (b, &self.cb) {
            (Some(b), Some(cb)) => idents(cb, b),
            _ => Default::default(),
        };
        // A side's removals must survive: the other side's list may not bring them back.
        let keeps_removals = |small: &rustc_hash::FxHashSet<Ident>,
                              big: &rustc_hash::FxHashSet<Ident>| {
            sb.iter()
                .filter(|i| !small.contains(*i))
                .all(|i| !big.contains(i))
        };
        // Only the newer export's list is taken whole: the older one's versions would
        // contradict the platform build the file declares (also the newer export's).
        let theirs = if so == st {
            self.theirs_newer
        } else if self.theirs_newer && st.is_superset(&so) && keeps_removals(&so, &st) {
            true
        } else if !self.theirs_newer && so.is_superset(&st) && keeps_removals(&st, &so) {
            false
        } else {
            return false;
        };
        let (no, nt) = (
            format!("{} entries", so.len()),
            format!("{} entries", st.len()),
        );
        let result = if theirs { "theirs' list" } else { "ours' list" };
        self.decide(
            "missing-dependencies-superset",
            None,
            Some(no),
            Some(nt),
            Some(result.into()),
        );
        if theirs {
            let indent = self.o.indentation(o).unwrap_or("").to_string();
            let text = self.transplant(t, &indent);
            self.put(&text);
        } else {
            self.put(self.o.raw(o));
        }
        true
    }

    /// Three-way merge of attributes. `None` when one conflicts (recorded).
    fn merge_attributes(
        &mut self,
        b: Option<NodeId>,
        o: NodeId,
        t: NodeId,
    ) -> Option<Vec<(String, Option<String>)>> {
        let (o_doc, t_doc) = (self.o, self.t);
        let mut names: Vec<&str> = o_doc.attributes(o).map(|(k, _)| k).collect();
        for (k, _) in t_doc.attributes(t) {
            if !names.contains(&k) {
                names.push(k);
            }
        }
        let element = o_doc.name(o).to_string();
        let mut result = Vec::with_capacity(names.len());
        let mut ok = true;
        for name in names {
            let vo = o_doc.attr(o, name);
            let vt = t_doc.attr(t, name);
            let vb = b.zip(self.b).and_then(|(n, d)| d.attr(n, name));
            let pick: Option<Cow<'_, str>> = if vo == vt || vb == vt {
                vo.clone()
            } else if b.is_some() && vb == vo || b.is_none() && vo.is_none() {
                vt.clone()
            } else if let (Some(rule), Some(ov), Some(tv)) = (
                rules::for_attr(&element, name, vb.is_some()),
                vo.as_deref(),
                vt.as_deref(),
            ) && let Some(ours_wins) = rules::pick_ours(rule, ov, tv, self.theirs_newer)
            {
                let r = if ours_wins { vo.clone() } else { vt.clone() };
                self.decide(
                    rule.name,
                    Some(&format!("@{name}")),
                    vo.as_deref().map(str::to_string),
                    vt.as_deref().map(str::to_string),
                    r.as_deref().map(str::to_string),
                );
                r
            } else if b.is_none() && vt.is_none() {
                vo.clone()
            } else {
                ok = false;
                // An element new on both sides was added twice, differently.
                let reason = if b.is_none() {
                    ConflictReason::BothAdded
                } else {
                    ConflictReason::BothChanged
                };
                self.conflict(
                    Some(&format!("@{name}")),
                    reason,
                    vb.as_deref().map(str::to_string),
                    vo.as_deref().map(str::to_string),
                    vt.as_deref().map(str::to_string),
                );
                None
            };
            result.push((name.to_string(), pick.map(Cow::into_owned)));
        }
        ok.then_some(result)
    }

    /// Three-way merge of a leaf's text; returns the raw (escaped) content to write, or
    /// `None` on conflict (recorded).
    fn merge_text(&mut self, b: Option<NodeId>, o: NodeId, t: NodeId) -> Option<String> {
        let (o_doc, t_doc) = (self.o, self.t);
        let (ro, rt) = (o_doc.raw_content(o), t_doc.raw_content(t));
        let (vo, vt) = (unescape_lossy(ro), unescape_lossy(rt));
        let vb = b.zip(self.b).map(|(n, d)| unescape_lossy(d.raw_content(n)));
        let norm = |s: &str| s.replace('\r', "");
        if norm(&vo) == norm(&vt) || vb.as_deref().is_some_and(|vb| norm(vb) == norm(&vt)) {
            return Some(ro.to_string());
        }
        if vb.as_deref().is_some_and(|vb| norm(vb) == norm(&vo))
            || (b.is_none() && vo.trim().is_empty())
        {
            return Some(self.restyle(rt));
        }
        if b.is_none() && vt.trim().is_empty() {
            return Some(ro.to_string());
        }
        let element = o_doc.name(o);
        let parent = o_doc.parent(o).map(|p| o_doc.name(p));
        if let Some(rule) = rules::for_text(parent, element, b.is_some())
            && let Some(ours_wins) = rules::pick_ours(rule, &vo, &vt, self.theirs_newer)
        {
            let rule: &'static Rule = rule;
            let result = if ours_wins {
                ro.to_string()
            } else {
                self.restyle(rt)
            };
            self.decide(
                rule.name,
                None,
                Some(vo.trim().to_string()),
                Some(vt.trim().to_string()),
                Some(if ours_wins { vo.trim() } else { vt.trim() }.to_string()),
            );
            return Some(result);
        }
        self.conflict(
            None,
            if b.is_none() {
                ConflictReason::BothAdded
            } else {
                ConflictReason::BothChanged
            },
            vb.map(|v| v.trim().to_string()),
            Some(vo.trim().to_string()),
            Some(vt.trim().to_string()),
        );
        None
    }
}

/// Whether an attribute is XML Schema's `nil` (`xsi:nil`, under whatever prefix).
fn is_nil_attr(name: &str) -> bool {
    name == "nil" || name.ends_with(":nil")
}

/// An element's nil-ness and content, compared as one property by [`Merger::merge_nil`].
#[derive(Debug, PartialEq, Eq)]
struct NilState {
    nil: bool,
    /// The text value (line ends without CR), or the hashes of the child elements.
    text: String,
    children: Vec<u64>,
}

impl NilState {
    fn of(d: &Document, n: NodeId) -> NilState {
        let nil = d
            .attributes(n)
            .any(|(name, value)| is_nil_attr(name) && matches!(value.trim(), "true" | "1"));
        let children: Vec<u64> = d.children(n).map(|c| d.hash(c)).collect();
        let text = if children.is_empty() {
            unescape_lossy(d.raw_content(n)).replace('\r', "")
        } else {
            String::new()
        };
        NilState {
            nil,
            text,
            children,
        }
    }

    /// Neither nil nor holding anything.
    fn is_blank(&self) -> bool {
        !self.nil && self.children.is_empty() && self.text.trim().is_empty()
    }

    /// How the report shows it.
    fn shown(self) -> String {
        if self.nil {
            "(nil)".into()
        } else if self.children.is_empty() {
            self.text.trim().to_string()
        } else {
            format!("({} child elements)", self.children.len())
        }
    }
}

/// Whether theirs is the newer export, the one every export-state value of the file comes
/// from: the side whose solution manifest has the higher version, else the side exported
/// from the higher platform build (`ImportExportXml/@version`); when neither tells, theirs
/// (the incoming side).
fn theirs_is_newer(o: &Document, t: &Document) -> bool {
    let solution_version = |d: &Document| {
        let root = d.root()?;
        let manifest = d.child(root, "SolutionManifest")?;
        d.child_text(manifest, "Version").map(|v| v.into_owned())
    };
    let platform_version = |d: &Document| {
        let root = d.root()?;
        d.attr(root, "version").map(|v| v.into_owned())
    };
    let order = |vo: Option<String>, vt: Option<String>| {
        rules::compare_versions(&vo?, &vt?).filter(|o| o.is_ne())
    };
    let by_solution = order(solution_version(o), solution_version(t));
    let by_platform = order(platform_version(o), platform_version(t));
    by_solution.or(by_platform) != Some(std::cmp::Ordering::Greater)
}

/// Comments, CDATA, processing instructions or non-blank text between child elements.
fn has_markup_besides_elements(doc: &Document, n: NodeId) -> bool {
    let children: Vec<NodeId> = doc.children(n).collect();
    if children.is_empty() {
        return false;
    }
    if children.iter().any(|&c| doc.kind(c) != NodeKind::Element) {
        return true;
    }
    let mut pos = content_start(doc, n);
    for &c in &children {
        if !doc.text()[pos..doc.span(c).start].trim().is_empty() {
            return true;
        }
        pos = doc.span(c).end;
    }
    !doc.text()[pos..content_end(doc, n)].trim().is_empty()
}
