//! Regression tests for the faults a fuzz and fault campaign found (issue 9): text encodings
//! read the same way by every command, ill-formed XML refused with its place, merge reports
//! only written beside a merge that succeeded, a closed standard output, marker sizes, and
//! each error message saying what is wrong. Every input is built here, small.

use crate::testdata;
use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use soltree::input::{TextEncoding, encode_text};
use std::path::Path;

fn soltree() -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("soltree");
    cmd.env_remove("NO_COLOR").env("SOLTREE_TEST", "1");
    cmd
}

const UTF16LE: TextEncoding = TextEncoding::Utf16 {
    little_endian: true,
};

/// A small option set file declaring `encoding`, with options `values`.
fn option_set(encoding: &str, values: &[u32]) -> String {
    let mut text = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\r\n<optionset Name=\"new_priority\" localizedName=\"Priority\">\r\n  <options>\r\n"
    );
    for v in values {
        text.push_str(&format!(
            "    <option value=\"{v}\">\r\n      <labels>\r\n        <label description=\"Level {v}\" languagecode=\"1033\" />\r\n      </labels>\r\n    </option>\r\n"
        ));
    }
    text.push_str("  </options>\r\n</optionset>\r\n");
    text
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn utf16_with_a_bom_is_read_by_every_command_and_written_back_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = encode_text(&option_set("utf-16", &[2, 1]), UTF16LE);
    let file = write(dir.path(), "new_priority.xml", &bytes);
    soltree()
        .args(["show", "--color", "never"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("optionset:new_priority"));
    // normalize sorts nothing here (options are ordered) and writes UTF-16 back, byte for byte.
    let out = soltree().arg("normalize").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, bytes);
    // The same file in UTF-8 is the same package to diff.
    let utf8 = write(dir.path(), "utf8.xml", option_set("utf-8", &[2, 1]));
    soltree().arg("diff").arg(&utf8).arg(&file).assert().code(0);
}

#[test]
fn utf16_without_a_bom_is_refused_by_name_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let no_bom = encode_text(&option_set("utf-16", &[1, 2]), UTF16LE)[2..].to_vec();
    let file = write(dir.path(), "theirs.xml", &no_bom);
    for cmd in [&["show"][..], &["normalize"][..]] {
        soltree()
            .args(cmd)
            .arg(&file)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("UTF-16 without a byte-order mark"));
    }
    // merge: base UTF-8, ours UTF-16 with a BOM, theirs an edited copy without one.
    let base = write(dir.path(), "base.xml", option_set("utf-8", &[1]));
    let ours = write(
        dir.path(),
        "ours.xml",
        encode_text(&option_set("utf-16", &[1]), UTF16LE),
    );
    let out = dir.path().join("out.xml");
    soltree()
        .arg("merge")
        .args([&base, &ours, &file])
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "theirs.xml: UTF-16 without a byte-order mark",
        ));
    assert!(!out.exists(), "nothing written on exit 2");
    // A flow definition too.
    let flow = |v: u32| format!("{{\r\n  \"a\": {v}\r\n}}");
    let fb = write(dir.path(), "b.json", flow(1));
    let fo = write(dir.path(), "o.json", encode_text(&flow(1), UTF16LE));
    let ft = write(dir.path(), "t.json", &encode_text(&flow(2), UTF16LE)[2..]);
    soltree()
        .arg("merge")
        .args([&fb, &fo, &ft])
        .args(["--path", "Workflows/FlowA-1234.json"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("UTF-16 without a byte-order mark"));
}

#[test]
fn a_side_resaved_as_utf16_merges_into_a_result_that_declares_its_own_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "base.xml", option_set("utf-8", &[1]));
    let ours = write(dir.path(), "ours.xml", option_set("utf-8", &[1, 2]));
    let theirs = write(
        dir.path(),
        "theirs.xml",
        encode_text(&option_set("utf-16", &[1, 3]), UTF16LE),
    );
    let out = soltree()
        .arg("merge")
        .args([&base, &ours, &theirs])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        option_set("utf-8", &[1, 2, 3])
    );
}

