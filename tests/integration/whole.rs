//! The five whole real merges of the corpus (`whole-merges/<repo>/<merge>/{base,ours,theirs,
//! resolved}`), replayed three ways: through real git with the soltree driver installed
//! (base, ours and theirs as commits, then `git merge`), through plain git, and as a folder
//! merge (`soltree merge BASE OURS THEIRS -o OUT`). Per merge it counts the files that end up
//! as the people resolved them and the files left in conflict, prints the table (README
//! "Use it with git" quotes it) and checks that soltree never does worse than plain git.

use crate::corpus;
use crate::git::{Repo, soltree_merge, tree};
use soltree::model::{Classifier, Ident};
use soltree::normalize::normalize_document;
use soltree::xml::{Document, NodeId, unescape_lossy};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Tree = BTreeMap<String, Vec<u8>>;

/// Equal as files, or equal XML in canonical form: members of unordered sets (relationships,
/// root components, columns, …) sorted by key as `soltree normalize` does, then the
/// canonicalisation of `shared/tools/replay.py` (attribute order, whitespace around text,
/// line endings and `<a/>` vs `<a></a>` ignored; the order of everything else kept).
fn same(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let canon = |x: &[u8]| -> Option<String> {
        let text = String::from_utf8(x.to_vec()).ok()?;
        let doc = Document::parse(text, "x").ok()?;
        let sorted = String::from_utf8(normalize_document(&doc)).ok()?;
        let doc = Document::parse(sorted, "x").ok()?;
        let mut out = String::new();
        canonical(&doc, doc.root()?, &mut out);
        Some(out)
    };
    matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

fn canonical(doc: &Document, node: NodeId, out: &mut String) {
    let mut attrs: Vec<(String, String)> = doc
        .attributes(node)
        .map(|(k, v)| (k.to_string(), unescape_lossy(v).into_owned()))
        .collect();
    attrs.sort();
    out.push('<');
    out.push_str(doc.name(node));
    for (k, v) in attrs {
        out.push_str(&format!(" {k}={v:?}"));
    }
    out.push('>');
    let kids: Vec<NodeId> = doc.elements(node).collect();
    if kids.is_empty() {
        out.push_str(doc.text_of(node).trim());
    }
    for k in kids {
        canonical(doc, k, out);
    }
    out.push_str("</>");
}

/// A human resolution no correct merge can equal: committed with conflict markers still in
/// it, or holding the same keyed item twice among its siblings (git's line merge duplicates
/// what both sides added, and the duplicate was committed).
fn defective(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data).into_owned();
    if soltree::merge::has_conflict_markers(&text) {
        return true;
    }
    let Ok(doc) = Document::parse(text, "x") else {
        return false;
    };
    let classifier = Classifier::new(&doc);
    let mut stack: Vec<NodeId> = doc.root().into_iter().collect();
    while let Some(node) = stack.pop() {
        for child in classifier.children(node) {
            if let Ident::Keyed { key, .. } = &child.ident
                && key.contains('#')
            {
                return true;
            }
            stack.push(child.node);
        }
    }
    false
}

/// Files as resolved, out of all the files the merge involves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    pub files: usize,
    pub as_resolved: usize,
    pub conflicted: usize,
}

fn score(result: &Tree, resolved: &Tree, universe: &BTreeSet<String>, conflicted: usize) -> Score {
    let as_resolved = universe
        .iter()
        .filter(|p| match (result.get(*p), resolved.get(*p)) {
            (Some(a), Some(b)) => same(a, b),
            (None, None) => true,
            _ => false,
        })
        .count();
    Score {
        files: universe.len(),
        as_resolved,
        conflicted,
    }
}

/// Replaces the work tree's content with `side` and commits it.
fn commit_tree(repo: &Repo, side: &Path, msg: &str) {
    for entry in std::fs::read_dir(&repo.root).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name == ".git" || name == ".gitattributes" {
            continue;
        }
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for (rel, data) in tree(side) {
        repo.write(&rel, &data);
    }
    repo.commit_all(msg);
}

