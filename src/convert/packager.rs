//! SolutionPackager folders (`pac solution unpack`, the XML format): a solution's classic
//! entries (`solution.xml`, `customizations.xml` and their parts) split into the packager's
//! files, and those files packed back. The boundary type is a list of [`Entry`] both ways.
//!
//! Layout and style are SolutionPackager's (solution-format.md §5.2): each file it makes
//! opens with a BOM and an XML declaration, its root declares `xsi` (app modules' do not),
//! the element sits at depth 0 — or 1 under a `<forms>` / `<savedqueries>` wrapper — and
//! there is no final newline. The section a file came from stays in
//! `Other/Customizations.xml` (and a table's parts in its `Entity.xml`) as an empty
//! placeholder, which keeps the sections' order; packing fills the placeholders back.
//! Element content is moved, never rewritten: only the indentation of the structure changes
//! depth. The packager keeps no order for the lists it splits, so packing takes tables,
//! forms, views, roles, processes … in file-name order and relationships in the order of
//! `Other/Relationships.xml` (sorted by name, as SolutionPackager writes it). A section or
//! folder whose files are not mapped is refused by name before anything is written.

use super::ConvertError;
use crate::input::Entry;
use crate::merge::package::{content_types_xml, export_order};
use crate::xml::{self, Document, NodeId};
use std::collections::{BTreeMap, HashMap};

const XSI: &str = r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;
const PROLOG: &str = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>";
const SOLUTION: &str = "Other/Solution.xml";
const CUSTOMIZATIONS: &str = "Other/Customizations.xml";
const RELATIONSHIPS: &str = "Other/Relationships.xml";
const RELATIONSHIP_FILES: &str = "Other/Relationships/";

/// Sections of customizations.xml whose elements each get a file of their own.
struct Split {
    section: &'static str,
    child: &'static str,
    /// The file of one element, named from it.
    file: fn(&Document, NodeId) -> Option<String>,
    /// Whether a packager file of this section is one (`Roles/…`), for packing.
    holds: fn(&str) -> bool,
    /// Whether the file's root declares `xsi` (SolutionPackager adds it to all but apps).
    xsi: bool,
}

const SPLITS: &[Split] = &[
    Split {
        section: "Roles",
        child: "Role",
        file: |d, n| Some(format!("Roles/{}.xml", file_name(&d.attr(n, "name")?)?)),
        holds: |p| directly_in(p, "Roles/", ".xml"),
        xsi: true,
    },
    Split {
        section: "Workflows",
        child: "Workflow",
        file: |d, n| {
            let part = d
                .child_text(n, "XamlFileName")
                .or_else(|| d.child_text(n, "JsonFileName"))?;
            Some(format!("{}.data.xml", part_path(&part)?))
        },
        holds: |p| directly_in(p, "Workflows/", ".data.xml"),
        xsi: true,
    },
    Split {
        section: "optionsets",
        child: "optionset",
        file: |d, n| {
            Some(format!(
                "OptionSets/{}.xml",
                file_name(&d.attr(n, "Name")?)?
            ))
        },
        holds: |p| directly_in(p, "OptionSets/", ".xml"),
        xsi: true,
    },
    Split {
        section: "Dashboards",
        child: "Dashboard",
        file: |d, n| {
            let id = d.child_text(n, "FormId")?;
            Some(format!("Dashboards/{}.xml", file_name(id.trim())?))
        },
        holds: |p| directly_in(p, "Dashboards/", ".xml"),
        xsi: true,
    },
    Split {
        section: "WebResources",
        child: "WebResource",
        file: |d, n| {
            let name = d.child_text(n, "Name")?;
            Some(format!("WebResources/{}.data.xml", relative_path(&name)?))
        },
        holds: |p| p.starts_with("WebResources/") && p.ends_with(".data.xml"),
        xsi: true,
    },
    Split {
        section: "SolutionPluginAssemblies",
        child: "PluginAssembly",
        file: |d, n| {
            let part = d.child_text(n, "FileName")?;
            Some(format!("{}.data.xml", part_path(&part)?))
        },
        holds: |p| p.starts_with("PluginAssemblies/") && p.ends_with(".data.xml"),
        xsi: true,
    },
    Split {
        section: "SdkMessageProcessingSteps",
        child: "SdkMessageProcessingStep",
        file: |d, n| {
            let id = d.attr(n, "SdkMessageProcessingStepId")?;
            Some(format!("SdkMessageProcessingSteps/{}.xml", file_name(&id)?))
        },
        holds: |p| directly_in(p, "SdkMessageProcessingSteps/", ".xml"),
        xsi: true,
    },
    Split {
        section: "AppModuleSiteMaps",
        child: "AppModuleSiteMap",
        file: |d, n| {
            let name = d.child_text(n, "SiteMapUniqueName")?;
            Some(format!(
                "AppModuleSiteMaps/{}/AppModuleSiteMap.xml",
                file_name(name.trim())?
            ))
        },
        holds: |p| p.starts_with("AppModuleSiteMaps/") && p.ends_with("/AppModuleSiteMap.xml"),
        xsi: true,
    },
    Split {
        section: "AppModules",
        child: "AppModule",
        file: |d, n| {
            let name = d.child_text(n, "UniqueName")?;
            Some(format!(
                "AppModules/{}/AppModule.xml",
                file_name(name.trim())?
            ))
        },
        holds: |p| p.starts_with("AppModules/") && p.ends_with("/AppModule.xml"),
        xsi: false,
    },
    Split {
        section: "CustomControls",
        child: "CustomControl",
        file: |d, n| {
            let part = d.child_text(n, "FileName")?;
            Some(format!("{}.data.xml", part_path(&part)?))
        },
        holds: |p| p.starts_with("Controls/") && p.ends_with(".data.xml"),
        xsi: true,
    },
    Split {
        section: "CanvasApps",
        child: "CanvasApp",
        file: |d, n| {
            let name = d.child_text(n, "Name")?;
            Some(format!("CanvasApps/{}.meta.xml", file_name(name.trim())?))
        },
        holds: |p| directly_in(p, "CanvasApps/", ".meta.xml"),
        xsi: true,
    },
];