#[test]
fn ill_formed_xml_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "nul.xml",
            b"<optionset Name=\"a\">\n  <x>a\0b</x>\n</optionset>".to_vec(),
            "nul.xml:2:7: character U+0000 is not allowed",
        ),
        (
            "control.xml",
            b"<optionset Name=\"a\x01\" />".to_vec(),
            "control.xml:1:19: character U+0001",
        ),
        (
            "double-bom.xml",
            b"\xEF\xBB\xBF\xEF\xBB\xBF<optionset Name=\"a\" />".to_vec(),
            "double-bom.xml:1:2: a second byte-order mark",
        ),
        (
            "bom-utf16-decl.xml",
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-16\"?><optionset Name=\"a\" />"
                .to_vec(),
            "declares encoding=\"utf-16\" but is stored as UTF-8",
        ),
    ];
    for (name, bytes, message) in cases {
        let file = write(dir.path(), name, bytes);
        for cmd in ["show", "normalize"] {
            soltree()
                .arg(cmd)
                .arg(&file)
                .assert()
                .code(2)
                .stdout("")
                .stderr(predicate::str::contains(message));
        }
    }
}

#[test]
fn conflict_markers_and_non_xml_files_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let marked = write(
        dir.path(),
        "Solution.xml",
        "<ImportExportXml>\n<<<<<<< ours\n  <a/>\n=======\n  <b/>\n>>>>>>> theirs\n</ImportExportXml>\n",
    );
    for cmd in [&["show"][..], &["diff", "--color", "never"][..]] {
        let mut c = soltree();
        c.args(cmd).arg(&marked);
        if cmd[0] == "diff" {
            c.arg(&marked);
        }
        c.assert().code(2).stderr(predicate::str::contains(
            "Solution.xml:2: holds conflict markers (an unresolved merge)",
        ));
    }
    let readme = write(dir.path(), "README.md", "# My solution\n\nNotes.\n");
    soltree()
        .arg("show")
        .arg(&readme)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "README.md: not a solution package: neither a zip nor XML",
        ));
}

#[test]
fn a_merge_that_fails_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let case = testdata("merge/both-add-columns");
    let report = dir.path().join("report.json");
    soltree()
        .arg("merge")
        .args(["base.xml", "ours.xml", "theirs.xml"].map(|f| case.join(f)))
        .arg("-o")
        .arg(dir.path().join("missing-folder/out.xml"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(2);
    assert!(!report.exists(), "a report beside a failed merge");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp file left"
    );
    // The same merge with a good output writes both.
    let out = dir.path().join("out.xml");
    soltree()
        .arg("merge")
        .args(["base.xml", "ours.xml", "theirs.xml"].map(|f| case.join(f)))
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(v["clean"], true);
    assert!(out.exists());
}

#[cfg(unix)]
#[test]
fn a_closed_standard_output_is_an_error() {
    // `soltree show x >&-`: the shell closes descriptor 1 before soltree starts.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" show "$1" >&- 2>"$2""#)
        .arg(assert_cmd::cargo::cargo_bin!("soltree"))
        .arg(testdata("sample/v2"))
        .arg(std::env::temp_dir().join(format!("soltree-closed-{}.err", std::process::id())))
        .status()
        .unwrap();
    let err = std::env::temp_dir().join(format!("soltree-closed-{}.err", std::process::id()));
    let message = std::fs::read_to_string(&err).unwrap();
    let _ = std::fs::remove_file(&err);
    assert_eq!(status.code(), Some(2), "{message}");
    assert!(message.contains("standard output is closed"), "{message}");
}

