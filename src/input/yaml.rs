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

/// Reads the files of the solution at `solution_dir`: its manifests, the publishers, and
/// every component folder its `solutioncomponents.yml` lists (all component folders when
/// it has none), as entries relative to the layout root.
pub(super) fn read(solution_dir: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    let root = layout_root(solution_dir);
    let name = solution_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut folders = vec![format!("solutions/{name}"), "publishers".to_string()];
    let manifest = solution_dir.join("solutioncomponents.yml");
    match fs::read_to_string(&manifest) {
        Ok(text) => folders.extend(listed_paths(&text)),
        Err(_) => folders.extend(component_folders(root)),
    }
    folders.sort();
    folders.dedup();
    let mut entries = Vec::new();
    for rel in folders {
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
        let dir = root.join(&rel);
        if !dir.is_dir() {
            // A listed component without files: `check` reports it; there is nothing to read.
            continue;
        }
        for e in folder::read(&dir, limits)? {
            entries.push(Entry {
                path: format!("{rel}/{}", e.path),
                data: e.data,
            });
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
    out
}

/// What pack would silently drop or miss in the solution at `solution_dir`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LayoutGaps {
    /// Paths its `solutioncomponents.yml` lists that have no files, with the 1-based line.
    pub listed_without_files: Vec<(String, u32)>,
    /// Component folders (`entities/prv_grant`) that no solution of the layout lists.
    pub unlisted_folders: Vec<String>,
}

/// Compares the solution's `solutioncomponents.yml` with the folders of the layout: a
/// listed component without files is lost at pack, and so is a folder no solution lists
/// (pack drops both without an error).
pub fn layout_gaps(solution_dir: &Path) -> LayoutGaps {
    let root = layout_root(solution_dir);
    let mut gaps = LayoutGaps::default();
    let Ok(own) = fs::read_to_string(solution_dir.join("solutioncomponents.yml")) else {
        return gaps;
    };
    for (n, line) in own.lines().enumerate() {
        for path in listed_paths(line) {
            if !root.join(&path).exists() {
                gaps.listed_without_files.push((path, n as u32 + 1));
            }
        }
    }
    let listed: Vec<String> = solutions_at(root)
        .iter()
        .filter_map(|s| {
            fs::read_to_string(
                root.join("solutions")
                    .join(s)
                    .join("solutioncomponents.yml"),
            )
            .ok()
        })
        .flat_map(|text| listed_paths(&text))
        .map(|p| p.to_ascii_lowercase())
        .collect();
    let mut folders = component_folders(root);
    folders.sort();
    gaps.unlisted_folders = folders
        .into_iter()
        .filter(|f| !covered(&listed, f))
        .collect();
    gaps
}

/// [`layout_gaps`] of a package in memory (a merge's result): the folders are those its
/// entries sit in, the manifests its `solutions/*/solutioncomponents.yml` entries.
pub fn entry_gaps(entries: &[Entry], solution: &str) -> LayoutGaps {
    let folder_of = |path: &str| -> Option<String> {
        let mut parts = path.split('/');
        let (kind, name) = (parts.next()?, parts.next()?);
        parts.next()?;
        (kind != "solutions" && kind != "publishers").then(|| format!("{kind}/{name}"))
    };
    let own_manifest = format!("solutions/{solution}/solutioncomponents.yml");
    let mut gaps = LayoutGaps::default();
    let mut listed = Vec::new();
    for e in entries {
        let Some(rest) = e.path.strip_prefix("solutions/") else {
            continue;
        };
        if !rest.ends_with("/solutioncomponents.yml") {
            continue;
        }
        let text = String::from_utf8_lossy(&e.data);
        for (n, line) in text.lines().enumerate() {
            for path in listed_paths(line) {
                let lower = path.to_ascii_lowercase();
                let has_files = entries.iter().any(|f| {
                    let p = f.path.to_ascii_lowercase();
                    p == lower || p.starts_with(&format!("{lower}/"))
                });
                if e.path == own_manifest && !has_files {
                    gaps.listed_without_files.push((path.clone(), n as u32 + 1));
                }
                listed.push(lower);
            }
        }
    }
    let mut folders: Vec<String> = entries.iter().filter_map(|e| folder_of(&e.path)).collect();
    folders.sort();
    folders.dedup();
    gaps.unlisted_folders = folders
        .into_iter()
        .filter(|f| !covered(&listed, f))
        .collect();
    gaps
}

/// Whether a component folder is one a manifest lists (or holds, or lies in).
fn covered(listed: &[String], folder: &str) -> bool {
    let lower = folder.to_ascii_lowercase();
    listed.iter().any(|l| {
        *l == lower || l.starts_with(&format!("{lower}/")) || lower.starts_with(&format!("{l}/"))
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
