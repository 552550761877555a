//! Three-way merge of one file of the YAML layout (Dataverse's Git integration): through
//! its XML projection, by the same structured merge as every XML file, and written back as
//! YAML in ours' style. The boundary type is [`MergeOutcome`], as for the other merges.
//!
//! Conflicts: the XML merge puts markers around the smallest element; each side of every
//! conflict is one reading of the result. The result is projected once with every conflict
//! read as ours and once as theirs; outside the conflicts the two YAML texts are the same
//! bytes, so the lines where they differ are exactly the conflicts, written as YAML
//! between git's markers (with base's lines for `diff3`). A list that one side grew from
//! one item to two changes shape in YAML (the collapse); in the projection it is only a
//! list, so the shape comes out of the merged list, never out of a line merge.

use super::{ConflictStyle, MergeOptions, MergeOutcome, Unstructured};
use crate::input::TextEncoding;
use crate::model::projected_xml_style;
use crate::yaml::{self, project};
use similar::{DiffOp, TextDiff};
use std::time::Instant;

/// Merges three YAML texts; `Err` says why the structured merge cannot take them (the
/// caller line-merges them then).
pub(super) fn merge(
    base: Option<&str>,
    ours: &str,
    theirs: &str,
    opts: &MergeOptions,
    deadline: Instant,
) -> Result<MergeOutcome, String> {
    let file = opts.path.as_deref().unwrap_or("(yaml)");
    let read = |text: &str, side: &str| -> Result<(String, yaml::Style), String> {
        let doc = yaml::Document::parse(text, side).map_err(|e| {
            format!(
                "{side} is not YAML as Dataverse writes it ({}:{}: {})",
                e.line, e.column, e.found
            )
        })?;
        let xml = project::to_xml(&doc, file, &projected_xml_style())
            .map_err(|e| format!("{side} does not project to XML ({e})"))?;
        Ok((xml, doc.style))
    };
    let (o, mut style) = read(ours, "ours")?;
    let (t, theirs_style) = read(theirs, "theirs")?;
    let base = base.map(|b| read(b, "base")).transpose()?;
    // The comments at the top (not part of the tree) merge as one value: theirs where ours
    // kept base's; else ours (one side's edit is never dropped for base's), said in the
    // report when theirs changed them too.
    let base_header = base.as_ref().map(|(_, s)| s.header.as_str());
    let mut decision = None;
    if base_header == Some(style.header.as_str()) {
        style.header = theirs_style.header;
    } else if theirs_style.header != style.header && base_header != Some(&theirs_style.header) {
        decision = Some(super::Decision {
            rule: "comments-at-the-top-from-ours",
            path: file.to_string(),
            property: "comments at the top of the file".to_string(),
            ours: Some(style.header.trim_end().to_string()),
            theirs: Some(theirs_style.header.trim_end().to_string()),
            result: Some(style.header.trim_end().to_string()),
        });
    }
    let b = base.map(|r| r.0);
    // Base's lines of each conflict are needed for diff3 whatever the user's style; the
    // result's check runs on the YAML result, in the runs.
    let inner = MergeOptions {
        style: ConflictStyle::Diff3,
        check_result: false,
        ..opts.clone()
    };
    let encoding = TextEncoding::Utf8 { bom: false };
    let mut outcome =
        super::structured(b, o, t, encoding, &inner, deadline).map_err(|(why, ..)| match why {
            Unstructured::Timeout => format!(
                "the structured merge passed its time limit of {:?}",
                opts.timeout
            ),
            Unstructured::Reason(why) => why,
        })?;
    outcome.decisions.extend(decision);
    let xml = String::from_utf8(std::mem::take(&mut outcome.bytes)).expect("merged text");
    let to_yaml = |xml: &str| {
        project::xml_text_to_yaml(xml, file, &style)
            .map_err(|e| format!("the merged result does not project back to YAML ({e})"))
    };
    if outcome.is_clean() {
        outcome.bytes = to_yaml(&xml)?.into_bytes();
        return Ok(outcome);
    }
    let [as_ours, as_base, as_theirs] = readings(&xml, inner.marker_size);
    if as_ours == as_theirs {
        // Conflicts without markers (none today): nothing to mark in the YAML either.
        outcome.bytes = to_yaml(&as_ours)?.into_bytes();
        return Ok(outcome);
    }
    let (a, b, t) = (to_yaml(&as_ours)?, to_yaml(&as_base)?, to_yaml(&as_theirs)?);
    outcome.bytes = marked(&a, &b, &t, opts, style.newline.as_str()).into_bytes();
    Ok(outcome)
}

