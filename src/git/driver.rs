//! The merge driver: what `soltree merge --git %O %A %B %L %P [-s %S -x %X -y %Y]` does once
//! the command line is parsed. git's contract (anchors.md §5): the result goes into `%A`,
//! whatever the exit status; 0 means clean, 1..=128 conflicts, above 128 a crash.
//!
//! The boundary type is [`DriverOutcome`]. A file is merged by [`merge_owned`] and its bytes
//! replace `%A` through a temp file beside it and a rename, so `%A` is never half-written,
//! even when the driver is killed. A solution zip (`%A` starts with the zip signature) is
//! merged as a package ([`merge_packages`]): when clean, the merged zip replaces `%A`; with
//! conflicts, `%A` keeps ours' zip (git needs a file there, and a zip with markers inside
//! would not import), and the conflicted package goes to `<path>.conflicts/` in the work
//! tree, with a JSON report beside it, so nothing of either side is lost.

use super::GitError;
use crate::input::{self, Entry, Limits, Package, PackageForm};
use crate::merge::package::{PackageMergeOutcome, merge_packages};
use crate::merge::run::{
    check_file_result, check_package_result, plural, read_sides, reason_text, write_conflicted,
    write_package_conflicts,
};
use crate::merge::{MergeOptions, MergeOutcome, line, merge_owned};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Test hook (debug builds only): after writing half of the result into the temp file,
/// sleep this many milliseconds, so a test can kill the driver mid-write and check that `%A`
/// is untouched.
pub const PAUSE_ENV: &str = "SOLTREE_TEST_PAUSE_MID_WRITE_MS";

/// Test hook (debug builds only): makes the driver panic, to check that a crash reaches git
/// as an exit status above 128 (a failed merge) and never as a clean merge or a conflict.
pub const CRASH_ENV: &str = "SOLTREE_TEST_CRASH_DRIVER";

/// Whether a fault-injection hook is set. Release builds carry no hooks: a variable left in
/// someone's environment can never make a real merge pause or crash.
fn hook(name: &str) -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var(name).ok()
    } else {
        None
    }
}

/// One invocation of the driver.
#[derive(Debug, Clone)]
pub struct DriverRequest {
    /// `%O`: the merge base (empty when the path was added on both sides).
    pub base: PathBuf,
    /// `%A`: ours, and where the result goes.
    pub ours: PathBuf,
    /// `%B`: theirs.
    pub theirs: PathBuf,
    /// `%P`: the path in the repository.
    pub path: String,
    /// Marker size, labels, conflict style, and `line_only` for `SOLTREE_DRIVER=0`.
    pub opts: MergeOptions,
    /// The work tree root (git runs drivers there): where `<path>.conflicts/` goes.
    pub work_tree: PathBuf,
}

/// What the driver did.
#[derive(Debug)]
pub enum DriverOutcome {
    /// A single file: its merge outcome (already written into `%A`).
    File(MergeOutcome),
    /// A solution zip merged as a package.
    Zip {
        outcome: PackageMergeOutcome,
        /// Where the conflicted package was written (only with conflicts).
        conflicts_dir: Option<PathBuf>,
        /// The JSON report beside it.
        report: Option<PathBuf>,
    },
}

impl DriverOutcome {
    pub fn is_clean(&self) -> bool {
        match self {
            DriverOutcome::File(o) => o.is_clean(),
            DriverOutcome::Zip { outcome, .. } => outcome.is_clean(),
        }
    }
}

