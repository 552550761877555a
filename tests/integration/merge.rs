//! The three-way merge: fixture cases (`testdata/merge/<case>/{base,ours,theirs,expected}.xml`,
//! one per rule and conflict kind), the merge laws on real and generated files, the command
//! line contract, and the real merges of the corpus: every clean result keeps every change
//! of both sides.

use crate::{corpus, testdata};
use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use proptest::prelude::*;
use soltree::merge::{ConflictStyle, MergeOptions, merge_files};
use soltree::model::Classifier;
use soltree::xml::{Document, NodeId};
use soltree_synth::{SynthConfig, generate_triple};
use std::collections::BTreeMap;
use std::path::Path;

fn read(p: &Path) -> Option<Vec<u8>> {
    std::fs::read(p).ok()
}

#[test]
fn fixture_cases() {
    let root = testdata("merge");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let base = read(&case.join("base.xml"));
        let ours = read(&case.join("ours.xml")).unwrap();
        let theirs = read(&case.join("theirs.xml")).unwrap();
        let expected = read(&case.join("expected.xml")).unwrap();
        let opts = MergeOptions {
            path: Some(format!("{name}.xml")),
            ..MergeOptions::default()
        };
        let out = merge_files(base.as_deref(), &ours, &theirs, &opts);
        assert!(
            out.bytes == expected,
            "{name}: merged result differs from expected.xml:\n{}",
            String::from_utf8_lossy(&out.bytes)
        );
        let conflicted = String::from_utf8_lossy(&expected).contains("<<<<<<< ours");
        assert_eq!(
            !out.is_clean(),
            conflicted,
            "{name}: conflicts {:?}",
            out.conflicts
        );
        assert!(out.fallback.is_none(), "{name}: {:?}", out.fallback);
        if !conflicted {
            let text = String::from_utf8(out.bytes.clone()).unwrap();
            Document::parse(text, &name).expect("a clean merge is well-formed XML");
        }
    }
}

#[test]
fn domain_rules_are_named_in_the_report() {
    let case = testdata("merge/solution-manifest-sets-and-versions");
    let out = merge_files(
        read(&case.join("base.xml")).as_deref(),
        &read(&case.join("ours.xml")).unwrap(),
        &read(&case.join("theirs.xml")).unwrap(),
        &MergeOptions::default(),
    );
    let rules: Vec<&str> = out.decisions.iter().map(|d| d.rule).collect();
    assert!(rules.contains(&"solution-version-max"), "{rules:?}");
    assert!(rules.contains(&"set-union"), "{rules:?}");
    let v = out
        .decisions
        .iter()
        .find(|d| d.rule == "solution-version-max")
        .unwrap();
    assert_eq!(v.result.as_deref(), Some("1.0.0.7"));
    assert_eq!(v.path, "solution:contososales");
}

#[test]
fn conflicts_are_named_by_component_and_property() {
    let case = testdata("merge/label-changed-differently");
    let out = merge_files(
        read(&case.join("base.xml")).as_deref(),
        &read(&case.join("ours.xml")).unwrap(),
        &read(&case.join("theirs.xml")).unwrap(),
        &MergeOptions::default(),
    );
    assert_eq!(out.conflicts.len(), 1);
    let c = &out.conflicts[0];
    assert_eq!(c.path, "optionset:new_priority");
    assert_eq!(c.display_name, "Priority");
    assert_eq!(
        c.property,
        "options/option:100000001/labels/label:1036/@description"
    );
    assert_eq!(
        (c.base.as_deref(), c.ours.as_deref(), c.theirs.as_deref()),
        (Some("Haute"), Some("Élevée"), Some("Forte"))
    );
    // The same conflict in the managed twin of a SolutionPackager file names that layer.
    let twin = MergeOptions {
        path: Some("src/Other/OptionSets/new_priority_managed.xml".into()),
        ..MergeOptions::default()
    };
    let out = merge_files(
        read(&case.join("base.xml")).as_deref(),
        &read(&case.join("ours.xml")).unwrap(),
        &read(&case.join("theirs.xml")).unwrap(),
        &twin,
    );
    assert_eq!(out.conflicts[0].path, "optionset:new_priority@managed");
}

#[test]
fn conflict_styles_labels_and_marker_size() {
    let case = testdata("merge/label-changed-differently");
    let (b, o, t) = (
        read(&case.join("base.xml")).unwrap(),
        read(&case.join("ours.xml")).unwrap(),
        read(&case.join("theirs.xml")).unwrap(),
    );
    let run = |style, size| {
        let opts = MergeOptions {
            style,
            marker_size: size,
            label_ours: "HEAD".into(),
            label_base: "merged common ancestors".into(),
            label_theirs: "feature".into(),
            ..MergeOptions::default()
        };
        String::from_utf8(merge_files(Some(&b), &o, &t, &opts).bytes).unwrap()
    };
    let diff3 = run(ConflictStyle::Diff3, 9);
    assert!(diff3.contains("\n<<<<<<<<< HEAD\n"), "{diff3}");
    assert!(
        diff3.contains("\n||||||||| merged common ancestors\n        <label description=\"Haute\""),
        "{diff3}"
    );
    assert!(diff3.contains("\n=========\n"), "{diff3}");
    assert!(diff3.contains("\n>>>>>>>>> feature\n"), "{diff3}");
    let merge = run(ConflictStyle::Merge, 7);
    assert!(!merge.contains("|||||||"));
    let zdiff3 = run(ConflictStyle::Zdiff3, 7);
    assert!(zdiff3.contains("|||||||"));
}

