//! The input layer's answers to the fuzz and fault campaign (issue 9), through the binary:
//! a zip bomb of many small entries refused before it fills memory, entries that differ only
//! in letter case refused by every command, and clear errors for files that are no package,
//! an empty output folder and OS errors.

use crate::testdata;
use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

fn soltree() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.env_remove("NO_COLOR")
        .env_remove("SOLTREE_MAX_ENTRY_BYTES")
        .env_remove("SOLTREE_MAX_TOTAL_BYTES")
        .env_remove("SOLTREE_MAX_RATIO")
        .env("SOLTREE_TEST", "1");
    cmd
}

/// A zip of the files of the sample package `sample/v2` (sorted, `/`-separated), plus `extra`.
fn sample_zip(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    let root = testdata("sample/v2");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    for (name, path) in files {
        zw.start_file(name, opts).unwrap();
        zw.write_all(&fs::read(path).unwrap()).unwrap();
    }
    for (name, data) in extra {
        zw.start_file(*name, opts).unwrap();
        zw.write_all(data).unwrap();
    }
    zw.finish().unwrap().into_inner()
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            out.push((rel, p));
        }
    }
}

/// A copy of the sample package `sample/v2` as an extracted folder at `to`.
fn sample_folder(to: &Path) {
    let root = testdata("sample/v2");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    for (rel, path) in files {
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(path, dest).unwrap();
    }
}

/// Runs show, normalize, diff and merge on `pkg` (merge with it as all three sides) and
/// checks each exits 2 naming both entries, and writes nothing.
fn every_command_refuses(pkg: &Path, first: &str, second: &str, out: &Path) {
    let both = format!("entries {first:?} and {second:?} differ only in letter case");
    let runs: [&[&std::ffi::OsStr]; 4] = [
        &["show".as_ref(), pkg.as_os_str()],
        &[
            "normalize".as_ref(),
            pkg.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        &["diff".as_ref(), pkg.as_os_str(), pkg.as_os_str()],
        &[
            "merge".as_ref(),
            pkg.as_os_str(),
            pkg.as_os_str(),
            pkg.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
    ];
    for args in runs {
        soltree()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(both.as_str()));
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

#[test]
fn zip_with_case_variant_entries_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zip");
    let customizations = fs::read(testdata("sample/v2/customizations.xml")).unwrap();
    let pkg = dir.path().join("case.zip");
    fs::write(&pkg, sample_zip(&[("Customizations.xml", &customizations)])).unwrap();
    every_command_refuses(&pkg, "customizations.xml", "Customizations.xml", &out);

    let pkg = dir.path().join("webres.zip");
    fs::write(
        &pkg,
        sample_zip(&[("WebResources/a.js", b"1"), ("webresources/A.js", b"2")]),
    )
    .unwrap();
    every_command_refuses(&pkg, "WebResources/a.js", "webresources/A.js", &out);
}

#[test]
fn folder_with_case_variant_entries_is_refused_by_every_command() {
    // The test machine's file system is case-sensitive, so both files can exist.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let pkg = dir.path().join("case");
    sample_folder(&pkg);
    fs::copy(
        pkg.join("customizations.xml"),
        pkg.join("Customizations.xml"),
    )
    .unwrap();
    every_command_refuses(&pkg, "Customizations.xml", "customizations.xml", &out);

    let pkg = dir.path().join("webres");
    sample_folder(&pkg);
    fs::create_dir_all(pkg.join("webresources")).unwrap();
    fs::write(pkg.join("WebResources/a.js"), b"1").unwrap();
    fs::write(pkg.join("webresources/A.js"), b"2").unwrap();
    every_command_refuses(&pkg, "WebResources/a.js", "webresources/A.js", &out);
}

/// The campaign's bomb: `solution.xml` and `n` entries of 1,000,000 zero bytes, compressed
/// once and copied (each copy with its own data).
fn campaign_bomb(n: usize) -> Vec<u8> {
    let mut zw = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    zw.start_file("solution.xml", opts).unwrap();
    zw.write_all(b"<ImportExportXml/>").unwrap();
    zw.start_file("WebResources/z0.bin", opts).unwrap();
    zw.write_all(&vec![0u8; 1_000_000]).unwrap();
    for i in 1..n {
        zw.deep_copy_file("WebResources/z0.bin", &format!("WebResources/z{i}.bin"))
            .unwrap();
    }
    zw.finish().unwrap().into_inner()
}

#[test]
fn bomb_of_many_small_entries_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.zip");
    fs::write(&bomb, campaign_bomb(3000)).unwrap();
    soltree()
        .arg("show")
        .arg(&bomb)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("looks like a zip bomb"))
        .stderr(predicate::str::contains("SOLTREE_MAX_RATIO"));
    soltree()
        .arg("diff")
        .arg(&bomb)
        .arg(&bomb)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOLTREE_MAX_RATIO"));
    // Allowed its ratio, it still has to fit the total.
    soltree()
        .arg("show")
        .arg(&bomb)
        .env("SOLTREE_MAX_RATIO", "100000")
        .env("SOLTREE_MAX_TOTAL_BYTES", "100000000")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SOLTREE_MAX_TOTAL_BYTES"));
}

