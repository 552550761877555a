//! The one integration-test binary: command-line behaviour, the real-corpus checks and the
//! property tests, one module each.

mod cli;
mod corpus;
mod diff;
mod git;
mod input_hardening;
mod merge;
mod package;
mod props;
mod whole;

use std::path::PathBuf;

/// The shared corpus of real solutions: `SOLTREE_CORPUS`, else `../shared/corpus` beside the
/// checkout. CI sets the variable, so there a missing corpus fails; elsewhere corpus tests
/// skip with a notice.
pub fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SOLTREE_CORPUS") {
        let dir = PathBuf::from(dir);
        let dir = if dir.is_relative() {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)
        } else {
            dir
        };
        assert!(
            dir.join("README.md").is_file(),
            "SOLTREE_CORPUS={} does not hold the corpus",
            dir.display()
        );
        return Some(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("README.md").is_file() {
        Some(dir)
    } else {
        eprintln!("notice: corpus not found (set SOLTREE_CORPUS); skipping corpus test");
        None
    }
}

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}
