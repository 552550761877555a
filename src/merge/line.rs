//! The line-based fallback: an ordinary three-way line merge (`similar::TextMerge`) with
//! git's conflict markers, used when the structured merge cannot run. The boundary type is
//! the same [`MergeOutcome`], with [`MergeOutcome::fallback`] saying why.

use super::{Conflict, ConflictReason, ConflictStyle, MergeOptions, MergeOutcome};
use similar::{MergeResolution, TextMerge};

/// Line merge of three texts.
pub fn merge(base: &str, ours: &str, theirs: &str, opts: &MergeOptions, why: &str) -> MergeOutcome {
    let mut m = TextMerge::configure().merge_lines(base, ours, theirs);
    m.conflict_style(match opts.style {
        ConflictStyle::Merge => similar::ConflictStyle::Merge,
        ConflictStyle::Diff3 | ConflictStyle::Zdiff3 => similar::ConflictStyle::Diff3,
    })
    .conflict_marker_size(opts.marker_size)
    .labels(&opts.label_base, &opts.label_ours, &opts.label_theirs);
    let mut bytes = Vec::with_capacity(ours.len());
    m.to_writer(&mut bytes).expect("writing to memory");
    // Each text is split once, however many conflict regions there are.
    let (base_lines, ours_lines, theirs_lines): (Vec<&str>, Vec<&str>, Vec<&str>) = (
        base.split_inclusive('\n').collect(),
        ours.split_inclusive('\n').collect(),
        theirs.split_inclusive('\n').collect(),
    );
    let conflicts = m
        .regions()
        .iter()
        .filter(|r| r.resolution() == MergeResolution::Conflict)
        .map(|r| {
            let lines = |text: &[&str], range: std::ops::Range<usize>| -> String {
                text.get(range).map(|l| l.concat()).unwrap_or_default()
            };
            Conflict {
                path: String::new(),
                kind: String::new(),
                display_name: String::new(),
                property: format!("lines {}-{}", r.ours_range().start + 1, r.ours_range().end),
                reason: ConflictReason::Lines,
                base: Some(lines(&base_lines, r.base_range())),
                ours: Some(lines(&ours_lines, r.ours_range())),
                theirs: Some(lines(&theirs_lines, r.theirs_range())),
            }
        })
        .collect();
    MergeOutcome {
        bytes,
        conflicts,
        decisions: Vec::new(),
        fallback: Some(format!("line merge: {why}")),
    }
}

/// Inputs that are not text at all, changed on both sides: keep ours and report one
/// conflict for the whole file (a one-sided change never gets here).
pub fn keep_ours(ours: &[u8], why: &str) -> MergeOutcome {
    MergeOutcome {
        bytes: ours.to_vec(),
        conflicts: vec![Conflict {
            path: String::new(),
            kind: String::new(),
            display_name: String::new(),
            property: "whole file".into(),
            reason: ConflictReason::BothChanged,
            base: None,
            ours: None,
            theirs: None,
        }],
        decisions: Vec::new(),
        fallback: Some(format!("kept ours whole: {why}")),
    }
}
