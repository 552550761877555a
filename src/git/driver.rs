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
use crate::merge::{MergeOptions, MergeOutcome, line, merge_owned};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Test hook: after writing half of the result into the temp file, sleep this many
/// milliseconds, so a test can kill the driver mid-write and check that `%A` is untouched.
pub const PAUSE_ENV: &str = "SOLTREE_TEST_PAUSE_MID_WRITE_MS";

/// Test hook: makes the driver panic, to check that a crash reaches git as an exit status
/// above 128 (a failed merge) and never as a clean merge or a conflict.
pub const CRASH_ENV: &str = "SOLTREE_TEST_CRASH_DRIVER";

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
    if std::env::var_os(CRASH_ENV).is_some() {
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
    let outcome = merge_owned(base, ours, theirs, &req.opts);
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
    let outcome = merge_packages(&base, &ours, &theirs, &req.opts);
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

/// Writes a conflicted package merge beside `target` (a zip path): the merged package as an
/// extracted folder `<target>.conflicts/` (entries with markers, `<name>.theirs` beside each
/// binary conflict) and the JSON report `<target>.conflicts.json`. An existing folder of
/// that name is never touched: the next free `…conflicts-2`, `-3`, … is used instead.
pub fn write_conflicted(
    target: &Path,
    outcome: &PackageMergeOutcome,
) -> Result<(PathBuf, PathBuf), GitError> {
    let base_name = format!("{}.conflicts", target.display());
    let mut n = 1;
    let dir = loop {
        let candidate = if n == 1 {
            PathBuf::from(&base_name)
        } else {
            PathBuf::from(format!("{base_name}-{n}"))
        };
        let report = PathBuf::from(format!("{}.json", candidate.display()));
        if !candidate.exists() && !report.exists() {
            break candidate;
        }
        n += 1;
    };
    let mut entries = outcome.entries.clone();
    entries.extend(outcome.sidecars.iter().cloned());
    let pkg = Package {
        form: PackageForm::ExtractedFolder,
        source: dir.clone(),
        entries,
    };
    input::write(&pkg, &dir)?;
    let report = PathBuf::from(format!("{}.json", dir.display()));
    let mut json = serde_json::to_vec_pretty(&outcome.report()).expect("report serializes");
    json.push(b'\n');
    write_atomic(&report, &json)?;
    Ok((dir, report))
}

/// Replaces `target` with `bytes` atomically ([`input::write_file_with`]): a killed process
/// leaves `target` as it was (and at most a stray `.soltree-*.result.tmp` beside it); the
/// existing file's permissions are kept.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<(), GitError> {
    // Test hook: pause half-way, with half the bytes on disk, so a test can kill the driver.
    let pause = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
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

    #[test]
    fn conflicted_folder_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sol.zip");
        std::fs::create_dir(dir.path().join("sol.zip.conflicts")).unwrap();
        std::fs::write(dir.path().join("sol.zip.conflicts/mine.txt"), b"keep").unwrap();
        let outcome = merge_packages(
            &[],
            &[Entry {
                path: "a.js".into(),
                data: b"1\n".to_vec(),
            }],
            &[Entry {
                path: "a.js".into(),
                data: b"2\n".to_vec(),
            }],
            &MergeOptions::default(),
        );
        assert!(!outcome.is_clean());
        let (d, r) = write_conflicted(&target, &outcome).unwrap();
        assert_eq!(d, dir.path().join("sol.zip.conflicts-2"));
        assert_eq!(r, dir.path().join("sol.zip.conflicts-2.json"));
        assert!(
            std::fs::read_to_string(d.join("a.js"))
                .unwrap()
                .contains("<<<<<<<")
        );
        assert_eq!(
            std::fs::read(dir.path().join("sol.zip.conflicts/mine.txt")).unwrap(),
            b"keep"
        );
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(r).unwrap()).unwrap();
        assert_eq!(report["clean"], false);
        assert_eq!(report["entries"][0]["resolution"], "conflicted");
    }
}
