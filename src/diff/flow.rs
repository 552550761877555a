//! Cloud flow definitions compared as flows: actions added, removed, moved to another
//! scope and changed, each named by its scope path (`Apply_to_each / Condition /
//! Send_email`), triggers likewise, and the connection references the flow uses. A changed
//! action or trigger carries the detail of what changed in it as a line diff of a readable
//! rendering (keys sorted, multi-line strings and expressions written out as lines, not as
//! one line of `\r\n` escapes). Designer bookkeeping (`metadata`) is not a change.
//!
//! The definition is `properties.definition` (`triggers`, `actions`) of a flow JSON part
//! (`Workflows/*.json`, §1.4); actions nest in `actions`, `else.actions`, `cases.*.actions`
//! and `default.actions`, and action names are unique within a flow.

use super::text::diff_lines;
use super::{Change, PropertyChange};
use serde_json::{Map, Value};

/// Keys of an action that hold nested actions, not the action's own content.
const NESTING: &[&str] = &["actions", "else", "cases", "default"];

/// Designer state kept beside an action or trigger.
const BOOKKEEPING: &[&str] = &["metadata"];

/// One action or trigger: where it sits and its own content.
struct Step<'a> {
    /// `Apply_to_each / Condition` (empty at the top).
    scope: String,
    value: &'a Map<String, Value>,
}

/// The changes between two flow definitions, or `None` when either is not a flow.
pub fn changes(old: &str, new: &str) -> Option<Vec<PropertyChange>> {
    let parse = |t: &str| -> Option<Value> {
        let v: Value = serde_json::from_str(t.trim_start_matches('\u{feff}')).ok()?;
        v.get("properties")?.get("definition")?.as_object()?;
        Some(v)
    };
    let (a, b) = (parse(old)?, parse(new)?);
    let mut out = Vec::new();
    let (da, db) = (
        &a["properties"]["definition"],
        &b["properties"]["definition"],
    );
    for (what, key) in [("trigger", "triggers"), ("action", "actions")] {
        let (mut sa, mut sb) = (Vec::new(), Vec::new());
        collect(da.get(key), "", &mut sa);
        collect(db.get(key), "", &mut sb);
        steps(what, &sa, &sb, &mut out);
    }
    connection_references(
        a["properties"].get("connectionReferences"),
        b["properties"].get("connectionReferences"),
        &mut out,
    );
    // Anything else (parameters, schema, the template name) as readable text.
    let rest = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Some(d) = v
            .get_mut("properties")
            .and_then(|p| p.get_mut("definition"))
            .and_then(Value::as_object_mut)
        {
            d.remove("triggers");
            d.remove("actions");
        }
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("connectionReferences");
        }
        v
    };
    let (ra, rb) = (rest(&a), rest(&b));
    if ra != rb
        && let Some(td) = diff_lines(&readable(&ra), &readable(&rb))
    {
        out.push(PropertyChange {
            property: "flow settings".into(),
            change: Change::Changed,
            old: None,
            new: None,
            text_diff: Some(td),
            summary: false,
        });
    }
    Some(out)
}

/// Every step in a map of actions (or triggers), depth first, with its scope.
fn collect<'a>(map: Option<&'a Value>, scope: &str, out: &mut Vec<(&'a str, Step<'a>)>) {
    let Some(map) = map.and_then(Value::as_object) else {
        return;
    };
    for (name, v) in map {
        let Some(obj) = v.as_object() else { continue };
        out.push((
            name.as_str(),
            Step {
                scope: scope.to_string(),
                value: obj,
            },
        ));
        let inner = if scope.is_empty() {
            name.clone()
        } else {
            format!("{scope} / {name}")
        };
        collect(obj.get("actions"), &inner, out);
        if let Some(e) = obj.get("else") {
            collect(e.get("actions"), &format!("{inner} (else)"), out);
        }
        if let Some(cases) = obj.get("cases").and_then(Value::as_object) {
            for (case, c) in cases {
                collect(c.get("actions"), &format!("{inner} / {case}"), out);
            }
        }
        if let Some(d) = obj.get("default") {
            collect(d.get("actions"), &format!("{inner} (default)"), out);
        }
    }
}

fn path(step: &Step, name: &str) -> String {
    if step.scope.is_empty() {
        name.to_string()
    } else {
        format!("{} / {name}", step.scope)
    }
}