/// The three readings of a text with diff3 conflict markers: every conflict as ours, as
/// base and as theirs.
fn readings(text: &str, size: usize) -> [String; 3] {
    let marker = |line: &str, c: char| {
        line.len() >= size
            && line.chars().take(size).all(|x| x == c)
            && line[size..]
                .chars()
                .next()
                .is_none_or(|n| n == ' ' || n == '\n' || n == '\r')
    };
    #[derive(PartialEq)]
    enum In {
        All,
        Ours,
        Base,
        Theirs,
    }
    let mut at = In::All;
    let mut out = [String::new(), String::new(), String::new()];
    for line in text.split_inclusive('\n') {
        if marker(line, '<') {
            at = In::Ours;
        } else if at == In::Ours && marker(line, '|') {
            at = In::Base;
        } else if (at == In::Ours || at == In::Base) && marker(line, '=') {
            at = In::Theirs;
        } else if at == In::Theirs && marker(line, '>') {
            at = In::All;
        } else {
            let take = match at {
                In::All => [true, true, true],
                In::Ours => [true, false, false],
                In::Base => [false, true, false],
                In::Theirs => [false, false, true],
            };
            for (o, keep) in out.iter_mut().zip(take) {
                if keep {
                    o.push_str(line);
                }
            }
        }
    }
    out
}

/// Ours' reading with git's markers around every run of lines where theirs' reading
/// differs (and base's lines there, for diff3 and zdiff3).
fn marked(ours: &str, base: &str, theirs: &str, opts: &MergeOptions, newline: &str) -> String {
    let a: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let to_theirs = TextDiff::configure().diff_slices(&a, &t);
    let to_base = TextDiff::configure().diff_slices(&a, &b);
    let base_at = |i: usize, end: bool| map_line(to_base.ops(), i, end);
    let marker = |c: char, label: &str| {
        let mut m: String = std::iter::repeat_n(c, opts.marker_size).collect();
        if !label.is_empty() {
            m.push(' ');
            m.push_str(label);
        }
        m.push_str(newline);
        m
    };
    let mut out = String::with_capacity(ours.len() + 256);
    let mut ops = to_theirs.ops().iter().peekable();
    while let Some(op) = ops.next() {
        if let DiffOp::Equal { old_index, len, .. } = *op {
            out.extend(a[old_index..old_index + len].iter().copied());
            continue;
        }
        // One region for a run of changes.
        let (mut a_range, mut t_range) = (op.old_range(), op.new_range());
        while let Some(next) = ops.peek() {
            if matches!(next, DiffOp::Equal { .. }) {
                break;
            }
            a_range.end = next.old_range().end;
            t_range.end = next.new_range().end;
            ops.next();
        }
        let with_newline = |lines: &[&str]| {
            let mut s: String = lines.concat();
            if !s.is_empty() && !s.ends_with('\n') {
                s.push_str(newline);
            }
            s
        };
        out.push_str(&marker('<', &opts.label_ours));
        out.push_str(&with_newline(&a[a_range.clone()]));
        if opts.style != ConflictStyle::Merge {
            out.push_str(&marker('|', &opts.label_base));
            let (from, to) = (base_at(a_range.start, false), base_at(a_range.end, true));
            out.push_str(&with_newline(&b[from..to.max(from)]));
        }
        out.push_str(&marker('=', ""));
        out.push_str(&with_newline(&t[t_range]));
        out.push_str(&marker('>', &opts.label_theirs));
    }
    out
}

