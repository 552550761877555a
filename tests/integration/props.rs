//! Property tests on real corpus files: shuffling any unordered list leaves `normalize`'s
//! output unchanged; reordering an ordered list (form cells, options, sitemap subareas)
//! changes it.

use crate::corpus;
use proptest::prelude::*;
use soltree::model::Classifier;
use soltree::model::kinds::ListOrder;
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
    let Some(root) = corpus() else {
        return Vec::new();
    };
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
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn shuffling_unordered_lists_does_not_change_normalize(seed in any::<u64>()) {
        for doc in real_files() {
            let s = shuffled(&doc, ListOrder::Set, seed);
            prop_assert!(s.text() != doc.text(), "the shuffle moved nothing");
            prop_assert!(normalize_document(&s) == normalize_document(&doc));
        }
    }

    #[test]
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