/// Sections kept whole in one file.
const WHOLE: &[(&str, &str)] = &[
    ("RibbonDiffXml", "Other/RibbonCustomization.xml"),
    ("EntityMaps", "Other/EntityMaps.xml"),
    ("FieldSecurityProfiles", "Other/FieldSecurityProfiles.xml"),
    ("ConnectionRoles", "Other/ConnectionRoles.xml"),
    ("ServiceEndpoints", "PluginAssemblies/ServiceEndpoints.xml"),
];

/// Sections SolutionPackager leaves inside `Other/Customizations.xml`.
const INLINE: &[&str] = &[
    "EntityImageConfigs",
    "AttributeImageConfigs",
    "IsvConfig",
    "OrganizationSettings",
    "appaction_appactionrule_classicrulesset",
    "connectionreferences",
    "msdyn_dataflows",
    "AIModels",
    "Languages",
];

/// Folders of parts SolutionPackager copies as they are in the zip (record-style
/// components), besides the processes', plug-ins', code components' and canvas apps' own
/// files.
const VERBATIM: &[&str] = &[
    "Workflows/",
    "CanvasApps/",
    "Controls/",
    "PluginAssemblies/",
    "customapis/",
    "customapirequestparameters/",
    "customapiresponseproperties/",
    "environmentvariabledefinitions/",
    "bots/",
    "botcomponents/",
    "Assets/",
    "appactions/",
    "aiplugins/",
    "aiskillconfigs/",
    "dvtablesearchs/",
    "dvtablesearchentities/",
    "msdyn_schedules/",
    "pluginpackages/",
];

/// A table's parts that get files of their own, in `Entity.xml`'s order.
const TABLE_PARTS: [&str; 4] = ["FormXml", "SavedQueries", "Visualizations", "RibbonDiffXml"];

/// The file name of a table's formula file (`Entities/<table>/Formulas/<name>`).
fn formula_file(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("Entities/")?;
    let (_, rest) = rest.split_once('/')?;
    let name = rest.strip_prefix("Formulas/")?;
    (!name.contains('/')).then_some(name)
}

fn directly_in(path: &str, folder: &str, suffix: &str) -> bool {
    path.strip_prefix(folder)
        .is_some_and(|rest| !rest.contains('/') && rest.ends_with(suffix))
}

/// A name used as one path segment: refused when it could not be one on every system.
fn file_name(name: &str) -> Option<String> {
    let bad = |c: char| matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
    (!name.is_empty() && !name.contains(bad) && name != "." && name != "..")
        .then(|| name.to_string())
}

/// A web resource's name as a relative path (`new_/scripts/x.js`): `/` makes folders.
fn relative_path(name: &str) -> Option<String> {
    let segments: Option<Vec<String>> = name.split('/').map(file_name).collect();
    Some(segments?.join("/"))
}

/// A part's path in the package from the `/Workflows/…`-style name an element gives it.
fn part_path(name: &str) -> Option<String> {
    relative_path(name.trim().trim_start_matches('/'))
}

/// Where an unmapped part is, for the refusal: its top folder, or the part itself.
fn part_place(path: &str) -> String {
    match path.split_once('/') {
        Some((folder, _)) => format!("the {folder} folder"),
        None => format!("the package part {path}"),
    }
}

fn malformed(file: &str, message: impl Into<String>) -> ConvertError {
    ConvertError::Packager {
        file: file.to_string(),
        message: message.into(),
    }
}

fn parse(path: &str, data: &[u8]) -> Result<Document, ConvertError> {
    let (text, _) = crate::input::decode_xml(path, data.to_vec())
        .map_err(|e| malformed(path, e.to_string()))?;
    Ok(Document::parse(text, path)?)
}

fn root(doc: &Document, path: &str) -> Result<NodeId, ConvertError> {
    doc.root().ok_or_else(|| malformed(path, "no root element"))
}

fn indent_of(doc: &Document, id: NodeId) -> usize {
    doc.indentation(id).map_or(0, str::len)
}

/// Element `id` with its structure indented `to` spaces deep, `replace`d nodes written as given.
fn at_depth(
    doc: &Document,
    id: NodeId,
    to: usize,
    replace: &dyn Fn(NodeId) -> Option<String>,
) -> String {
    let delta = to as isize - indent_of(doc, id) as isize;
    doc.reindented(id, delta, replace)
}

fn no_replacement(_: NodeId) -> Option<String> {
    None
}

/// `text` (an element's text) with `xsi` declared at the end of its start tag.
fn with_xsi(text: &str, start_tag_len: usize) -> String {
    let tag = &text[..start_tag_len];
    if tag.contains("xmlns:xsi=") {
        return text.to_string();
    }
    let end = if tag.ends_with("/>") { 2 } else { 1 };
    let body = tag[..tag.len() - end].trim_end();
    let space = &tag[body.len()..tag.len() - end];
    format!(
        "{body}{XSI}{space}{}{}",
        &tag[tag.len() - end..],
        &text[start_tag_len..]
    )
}