#[test]
fn fallback_for_marked_or_malformed_input() {
    let b = b"<optionset Name=\"a\">\n  <x>1</x>\n</optionset>\n";
    let o = b"<optionset Name=\"a\">\n<<<<<<< HEAD\n  <x>2</x>\n=======\n  <x>3</x>\n>>>>>>> other\n</optionset>\n";
    let t = b"<optionset Name=\"a\">\n  <x>1</x>\n  <y/>\n</optionset>\n";
    let out = merge_files(Some(b), o, t, &MergeOptions::default());
    assert!(
        out.fallback
            .as_deref()
            .unwrap()
            .contains("conflict markers"),
        "{:?}",
        out.fallback
    );
    let bad = b"<optionset Name=\"a\">\n  <x>1</x>\n";
    let out = merge_files(Some(b), bad, t, &MergeOptions::default());
    assert!(
        out.fallback.as_deref().unwrap().contains("not well-formed"),
        "{:?}",
        out.fallback
    );
    let html = b"<html><body/></html>";
    let out = merge_files(Some(b), html, t, &MergeOptions::default());
    assert!(
        out.fallback
            .as_deref()
            .unwrap()
            .contains("not a solution file"),
        "{:?}",
        out.fallback
    );
}

/// Flow definitions and other text parts come as UTF-16 or UTF-8, with or without a BOM,
/// and one side may be re-saved in another encoding and newline style than the other.
#[test]
fn text_in_any_encoding_merges_in_ours_encoding() {
    use soltree::input::{TextEncoding, decode_text, encode_text};
    let utf16 = TextEncoding::Utf16 {
        little_endian: true,
    };
    let lines = |v: &[&str], nl: &str| v.iter().map(|l| format!("{l}{nl}")).collect::<String>();
    let base = [
        "{",
        "  \"a\": 1,",
        "  \"b\": 2,",
        "  \"c\": 3,",
        "  \"d\": 4,",
        "  \"e\": 5",
        "}",
    ];
    let mut ours = base;
    ours[1] = "  \"a\": 10,";
    let mut theirs = base;
    theirs[5] = "  \"e\": 50";
    let b = encode_text(&lines(&base, "\r\n"), utf16);
    let o = encode_text(&lines(&ours, "\n"), TextEncoding::Utf8 { bom: false });
    let t = encode_text(&lines(&theirs, "\n"), TextEncoding::Utf8 { bom: true });
    let out = merge_files(Some(&b), &o, &t, &MergeOptions::default());
    assert!(out.is_clean(), "{:?} {:?}", out.fallback, out.conflicts);
    let mut both = ours;
    both[5] = theirs[5];
    assert_eq!(
        out.bytes,
        lines(&both, "\n").into_bytes(),
        "ours' encoding: UTF-8, LF, no BOM"
    );

    // The other way round: ours UTF-16 with CRLF keeps both.
    let o16 = encode_text(&lines(&ours, "\r\n"), utf16);
    let out = merge_files(Some(&b), &o16, &t, &MergeOptions::default());
    assert!(out.is_clean(), "{:?} {:?}", out.fallback, out.conflicts);
    assert_eq!(decode_text(&out.bytes), Some((lines(&both, "\r\n"), utf16)));

    // Added on both sides (git passes an empty base): merged as JSON, each member that the
    // two sides hold differently a conflict of its own, written back as UTF-16.
    let t16 = encode_text(&lines(&theirs, "\r\n"), utf16);
    let out = merge_files(Some(b""), &o16, &t16, &MergeOptions::default());
    assert_eq!(out.fallback, None);
    let pointers: Vec<&str> = out.conflicts.iter().map(|c| c.property.as_str()).collect();
    assert_eq!(pointers, ["/a", "/e"]);
    let (text, enc) = decode_text(&out.bytes).expect("written as UTF-16");
    assert_eq!(enc, utf16);
    assert!(
        text.contains("<<<<<<< ours\r\n  \"a\": 10,\r\n=======\r\n  \"a\": 1,\r\n>>>>>>> theirs"),
        "{text}"
    );

    // A script added on both sides: merged as lines, not kept whole.
    let script = |last: &str| encode_text(&format!("var a = 1;\r\nvar b = {last};\r\n"), utf16);
    let out = merge_files(
        Some(b""),
        &script("2"),
        &script("3"),
        &MergeOptions::default(),
    );
    assert!(
        out.fallback
            .as_deref()
            .is_some_and(|f| f.starts_with("line merge")),
        "{:?}",
        out.fallback
    );
    let (text, enc) = decode_text(&out.bytes).expect("written as UTF-16");
    assert_eq!(enc, utf16);
    assert!(
        text.contains("<<<<<<< ours") && text.contains("var b = 2;") && text.contains("var b = 3;"),
        "{text}"
    );

    // UTF-16 solution XML still gets the structured merge.
    let xml = |x: &str, y: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<optionset Name=\"new_color\">\r\n  <IntroducedVersion>{x}</IntroducedVersion>\r\n  <Description>{y}</Description>\r\n</optionset>\r\n"
        )
    };
    let (b, o, t) = (xml("1.0", "old"), xml("1.0", "new"), xml("1.0", "old"));
    let t = t.replace(
        "<optionset Name=\"new_color\">",
        "<optionset Name=\"new_color\" IsCustomizable=\"1\">",
    );
    let out = merge_files(
        Some(&encode_text(&b, utf16)),
        &encode_text(&o, utf16),
        &encode_text(&t, utf16),
        &MergeOptions::default(),
    );
    assert!(
        out.is_clean() && out.fallback.is_none(),
        "{:?} {:?}",
        out.fallback,
        out.conflicts
    );
    let (text, _) = decode_text(&out.bytes).unwrap();
    assert!(
        text.contains("IsCustomizable=\"1\"") && text.contains(">new<"),
        "{text}"
    );
}

