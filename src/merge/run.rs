//! The `merge` and `pack` commands once their arguments are plain paths: which package form
//! three arguments are (three files, three folders or three zips), reading them, merging,
//! and writing the result, the conflicted package of a zip merge and the JSON report — the
//! report only once the result itself is written, so a failed merge leaves nothing behind.
//! Notes for the user (the line merge's reason, conflict lists, what to do next) go to the
//! `notes` writer the caller passes (standard error for the command line).
//!
//! The boundary types are [`MergeRun`] in, [`MergeStatus`] out, and [`RunError`].

use super::package::{CONTENT_TYPES, PackageMergeOutcome, THEIRS_SUFFIX, merge_packages};
use super::{
    Conflict, ConflictReason, MergeOptions, MergeOutcome, has_conflict_markers, merge_owned,
};
use crate::check::{self, Problem};
use crate::input::{self, Entry, InputError, Limits, Package, PackageForm, TextEncoding};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The files of one merge, and where its result and report go.
#[derive(Debug, Clone)]
pub struct MergeRun {
    pub base: PathBuf,
    pub ours: PathBuf,
    pub theirs: PathBuf,
    /// The merged file, folder or zip; `None` writes a merged file to `stdout`.
    pub output: Option<PathBuf>,
    /// The JSON report of conflicts and rule decisions.
    pub report: Option<PathBuf>,
}

/// How a merge ended that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeStatus {
    Clean,
    /// Conflicts were written (markers in the result, or a `.conflicts/` folder for a zip).
    Conflicts,
}

/// Why a merge or a pack could not run; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("reading {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("reading {}", path.display())]
    Package {
        path: PathBuf,
        #[source]
        source: InputError,
    },
    #[error("writing {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: InputError,
    },
    #[error("writing the report {}", path.display())]
    Report {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing to standard output")]
    Stdout(#[source] io::Error),
    #[error(
        "{}: UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a BOM",
        path.display()
    )]
    Utf16WithoutBom { path: PathBuf },
    #[error(
        "merge expects three files, three folders or three zips: {argument} ({}) {odd}, the others {others}",
        path.display()
    )]
    MixedForms {
        argument: &'static str,
        path: PathBuf,
        odd: String,
        others: String,
    },
    #[error("merge of three {form} writes a package: give -o OUT for it")]
    NeedsOutput { form: &'static str },
    #[error("{} is not resolved yet, nothing written:\n  {}", folder.display(), problems.join("\n  "))]
    Unresolved {
        folder: PathBuf,
        problems: Vec<String>,
    },
}

/// A package form in words, for messages: with its article, and in the plural.
pub fn form_phrase(form: PackageForm) -> (&'static str, &'static str) {
    match form {
        PackageForm::Zip => ("a solution zip", "solution zips"),
        PackageForm::ExtractedFolder => ("an extracted folder", "extracted folders"),
        PackageForm::PackagerFolder => ("a SolutionPackager folder", "SolutionPackager folders"),
        PackageForm::XmlFile => ("an XML file", "XML files"),
        PackageForm::YamlFolder => ("a YAML layout folder", "YAML layout folders"),
        PackageForm::YamlFile => ("a YAML file", "YAML files"),
    }
}

/// `soltree merge BASE OURS THEIRS`: three files, three folders or three zips.
pub fn run(
    run: &MergeRun,
    opts: &MergeOptions,
    limits: &Limits,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<MergeStatus, RunError> {
    let named = [
        ("BASE", &run.base),
        ("OURS", &run.ours),
        ("THEIRS", &run.theirs),
    ];
    let dirs = named.map(|(_, p)| p.is_dir());
    if dirs.iter().any(|&d| d) {
        odd_one_out(&named, &dirs, "folder")?;
        return merge_package_run(run, opts, limits, PackageForm::ExtractedFolder, notes);
    }
    let zips = named.map(|(_, p)| input::detect(p).ok() == Some(PackageForm::Zip));
    if zips[1] || zips[2] {
        // A missing or empty BASE (added on both sides) need not be a zip.
        let mut zips = zips;
        zips[0] |= is_absent(&run.base);
        odd_one_out(&named, &zips, "zip")?;
        return merge_package_run(run, opts, limits, PackageForm::Zip, notes);
    }
    merge_file_run(run, opts, stdout, notes)
}

/// Whether a base is missing or empty: the path was added on both sides.
fn is_absent(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |m| m.len() == 0)
}

