//! `soltree convert`: a package from one form to another — a zip or the folder it extracts
//! to, a SolutionPackager folder, or the YAML layout of Dataverse's Git integration, to any
//! other of them. The boundary types are [`ComponentTree`] in and [`Package`] out.
//! SolutionPackager folders are split and packed in [`packager`]; a conversion between one
//! and the YAML layout goes through the classic tree.
//!
//! The YAML side is Json.NET's projection of each component's element
//! ([`crate::yaml::project`]), split into the layout's files (`yaml-format.md`): one file a
//! table (without its columns, forms, views, keys and ribbon), a column, a form, a view, a
//! key, a ribbon, a relationship, a choice, an app, a site map, a connection reference, a
//! cloud flow (its definition stays JSON); the manifest in four files and the publisher in
//! its own. Going back, the files are assembled into `solution.xml` and
//! `customizations.xml` in export order. A component kind the layout's mapping does not
//! cover yet (security roles, web resources, plug-ins, classic processes, …) is refused by
//! name before anything is written: a conversion never drops a component silently.

mod packager;

use crate::input::{Entry, Package, PackageForm};
use crate::merge::package::{content_types_xml, export_order};
use crate::model::{Component, ComponentTree};
use crate::xml;
use crate::yaml::project::{self, ProjectionError, XmlStyle};
use crate::yaml::{self, Mapping, Node, Scalar};
use std::collections::BTreeMap;