#[test]
fn cli_exit_codes_report_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let case = testdata("merge/same-key-added-twice-differently");
    let out = dir.path().join("merged.xml");
    let report = dir.path().join("report.json");
    cargo_bin_cmd!("soltree")
        .arg("merge")
        .args([
            case.join("base.xml"),
            case.join("ours.xml"),
            case.join("theirs.xml"),
        ])
        .arg("-o")
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["clean"], false);
    assert_eq!(
        r["conflicts"][0]["path"],
        "relationship:new_contact_new_project"
    );
    assert_eq!(r["conflicts"][0]["property"], "CascadeDelete");
    assert_eq!(r["conflicts"][0]["reason"], "both-added");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(case.join("expected.xml")).unwrap()
    );

    let clean = testdata("merge/both-add-columns");
    cargo_bin_cmd!("soltree")
        .arg("merge")
        .args([
            clean.join("base.xml"),
            clean.join("ours.xml"),
            clean.join("theirs.xml"),
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("new_Score").and(predicates::str::contains("new_Alpha")));

    cargo_bin_cmd!("soltree")
        .arg("merge")
        .args([
            clean.join("base.xml"),
            dir.path().join("missing.xml"),
            clean.join("theirs.xml"),
        ])
        .assert()
        .code(2);
}

/// Every property of a document: element paths (by identity) to attribute values and leaf
/// texts, so a merge result can be checked against each side's changes.
pub fn properties(doc: &Document) -> BTreeMap<String, String> {
    fn walk(
        c: &Classifier<'_>,
        doc: &Document,
        node: NodeId,
        path: &str,
        out: &mut BTreeMap<String, String>,
    ) {
        out.insert(path.to_string(), String::new());
        for (k, _) in doc.attributes(node) {
            out.insert(
                format!("{path}/@{k}"),
                doc.attr(node, k).unwrap().into_owned(),
            );
        }
        let kids = c.children(node);
        if kids.is_empty() {
            out.insert(
                format!("{path}/#text"),
                doc.text_of(node).trim().to_string(),
            );
        }
        for k in kids {
            walk(c, doc, k.node, &format!("{path}/{}", k.ident), out);
        }
    }
    let c = Classifier::new(doc);
    let mut out = BTreeMap::new();
    let root = doc.root().unwrap();
    walk(&c, doc, root, doc.name(root), &mut out);
    out
}

/// Checks that `result` holds every change `side` made to `base`, except where `other`
/// changed the same property too and a rule decided for the other side (the decision must be
/// in `decided`, by the property's name), or deleted the element around it.
pub fn keeps_changes(
    base: &BTreeMap<String, String>,
    side: &BTreeMap<String, String>,
    other: &BTreeMap<String, String>,
    result: &BTreeMap<String, String>,
    decided: &[soltree::merge::Decision],
) -> Vec<String> {
    let name = |p: &str| -> String {
        let p = p.trim_end_matches("/#text");
        p.rsplit('/')
            .next()
            .unwrap_or(p)
            .trim_start_matches('@')
            .to_ascii_lowercase()
    };
    let mut lost = Vec::new();
    let keys: std::collections::BTreeSet<&String> = base.keys().chain(side.keys()).collect();
    for k in keys {
        let (b, s, o, r) = (base.get(k), side.get(k), other.get(k), result.get(k));
        if s == b || r == s {
            continue;
        }
        if o != b && r == o {
            // Both changed it and the result is the other side's: only a rule may do that.
            let by_rule = decided
                .iter()
                .any(|d| name(&d.property) == name(k) || rules_list_whole(&d.property, k));
            if !by_rule {
                lost.push(format!(
                    "{k}: other side's value taken without a rule: base {b:?}, side {s:?}, other {o:?}"
                ));
            }
            continue;
        }
        // An element the other side deleted: the change went with it.
        let mut prefix = k.as_str();
        let mut deleted_by_other = false;
        while let Some(i) = prefix.rfind('/') {
            prefix = &prefix[..i];
            if base.contains_key(prefix) {
                deleted_by_other = !other.contains_key(prefix) && !result.contains_key(prefix);
                break;
            }
        }
        // Export-state attributes decided by the newer export.
        let noise = k.ends_with("/@key") || k.ends_with("/@solution") || k.contains("/package");
        if !deleted_by_other && !noise {
            lost.push(format!(
                "{k}: base {b:?}, side {s:?}, other {o:?}, result {r:?}"
            ));
        }
    }
    lost
}

