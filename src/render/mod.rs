//! Renderers of a [`DiffReport`]: plain or coloured text for a terminal ([`text`]), JSON for
//! scripts ([`json`]), Markdown for a pull-request comment ([`markdown`]), a self-contained
//! HTML page ([`html`]). Each writes to a
//! `&mut dyn Write` and reads nothing but the report. Text and Markdown share one layout
//! ([`layout`]): a list of styled [`Row`]s, grouped by top-level component and indented like
//! the component tree; only the text renderer turns styles into colour.

pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use crate::diff::text::{LineOp, TextDiff};
use crate::diff::{Change, ComponentChange, DiffReport, PropertyChange, segments};

/// What a row is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A group heading (a top-level component).
    Heading,
    Mark(Change),
    /// Hunk header of a line diff.
    Hunk,
    Line(LineOp),
    Note,
}

/// One output row.
#[derive(Debug, Clone)]
pub struct Row {
    pub indent: usize,
    pub style: Style,
    pub text: String,
    /// Byte ranges of `text` to emphasise (changed words in a diff line).
    pub highlights: Vec<(usize, usize)>,
}

impl Row {
    fn new(indent: usize, style: Style, text: String) -> Row {
        Row {
            indent,
            style,
            text,
            highlights: Vec::new(),
        }
    }
}

/// Rows of one top-level component and everything changed inside it.
pub struct Group {
    pub heading: String,
    pub path: String,
    pub rows: Vec<Row>,
    /// Property changes of changed components plus components added or removed.
    pub changes: usize,
}

/// A value as shown to people: quoted when it has spaces or is empty.
pub fn show_value(v: &str) -> String {
    if v.is_empty() || v.contains(char::is_whitespace) {
        format!("'{v}'")
    } else {
        v.to_string()
    }
}

/// `+ Column new_score "Score"`: kind title, key and display name without repeating them.
pub fn component_label(c: &ComponentChange) -> String {
    label(c.kind_title, &c.path, &c.display_name)
}

fn label(title: &str, path: &str, display: &str) -> String {
    let last = segments(path).pop().unwrap_or_default();
    let key = last.split_once(':').map_or("", |(_, k)| k);
    let guid_like = crate::diff::tree::looks_like_guid(key) || key.is_empty();
    // A singleton's display name is its title ("Ribbon"): no need to say it twice.
    let display = if display.eq_ignore_ascii_case(title) {
        ""
    } else {
        display
    };
    match (guid_like, display.is_empty()) {
        (_, true) => format!("{title} {key}").trim_end().to_string(),
        (true, false) => format!("{title} \"{display}\""),
        (false, false) if display.eq_ignore_ascii_case(key) => format!("{title} {display}"),
        (false, false) => format!("{title} {key} \"{display}\""),
    }
}

fn property_text(p: &PropertyChange) -> String {
    let old = p.old.as_deref().map(show_value);
    let new = p.new.as_deref().map(show_value);
    match (p.change, old, new) {
        (_, _, _) if p.text_diff.is_some() && p.old.is_none() => {
            let td = p.text_diff.as_ref().unwrap();
            format!("{}: -{} +{} lines", p.property, td.removed, td.added)
        }
        (Change::Added | Change::Removed, _, _)
            if p.old.as_deref().or(p.new.as_deref()) == Some("") =>
        {
            p.property.clone()
        }
        (Change::Added, _, Some(n)) => format!("{}: {n}", p.property),
        (Change::Removed, Some(o), _) => format!("{}: {o}", p.property),
        (_, Some(o), Some(n)) => format!("{}: {o} → {n}", p.property),
        _ => p.property.clone(),
    }
}

fn push_text_diff(rows: &mut Vec<Row>, indent: usize, td: &TextDiff) {
    for h in &td.hunks {
        rows.push(Row::new(
            indent,
            Style::Hunk,
            format!(
                "@@ -{},{} +{},{} @@",
                h.old_start, h.old_lines, h.new_start, h.new_lines
            ),
        ));
        for l in &h.lines {
            rows.push(Row {
                indent,
                style: Style::Line(l.op),
                text: format!("{}{}", l.op.sign(), l.text),
                // Shift past the sign.
                highlights: l.highlights.iter().map(|&(s, e)| (s + 1, e + 1)).collect(),
            });
        }
    }
    if td.timed_out {
        rows.push(Row::new(
            indent,
            Style::Note,
            "(diff timed out: hunks are coarser than usual)".into(),
        ));
    }
}

fn push_properties(rows: &mut Vec<Row>, indent: usize, props: &[PropertyChange]) {
    for p in props {
        rows.push(Row::new(
            indent,
            Style::Mark(p.change),
            format!("{} {}", p.change.sign(), property_text(p)),
        ));
        if let Some(td) = &p.text_diff {
            push_text_diff(rows, indent + 4, td);
        }
    }
}

fn contains_text(c: &ComponentChange) -> String {
    if c.contains.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = c
        .contains
        .iter()
        .map(|k| format!("{}: {}", k.title.to_lowercase(), k.count))
        .collect();
    format!(" — with {}", parts.join(", "))
}

