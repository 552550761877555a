//! Folder packages (extracted exports and SolutionPackager folders): recognising them,
//! finding a SolutionPackager root a few levels below the folder the user named, reading every
//! file below the root as an [`Entry`], and writing entries back as a new folder. Boundary:
//! a root folder path in, `Vec<Entry>` (sorted by path) out, and the reverse.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::file::{parent_dir, read_limited};
use super::{Entry, InputError, Limits, PackageForm, UniqueNames, unsafe_reason};

/// How far below the given folder to look for `Other/Solution.xml` (a `pac` project keeps the
/// package in `src/<Name>/Solution/` or similar).
const SEARCH_DEPTH: usize = 3;

const EXPECTED: &str = "expected a folder holding solution.xml and customizations.xml (an \
extracted export) or Other/Solution.xml (a SolutionPackager folder, searched for up to 3 levels \
down)";

/// Recognises the folder form of `dir` and its package root.
pub(super) fn locate(dir: &Path) -> Result<(PackageForm, PathBuf), InputError> {
    let names = child_names(dir)?;
    let has_file = |want: &str| {
        names
            .iter()
            .any(|(n, is_dir)| !is_dir && n.eq_ignore_ascii_case(want))
    };
    if has_file("solution.xml") && has_file("customizations.xml") {
        return Ok((PackageForm::ExtractedFolder, dir.to_path_buf()));
    }
    if has_other_solution(dir, &names)? {
        return Ok((PackageForm::PackagerFolder, dir.to_path_buf()));
    }
    let mut found = Vec::new();
    search(dir, &names, 1, &mut found)?;
    match found.len() {
        1 => Ok((PackageForm::PackagerFolder, found.remove(0))),
        0 => Err(InputError::NotAPackage {
            path: dir.to_path_buf(),
            expected: EXPECTED.to_string(),
        }),
        _ => {
            let list: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
            Err(InputError::NotAPackage {
                path: dir.to_path_buf(),
                expected: format!(
                    "found several SolutionPackager folders below it, name one of them: {}",
                    list.join(", ")
                ),
            })
        }
    }
}

/// Child names of `dir` with "is a folder" (symlinks followed, for recognition only),
/// skipping names that are not UTF-8 (no package part is named that way).
fn child_names(dir: &Path) -> Result<Vec<(String, bool)>, InputError> {
    let mut out = Vec::new();
    for ent in fs::read_dir(dir).map_err(|e| InputError::io(dir, e))? {
        let ent = ent.map_err(|e| InputError::io(dir, e))?;
        let Ok(name) = ent.file_name().into_string() else {
            continue;
        };
        let is_dir = fs::metadata(ent.path()).is_ok_and(|m| m.is_dir());
        out.push((name, is_dir));
    }
    Ok(out)
}