/// `text` without the `xsi` declaration SolutionPackager added to its start tag.
fn without_xsi(text: &str, start_tag_len: usize) -> String {
    match text[..start_tag_len].find(XSI) {
        Some(at) => format!("{}{}", &text[..at], &text[at + XSI.len()..]),
        None => text.to_string(),
    }
}

fn packager_file(nl: &str, body: &str) -> Vec<u8> {
    format!("{PROLOG}{nl}{body}").into_bytes()
}

/// A wrapper element around items already indented one level.
fn wrapped(name: &str, open_attrs: &str, items: &[String], nl: &str) -> String {
    let mut s = format!("<{name}{open_attrs}>");
    for item in items {
        s.push_str(nl);
        s.push_str("  ");
        s.push_str(item);
    }
    s.push_str(nl);
    s.push_str(&format!("</{name}>"));
    s
}

/// A section filled with `items` (each already indented `indent + 2`), at depth `indent`.
fn filled(open: &str, name: &str, items: &[String], indent: usize, nl: &str) -> String {
    let pad = " ".repeat(indent + 2);
    let mut s = open.to_string();
    for item in items {
        s.push_str(nl);
        s.push_str(&pad);
        s.push_str(item);
    }
    s.push_str(nl);
    s.push_str(&" ".repeat(indent));
    s.push_str(&format!("</{name}>"));
    s
}

fn has_elements(doc: &Document, id: NodeId) -> bool {
    doc.elements(id).next().is_some()
}

fn unsupported(what: impl Into<String>) -> ConvertError {
    ConvertError::PackagerUnsupported(what.into())
}

/// The title of a section SolutionPackager splits in a way not mapped here, for the refusal.
fn section_title(section: &str) -> String {
    let title = match section {
        "Templates" => "email, contract and article templates",
        "Connectors" => "custom connectors",
        "InteractionCentricDashboards" => "interactive dashboards",
        "Reports" => "reports",
        "Dialogs" => "dialogs",
        "EnvironmentVariables" => "environment variables in the older EnvironmentVariables section",
        "EntityDataProviders" => "virtual table data providers",
        "EntityDataSources" => "virtual table data sources",
        _ => return format!("the {section} section"),
    };
    format!("{title} (the {section} section)")
}

// ---- classic → packager ----

/// The classic entries of a solution (a zip's or extracted folder's) as a SolutionPackager
/// folder's files.
pub fn unpack(classic: &[Entry]) -> Result<Vec<Entry>, ConvertError> {
    let find = |name: &str| classic.iter().find(|e| e.path.eq_ignore_ascii_case(name));
    let solution = find("solution.xml").ok_or(ConvertError::NoManifest)?;
    let customizations = find("customizations.xml")
        .ok_or_else(|| malformed("customizations.xml", "the package has none"))?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut refused: Vec<String> = Vec::new();

    let sdoc = parse(&solution.path, &solution.data)?;
    let sroot = root(&sdoc, &solution.path)?;
    let nl = sdoc.newline_style().as_str();
    let text = at_depth(&sdoc, sroot, 0, &no_replacement);
    files.insert(
        SOLUTION.into(),
        packager_file(nl, &with_xsi(&text, sdoc.raw_start_tag(sroot).len())),
    );

    let cdoc = parse(&customizations.path, &customizations.data)?;
    let croot = root(&cdoc, &customizations.path)?;
    let nl = cdoc.newline_style().as_str();
    let mut placeholders: HashMap<NodeId, String> = HashMap::new();
    // Parts renamed on the way (web resources take their natural names).
    let mut renamed: HashMap<String, String> = HashMap::new();
    for section in cdoc.elements(croot) {
        let name = cdoc.name(section);
        if !has_elements(&cdoc, section) || INLINE.contains(&name) {
            continue;
        }
        placeholders.insert(section, format!("<{name} />"));
        if name == "Entities" {
            for table in cdoc.elements(section) {
                unpack_table(&cdoc, table, nl, &mut files, &mut renamed)?;
            }
        } else if name == "EntityRelationships" {
            unpack_relationships(&cdoc, section, nl, &mut files)?;
        } else if let Some(&(_, file)) = WHOLE.iter().find(|(s, _)| *s == name) {
            let text = at_depth(&cdoc, section, 0, &no_replacement);
            let tag = cdoc.raw_start_tag(section).len();
            files.insert(file.into(), packager_file(nl, &with_xsi(&text, tag)));
        } else if let Some(split) = SPLITS.iter().find(|s| s.section == name) {
            for item in cdoc.elements(section) {
                if cdoc.name(item) != split.child {
                    refused.push(format!("<{}> in the {name} section", cdoc.name(item)));
                    continue;
                }
                let path = (split.file)(&cdoc, item).ok_or_else(|| {
                    malformed(
                        &customizations.path,
                        format!(
                            "a <{}> at line {} has no name a file can take",
                            split.child,
                            cdoc.position(item).0
                        ),
                    )
                })?;
                let text = at_depth(&cdoc, item, 0, &no_replacement);
                let text = if split.xsi {
                    with_xsi(&text, cdoc.raw_start_tag(item).len())
                } else {
                    text
                };
                // An unmodified web resource (`unmodified="1"`) comes without content.
                if name == "WebResources"
                    && let Some(content) = cdoc
                        .child_text(item, "FileName")
                        .and_then(|f| part_path(&f))
                {
                    let natural = path.trim_end_matches(".data.xml").to_string();
                    renamed.insert(content, natural);
                }
                if files
                    .insert(path.clone(), packager_file(nl, &text))
                    .is_some()
                {
                    return Err(malformed(
                        &customizations.path,
                        format!("two components would be written to {path}"),
                    ));
                }
            }
        } else {
            refused.push(section_title(name));
        }
    }
    let text = at_depth(&cdoc, croot, 0, &|n| placeholders.get(&n).cloned());
    files.insert(CUSTOMIZATIONS.into(), packager_file(nl, &text));

    for e in classic {
        let lower = e.path.to_ascii_lowercase();
        if ["solution.xml", "customizations.xml", "[content_types].xml"].contains(&lower.as_str()) {
            continue;
        }
        let path = match renamed.get(&e.path) {
            Some(natural) => natural.clone(),
            None if VERBATIM.iter().any(|f| e.path.starts_with(f))
                || e.path.starts_with("WebResources/") =>
            {
                e.path.clone()
            }
            None => {
                refused.push(part_place(&e.path));
                continue;
            }
        };
        if files.insert(path.clone(), e.data.clone()).is_some() {
            return Err(malformed(&e.path, format!("{path} would be written twice")));
        }
    }
    if !refused.is_empty() {
        refused.sort();
        refused.dedup();
        return Err(unsupported(refused.join(", ")));
    }
    Ok(files
        .into_iter()
        .map(|(path, data)| Entry { path, data })
        .collect())
}

