//! Findings on disk. Each new (oracle, shape) gets a folder `<oracle>-<n>/` under the
//! output folder with the (minimized) inputs and a `finding.txt` saying what failed, how to
//! replay it and which mutations led there; later occurrences of the same shape are only
//! counted. `.index` lists the shapes already recorded, so a worker restarted after a crash
//! goes on de-duplicating; `.segment-<from>` files carry each worker's counts to the summary.

use crate::check::Failure;
use crate::package::write_zip;
use crate::plan::{Case, Subject};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Recorder {
    dir: PathBuf,
    /// (oracle, shape) → finding folder name.
    known: HashMap<(String, String), String>,
    next: HashMap<String, usize>,
    /// Occurrences per finding folder in this worker.
    pub occurrences: BTreeMap<String, u64>,
}

/// Everything a finding's report says besides the inputs.
pub struct Report<'a> {
    pub failure: &'a Failure,
    pub target: &'a str,
    pub campaign_seed: u64,
    pub index: u64,
    pub seed_input: &'a str,
    pub sides: &'a [&'a str],
    pub found_with: &'a [Vec<String>],
    pub minimized_to: Option<&'a [Vec<String>]>,
    pub reduced: Option<(usize, usize)>,
    pub replay: &'a str,
}

impl Recorder {
    pub fn open(dir: &Path) -> std::io::Result<Recorder> {
        fs::create_dir_all(dir)?;
        let mut r = Recorder {
            dir: dir.to_path_buf(),
            known: HashMap::new(),
            next: HashMap::new(),
            occurrences: BTreeMap::new(),
        };
        if let Ok(index) = fs::read_to_string(dir.join(".index")) {
            for line in index.lines() {
                let mut parts = line.splitn(3, '\t');
                if let (Some(folder), Some(oracle), Some(shape)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    r.known
                        .insert((oracle.to_string(), shape.to_string()), folder.to_string());
                    *r.next.entry(oracle.to_string()).or_default() += 1;
                }
            }
        }
        Ok(r)
    }

    /// The folder of an already recorded finding of this shape.
    pub fn known(&self, f: &Failure) -> Option<String> {
        self.known
            .get(&(f.oracle.to_string(), f.shape.clone()))
            .cloned()
    }

    pub fn count(&mut self, folder: &str) {
        *self.occurrences.entry(folder.to_string()).or_default() += 1;
    }

    /// A new folder for a finding of `oracle` (not yet in the index).
    pub fn new_folder(&mut self, oracle: &str) -> std::io::Result<(String, PathBuf)> {
        loop {
            let n = self.next.entry(oracle.to_string()).or_default();
            *n += 1;
            let name = format!("{oracle}-{n}");
            let path = self.dir.join(&name);
            if !path.exists() {
                fs::create_dir_all(&path)?;
                return Ok((name, path));
            }
        }
    }

    /// Enters a finding in the index (after its folder is written).
    pub fn enter(&mut self, folder: &str, oracle: &str, shape: &str) -> std::io::Result<()> {
        let mut index = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(".index"))?;
        writeln!(
            index,
            "{folder}\t{oracle}\t{}",
            shape.replace(['\n', '\t'], " ")
        )?;
        self.known
            .insert((oracle.to_string(), shape.to_string()), folder.to_string());
        self.count(folder);
        Ok(())
    }

    /// Writes a new finding: its inputs and `finding.txt`.
    pub fn write(&mut self, case: &Case, report: &Report) -> std::io::Result<String> {
        let (name, path) = self.new_folder(report.failure.oracle)?;
        write_case(&path, case)?;
        fs::write(path.join("finding.txt"), report_text(report))?;
        self.enter(&name, report.failure.oracle, &report.failure.shape)?;
        Ok(name)
    }
}

pub fn report_text(r: &Report) -> String {
    let mut s = String::new();
    let steps = |s: &mut String, title: &str, applied: &[Vec<String>]| {
        s.push_str(&format!("{title}:\n"));
        for (name, list) in r.sides.iter().zip(applied) {
            let text = if list.is_empty() {
                "(none)".to_string()
            } else {
                list.join(", ")
            };
            s.push_str(&format!("  {name}: {text}\n"));
        }
    };
    s.push_str(&format!("oracle: {}\n", r.failure.oracle));
    s.push_str(&format!("shape: {}\n", r.failure.shape));
    s.push_str(&format!("target: {}\n", r.target));
    s.push_str(&format!(
        "campaign seed: {}, execution: {}\n",
        r.campaign_seed, r.index
    ));
    s.push_str(&format!("seed input: {}\n", r.seed_input));
    steps(&mut s, "mutations as found", r.found_with);
    if let Some(m) = r.minimized_to {
        steps(&mut s, "mutations after minimizing", m);
    }
    if let Some((before, after)) = r.reduced {
        s.push_str(&format!("inputs reduced from {before} to {after} bytes\n"));
    }
    s.push_str(&format!("replay: {}\n", r.replay));
    s.push_str(&format!("\nmessage:\n{}\n", r.failure.detail));
    s
}

