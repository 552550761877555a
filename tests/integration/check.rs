//! `soltree check` (issue 14): one test per problem code on a small package built here (the
//! sample export of `testdata/sample/v2` with one fault put in, or a SolutionPackager folder
//! written by the test), exit statuses and output formats, the real corpus (every export
//! checks clean; every real merge resolution with markers or duplicates is caught with its
//! code, and no other gets an error), and the pre-commit hook through real git.

use crate::git::Repo;
use crate::testdata;
use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn soltree() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.env_remove("NO_COLOR").env("SOLTREE_TEST", "1");
    cmd
}

/// The sample export copied into a temporary folder, with `edit` applied to its
/// customizations.xml.
fn sample_with(edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    std::fs::create_dir_all(root.join("WebResources")).unwrap();
    let src = testdata("sample/v2");
    for name in ["solution.xml", "[Content_Types].xml"] {
        std::fs::copy(src.join(name), root.join(name)).unwrap();
    }
    for e in std::fs::read_dir(src.join("WebResources")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join("WebResources").join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(src.join("customizations.xml")).unwrap();
    std::fs::write(root.join("customizations.xml"), edit(text)).unwrap();
    (dir, root)
}

/// The JSON report of `check` on `inputs`, with its exit status.
fn check_json(inputs: &[&Path], extra: &[&str]) -> (i32, serde_json::Value) {
    let out = soltree()
        .arg("check")
        .args(inputs)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

/// `(code, entry, line)` of every problem of the first package.
fn problems(json: &serde_json::Value) -> Vec<(String, String, Option<u64>)> {
    json["packages"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["entry"].as_str().unwrap().to_string(),
                p["line"].as_u64(),
            )
        })
        .collect()
}

/// The 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text.find(needle).unwrap();
    text[..at].matches('\n').count() as u64 + 1
}

#[test]
fn a_real_shaped_export_checks_clean() {
    let (_d, root) = sample_with(|t| t);
    soltree()
        .args(["check", "--color", "never"])
        .arg(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "no problems (4 files, 26 components)",
        ));
}

#[test]
fn conflict_markers_are_found_at_each_conflict_with_the_file_and_line() {
    let mut marked = String::new();
    let (_d, root) = sample_with(|t| {
        marked = t.replacen(
            "<MaxLength>160</MaxLength>",
            "\n<<<<<<< ours\n<MaxLength>160</MaxLength>\n=======\n<MaxLength>200</MaxLength>\n>>>>>>> theirs",
            1,
        );
        marked.clone()
    });
    let line = line_of(&marked, "<<<<<<< ours");
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    // One finding per conflict; the ill-formed XML the markers cause is not a second one.
    assert_eq!(
        problems(&json),
        vec![(
            "conflict-marker".into(),
            "customizations.xml".into(),
            Some(line)
        )]
    );
    let p = &json["packages"][0]["problems"][0];
    assert_eq!(p["severity"], "error");
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .contains(&format!("lines {line}–{}", line + 4))
    );
    assert!(p["hint"].as_str().unwrap().contains("soltree merge"));
}

#[test]
fn malformed_xml_is_reported_with_its_place() {
    let (_d, root) =
        sample_with(|t| t.replacen("<MaxLength>160</MaxLength>", "<MaxLength>160</Length>", 1));
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    let found = problems(&json);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "malformed-xml");
    assert!(found[0].2.is_some());
}

#[test]
fn a_column_twice_in_a_table_is_a_duplicate_key_named_by_its_display_name() {
    let mut edited = String::new();
    let (_d, root) = sample_with(|t| {
        let start = t.find("<attribute PhysicalName=\"new_Budget\">").unwrap();
        let end = start + t[start..].find("</attribute>").unwrap() + "</attribute>".len();
        let copy = t[start..end].to_string();
        edited = format!("{}{copy}\n            {}", &t[..end], &t[end..]);
        edited.clone()
    });
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    let second = edited
        .match_indices("<attribute PhysicalName=\"new_Budget\">")
        .nth(1)
        .unwrap()
        .0;
    let line = edited[..second].matches('\n').count() as u64 + 1;
    assert_eq!(
        problems(&json),
        vec![(
            "duplicate-key".into(),
            "customizations.xml".into(),
            Some(line)
        )]
    );
    let p = &json["packages"][0]["problems"][0];
    assert_eq!(p["path"], "entity:new_project/attribute:new_budget");
    let message = p["message"].as_str().unwrap();
    assert!(
        message.starts_with("Column \"Budget\" (new_budget) is listed twice in Table \"Project\""),
        "{message}"
    );
}

