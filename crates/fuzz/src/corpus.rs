//! Seeds from the real corpus (`../shared/corpus`), read once into memory and never copied
//! into the project: single files (the `merges/` sides, SolutionPackager component files,
//! the manifests and customizations of extracted exports), the real three-way merges as
//! triples, packages (small exported zips with their bytes, extracted folders,
//! SolutionPackager sub-trees of one entity each) and the whole-tree merges as package
//! triples. Everything larger than the seed cap is left out so executions stay fast; the
//! order is sorted so a campaign seed means the same executions on every machine.

use crate::text::Format;
use soltree::input::{self, Entry, Limits, PackageForm};
use std::fs;
use std::path::{Path, PathBuf};

/// One file.
pub struct FileSeed {
    /// Where it came from, relative to the corpus.
    pub name: String,
    /// Its own file name (the entry name of a single-file package).
    pub file_name: String,
    /// Its path in its repository or package (for `--path`).
    pub path_hint: Option<String>,
    pub data: Vec<u8>,
    pub format: Format,
}

/// A real three-way merge of one file.
pub struct TripleSeed {
    pub name: String,
    pub file_name: String,
    pub path_hint: Option<String>,
    pub base: Option<Vec<u8>>,
    pub ours: Vec<u8>,
    pub theirs: Vec<u8>,
}

/// A package held in memory.
pub struct PackageSeed {
    pub name: String,
    pub form: PackageForm,
    pub entries: Vec<Entry>,
    /// The archive's own bytes, for exported zips.
    pub zip: Option<Vec<u8>>,
}

/// A real merge of whole trees.
pub struct PackageTripleSeed {
    pub name: String,
    pub base: Vec<Entry>,
    pub ours: Vec<Entry>,
    pub theirs: Vec<Entry>,
}

pub struct Corpus {
    pub files: Vec<FileSeed>,
    pub triples: Vec<TripleSeed>,
    pub packages: Vec<PackageSeed>,
    pub package_triples: Vec<PackageTripleSeed>,
}

/// Seed size limits.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Largest file, and largest package (sum of its entries).
    pub bytes: usize,
    /// Largest zip archive taken as a seed.
    pub zip_bytes: usize,
}

impl Corpus {
    pub fn load(root: &Path, caps: Caps) -> Result<Corpus, String> {
        if !root.is_dir() {
            return Err(format!(
                "no corpus at {} (pass --corpus or set SOLTREE_CORPUS)",
                root.display()
            ));
        }
        let mut corpus = Corpus {
            files: Vec::new(),
            triples: Vec::new(),
            packages: Vec::new(),
            package_triples: Vec::new(),
        };
        corpus.load_merges(root, caps);
        corpus.load_unpacked(root, caps);
        corpus.load_extracted(root, caps);
        corpus.load_zips(root, caps);
        corpus.load_whole_merges(root, caps);
        if corpus.files.is_empty() {
            return Err(format!("no seed files found under {}", root.display()));
        }
        Ok(corpus)
    }

    pub fn total_bytes(&self) -> usize {
        let entries = |v: &[Entry]| v.iter().map(|e| e.data.len()).sum::<usize>();
        self.files.iter().map(|f| f.data.len()).sum::<usize>()
            + self
                .triples
                .iter()
                .map(|t| t.base.as_ref().map_or(0, Vec::len) + t.ours.len() + t.theirs.len())
                .sum::<usize>()
            + self
                .packages
                .iter()
                .map(|p| entries(&p.entries))
                .sum::<usize>()
            + self
                .package_triples
                .iter()
                .map(|t| entries(&t.base) + entries(&t.ours) + entries(&t.theirs))
                .sum::<usize>()
    }

    fn add_file(&mut self, root: &Path, path: &Path, hint: Option<String>, caps: Caps) {
        let Ok(data) = fs::read(path) else { return };
        if data.len() > caps.bytes || data.is_empty() {
            return;
        }
        self.files.push(FileSeed {
            name: rel(root, path),
            file_name: file_name(path),
            path_hint: hint,
            format: Format::sniff(&data),
            data,
        });
    }

    /// `merges/<repo>/<case>/{base,ours,theirs,resolved}.*` with `meta.json`'s path.
    fn load_merges(&mut self, root: &Path, caps: Caps) {
        for repo in sorted_dirs(&root.join("merges")) {
            for case in sorted_dirs(&repo) {
                let hint = fs::read(case.join("meta.json"))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .and_then(|v| v.get("path")?.as_str().map(str::to_string));
                let side = |stem: &str| {
                    sorted_files(&case)
                        .into_iter()
                        .find(|p| p.file_stem().is_some_and(|s| s == stem))
                };
                let (Some(ours), Some(theirs)) = (side("ours"), side("theirs")) else {
                    continue;
                };
                let read = |p: &Path| fs::read(p).ok().filter(|d| d.len() <= caps.bytes);
                let base = side("base");
                if let (Some(o), Some(t)) = (read(&ours), read(&theirs)) {
                    self.triples.push(TripleSeed {
                        name: rel(root, &case),
                        file_name: hint.as_deref().map_or_else(
                            || file_name(&ours),
                            |h| h.rsplit('/').next().unwrap_or(h).to_string(),
                        ),
                        path_hint: hint.clone(),
                        base: base.as_deref().and_then(read),
                        ours: o,
                        theirs: t,
                    });
                }
                for stem in ["base", "ours", "theirs", "resolved"] {
                    if let Some(p) = side(stem) {
                        self.add_file(root, &p, hint.clone(), caps);
                    }
                }
            }
        }
    }

