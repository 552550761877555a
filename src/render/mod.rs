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
use crate::diff::{
    Change, ComponentChange, DiffReport, ListDelta, MissingDependency, PropertyChange,
    RootComponent, segments,
};
use rustc_hash::FxHashMap;

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
    /// The top-level component's kind title (a process by its category).
    pub kind_title: &'static str,
    /// Components of the report in this group.
    pub components: usize,
}

/// How much detail the shared layout gives.
#[derive(Debug, Clone, Copy, Default)]
pub struct LayoutOptions {
    /// Lines of a text diff (a script, a flow definition) shown before the rest is counted;
    /// `None` shows them all.
    pub text_lines: Option<usize>,
}

/// How a report is rendered (text and Markdown).
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub layout: LayoutOptions,
    /// Counts and one line per changed component, no details (`--stat`).
    pub stat: bool,
    /// The most bytes a Markdown report may take (`--max-bytes`); `None` for no limit.
    pub max_bytes: Option<usize>,
}

/// What a pull-request comment holds (GitHub's limit, 65,536 characters): the default
/// budget of a Markdown report, in bytes, so that it fits however many bytes a character
/// takes.
pub const PR_COMMENT_LIMIT: usize = 65_536;

/// Lines of one text diff shown by default in text and Markdown: enough to see what a
/// change is, not so many that one script buries the rest (`--full` shows them all).
pub const DEFAULT_TEXT_LINES: usize = 40;

/// Whether a value reads as itself without quotes: a number, a version, a percentage, a
/// boolean. Everything else is quoted, so an empty value and one with spaces read alike.
fn plain_value(v: &str) -> bool {
    let t = v.trim_end_matches('%');
    !t.is_empty()
        && (t.parse::<f64>().is_ok()
            || matches!(v, "true" | "false" | "True" | "False")
            || (t.split('.').count() > 1 && t.split('.').all(|p| p.parse::<u64>().is_ok())))
}

/// A value as shown to people: text in double quotes, numbers and flags as they are.
pub fn show_value(v: &str) -> String {
    if plain_value(v) {
        v.to_string()
    } else {
        format!("\"{v}\"")
    }
}

/// `+ Column new_score "Score"`: kind title, key and display name without repeating them.
pub fn component_label(c: &ComponentChange) -> String {
    label(c.kind_title, &c.path, &c.display_name)
}

