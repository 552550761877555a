//! The one integration-test binary: command-line behaviour, the real-corpus checks and the
//! property tests, one module each.

mod check;
mod cli;
mod corpus;
mod diff;
#[cfg(unix)]
mod examples;
mod git;
mod hardening;
mod html_page;
mod input_hardening;
mod merge;
mod package;
mod packager;
mod props;
// The README and example pipelines run their commands in a POSIX shell.
#[cfg(unix)]
mod readme;
mod release;
mod whole;
mod yaml;

use std::path::PathBuf;

/// The shared corpus of real solutions: `SOLTREE_CORPUS`, else `../shared/corpus` beside the
/// checkout. Tests that read it are `#[ignore = "needs SOLTREE_CORPUS"]`, so a plain
/// `cargo test` reports them as ignored; run with `--include-ignored` (as `.ci/run` does)
/// they need the corpus, and a missing one fails them.
pub fn corpus() -> PathBuf {
    let dir = match std::env::var_os("SOLTREE_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from("../shared/corpus"),
    };
    let dir = if dir.is_relative() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)
    } else {
        dir
    };
    assert!(
        dir.join("README.md").is_file(),
        "the corpus is not at {} (set SOLTREE_CORPUS to it)",
        dir.display()
    );
    dir
}

/// Property-test settings every `proptest!` block here uses: `cases` cases from a fixed seed,
/// so a run is the same on every machine and CI cannot fail at random, and no failure files
/// written into the source tree (a clean run leaves the checkout clean; cases that matter are
/// kept as named tests). `SOLTREE_PROPTEST_SEED=<n>` explores another seed by hand.
pub fn prop_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let seed = std::env::var("SOLTREE_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0x5017_7EE5);
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// Copies the folder `from` (recursively) to `to`, creating it.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// `soltree diff A B` finds no difference between the two packages (exit 0).
pub fn assert_same_solution(a: &std::path::Path, b: &std::path::Path) {
    let diff = assert_cmd::cargo::cargo_bin_cmd!("soltree")
        .arg("diff")
        .arg(a)
        .arg(b)
        .output()
        .unwrap();
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{} against {}:\n{}{}",
        a.display(),
        b.display(),
        String::from_utf8_lossy(&diff.stdout),
        String::from_utf8_lossy(&diff.stderr)
    );
}

/// Every zip of the corpus (`zips/<group>/*.zip`), sorted.
pub fn corpus_zips(root: &std::path::Path) -> Vec<PathBuf> {
    let mut zips: Vec<PathBuf> = std::fs::read_dir(root.join("zips"))
        .unwrap()
        .flat_map(|g| std::fs::read_dir(g.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    zips.sort();
    zips
}