/// The argument whose form differs from the other two, as an error.
fn odd_one_out(
    named: &[(&'static str, &PathBuf); 3],
    is: &[bool; 3],
    what: &str,
) -> Result<(), RunError> {
    if is.iter().all(|&x| x) || is.iter().all(|&x| !x) {
        return Ok(());
    }
    let majority = is.iter().filter(|&&x| x).count() >= 2;
    let i = is.iter().position(|&x| x != majority).expect("one differs");
    let (argument, path) = named[i];
    let (odd, others) = if majority {
        (format!("is not a {what}"), format!("are {what}s"))
    } else {
        (format!("is a {what}"), format!("are not {what}s"))
    };
    Err(RunError::MixedForms {
        argument,
        path: path.clone(),
        odd,
        others,
    })
}

fn merge_file_run(
    run: &MergeRun,
    opts: &MergeOptions,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<MergeStatus, RunError> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| RunError::Read {
            path: p.to_path_buf(),
            source,
        })
    };
    let base = match std::fs::read(&run.base) {
        Ok(b) if !b.is_empty() => Some(b),
        Ok(_) => None,
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(RunError::Read {
                path: run.base.clone(),
                source,
            });
        }
    };
    let (ours, theirs) = (read(&run.ours)?, read(&run.theirs)?);
    for (path, data) in [
        (&run.base, base.as_deref()),
        (&run.ours, Some(&ours[..])),
        (&run.theirs, Some(&theirs[..])),
    ] {
        if data.is_some_and(|d| TextEncoding::utf16_without_bom(d).is_some()) {
            return Err(RunError::Utf16WithoutBom { path: path.clone() });
        }
    }
    let mut outcome = merge_owned(base, ours, theirs, opts);
    // Findings are placed in the result: named by the repository path, else the output.
    let name = opts
        .path
        .clone()
        .unwrap_or_else(|| file_name(run.output.as_ref().unwrap_or(&run.ours)));
    check_file_result(&mut outcome, &name, opts, &|| {
        read_sides(&run.ours, &run.theirs)
    });
    if let Some(why) = &outcome.fallback {
        let _ = writeln!(notes, "soltree: {why}");
    }
    let report = match &run.report {
        Some(path) => Some(PendingReport::new(
            path,
            &outcome.report(opts.path.as_deref()),
        )?),
        None => None,
    };
    match &run.output {
        Some(path) => {
            input::write_file(path, &outcome.bytes).map_err(|source| RunError::Write {
                path: path.clone(),
                source,
            })?
        }
        None => stdout
            .write_all(&outcome.bytes)
            .and_then(|()| stdout.flush())
            .map_err(RunError::Stdout)?,
    }
    if let Some(report) = report {
        report.persist()?;
    }
    if outcome.is_clean() {
        return Ok(MergeStatus::Clean);
    }
    let n = outcome.conflicts.len();
    let name = opts
        .path
        .clone()
        .unwrap_or_else(|| run.ours.display().to_string());
    let _ = writeln!(notes, "soltree: {n} conflict{} in {name}", plural(n));
    write_invalid(&outcome.conflicts, notes);
    Ok(MergeStatus::Conflicts)
}

