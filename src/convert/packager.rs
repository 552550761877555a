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
//! forms, views, roles, processes … in file-name order and relationships by name, the order
//! of the `Other/Relationships.xml` index SolutionPackager writes. A section or
//! folder whose files are not mapped is refused by name before anything is written.

use super::ConvertError;
use crate::input::Entry;
use crate::merge::package::{content_types_xml, export_order};
use crate::xml::{self, Document, NodeId};
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// The child elements of `parent`, which must all be `<name>`: another element would be
/// lost or misplaced on the way.
fn named_children(
    doc: &Document,
    parent: NodeId,
    name: &str,
    file: &str,
) -> Result<Vec<NodeId>, ConvertError> {
    doc.elements(parent)
        .map(|c| {
            if doc.name(c) == name {
                Ok(c)
            } else {
                Err(malformed(
                    file,
                    format!(
                        "<{}> at line {} inside <{}>, where only <{name}> belongs",
                        doc.name(c),
                        doc.position(c).0,
                        doc.name(parent)
                    ),
                ))
            }
        })
        .collect()
}

/// A packager file's root element, which must be `<name>`.
fn file_root(f: &File, name: &str) -> Result<NodeId, ConvertError> {
    let r = root(&f.doc, &f.path)?;
    if f.doc.name(r) != name {
        return Err(malformed(
            &f.path,
            format!("its root is <{}>, not <{name}>", f.doc.name(r)),
        ));
    }
    Ok(r)
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

/// The root of a file that wraps items (forms, views, relationships), each already
/// indented one level.
fn wrapped(name: &str, items: &[String], nl: &str) -> String {
    filled(&format!("<{name}{XSI}>"), name, items, 0, nl)
}

/// An element opened by `open` and filled with `items` (each already indented
/// `indent + 2`), at depth `indent`.
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

/// Whether a solution manifest says `Managed` 2: a SolutionPackager folder of both types.
fn holds_both_types(doc: &Document, root: NodeId) -> bool {
    doc.child(root, "SolutionManifest")
        .and_then(|m| doc.child_text(m, "Managed"))
        .is_some_and(|m| m.trim() == "2")
}

/// An empty element without attributes: where SolutionPackager took a section or part out
/// (`<Entities />`). One with attributes (`xsi:nil`, say) is content of its own.
fn is_placeholder(doc: &Document, id: NodeId) -> bool {
    !has_elements(doc, id) && doc.attributes(id).next().is_none()
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
    if holds_both_types(&sdoc, sroot) {
        return Err(malformed(
            &solution.path,
            "<Managed> is 2, which only a SolutionPackager folder of both package types says",
        ));
    }
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
        if placeholders.values().any(|p| p == &format!("<{name} />")) {
            return Err(malformed(
                &customizations.path,
                format!("the <{name}> section is there twice"),
            ));
        }
        placeholders.insert(section, format!("<{name} />"));
        if name == "Entities" {
            for table in named_children(&cdoc, section, "Entity", &customizations.path)? {
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

    if let Some(missing) = renamed
        .keys()
        .filter(|part| !classic.iter().any(|e| &e.path == *part))
        .min()
    {
        return Err(malformed(
            &customizations.path,
            format!("names the part {missing}, which the package does not hold"),
        ));
    }
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
        // Forms and views come in lists (`<forms type="main">`, `<savedqueries>`): a part
        // whose lists hold nothing stays as it is, and an empty list beside full ones
        // could not be kept by the files.
        if let Some(item) = match part_name {
            "FormXml" => Some("systemform"),
            "SavedQueries" => Some("savedquery"),
            _ => None,
        } {
            let sizes: Vec<usize> = doc
                .elements(part)
                .map(|list| doc.elements(list).count())
                .collect();
            if sizes.iter().all(|&n| n == 0) {
                continue;
            }
            if sizes.contains(&0) {
                return Err(malformed(
                    file,
                    format!("{dir}: an empty list in <{part_name}> beside <{item}> elements"),
                ));
            }
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
                for forms in named_children(doc, part, "forms", file)? {
                    let kind = doc
                        .attr(forms, "type")
                        .and_then(|t| file_name(&t))
                        .ok_or_else(|| malformed(file, format!("{dir}: forms without a type")))?;
                    for form in named_children(doc, forms, "systemform", file)? {
                        let id = part_id(doc, form, "formid").ok_or_else(|| {
                            malformed(file, format!("{dir}: a form without an id"))
                        })?;
                        let text = at_depth(doc, form, 2, &no_replacement);
                        put(
                            format!("{dir}/FormXml/{kind}/{id}.xml"),
                            wrapped("forms", &[text], nl),
                        )?;
                    }
                }
            }
            "SavedQueries" => {
                for list in named_children(doc, part, "savedqueries", file)? {
                    for view in named_children(doc, list, "savedquery", file)? {
                        let id = part_id(doc, view, "savedqueryid").ok_or_else(|| {
                            malformed(file, format!("{dir}: a view without an id"))
                        })?;
                        let text = at_depth(doc, view, 2, &no_replacement);
                        put(
                            format!("{dir}/SavedQueries/{id}.xml"),
                            wrapped("savedqueries", &[text], nl),
                        )?;
                    }
                }
            }
            "Visualizations" => {
                for chart in named_children(doc, part, "visualization", file)? {
                    let id = part_id(doc, chart, "savedqueryvisualizationid")
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

/// The table whose file holds a relationship: a one-to-many lives with its referenced
/// (one-side) table, a many-to-many with its first table.
fn relationship_table(doc: &Document, rel: NodeId) -> Option<String> {
    let many = doc
        .child_text(rel, "EntityRelationshipType")
        .is_some_and(|t| t.trim() == "ManyToMany");
    let field = if many {
        "FirstEntityName"
    } else {
        "ReferencedEntityName"
    };
    doc.child_text(rel, field).and_then(|t| file_name(t.trim()))
}

/// The file a table part's element is named by (`formid`, `savedqueryid`, …), as a name.
fn part_id(doc: &Document, id: NodeId, field: &str) -> Option<String> {
    doc.child_text(id, field).and_then(|i| file_name(i.trim()))
}

/// Texts in the order of the file names unpacking gives them (`(name, text)` pairs), so a
/// packed list unpacks and packs again in the same order.
fn by_file_name(mut items: Vec<(String, String)>) -> Vec<String> {
    items.sort_by(|a, b| by_lowercase(&a.0, &b.0));
    items.into_iter().map(|(_, text)| text).collect()
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
    for rel in named_children(doc, section, "EntityRelationship", file)? {
        let name = doc
            .attr_raw(rel, "Name")
            .ok_or_else(|| malformed(file, "a relationship without a name"))?
            .to_string();
        let owner = relationship_table(doc, rel).ok_or_else(|| {
            malformed(
                file,
                format!("relationship {name}: no table to file it with"),
            )
        })?;
        let text = at_depth(doc, rel, 2, &no_replacement);
        all.push((name, owner, text));
    }
    let mut names: Vec<&str> = all.iter().map(|(name, _, _)| name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(malformed(
            file,
            format!("relationship {} is defined twice", w[0]),
        ));
    }
    all.sort_by(|a, b| by_lowercase(&a.0, &b.0));
    let index: Vec<String> = all
        .iter()
        .map(|(name, _, _)| format!("<EntityRelationship Name=\"{name}\" />"))
        .collect();
    files.insert(
        RELATIONSHIPS.into(),
        packager_file(nl, &wrapped("EntityRelationships", &index, nl)),
    );
    let mut by_table: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (_, owner, text) in &all {
        by_table.entry(owner).or_default().push(text.clone());
    }
    for (table, items) in by_table {
        files.insert(
            format!("{RELATIONSHIP_FILES}{table}.xml"),
            packager_file(nl, &wrapped("EntityRelationships", &items, nl)),
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
    if holds_both_types(&sdoc, sroot) {
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
        let placeholder = is_placeholder(&cdoc, section);
        let text = if name == "Entities" && !tables.is_empty() {
            let mut items = Vec::new();
            for (table, files) in &tables {
                items.push(pack_table(table, files, indent + 2, nl)?);
            }
            // In the order of the folders unpacking makes of them.
            let items = by_file_name(items);
            Some(filled("<Entities>", name, &items, indent, nl))
        } else if name == "EntityRelationships"
            && (index.is_some() || !relationship_files.is_empty())
        {
            let items = pack_relationships(index.as_ref(), &relationship_files, indent + 2)?;
            Some(filled("<EntityRelationships>", name, &items, indent, nl))
        } else if let Some(files) = sections.get(name) {
            if WHOLE.iter().any(|(s, _)| *s == name) {
                let f = &files[0];
                let r = file_root(f, name)?;
                let text = at_depth(&f.doc, r, indent, &no_replacement);
                Some(without_xsi(&text, f.doc.raw_start_tag(r).len()))
            } else {
                let mut items = Vec::new();
                let split = SPLITS
                    .iter()
                    .find(|s| s.section == name)
                    .expect("sections hold the files of splits and whole sections");
                for f in files {
                    let r = file_root(f, split.child)?;
                    // Unpacking it again needs the name its file is made of; the list goes
                    // in the order of those names.
                    let Some(file_name) = (split.file)(&f.doc, r) else {
                        return Err(malformed(
                            &f.path,
                            format!("this <{}> has no name a file can take", f.doc.name(r)),
                        ));
                    };
                    let text = at_depth(&f.doc, r, indent + 2, &no_replacement);
                    if name == "WebResources"
                        && let Some(content) =
                            f.doc.child_text(r, "FileName").and_then(|n| part_path(&n))
                    {
                        renamed.insert(f.path.trim_end_matches(".data.xml").to_string(), content);
                    }
                    items.push((file_name, without_xsi(&text, f.doc.raw_start_tag(r).len())));
                }
                let items = by_file_name(items);
                Some(filled(&format!("<{name}>"), name, &items, indent, nl))
            }
        } else {
            let mapped = name == "Entities"
                || name == "EntityRelationships"
                || INLINE.contains(&name)
                || WHOLE.iter().any(|(s, _)| *s == name)
                || SPLITS.iter().any(|s| s.section == name);
            if !placeholder && !mapped {
                refused.push(section_title(name));
            }
            None
        };
        if let Some(text) = text {
            if filled_sections.contains(&name) {
                return Err(malformed(
                    &customizations.path,
                    format!("<{name} /> is there twice"),
                ));
            }
            if !placeholder {
                return Err(malformed(
                    &customizations.path,
                    format!("<{name}> has content of its own and files too; keep one of them"),
                ));
            }
            fills.insert(section, text);
            filled_sections.push(name);
        }
    }
    if !refused.is_empty() {
        return Err(unsupported(refused.join(", ")));
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

/// One table's `<Entity>` at depth `indent`, its parts filled from its files, with its name.
fn pack_table(
    table: &str,
    files: &[File],
    indent: usize,
    nl: &str,
) -> Result<(String, String), ConvertError> {
    let dir = format!("Entities/{table}/");
    let entity = files
        .iter()
        .find(|f| f.path == format!("{dir}Entity.xml"))
        .ok_or_else(|| malformed(&format!("{dir}Entity.xml"), "the table's folder has none"))?;
    let root_id = file_root(entity, "Entity")?;
    let part_indent = indent + 2;
    let mut fills: HashMap<NodeId, String> = HashMap::new();
    let mut used = vec![false; files.len()];
    used[files
        .iter()
        .position(|f| std::ptr::eq(f, entity))
        .unwrap_or(0)] = true;
    let table_name = entity
        .doc
        .child_text(root_id, "Name")
        .and_then(|n| file_name(n.trim()))
        .ok_or_else(|| malformed(&entity.path, "the table has no <Name>"))?;
    let mut seen: Vec<&str> = Vec::new();
    for part in entity.doc.elements(root_id) {
        let name = entity.doc.name(part);
        if !TABLE_PARTS.contains(&name) {
            continue;
        }
        if seen.contains(&name) {
            return Err(malformed(&entity.path, format!("<{name}> is there twice")));
        }
        seen.push(name);
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
        if !is_placeholder(&entity.doc, part) {
            return Err(malformed(
                &entity.path,
                format!("<{name}> has content of its own and files too; keep one of them"),
            ));
        }
        of_part.sort_by(|a, b| by_lowercase(&a.1.path, &b.1.path));
        for (i, _) in &of_part {
            used[*i] = true;
        }
        let text = match name {
            "FormXml" => {
                // One <forms type="…"> per folder; the forms in the order of the files
                // unpacking names by their ids.
                let mut forms: Vec<(String, String, String)> = Vec::new();
                for (_, f) in &of_part {
                    let rest = &f.path[dir.len() + "FormXml/".len()..];
                    let Some((kind, _)) = rest.split_once('/') else {
                        return Err(malformed(
                            &f.path,
                            "a form file must be in a folder named by its type",
                        ));
                    };
                    let list = file_root(f, "forms")?;
                    for form in named_children(&f.doc, list, "systemform", &f.path)? {
                        let id = identified(f, form, "formid", "form")?;
                        let text = at_depth(&f.doc, form, part_indent + 4, &no_replacement);
                        forms.push((kind.to_string(), id, text));
                    }
                }
                forms.sort_by(|a, b| by_lowercase(&a.0, &b.0).then(by_lowercase(&a.1, &b.1)));
                let mut kinds: Vec<(String, Vec<String>)> = Vec::new();
                for (kind, _, text) in forms {
                    match kinds.last_mut() {
                        Some((k, list)) if *k == kind => list.push(text),
                        _ => kinds.push((kind, vec![text])),
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
                let mut views = Vec::new();
                for (_, f) in &of_part {
                    let list = file_root(f, "savedqueries")?;
                    for view in named_children(&f.doc, list, "savedquery", &f.path)? {
                        let id = identified(f, view, "savedqueryid", "view")?;
                        views.push((id, at_depth(&f.doc, view, part_indent + 4, &no_replacement)));
                    }
                }
                let items = by_file_name(views);
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
                let mut charts = Vec::new();
                for (_, f) in &of_part {
                    let r = file_root(f, "visualization")?;
                    let id = identified(f, r, "savedqueryvisualizationid", "chart")?;
                    let text = at_depth(&f.doc, r, part_indent + 2, &no_replacement);
                    charts.push((id, without_xsi(&text, f.doc.raw_start_tag(r).len())));
                }
                let items = by_file_name(charts);
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
                let r = file_root(f, "RibbonDiffXml")?;
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
    Ok((
        table_name,
        without_xsi(&text, entity.doc.raw_start_tag(root_id).len()),
    ))
}

/// The id a form, view or chart's file is named by: refused without one, as unpacking it
/// again would.
fn identified(f: &File, id: NodeId, field: &str, what: &str) -> Result<String, ConvertError> {
    part_id(&f.doc, id, field)
        .ok_or_else(|| malformed(&f.path, format!("a {what} without an id (<{field}>)")))
}

/// Every relationship at depth `indent`, sorted by lower-case name. The index, when there is
/// one, must list the same relationships as the files.
fn pack_relationships(
    index: Option<&File>,
    files: &[File],
    indent: usize,
) -> Result<Vec<String>, ConvertError> {
    let mut by_name: BTreeMap<String, (String, &str)> = BTreeMap::new();
    for f in files {
        let r = file_root(f, "EntityRelationships")?;
        for rel in named_children(&f.doc, r, "EntityRelationship", &f.path)? {
            let name = f
                .doc
                .attr_raw(rel, "Name")
                .ok_or_else(|| malformed(&f.path, "a relationship without a name"))?;
            if relationship_table(&f.doc, rel).is_none() {
                return Err(malformed(
                    &f.path,
                    format!("relationship {name}: no table to file it with"),
                ));
            }
            let text = at_depth(&f.doc, rel, indent, &no_replacement);
            if by_name
                .insert(name.to_string(), (text, f.path.as_str()))
                .is_some()
            {
                return Err(malformed(
                    &f.path,
                    format!("relationship {name} is defined twice"),
                ));
            }
        }
    }
    if let Some(index) = index {
        let r = file_root(index, "EntityRelationships")?;
        let mut listed: HashSet<&str> = HashSet::new();
        for entry in index.doc.elements(r) {
            let name = index.doc.attr_raw(entry, "Name").unwrap_or_default();
            if !by_name.contains_key(name) {
                return Err(malformed(
                    &index.path,
                    format!("lists {name}, which no file under {RELATIONSHIP_FILES} defines"),
                ));
            }
            listed.insert(name);
        }
        if let Some((name, (_, file))) = by_name.iter().find(|(n, _)| !listed.contains(&n.as_str()))
        {
            return Err(malformed(
                &index.path,
                format!("does not list {name}, which {file} defines"),
            ));
        }
    }
    // In the order SolutionPackager's index has them (unpacking sorts them so again).
    let mut all: Vec<(String, (String, &str))> = by_name.into_iter().collect();
    all.sort_by(|a, b| by_lowercase(&a.0, &b.0));
    Ok(all.into_iter().map(|(_, (text, _))| text).collect())
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
            err.contains("<Roles> has content of its own and files too"),
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

    #[test]
    fn sections_in_mixed_content_are_still_split_and_packed_back() {
        // A stray line of text among the sections (here a conflict marker): the writer
        // leaves mixed content as it is, but the section still becomes a placeholder.
        let c = "<ImportExportXml>\n  <Roles>\n    <Role id=\"{1}\" name=\"R\" />\n  </Roles>\n======= ours\n  <Languages />\n</ImportExportXml>";
        let out = unpack(&classic(c)).unwrap();
        let customizations = text_of(&out, CUSTOMIZATIONS);
        assert!(
            customizations.contains("<Roles />\n======= ours"),
            "{customizations}"
        );
        assert!(text_of(&out, "Roles/R.xml").contains("<Role id=\"{1}\" name=\"R\""));
        let packed = pack(&out).unwrap();
        assert_eq!(text_of(&packed, "customizations.xml"), c);
    }

    #[test]
    fn what_packing_would_refuse_is_refused_when_unpacking() {
        // A web resource whose content the package does not hold.
        let web = "<ImportExportXml>\n  <WebResources>\n    <WebResource>\n      <Name>new_a.js</Name>\n      <FileName>/WebResources/new_ajs1</FileName>\n    </WebResource>\n  </WebResources>\n</ImportExportXml>";
        let err = unpack(&classic(web)).unwrap_err().to_string();
        assert!(
            err.contains("names the part WebResources/new_ajs1, which the package does not hold"),
            "{err}"
        );
        let mut with_content = classic(web);
        with_content.push(entry("WebResources/new_ajs1", "x"));
        let out = unpack(&with_content).unwrap();
        assert_eq!(text_of(&out, "WebResources/new_a.js"), "x");
        // A relationship twice.
        let rel = "<EntityRelationship Name=\"r\"><ReferencedEntityName>A</ReferencedEntityName></EntityRelationship>";
        let twice = format!(
            "<ImportExportXml><EntityRelationships>{rel}{rel}</EntityRelationships></ImportExportXml>"
        );
        let err = unpack(&classic(&twice)).unwrap_err().to_string();
        assert!(err.contains("relationship r is defined twice"), "{err}");
        // A section twice: its placeholder would take its files twice.
        let err = unpack(&classic(
            "<ImportExportXml><Roles><Role id=\"{1}\" name=\"R\" /></Roles><Roles><Role id=\"{2}\" name=\"S\" /></Roles></ImportExportXml>",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("the <Roles> section is there twice"), "{err}");
        // A zip saying it holds both package types.
        let mut both = classic("<ImportExportXml />");
        both[1] = entry(
            "solution.xml",
            &SOLUTION_XML.replace("<Managed>0", "<Managed>2"),
        );
        let err = unpack(&both).unwrap_err().to_string();
        assert!(err.contains("<Managed> is 2"), "{err}");
    }

    /// A table with a view, unpacked: the folder's entries, to edit.
    fn unpacked_table() -> Vec<Entry> {
        let c = "<ImportExportXml>\n  <Entities>\n    <Entity>\n      <Name>new_T</Name>\n      <SavedQueries>\n        <savedqueries>\n          <savedquery>\n            <savedqueryid>{1}</savedqueryid>\n          </savedquery>\n        </savedqueries>\n      </SavedQueries>\n      <RibbonDiffXml>\n        <CustomActions />\n      </RibbonDiffXml>\n    </Entity>\n  </Entities>\n  <EntityRelationships>\n    <EntityRelationship Name=\"r\">\n      <ReferencedEntityName>new_T</ReferencedEntityName>\n    </EntityRelationship>\n  </EntityRelationships>\n  <Templates />\n</ImportExportXml>";
        let out = unpack(&classic(c)).unwrap();
        assert_eq!(
            text_of(&pack(&out).unwrap(), "customizations.xml"),
            c,
            "packs back as it was"
        );
        out
    }

    fn edited(mut entries: Vec<Entry>, path: &str, from: &str, to: &str) -> Vec<Entry> {
        let e = entries.iter_mut().find(|e| e.path == path).unwrap();
        let text = String::from_utf8(e.data.clone()).unwrap();
        assert!(text.contains(from), "{text}");
        e.data = text.replace(from, to).into_bytes();
        entries
    }

    #[test]
    fn packing_refuses_what_unpacking_it_again_could_not_do() {
        let cases = [
            // A placeholder twice would take its files twice.
            (
                "Entities/new_T/Entity.xml",
                "<RibbonDiffXml />",
                "<RibbonDiffXml /><RibbonDiffXml />",
                "<RibbonDiffXml> is there twice",
            ),
            // A placeholder with an attribute is content, not a placeholder.
            (
                "Entities/new_T/Entity.xml",
                "<RibbonDiffXml />",
                "<RibbonDiffXml xsi:nil=\"true\" />",
                "<RibbonDiffXml> has content of its own and files too",
            ),
            // A view without the id its file is named by.
            (
                "Entities/new_T/SavedQueries/{1}.xml",
                "<savedqueryid>{1}</savedqueryid>",
                "",
                "a view without an id (<savedqueryid>)",
            ),
            // A relationship the index does not list, or without its table.
            (
                RELATIONSHIPS,
                "<EntityRelationship Name=\"r\" />",
                "",
                "does not list r, which Other/Relationships/new_T.xml defines",
            ),
            (
                "Other/Relationships/new_T.xml",
                "<ReferencedEntityName>new_T</ReferencedEntityName>",
                "",
                "relationship r: no table to file it with",
            ),
            // A file whose root is not what its folder holds.
            (
                "Entities/new_T/SavedQueries/{1}.xml",
                "savedqueries",
                "queries",
                "its root is <queries>, not <savedqueries>",
            ),
            // A section this mapping splits nowhere, holding elements.
            (
                CUSTOMIZATIONS,
                "<Templates />",
                "<Templates><EmailTemplates /></Templates>",
                "email, contract and article templates (the Templates section)",
            ),
        ];
        for (path, from, to, says) in cases {
            let err = pack(&edited(unpacked_table(), path, from, to))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{path}: {err}");
        }
    }

    #[test]
    fn relationships_pack_sorted_whatever_the_order_of_the_index() {
        let mut entries = unpacked_table();
        let index = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<EntityRelationships>\n  <EntityRelationship Name=\"r\" />\n  <EntityRelationship Name=\"a\" />\n</EntityRelationships>";
        let defs = "<EntityRelationships>\n  <EntityRelationship Name=\"r\">\n    <ReferencedEntityName>new_T</ReferencedEntityName>\n  </EntityRelationship>\n  <EntityRelationship Name=\"a\">\n    <ReferencedEntityName>new_T</ReferencedEntityName>\n  </EntityRelationship>\n</EntityRelationships>";
        for e in &mut entries {
            if e.path == RELATIONSHIPS {
                e.data = index.as_bytes().to_vec();
            } else if e.path == "Other/Relationships/new_T.xml" {
                e.data = defs.as_bytes().to_vec();
            }
        }
        let packed = pack(&entries).unwrap();
        let c = text_of(&packed, "customizations.xml");
        assert!(c.find("\"a\"").unwrap() < c.find("\"r\"").unwrap(), "{c}");
        // So unpacking and packing again gives the same zip.
        let again = pack(&unpack(&packed).unwrap()).unwrap();
        assert_eq!(packed, again);
    }

    #[test]
    fn lists_pack_in_the_order_of_the_names_unpacking_gives_their_files() {
        let c = "<ImportExportXml>\n  <Roles>\n    <Role id=\"{1}\" name=\"A\" />\n    <Role id=\"{2}\" name=\"Z\" />\n  </Roles>\n</ImportExportXml>";
        let mut out = unpack(&classic(c)).unwrap();
        // Files named against their content (renamed by hand, say).
        for e in &mut out {
            if e.path == "Roles/A.xml" {
                e.path = "Roles/Z.xml".into();
            } else if e.path == "Roles/Z.xml" {
                e.path = "Roles/A.xml".into();
            }
        }
        let packed = pack(&out).unwrap();
        assert_eq!(text_of(&packed, "customizations.xml"), c);
    }

    #[test]
    fn form_lists_that_hold_nothing_stay_where_they_are() {
        let empty = "<ImportExportXml>\n  <Entities>\n    <Entity>\n      <Name>new_T</Name>\n      <FormXml>\n        <forms type=\"main\" />\n      </FormXml>\n    </Entity>\n  </Entities>\n</ImportExportXml>";
        let out = unpack(&classic(empty)).unwrap();
        assert!(text_of(&out, "Entities/new_T/Entity.xml").contains("<forms type=\"main\" />"));
        assert_eq!(text_of(&pack(&out).unwrap(), "customizations.xml"), empty);
        let mixed = empty.replace(
            "<forms type=\"main\" />",
            "<forms type=\"main\" />\n        <forms type=\"card\"><systemform><formid>{1}</formid></systemform></forms>",
        );
        let err = unpack(&classic(&mixed)).unwrap_err().to_string();
        assert!(
            err.contains("an empty list in <FormXml> beside <systemform> elements"),
            "{err}"
        );
    }
}