#[test]
fn marker_sizes_are_bounded_and_checked() {
    let case = testdata("merge/label-changed-differently");
    let files = ["base.xml", "ours.xml", "theirs.xml"].map(|f| case.join(f));
    let out = soltree()
        .arg("merge")
        .args(&files)
        .args(["--marker-size", "12"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains(&format!("{} ours", "<".repeat(12)))
    );
    soltree()
        .arg("merge")
        .args(&files)
        .args(["--marker-size", "1000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("1..=1024"));
    // The driver's %L: a number from 1 to 1024, said so when it is not.
    let dir = tempfile::tempdir().unwrap();
    for f in ["base.xml", "ours.xml", "theirs.xml"] {
        std::fs::copy(case.join(f), dir.path().join(f)).unwrap();
    }
    for bad in ["abc", "99999999999999999999999", "0", "5000"] {
        soltree()
            .current_dir(dir.path())
            .args([
                "merge",
                "--git",
                "base.xml",
                "ours.xml",
                "theirs.xml",
                bad,
                "x.xml",
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("conflict marker size (%L)"));
    }
    assert_eq!(
        std::fs::read(dir.path().join("ours.xml")).unwrap(),
        std::fs::read(case.join("ours.xml")).unwrap(),
        "ours untouched"
    );
}

#[test]
fn mixed_argument_forms_and_missing_outputs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = testdata("sample/v1");
    let file = testdata("merge/both-add-columns/ours.xml");
    soltree()
        .arg("merge")
        .args([&folder, &folder])
        .arg(&file)
        .arg("-o")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("THEIRS ("))
        .stderr(predicate::str::contains(
            "is not a folder, the others are folders",
        ));
    soltree()
        .arg("normalize")
        .arg(&folder)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(an extracted folder) writes a package: give -o OUT for it",
        ));
}

/// One side of the property test below: which options an option set holds (by value, each
/// with a label variant), whether its description is nil or a text, and how it is stored.
#[derive(Debug, Clone)]
struct Side {
    options: Vec<(u32, u8)>,
    description: Option<u8>,
    encoding: u8,
    newline: u8,
    declaration: bool,
}

impl Side {
    fn text(&self) -> (String, TextEncoding) {
        let (encoding, label) = match self.encoding % 4 {
            0 => (TextEncoding::Utf8 { bom: false }, "utf-8"),
            1 => (TextEncoding::Utf8 { bom: true }, "UTF-8"),
            2 => (UTF16LE, "utf-16"),
            _ => (
                TextEncoding::Utf16 {
                    little_endian: false,
                },
                "UTF-16",
            ),
        };
        let mut text = String::new();
        if self.declaration {
            text.push_str(&format!("<?xml version=\"1.0\" encoding=\"{label}\"?>\n"));
        }
        text.push_str("<optionset Name=\"new_priority\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n");
        match self.description {
            None => text.push_str("  <Description xsi:nil=\"true\"></Description>\n"),
            Some(d) => text.push_str(&format!("  <Description>Text {d}</Description>\n")),
        }
        text.push_str("  <options>\n");
        for (v, l) in &self.options {
            text.push_str(&format!(
                "    <option value=\"{v}\">\n      <labels>\n        <label description=\"Level {v}.{l} é\" languagecode=\"1033\" />\n      </labels>\n    </option>\n"
            ));
        }
        text.push_str("  </options>\n</optionset>\n");
        let text = match self.newline % 3 {
            0 => text,
            1 => text.replace('\n', "\r\n"),
            _ => text.replace('\n', "\r"),
        };
        (text, encoding)
    }

    fn bytes(&self) -> Vec<u8> {
        let (text, encoding) = self.text();
        encode_text(&text, encoding)
    }
}

fn side() -> impl proptest::strategy::Strategy<Value = Side> {
    use proptest::prelude::*;
    (
        proptest::collection::btree_map(1u32..8, 0u8..2, 0..5),
        proptest::option::of(0u8..2),
        0u8..4,
        0u8..3,
        any::<bool>(),
    )
        .prop_map(
            |(options, description, encoding, newline, declaration)| Side {
                options: options.into_iter().collect(),
                description,
                encoding,
                newline,
                declaration,
            },
        )
}