/// Three folders or three zips, merged entry by entry.
fn merge_package_run(
    run: &MergeRun,
    opts: &MergeOptions,
    limits: &Limits,
    form: PackageForm,
    notes: &mut dyn Write,
) -> Result<MergeStatus, RunError> {
    let Some(out) = &run.output else {
        return Err(RunError::NeedsOutput {
            form: form_phrase(form).1,
        });
    };
    let read = |p: &Path| -> Result<Vec<Entry>, RunError> {
        let entries = if form == PackageForm::Zip {
            input::read(p, limits).map(|pkg| pkg.entries)
        } else {
            input::read_tree(p, limits)
        };
        entries.map_err(|source| RunError::Package {
            path: p.to_path_buf(),
            source,
        })
    };
    let base = if form == PackageForm::Zip && is_absent(&run.base) {
        Vec::new()
    } else {
        read(&run.base)?
    };
    let (ours, theirs) = (read(&run.ours)?, read(&run.theirs)?);
    let mut outcome = merge_packages(&base, &ours, &theirs, opts);
    let checked_form = match form {
        PackageForm::Zip => form,
        _ => input::detect(&run.ours).unwrap_or(form),
    };
    check_package_result(&mut outcome, checked_form, &ours, &theirs, opts);
    if checked_form == PackageForm::YamlFolder {
        warn_unlisted(&outcome.entries, &ours, &theirs, notes);
    }
    let report = match &run.report {
        Some(path) => Some(PendingReport::new(path, &outcome.report())?),
        None => None,
    };
    let clean = outcome.is_clean();
    if form == PackageForm::Zip && !clean {
        let (dir, conflicts_report) = write_conflicted(out, &outcome)?;
        if let Some(report) = report {
            report.persist()?;
        }
        let _ = writeln!(
            notes,
            "soltree: conflicts: {} not written; the merged package with its conflicts is in {}/ (report: {})",
            out.display(),
            dir.display(),
            conflicts_report.display()
        );
        write_package_conflicts(&outcome, notes);
        let _ = writeln!(
            notes,
            "soltree: resolve the markers there, then `soltree pack {} -o {}`",
            dir.display(),
            out.display()
        );
        return Ok(MergeStatus::Conflicts);
    }
    let mut entries = outcome.entries.clone();
    if form != PackageForm::Zip {
        entries.extend(outcome.sidecars.iter().cloned());
    }
    let pkg = Package {
        form,
        source: out.clone(),
        entries,
    };
    input::write(&pkg, out).map_err(|source| RunError::Write {
        path: out.clone(),
        source,
    })?;
    if let Some(report) = report {
        report.persist()?;
    }
    if clean {
        return Ok(MergeStatus::Clean);
    }
    let _ = writeln!(notes, "soltree: conflicts written into {}:", out.display());
    write_package_conflicts(&outcome, notes);
    Ok(MergeStatus::Conflicts)
}

/// Writes a conflicted package merge beside `target` (a zip path): the merged package as an
/// extracted folder `<target>.conflicts/` (entries with markers, `<name>.theirs` beside each
/// binary conflict) and the JSON report `<target>.conflicts.json`. An existing folder of
/// that name is never touched: the next free `…conflicts-2`, `-3`, … is used instead.
pub fn write_conflicted(
    target: &Path,
    outcome: &PackageMergeOutcome,
) -> Result<(PathBuf, PathBuf), RunError> {
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
    input::write(&pkg, &dir).map_err(|source| RunError::Write {
        path: dir.clone(),
        source,
    })?;
    let report = PathBuf::from(format!("{}.json", dir.display()));
    let mut json = serde_json::to_vec_pretty(&outcome.report()).expect("report serializes");
    json.push(b'\n');
    input::write_file(&report, &json).map_err(|source| RunError::Write {
        path: report.clone(),
        source,
    })?;
    Ok((dir, report))
}