/// Whether `dir` (whose children are `names`) holds `Other/Solution.xml`, in any ASCII case.
fn has_other_solution(dir: &Path, names: &[(String, bool)]) -> Result<bool, InputError> {
    for (name, is_dir) in names {
        if *is_dir && name.eq_ignore_ascii_case("other") {
            let other = dir.join(name);
            let inner = child_names(&other)?;
            if inner
                .iter()
                .any(|(n, d)| !d && n.eq_ignore_ascii_case("solution.xml"))
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Collects folders `depth..=SEARCH_DEPTH` levels below `dir` that hold `Other/Solution.xml`.
/// Hidden folders (`.git`, ...) and symlinked folders are not searched: the first is slow and
/// never a package, the second could loop.
fn search(
    dir: &Path,
    names: &[(String, bool)],
    depth: usize,
    found: &mut Vec<PathBuf>,
) -> Result<(), InputError> {
    if depth > SEARCH_DEPTH {
        return Ok(());
    }
    let mut subdirs: Vec<&String> = names
        .iter()
        .filter(|(n, is_dir)| *is_dir && !n.starts_with('.'))
        .map(|(n, _)| n)
        .collect();
    subdirs.sort(); // deterministic order in the "several found" message
    for name in subdirs {
        let sub = dir.join(name);
        if fs::symlink_metadata(&sub).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        let sub_names = match child_names(&sub) {
            Ok(n) => n,
            // An unreadable folder somewhere below is not this package's problem.
            Err(_) => continue,
        };
        if has_other_solution(&sub, &sub_names)? {
            found.push(sub);
        } else {
            search(&sub, &sub_names, depth + 1, found)?;
        }
    }
    Ok(())
}

/// Reads every file below `root` as an entry, sorted by path. Symbolic links are followed
/// only while they stay inside `root`; one that leaves it, or loops, is an error rather than
/// a silent skip, so nothing the user sees in the folder is dropped. Two paths that differ
/// only in letter case are refused before anything is read (a case-sensitive file system
/// can hold both; the Windows one a SolutionPackager folder comes from cannot).
pub(super) fn read(root: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    let canon_root = fs::canonicalize(root).map_err(|e| InputError::io(root, e))?;
    let mut files = Vec::new();
    let mut chain = vec![canon_root.clone()];
    walk(root, "", &canon_root, &mut chain, &mut files)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names = UniqueNames::with_capacity(files.len());
    for (rel, _) in &files {
        names.insert(root, rel)?;
    }

    let mut total = 0u64;
    let mut entries = Vec::with_capacity(files.len());
    for (rel, real) in files {
        let data = read_limited(&real, root, &rel, limits, total)?;
        total += data.len() as u64;
        entries.push(Entry { path: rel, data });
    }
    Ok(entries)
}

/// Depth-first walk of `dir` (entry prefix `prefix`), collecting `(entry path, file path)`.
/// `chain` holds the canonical paths of the folders on the way down, to catch link loops.
fn walk(
    dir: &Path,
    prefix: &str,
    canon_root: &Path,
    chain: &mut Vec<PathBuf>,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<(), InputError> {
    for ent in fs::read_dir(dir).map_err(|e| InputError::io(dir, e))? {
        let ent = ent.map_err(|e| InputError::io(dir, e))?;
        let path = ent.path();
        let Ok(name) = ent.file_name().into_string() else {
            return Err(InputError::UnsafeEntryName {
                path: path.clone(),
                entry: ent.file_name().to_string_lossy().into_owned(),
                reason: "file name is not UTF-8",
            });
        };
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if let Some(reason) = unsafe_reason(&rel) {
            return Err(InputError::UnsafeEntryName {
                path,
                entry: rel,
                reason,
            });
        }
        let ft = ent.file_type().map_err(|e| InputError::io(&path, e))?;
        let (is_dir, is_file, canon) = if ft.is_symlink() {
            let target = fs::canonicalize(&path).map_err(|e| InputError::io(&path, e))?;
            if !target.starts_with(canon_root) {
                return Err(InputError::UnsafeSymlink {
                    path,
                    reason: "points outside the package folder",
                });
            }
            let meta = fs::metadata(&target).map_err(|e| InputError::io(&path, e))?;
            (meta.is_dir(), meta.is_file(), Some(target))
        } else {
            (ft.is_dir(), ft.is_file(), None)
        };
        if is_file {
            files.push((rel, path));
        } else if is_dir {
            let canon = match canon {
                Some(c) => c,
                None => fs::canonicalize(&path).map_err(|e| InputError::io(&path, e))?,
            };
            if chain.contains(&canon) {
                return Err(InputError::UnsafeSymlink {
                    path,
                    reason: "points at a folder that contains it (a loop)",
                });
            }
            chain.push(canon);
            walk(&path, &rel, canon_root, chain, files)?;
            chain.pop();
        }
        // Sockets, FIFOs and devices are not package parts; reading a FIFO would block.
    }
    Ok(())
}

/// Writes `entries` as a new folder `out`, or into `out` when it is an existing empty
/// folder. All names are checked before anything is written, and the files are written into
/// a temporary folder first, so on error nothing is left at `out`.
pub(super) fn write(entries: &[Entry], out: &Path) -> Result<(), InputError> {
    check_names(entries, out)?;
    match fs::read_dir(out) {
        Ok(mut children) => {
            if children.next().is_some() {
                return Err(InputError::OutputExists {
                    path: out.to_path_buf(),
                    reason: "output folder already exists and is not empty; refusing to \
                             overwrite it",
                });
            }
            write_into_empty(entries, out)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => write_new(entries, out),
        Err(_) if out.exists() && !out.is_dir() => Err(InputError::OutputExists {
            path: out.to_path_buf(),
            reason: "output is a file, not a folder; refusing to overwrite it",
        }),
        Err(e) => Err(InputError::io(out, e)),
    }
}

/// Builds the folder beside `out` and renames it into place.
fn write_new(entries: &[Entry], out: &Path) -> Result<(), InputError> {
    let tmp = tempfile::Builder::new()
        .prefix(".soltree-")
        .tempdir_in(parent_dir(out))
        .map_err(|e| InputError::io(out, e))?;
    fill(entries, tmp.path(), out)?;
    fs::rename(tmp.path(), out).map_err(|e| InputError::io(out, e))?;
    // The folder now lives at `out`: stop the guard from deleting anything on drop.
    let _ = tmp.keep();
    Ok(())
}

/// Builds the package in a temporary folder inside the empty folder `out`, then moves its
/// top-level files and folders up. The folder itself stays: its permissions, and paths like
/// `.` that cannot be removed or renamed onto. On error, what was moved is removed again.
fn write_into_empty(entries: &[Entry], out: &Path) -> Result<(), InputError> {
    let tmp = tempfile::Builder::new()
        .prefix(".soltree-")
        .tempdir_in(out)
        .map_err(|e| InputError::io(out, e))?;
    fill(entries, tmp.path(), out)?;
    let mut moved = Vec::new();
    let mut move_all = || -> io::Result<()> {
        for child in fs::read_dir(tmp.path())? {
            let name = child?.file_name();
            let dest = out.join(&name);
            if fs::symlink_metadata(&dest).is_ok() {
                // Someone wrote into `out` meanwhile: never replace their file.
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} appeared while writing", dest.display()),
                ));
            }
            fs::rename(tmp.path().join(&name), &dest)?;
            moved.push(dest);
        }
        Ok(())
    };
    if let Err(e) = move_all() {
        // Only what we moved is removed: `out` was empty.
        for dest in moved {
            let _ = if dest.is_dir() {
                fs::remove_dir_all(&dest)
            } else {
                fs::remove_file(&dest)
            };
        }
        return Err(InputError::io(out, e));
    }
    Ok(())
}

/// Writes every entry below `root` (a temporary folder standing in for `out`, which the
/// errors name).
fn fill(entries: &[Entry], root: &Path, out: &Path) -> Result<(), InputError> {
    for entry in entries {
        let dest = root.join(&entry.path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| InputError::io(out.join(&entry.path), e))?;
        }
        let mut f = File::create(&dest).map_err(|e| InputError::io(out.join(&entry.path), e))?;
        f.write_all(&entry.data)
            .map_err(|e| InputError::io(out.join(&entry.path), e))?;
    }
    Ok(())
}

/// Refuses entry names that would escape `out`, repeat (ignoring ASCII case, because
/// Windows and macOS file systems would merge them), or be both a file and a folder.
fn check_names(entries: &[Entry], out: &Path) -> Result<(), InputError> {
    let mut files = UniqueNames::with_capacity(entries.len());
    let mut dirs = HashSet::new();
    for e in entries {
        if let Some(reason) = unsafe_reason(&e.path) {
            return Err(InputError::UnsafeEntryName {
                path: out.to_path_buf(),
                entry: e.path.clone(),
                reason,
            });
        }
        files.insert(out, &e.path)?;
        for (i, _) in e.path.match_indices('/') {
            dirs.insert(e.path[..i].to_ascii_lowercase());
        }
    }
    if let Some(clash) = entries
        .iter()
        .find(|e| dirs.contains(&e.path.to_ascii_lowercase()))
    {
        return Err(InputError::UnsafeEntryName {
            path: out.to_path_buf(),
            entry: clash.path.clone(),
            reason: "another entry uses it as a folder",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::entry;
    use super::*;

    fn sample() -> Vec<Entry> {
        vec![
            entry("Other/Customizations.xml", b"<c/>"),
            entry("Other/Solution.xml", b"<s/>"),
            entry("WebResources/new_/a.js", b"\x00binary\xFF"),
            entry("[Content_Types].xml", b"<Types/>"),
        ]
    }

    #[test]
    fn folder_round_trip_sorted_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pkg");
        let mut entries = sample();
        entries.reverse();
        write(&entries, &out).unwrap();
        let back = read(&out, &Limits::default()).unwrap();
        let mut want = sample();
        want.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(back, want);
        assert_eq!(locate(&out).unwrap().0, PackageForm::PackagerFolder);
    }

    #[test]
    fn folder_write_refuses_non_empty_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pkg");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("keep.txt"), b"mine").unwrap();
        let err = write(&sample(), &out).unwrap_err();
        assert!(matches!(err, InputError::OutputExists { .. }), "{err}");
        assert_eq!(fs::read(out.join("keep.txt")).unwrap(), b"mine");
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);

        // A file in the way is refused as well.
        let file = dir.path().join("file");
        fs::write(&file, b"x").unwrap();
        let err = write(&sample(), &file).unwrap_err();
        assert!(matches!(err, InputError::OutputExists { .. }), "{err}");

        // An empty folder is fine.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write(&sample(), &empty).unwrap();
        assert_eq!(read(&empty, &Limits::default()).unwrap().len(), 4);
        // Nothing but the outputs is left in the parent (no temp folders).
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn folder_write_messages_say_what_is_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full");
        fs::create_dir(&full).unwrap();
        fs::write(full.join("keep.txt"), b"mine").unwrap();
        let msg = write(&sample(), &full).unwrap_err().to_string();
        assert!(msg.contains("already exists and is not empty"), "{msg}");
        let file = dir.path().join("file");
        fs::write(&file, b"x").unwrap();
        let msg = write(&sample(), &file).unwrap_err().to_string();
        assert!(msg.contains("is a file, not a folder"), "{msg}");
        assert!(!msg.contains("not empty"), "{msg}");
    }

    #[test]
    fn folder_write_into_an_empty_folder_named_any_way() {
        // `out/.` and `out/` name the folder itself: it cannot be removed or renamed onto,
        // so the package is written into it.
        let dir = tempfile::tempdir().unwrap();
        for (folder, name) in [("dot", "dot/."), ("slash", "slash/"), ("plain", "plain")] {
            fs::create_dir(dir.path().join(folder)).unwrap();
            let out = dir.path().join(name);
            write(&sample(), &out).unwrap();
            let mut want = sample();
            want.sort_by(|a, b| a.path.cmp(&b.path));
            assert_eq!(read(&out, &Limits::default()).unwrap(), want, "{name}");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3, "no temp left");
    }

    #[cfg(unix)]
    #[test]
    fn folder_write_into_an_empty_folder_keeps_it() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::set_permissions(&out, fs::Permissions::from_mode(0o700)).unwrap();
        let ino = fs::metadata(&out).unwrap().ino();
        write(&sample(), &out).unwrap();
        let meta = fs::metadata(&out).unwrap();
        assert_eq!((meta.ino(), meta.mode() & 0o777), (ino, 0o700));
        // A failure leaves it empty, with no temporary folder inside.
        let again = dir.path().join("again");
        fs::create_dir(&again).unwrap();
        let long = "x".repeat(300); // over NAME_MAX
        let entries = vec![entry("a.xml", b"1"), entry(&format!("b/{long}"), b"2")];
        assert!(write(&entries, &again).is_err());
        assert_eq!(fs::read_dir(&again).unwrap().count(), 0);
    }

    #[test]
    fn folder_entries_differing_only_in_case_rejected() {
        // The test machine's file system is case-sensitive, so both files can exist.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("customizations.xml"), b"<c/>").unwrap();
        fs::write(root.join("Customizations.xml"), b"<c/>").unwrap();
        fs::write(root.join("solution.xml"), b"<s/>").unwrap();
        let err = read(root, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::CaseVariantEntries { ref first, ref second, .. }
                if first == "Customizations.xml" && second == "customizations.xml"),
            "{err}"
        );

        // Whole paths: folders that differ in case count too.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("WebResources")).unwrap();
        fs::create_dir_all(root.join("webresources")).unwrap();
        fs::write(root.join("WebResources/a.js"), b"1").unwrap();
        fs::write(root.join("webresources/A.js"), b"2").unwrap();
        fs::write(root.join("webresources/b.js"), b"3").unwrap();
        let msg = read(root, &Limits::default()).unwrap_err().to_string();
        assert!(
            msg.contains("\"WebResources/a.js\" and \"webresources/A.js\""),
            "{msg}"
        );
    }

    #[test]
    fn folder_write_refuses_escaping_names_before_writing() {
        for bad in ["../evil.txt", "/abs.txt", "a/../../b", "C:/x.txt"] {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("pkg");
            let mut entries = sample();
            entries.push(entry(bad, b"evil"));
            let err = write(&entries, &out).unwrap_err();
            assert!(
                matches!(err, InputError::UnsafeEntryName { .. }),
                "{bad}: {err}"
            );
            assert!(!out.exists(), "{bad}: nothing may be written");
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    #[test]
    fn folder_write_refuses_case_duplicates_and_file_folder_clash() {
        let dir = tempfile::tempdir().unwrap();
        let dup = vec![
            entry("Other/Solution.xml", b"1"),
            entry("other/solution.xml", b"2"),
        ];
        let err = write(&dup, &dir.path().join("a")).unwrap_err();
        assert!(
            matches!(err, InputError::CaseVariantEntries { .. }),
            "{err}"
        );
        let same = vec![entry("a.js", b"1"), entry("a.js", b"2")];
        let err = write(&same, &dir.path().join("a")).unwrap_err();
        assert!(matches!(err, InputError::DuplicateEntry { .. }), "{err}");
        let clash = vec![entry("Other", b"1"), entry("Other/Solution.xml", b"2")];
        let err = write(&clash, &dir.path().join("b")).unwrap_err();
        assert!(matches!(err, InputError::UnsafeEntryName { .. }), "{err}");
    }

    #[test]
    fn locate_reports_several_packager_roots() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["a/Solution/Other", "b/x/Other"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
            fs::write(dir.path().join(sub).join("Solution.xml"), "<s/>").unwrap();
        }
        let err = locate(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("several"), "{msg}");

        // Too deep (4 levels below) is not found.
        let deep = tempfile::tempdir().unwrap();
        let sub = deep.path().join("1/2/3/4/Other");
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join("Solution.xml"), "<s/>").unwrap();
        assert!(matches!(
            locate(deep.path()),
            Err(InputError::NotAPackage { .. })
        ));
        // Three levels below is found.
        let (form, root) = locate(&deep.path().join("1")).unwrap();
        assert_eq!(form, PackageForm::PackagerFolder);
        assert_eq!(root, deep.path().join("1/2/3/4"));
    }

    #[test]
    fn folder_limits_apply() {
        let dir = tempfile::tempdir().unwrap();
        write(&sample(), &dir.path().join("p")).unwrap();
        let limits = Limits {
            max_total_bytes: 10,
            ..Limits::default()
        };
        let err = read(&dir.path().join("p"), &limits).unwrap_err();
        assert!(matches!(err, InputError::TotalTooLarge { .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_stay_inside_the_root() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("p");
        write(&sample(), &root).unwrap();
        fs::write(dir.path().join("secret"), b"s").unwrap();

        // A link to a file inside the root is read like a file.
        symlink(root.join("Other/Solution.xml"), root.join("link.xml")).unwrap();
        let entries = read(&root, &Limits::default()).unwrap();
        let link = entries.iter().find(|e| e.path == "link.xml").unwrap();
        assert_eq!(link.data, b"<s/>");

        // A link out of the root is an error, not a silent read or skip.
        symlink(dir.path().join("secret"), root.join("out")).unwrap();
        let err = read(&root, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::UnsafeSymlink { .. }), "{err}");
        fs::remove_file(root.join("out")).unwrap();

        // A loop is an error too, not a hang.
        symlink(&root, root.join("Other/loop")).unwrap();
        let err = read(&root, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::UnsafeSymlink { .. }), "{err}");
    }
}
