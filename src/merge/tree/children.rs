//! Child lists of an element both sides changed: keyed children merge as maps (sets) or
//! keyed sequences, by the identities of the kinds table. Ours' items come in ours' order,
//! theirs' additions land next to the neighbour theirs gave them (or in sorted position in
//! a list ours keeps sorted), removals are honoured, a reorder by one side is kept, and what
//! cannot be combined (a deletion against a change, two different reorders) is a conflict.

use super::*;

/// Where an item of a merged child list comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Item {
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

impl Merger<'_> {
    /// Merges the element children of an element whose both versions changed.
    pub(super) fn merge_children(
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
                    if !self.write_contested(false, co[oi].node, &gap) {
                        self.put(&gap);
                        self.put(o_doc.raw(co[oi].node));
                    }
                }
                Item::Theirs(ti) => {
                    if !self.write_contested(true, ct[ti].node, &standard_gap) {
                        self.put(&standard_gap);
                        let text = self.transplant(ct[ti].node, &standard_indent);
                        self.put(&text);
                    }
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
    pub(super) fn against_base(&self, theirs: bool, node: NodeId, base: NodeId) -> Same {
        let side = if theirs { &self.ct } else { &self.co };
        equivalent(side, node, self.cb.as_ref().expect("base exists"), base)
    }

    /// Both sides reordered the list differently: markers around ours' and theirs' whole
    /// lists, between the element's own tags.
    pub(super) fn list_conflict(
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
    pub(super) fn apply_reorder(&mut self, items: &mut [Item], co: &[Child]) -> bool {
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
}

/// How a changed side compares with base when the other side deleted the element.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Same {
    Yes,
    /// Only localized labels differ (translations added or edited): a deletion wins over
    /// them, since there is nothing left to translate.
    ButLabels,
    No,
}

/// Compares an element with its base version, ignoring export noise (see
/// [`rules::is_noise`]) and, separately, localized labels.
pub(super) fn equivalent(cm: &Classifier<'_>, m: NodeId, cb: &Classifier<'_>, b: NodeId) -> Same {
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

/// Whether ours' children are all members of one set kind, sorted by key.
pub(super) fn is_sorted_set(co: &[Child]) -> bool {
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

pub(super) fn key(c: &Child) -> &str {
    match &c.ident {
        Ident::Keyed { key, .. } => key,
        Ident::Named { name, .. } => name,
    }
}

/// The index in theirs' list an item comes from, if it is in theirs' list.
pub(super) fn theirs_index(it: &Item) -> Option<usize> {
    match *it {
        Item::Both { t, .. } | Item::Theirs(t) => Some(t),
        Item::DeleteConflict { t, .. } => t,
        Item::Ours(_) => None,
    }
}

pub(super) fn item_key<'c>(it: &Item, co: &'c [Child], ct: &'c [Child]) -> Option<&'c str> {
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
pub(super) fn insert_sorted(
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
pub(super) fn insert_anchored(
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
