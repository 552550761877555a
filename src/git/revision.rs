//! `REV:PATH` arguments: a package read straight from git's object store, so a pipeline can
//! diff two branches without two checkouts (`soltree diff main:src/Solution HEAD:src/Solution`).
//!
//! A `REV:PATH` naming a tree becomes a folder package in memory (an extracted export, or a
//! SolutionPackager folder at that path or up to three folders below it); one naming a blob
//! becomes an XML file in memory, or, for a zip, is read through the input layer from a
//! temporary file so that every zip guard applies. Blobs are read in one `git cat-file
//! --batch` process; their sizes count against the reading [`Limits`] before they are read.

use super::GitError;
use crate::input::{self, Entry, Limits, Package, PackageForm};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How deep below the named folder a SolutionPackager root (`…/Other/Solution.xml`) is
/// looked for, as the input layer does for folders on disk.
const PACKAGER_DEPTH: usize = 3;

/// Whether `arg` is meant as `REV:PATH`: it is not a file or folder on disk, holds a colon
/// that is not a Windows drive letter, and git resolves it in `cwd`.
pub fn is_revision_path(arg: &str, cwd: &Path) -> bool {
    if Path::new(arg).exists() || cwd.join(arg).exists() {
        return false;
    }
    let Some((rev, _)) = arg.split_once(':') else {
        return false;
    };
    // `C:\x` is a path, not revision `C`.
    if rev.len() == 1 && rev.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    !rev.is_empty() && object_type(arg, cwd).is_ok()
}

/// Reads the package `REV:PATH` names in the repository around `cwd`.
pub fn read(spec: &str, cwd: &Path, limits: &Limits) -> Result<Package, GitError> {
    match object_type(spec, cwd)?.as_str() {
        "tree" => read_tree(spec, cwd, limits),
        "blob" => read_blob(spec, cwd, limits),
        other => Err(GitError::Usage(format!(
            "{spec} names a git {other}, not a folder or a file"
        ))),
    }
}

/// The staged solution files of the repository at `cwd`, for the pre-commit hook: every path
/// the index adds, copies, modifies or renames that the attributes route to soltree
/// (`merge=soltree` or `diff=soltree`, as `soltree git install` writes them), each read from
/// the index (`:path`) as a package whose source is its path in the repository.
pub fn staged(cwd: &Path, limits: &Limits) -> Result<Vec<Package>, GitError> {
    let top = PathBuf::from(git(cwd, &["rev-parse", "--show-toplevel"])?.trim_end());
    let listing = git(
        &top,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
        ],
    )?;
    let paths: Vec<&str> = listing.split('\0').filter(|p| !p.is_empty()).collect();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let attrs = git_with_input(
        &top,
        &["check-attr", "-z", "--stdin", "merge", "diff"],
        &(paths.join("\0") + "\0"),
    )?;
    // `<path>\0<attribute>\0<value>\0`, for each path and attribute.
    let fields: Vec<&str> = attrs.split('\0').collect();
    let mut routed: Vec<&str> = fields
        .chunks_exact(3)
        .filter(|f| f[2] == super::install::DRIVER)
        .map(|f| f[0])
        .collect();
    routed.dedup();
    routed
        .into_iter()
        .map(|path| {
            let mut pkg = read_blob(&format!(":{path}"), &top, limits)?;
            pkg.source = PathBuf::from(path);
            Ok(pkg)
        })
        .collect()
}