    /// SolutionPackager trees: every XML file, and per entity a package of `Other/` plus
    /// that entity's folder, and one of `Other/` plus everything outside `Entities/`.
    fn load_unpacked(&mut self, root: &Path, caps: Caps) {
        let mut roots = Vec::new();
        find_packager_roots(&root.join("unpacked"), &mut roots);
        for pkg_root in roots {
            let all = sorted_tree(&pkg_root);
            for f in &all {
                let relp = rel(&pkg_root, f);
                if relp.to_ascii_lowercase().ends_with(".xml") {
                    self.add_file(root, f, Some(relp), caps);
                }
            }
            let entries_under = |pred: &dyn Fn(&str) -> bool| -> Vec<Entry> {
                all.iter()
                    .filter_map(|f| {
                        let p = rel(&pkg_root, f);
                        pred(&p).then(|| fs::read(f).ok().map(|data| Entry { path: p, data }))?
                    })
                    .collect()
            };
            for entity in sorted_dirs(&pkg_root.join("Entities")) {
                let prefix = format!("Entities/{}/", file_name(&entity));
                let entries =
                    entries_under(&|p: &str| p.starts_with("Other/") || p.starts_with(&prefix));
                self.add_package(
                    format!("{}:{}", rel(root, &pkg_root), prefix.trim_end_matches('/')),
                    PackageForm::PackagerFolder,
                    entries,
                    None,
                    caps,
                );
            }
            let entries = entries_under(&|p: &str| !p.starts_with("Entities/"));
            self.add_package(
                format!("{}:rest", rel(root, &pkg_root)),
                PackageForm::PackagerFolder,
                entries,
                None,
                caps,
            );
        }
    }

    /// `extracted/<group>/<export>/`: the folder as a package when small enough, and its
    /// manifest and customizations as files.
    fn load_extracted(&mut self, root: &Path, caps: Caps) {
        for group in sorted_dirs(&root.join("extracted")) {
            for export in sorted_dirs(&group) {
                let files = sorted_tree(&export);
                for f in &files {
                    let n = file_name(f).to_ascii_lowercase();
                    if n == "solution.xml" || n == "customizations.xml" {
                        self.add_file(root, f, Some(file_name(f)), caps);
                    }
                }
                let entries: Vec<Entry> = files
                    .iter()
                    .filter_map(|f| {
                        Some(Entry {
                            path: rel(&export, f),
                            data: fs::read(f).ok()?,
                        })
                    })
                    .collect();
                self.add_package(
                    rel(root, &export),
                    PackageForm::ExtractedFolder,
                    entries,
                    None,
                    caps,
                );
            }
        }
    }

    /// Small exported zips, read by soltree's own reader (the seeds are real exports).
    fn load_zips(&mut self, root: &Path, caps: Caps) {
        let limits = Limits::default();
        for group in sorted_dirs(&root.join("zips")) {
            for z in sorted_files(&group) {
                let Ok(bytes) = fs::read(&z) else { continue };
                if bytes.len() > caps.zip_bytes {
                    continue;
                }
                let Ok(pkg) = input::read(&z, &limits) else {
                    continue;
                };
                for e in &pkg.entries {
                    let n = e.path.to_ascii_lowercase();
                    if (n == "solution.xml" || n == "customizations.xml")
                        && e.data.len() <= caps.bytes / 4
                    {
                        self.files.push(FileSeed {
                            name: format!("{}!{}", rel(root, &z), e.path),
                            file_name: e.path.clone(),
                            path_hint: Some(e.path.clone()),
                            format: Format::sniff(&e.data),
                            data: e.data.clone(),
                        });
                    }
                }
                self.add_package(
                    rel(root, &z),
                    PackageForm::Zip,
                    pkg.entries,
                    Some(bytes),
                    caps,
                );
            }
        }
    }

    /// `whole-merges/<repo>/<merge>/{base,ours,theirs}/` as package triples.
    fn load_whole_merges(&mut self, root: &Path, caps: Caps) {
        let limits = Limits::default();
        for repo in sorted_dirs(&root.join("whole-merges")) {
            for merge in sorted_dirs(&repo) {
                let side = |s: &str| input::read_tree(&merge.join(s), &limits).ok();
                let (Some(base), Some(ours), Some(theirs)) =
                    (side("base"), side("ours"), side("theirs"))
                else {
                    continue;
                };
                let size = |v: &[Entry]| v.iter().map(|e| e.data.len()).sum::<usize>();
                if [&base, &ours, &theirs].iter().any(|s| size(s) > caps.bytes) {
                    continue;
                }
                self.package_triples.push(PackageTripleSeed {
                    name: rel(root, &merge),
                    base,
                    ours,
                    theirs,
                });
            }
        }
    }

    fn add_package(
        &mut self,
        name: String,
        form: PackageForm,
        entries: Vec<Entry>,
        zip: Option<Vec<u8>>,
        caps: Caps,
    ) {
        let size: usize = entries.iter().map(|e| e.data.len()).sum();
        if entries.is_empty() || size > caps.bytes {
            return;
        }
        self.packages.push(PackageSeed {
            name,
            form,
            entries,
            zip,
        });
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sorted_entries(dir: &Path, dirs: bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir() == dirs)
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir, true)
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir, false)
}

/// Every file below `dir`, sorted.
fn sorted_tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = sorted_files(dir);
    for d in sorted_dirs(dir) {
        out.extend(sorted_tree(&d));
    }
    out.sort();
    out
}

/// Folders that hold `Other/Solution.xml` (SolutionPackager roots).
fn find_packager_roots(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("Other").join("Solution.xml").is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    for d in sorted_dirs(dir) {
        find_packager_roots(&d, out);
    }
}