/// The step's own content: without nested actions and designer state.
fn own(step: &Step) -> Map<String, Value> {
    step.value
        .iter()
        .filter(|(k, _)| !NESTING.contains(&k.as_str()) && !BOOKKEEPING.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What a step does, in a few words: `OpenApiConnection shared_office365 SendEmailV2`.
fn kind_of(step: &Step) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = step.value.get("type").and_then(Value::as_str) {
        parts.push(t.to_string());
    }
    let host = step.value.get("inputs").and_then(|i| i.get("host"));
    for k in ["connectionName", "operationId"] {
        if let Some(v) = host.and_then(|h| h.get(k)).and_then(Value::as_str) {
            parts.push(v.to_string());
        }
    }
    parts.join(" ")
}

fn steps(what: &str, old: &[(&str, Step)], new: &[(&str, Step)], out: &mut Vec<PropertyChange>) {
    let find = |list: &[(&str, Step)], name: &str| list.iter().position(|(n, _)| *n == name);
    for (name, b) in new {
        match find(old, name) {
            None => out.push(PropertyChange {
                property: format!("{what} {}", path(b, name)),
                change: Change::Added,
                old: None,
                new: Some(kind_of(b)),
                text_diff: None,
                summary: true,
            }),
            Some(i) => {
                let a = &old[i].1;
                if a.scope != b.scope {
                    out.push(PropertyChange {
                        property: format!("{what} {name}"),
                        change: Change::Moved,
                        old: Some(scope_name(&a.scope)),
                        new: Some(scope_name(&b.scope)),
                        text_diff: None,
                        summary: true,
                    });
                }
                let (oa, ob) = (own(a), own(b));
                if oa == ob {
                    continue;
                }
                let mut keys: Vec<&String> = oa
                    .keys()
                    .chain(ob.keys())
                    .filter(|k| oa.get(*k) != ob.get(*k))
                    .collect();
                keys.sort();
                keys.dedup();
                let words: Vec<String> = keys.iter().map(|k| key_word(k)).collect();
                out.push(PropertyChange {
                    property: format!("{what} {}", path(b, name)),
                    change: Change::Changed,
                    old: None,
                    new: Some(format!("{} changed", words.join(", "))),
                    text_diff: diff_lines(
                        &readable(&Value::Object(oa)),
                        &readable(&Value::Object(ob)),
                    ),
                    summary: true,
                });
            }
        }
    }
    for (name, a) in old {
        if find(new, name).is_none() {
            out.push(PropertyChange {
                property: format!("{what} {}", path(a, name)),
                change: Change::Removed,
                old: Some(kind_of(a)),
                new: None,
                text_diff: None,
                summary: true,
            });
        }
    }
}

fn scope_name(scope: &str) -> String {
    if scope.is_empty() {
        "the top level".into()
    } else {
        scope.to_string()
    }
}

/// `runAfter` → `runs after`; other keys as they are.
fn key_word(k: &str) -> String {
    match k {
        "runAfter" => "runs after".into(),
        "runtimeConfiguration" => "settings".into(),
        other => other.to_string(),
    }
}

fn connection_references(a: Option<&Value>, b: Option<&Value>, out: &mut Vec<PropertyChange>) {
    let empty = Map::new();
    let (a, b) = (
        a.and_then(Value::as_object).unwrap_or(&empty),
        b.and_then(Value::as_object).unwrap_or(&empty),
    );
    let describe = |v: &Value| {
        v.get("connection")
            .and_then(|c| c.get("connectionReferenceLogicalName"))
            .or_else(|| v.get("api").and_then(|c| c.get("name")))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    for (k, v) in b {
        match a.get(k) {
            None => out.push(PropertyChange {
                property: format!("connection {k}"),
                change: Change::Added,
                old: None,
                new: Some(describe(v)),
                text_diff: None,
                summary: false,
            }),
            Some(o) if describe(o) != describe(v) => out.push(PropertyChange {
                property: format!("connection {k}"),
                change: Change::Changed,
                old: Some(describe(o)),
                new: Some(describe(v)),
                text_diff: None,
                summary: false,
            }),
            Some(_) => {}
        }
    }
    for (k, v) in a {
        if !b.contains_key(k) {
            out.push(PropertyChange {
                property: format!("connection {k}"),
                change: Change::Removed,
                old: Some(describe(v)),
                new: None,
                text_diff: None,
                summary: false,
            });
        }
    }
}

/// A JSON value as lines a reviewer reads: `key: value`, nested values indented, keys
/// sorted, strings that hold line breaks written out line by line after `|`.
pub fn readable(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, 0, &mut out);
    out
}

fn write_value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                write_member(k, &m[k], indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{:indent$}-\n", ""));
                        write_value(item, indent + 2, out);
                    }
                    scalar => write_scalar(&format!("{:indent$}- ", ""), scalar, indent + 2, out),
                }
            }
        }
        scalar => write_scalar(&" ".repeat(indent), scalar, indent, out),
    }
}