/// [`git`] with `input` on standard input.
fn git_with_input(cwd: &Path, args: &[&str], input: &str) -> Result<String, GitError> {
    let fail = |detail: String| GitError::Command {
        args: args.join(" "),
        detail,
    };
    let mut child = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let data = input.to_string();
    // Written from a thread so that a long list cannot block against unread output.
    let writer = std::thread::spawn(move || stdin.write_all(data.as_bytes()));
    let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn object_type(spec: &str, cwd: &Path) -> Result<String, GitError> {
    Ok(git(cwd, &["cat-file", "-t", spec])?.trim().to_string())
}

fn git(cwd: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError::Command {
            args: args.join(" "),
            detail: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(GitError::Command {
            args: args.join(" "),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn too_large(spec: &str, entry: &str, size: u64, limit: u64) -> GitError {
    GitError::Usage(format!(
        "{spec}: {entry} is {size} bytes, more than the limit of {limit} (SOLTREE_MAX_ENTRY_BYTES / SOLTREE_MAX_TOTAL_BYTES)"
    ))
}

/// A blob: a zip through the input layer, anything else as one XML file.
fn read_blob(spec: &str, cwd: &Path, limits: &Limits) -> Result<Package, GitError> {
    let size: u64 = git(cwd, &["cat-file", "-s", spec])?
        .trim()
        .parse()
        .unwrap_or(u64::MAX);
    if size > limits.max_entry_bytes {
        return Err(too_large(spec, spec, size, limits.max_entry_bytes));
    }
    let data = cat_blobs(cwd, &[spec.to_string()])?.remove(0);
    let name = spec
        .rsplit(['/', ':'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("file.xml")
        .to_string();
    if data.starts_with(b"PK") {
        let dir = tempfile::tempdir().map_err(|e| GitError::io(std::env::temp_dir(), e))?;
        let file = dir.path().join(&name);
        std::fs::write(&file, &data).map_err(|e| GitError::io(&file, e))?;
        let mut pkg = input::read(&file, limits)?;
        pkg.source = PathBuf::from(spec);
        return Ok(pkg);
    }
    Ok(Package {
        form: PackageForm::XmlFile,
        source: PathBuf::from(spec),
        entries: vec![Entry { path: name, data }],
    })
}

/// A tree: every blob below it, as a folder package.
fn read_tree(spec: &str, cwd: &Path, limits: &Limits) -> Result<Package, GitError> {
    let listing = git(cwd, &["ls-tree", "-r", "-l", "-z", spec])?;
    // `<mode> <type> <object> <size>\t<path>`
    let mut files: Vec<(String, String, u64)> = Vec::new();
    for rec in listing.split('\0').filter(|r| !r.is_empty()) {
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        if fields.get(1) != Some(&"blob") {
            continue;
        }
        let size = fields.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
        files.push((path.to_string(), fields[2].to_string(), size));
    }
    let (form, prefix) = folder_form(spec, files.iter().map(|(p, _, _)| p.as_str()))?;
    files.retain(|(p, _, _)| p.starts_with(&prefix));
    let mut total = 0u64;
    for (p, _, size) in &files {
        if *size > limits.max_entry_bytes {
            return Err(too_large(spec, p, *size, limits.max_entry_bytes));
        }
        total += size;
        if total > limits.max_total_bytes {
            return Err(too_large(spec, "the folder", total, limits.max_total_bytes));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let ids: Vec<String> = files.iter().map(|(_, id, _)| id.clone()).collect();
    let blobs = cat_blobs(cwd, &ids)?;
    let entries = files
        .into_iter()
        .zip(blobs)
        .map(|((path, _, _), data)| Entry {
            path: path[prefix.len()..].to_string(),
            data,
        })
        .collect();
    let source = if prefix.is_empty() {
        spec.to_string()
    } else {
        format!("{spec}/{}", prefix.trim_end_matches('/'))
    };
    Ok(Package {
        form,
        source: PathBuf::from(source),
        entries,
    })
}

/// The form of a folder from its file list, and the prefix of its package root.
fn folder_form<'a>(
    spec: &str,
    paths: impl Iterator<Item = &'a str> + Clone,
) -> Result<(PackageForm, String), GitError> {
    let at_root = |name: &str| paths.clone().any(|p| p.eq_ignore_ascii_case(name));
    if at_root("solution.xml") && at_root("customizations.xml") {
        return Ok((PackageForm::ExtractedFolder, String::new()));
    }
    let mut roots: Vec<String> = paths
        .filter_map(|p| {
            let lower = p.to_ascii_lowercase();
            let root = lower.strip_suffix("other/solution.xml")?;
            let depth = root.matches('/').count();
            (root.is_empty() || root.ends_with('/'))
                .then_some(())
                .filter(|()| depth <= PACKAGER_DEPTH)?;
            Some(p[..root.len()].to_string())
        })
        .collect();
    roots.sort();
    roots.dedup();
    match roots.len() {
        1 => Ok((PackageForm::PackagerFolder, roots.remove(0))),
        0 => Err(GitError::Usage(format!(
            "{spec} is not a solution folder: it holds neither solution.xml and \
             customizations.xml nor a SolutionPackager Other/Solution.xml"
        ))),
        _ => Err(GitError::Usage(format!(
            "{spec} holds several SolutionPackager folders, name one of them: {}",
            roots.join(", ")
        ))),
    }
}

/// The contents of `objects`, in order, through one `git cat-file --batch`.
fn cat_blobs(cwd: &Path, objects: &[String]) -> Result<Vec<Vec<u8>>, GitError> {
    let fail = |detail: String| GitError::Command {
        args: "cat-file --batch".into(),
        detail,
    };
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let list = objects.join("\n") + "\n";
    // Written from a thread so that a long list cannot block against unread output.
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut blobs = Vec::with_capacity(objects.len());
    for name in objects {
        let mut header = String::new();
        out.read_line(&mut header)
            .map_err(|e| fail(e.to_string()))?;
        // `<object> <type> <size>` or `<name> missing`.
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| fail(format!("{name}: {}", header.trim())))?;
        let mut data = vec![0; size];
        out.read_exact(&mut data).map_err(|e| fail(e.to_string()))?;
        let mut newline = [0u8; 1];
        out.read_exact(&mut newline)
            .map_err(|e| fail(e.to_string()))?;
        blobs.push(data);
    }
    writer
        .join()
        .map_err(|_| fail("writing the object list failed".into()))?
        .map_err(|e| fail(e.to_string()))?;
    child.wait().map_err(|e| fail(e.to_string()))?;
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_forms_from_file_lists() {
        let f = |paths: &[&str]| folder_form("x", paths.iter().copied());
        assert_eq!(
            f(&["solution.xml", "customizations.xml", "WebResources/a"]).unwrap(),
            (PackageForm::ExtractedFolder, String::new())
        );
        assert_eq!(
            f(&["src/Other/Solution.xml", "src/Entities/a/Entity.xml"]).unwrap(),
            (PackageForm::PackagerFolder, "src/".to_string())
        );
        assert!(f(&["README.md"]).is_err());
        assert!(f(&["a/Other/Solution.xml", "b/Other/Solution.xml"]).is_err());
    }
}
