//! Checks over every real package in the corpus: byte-for-byte round trips, idempotent
//! normalization, and the same inventory whatever the package form.

use crate::corpus;
use soltree::input::{self, Limits, PackageForm};
use soltree::model::{ComponentTree, Part};
use soltree::normalize;
use std::path::{Path, PathBuf};

/// Every package of the corpus: zips, extracted folders, the SolutionPackager tree, the
/// folders of the whole merges, and every file of the file-level merges.
fn packages(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let list = |p: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    for group in list(&root.join("zips")) {
        out.extend(
            list(&group)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "zip")),
        );
    }
    for group in list(&root.join("extracted")) {
        out.extend(list(&group).into_iter().filter(|p| p.is_dir()));
    }
    out.push(root.join("unpacked/opc"));
    for repo in list(&root.join("merges")) {
        for case in list(&repo) {
            out.extend(list(&case).into_iter().filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.ends_with(".xml")
                    && ["base", "ours", "theirs", "resolved"]
                        .iter()
                        .any(|s| name.starts_with(s))
            }));
        }
    }
    out
}

/// Every XML file under the whole-merge folders (they are partial trees, not packages).
fn whole_merge_files(root: &Path) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut v: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        v.sort();
        for e in v {
            if e.is_dir() {
                walk(&e, out);
            } else if e.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
                out.push(e);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("whole-merges"), &mut out);
    out
}

/// Humans committed a few files with git's conflict markers still in them; those are not
/// XML, and must be refused with a located error rather than read.
fn has_conflict_markers(p: &Path) -> bool {
    p.is_file()
        && std::fs::read(p)
            .map(|d| {
                d.split(|&b| b == b'\n')
                    .any(|l| l.starts_with(b"<<<<<<<") || l.starts_with(b">>>>>>>"))
            })
            .unwrap_or(false)
}

