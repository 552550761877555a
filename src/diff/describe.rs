//! What a reviewer needs to judge a component that was added or removed, and coded values
//! in words. The defining properties of each kind come from the kinds table
//! ([`kinds::DEFINING`]: a column's type, length and required level; a plug-in step's
//! message, table, stage, mode, rank, filtering columns and the class it runs; a process's
//! table, mode and triggers; a form's type and tabs; a view's columns); a few need more than
//! a probe: a security role's privileges by table, an environment variable's current value
//! (in `environmentvariablevalues.json` beside its definition), a step's message (in its
//! name, `Type: Create of account`). Coded values (`Stage` 40, `behavior` 2) are shown by
//! their meaning ([`kinds::VALUE_NAMES`]).

use super::{Index, Property, PropertyChange};
use crate::model::kinds::{self, Probe, value_name};
use crate::model::{Component, display_of, field};
use crate::xml::{Document, NodeId};

/// Defining fields that are flags (`0`/`1`): shown as `yes` when set.
const FLAGS: &[&str] = &["TriggerOnCreate", "TriggerOnDelete", "OnDemand"];

/// Longest list shown for a property (view columns, form tabs, app components).
const LIST_MAX: usize = 12;

/// The defining properties of a component added or removed.
pub(super) fn properties(i: &Index, c: &Component) -> Vec<Property> {
    let Some(doc) = i.tree.entries[c.entry].document() else {
        return Vec::new();
    };
    let node = c.node;
    let mut out: Vec<Property> = Vec::new();
    for &(label, probe) in kinds::defining(c.kind.name) {
        if out.iter().any(|p| p.name == label) {
            continue;
        }
        let value = match probe {
            Probe::Field(f) => field(doc, node, f).map(|v| {
                let v = v.trim();
                value_name(c.kind.name, f, v).map_or_else(|| readable(v), str::to_string)
            }),
            Probe::ParentAttr(a) => doc
                .parent(node)
                .filter(|&p| doc.is_element(p))
                .and_then(|p| doc.attr(p, a))
                .map(|v| v.trim().to_string()),
            Probe::PathAttr(path, a) => descend(doc, node, path)
                .first()
                .and_then(|&n| doc.attr(n, a))
                .map(|v| v.trim().to_string()),
            Probe::List(path, a) => {
                let items: Vec<String> = descend(doc, node, path)
                    .into_iter()
                    .filter_map(|n| item_name(doc, n, a))
                    .collect();
                list(&items)
            }
        };
        // Flags that are off, empty values and `none` say nothing about a new component;
        // flags read as words, numbers (a rank, a minimum of 0) stay numbers.
        let flag = matches!(probe, Probe::Field(f) if FLAGS.contains(&f));
        if let Some(v) = value.filter(|v| {
            !v.is_empty() && v != "none" && !(flag && matches!(v.as_str(), "0" | "false"))
        }) {
            let v = if flag && v == "1" {
                "yes".to_string()
            } else {
                v
            };
            out.push(Property {
                name: label.to_string(),
                value: super::tree::shorten(&v),
            });
        }
    }
    match c.kind.name {
        "step" if !out.iter().any(|p| p.name == "message") => {
            if let Some(m) = doc
                .attr(node, "Name")
                .and_then(|n| step_message(&n).map(str::to_string))
            {
                out.insert(
                    0,
                    Property {
                        name: "message".into(),
                        value: m,
                    },
                );
            }
        }
        "role" => {
            if let Some(p) = privileges(doc, node) {
                out.push(p);
            }
        }
        "view" => {
            if let Some(f) = view_filter(doc, node) {
                out.push(Property {
                    name: "filter".into(),
                    value: super::tree::shorten(&f),
                });
            }
        }
        "workflow" => {
            if let Some(t) = flow_triggers(i, doc, node) {
                out.push(Property {
                    name: "trigger".into(),
                    value: super::tree::shorten(&t),
                });
            }
        }
        "environmentvariable" => {
            if let Some(v) = current_value(i, c) {
                out.push(Property {
                    name: "current value".into(),
                    value: super::tree::shorten(&v),
                });
            }
        }
        _ => {}
    }
    out
}

/// Elements at the end of a `/`-separated path of child names.
fn descend(doc: &Document, node: NodeId, path: &str) -> Vec<NodeId> {
    let mut level = vec![node];
    for name in path.split('/') {
        level = level
            .into_iter()
            .flat_map(|n| doc.elements(n).filter(|&c| doc.name(c) == name))
            .collect();
    }
    level
}

