//! Structured three-way merge of JSON parts: cloud flow definitions (`Workflows/*.json`),
//! and any other JSON text a solution carries. Objects merge as maps by member name (one
//! side's additions land after the member they follow on that side), everything else —
//! strings, numbers, arrays — as a value: taken from the side that changed it, a conflict
//! when both changed it differently. Key order is not meaning, so a reorder alone is no
//! change; where both sides added members at the same place, ours' come first.
//!
//! The result is written like OURS: ours' layout (compact, or pretty with its indent unit),
//! newline style and final newline. That is only lossless when ours is written exactly the
//! way the serializer writes it — true of every flow definition Power Platform exports (all
//! 117 in the corpus) — so the merge checks it first and otherwise hands the file to the
//! line merge, saying why. Conflicts are written with git's markers around the member's
//! lines, one block per conflicting member; a one-line (compact) file has no lines to mark,
//! so there the line merge writes the conflict. The boundary type is [`MergeOutcome`].

use super::{
    Conflict, ConflictReason, ConflictStyle, MergeOptions, MergeOutcome, has_conflict_markers,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// Whether a text is JSON by its first character (after a BOM and white space): an object
/// or an array. XML, the other structured format, starts with `<`.
pub fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next(),
        Some('{' | '[')
    )
}

/// How a JSON text is laid out, read from the text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    /// `None`: compact, on one line. `Some(unit)`: pretty, one member a line, `unit` a level.
    indent: Option<String>,
    crlf: bool,
    final_newline: bool,
    bom: bool,
}

impl Layout {
    fn of(text: &str) -> Layout {
        let bom = text.starts_with('\u{feff}');
        let body = text.trim_start_matches('\u{feff}');
        let trimmed = body.trim_end();
        let indent = trimmed.contains('\n').then(|| {
            trimmed
                .lines()
                .nth(1)
                .map(|l| {
                    l.chars()
                        .take_while(|c| *c == ' ' || *c == '\t')
                        .collect::<String>()
                })
                .unwrap_or_default()
        });
        Layout {
            indent,
            crlf: body.contains("\r\n"),
            final_newline: body.ends_with('\n'),
            bom,
        }
    }

    /// The value written in this layout.
    fn render(&self, value: &Value) -> String {
        let mut text = if self.bom {
            "\u{feff}".to_string()
        } else {
            String::new()
        };
        text.push_str(&self.render_bare(value));
        if self.final_newline {
            text.push_str(if self.crlf { "\r\n" } else { "\n" });
        }
        text
    }

    /// The value alone: no BOM, no final newline.
    fn render_bare(&self, value: &Value) -> String {
        let mut buf = Vec::new();
        match &self.indent {
            Some(unit) => {
                let fmt = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
                let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
                value.serialize(&mut ser).expect("writing to memory");
            }
            None => serde_json::to_writer(&mut buf, value).expect("writing to memory"),
        }
        let text = String::from_utf8(buf).expect("serde_json writes UTF-8");
        // JSON strings hold no raw line breaks, so every `\n` is layout.
        if self.crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        }
    }
}

/// One member both sides changed differently, held in the merged value as a sentinel
/// string until the text is written.
struct Pending {
    pointer: String,
    base: Option<Value>,
    ours: Option<Value>,
    theirs: Option<Value>,
}

/// A string no JSON document holds (U+0001 is escaped as `\u0001` when written), carrying
/// the number of its [`Pending`] conflict.
fn sentinel(n: usize) -> String {
    format!("\u{1}soltree-conflict-{n}\u{1}")
}

struct Merger {
    pending: Vec<Pending>,
}

impl Merger {
    fn conflict(
        &mut self,
        pointer: &str,
        base: Option<&Value>,
        ours: Option<&Value>,
        theirs: Option<&Value>,
    ) -> Value {
        self.pending.push(Pending {
            pointer: pointer.to_string(),
            base: base.cloned(),
            ours: ours.cloned(),
            theirs: theirs.cloned(),
        });
        Value::String(sentinel(self.pending.len() - 1))
    }