/// Components grouped by their top-level component, in report order.
pub fn layout(report: &DiffReport) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for c in &report.components {
        let top = segments(&c.path)[0].to_string();
        let is_top = top == c.path;
        if groups.last().is_none_or(|g| g.path != top) {
            let r = &c.group;
            let heading = format!(
                "{} ({})",
                label(r.kind_title, &r.path, &r.display_name),
                r.path
            );
            groups.push(Group {
                heading,
                path: top.clone(),
                rows: Vec::new(),
                changes: 0,
            });
        }
        let g = groups.last_mut().expect("a group");
        g.changes += match c.change {
            Change::Changed => c.changes.len(),
            _ => 1,
        };
        if is_top {
            match c.change {
                Change::Changed => push_properties(&mut g.rows, 2, &c.changes),
                ch => {
                    g.heading = format!("{} {}", ch.sign(), g.heading);
                    if !c.contains.is_empty() {
                        g.rows.push(Row::new(
                            2,
                            Style::Note,
                            contains_text(c).trim_start_matches(" — ").into(),
                        ));
                    }
                }
            }
            continue;
        }
        let label = component_label(c);
        match (c.change, c.changes.as_slice()) {
            (Change::Changed, [one])
                if one.text_diff.is_none() && one.change == Change::Changed =>
            {
                g.rows.push(Row::new(
                    2,
                    Style::Mark(Change::Changed),
                    format!("~ {label}: {}", property_text(one)),
                ))
            }
            (Change::Changed, props) => {
                g.rows.push(Row::new(
                    2,
                    Style::Mark(Change::Changed),
                    format!("~ {label} ({})", c.path),
                ));
                push_properties(&mut g.rows, 6, props);
            }
            (ch, _) => {
                // A GUID-keyed component is named by its display name, which need not be
                // unique (two forms called "Information"): add the path.
                let last = segments(&c.path).pop().unwrap_or_default();
                let key = last.split_once(':').map_or("", |(_, k)| k);
                let at = if crate::diff::tree::looks_like_guid(key) {
                    format!(" ({})", c.path)
                } else {
                    String::new()
                };
                g.rows.push(Row::new(
                    2,
                    Style::Mark(ch),
                    format!("{} {label}{at}{}", ch.sign(), contains_text(c)),
                ))
            }
        }
    }
    groups
}

/// The heading line: `ContosoSales 1.0.0.1 → 1.0.0.2   (platform 9.2.… → 9.2.…)`.
pub fn title(report: &DiffReport) -> String {
    let name = |s: &crate::diff::SideInfo| match &s.solution {
        Some(sol) => (sol.unique_name.clone(), sol.version.clone()),
        None => (s.source.clone(), String::new()),
    };
    let (on, ov) = name(&report.old);
    let (nn, nv) = name(&report.new);
    let mut t = if on == nn && ov == nv {
        format!("{nn} {nv}").trim_end().to_string()
    } else if on == nn {
        format!("{nn} {ov} → {nv}")
    } else {
        format!("{on} {ov} → {nn} {nv}")
            .replace("  →", " →")
            .trim_end()
            .to_string()
    };
    if let Some(p) = report
        .manifest
        .platform
        .iter()
        .find(|p| p.property == "version")
    {
        t.push_str(&format!(
            "   (platform {} → {})",
            p.old.as_deref().unwrap_or("none"),
            p.new.as_deref().unwrap_or("none")
        ));
    }
    t
}

/// Manifest rows below the title.
pub fn manifest_rows(report: &DiffReport) -> Vec<Row> {
    let m = &report.manifest;
    let mut rows = Vec::new();
    for p in &m.platform {
        if p.property != "version" {
            rows.push(Row::new(
                2,
                Style::Note,
                format!("platform {}", property_text(p)),
            ));
        }
    }
    let list = |rows: &mut Vec<Row>, name: &str, d: &crate::diff::ListDelta| {
        if d.is_empty() {
            return;
        }
        rows.push(Row::new(
            2,
            Style::Mark(Change::Changed),
            format!("{name}: +{} -{}", d.added.len(), d.removed.len()),
        ));
        for a in &d.added {
            rows.push(Row::new(
                4,
                Style::Mark(Change::Added),
                format!("+ {}", a.display),
            ));
        }
        for r in &d.removed {
            rows.push(Row::new(
                4,
                Style::Mark(Change::Removed),
                format!("- {}", r.display),
            ));
        }
        push_properties(rows, 4, &d.changed);
    };
    list(&mut rows, "root components", &m.root_components);
    list(&mut rows, "missing dependencies", &m.missing_dependencies);
    // The version is already in the title.
    let others: Vec<PropertyChange> = m
        .changes
        .iter()
        .filter(|p| p.property != "Version")
        .cloned()
        .collect();
    push_properties(&mut rows, 2, &others);
    for n in &report.package {
        rows.push(Row::new(
            2,
            Style::Note,
            format!(
                "{} {} (package metadata: {})",
                n.entry,
                n.change_word(),
                n.detail
            ),
        ));
    }
    rows
}

