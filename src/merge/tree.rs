//! The structured three-way merge of two documents against their base.
//!
//! It walks OURS and writes OURS' bytes wherever THEIRS made no change (subtree hashes make
//! that check O(1)), takes THEIRS' subtree wherever only THEIRS changed (re-indented and with
//! OURS' newlines), and descends only where both sides changed: attributes merge one by one,
//! leaf values three-way (with the domain rules), children as keyed maps (sets) or keyed
//! sequences, using the identities of the kinds table. What cannot be combined becomes a
//! conflict around the smallest enclosing element, in git's marker format.

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

pub(super) fn merge_documents(
    b: Option<&Document>,
    o: &Document,
    t: &Document,
    opts: &MergeOptions,
    deadline: Instant,
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
}

/// Where an item of a merged child list comes from.
#[derive(Debug, Clone, Copy)]
enum Item {
    /// In ours and theirs (and maybe base): merged recursively.
    Both {
        b: Option<usize>,
        o: usize,
        t: usize,
    },
    /// Only in ours: added by ours, or kept unchanged.
    Ours(usize),
    /// Added by theirs.
    Theirs(usize),
    /// Deleted by one side, changed by the other.
    DeleteConflict {
        b: usize,
        o: Option<usize>,
        t: Option<usize>,
    },
}

