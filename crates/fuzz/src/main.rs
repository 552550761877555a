//! soltree-fuzz: a mutation fuzzer for soltree on stable Rust. It mutates the real corpus
//! (bytes, XML elements and identity keys, conflict markers, encodings, newlines, control
//! characters, `xsi:nil`, zip entries) and drives show, normalize, diff, merge, package
//! merge, the zip reader and whole command lines in process, checking the oracles in
//! [`check`]. Everything follows from `--seed` and the execution index, so `--execs N` is a
//! deterministic budget (CI) and `--seconds S` a long one.
//!
//! The process that starts is a supervisor: it runs the executions in a worker process and,
//! when the worker dies (a stack overflow, an abort, the watchdog ending a hang), records
//! the execution it died in and starts a new worker after it. Exit status: 0 nothing found,
//! 1 findings, 2 setup error.

mod check;
mod corpus;
mod findings;
mod harness;
mod mutate;
mod package;
mod plan;
mod reduce;
mod text;

use clap::Parser;
use findings::{Recorder, Report, Segment};
use plan::Target;
use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Parser, Debug)]
#[command(
    name = "soltree-fuzz",
    about = "Mutation fuzzer for soltree over the real solution corpus",
    long_about = "Mutates real solution files and packages and drives soltree's show, normalize, \
diff, merge, package merge, zip reader and command line in process, checking that nothing \
panics or hangs, exit codes keep the contract, normalize is idempotent, the merge laws hold byte \
for byte, and clean merges of well-formed inputs are well-formed.\n\nExit status: 0 nothing \
found, 1 findings (in --out), 2 setup error."
)]
struct Args {
    /// The real corpus [default: $SOLTREE_CORPUS, else ../shared/corpus].
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Campaign seed: the same seed and --execs give the same executions and findings.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run this many executions (deterministic) [default: 1000, or SOLTREE_FUZZ_SECONDS].
    #[arg(long, conflicts_with = "seconds")]
    execs: Option<u64>,
    /// Run for this many seconds instead.
    #[arg(long)]
    seconds: Option<u64>,
    /// Where findings go.
    #[arg(long, default_value = "target/fuzz-findings")]
    out: PathBuf,
    /// Only these targets: show, normalize, diff, merge, package-merge, zip, cli, convert.
    #[arg(long, value_delimiter = ',')]
    targets: Vec<String>,
    /// Largest seed file or package (bytes).
    #[arg(long, default_value_t = 2_000_000)]
    max_seed_bytes: usize,
    /// Largest exported zip taken as a seed (bytes).
    #[arg(long, default_value_t = 300_000)]
    max_zip_bytes: usize,
    /// An execution slower than this is a finding ("slow").
    #[arg(long, default_value_t = 10)]
    slow_secs: u64,
    /// An execution running this long is ended and recorded as a hang.
    #[arg(long, default_value_t = 60)]
    hang_secs: u64,
    /// Check re-runs spent minimizing each new finding (0: keep it as found).
    #[arg(long, default_value_t = 200)]
    minimize: usize,
    /// Replay one execution: print its mutations and what it finds.
    #[arg(long)]
    replay: Option<u64>,
    /// Run the executions in this process (a crash then ends the campaign).
    #[arg(long)]
    in_process: bool,
    #[arg(long, hide = true)]
    worker_from: Option<u64>,
    #[arg(long, hide = true)]
    worker_deadline_ms: Option<u64>,
    #[arg(long, hide = true)]
    record_crash: Option<String>,
}

enum Budget {
    Execs(u64),
    Seconds(u64),
}

impl Args {
    fn budget(&self) -> Result<Budget, String> {
        if let Some(n) = self.execs {
            return Ok(Budget::Execs(n));
        }
        if let Some(s) = self.seconds {
            return Ok(Budget::Seconds(s));
        }
        match std::env::var("SOLTREE_FUZZ_SECONDS") {
            Ok(v) => v
                .trim()
                .parse()
                .map(Budget::Seconds)
                .map_err(|_| format!("SOLTREE_FUZZ_SECONDS={v:?} is not a number of seconds")),
            Err(_) => Ok(Budget::Execs(1000)),
        }
    }

    fn corpus_dir(&self) -> PathBuf {
        self.corpus
            .clone()
            .or_else(|| std::env::var_os("SOLTREE_CORPUS").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("../shared/corpus"))
    }