fn write_member(k: &str, v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push_str(&format!("{:indent$}{k}:\n", ""));
            write_value(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{:indent$}{k}:\n", ""));
            write_value(v, indent + 2, out);
        }
        scalar => write_scalar(&format!("{:indent$}{k}: ", ""), scalar, indent + 2, out),
    }
}

fn write_scalar(prefix: &str, v: &Value, indent: usize, out: &mut String) {
    out.push_str(prefix);
    match v {
        Value::String(s) if s.contains('\n') => {
            out.push_str("|\n");
            for line in s.lines() {
                out.push_str(&format!("{:indent$}{}\n", "", line.trim_end_matches('\r')));
            }
        }
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Object(_) => out.push_str("{}\n"),
        Value::Array(_) => out.push_str("[]\n"),
        other => {
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(actions: &str) -> String {
        format!(
            r#"{{"properties":{{"connectionReferences":{{"shared_office365":{{"connection":{{"connectionReferenceLogicalName":"new_office"}}}}}},"definition":{{"triggers":{{"manual":{{"type":"Request"}}}},"actions":{actions}}}}}}}"#
        )
    }

    #[test]
    fn actions_are_added_removed_moved_and_changed_by_name() {
        let old = flow(
            r#"{"Apply_to_each":{"type":"Foreach","actions":{"Condition":{"type":"If","actions":{"Send_email":{"type":"OpenApiConnection","inputs":{"body":"Hi"},"metadata":{"operationMetadataId":"1"}}}}}},"Compose":{"type":"Compose","inputs":"a"}}"#,
        );
        let new = flow(
            r#"{"Apply_to_each":{"type":"Foreach","actions":{"Condition":{"type":"If","actions":{"Send_email":{"type":"OpenApiConnection","inputs":{"body":"Hello\r\nthere"},"metadata":{"operationMetadataId":"2"}}}}}},"Scope":{"type":"Scope","actions":{"Compose":{"type":"Compose","inputs":"a"}}},"Terminate":{"type":"Terminate"}}"#,
        );
        let got = changes(&old, &new).unwrap();
        let lines: Vec<String> = got
            .iter()
            .map(|p| format!("{:?} {} {:?} {:?}", p.change, p.property, p.old, p.new))
            .collect();
        assert!(
            lines.contains(
                &"Changed action Apply_to_each / Condition / Send_email None Some(\"inputs changed\")"
                    .to_string()
            ),
            "{lines:#?}"
        );
        assert!(
            lines.contains(
                &"Moved action Compose Some(\"the top level\") Some(\"Scope\")".to_string()
            ),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("Added action Scope ")));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("Added action Terminate "))
        );
        assert_eq!(got.len(), 4, "{lines:#?}");
        // The expression's line break is a line of the detail, not a `\r\n` escape.
        let td = got[0].text_diff.as_ref().unwrap();
        let text: Vec<&str> = td.hunks[0].lines.iter().map(|l| l.text.as_str()).collect();
        assert!(text.contains(&"    there"), "{text:?}");
    }

    #[test]
    fn metadata_alone_is_no_change_and_other_json_is_no_flow() {
        let a = flow(r#"{"A":{"type":"Compose","metadata":{"x":1}}}"#);
        let b = flow(r#"{"A":{"type":"Compose","metadata":{"x":2}}}"#);
        assert!(changes(&a, &b).unwrap().is_empty());
        assert!(changes("{\"a\":1}", "{\"a\":2}").is_none());
    }
}
