//! The command line as a user meets it: real output on the shipped sample, exit codes, and
//! clear errors with nothing written on bad input.

use crate::testdata;
use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use std::io::Write;

fn soltree() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.env_remove("NO_COLOR").env("SOLTREE_TEST", "1");
    cmd
}

#[test]
fn show_lists_the_sample_inventory() {
    soltree()
        .args(["show", "--color", "never"])
        .arg(testdata("sample/v2"))
        .assert()
        .success()
        .stdout(predicate::str::contains("ContosoSales 1.0.0.2"))
        .stdout(predicate::str::contains(
            "entity:new_project/attribute:new_score",
        ))
        .stdout(predicate::str::contains("optionset:new_priority"));
}

#[test]
fn show_json_is_versioned_and_complete() {
    let out = soltree()
        .args(["show", "--format", "json"])
        .arg(testdata("sample/v1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["form"], "extracted-folder");
    assert_eq!(v["solution"]["version"], "1.0.0.1");
    let comps = v["components"].as_array().unwrap();
    assert_eq!(comps.len(), v["total"].as_u64().unwrap() as usize);
    assert!(
        comps
            .iter()
            .any(|c| c["path"] == "entity:new_project" && c["type_code"] == 1)
    );
    assert!(
        !comps
            .iter()
            .any(|c| c["path"] == "entity:new_project/attribute:new_score"),
        "v1 has no new_score"
    );
}

#[test]
fn normalize_writes_each_form_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let once = dir.path().join("once");
    let twice = dir.path().join("twice");
    soltree()
        .arg("normalize")
        .arg(testdata("sample/v2"))
        .arg("-o")
        .arg(&once)
        .assert()
        .success();
    soltree()
        .arg("normalize")
        .arg(&once)
        .arg("-o")
        .arg(&twice)
        .assert()
        .success();
    for f in ["solution.xml", "customizations.xml", "[Content_Types].xml"] {
        assert_eq!(
            std::fs::read(once.join(f)).unwrap(),
            std::fs::read(twice.join(f)).unwrap(),
            "{f}"
        );
    }
    // A single XML file goes to stdout.
    let single = soltree()
        .arg("normalize")
        .arg(once.join("solution.xml"))
        .output()
        .unwrap();
    assert!(single.status.success());
    assert_eq!(
        single.stdout,
        std::fs::read(once.join("solution.xml")).unwrap()
    );
    // Noise is gone: v1 and v2 root components normalize to the same order.
    let text = String::from_utf8(std::fs::read(once.join("solution.xml")).unwrap()).unwrap();
    let positions: Vec<usize> = ["type=\"1\"", "type=\"9\"", "type=\"61\""]
        .iter()
        .filter_map(|t| text.find(t))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "root components sorted by type"
    );
}

#[test]
fn malformed_xml_is_located_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("customizations.xml");
    std::fs::write(
        &bad,
        "<ImportExportXml>\r\n  <Entities>\r\n    <Entity>\r\n  </Entities>\r\n</ImportExportXml>",
    )
    .unwrap();
    let out = dir.path().join("out.xml");
    soltree()
        .arg("normalize")
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("customizations.xml:4:"));
    assert!(!out.exists());
}