    fn targets(&self) -> Result<Vec<Target>, String> {
        self.targets
            .iter()
            .map(|t| Target::by_name(t).ok_or_else(|| format!("unknown target {t:?}")))
            .collect()
    }

    fn load(&self) -> Result<corpus::Corpus, String> {
        corpus::Corpus::load(
            &self.corpus_dir(),
            corpus::Caps {
                bytes: self.max_seed_bytes,
                zip_bytes: self.max_zip_bytes,
            },
        )
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The command line as given, without the supervisor's own worker flags.
fn user_args() -> Vec<OsString> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in std::env::args_os().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        let s = a.to_string_lossy();
        if [
            "--worker-from",
            "--worker-deadline-ms",
            "--record-crash",
            "--replay",
        ]
        .contains(&s.as_ref())
        {
            skip = true;
            continue;
        }
        if s.starts_with("--worker-")
            || s.starts_with("--record-crash=")
            || s.starts_with("--replay=")
        {
            continue;
        }
        out.push(a);
    }
    out
}

/// How to replay execution `index` by hand (the budget flags do not matter to a replay).
fn replay_command(index: u64) -> String {
    let mut kept = Vec::new();
    let mut args = user_args()
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--execs" | "--seconds" => {
                args.next();
            }
            "--in-process" => {}
            _ if a.starts_with("--execs=") || a.starts_with("--seconds=") => {}
            _ => kept.push(a),
        }
    }
    let sep = if kept.is_empty() { "" } else { " " };
    format!(
        "cargo run --profile fuzz -p soltree-fuzz --{sep}{} --replay {index}",
        kept.join(" ")
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("soltree-fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<ExitCode, String> {
    args.budget()?;
    args.targets()?;
    if let Some(index) = args.replay {
        return replay(args, index);
    }
    if args.worker_from.is_some() {
        return worker(args).map(|_| ExitCode::SUCCESS);
    }
    if !args.corpus_dir().is_dir() {
        return Err(format!(
            "no corpus at {} (pass --corpus or set SOLTREE_CORPUS)",
            args.corpus_dir().display()
        ));
    }
    findings::prepare(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let start = Instant::now();
    if args.in_process {
        worker(args)?;
    } else {
        supervise(args)?;
    }
    Ok(summary(args, start.elapsed()))
}

/// Runs workers until the budget is spent, recording the execution each crashed one died in.
fn supervise(args: &Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let deadline = match args.budget()? {
        Budget::Seconds(s) => Some(now_ms() + s * 1000),
        Budget::Execs(_) => None,
    };
    let mut from = 0;
    for _ in 0..100 {
        let mut cmd = Command::new(&exe);
        cmd.args(user_args())
            .arg("--worker-from")
            .arg(from.to_string());
        if let Some(d) = deadline {
            cmd.arg("--worker-deadline-ms").arg(d.to_string());
        }
        let status = cmd
            .status()
            .map_err(|e| format!("starting a worker: {e}"))?;
        match status.code() {
            Some(0) => return Ok(()),
            Some(code) => return Err(format!("the worker failed (exit {code})")),
            None => {
                let current = std::fs::read_to_string(args.out.join(".current"))
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .ok_or("a worker died before its first execution")?;
                let hang = std::fs::read_to_string(args.out.join(".hang"))
                    .is_ok_and(|s| s.trim() == current.to_string());
                let _ = std::fs::remove_file(args.out.join(".hang"));
                record_crash(args, &exe, current, hang)?;
                // The dead worker's counts are from its last flush (at most a second old);
                // its number of executions is known exactly.
                let path = args.out.join(format!(".segment-{from}"));
                let mut segment = Segment::read_one(&path);
                segment.execs = current - from + 1;
                segment.write(&path).map_err(|e| e.to_string())?;
                from = current + 1;
                if deadline.is_some_and(|d| now_ms() >= d) {
                    return Ok(());
                }
            }
        }
    }
    Err("more than 100 workers died; giving up".into())
}

/// Replays a crashed execution in a fresh process that writes its inputs first, and keeps
/// what that process printed as the finding's message.
fn record_crash(args: &Args, exe: &Path, index: u64, hang: bool) -> Result<(), String> {
    let kind = if hang { "hang" } else { "crash" };
    let mut child = Command::new(exe)
        .args(user_args())
        .arg("--replay")
        .arg(index.to_string())
        .arg("--record-crash")
        .arg(kind)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut stdout);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let folder = stdout
        .lines()
        .find_map(|l| l.strip_prefix("recorded: "))
        .map(str::to_string)
        .ok_or_else(|| format!("could not record crashed execution {index}: {stderr}"))?;
    let why = stderr
        .lines()
        .find(|l| {
            l.contains("overflow")
                || l.contains("memory")
                || l.contains("ran past")
                || l.contains("fatal")
        })
        .map(str::to_string)
        .unwrap_or_else(|| match (hang, status.code()) {
            (true, _) => "ran past the hang limit".into(),
            // A replay that ends normally: the death was not this execution's doing.
            (false, Some(_)) => "died by a signal, not again on replay".into(),
            (false, None) => "died by a signal".into(),
        });
    let shape = check::shape(why.trim_start_matches("soltree-fuzz: "));
    let mut recorder = Recorder::open(&args.out).map_err(|e| e.to_string())?;
    let dir = args.out.join(&folder);
    let probe = check::Failure {
        oracle: if hang { "hang" } else { "crash" },
        shape: shape.clone(),
        detail: String::new(),
    };
    if let Some(existing) = recorder.known(&probe) {
        let _ = std::fs::remove_dir_all(&dir);
        println!("soltree-fuzz: execution {index}: {kind} again ({existing})");
        return Ok(());
    }
    let mut report = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("finding.txt"))
        .map_err(|e| e.to_string())?;
    let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    let _ = writeln!(
        report,
        "shape: {shape}\nthe replay ended with {status}\n\nmessage:\n{}",
        tail.join("\n")
    );
    recorder
        .enter(&folder, probe.oracle, &shape)
        .map_err(|e| e.to_string())?;
    println!(
        "soltree-fuzz: execution {index}: {kind}: {shape} → {}",
        dir.display()
    );
    Ok(())
}