#[test]
fn files_that_are_no_package_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let one_byte = dir.path().join("x.zip");
    fs::write(&one_byte, b"x").unwrap();
    let readme = dir.path().join("README.md");
    fs::write(&readme, "# soltree\n\nNotes.\n").unwrap();
    for (file, name) in [(&one_byte, "x.zip"), (&readme, "README.md")] {
        soltree()
            .arg("show")
            .arg(file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{name}: not a solution package: neither a zip nor XML"
            )))
            .stderr(predicate::str::contains("root element").not());
    }

    // Zip signatures, cut short: inside the signature, and after it.
    let zip = sample_zip(&[]);
    for (len, name) in [
        (3, "cut3.zip"),
        (30, "cut30.zip"),
        (zip.len() - 10, "cut.zip"),
    ] {
        let cut = dir.path().join(name);
        fs::write(&cut, &zip[..len]).unwrap();
        soltree()
            .arg("show")
            .arg(&cut)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{name}: corrupt or truncated zip"
            )));
    }
}

#[test]
fn os_error_is_printed_once() {
    let out = soltree()
        .args(["show", "/nonexistent/soltree-input"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

#[test]
fn an_empty_output_folder_is_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = testdata("sample/v1");
    let v2 = testdata("sample/v2");
    // The folder as named plainly, as `folder/.` and as `folder/`.
    for (i, suffix) in ["", "/.", "/"].into_iter().enumerate() {
        let named = |prefix: &str| {
            let folder = dir.path().join(format!("{prefix}{i}"));
            fs::create_dir(&folder).unwrap();
            (
                PathBuf::from(format!("{}{suffix}", folder.display())),
                folder,
            )
        };
        let (arg, folder) = named("normalized");
        soltree()
            .arg("normalize")
            .arg(&v2)
            .arg("-o")
            .arg(&arg)
            .assert()
            .success();
        assert!(folder.join("customizations.xml").is_file(), "{arg:?}");
        let (arg, folder) = named("merged");
        soltree()
            .arg("merge")
            .args([&v1, &v2, &v2])
            .arg("-o")
            .arg(&arg)
            .assert()
            .success();
        assert!(folder.join("customizations.xml").is_file(), "{arg:?}");
    }

    // Not empty: refused, and the message says so.
    let full = dir.path().join("full");
    fs::create_dir(&full).unwrap();
    fs::write(full.join("keep.txt"), b"mine").unwrap();
    soltree()
        .arg("normalize")
        .arg(&v2)
        .arg("-o")
        .arg(&full)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "output folder already exists and is not empty",
        ));
    assert_eq!(fs::read_dir(&full).unwrap().count(), 1);

    // A zip is a file: an empty folder in its place is refused for what it is.
    let zip = dir.path().join("in.zip");
    fs::write(&zip, sample_zip(&[])).unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    soltree()
        .arg("normalize")
        .arg(&zip)
        .arg("-o")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("output is a folder"))
        .stderr(predicate::str::contains("not empty").not());
}