    fn value(&mut self, pointer: &str, b: Option<&Value>, o: &Value, t: &Value) -> Value {
        if o == t || b == Some(t) {
            return o.clone();
        }
        if b == Some(o) {
            return t.clone();
        }
        match (b, o, t) {
            (None | Some(Value::Object(_)), Value::Object(om), Value::Object(tm)) => {
                let bm = b.and_then(Value::as_object);
                Value::Object(self.object(pointer, bm, om, tm))
            }
            _ => self.conflict(pointer, b, Some(o), Some(t)),
        }
    }

    fn object(
        &mut self,
        pointer: &str,
        b: Option<&Map<String, Value>>,
        o: &Map<String, Value>,
        t: &Map<String, Value>,
    ) -> Map<String, Value> {
        let at = |k: &str| format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
        let base_of = |k: &str| b.and_then(|m| m.get(k));
        // Ours' members in ours' order, merged with theirs'.
        let mut merged: Vec<(String, Value)> = Vec::with_capacity(o.len());
        for (k, ov) in o {
            let bv = base_of(k);
            match (t.get(k), bv) {
                (Some(tv), _) => merged.push((k.clone(), self.value(&at(k), bv, ov, tv))),
                // Theirs removed it: gone, unless ours changed it meanwhile.
                (None, Some(bv)) if bv == ov => {}
                (None, Some(bv)) => {
                    let c = self.conflict(&at(k), Some(bv), Some(ov), None);
                    merged.push((k.clone(), c));
                }
                // Ours added it.
                (None, None) => merged.push((k.clone(), ov.clone())),
            }
        }
        // Theirs' members that ours does not have: added by theirs (placed after the member
        // that precedes them in theirs), or removed by ours (gone, unless theirs changed it).
        let mut previous: Option<&str> = None;
        for (k, tv) in t {
            if o.contains_key(k) {
                previous = Some(k);
                continue;
            }
            let item = match base_of(k) {
                Some(bv) if bv == tv => None,
                Some(bv) => Some(self.conflict(&at(k), Some(bv), None, Some(tv))),
                None => Some(tv.clone()),
            };
            if let Some(v) = item {
                let mut slot = previous
                    .and_then(|p| merged.iter().position(|(mk, _)| mk == p))
                    .map_or(0, |i| i + 1);
                // Ours' own additions at the same place come first, as in the XML merge.
                while merged
                    .get(slot)
                    .is_some_and(|(mk, _)| base_of(mk).is_none() && !t.contains_key(mk))
                {
                    slot += 1;
                }
                merged.insert(slot, (k.clone(), v));
                previous = Some(k);
            }
        }
        merged.into_iter().collect()
    }
}

/// Merges three JSON texts. `Err` says why the line merge should take over: a side that is
/// not JSON or holds conflict markers, ours written in a layout the merge cannot reproduce,
/// or conflicts in a one-line file.
pub fn merge(
    base: Option<&str>,
    ours: &str,
    theirs: &str,
    opts: &MergeOptions,
) -> Result<MergeOutcome, String> {
    let sides = [
        ("base", base),
        ("ours", Some(ours)),
        ("theirs", Some(theirs)),
    ];
    if let Some((side, _)) = sides
        .iter()
        .find(|(_, text)| text.is_some_and(has_conflict_markers))
    {
        return Err(format!("{side} already holds conflict markers"));
    }
    let parse = |side: &str, text: &str| -> Result<Value, String> {
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            format!(
                "{side} is not valid JSON ({}:{}: {e})",
                e.line(),
                e.column()
            )
        })
    };
    let b = base
        .filter(|b| !b.trim().is_empty())
        .map(|b| parse("base", b))
        .transpose()?;
    let (o, t) = (parse("ours", ours)?, parse("theirs", theirs)?);
    let layout = Layout::of(ours);
    if layout.render(&o) != ours {
        return Err("ours is JSON in a layout the structured merge would not keep".into());
    }
    let mut m = Merger {
        pending: Vec::new(),
    };
    let merged = m.value("", b.as_ref(), &o, &t);
    let text = layout.render(&merged);
    if m.pending.is_empty() {
        return Ok(MergeOutcome {
            bytes: text.into_bytes(),
            conflicts: Vec::new(),
            decisions: Vec::new(),
            fallback: None,
        });
    }
    if layout.indent.is_none() {
        return Err(format!(
            "both sides changed {} in one-line JSON",
            m.pending[0].pointer
        ));
    }
    Ok(write_conflicts(text, &layout, m.pending, opts))
}