/// The form to convert to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The YAML layout (a folder).
    Yaml,
    /// A solution zip.
    Zip,
    /// The folder a zip extracts to.
    Folder,
    /// A SolutionPackager folder (`pac solution unpack`, the XML format).
    Packager,
}

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(
        "the YAML layout mapping does not cover {0} yet; nothing was written (convert a \
         solution without them, or keep it in its XML form)"
    )]
    Unsupported(String),
    #[error("the package has no solution manifest (solution.xml or solutions/<name>/solution.yml)")]
    NoManifest,
    #[error("{0} is already in that form")]
    SameForm(&'static str),
    #[error("the SolutionPackager mapping does not cover {0} yet; nothing was written")]
    PackagerUnsupported(String),
    #[error("{file}: {message}")]
    Packager { file: String, message: String },
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    #[error("{0}")]
    Xml(#[from] xml::XmlError),
}

/// Converts a package to `to`.
pub fn convert(tree: &ComponentTree, to: Target) -> Result<Package, ConvertError> {
    let packager = tree.form == PackageForm::PackagerFolder;
    let entries = match (tree.form.is_yaml(), to) {
        (true, Target::Yaml) => return Err(ConvertError::SameForm("a YAML layout folder")),
        (false, Target::Packager) if packager => {
            return Err(ConvertError::SameForm("a SolutionPackager folder"));
        }
        // A SolutionPackager folder goes through the classic tree it packs to: its files
        // carry what the packager adds (an `xsi` declaration on every root, say).
        (false, Target::Yaml) if packager => {
            let classic = ComponentTree::build(Package {
                form: PackageForm::ExtractedFolder,
                source: tree.source.clone(),
                entries: packager::pack(&stored(tree))?,
            })?;
            to_yaml(&classic)?
        }
        (false, Target::Yaml) => to_yaml(tree)?,
        (true, Target::Zip | Target::Folder) => from_yaml(tree)?,
        (true, Target::Packager) => packager::unpack(&from_yaml(tree)?)?,
        (false, Target::Zip | Target::Folder) if packager => packager::pack(&stored(tree))?,
        (false, Target::Packager) => packager::unpack(&stored(tree))?,
        (false, Target::Zip | Target::Folder) => stored(tree),
    };
    let form = match to {
        Target::Yaml => PackageForm::YamlFolder,
        Target::Zip => PackageForm::Zip,
        Target::Folder => PackageForm::ExtractedFolder,
        Target::Packager => PackageForm::PackagerFolder,
    };
    Ok(Package {
        form,
        source: tree.source.clone(),
        entries,
    })
}

/// The package's entries as they were stored (a UTF-16 part stays UTF-16).
fn stored(tree: &ComponentTree) -> Vec<Entry> {
    tree.entries
        .iter()
        .map(|e| Entry {
            path: e.path.clone(),
            data: match &e.part {
                crate::model::Part::Xml(doc) => crate::input::encode_xml(doc.text(), e.encoding),
                crate::model::Part::Bytes(b) => b.clone(),
            },
        })
        .collect()
}

/// The classic XML tree of a YAML layout package, in memory (for `diff` across forms).
pub fn classic_entries(tree: &ComponentTree) -> Result<Vec<Entry>, ConvertError> {
    from_yaml(tree)
}

// ---- XML → YAML ----

/// The YAML node of one element taken out of its document, as Dataverse writes it: a nil
/// element repeats the `xsi` namespace declaration it no longer inherits.
fn element(tree: &ComponentTree, c: &Component) -> Result<Node, ConvertError> {
    let doc = tree.entries[c.entry]
        .document()
        .expect("components come from XML");
    element_of(doc, c.node, &tree.entries[c.entry].path)
}

fn element_of(doc: &xml::Document, node: xml::NodeId, file: &str) -> Result<Node, ConvertError> {
    let part = xml::Document::parse(doc.raw(node).to_string(), file)?;
    let projected = project::from_xml(&part, file)?;
    let mut root = projected.root.expect("a projected element");
    let Node::Mapping(m) = &mut root else {
        unreachable!("the projection of an element is a mapping")
    };
    let mut value = m.entries.pop().expect("one root").value;
    declare_nil_namespace(&mut value);
    Ok(value)
}

const XSI_NIL: &str = "@xsi:nil";
const XMLNS_XSI: &str = "@xmlns:xsi";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn declare_nil_namespace(node: &mut Node) {
    match node {
        Node::Mapping(m) => {
            if let Some(at) = m.entries.iter().position(|e| e.key.text() == XSI_NIL)
                && m.get(XMLNS_XSI).is_none()
            {
                m.entries.insert(
                    at + 1,
                    yaml::Entry {
                        key: Scalar::new(XMLNS_XSI),
                        value: Node::Scalar(Scalar::new(XSI)),
                    },
                );
            }
            for e in &mut m.entries {
                declare_nil_namespace(&mut e.value);
            }
        }
        Node::Sequence(s) => s.items.iter_mut().for_each(declare_nil_namespace),
        Node::Scalar(_) => {}
    }
}

fn file_of(root_key: &str, value: Node) -> Vec<u8> {
    let mut m = Mapping::new();
    m.entries.push(yaml::Entry {
        key: Scalar::new(root_key),
        value,
    });
    yaml::Document::new(Node::Mapping(m)).write().into_bytes()
}

fn text_of(node: &Node, key: &str) -> Option<String> {
    let m = node.as_mapping()?;
    let v = m.get(key)?;
    match v {
        Node::Scalar(s) => Some(s.text().to_string()),
        Node::Mapping(inner) => inner.text("#text").map(str::to_string),
        Node::Sequence(_) => None,
    }
}

/// The table a component under a table belongs to (its path's first segment).
fn table_of(c: &Component) -> Option<&str> {
    c.path.split('/').next()?.strip_prefix("entity:")
}

fn to_yaml(tree: &ComponentTree) -> Result<Vec<Entry>, ConvertError> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut listed: Vec<String> = Vec::new();
    let mut unsupported: BTreeMap<&'static str, usize> = BTreeMap::new();
    let solution = tree
        .components
        .iter()
        .find(|c| c.kind.name == "solution")
        .ok_or(ConvertError::NoManifest)?;
    let manifest = element(tree, solution)?;
    let unique = text_of(&manifest, "UniqueName").unwrap_or_default();
    let dir = format!("solutions/{unique}");
    // The manifest: solution.yml holds the root's attributes and the manifest without its
    // lists, which have files of their own, and names its publisher.
    let mut solution_yml = manifest.clone();
    let mut publisher = None;
    if let Node::Mapping(m) = &mut solution_yml {
        for (key, file) in [
            ("RootComponents", "rootcomponents.yml"),
            ("MissingDependencies", "missingdependencies.yml"),
        ] {
            if let Some(list) = m.remove(key) {
                files.insert(format!("{dir}/{file}"), file_of(key, list));
            }
        }
        if let Some(p) = m.get_mut("Publisher") {
            let name = text_of(p, "UniqueName").unwrap_or_default();
            let mut reference = Mapping::new();
            reference.insert("UniqueName", Node::Scalar(Scalar::new(name.clone())));
            publisher = Some((name, std::mem::replace(p, Node::Mapping(reference))));
        }
    }
    let doc = tree.entries[solution.entry].document().expect("XML");
    let root = doc.root().expect("a root");
    let mut top = Mapping::new();
    for (name, raw) in doc.attributes(root) {
        top.entries.push(yaml::Entry {
            key: Scalar::new(format!("@{name}")),
            value: Node::Scalar(Scalar::new(xml::unescape_lossy(raw))),
        });
    }
    top.insert("SolutionManifest", solution_yml);
    files.insert(
        format!("{dir}/solution.yml"),
        file_of("ImportExportXml", Node::Mapping(top)),
    );
    if let Some((name, node)) = publisher {
        files.insert(
            format!("publishers/{name}/publisher.yml"),
            file_of("Publisher", node),
        );
        listed.push(format!("/publishers/{name}"));
    }

    for c in &tree.components {
        let key = c.key.as_str();
        let (folder, file, root_key) = match c.kind.name {
            "solution" | "publisher" => continue,
            "entity" => {
                let mut node = element(tree, c)?;
                strip_table_parts(&mut node);
                let folder = format!("entities/{key}");
                files.insert(format!("{folder}/entity.yml"), file_of("Entity", node));
                listed.push(format!("/{folder}"));
                continue;
            }
            "attribute" => {
                let Some(table) = table_of(c) else {
                    *unsupported.entry(c.kind.title).or_default() += 1;
                    continue;
                };
                let path = format!("entities/{table}/attributes/{key}.yml");
                files.insert(path.clone(), file_of("attribute", element(tree, c)?));
                listed.push(format!("/{path}"));
                continue;
            }
            "form" => {
                let table = table_of(c).unwrap_or_default();
                let doc = tree.entries[c.entry].document().expect("XML");
                let kind = doc
                    .parent(c.node)
                    .and_then(|p| doc.attr(p, "type"))
                    .map(|t| t.into_owned())
                    .unwrap_or_else(|| "main".into());
                (
                    format!("entities/{table}/formxml/{kind}/{key}"),
                    "systemform.yml",
                    "systemform",
                )
            }
            "view" => (
                format!(
                    "entities/{}/savedqueries/{key}",
                    table_of(c).unwrap_or_default()
                ),
                "savedquery.yml",
                "savedquery",
            ),
            "ribbon" => {
                let Some(table) = table_of(c) else {
                    *unsupported
                        .entry("Ribbon (of the application)")
                        .or_default() += 1;
                    continue;
                };
                (
                    format!("entities/{table}/ribbondiffs"),
                    "ribbondiff.yml",
                    "RibbonDiffXml",
                )
            }
            "entitykey" => (
                format!(
                    "entities/{}/entitykeys/{key}",
                    table_of(c).unwrap_or_default()
                ),
                "entitykey.yml",
                "EntityKey",
            ),
            "relationship" => (
                format!("entityrelationships/{key}"),
                "entityrelationship.yml",
                "EntityRelationship",
            ),
            "optionset" => (format!("optionsets/{key}"), "optionset.yml", "optionset"),
            "app" | "sitemap" => {
                // Filed by unique name, which only their element holds.
                let (name_field, parent, file, root_key) = if c.kind.name == "app" {
                    ("UniqueName", "appmodules", "appmodule.yml", "AppModule")
                } else {
                    (
                        "SiteMapUniqueName",
                        "appmodulesitemaps",
                        "appmodulesitemap.yml",
                        "AppModuleSiteMap",
                    )
                };
                let node = element(tree, c)?;
                let name = text_of(&node, name_field).unwrap_or_else(|| key.to_string());
                let folder = format!("{parent}/{name}");
                files.insert(format!("{folder}/{file}"), file_of(root_key, node));
                listed.push(format!("/{folder}"));
                continue;
            }
            "connectionreference" => (
                format!("connectionreferences/{key}"),
                "connectionreference.yml",
                "connectionreference",
            ),
            "workflow" => {
                let mut node = element(tree, c)?;
                let json = text_of(&node, "JsonFileName")
                    .filter(|_| text_of(&node, "Category").as_deref() == Some("5"));
                let Some(json) = json else {
                    *unsupported
                        .entry("Process (classic workflow, action or business rule)")
                        .or_default() += 1;
                    continue;
                };
                let base = json.rsplit('/').next().unwrap_or(&json).to_string();
                let folder = format!("modernflows/{key}");
                if let Some(m) = node.as_mapping_mut() {
                    m.insert(
                        "JsonFileName",
                        Node::Scalar(Scalar::new(format!("/{folder}/{base}"))),
                    );
                }
                files.insert(format!("{folder}/workflow.yml"), file_of("Workflow", node));
                if let Some(e) = tree.entries.iter().find(|e| {
                    e.path
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&base))
                }) && let crate::model::Part::Bytes(b) = &e.part
                {
                    files.insert(format!("{folder}/{base}"), b.clone());
                }
                listed.push(format!("/{folder}"));
                continue;
            }
            // Manifest files of a YAML package cannot be here (the input is XML).
            _ => {
                *unsupported.entry(c.kind.title).or_default() += 1;
                continue;
            }
        };
        files.insert(
            format!("{folder}/{file}"),
            file_of(root_key, element(tree, c)?),
        );
        listed.push(format!("/{folder}"));
    }
    if !unsupported.is_empty() {
        let list: Vec<String> = unsupported
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        return Err(ConvertError::Unsupported(list.join(", ")));
    }
    listed.sort();
    listed.dedup();
    let items: Vec<Node> = listed
        .into_iter()
        .map(|p| {
            let mut m = Mapping::new();
            m.insert("@path", Node::Scalar(Scalar::new(p)));
            Node::Mapping(m)
        })
        .collect();
    let mut components = Mapping::new();
    components.set_list("Component", items);
    files.insert(
        format!("{dir}/solutioncomponents.yml"),
        file_of("SolutionComponents", Node::Mapping(components)),
    );
    Ok(files
        .into_iter()
        .map(|(path, data)| Entry { path, data })
        .collect())
}