/// `merge` checks its own clean result as `soltree check` does: the errors the merge made
/// (not those a side already had) become conflicts of reason `invalid-result`, so a clean
/// merge is also one Dataverse imports. `name` is the file's name in its package (an XML
/// file, or a cloud flow's `.json`); `sides` reads ours and theirs again, only when the
/// result has errors. Results that are neither XML nor a flow are not checked, nor the
/// plain line merge `SOLTREE_DRIVER=0` asks for.
pub fn check_file_result(
    outcome: &mut MergeOutcome,
    name: &str,
    opts: &MergeOptions,
    sides: &dyn Fn() -> Vec<Vec<u8>>,
) {
    if !opts.check_result || opts.line_only.is_some() || !outcome.is_clean() {
        return;
    }
    let is_json = name.to_ascii_lowercase().ends_with(".json");
    let is_yaml = input::yaml::is_yaml_name(name);
    if !is_json && !is_yaml && !input::looks_like_xml(&outcome.bytes) {
        return;
    }
    let form = if is_yaml {
        PackageForm::YamlFile
    } else {
        PackageForm::XmlFile
    };
    let package = |data: Vec<u8>| Package {
        form,
        source: PathBuf::from(name),
        entries: vec![Entry {
            path: name.to_string(),
            data,
        }],
    };
    let errors = check::merge_errors(package(outcome.bytes.clone()), &|| {
        sides().into_iter().map(package).collect()
    });
    outcome
        .conflicts
        .extend(errors.into_iter().map(invalid_result));
}

/// Ours and theirs read again from their files, for [`check_file_result`] (a side that
/// cannot be read any more has no errors to compare with).
pub fn read_sides(ours: &Path, theirs: &Path) -> Vec<Vec<u8>> {
    [ours, theirs]
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// [`check_file_result`] for a package merge: the merged package against ours and theirs
/// (the manifest against the files, a component in two files, and every file's checks).
pub fn check_package_result(
    outcome: &mut PackageMergeOutcome,
    form: PackageForm,
    ours: &[Entry],
    theirs: &[Entry],
    opts: &MergeOptions,
) {
    if !opts.check_result || opts.line_only.is_some() || !outcome.is_clean() {
        return;
    }
    let package = |entries: Vec<Entry>| Package {
        form,
        source: PathBuf::new(),
        entries,
    };
    let errors = check::merge_errors(package(outcome.entries.clone()), &|| {
        vec![package(ours.to_vec()), package(theirs.to_vec())]
    });
    outcome.invalid = errors.into_iter().map(invalid_result).collect();
}

/// Folders of a merged YAML layout holding files no solution lists, which neither side left
/// unlisted: pack would drop them without an error, so the merge says so (a warning: the
/// result is still written).
fn warn_unlisted(result: &[Entry], ours: &[Entry], theirs: &[Entry], notes: &mut dyn Write) {
    let Some(name) = input::yaml::solution_of(result.iter().map(|e| e.path.as_str())) else {
        return;
    };
    let unlisted = |entries: &[Entry]| input::yaml::entry_gaps(entries, name).unlisted_folders;
    let (o, t) = (unlisted(ours), unlisted(theirs));
    for folder in unlisted(result) {
        if !o.contains(&folder) && !t.contains(&folder) {
            let _ = writeln!(
                notes,
                "soltree: warning: {folder}: files no solutioncomponents.yml lists after the merge (pack drops them)"
            );
        }
    }
}

/// A problem `check` found in a merged result, as a conflict of the report.
pub fn invalid_result(p: Problem) -> Conflict {
    let place = match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", p.entry),
        _ => p.entry.clone(),
    };
    Conflict {
        path: p.path.unwrap_or_else(|| p.entry.clone()),
        kind: p.code.name().to_string(),
        display_name: p.component.unwrap_or_default(),
        property: format!("{place}: {}", p.message),
        reason: ConflictReason::InvalidResult,
        base: None,
        ours: None,
        theirs: None,
    }
}