/// A rule that takes a whole list from one side (`missing-dependencies-superset`) decides
/// every property inside it.
fn rules_list_whole(decided_property: &str, property_path: &str) -> bool {
    let list = decided_property
        .rsplit('/')
        .next()
        .unwrap_or(decided_property);
    !list.is_empty() && property_path.contains(&format!("/{list}/"))
}

/// The checker itself: a value both sides changed that ends up as the other side's is only
/// accepted with a rule decision for that property; a lost one-sided change is always caught.
#[test]
fn the_change_checker_flags_silent_picks_and_lost_changes() {
    let map = |v: &[(&str, &str)]| -> BTreeMap<String, String> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let k = "ImportExportXml/SolutionManifest/Version/#text";
    let (b, o, t) = (map(&[(k, "1.0")]), map(&[(k, "1.1")]), map(&[(k, "1.2")]));
    let r = map(&[(k, "1.2")]);
    assert_eq!(keeps_changes(&b, &o, &t, &r, &[]).len(), 1, "silent pick");
    let decision = soltree::merge::Decision {
        rule: "solution-version-max",
        path: "solution:x".into(),
        property: "Version".into(),
        ours: Some("1.1".into()),
        theirs: Some("1.2".into()),
        result: Some("1.2".into()),
    };
    assert!(keeps_changes(&b, &o, &t, &r, &[decision]).is_empty());
    let lost = map(&[(k, "1.0")]);
    assert_eq!(
        keeps_changes(&b, &o, &b, &lost, &[]).len(),
        1,
        "one-sided change lost"
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn real_merges_clean_results_keep_both_sides_changes() {
    let root = corpus();
    let (mut clean, mut checked_total) = (0, 0);
    let mut repos: Vec<_> = std::fs::read_dir(root.join("merges"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    repos.sort();
    for repo in repos {
        let mut cases: Vec<_> = std::fs::read_dir(&repo)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for case in cases {
            let (Some(ours), Some(theirs)) =
                (read(&case.join("ours.xml")), read(&case.join("theirs.xml")))
            else {
                continue;
            };
            checked_total += 1;
            let base = read(&case.join("base.xml"));
            let out = merge_files(base.as_deref(), &ours, &theirs, &MergeOptions::default());
            if !out.is_clean() || out.fallback.is_some() {
                continue;
            }
            clean += 1;
            let parse = |b: &[u8], n: &str| {
                Document::parse(String::from_utf8(b.to_vec()).unwrap(), n).unwrap()
            };
            let result = parse(&out.bytes, "result");
            let (o, t) = (
                properties(&parse(&ours, "ours")),
                properties(&parse(&theirs, "theirs")),
            );
            let b = base
                .as_deref()
                .map(|b| properties(&parse(b, "base")))
                .unwrap_or_default();
            let r = properties(&result);
            let mut lost = keeps_changes(&b, &o, &t, &r, &out.decisions);
            lost.extend(keeps_changes(&b, &t, &o, &r, &out.decisions));
            assert!(
                lost.is_empty(),
                "{}: lost changes:\n{}",
                case.display(),
                lost[..lost.len().min(10)].join("\n")
            );
        }
    }
    eprintln!(
        "real merges: {clean} of {checked_total} XML cases merged cleanly, each keeping both sides' changes"
    );
    assert!(clean > 60, "only {clean} clean merges");
}

/// Real merges of three sizes and kinds of file, for the merge laws.
fn real_law_inputs() -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let root = corpus();
    [
        "merges/opc-cpvp__OPC.PowerApps/0d70d562ffda-0d93f408",
        "merges/opc-cpvp__OPC.PowerApps/737cb21fbc9d-b81a2484",
        "merges/opc-cpvp__OPC.PowerApps/027dbaf5f8d6-0cfa082a",
    ]
    .iter()
    .map(|rel| {
        let c = root.join(rel);
        (
            read(&c.join("base.xml")).unwrap(),
            read(&c.join("ours.xml")).unwrap(),
            read(&c.join("theirs.xml")).unwrap(),
        )
    })
    .collect()
}

/// A generated triple with scattered edits, for the merge laws.
fn generated_law_inputs() -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let (b, o, t) = generate_triple(
        &SynthConfig {
            target_bytes: 300_000,
            seed: 11,
        },
        6,
    );
    vec![(b.into_bytes(), o.into_bytes(), t.into_bytes())]
}

/// merge(x,x,x) = x, merge(b,o,b) = o, merge(b,b,t) = t, merge(b,x,x) = x, byte for byte,
/// for every version of the inputs, in any role; without the byte shortcuts the tree merge
/// itself must keep the laws.
fn merge_laws_hold(
    inputs: &[(Vec<u8>, Vec<u8>, Vec<u8>)],
    pick: usize,
    style: usize,
    shortcuts: bool,
) -> Result<(), TestCaseError> {
    let opts = MergeOptions {
        style: [
            ConflictStyle::Merge,
            ConflictStyle::Diff3,
            ConflictStyle::Zdiff3,
        ][style],
        no_shortcuts: !shortcuts,
        ..MergeOptions::default()
    };
    for (b, o, t) in inputs {
        let x = [b, o, t][pick];
        let y = [o, t, b][pick];
        prop_assert!(merge_files(Some(x), x, x, &opts).bytes == *x);
        prop_assert!(merge_files(Some(x), y, x, &opts).bytes == *y);
        prop_assert!(merge_files(Some(x), x, y, &opts).bytes == *y);
        prop_assert!(merge_files(Some(x), y, y, &opts).bytes == *y);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::prop_config(8))]

    #[test]
    fn merge_laws_hold_byte_for_byte(pick in 0usize..3, style in 0usize..3, shortcuts in any::<bool>()) {
        merge_laws_hold(&generated_law_inputs(), pick, style, shortcuts)?;
    }

    #[test]
    #[ignore = "needs SOLTREE_CORPUS"]
    fn merge_laws_hold_byte_for_byte_on_real_merges(pick in 0usize..3, style in 0usize..3, shortcuts in any::<bool>()) {
        merge_laws_hold(&real_law_inputs(), pick, style, shortcuts)?;
    }

    /// Scattered edits on different components of a generated file merge cleanly and keep
    /// every change of both sides.
    #[test]
    fn generated_disjoint_edits_merge_cleanly(seed in 0u64..1000, edits in 1usize..12) {
        let (b, o, t) = generate_triple(&SynthConfig { target_bytes: 200_000, seed }, edits);
        let out = merge_files(Some(b.as_bytes()), o.as_bytes(), t.as_bytes(), &MergeOptions::default());
        prop_assert!(out.is_clean(), "{:?}", out.conflicts);
        prop_assert!(out.fallback.is_none());
        let parse = |s: &str| Document::parse(s.to_string(), "x").unwrap();
        let r = properties(&parse(std::str::from_utf8(&out.bytes).unwrap()));
        let (pb, po, pt) = (properties(&parse(&b)), properties(&parse(&o)), properties(&parse(&t)));
        let mut lost = keeps_changes(&pb, &po, &pt, &r, &out.decisions);
        lost.extend(keeps_changes(&pb, &pt, &po, &r, &out.decisions));
        prop_assert!(lost.is_empty(), "{:?}", &lost[..lost.len().min(5)]);
    }
}

/// Every cloud flow definition in the corpus (SolutionPackager trees, whole merges and the
/// JSON cases of the real merges, UTF-8 and UTF-16).
fn corpus_flows(root: &Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "meta.json")
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for sub in ["unpacked", "whole-merges", "merges"] {
        walk(&root.join(sub), &mut out);
    }
    out.sort();
    out
}