#[test]
fn a_role_twice_in_an_app_and_a_root_component_twice_are_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let app = "<AppModule>\n  <UniqueName>new_Sales</UniqueName>\n  <AppModuleRoleMaps>\n    <Role id=\"{AAAA0000-0000-0000-0000-000000000001}\" />\n    <Role id=\"{aaaa0000-0000-0000-0000-000000000001}\" />\n  </AppModuleRoleMaps>\n</AppModule>\n";
    let file = dir.path().join("AppModule.xml");
    std::fs::write(&file, app).unwrap();
    let (code, json) = check_json(&[&file], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![("duplicate-key".into(), "AppModule.xml".into(), Some(5))]
    );
    let (_d, root) = sample_with(|c| c);
    let manifest = std::fs::read_to_string(root.join("solution.xml")).unwrap();
    let item = "<RootComponent type=\"1\" schemaName=\"new_project\" behavior=\"0\" />";
    assert!(manifest.contains(item), "the sample's manifest changed");
    let manifest = manifest.replacen(item, &format!("{item}{item}"), 1);
    std::fs::write(root.join("solution.xml"), manifest).unwrap();
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![("duplicate-key".into(), "solution.xml".into(), Some(82))]
    );
    let message = json["packages"][0]["problems"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("root component Table new_project is listed twice"),
        "{message}"
    );
}

#[test]
fn a_null_element_with_content_is_found() {
    let (_d, root) = sample_with(|t| {
        t.replacen(
            "<AutoNumberFormat></AutoNumberFormat>",
            "<AutoNumberFormat xsi:nil=\"true\">[]</AutoNumberFormat>",
            1,
        )
    });
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    let found = problems(&json);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "nil-with-content");
    assert_eq!(
        json["packages"][0]["problems"][0]["path"],
        "entity:account/attribute:name"
    );
}

#[test]
fn a_root_component_without_its_definition_is_missing_component_files() {
    let (_d, root) = sample_with(|t| {
        let start = t.find("<optionset Name=\"new_priority\"").unwrap();
        let end = start + t[start..].find("</optionset>").unwrap() + "</optionset>".len();
        format!("{}{}", &t[..start], &t[end..])
    });
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![(
            "missing-component-files".into(),
            "solution.xml".into(),
            Some(86)
        )]
    );
    // A component another solution provides is a missing dependency, not missing files.
    let (_d2, root2) = sample_with(|t| {
        let start = t.find("<optionset Name=\"new_priority\"").unwrap();
        let end = start + t[start..].find("</optionset>").unwrap() + "</optionset>".len();
        format!("{}{}", &t[..start], &t[end..])
    });
    let manifest = std::fs::read_to_string(root2.join("solution.xml")).unwrap();
    let manifest = manifest.replacen(
        "<MissingDependencies />",
        "<MissingDependencies>\n      <MissingDependency>\n        <Required type=\"9\" schemaName=\"new_priority\" solution=\"Base (1.0)\" />\n        <Dependent type=\"2\" schemaName=\"new_stage\" parentSchemaName=\"new_project\" />\n      </MissingDependency>\n    </MissingDependencies>",
        1,
    );
    assert!(
        manifest.contains("<Required type=\"9\""),
        "the sample's manifest changed"
    );
    std::fs::write(root2.join("solution.xml"), manifest).unwrap();
    let (code, json) = check_json(&[&root2], &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
}

/// `text` without the element that starts at `start_tag` (through its end tag `end_tag`),
/// its lines' indentation and its line end (the sample has CRLF line ends).
fn without(text: &str, start_tag: &str, end_tag: &str) -> String {
    let start = text
        .find(start_tag)
        .unwrap_or_else(|| panic!("{start_tag} is gone"));
    let start = text[..start].trim_end_matches([' ', '\t']).len();
    let end = start + text[start..].find(end_tag).unwrap() + end_tag.len();
    let rest = &text[end..];
    let rest = rest.strip_prefix("\r\n").unwrap_or(rest);
    format!("{}{}", &text[..start], rest)
}