fn unpack_table(
    doc: &Document,
    table: NodeId,
    nl: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
    renamed: &mut HashMap<String, String>,
) -> Result<(), ConvertError> {
    let file = "customizations.xml";
    let name = doc
        .child_text(table, "Name")
        .and_then(|n| file_name(n.trim()))
        .ok_or_else(|| {
            malformed(
                file,
                format!("the table at line {} has no name", doc.position(table).0),
            )
        })?;
    let dir = format!("Entities/{name}");
    // Calculated and rollup columns' definitions move from Formulas/ to the table's folder.
    for n in doc.descendant_ids(table) {
        if doc.is_element(n) && doc.name(n) == "FormulaDefinitionFileName" {
            let part = part_path(&doc.text_of(n)).unwrap_or_default();
            if let Some(file) = part.strip_prefix("Formulas/").filter(|f| !f.contains('/')) {
                renamed.insert(part.clone(), format!("{dir}/Formulas/{file}"));
            }
        }
    }
    let mut placeholders: HashMap<NodeId, String> = HashMap::new();
    for part in doc.elements(table) {
        let part_name = doc.name(part);
        if !TABLE_PARTS.contains(&part_name) || !has_elements(doc, part) {
            continue;
        }
        placeholders.insert(part, format!("<{part_name} />"));
        let mut put = |path: String, body: String| {
            if files
                .insert(path.clone(), packager_file(nl, &body))
                .is_some()
            {
                return Err(malformed(
                    file,
                    format!("two components would be written to {path}"),
                ));
            }
            Ok(())
        };
        match part_name {
            "FormXml" => {
                for forms in doc.elements(part) {
                    let kind = doc
                        .attr(forms, "type")
                        .and_then(|t| file_name(&t))
                        .ok_or_else(|| malformed(file, format!("{dir}: forms without a type")))?;
                    for form in doc.elements(forms) {
                        let id = doc
                            .child_text(form, "formid")
                            .and_then(|i| file_name(i.trim()))
                            .ok_or_else(|| {
                                malformed(file, format!("{dir}: a form without an id"))
                            })?;
                        let text = at_depth(doc, form, 2, &no_replacement);
                        put(
                            format!("{dir}/FormXml/{kind}/{id}.xml"),
                            wrapped("forms", XSI, &[text], nl),
                        )?;
                    }
                }
            }
            "SavedQueries" => {
                for list in doc.elements(part) {
                    for view in doc.elements(list) {
                        let id = doc
                            .child_text(view, "savedqueryid")
                            .and_then(|i| file_name(i.trim()))
                            .ok_or_else(|| {
                                malformed(file, format!("{dir}: a view without an id"))
                            })?;
                        let text = at_depth(doc, view, 2, &no_replacement);
                        put(
                            format!("{dir}/SavedQueries/{id}.xml"),
                            wrapped("savedqueries", XSI, &[text], nl),
                        )?;
                    }
                }
            }
            "Visualizations" => {
                for chart in doc.elements(part) {
                    let id = doc
                        .child_text(chart, "savedqueryvisualizationid")
                        .and_then(|i| file_name(i.trim()))
                        .ok_or_else(|| malformed(file, format!("{dir}: a chart without an id")))?;
                    let text = at_depth(doc, chart, 0, &no_replacement);
                    let tag = doc.raw_start_tag(chart).len();
                    put(
                        format!("{dir}/Visualizations/{id}.xml"),
                        with_xsi(&text, tag),
                    )?;
                }
            }
            _ => {
                let text = at_depth(doc, part, 0, &no_replacement);
                let tag = doc.raw_start_tag(part).len();
                put(format!("{dir}/RibbonDiff.xml"), with_xsi(&text, tag))?;
            }
        }
    }
    let text = at_depth(doc, table, 0, &|n| placeholders.get(&n).cloned());
    let tag = doc.raw_start_tag(table).len();
    let path = format!("{dir}/Entity.xml");
    if files
        .insert(path.clone(), packager_file(nl, &with_xsi(&text, tag)))
        .is_some()
    {
        return Err(malformed(
            file,
            format!("two tables would be written to {path}"),
        ));
    }
    Ok(())
}