/// On every real flow definition: the merge laws hold byte for byte through the JSON merge
/// itself (shortcuts off), and two sides that each add an action and change a different
/// property of the definition merge cleanly, in the file's own encoding and layout, with
/// both sides' changes — where a line merge of the same files conflicts whenever the two
/// additions meet at the end of the actions.
#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn real_flow_definitions_merge_as_json() {
    use serde_json::Value;
    use soltree::input::{decode_text, encode_text};
    let root = corpus();
    let flows = corpus_flows(&root);
    assert!(flows.len() >= 100, "{} flow files", flows.len());
    let no_shortcuts = MergeOptions {
        no_shortcuts: true,
        ..MergeOptions::default()
    };
    let (mut edited, mut line_conflicts) = (0, 0);
    for path in &flows {
        let bytes = std::fs::read(path).unwrap();
        let Some((text, encoding)) = decode_text(&bytes) else {
            panic!("{}: not text", path.display())
        };
        let out = merge_files(Some(&bytes), &bytes, &bytes, &no_shortcuts);
        assert!(
            out.is_clean() && out.fallback.is_none(),
            "{}: {:?}",
            path.display(),
            out.fallback
        );
        assert_eq!(out.bytes, bytes, "{}: merge(x, x, x) = x", path.display());
        let value: Value = serde_json::from_str(&text).unwrap();
        let Some(actions) = value
            .pointer("/properties/definition/actions")
            .and_then(Value::as_object)
        else {
            continue;
        };
        if actions.is_empty() {
            continue;
        }
        // A new action on each side, appended after the last one (as the designer does).
        let add = |v: &Value, name: &str| {
            let mut v = v.clone();
            let last = actions.keys().next_back().unwrap().clone();
            let action = serde_json::json!({
                "runAfter": { last: ["Succeeded"] },
                "type": "Compose",
                "inputs": format!("@{{'{name}'}}"),
            });
            v.pointer_mut("/properties/definition/actions")
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert(name.to_string(), action);
            v
        };
        let mut ours = add(&value, "Soltree_ours");
        ours["properties"]["definition"]["contentVersion"] = "9.9.9.9".into();
        let mut theirs = add(&value, "Soltree_theirs");
        theirs["properties"]["soltreeNote"] = "theirs".into();
        let layout = |v: &Value| {
            let pretty = text.contains('\n');
            let mut s = if pretty {
                serde_json::to_string_pretty(v).unwrap()
            } else {
                serde_json::to_string(v).unwrap()
            };
            if text.contains("\r\n") {
                s = s.replace('\n', "\r\n");
            }
            if text.ends_with('\n') {
                s.push_str(if text.contains("\r\n") { "\r\n" } else { "\n" });
            }
            encode_text(&s, encoding)
        };
        let (o, t) = (layout(&ours), layout(&theirs));
        if layout(&value) != bytes {
            // Only files the serializer writes back exactly get the JSON merge.
            let out = merge_files(Some(&bytes), &o, &t, &MergeOptions::default());
            assert!(out.fallback.is_some(), "{}", path.display());
            continue;
        }
        assert_eq!(
            merge_files(Some(&bytes), &o, &bytes, &no_shortcuts).bytes,
            o,
            "{}: merge(b, o, b) = o",
            path.display()
        );
        let out = merge_files(Some(&bytes), &o, &t, &MergeOptions::default());
        assert!(
            out.is_clean() && out.fallback.is_none(),
            "{}: {:?} {:?}",
            path.display(),
            out.fallback,
            out.conflicts
        );
        let (merged, enc) = decode_text(&out.bytes).unwrap();
        assert_eq!(enc, encoding, "{}", path.display());
        let merged: Value = serde_json::from_str(&merged).unwrap();
        let mut want = add(&ours, "Soltree_theirs");
        want["properties"]["soltreeNote"] = "theirs".into();
        assert_eq!(merged, want, "{}", path.display());
        edited += 1;
        let tmp = tempfile::tempdir().unwrap();
        for (n, d) in [("b", &bytes), ("o", &o), ("t", &t)] {
            std::fs::write(tmp.path().join(n), d).unwrap();
        }
        let status = std::process::Command::new("git")
            .args(["merge-file", "-p", "o", "b", "t"])
            .current_dir(tmp.path())
            .output()
            .unwrap()
            .status;
        line_conflicts += usize::from(status.code() != Some(0));
    }
    eprintln!(
        "{} flow files; {edited} edited on both sides merged cleanly; git merge-file conflicted on {line_conflicts}",
        flows.len()
    );
    assert!(edited >= 50, "{edited}");
}