proptest::proptest! {
    #![proptest_config(crate::prop_config(256))]

    /// Any three well-formed sides, in any mix of UTF-8 and UTF-16 (with their BOMs and
    /// declarations), newline styles and nil descriptions: a clean merge is well-formed XML
    /// in the encoding it declares, stored in ours' encoding (theirs' where the merge laws
    /// give theirs whole).
    #[test]
    fn a_clean_merge_is_well_formed_in_the_encoding_it_declares(
        base in proptest::option::of(side()),
        ours in side(),
        theirs in side(),
    ) {
        use soltree::input::decode_xml;
        use soltree::xml::Document;
        let well_formed = |bytes: Vec<u8>| -> Result<TextEncoding, String> {
            let (text, stored) = decode_xml("x.xml", bytes).map_err(|e| e.to_string())?;
            // A nil element holds nothing (XML Schema's rule for xsi:nil).
            for (at, _) in text.match_indices("xsi:nil=\"true\">") {
                if !text[at..].split_once('>').unwrap().1.starts_with("</") {
                    return Err(format!("nil with content at byte {at}"));
                }
            }
            Document::parse_stored(text, "x.xml", stored).map_err(|e| e.to_string())?;
            Ok(stored)
        };
        let (b, o, t) = (base.as_ref().map(Side::bytes), ours.bytes(), theirs.bytes());
        for side in [b.clone(), Some(o.clone()), Some(t.clone())].into_iter().flatten() {
            proptest::prop_assert!(well_formed(side).is_ok());
        }
        let out = soltree::merge::merge_files(b.as_deref(), &o, &t, &soltree::merge::MergeOptions::default());
        if out.is_clean() {
            let stored = well_formed(out.bytes.clone());
            proptest::prop_assert!(stored.is_ok(), "{:?}\n{}", stored, String::from_utf8_lossy(&out.bytes));
            let same_family = |e: TextEncoding| matches!(e, TextEncoding::Utf16 { .. });
            // merge(b, b, t) = t, byte for byte: then the result is theirs, in its encoding.
            let written_like = if b.as_deref() == Some(&o[..]) { &theirs } else { &ours };
            proptest::prop_assert_eq!(same_family(stored.unwrap()), same_family(written_like.text().1));
        }
    }
}

/// A package of one XML file, modelled.
fn tree_of(name: &str, text: &str) -> soltree::model::ComponentTree {
    use soltree::input::{Entry, Package, PackageForm};
    soltree::model::ComponentTree::build(Package {
        form: PackageForm::XmlFile,
        source: name.into(),
        entries: vec![Entry {
            path: name.into(),
            data: text.as_bytes().to_vec(),
        }],
    })
    .unwrap()
}

#[test]
fn duplicates_a_line_merge_left_behind_normalize_once_and_diff_as_equal() {
    // The same column twice with different content, its labels in two orders, and the same
    // label twice: what git's line merge leaves in a file (issue 14 will flag it).
    let column = |kind: &str, labels: &str| {
        format!(
            "    <attribute PhysicalName=\"new_score\">\n      <Type>{kind}</Type>\n      <displaynames>\n{labels}      </displaynames>\n    </attribute>\n"
        )
    };
    let (en, fr) = (
        "        <displayname description=\"Score\" languagecode=\"1033\" />\n",
        "        <displayname description=\"Note\" languagecode=\"1036\" />\n",
    );
    let entity = |columns: &[String]| {
        format!(
            "<Entity>\n  <EntityInfo>\n  <entity Name=\"new_project\">\n  <attributes>\n{}  </attributes>\n  </entity>\n  </EntityInfo>\n</Entity>\n",
            columns.concat()
        )
    };
    let a = entity(&[
        column("int", &format!("{fr}{en}")),
        column("decimal", &format!("{en}{fr}{en}")),
    ]);
    let b = entity(&[
        column("decimal", &format!("{fr}{en}{en}")),
        column("int", &format!("{en}{fr}")),
    ]);
    let once = soltree::normalize::normalize(&tree_of("Entity.xml", &a));
    let text = String::from_utf8(once.entries[0].data.clone()).unwrap();
    let twice = soltree::normalize::normalize(&tree_of("Entity.xml", &text));
    assert_eq!(twice.entries[0].data, once.entries[0].data, "idempotent");
    let other = soltree::normalize::normalize(&tree_of("Entity.xml", &b));
    assert_eq!(
        other.entries[0].data, once.entries[0].data,
        "order does not matter"
    );
    let r = soltree::diff::diff(&tree_of("Entity.xml", &a), &tree_of("Entity.xml", &text));
    assert!(!r.has_differences(), "{:#?}", r.components);
    let r = soltree::diff::diff(&tree_of("Entity.xml", &a), &tree_of("Entity.xml", &b));
    assert!(!r.has_differences(), "{:#?}", r.components);
}