/// Lists the errors the merge made (the other conflicts are in the result's markers).
pub fn write_invalid(conflicts: &[Conflict], notes: &mut dyn Write) {
    for c in conflicts
        .iter()
        .filter(|c| c.reason == ConflictReason::InvalidResult)
    {
        let _ = writeln!(notes, "  {} [{}]: {}", c.path, c.kind, c.property);
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The reason of a conflict, in words.
pub fn reason_text(reason: ConflictReason) -> &'static str {
    use ConflictReason::*;
    match reason {
        BothChanged => "changed differently on both sides",
        BothAdded => "added on both sides with different content",
        DeletedByOurs => "deleted by ours, changed by theirs",
        DeletedByTheirs => "deleted by theirs, changed by ours",
        BothReordered => "reordered differently on both sides",
        BothMoved => "moved to different places on both sides",
        Lines => "the same lines changed on both sides",
        InvalidResult => {
            "merged without a conflict, but the result would not import (`soltree check`); \
             neither side had this"
        }
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Names every conflicting entry and, inside it, every conflicting component (twenty at
/// most per entry; the report has them all).
pub fn write_package_conflicts(outcome: &PackageMergeOutcome, notes: &mut dyn Write) {
    if !outcome.invalid.is_empty() {
        let _ = writeln!(
            notes,
            "  INVALID the merged package would not import (`soltree check`; neither side had these):"
        );
        write_invalid(&outcome.invalid, notes);
    }
    for e in outcome.conflicted() {
        let _ = writeln!(notes, "  CONFLICT {}", e.path);
        for c in e.conflicts.iter().take(20) {
            let _ = if c.path.is_empty() {
                writeln!(notes, "    {}", c.property)
            } else {
                writeln!(
                    notes,
                    "    {} {}: {}",
                    c.path,
                    c.property,
                    reason_text(c.reason)
                )
            };
        }
        if e.conflicts.len() > 20 {
            let _ = writeln!(
                notes,
                "    … {} more (see the report)",
                e.conflicts.len() - 20
            );
        }
    }
}

/// What `pack` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    pub entries: usize,
    pub bytes: u64,
}

/// `soltree pack FOLDER -o OUT.zip`: an extracted folder (a resolved `<zip>.conflicts/`
/// folder, say) zipped in export order with `[Content_Types].xml` regenerated. Refuses files
/// that still hold conflict markers and leftover `.theirs` copies.
pub fn pack(folder: &Path, output: &Path, limits: &Limits) -> Result<PackSummary, RunError> {
    let mut entries = input::read_tree(folder, limits).map_err(|source| RunError::Package {
        path: folder.to_path_buf(),
        source,
    })?;
    let names: std::collections::HashSet<String> = entries.iter().map(|e| e.path.clone()).collect();
    let mut problems = Vec::new();
    for e in &entries {
        let marked = std::str::from_utf8(&e.data).is_ok_and(has_conflict_markers);
        let sidecar = e
            .path
            .strip_suffix(THEIRS_SUFFIX)
            .is_some_and(|p| names.contains(p));
        if marked {
            problems.push(format!("{}: still holds conflict markers", e.path));
        } else if sidecar {
            problems.push(format!(
                "{}: theirs' copy of a binary part; delete it once you chose",
                e.path
            ));
        }
    }
    if !problems.is_empty() {
        return Err(RunError::Unresolved {
            folder: folder.to_path_buf(),
            problems,
        });
    }
    entries.retain(|e| !e.path.eq_ignore_ascii_case(CONTENT_TYPES));
    let ct = super::package::content_types_xml(&entries);
    entries.push(Entry {
        path: CONTENT_TYPES.into(),
        data: ct,
    });
    super::package::export_order(&mut entries);
    let count = entries.len();
    let pkg = Package {
        form: PackageForm::Zip,
        source: output.to_path_buf(),
        entries,
    };
    input::write(&pkg, output).map_err(|source| RunError::Write {
        path: output.to_path_buf(),
        source,
    })?;
    Ok(PackSummary {
        entries: count,
        bytes: std::fs::metadata(output).map_or(0, |m| m.len()),
    })
}

/// A merge report ready to be written, held back until the merge result itself is written,
/// so that a merge that fails leaves no report behind claiming a result. It sits in a
/// temporary file beside its destination and is renamed into place by
/// [`PendingReport::persist`]; dropped, it disappears.
struct PendingReport {
    file: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingReport {
    fn new(path: &Path, report: &impl serde::Serialize) -> Result<PendingReport, RunError> {
        let fail = |source| RunError::Report {
            path: path.to_path_buf(),
            source,
        };
        let mut buf = serde_json::to_vec_pretty(report).expect("reports serialize");
        buf.push(b'\n');
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut file = tempfile::Builder::new()
            .prefix(".soltree-report")
            .tempfile_in(dir)
            .map_err(fail)?;
        file.write_all(&buf).map_err(fail)?;
        Ok(PendingReport {
            file,
            path: path.to_path_buf(),
        })
    }

    fn persist(self) -> Result<(), RunError> {
        let path = self.path;
        self.file.persist(&path).map_err(|e| RunError::Report {
            path,
            source: e.error,
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicted_folder_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sol.zip");
        std::fs::create_dir(dir.path().join("sol.zip.conflicts")).unwrap();
        std::fs::write(dir.path().join("sol.zip.conflicts/mine.txt"), b"keep").unwrap();
        let entry = |data: &[u8]| Entry {
            path: "a.js".into(),
            data: data.to_vec(),
        };
        let outcome = merge_packages(
            &[],
            &[entry(b"1\n")],
            &[entry(b"2\n")],
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

    #[test]
    fn the_odd_argument_is_named() {
        let (a, b) = (PathBuf::from("a"), PathBuf::from("b"));
        let named = [("BASE", &a), ("OURS", &a), ("THEIRS", &b)];
        let e = odd_one_out(&named, &[true, true, false], "folder").unwrap_err();
        assert_eq!(
            e.to_string(),
            "merge expects three files, three folders or three zips: THEIRS (b) is not a folder, the others are folders"
        );
        let e = odd_one_out(&named, &[false, true, false], "zip").unwrap_err();
        assert!(
            e.to_string()
                .contains("OURS (a) is a zip, the others are not zips")
        );
        assert!(odd_one_out(&named, &[true; 3], "zip").is_ok());
    }

    #[test]
    fn a_merged_layout_with_files_no_manifest_lists_is_warned_about() {
        let entry = |path: &str, data: &str| Entry {
            path: path.to_string(),
            data: data.as_bytes().to_vec(),
        };
        let listing = |paths: &[&str]| {
            let mut text = String::from("SolutionComponents:\n  Component:\n");
            for p in paths {
                text.push_str(&format!("  - '@path': {p}\n"));
            }
            entry("solutions/C/solutioncomponents.yml", &text)
        };
        let side = |listed: &[&str], tables: &[&str]| {
            let mut v = vec![
                entry("solutions/C/solution.yml", "ImportExportXml: \n"),
                listing(listed),
            ];
            v.extend(
                tables
                    .iter()
                    .map(|t| entry(&format!("entities/{t}/entity.yml"), "Entity: \n")),
            );
            v
        };
        let ours = side(&["/entities/a", "/entities/b"], &["a", "b"]);
        let theirs = side(&["/entities/a", "/entities/c"], &["a", "c"]);
        // A result that lost theirs' line for `c` but kept its files.
        let result = side(&["/entities/a", "/entities/b"], &["a", "b", "c"]);
        let mut notes = Vec::new();
        warn_unlisted(&result, &ours, &theirs, &mut notes);
        assert_eq!(
            String::from_utf8(notes).unwrap(),
            "soltree: warning: entities/c: files no solutioncomponents.yml lists after the merge (pack drops them)\n"
        );
        let mut quiet = Vec::new();
        warn_unlisted(
            &side(
                &["/entities/a", "/entities/b", "/entities/c"],
                &["a", "b", "c"],
            ),
            &ours,
            &theirs,
            &mut quiet,
        );
        assert!(quiet.is_empty());
    }
}
