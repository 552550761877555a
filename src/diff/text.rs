//! Line diffs of text: web resource sources, workflow XAML, flow JSON and XML-in-a-string
//! payloads (fetchxml, DependencyXml, …). The boundary type is [`TextDiff`]: unified hunks
//! whose changed lines carry word-level highlight ranges, so every renderer can show them
//! (the text renderer in colour, JSON as byte ranges, Markdown as a `diff` block).

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiffConfig};
use std::time::Duration;

/// A line diff in unified hunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextDiff {
    pub hunks: Vec<Hunk>,
    /// Lines removed and added in total.
    pub removed: usize,
    pub added: usize,
    /// The diff gave up refining after its deadline; hunks are still correct, but coarser.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
}

/// One `@@ -a,b +c,d @@` hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LineOp {
    #[serde(rename = " ")]
    Context,
    #[serde(rename = "-")]
    Removed,
    #[serde(rename = "+")]
    Added,
}

impl LineOp {
    pub fn sign(self) -> char {
        match self {
            LineOp::Context => ' ',
            LineOp::Removed => '-',
            LineOp::Added => '+',
        }
    }
}

/// One line of a hunk, without its line break; `highlights` are byte ranges of the words
/// that changed (empty for context lines and for wholly new or removed lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub op: LineOp,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<(usize, usize)>,
}

/// Context lines around each change.
const CONTEXT: usize = 3;
/// A guard for pathological inputs: past this the diff is coarse, never slow (design.md 8).
const TIMEOUT: Duration = Duration::from_millis(500);

fn config() -> TextDiffConfig {
    let mut c = similar::TextDiff::configure();
    c.algorithm(Algorithm::Patience).timeout(TIMEOUT);
    c
}

/// Line diff of two texts; `None` when they have the same lines (line endings and a
/// trailing newline are not lines).
pub fn diff_lines(old: &str, new: &str) -> Option<TextDiff> {
    let old = normalize_newlines(old);
    let new = normalize_newlines(new);
    if old == new {
        return None;
    }
    let started = std::time::Instant::now();
    let diff = config().diff_lines(old.as_ref(), new.as_ref());
    let timed_out = started.elapsed() >= TIMEOUT;
    let mut out = TextDiff {
        hunks: Vec::new(),
        removed: 0,
        added: 0,
        timed_out,
    };
    for group in diff.grouped_ops(CONTEXT) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o, n) = (first.old_range().start, first.new_range().start);
        let mut hunk = Hunk {
            old_start: o + 1,
            old_lines: last.old_range().end - o,
            new_start: n + 1,
            new_lines: last.new_range().end - n,
            lines: Vec::new(),
        };
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let op = match change.tag() {
                    ChangeTag::Equal => LineOp::Context,
                    ChangeTag::Delete => LineOp::Removed,
                    ChangeTag::Insert => LineOp::Added,
                };
                match op {
                    LineOp::Removed => out.removed += 1,
                    LineOp::Added => out.added += 1,
                    LineOp::Context => {}
                }
                let mut text = String::new();
                let mut highlights = Vec::new();
                let mut plain = true;
                for (emphasized, part) in change.iter_strings_lossy() {
                    let part = part.trim_end_matches(['\n', '\r']);
                    if emphasized && !part.is_empty() {
                        highlights.push((text.len(), text.len() + part.len()));
                    } else if !part.is_empty() {
                        plain = false;
                    }
                    text.push_str(part);
                }
                // A line that is all highlight is simply new or gone: no word emphasis.
                if plain {
                    highlights.clear();
                }
                hunk.lines.push(Line {
                    op,
                    text,
                    highlights,
                });
            }
        }
        out.hunks.push(hunk);
    }
    Some(out)
}