#[test]
fn repeated_unkeyed_elements_diff_equal_to_their_normal_form() {
    // A fetch holding its entity twice (a line merge's duplicate), listing the same columns
    // in two orders: normalize sorts the columns, and the two entities must still pair up.
    let entity = |columns: &[&str]| {
        let mut s = String::from("        <entity name=\"new_project\">\n");
        for c in columns {
            s.push_str(&format!("          <attribute name=\"{c}\" />\n"));
        }
        s.push_str("        </entity>\n");
        s
    };
    let view = format!(
        "<savedqueries>\n  <savedquery>\n    <savedqueryid>{{6a3b1c2d-0000-4000-8000-000000000001}}</savedqueryid>\n    <fetchxml>\n      <fetch>\n{}{}      </fetch>\n    </fetchxml>\n  </savedquery>\n</savedqueries>\n",
        entity(&["new_score", "new_name"]),
        entity(&["new_name", "new_score"])
    );
    let tree = tree_of("view.xml", &view);
    let normal = soltree::normalize::normalize(&tree);
    let text = String::from_utf8(normal.entries[0].data.clone()).unwrap();
    assert_ne!(text, view, "the columns were sorted");
    let r = soltree::diff::diff(&tree, &tree_of("view.xml", &text));
    assert!(!r.has_differences(), "{:#?}", r.components);
}

#[test]
fn a_null_marker_on_one_of_repeated_elements_reads_the_same_both_ways() {
    let view = |nil: &str| {
        format!(
            "<savedqueries xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <savedquery>\n    <savedqueryid>{{6a3b1c2d-0000-4000-8000-000000000002}}</savedqueryid>\n    <fetchxml>\n      <fetch>\n        <entity name=\"new_project\">\n          <filter type=\"and\">\n            <condition attribute=\"statecode\" operator=\"eq\" value=\"0\"{nil} />\n            <condition attribute=\"statecode\" operator=\"eq\" value=\"0\" />\n            <condition attribute=\"statecode\" operator=\"eq\" value=\"0\" />\n          </filter>\n        </entity>\n      </fetch>\n    </fetchxml>\n  </savedquery>\n</savedqueries>\n"
        )
    };
    let (a, b) = (
        tree_of("v.xml", &view("")),
        tree_of("v.xml", &view(" xsi:nil=\"true\"")),
    );
    let there = soltree::diff::diff(&a, &b).has_differences();
    let back = soltree::diff::diff(&b, &a).has_differences();
    assert_eq!(there, back, "diff is symmetric");
}

#[test]
fn a_component_listed_twice_keeps_its_children_under_it_through_normalize() {
    let entity = |label: &str| {
        format!(
            "    <Entity>\n      <Name LocalizedName=\"{label}\">Contact</Name>\n      <RibbonDiffXml>\n        <CustomActions />\n      </RibbonDiffXml>\n    </Entity>\n"
        )
    };
    let text = format!(
        "<ImportExportXml>\n  <Entities>\n{}{}  </Entities>\n</ImportExportXml>\n",
        entity("Pet"),
        entity("Contact")
    );
    let paths = |t: &soltree::model::ComponentTree| {
        let mut v: Vec<String> = t.components.iter().map(|c| c.path.clone()).collect();
        v.sort();
        v
    };
    let tree = tree_of("customizations.xml", &text);
    let before = paths(&tree);
    assert_eq!(
        before,
        [
            "entity:contact",
            "entity:contact#2",
            "entity:contact#2/ribbon",
            "entity:contact/ribbon"
        ]
    );
    let normal = soltree::normalize::normalize(&tree);
    let again = tree_of(
        "customizations.xml",
        std::str::from_utf8(&normal.entries[0].data).unwrap(),
    );
    assert_eq!(paths(&again), before);
    assert!(!soltree::diff::diff(&tree, &again).has_differences());
}

