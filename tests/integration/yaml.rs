//! The YAML layout of Dataverse's Git integration: the projection over the real corpus.

use crate::corpus;
use soltree::input::{self, Limits};
use soltree::merge::{MergeOptions, merge_files};
use soltree::xml;
use soltree::yaml::{self, project};
use std::path::PathBuf;

/// Every XML entry of the corpus's packages, with where it came from.
fn corpus_xml_entries() -> Vec<(String, String)> {
    let root = corpus();
    let mut packages: Vec<PathBuf> = Vec::new();
    let list = |p: PathBuf| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    for group in list(root.join("zips")) {
        packages.extend(
            list(group)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "zip")),
        );
    }
    for group in list(root.join("extracted")) {
        packages.extend(list(group).into_iter().filter(|p| p.is_dir()));
    }
    packages.push(root.join("unpacked/opc"));
    let mut out = Vec::new();
    for p in packages {
        let pkg = input::read(&p, &Limits::default()).unwrap();
        for e in pkg.entries {
            // The zip's part list is not a solution file: the YAML layout has none.
            if !e.path.to_ascii_lowercase().ends_with(".xml") || e.path == "[Content_Types].xml" {
                continue;
            }
            let Some((text, _)) = input::decode_text(&e.data) else {
                continue;
            };
            out.push((format!("{}!{}", p.display(), e.path), text));
        }
    }
    out
}

/// Whether some element has a child name that comes back after a differently named sibling
/// (`attribute, order, attribute` in a view's fetch): the projection groups such siblings
/// by name, in Dataverse's YAML as in ours, so their order cannot survive it.
fn has_interleaved_siblings(doc: &xml::Document) -> bool {
    doc.root().is_some_and(|root| {
        std::iter::once(root)
            .chain(doc.descendant_ids(root))
            .any(|id| {
                let mut seen: Vec<&str> = Vec::new();
                doc.elements(id).any(|c| {
                    let name = doc.name(c);
                    if seen.last() == Some(&name) {
                        return false;
                    }
                    let again = seen.contains(&name);
                    seen.push(name);
                    again
                })
            })
    })
}

/// Whether a start tag runs over several lines: a file a person reformatted (the corpus's
/// extracted Apollo folder), never what Dataverse or SolutionPackager writes, so its
/// layout cannot come back from a projection that keeps no layout.
fn breaks_start_tags(doc: &xml::Document) -> bool {
    doc.root().is_some_and(|root| {
        std::iter::once(root)
            .chain(doc.descendant_ids(root))
            .any(|id| doc.is_element(id) && doc.raw_start_tag(id).contains('\n'))
    })
}

/// Every XML file of the corpus's packages, projected to YAML in Dataverse's style, read
/// back and projected to XML again, is the same XML byte for byte — except where a file
/// interleaves differently named siblings, which the projection groups by name (Dataverse's
/// own YAML does the same); there the YAML of the result is the YAML of the original, so
/// nothing but that order changed.
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn corpus_xml_round_trips_through_yaml() {
    let mut exact = 0;
    let mut grouped = 0;
    let mut reformatted = 0;
    let entries = corpus_xml_entries();
    for (name, text) in &entries {
        let doc = xml::Document::parse(text.clone(), name).unwrap();
        let y = project::from_xml(&doc, name).unwrap();
        let written = y.write();
        let back = yaml::Document::parse(&written, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, y, "{name}: the YAML reads back as written");
        let xml_again = project::to_xml(&back, name, &project::XmlStyle::of(text)).unwrap();
        if &xml_again == text {
            exact += 1;
            continue;
        }
        if breaks_start_tags(&doc) {
            reformatted += 1;
            continue;
        }
        assert!(
            has_interleaved_siblings(&doc),
            "{name}: differs after the round trip without interleaved siblings"
        );
        let again = xml::Document::parse(xml_again, name).unwrap();
        let y_again = project::from_xml(&again, name).unwrap();
        assert_eq!(y_again.write(), written, "{name}: the YAML is not stable");
        grouped += 1;
    }
    eprintln!(
        "{} XML files: {exact} byte-identical, {grouped} with interleaved siblings regrouped, \
         {reformatted} reformatted by hand (start tags over several lines)",
        entries.len()
    );
    assert!(exact > 800, "only {exact} files came back byte for byte");
}

