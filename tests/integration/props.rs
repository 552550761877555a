//! Property tests on real corpus files: shuffling any unordered list leaves `normalize`'s
//! output unchanged; reordering an ordered list (form cells, options, sitemap subareas)
//! changes it; and `diff` finds a difference exactly when the normal forms differ.

use crate::corpus;
use proptest::prelude::*;
use soltree::diff::diff;
use soltree::input::{Entry, Package, PackageForm};
use soltree::model::kinds::ListOrder;
use soltree::model::{Classifier, ComponentTree};
use soltree::normalize::normalize_document;
use soltree::xml::{Document, NodeId, Reorder};

/// A tiny deterministic generator, so a failing case reproduces from its seed.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Permutes the members of one list kind (sets or sequences) among their own slots.
struct Shuffle<'d> {
    classifier: Classifier<'d>,
    order: ListOrder,
    seed: u64,
}

impl Reorder for Shuffle<'_> {
    fn reorder(&self, doc: &Document, parent: NodeId) -> Option<Vec<NodeId>> {
        let mut children: Vec<NodeId> = doc.children(parent).collect();
        let slots: Vec<usize> = (0..children.len())
            .filter(|&i| {
                self.classifier
                    .classify(children[i])
                    .is_some_and(|k| k.order == self.order)
            })
            .collect();
        if slots.len() < 2 {
            return None;
        }
        let mut members: Vec<NodeId> = slots.iter().map(|&i| children[i]).collect();
        let mut state = self.seed ^ u64::from(parent.0);
        for i in (1..members.len()).rev() {
            let j = (next(&mut state) % (i as u64 + 1)) as usize;
            members.swap(i, j);
        }
        for (slot, m) in slots.into_iter().zip(members) {
            children[slot] = m;
        }
        Some(children)
    }
}

fn shuffled(doc: &Document, order: ListOrder, seed: u64) -> Document {
    let mut out = Vec::new();
    doc.write_reordered(
        &mut out,
        &Shuffle {
            classifier: Classifier::new(doc),
            order,
            seed,
        },
    );
    Document::parse(String::from_utf8(out).unwrap(), "shuffled").unwrap()
}

fn real_files() -> Vec<Document> {
    let root = corpus();
    [
        "extracted/hmcts/2021-12-01_export_to_git/customizations.xml",
        "extracted/apollo/ApolloHospitalProject_1_0_0_3_managed/solution.xml",
    ]
    .iter()
    .map(|rel| {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        Document::parse(text, rel).unwrap()
    })
    .collect()
}

proptest! {
    #![proptest_config(crate::prop_config(12))]

    #[test]
    #[ignore = "needs SOLTREE_CORPUS"]
    fn shuffling_unordered_lists_does_not_change_normalize(seed in any::<u64>()) {
        for doc in real_files() {
            let s = shuffled(&doc, ListOrder::Set, seed);
            prop_assert!(s.text() != doc.text(), "the shuffle moved nothing");
            prop_assert!(normalize_document(&s) == normalize_document(&doc));
        }
    }

    #[test]
    #[ignore = "needs SOLTREE_CORPUS"]
    fn shuffling_ordered_lists_changes_normalize(seed in any::<u64>()) {
        for doc in real_files().into_iter().take(1) {
            let s = shuffled(&doc, ListOrder::Sequence, seed);
            // A shuffle can leave every list as it was only by chance; then nothing to check.
            if s.text() != doc.text() {
                prop_assert!(normalize_document(&s) != normalize_document(&doc));
            }
        }
    }
}

/// One attribute value changed somewhere below the root (the root holds the platform
/// versions, which are header-only by design): the element and attribute are drawn from
/// `seed`. Namespace declarations and the `xsi:nil` marker are not values; elements that only
/// hold components are placeholders of the package form.
fn edit_value(doc: &Document, seed: u64) -> Option<String> {
    let classifier = Classifier::new(doc);
    let mut candidates = Vec::new();
    for i in 1..doc.node_count() as u32 {
        let n = NodeId(i);
        if !doc.is_element(n) || Some(n) == doc.root() {
            continue;
        }
        let holds_only_components = doc.elements(n).next().is_some()
            && doc.elements(n).all(|c| {
                classifier
                    .classify(c)
                    .is_some_and(|k| k.role.is_component())
            });
        if holds_only_components {
            continue;
        }
        // A missing dependency's numbering, display names and versions are export state:
        // editing them is no change to diff.
        let dependency_end = |m: NodeId| {
            doc.parent(m)
                .is_some_and(|p| doc.is_element(p) && doc.name(p) == "MissingDependency")
        };
        let state = |name: &str| {
            (dependency_end(n) && soltree::model::noise::DEPENDENCY_STATE.contains(&name))
                || (doc.name(n) == "package" && doc.parent(n).is_some_and(dependency_end))
        };
        for (name, _) in doc.attributes(n) {
            if !name.starts_with("xmlns") && name != "xsi:nil" && !state(name) {
                candidates.push((n, name.to_string()));
            }
        }
    }
    if candidates.is_empty() {
        return None;
    }
    let mut state = seed;
    let (node, name) = &candidates[(next(&mut state) % candidates.len() as u64) as usize];
    let span = doc.attr_value_span(*node, name)?;
    let mut text = doc.text().to_string();
    text.insert(span.end, 'x');
    Some(text)
}

fn tree_of(name: &str, text: String) -> ComponentTree {
    ComponentTree::build(Package {
        form: PackageForm::XmlFile,
        source: name.into(),
        entries: vec![Entry {
            path: name.to_string(),
            data: text.into_bytes(),
        }],
    })
    .unwrap()
}

proptest! {
    #![proptest_config(crate::prop_config(12))]

    /// The differ and `normalize` agree on what is noise: a diff is empty exactly when the
    /// two normal forms are equal — for shuffled sets (noise), shuffled sequences and changed
    /// values (both meaning).
    #[test]
    #[ignore = "needs SOLTREE_CORPUS"]
    fn diff_is_empty_exactly_when_normal_forms_agree(seed in any::<u64>(), edit in 0u8..3) {
        for doc in real_files() {
            let name = if doc.text().contains("<SolutionManifest>") {
                "solution.xml"
            } else {
                "customizations.xml"
            };
            let changed = match edit {
                0 => Some(shuffled(&doc, ListOrder::Set, seed).text().to_string()),
                1 => Some(shuffled(&doc, ListOrder::Sequence, seed).text().to_string()),
                _ => edit_value(&doc, seed),
            };
            let Some(changed) = changed else { continue };
            let other = Document::parse(changed.clone(), name).unwrap();
            let same = normalize_document(&doc) == normalize_document(&other);
            let report = diff(&tree_of(name, doc.text().to_string()), &tree_of(name, changed));
            prop_assert_eq!(
                !report.has_differences(),
                same,
                "edit {} on {}: {:#?}",
                edit,
                name,
                report.components
            );
        }
    }
}