#[test]
fn an_empty_row_written_two_ways_is_no_difference_either_way() {
    // The first of three empty rows after a subgrid re-saved as `<row>\n</row>`.
    let form = |first: &str| {
        format!(
            "<forms>\n  <systemform>\n    <formid>{{5d2c7a8e-0000-4000-8000-000000000003}}</formid>\n    <form>\n      <tabs>\n        <tab name=\"t\">\n          <columns>\n            <column>\n              <sections>\n                <section name=\"s\">\n                  <rows>\n                    <row>\n                      <cell id=\"{{00000000-0000-4000-8000-000000000001}}\" rowspan=\"4\" />\n                    </row>\n                    {first}\n                    <row />\n                    <row />\n                  </rows>\n                </section>\n              </sections>\n            </column>\n          </columns>\n        </tab>\n      </tabs>\n    </form>\n  </systemform>\n</forms>\n"
        )
    };
    let a = tree_of("form.xml", &form("<row />"));
    let b = tree_of("form.xml", &form("<row>\n</row>"));
    assert!(!soltree::diff::diff(&a, &b).has_differences());
    assert!(!soltree::diff::diff(&b, &a).has_differences());
}

/// Fuzz finding (seed 12, execution 3361): an element holding a comment merges line by line;
/// theirs renamed its `<rows>` (start and end tag), ours split it in two. The lines touch
/// different places and merged cleanly into `<rowsX>…</rows><rows>…</rowsX>`. A line-merged
/// element that is no longer well-formed is now a conflict, with git's markers around it.
#[test]
fn a_clean_line_merge_of_one_element_that_breaks_it_is_a_conflict() {
    let form = |rows: &str| {
        format!(
            "<forms>\n  <systemform>\n    <formid>{{5d2c7a8e-3b1f-ef11-9f89-000d3a1b2c4d}}</formid>\n    <form>\n      <tabs>\n        <tab id=\"{{a1}}\">\n          <!-- kept by hand -->\n{rows}        </tab>\n      </tabs>\n    </form>\n  </systemform>\n</forms>\n"
        )
    };
    let row = |id: &str| {
        format!("            <row>\n              <cell id=\"{{{id}}}\" />\n            </row>\n")
    };
    let (a, b) = (row("c1"), row("c2"));
    let base = form(&format!("          <rows>\n{a}{b}          </rows>\n"));
    let ours = form(&format!(
        "          <rows>\n{a}          </rows>\n          <rows>\n{b}          </rows>\n"
    ));
    let theirs = form(&format!("          <rowsX>\n{a}{b}          </rowsX>\n"));
    let dir = tempfile::tempdir().unwrap();
    let paths = [
        ("base.xml", &base),
        ("ours.xml", &ours),
        ("theirs.xml", &theirs),
    ]
    .map(|(name, text)| write(dir.path(), name, text));
    let out = dir.path().join("merged.xml");
    soltree()
        .arg("merge")
        .args(&paths)
        .arg("-o")
        .arg(&out)
        .arg("--no-check")
        .assert()
        .code(1);
    let merged = std::fs::read_to_string(&out).unwrap();
    assert!(merged.contains("<<<<<<< ours"), "{merged}");
    // Each side is well-formed on its own: the break was the line merge's doing.
    for keep in [&ours, &theirs] {
        assert!(soltree::xml::Document::parse(keep.to_string(), "side").is_ok());
    }
}