#[test]
fn bad_packages_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // A truncated zip.
    let mut zip_bytes = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut zip_bytes));
        let opts = zip::write::SimpleFileOptions::default();
        for name in ["solution.xml", "customizations.xml", "[Content_Types].xml"] {
            z.start_file(name, opts).unwrap();
            z.write_all(&vec![b'<'; 5000]).unwrap();
        }
        z.finish().unwrap();
    }
    let truncated = dir.path().join("truncated.zip");
    std::fs::write(&truncated, &zip_bytes[..zip_bytes.len() / 2]).unwrap();
    soltree()
        .arg("show")
        .arg(&truncated)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated.zip"));

    // A zip entry that escapes its folder.
    let mut slip = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut slip));
        z.start_file("../evil.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"<a/>").unwrap();
        z.finish().unwrap();
    }
    let slip_path = dir.path().join("slip.zip");
    std::fs::write(&slip_path, slip).unwrap();
    soltree()
        .arg("show")
        .arg(&slip_path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("evil.xml"));

    // A zip bomb: far more unpacked than packed.
    let mut bomb = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        z.start_file(
            "customizations.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(&vec![b' '; 30 << 20]).unwrap();
        z.finish().unwrap();
    }
    let bomb_path = dir.path().join("bomb.zip");
    std::fs::write(&bomb_path, bomb).unwrap();
    soltree()
        .arg("show")
        .arg(&bomb_path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ratio"));
    soltree()
        .arg("show")
        .arg(&bomb_path)
        .env("SOLTREE_MAX_TOTAL_BYTES", "1000")
        .env("SOLTREE_MAX_RATIO", "100000")
        .assert()
        .code(2);

    // Invalid UTF-8.
    let latin1 = dir.path().join("solution.xml");
    std::fs::write(
        &latin1,
        b"<ImportExportXml>\n<a>caf\xe9</a></ImportExportXml>",
    )
    .unwrap();
    soltree()
        .arg("show")
        .arg(&latin1)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2:7"));

    // An entity-expansion bomb.
    let lol = dir.path().join("lol.xml");
    std::fs::write(&lol, "<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<l>&b;</l>").unwrap();
    soltree()
        .arg("show")
        .arg(&lol)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("entity"));
}

#[test]
fn version_names_the_commit() {
    let out = soltree().arg("--version").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("soltree {} (", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    // Either a commit hash (this is a git checkout) or the packaged crate's "unknown commit".
    let commit = text
        .trim_end()
        .trim_end_matches(')')
        .rsplit('(')
        .next()
        .unwrap();
    assert!(
        commit == "unknown commit" || commit.chars().take(12).all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
}

#[test]
fn completions_and_man_pages_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = soltree().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("soltree") && script.contains("merge"),
            "{shell}"
        );
    }
    let man = soltree().arg("man").output().unwrap();
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(page.contains(".TH soltree 1"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    soltree()
        .args(["man", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    for page in ["soltree.1", "soltree-merge.1", "soltree-git-install.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(text.starts_with(".ie"), "{page}");
    }
}

#[test]
fn merge_help_gives_every_option_a_line() {
    let out = soltree().args(["merge", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("Usage: soltree merge [OPTIONS] BASE OURS THEIRS"),
        "{help}"
    );
    // Every option line is followed by its description.
    let lines: Vec<&str> = help.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with('-') {
            let next = lines.get(i + 1).map_or("", |l| l.trim());
            assert!(!next.is_empty(), "{t} has no description:\n{help}");
        }
    }
}

#[test]
fn standard_input_is_read_as_a_zip_or_an_xml_file() {
    let xml = std::fs::read(testdata("sample/v2/customizations.xml")).unwrap();
    soltree()
        .args(["show", "--color", "never", "-"])
        .write_stdin(xml.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("(standard input) · xml-file"))
        .stdout(predicate::str::contains(
            "entity:new_project/attribute:new_score",
        ));
    // A zip on standard input is one side of a diff.
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("v2.zip");
    soltree()
        .arg("pack")
        .arg(testdata("sample/v2"))
        .arg("-o")
        .arg(&zip)
        .assert()
        .success()
        .stderr(predicate::str::contains("packed 4 entries into"));
    soltree()
        .args(["diff", "--color", "never"])
        .arg(testdata("sample/v1"))
        .arg("-")
        .write_stdin(std::fs::read(&zip).unwrap())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "7 components changed, 1 added, 0 removed",
        ));
    soltree()
        .args(["diff", "-", "-"])
        .write_stdin(xml)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not both"));
    soltree()
        .args(["show", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(standard input): not a solution package",
        ));
}
