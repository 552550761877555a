//! The pipelines in `examples/` (GitHub Actions, Azure DevOps) that post `soltree diff`'s
//! Markdown report on a pull request: each workflow file parses as YAML with the shape its
//! service expects, and its report step — the script as written, with the service's
//! variables filled in — runs against a real git repository whose target branch holds the
//! sample solution's v1 and whose pull request holds v2, reading both sides with `REV:PATH`.

use crate::testdata;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

fn example(rel: &str) -> Yaml {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs =
        YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{}", path.display());
    docs.remove(0)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A repository with `main` (and its remote-tracking `origin/main`) holding the sample v1
/// at `src/MySolution`, checked out on a pull-request branch that holds v2. Nothing of the
/// solution is left in the work tree: both sides must come from git.
fn pull_request_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let sol = repo.join("src/MySolution");
    crate::copy_tree(&testdata("sample/v1"), &sol);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "v1"]);
    git(repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::remove_dir_all(&sol).unwrap();
    crate::copy_tree(&testdata("sample/v2"), &sol);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "v2"]);
    std::fs::remove_dir_all(repo.join("src")).unwrap();
    dir
}

/// Runs a step's script with bash, soltree first on the PATH, and checks the report it
/// leaves.
fn run_report_step(script: &str, env: &[(&str, &str)]) {
    assert!(script.contains("soltree diff"), "{script}");
    let repo = pull_request_repo();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_soltree"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .current_dir(repo.path())
        .env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(repo.path().join("soltree-diff.md")).unwrap();
    assert!(
        md.starts_with("### soltree diff: ContosoSales 1.0.0.1 → 1.0.0.2"),
        "{md}"
    );
    assert!(md.contains("| Column | 1 | 0 | 2 |"), "{md}");
    assert!(md.len() <= soltree::render::PR_COMMENT_LIMIT);
}

fn steps(doc: &Yaml) -> Vec<&Yaml> {
    doc["steps"]
        .as_vec()
        .map(|v| v.iter().collect())
        .unwrap_or_default()
}

#[test]
fn github_actions_example_posts_the_report_of_a_pull_request() {
    let doc = example("github-actions/soltree-diff.yml");
    assert!(doc["on"]["pull_request"].as_hash().is_some());
    assert_eq!(doc["permissions"]["pull-requests"].as_str(), Some("write"));
    let job = &doc["jobs"]["report"];
    assert_eq!(job["runs-on"].as_str(), Some("ubuntu-latest"));
    let steps: Vec<&Yaml> = job["steps"].as_vec().unwrap().iter().collect();
    assert_eq!(steps[0]["uses"].as_str(), Some("actions/checkout@v4"));
    assert_eq!(steps[0]["with"]["fetch-depth"].as_i64(), Some(0));
    let diff = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("soltree diff"))
        .expect("a step runs soltree diff");
    let script = diff.replace("${{ github.base_ref }}", "main");
    let solution = doc["env"]["SOLUTION"].as_str().unwrap();
    run_report_step(&script, &[("SOLUTION", solution)]);
    let post = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("gh pr comment"))
        .expect("a step posts the comment");
    assert!(post.contains("--body-file soltree-diff.md"));
}

#[test]
fn azure_devops_example_posts_the_report_of_a_pull_request() {
    let doc = example("azure-devops/soltree-diff.yml");
    let steps = steps(&doc);
    assert_eq!(steps[0]["checkout"].as_str(), Some("self"));
    assert_eq!(steps[0]["fetchDepth"].as_i64(), Some(0));
    let diff = steps
        .iter()
        .filter_map(|s| s["script"].as_str())
        .find(|r| r.contains("soltree diff"))
        .expect("a step runs soltree diff");
    // Azure DevOps fills in `$(…)` macros before the script runs.
    let script = diff.replace("$(System.PullRequest.TargetBranch)", "refs/heads/main");
    let solution = doc["variables"]["SOLUTION"].as_str().unwrap();
    run_report_step(&script, &[("SOLUTION", solution)]);
    let post = steps
        .iter()
        .find(|s| {
            s["script"]
                .as_str()
                .is_some_and(|r| r.contains("/threads?"))
        })
        .expect("a step posts a thread");
    assert_eq!(
        post["env"]["SYSTEM_ACCESSTOKEN"].as_str(),
        Some("$(System.AccessToken)")
    );
}
