//! The line-based fallback: an ordinary three-way line merge (`similar::TextMerge`) with
//! git's conflict markers, used when the structured merge cannot run. The boundary type is
//! the same [`MergeOutcome`], with [`MergeOutcome::fallback`] saying why.
//!
//! One thing it does beyond git's line merge: when ours uses one newline style throughout
//! and base or theirs uses the other one throughout (a file re-saved on another machine or
//! by another tool), that side is read in ours' style first, so a newline change alone does
//! not turn every line into a conflict. The result is written like ours, as everywhere.

use super::{Conflict, ConflictReason, ConflictStyle, MergeOptions, MergeOutcome};
use similar::{MergeResolution, TextMerge};
use std::borrow::Cow;

/// The newline a text uses, when it uses only one style (`None` for mixed or no newlines).
fn uniform_newline(text: &str) -> Option<&'static str> {
    let lf = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let crlf = memchr::memmem::find_iter(text.as_bytes(), b"\r\n").count();
    let cr = memchr::memchr_iter(b'\r', text.as_bytes()).count();
    if cr > crlf {
        // Line ends of a third kind (a bare CR): not one style.
        return None;
    }
    match (lf, crlf) {
        (0, _) => None,
        (n, c) if n == c => Some("\r\n"),
        (_, 0) => Some("\n"),
        _ => None,
    }
}

/// `text` in ours' newline style, when both use one style each and they differ.
fn in_style_of<'a>(text: &'a str, ours: Option<&str>) -> Cow<'a, str> {
    match (uniform_newline(text), ours) {
        (Some("\r\n"), Some("\n")) => Cow::Owned(text.replace("\r\n", "\n")),
        (Some("\n"), Some("\r\n")) => Cow::Owned(text.replace('\n', "\r\n")),
        _ => Cow::Borrowed(text),
    }
}

/// The merge writes its marker lines with `\n`; in a CRLF file they end in `\r\n` like the
/// rest, so editors and git see one newline style. So does a side's last line that had no
/// newline at all (the merge ends it with `\n` before the next marker).
fn crlf_markers(bytes: Vec<u8>, size: usize) -> Vec<u8> {
    let is_marker = |line: &[u8]| {
        [b'<', b'|', b'=', b'>'].iter().any(|&c| {
            line.len() > size
                && line[..size].iter().all(|&b| b == c)
                && matches!(line[size], b' ' | b'\n')
        })
    };
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() + 64);
    for (i, line) in lines.iter().enumerate() {
        let before_marker = lines.get(i + 1).is_some_and(|next| is_marker(next));
        let bare_lf = line.ends_with(b"\n") && !line.ends_with(b"\r\n");
        if bare_lf && (is_marker(line) || before_marker) {
            out.extend_from_slice(&line[..line.len() - 1]);
            out.extend_from_slice(b"\r\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Line merge of three texts.
pub fn merge(base: &str, ours: &str, theirs: &str, opts: &MergeOptions, why: &str) -> MergeOutcome {
    // A one-line ours says nothing about line ends: theirs', then base's, style decides.
    let style = uniform_newline(ours)
        .or_else(|| uniform_newline(theirs))
        .or_else(|| uniform_newline(base));
    let (base, theirs) = (in_style_of(base, style), in_style_of(theirs, style));
    let (base, theirs) = (base.as_ref(), theirs.as_ref());
    let mut m = TextMerge::configure().merge_lines(base, ours, theirs);
    m.conflict_style(match opts.style {
        ConflictStyle::Merge => similar::ConflictStyle::Merge,
        ConflictStyle::Diff3 | ConflictStyle::Zdiff3 => similar::ConflictStyle::Diff3,
    })
    .conflict_marker_size(opts.marker_size)
    .labels(&opts.label_base, &opts.label_ours, &opts.label_theirs);
    let mut bytes = Vec::with_capacity(ours.len());
    m.to_writer(&mut bytes).expect("writing to memory");
    if style == Some("\r\n") {
        bytes = crlf_markers(bytes, opts.marker_size);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MergeOptions {
        MergeOptions::default()
    }

    #[test]
    fn a_side_saved_with_other_newlines_merges_cleanly_in_ours_style() {
        let base = "a\r\nb\r\nc\r\nd\r\ne\r\n";
        let ours = "A\nb\nc\nd\ne\n";
        let theirs = "a\r\nb\r\nc\r\nd\r\nE\r\n";
        let out = merge(base, ours, theirs, &opts(), "test");
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(String::from_utf8(out.bytes).unwrap(), "A\nb\nc\nd\nE\n");
    }

    #[test]
    fn markers_in_a_crlf_file_end_in_crlf() {
        let out = merge("a\r\nb\r\n", "x\r\nb\r\n", "y\r\nb\r\n", &opts(), "test");
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(
            text,
            "<<<<<<< ours\r\nx\r\n=======\r\ny\r\n>>>>>>> theirs\r\nb\r\n"
        );
    }

    #[test]
    fn a_last_line_without_newline_in_a_crlf_file_ends_in_crlf_before_a_marker() {
        let out = merge(
            "a\r\nb\r\nc",
            "a\r\nb\r\nc2",
            "a\r\nb\r\nc3",
            &opts(),
            "test",
        );
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(
            text,
            "a\r\nb\r\n<<<<<<< ours\r\nc2\r\n=======\r\nc3\r\n>>>>>>> theirs\r\n"
        );
    }

    #[test]
    fn a_one_line_ours_takes_the_line_ends_of_theirs() {
        let out = merge("{\"a\":1}", "{\"a\":2}", "x\r\n{\"a\":3}", &opts(), "test");
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    }

    #[test]
    fn mixed_newlines_are_left_as_they_are() {
        assert_eq!(uniform_newline("a\r\nb\nc"), None);
        assert_eq!(uniform_newline("abc"), None);
        assert_eq!(
            uniform_newline("a\rb\rc\r\n"),
            None,
            "bare CRs besides a CRLF"
        );
        assert_eq!(in_style_of("a\r\nb\n", Some("\n")), "a\r\nb\n");
        // A real both-sides edit of the same line still conflicts.
        let out = merge("a\nb\n", "x\nb\n", "y\r\nb\r\n", &opts(), "test");
        assert_eq!(out.conflicts.len(), 1);
    }
}