/// A JSON layout the exports use: pretty with an indent unit (and a newline style), or one
/// line.
fn json_text(v: &serde_json::Value, layout: usize) -> String {
    use serde::Serialize;
    let pretty = |unit: &[u8]| {
        let mut buf = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(unit);
        v.serialize(&mut serde_json::Serializer::with_formatter(&mut buf, fmt))
            .unwrap();
        String::from_utf8(buf).unwrap()
    };
    match layout {
        0 => pretty(b"  "),
        1 => format!("{}\n", pretty(b"    ")),
        2 => format!("{}\r\n", pretty(b"  ").replace('\n', "\r\n")),
        _ => serde_json::to_string(v).unwrap(),
    }
}

/// JSON objects edited on both sides — values changed, members removed or added, on the
/// same member's different fields too — merge cleanly into exactly both sides' edits, in
/// ours' layout; and the merge laws hold byte for byte through the JSON merge itself.
/// `actions[i]` is what happens to member `k<i>`; `adds_*` are where each side inserts new
/// members (a position taken modulo the object's length); `layout` picks [`json_text`]'s.
fn json_edits_merge_into_both(
    actions: &[u8],
    adds_ours: &[usize],
    adds_theirs: &[usize],
    layout: usize,
) -> Result<(), TestCaseError> {
    use serde_json::{Map, Value, json};
    let base: Map<String, Value> = (0..actions.len())
        .map(|i| (format!("k{i}"), json!({ "x": i, "y": format!("s{i}") })))
        .collect();
    let (mut ours, mut theirs, mut want) = (base.clone(), base.clone(), base.clone());
    for (i, a) in actions.iter().enumerate() {
        let k = format!("k{i}");
        let set = |m: &mut Map<String, Value>, field: &str, v: Value| {
            m.get_mut(&k).unwrap()[field] = v;
        };
        match a {
            1 => {
                set(&mut ours, "x", json!(100 + i));
                set(&mut want, "x", json!(100 + i));
            }
            2 => {
                set(&mut theirs, "y", json!("t"));
                set(&mut want, "y", json!("t"));
            }
            3 => {
                set(&mut ours, "x", json!(-1));
                set(&mut want, "x", json!(-1));
                set(&mut theirs, "y", json!("u"));
                set(&mut want, "y", json!("u"));
            }
            4 => {
                ours.shift_remove(&k);
                want.shift_remove(&k);
            }
            5 => {
                theirs.shift_remove(&k);
                want.shift_remove(&k);
            }
            6 => {
                set(&mut ours, "x", json!("same"));
                set(&mut theirs, "x", json!("same"));
                set(&mut want, "x", json!("same"));
            }
            _ => {}
        }
    }
    for (side, adds, tag) in [(&mut ours, adds_ours, "o"), (&mut theirs, adds_theirs, "t")] {
        for (n, at) in adds.iter().enumerate() {
            let k = format!("{tag}{n}");
            let v = json!({ "added": tag });
            side.shift_insert(at % (side.len() + 1), k.clone(), v.clone());
            want.insert(k, v);
        }
    }
    let (b, o, t) = (
        json_text(&Value::Object(base), layout),
        json_text(&Value::Object(ours), layout),
        json_text(&Value::Object(theirs), layout),
    );
    let out = merge_files(
        Some(b.as_bytes()),
        o.as_bytes(),
        t.as_bytes(),
        &MergeOptions::default(),
    );
    prop_assert!(
        out.is_clean() && out.fallback.is_none(),
        "{:?} {:?}",
        out.fallback,
        out.conflicts
    );
    let merged: Value = serde_json::from_slice(&out.bytes).unwrap();
    prop_assert_eq!(&merged, &Value::Object(want));
    prop_assert_eq!(
        json_text(&merged, layout).into_bytes(),
        out.bytes.clone(),
        "ours' layout"
    );
    let laws = MergeOptions {
        no_shortcuts: true,
        ..MergeOptions::default()
    };
    for (x, y) in [(&b, &o), (&b, &t), (&o, &t)] {
        let m = |b: &String, o: &String, t: &String| {
            merge_files(Some(b.as_bytes()), o.as_bytes(), t.as_bytes(), &laws).bytes
        };
        prop_assert_eq!(m(x, x, x), x.as_bytes().to_vec());
        prop_assert_eq!(m(x, y, x), y.as_bytes().to_vec());
        prop_assert_eq!(m(x, x, y), y.as_bytes().to_vec());
        prop_assert_eq!(m(x, y, y), y.as_bytes().to_vec());
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::prop_config(64))]

    #[test]
    fn json_edits_on_both_sides_merge_into_both(
        actions in proptest::collection::vec(0u8..7, 1..12),
        adds_ours in proptest::collection::vec(0usize..16, 0..3),
        adds_theirs in proptest::collection::vec(0usize..16, 0..3),
        layout in 0usize..4,
    ) {
        json_edits_merge_into_both(&actions, &adds_ours, &adds_theirs, layout)?;
    }
}