/// The sample's Budget column without its definition: the form field and the view column
/// that name it are `missing-column` errors (Project is the publisher's own table, exported
/// whole); a relationship to a table of the publisher that the package does not hold is
/// `missing-table`, unless the manifest lists that table as a missing dependency.
#[test]
fn references_to_a_lost_column_or_table_are_found() {
    let mut edited = String::new();
    let (_d, root) = sample_with(|t| {
        let t = without(
            &t,
            "<attribute PhysicalName=\"new_Budget\">",
            "</attribute>",
        );
        edited = t.replacen(
            "<ReferencedEntityName>Account</ReferencedEntityName>",
            "<ReferencedEntityName>new_Customer</ReferencedEntityName>",
            1,
        );
        edited.clone()
    });
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![
            (
                "missing-column".into(),
                "customizations.xml".into(),
                Some(line_of(&edited, "<control id=\"new_budget\""))
            ),
            (
                "missing-column".into(),
                "customizations.xml".into(),
                Some(line_of(&edited, "<cell name=\"new_budget\""))
            ),
            (
                "missing-table".into(),
                "customizations.xml".into(),
                Some(line_of(&edited, "<ReferencedEntityName>new_Customer"))
            ),
        ]
    );
    let ps = &json["packages"][0]["problems"];
    assert_eq!(
        ps[0]["message"],
        "Form \"Information\" of Table \"Project\" shows the column new_budget, which Table \"Project\" does not have"
    );
    assert_eq!(
        ps[1]["path"],
        "entity:new_project/view:b3a9d0e4-7f12-ef11-9f89-000d3a1b2c4d"
    );
    assert!(
        ps[2]["message"]
            .as_str()
            .unwrap()
            .contains("relates table new_customer, which is neither in the package nor among its missing dependencies")
    );
    // A table another solution provides is a missing dependency: no finding.
    let manifest = std::fs::read_to_string(root.join("solution.xml")).unwrap();
    let manifest = manifest.replacen(
        "<MissingDependencies />",
        "<MissingDependencies>\n      <MissingDependency>\n        <Required type=\"1\" schemaName=\"new_customer\" solution=\"Base (1.0)\" />\n        <Dependent type=\"10\" schemaName=\"new_account_new_project\" />\n      </MissingDependency>\n    </MissingDependencies>",
        1,
    );
    assert!(
        manifest.contains("new_customer"),
        "the sample's manifest changed"
    );
    std::fs::write(root.join("solution.xml"), manifest).unwrap();
    let (_, json) = check_json(&[&root], &[]);
    let codes: Vec<String> = problems(&json).into_iter().map(|p| p.0).collect();
    assert_eq!(codes, ["missing-column", "missing-column"]);
    // Columns and tables of other publishers, and tables not exported whole, are not
    // checked: the target org may have them.
    let (_d3, root3) = sample_with(|t| {
        without(
            &t,
            "<attribute PhysicalName=\"new_Budget\">",
            "</attribute>",
        )
    });
    let manifest = std::fs::read_to_string(root3.join("solution.xml")).unwrap();
    std::fs::write(
        root3.join("solution.xml"),
        manifest.replacen(
            "schemaName=\"new_project\" behavior=\"0\"",
            "schemaName=\"new_project\" behavior=\"1\"",
            1,
        ),
    )
    .unwrap();
    let (code, json) = check_json(&[&root3], &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
}