/// Runs the driver: merges and writes the result into `%A`.
pub fn run(req: &DriverRequest, limits: &Limits) -> Result<DriverOutcome, GitError> {
    if hook(CRASH_ENV).is_some() {
        panic!("{CRASH_ENV} is set");
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| GitError::io(p, e));
    let (ours, theirs) = (read(&req.ours)?, read(&req.theirs)?);
    let base = match std::fs::read(&req.base) {
        Ok(b) => b,
        // git always writes %O; a missing file means "no base", like an empty one.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(GitError::io(&req.base, e)),
    };
    let zip = |b: &[u8]| b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06");
    // With SOLTREE_DRIVER=0 a zip gets what git itself does for binary files (ours kept,
    // a conflict when both changed): the escape hatch must not depend on our zip reader.
    if req.opts.line_only.is_none() && zip(&ours) && zip(&theirs) {
        match merge_zips(req, &base, limits) {
            Ok(outcome) => return Ok(outcome),
            Err(ZipFailure(why)) => {
                let out = line::keep_ours(&ours, &why);
                return Ok(DriverOutcome::File(out));
            }
        }
    }
    // The inputs move into the merge (no copies of large files); ours is recognised
    // afterwards by length and hash to skip rewriting an unchanged %A.
    let ours_id = (ours.len(), xxhash_rust::xxh3::xxh3_64(&ours));
    let base = (!base.is_empty()).then_some(base);
    let mut outcome = merge_owned(base, ours, theirs, &req.opts);
    // %A still holds ours here: the result is written below.
    check_file_result(&mut outcome, &req.path, &req.opts, &|| {
        read_sides(&req.ours, &req.theirs)
    });
    if (
        outcome.bytes.len(),
        xxhash_rust::xxh3::xxh3_64(&outcome.bytes),
    ) != ours_id
    {
        write_atomic(&req.ours, &outcome.bytes)?;
    }
    Ok(DriverOutcome::File(outcome))
}

/// A zip that could not be read as a package: the driver then behaves like git's binary
/// merge (ours kept, conflict) and says why.
struct ZipFailure(String);

fn merge_zips(
    req: &DriverRequest,
    base: &[u8],
    limits: &Limits,
) -> Result<DriverOutcome, ZipFailure> {
    let read = |p: &Path| -> Result<Vec<Entry>, ZipFailure> {
        input::read(p, limits)
            .map(|pkg| pkg.entries)
            .map_err(|e| ZipFailure(format!("not merged as a solution package: {e}")))
    };
    let ours = read(&req.ours)?;
    let theirs = read(&req.theirs)?;
    let base = if base.starts_with(b"PK") {
        read(&req.base)?
    } else {
        Vec::new()
    };
    let mut outcome = merge_packages(&base, &ours, &theirs, &req.opts);
    check_package_result(&mut outcome, PackageForm::Zip, &ours, &theirs, &req.opts);
    if outcome.is_clean() {
        if outcome.entries != ours {
            let pkg = Package {
                form: PackageForm::Zip,
                source: req.ours.clone(),
                entries: outcome.entries.clone(),
            };
            let bytes = zip_bytes(&pkg, &req.ours)
                .map_err(|e| ZipFailure(format!("writing the merged zip failed: {e}")))?;
            write_atomic(&req.ours, &bytes)
                .map_err(|e| ZipFailure(format!("writing the merged zip failed: {e}")))?;
        }
        return Ok(DriverOutcome::Zip {
            outcome,
            conflicts_dir: None,
            report: None,
        });
    }
    let target = if req.work_tree == Path::new(".") {
        PathBuf::from(&req.path)
    } else {
        req.work_tree.join(&req.path)
    };
    let (dir, report) = write_conflicted(&target, &outcome)
        .map_err(|e| ZipFailure(format!("writing the conflicted folder failed: {e}")))?;

    Ok(DriverOutcome::Zip {
        outcome,
        conflicts_dir: Some(dir),
        report: Some(report),
    })
}

/// The bytes of `pkg` as a zip, built by the input layer in a temp file beside `near` (so
/// the result goes into `%A` through [`write_atomic`] like every other driver result).
fn zip_bytes(pkg: &Package, near: &Path) -> Result<Vec<u8>, GitError> {
    let dir = match near.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let staged = tempfile::Builder::new()
        .prefix(".soltree-")
        .suffix(".zip")
        .tempfile_in(dir)
        .map_err(|e| GitError::io(dir, e))?
        .into_temp_path();
    input::write(pkg, &staged)?;
    std::fs::read(&staged).map_err(|e| GitError::io(&*staged, e))
}

