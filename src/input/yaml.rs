//! The YAML layout of Dataverse's Git integration as a package form: recognising a layout
//! folder (`solutions/<name>/solution.yml` beside the shared component folders), choosing
//! one solution when several share the folder, and reading the files that belong to it.
//! Boundary: a folder path in, the solution's folder (`<root>/solutions/<name>`) and then
//! its `Vec<Entry>` (paths relative to the layout root, sorted) out.
//!
//! Which component folders belong to a solution is its `solutioncomponents.yml`'s business:
//! each `'@path': /entities/account` line names one. Only those folders, the solution's own
//! manifests and the publishers are read, so a repository's other solutions, its `.git` and
//! its pipelines never enter the package.

use super::folder;
use super::{Entry, InputError, Limits};
use std::fs;
use std::path::{Path, PathBuf};

/// How far below the given folder to look for `solutions/` (a repository keeps the layout
/// in a folder of its own, such as `Pravia Mule POC/Pravia_Mule_CRM`).
const SEARCH_DEPTH: usize = 3;

/// The solutions of a layout root: the names of `solutions/*/` holding a `solution.yml`.
pub(super) fn solutions_at(root: &Path) -> Vec<String> {
    let Ok(rd) = fs::read_dir(root.join("solutions")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("solution.yml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// What `dir` is in the YAML layout: `Ok(Some(solution folder))` when it is a layout root
/// with one solution (or names one: `solutions/<name>` itself, or a root and `solution`),
/// `Ok(None)` when it is not a layout at all, an error when it holds several solutions and
/// none was named.
pub(super) fn locate(dir: &Path, solution: Option<&str>) -> Result<Option<PathBuf>, InputError> {
    // `…/solutions/<name>` itself.
    if dir.join("solution.yml").is_file()
        && dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n.eq_ignore_ascii_case("solutions"))
    {
        return Ok(Some(dir.to_path_buf()));
    }
    let mut roots = Vec::new();
    find_roots(dir, 0, &mut roots);
    let Some(root) = roots.first() else {
        return Ok(None);
    };
    if roots.len() > 1 {
        let list: Vec<String> = roots.iter().map(|p| p.display().to_string()).collect();
        return Err(InputError::NotAPackage {
            path: dir.to_path_buf(),
            expected: format!(
                "found several YAML layout folders below it, name one of them: {}",
                list.join(", ")
            ),
        });
    }
    let names = solutions_at(root);
    let chosen = match solution {
        Some(want) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(want))
            .ok_or_else(|| InputError::NotAPackage {
                path: root.clone(),
                expected: format!(
                    "a solution named {want} in solutions/ (it holds {})",
                    names.join(", ")
                ),
            })?,
        None if names.len() == 1 => &names[0],
        None => {
            return Err(InputError::NotAPackage {
                path: root.clone(),
                expected: format!(
                    "one solution, but {} share this folder ({}): pick one with --solution NAME",
                    names.len(),
                    names.join(", ")
                ),
            });
        }
    };
    Ok(Some(root.join("solutions").join(chosen)))
}

fn find_roots(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if !solutions_at(dir).is_empty() {
        out.push(dir.to_path_buf());
        return;
    }
    if depth >= SEARCH_DEPTH {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut subdirs: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| {
            let hidden = e.file_name().to_string_lossy().starts_with('.');
            let link = e.file_type().is_ok_and(|t| t.is_symlink());
            !hidden && !link && e.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        find_roots(&sub, depth + 1, out);
    }
}

/// The layout root of a solution folder (`<root>/solutions/<name>`).
pub fn layout_root(solution_dir: &Path) -> &Path {
    solution_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(solution_dir)
}

/// The component folders a `solutioncomponents.yml` lists (`'@path': /entities/account`),
/// without their leading `/`. Read line by line: Dataverse writes one path a line.
pub fn listed_paths(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().trim_start_matches("- ");
            let value = rest.strip_prefix("'@path':")?.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .map(|v| v.replace("''", "'"))
                .unwrap_or_else(|| value.to_string());
            Some(value.trim_start_matches('/').to_string())
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reads the files of the solution at `solution_dir`, as pack takes them: its own
/// manifests, and every path its `solutioncomponents.yml` lists — a file (a column's
/// `attributes/<name>.yml`), or a folder's own files (`/entities/account` is `entity.yml`;
/// its columns, forms and views are listed one by one). Without that manifest, every file
/// of the layout's component folders. The publishers are read when none is listed.
pub(super) fn read(solution_dir: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    let root = layout_root(solution_dir);
    let name = solution_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let manifest = solution_dir.join("solutioncomponents.yml");
    let mut entries = Vec::new();
    let push_dir = |rel: &str, recursive: bool, entries: &mut Vec<Entry>| {
        let dir = root.join(rel);
        if !dir.is_dir() {
            return Ok(());
        }
        for e in folder::read(&dir, limits)? {
            if recursive || !e.path.contains('/') {
                entries.push(Entry {
                    path: format!("{rel}/{}", e.path),
                    data: e.data,
                });
            }
        }
        Ok::<(), InputError>(())
    };
    push_dir(&format!("solutions/{name}"), false, &mut entries)?;
    let listed = match fs::read_to_string(&manifest) {
        Ok(text) => listed_paths(&text),
        Err(_) => {
            for folder in component_folders(root) {
                push_dir(&folder, true, &mut entries)?;
            }
            push_dir("publishers", true, &mut entries)?;
            Vec::new()
        }
    };
    if !listed.is_empty() && !listed.iter().any(|p| p.starts_with("publishers/")) {
        push_dir("publishers", true, &mut entries)?;
    }
    for rel in listed {
        if rel
            .split('/')
            .any(|s| s == ".." || s == "." || s.is_empty())
        {
            return Err(InputError::UnsafeEntryName {
                path: manifest.clone(),
                entry: rel,
                reason: "a listed component path leaves the layout folder",
            });
        }
        let path = root.join(&rel);
        if path.is_file() {
            let data = super::file::read_limited(&path, root, &rel, limits, 0)?;
            entries.push(Entry { path: rel, data });
        } else {
            // A listed component without files: `check` reports it; nothing to read.
            push_dir(&rel, false, &mut entries)?;
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(entries)
}

/// Every `<type>/<name>` folder of a layout root but `solutions/` and `publishers/`.
fn component_folders(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(root) else {
        return out;
    };
    for kind in rd.filter_map(|e| e.ok()) {
        let kind_name = kind.file_name().to_string_lossy().into_owned();
        if kind_name.starts_with('.')
            || kind_name == "solutions"
            || kind_name == "publishers"
            || !kind.path().is_dir()
        {
            continue;
        }
        if let Ok(items) = fs::read_dir(kind.path()) {
            for item in items.filter_map(|e| e.ok()) {
                if item.path().is_dir() {
                    out.push(format!(
                        "{kind_name}/{}",
                        item.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

/// What pack would silently drop or miss in the solution at `solution_dir`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LayoutGaps {
    /// Paths its `solutioncomponents.yml` lists that have no files, with the 1-based line.
    pub listed_without_files: Vec<(String, u32)>,
    /// Folders of the component folders holding files that no solution of the layout lists
    /// (`entities/prv_grant`, `entities/account/attributes`).
    pub unlisted_folders: Vec<String>,
}

/// Compares the solution's `solutioncomponents.yml` with the files of the layout: a listed
/// component without files is lost at pack, and so is a file no solution lists (pack drops
/// both without an error).
pub fn layout_gaps(solution_dir: &Path) -> LayoutGaps {
    let root = layout_root(solution_dir);
    let mut files = Vec::new();
    for folder in component_folders(root) {
        if let Ok(found) = folder::read(&root.join(&folder), &Limits::default()) {
            files.extend(found.into_iter().map(|e| format!("{folder}/{}", e.path)));
        }
    }
    let manifests: Vec<(String, String)> = solutions_at(root)
        .into_iter()
        .filter_map(|s| {
            let text = fs::read_to_string(
                root.join("solutions")
                    .join(&s)
                    .join("solutioncomponents.yml"),
            )
            .ok()?;
            Some((s, text))
        })
        .collect();
    let own = solution_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    gaps(&files, &manifests, &own, &|p| root.join(p).exists())
}

/// [`layout_gaps`] of a package in memory (a merge's result): its files are its entries,
/// its manifests its `solutions/*/solutioncomponents.yml` entries.
pub fn entry_gaps(entries: &[Entry], solution: &str) -> LayoutGaps {
    let mut files = Vec::new();
    let mut manifests = Vec::new();
    for e in entries {
        match e.path.strip_prefix("solutions/") {
            Some(rest) => {
                if let Some(name) = rest.strip_suffix("/solutioncomponents.yml") {
                    manifests.push((
                        name.to_string(),
                        String::from_utf8_lossy(&e.data).into_owned(),
                    ));
                }
            }
            None if !e.path.starts_with("publishers/") && e.path.contains('/') => {
                files.push(e.path.clone())
            }
            None => {}
        }
    }
    let exists = |p: &str| {
        let lower = p.to_ascii_lowercase();
        entries.iter().any(|e| {
            let path = e.path.to_ascii_lowercase();
            path == lower || path.starts_with(&format!("{lower}/"))
        })
    };
    gaps(&files, &manifests, solution, &exists)
}

fn gaps(
    files: &[String],
    manifests: &[(String, String)],
    own: &str,
    exists: &dyn Fn(&str) -> bool,
) -> LayoutGaps {
    let mut out = LayoutGaps::default();
    let mut listed = Vec::new();
    for (name, text) in manifests {
        for (n, line) in text.lines().enumerate() {
            for path in listed_paths(line) {
                if name.eq_ignore_ascii_case(own) && !exists(&path) {
                    out.listed_without_files.push((path.clone(), n as u32 + 1));
                }
                listed.push(path.to_ascii_lowercase());
            }
        }
    }
    let mut folders: Vec<String> = files
        .iter()
        .filter(|f| !covered(&listed, f))
        .map(|f| {
            f.rsplit_once('/')
                .map_or(f.as_str(), |(dir, _)| dir)
                .to_string()
        })
        .collect();
    folders.dedup();
    folders.sort();
    folders.dedup();
    out.unlisted_folders = folders;
    out
}

/// Whether pack takes a file: the manifest lists it, or the folder it sits in.
fn covered(listed: &[String], file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    let dir = lower.rsplit_once('/').map_or("", |(d, _)| d);
    listed.iter().any(|l| *l == lower || l == dir)
}

/// The solution of a YAML layout package, from its entries' paths: the `<name>` of its
/// `solutions/<name>/solution.yml`.
pub fn solution_of<'p>(mut paths: impl Iterator<Item = &'p str>) -> Option<&'p str> {
    paths.find_map(|p| {
        let (name, file) = p.strip_prefix("solutions/")?.split_once('/')?;
        file.eq_ignore_ascii_case("solution.yml").then_some(name)
    })
}

/// Whether a lone file is a YAML file of the layout, by its name.
pub fn is_yaml_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_paths_read_plain_and_quoted_values() {
        let text = "SolutionComponents:\r\n  Component:\r\n  - '@path': /entities/prv_a\r\n  - '@path': '/option sets/x''y'\r\n";
        assert_eq!(listed_paths(text), ["entities/prv_a", "option sets/x'y"]);
        let one = "SolutionComponents:\n  Component:\n    '@path': /appmodules/app\n";
        assert_eq!(listed_paths(one), ["appmodules/app"]);
    }
}