/// `merge` checks its clean result: ours drops the Budget column with its form field and
/// fetch column, theirs adds Budget to the view's layout. Each side is valid and nothing
/// conflicts line by line or component by component, but the merged view names a column
/// the merged table no longer has: the merge reports it (exit 1, reason `invalid-result`)
/// and still writes the package; `--no-check` merges as before.
#[test]
fn merge_reports_an_error_it_made_that_neither_side_had() {
    let view_cell = "                  <cell name=\"new_budget\" width=\"100\" />\r\n";
    let (_d, theirs) = sample_with(|t| t);
    let (_d2, base) = sample_with(|t| {
        assert!(t.contains(view_cell));
        t.replacen(view_cell, "", 1)
    });
    let (_d3, ours) = sample_with(|t| {
        let t = t.replacen(view_cell, "", 1);
        let t = without(
            &t,
            "<attribute PhysicalName=\"new_Budget\">",
            "</attribute>",
        );
        let cell = t.find("<cell id=\"{2be3a5b7").unwrap();
        let row = t[..cell].rfind("<row>").unwrap();
        let t = format!("{}{}", &t[..row], without(&t[row..], "<row>", "</row>"));
        without(&t, "<attribute name=\"new_budget\" />", "/>")
    });
    for side in [&base, &ours, &theirs] {
        let (code, json) = check_json(&[side], &[]);
        assert_eq!((code, problems(&json)), (0, vec![]), "{}", side.display());
    }
    let out = tempfile::tempdir().unwrap();
    let merged = out.path().join("merged");
    let report = out.path().join("report.json");
    let assert = soltree()
        .arg("merge")
        .args([&base, &ours, &theirs])
        .arg("-o")
        .arg(&merged)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("INVALID the merged package would not import")
            && stderr.contains("[missing-column]"),
        "{stderr}"
    );
    let merged_text = std::fs::read_to_string(merged.join("customizations.xml")).unwrap();
    assert!(merged_text.contains("<cell name=\"new_budget\""));
    assert!(!merged_text.contains("<attribute PhysicalName=\"new_Budget\">"));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["clean"], false);
    assert_eq!(json["invalid"][0]["kind"], "missing-column");
    assert_eq!(json["invalid"][0]["reason"], "invalid-result");
    assert_eq!(
        json["invalid"][0]["path"],
        "entity:new_project/view:b3a9d0e4-7f12-ef11-9f89-000d3a1b2c4d"
    );
    let merged2 = out.path().join("merged2");
    soltree()
        .arg("merge")
        .args([&base, &ours, &theirs])
        .arg("-o")
        .arg(&merged2)
        .arg("--no-check")
        .assert()
        .code(0);
}

/// A single file merged by lines (its root is not one the structured merge knows) where
/// both sides added one column at two places: git's line merge keeps both, and the check of
/// the result names the duplicate as a conflict.
#[test]
fn merge_reports_a_duplicate_its_line_merge_made() {
    let dir = tempfile::tempdir().unwrap();
    let base = "<Exported>\n  <Entities>\n    <Entity>\n      <Name>new_Project</Name>\n      <EntityInfo>\n        <entity Name=\"new_Project\">\n          <attributes>\n            <attribute PhysicalName=\"new_Budget\">\n              <Type>money</Type>\n            </attribute>\n            <attribute PhysicalName=\"new_Name\">\n              <Type>nvarchar</Type>\n            </attribute>\n          </attributes>\n        </entity>\n      </EntityInfo>\n    </Entity>\n  </Entities>\n</Exported>\n";
    let score = "            <attribute PhysicalName=\"new_Score\">\n              <Type>int</Type>\n            </attribute>\n";
    let first = base
        .find("            <attribute PhysicalName=\"new_Budget\">")
        .unwrap();
    let last = base.find("          </attributes>").unwrap();
    let ours = format!("{}{score}{}", &base[..first], &base[first..]);
    let theirs = format!("{}{score}{}", &base[..last], &base[last..]);
    let paths: Vec<PathBuf> = [
        ("base.xml", base),
        ("ours.xml", &ours),
        ("theirs.xml", &theirs),
    ]
    .iter()
    .map(|(name, text)| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    })
    .collect();
    let merged = dir.path().join("merged.xml");
    let assert = soltree()
        .arg("merge")
        .args(&paths)
        .arg("-o")
        .arg(&merged)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("entity:new_project/attribute:new_score [duplicate-key]: merged.xml:")
            && stderr.contains("Column new_score is listed twice"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&merged)
            .unwrap()
            .matches("new_Score")
            .count(),
        2
    );
}