/// Cases the property test once shrank to, kept by name.
#[test]
fn json_edits_regressions() {
    // Ours deletes the only member and becomes `{}`: the result must stay pretty-printed.
    for layout in 0..4 {
        json_edits_merge_into_both(&[4], &[], &[], layout).unwrap();
    }
    // One member edited on both sides, theirs adds a member first.
    json_edits_merge_into_both(&[3], &[], &[0], 0).unwrap();
    // Everything gone from ours, additions on both sides.
    json_edits_merge_into_both(&[4, 4, 5], &[0, 1], &[2], 1).unwrap();
}

/// A form of four sections on two tabs whose cells stand each in a row of its own, in the
/// order of their numbers: cell `i` in section `section[i]`, with label `Field i` (`Renamed
/// i` where `renamed[i]`) and its control disabled where `disabled[i]`.
fn moves_form(section: &[usize], renamed: &[bool], disabled: &[bool]) -> String {
    let mut out = String::from(
        "<forms>\n  <systemform>\n    <formid>{5d2c7a8e-3b1f-ef11-9f89-000d3a1b2c4d}</formid>\n    <form>\n      <tabs>\n",
    );
    for tab in 0..2 {
        out.push_str(&format!(
            "        <tab id=\"{{aa000000-0000-0000-0000-00000000000{tab}}}\" name=\"t{tab}\">\n          <columns>\n            <column width=\"100%\">\n              <sections>\n"
        ));
        for s in [2 * tab, 2 * tab + 1] {
            out.push_str(&format!(
                "                <section id=\"{{bb000000-0000-0000-0000-00000000000{s}}}\" name=\"s{s}\">\n                  <rows>"
            ));
            for (i, _) in section.iter().enumerate().filter(|(_, at)| **at == s) {
                let label = if renamed[i] { "Renamed" } else { "Field" };
                let off = if disabled[i] {
                    " disabled=\"true\""
                } else {
                    ""
                };
                out.push_str(&format!(
                    "\n                    <row>\n                      <cell id=\"{{cc000000-0000-0000-0000-00000000000{i}}}\">\n                        <labels>\n                          <label description=\"{label} {i}\" languagecode=\"1033\" />\n                        </labels>\n                        <control id=\"new_f{i}\" datafieldname=\"new_f{i}\"{off} />\n                      </cell>\n                    </row>"
                ));
            }
            out.push_str("\n                  </rows>\n                </section>\n");
        }
        out.push_str("              </sections>\n            </column>\n          </columns>\n        </tab>\n");
    }
    out.push_str("      </tabs>\n    </form>\n  </systemform>\n</forms>\n");
    out
}