/// The lower-case ordinal order SolutionPackager sorts relationships in.
fn by_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

fn unpack_relationships(
    doc: &Document,
    section: NodeId,
    nl: &str,
    files: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), ConvertError> {
    let file = "customizations.xml";
    // (name as written, file's table, text at depth 1)
    let mut all: Vec<(String, String, String)> = Vec::new();
    for rel in doc.elements(section) {
        let name = doc
            .attr_raw(rel, "Name")
            .ok_or_else(|| malformed(file, "a relationship without a name"))?
            .to_string();
        // 1:N live with the referenced (one-side) table, N:N with the first table.
        let many = doc
            .child_text(rel, "EntityRelationshipType")
            .is_some_and(|t| t.trim() == "ManyToMany");
        let owner = doc
            .child_text(
                rel,
                if many {
                    "FirstEntityName"
                } else {
                    "ReferencedEntityName"
                },
            )
            .and_then(|t| file_name(t.trim()))
            .ok_or_else(|| {
                malformed(
                    file,
                    format!("relationship {name}: no table to file it with"),
                )
            })?;
        let text = at_depth(doc, rel, 2, &no_replacement);
        all.push((name, owner, text));
    }
    all.sort_by(|a, b| by_lowercase(&a.0, &b.0));
    let index: Vec<String> = all
        .iter()
        .map(|(name, _, _)| format!("<EntityRelationship Name=\"{name}\" />"))
        .collect();
    files.insert(
        RELATIONSHIPS.into(),
        packager_file(nl, &wrapped("EntityRelationships", XSI, &index, nl)),
    );
    let mut by_table: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (_, owner, text) in &all {
        by_table.entry(owner).or_default().push(text.clone());
    }
    for (table, items) in by_table {
        files.insert(
            format!("{RELATIONSHIP_FILES}{table}.xml"),
            packager_file(nl, &wrapped("EntityRelationships", XSI, &items, nl)),
        );
    }
    Ok(())
}

// ---- packager → classic ----

/// A packager file parsed, with its path.
struct File {
    path: String,
    doc: Document,
}

