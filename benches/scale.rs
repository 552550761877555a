//! Scale benchmark (not a timed test): generates large, realistic customizations.xml files
//! with `soltree::synth`, then measures, each in a fresh child process so peak memory is
//! the operation's own:
//!
//! * `read`: read the file and build the canonical component tree (parse + classify),
//! * `roundtrip`: write the tree back byte for byte,
//! * `normalize`: write the canonical form,
//! * `check`: read the file and run every check of `soltree check` on it, freeing what it
//!   built, compared with `read` timed the same way (read, build the tree, free it: what
//!   `show` does before and after it prints), and with `show` whole (the same, plus the
//!   listing made and written to memory); each ratio is the median of each run's,
//! * `merge`: three-way merge of a generated base/ours/theirs of the same size (scattered
//!   edits on different components on each side), with the check of its clean result that
//!   the `merge` command runs (timed apart too), next to
//! * `git merge-file` on the same three files, the line-merge baseline run in the same script
//!   (machines here are noisy: compare ratios, not seconds).
//!
//! Usage: `cargo bench --bench scale -- [--sizes 10,100] [--runs 5] [--seed 7]`.
//! Files are cached under `bench-data/` (git-ignored).

use soltree::input::{self, Limits};
use soltree::model::{ComponentTree, Part};
use soltree::normalize::normalize_document;
use soltree_synth::{self as synth, SynthConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Runs one measurement in this process and prints `secs peak_bytes`.
fn child(op: &str, file: &Path) {
    let limits = Limits::default();
    match op {
        "read" => {
            let t = Instant::now();
            let tree = ComponentTree::load(file, &limits).expect("load");
            assert!(!tree.components.is_empty());
            let built = t.elapsed().as_secs_f64();
            // Freeing what was built is part of the work, as it is for `check` (whose report
            // outlives the tree it builds): the time is read after the drop.
            drop(tree);
            let secs = t.elapsed().as_secs_f64();
            println!("{secs} {} {}", peak_rss_bytes(), secs - built);
        }
        "show" => {
            // What `soltree show` does: read, list the components, write the listing.
            let t = Instant::now();
            let tree = ComponentTree::load(file, &limits).expect("load");
            let mut out = Vec::new();
            soltree::show::render_text(&soltree::show::inventory(&tree), &mut out).expect("render");
            drop(tree);
            let secs = t.elapsed().as_secs_f64();
            assert!(!out.is_empty());
            println!("{secs} {}", peak_rss_bytes());
        }
        "roundtrip" | "normalize" => {
            let tree = ComponentTree::load(file, &limits).expect("load");
            let Part::Xml(doc) = &tree.entries[0].part else {
                panic!("not XML")
            };
            let t = Instant::now();
            let out = if op == "roundtrip" {
                let mut out = Vec::new();
                doc.write_to(&mut out);
                assert!(out == doc.text().as_bytes(), "round trip differs");
                out
            } else {
                normalize_document(doc)
            };
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(out.len(), doc.text().len());
            println!("{secs} {}", peak_rss_bytes());
        }
        "check" => {
            let t = Instant::now();
            let pkg = input::read(file, &limits).expect("read");
            let report = soltree::check::check(pkg, &soltree::check::CheckOptions::default());
            let secs = t.elapsed().as_secs_f64();
            assert!(report.problems.is_empty(), "{:?}", &report.problems[..1]);
            println!("{secs} {}", peak_rss_bytes());
        }
        "merge" => {
            let stem = file.to_string_lossy().trim_end_matches(".xml").to_string();
            let read = |side: &str| std::fs::read(format!("{stem}-{side}.xml")).expect("triple");
            let (b, o, t) = (read("base"), read("ours"), read("theirs"));
            let opts = soltree::merge::MergeOptions {
                timeout: std::time::Duration::from_secs(600),
                ..Default::default()
            };
            let start = Instant::now();
            let mut out = soltree::merge::merge_owned(Some(b), o, t, &opts);
            let merged = start.elapsed().as_secs_f64();
            // What `soltree merge` does next: check the clean result (the sides are read
            // again only when it has errors, which it must not).
            soltree::merge::run::check_file_result(&mut out, "customizations.xml", &opts, &|| {
                panic!("the generated merge has no errors to compare")
            });
            let secs = start.elapsed().as_secs_f64();
            assert!(
                out.is_clean() && out.fallback.is_none(),
                "{:?} {:?}",
                out.fallback,
                out.conflicts
            );
            println!("{secs} {} {}", peak_rss_bytes(), secs - merged);
        }
        _ => panic!("unknown op {op}"),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn run_child(op: &str, file: &Path) -> (f64, u64) {
    let (secs, peak, _) = run_child_parts(op, file);
    (secs, peak)
}

/// The child's time, peak memory, and the part of the time it names third (0 if none).
fn run_child_parts(op: &str, file: &Path) -> (f64, u64, f64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", op])
        .arg(file)
        .output()
        .expect("spawn child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut it = text.split_whitespace();
    (
        it.next().unwrap().parse().unwrap(),
        it.next().unwrap().parse().unwrap(),
        it.next().map_or(0.0, |p| p.parse().unwrap()),
    )
}

fn ensure(path: &Path, make: impl FnOnce() -> String) {
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let t = Instant::now();
        let text = make();
        std::fs::write(path, text).unwrap();
        eprintln!(
            "generated {} in {:.1}s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], Path::new(&args[2]));
        return;
    }
    let mut sizes = vec![10usize, 100];
    let mut runs = 5usize;
    let mut seed = 7u64;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sizes" => {
                sizes = args[i + 1].split(',').map(|s| s.parse().unwrap()).collect();
                i += 1;
            }
            "--runs" => {
                runs = args[i + 1].parse().unwrap();
                i += 1;
            }
            "--seed" => {
                seed = args[i + 1].parse().unwrap();
                i += 1;
            }
            _ => {} // cargo bench passes --bench
        }
        i += 1;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data");
    println!("soltree scale bench · {runs} runs per figure (median) · seed {seed}");
    println!(
        "{:>7}  {:>22}  {:>22}  {:>22}  {:>18}",
        "size", "read+tree MB/s (peak)", "round-trip MB/s", "normalize MB/s", "git merge-file s"
    );
    for size in sizes {
        let cfg = SynthConfig {
            target_bytes: size << 20,
            seed,
        };
        let file = dir.join(format!("synth-{size}mb-{seed}.xml"));
        ensure(&file, || synth::generate(&cfg));
        // The triple's files sit beside it: <stem>-base.xml, -ours.xml, -theirs.xml.
        let (b, o, t) = (
            dir.join(format!("synth-{size}mb-{seed}-base.xml")),
            dir.join(format!("synth-{size}mb-{seed}-ours.xml")),
            dir.join(format!("synth-{size}mb-{seed}-theirs.xml")),
        );
        if !(b.exists() && o.exists() && t.exists()) {
            let (base, ours, theirs) = synth::generate_triple(&cfg, 25);
            std::fs::write(&b, base).unwrap();
            std::fs::write(&o, ours).unwrap();
            std::fs::write(&t, theirs).unwrap();
        }
        let bytes = std::fs::metadata(&file).unwrap().len() as f64;
        let mb = bytes / (1u64 << 20) as f64;
        // Make sure the reader accepts it before timing anything.
        input::read(&file, &Limits::default()).unwrap();
        let (mut read, mut rt, mut norm, mut git) = (vec![], vec![], vec![], vec![]);
        let (mut merge, mut merge_peak, mut merge_check) = (vec![], 0u64, vec![]);
        let (mut check, mut check_peak, mut check_ratio) = (vec![], 0u64, vec![]);
        let (mut read_with_drop, mut show, mut show_ratio) = (vec![], vec![], vec![]);
        let mut peak = 0u64;
        for _ in 0..runs {
            // The read's time with the tree freed, for `check`; without, for the read figure.
            let (with_drop, p, drop_secs) = run_child_parts("read", &file);
            read.push(with_drop - drop_secs);
            read_with_drop.push(with_drop);
            peak = peak.max(p);
            rt.push(run_child("roundtrip", &file).0);
            let (s, p, c) = run_child_parts("merge", &file);
            merge.push(s);
            merge_check.push(c);
            merge_peak = merge_peak.max(p);
            norm.push(run_child("normalize", &file).0);
            let (s, p) = run_child("check", &file);
            check.push(s);
            check_ratio.push(s / with_drop);
            check_peak = check_peak.max(p);
            let shown = run_child("show", &file).0;
            show.push(shown);
            show_ratio.push(s / shown);
            let t0 = Instant::now();
            let status = Command::new("git")
                .args(["merge-file", "-p"])
                .args([&o, &b, &t])
                .stdout(std::process::Stdio::null())
                .status()
                .expect("git merge-file");
            git.push(t0.elapsed().as_secs_f64());
            assert!(status.code().is_some());
        }
        let (r, w, n, g) = (median(read), median(rt), median(norm), median(git));
        println!(
            "{:>5.0}MB  {:>9.0} ({:>4.2}× file)  {:>22.0}  {:>22.0}  {:>18.2}",
            mb,
            mb / r,
            peak as f64 / bytes,
            mb / w,
            mb / n,
            g
        );
        println!(
            "         check {:.3}s vs read+tree (and free it) {:.3}s: ratio {:.3} (median of each run's) · peak {:.2}× the file",
            median(check.clone()),
            median(read_with_drop),
            median(check_ratio),
            check_peak as f64 / bytes
        );
        println!(
            "         check {:.3}s vs show (read, list, write the listing) {:.3}s: ratio {:.3} (median of each run's)",
            median(check),
            median(show),
            median(show_ratio),
        );
        let m = median(merge);
        let three: u64 = [&b, &o, &t]
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        println!(
            "         merge (25 edits per side, clean, its result checked) {:.2}s vs git merge-file {:.2}s: ratio {:.2} · peak {:.2}× the three inputs",
            m,
            g,
            m / g,
            merge_peak as f64 / three as f64
        );
        let mc = median(merge_check);
        println!(
            "         of which the check of the result {:.2}s; without it {:.2}s: ratio {:.2}",
            mc,
            m - mc,
            (m - mc) / g
        );
    }
}
