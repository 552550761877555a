//! Writes a [`Document`] back to bytes by walking the arena and copying spans. Gaps (the
//! text between children) are tied to their positions, so a [`Reorder`] that permutes the
//! children of an element keeps every indentation and newline exactly where it was.
//! Contiguous spans are coalesced, so an unchanged document is copied in one piece.

use super::{Document, NodeId, NodeKind};

/// Chooses a new order for the children of an element (a permutation of
/// `doc.children(parent)`), or `None` to keep the document order.
pub trait Reorder {
    fn reorder(&self, doc: &Document, parent: NodeId) -> Option<Vec<NodeId>>;
}

pub(super) struct NoReorder;

impl Reorder for NoReorder {
    fn reorder(&self, _: &Document, _: NodeId) -> Option<Vec<NodeId>> {
        None
    }
}

struct Sink<'a> {
    text: &'a str,
    out: &'a mut Vec<u8>,
    /// The pending span; flushed when the next one is not contiguous.
    pending: std::ops::Range<usize>,
}

impl Sink<'_> {
    #[inline]
    fn copy(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        if self.pending.end == from {
            self.pending.end = to;
        } else {
            self.flush();
            self.pending = from..to;
        }
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.out
                .extend_from_slice(&self.text.as_bytes()[self.pending.clone()]);
        }
        self.pending = 0..0;
    }
}

pub(super) fn write(doc: &Document, out: &mut Vec<u8>, reorder: &dyn Reorder) {
    out.reserve(doc.text.len());
    let mut sink = Sink {
        text: &doc.text,
        out,
        pending: 0..0,
    };
    write_node(doc, Document::DOCUMENT, &mut sink, reorder);
    sink.flush();
}

fn write_node(doc: &Document, id: NodeId, sink: &mut Sink<'_>, reorder: &dyn Reorder) {
    let n = doc.node(id);
    if !matches!(n.kind, NodeKind::Element | NodeKind::Document) || n.first_child == super::NONE {
        sink.copy(n.start as usize, n.end as usize);
        return;
    }
    sink.copy(n.start as usize, n.stag_end as usize);
    let order = reorder.reorder(doc, id);
    let mut pos = n.stag_end as usize;
    match order {
        None => {
            for c in doc.children(id) {
                let span = doc.span(c);
                sink.copy(pos, span.start);
                write_node(doc, c, sink, reorder);
                pos = span.end;
            }
        }
        Some(order) => {
            // Slot i keeps the gap that preceded the i-th child in the source.
            for (slot, c) in doc.children(id).zip(order) {
                let span = doc.span(slot);
                sink.copy(pos, span.start);
                write_node(doc, c, sink, reorder);
                pos = span.end;
            }
        }
    }
    sink.copy(pos, n.etag_start as usize);
    sink.copy(n.etag_start as usize, n.end as usize);
}

/// The text of element `id` with the indentation of its structure moved `delta` spaces
/// (SolutionPackager's files hold an element at another depth than the export does).
/// Only whitespace between child nodes that starts a line moves; text, CDATA, start tags
/// and elements with mixed content are copied as they are, as an indenting XML writer
/// leaves them. A line indented less than `-delta` (a hand-formatted fetch, say) gets the
/// indentation of its depth instead, two spaces a level, as an indenting writer gives it,
/// and so does everything inside the element that line opens.
/// A node listed by `replace` is written as the given text instead.
pub(super) fn reindented(
    doc: &Document,
    id: NodeId,
    delta: isize,
    replace: &dyn Fn(NodeId) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(doc.span(id).len());
    let base = doc.indentation(id).map_or(0, str::len) as isize + delta;
    let layout = Layout {
        doc,
        delta,
        base: base.max(0) as usize,
        replace,
    };
    layout.node(id, 0, Mode::Shift, &mut out);
    out
}

/// How the whitespace between an element's children is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Moved `delta` spaces.
    Shift,
    /// Set to the indentation of its depth (a line could not move).
    Canonical,
    /// Copied as it is: the element, or one around it, has mixed content, which an
    /// indenting writer leaves alone.
    Frozen,
}

struct Layout<'a> {
    doc: &'a Document,
    delta: isize,
    /// Where `id` itself ends up indented.
    base: usize,
    replace: &'a dyn Fn(NodeId) -> Option<String>,
}

impl Layout<'_> {
    /// Writes node `id`, `depth` levels below the element.
    fn node(&self, id: NodeId, depth: usize, mode: Mode, out: &mut String) {
        if let Some(text) = (self.replace)(id) {
            out.push_str(&text);
            return;
        }
        let doc = self.doc;
        let n = doc.node(id);
        let text = doc.text.as_str();
        if n.kind != NodeKind::Element || n.first_child == super::NONE {
            out.push_str(&text[n.start as usize..n.end as usize]);
            return;
        }
        let gaps_are_layout = || {
            let mut pos = n.stag_end as usize;
            let mut ok = true;
            for c in doc.children(id) {
                let span = doc.span(c);
                ok &= text[pos..span.start]
                    .bytes()
                    .all(|b| b.is_ascii_whitespace());
                pos = span.end;
            }
            ok && text[pos..n.etag_start as usize]
                .bytes()
                .all(|b| b.is_ascii_whitespace())
        };
        // Children are still walked in mixed content: a node in it may be replaced.
        let mode = if mode != Mode::Frozen && !gaps_are_layout() {
            Mode::Frozen
        } else {
            mode
        };
        out.push_str(&text[n.start as usize..n.stag_end as usize]);
        let mut pos = n.stag_end as usize;
        for c in doc.children(id) {
            let span = doc.span(c);
            let inner = self.gap(&text[pos..span.start], depth + 1, mode, out);
            self.node(c, depth + 1, inner, out);
            pos = span.end;
        }
        self.gap(&text[pos..n.etag_start as usize], depth, mode, out);
        out.push_str(&text[n.etag_start as usize..n.end as usize]);
    }

    /// Whitespace between nodes, with the indentation of what follows it (the spaces after
    /// its last newline, at `depth` below the element) moved, or set to its depth's when it
    /// cannot move; blank lines stay as they are. Gives the mode of the node that follows.
    fn gap(&self, gap: &str, depth: usize, mode: Mode, out: &mut String) -> Mode {
        // A lone CR ends a line too (XML reads it as one).
        let at = match (mode, gap.rfind(['\n', '\r'])) {
            (Mode::Frozen, _) | (_, None) => {
                out.push_str(gap);
                return mode;
            }
            (_, Some(at)) => at,
        };
        out.push_str(&gap[..=at]);
        let last = &gap[at + 1..];
        let spaces = last.bytes().take_while(|&b| b == b' ').count();
        let shifted = if mode == Mode::Shift {
            spaces.checked_add_signed(self.delta)
        } else {
            None
        };
        out.extend(std::iter::repeat_n(
            ' ',
            shifted.unwrap_or(self.base + 2 * depth),
        ));
        out.push_str(&last[spaces..]);
        if shifted.is_some() {
            Mode::Shift
        } else {
            Mode::Canonical
        }
    }
}
