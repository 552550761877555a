//! Writing the merged document like OURS: ours' bytes where nothing changed, ours' start
//! tags patched attribute by attribute, theirs' subtrees re-indented and in ours' newline
//! style, and conflicts as git's markers around the smallest enclosing element (or, where
//! an element holds comments or mixed text, a line merge of it).

use super::*;

impl Merger<'_> {
    pub(super) fn put(&mut self, s: &str) {
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

    /// Writes ours' start tag, patched where the merged attributes differ from ours'.
    pub(super) fn write_start_tag(
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

    pub(super) fn write_end_tag(&mut self, o: NodeId, has_content: bool) {
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

    /// Both sides changed a leaf differently: markers around the whole element.
    pub(super) fn element_conflict(&mut self, b: Option<NodeId>, o: NodeId, t: NodeId) {
        let indent = self.o.indentation(o).unwrap_or("").to_string();
        let ours = self.o.raw(o).to_string();
        let theirs = self.transplant(t, &indent);
        let base = b.zip(self.b).map(|(n, d)| self.restyle(d.raw(n)));
        self.write_markers(Some(&ours), base.as_deref(), Some(&theirs), &indent);
    }

    /// Elements with comments, CDATA or mixed text merge line by line.
    pub(super) fn merge_as_lines(
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
        // Lines that merge cleanly can still break the element apart (one side renames a
        // tag that the other side's insertion separates from its end tag): a merged text
        // that is no longer one well-formed element is a conflict like any other.
        let merged = (!m.is_conflicted()).then(|| m.to_string());
        let broken = merged
            .as_ref()
            .is_some_and(|text| !well_formed(text) && well_formed(&ours));
        if merged.is_none() || broken {
            self.conflict(
                None,
                ConflictReason::Lines,
                Some(base.clone()),
                Some(ours.clone()),
                Some(theirs.clone()),
            );
            self.write_markers(Some(&ours), base_text.as_deref(), Some(&theirs), &indent);
        } else if let Some(text) = merged {
            self.put(&text);
        }
        Ok(())
    }

    /// Writes a conflict region at line starts: `<<<<<<< ours`, ours, [`||||||| base`,
    /// base,] `=======`, theirs, `>>>>>>> theirs`. Sides are element texts whose first line
    /// is not indented (the output is positioned after `indent`).
    pub(super) fn write_markers(
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
    pub(super) fn transplant(&self, t: NodeId, indent: &str) -> String {
        self.restyle(&reindented(self.t, t, indent))
    }

    /// Text in ours' newline style.
    pub(super) fn restyle(&self, text: &str) -> String {
        restyled(text, self.nl)
    }
}

/// Text with its line breaks in the style `nl` (`"\n"` or `"\r\n"`).
pub(in crate::merge) fn restyled(text: &str, nl: &str) -> String {
    if !text.contains('\n') {
        return text.to_string();
    }
    let lf = text.replace("\r\n", "\n");
    if nl == "\r\n" {
        lf.replace('\n', "\r\n")
    } else {
        lf
    }
}

/// The text of element `node` of `doc` moved to a place indented by `indent`: each line
/// that starts in the whitespace between elements trades the element's own indentation for
/// `indent`; a line inside a text value, a CDATA section or an attribute value keeps its
/// bytes. Line breaks stay as they are.
pub(in crate::merge) fn reindented(doc: &Document, node: NodeId, indent: &str) -> String {
    let raw = doc.raw(node);
    let from = doc.indentation(node).unwrap_or("");
    if from == indent || !raw.contains('\n') {
        return raw.to_string();
    }
    // Only line starts inside the whitespace between elements are indentation; a line
    // inside a text value, a CDATA section or an attribute value keeps its bytes.
    let start = doc.span(node).start;
    let mut points = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if !doc.is_element(n) || doc.children(n).next().is_none() {
            continue;
        }
        let mut pos = content_start(doc, n);
        for c in doc.children(n) {
            let gap = pos..doc.span(c).start;
            points.extend(
                memchr::memchr_iter(b'\n', &doc.text().as_bytes()[gap.clone()])
                    .map(|i| gap.start + i + 1 - start),
            );
            pos = doc.span(c).end;
            stack.push(c);
        }
        let gap = pos..content_end(doc, n);
        points.extend(
            memchr::memchr_iter(b'\n', &doc.text().as_bytes()[gap.clone()])
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
    out
}

pub(super) fn content_start(doc: &Document, n: NodeId) -> usize {
    doc.content_span(n).start
}

pub(super) fn content_end(doc: &Document, n: NodeId) -> usize {
    doc.content_span(n).end
}

/// The indentation step of a document near `n` (its first child's indentation minus its
/// own), two spaces when it cannot be seen.
pub(super) fn indent_unit(doc: &Document, n: NodeId) -> String {
    let own = doc.indentation(n).unwrap_or("");
    doc.elements(n)
        .next()
        .and_then(|c| doc.indentation(c))
        .and_then(|ci| ci.strip_prefix(own))
        .filter(|u| !u.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// Byte lengths of the common leading and trailing whole lines of two texts (zdiff3).
pub(super) fn common_lines(a: &str, b: &str) -> (usize, usize) {
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

/// Whether an element's text, on its own, is well-formed XML.
fn well_formed(element: &str) -> bool {
    Document::parse(element.to_string(), "merged element").is_ok()
}