/// The YAML merge cases: `testdata/merge-yaml/<case>/{base,ours,theirs,expected}.yml`, with
/// the file's place in the layout in `path` (it names the component in conflicts).
#[test]
fn yaml_fixture_cases() {
    let root = crate::testdata("merge-yaml");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| std::fs::read(case.join(f)).ok();
        let path = String::from_utf8(read("path").unwrap()).unwrap();
        let opts = MergeOptions {
            path: Some(path.trim().to_string()),
            ..MergeOptions::default()
        };
        let (ours, theirs) = (read("ours.yml").unwrap(), read("theirs.yml").unwrap());
        let expected = read("expected.yml").unwrap();
        let out = merge_files(read("base.yml").as_deref(), &ours, &theirs, &opts);
        assert!(
            out.bytes == expected,
            "{name}: merged result differs from expected.yml:\n{}",
            String::from_utf8_lossy(&out.bytes)
        );
        assert!(out.fallback.is_none(), "{name}: {:?}", out.fallback);
        let conflicted = String::from_utf8_lossy(&expected).contains("<<<<<<< ours");
        assert_eq!(!out.is_clean(), conflicted, "{name}: {:?}", out.conflicts);
        if !conflicted {
            let text = String::from_utf8(out.bytes).unwrap();
            yaml::Document::parse(&text, &name).expect("a clean merge reads as YAML");
            // The laws, byte for byte, with the structured merge forced to run.
            let forced = MergeOptions {
                no_shortcuts: true,
                ..opts.clone()
            };
            for (b, o, t, want) in [
                (&ours, &ours, &theirs, &theirs),
                (&ours, &theirs, &ours, &theirs),
                (&ours, &theirs, &theirs, &theirs),
            ] {
                let law = merge_files(Some(b), o, t, &forced);
                assert!(
                    law.bytes == *want,
                    "{name}: a merge law fails:\n{}",
                    String::from_utf8_lossy(&law.bytes)
                );
            }
        }
    }
}

/// A repository holding the `testdata/yaml-layout` solution below `crm/`, with the drivers
/// installed and everything committed on `main`.
fn layout_repo() -> crate::git::Repo {
    let repo = crate::git::Repo::new();
    for (path, data) in crate::git::tree(&crate::testdata("yaml-layout")) {
        repo.write(&format!("crm/{path}"), &data);
    }
    repo.install();
    repo.commit_all("the Contoso solution");
    repo
}

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn table(name: &str, label: &str) -> Vec<u8> {
    crlf(&format!(
        "Entity:\n  Name:\n    '@LocalizedName': {label}\n    '@OriginalName': {label}\n    '#text': {name}\n  EntityInfo:\n    entity:\n      '@Name': {name}\n      LocalizedNames:\n        LocalizedName:\n          '@description': {label}\n          '@languagecode': 1033\n      EntitySetName: {name}s\n"
    ))
}

fn column(physical: &str, label: &str) -> Vec<u8> {
    crlf(&format!(
        "attribute:\n  '@PhysicalName': {physical}\n  Type: nvarchar\n  Name: {lower}\n  LogicalName: {lower}\n  displaynames:\n    displayname:\n      '@description': {label}\n      '@languagecode': 1033\n",
        lower = physical.to_lowercase()
    ))
}