/// A table's element without the parts that have files of their own.
fn strip_table_parts(entity: &mut Node) {
    let Some(m) = entity.as_mapping_mut() else {
        return;
    };
    for key in ["FormXml", "SavedQueries", "RibbonDiffXml", "Visualizations"] {
        m.remove(key);
    }
    if let Some(inner) = m
        .get_mut("EntityInfo")
        .and_then(Node::as_mapping_mut)
        .and_then(|info| info.get_mut("entity"))
        .and_then(Node::as_mapping_mut)
    {
        inner.remove("attributes");
        inner.remove("EntityKeys");
    }
}

// ---- YAML → XML ----

/// The YAML of a model entry, from its projected document.
fn yaml_of(tree: &ComponentTree, path: &str) -> Option<Node> {
    let e = tree.entries.iter().find(|e| e.path == path)?;
    let doc = e.document()?;
    let y = project::from_xml(doc, path).ok()?;
    let Node::Mapping(mut m) = y.root? else {
        return None;
    };
    Some(m.entries.pop()?.value)
}

fn list_of(items: Vec<Node>, key: &str) -> Node {
    let mut m = Mapping::new();
    m.set_list(key, items);
    if m.entries.is_empty() {
        Node::Scalar(Scalar::null())
    } else {
        Node::Mapping(m)
    }
}

