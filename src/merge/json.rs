//! Structured three-way merge of JSON parts: cloud flow definitions (`Workflows/*.json`),
//! and any other JSON text a solution carries. Objects merge as maps by member name (one
//! side's additions land after the member they follow on that side), arrays as sequences,
//! strings, numbers and booleans as values: taken from the side that changed it, a conflict
//! when both changed it differently. Key order is not meaning, so a reorder alone is no
//! change; where both sides added members at the same place, ours' come first.
//!
//! The result is written like OURS: ours' layout (compact, or pretty with its indent unit),
//! newline style and final newline. That is only lossless when ours is written exactly the
//! way the serializer writes it — true of every flow definition Power Platform exports (all
//! 118 in the corpus) — so the merge checks it first and otherwise hands the file to the
//! line merge, saying why. Conflicts are written with git's markers around the member's
//! lines, one block per conflicting member; a one-line (compact) file has no lines to mark,
//! so there the line merge writes the conflict. The boundary type is [`MergeOutcome`].

use super::{
    Conflict, ConflictReason, ConflictStyle, MergeOptions, MergeOutcome, has_conflict_markers,
};
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Instant;

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

    /// Ours' layout, except where ours cannot tell: an empty object or array, or a bare
    /// value, is written the same way compact and pretty, so `{}` says nothing about the
    /// file's indentation (nor, on one line, its newline style). Those come from the first
    /// of `others` (base, then theirs) that can tell.
    fn of_sides(ours: &str, value: &Value, others: [Option<(&str, &Value)>; 2]) -> Layout {
        let mut layout = Layout::of(ours);
        if !tells_layout(value)
            && let Some((text, _)) = others.into_iter().flatten().find(|(_, v)| tells_layout(v))
        {
            let other = Layout::of(text);
            layout.indent = other.indent;
            if !ours.contains('\n') {
                layout.crlf = other.crlf;
            }
        }
        layout
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

/// Whether a value's text shows its layout: only a non-empty object or array is written
/// differently compact and pretty.
fn tells_layout(value: &Value) -> bool {
    match value {
        Value::Object(members) => !members.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
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

/// The text every sentinel holds. Inputs that contain it are refused (line merge), so a
/// sentinel in the written text is always one of this merge's.
const SENTINEL_MARK: &str = "soltree-conflict-";

/// A string standing for the [`Pending`] conflict `n` in the merged value (U+0001 is
/// written as `\u0001`, so the sentinel is a line of its own kind in the text).
fn sentinel(n: usize) -> String {
    format!("\u{1}{SENTINEL_MARK}{n}\u{1}")
}

/// How many merge steps run between two looks at the clock.
const CLOCK_EVERY: u32 = 4096;

struct Merger {
    pending: Vec<Pending>,
    deadline: Instant,
    ticks: u32,
    timed_out: bool,
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

    /// Past the deadline the merge stops descending; the caller then hands the file to the
    /// line merge, so what is returned from here on is never written.
    fn out_of_time(&mut self) -> bool {
        self.ticks += 1;
        if self.ticks.is_multiple_of(CLOCK_EVERY) && Instant::now() > self.deadline {
            self.timed_out = true;
        }
        self.timed_out
    }

    fn value(&mut self, pointer: &str, b: Option<&Value>, o: &Value, t: &Value) -> Value {
        if self.out_of_time() || o == t || b == Some(t) {
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
            (Some(Value::Array(ba)), Value::Array(oa), Value::Array(ta)) => {
                match self.array(pointer, ba, oa, ta) {
                    Some(merged) => Value::Array(merged),
                    None => self.conflict(pointer, b, Some(o), Some(t)),
                }
            }
            _ => self.conflict(pointer, b, Some(o), Some(t)),
        }
    }

    /// Arrays (conditions' `and`/`or` lists, parameter lists) merge as sequences: of equal
    /// length on all three sides, element by element; otherwise as a three-way merge of the
    /// elements as wholes (insertions and removals from both sides, where they do not
    /// touch). `None` when the two sides changed the same stretch: a conflict on the array.
    fn array(
        &mut self,
        pointer: &str,
        b: &[Value],
        o: &[Value],
        t: &[Value],
    ) -> Option<Vec<Value>> {
        if b.len() == o.len() && o.len() == t.len() {
            let merged = (0..o.len())
                .map(|i| self.value(&format!("{pointer}/{i}"), Some(&b[i]), &o[i], &t[i]))
                .collect();
            return Some(merged);
        }
        // Each distinct element becomes one line of a token text, so the line merge does
        // the sequence work.
        fn tokens<'v>(ids: &mut Vec<&'v Value>, side: &'v [Value]) -> String {
            let mut text = String::new();
            for v in side {
                let id = ids.iter().position(|x| *x == v).unwrap_or_else(|| {
                    ids.push(v);
                    ids.len() - 1
                });
                text.push_str(&format!("{id}\n"));
            }
            text
        }
        let mut ids: Vec<&Value> = Vec::new();
        let (bt, ot, tt) = (
            tokens(&mut ids, b),
            tokens(&mut ids, o),
            tokens(&mut ids, t),
        );
        let m = similar::TextMerge::configure().merge_lines(&bt, &ot, &tt);
        if m.regions()
            .iter()
            .any(|r| r.resolution() == similar::MergeResolution::Conflict)
        {
            return None;
        }
        let mut merged = Vec::new();
        m.to_writer(&mut merged).ok()?;
        String::from_utf8(merged)
            .ok()?
            .lines()
            .map(|l| {
                l.parse::<usize>()
                    .ok()
                    .and_then(|i| ids.get(i))
                    .map(|v| (*v).clone())
            })
            .collect()
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
        // Theirs' members that ours does not have: added by theirs, or removed by ours (gone,
        // unless theirs changed it). Each run of them follows the member of ours that
        // precedes it in theirs (the front when none does).
        let mut runs: FxHashMap<Option<&String>, Vec<(String, Value)>> = FxHashMap::default();
        let mut anchor: Option<&String> = None;
        for (k, tv) in t {
            if o.contains_key(k) {
                anchor = Some(k);
                continue;
            }
            let item = match base_of(k) {
                Some(bv) if bv == tv => None,
                Some(bv) => Some(self.conflict(&at(k), Some(bv), None, Some(tv))),
                None => Some(tv.clone()),
            };
            if let Some(v) = item {
                runs.entry(anchor).or_default().push((k.clone(), v));
            }
        }
        if runs.is_empty() {
            return merged.into_iter().collect();
        }
        // Ours' own additions right after an anchor come first, as in the XML merge.
        let ours_addition = |k: &str| base_of(k).is_none() && !t.contains_key(k);
        let mut out = Map::with_capacity(merged.len() + runs.len());
        let mut waiting = runs.remove(&None).unwrap_or_default();
        for (k, v) in merged {
            if !ours_addition(&k) {
                out.extend(waiting.drain(..));
            }
            // Anchors are theirs' names for members of ours: look the run up by ours' name.
            let run = o
                .get_key_value(&k)
                .and_then(|(name, _)| runs.remove(&Some(name)));
            out.insert(k, v);
            if let Some(run) = run {
                out.extend(waiting.drain(..));
                waiting = run;
            }
        }
        out.extend(waiting);
        out
    }
}

/// Reads one side, refusing what `Value` would silently change: a member name given twice
/// in one object (the last would win), serde_json's internal number marker, or this merge's
/// sentinel text.
fn parse(side: &str, text: &str) -> Result<Value, String> {
    let text = text.trim_start_matches('\u{feff}');
    let invalid = |e: serde_json::Error| {
        if e.to_string().contains("recursion limit") {
            format!("{side} nests JSON deeper than the structured merge reads")
        } else {
            format!(
                "{side} is not valid JSON ({}:{}: {e})",
                e.line(),
                e.column()
            )
        }
    };
    if text.contains(SENTINEL_MARK) || text.contains("$serde_json::private::") {
        return Err(format!("{side} holds text the JSON merge reserves"));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(UniqueKeys, &mut de).map_err(|e| {
        if e.to_string().starts_with("duplicate member") {
            format!("{side} has a JSON {e}")
        } else {
            invalid(e)
        }
    })?;
    serde_json::from_str(text).map_err(invalid)
}

/// Walks a JSON text and fails on the first object that names a member twice.
#[derive(Clone, Copy)]
struct UniqueKeys;

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = rustc_hash::FxHashSet::default();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate member \"{key}\""
                )));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// Merges three JSON texts. `Err` says why the line merge should take over: a side that is