fn make_env(args: &Args) -> Result<(check::Env, tempfile::TempDir), String> {
    let work = tempfile::Builder::new()
        .prefix("soltree-fuzz-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    // Tight limits: a lying zip header must be refused, not allocated.
    let limits = soltree::input::Limits {
        max_entry_bytes: 64 << 20,
        max_total_bytes: 256 << 20,
        max_ratio: 200,
    };
    let _ = args;
    Ok((
        check::Env {
            limits,
            work: work.path().to_path_buf(),
        },
        work,
    ))
}

/// Runs executions `--worker-from`.. until the budget is spent.
fn worker(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    let corpus = args.load()?;
    let only = args.targets()?;
    let targets = plan::available(&corpus, &only);
    let (env, _work) = make_env(args)?;
    harness::install_panic_hook();
    harness::start_watchdog(Duration::from_secs(args.hang_secs), args.out.join(".hang"));
    let mut recorder = Recorder::open(&args.out).map_err(|e| e.to_string())?;
    let from = args.worker_from.unwrap_or(0);
    let (end, deadline) = match args.budget()? {
        Budget::Execs(n) => (Some(n), None),
        Budget::Seconds(s) => (
            None,
            Some(args.worker_deadline_ms.unwrap_or(now_ms() + s * 1000)),
        ),
    };
    if from == 0 {
        println!(
            "soltree-fuzz: seed {}, corpus {}: {} files, {} merge triples, {} packages, {} package triples ({:.1} MB) loaded in {:.1}s",
            args.seed,
            args.corpus_dir().display(),
            corpus.files.len(),
            corpus.triples.len(),
            corpus.packages.len(),
            corpus.package_triples.len(),
            corpus.total_bytes() as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    let current = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(args.out.join(".current"))
        .map_err(|e| e.to_string())?;
    let mut segment = Segment::default();
    let segment_path = args.out.join(format!(".segment-{from}"));
    let slow = Duration::from_secs(args.slow_secs);
    let mut last_note = Instant::now();
    let mut last_flush = Instant::now();
    let mut index = from;
    loop {
        if end.is_some_and(|e| index >= e) || deadline.is_some_and(|d| now_ms() >= d) {
            break;
        }
        // Fixed width, rewritten in place: what the supervisor reads if this worker dies.
        let _ = (&current)
            .seek(SeekFrom::Start(0))
            .and_then(|_| (&current).write_all(format!("{index:<20}\n").as_bytes()));
        harness::executing(Some(index));
        let t0 = Instant::now();
        let plan = plan::generate(&corpus, &targets, args.seed, index);
        let built = plan::materialize(&corpus, &plan);
        let mut failures = check::run(plan.target, &built.case, plan.knobs, &env);
        let took = t0.elapsed();
        harness::executing(None);
        if took > slow {
            failures.push(check::Failure {
                oracle: "slow",
                shape: format!(
                    "a {} execution took over {}s",
                    plan.target.name(),
                    slow.as_secs()
                ),
                detail: format!("{:.1}s", took.as_secs_f64()),
            });
        }
        *segment
            .per_target
            .entry(plan.target.name().to_string())
            .or_default() += 1;
        segment.execs += 1;
        segment.slowest = segment.slowest.max((took.as_millis() as u64, index));
        for f in failures {
            handle(args, &corpus, &env, &mut recorder, &plan, &built, f);
        }
        index += 1;
        if last_flush.elapsed() > Duration::from_secs(1) {
            // Often enough that a crash loses little of the counts.
            last_flush = Instant::now();
            segment.millis = start.elapsed().as_millis() as u64;
            segment.occurrences = recorder.occurrences.clone();
            let _ = segment.write(&segment_path);
        }
        if last_note.elapsed() > Duration::from_secs(10) {
            last_note = Instant::now();
            println!(
                "soltree-fuzz: {index} executions, {:.0}/s, {} findings",
                segment.execs as f64 / start.elapsed().as_secs_f64(),
                findings::listed(&args.out).len()
            );
        }
    }
    segment.millis = start.elapsed().as_millis() as u64;
    segment.occurrences = recorder.occurrences.clone();
    segment.write(&segment_path).map_err(|e| e.to_string())
}

/// Counts a known failure, or minimizes, writes and announces a new one.
fn handle(
    args: &Args,
    corpus: &corpus::Corpus,
    env: &check::Env,
    recorder: &mut Recorder,
    plan: &plan::Plan,
    built: &plan::Built,
    failure: check::Failure,
) {
    if let Some(folder) = recorder.known(&failure) {
        recorder.count(&folder);
        return;
    }
    let minimized = (args.minimize > 0 && failure.oracle != "slow").then(|| {
        harness::executing(Some(plan.index));
        let m = reduce::minimize(
            corpus,
            plan,
            &failure,
            env,
            args.minimize,
            Duration::from_secs(20),
        );
        harness::executing(None);
        m
    });
    let (case, applied, fail, reduced) = match &minimized {
        Some(m) => (&m.built.case, Some(&m.built.applied), &m.failure, m.reduced),
        None => (&built.case, None, &failure, None),
    };
    let report = Report {
        failure: fail,
        target: plan.target.name(),
        campaign_seed: args.seed,
        index: plan.index,
        seed_input: &plan::source_name(corpus, plan),
        sides: plan::side_names(plan),
        found_with: &built.applied,
        minimized_to: applied.map(Vec::as_slice),
        reduced,
        replay: &replay_command(plan.index),
    };
    match recorder.write(case, &report) {
        Ok(folder) => println!(
            "soltree-fuzz: execution {}: {}: {} → {}",
            plan.index,
            failure.oracle,
            failure.shape,
            args.out.join(folder).display()
        ),
        Err(e) => eprintln!("soltree-fuzz: writing a finding: {e}"),
    }
}

/// `--replay N`: one execution, in the open.
fn replay(args: &Args, index: u64) -> Result<ExitCode, String> {
    let corpus = args.load()?;
    let targets = plan::available(&corpus, &args.targets()?);
    let (env, _work) = make_env(args)?;
    let plan = plan::generate(&corpus, &targets, args.seed, index);
    let built = plan::materialize(&corpus, &plan);
    if let Some(kind) = &args.record_crash {
        // Written before running: the run is expected to die.
        let mut recorder = Recorder::open(&args.out).map_err(|e| e.to_string())?;
        let (folder, path) = recorder.new_folder(kind).map_err(|e| e.to_string())?;
        findings::write_case(&path, &built.case).map_err(|e| e.to_string())?;
        let failure = check::Failure {
            oracle: if kind == "hang" { "hang" } else { "crash" },
            shape: String::new(),
            detail: String::new(),
        };
        let report = Report {
            failure: &failure,
            target: plan.target.name(),
            campaign_seed: args.seed,
            index,
            seed_input: &plan::source_name(&corpus, &plan),
            sides: plan::side_names(&plan),
            found_with: &built.applied,
            minimized_to: None,
            reduced: None,
            replay: &replay_command(index),
        };
        let text = findings::report_text(&report);
        // The message is appended by the supervisor; drop the empty one.
        let text = text
            .split("\nmessage:")
            .next()
            .unwrap_or(&text)
            .replace("shape: \n", "");
        std::fs::write(path.join("finding.txt"), text).map_err(|e| e.to_string())?;
        println!("recorded: {folder}");
        let _ = std::io::stdout().flush();
        if kind == "hang" {
            return Ok(ExitCode::SUCCESS);
        }
    }
    harness::install_panic_hook();
    harness::start_watchdog(
        Duration::from_secs(args.hang_secs),
        std::env::temp_dir().join("soltree-fuzz-replay.hang"),
    );
    println!(
        "execution {index}: target {}, seed input {}",
        plan.target.name(),
        plan::source_name(&corpus, &plan)
    );
    for (name, steps) in plan::side_names(&plan).iter().zip(&built.applied) {
        println!(
            "  {name}: {}",
            if steps.is_empty() {
                "(no mutations)".to_string()
            } else {
                steps.join(", ")
            }
        );
    }
    let failures = check::run(plan.target, &built.case, plan.knobs, &env);
    for f in &failures {
        println!("\n{}: {}\n{}", f.oracle, f.shape, f.detail);
    }
    if failures.is_empty() {
        println!("no failures");
    }
    Ok(ExitCode::from(u8::from(!failures.is_empty())))
}

/// Prints (and writes to summary.txt) the campaign's figures; 1 when anything was found.
fn summary(args: &Args, elapsed: Duration) -> ExitCode {
    let seg = Segment::read_all(&args.out);
    let listed = findings::listed(&args.out);
    let secs = elapsed.as_secs_f64();
    let mut s = format!(
        "soltree-fuzz summary: seed {}, {} executions in {:.1}s ({:.1} execs/s)\n",
        args.seed,
        seg.execs,
        secs,
        seg.execs as f64 / secs.max(1e-9)
    );
    let per: Vec<String> = Target::ALL
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.name(),
                seg.per_target.get(t.name()).copied().unwrap_or(0)
            )
        })
        .collect();
    s.push_str(&format!("  per target: {}\n", per.join(", ")));
    s.push_str(&format!(
        "  slowest execution: {:.2}s (execution {})\n",
        seg.slowest.0 as f64 / 1000.0,
        seg.slowest.1
    ));
    let (notes, found): (Vec<_>, Vec<_>) = listed.iter().partition(|(_, o, _)| check::is_note(o));
    let mut per_oracle: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, oracle, _) in &found {
        *per_oracle.entry(oracle).or_default() += 1;
    }
    let per: Vec<String> = per_oracle.iter().map(|(o, n)| format!("{o} {n}")).collect();
    s.push_str(&format!(
        "  findings: {}{}\n",
        found.len(),
        if per.is_empty() {
            String::new()
        } else {
            format!(" ({})", per.join(", "))
        }
    ));
    let line = |(folder, _, shape): &&(String, String, String)| {
        let n = seg.occurrences.get(folder).copied().unwrap_or(1);
        format!("    {folder:<34} ×{n:<5} {shape}\n")
    };
    for f in &found {
        s.push_str(&line(f));
    }
    if !notes.is_empty() {
        s.push_str(&format!(
            "  notes (by design, do not fail the run): {}\n",
            notes.len()
        ));
        for f in &notes {
            s.push_str(&line(f));
        }
    }
    if !listed.is_empty() {
        s.push_str(&format!(
            "  in {}/<finding>/finding.txt\n",
            args.out.display()
        ));
    }
    print!("{s}");
    let _ = std::fs::write(args.out.join("summary.txt"), &s);
    ExitCode::from(u8::from(!found.is_empty()))
}