fn from_yaml(tree: &ComponentTree) -> Result<Vec<Entry>, ConvertError> {
    let solution = tree
        .entries
        .iter()
        .find(|e| e.path.starts_with("solutions/") && e.path.ends_with("/solution.yml"))
        .ok_or(ConvertError::NoManifest)?;
    let dir = solution.path.trim_end_matches("/solution.yml").to_string();
    let mut root = yaml_of(tree, &solution.path).ok_or(ConvertError::NoManifest)?;
    // solution.xml: the manifest with its publisher and its lists back inside.
    let publisher = tree
        .entries
        .iter()
        .find(|e| e.path.starts_with("publishers/") && e.path.ends_with("/publisher.yml"))
        .and_then(|e| yaml_of(tree, &e.path));
    let language = root
        .as_mapping()
        .and_then(|m| m.text("@languagecode"))
        .unwrap_or("1033")
        .to_string();
    if let Some(manifest) = root
        .as_mapping_mut()
        .and_then(|m| m.get_mut("SolutionManifest"))
        .and_then(Node::as_mapping_mut)
    {
        if let Some(p) = publisher {
            manifest.insert("Publisher", p);
        }
        for (key, file) in [
            ("RootComponents", "rootcomponents.yml"),
            ("MissingDependencies", "missingdependencies.yml"),
        ] {
            if let Some(list) = yaml_of(tree, &format!("{dir}/{file}")) {
                manifest.insert(key, list);
            }
        }
    }
    let xsi = |m: &mut Mapping| {
        if m.get(XMLNS_XSI).is_none() {
            m.insert(XMLNS_XSI, Node::Scalar(Scalar::new(XSI)));
        }
    };
    if let Some(m) = root.as_mapping_mut() {
        xsi(m);
    }
    let solution_xml = xml_file("ImportExportXml", root)?;

    // customizations.xml: every component file, assembled in export order.
    let files = |folder: &str, name: &str| -> Vec<(String, Node)> {
        tree.entries
            .iter()
            .filter(|e| {
                e.path.starts_with(&format!("{folder}/")) && e.path.ends_with(&format!("/{name}"))
            })
            .filter_map(|e| yaml_of(tree, &e.path).map(|n| (e.path.clone(), n)))
            .collect()
    };
    let mut entities = Vec::new();
    for (path, mut entity) in files("entities", "entity.yml") {
        let folder = path.trim_end_matches("/entity.yml");
        let under = |sub: &str, name: &str| -> Vec<Node> {
            tree.entries
                .iter()
                .filter(|e| {
                    e.path.starts_with(&format!("{folder}/{sub}")) && e.path.ends_with(name)
                })
                .filter_map(|e| yaml_of(tree, &e.path))
                .collect()
        };
        let attributes = under("attributes/", ".yml");
        let keys = under("entitykeys/", "/entitykey.yml");
        if let Some(inner) = entity
            .as_mapping_mut()
            .and_then(|m| m.get_mut("EntityInfo"))
            .and_then(Node::as_mapping_mut)
            .and_then(|info| info.get_mut("entity"))
            .and_then(Node::as_mapping_mut)
        {
            let at = ["Descriptions", "LocalizedCollectionNames", "LocalizedNames"]
                .iter()
                .find_map(|k| inner.entries.iter().position(|e| e.key.text() == *k))
                .map_or(0, |i| i + 1);
            inner.entries.insert(
                at,
                yaml::Entry {
                    key: Scalar::new("attributes"),
                    value: list_of(attributes, "attribute"),
                },
            );
            if !keys.is_empty() {
                inner.entries.insert(
                    at + 1,
                    yaml::Entry {
                        key: Scalar::new("EntityKeys"),
                        value: list_of(keys, "EntityKey"),
                    },
                );
            }
        }
        // Forms by type, in the order types first appear.
        let mut by_type: Vec<(String, Vec<Node>)> = Vec::new();
        for e in tree.entries.iter().filter(|e| {
            e.path.starts_with(&format!("{folder}/formxml/")) && e.path.ends_with("/systemform.yml")
        }) {
            let kind = e.path[folder.len() + "/formxml/".len()..]
                .split('/')
                .next()
                .unwrap_or("main")
                .to_string();
            let Some(form) = yaml_of(tree, &e.path) else {
                continue;
            };
            match by_type.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, forms)) => forms.push(form),
                None => by_type.push((kind, vec![form])),
            }
        }
        let m = entity.as_mapping_mut().expect("an entity is a mapping");
        if !by_type.is_empty() {
            let sets: Vec<Node> = by_type
                .into_iter()
                .map(|(kind, forms)| {
                    let mut set = Mapping::new();
                    set.insert("@type", Node::Scalar(Scalar::new(kind)));
                    set.set_list("systemform", forms);
                    Node::Mapping(set)
                })
                .collect();
            m.insert("FormXml", list_of(sets, "forms"));
        }
        let views = under("savedqueries/", "/savedquery.yml");
        if !views.is_empty() {
            let mut sq = Mapping::new();
            sq.insert("savedqueries", list_of(views, "savedquery"));
            m.insert("SavedQueries", Node::Mapping(sq));
        }
        if let Some(ribbon) = under("ribbondiffs/", "/ribbondiff.yml").pop() {
            m.insert("RibbonDiffXml", ribbon);
        }
        entities.push(entity);
    }
    let mut flows = Vec::new();
    let mut parts = Vec::new();
    for (path, mut flow) in files("modernflows", "workflow.yml") {
        let folder = path.trim_end_matches("/workflow.yml");
        if let Some(json) = text_of(&flow, "JsonFileName") {
            let base = json.rsplit('/').next().unwrap_or(&json).to_string();
            if let Some(m) = flow.as_mapping_mut() {
                m.insert(
                    "JsonFileName",
                    Node::Scalar(Scalar::new(format!("/Workflows/{base}"))),
                );
            }
            if let Some(e) = tree
                .entries
                .iter()
                .find(|e| e.path == format!("{folder}/{base}"))
                && let crate::model::Part::Bytes(b) = &e.part
            {
                parts.push(Entry {
                    path: format!("Workflows/{base}"),
                    data: b.clone(),
                });
            }
        }
        flows.push(flow);
    }
    let nodes = |folder: &str, name: &str| {
        files(folder, name)
            .into_iter()
            .map(|(_, n)| n)
            .collect::<Vec<_>>()
    };
    let mut c = Mapping::new();
    xsi(&mut c);
    c.insert("Entities", list_of(entities, "Entity"));
    c.insert("Roles", Node::Scalar(Scalar::null()));
    c.insert("Workflows", list_of(flows, "Workflow"));
    c.insert("FieldSecurityProfiles", Node::Scalar(Scalar::null()));
    c.insert("Templates", Node::Scalar(Scalar::null()));
    c.insert("EntityMaps", Node::Scalar(Scalar::null()));
    c.insert(
        "EntityRelationships",
        list_of(
            nodes("entityrelationships", "entityrelationship.yml"),
            "EntityRelationship",
        ),
    );
    c.insert("OrganizationSettings", Node::Scalar(Scalar::null()));
    c.insert(
        "optionsets",
        list_of(nodes("optionsets", "optionset.yml"), "optionset"),
    );
    c.insert("CustomControls", Node::Scalar(Scalar::null()));
    c.insert(
        "AppModuleSiteMaps",
        list_of(
            nodes("appmodulesitemaps", "appmodulesitemap.yml"),
            "AppModuleSiteMap",
        ),
    );
    c.insert(
        "AppModules",
        list_of(nodes("appmodules", "appmodule.yml"), "AppModule"),
    );
    c.insert("EntityDataProviders", Node::Scalar(Scalar::null()));
    c.insert(
        "connectionreferences",
        list_of(
            nodes("connectionreferences", "connectionreference.yml"),
            "connectionreference",
        ),
    );
    let mut languages = Mapping::new();
    languages.insert("Language", Node::Scalar(Scalar::new(language)));
    c.insert("Languages", Node::Mapping(languages));
    let customizations = xml_file("ImportExportXml", Node::Mapping(c))?;

    let mut entries = vec![
        Entry {
            path: "solution.xml".into(),
            data: solution_xml,
        },
        Entry {
            path: "customizations.xml".into(),
            data: customizations,
        },
    ];
    entries.extend(parts);
    entries.push(Entry {
        path: "[Content_Types].xml".into(),
        data: content_types_xml(&entries),
    });
    export_order(&mut entries);
    Ok(entries)
}

