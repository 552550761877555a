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