impl<'a> Merger<'a> {
    fn put(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.need_newline {
            self.need_newline = false;
            if !s.starts_with('\n') && !s.starts_with("\r\n") {
                self.out.extend_from_slice(self.nl.as_bytes());
            }
        }
        self.out.extend_from_slice(s.as_bytes());
    }

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
        if let (Some(b), Some(b_doc)) = (b, self.b) {
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
                rules::for_attr(&element, name),
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
                self.conflict(
                    Some(&format!("@{name}")),
                    ConflictReason::BothChanged,
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
        if let Some(rule) = rules::for_text(parent, element)
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

    /// Writes ours' start tag, patched where the merged attributes differ from ours'.
    fn write_start_tag(
        &mut self,
        o: NodeId,
        attrs: &[(String, Option<String>)],
        has_content: bool,
    ) {
        let o_doc = self.o;
        let raw = o_doc.raw_start_tag(o);
        let start = o_doc.span(o).start;
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        let mut last_attr_end = None;
        let mut separator = " ".to_string();
        for (name, _) in o_doc.attributes(o) {
            let span = o_doc.attr_value_span(o, name).expect("attribute exists");
            last_attr_end = Some(span.end + 1 - start);
            let name_start = o_doc.attr_name_start(o, name).expect("attribute exists") - start;
            let ws_start = raw[..name_start].trim_end().len();
            separator = raw[ws_start..name_start].to_string();
        }
        for (name, value) in attrs {
            let ours = o_doc.attr(o, name);
            match (ours, value) {
                (Some(ov), Some(v)) if ov == v.as_str() => {}
                (Some(_), Some(v)) => {
                    let span = o_doc.attr_value_span(o, name).expect("attribute exists");
                    edits.push((
                        span.start - start,
                        span.end - start,
                        escape_attr(v).into_owned(),
                    ));
                }
                (Some(_), None) => {
                    let name_start =
                        o_doc.attr_name_start(o, name).expect("attribute exists") - start;
                    let ws_start = raw[..name_start].trim_end().len();
                    let end = o_doc
                        .attr_value_span(o, name)
                        .expect("attribute exists")
                        .end
                        + 1
                        - start;
                    edits.push((ws_start, end, String::new()));
                }
                (None, Some(v)) => {
                    let at = last_attr_end.unwrap_or(1 + o_doc.name(o).len());
                    edits.push((at, at, format!("{separator}{name}=\"{}\"", escape_attr(v))));
                }
                (None, None) => {}
            }
        }
        // Insertions all happen at one point: join them so they keep their order.
        let (inserts, mut edits): (Vec<_>, Vec<_>) =
            edits.into_iter().partition(|(s, e, _)| s == e);
        if let Some(&(at, _, _)) = inserts.first() {
            edits.push((at, at, inserts.into_iter().map(|(_, _, t)| t).collect()));
        }
        // Apply from the end so earlier offsets stay valid.
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut tag = raw.to_string();
        for (s, e, text) in edits {
            tag.replace_range(s..e, &text);
        }
        if o_doc.is_self_closing(o) && has_content {
            let body = tag.trim_end_matches('>').trim_end_matches('/').trim_end();
            tag = format!("{body}>");
        }
        self.put(&tag);
    }

    fn write_end_tag(&mut self, o: NodeId, has_content: bool) {
        let o_doc = self.o;
        if o_doc.is_self_closing(o) {
            if has_content {
                let end = format!("</{}>", o_doc.name(o));
                self.put(&end);
            }
            return;
        }
        let span = o_doc.span(o);
        let etag = &o_doc.text()[content_end(o_doc, o)..span.end];
        self.put(etag);
    }

    /// Merges the element children of an element whose both versions changed.
    fn merge_children(
        &mut self,
        b: Option<NodeId>,
        o: NodeId,
        t: NodeId,
    ) -> Result<(), Unstructured> {
        let (o_doc, t_doc) = (self.o, self.t);
        let co = self.co.children(o);
        let ct = self.ct.children(t);
        let cb: Vec<Child> = match (b, &self.cb) {
            (Some(b), Some(c)) => c.children(b),
            _ => Vec::new(),
        };
        let index = |list: &[Child]| -> FxHashMap<Ident, usize> {
            list.iter()
                .enumerate()
                .map(|(i, c)| (c.ident.clone(), i))
                .collect()
        };
        let (io, it, ib) = (index(&co), index(&ct), index(&cb));

        // 1. Ours' items in ours' order, minus what theirs deleted unchanged.
        let mut items: Vec<Item> = Vec::with_capacity(co.len() + ct.len());
        for (i, c) in co.iter().enumerate() {
            match (it.get(&c.ident), ib.get(&c.ident)) {
                (Some(&ti), bi) => items.push(Item::Both {
                    b: bi.copied(),
                    o: i,
                    t: ti,
                }),
                (None, Some(&bi)) => match self.against_base(false, c.node, cb[bi].node) {
                    Same::Yes => {}
                    Same::ButLabels => {
                        self.enter(o_doc, c.node, c.kind, c.ident.clone());
                        self.decide(
                            "deletion-over-label-edits",
                            None,
                            Some("labels edited".into()),
                            Some("deleted".into()),
                            Some("deleted".into()),
                        );
                        self.trail.pop();
                    }
                    Same::No => items.push(Item::DeleteConflict {
                        b: bi,
                        o: Some(i),
                        t: None,
                    }),
                },
                (None, None) => items.push(Item::Ours(i)),
            }
        }
        // A reorder by theirs applies to the shared items before theirs' additions are
        // anchored, so each addition lands next to the neighbour theirs gave it.
        let both_reordered = self.apply_reorder(&mut items, &co);
        // 2. Theirs' additions (and changes to what ours deleted), placed where theirs put them.
        let sorted_set = is_sorted_set(&co);
        let mut ours_added = 0usize;
        let mut theirs_added = 0usize;
        let mut removed = 0usize;
        for c in &co {
            if !it.contains_key(&c.ident) && !ib.contains_key(&c.ident) {
                ours_added += 1;
            }
        }
        for c in &cb {
            if !io.contains_key(&c.ident) || !it.contains_key(&c.ident) {
                removed += 1;
            }
        }
        let mut additions: Vec<(usize, Item)> = Vec::new();
        for (ti, c) in ct.iter().enumerate() {
            if io.contains_key(&c.ident) {
                continue;
            }
            let item = match ib.get(&c.ident) {
                Some(&bi) => match self.against_base(true, c.node, cb[bi].node) {
                    Same::Yes => continue, // ours deleted it, theirs left it alone
                    Same::ButLabels => {
                        self.enter(t_doc, c.node, c.kind, c.ident.clone());
                        self.decide(
                            "deletion-over-new-translations",
                            None,
                            Some("deleted".into()),
                            Some("translations added".into()),
                            Some("deleted".into()),
                        );
                        self.trail.pop();
                        continue;
                    }
                    Same::No => Item::DeleteConflict {
                        b: bi,
                        o: None,
                        t: Some(ti),
                    },
                },
                None => {
                    theirs_added += 1;
                    Item::Theirs(ti)
                }
            };
            additions.push((ti, item));
        }
        items = if sorted_set {
            insert_sorted(items, additions, &co, &ct)
        } else {
            insert_anchored(items, additions, ct.len())
        };

        if ours_added + removed > 0
            && theirs_added > 0
            && co
                .iter()
                .chain(&ct)
                .any(|c| c.kind.is_some_and(|k| k.order == ListOrder::Set))
        {
            self.decide(
                "set-union",
                None,
                Some(format!("+{ours_added}")),
                Some(format!("+{theirs_added}")),
                Some("additions of both sides kept, removals honoured".into()),
            );
        }

        if both_reordered {
            return self.list_conflict(b, o, t, &co, &ct, &cb);
        }
        // 4. Write: ours' gaps stay with ours' items; inserted items get ours' usual gap.
        let o_children: Vec<NodeId> = o_doc.children(o).collect();
        // The gap before each of ours' element children, in one pass.
        let gaps: Vec<std::ops::Range<usize>> = {
            let mut gaps = Vec::with_capacity(co.len());
            let mut from = content_start(o_doc, o);
            let mut next = co.iter().map(|c| c.node).peekable();
            for &c in &o_children {
                if next.peek() == Some(&c) {
                    gaps.push(from..o_doc.span(c).start);
                    next.next();
                }
                from = o_doc.span(c).end;
            }
            gaps
        };
        let gap_before = |i: usize| -> &str { &o_doc.text()[gaps[i].clone()] };
        let standard_gap = match co.first() {
            Some(_) => gap_before(co.len() - 1).to_string(),
            None => {
                let parent_indent = o_doc.indentation(o).unwrap_or("");
                let unit = indent_unit(t_doc, t);
                format!("{}{parent_indent}{unit}", self.nl)
            }
        };
        let standard_indent = standard_gap.rsplit('\n').next().unwrap_or("").to_string();
        for item in items {
            match item {
                Item::Both {
                    b: bi,
                    o: oi,
                    t: ti,
                } => {
                    let gap = gap_before(oi).to_string();
                    self.put(&gap);
                    self.enter(o_doc, co[oi].node, co[oi].kind, co[oi].ident.clone());
                    self.merge_element(bi.map(|i| cb[i].node), co[oi].node, ct[ti].node)?;
                    self.trail.pop();
                }
                Item::Ours(oi) => {
                    let gap = gap_before(oi).to_string();
                    self.put(&gap);
                    self.put(o_doc.raw(co[oi].node));
                }
                Item::Theirs(ti) => {
                    self.put(&standard_gap);
                    let text = self.transplant(ct[ti].node, &standard_indent);
                    self.put(&text);
                }
                Item::DeleteConflict {
                    b: bi,
                    o: oi,
                    t: ti,
                } => {
                    let gap =
                        oi.map_or_else(|| standard_gap.clone(), |i| gap_before(i).to_string());
                    let indent = gap.rsplit('\n').next().unwrap_or("").to_string();
                    self.put(&gap);
                    let (child, doc) = match oi {
                        Some(i) => (&co[i], o_doc),
                        None => (&ct[ti.expect("one side")], t_doc),
                    };
                    self.enter(doc, child.node, child.kind, child.ident.clone());
                    let ours = oi.map(|i| o_doc.raw(co[i].node).to_string());
                    let theirs = ti.map(|i| self.transplant(ct[i].node, &indent));
                    let base = self.b.map(|d| self.restyle(d.raw(cb[bi].node)));
                    let reason = if oi.is_some() {
                        ConflictReason::DeletedByTheirs
                    } else {
                        ConflictReason::DeletedByOurs
                    };
                    self.conflict(None, reason, base.clone(), ours.clone(), theirs.clone());
                    self.trail.pop();
                    self.write_markers(
                        ours.as_deref(),
                        base.as_deref(),
                        theirs.as_deref(),
                        &indent,
                    );
                }
            }
        }
        // The gap before ours' end tag.
        let trailing = match o_children.last() {
            Some(&last) => o_doc.text()[o_doc.span(last).end..content_end(o_doc, o)].to_string(),
            None if !o_doc.is_self_closing(o) && !o_doc.raw_content(o).trim().is_empty() => {
                String::new()
            }
            None => {
                let raw = o_doc.raw_content(o);
                if raw.contains('\n') {
                    raw.to_string()
                } else {
                    format!("{}{}", self.nl, o_doc.indentation(o).unwrap_or(""))
                }
            }
        };
        self.put(&trailing);
        Ok(())
    }

    /// Compares ours' (or theirs') version of an element with base's.
    fn against_base(&self, theirs: bool, node: NodeId, base: NodeId) -> Same {
        let side = if theirs { &self.ct } else { &self.co };
        equivalent(side, node, self.cb.as_ref().expect("base exists"), base)
    }

    /// Both sides reordered the list differently: markers around ours' and theirs' whole
    /// lists, between the element's own tags.
    fn list_conflict(
        &mut self,
        b: Option<NodeId>,
        o: NodeId,
        t: NodeId,
        co: &[Child],
        ct: &[Child],
        cb: &[Child],
    ) -> Result<(), Unstructured> {
        let span_of = |d: &Document, list: &[Child]| -> Option<std::ops::Range<usize>> {
            Some(d.span(list.first()?.node).start..d.span(list.last()?.node).end)
        };
        let o_doc = self.o;
        let (Some(os), Some(ts)) = (span_of(o_doc, co), span_of(self.t, ct)) else {
            self.element_conflict(b, o, t);
            return Ok(());
        };
        let indent = o_doc.indentation(co[0].node).unwrap_or("").to_string();
        let ours = o_doc.text()[os.clone()].to_string();
        let theirs = self.restyle(&self.t.text()[ts]);
        let base = self
            .b
            .and_then(|d| span_of(d, cb).map(|r| self.restyle(&d.text()[r])));
        self.put(&o_doc.text()[content_start(o_doc, o)..os.start]);
        self.write_markers(Some(&ours), base.as_deref(), Some(&theirs), &indent);
        self.put(&o_doc.text()[os.end..content_end(o_doc, o)]);
        Ok(())
    }

    /// A reorder is a change too. When ours kept base's order of the shared items and
    /// theirs changed it, the shared items take theirs' order (each moving into the slots
    /// ours' shared items held). When both reordered differently: a sequence keeps ours'
    /// order and reports a conflict; a set (whose order is export state) takes the order of
    /// the newer export.
    /// Returns true when both sides reordered an ordered list differently: a conflict the
    /// caller writes around the whole list.
    fn apply_reorder(&mut self, items: &mut [Item], co: &[Child]) -> bool {
        let shared: Vec<(usize, usize, usize, usize)> = items
            .iter()
            .enumerate()
            .filter_map(|(slot, it)| match *it {
                Item::Both { b: Some(b), o, t } => Some((slot, b, o, t)),
                _ => None,
            })
            .collect();
        if shared.len() < 2 {
            return false;
        }
        let increasing = |v: &[usize]| v.windows(2).all(|w| w[0] < w[1]);
        let in_ours_order: Vec<usize> = shared.iter().map(|s| s.1).collect();
        let mut by_t = shared.clone();
        by_t.sort_by_key(|s| s.3);
        let in_theirs_order: Vec<usize> = by_t.iter().map(|s| s.1).collect();
        let (ours_kept, theirs_kept) = (increasing(&in_ours_order), increasing(&in_theirs_order));
        let target = if theirs_kept || in_ours_order == in_theirs_order {
            return false;
        } else if ours_kept {
            by_t
        } else if co
            .iter()
            .any(|c| c.kind.is_some_and(|k| k.order == ListOrder::Sequence))
        {
            let list = co.first().map(|c| c.ident.to_string()).unwrap_or_default();
            let order = |by: &[(usize, usize, usize, usize)]| -> String {
                by.iter()
                    .map(|s| co[s.2].ident.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut by_b = shared.clone();
            by_b.sort_by_key(|s| s.1);
            self.conflict(
                Some(&format!("order of {list}…")),
                ConflictReason::BothReordered,
                Some(order(&by_b)),
                Some(order(&shared)),
                Some(order(&by_t)),
            );
            return true;
        } else if self.theirs_newer {
            by_t
        } else {
            return false;
        };
        for (slot_entry, moved) in shared.iter().zip(target) {
            items[slot_entry.0] = Item::Both {
                b: Some(moved.1),
                o: moved.2,
                t: moved.3,
            };
        }
        false
    }

    /// Both sides changed a leaf differently: markers around the whole element.
    fn element_conflict(&mut self, b: Option<NodeId>, o: NodeId, t: NodeId) {
        let indent = self.o.indentation(o).unwrap_or("").to_string();
        let ours = self.o.raw(o).to_string();
        let theirs = self.transplant(t, &indent);
        let base = b.zip(self.b).map(|(n, d)| self.restyle(d.raw(n)));
        self.write_markers(Some(&ours), base.as_deref(), Some(&theirs), &indent);
    }

    /// Elements with comments, CDATA or mixed text merge line by line.
    fn merge_as_lines(
        &mut self,
        b: Option<NodeId>,
        o: NodeId,
        t: NodeId,
    ) -> Result<(), Unstructured> {
        let ours = self.o.raw(o).to_string();
        let indent = self.o.indentation(o).unwrap_or("").to_string();
        let theirs = self.transplant(t, &indent);
        let base_text = b.zip(self.b).map(|(n, d)| self.restyle(d.raw(n)));
        let base = base_text.clone().unwrap_or_default();
        let mut m = similar::TextMerge::configure().merge_lines(
            base.as_str(),
            ours.as_str(),
            theirs.as_str(),
        );
        m.conflict_style(match self.opts.style {
            ConflictStyle::Merge => similar::ConflictStyle::Merge,
            _ => similar::ConflictStyle::Diff3,
        })
        .conflict_marker_size(self.opts.marker_size)
        .labels(
            &self.opts.label_base,
            &self.opts.label_ours,
            &self.opts.label_theirs,
        );
        if m.is_conflicted() {
            self.conflict(
                None,
                ConflictReason::Lines,
                Some(base.clone()),
                Some(ours.clone()),
                Some(theirs.clone()),
            );
            self.write_markers(Some(&ours), base_text.as_deref(), Some(&theirs), &indent);
        } else {
            let text = m.to_string();
            self.put(&text);
        }
        Ok(())
    }

    /// Writes a conflict region at line starts: `<<<<<<< ours`, ours, [`||||||| base`,
    /// base,] `=======`, theirs, `>>>>>>> theirs`. Sides are element texts whose first line
    /// is not indented (the output is positioned after `indent`).
    fn write_markers(
        &mut self,
        ours: Option<&str>,
        base: Option<&str>,
        theirs: Option<&str>,
        indent: &str,
    ) {
        let nl = self.nl;
        // Step back to the start of the line if only the indentation was written.
        let tail = &self.out[self.out.len().saturating_sub(indent.len())..];
        if !indent.is_empty() && tail == indent.as_bytes() {
            let before = self.out.len() - indent.len();
            if before == 0 || self.out[before - 1] == b'\n' {
                self.out.truncate(before);
            }
        }
        if !self.out.is_empty() && *self.out.last().expect("non-empty") != b'\n' {
            self.out.extend_from_slice(nl.as_bytes());
        }
        self.need_newline = false;
        let size = self.opts.marker_size;
        let marker = |c: char, label: &str| {
            let mut s: String = std::iter::repeat_n(c, size).collect();
            if !label.is_empty() {
                s.push(' ');
                s.push_str(label);
            }
            s
        };
        let side = |s: Option<&str>| s.map(|s| format!("{indent}{s}{nl}")).unwrap_or_default();
        let (mut ours_s, mut theirs_s, base_s) = (side(ours), side(theirs), side(base));
        let (mut prefix, mut suffix) = (String::new(), String::new());
        if self.opts.style == ConflictStyle::Zdiff3 {
            let (p, s) = common_lines(&ours_s, &theirs_s);
            prefix = ours_s[..p].to_string();
            suffix = ours_s[ours_s.len() - s..].to_string();
            ours_s = ours_s[p..ours_s.len() - s].to_string();
            theirs_s = theirs_s[p..theirs_s.len() - s].to_string();
        }
        let mut text = prefix;
        text.push_str(&marker('<', &self.opts.label_ours));
        text.push_str(nl);
        text.push_str(&ours_s);
        if self.opts.style != ConflictStyle::Merge {
            text.push_str(&marker('|', &self.opts.label_base));
            text.push_str(nl);
            text.push_str(&base_s);
        }
        text.push_str(&marker('=', ""));
        text.push_str(nl);
        text.push_str(&theirs_s);
        text.push_str(&marker('>', &self.opts.label_theirs));
        if suffix.is_empty() {
            self.out.extend_from_slice(text.as_bytes());
            self.need_newline = true;
        } else {
            text.push_str(nl);
            text.push_str(suffix.trim_end_matches(['\r', '\n']));
            self.out.extend_from_slice(text.as_bytes());
        }
    }

    /// A theirs subtree, written like ours: ours' newline style, re-indented from theirs'
    /// indentation to `indent`.
    fn transplant(&self, t: NodeId, indent: &str) -> String {
        let t_doc = self.t;
        let raw = t_doc.raw(t);
        let from = t_doc.indentation(t).unwrap_or("");
        if from == indent || !raw.contains('\n') {
            return self.restyle(raw);
        }
        // Only line starts inside the whitespace between elements are indentation; a line
        // inside a text value, a CDATA section or an attribute value keeps its bytes.
        let start = t_doc.span(t).start;
        let mut points = Vec::new();
        let mut stack = vec![t];
        while let Some(n) = stack.pop() {
            if !t_doc.is_element(n) || t_doc.children(n).next().is_none() {
                continue;
            }
            let mut pos = content_start(t_doc, n);
            for c in t_doc.children(n) {
                let gap = pos..t_doc.span(c).start;
                points.extend(
                    memchr::memchr_iter(b'\n', &t_doc.text().as_bytes()[gap.clone()])
                        .map(|i| gap.start + i + 1 - start),
                );
                pos = t_doc.span(c).end;
                stack.push(c);
            }
            let gap = pos..content_end(t_doc, n);
            points.extend(
                memchr::memchr_iter(b'\n', &t_doc.text().as_bytes()[gap.clone()])
                    .map(|i| gap.start + i + 1 - start),
            );
        }
        points.sort_unstable();
        let mut out = String::with_capacity(raw.len() + 64);
        let mut at = 0usize;
        for line in raw.split_inclusive('\n') {
            let here = at;
            at += line.len();
            if here > 0
                && points.binary_search(&here).is_ok()
                && let Some(rest) = line.strip_prefix(from)
            {
                out.push_str(indent);
                out.push_str(rest);
            } else {
                out.push_str(line);
            }
        }
        self.restyle(&out)
    }

    /// Text in ours' newline style.
    fn restyle(&self, text: &str) -> String {
        if !text.contains('\n') {
            return text.to_string();
        }
        let lf = text.replace("\r\n", "\n");
        if self.nl == "\r\n" {
            lf.replace('\n', "\r\n")
        } else {
            lf
        }
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

/// How a changed side compares with base when the other side deleted the element.
#[derive(Debug, PartialEq, Eq)]
enum Same {
    Yes,
    /// Only localized labels differ (translations added or edited): a deletion wins over
    /// them, since there is nothing left to translate.
    ButLabels,
    No,
}

/// Compares an element with its base version, ignoring export noise (see
/// [`rules::is_noise`]) and, separately, localized labels.
fn equivalent(cm: &Classifier<'_>, m: NodeId, cb: &Classifier<'_>, b: NodeId) -> Same {
    let (dm, db) = (cm.document(), cb.document());
    if dm.hash(m) == db.hash(b) {
        return Same::Yes;
    }
    if dm.name(m) != db.name(b) {
        return Same::No;
    }
    let element = dm.name(m);
    for (k, _) in dm.attributes(m).chain(db.attributes(b)) {
        if dm.attr(m, k) != db.attr(b, k) && !rules::is_noise(element, k) {
            return Same::No;
        }
    }
    let (km, kb) = (cm.children(m), cb.children(b));
    let is_label = |c: &Child| c.kind.is_some_and(|k| k.role == Role::Localized);
    let (rm, rb): (Vec<&Child>, Vec<&Child>) = (
        km.iter().filter(|c| !is_label(c)).collect(),
        kb.iter().filter(|c| !is_label(c)).collect(),
    );
    if rm.len() != rb.len() {
        return Same::No;
    }
    if km.is_empty() && kb.is_empty() && dm.text_of(m).trim() != db.text_of(b).trim() {
        return Same::No;
    }
    // Labels may be added (a new translation); a label that base had and that is now
    // gone or reads differently is a real edit.
    let mut labels_differ = false;
    for y in kb.iter().filter(|c| is_label(c)) {
        match km.iter().find(|x| x.ident == y.ident) {
            Some(x) if dm.hash(x.node) == db.hash(y.node) => {}
            _ => return Same::No,
        }
    }
    if km.iter().filter(|c| is_label(c)).count() != kb.iter().filter(|c| is_label(c)).count() {
        labels_differ = true;
    }
    for (x, y) in rm.iter().zip(&rb) {
        if x.ident != y.ident {
            return Same::No;
        }
        match equivalent(cm, x.node, cb, y.node) {
            Same::Yes => {}
            Same::ButLabels => labels_differ = true,
            Same::No => return Same::No,
        }
    }
    if labels_differ {
        Same::ButLabels
    } else {
        Same::Yes
    }
}

fn content_start(doc: &Document, n: NodeId) -> usize {
    doc.content_span(n).start
}

fn content_end(doc: &Document, n: NodeId) -> usize {
    doc.content_span(n).end
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

/// The indentation step of a document near `n` (its first child's indentation minus its
/// own), two spaces when it cannot be seen.
fn indent_unit(doc: &Document, n: NodeId) -> String {
    let own = doc.indentation(n).unwrap_or("");
    doc.elements(n)
        .next()
        .and_then(|c| doc.indentation(c))
        .and_then(|ci| ci.strip_prefix(own))
        .filter(|u| !u.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// Whether ours' children are all members of one set kind, sorted by key.
fn is_sorted_set(co: &[Child]) -> bool {
    if co.len() < 2 {
        return false;
    }
    let kind = co[0].kind;
    co.iter().all(|c| {
        c.kind.is_some_and(|k| k.order == ListOrder::Set)
            && c.kind.map(|k| k.name) == kind.map(|k| k.name)
    }) && co
        .windows(2)
        .all(|w| natural_cmp(key(&w[0]), key(&w[1])).is_le())
}

fn key(c: &Child) -> &str {
    match &c.ident {
        Ident::Keyed { key, .. } => key,
        Ident::Named { name, .. } => name,
    }
}

/// The index in theirs' list an item comes from, if it is in theirs' list.
fn theirs_index(it: &Item) -> Option<usize> {
    match *it {
        Item::Both { t, .. } | Item::Theirs(t) => Some(t),
        Item::DeleteConflict { t, .. } => t,
        Item::Ours(_) => None,
    }
}

fn item_key<'c>(it: &Item, co: &'c [Child], ct: &'c [Child]) -> Option<&'c str> {
    match *it {
        Item::Both { o, .. } | Item::Ours(o) | Item::DeleteConflict { o: Some(o), .. } => {
            Some(key(&co[o]))
        }
        Item::Theirs(t) | Item::DeleteConflict { t: Some(t), .. } => Some(key(&ct[t])),
        Item::DeleteConflict { .. } => None,
    }
}

/// Theirs' additions to a list that ours keeps sorted by key: each in sorted position (after
/// equal keys), in one pass over both sorted sequences.
fn insert_sorted(
    items: Vec<Item>,
    mut additions: Vec<(usize, Item)>,
    co: &[Child],
    ct: &[Child],
) -> Vec<Item> {
    additions.sort_by(|a, b| {
        natural_cmp(
            item_key(&a.1, co, ct).unwrap_or(""),
            item_key(&b.1, co, ct).unwrap_or(""),
        )
    });
    let mut out = Vec::with_capacity(items.len() + additions.len());
    let mut adds = additions.into_iter().map(|(_, it)| it).peekable();
    for it in items {
        while let Some(add) = adds.peek() {
            let (ka, ki) = (
                item_key(add, co, ct).unwrap_or(""),
                item_key(&it, co, ct).unwrap_or(""),
            );
            if natural_cmp(ki, ka).is_gt() {
                out.push(adds.next().expect("peeked"));
            } else {
                break;
            }
        }
        out.push(it);
    }
    out.extend(adds);
    out
}

/// Theirs' additions placed where theirs put them: right after their nearest predecessor in
/// theirs' list that is in the result (after ours' own additions that follow it), in theirs'
/// order; those with no predecessor go before the first item theirs also has. One pass.
fn insert_anchored(
    items: Vec<Item>,
    additions: Vec<(usize, Item)>,
    theirs_len: usize,
) -> Vec<Item> {
    if additions.is_empty() {
        return items;
    }
    let mut slot_of: Vec<Option<usize>> = vec![None; theirs_len];
    for (k, it) in items.iter().enumerate() {
        if let Some(t) = theirs_index(it) {
            slot_of[t] = Some(k);
        }
    }
    let mut head = Vec::new();
    let mut buckets: Vec<Vec<Item>> = vec![Vec::new(); items.len()];
    let mut adds = additions.into_iter().peekable();
    let mut anchor: Option<usize> = None;
    for (t, slot) in slot_of.iter().enumerate() {
        if let Some(k) = *slot {
            anchor = Some(k);
        }
        while adds.peek().is_some_and(|(ti, _)| *ti == t) {
            let (_, add) = adds.next().expect("peeked");
            match anchor {
                Some(k) => buckets[k].push(add),
                None => head.push(add),
            }
        }
    }
    let mut out =
        Vec::with_capacity(items.len() + buckets.iter().map(Vec::len).sum::<usize>() + head.len());
    let mut pending: Vec<Item> = Vec::new();
    let mut head = Some(head);
    for (k, it) in items.into_iter().enumerate() {
        if theirs_index(&it).is_none() {
            out.push(it);
            continue;
        }
        if let Some(h) = head.take() {
            out.extend(h);
        }
        out.append(&mut pending);
        out.push(it);
        pending = std::mem::take(&mut buckets[k]);
    }
    out.extend(head.unwrap_or_default());
    out.append(&mut pending);
    out
}

/// Byte lengths of the common leading and trailing whole lines of two texts (zdiff3).
fn common_lines(a: &str, b: &str) -> (usize, usize) {
    let la: Vec<&str> = a.split_inclusive('\n').collect();
    let lb: Vec<&str> = b.split_inclusive('\n').collect();
    let mut p = 0;
    while p < la.len() && p < lb.len() && la[p] == lb[p] {
        p += 1;
    }
    let mut s = 0;
    while s < la.len() - p && s < lb.len() - p && la[la.len() - 1 - s] == lb[lb.len() - 1 - s] {
        s += 1;
    }
    let pb: usize = la[..p].iter().map(|l| l.len()).sum();
    let sb: usize = la[la.len() - s..].iter().map(|l| l.len()).sum();
    (pb, sb)
}