/// not JSON (or JSON `Value` cannot hold as written) or holds conflict markers, ours written
/// in a layout the merge cannot reproduce, conflicts in a one-line file, or the time limit.
pub fn merge(
    base: Option<&str>,
    ours: &str,
    theirs: &str,
    opts: &MergeOptions,
    deadline: Instant,
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
    let b = base.map(|b| parse("base", b)).transpose()?;
    let (o, t) = (parse("ours", ours)?, parse("theirs", theirs)?);
    let layout = Layout::of_sides(ours, &o, [base.zip(b.as_ref()), Some((theirs, &t))]);
    if layout.render(&o) != ours {
        return Err("ours is JSON in a layout the structured merge would not keep".into());
    }
    let mut m = Merger {
        pending: Vec::new(),
        deadline,
        ticks: 0,
        timed_out: false,
    };
    let merged = m.value("", b.as_ref(), &o, &t);
    if m.timed_out {
        return Err(super::timed_out(opts.timeout));
    }
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
    const CLOSING: &str = "\\u0001\"";
    let opening = format!("\"\\u0001{SENTINEL_MARK}");
    let mut out = String::with_capacity(text.len() + pending.len() * 256);
    for line in text.split_inclusive('\n') {
        // A sentinel as written: `"\u0001soltree-conflict-<n>\u0001"`.
        let found = line.find(&opening).and_then(|at| {
            let digits = &line[at + opening.len()..];
            let len = digits.bytes().take_while(u8::is_ascii_digit).count();
            let n: usize = digits[..len].parse().ok()?;
            digits[len..]
                .starts_with(CLOSING)
                .then(|| (pending.get(n), at, at + opening.len() + len + CLOSING.len()))
        });
        let Some((Some(p), start, end)) = found else {
            out.push_str(line);
            continue;
        };
        let (before, after) = (&line[..start], line[end..].trim_end_matches(['\r', '\n']));
        let indent: String = before
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        // The last member of an object, absent on a side: the comma that ends the member
        // before it belongs to the sides that have this one, so that line moves into the
        // block, with its comma where the member follows and without where it does not.
        let mut carried: Option<String> = None;
        let absent_somewhere = p.ours.is_none() || p.theirs.is_none() || p.base.is_none();
        if absent_somewhere && !after.trim_start().starts_with(',') {
            let comma_nl = format!(",{nl}");
            if out.ends_with(&comma_nl) {
                let end = out.len() - comma_nl.len();
                let start = out[..end].rfind('\n').map_or(0, |i| i + 1);
                let previous = &out[start..end];
                let is_marker = ['<', '|', '=', '>']
                    .iter()
                    .any(|&c| previous.starts_with(&c.to_string().repeat(opts.marker_size)));
                if !is_marker {
                    carried = Some(previous.to_string());
                    out.truncate(start);
                }
            }
        }
        let side = |v: &Option<Value>| -> String {
            let lead = |comma: &str| {
                carried
                    .as_ref()
                    .map_or(String::new(), |line| format!("{line}{comma}{nl}"))
            };
            match v {
                Some(v) => {
                    let body = layout.render_bare(v).replace(nl, &format!("{nl}{indent}"));
                    format!("{}{before}{body}{after}{nl}", lead(","))
                }
                None => lead(""),
            }
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
            display_name: match p.pointer.rsplit_once('/') {
                Some((_, name)) => name.replace("~1", "/").replace("~0", "~"),
                None => "(the whole document)".into(),
            },
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

    fn later() -> Instant {
        Instant::now() + std::time::Duration::from_secs(60)
    }

    fn pretty(v: &str) -> String {
        let value: Value = serde_json::from_str(v).unwrap();
        format!("{}\n", serde_json::to_string_pretty(&value).unwrap())
    }

    fn merged(b: &str, o: &str, t: &str) -> MergeOutcome {
        merge(Some(&pretty(b)), &pretty(o), &pretty(t), &opts(), later()).unwrap()
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
    fn an_emptied_ours_takes_its_layout_from_base_then_theirs() {
        // Ours deleted the only member: `{}` is pretty and compact at once.
        let out = merge(
            Some("{\n  \"a\": 1\n}"),
            "{}",
            "{\n  \"a\": 1,\n  \"b\": 2\n}",
            &opts(),
            later(),
        )
        .unwrap();
        assert_eq!(String::from_utf8(out.bytes).unwrap(), "{\n  \"b\": 2\n}");
        // A base that cannot tell either: theirs tells; CRLF comes along on a one-line ours.
        let out = merge(Some("[]"), "[]", "[\r\n    1\r\n]", &opts(), later()).unwrap();
        assert_eq!(String::from_utf8(out.bytes).unwrap(), "[\r\n    1\r\n]");
        // Ours' own final newline stays ours'.
        let out = merge(
            Some("{\r\n  \"a\": 1\r\n}\r\n"),
            "{}\r\n",
            "{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n",
            &opts(),
            later(),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            "{\r\n  \"b\": 2\r\n}\r\n"
        );
        // A compact base keeps a compact result.
        let out = merge(
            Some("{\"a\":1}"),
            "{}",
            "{\"a\":1,\"b\":2}",
            &opts(),
            later(),
        )
        .unwrap();
        assert_eq!(out.bytes, b"{\"b\":2}");
    }

    #[test]
    fn layouts_are_kept_or_refused() {
        let o = "{\r\n    \"a\": 1\r\n}";
        let t = "{\"a\": 1, \"b\": 2}";
        let out = merge(Some("{\"a\": 1}"), o, t, &opts(), later()).unwrap();
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            "{\r\n    \"a\": 1,\r\n    \"b\": 2\r\n}"
        );
        let compact = merge(Some("{\"a\":1}"), "{\"a\":1,\"c\":3}", t, &opts(), later()).unwrap();
        assert_eq!(compact.bytes, b"{\"a\":1,\"c\":3,\"b\":2}");
        let hand_written = merge(Some("{}"), "{ \"a\" : 1 }", t, &opts(), later());
        assert!(hand_written.unwrap_err().contains("layout"));
        let one_line_conflict = merge(
            Some("{\"a\":1}"),
            "{\"a\":2}",
            "{\"a\":3}",
            &opts(),
            later(),
        );
        assert!(one_line_conflict.unwrap_err().contains("/a"));
        assert!(
            merge(None, "{", "{}", &opts(), later())
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
        let out = merge(None, &o, &t, &diff3, later()).unwrap();
        assert_eq!(out.conflicts[0].reason, ConflictReason::BothAdded);
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("||||||| base\n=======\n"), "{text}");
    }

    #[test]
    fn arrays_merge_as_sequences() {
        // A condition's `and` list: each side edits another element.
        let b = r#"{"and": [{"equals": ["@a", 1]}, {"equals": ["@b", 2]}]}"#;
        let o = r#"{"and": [{"equals": ["@a", 10]}, {"equals": ["@b", 2]}]}"#;
        let t = r#"{"and": [{"equals": ["@a", 1]}, {"equals": ["@b", 20]}]}"#;
        let out = merged(b, o, t);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            pretty(r#"{"and": [{"equals": ["@a", 10]}, {"equals": ["@b", 20]}]}"#)
        );
        // One side prepends, the other appends.
        let out = merged(
            r#"{"x": [2, 3]}"#,
            r#"{"x": [1, 2, 3]}"#,
            r#"{"x": [2, 3, 4]}"#,
        );
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(
            String::from_utf8(out.bytes).unwrap(),
            pretty(r#"{"x": [1, 2, 3, 4]}"#)
        );
        // Both replace the same element differently: a conflict on the array.
        let out = merged(
            r#"{"x": [1, 2]}"#,
            r#"{"x": [1, 5, 6]}"#,
            r#"{"x": [1, 7]}"#,
        );
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].property, "/x");
    }

    #[test]
    fn what_value_cannot_hold_as_written_goes_to_the_line_merge() {
        let plain = pretty(r#"{"a": 1}"#);
        let dup = "{\n  \"a\": 1,\n  \"c\": 7,\n  \"c\": 8\n}";
        let err = merge(Some(&plain), &plain, dup, &opts(), later()).unwrap_err();
        assert!(err.contains("duplicate member \"c\""), "{err}");
        let magic = "{\"a\": {\"$serde_json::private::Number\": \"12\"}}";
        assert!(merge(Some(&plain), &plain, magic, &opts(), later()).is_err());
        let sentinel = "{\"n\": \"\\u0001soltree-conflict-0\\u0001\"}";
        assert!(merge(Some(&plain), &plain, sentinel, &opts(), later()).is_err());
        let past = Instant::now() - std::time::Duration::from_secs(1);
        let wide: String = format!(
            "{{{}}}",
            (0..5000)
                .map(|i| format!("\"k{i}\": {{\"v\": {i}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let wide = pretty(&wide);
        let changed = wide.replace("\"v\": 7\n", "\"v\": 70\n");
        let timed = merge(
            Some(&wide),
            &changed,
            &wide.replace("\"v\": 9\n", "\"v\": 90\n"),
            &opts(),
            past,
        );
        assert!(
            matches!(&timed, Err(why) if why.contains("time limit")),
            "{:?}",
            timed.map(|o| o.conflicts)
        );
    }

    #[test]
    fn many_additions_and_conflicts_stay_fast_and_named() {
        let base = pretty(r#"{"a": {"k/x~y": 1}}"#);
        let side = |tag: &str, n: usize| {
            let members: Vec<String> = (0..n).map(|i| format!("\"{tag}{i}\": {i}")).collect();
            pretty(&format!(
                "{{\"a\": {{\"k/x~y\": {}}}, {}}}",
                if tag == "o" { 2 } else { 3 },
                members.join(", ")
            ))
        };
        let started = Instant::now();
        let out = merge(
            Some(&base),
            &side("o", 30_000),
            &side("t", 30_000),
            &opts(),
            later(),
        )
        .unwrap();
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].display_name, "k/x~y");
        assert_eq!(out.conflicts[0].property, "/a/k~1x~0y");
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.contains("\"o29999\": 29999") && text.contains("\"t29999\": 29999"));
    }

    #[test]
    fn a_last_member_absent_on_one_side_takes_the_comma_before_it_along() {
        let b = r#"{"b": {"x": 1}, "a": 1}"#;
        let o = r#"{"b": {"x": 1}}"#;
        let t = r#"{"b": {"x": 1}, "a": 2}"#;
        let out = merged(b, o, t);
        assert_eq!(out.conflicts[0].reason, ConflictReason::DeletedByOurs);
        let text = String::from_utf8(out.bytes).unwrap();
        assert_eq!(
            text,
            "{\n  \"b\": {\n    \"x\": 1\n<<<<<<< ours\n  }\n=======\n  },\n  \"a\": 2\n>>>>>>> theirs\n}\n"
        );
        // Either side of the block is valid JSON.
        for keep in ["ours", "theirs"] {
            let mut resolved = String::new();
            let mut at = "out";
            for line in text.lines() {
                at = match (at, line) {
                    (_, l) if l.starts_with("<<<<<<<") => "ours",
                    (_, l) if l.starts_with("=======") => "theirs",
                    (_, l) if l.starts_with(">>>>>>>") => "out",
                    (a, l) => {
                        if a == "out" || a == keep {
                            resolved.push_str(l);
                            resolved.push('\n');
                        }
                        a
                    }
                };
            }
            assert!(
                serde_json::from_str::<Value>(&resolved).is_ok(),
                "{keep}: {resolved}"
            );
        }
    }
}
