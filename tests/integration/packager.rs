//! `convert --to packager` and back: SolutionPackager's XML layout written from a zip, an
//! extracted folder or the YAML layout, packed back to a zip, and checked against the real
//! SolutionPackager tree of the corpus.

use crate::{assert_same_solution, corpus, testdata};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

fn soltree(args: &[&OsStr]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("soltree")
        .args(args)
        .output()
        .unwrap()
}

/// `soltree convert INPUT --to TO -o OUTPUT`, which must succeed.
fn convert(input: &Path, to: &str, output: &Path) {
    let out = try_convert(input, to, output);
    assert!(
        out.status.success(),
        "convert {} --to {to}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn try_convert(input: &Path, to: &str, output: &Path) -> std::process::Output {
    soltree(&[
        "convert".as_ref(),
        input.as_os_str(),
        "--to".as_ref(),
        to.as_ref(),
        "-o".as_ref(),
        output.as_os_str(),
    ])
}

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    crate::git::tree(root)
}

fn assert_same_files(expected: &Path, actual: &Path) {
    let (e, a) = (files(expected), files(actual));
    assert_eq!(
        e.keys().collect::<Vec<_>>(),
        a.keys().collect::<Vec<_>>(),
        "{} and {} hold different files",
        expected.display(),
        actual.display()
    );
    for (path, bytes) in &e {
        assert!(
            a[path] == *bytes,
            "{path} differs:\n--- expected\n{}\n--- written\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&a[path])
        );
    }
}

#[test]
fn an_export_converts_to_the_files_solutionpackager_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("src");
    convert(&testdata("sample/v2"), "packager", &out);
    // testdata/packager/ContosoSales is this output, read against the corpus's real tree:
    // BOM and declaration, `xsi` on each root, one file a form, view, role, relationship
    // table …, empty placeholders where the parts were, no final newline.
    assert_same_files(&testdata("packager/ContosoSales"), &out);
    assert_same_solution(&testdata("sample/v2"), &out);
    let form = std::fs::read_to_string(
        out.join("Entities/new_Project/FormXml/main/{8f0e6b21-4c7a-ef11-9f89-000d3a1b2c4d}.xml"),
    )
    .unwrap();
    assert!(form.starts_with(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<forms xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n  <systemform>\r\n    <formid>"
    ));
    assert!(form.ends_with("  </systemform>\r\n</forms>"));
    // The web resource takes its natural name; its metadata keeps the zip's.
    assert!(out.join("WebResources/new_accountform").is_file());
}

#[test]
fn a_packager_folder_packs_to_a_zip_of_the_same_solution_and_unpacks_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let (zip, again) = (dir.path().join("s.zip"), dir.path().join("again"));
    convert(&testdata("packager/ContosoSales"), "zip", &zip);
    assert_same_solution(&testdata("sample/v2"), &zip);
    assert_same_solution(&testdata("packager/ContosoSales"), &zip);
    convert(&zip, "packager", &again);
    assert_same_files(&testdata("packager/ContosoSales"), &again);
    // An extracted folder too, with the same entries as the zip.
    let folder = dir.path().join("folder");
    convert(&testdata("packager/ContosoSales"), "folder", &folder);
    assert!(folder.join("[Content_Types].xml").is_file());
    assert_same_solution(&testdata("sample/v2"), &folder);
}

#[test]
fn the_yaml_layout_converts_to_a_packager_folder_and_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (packager, yaml) = (dir.path().join("src"), dir.path().join("yaml"));
    convert(&testdata("yaml-layout"), "packager", &packager);
    assert!(packager.join("Other/Customizations.xml").is_file());
    assert_same_solution(&testdata("yaml-layout"), &packager);
    convert(&packager, "yaml", &yaml);
    assert_same_files(&testdata("yaml-layout"), &yaml);
}

#[test]
fn packing_refuses_a_folder_it_does_not_map_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    crate::copy_tree(&testdata("packager/ContosoSales"), &src);
    std::fs::create_dir_all(src.join("Reports/1033")).unwrap();
    std::fs::write(src.join("Reports/1033/r.rdl"), "<Report />").unwrap();
    let zip = dir.path().join("s.zip");
    let out = try_convert(&src, "zip", &zip);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not cover the Reports folder"),
        "{stderr}"
    );
    assert!(!zip.exists());
}