/// Where line boundary `i` of one text falls in the other, by their diff: exact inside
/// equal runs; at a change, its start (for a region's start) or its end.
fn map_line(ops: &[DiffOp], i: usize, end: bool) -> usize {
    for op in ops {
        let (old, new) = (op.old_range(), op.new_range());
        if let DiffOp::Equal { .. } = op
            && old.start <= i
            && i <= old.end
        {
            return new.start + (i - old.start);
        }
        if old.start <= i && i <= old.end {
            return if end { new.end } else { new.start };
        }
    }
    ops.last().map_or(0, |op| op.new_range().end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MergeOptions {
        MergeOptions {
            path: Some("entities/a/attributes/x.yml".into()),
            ..MergeOptions::default()
        }
    }

    fn run(base: &str, ours: &str, theirs: &str) -> MergeOutcome {
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        merge(Some(base), ours, theirs, &opts(), deadline).unwrap()
    }

    const BASE: &str = "attribute:\n  '@PhysicalName': new_a\n  Type: nvarchar\n  displaynames:\n    displayname:\n      '@description': A\n      '@languagecode': 1033\n";

    #[test]
    fn a_label_added_on_one_side_and_a_value_changed_on_the_other_merge_into_the_sequence_form() {
        let ours = BASE.replace("Type: nvarchar", "Type: ntext");
        let theirs = "attribute:\n  '@PhysicalName': new_a\n  Type: nvarchar\n  displaynames:\n    displayname:\n    - '@description': A\n      '@languagecode': 1033\n    - '@description': Un\n      '@languagecode': 1036\n";
        let out = run(BASE, &ours, theirs);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            theirs.replace("Type: nvarchar", "Type: ntext")
        );
    }

    #[test]
    fn one_label_changed_two_ways_is_one_marked_yaml_line() {
        let ours = BASE.replace("'@description': A", "'@description': Ours");
        let theirs = BASE.replace("'@description': A", "'@description': Theirs");
        let out = run(BASE, &ours, &theirs);
        assert_eq!(out.conflicts.len(), 1);
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(
            text,
            "attribute:\n  '@PhysicalName': new_a\n  Type: nvarchar\n  displaynames:\n    displayname:\n<<<<<<< ours\n      '@description': Ours\n=======\n      '@description': Theirs\n>>>>>>> theirs\n      '@languagecode': 1033\n"
        );
    }

    #[test]
    fn comments_at_the_top_changed_on_both_sides_keep_ours_and_say_so() {
        let ours = format!("# ours\n{BASE}");
        let theirs = format!(
            "# theirs\n{}",
            BASE.replace("Type: nvarchar", "Type: ntext")
        );
        let out = run(BASE, &ours, &theirs);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            format!("# ours\n{}", BASE.replace("Type: nvarchar", "Type: ntext"))
        );
        let [d] = &out.decisions[..] else {
            panic!("{:?}", out.decisions)
        };
        assert_eq!(d.rule, "comments-at-the-top-from-ours");
        assert_eq!(d.theirs.as_deref(), Some("# theirs"));
        // Only theirs changed them: theirs, and nothing to say.
        let out = run(BASE, BASE, &theirs);
        assert!(
            String::from_utf8(out.bytes)
                .unwrap()
                .starts_with("# theirs\n")
        );
        assert!(out.decisions.is_empty(), "{:?}", out.decisions);
    }

    #[test]
    fn readings_split_diff3_markers() {
        let text = "a\n<<<<<<< ours\no\n||||||| base\nb\n=======\nt\n>>>>>>> theirs\nz\n";
        let [o, b, t] = readings(text, 7);
        assert_eq!(
            (o.as_str(), b.as_str(), t.as_str()),
            ("a\no\nz\n", "a\nb\nz\n", "a\nt\nz\n")
        );
    }
}