/// A SolutionPackager folder's files packed into a solution's classic entries (with
/// `[Content_Types].xml`, in export order).
pub fn pack(folder: &[Entry]) -> Result<Vec<Entry>, ConvertError> {
    let get = |name: &str| folder.iter().find(|e| e.path.eq_ignore_ascii_case(name));
    let solution = get(SOLUTION).ok_or(ConvertError::NoManifest)?;
    let customizations =
        get(CUSTOMIZATIONS).ok_or_else(|| malformed(CUSTOMIZATIONS, "the folder has none"))?;
    if let Some(twin) = folder
        .iter()
        .find(|e| crate::model::is_managed_twin(&e.path))
    {
        return Err(unsupported(format!(
            "a folder holding managed files beside the unmanaged ones ({}); pack it with \
             `pac solution pack --packagetype Both`",
            twin.path
        )));
    }
    let sdoc = parse(&solution.path, &solution.data)?;
    let sroot = root(&sdoc, &solution.path)?;
    if sdoc
        .child(sroot, "SolutionManifest")
        .and_then(|m| sdoc.child_text(m, "Managed"))
        .is_some_and(|m| m.trim() == "2")
    {
        return Err(unsupported(
            "a folder holding both package types (Managed 2); pack it with `pac solution pack`",
        ));
    }
    let solution_xml = at_depth(&sdoc, sroot, 0, &no_replacement);

    let mut sections: BTreeMap<&'static str, Vec<File>> = BTreeMap::new();
    let mut tables: BTreeMap<String, Vec<File>> = BTreeMap::new();
    let mut relationship_files: Vec<File> = Vec::new();
    let mut index: Option<File> = None;
    let mut parts: Vec<Entry> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for e in folder {
        let p = e.path.as_str();
        if p.eq_ignore_ascii_case(SOLUTION) || p.eq_ignore_ascii_case(CUSTOMIZATIONS) {
            continue;
        }
        let file = || -> Result<File, ConvertError> {
            Ok(File {
                path: e.path.clone(),
                doc: parse(&e.path, &e.data)?,
            })
        };
        if p == RELATIONSHIPS {
            index = Some(file()?);
        } else if directly_in(p, RELATIONSHIP_FILES, ".xml") {
            relationship_files.push(file()?);
        } else if let Some(&(section, _)) = WHOLE.iter().find(|(_, f)| *f == p) {
            sections.entry(section).or_default().push(file()?);
        } else if let Some(name) = formula_file(p) {
            // A calculated column's definition: the zip keeps them all in Formulas/.
            parts.push(Entry {
                path: format!("Formulas/{name}"),
                data: e.data.clone(),
            });
        } else if let Some(rest) = p.strip_prefix("Entities/") {
            let table = rest.split('/').next().unwrap_or(rest).to_string();
            tables.entry(table).or_default().push(file()?);
        } else if let Some(split) = SPLITS.iter().find(|s| (s.holds)(p)) {
            sections.entry(split.section).or_default().push(file()?);
        } else if VERBATIM.iter().any(|f| p.starts_with(f)) || p.starts_with("WebResources/") {
            parts.push(e.clone());
        } else {
            refused.push(part_place(p));
        }
    }
    if !refused.is_empty() {
        refused.sort();
        refused.dedup();
        return Err(unsupported(refused.join(", ")));
    }

    let cdoc = parse(&customizations.path, &customizations.data)?;
    let croot = root(&cdoc, &customizations.path)?;
    let nl = cdoc.newline_style().as_str();
    let mut fills: HashMap<NodeId, String> = HashMap::new();
    let mut filled_sections: Vec<&str> = Vec::new();
    // Web resources' contents go back under the names their metadata gives.
    let mut renamed: HashMap<String, String> = HashMap::new();
    for section in cdoc.elements(croot) {
        let name = cdoc.name(section);
        let indent = indent_of(&cdoc, section);
        let placeholder = !has_elements(&cdoc, section);
        let text = if name == "Entities" && !tables.is_empty() {
            let mut items = Vec::new();
            for (table, files) in &tables {
                items.push(pack_table(table, files, indent + 2, nl)?);
            }
            Some(filled("<Entities>", name, &items, indent, nl))
        } else if name == "EntityRelationships"
            && (index.is_some() || !relationship_files.is_empty())
        {
            let items = pack_relationships(index.as_ref(), &relationship_files, indent + 2)?;
            Some(filled("<EntityRelationships>", name, &items, indent, nl))
        } else if let Some(files) = sections.get(name) {
            if let Some(&(_, _)) = WHOLE.iter().find(|(s, _)| *s == name) {
                let f = &files[0];
                let r = root(&f.doc, &f.path)?;
                let text = at_depth(&f.doc, r, indent, &no_replacement);
                Some(without_xsi(&text, f.doc.raw_start_tag(r).len()))
            } else {
                let mut files: Vec<&File> = files.iter().collect();
                files.sort_by(|a, b| by_lowercase(&a.path, &b.path));
                let mut items = Vec::new();
                for f in files {
                    let r = root(&f.doc, &f.path)?;
                    let text = at_depth(&f.doc, r, indent + 2, &no_replacement);
                    if name == "WebResources"
                        && let Some(content) =
                            f.doc.child_text(r, "FileName").and_then(|n| part_path(&n))
                    {
                        renamed.insert(f.path.trim_end_matches(".data.xml").to_string(), content);
                    }
                    items.push(without_xsi(&text, f.doc.raw_start_tag(r).len()));
                }
                Some(filled(&format!("<{name}>"), name, &items, indent, nl))
            }
        } else {
            None
        };
        if let Some(text) = text {
            if !placeholder {
                return Err(malformed(
                    &customizations.path,
                    format!("<{name}> holds elements and has files of its own; keep one of them"),
                ));
            }
            fills.insert(section, text);
            filled_sections.push(name);
        }
    }
    let wanted = sections
        .keys()
        .copied()
        .chain((!tables.is_empty()).then_some("Entities"))
        .chain(
            (index.is_some() || !relationship_files.is_empty()).then_some("EntityRelationships"),
        );
    for section in wanted {
        if !filled_sections.contains(&section) {
            return Err(malformed(
                &customizations.path,
                format!("there is no <{section} /> placeholder for the section's files"),
            ));
        }
    }
    let customizations_xml = at_depth(&cdoc, croot, indent_of(&cdoc, croot), &|n| {
        fills.get(&n).cloned()
    });

    let mut out = vec![
        Entry {
            path: "customizations.xml".into(),
            data: customizations_xml.into_bytes(),
        },
        Entry {
            path: "solution.xml".into(),
            data: solution_xml.into_bytes(),
        },
    ];
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for e in parts {
        let path = match renamed.remove(&e.path) {
            Some(zip_name) => zip_name,
            None => e.path.clone(),
        };
        contents.insert(path, e.data);
    }
    if let Some((natural, _)) = renamed.into_iter().next() {
        return Err(malformed(
            &format!("{natural}.data.xml"),
            format!("the web resource's content file {natural} is missing"),
        ));
    }
    out.extend(
        contents
            .into_iter()
            .map(|(path, data)| Entry { path, data }),
    );
    let types = content_types_xml(&out);
    out.push(Entry {
        path: crate::merge::package::CONTENT_TYPES.into(),
        data: types,
    });
    export_order(&mut out);
    Ok(out)
}

