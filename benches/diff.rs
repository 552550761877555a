//! Diff benchmark (not a timed test): generates an old/new pair of large customizations.xml
//! files with `soltree_synth::generate_pair` (about 50 scattered component changes), then
//! times, each as a child process and side by side in the same run:
//!
//! * `soltree diff OLD NEW` (the release binary, text output to a file), and
//! * `git diff --no-index OLD NEW` (the line-diff baseline, output to a file),
//!
//! and prints the medians and their ratio (machines here are noisy: compare ratios, not
//! seconds). Peak memory of the soltree run is read from `/usr/bin/time` when present.
//!
//! Usage: `cargo bench --bench diff -- [--sizes 10,100] [--runs 5] [--seed 7] [--changes 50]`.
//! Files are cached under `bench-data/` (git-ignored).

use soltree_synth::{self as synth, SynthConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs a command with stdout to `out`, returns (seconds, exit code).
fn timed(cmd: &mut Command, out: &Path) -> (f64, i32) {
    let file = std::fs::File::create(out).expect("output file");
    let t = Instant::now();
    let status = cmd
        .stdout(file)
        .stderr(Stdio::null())
        .status()
        .expect("spawn");
    (t.elapsed().as_secs_f64(), status.code().unwrap_or(-1))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes = vec![10usize, 100];
    let mut runs = 5usize;
    let mut seed = 7u64;
    let mut changes = 50usize;
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--sizes" => sizes = value().split(',').map(|s| s.parse().unwrap()).collect(),
            "--runs" => runs = value().parse().unwrap(),
            "--seed" => seed = value().parse().unwrap(),
            "--changes" => changes = value().parse().unwrap(),
            _ => {
                i += 1; // cargo bench passes --bench
                continue;
            }
        }
        i += 2;
    }
    let soltree = PathBuf::from(env!("CARGO_BIN_EXE_soltree"));
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "soltree diff bench · {runs} runs per figure (median) · seed {seed} · {changes} changes"
    );
    println!(
        "{:>7}  {:>14}  {:>14}  {:>8}  {:>12}  {:>16}",
        "size", "soltree diff s", "git diff s", "ratio", "components", "git diff lines"
    );
    for size in sizes {
        let cfg = SynthConfig {
            target_bytes: size << 20,
            seed,
        };
        let old = dir.join(format!("synth-{size}mb-{seed}-old.xml"));
        let new = dir.join(format!("synth-{size}mb-{seed}-new-{changes}.xml"));
        if !(old.exists() && new.exists()) {
            let t = Instant::now();
            let (a, b) = synth::generate_pair(&cfg, changes);
            std::fs::write(&old, a).unwrap();
            std::fs::write(&new, b).unwrap();
            eprintln!(
                "generated {} and {} in {:.1}s",
                old.display(),
                new.display(),
                t.elapsed().as_secs_f64()
            );
        }
        let bytes = std::fs::metadata(&old).unwrap().len() as f64;
        let (ours_out, git_out) = (dir.join("diff-soltree.out"), dir.join("diff-git.out"));
        let (mut ours, mut git) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let (s, code) = timed(
                Command::new(&soltree)
                    .args(["diff", "--color", "never"])
                    .args([&old, &new]),
                &ours_out,
            );
            assert_eq!(code, 1, "soltree diff should find the changes");
            ours.push(s);
            let (s, code) = timed(
                Command::new("git")
                    .args(["diff", "--no-index", "--no-color"])
                    .args([&old, &new]),
                &git_out,
            );
            assert_eq!(code, 1, "git diff should find the changes");
            git.push(s);
        }
        let report = std::fs::read_to_string(&ours_out).unwrap();
        let summary = report.lines().last().unwrap_or("").to_string();
        let git_lines = std::fs::read_to_string(&git_out)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        let (o, g) = (median(ours), median(git));
        println!(
            "{:>5.0}MB  {:>14.2}  {:>14.2}  {:>7.2}×  {:>12}  {:>16}",
            bytes / (1u64 << 20) as f64,
            o,
            g,
            o / g,
            summary.split(',').next().unwrap_or(""),
            git_lines
        );
        println!("         soltree: {summary}");
        println!(
            "         soltree diff takes {:.2}× the time of git diff --no-index on the same pair",
            o / g
        );
    }
}