/// A small SolutionPackager folder: a manifest listing two web resources, one of whose files
/// is missing, another web resource no root component lists, the same web resource in two
/// files, a managed form without its unmanaged twin, and a cloud flow that is not JSON.
fn packager_folder(dir: &Path) -> PathBuf {
    let root = dir.join("Solution");
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "Other/Solution.xml",
        "<ImportExportXml>\n  <SolutionManifest>\n    <UniqueName>Contoso</UniqueName>\n    <Managed>2</Managed>\n    <RootComponents>\n      <RootComponent type=\"61\" schemaName=\"new_/a.js\" behavior=\"0\" />\n      <RootComponent type=\"61\" schemaName=\"new_/gone.js\" behavior=\"0\" />\n      <RootComponent type=\"29\" id=\"{11111111-2222-3333-4444-555555555555}\" behavior=\"0\" />\n    </RootComponents>\n    <MissingDependencies />\n  </SolutionManifest>\n</ImportExportXml>\n",
    );
    write(
        "Other/Customizations.xml",
        "<ImportExportXml>\n  <Entities />\n  <Roles />\n  <Workflows />\n</ImportExportXml>\n",
    );
    let web = |name: &str, id: &str| {
        format!(
            "<WebResource>\n  <WebResourceId>{{{id}}}</WebResourceId>\n  <Name>{name}</Name>\n  <DisplayName>{name}</DisplayName>\n  <WebResourceType>3</WebResourceType>\n</WebResource>\n"
        )
    };
    write(
        "WebResources/new_/a.js.data.xml",
        &web("new_/a.js", "aaaaaaaa-0000-0000-0000-000000000001"),
    );
    write(
        "WebResources/new_/copy/a.js.data.xml",
        &web("new_/a.js", "aaaaaaaa-0000-0000-0000-000000000001"),
    );
    write(
        "WebResources/new_/b.js.data.xml",
        &web("new_/b.js", "aaaaaaaa-0000-0000-0000-000000000002"),
    );
    write(
        "Workflows/Flow-11111111-2222-3333-4444-555555555555.json",
        "{\n  \"properties\": {\n    \"definition\": {\n  }\n",
    );
    write(
        "Workflows/Flow-11111111-2222-3333-4444-555555555555.json.data.xml",
        "<Workflow WorkflowId=\"{11111111-2222-3333-4444-555555555555}\" Name=\"Flow\">\n  <Category>5</Category>\n</Workflow>\n",
    );
    write(
        "Entities/account/FormXml/main/{bbbbbbbb-0000-0000-0000-000000000001}_managed.xml",
        "<forms>\n  <systemform>\n    <formid>{bbbbbbbb-0000-0000-0000-000000000001}</formid>\n  </systemform>\n</forms>\n",
    );
    root
}

#[test]
fn a_packager_folder_is_checked_against_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = packager_folder(dir.path());
    let (code, json) = check_json(&[&root], &[]);
    assert_eq!(code, 1);
    let mut found: Vec<(String, String)> = problems(&json)
        .into_iter()
        .map(|(c, e, _)| (c, e))
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        (
            "duplicate-component",
            "WebResources/new_/copy/a.js.data.xml",
        ),
        (
            "malformed-json",
            "Workflows/Flow-11111111-2222-3333-4444-555555555555.json",
        ),
        ("missing-component-files", "Other/Solution.xml"),
        (
            "unlisted-component-files",
            "WebResources/new_/b.js.data.xml",
        ),
        (
            "unpaired-managed-file",
            "Entities/account/FormXml/main/{bbbbbbbb-0000-0000-0000-000000000001}_managed.xml",
        ),
    ]
    .iter()
    .map(|(c, e)| (c.to_string(), e.to_string()))
    .collect();
    assert_eq!(found, expected);
    let severities: Vec<(&str, &str)> = json["packages"][0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["severity"].as_str().unwrap()))
        .collect();
    assert!(severities.contains(&("unlisted-component-files", "warning")));
    assert!(severities.contains(&("missing-component-files", "error")));
    assert_eq!(json["errors"], 4);
    assert_eq!(json["warnings"], 1);
}

#[test]
fn codes_can_be_turned_off_and_warnings_fail_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let root = packager_folder(dir.path());
    let errors = "duplicate-component,malformed-json,missing-component-files,unpaired-managed-file";
    let (code, json) = check_json(&[&root], &["--disable", errors]);
    assert_eq!(code, 0, "a warning alone passes");
    assert_eq!(json["warnings"], 1);
    let (code, _) = check_json(&[&root], &["--disable", errors, "--deny-warnings"]);
    assert_eq!(code, 1);
    soltree()
        .args(["check", "--disable", "no-such-code"])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the codes are conflict-marker, "));
}