/// Lists a component path in the solution's `solutioncomponents.yml`, in sorted place, as
/// Dataverse writes it.
fn list(repo: &crate::git::Repo, path: &str) {
    let manifest = "crm/solutions/Contoso/solutioncomponents.yml";
    let text = String::from_utf8(repo.read(manifest)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.push(format!("  - '@path': {path}"));
    lines[2..].sort();
    repo.write(manifest, (lines.join("\r\n") + "\r\n").as_bytes());
}

/// Adds a table to the layout: its folder, and its line in each manifest.
fn add_table(repo: &crate::git::Repo, name: &str, label: &str) {
    let lower = name.to_lowercase();
    repo.write(
        &format!("crm/entities/{lower}/entity.yml"),
        &table(name, label),
    );
    list(repo, &format!("/entities/{lower}"));
    let roots = "crm/solutions/Contoso/rootcomponents.yml";
    let text = String::from_utf8(repo.read(roots)).unwrap();
    let entry = format!("  - '@type': 1\r\n    '@schemaName': {lower}\r\n    '@behavior': 0\r\n");
    let at = text.find("  - '@type': 9").unwrap();
    repo.write(
        roots,
        format!("{}{entry}{}", &text[..at], &text[at..]).as_bytes(),
    );
}

/// Adds a column to the contact table, listed.
fn add_column(repo: &crate::git::Repo, physical: &str, label: &str) {
    let file = format!(
        "entities/prv_contact/attributes/{}.yml",
        physical.to_lowercase()
    );
    repo.write(&format!("crm/{file}"), &column(physical, label));
    list(repo, &format!("/{file}"));
}

const FORM: &str =
    "crm/entities/prv_contact/formxml/main/45bbc247-f5b6-45b7-b206-500de1dd19c2/systemform.yml";

#[test]
fn two_branches_each_adding_a_table_a_column_and_a_form_field_merge_cleanly_through_git() {
    let repo = layout_repo();
    let fields = crate::testdata("merge-yaml/form-fields-added-on-both-sides");
    repo.ok(&["checkout", "-q", "-b", "feature"]);
    add_table(&repo, "prv_Grant", "Grant");
    add_column(&repo, "prv_Phone", "Phone");
    repo.write(FORM, &std::fs::read(fields.join("theirs.yml")).unwrap());
    repo.commit_all("grants");
    repo.ok(&["checkout", "-q", "main"]);
    add_table(&repo, "prv_Invoice", "Invoice");
    add_column(&repo, "prv_Score", "Score");
    repo.write(FORM, &std::fs::read(fields.join("ours.yml")).unwrap());
    repo.commit_all("invoices");
    repo.merge_cleanly("feature");

    let components =
        String::from_utf8(repo.read("crm/solutions/Contoso/solutioncomponents.yml")).unwrap();
    let listed: Vec<&str> = components.lines().skip(2).collect();
    assert_eq!(
        listed,
        [
            "  - '@path': /entities/prv_contact",
            "  - '@path': /entities/prv_contact/attributes/prv_email.yml",
            "  - '@path': /entities/prv_contact/attributes/prv_name.yml",
            "  - '@path': /entities/prv_contact/attributes/prv_phone.yml",
            "  - '@path': /entities/prv_contact/attributes/prv_score.yml",
            "  - '@path': /entities/prv_contact/formxml/main/45bbc247-f5b6-45b7-b206-500de1dd19c2",
            "  - '@path': /entities/prv_grant",
            "  - '@path': /entities/prv_invoice",
            "  - '@path': /optionsets/prv_tier",
            "  - '@path': /publishers/contoso",
        ]
    );
    let roots = String::from_utf8(repo.read("crm/solutions/Contoso/rootcomponents.yml")).unwrap();
    for name in ["prv_contact", "prv_grant", "prv_invoice", "prv_tier"] {
        assert_eq!(
            roots.matches(&format!("'@schemaName': {name}\r\n")).count(),
            1,
            "{roots}"
        );
    }
    assert_eq!(
        repo.read(FORM),
        std::fs::read(fields.join("expected.yml")).unwrap()
    );
    // The merged folder is a valid solution holding both sides' tables and columns.
    let check = repo.soltree(&["check", "crm"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let show = String::from_utf8(repo.soltree(&["show", "crm"]).stdout).unwrap();
    for path in [
        "entity:prv_grant ",
        "entity:prv_invoice ",
        "entity:prv_contact/attribute:prv_phone ",
        "entity:prv_contact/attribute:prv_score ",
    ] {
        assert!(show.contains(path), "{path} missing from\n{show}");
    }
}

#[test]
fn one_label_changed_on_both_branches_stops_git_with_markers_around_that_line() {
    let repo = layout_repo();
    let email = "crm/entities/prv_contact/attributes/prv_email.yml";
    let relabel = |label: &str| {
        let text = String::from_utf8(repo.read(email)).unwrap();
        repo.write(
            email,
            text.replace("'@description': Email", &format!("'@description': {label}"))
                .as_bytes(),
        );
    };
    repo.ok(&["checkout", "-q", "-b", "feature"]);
    relabel("E-mail address");
    repo.commit_all("theirs");
    repo.ok(&["checkout", "-q", "main"]);
    relabel("Work e-mail");
    repo.write(
        "crm/entities/prv_contact/attributes/prv_name.yml",
        &column("prv_Name", "Full name"),
    );
    repo.commit_all("ours");
    let out = repo.git(&["merge", "--no-edit", "feature"]);
    assert!(!out.status.success());
    let status = repo.ok(&["status", "--porcelain"]);
    assert!(status.contains(&format!("UU {email}")), "{status}");
    let text = String::from_utf8(repo.read(email)).unwrap();
    assert!(
        text.contains("    displayname:\r\n<<<<<<< HEAD\r\n      '@description': Work e-mail\r\n=======\r\n      '@description': E-mail address\r\n>>>>>>> feature\r\n      '@languagecode': 1033\r\n"),
        "{text}"
    );
    assert_eq!(text.matches("<<<<<<<").count(), 1);
    // The driver named the component on stderr.
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("entity:prv_contact/attribute:prv_email"),
        "{said}"
    );
}

/// The example layout written to a temporary folder, for a test to change there.
fn layout_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, data) in crate::git::tree(&crate::testdata("yaml-layout")) {
        let p = dir.path().join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    dir
}

/// `soltree check --format json` of a folder: its exit status and its report.
fn check_json(dir: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("soltree")
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// Problems inside a YAML file are placed at its own lines and columns, not at those of the
/// XML it projects to: an option listed twice, as a line merge leaves it.
#[test]
fn check_places_problems_in_a_yaml_file_at_its_own_lines() {
    let dir = layout_folder();
    let file = dir.path().join("optionsets/prv_tier/optionset.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (gold, silver) = (
        line_of("'@value': 100000000"),
        line_of("'@value': 100000001"),
    );
    std::fs::write(&file, text.replace("100000001", "100000000")).unwrap();
    let (status, report) = check_json(dir.path());
    assert_eq!(status, Some(1));
    let problems = report["packages"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!(p["code"], "duplicate-key");
    assert_eq!(p["entry"], "optionsets/prv_tier/optionset.yml");
    // The second item's `'@value'`, after its `- `.
    assert_eq!(p["line"].as_u64(), Some(silver as u64));
    assert_eq!(p["column"].as_u64(), Some(7));
    let message = p["message"].as_str().unwrap();
    assert!(
        message.ends_with(&format!("the first is at line {gold}")),
        "{message}"
    );
}

/// A reference problem, found on the classic tree the layout converts to, is placed in the
/// component's YAML file at the element concerned: a form field naming a column the table
/// lost.
#[test]
fn check_places_a_reference_problem_at_its_element_in_the_yaml_file() {
    let dir = layout_folder();
    let form =
        "entities/prv_contact/formxml/main/45bbc247-f5b6-45b7-b206-500de1dd19c2/systemform.yml";
    let file = dir.path().join(form);
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text.replace(
        "'@datafieldname': prv_name",
        "'@datafieldname': prv_missing",
    );
    std::fs::write(&file, &text).unwrap();
    // The field's `control:` key, above its attributes.
    let field = text
        .lines()
        .position(|l| l.contains("prv_missing"))
        .unwrap();
    let (line, control) = text
        .lines()
        .enumerate()
        .take(field)
        .filter(|(_, l)| l.trim_start() == "control:")
        .last()
        .unwrap();
    let (status, report) = check_json(dir.path());
    assert_eq!(status, Some(1));
    let problems = report["packages"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!(p["code"], "missing-column");
    assert_eq!(p["entry"], form);
    assert_eq!(p["line"].as_u64(), Some(line as u64 + 1));
    let column = control.len() - control.trim_start().len() + 1;
    assert_eq!(p["column"].as_u64(), Some(column as u64));
}

/// A layout whose manifest lists a component without files, and holds a component folder
/// no manifest lists: pack would drop both without a word, `check` names both (and the
/// root component left without a definition).
#[test]
fn check_names_listed_components_without_files_and_folders_no_manifest_lists() {
    let dir = layout_folder();
    let (status, clean) = check_json(dir.path());
    assert_eq!(status, Some(0), "{clean}");
    std::fs::remove_dir_all(dir.path().join("optionsets/prv_tier")).unwrap();
    let grant = dir.path().join("entities/prv_grant");
    std::fs::create_dir_all(&grant).unwrap();
    std::fs::write(grant.join("entity.yml"), table("prv_Grant", "Grant")).unwrap();
    let (status, report) = check_json(dir.path());
    assert_eq!(status, Some(1));
    let problems: Vec<(String, String, Option<u64>)> = report["packages"][0]["problems"]
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
        .collect();
    assert_eq!(
        problems,
        [
            (
                "unlisted-component-files".to_string(),
                "entities/prv_grant".to_string(),
                None
            ),
            // The root component of the choice has no definition left either.
            (
                "missing-component-files".to_string(),
                "solutions/Contoso/rootcomponents.yml".to_string(),
                None
            ),
            (
                "missing-component-files".to_string(),
                "solutions/Contoso/solutioncomponents.yml".to_string(),
                Some(7)
            ),
        ]
    );
}

/// Two solutions sharing one layout folder: reading the folder asks which, `--solution`
/// (or the solution's own folder) picks one, and each reads only its own manifests.
#[test]
fn several_solutions_in_one_layout_are_told_apart_by_solution() {
    let dir = tempfile::tempdir().unwrap();
    for (path, data) in crate::git::tree(&crate::testdata("yaml-layout")) {
        for solution in ["Contoso", "Fabrikam"] {
            let path = path.replace("solutions/Contoso/", &format!("solutions/{solution}/"));
            let data = if path.ends_with(&format!("{solution}/solution.yml")) {
                String::from_utf8(data.clone())
                    .unwrap()
                    .replace("UniqueName: Contoso", &format!("UniqueName: {solution}"))
                    .into_bytes()
            } else {
                data.clone()
            };
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, data).unwrap();
        }
    }
    let show = |args: &[&str]| {
        assert_cmd::cargo::cargo_bin_cmd!("soltree")
            .arg("show")
            .args(args)
            .output()
            .unwrap()
    };
    let root = dir.path().to_str().unwrap();
    let both = show(&[root]);
    assert_eq!(both.status.code(), Some(2));
    let said = String::from_utf8_lossy(&both.stderr);
    assert!(
        said.contains("2 share this folder (Contoso, Fabrikam)") && said.contains("--solution"),
        "{said}"
    );
    let picked = show(&[root, "--solution", "fabrikam"]);
    let text = String::from_utf8(picked.stdout).unwrap();
    assert!(text.starts_with("Fabrikam 1.0.0.1"), "{text}");
    assert!(text.contains("solution:fabrikam/rootcomponents"), "{text}");
    assert!(!text.contains("solution:contoso"), "{text}");
    let own = show(&[&format!("{root}/solutions/Contoso")]);
    assert!(
        String::from_utf8(own.stdout)
            .unwrap()
            .starts_with("Contoso 1.0.0.1")
    );
    let unknown = show(&[root, "--solution", "Northwind"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("a solution named Northwind"));
}

fn soltree(args: &[&std::ffi::OsStr]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("soltree")
        .args(args)
        .output()
        .unwrap()
}

/// `soltree convert INPUT --to TO -o OUTPUT`.
fn convert(input: &std::ffi::OsStr, to: &str, output: &std::ffi::OsStr) -> std::process::Output {
    soltree(&[
        "convert".as_ref(),
        input,
        "--to".as_ref(),
        to.as_ref(),
        "-o".as_ref(),
        output,
    ])
}

/// Converts `input` to the YAML layout in `dir`/yaml, that to a zip, and the zip to YAML
/// again; the two YAML folders must be the same bytes, and `diff` must see no difference
/// between the original and either conversion. `None` when the mapping refuses the input.
fn round_trip(input: &std::path::Path, dir: &std::path::Path) -> Option<()> {
    std::fs::create_dir_all(dir).unwrap();
    let (yaml, zip, again) = (dir.join("yaml"), dir.join("back.zip"), dir.join("again"));
    let out = convert(input.as_os_str(), "yaml", yaml.as_os_str());
    if out.status.code() == Some(2)
        && String::from_utf8_lossy(&out.stderr).contains("does not cover")
    {
        assert!(
            !yaml.exists(),
            "a refused conversion wrote {}",
            yaml.display()
        );
        return None;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = convert(yaml.as_os_str(), "zip", zip.as_os_str());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = convert(zip.as_os_str(), "yaml", again.as_os_str());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        crate::git::tree(&yaml) == crate::git::tree(&again),
        "{}: YAML → zip → YAML changed the files",
        input.display()
    );
    for other in [&yaml, &zip] {
        crate::assert_same_solution(input, other);
    }
    Some(())
}

#[test]
fn the_layout_converts_to_a_zip_and_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let layout = crate::testdata("yaml-layout");
    let zip = dir.path().join("contoso.zip");
    let out = convert(layout.as_os_str(), "zip", zip.as_os_str());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The zip is a classic package: same components, same inventory, and valid.
    let diff = soltree(&["diff".as_ref(), layout.as_os_str(), zip.as_os_str()]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&diff.stdout)
    );
    let check = soltree(&["check".as_ref(), zip.as_os_str()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let back = dir.path().join("back");
    let out = convert(zip.as_os_str(), "yaml", back.as_os_str());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        crate::git::tree(&layout) == crate::git::tree(&back),
        "the layout came back changed"
    );
    round_trip(&zip, &dir.path().join("again")).expect("the zip converts");
    // A zip to its extracted folder keeps every entry's bytes.
    let folder = dir.path().join("folder");
    let out = convert(zip.as_os_str(), "folder", folder.as_os_str());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zipped: std::collections::BTreeMap<String, Vec<u8>> =
        soltree::input::read(&zip, &soltree::input::Limits::default())
            .unwrap()
            .entries
            .into_iter()
            .map(|e| (e.path, e.data))
            .collect();
    assert!(
        crate::git::tree(&folder) == zipped,
        "the extracted folder differs from the zip"
    );
}

/// Every zip of the corpus either converts — the YAML holds what the zip holds (`diff`
/// sees no difference either way) and YAML → zip → YAML gives the same files — or is
/// refused by name, with nothing written.
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn corpus_zips_convert_to_yaml_and_back_or_are_refused_by_name() {
    let root = crate::corpus();
    let mut converted = Vec::new();
    let mut refused = 0;
    let zips = crate::corpus_zips(&root);
    for (n, zip) in zips.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        match round_trip(zip, &dir.path().join(n.to_string())) {
            Some(()) => converted.push(zip.file_name().unwrap().to_string_lossy().to_string()),
            None => refused += 1,
        }
    }
    eprintln!(
        "{} zips converted and back: {converted:?}; {refused} refused",
        converted.len()
    );
    assert!(converted.len() >= 5, "{converted:?}");
}

/// The YAML of a whole generated customizations.xml, as the projection writes it.
fn as_yaml(xml: &str) -> String {
    let doc = xml::Document::parse(xml.to_string(), "customizations.xml").unwrap();
    project::from_xml(&doc, "customizations.xml")
        .unwrap()
        .write()
}

/// The XML a YAML text projects to, parsed.
fn as_xml(yaml: &[u8]) -> xml::Document {
    let doc = yaml::Document::parse(std::str::from_utf8(yaml).unwrap(), "x.yml").unwrap();
    let text = project::to_xml(&doc, "x.yml", &soltree::model::projected_xml_style()).unwrap();
    xml::Document::parse(text, "x.yml").unwrap()
}

proptest::proptest! {
    #![proptest_config(crate::prop_config(12))]

    /// Scattered edits on different components of a generated file, written as YAML, merge
    /// cleanly through the YAML merge and keep every change of both sides; the laws hold
    /// byte for byte with the structured merge forced to run.
    #[test]
    fn generated_disjoint_edits_merge_cleanly_as_yaml(seed in 0u64..1000, edits in 1usize..10) {
        use crate::merge::{keeps_changes, properties};
        let (b, o, t) = soltree_synth::generate_triple(
            &soltree_synth::SynthConfig { target_bytes: 120_000, seed },
            edits,
        );
        let (b, o, t) = (as_yaml(&b), as_yaml(&o), as_yaml(&t));
        let opts = MergeOptions { path: Some("x.yml".into()), ..MergeOptions::default() };
        let out = merge_files(Some(b.as_bytes()), o.as_bytes(), t.as_bytes(), &opts);
        proptest::prop_assert!(out.is_clean(), "{:?}", out.conflicts);
        proptest::prop_assert!(out.fallback.is_none(), "{:?}", out.fallback);
        let r = properties(&as_xml(&out.bytes));
        let (pb, po, pt) = (
            properties(&as_xml(b.as_bytes())),
            properties(&as_xml(o.as_bytes())),
            properties(&as_xml(t.as_bytes())),
        );
        let mut lost = keeps_changes(&pb, &po, &pt, &r, &out.decisions);
        lost.extend(keeps_changes(&pb, &pt, &po, &r, &out.decisions));
        proptest::prop_assert!(lost.is_empty(), "{:?}", &lost[..lost.len().min(5)]);
        let forced = MergeOptions { no_shortcuts: true, ..opts };
        for (base, ours, theirs, want) in [(&b, &o, &b, &o), (&b, &b, &t, &t), (&b, &o, &o, &o)] {
            let law = merge_files(Some(base.as_bytes()), ours.as_bytes(), theirs.as_bytes(), &forced);
            let at = law.bytes.iter().zip(want.bytes()).position(|(a, b)| *a != b).unwrap_or(law.bytes.len().min(want.len()));
            proptest::prop_assert!(
                law.bytes == want.as_bytes(),
                "a merge law fails at byte {at} of {}: {:?} where {:?}",
                want.len(),
                String::from_utf8_lossy(&law.bytes[at.saturating_sub(200)..(at + 200).min(law.bytes.len())]),
                &want[at.saturating_sub(200)..(at + 200).min(want.len())]
            );
        }
    }
}
