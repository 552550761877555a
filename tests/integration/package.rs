//! `soltree merge` of three folders and of three zips from the command line: entries added,
//! deleted or changed on either side, each merged by its kind, binary parts, the
//! regenerated `[Content_Types].xml`, and what a conflicted zip merge leaves behind.

use crate::git::{soltree_merge, tree, unzip, zip_bytes};
use crate::testdata;
use soltree::input::{self, Entry, Limits, PackageForm};
use std::path::Path;

fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, data) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
}

fn case(name: &str, side: &str) -> Vec<u8> {
    std::fs::read(testdata(&format!("merge/{name}/{side}.xml"))).unwrap()
}

/// A cloud flow definition as Power Platform writes it: pretty JSON, two-space indent.
fn flow(actions: &[&str]) -> String {
    let actions: serde_json::Map<String, serde_json::Value> = actions
        .iter()
        .map(|a| {
            (
                a.to_string(),
                serde_json::json!({ "type": "Compose", "inputs": a }),
            )
        })
        .collect();
    let v = serde_json::json!({ "properties": { "definition": { "actions": actions } } });
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn folder_merge_adds_deletes_merges_and_keeps_both_binaries() {
    let dir = tempfile::tempdir().unwrap();
    let (b, o, t) = (
        dir.path().join("base"),
        dir.path().join("ours"),
        dir.path().join("theirs"),
    );
    const FLOW: &str = "Workflows/Notify-0A43B549-50ED-EA11-A815-000D3AF3A7C4.json";
    let utf16 = input::TextEncoding::Utf16 {
        little_endian: true,
    };
    write_tree(&b, &[(FLOW, flow(&["Get"]).as_bytes())]);
    // Ours re-saved as UTF-16 (some tools do): still merged as JSON, kept in UTF-16.
    let ours_flow = input::encode_text(&flow(&["Get", "Send"]), utf16);
    write_tree(&o, &[(FLOW, &ours_flow)]);
    write_tree(&t, &[(FLOW, flow(&["Get", "Post"]).as_bytes())]);
    let common: &[(&str, &[u8])] = &[
        ("Other/Solution.xml", b"<ImportExportXml />"),
        ("WebResources/new_/a.js", b"1\n2\n3\n4\n5\n"),
        ("PluginAssemblies/P/P.dll", b"\x00dll-v1"),
        ("Roles/Old.xml", b"<Role />"),
    ];
    write_tree(&b, common);
    write_tree(&o, common);
    write_tree(&t, common);
    write_tree(
        &b,
        &[(
            "Entities/new_project/Entity.xml",
            &case("both-add-columns", "base"),
        )],
    );
    write_tree(
        &o,
        &[
            (
                "Entities/new_project/Entity.xml",
                &case("both-add-columns", "ours"),
            ),
            ("WebResources/new_/a.js", b"one\n2\n3\n4\n5\n"),
            ("PluginAssemblies/P/P.dll", b"\x00dll-ours"),
            (
                "OptionSets/new_ours.xml",
                b"<optionset Name=\"new_ours\" />",
            ),
        ],
    );
    write_tree(
        &t,
        &[
            (
                "Entities/new_project/Entity.xml",
                &case("both-add-columns", "theirs"),
            ),
            ("WebResources/new_/a.js", b"1\n2\n3\n4\nfive\n"),
            ("PluginAssemblies/P/P.dll", b"\x00dll-theirs"),
        ],
    );
    std::fs::remove_file(t.join("Roles/Old.xml")).unwrap();
    let out_dir = dir.path().join("merged");
    let report = dir.path().join("report.json");
    let out = soltree_merge([&b, &o, &t], &out_dir, Some(&report));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PluginAssemblies/P/P.dll"), "{stderr}");
    let m = tree(&out_dir);
    assert_eq!(
        m["Entities/new_project/Entity.xml"],
        case("both-add-columns", "expected")
    );
    assert_eq!(m["WebResources/new_/a.js"], b"one\n2\n3\n4\nfive\n");
    // Both added an action at the end of the flow: a line merge conflicts, the JSON merge
    // keeps both (ours' first, then theirs').
    assert_eq!(
        input::decode_text(&m[FLOW]),
        Some((flow(&["Get", "Send", "Post"]), utf16))
    );
    assert_eq!(m["PluginAssemblies/P/P.dll"], b"\x00dll-ours");
    assert_eq!(m["PluginAssemblies/P/P.dll.theirs"], b"\x00dll-theirs");
    assert!(m.contains_key("OptionSets/new_ours.xml"));
    assert!(!m.contains_key("Roles/Old.xml"), "deleted by theirs");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let res = |p: &str| {
        r["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == p)
            .map(|e| e["resolution"].as_str().unwrap().to_string())
    };
    assert_eq!(
        res("PluginAssemblies/P/P.dll").as_deref(),
        Some("binary-conflict")
    );
    assert_eq!(res("Roles/Old.xml").as_deref(), Some("deleted-by-theirs"));
    assert_eq!(
        res("Entities/new_project/Entity.xml").as_deref(),
        Some("merged")
    );
    assert_eq!(res(FLOW).as_deref(), Some("merged"));

    // An existing output folder is never overwritten.
    let again = soltree_merge([&b, &o, &t], &out_dir, None);
    assert_eq!(again.status.code(), Some(2));
}

fn sample() -> Vec<Entry> {
    input::read(&testdata("sample/v1"), &Limits::default())
        .unwrap()
        .entries
}

#[test]
fn zip_merge_writes_a_valid_package_or_a_conflicted_folder() {
    let dir = tempfile::tempdir().unwrap();
    let base = sample();
    let with = |f: &dyn Fn(&mut Vec<Entry>)| {
        let mut e = base.clone();
        f(&mut e);
        e
    };
    let set = |e: &mut Vec<Entry>, path: &str, data: Vec<u8>| {
        e.iter_mut().find(|x| x.path == path).unwrap().data = data;
    };
    let ours = with(&|e| {
        let v2 = std::fs::read(testdata("sample/v2/customizations.xml")).unwrap();
        set(e, "customizations.xml", v2);
        e.push(Entry {
            path: "Workflows/Flow-00000000-0000-0000-0000-000000000001.json".into(),
            data: b"{}\n".to_vec(),
        });
    });
    let theirs = with(&|e| {
        let i = e.iter().position(|x| x.path == "solution.xml").unwrap();
        let s = String::from_utf8(e[i].data.clone())
            .unwrap()
            .replace("<Version>1.0.0.1<", "<Version>1.0.0.5<");
        e[i].data = s.into_bytes();
    });
    let p = |n: &str| dir.path().join(n);
    for (name, entries) in [("b.zip", &base), ("o.zip", &ours), ("t.zip", &theirs)] {
        std::fs::write(p(name), zip_bytes(entries.clone())).unwrap();
    }
    let out = soltree_merge([p("b.zip"), p("o.zip"), p("t.zip")], &p("m.zip"), None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = unzip(&std::fs::read(p("m.zip")).unwrap());
    let get = |path: &str| {
        String::from_utf8(merged.iter().find(|e| e.path == path).unwrap().data.clone()).unwrap()
    };
    assert!(get("customizations.xml").contains("new_Score"));
    assert!(get("solution.xml").contains("<Version>1.0.0.5<"));
    let ct = get("[Content_Types].xml");
    assert!(ct.starts_with("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Types"));
    assert!(ct.contains("<Default Extension=\"json\""), "{ct}");
    // The merged zip is a package soltree (and Dataverse) reads: the three root parts.
    let pkg = input::read(&p("m.zip"), &Limits::default()).unwrap();
    assert_eq!(pkg.form, PackageForm::Zip);
    for part in ["solution.xml", "customizations.xml", "[Content_Types].xml"] {
        assert!(pkg.entry(part).is_some(), "{part}");
    }

    // Conflict: both change the same label; no zip is written, the folder and report are.
    let side = |label: &str| {
        with(&|e| {
            let i = e
                .iter()
                .position(|x| x.path == "customizations.xml")
                .unwrap();
            let c = String::from_utf8(e[i].data.clone()).unwrap().replacen(
                "description=\"Budget\" languagecode=\"1036\"",
                &format!("description=\"{label}\" languagecode=\"1036\""),
                1,
            );
            e[i].data = c.into_bytes();
        })
    };
    std::fs::write(p("o2.zip"), zip_bytes(side("A"))).unwrap();
    std::fs::write(p("t2.zip"), zip_bytes(side("B"))).unwrap();
    let out = soltree_merge([p("b.zip"), p("o2.zip"), p("t2.zip")], &p("c.zip"), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(!p("c.zip").exists());
    let folder = tree(&p("c.zip.conflicts"));
    let c = String::from_utf8(folder["customizations.xml"].clone()).unwrap();
    assert!(
        c.contains("<<<<<<< ours") && c.contains(">>>>>>> theirs"),
        "{c}"
    );
    assert!(folder.contains_key("[Content_Types].xml"));
    assert!(p("c.zip.conflicts.json").is_file());
}