#[test]
fn a_relationship_the_index_lists_without_a_definition_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    crate::copy_tree(&testdata("packager/ContosoSales"), &src);
    let index = src.join("Other/Relationships.xml");
    let text = std::fs::read_to_string(&index).unwrap().replace(
        "</EntityRelationships>",
        "  <EntityRelationship Name=\"new_lost\" />\r\n</EntityRelationships>",
    );
    std::fs::write(&index, text).unwrap();
    let out = try_convert(&src, "zip", &dir.path().join("s.zip"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Other/Relationships.xml: lists new_lost, which no file under Other/Relationships/ defines"),
        "{stderr}"
    );
}

#[test]
fn a_folder_holding_both_package_types_is_left_to_pac() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    crate::copy_tree(&testdata("packager/ContosoSales"), &src);
    let solution = src.join("Other/Solution.xml");
    let text = std::fs::read_to_string(&solution).unwrap();
    assert!(text.contains("<Managed>0</Managed>"));
    std::fs::write(
        &solution,
        text.replace("<Managed>0</Managed>", "<Managed>2</Managed>"),
    )
    .unwrap();
    let out = try_convert(&src, "zip", &dir.path().join("s.zip"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pac solution pack"));
}

/// Every corpus zip converts to a SolutionPackager folder or is refused by name. A converted
/// one packs back to a zip `diff` finds no difference in, either way, and that zip unpacks to
/// the same bytes again.
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn corpus_zips_convert_to_packager_folders_and_back_or_are_refused_by_name() {
    let root = corpus();
    let zips = crate::corpus_zips(&root);
    let (mut converted, mut refused) = (0, Vec::new());
    for zip in &zips {
        let dir = tempfile::tempdir().unwrap();
        let (src, back, again) = (
            dir.path().join("src"),
            dir.path().join("back.zip"),
            dir.path().join("again"),
        );
        let out = try_convert(zip, "packager", &src);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && stderr.contains("does not cover") {
            assert!(
                !src.exists(),
                "a refused conversion wrote {}",
                src.display()
            );
            refused.push(zip.file_name().unwrap().to_string_lossy().to_string());
            continue;
        }
        assert!(out.status.success(), "{}: {stderr}", zip.display());
        assert_same_solution(zip, &src);
        convert(&src, "zip", &back);
        assert_same_solution(zip, &back);
        convert(&back, "packager", &again);
        assert!(
            files(&src) == files(&again),
            "{}: packager → zip → packager changed the files",
            zip.display()
        );
        converted += 1;
    }
    eprintln!(
        "{converted} of {} zips converted and back; refused: {refused:?}",
        zips.len()
    );
    assert!(
        converted >= 71,
        "{converted} converted; refused {refused:?}"
    );
}

/// The corpus's real SolutionPackager tree packs to a zip of the same solution, and that
/// zip unpacks to the very files SolutionPackager wrote. The corpus left the web resource
/// and plug-in binaries out: stand-ins take their place. Its `EnvironmentVariables/`
/// folder (the older environment-variable format) is not mapped and is left out. Three of
/// its files gained a final newline in their repository, which SolutionPackager does not
/// write, and one process file name differs from its metadata in case only (a rename on a
/// case-insensitive disk); both are allowed for, and counted.
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn the_real_packager_tree_packs_and_unpacks_to_its_own_files() {
    let real = corpus().join("unpacked/opc/src/Compliance.Solution/Solution");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    crate::copy_tree(&real, &src);
    std::fs::remove_dir_all(src.join("EnvironmentVariables")).unwrap();
    let mut stand_ins = 0;
    for (path, _) in files(&src) {
        let content = path.strip_suffix(".data.xml").map(|c| src.join(c));
        if let Some(content) = content
            && (path.starts_with("WebResources/") || path.starts_with("PluginAssemblies/"))
            && !content.exists()
        {
            std::fs::write(&content, format!("stand-in for {path}")).unwrap();
            stand_ins += 1;
        }
    }
    assert!(stand_ins >= 10, "{stand_ins}");
    let (zip, again) = (dir.path().join("opc.zip"), dir.path().join("again"));
    convert(&src, "zip", &zip);
    assert_same_solution(&src, &zip);
    let check = soltree(&["check".as_ref(), zip.as_os_str()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    convert(&zip, "packager", &again);

    let lower = |m: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        m.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect()
    };
    let (expected, written) = (lower(files(&src)), lower(files(&again)));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        written.keys().collect::<Vec<_>>()
    );
    let mut final_newline = 0;
    for (path, bytes) in &expected {
        let ours = &written[path];
        if ours == bytes {
            continue;
        }
        assert!(
            bytes.strip_suffix(b"\n") == Some(ours.as_slice()),
            "{path} differs from SolutionPackager's"
        );
        final_newline += 1;
    }
    assert_eq!(final_newline, 3);
    assert!(expected.len() > 600, "{}", expected.len());
}