fn ext_of(name: &str) -> &str {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("xml")
}

fn write_subject(dir: &Path, stem: &str, s: &Subject) -> std::io::Result<()> {
    match s {
        Subject::File { name, data } => {
            fs::write(dir.join(format!("{stem}.{}", ext_of(name))), data)
        }
        Subject::Package { form, entries } => {
            fs::write(dir.join(format!("{stem}.zip")), write_zip(entries))?;
            fs::write(
                dir.join(format!("{stem}.form.txt")),
                format!("{form} (stored as a zip of its entries)\n"),
            )
        }
    }
}

/// The inputs of a case as files (packages as zips of their entries).
pub fn write_case(dir: &Path, case: &Case) -> std::io::Result<()> {
    match case {
        Case::Single(s) => write_subject(dir, "input", s),
        Case::Pair(a, b) => {
            write_subject(dir, "old", a)?;
            write_subject(dir, "new", b)
        }
        Case::Merge(t) => {
            let ext = ext_of(&t.file_name);
            if let Some(b) = &t.base {
                fs::write(dir.join(format!("base.{ext}")), b)?;
            }
            fs::write(dir.join(format!("ours.{ext}")), &t.ours)?;
            fs::write(dir.join(format!("theirs.{ext}")), &t.theirs)?;
            if let Some(p) = &t.path {
                fs::write(dir.join("path.txt"), format!("{p}\n"))?;
            }
            Ok(())
        }
        Case::PackageMerge(t) => {
            fs::write(dir.join("base.zip"), write_zip(&t.base))?;
            fs::write(dir.join("ours.zip"), write_zip(&t.ours))?;
            fs::write(dir.join("theirs.zip"), write_zip(&t.theirs))
        }
        Case::Zip { bytes, .. } => fs::write(dir.join("input.zip"), bytes),
        Case::Cli(_, inner) => write_case(dir, inner),
    }
}

/// Clears what an earlier campaign left in the output folder (only its own files).
pub fn prepare(dir: &Path) -> std::io::Result<()> {
    if let Ok(list) = fs::read_dir(dir) {
        for e in list.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with(".segment-")
                || matches!(
                    name.as_str(),
                    ".index" | ".current" | ".hang" | "summary.txt"
                )
                || (e.path().join("finding.txt").is_file());
            if ours {
                let p = e.path();
                if p.is_dir() {
                    fs::remove_dir_all(p)?;
                } else {
                    fs::remove_file(p)?;
                }
            }
        }
    }
    fs::create_dir_all(dir)
}

/// One worker's counts.
#[derive(Default)]
pub struct Segment {
    pub execs: u64,
    pub millis: u64,
    /// The slowest execution: milliseconds and index.
    pub slowest: (u64, u64),
    pub per_target: BTreeMap<String, u64>,
    pub occurrences: BTreeMap<String, u64>,
}

impl Segment {
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut s = format!(
            "execs {}\nmillis {}\nslowest {} {}\n",
            self.execs, self.millis, self.slowest.0, self.slowest.1
        );
        for (t, n) in &self.per_target {
            s.push_str(&format!("target {t} {n}\n"));
        }
        for (f, n) in &self.occurrences {
            s.push_str(&format!("occurrences {f} {n}\n"));
        }
        fs::write(path, s)
    }

    /// One segment file (empty when it is not there).
    pub fn read_one(path: &Path) -> Segment {
        let mut seg = Segment::default();
        seg.add(&fs::read_to_string(path).unwrap_or_default());
        seg
    }

    /// Adds up every `.segment-*` file in `dir`.
    pub fn read_all(dir: &Path) -> Segment {
        let mut total = Segment::default();
        let Ok(list) = fs::read_dir(dir) else {
            return total;
        };
        for e in list.flatten() {
            if e.file_name().to_string_lossy().starts_with(".segment-") {
                total.add(&fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        total
    }

    fn add(&mut self, text: &str) {
        for line in text.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            let num = |s: &str| s.parse::<u64>().unwrap_or(0);
            match parts.as_slice() {
                ["execs", n] => self.execs += num(n),
                ["millis", n] => self.millis = self.millis.max(num(n)),
                ["slowest", ms, i] => self.slowest = self.slowest.max((num(ms), num(i))),
                ["target", t, n] => *self.per_target.entry(t.to_string()).or_default() += num(n),
                ["occurrences", f, n] => {
                    *self.occurrences.entry(f.to_string()).or_default() += num(n)
                }
                _ => {}
            }
        }
    }
}

/// The recorded findings: (folder, oracle, shape), in index order.
pub fn listed(dir: &Path) -> Vec<(String, String, String)> {
    fs::read_to_string(dir.join(".index"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut p = l.splitn(3, '\t');
            Some((
                p.next()?.to_string(),
                p.next()?.to_string(),
                p.next()?.to_string(),
            ))
        })
        .collect()
}