/// Fuzz findings (seed 99, execution 96949; seed 12, execution 6045): a missing dependency
/// whose `package` (export state) holds nested elements instead of its text diffed as a
/// change one way and as nothing the other. Items equal but for their export state are the
/// same both ways now.
#[test]
fn a_missing_dependency_changed_in_its_export_state_alone_diffs_alike_both_ways() {
    let manifest = |package: &str| {
        format!(
            "<ImportExportXml version=\"9.2.22013.136\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\" generatedBy=\"CrmLive\">\n  <SolutionManifest>\n    <UniqueName>Contoso</UniqueName>\n    <MissingDependencies>\n      <MissingDependency>\n        <Required type=\"10\" schemaName=\"adx_invitation_invitecontact\" parentSchemaName=\"contact\" solution=\"MicrosoftPortalBase (9.3.2208.1)\">\n          <package>{package}</package>\n        </Required>\n        <Dependent type=\"1\" schemaName=\"new_project\" />\n      </MissingDependency>\n    </MissingDependencies>\n  </SolutionManifest>\n</ImportExportXml>\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        dir.path(),
        "old.xml",
        manifest("CDSBasePortal (9.3.2109.20)"),
    );
    let new = write(
        dir.path(),
        "new.xml",
        manifest("<n><n>CDSBasePortal (9.3.2109.20)</n></n>"),
    );
    for (a, b) in [(&old, &new), (&new, &old)] {
        soltree().arg("diff").args([a, b]).assert().code(0);
    }
    // A change outside the state is one both ways.
    let moved = write(
        dir.path(),
        "moved.xml",
        manifest("CDSBasePortal (9.3.2109.20)").replace(
            "parentSchemaName=\"contact\"",
            "parentSchemaName=\"account\"",
        ),
    );
    for (a, b) in [(&old, &moved), (&moved, &old)] {
        soltree().arg("diff").args([a, b]).assert().code(1);
    }
}

/// Fuzz finding (seed 23): a repeated keyless element holding only empty lists reads as
/// nothing both ways — an empty list equals absence also inside an element only one side
/// has, so removing one of its empty lists is no change in either direction.
#[test]
fn empty_lists_inside_repeated_keyless_elements_read_the_same_both_ways() {
    let ribbon = |first_has_enable_rules: bool| {
        let rules = |enable: bool| {
            format!(
                "  <RuleDefinitions>\n    <TabDisplayRules />\n    <DisplayRules />\n{}  </RuleDefinitions>\n",
                if enable { "    <EnableRules />\n" } else { "" }
            )
        };
        format!(
            "<RibbonDiffXml>\n{}{}</RibbonDiffXml>\n",
            rules(first_has_enable_rules),
            rules(true)
        )
    };
    let (a, b) = (
        tree_of("RibbonDiff.xml", &ribbon(true)),
        tree_of("RibbonDiff.xml", &ribbon(false)),
    );
    let there = soltree::diff::diff(&a, &b);
    let back = soltree::diff::diff(&b, &a);
    assert!(!there.has_differences(), "{:#?}", there.components);
    assert!(!back.has_differences(), "{:#?}", back.components);
}

/// Fuzz finding (seed 31, execution 3161): a view listing its `IntroducedVersion` twice,
/// against one whose first copy reads `1.0.0.0.0` — the same version as export noise. The
/// alignment of repeated values split the two one way and paired them the other, so `diff`
/// saw a change one way only. Values one side has alone that compare equal are one value.
#[test]
fn repeated_values_equal_but_for_noise_read_the_same_both_ways() {
    let view = |first: &str| {
        format!(
            "<savedqueries>\n  <savedquery>\n    <IntroducedVersion>{first}</IntroducedVersion>\n    <IntroducedVersion>1.0.0.0</IntroducedVersion>\n  </savedquery>\n</savedqueries>\n"
        )
    };
    let (a, b) = (
        tree_of("view.xml", &view("1.0.0.0")),
        tree_of("view.xml", &view("1.0.0.0.0")),
    );
    let there = soltree::diff::diff(&a, &b);
    let back = soltree::diff::diff(&b, &a);
    assert_eq!(there.has_differences(), back.has_differences());
    assert!(!back.has_differences(), "{:#?}", back.components);
}