/// One table's `<Entity>` at depth `indent`, its parts filled from its files.
fn pack_table(
    table: &str,
    files: &[File],
    indent: usize,
    nl: &str,
) -> Result<String, ConvertError> {
    let dir = format!("Entities/{table}/");
    let entity = files
        .iter()
        .find(|f| f.path == format!("{dir}Entity.xml"))
        .ok_or_else(|| malformed(&format!("{dir}Entity.xml"), "the table's folder has none"))?;
    let root_id = root(&entity.doc, &entity.path)?;
    let part_indent = indent + 2;
    let mut fills: HashMap<NodeId, String> = HashMap::new();
    let mut used = vec![false; files.len()];
    used[files
        .iter()
        .position(|f| std::ptr::eq(f, entity))
        .unwrap_or(0)] = true;
    for part in entity.doc.elements(root_id) {
        let name = entity.doc.name(part);
        if !TABLE_PARTS.contains(&name) {
            continue;
        }
        let mut of_part: Vec<(usize, &File)> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| match name {
                "RibbonDiffXml" => f.path == format!("{dir}RibbonDiff.xml"),
                _ => f.path.starts_with(&format!("{dir}{name}/")),
            })
            .collect();
        if of_part.is_empty() {
            continue;
        }
        if has_elements(&entity.doc, part) {
            return Err(malformed(
                &entity.path,
                format!("<{name}> holds elements and has files of its own; keep one of them"),
            ));
        }
        of_part.sort_by(|a, b| by_lowercase(&a.1.path, &b.1.path));
        for (i, _) in &of_part {
            used[*i] = true;
        }
        let text = match name {
            "FormXml" => {
                // One <forms type="…"> per folder, in folder order.
                let mut kinds: Vec<(String, Vec<String>)> = Vec::new();
                for (_, f) in &of_part {
                    let rest = &f.path[dir.len() + "FormXml/".len()..];
                    let Some((kind, _)) = rest.split_once('/') else {
                        return Err(malformed(
                            &f.path,
                            "a form file must be in a folder named by its type",
                        ));
                    };
                    let forms = root(&f.doc, &f.path)?;
                    let mut items = Vec::new();
                    for form in f.doc.elements(forms) {
                        items.push(at_depth(&f.doc, form, part_indent + 4, &no_replacement));
                    }
                    match kinds.last_mut() {
                        Some((k, list)) if k == kind => list.extend(items),
                        _ => kinds.push((kind.to_string(), items)),
                    }
                }
                let lists: Vec<String> = kinds
                    .iter()
                    .map(|(kind, items)| {
                        filled(
                            &format!("<forms type=\"{}\">", xml::escape_attr(kind)),
                            "forms",
                            items,
                            part_indent + 2,
                            nl,
                        )
                    })
                    .collect();
                filled("<FormXml>", "FormXml", &lists, part_indent, nl)
            }
            "SavedQueries" => {
                let mut items = Vec::new();
                for (_, f) in &of_part {
                    let list = root(&f.doc, &f.path)?;
                    for view in f.doc.elements(list) {
                        items.push(at_depth(&f.doc, view, part_indent + 4, &no_replacement));
                    }
                }
                let list = filled(
                    "<savedqueries>",
                    "savedqueries",
                    &items,
                    part_indent + 2,
                    nl,
                );
                filled("<SavedQueries>", "SavedQueries", &[list], part_indent, nl)
            }
            "Visualizations" => {
                let mut items = Vec::new();
                for (_, f) in &of_part {
                    let r = root(&f.doc, &f.path)?;
                    let text = at_depth(&f.doc, r, part_indent + 2, &no_replacement);
                    items.push(without_xsi(&text, f.doc.raw_start_tag(r).len()));
                }
                filled(
                    "<Visualizations>",
                    "Visualizations",
                    &items,
                    part_indent,
                    nl,
                )
            }
            _ => {
                let f = of_part[0].1;
                let r = root(&f.doc, &f.path)?;
                let text = at_depth(&f.doc, r, part_indent, &no_replacement);
                without_xsi(&text, f.doc.raw_start_tag(r).len())
            }
        };
        fills.insert(part, text);
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(unsupported(format!(
            "{} (a table file this mapping does not place)",
            files[i].path
        )));
    }
    let text = at_depth(&entity.doc, root_id, indent, &|n| fills.get(&n).cloned());
    Ok(without_xsi(&text, entity.doc.raw_start_tag(root_id).len()))
}