/// The name of a listed element: an attribute, or its label (`labels`: a tab or an option
/// by its display name in the kinds table).
fn item_name(doc: &Document, n: NodeId, attr: &str) -> Option<String> {
    if attr == "labels" {
        let name = doc.name(n);
        let kind = kinds::KINDS
            .iter()
            .find(|k| k.at.iter().any(|at| at.rsplit('/').next() == Some(name)))?;
        return display_of(doc, n, kind);
    }
    doc.attr(n, attr).map(|v| v.trim().to_string())
}

fn list(items: &[String]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let mut s = items
        .iter()
        .take(LIST_MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LIST_MAX {
        s.push_str(&format!(" and {} more", items.len() - LIST_MAX));
    }
    Some(s)
}

/// A value as a reader wants it: an assembly-qualified type name without its version,
/// culture and key.
fn readable(v: &str) -> String {
    match v.find(", Version=") {
        Some(i) => v[..i].to_string(),
        None => v.to_string(),
    }
}

/// The message of a step named the way the registration tool names steps:
/// `Namespace.Type: Create of account` → `Create`.
pub(super) fn step_message(name: &str) -> Option<&str> {
    let (_, rest) = name.rsplit_once(": ")?;
    let message = rest.split(" of ").next()?.trim();
    (!message.is_empty() && !message.contains(' ')).then_some(message)
}

/// A view's filter in words: `statecode eq 0 and ownerid eq-userid` (the conditions of the
/// fetch query's top-level filters; nested filters are counted).
fn view_filter(doc: &Document, node: NodeId) -> Option<String> {
    let fetch = doc.child(node, "fetchxml")?;
    let fetch = doc.child(fetch, "fetch")?;
    let entity = doc.child(fetch, "entity")?;
    let mut parts = Vec::new();
    for filter in doc.elements(entity).filter(|&f| doc.name(f) == "filter") {
        let join = if doc.attr(filter, "type").as_deref() == Some("or") {
            " or "
        } else {
            " and "
        };
        let mut conds = Vec::new();
        for c in doc.elements(filter) {
            match doc.name(c) {
                "condition" => {
                    let a = doc.attr(c, "attribute").unwrap_or_default();
                    let op = doc.attr(c, "operator").unwrap_or_default();
                    let v = doc
                        .attr(c, "value")
                        .map(|v| format!(" {v}"))
                        .unwrap_or_default();
                    conds.push(format!("{a} {op}{v}"));
                }
                "filter" => conds.push("(a nested filter)".into()),
                _ => {}
            }
        }
        if !conds.is_empty() {
            parts.push(conds.join(join));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// A cloud flow's triggers, from its definition part: `When_a_row_is_added: OpenApiConnectionWebhook
/// shared_commondataserviceforapps SubscribeWebhookTrigger`.
fn flow_triggers(i: &Index, doc: &Document, node: NodeId) -> Option<String> {
    let file = field(doc, node, "JsonFileName")?;
    let e = *i
        .entries
        .get(&file.trim().trim_start_matches('/').to_ascii_lowercase())?;
    let text = crate::input::part_text(i.part_bytes(e))?;
    let v: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    let triggers = v
        .get("properties")?
        .get("definition")?
        .get("triggers")?
        .as_object()?;
    let list: Vec<String> = triggers
        .iter()
        .map(|(name, t)| {
            let mut words = vec![
                t.get("type")
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
                    .to_string(),
            ];
            let host = t.get("inputs").and_then(|x| x.get("host"));
            for k in ["connectionName", "operationId"] {
                if let Some(w) = host.and_then(|h| h.get(k)).and_then(|x| x.as_str()) {
                    words.push(w.to_string());
                }
            }
            format!("{name} ({})", words.join(" ").trim())
        })
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// Privilege verbs, longest first so `AppendTo` is not read as `Append`.
const PRIVILEGE_VERBS: &[&str] = &[
    "AppendTo", "Append", "Assign", "Create", "Delete", "Read", "Share", "Write",
];

/// `prvCreateAccount` → (`Create`, `Account`).
pub fn privilege_parts(name: &str) -> Option<(&'static str, &str)> {
    let rest = name
        .strip_prefix("prv")
        .or_else(|| name.strip_prefix("Prv"))?;
    PRIVILEGE_VERBS.iter().find_map(|v| {
        let lower_rest = rest.to_ascii_lowercase();
        lower_rest
            .starts_with(&v.to_ascii_lowercase())
            .then(|| (*v, &rest[v.len()..]))
            .filter(|(_, t)| !t.is_empty())
    })
}

/// A role's privileges grouped by table: `account: Create, Read (Global); …`.
fn privileges(doc: &Document, node: NodeId) -> Option<Property> {
    let list = doc.child(node, "RolePrivileges")?;
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for p in doc.elements(list) {
        let Some(name) = doc.attr(p, "name") else {
            continue;
        };
        let level = doc.attr(p, "level").unwrap_or_default();
        match privilege_parts(&name) {
            Some((verb, table)) => {
                let entry = format!("{verb} {level}").trim().to_string();
                match tables
                    .iter_mut()
                    .find(|(t, _)| t.eq_ignore_ascii_case(table))
                {
                    Some((_, v)) => v.push(entry),
                    None => tables.push((table.to_string(), vec![entry])),
                }
            }
            None => others.push(format!("{name} {level}").trim().to_string()),
        }
    }
    if tables.is_empty() && others.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = tables
        .iter()
        .map(|(t, v)| format!("{t}: {}", v.join(", ")))
        .collect();
    parts.extend(others);
    let count = parts.len();
    let mut value = parts
        .into_iter()
        .take(LIST_MAX)
        .collect::<Vec<_>>()
        .join("; ");
    if count > LIST_MAX {
        value.push_str(&format!("; and {} more", count - LIST_MAX));
    }
    Some(Property {
        name: "privileges".into(),
        value,
    })
}

/// The value in `environmentvariablevalues.json` beside an environment variable's definition
/// (`{"environmentvariablevalues":{"environmentvariablevalue":{…,"value":"…"}}}`, §3.6).
pub(super) fn current_value(i: &Index, c: &Component) -> Option<String> {
    let json = values_file(i, c)?;
    let v: serde_json::Value = serde_json::from_str(json.trim_start_matches('\u{feff}')).ok()?;
    let item = v
        .get("environmentvariablevalues")?
        .get("environmentvariablevalue")?;
    let item = match item {
        serde_json::Value::Array(a) => a.first()?,
        other => other,
    };
    match item.get("value")? {
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The entry of the values file beside a definition.
pub(super) fn values_entry(i: &Index, c: &Component) -> Option<usize> {
    let path = &i.tree.entries[c.entry].path;
    let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
    let name = if folder.is_empty() {
        "environmentvariablevalues.json".to_string()
    } else {
        format!("{folder}/environmentvariablevalues.json")
    };
    i.entries.get(&name.to_ascii_lowercase()).copied()
}

/// The text of the values file beside a definition.
fn values_file(i: &Index, c: &Component) -> Option<String> {
    crate::input::part_text(i.part_bytes(values_entry(i, c)?))
}

/// An environment variable's current value set, changed or removed.
pub(super) fn value_change(
    oi: &Index,
    o: &Component,
    ni: &Index,
    n: &Component,
) -> Option<PropertyChange> {
    let (old, new) = (current_value(oi, o), current_value(ni, n));
    if old == new {
        return None;
    }
    let change = match (&old, &new) {
        (None, _) => super::Change::Added,
        (_, None) => super::Change::Removed,
        _ => super::Change::Changed,
    };
    Some(PropertyChange {
        property: "current value".into(),
        change,
        old: old.map(|v| super::tree::shorten(&v)),
        new: new.map(|v| super::tree::shorten(&v)),
        text_diff: None,
        summary: false,
    })
}

/// Coded values in words (`Stage`: `20` → `pre-operation`), where the table knows the field.
pub(super) fn name_values(kind: &str, changes: &mut [PropertyChange]) {
    for p in changes {
        let field = p.property.rsplit(" / ").next().unwrap_or(&p.property);
        for v in [&mut p.old, &mut p.new].into_iter().flatten() {
            if let Some(meaning) = value_name(kind, field, v) {
                *v = meaning.to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_messages_and_privileges_read_from_names() {
        assert_eq!(
            step_message("MyPlugins.CreatePrescription: Create of appointment"),
            Some("Create")
        );
        assert_eq!(step_message("Project date validation"), None);
        assert_eq!(
            privilege_parts("prvAppendToecer_program"),
            Some(("AppendTo", "ecer_program"))
        );
        assert_eq!(privilege_parts("prvReadAccount"), Some(("Read", "Account")));
        assert_eq!(privilege_parts("prvExportToExcel").map(|p| p.0), None);
    }
}
