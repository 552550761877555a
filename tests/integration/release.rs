//! The release workflow (`.github/workflows/release.yml`) as GitHub Actions reads it: it
//! parses, runs on version tags, tests on Linux, macOS and Windows with the cargo steps
//! `.ci/run` runs, and builds the binary for each release platform.

use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

fn workflow() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text).unwrap();
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

/// Every `run:` script of a job's steps.
fn runs(job: &Yaml) -> Vec<String> {
    job["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_release_workflow_tests_everywhere_and_builds_every_platform() {
    let w = workflow();
    let tags = w["on"]["push"]["tags"].as_vec().unwrap();
    assert_eq!(tags[0].as_str(), Some("v*"));

    let test = &w["jobs"]["test"];
    let oses: Vec<&str> = test["strategy"]["matrix"]["os"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    for os in ["ubuntu-latest", "macos-latest", "windows-latest"] {
        assert!(oses.contains(&os), "{os}");
    }
    // The Linux test steps are .ci/run's cargo steps (without --include-ignored: no corpus).
    let ci =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    let scripts = runs(test);
    for step in [
        "cargo fmt --check",
        "cargo clippy --locked --workspace --all-targets -- -D warnings",
        "cargo test --locked --workspace",
    ] {
        assert!(
            scripts.iter().any(|s| s == step),
            "{step} missing from the workflow"
        );
        assert!(
            ci.lines().any(|l| l.starts_with(step)),
            "{step} missing from .ci/run"
        );
    }

    let build = &w["jobs"]["build"];
    let targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|m| m["target"].as_str())
        .collect();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&target), "{target}");
    }
    assert!(
        runs(build)
            .iter()
            .any(|s| s.starts_with("cargo build --release --locked -p soltree")),
        "the build step"
    );
    assert_eq!(build["needs"].as_str(), Some("test"));
    assert_eq!(w["jobs"]["release"]["needs"].as_str(), Some("build"));
}