fn load(p: &Path) -> ComponentTree {
    ComponentTree::load(p, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn every_xml_entry_round_trips_byte_for_byte() {
    let root = corpus();
    let mut count = 0usize;
    let mut bytes = 0usize;
    let mut packages_seen = 0usize;
    let mut check = |label: &str, path: &str, original: &[u8], doc: &soltree::xml::Document| {
        let mut out = Vec::new();
        doc.write_to(&mut out);
        assert!(out == original, "{label}: {path} does not round-trip");
        count += 1;
        bytes += original.len();
    };
    let mut refused = 0usize;
    for pkg_path in packages(&root) {
        if has_conflict_markers(&pkg_path) {
            let err = ComponentTree::load(&pkg_path, &Limits::default()).unwrap_err();
            assert!(err.to_string().contains(':'), "{err}");
            refused += 1;
            continue;
        }
        let pkg = input::read(&pkg_path, &Limits::default()).unwrap();
        let originals: Vec<Vec<u8>> = pkg.entries.iter().map(|e| e.data.clone()).collect();
        let tree =
            ComponentTree::build(pkg).unwrap_or_else(|e| panic!("{}: {e}", pkg_path.display()));
        packages_seen += 1;
        for (e, original) in tree.entries.iter().zip(&originals) {
            if let Part::Xml(doc) = &e.part {
                check(&pkg_path.display().to_string(), &e.path, original, doc);
            }
        }
    }
    for file in whole_merge_files(&root) {
        if has_conflict_markers(&file) {
            refused += 1;
            continue;
        }
        let data = std::fs::read(&file).unwrap();
        let text = String::from_utf8(data.clone()).unwrap();
        let doc = soltree::xml::Document::parse(text, &file.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        check("whole-merge", &file.display().to_string(), &data, &doc);
    }
    eprintln!(
        "round-trip: {count} XML entries ({bytes} bytes) from {packages_seen} packages and the whole merges; {refused} committed files with conflict markers refused"
    );
    assert!(
        count > 1000,
        "expected the whole corpus, saw {count} entries"
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn normalize_is_idempotent_and_keeps_every_component() {
    let root = corpus();
    let mut n = 0;
    for pkg_path in packages(&root)
        .into_iter()
        .filter(|p| !has_conflict_markers(p))
    {
        let tree = load(&pkg_path);
        let once = normalize::normalize(&tree);
        let tree1 = ComponentTree::build(once.clone()).unwrap();
        let twice = normalize::normalize(&tree1);
        for (a, b) in once.entries.iter().zip(&twice.entries) {
            assert!(
                a.data == b.data,
                "{}: {} not idempotent",
                pkg_path.display(),
                a.path
            );
        }
        // Nothing renamed, nothing dropped: the same components, entries and bytes count.
        let mut before: Vec<_> = tree.components.iter().map(|c| c.path.clone()).collect();
        let mut after: Vec<_> = tree1.components.iter().map(|c| c.path.clone()).collect();
        before.sort();
        after.sort();
        assert_eq!(before, after, "{}", pkg_path.display());
        for (e, o) in tree.entries.iter().zip(&once.entries) {
            assert_eq!(e.path, o.path);
            if let Part::Xml(doc) = &e.part {
                assert_eq!(
                    doc.text().len(),
                    o.data.len(),
                    "{}: {}",
                    pkg_path.display(),
                    e.path
                );
            }
        }
        n += 1;
    }
    eprintln!("normalize idempotent on {n} packages");
}

/// Components from the entries both packages have (an extracted folder in the corpus
/// holds only the three root XML files of its zip).
fn inventory_keys(tree: &ComponentTree, other: &ComponentTree) -> Vec<(String, String)> {
    let shared = |c: &&soltree::model::Component| {
        let path = &tree.entries[c.entry].path;
        other
            .entries
            .iter()
            .any(|e| e.path.eq_ignore_ascii_case(path))
    };
    let mut v: Vec<_> = tree
        .components
        .iter()
        .filter(shared)
        .map(|c| (c.path.clone(), c.display.clone()))
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn zip_and_its_extracted_folder_give_the_same_inventory() {
    let root = corpus();
    let zip = root.join("zips/apollo/ApolloHospitalProject_1_0_0_3_managed.zip");
    let folder = root.join("extracted/apollo/ApolloHospitalProject_1_0_0_3_managed");
    let (a, b) = (load(&zip), load(&folder));
    assert_eq!(a.form, PackageForm::Zip);
    assert_eq!(b.form, PackageForm::ExtractedFolder);
    assert!(a.components.len() > 500);
    let (ka, kb) = (inventory_keys(&a, &b), inventory_keys(&b, &a));
    assert!(ka.len() > 500);
    assert_eq!(ka, kb);
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn packager_tree_paths_have_the_same_shape() {
    let root = corpus();
    let tree = load(&root.join("unpacked/opc"));
    assert_eq!(tree.form, PackageForm::PackagerFolder);
    let paths: Vec<&str> = tree.components.iter().map(|c| c.path.as_str()).collect();
    let has = |prefix: &str, inner: &str| {
        paths
            .iter()
            .any(|p| p.starts_with(prefix) && p.contains(inner))
    };
    // Forms and views from Entities/<E>/FormXml|SavedQueries files sit under their entity,
    // exactly as they do inside a customizations.xml.
    assert!(
        has("entity:opc_complaint/form:", ""),
        "forms under their entity"
    );
    assert!(
        has("entity:opc_complaint/view:", ""),
        "views under their entity"
    );
    assert!(
        has("entity:opc_complaint/attribute:", ""),
        "columns from Entity.xml"
    );
    assert!(has("relationship:", ""));
    assert!(has("role:", ""));
    assert!(has("workflow:", ""));
    assert!(has("optionset:", ""));
    assert!(has("app:", ""));
    assert!(has("sitemap:", ""));
    assert!(tree.solution().is_some());
    // No path appears twice: the relationships index and the `<RibbonDiffXml />` place
    // holders of Entity.xml are not second sources.
    let mut sorted = paths.clone();
    sorted.sort();
    let dups: Vec<_> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    assert!(dups.is_empty(), "{dups:?}");
}