/// An assembled file written as an export writes it: no declaration, CRLF, two spaces,
/// the `xsi` namespace declared once at the root.
fn xml_file(root_key: &str, mut root: Node) -> Result<Vec<u8>, ConvertError> {
    if let Node::Mapping(m) = &mut root {
        for e in &mut m.entries {
            drop_nested_xsi(&mut e.value);
        }
    }
    let doc = yaml::Document::new({
        let mut m = Mapping::new();
        m.entries.push(yaml::Entry {
            key: Scalar::new(root_key),
            value: root,
        });
        Node::Mapping(m)
    });
    let style = XmlStyle {
        bom: false,
        declaration: None,
        newline: "\r\n",
        indent: 2,
        final_newline: false,
        escape_cr: false,
    };
    Ok(project::to_xml(&doc, root_key, &style)?.into_bytes())
}

fn drop_nested_xsi(node: &mut Node) {
    match node {
        Node::Mapping(m) => {
            m.entries.retain(|e| {
                !(e.key.text() == XMLNS_XSI
                    && matches!(&e.value, Node::Scalar(s) if s.text() == XSI))
            });
            for e in &mut m.entries {
                drop_nested_xsi(&mut e.value);
            }
        }
        Node::Sequence(s) => s.items.iter_mut().for_each(drop_nested_xsi),
        Node::Scalar(_) => {}
    }
}