/// CRLF as LF, no byte-order mark, and a final newline, so that the last line compares
/// equal whether or not the text ends with a line break.
fn normalize_newlines(s: &str) -> std::borrow::Cow<'_, str> {
    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
    if !s.contains('\r') && (s.is_empty() || s.ends_with('\n')) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut t = s.replace("\r\n", "\n");
    if !t.is_empty() && !t.ends_with('\n') {
        t.push('\n');
    }
    std::borrow::Cow::Owned(t)
}

/// JSON compared as JSON: `None` when either side is not a JSON object or array; else
/// `Some(None)` when the values are equal (key order and formatting are not meaning — flow
/// definitions were exported minified, now pretty, §6) and `Some(Some(diff))` of the
/// pretty-printed values otherwise.
pub fn json_diff(old: &str, new: &str) -> Option<Option<TextDiff>> {
    let parse = |t: &str| -> Option<serde_json::Value> {
        // serde_json's internal number marker would be read as a number: such a text is
        // compared as lines instead.
        if crate::input::looks_like_json(t) && !t.contains("$serde_json::private::") {
            serde_json::from_str(t.trim_start_matches('\u{feff}')).ok()
        } else {
            None
        }
    };
    let (a, b) = (parse(old)?, parse(new)?);
    if a == b {
        return Some(None);
    }
    // Members sorted by name, so that a reorder shows as nothing and a change in place.
    fn sorted(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut members: Vec<(&String, &serde_json::Value)> = m.iter().collect();
                members.sort_by(|a, b| a.0.cmp(b.0));
                members
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect()
            }
            serde_json::Value::Array(a) => a.iter().map(sorted).collect(),
            other => other.clone(),
        }
    }
    let pretty =
        |v: &serde_json::Value| serde_json::to_string_pretty(&sorted(v)).unwrap_or_default();
    Some(diff_lines(&pretty(&a), &pretty(&b)))
}

/// Embedded XML written on one line (escaped payloads usually are) diffs as one changed line;
/// break it between tags so the diff can point at the element that changed.
pub fn break_tags(s: &str) -> String {
    let t = s.trim();
    if !t.starts_with('<') || t.lines().count() > 3 {
        return s.to_string();
    }
    let mut out = String::with_capacity(t.len() + t.len() / 16);
    let mut prev = '\0';
    for ch in t.chars() {
        if ch == '<' && prev == '>' {
            out.push('\n');
        }
        out.push(ch);
        prev = ch;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_carry_word_highlights() {
        let d = diff_lines("a\nvar x = 1;\nb\n", "a\nvar x = 2;\nb\n").unwrap();
        assert_eq!((d.removed, d.added), (1, 1));
        let h = &d.hunks[0];
        assert_eq!(
            (h.old_start, h.old_lines, h.new_start, h.new_lines),
            (1, 3, 1, 3)
        );
        let added = h.lines.iter().find(|l| l.op == LineOp::Added).unwrap();
        assert_eq!(added.text, "var x = 2;");
        let (s, e) = added.highlights[0];
        assert!(added.text[s..e].starts_with('2'), "{added:?}");
        assert!(e - s < added.text.len(), "only the changed word stands out");
    }

    #[test]
    fn line_endings_are_not_changes() {
        assert!(diff_lines("a\r\nb\r\n", "a\nb\n").is_none());
        assert!(diff_lines("\u{feff}a\n", "a\n").is_none());
    }

    #[test]
    fn json_compares_as_values() {
        assert_eq!(
            json_diff("{\"a\":1,\"b\":[2]}", "{\n  \"b\": [2],\n  \"a\": 1\n}"),
            Some(None)
        );
        let d = json_diff("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":3}")
            .unwrap()
            .unwrap();
        assert_eq!((d.removed, d.added), (1, 1));
        assert_eq!(json_diff("not json", "{}"), None);
    }

    #[test]
    fn one_line_xml_is_broken_between_tags() {
        assert_eq!(
            break_tags("<a><b x=\"1\" /></a>"),
            "<a>\n<b x=\"1\" />\n</a>"
        );
        assert_eq!(break_tags("plain"), "plain");
    }
}
