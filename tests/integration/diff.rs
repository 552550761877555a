//! `soltree diff` on real packages: snapshot-style expected outputs (text, JSON, Markdown)
//! for the shipped sample and consecutive FabrikamEnvironmental exports, one test per kind
//! of edit made to a real file (each shows up once, under the right component path), export
//! noise (shuffled sets, another package form) giving exit status 0.
//!
//! Expected outputs are insta snapshots in `tests/integration/snapshots/`: the sample and
//! small real pairs in full, larger real pairs as `--stat`, budgeted Markdown and JSON
//! without details. Every report checked here also passes [`check_rules`].

use crate::{corpus, testdata};
use assert_cmd::cargo::cargo_bin_cmd;
use soltree::diff::{Change, ComponentChange, DiffReport, PropertyChange, diff};
use soltree::input::{self, Limits, Package, PackageForm};
use soltree::model::ComponentTree;
use soltree::render::{self, RenderOptions};
use std::path::Path;

fn load(p: &Path) -> ComponentTree {
    ComponentTree::load(p, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Renders with sources replaced, so snapshots do not depend on where the corpus is.
fn rendered_with(mut report: DiffReport, format: &str, opts: &RenderOptions) -> String {
    report.old.source = "OLD".into();
    report.new.source = "NEW".into();
    colored::control::set_override(false);
    let mut out = Vec::new();
    match format {
        "txt" => render::text::render_with(&report, opts, &mut out).unwrap(),
        "json" => render::json::render_with(&report, opts, &mut out).unwrap(),
        "md" => render::markdown::render_with(&report, opts, &mut out).unwrap(),
        _ => unreachable!(),
    }
    String::from_utf8(out).unwrap()
}

fn rendered(report: DiffReport, format: &str) -> String {
    rendered_with(report, format, &RenderOptions::default())
}

/// The report of a pair as insta snapshots in all three formats, every detail shown
/// (`tests/integration/snapshots/`; review a change with `cargo insta review`, or
/// `INSTA_UPDATE=always cargo test` and read the diff of the `.snap` files).
fn snapshot(name: &str, old: &Path, new: &Path) -> DiffReport {
    let report = diff(&load(old), &load(new));
    check_rules(name, &report);
    for ext in ["txt", "md", "json"] {
        insta::assert_snapshot!(format!("{name}.{ext}"), rendered(report.clone(), ext));
    }
    report
}

/// A larger pair as reviewers get it by default: `--stat` text, the Markdown of a pull
/// request comment within `budget` bytes, and the JSON without details.
fn snapshot_brief(name: &str, old: &Path, new: &Path, budget: usize) -> DiffReport {
    let report = diff(&load(old), &load(new));
    check_rules(name, &report);
    let stat = RenderOptions {
        stat: true,
        ..RenderOptions::default()
    };
    let md = RenderOptions {
        max_bytes: Some(budget),
        layout: render::LayoutOptions {
            text_lines: Some(render::DEFAULT_TEXT_LINES),
        },
        ..RenderOptions::default()
    };
    insta::assert_snapshot!(
        format!("{name}.stat.txt"),
        rendered_with(report.clone(), "txt", &stat)
    );
    let markdown = rendered_with(report.clone(), "md", &md);
    assert!(markdown.len() <= budget, "{name}: {} bytes", markdown.len());
    insta::assert_snapshot!(format!("{name}.budget.md"), markdown);
    insta::assert_snapshot!(format!("{name}.sample.json"), json_sample(&report));
    report
}

/// The JSON report's shape on a real pair, kept small: sides, summary, the first root
/// components and missing dependencies, and the first components (without line diffs).
fn json_sample(r: &DiffReport) -> String {
    let mut r = r.clone();
    r.old.source = "OLD".into();
    r.new.source = "NEW".into();
    for c in &mut r.components {
        for p in &mut c.changes {
            p.text_diff = None;
        }
        c.changes.truncate(4);
    }
    let m = &r.manifest;
    let sample = serde_json::json!({
        "schema_version": r.schema_version,
        "old": r.old,
        "new": r.new,
        "summary": r.summary,
        "root_components_added": m.root_components.added.iter().take(4).collect::<Vec<_>>(),
        "missing_dependencies_added": m.missing_dependencies.added.iter().take(3).collect::<Vec<_>>(),
        "components": r.components.iter().take(8).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&sample).unwrap()
}

/// What no report may hold (issue 10, "done when"): a raw `name="value"` attribute as a
/// value, a bare type code, a missing dependency changed only in its `key` numbers or its
/// `package`.
pub fn check_rules(name: &str, r: &DiffReport) {
    let found = rule_violations(name, r);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The breaches of [`check_rules`], each a line.
fn rule_violations(name: &str, r: &DiffReport) -> Vec<String> {
    let mut found = Vec::new();
    macro_rules! assert {
        ($cond:expr, $($msg:tt)+) => {
            if !$cond {
                found.push(format!($($msg)+));
            }
        };
    }
    let raw = |v: &str| {
        let b = v.as_bytes();
        (1..b.len()).any(|i| {
            b[i] == b'='
                && b.get(i + 1) == Some(&b'"')
                && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
        })
    };
    let values = |p: &PropertyChange| {
        [p.old.as_deref(), p.new.as_deref()]
            .into_iter()
            .flatten()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut props: Vec<&PropertyChange> = r.components.iter().flat_map(|c| &c.changes).collect();
    props.extend(&r.manifest.changes);
    props.extend(
        r.manifest
            .root_components
            .changed
            .iter()
            .flat_map(|c| &c.changes),
    );
    props.extend(
        r.manifest
            .missing_dependencies
            .changed
            .iter()
            .flat_map(|c| &c.changes),
    );
    for p in &props {
        if p.text_diff.is_none() {
            for v in values(p) {
                assert!(!raw(&v), "{name}: raw attribute in {}: {v}", p.property);
            }
        }
    }
    for c in &r.components {
        for p in &c.properties {
            assert!(
                !raw(&p.value),
                "{name}: raw attribute in {} / {}",
                c.path,
                p.name
            );
        }
        assert!(
            c.kind_title.parse::<u32>().is_err(),
            "{name}: {} titled by a number",
            c.path
        );
    }
    let m = &r.manifest;
    let names = m
        .root_components
        .added
        .iter()
        .chain(&m.root_components.removed)
        .map(|x| &x.component)
        .chain(
            m.missing_dependencies
                .added
                .iter()
                .chain(&m.missing_dependencies.removed)
                .flat_map(|d| [&d.required, &d.dependent]),
        );
    for n in names {
        assert!(
            !n.kind_title.contains("unnamed type"),
            "{name}: type {:?} {:?} has no name",
            n.type_code,
            n.type_name
        );
        assert!(
            !n.text()
                .contains(&format!("({}", n.type_code.unwrap_or(u32::MAX))),
            "{name}: a bare type code in {}",
            n.text()
        );
    }
    for c in &m.missing_dependencies.changed {
        for p in &c.changes {
            let leaf = p.property.rsplit(" / ").next().unwrap_or_default();
            assert!(
                leaf != "key" && !p.property.contains("package"),
                "{name}: export state reported as a change: {}",
                p.property
            );
        }
    }
    found
}

#[test]
fn sample_v1_v2_names_every_real_change_and_no_noise() {
    let r = snapshot("sample", &testdata("sample/v1"), &testdata("sample/v2"));
    let paths: Vec<&str> = r.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "entity:new_project/attribute:new_budget",
            "entity:new_project/attribute:new_name",
            "entity:new_project/attribute:new_score",
            "entity:new_project/form:8f0e6b21-4c7a-ef11-9f89-000d3a1b2c4d",
            "entity:new_project/view:b3a9d0e4-7f12-ef11-9f89-000d3a1b2c4d",
            "role:c41f2e77-0a3b-ef11-9f89-000d3a1b2c4d",
            "optionset:new_priority",
            "webresource:new_accountform",
        ]
    );
    // Noise: root component order, label order, GUID case, platform versions.
    assert!(r.manifest.root_components.is_empty());
    assert_eq!(r.manifest.changes.len(), 1, "only the solution version");
    assert_eq!(r.manifest.platform.len(), 3);
    assert!(r.package.is_empty(), "[Content_Types].xml is identical");
    let app = r.components.iter().find(|c| c.kind == "app");
    assert!(
        app.is_none(),
        "upper-case form id in the app module is noise"
    );
    let label = &r.components[0].changes[0];
    assert_eq!(label.property, "displayname (1036)");
    assert_eq!(
        (label.old.as_deref(), label.new.as_deref()),
        (Some("Budget"), Some("Budget prévisionnel"))
    );
}

/// Fields and sections dragged to another parent in the form designer read as moves, not
/// as a removal and an addition (`testdata/diff-moves`: a field moved to another section
/// and relabelled, a section moved to another tab).
#[test]
fn form_layout_moved_across_parents_reads_as_moves() {
    let r = snapshot(
        "moves",
        &testdata("diff-moves/old.xml"),
        &testdata("diff-moves/new.xml"),
    );
    assert_eq!(r.components.len(), 1);
    let lines: Vec<(Change, &str, Option<&str>, Option<&str>)> = r.components[0]
        .changes
        .iter()
        .map(|p| {
            (
                p.change,
                p.property.as_str(),
                p.old.as_deref(),
                p.new.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                Change::Moved,
                r#"field "E-mail""#,
                Some(r#"section "General""#),
                Some(r#"section "Contact""#)
            ),
            (
                Change::Changed,
                r#"tab "Summary" / column / section "Contact" / row 2 / cell "E-mail" / label (1033)"#,
                Some("Email"),
                Some("E-mail")
            ),
            (
                Change::Moved,
                r#"section "Address""#,
                Some(r#"tab "Summary""#),
                Some(r#"tab "Details""#)
            ),
        ]
    );
}

#[test]
fn cli_exit_status_follows_diff1() {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.args(["diff", "--color", "never"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "7 components changed, 1 added, 0 removed",
        ));
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.args(["diff", "--format", "json"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v1"))
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\"schema_version\": 2"));
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.args(["diff"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/missing"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "testdata/sample/missing: No such file or directory (os error 2)\n",
        ));
}

#[test]
fn cli_writes_markdown_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("diff.md");
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.args(["diff", "--format", "markdown", "-o"])
        .arg(&out)
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .assert()
        .code(1)
        .stdout("");
    let md = std::fs::read_to_string(out).unwrap();
    assert!(md.contains("| kind | added | removed | changed |"));
    assert!(md.contains("<details><summary>"));
    let mut cmd = cargo_bin_cmd!("soltree");
    let html = cmd
        .args(["diff", "--format", "html"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    assert_eq!(html.status.code(), Some(1));
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<mark>"), "changed words are marked");
    assert!(!html.contains("\u{1b}["), "no terminal colour in HTML");
}

fn fabrikam(v: u32) -> std::path::PathBuf {
    fabrikam_zip(&v.to_string())
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn fabrikam_1_1_11_10_to_11() {
    let (a, b) = (fabrikam(10), fabrikam(11));
    let r = snapshot("fabrikam-10-11", &a, &b);
    // A new interactive dashboard (and its root component), three roles instead of
    // "Everyone" on a dashboard, one app setting flipped.
    assert_eq!(r.summary.added, 1);
    assert_eq!(r.summary.changed, 2);
    assert_eq!(r.manifest.root_components.added.len(), 1);
    assert!(r.package.is_empty());
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn fabrikam_1_1_11_11_to_12() {
    let (a, b) = (fabrikam(11), fabrikam(12));
    let r = snapshot("fabrikam-11-12", &a, &b);
    // A command library canvas app and a command were added; the app lists the library.
    assert_eq!(r.summary.added, 2);
    assert_eq!(
        r.package.len(),
        1,
        "[Content_Types].xml as package metadata"
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn fabrikam_1_1_11_12_to_13() {
    let (a, b) = (fabrikam(12), fabrikam(13));
    let r = snapshot("fabrikam-12-13", &a, &b);
    assert_eq!(r.summary.changed, 1, "only the canvas app changed");
    let canvas = &r.components[0];
    // The .msapp is compared by size and hash under the app, not by its random part name.
    assert!(canvas.changes.iter().any(|p| p.property == "app package"));
    assert!(
        !canvas
            .changes
            .iter()
            .any(|p| p.property.contains("DocumentUri"))
    );
}

/// A package read from a zip, with one edit to one entry.
fn edited(zip: &Path, entry: &str, edit: impl FnOnce(String) -> String) -> ComponentTree {
    let mut pkg: Package = input::read(zip, &Limits::default()).unwrap();
    let e = pkg
        .entries
        .iter_mut()
        .find(|e| e.path.eq_ignore_ascii_case(entry))
        .unwrap();
    let text = String::from_utf8(std::mem::take(&mut e.data)).unwrap();
    let new = edit(text.clone());
    assert_ne!(new, text, "the edit applied");
    e.data = new.into_bytes();
    ComponentTree::build(pkg).unwrap()
}

/// The text of the first element starting with `start_tag` through its end tag.
fn block<'a>(text: &'a str, start_tag: &str, end_tag: &str) -> &'a str {
    let s = text.find(start_tag).expect("start tag");
    let e = s + text[s..].find(end_tag).expect("end tag") + end_tag.len();
    &text[s..e]
}

/// Makes one edit and checks it shows up once, under `path`, with one property change
/// (or as one added/removed component).
fn one_change(entry: &str, edit: impl FnOnce(String) -> String, path: &str, change: Change) {
    let zip = fabrikam(10);
    let old = load(&zip);
    let new = edited(&zip, entry, edit);
    let r = diff(&old, &new);
    assert_eq!(r.components.len(), 1, "{:#?}", r.components);
    let c = &r.components[0];
    assert_eq!((c.path.as_str(), c.change), (path, change), "{c:#?}");
    if change == Change::Changed {
        assert_eq!(c.changes.len(), 1, "{c:#?}");
    }
    assert!(!r.manifest.has_differences(), "{:#?}", r.manifest);
    let back = diff(&new, &old);
    assert_eq!(back.components.len(), 1, "and back again");
}

/// One edit to the customizations.xml of FabrikamEnvironmental 1.1.11.10 that must show as
/// one changed component with one property change: that component.
fn one_property_change(edit: impl FnOnce(String) -> String) -> ComponentChange {
    let zip = fabrikam(10);
    let new = edited(&zip, "customizations.xml", edit);
    let r = diff(&load(&zip), &new);
    assert_eq!(r.components.len(), 1, "{:#?}", r.components);
    let c = r.components.into_iter().next().unwrap();
    assert_eq!(c.changes.len(), 1, "{:#?}", c.changes);
    c
}

const MILESTONE_CODE: &str = "<attribute PhysicalName=\"contoso_milestonecode\">";

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_change_a_column() {
    one_change(
        "customizations.xml",
        |t| {
            let b = block(&t, MILESTONE_CODE, "</attribute>");
            t.replace(
                b,
                &b.replace("<MaxLength>10</MaxLength>", "<MaxLength>12</MaxLength>"),
            )
        },
        "entity:contoso_milestone/attribute:contoso_milestonecode",
        Change::Changed,
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_remove_a_column() {
    one_change(
        "customizations.xml",
        |t| t.replace(block(&t, MILESTONE_CODE, "</attribute>"), ""),
        "entity:contoso_milestone/attribute:contoso_milestonecode",
        Change::Removed,
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_add_a_column() {
    one_change(
        "customizations.xml",
        |t| {
            let b = block(&t, MILESTONE_CODE, "</attribute>");
            let copy = b.replace("contoso_milestonecode", "contoso_milestonecode2");
            t.replacen(b, &format!("{b}\n{copy}"), 1)
        },
        "entity:contoso_milestone/attribute:contoso_milestonecode2",
        Change::Added,
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_change_a_label() {
    let c = one_property_change(|t| {
        let b = block(&t, MILESTONE_CODE, "</attribute>");
        t.replace(b, &b.replace("\"Milestone Code\"", "\"Milestone Number\""))
    });
    let p = &c.changes;
    assert_eq!(p[0].property, "displayname (1033)");
    assert_eq!(p[0].old.as_deref(), Some("Milestone Code"));
    assert_eq!(p[0].new.as_deref(), Some("Milestone Number"));
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_change_a_form_cell() {
    let cell = "<cell id=\"{3441a91e-47c5-672c-7a20-902d6baa9036}\" showlabel=\"true\"";
    let c = one_property_change(|t| {
        t.replacen(
            cell,
            &cell.replace("showlabel=\"true\"", "showlabel=\"false\""),
            1,
        )
    });
    assert_eq!(c.kind, "form");
    let p = &c.changes;
    assert!(
        p[0].property.ends_with("cell \"Phone\" / showlabel"),
        "{}",
        p[0].property
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_remove_a_form_cell() {
    let c = one_property_change(|t| {
        let b = block(
            &t,
            "<cell id=\"{3441a91e-47c5-672c-7a20-902d6baa9036}\"",
            "</cell>",
        );
        t.replacen(b, "", 1)
    });
    let p = &c.changes;
    assert_eq!(p[0].change, Change::Removed);
    assert!(
        p[0].property.ends_with("cell \"Phone\""),
        "{}",
        p[0].property
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_add_an_option() {
    let c = one_property_change(|t| {
        let b = block(
            &t,
            "<optionset Name=\"contoso_outcome_contoso_approved\">",
            "</optionset>",
        );
        let extra = "<option value=\"2\" ExternalValue=\"\"><labels><label description=\"Maybe\" languagecode=\"1033\" /></labels></option>\n                </options>";
        t.replacen(b, &b.replacen("</options>", extra, 1), 1)
    });
    assert_eq!(c.path, "entity:contoso_outcome/attribute:contoso_approved");
    let p = &c.changes;
    assert_eq!(p[0].change, Change::Added);
    assert!(
        p[0].property.ends_with("option 2 \"Maybe\""),
        "{}",
        p[0].property
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_remove_a_root_component() {
    let zip = fabrikam(10);
    let new = edited(&zip, "solution.xml", |t| {
        t.replacen(
            "<RootComponent type=\"1\" schemaName=\"contact\" behavior=\"2\" />",
            "",
            1,
        )
    });
    let r = diff(&load(&zip), &new);
    assert!(r.components.is_empty(), "{:#?}", r.components);
    let d = &r.manifest.root_components;
    assert_eq!((d.added.len(), d.removed.len()), (0, 1));
    assert_eq!(d.removed[0].component.key, "contact");
    assert_eq!(d.removed[0].component.type_code, Some(1));
    assert_eq!(d.removed[0].component.kind, Some("entity"));
    assert_eq!(d.removed[0].behavior_name, Some("include as shell only"));
    assert!(r.has_differences());
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn zip_and_the_folder_it_unpacks_to_are_equal() {
    let root = corpus();
    let zip = root.join("zips/apollo/ApolloHospitalProject_1_0_0_3_managed.zip");
    let mut pkg = input::read(&zip, &Limits::default()).unwrap();
    pkg.form = PackageForm::ExtractedFolder;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("apollo");
    input::write(&pkg, &folder).unwrap();
    let r = diff(&load(&zip), &load(&folder));
    assert!(!r.has_differences(), "{:#?}", r.components);
    // The corpus's extracted folder holds only the three root XML files: compare what
    // both have, customizations.xml against the zip.
    let extracted = root.join("extracted/apollo/ApolloHospitalProject_1_0_0_3_managed");
    let r = diff(&load(&zip), &load(&extracted.join("customizations.xml")));
    assert!(!r.has_differences(), "{:#?}", r.components);
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn a_package_against_its_normal_form_is_equal() {
    for v in [10, 13] {
        let zip = fabrikam(v);
        let tree = load(&zip);
        let normal = soltree::normalize::normalize(&tree);
        let r = diff(&tree, &ComponentTree::build(normal).unwrap());
        assert!(!r.has_differences(), "{:#?}", r.components);
    }
}

/// Splits an extracted export into the SolutionPackager layout the way the packager does
/// (§5.2 of solution-format.md): `Other/Solution.xml`, `Other/Customizations.xml` with an
/// `<Entities />` placeholder, one `Entities/<Name>/Entity.xml` per table with `<FormXml />`,
/// `<SavedQueries />` and `<RibbonDiffXml />` placeholders, and each form, view and ribbon in
/// a file of its own (with a BOM, a declaration and `xmlns:xsi`, as the packager writes).
fn packager_folder(extracted: &Path, out: &Path) {
    use soltree::xml::Document;
    let read = |name: &str| std::fs::read_to_string(extracted.join(name)).unwrap();
    let write = |rel: &str, text: &str| {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let packaged = |body: &str| {
        let body = body.replacen(
            '>',
            " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            1,
        );
        format!("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n{body}")
    };
    write("Other/Solution.xml", &read("solution.xml"));
    let custom = read("customizations.xml");
    let doc = Document::parse(custom.clone(), "customizations.xml").unwrap();
    let root = doc.root().unwrap();
    let entities = doc.child(root, "Entities").unwrap();
    for entity in doc.elements(entities) {
        let name = doc.child_text(entity, "Name").unwrap().to_string();
        let mut body = doc.raw(entity).to_string();
        for (section, placeholder) in [
            ("FormXml", "<FormXml />"),
            ("SavedQueries", "<SavedQueries />"),
            ("RibbonDiffXml", "<RibbonDiffXml />"),
        ] {
            let Some(s) = doc.child(entity, section) else {
                continue;
            };
            body = body.replacen(doc.raw(s), placeholder, 1);
            match section {
                "FormXml" => {
                    for forms in doc.elements(s) {
                        let ty = doc.attr(forms, "type").unwrap();
                        for form in doc.elements(forms) {
                            let id = doc.child_text(form, "formid").unwrap();
                            write(
                                &format!("Entities/{name}/FormXml/{ty}/{id}.xml"),
                                &packaged(&format!("<forms>\r\n  {}\r\n</forms>", doc.raw(form))),
                            );
                        }
                    }
                }
                "SavedQueries" => {
                    for list in doc.elements(s) {
                        for view in doc.elements(list) {
                            let id = doc.child_text(view, "savedqueryid").unwrap();
                            write(
                                &format!("Entities/{name}/SavedQueries/{id}.xml"),
                                &packaged(&format!(
                                    "<savedqueries>\r\n  {}\r\n</savedqueries>",
                                    doc.raw(view)
                                )),
                            );
                        }
                    }
                }
                _ => write(
                    &format!("Entities/{name}/RibbonDiff.xml"),
                    &packaged(doc.raw(s)),
                ),
            }
        }
        write(&format!("Entities/{name}/Entity.xml"), &packaged(&body));
    }
    write(
        "Other/Customizations.xml",
        &custom.replacen(doc.raw(entities), "<Entities />", 1),
    );
    for e in std::fs::read_dir(extracted.join("WebResources")).unwrap() {
        let e = e.unwrap();
        let rel = format!("WebResources/{}", e.file_name().to_string_lossy());
        write(&rel, &std::fs::read_to_string(e.path()).unwrap());
    }
}

#[test]
fn an_export_and_its_solutionpackager_layout_are_equal() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["v1", "v2"] {
        let packed = dir.path().join(v);
        packager_folder(&testdata(&format!("sample/{v}")), &packed);
        let tree = load(&packed);
        assert_eq!(tree.form, PackageForm::PackagerFolder);
        let r = diff(&load(&testdata(&format!("sample/{v}"))), &tree);
        assert!(!r.has_differences(), "{v}: {:#?}", r.components);
    }
    // And the real changes read the same whichever forms the two sides are in.
    let across = diff(&load(&testdata("sample/v1")), &load(&dir.path().join("v2")));
    let same_form = diff(&load(&testdata("sample/v1")), &load(&testdata("sample/v2")));
    let paths = |r: &DiffReport| {
        r.components
            .iter()
            .map(|c| c.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&across), paths(&same_form));
}

/// A SolutionPackager "Both" folder holds every form twice, `{id}.xml` and
/// `{id}_managed.xml`, with the same key: each layer is a component of its own, compared
/// with its own twin, so an edit to only the managed file is still a difference.
#[test]
fn the_managed_twin_of_a_form_is_its_own_component() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    packager_folder(&testdata("sample/v1"), &old);
    let forms: Vec<std::path::PathBuf> = walk(&old)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/FormXml/"))
        .collect();
    assert!(!forms.is_empty());
    for f in &forms {
        let twin = f.with_file_name(format!(
            "{}_managed.xml",
            f.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::copy(f, twin).unwrap();
    }
    let tree = load(&old);
    let mut paths: Vec<&str> = tree.components.iter().map(|c| c.path.as_str()).collect();
    let managed = paths.iter().filter(|p| p.ends_with("@managed")).count();
    assert_eq!(managed, forms.len(), "one managed twin per form");
    let before = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), before, "no path listed twice");

    crate::copy_tree(&old, &new);
    let twin = forms[0].with_file_name(format!(
        "{}_managed.xml",
        forms[0].file_stem().unwrap().to_string_lossy()
    ));
    let twin = new.join(twin.strip_prefix(&old).unwrap());
    let text = std::fs::read_to_string(&twin).unwrap();
    let edited = text.replacen("description=\"", "description=\"Managed ", 1);
    assert_ne!(text, edited);
    std::fs::write(&twin, edited).unwrap();
    let r = diff(&load(&old), &load(&new));
    let changed: Vec<&str> = r.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].ends_with("@managed"), "{changed:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn cli_shuffled_unordered_lists_give_exit_0() {
    // v2 lists its root components out of order and a cell's labels 1036 before 1033;
    // normalize sorts every set, so the two differ only in the order of unordered lists.
    let dir = tempfile::tempdir().unwrap();
    let sorted = dir.path().join("v2-sorted");
    cargo_bin_cmd!("soltree")
        .args(["normalize"])
        .arg(testdata("sample/v2"))
        .arg("-o")
        .arg(&sorted)
        .assert()
        .success();
    let before = std::fs::read(testdata("sample/v2/solution.xml")).unwrap();
    let after = std::fs::read(sorted.join("solution.xml")).unwrap();
    assert_ne!(before, after, "normalize reordered something");
    cargo_bin_cmd!("soltree")
        .args(["diff", "--color", "never"])
        .arg(testdata("sample/v2"))
        .arg(&sorted)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("no semantic differences"));
}

#[test]
fn cli_colour_follows_the_flag_and_no_color() {
    let run = |color: &str, no_color: bool| {
        let mut cmd = cargo_bin_cmd!("soltree");
        cmd.env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd
            .args(["diff", "--color", color])
            .arg(testdata("sample/v1"))
            .arg(testdata("sample/v2"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().contains("\u{1b}[")
    };
    assert!(run("always", false));
    assert!(!run("never", false));
    assert!(!run("auto", true), "NO_COLOR (and a pipe) turn auto off");
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_move_an_option() {
    // Options are a sequence: display order is meaning, so swapping two is a move.
    let c = one_property_change(|t| {
        let b = block(
            &t,
            "<optionset Name=\"contoso_outcome_contoso_approved\">",
            "</optionset>",
        );
        let yes = block(b, "<option value=\"1\"", "</option>");
        let no = block(b, "<option value=\"0\"", "</option>");
        let swapped = b
            .replacen(yes, "\u{0}", 1)
            .replacen(no, yes, 1)
            .replacen('\u{0}', no, 1);
        t.replacen(b, &swapped, 1)
    });
    let p = &c.changes;
    assert_eq!(p[0].change, Change::Moved);
    assert!(p[0].property.contains("option "), "{}", p[0].property);
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn content_types_are_package_metadata_not_a_difference() {
    let zip = fabrikam(10);
    let new = edited(&zip, "[Content_Types].xml", |t| {
        t.replacen(
            "</Types>",
            "<Override PartName=\"/WebResources/new_extra\" ContentType=\"application/octet-stream\" /></Types>",
            1,
        )
    });
    let r = diff(&load(&zip), &new);
    assert!(!r.has_differences(), "{:#?}", r.components);
    assert_eq!(r.package.len(), 1);
    assert_eq!(r.package[0].entry, "[Content_Types].xml");
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn edit_change_a_root_component_behaviour() {
    let zip = fabrikam(10);
    let new = edited(&zip, "solution.xml", |t| {
        t.replacen(
            "<RootComponent type=\"1\" schemaName=\"contact\" behavior=\"2\" />",
            "<RootComponent type=\"1\" schemaName=\"contact\" behavior=\"0\" />",
            1,
        )
    });
    let r = diff(&load(&zip), &new);
    let d = &r.manifest.root_components;
    assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (0, 0, 1));
    let p = &d.changed[0].changes[0];
    assert_eq!(p.property, "behavior", "{:?}", d.changed[0]);
    assert_eq!(
        (p.old.as_deref(), p.new.as_deref()),
        (Some("include as shell only"), Some("include subcomponents"))
    );
    assert!(r.has_differences());
}

#[test]
fn a_both_flavours_packager_manifest_matches_either_flavour() {
    let dir = tempfile::tempdir().unwrap();
    let both = dir.path().join("both");
    packager_folder(&testdata("sample/v2"), &both);
    let manifest = both.join("Other/Solution.xml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("<Managed>0</Managed>"));
    std::fs::write(
        &manifest,
        text.replace("<Managed>0</Managed>", "<Managed>2</Managed>"),
    )
    .unwrap();
    let r = diff(&load(&testdata("sample/v2")), &load(&both));
    assert!(!r.has_differences(), "{:#?}", r.manifest.changes);
}

fn zip(series: &str, name: &str) -> std::path::PathBuf {
    corpus().join("zips").join(series).join(name)
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn ecer_15_to_16_reads_flows_by_action() {
    let r = snapshot_brief(
        "ecer-15-16",
        &zip("ecer", "ECER__v1.0.0.15__173a2cf6.zip"),
        &zip("ecer", "ECER__v1.0.0.16__796b2ee7.zip"),
        16_384,
    );
    let flow = r
        .components
        .iter()
        .find(|c| {
            c.display_name == "ECER - On Work Experience Reference status change to Submitted"
        })
        .expect("the flow changed");
    assert_eq!(flow.kind_title, "Cloud flow");
    let action = flow
        .changes
        .iter()
        .find(|p| p.property.ends_with("/ Create_Communication_record"))
        .expect("the changed action, by its scope path");
    assert_eq!(action.new.as_deref(), Some("inputs changed"));
    assert!(action.text_diff.is_some(), "with the detail");
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn apollo_managed_3_to_unmanaged_4() {
    let r = snapshot_brief(
        "apollo-3m-4",
        &zip("apollo", "ApolloHospitalProject_1_0_0_3_managed.zip"),
        &zip("apollo", "ApolloHospitalProject_1_0_0_4.zip"),
        16_384,
    );
    assert_eq!(
        r.manifest
            .changes
            .iter()
            .find(|p| p.property == "Managed")
            .and_then(|p| p.new.as_deref()),
        Some("unmanaged")
    );
    assert_eq!(r.old.solution.as_ref().and_then(|s| s.managed), Some(true));
    assert_eq!(r.new.solution.as_ref().and_then(|s| s.managed), Some(false));
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn permit_management_5_to_10_pairs_steps_registered_again() {
    let r = snapshot_brief(
        "permit-5-10",
        &zip("pl400", "PermitManagement_1_0_0_5.zip"),
        &zip("pl400", "PermitManagement_1_0_0_10.zip"),
        16_384,
    );
    let steps: Vec<&ComponentChange> = r
        .components
        .iter()
        .filter(|c| c.display_name.contains("PreOperationPermitCreate"))
        .collect();
    assert_eq!(steps.len(), 1, "one step, changed: {steps:#?}");
    assert_eq!(steps[0].change, Change::Changed);
    assert_eq!(
        steps[0].changes[0].property,
        "registered again under new ids"
    );
    let gone = r
        .components
        .iter()
        .find(|c| c.display_name.contains("LockPermitCancelInspections"))
        .expect("a step really removed");
    let props: Vec<(&str, &str)> = gone
        .properties
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert!(
        props.contains(&("message", "contoso_LockPermit")),
        "{props:?}"
    );
    assert!(props.contains(&("stage", "pre-operation")), "{props:?}");
    assert!(props.contains(&("mode", "synchronous")), "{props:?}");
    assert!(props.contains(&("table", "contoso_permit")), "{props:?}");
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn fabrikam_15_to_its_managed_export_shows_the_variable_value() {
    let r = snapshot_brief(
        "fabrikam-15-15m",
        &fabrikam_zip("15"),
        &fabrikam_zip("15_managed"),
        16_384,
    );
    let var = r
        .components
        .iter()
        .find(|c| c.kind == "environmentvariable")
        .expect("the variable changed");
    let p = &var.changes[0];
    assert_eq!(
        (p.property.as_str(), p.change),
        ("current value", Change::Added)
    );
    assert!(
        !r.components
            .iter()
            .any(|c| c.path.contains("environmentvariablevalues")),
        "the value file is no package part of its own"
    );
}

fn fabrikam_zip(v: &str) -> std::path::PathBuf {
    zip(
        "pl200-fabrikam",
        &format!("FabrikamEnvironmental_1_1_11_{v}.zip"),
    )
}

/// Every package of the corpus (zips and extracted folders) and of `testdata/`, grouped by
/// the solution's unique name.
fn solution_versions() -> Vec<(String, Vec<std::path::PathBuf>)> {
    let mut found: Vec<std::path::PathBuf> = Vec::new();
    let root = corpus();
    for dir in ["zips", "extracted"] {
        for series in std::fs::read_dir(root.join(dir)).unwrap() {
            for p in std::fs::read_dir(series.unwrap().path()).unwrap() {
                found.push(p.unwrap().path());
            }
        }
    }
    found.push(testdata("sample/v1"));
    found.push(testdata("sample/v2"));
    let mut groups: std::collections::BTreeMap<String, Vec<std::path::PathBuf>> =
        Default::default();
    for p in found {
        let Ok(pkg) = input::read(&p, &Limits::default()) else {
            continue;
        };
        let Some(manifest) = pkg
            .entry("solution.xml")
            .or_else(|| pkg.entry("Other/Solution.xml"))
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&manifest.data);
        let Some(name) = text
            .split("<UniqueName>")
            .nth(1)
            .and_then(|r| r.split('<').next())
        else {
            continue;
        };
        groups.entry(name.to_string()).or_default().push(p);
    }
    groups.into_iter().collect()
}

/// Issue 10's measure: on every pair of versions of one solution, the default Markdown fits
/// a pull-request comment with its summary and counts whole, and no report breaks
/// [`check_rules`].
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn every_pair_of_versions_fits_a_pull_request_comment() {
    use rayon::prelude::*;
    let mut pairs = Vec::new();
    for (name, versions) in solution_versions() {
        for (i, a) in versions.iter().enumerate() {
            for b in &versions[i + 1..] {
                pairs.push((name.clone(), a.clone(), b.clone()));
            }
        }
    }
    assert!(pairs.len() > 700, "{} pairs", pairs.len());
    let opts = RenderOptions {
        max_bytes: Some(render::PR_COMMENT_LIMIT),
        layout: render::LayoutOptions {
            text_lines: Some(render::DEFAULT_TEXT_LINES),
        },
        ..RenderOptions::default()
    };
    let results: Vec<(usize, String, Vec<String>)> = pairs
        .par_iter()
        .map(|(name, a, b)| {
            let label = format!("{name}: {} → {}", a.display(), b.display());
            let r = diff(&load(a), &load(b));
            let mut found = rule_violations(&label, &r);
            let md = rendered_with(r.clone(), "md", &opts);
            if md.len() > render::PR_COMMENT_LIMIT {
                found.push(format!("{label}: {} bytes", md.len()));
            }
            let summary = render::summary_line(&r);
            if !md.contains(&format!("**{summary}**")) {
                found.push(format!("{label}: no summary"));
            }
            for (kind, n) in render::kind_counts(&r) {
                let row = format!(
                    "| {} | {} | {} | {} |",
                    kind.replace('|', "\\|"),
                    n[0],
                    n[1],
                    n[2]
                );
                if !md.contains(&row) {
                    found.push(format!("{label}: no count row {row}"));
                }
            }
            (md.chars().count(), label, found)
        })
        .collect();
    let mut found: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found
            .iter()
            .take(40)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let sizes: Vec<(usize, String)> = results.into_iter().map(|(n, l, _)| (n, l)).collect();
    let (max, which) = sizes.iter().max().unwrap();
    eprintln!(
        "{} pairs; largest default Markdown: {max} characters ({which})",
        sizes.len()
    );
}

fn soltree_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    cmd.output().unwrap()
}

fn git_in(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `REV:PATH` reads a side from git: a folder as a folder package (also a SolutionPackager
/// folder below it), a file as an XML file, the same report as from disk.
#[test]
fn cli_reads_rev_path_arguments_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git_in(repo, &["init", "-q", "-b", "main"]);
    crate::copy_tree(&testdata("sample/v1"), &repo.join("sol"));
    packager_folder(&testdata("sample/v1"), &repo.join("unpacked/src"));
    git_in(repo, &["add", "-A"]);
    git_in(repo, &["commit", "-q", "-m", "v1"]);
    std::fs::remove_dir_all(repo.join("sol")).unwrap();
    std::fs::remove_dir_all(repo.join("unpacked")).unwrap();
    crate::copy_tree(&testdata("sample/v2"), &repo.join("sol"));
    packager_folder(&testdata("sample/v2"), &repo.join("unpacked/src"));
    git_in(repo, &["add", "-A"]);
    git_in(repo, &["commit", "-q", "-m", "v2"]);

    let from_disk = cargo_bin_cmd!("soltree")
        .args(["diff", "--color", "never"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    let disk = String::from_utf8(from_disk.stdout).unwrap();
    let out = soltree_in(
        repo,
        &["diff", "--color", "never", "main~1:sol", "main:sol"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), disk);
    // A SolutionPackager folder below the named folder, and a file.
    let out = soltree_in(repo, &["diff", "HEAD~1:unpacked", "HEAD:unpacked"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("7 components changed, 1 added"));
    let out = soltree_in(
        repo,
        &[
            "diff",
            "HEAD~1:sol/customizations.xml",
            "HEAD:sol/customizations.xml",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out = soltree_in(repo, &["diff", "HEAD:sol", "HEAD:unpacked"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Neither a path nor a revision: an error, exit 2.
    let out = soltree_in(repo, &["diff", "nope:sol", "HEAD:sol"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = soltree_in(repo, &["diff", "HEAD:sol/WebResources", "HEAD:sol"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a solution folder"),
        "{out:?}"
    );
}

#[test]
fn cli_filters_by_kind_and_path_and_the_exit_status_follows() {
    let run = |args: &[&str]| {
        let out = cargo_bin_cmd!("soltree")
            .args(["diff", "--color", "never"])
            .args(args)
            .arg(testdata("sample/v1"))
            .arg(testdata("sample/v2"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&["--only", "form,view"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("2 components changed, 0 added, 0 removed"),
        "{out}"
    );
    assert!(!out.contains("Column"), "{out}");
    let (_, out, _) = run(&["--path", "entity:new_project/**", "--only", "attribute"]);
    assert!(out.contains("2 components changed, 1 added"), "{out}");
    // Nothing asked about changed: exit 0.
    let (code, out, _) = run(&["--only", "chart"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, _, err) = run(&["--only", "fomr"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no kind is called \"fomr\""), "{err}");
}

#[test]
fn cli_stat_lists_one_line_per_component() {
    let out = cargo_bin_cmd!("soltree")
        .args(["diff", "--stat", "--color", "never"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("sample.stat.txt", text);
    let md = cargo_bin_cmd!("soltree")
        .args(["diff", "--stat", "--format", "markdown"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    insta::assert_snapshot!("sample.stat.md", String::from_utf8(md.stdout).unwrap());
}

/// A budget too small for the details keeps the summary and the counts, and says what it
/// left out and how to see it.
#[test]
fn cli_markdown_keeps_its_budget() {
    let out = cargo_bin_cmd!("soltree")
        .args(["diff", "--format", "markdown", "--max-bytes", "1500"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.len() <= 1500, "{} bytes:\n{md}", md.len());
    assert!(md.contains("**7 components changed, 1 added, 0 removed; 1 manifest change**"));
    assert!(md.contains("| Web resource | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("left out") || md.contains("shortened"), "{md}");
    assert!(md.contains("--full"), "{md}");
    let full = cargo_bin_cmd!("soltree")
        .args(["diff", "--format", "markdown", "--full"])
        .arg(testdata("sample/v1"))
        .arg(testdata("sample/v2"))
        .output()
        .unwrap();
    let full = String::from_utf8(full.stdout).unwrap();
    assert!(full.contains("Contoso.Sales = Contoso.Sales"), "{full}");
    assert!(!full.contains("left out"));
}