fn label(title: &str, path: &str, display: &str) -> String {
    let last = segments(path).pop().unwrap_or_default();
    let key = last.split_once(':').map_or("", |(_, k)| k);
    let key = key.strip_suffix(crate::model::MANAGED_LAYER).unwrap_or(key);
    // A composite key reads as its parts: a table map `account → contact`.
    let joined = key.replace('|', " → ");
    let key = joined.as_str();
    // A GUID or a long machine key (`p365i__AddQuote!3faee7a9…!…`) names nothing a reader
    // knows: the display name does.
    let guid_like = crate::diff::tree::looks_like_guid(key)
        || key.is_empty()
        || (!display.is_empty() && (key.len() > 40 || key.contains('!')));
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

/// A property change on one line: `MaxLength: 100 → 200`, `label (1031): "Punktzahl"`,
/// `content: -3 +3 lines`.
pub fn property_text(p: &PropertyChange) -> String {
    let shown = |v: &str| {
        if p.summary {
            v.to_string()
        } else {
            show_value(v)
        }
    };
    let old = p.old.as_deref().map(shown);
    let new = p.new.as_deref().map(shown);
    match (p.change, old, new) {
        // A summary of what changed inside (`inputs changed`).
        (Change::Changed, None, Some(n)) if p.summary => format!("{}: {n}", p.property),
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

fn push_text_diff(rows: &mut Vec<Row>, indent: usize, td: &TextDiff, opts: &LayoutOptions) {
    let total: usize = td.hunks.iter().map(|h| h.lines.len() + 1).sum();
    let mut shown = 0;
    'hunks: for h in &td.hunks {
        for (i, text) in std::iter::once(None)
            .chain(h.lines.iter().map(Some))
            .enumerate()
        {
            if opts.text_lines.is_some_and(|max| shown >= max) {
                let left = total - shown;
                rows.push(Row::new(
                    indent,
                    Style::Note,
                    format!("… {left} more line{} of this diff", plural(left)),
                ));
                break 'hunks;
            }
            shown += 1;
            match text {
                None if i == 0 => rows.push(Row::new(
                    indent,
                    Style::Hunk,
                    format!(
                        "@@ -{},{} +{},{} @@",
                        h.old_start, h.old_lines, h.new_start, h.new_lines
                    ),
                )),
                Some(l) => rows.push(Row {
                    indent,
                    style: Style::Line(l.op),
                    text: format!("{}{}", l.op.sign(), l.text),
                    // Shift past the sign.
                    highlights: l.highlights.iter().map(|&(s, e)| (s + 1, e + 1)).collect(),
                }),
                None => {}
            }
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

fn push_properties(
    rows: &mut Vec<Row>,
    indent: usize,
    props: &[PropertyChange],
    opts: &LayoutOptions,
) {
    for p in props {
        rows.push(Row::new(
            indent,
            Style::Mark(p.change),
            format!("{} {}", p.change.sign(), property_text(p)),
        ));
        if let Some(td) = &p.text_diff {
            push_text_diff(rows, indent + 4, td, opts);
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `3 columns`, `1 form`; a title with a qualifier as `choice (global option set): 2`.
fn counted(n: usize, title: &str) -> String {
    let t = title.to_lowercase();
    if t.contains('(') {
        format!("{t}: {n}")
    } else if n == 1 || t.ends_with('s') {
        format!("{n} {t}")
    } else {
        format!("{n} {t}s")
    }
}

/// ` — type: whole number; required: optional` and ` — with 3 columns, 1 form`.
fn added_text(c: &ComponentChange) -> String {
    let mut parts: Vec<String> = c
        .properties
        .iter()
        .map(|p| format!("{}: {}", p.name, p.value))
        .collect();
    if !c.contains.is_empty() {
        let inside: Vec<String> = c
            .contains
            .iter()
            .map(|k| counted(k.count, k.title))
            .collect();
        parts.push(format!("with {}", inside.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join("; "))
    }
}

/// Components grouped by their top-level component, in report order, with every detail.
pub fn layout(report: &DiffReport) -> Vec<Group> {
    layout_with(report, &LayoutOptions::default())
}

/// [`layout`] with text diffs cut to `opts.text_lines`.
pub fn layout_with(report: &DiffReport, opts: &LayoutOptions) -> Vec<Group> {
    // Names shown more than once in one place (two forms called "Information", two
    // top-level components of one name) get their paths, so each line says which one.
    let mut seen: FxHashMap<(String, String), usize> = FxHashMap::default();
    for c in &report.components {
        let top = segments(&c.path)[0].to_string();
        let place = if top == c.path { String::new() } else { top };
        *seen.entry((place, component_label(c))).or_default() += 1;
    }
    let repeated = |place: &str, label: &str| {
        seen.get(&(place.to_string(), label.to_string()))
            .is_some_and(|&n| n > 1)
    };
    let mut groups: Vec<Group> = Vec::new();
    for c in &report.components {
        let top = segments(&c.path)[0].to_string();
        let is_top = top == c.path;
        if groups.last().is_none_or(|g| g.path != top) {
            let r = &c.group;
            let name = label(r.kind_title, &r.path, &r.display_name);
            let heading = if repeated("", &name) {
                format!("{name} ({})", r.path)
            } else {
                name
            };
            groups.push(Group {
                heading,
                path: top.clone(),
                rows: Vec::new(),
                changes: 0,
                kind_title: r.kind_title,
                components: 0,
            });
        }
        let g = groups.last_mut().expect("a group");
        g.components += 1;
        g.changes += match c.change {
            Change::Changed => c.changes.len(),
            _ => 1,
        };
        if is_top {
            match c.change {
                Change::Changed => push_properties(&mut g.rows, 2, &c.changes, opts),
                ch => {
                    g.heading = format!("{} {}{}", ch.sign(), g.heading, added_text(c));
                }
            }
            continue;
        }
        let label = component_label(c);
        let at = if repeated(&top, &label) {
            format!(" ({})", c.path)
        } else {
            String::new()
        };
        match (c.change, c.changes.as_slice()) {
            (Change::Changed, [one])
                if one.text_diff.is_none() && one.change == Change::Changed =>
            {
                g.rows.push(Row::new(
                    2,
                    Style::Mark(Change::Changed),
                    format!("~ {label}{at}: {}", property_text(one)),
                ))
            }
            (Change::Changed, props) => {
                g.rows.push(Row::new(
                    2,
                    Style::Mark(Change::Changed),
                    format!("~ {label}{at}"),
                ));
                push_properties(&mut g.rows, 6, props, opts);
            }
            (ch, _) => g.rows.push(Row::new(
                2,
                Style::Mark(ch),
                format!("{} {label}{at}{}", ch.sign(), added_text(c)),
            )),
        }
    }
    groups
}

/// One line per changed component (`--stat`): its change, its name, where it is, and how
/// many of its properties changed.
pub fn stat_rows(report: &DiffReport) -> Vec<Row> {
    stat_rows_with(report, true)
}

/// [`stat_rows`], saying the top-level component each is in only if `within` (a section of
/// one top-level component says it in its heading).
pub fn stat_rows_with(report: &DiffReport, within: bool) -> Vec<Row> {
    let show_within = within;
    report
        .components
        .iter()
        .map(|c| {
            let top = segments(&c.path)[0];
            let within = if top != c.path && show_within {
                format!(
                    " in {}",
                    label(c.group.kind_title, &c.group.path, &c.group.display_name)
                )
            } else {
                String::new()
            };
            let detail = match c.change {
                Change::Changed => {
                    let n = c.changes.len();
                    format!(": {n} change{}", plural(n))
                }
                _ => String::new(),
            };
            Row::new(
                2,
                Style::Mark(c.change),
                format!("{} {}{within}{detail}", c.change.sign(), component_label(c)),
            )
        })
        .collect()
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
    manifest_rows_with(report, &LayoutOptions::default())
}

fn list_rows<T>(
    rows: &mut Vec<Row>,
    name: &str,
    d: &ListDelta<T>,
    text: impl Fn(&T) -> String,
    changed_text: impl Fn(&T) -> String,
    opts: &LayoutOptions,
) {
    if d.is_empty() {
        return;
    }
    let mut counts = vec![
        format!("+{}", d.added.len()),
        format!("-{}", d.removed.len()),
    ];
    if !d.changed.is_empty() {
        counts.push(format!("~{}", d.changed.len()));
    }
    rows.push(Row::new(
        2,
        Style::Mark(Change::Changed),
        format!("{name}: {}", counts.join(" ")),
    ));
    for a in &d.added {
        rows.push(Row::new(
            4,
            Style::Mark(Change::Added),
            format!("+ {}", text(a)),
        ));
    }
    for r in &d.removed {
        rows.push(Row::new(
            4,
            Style::Mark(Change::Removed),
            format!("- {}", text(r)),
        ));
    }
    for c in &d.changed {
        let item = changed_text(&c.item);
        let props: Vec<PropertyChange> = c
            .changes
            .iter()
            .map(|p| PropertyChange {
                property: format!("{item} / {}", p.property),
                ..p.clone()
            })
            .collect();
        push_properties(rows, 4, &props, opts);
    }
}

/// Manifest rows, with text diffs cut as `opts` says.
pub fn manifest_rows_with(report: &DiffReport, opts: &LayoutOptions) -> Vec<Row> {
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
    list_rows(
        &mut rows,
        "root components",
        &m.root_components,
        RootComponent::text,
        |r| r.component.text(),
        opts,
    );
    list_rows(
        &mut rows,
        "missing dependencies",
        &m.missing_dependencies,
        MissingDependency::text,
        MissingDependency::text,
        opts,
    );
    // The version is already in the title.
    let others: Vec<PropertyChange> = m
        .changes
        .iter()
        .filter(|p| p.property != "Version")
        .cloned()
        .collect();
    push_properties(&mut rows, 2, &others, opts);
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
        plural(s.changed),
        s.added,
        s.removed
    );
    if s.manifest_changes > 0 {
        line.push_str(&format!(
            "; {} manifest change{}",
            s.manifest_changes,
            plural(s.manifest_changes)
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
            properties: Vec::new(),
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
        assert_eq!(groups[0].heading, "Table new_project \"Project\"");
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
        assert_eq!(show_value("1.0.0.2"), "1.0.0.2");
        assert_eq!(show_value("50%"), "50%");
        assert_eq!(show_value(""), "\"\"");
        assert_eq!(show_value("Global"), "\"Global\"");
        assert_eq!(show_value("État civil"), "\"État civil\"");
    }
}