/// Every relationship at depth `indent`, in the index's order; any the index leaves out
/// follow, sorted by name.
fn pack_relationships(
    index: Option<&File>,
    files: &[File],
    indent: usize,
) -> Result<Vec<String>, ConvertError> {
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for f in files {
        let r = root(&f.doc, &f.path)?;
        for rel in f.doc.elements(r) {
            let name = f
                .doc
                .attr_raw(rel, "Name")
                .ok_or_else(|| malformed(&f.path, "a relationship without a name"))?;
            let text = at_depth(&f.doc, rel, indent, &no_replacement);
            if by_name.insert(name.to_string(), text).is_some() {
                return Err(malformed(
                    &f.path,
                    format!("relationship {name} is defined twice"),
                ));
            }
        }
    }
    let mut out = Vec::new();
    if let Some(index) = index {
        let r = root(&index.doc, &index.path)?;
        for entry in index.doc.elements(r) {
            let name = index.doc.attr_raw(entry, "Name").unwrap_or_default();
            let text = by_name.remove(name).ok_or_else(|| {
                malformed(
                    &index.path,
                    format!("lists {name}, which no file under {RELATIONSHIP_FILES} defines"),
                )
            })?;
            out.push(text);
        }
    }
    let mut rest: Vec<(String, String)> = by_name.into_iter().collect();
    rest.sort_by(|a, b| by_lowercase(&a.0, &b.0));
    out.extend(rest.into_iter().map(|(_, text)| text));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, text: &str) -> Entry {
        Entry {
            path: path.into(),
            data: text.as_bytes().to_vec(),
        }
    }

    fn text_of<'a>(entries: &'a [Entry], path: &str) -> &'a str {
        let e = entries.iter().find(|e| e.path == path).unwrap_or_else(|| {
            panic!(
                "no {path} in {:?}",
                entries.iter().map(|e| &e.path).collect::<Vec<_>>()
            )
        });
        std::str::from_utf8(&e.data).unwrap()
    }

    const SOLUTION_XML: &str = "<ImportExportXml version=\"9.2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <SolutionManifest>\n    <UniqueName>s</UniqueName>\n    <Managed>0</Managed>\n  </SolutionManifest>\n</ImportExportXml>";

    fn classic(customizations: &str) -> Vec<Entry> {
        vec![
            entry("customizations.xml", customizations),
            entry("solution.xml", SOLUTION_XML),
        ]
    }

    #[test]
    fn the_xsi_declaration_goes_at_the_end_of_the_start_tag_and_comes_off_again() {
        for (tag, with) in [
            ("<a x=\"1\">", format!("<a x=\"1\"{XSI}>")),
            ("<a />", format!("<a{XSI} />")),
            ("<a>", format!("<a{XSI}>")),
        ] {
            let text = format!("{tag}rest");
            let added = with_xsi(&text, tag.len());
            assert_eq!(added, format!("{with}rest"));
            assert_eq!(without_xsi(&added, with.len()), text);
        }
        // Declared already: left alone.
        let declared = format!("<a{XSI}>");
        assert_eq!(with_xsi(&declared, declared.len()), declared);
    }

    #[test]
    fn names_that_cannot_be_file_names_are_refused() {
        assert_eq!(file_name("Sales Manager").as_deref(), Some("Sales Manager"));
        for bad in ["", "a/b", "a:b", "..", "a?"] {
            assert_eq!(file_name(bad), None, "{bad}");
        }
        assert_eq!(
            relative_path("new_/js/x.js").as_deref(),
            Some("new_/js/x.js")
        );
        assert_eq!(relative_path("new_//x.js"), None);
        assert_eq!(
            part_path(" /Workflows/a.xaml ").as_deref(),
            Some("Workflows/a.xaml")
        );
    }

    #[test]
    fn relationships_are_filed_with_their_one_side_or_first_table_sorted_by_lower_case_name() {
        let c = "<ImportExportXml>\n  <EntityRelationships>\n    <EntityRelationship Name=\"b_rel\">\n      <EntityRelationshipType>OneToMany</EntityRelationshipType>\n      <ReferencedEntityName>Account</ReferencedEntityName>\n    </EntityRelationship>\n    <EntityRelationship Name=\"A_n\">\n      <EntityRelationshipType>ManyToMany</EntityRelationshipType>\n      <FirstEntityName>Contact</FirstEntityName>\n      <ReferencedEntityName>Account</ReferencedEntityName>\n    </EntityRelationship>\n    <EntityRelationship Name=\"a_rel\">\n      <EntityRelationshipType>OneToMany</EntityRelationshipType>\n      <ReferencedEntityName>Account</ReferencedEntityName>\n    </EntityRelationship>\n  </EntityRelationships>\n</ImportExportXml>";
        let out = unpack(&classic(c)).unwrap();
        let index = text_of(&out, RELATIONSHIPS);
        let a = index.find("\"a_rel\"").unwrap();
        let n = index.find("\"A_n\"").unwrap();
        let b = index.find("\"b_rel\"").unwrap();
        assert!(n < a && a < b, "{index}");
        let account = text_of(&out, "Other/Relationships/Account.xml");
        assert!(account.contains("a_rel") && account.contains("b_rel") && !account.contains("A_n"));
        assert!(text_of(&out, "Other/Relationships/Contact.xml").contains("A_n"));
        assert!(text_of(&out, CUSTOMIZATIONS).contains("\n  <EntityRelationships />\n"));
        // Packing takes the index's order back.
        let packed = pack(&out).unwrap();
        let c2 = text_of(&packed, "customizations.xml");
        let order: Vec<usize> = ["\"A_n\"", "\"a_rel\"", "\"b_rel\""]
            .iter()
            .map(|n| c2.find(n).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{c2}");
    }

    #[test]
    fn packing_needs_a_placeholder_for_every_section_it_has_files_of() {
        let mut out = unpack(&classic(
            "<ImportExportXml>\n  <optionsets>\n    <optionset Name=\"new_tier\">\n      <OptionSetType>picklist</OptionSetType>\n    </optionset>\n  </optionsets>\n</ImportExportXml>",
        ))
        .unwrap();
        assert!(text_of(&out, "OptionSets/new_tier.xml").contains("<OptionSetType>picklist"));
        let c = out.iter_mut().find(|e| e.path == CUSTOMIZATIONS).unwrap();
        c.data = String::from_utf8(c.data.clone())
            .unwrap()
            .replace("  <optionsets />\n", "")
            .into_bytes();
        let err = pack(&out).unwrap_err().to_string();
        assert!(
            err.contains("there is no <optionsets /> placeholder"),
            "{err}"
        );
    }

    #[test]
    fn a_section_with_elements_and_files_of_its_own_is_refused() {
        let mut out = unpack(&classic(
            "<ImportExportXml>\n  <Roles>\n    <Role id=\"{1}\" name=\"R\" />\n  </Roles>\n</ImportExportXml>",
        ))
        .unwrap();
        let c = out.iter_mut().find(|e| e.path == CUSTOMIZATIONS).unwrap();
        c.data = String::from_utf8(c.data.clone())
            .unwrap()
            .replace("<Roles />", "<Roles><Role id=\"{2}\" name=\"S\" /></Roles>")
            .into_bytes();
        let err = pack(&out).unwrap_err().to_string();
        assert!(
            err.contains("<Roles> holds elements and has files of its own"),
            "{err}"
        );
    }

    #[test]
    fn unmapped_sections_and_parts_are_refused_by_name() {
        let mut entries = classic(
            "<ImportExportXml>\n  <Reports>\n    <Report />\n  </Reports>\n  <Templates />\n</ImportExportXml>",
        );
        entries.push(entry("Formulas/x.xaml", "<x />"));
        let err = unpack(&entries).unwrap_err().to_string();
        assert!(err.contains("reports (the Reports section)"), "{err}");
        assert!(err.contains("the Formulas folder"), "{err}");
        // An empty section is only a placeholder.
        assert!(!err.contains("Templates"), "{err}");
    }
}