impl crate::diff::PackageNote {
    fn change_word(&self) -> &'static str {
        match self.change {
            Change::Added => "added",
            Change::Removed => "removed",
            _ => "changed",
        }
    }
}

/// `5 components changed, 1 added, 0 removed`.
pub fn summary_line(report: &DiffReport) -> String {
    let s = &report.summary;
    let mut line = format!(
        "{} component{} changed, {} added, {} removed",
        s.changed,
        if s.changed == 1 { "" } else { "s" },
        s.added,
        s.removed
    );
    if s.manifest_changes > 0 {
        line.push_str(&format!(
            "; {} manifest change{}",
            s.manifest_changes,
            if s.manifest_changes == 1 { "" } else { "s" }
        ));
    }
    if !s.differences {
        line = format!("no semantic differences ({line})");
    }
    line
}

/// Components counted by kind title: `[added, removed, changed]`, in report order.
pub fn kind_counts(report: &DiffReport) -> Vec<(&'static str, [usize; 3])> {
    let mut kinds: Vec<(&'static str, [usize; 3])> = Vec::new();
    for c in &report.components {
        let i = match c.change {
            Change::Added => 0,
            Change::Removed => 1,
            _ => 2,
        };
        match kinds.iter_mut().find(|(k, _)| *k == c.kind_title) {
            Some((_, n)) => n[i] += 1,
            None => {
                let mut n = [0; 3];
                n[i] = 1;
                kinds.push((c.kind_title, n));
            }
        }
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{ComponentRef, ManifestDiff, SideInfo, Summary};

    fn change(
        path: &str,
        kind: &'static str,
        title: &'static str,
        display: &str,
    ) -> ComponentChange {
        ComponentChange {
            path: path.into(),
            kind,
            kind_title: title,
            display_name: display.into(),
            change: Change::Changed,
            changes: vec![PropertyChange::changed("MaxLength".into(), "100", "200")],
            contains: Vec::new(),
            group: ComponentRef {
                path: "entity:new_project".into(),
                kind: "entity",
                kind_title: "Table",
                display_name: "Project".into(),
            },
        }
    }

    fn report(components: Vec<ComponentChange>) -> DiffReport {
        let side = SideInfo {
            source: "x".into(),
            form: "zip",
            solution: None,
        };
        DiffReport {
            schema_version: 1,
            old: side.clone(),
            new: side,
            manifest: ManifestDiff::default(),
            package: Vec::new(),
            summary: Summary {
                changed: components.len(),
                differences: !components.is_empty(),
                ..Summary::default()
            },
            components,
        }
    }

    #[test]
    fn labels_name_components_without_repeating_keys() {
        let c = change(
            "entity:new_project/attribute:new_name",
            "attribute",
            "Column",
            "Name",
        );
        assert_eq!(component_label(&c), "Column new_name \"Name\"");
        let c = change(
            "entity:new_project/attribute:new_name",
            "attribute",
            "Column",
            "new_Name",
        );
        assert_eq!(component_label(&c), "Column new_Name");
        let ribbon = change("entity:new_project/ribbon", "ribbon", "Ribbon", "Ribbon");
        assert_eq!(component_label(&ribbon), "Ribbon");
        let guid = "entity:new_project/form:8f0e6b21-4c7a-ef11-9f89-000d3a1b2c4d";
        assert_eq!(
            component_label(&change(guid, "form", "Form", "Main")),
            "Form \"Main\""
        );
    }

    #[test]
    fn nested_components_group_under_their_table() {
        let r = report(vec![change(
            "entity:new_project/attribute:new_name",
            "attribute",
            "Column",
            "Name",
        )]);
        let groups = layout(&r);
        assert_eq!(groups.len(), 1);
        assert_eq!(
            groups[0].heading,
            "Table new_project \"Project\" (entity:new_project)"
        );
        assert_eq!(
            groups[0].rows[0].text,
            "~ Column new_name \"Name\": MaxLength: 100 → 200"
        );
        assert_eq!(summary_line(&r), "1 component changed, 0 added, 0 removed");
    }

    #[test]
    fn text_without_colour_and_markdown_with_details() {
        colored::control::set_override(false);
        let r = report(vec![change(
            "entity:new_project/attribute:new_name",
            "attribute",
            "Column",
            "Name",
        )]);
        let mut out = Vec::new();
        text::render(&r, &mut out).unwrap();
        let t = String::from_utf8(out).unwrap();
        assert!(!t.contains('\u{1b}'), "{t}");
        assert!(
            t.ends_with("1 component changed, 0 added, 0 removed\n"),
            "{t}"
        );
        let mut out = Vec::new();
        markdown::render(&r, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(md.contains("| Column | 0 | 0 | 1 |"), "{md}");
        assert!(
            md.contains("```diff\n!  Column new_name \"Name\": MaxLength: 100 → 200\n```"),
            "{md}"
        );
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        assert_eq!(show_value("200"), "200");
        assert_eq!(show_value(""), "''");
        assert_eq!(show_value("État civil"), "'État civil'");
    }
}