/// Replaces each sentinel's line with a conflict block: the line as ours, base and theirs
/// would have it (an absent side: no line).
fn write_conflicts(
    text: String,
    layout: &Layout,
    pending: Vec<Pending>,
    opts: &MergeOptions,
) -> MergeOutcome {
    let nl = if layout.crlf { "\r\n" } else { "\n" };
    let marker = |c: char, label: &str| {
        let m = c.to_string().repeat(opts.marker_size);
        if label.is_empty() {
            format!("{m}{nl}")
        } else {
            format!("{m} {label}{nl}")
        }
    };
    let mut out = String::with_capacity(text.len() + pending.len() * 256);
    for line in text.split_inclusive('\n') {
        let found = pending.iter().enumerate().find_map(|(n, p)| {
            let quoted = serde_json::to_string(&sentinel(n)).expect("a string");
            line.find(&quoted).map(|at| (p, at, at + quoted.len()))
        });
        let Some((p, start, end)) = found else {
            out.push_str(line);
            continue;
        };
        let (before, after) = (&line[..start], line[end..].trim_end_matches(['\r', '\n']));
        let indent: String = before
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let side = |v: &Option<Value>| -> String {
            v.as_ref().map_or(String::new(), |v| {
                let body = layout.render_bare(v).replace(nl, &format!("{nl}{indent}"));
                format!("{before}{body}{after}{nl}")
            })
        };
        out.push_str(&marker('<', &opts.label_ours));
        out.push_str(&side(&p.ours));
        if opts.style != ConflictStyle::Merge {
            out.push_str(&marker('|', &opts.label_base));
            out.push_str(&side(&p.base));
        }
        out.push_str(&marker('=', ""));
        out.push_str(&side(&p.theirs));
        out.push_str(&marker('>', &opts.label_theirs));
    }
    let shown = |v: &Option<Value>| v.as_ref().map(|v| layout.render_bare(v));
    let conflicts = pending
        .iter()
        .map(|p| Conflict {
            path: String::new(),
            kind: "json".into(),
            display_name: p.pointer.rsplit('/').next().unwrap_or_default().into(),
            property: p.pointer.clone(),
            reason: match (&p.ours, &p.theirs) {
                (None, _) => ConflictReason::DeletedByOurs,
                (_, None) => ConflictReason::DeletedByTheirs,
                _ if p.base.is_none() => ConflictReason::BothAdded,
                _ => ConflictReason::BothChanged,
            },
            base: shown(&p.base),
            ours: shown(&p.ours),
            theirs: shown(&p.theirs),
        })
        .collect();
    MergeOutcome {
        bytes: out.into_bytes(),
        conflicts,
        decisions: Vec::new(),
        fallback: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> MergeOptions {
        MergeOptions::default()
    }

    fn pretty(v: &str) -> String {
        let value: Value = serde_json::from_str(v).unwrap();
        format!("{}\n", serde_json::to_string_pretty(&value).unwrap())
    }

    fn merged(b: &str, o: &str, t: &str) -> MergeOutcome {
        merge(Some(&pretty(b)), &pretty(o), &pretty(t), &opts()).unwrap()
    }

    #[test]
    fn both_sides_add_actions_to_the_same_object() {
        let b = r#"{"actions": {"Get": {"type": "Http"}}}"#;
        let o = r#"{"actions": {"Get": {"type": "Http"}, "Send": {"type": "Mail"}}}"#;
        let t = r#"{"actions": {"Get": {"type": "Http"}, "Post": {"type": "Teams"}}}"#;
        let out = merged(b, o, t);
        assert!(out.is_clean());
        let v: Value = serde_json::from_slice(&out.bytes).unwrap();
        let keys: Vec<&String> = v["actions"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["Get", "Send", "Post"]
                .map(String::from)
                .iter()
                .collect::<Vec<_>>()
        );
        // Theirs' addition lands after the member it follows in theirs, after ours' own.
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            pretty(
                r#"{"actions": {"Get": {"type": "Http"}, "Send": {"type": "Mail"}, "Post": {"type": "Teams"}}}"#
            )
        );
    }

    #[test]
    fn disjoint_changes_removals_and_reorders_combine() {
        let b = r#"{"a": 1, "b": {"x": "1", "y": "2"}, "c": [1, 2], "d": true}"#;
        let o = r#"{"a": 2, "b": {"x": "1", "y": "2"}, "c": [1, 2]}"#;
        let t = r#"{"d": true, "c": [1, 2, 3], "a": 1, "b": {"y": "3", "x": "1"}}"#;
        let out = merged(b, o, t);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            // `b` changed on theirs only: theirs' value, in theirs' order.
            pretty(r#"{"a": 2, "b": {"y": "3", "x": "1"}, "c": [1, 2, 3]}"#)
        );
    }

    #[test]
    fn both_changed_is_a_conflict_around_the_member_lines() {
        let b = r#"{"a": {"expr": "@x"}, "z": 0}"#;
        let o = r#"{"a": {"expr": "@y"}, "z": 0}"#;
        let t = r#"{"a": {"expr": "@w"}, "z": 1}"#;
        let out = merged(b, o, t);
        assert_eq!(out.conflicts.len(), 1);
        let c = &out.conflicts[0];
        assert_eq!(
            (c.property.as_str(), c.reason),
            ("/a/expr", ConflictReason::BothChanged)
        );
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": {\n<<<<<<< ours\n    \"expr\": \"@y\"\n=======\n    \"expr\": \"@w\"\n>>>>>>> theirs\n  },\n  \"z\": 1\n}\n"
        );
    }

    #[test]
    fn delete_against_change_and_nested_values_in_markers() {
        let b = r#"{"a": {"k": 1}, "b": 2}"#;
        let o = r#"{"b": 2}"#;
        let t = r#"{"a": {"k": 5}, "b": 2}"#;
        let out = merged(b, o, t);
        assert_eq!(out.conflicts[0].reason, ConflictReason::DeletedByOurs);
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(
            text.contains(
                "<<<<<<< ours\n=======\n  \"a\": {\n    \"k\": 5\n  },\n>>>>>>> theirs\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn layouts_are_kept_or_refused() {
        let o = "{\r\n    \"a\": 1\r\n}";
        let t = "{\"a\": 1, \"b\": 2}";
        let out = merge(Some("{\"a\": 1}"), o, t, &opts()).unwrap();
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            "{\r\n    \"a\": 1,\r\n    \"b\": 2\r\n}"
        );
        let compact = merge(Some("{\"a\":1}"), "{\"a\":1,\"c\":3}", t, &opts()).unwrap();
        assert_eq!(compact.bytes, b"{\"a\":1,\"c\":3,\"b\":2}");
        let hand_written = merge(Some("{}"), "{ \"a\" : 1 }", t, &opts());
        assert!(hand_written.unwrap_err().contains("layout"));
        let one_line_conflict = merge(Some("{\"a\":1}"), "{\"a\":2}", "{\"a\":3}", &opts());
        assert!(one_line_conflict.unwrap_err().contains("/a"));
        assert!(
            merge(None, "{", "{}", &opts())
                .unwrap_err()
                .contains("ours is not valid JSON")
        );
    }

    #[test]
    fn diff3_shows_base_and_added_on_both_sides_is_both_added() {
        let o = pretty(r#"{"a": {"n": 1}}"#);
        let t = pretty(r#"{"a": {"n": 2}}"#);
        let mut diff3 = opts();
        diff3.style = ConflictStyle::Diff3;
        let out = merge(None, &o, &t, &diff3).unwrap();
        assert_eq!(out.conflicts[0].reason, ConflictReason::BothAdded);
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("||||||| base\n=======\n"), "{text}");
    }
}
