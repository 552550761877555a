//! `soltree normalize`: the canonical form of a package, written in the form it was read.
//!
//! Every list the kinds table marks as a set ([`ListOrder::Set`]: root components, missing
//! dependencies, columns, relationships, privileges, labels by language code, …) is sorted
//! by kind and key; sequences (form layout, options, sitemap, libraries, view columns) and
//! every value stay untouched. Sorting only permutes elements among the slots that members
//! of a set occupied, so indentation, comments and unknown elements stay where they were
//! and the result is still a valid solution. The boundary type is the output [`Package`].

use crate::input::{Entry, Package, TextEncoding, encode_xml};
use crate::model::kinds::ListOrder;
use crate::model::{Classifier, ComponentTree, Part, key_of, natural_cmp};
use crate::xml::{Document, NodeId, Reorder};
use rayon::prelude::*;

/// Sorts set members among their own slots.
pub struct CanonicalOrder<'d> {
    classifier: Classifier<'d>,
}

impl<'d> CanonicalOrder<'d> {
    pub fn new(doc: &'d Document) -> Self {
        CanonicalOrder {
            classifier: Classifier::new(doc),
        }
    }
}

impl Reorder for CanonicalOrder<'_> {
    fn reorder(&self, doc: &Document, parent: NodeId) -> Option<Vec<NodeId>> {
        // Most elements hold no set: find out without allocating.
        let set_members = doc
            .children(parent)
            .filter(|&c| {
                self.classifier
                    .classify(c)
                    .is_some_and(|k| k.order == ListOrder::Set)
            })
            .take(2)
            .count();
        if set_members < 2 {
            return None;
        }
        let children: Vec<NodeId> = doc.children(parent).collect();
        let mut slots = Vec::new();
        let mut members = Vec::new();
        for (i, &c) in children.iter().enumerate() {
            if let Some(kind) = self.classifier.classify(c)
                && kind.order == ListOrder::Set
            {
                slots.push(i);
                members.push((kind.name, key_of(doc, c, kind), c));
            }
        }
        if members.len() < 2 {
            return None;
        }
        let cmp = |a: &(&str, String, NodeId), b: &(&str, String, NodeId)| {
            a.0.cmp(b.0)
                .then_with(|| natural_cmp(&a.1, &b.1))
                .then_with(|| a.1.cmp(&b.1))
                // Equal keys: order by content so shuffled input still gives one output,
                // and by content whatever order its own lists are in, so normalizing twice
                // changes nothing.
                .then_with(|| doc.unordered_hash(a.2).cmp(&doc.unordered_hash(b.2)))
                .then_with(|| doc.raw(a.2).cmp(doc.raw(b.2)))
        };
        if members.is_sorted_by(|a, b| cmp(a, b).is_le()) {
            return None;
        }
        members.sort_by(cmp);
        let mut order = children;
        for (slot, (_, _, node)) in slots.into_iter().zip(members) {
            order[slot] = node;
        }
        Some(order)
    }
}

/// The canonical bytes of one document.
pub fn normalize_document(doc: &Document) -> Vec<u8> {
    let mut out = Vec::with_capacity(doc.text().len());
    doc.write_reordered(&mut out, &CanonicalOrder::new(doc));
    out
}

/// The canonical form of a whole package: XML entries normalized, other parts unchanged,
/// entry order and package form kept.
pub fn normalize(tree: &ComponentTree) -> Package {
    let entries = tree
        .entries
        .par_iter()
        .map(|e| Entry {
            path: e.path.clone(),
            data: match &e.part {
                // A YAML entry is the projection of its document, in the file's own style.
                Part::Xml(doc) if e.yaml.is_some() => {
                    let xml =
                        String::from_utf8(normalize_document(doc)).expect("a document is text");
                    crate::yaml::project::xml_text_to_yaml(
                        &xml,
                        &e.path,
                        e.yaml.as_ref().expect("checked"),
                    )
                    .map(String::into_bytes)
                    .unwrap_or_else(|_| doc.text().as_bytes().to_vec())
                }
                Part::Xml(doc) => match e.encoding {
                    TextEncoding::Utf8 { .. } => normalize_document(doc),
                    utf16 => encode_xml(
                        std::str::from_utf8(&normalize_document(doc)).expect("a document is text"),
                        utf16,
                    ),
                },
                Part::Bytes(b) => b.clone(),
            },
        })
        .collect();
    Package {
        form: tree.form,
        source: tree.source.clone(),
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let doc = Document::parse(s.to_string(), "t.xml").unwrap();
        String::from_utf8(normalize_document(&doc)).unwrap()
    }

    #[test]
    fn sorts_sets_keeps_sequences_and_gaps() {
        let input = "<ImportExportXml>\r\n  <SolutionManifest>\r\n    <RootComponents>\r\n      <RootComponent type=\"61\" schemaName=\"new_b\" />\r\n      <RootComponent type=\"1\" schemaName=\"Account\" />\r\n      <RootComponent type=\"9\" schemaName=\"new_a\" />\r\n    </RootComponents>\r\n  </SolutionManifest>\r\n</ImportExportXml>";
        let out = norm(input);
        let a = out.find("Account").unwrap();
        let b = out.find("new_a").unwrap();
        let c = out.find("new_b").unwrap();
        assert!(a < b && b < c, "{out}");
        assert_eq!(out.len(), input.len());
        assert_eq!(norm(&out), out, "idempotent");
        let seq = "<optionset Name=\"x\"><options><option value=\"2\" /><option value=\"1\" /></options></optionset>";
        assert_eq!(norm(seq), seq, "options are a sequence");
    }

    #[test]
    fn labels_sort_by_language_code_numerically() {
        let input = "<labels><label description=\"b\" languagecode=\"1036\" /><label description=\"a\" languagecode=\"1033\" /><label description=\"c\" languagecode=\"3082\" /></labels>";
        let out = norm(&format!("<cell id=\"x\">{input}</cell>"));
        let p = |s: &str| out.find(s).unwrap();
        assert!(p("1033") < p("1036") && p("1036") < p("3082"), "{out}");
    }

    #[test]
    fn only_set_members_move() {
        // Fetch columns are a set; sort orders are a sequence and keep their slots.
        let input = "<fetch><entity name=\"a\"><attribute name=\"z\" /><order attribute=\"z\" /><attribute name=\"b\" /><order attribute=\"b\" /></entity></fetch>";
        assert_eq!(
            norm(input),
            "<fetch><entity name=\"a\"><attribute name=\"b\" /><order attribute=\"z\" /><attribute name=\"z\" /><order attribute=\"b\" /></entity></fetch>"
        );
    }
}
