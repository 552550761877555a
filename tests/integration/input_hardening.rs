//! The input layer's answers to the fuzz and fault campaign (issue 9), through the binary:
//! clear errors for files that are no package, an empty output folder and OS errors.

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