#[test]
fn text_output_names_the_place_the_component_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let root = packager_folder(dir.path());
    let out = soltree()
        .args(["check", "--color", "never"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let place = root.join("Other/Solution.xml");
    assert!(
        text.contains(&format!(
            "{}:7:7: error[missing-component-files]: the manifest lists Web resource new_/gone.js as a root component, but the package does not define it\n  hint: restore the component's files",
            place.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("  component: Web resource new_/b.js (webresource:new_/b.js)"),
        "{text}"
    );
    assert!(
        text.ends_with("(packager-folder): 4 errors, 1 warning\n"),
        "{text}"
    );
}

#[test]
fn an_unreadable_package_is_exit_2_and_a_lone_json_file_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    soltree()
        .arg("check")
        .arg(dir.path().join("missing.zip"))
        .assert()
        .code(2);
    let flow = dir.path().join("flow.json");
    std::fs::write(&flow, "{\"a\": [1, 2}").unwrap();
    let (code, json) = check_json(&[&flow], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![("malformed-json".into(), "flow.json".into(), Some(1))]
    );
    std::fs::write(&flow, "{\"a\": [1, 2]}").unwrap();
    let (code, _) = check_json(&[&flow], &[]);
    assert_eq!(code, 0);
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn every_real_export_checks_without_a_problem() {
    let corpus = crate::corpus();
    let mut packages: Vec<PathBuf> = Vec::new();
    let mut stack = vec![corpus.join("zips")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "zip") {
                packages.push(p);
            }
        }
    }
    for group in std::fs::read_dir(corpus.join("extracted")).unwrap() {
        for e in std::fs::read_dir(group.unwrap().path()).unwrap() {
            packages.push(e.unwrap().path());
        }
    }
    packages.push(corpus.join("unpacked/opc"));
    packages.sort();
    assert!(packages.len() >= 100, "{}", packages.len());
    let args: Vec<&Path> = packages.iter().map(PathBuf::as_path).collect();
    let (code, json) = check_json(&args, &[]);
    let found: Vec<String> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            let source = p["source"].as_str().unwrap().to_string();
            p["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |q| format!("{source}: {} {}", q["code"], q["message"]))
        })
        .collect();
    assert_eq!((code, found), (0, Vec::<String>::new()));
}

/// The real merge resolutions that hold git's markers or elements git's line merge
/// duplicated, with the code each must get (checked by reading them: a role listed twice in
/// an app, a relationship twice, missing dependencies twice, markers left in).
const CAUGHT: &[(&str, &str)] = &[
    (
        "hse-digital__bsr-d365/3da390c3b6a9-0c747707",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-1476aae5",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-3beb4ae2",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-48b7cc06",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-69704790",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-82ab54ea",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-8c1c7cd6",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-b2eb6a47",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-c51524ae",
        "conflict-marker",
    ),
    (
        "hse-digital__bsr-d365/3da390c3b6a9-e7480a07",
        "conflict-marker",
    ),
    (
        "opc-cpvp__OPC.PowerApps/134ea4ed263c-0d93f408",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/1e9213d9e45c-6219330e",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/c71a4bac7a62-0d93f408",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-0d93f408",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-5143f34d",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-62e99067",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-74c391fd",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-a70a86e4",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/ca1afd7abc69-caa142a6",
        "duplicate-key",
    ),
    (
        "opc-cpvp__OPC.PowerApps/f44b7bbf6d0f-0d93f408",
        "duplicate-key",
    ),
];

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn real_merge_resolutions_with_markers_or_duplicates_are_caught_and_no_other_gets_an_error() {
    let merges = crate::corpus().join("merges");
    let mut cases: Vec<(String, PathBuf)> = Vec::new();
    for repo in std::fs::read_dir(&merges).unwrap() {
        let repo = repo.unwrap().path();
        for case in std::fs::read_dir(&repo).unwrap() {
            let case = case.unwrap().path();
            let resolved = std::fs::read_dir(&case)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_stem().is_some_and(|s| s == "resolved"))
                .unwrap();
            let name = format!(
                "{}/{}",
                repo.file_name().unwrap().to_string_lossy(),
                case.file_name().unwrap().to_string_lossy()
            );
            cases.push((name, resolved));
        }
    }
    cases.sort();
    assert_eq!(cases.len(), 136);
    let args: Vec<&Path> = cases.iter().map(|(_, p)| p.as_path()).collect();
    let (_, json) = check_json(&args, &[]);
    let mut caught: Vec<(String, String)> = Vec::new();
    for ((name, _), package) in cases.iter().zip(json["packages"].as_array().unwrap()) {
        let mut codes: Vec<String> = package["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["severity"] == "error")
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect();
        codes.dedup();
        for code in codes {
            caught.push((name.clone(), code));
        }
    }
    let expected: Vec<(String, String)> = CAUGHT
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    assert_eq!(caught, expected);
}