/// Replaces `target` with `bytes` atomically ([`input::write_file_with`]): a killed process
/// leaves `target` as it was (and at most a stray `.soltree-*.result.tmp` beside it); the
/// existing file's permissions are kept.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), GitError> {
    // Test hook: pause half-way, with half the bytes on disk, so a test can kill the driver.
    let pause = hook(PAUSE_ENV).and_then(|v| v.trim().parse::<u64>().ok());
    input::write_file_with(target, ".result.tmp", |w| {
        if let Some(ms) = pause {
            let half = bytes.len() / 2;
            w.write_all(&bytes[..half])?;
            w.flush()?;
            w.get_ref().sync_all()?;
            std::thread::sleep(std::time::Duration::from_millis(ms));
            return w.write_all(&bytes[half..]);
        }
        w.write_all(bytes)
    })?;
    Ok(())
}

/// `soltree merge --git`: runs the driver and tells git how it went, as git's contract
/// wants it (anchors.md §5): 0 clean, 1 conflicts, 2 an error (git counts it as a conflict;
/// `%A` is untouched and the reason goes to `notes`), 134 — like an abort — on a crash,
/// which git reads as a failed merge.
/// The JSON report, if asked for, follows the result already in `%A`: a report that cannot
/// be written is said on `notes` and does not turn the merge into a failure.
pub fn run_for_git(
    req: &DriverRequest,
    report: Option<&Path>,
    limits: &Limits,
    notes: &mut dyn Write,
) -> u8 {
    let result = std::panic::catch_unwind(|| run(req, limits));
    let outcome = match result {
        Err(_) => return 134,
        Ok(Err(e)) => {
            let _ = writeln!(notes, "soltree: merging {}: {e}", req.path);
            return 2;
        }
        Ok(Ok(outcome)) => outcome,
    };
    if let Some(report) = report {
        let mut json = match &outcome {
            DriverOutcome::File(o) => serde_json::to_vec_pretty(&o.report(Some(&req.path))),
            DriverOutcome::Zip { outcome, .. } => serde_json::to_vec_pretty(&outcome.report()),
        }
        .expect("reports serialize");
        json.push(b'\n');
        if let Err(e) = input::write_file(report, &json) {
            let _ = writeln!(
                notes,
                "soltree: writing the report {}: {e}",
                report.display()
            );
        }
    }
    match &outcome {
        DriverOutcome::File(o) => {
            if let Some(why) = &o.fallback {
                let _ = writeln!(notes, "soltree: {}: {why}", req.path);
            }
            if !o.is_clean() {
                let n = o.conflicts.len();
                let _ = writeln!(notes, "soltree: {n} conflict{} in {}", plural(n), req.path);
                for c in o.conflicts.iter().filter(|c| !c.path.is_empty()).take(20) {
                    let _ = writeln!(
                        notes,
                        "  {} {}: {}",
                        c.path,
                        c.property,
                        reason_text(c.reason)
                    );
                }
            }
        }
        DriverOutcome::Zip {
            outcome,
            conflicts_dir,
            report,
        } => {
            if let (Some(dir), Some(report)) = (conflicts_dir, report) {
                let _ = writeln!(
                    notes,
                    "soltree: {} kept as ours' zip; the merged package with its conflicts is in {}/ (report: {}; git ignores both)",
                    req.path,
                    dir.display(),
                    report.display()
                );
                write_package_conflicts(outcome, notes);
                let _ = writeln!(
                    notes,
                    "soltree: resolve the markers there, then `soltree pack {} -o {}` and `git add {}`; \
                     or keep one side whole with `git checkout --ours/--theirs {}`",
                    dir.display(),
                    req.path,
                    req.path,
                    req.path
                );
            }
        }
    }
    u8::from(!outcome.is_clean())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xml");
        std::fs::write(&p, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