/// Replays one merge through git, with or without the driver.
fn through_git(case: &Path, driver: bool) -> (Tree, usize) {
    let repo = Repo::new();
    // What checks out is what was committed: no line-ending conversion.
    repo.ok(&["config", "core.autocrlf", "false"]);
    if driver {
        repo.install();
    } else {
        repo.write(".gitattributes", b"");
        repo.commit_all("no drivers");
    }
    commit_tree(&repo, &case.join("base"), "base");
    repo.ok(&["checkout", "-qb", "theirs"]);
    commit_tree(&repo, &case.join("theirs"), "theirs");
    repo.ok(&["checkout", "-q", "main"]);
    commit_tree(&repo, &case.join("ours"), "ours");
    let out = repo.git(&["merge", "--no-edit", "theirs"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: git merge failed: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let unmerged = repo.ok(&["diff", "--name-only", "--diff-filter=U"]);
    for p in unmerged.lines() {
        eprintln!(
            "{} [{}] conflicted: {p}",
            case.display(),
            if driver { "driver" } else { "plain git" }
        );
    }
    let mut result = tree(&repo.root);
    result.retain(|p, _| !p.starts_with(".git/") && p != ".gitattributes");
    (result, unmerged.lines().count())
}

/// Replays one merge as a folder merge.
fn as_folders(case: &Path) -> (Tree, usize) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let report = dir.path().join("report.json");
    let out = soltree_merge(
        ["base", "ours", "theirs"].map(|s| case.join(s)),
        &out_dir,
        Some(&report),
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: {}",
        case.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    let conflicted = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            matches!(
                e["resolution"].as_str(),
                Some(
                    "conflicted"
                        | "binary-conflict"
                        | "deleted-by-ours-changed-by-theirs"
                        | "deleted-by-theirs-changed-by-ours"
                )
            )
        })
        .count();
    (tree(&out_dir), conflicted)
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn whole_real_merges_through_git_and_as_folders() {
    let root = corpus();
    let mut cases = Vec::new();
    for repo in std::fs::read_dir(root.join("whole-merges")).unwrap() {
        for case in std::fs::read_dir(repo.unwrap().path()).unwrap() {
            let case = case.unwrap().path();
            if case.join("base").is_dir() {
                cases.push(case);
            }
        }
    }
    cases.sort();
    assert_eq!(cases.len(), 5, "the corpus has five whole merges");
    let mut lines = vec![
        "| merge | files (usable human resolution) | plain git: as resolved / conflicted | soltree driver: as resolved / conflicted | soltree folder merge: as resolved / conflicted |".to_string(),
        "| --- | ---: | ---: | ---: | ---: |".to_string(),
    ];
    let mut totals = [Score::default(); 3];
    let mut total_marked = 0;
    for case in &cases {
        let resolved = tree(&case.join("resolved"));
        let mut universe: BTreeSet<String> = resolved.keys().cloned().collect();
        for side in ["base", "ours", "theirs"] {
            universe.extend(tree(&case.join(side)).into_keys());
        }
        // Files whose human resolution no correct merge can equal (markers, duplicates).
        let bad: BTreeSet<String> = resolved
            .iter()
            .filter(|(_, d)| defective(d))
            .map(|(p, _)| p.clone())
            .collect();
        let marked = bad.len();
        let valid: BTreeSet<String> = universe.difference(&bad).cloned().collect();
        let (git_tree, git_conflicts) = through_git(case, false);
        let (drv_tree, drv_conflicts) = through_git(case, true);
        let (dir_tree, dir_conflicts) = as_folders(case);
        let scores = [
            score(&git_tree, &resolved, &universe, git_conflicts),
            score(&drv_tree, &resolved, &universe, drv_conflicts),
            score(&dir_tree, &resolved, &universe, dir_conflicts),
        ];
        // The same on the files with a usable human resolution: what the assertions use.
        let fair = [
            score(&git_tree, &resolved, &valid, git_conflicts),
            score(&drv_tree, &resolved, &valid, drv_conflicts),
            score(&dir_tree, &resolved, &valid, dir_conflicts),
        ];
        let name = format!(
            "{}/{}",
            case.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy(),
            case.file_name().unwrap().to_string_lossy()
        );
        // Every file that differs from the human resolution, for the README's explanations.
        for (label, t) in [("driver", &drv_tree), ("folder", &dir_tree)] {
            for p in &valid {
                let ok = match (t.get(p), resolved.get(p)) {
                    (Some(a), Some(b)) => same(a, b),
                    (None, None) => true,
                    _ => false,
                };
                if !ok {
                    eprintln!(
                        "{name} [{label}] differs from resolved: {p} ({})",
                        match (t.get(p), resolved.get(p)) {
                            (None, _) => "absent in result",
                            (_, None) => "absent in resolved",
                            (Some(a), _) if String::from_utf8_lossy(a).contains("<<<<<<<") =>
                                "conflict markers",
                            _ => "content",
                        }
                    );
                }
            }
        }
        lines.push(format!(
            "| {name} | {} ({}) | {} / {} | {} / {} | {} / {} |",
            universe.len(),
            valid.len(),
            fair[0].as_resolved,
            fair[0].conflicted,
            fair[1].as_resolved,
            fair[1].conflicted,
            fair[2].as_resolved,
            fair[2].conflicted,
        ));
        eprintln!(
            "{name}: on all {} files (defective resolutions included): plain git {} as resolved, driver {}, folder merge {}",
            universe.len(),
            scores[0].as_resolved,
            scores[1].as_resolved,
            scores[2].as_resolved
        );
        total_marked += marked;
        for (t, s) in totals.iter_mut().zip(fair) {
            t.files += s.files;
            t.as_resolved += s.as_resolved;
            t.conflicted += s.conflicted;
        }
        for (who, s) in [("the driver", fair[1]), ("the folder merge", fair[2])] {
            assert!(
                s.as_resolved >= fair[0].as_resolved && s.conflicted <= fair[0].conflicted,
                "{name}: {who} does worse than plain git: {fair:?}"
            );
        }
    }
    lines.push(format!(
        "| **total** | {} ({}) | {} / {} | {} / {} | {} / {} |",
        totals[0].files + total_marked,
        totals[0].files,
        totals[0].as_resolved,
        totals[0].conflicted,
        totals[1].as_resolved,
        totals[1].conflicted,
        totals[2].as_resolved,
        totals[2].conflicted,
    ));
    eprintln!("{}", lines.join("\n"));
}