#[cfg(unix)]
#[test]
fn the_pre_commit_hook_refuses_markers_passes_a_clean_file_and_chains_an_existing_hook() {
    let repo = Repo::new();
    // A hook that was there before: it leaves a trace and passes.
    let hooks = repo.root.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let earlier = hooks.join("pre-commit");
    std::fs::write(
        &earlier,
        "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/earlier-hook-ran\"\n",
    )
    .unwrap();
    make_executable(&earlier);
    let out = repo.soltree(&["git", "install", "--pre-commit"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("moved the existing hook"), "{said}");
    assert!(hooks.join("pre-commit.before-soltree").is_file());
    repo.ok(&["add", ".gitattributes"]);
    repo.ok(&["commit", "-qm", "drivers"]);
    assert!(
        repo.root.join(".git/earlier-hook-ran").is_file(),
        "the chained hook ran"
    );

    let clean = std::fs::read(testdata("sample/v2/customizations.xml")).unwrap();
    let text = String::from_utf8(clean.clone()).unwrap();
    let marked = text.replacen(
        "<MaxLength>160</MaxLength>",
        "\n<<<<<<< HEAD\n<MaxLength>160</MaxLength>\n=======\n<MaxLength>200</MaxLength>\n>>>>>>> feature",
        1,
    );
    repo.write("src/Solution/customizations.xml", marked.as_bytes());
    repo.ok(&["add", "-A"]);
    let refused = repo.git(&["commit", "-qm", "resolved"]);
    assert!(!refused.status.success(), "the commit went through");
    let said = String::from_utf8_lossy(&refused.stdout).to_string()
        + &String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("src/Solution/customizations.xml:")
            && said.contains("error[conflict-marker]"),
        "{said}"
    );
    // --no-verify is the way around.
    let forced = repo.git(&["commit", "-qm", "forced", "--no-verify"]);
    assert!(forced.status.success());

    repo.write("src/Solution/customizations.xml", &clean);
    repo.ok(&["add", "-A"]);
    repo.ok(&["commit", "-qm", "fixed"]);

    // Uninstalling puts the earlier hook back.
    let out = repo.soltree(&["git", "install", "--uninstall"]);
    assert!(out.status.success());
    let back = std::fs::read_to_string(hooks.join("pre-commit")).unwrap();
    assert!(back.contains("earlier-hook-ran"), "{back}");
    assert!(!hooks.join("pre-commit.before-soltree").exists());
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// A form of one tab whose sections hold the given cells (ids end in the digit given).
fn form_file(sections: &[(u8, &[u8])]) -> String {
    let mut out = String::from(
        "<forms>\n  <systemform>\n    <formid>{5d2c7a8e-3b1f-ef11-9f89-000d3a1b2c4d}</formid>\n    <form>\n      <tabs>\n        <tab id=\"{aa000000-0000-0000-0000-000000000001}\" name=\"general\">\n          <columns>\n            <column width=\"100%\">\n              <sections>\n",
    );
    for (section, cells) in sections {
        out.push_str(&format!(
            "                <section id=\"{{bb000000-0000-0000-0000-00000000000{section}}}\" name=\"s{section}\">\n                  <rows>\n"
        ));
        for cell in *cells {
            out.push_str(&format!(
                "                    <row>\n                      <cell id=\"{{cc000000-0000-0000-0000-00000000000{cell}}}\">\n                        <control id=\"new_f{cell}\" datafieldname=\"new_f{cell}\" />\n                      </cell>\n                    </row>\n"
            ));
        }
        out.push_str("                  </rows>\n                </section>\n");
    }
    out.push_str("              </sections>\n            </column>\n          </columns>\n        </tab>\n      </tabs>\n    </form>\n  </systemform>\n</forms>\n");
    out
}

/// A cell id is one place on a form: the same cell in two sections is a duplicate even
/// though the two are not siblings. Two branches that add one field (one cell id) to two
/// different sections merge without a conflict in the tree (each side's addition is its
/// own), and the check of the result reports it; two branches that move one field to two
/// different sections are a conflict of the merge itself.
#[test]
fn one_cell_in_two_sections_of_a_form_is_a_duplicate_and_two_placements_of_it_do_not_merge_silently()
 {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let twice = form_file(&[(1, &[1]), (2, &[3, 2]), (3, &[4, 2])]);
    std::fs::write(path("twice.xml"), &twice).unwrap();
    let (code, json) = check_json(&[&path("twice.xml")], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![(
            "duplicate-key".into(),
            "twice.xml".into(),
            Some(
                line_of(
                    &twice,
                    "<section id=\"{bb000000-0000-0000-0000-000000000003}"
                ) + 8
            )
        )]
    );
    let message = json["packages"][0]["problems"][0]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.starts_with("Cell (cc000000-0000-0000-0000-000000000002) is in Form"),
        "{message}"
    );
    // One field added to two different sections.
    let merge = |base: &str, ours: &str, theirs: &str| {
        std::fs::write(path("base.xml"), base).unwrap();
        std::fs::write(path("ours.xml"), ours).unwrap();
        std::fs::write(path("theirs.xml"), theirs).unwrap();
        let assert = soltree()
            .arg("merge")
            .args([path("base.xml"), path("ours.xml"), path("theirs.xml")])
            .arg("-o")
            .arg(path("merged.xml"))
            .args(["--path", "Entities/new_x/FormXml/main/form.xml"])
            .arg("--report")
            .arg(path("report.json"))
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path("report.json")).unwrap()).unwrap();
        let merged = std::fs::read_to_string(path("merged.xml")).unwrap();
        (stderr, report, merged)
    };
    let (stderr, report, merged) = merge(
        &form_file(&[(1, &[1]), (2, &[3]), (3, &[4])]),
        &form_file(&[(1, &[1]), (2, &[3, 2]), (3, &[4])]),
        &form_file(&[(1, &[1]), (2, &[3]), (3, &[4, 2])]),
    );
    assert!(
        stderr.contains("entity:new_x/form:5d2c7a8e-3b1f-ef11-9f89-000d3a1b2c4d [duplicate-key]")
            && stderr.contains("Cell (cc000000-0000-0000-0000-000000000002)"),
        "{stderr}"
    );
    assert_eq!(report["conflicts"][0]["reason"], "invalid-result");
    assert!(!merged.contains("<<<<<<<"), "{merged}");
    // Two different moves of one field: a conflict around each place, named by both.
    let (_, report, merged) = merge(
        &form_file(&[(1, &[1, 2]), (2, &[3]), (3, &[4])]),
        &form_file(&[(1, &[1]), (2, &[3, 2]), (3, &[4])]),
        &form_file(&[(1, &[1]), (2, &[3]), (3, &[4, 2])]),
    );
    let conflicts = report["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["reason"], "both-moved");
    assert_eq!(conflicts[0]["ours"], "cell \"new_f2\" in section \"s2\"");
    assert_eq!(conflicts[0]["theirs"], "cell \"new_f2\" in section \"s3\"");
    assert_eq!(merged.matches("<<<<<<< ours").count(), 2, "{merged}");
    // Siblings repeated are reported once, by the list check; a form without repeats is clean.
    std::fs::write(path("once.xml"), form_file(&[(1, &[1]), (2, &[3, 2])])).unwrap();
    let (code, json) = check_json(&[&path("once.xml")], &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
}

/// Through git: the driver checks its clean result too, so two branches adding one field
/// to two sections stop `git merge` with the file in conflict (no markers in it: both
/// additions are written, and git's notes name the cell and both places).
#[test]
fn the_merge_driver_stops_git_on_an_error_its_result_would_carry() {
    let repo = Repo::new();
    repo.install();
    let file = "src/Entities/new_x/FormXml/main/{5d2c7a8e-3b1f-ef11-9f89-000d3a1b2c4d}.xml";
    repo.write(
        file,
        form_file(&[(1, &[1]), (2, &[3]), (3, &[4])]).as_bytes(),
    );
    repo.commit_all("base");
    repo.ok(&["checkout", "-qb", "theirs"]);
    repo.write(
        file,
        form_file(&[(1, &[1]), (2, &[3]), (3, &[4, 2])]).as_bytes(),
    );
    repo.commit_all("field 2 in section 3");
    repo.ok(&["checkout", "-q", "main"]);
    repo.write(
        file,
        form_file(&[(1, &[1]), (2, &[3, 2]), (3, &[4])]).as_bytes(),
    );
    repo.commit_all("field 2 in section 2");
    let out = repo.git(&["merge", "--no-edit", "theirs"]);
    assert!(!out.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("CONFLICT"), "{said}");
    assert!(
        said.contains("Cell (cc000000-0000-0000-0000-000000000002) is in Form"),
        "{said}"
    );
    assert!(
        repo.ok(&["status", "--porcelain"])
            .contains(&format!("UU {file}")),
        "{}",
        repo.ok(&["status", "--porcelain"])
    );
}
