//! Domain facts beside the kinds table, kept as data: what is export noise (platform
//! versions, namespace declarations, nil and empty-list spellings, version spellings, canvas
//! part names), which component fields name a separate part of the package (web resource
//! content, workflow XAML, DLLs), which strings hold embedded XML or JSON, and how layout
//! elements are best named to a reader. The differ ([`crate::diff`]) is generic over these
//! tables; facts come from `solution-format.md` §1.4, §2.1, §2.2, §5.2 and §6.

/// Root attributes of `solution.xml` / `customizations.xml` that record the exporting
/// platform build. They change whenever the source org is patched (§2.1, §6), so they are
/// reported in the header and never count as a difference.
pub const PLATFORM_ATTRIBUTES: &[&str] = &[
    "version",
    "OrganizationVersion",
    "CRMServerServiceabilityVersion",
    // Appears together with OrganizationVersion in newer exports only (§2.1).
    "OrganizationSchemaType",
    // The package format version follows the exporting org (§2.1).
    "SolutionPackageVersion",
];

/// Kinds that wrap one list and say nothing a reader needs in a property path
/// (`FormXml/forms[@type]` around a dashboard's `form`).
pub const SILENT_IN_PATH: &[&str] = &["formset"];

/// What names an added or removed item best, beside its own attributes: `(kind, child,
/// attribute, word)` — a form cell is the column its control shows (`column new_score`), or
/// else the control (a subgrid, a web resource).
pub const DESCRIBE_BY_CHILD: &[(&str, &str, &str, &str)] = &[
    ("cell", "control", "datafieldname", "column"),
    ("cell", "control", "id", "control"),
];

/// The attribute by which form and view layout elements name the column they show: an
/// added or removed tab or section is summarised by the columns it holds.
pub const FIELD_REFERENCE: &str = "datafieldname";

/// Element names left out of readable property paths because they only wrap the
/// component's body: a form's `systemform/form`, a table's `EntityInfo/entity`, a view's
/// `fetch/entity`.
pub const SILENT_ELEMENTS: &[&str] = &["form", "entity"];

/// Whether an element is an empty list (`<appelements />`, `<controlDescriptions />`):
/// exports write these or leave the element out depending on the producer, so an empty list
/// equals absence.
pub fn is_empty_list(doc: &crate::xml::Document, node: crate::xml::NodeId) -> bool {
    let name = doc.name(node);
    (name.ends_with('s') || name.ends_with('S'))
        && doc.elements(node).next().is_none()
        && doc.attributes(node).all(|(k, _)| is_namespace_attribute(k))
        && doc.text_of(node).trim().is_empty()
}

/// Whether an element is a null value (`<Description xsi:nil="true" />`): equal to an empty
/// value and to absence.
pub fn is_nil(doc: &crate::xml::Document, node: crate::xml::NodeId) -> bool {
    doc.attr_raw(node, NIL).is_some_and(|v| v == "true")
        // An element with values of its own is no null, whatever else it says.
        && doc
            .attributes(node)
            .all(|(k, _)| k == NIL || is_namespace_attribute(k))
        && doc.elements(node).next().is_none()
        && doc.text_of(node).trim().is_empty()
}

/// Fields that hold a dotted version number: `1.0` and `1.0.0.0` are the same version, and
/// exports disagree on which they write (`IntroducedVersion` flips between the two).
pub const VERSION_FIELDS: &[&str] = &["IntroducedVersion", "Version"];

/// Whether two spellings of a version number are the same version (missing parts are 0).
pub fn same_version(a: &str, b: &str) -> bool {
    let parts = |s: &str| -> Option<Vec<u64>> {
        let mut v: Vec<u64> = s
            .trim()
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        while v.len() > 1 && v.last() == Some(&0) {
            v.pop();
        }
        Some(v)
    };
    matches!((parts(a), parts(b)), (Some(x), Some(y)) if x == y)
}

/// `<Managed>2</Managed>` marks a SolutionPackager folder that carries both the managed and
/// the unmanaged flavour (§2.2): it is a property of the package form, and equals either.
pub fn managed_flags_agree(old: &str, new: &str) -> bool {
    old == new || old == "2" || new == "2"
}

/// The null marker attribute; an empty value and a nil value are the same null.
pub const NIL: &str = "xsi:nil";

/// Attributes that never carry meaning: namespace declarations (SolutionPackager adds
/// `xmlns:xsi` to every file it writes, §5.2).
pub fn is_namespace_attribute(name: &str) -> bool {
    name == "xmlns" || name.starts_with("xmlns:")
}

/// `(kind, field)` pairs whose value is derived noise: canvas app part names carry a random
/// infix that changes on every export (§6 item 2); the content they name is compared instead.
pub const NOISE_FIELDS: &[(&str, &str)] = &[
    ("canvasapp", "DocumentUri"),
    ("canvasapp", "BackgroundImageUri"),
    ("canvasapp", "AdditionalUris"),
];

/// `(kind, derived, source)`: a property the platform computes from another one of the same
/// component. A column's `Length` is its storage size, twice `MaxLength` for text: when both
/// changed, the diff names `MaxLength` only.
pub const DERIVED_FIELDS: &[(&str, &str, &str)] = &[("attribute", "Length", "MaxLength")];

/// Whether a property of a component of `kind` is noise.
pub fn is_noise_field(kind: &str, field: &str) -> bool {
    NOISE_FIELDS.iter().any(|&(k, f)| k == kind && f == field)
}

/// Component fields that name a part of the package (§1.4), with the property name the
/// part's content is reported under: the content is compared as a property of the component,
/// whatever the part is called in this package form.
pub const PART_REFERENCES: &[(&str, &[(&str, &str)])] = &[
    ("webresource", &[("FileName", "content")]),
    (
        "workflow",
        &[
            ("XamlFileName", "XAML"),
            ("JsonFileName", "flow definition"),
        ],
    ),
    ("pluginassembly", &[("FileName", "assembly")]),
    (
        "canvasapp",
        &[
            ("DocumentUri", "app package"),
            ("BackgroundImageUri", "background image"),
            ("AdditionalUris", "additional file"),
        ],
    ),
    ("report", &[("ExportedFileName", "report definition")]),
    ("attribute", &[("FormulaDefinitionFileName", "formula")]),
];

/// The package's content-type list: derived from the entry list (§1.3), reported as package
/// metadata only.
pub fn is_content_types(entry: &str) -> bool {
    entry.eq_ignore_ascii_case("[Content_Types].xml")
}

/// Element names whose escaped text holds an XML or JSON document (§1.4, "escaped XML/JSON
/// strings"): always diffed line by line, even when short.
pub const EMBEDDED_TEXT: &[&str] = &[
    "DependencyXml",
    "fetchxml",
    "layoutxml",
    "FormXml",
    "Tags",
    "DatabaseReferences",
    "CdsDependencies",
    "AuthorizationReferences",
    "ConnectionReferences",
    "clientdata",
    "body",
    "presentationxml",
    "msdyn_customconfiguration",
    "msdyn_mashupdocument",
];

/// Parts of a missing dependency that are export state, not the dependency: the `key`
/// numbers the export gives each end, the `package` that provides the required component
/// in the exporting org, and the display names of components of other solutions (§2.4).
/// The providing solution's version is state too; only another solution is a change.
pub const DEPENDENCY_STATE: &[&str] = &["key", "package", "displayName", "parentDisplayName"];