/// Each section's rows, byte for byte, in sorted order: where two sides both move a field
/// into one section next to the same neighbour, either order is right.
fn placement(text: &[u8]) -> Vec<(String, Vec<String>)> {
    let doc = Document::parse(String::from_utf8(text.to_vec()).unwrap(), "form.xml").unwrap();
    (0..doc.node_count() as u32)
        .map(NodeId)
        .filter(|&n| doc.is_element(n) && doc.name(n) == "section")
        .map(|section| {
            let rows = doc.child(section, "rows").unwrap();
            let mut cells: Vec<String> =
                doc.elements(rows).map(|r| doc.raw(r).to_string()).collect();
            cells.sort();
            (doc.attr(section, "name").unwrap().into_owned(), cells)
        })
        .collect()
}

/// Ours moves some fields to other sections and renames some; theirs moves other fields
/// and disables some controls. The merge places each field where the side that moved it
/// put it, with both sides' edits, as a form written so would read (rows byte for byte);
/// swapping the sides places them alike; and the laws hold with the moves in.
fn moves_compose_with_edits(
    start: &[usize],
    moves_ours: &[(usize, usize)],
    moves_theirs: &[(usize, usize)],
    renamed: &[bool],
    disabled: &[bool],
) -> Result<(), TestCaseError> {
    let n = start.len();
    let none = vec![false; n];
    let (mut ours_at, mut theirs_at, mut merged_at) =
        (start.to_vec(), start.to_vec(), start.to_vec());
    let mut moved_by_ours = vec![false; n];
    for &(cell, to) in moves_ours {
        ours_at[cell % n] = to;
        merged_at[cell % n] = to;
        moved_by_ours[cell % n] = true;
    }
    for &(cell, to) in moves_theirs {
        if !moved_by_ours[cell % n] {
            theirs_at[cell % n] = to;
            merged_at[cell % n] = to;
        }
    }
    let base = moves_form(start, &none, &none);
    let ours = moves_form(&ours_at, renamed, &none);
    let theirs = moves_form(&theirs_at, &none, disabled);
    let expected = moves_form(&merged_at, renamed, disabled);
    let opts = MergeOptions {
        path: Some("Entities/new_x/FormXml/main/form.xml".into()),
        ..MergeOptions::default()
    };
    let out = merge_files(
        Some(base.as_bytes()),
        ours.as_bytes(),
        theirs.as_bytes(),
        &opts,
    );
    prop_assert!(out.conflicts.is_empty(), "{:?}", out.conflicts);
    prop_assert_eq!(placement(&out.bytes), placement(expected.as_bytes()));
    let swapped = merge_files(
        Some(base.as_bytes()),
        theirs.as_bytes(),
        ours.as_bytes(),
        &opts,
    );
    prop_assert!(swapped.conflicts.is_empty(), "{:?}", swapped.conflicts);
    prop_assert_eq!(placement(&swapped.bytes), placement(expected.as_bytes()));
    for (x, y) in [(&base, &ours), (&base, &theirs), (&ours, &theirs)] {
        let (x, y) = (x.as_bytes(), y.as_bytes());
        prop_assert!(merge_files(Some(x), y, x, &opts).bytes == y);
        prop_assert!(merge_files(Some(x), x, y, &opts).bytes == y);
        prop_assert!(merge_files(Some(x), y, y, &opts).bytes == y);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::prop_config(64))]

    #[test]
    fn moves_of_form_fields_compose_with_edits_of_the_other_side(
        start in proptest::collection::vec(0usize..4, 6),
        moves_ours in proptest::collection::vec((0usize..6, 0usize..4), 0..4),
        moves_theirs in proptest::collection::vec((0usize..6, 0usize..4), 0..4),
        renamed in proptest::collection::vec(any::<bool>(), 6),
        disabled in proptest::collection::vec(any::<bool>(), 6),
    ) {
        moves_compose_with_edits(&start, &moves_ours, &moves_theirs, &renamed, &disabled)?;
    }
}
