//! The git integration through real `git` in temporary repositories: `soltree git install`,
//! then `git merge`, `git rebase`, `git cherry-pick` going through the merge driver on a
//! SolutionPackager tree, a customizations.xml and a solution zip; real conflicts with
//! markers, labels, marker size and `merge.conflictStyle`; the `SOLTREE_DRIVER=0` escape
//! hatch; `git diff`/`log -p`/`show` of a zip through the textconv driver and its cache;
//! criss-cross histories, whose virtual merge base may hold conflict markers; and a driver
//! killed mid-write. Every git runs with a cleared environment (PATH, a temporary HOME,
//! GIT_CONFIG_NOSYSTEM=1, a fixed identity and date).

use crate::testdata;
use soltree::input::{self, Entry, Limits, Package, PackageForm};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SOLTREE: &str = env!("CARGO_BIN_EXE_soltree");

/// `soltree merge BASE OURS THEIRS -o OUT [--report REPORT]` from the command line.
pub fn soltree_merge<P: AsRef<Path>>(inputs: [P; 3], out: &Path, report: Option<&Path>) -> Output {
    let mut c = Command::new(SOLTREE);
    c.arg("merge")
        .args(inputs.iter().map(AsRef::as_ref))
        .arg("-o")
        .arg(out);
    if let Some(r) = report {
        c.arg("--report").arg(r);
    }
    c.output().unwrap()
}

/// A temporary repository with its own HOME.
pub struct Repo {
    _tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub root: PathBuf,
}

impl Repo {
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&root).unwrap();
        let repo = Repo {
            _tmp: tmp,
            home,
            root,
        };
        repo.ok(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A command with the clean environment, run in the repository.
    pub fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "soltree test")
            .env("GIT_AUTHOR_EMAIL", "test@soltree.invalid")
            .env("GIT_COMMITTER_NAME", "soltree test")
            .env("GIT_COMMITTER_EMAIL", "test@soltree.invalid")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_EDITOR", "true")
            .current_dir(&self.root);
        c
    }

    pub fn git(&self, args: &[&str]) -> Output {
        self.cmd("git").args(args).output().unwrap()
    }

    /// Runs git and insists on success; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn soltree(&self, args: &[&str]) -> Output {
        self.cmd(SOLTREE).args(args).output().unwrap()
    }

    pub fn install(&self) {
        let out = self.soltree(&["git", "install"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.ok(&["add", ".gitattributes"]);
        self.ok(&["commit", "-qm", "soltree drivers"]);
    }

    pub fn write(&self, rel: &str, data: &[u8]) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.root.join(rel)).unwrap()
    }

    /// `git merge` of `branch`, which must succeed and leave a clean work tree.
    pub fn merge_cleanly(&self, branch: &str) {
        let out = self.git(&["merge", "--no-edit", branch]);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(self.ok(&["status", "--porcelain"]), "");
    }

    pub fn commit_all(&self, msg: &str) {
        self.ok(&["add", "-A"]);
        self.ok(&["commit", "-qm", msg]);
    }
}

fn case(name: &str, side: &str) -> Vec<u8> {
    std::fs::read(testdata(&format!("merge/{name}/{side}.xml"))).unwrap()
}

fn sample_entries() -> Vec<Entry> {
    input::read(&testdata("sample/v1"), &Limits::default())
        .unwrap()
        .entries
}

fn replace_entry(entries: &mut [Entry], path: &str, data: Vec<u8>) {
    entries.iter_mut().find(|e| e.path == path).unwrap().data = data;
}

fn text_of(entries: &[Entry], path: &str) -> String {
    String::from_utf8(
        entries
            .iter()
            .find(|e| e.path == path)
            .unwrap()
            .data
            .clone(),
    )
    .unwrap()
}

/// A zip of `entries` in the order of a Dataverse export.
pub fn zip_bytes(mut entries: Vec<Entry>) -> Vec<u8> {
    soltree::merge::package::export_order(&mut entries);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.zip");
    input::write(
        &Package {
            form: PackageForm::Zip,
            source: p.clone(),
            entries,
        },
        &p,
    )
    .unwrap();
    std::fs::read(p).unwrap()
}

pub fn unzip(bytes: &[u8]) -> Vec<Entry> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.zip");
    std::fs::write(&p, bytes).unwrap();
    input::read(&p, &Limits::default()).unwrap().entries
}

/// The three versions of the sample zip: ours takes v2's customizations.xml (a new column,
/// a changed label, …), theirs renames another label, bumps the version and adds a web
/// resource.
fn zips() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let base = sample_entries();
    let mut ours = base.clone();
    let v2 = std::fs::read(testdata("sample/v2/customizations.xml")).unwrap();
    replace_entry(&mut ours, "customizations.xml", v2);
    let mut theirs = base.clone();
    let c = text_of(&theirs, "customizations.xml").replacen("Code du compte", "Code de compte", 1);
    replace_entry(&mut theirs, "customizations.xml", c.into_bytes());
    let s = text_of(&theirs, "solution.xml").replace("<Version>1.0.0.1<", "<Version>1.0.0.3<");
    replace_entry(&mut theirs, "solution.xml", s.into_bytes());
    theirs.push(Entry {
        path: "WebResources/new_theirs0A1B2C3D-0000-0000-0000-000000000001".into(),
        data: b"// theirs\n".to_vec(),
    });
    (zip_bytes(base), zip_bytes(ours), zip_bytes(theirs))
}

const PACKAGER: &str = "src/Solution/Other/Solution.xml";
/// The other SolutionPackager files both branches change, with the fixture case each holds.
const TREE: &[(&str, &str)] = &[
    (
        "src/Solution/Entities/new_project/FormXml/main/{6ed25386-0000-0000-0000-000000000001}.xml",
        "form-fields-in-the-same-section",
    ),
    (
        "src/Solution/OptionSets/new_priority.xml",
        "labels-merge-per-language",
    ),
    (
        "src/Solution/Other/Relationships/new_project.xml",
        "properties-merge-one-by-one",
    ),
];
const CUSTOMIZATIONS: &str = "customizations.xml";
const ZIP: &str = "solutions/ContosoSales.zip";

/// A repository where `feature` and `main` both changed a SolutionPackager file, a
/// customizations.xml and a solution zip, from a common base.
fn diverged(repo: &Repo) {
    let (bz, oz, tz) = zips();
    let side = |name: &str| {
        repo.write(PACKAGER, &case("solution-manifest-sets-and-versions", name));
        for (path, fixture) in TREE {
            repo.write(path, &case(fixture, name));
        }
        repo.write(CUSTOMIZATIONS, &case("both-add-columns", name));
    };
    side("base");
    repo.write(ZIP, &bz);
    repo.commit_all("base");
    repo.ok(&["checkout", "-qb", "feature"]);
    side("theirs");
    repo.write(
        "src/Solution/WebResources/new_/theirs.js",
        b"// added by theirs\n",
    );
    repo.write(ZIP, &tz);
    repo.commit_all("theirs");
    repo.ok(&["checkout", "-q", "main"]);
    side("ours");
    repo.write("src/Solution/Roles/Ours.xml", b"<Role name=\"Ours\" />\n");
    repo.write(ZIP, &oz);
    repo.commit_all("ours");
}

/// The merged work tree holds both sides' changes of every file: the SolutionPackager tree (four
/// component files changed on both sides, one file added on each), the customizations.xml and
/// the zip.
fn assert_merged(repo: &Repo) {
    assert_eq!(
        repo.read(PACKAGER),
        case("solution-manifest-sets-and-versions", "expected")
    );
    for (path, fixture) in TREE {
        assert_eq!(repo.read(path), case(fixture, "expected"), "{path}");
    }
    assert!(
        repo.root
            .join("src/Solution/WebResources/new_/theirs.js")
            .is_file()
    );
    assert!(repo.root.join("src/Solution/Roles/Ours.xml").is_file());
    assert_eq!(
        repo.read(CUSTOMIZATIONS),
        case("both-add-columns", "expected")
    );
    let zip = unzip(&repo.read(ZIP));
    let c = text_of(&zip, "customizations.xml");
    assert!(c.contains("new_Score"), "ours' new column");
    assert!(c.contains("Code de compte"), "theirs' label");
    assert!(!c.contains("<<<<<<<"));
    assert!(text_of(&zip, "solution.xml").contains("<Version>1.0.0.3<"));
    assert!(
        zip.iter()
            .any(|e| e.path.starts_with("WebResources/new_theirs"))
    );
    let ct = text_of(&zip, "[Content_Types].xml");
    assert!(ct.contains("/WebResources/new_theirs0A1B2C3D"), "{ct}");
    assert_eq!(zip.last().unwrap().path, "[Content_Types].xml");
}

#[test]
fn git_merge_goes_through_the_driver_and_merges_cleanly() {
    let repo = Repo::new();
    repo.install();
    diverged(&repo);
    repo.merge_cleanly("feature");
    assert_merged(&repo);
}

#[test]
fn plain_git_conflicts_on_the_same_histories() {
    // The escape hatch: SOLTREE_DRIVER=0 is git's own line merge, which conflicts here.
    let repo = Repo::new();
    repo.install();
    diverged(&repo);
    let out = repo
        .cmd("git")
        .args(["merge", "--no-edit", "feature"])
        .env("SOLTREE_DRIVER", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let status = repo.ok(&["status", "--porcelain"]);
    assert!(status.contains(&format!("UU {PACKAGER}")), "{status}");
    assert!(status.contains(&format!("UU {ZIP}")), "{status}");
    // The zip was treated like git treats binaries: ours kept whole.
    let (_, oz, _) = zips();
    assert_eq!(repo.read(ZIP), oz);
}

#[test]
fn rebase_and_cherry_pick_use_the_driver() {
    let repo = Repo::new();
    repo.install();
    diverged(&repo);
    repo.ok(&["branch", "ours-copy", "main"]);
    // Rebase feature onto main: "ours" is main, "theirs" the feature commit.
    repo.ok(&["checkout", "-q", "feature"]);
    repo.ok(&["rebase", "main"]);
    assert_eq!(repo.ok(&["status", "--porcelain"]), "");
    let c = String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    assert!(c.contains("new_Score") && c.contains("new_Alpha"), "{c}");
    assert!(
        String::from_utf8(repo.read(PACKAGER))
            .unwrap()
            .contains("1.0.0.7")
    );
    let zip = unzip(&repo.read(ZIP));
    assert!(text_of(&zip, "customizations.xml").contains("Code de compte"));
    assert!(text_of(&zip, "customizations.xml").contains("new_Score"));

    // Cherry-pick the original feature commit onto the untouched copy of main.
    repo.ok(&["checkout", "-q", "ours-copy"]);
    let theirs = repo.ok(&["rev-parse", "ORIG_HEAD"]);
    repo.ok(&["cherry-pick", theirs.trim()]);
    assert_eq!(repo.ok(&["status", "--porcelain"]), "");
    assert_merged(&repo);
}

/// `text` with every conflict region resolved to ours' side (or theirs'), as a developer
/// taking one side would.
fn side_of(text: &str, keep_ours: bool) -> String {
    let mut out = String::new();
    let mut state = 0; // 0 outside, 1 ours, 2 theirs
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<<") {
            state = 1;
        } else if line.starts_with("=======") {
            state = 2;
        } else if line.starts_with(">>>>>>>") {
            state = 0;
        } else if state == 0 || (state == 1) == keep_ours {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn a_real_conflict_leaves_markers_and_nothing_else_changes() {
    let repo = Repo::new();
    repo.install();
    let path = "src/Solution/OptionSets/new_priority.xml";
    repo.write(path, &case("label-changed-differently", "base"));
    repo.commit_all("base");
    repo.ok(&["checkout", "-qb", "feature"]);
    repo.write(path, &case("label-changed-differently", "theirs"));
    repo.commit_all("theirs");
    repo.ok(&["checkout", "-q", "main"]);
    repo.write(path, &case("label-changed-differently", "ours"));
    repo.commit_all("ours");

    let out = repo.git(&["merge", "--no-edit", "feature"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("optionset:new_priority"), "{stderr}");
    let status = repo.ok(&["status", "--porcelain"]);
    assert_eq!(status, format!("UU {path}\n"));
    let text = String::from_utf8(repo.read(path)).unwrap();
    assert!(text.contains("<<<<<<< HEAD\n"), "{text}");
    assert!(text.contains(">>>>>>> feature\n"), "{text}");
    // Taking either side of the markers gives back exactly that side's file.
    assert_eq!(
        side_of(&text, true).into_bytes(),
        case("label-changed-differently", "ours")
    );
    assert_eq!(
        side_of(&text, false).into_bytes(),
        case("label-changed-differently", "theirs")
    );

    // merge.conflictStyle and the conflict-marker-size attribute are honoured.
    repo.ok(&["merge", "--abort"]);
    repo.ok(&["config", "merge.conflictStyle", "diff3"]);
    let attrs = format!(
        "{}{path} conflict-marker-size=9\n",
        String::from_utf8(repo.read(".gitattributes")).unwrap()
    );
    repo.write(".gitattributes", attrs.as_bytes());
    repo.commit_all("marker size");
    assert_eq!(
        repo.git(&["merge", "--no-edit", "feature"]).status.code(),
        Some(1)
    );
    let text = String::from_utf8(repo.read(path)).unwrap();
    assert!(text.contains("\n<<<<<<<<< HEAD\n"), "{text}");
    assert!(text.contains("\n|||||||||"), "{text}");
    assert!(text.contains("\n>>>>>>>>> feature\n"), "{text}");
}

#[test]
fn a_zip_conflict_keeps_ours_and_writes_the_conflicted_package_beside_it() {
    let repo = Repo::new();
    repo.install();
    let base = sample_entries();
    let side = |label: &str| {
        let mut e = base.clone();
        let c = text_of(&e, "customizations.xml").replacen(
            "<displayname description=\"Budget\" languagecode=\"1036\" />",
            &format!("<displayname description=\"{label}\" languagecode=\"1036\" />"),
            1,
        );
        replace_entry(&mut e, "customizations.xml", c.into_bytes());
        zip_bytes(e)
    };
    let (oz, tz) = (side("Budget prévisionnel"), side("Budget estimé"));
    repo.write(ZIP, &zip_bytes(base.clone()));
    repo.commit_all("base");
    repo.ok(&["checkout", "-qb", "feature"]);
    repo.write(ZIP, &tz);
    repo.commit_all("theirs");
    repo.ok(&["checkout", "-q", "main"]);
    repo.write(ZIP, &oz);
    repo.commit_all("ours");

    let out = repo.git(&["merge", "--no-edit", "feature"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("entity:new_project/attribute:new_budget"),
        "{stderr}"
    );
    assert!(stderr.contains("soltree pack"), "{stderr}");
    assert_eq!(repo.read(ZIP), oz, "ours' zip stays in place");
    let status = repo.ok(&["status", "--porcelain"]);
    assert!(status.contains(&format!("UU {ZIP}")), "{status}");
    let dir = format!("{ZIP}.conflicts");
    let c = String::from_utf8(repo.read(&format!("{dir}/customizations.xml"))).unwrap();
    assert!(c.contains("Budget prévisionnel") && c.contains("Budget estimé"));
    assert!(c.contains("<<<<<<< HEAD"), "{c}");
    let report: serde_json::Value =
        serde_json::from_slice(&repo.read(&format!("{dir}.json"))).unwrap();
    assert_eq!(report["clean"], false);

    // Packing refuses while markers remain; after resolving it builds the zip.
    let out = repo.soltree(&["pack", &dir, "-o", ZIP]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("conflict markers"));
    assert_eq!(repo.read(ZIP), oz);
    let resolved = c
        .split_inclusive('\n')
        .filter(|l| {
            !l.starts_with("<<<<<<<")
                && !l.starts_with("=======")
                && !l.starts_with(">>>>>>>")
                && !l.contains("Budget prévisionnel")
        })
        .collect::<String>();
    repo.write(&format!("{dir}/customizations.xml"), resolved.as_bytes());
    let out = repo.soltree(&["pack", &dir, "-o", ZIP]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let zip = unzip(&repo.read(ZIP));
    assert!(text_of(&zip, "customizations.xml").contains("Budget estimé"));
    assert_eq!(zip[0].path, "customizations.xml");
}

/// `text` (a version of the both-add-columns customizations.xml) with an int column `name`
/// added at the end of the entity's attributes.
fn with_column(text: &str, name: &str) -> String {
    let end = "          </attributes>\n";
    assert!(text.contains(end), "{text}");
    let column = format!(
        "            <attribute PhysicalName=\"{name}\">\n              <Type>int</Type>\n            </attribute>\n"
    );
    text.replacen(end, &format!("{column}{end}"), 1)
}

/// `text` with the Budget column's English label changed from "Budget" to `label`.
fn with_budget_label(text: &str, label: &str) -> String {
    let old = "<displayname description=\"Budget\" languagecode=\"1033\" />";
    assert!(text.contains(old), "{text}");
    text.replacen(
        old,
        &format!("<displayname description=\"{label}\" languagecode=\"1033\" />"),
        1,
    )
}

/// How one cross merge of [`criss_cross`] ends.
#[derive(Clone, Copy)]
enum Cross {
    /// The driver merges cleanly; its result is committed as it is.
    Clean,
    /// The driver conflicts; the developer keeps ours' (true) or theirs' side of every region.
    Keep { ours: bool },
}

/// Runs one cross merge of `other` into the checked-out branch, ending as `how` says.
fn cross_merge(repo: &Repo, other: &str, how: Cross) {
    let out = repo.git(&["merge", "--no-ff", "--no-commit", other]);
    let merged = String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    let resolved = match how {
        Cross::Clean => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            merged
        }
        Cross::Keep { ours } => {
            assert_eq!(out.status.code(), Some(1), "{merged}");
            side_of(&merged, ours)
        }
    };
    repo.write(CUSTOMIZATIONS, resolved.as_bytes());
    repo.ok(&["add", CUSTOMIZATIONS]);
    repo.ok(&["commit", "-q", "--no-edit"]);
}

/// A criss-cross history of the customizations.xml: from `base`, main commits `m1` and
/// feature `f1`; main merges feature and feature merges m1, each cross merge through the
/// driver and ending as `main_cross` / `feature_cross` say; then each branch commits once more
/// (`m3` / `f3`, applied to what it holds). main is checked out at the end. main and feature
/// now have two merge bases, m1 and f1, so a final `git merge` first merges those into a
/// virtual base (with git's text merge: `merge.soltree.recursive = text`), then merges main and
/// feature against it through the driver.
fn criss_cross(
    repo: &Repo,
    (base, m1, f1): (&str, &str, &str),
    (main_cross, feature_cross): (Cross, Cross),
    m3: impl Fn(&str) -> String,
    f3: impl Fn(&str) -> String,
) {
    let head = || repo.ok(&["rev-parse", "HEAD"]).trim().to_string();
    let current = || String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    repo.write(CUSTOMIZATIONS, base.as_bytes());
    repo.commit_all("base");
    repo.ok(&["checkout", "-qb", "feature"]);
    repo.write(CUSTOMIZATIONS, f1.as_bytes());
    repo.commit_all("f1");
    let f1_commit = head();
    repo.ok(&["checkout", "-q", "main"]);
    repo.write(CUSTOMIZATIONS, m1.as_bytes());
    repo.commit_all("m1");
    let m1_commit = head();
    cross_merge(repo, &f1_commit, main_cross);
    repo.ok(&["checkout", "-q", "feature"]);
    cross_merge(repo, &m1_commit, feature_cross);
    repo.write(CUSTOMIZATIONS, f3(&current()).as_bytes());
    repo.commit_all("f3");
    repo.ok(&["checkout", "-q", "main"]);
    repo.write(CUSTOMIZATIONS, m3(&current()).as_bytes());
    repo.commit_all("m3");
    let bases = repo.ok(&["merge-base", "--all", "main", "feature"]);
    let mut bases: Vec<&str> = bases.lines().collect();
    bases.sort_unstable();
    let mut expected = vec![m1_commit.as_str(), f1_commit.as_str()];
    expected.sort_unstable();
    assert_eq!(bases, expected, "two merge bases: a criss-cross history");
}

/// How many conflicts the virtual base of [`criss_cross`] holds: the installer routes inner
/// merges to git's text merge, which `git merge-file` runs on its own.
fn virtual_base_conflicts(repo: &Repo, (base, m1, f1): (&str, &str, &str)) -> i32 {
    assert_eq!(
        repo.ok(&["config", "--get", "merge.soltree.recursive"]),
        "text\n"
    );
    let dir = repo.home.join("virtual-base");
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let (b, m, f) = (file("base", base), file("m1", m1), file("f1", f1));
    // Exit status: the number of conflicts.
    repo.git(&["merge-file", "-p", &m, &b, &f])
        .status
        .code()
        .unwrap()
}

/// How often column `name` occurs in `text`.
fn column_count(text: &str, name: &str) -> usize {
    text.matches(&format!("PhysicalName=\"{name}\"")).count()
}

#[test]
fn criss_cross_merge_with_a_clean_virtual_base_keeps_every_side() {
    // main adds new_Alpha at the top, feature new_Score at the end: the merge bases merge
    // cleanly, so the virtual base holds both. Then each branch adds a column at the same
    // place, the end of the list: a line merge conflicts there, the driver does not.
    let repo = Repo::new();
    repo.install();
    let version = |side| String::from_utf8(case("both-add-columns", side)).unwrap();
    let (base, m1, f1) = (version("base"), version("ours"), version("theirs"));
    assert_eq!(virtual_base_conflicts(&repo, (&base, &m1, &f1)), 0);
    criss_cross(
        &repo,
        (&base, &m1, &f1),
        (Cross::Clean, Cross::Clean),
        |text| with_column(text, "new_Gamma"),
        |text| with_column(text, "new_Delta"),
    );
    repo.merge_cleanly("feature");
    let merged = String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    for column in [
        "new_Alpha",
        "new_Budget",
        "new_Name",
        "new_Score",
        "new_Gamma",
        "new_Delta",
    ] {
        assert_eq!(column_count(&merged, column), 1, "{column}: {merged}");
    }
    // Exactly the cross-merged file plus both later columns, ours' first.
    let expected = String::from_utf8(case("both-add-columns", "expected")).unwrap();
    assert_eq!(
        merged,
        with_column(&with_column(&expected, "new_Gamma"), "new_Delta")
    );
}

/// The merge bases of [`criss_cross`] that conflict with each other: main labels the Budget
/// column "Budget (EUR)" and adds new_Gamma, feature labels it "Budget (USD)" and adds
/// new_Delta at the same place. Merging them into the virtual base conflicts on both, so the
/// driver's final `%O` holds conflict markers (git's, of size 9, "Temporary merge branch").
fn conflicting_merge_bases() -> (String, String, String) {
    let base = String::from_utf8(case("both-add-columns", "base")).unwrap();
    let m1 = with_column(&with_budget_label(&base, "Budget (EUR)"), "new_Gamma");
    let f1 = with_column(&with_budget_label(&base, "Budget (USD)"), "new_Delta");
    (base, m1, f1)
}

/// A repository with the criss-cross history of [`conflicting_merge_bases`] (whose virtual
/// base holds two conflicts), the cross merges resolved as `resolutions` say, then
/// new_Epsilon added on main and new_Zeta on feature, at the same place.
fn crossed_over_conflicting_bases(resolutions: (Cross, Cross)) -> Repo {
    let repo = Repo::new();
    repo.install();
    let (base, m1, f1) = conflicting_merge_bases();
    assert_eq!(virtual_base_conflicts(&repo, (&base, &m1, &f1)), 2);
    criss_cross(
        &repo,
        (&base, &m1, &f1),
        resolutions,
        |text| with_column(text, "new_Epsilon"),
        |text| with_column(text, "new_Zeta"),
    );
    repo
}

#[test]
fn criss_cross_merge_over_a_virtual_base_with_markers_merges_what_both_sides_resolved_alike() {
    // Both cross merges settle the label on "Budget (EUR)" (main keeps its own, feature takes
    // main's) and keep both columns; then main adds new_Epsilon and feature new_Zeta, at the
    // same place. Whichever way the virtual base's conflicts are read, the merge is the same
    // and clean: the driver must not give up on the whole file because of them.
    let repo =
        crossed_over_conflicting_bases((Cross::Keep { ours: true }, Cross::Keep { ours: false }));
    let out = repo.git(&["merge", "--no-edit", "feature"]);
    let merged = String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    assert!(
        out.status.success(),
        "{}{}{merged}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.ok(&["status", "--porcelain"]), "");
    assert!(!merged.contains("<<<<<<<") && !merged.contains(">>>>>>>"));
    soltree::xml::Document::parse(merged.clone(), CUSTOMIZATIONS).expect("well-formed XML");
    assert_eq!(merged.matches("\"Budget (EUR)\"").count(), 1, "{merged}");
    assert!(!merged.contains("Budget (USD)"), "{merged}");
    for column in [
        "new_Budget",
        "new_Name",
        "new_Gamma",
        "new_Delta",
        "new_Epsilon",
        "new_Zeta",
    ] {
        assert_eq!(column_count(&merged, column), 1, "{column}: {merged}");
    }
}

#[test]
fn criss_cross_merge_where_the_sides_resolved_the_bases_differently_conflicts() {
    // The classic criss-cross: each cross merge kept its own branch's label, so main says
    // "Budget (EUR)" and feature "Budget (USD)", and the virtual base cannot tell which side
    // changed it. Reading the base either way would make one side's label win silently;
    // the driver must conflict instead, with ordinary markers, and lose nothing of either
    // side.
    let repo =
        crossed_over_conflicting_bases((Cross::Keep { ours: true }, Cross::Keep { ours: true }));
    let out = repo.git(&["merge", "--no-edit", "feature"]);
    assert_eq!(out.status.code(), Some(1), "a conflict, not a crash");
    assert_eq!(
        repo.ok(&["status", "--porcelain"]),
        format!("UU {CUSTOMIZATIONS}\n")
    );
    let merged = String::from_utf8(repo.read(CUSTOMIZATIONS)).unwrap();
    // Ordinary markers only: the virtual base's own (size 9) never reach the work tree.
    assert!(merged.contains("<<<<<<< HEAD\n"), "{merged}");
    assert!(merged.contains(">>>>>>> feature\n"), "{merged}");
    assert!(!merged.contains("<<<<<<<<") && !merged.contains("Temporary merge branch"));
    // Each side read back from the markers is well-formed and holds that side's label and
    // every column that side has.
    for (keep_ours, label, other_label, added) in [
        (true, "Budget (EUR)", "Budget (USD)", "new_Epsilon"),
        (false, "Budget (USD)", "Budget (EUR)", "new_Zeta"),
    ] {
        let side = side_of(&merged, keep_ours);
        soltree::xml::Document::parse(side.clone(), CUSTOMIZATIONS).expect("well-formed XML");
        assert!(
            side.contains(label) && !side.contains(other_label),
            "{side}"
        );
        for column in ["new_Budget", "new_Name", "new_Gamma", "new_Delta", added] {
            assert_eq!(column_count(&side, column), 1, "{column}: {side}");
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("conflict markers"), "{stderr}");
}

/// A repository with the drivers installed, the base zip committed as "v1" and ours' zip
/// written over it, not committed.
fn zip_edited_after_commit() -> Repo {
    let repo = Repo::new();
    repo.install();
    let (bz, oz, _) = zips();
    repo.write(ZIP, &bz);
    repo.commit_all("v1");
    repo.write(ZIP, &oz);
    repo
}

#[test]
fn git_diff_of_a_zip_shows_component_changes() {
    let repo = zip_edited_after_commit();
    let diff = repo.ok(&["diff"]);
    assert!(!diff.contains("Binary files"), "{diff}");
    assert!(
        diff.contains("+            <attribute PhysicalName=\"new_Score\">"),
        "{diff}"
    );
    // The hunk header names the component the change is in.
    assert!(
        diff.lines()
            .any(|l| l.starts_with("@@") && l.contains("component entity:new_project")),
        "{diff}"
    );
    repo.commit_all("v2");
    let log = repo.ok(&["log", "-p", "-1"]);
    assert!(
        log.contains("+            <attribute PhysicalName=\"new_Score\">"),
        "{log}"
    );
    let show = repo.ok(&["show", "HEAD"]);
    assert!(show.contains("Budget prévisionnel"), "{show}");
}

#[test]
fn textconv_output_is_cached_per_blob() {
    let repo = zip_edited_after_commit();
    repo.commit_all("v2");
    let blobs: std::collections::BTreeSet<String> = ["HEAD~1", "HEAD"]
        .iter()
        .map(|rev| {
            repo.ok(&["rev-parse", &format!("{rev}:{ZIP}")])
                .trim()
                .to_string()
        })
        .collect();
    let cache = "refs/notes/textconv/soltree";
    assert_eq!(
        repo.ok(&["for-each-ref", cache]),
        "",
        "no cache before a diff"
    );

    let first = repo.ok(&["log", "-p"]);
    assert!(first.contains("new_Score"), "{first}");
    // One note per zip version, annotating its blob (`git notes list`: note, then object).
    let notes = repo.ok(&["notes", "--ref=textconv/soltree", "list"]);
    let annotated: std::collections::BTreeSet<String> = notes
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_string)
        .collect();
    assert_eq!(annotated, blobs, "{notes}");
    // The cached text is the driver's own output for that blob.
    let head_blob = repo.ok(&["rev-parse", &format!("HEAD:{ZIP}")]);
    let cached = repo.ok(&["notes", "--ref=textconv/soltree", "show", head_blob.trim()]);
    let direct = repo.soltree(&["textconv", ZIP]);
    assert_eq!(cached.as_bytes(), direct.stdout);

    // The cache is read back: with the textconv command behind a wrapper that logs each
    // call, a second `git log -p` converts nothing. (A new command empties the cache, so
    // the wrapper's first log converts both versions again.)
    #[cfg(unix)]
    {
        use soltree::git::install::shell_quote;
        use std::os::unix::fs::PermissionsExt;
        let calls = repo.home.join("textconv-calls");
        let wrapper = repo.home.join("textconv-logged");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\necho \"$1\" >> {}\nexec {} textconv \"$1\"\n",
                shell_quote(&calls.to_string_lossy()),
                shell_quote(SOLTREE)
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let command = shell_quote(&wrapper.to_string_lossy());
        repo.ok(&["config", "diff.soltree.textconv", &command]);
        let count = || {
            std::fs::read_to_string(&calls)
                .map(|t| t.lines().count())
                .unwrap_or(0)
        };
        assert_eq!(repo.ok(&["log", "-p"]), first);
        assert_eq!(count(), 2, "each zip version converted once");
        assert_eq!(repo.ok(&["log", "-p"]), first);
        assert!(repo.ok(&["show", "HEAD"]).contains("new_Score"));
        assert_eq!(count(), 2, "later diffs read the cache");
    }
}

#[test]
fn install_is_idempotent_dry_run_changes_nothing_and_uninstall_undoes_it() {
    let repo = Repo::new();
    repo.write(".gitattributes", b"*.png binary\n");
    let dry = repo.soltree(&["git", "install", "--dry-run"]);
    assert!(dry.status.success());
    let dry = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(dry.contains("would: set merge.soltree.driver"), "{dry}");
    assert!(
        dry.contains("would: set diff.soltree.cachetextconv = true\n"),
        "{dry}"
    );
    assert_eq!(repo.read(".gitattributes"), b"*.png binary\n");
    assert!(!repo.ok(&["config", "--list"]).contains("soltree"));

    let first = repo.soltree(&["git", "install"]);
    let first = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(first.contains("set merge.soltree.driver"), "{first}");
    assert!(
        first.contains("set diff.soltree.cachetextconv = true\n"),
        "{first}"
    );
    assert_eq!(
        repo.ok(&["config", "--bool", "--get", "diff.soltree.cachetextconv"]),
        "true\n"
    );
    let attrs = String::from_utf8(repo.read(".gitattributes")).unwrap();
    assert!(attrs.starts_with("*.png binary\n"));
    let check = repo.ok(&[
        "check-attr",
        "merge",
        "diff",
        "--",
        "x/customizations.xml",
        "a.zip",
        "src/Entities/a/FormXml/main/{1}.xml",
    ]);
    assert!(
        check.contains("x/customizations.xml: merge: soltree"),
        "{check}"
    );
    assert!(check.contains("a.zip: diff: soltree"), "{check}");
    assert!(
        check.contains("FormXml/main/{1}.xml: merge: soltree"),
        "{check}"
    );

    let second = repo.soltree(&["git", "install"]);
    let second = String::from_utf8_lossy(&second.stdout).into_owned();
    assert!(
        !second.contains("set ") && !second.contains("wrote"),
        "{second}"
    );
    assert!(
        second.contains("unchanged diff.soltree.cachetextconv\n"),
        "{second}"
    );
    assert_eq!(repo.read(".gitattributes"), attrs.as_bytes());

    // git ignores the conflicted-package folders of zip merges.
    let exclude = String::from_utf8(repo.read(".git/info/exclude")).unwrap();
    assert!(exclude.contains("*.zip.conflicts/\n"), "{exclude}");
    repo.write("sol.zip.conflicts/customizations.xml", b"<a/>");
    repo.write("sol.zip.conflicts.json", b"{}");
    assert_eq!(
        repo.ok(&[
            "status",
            "--porcelain",
            "--",
            "sol.zip.conflicts",
            "sol.zip.conflicts.json"
        ]),
        ""
    );
    std::fs::remove_dir_all(repo.root.join("sol.zip.conflicts")).unwrap();
    std::fs::remove_file(repo.root.join("sol.zip.conflicts.json")).unwrap();

    // `git lfs track "*.zip"` after the install: a later line takes *.zip away from the
    // drivers, and a second install says so instead of "unchanged".
    let mut with_lfs = attrs.clone();
    with_lfs.push_str("*.zip filter=lfs diff=lfs merge=lfs -text\n");
    repo.write(".gitattributes", with_lfs.as_bytes());
    let again = repo.soltree(&["git", "install"]);
    assert!(again.status.success());
    let warning = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(
        warning.contains("warning: *.zip: git resolves merge=lfs, not merge=soltree"),
        "{warning}"
    );
    assert!(warning.contains("diff=lfs"), "{warning}");
    assert!(!warning.contains("customizations.xml"), "{warning}");
    repo.write(".gitattributes", attrs.as_bytes());

    let un = repo.soltree(&["git", "install", "--uninstall"]);
    assert!(un.status.success());
    assert_eq!(repo.read(".gitattributes"), b"*.png binary\n");
    let exclude = String::from_utf8(repo.read(".git/info/exclude")).unwrap();
    assert!(!exclude.contains("soltree"), "{exclude}");
    assert!(!repo.ok(&["config", "--list"]).contains("soltree"));
    // `git config --get` exits 1 for a key that is not set.
    let cache = repo.git(&["config", "--get", "diff.soltree.cachetextconv"]);
    assert_eq!(cache.status.code(), Some(1));

    // Outside a repository, a local install is refused with a clear message.
    let outside = repo
        .cmd(SOLTREE)
        .args(["git", "install"])
        .current_dir(&repo.home)
        .env("GIT_CEILING_DIRECTORIES", repo.home.parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(outside.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&outside.stderr).contains("not inside a git work tree"),
        "{}",
        String::from_utf8_lossy(&outside.stderr)
    );

    // Global: the user's config and attributes file, usable from any repository.
    let out = repo.soltree(&["git", "install", "--global"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let global = std::fs::read_to_string(repo.home.join(".config/git/attributes")).unwrap();
    assert!(global.contains("*.zip merge=soltree diff=soltree"));
    assert!(
        repo.ok(&["config", "--global", "--get", "merge.soltree.driver"])
            .contains("merge --git")
    );
    assert_eq!(
        repo.ok(&["config", "--global", "--get", "diff.soltree.cachetextconv"]),
        "true\n"
    );
}

/// Runs the driver on `base`, `ours`, `theirs` (as `path`), kills it with SIGKILL once it has
/// written part of its temp file, and checks that %A still holds ours; then runs it to the
/// end and returns what it wrote into %A.
fn kill_mid_write(base: &[u8], ours: &[u8], theirs: &[u8], path: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (o, a, b) = (
        dir.path().join("O"),
        dir.path().join("A"),
        dir.path().join("B"),
    );
    std::fs::write(&o, base).unwrap();
    std::fs::write(&a, ours).unwrap();
    std::fs::write(&b, theirs).unwrap();
    let driver = |pause_ms: &str| {
        let mut c = Command::new(SOLTREE);
        c.args(["merge", "--git"])
            .args([&o, &a, &b])
            .args(["7", path])
            .env("SOLTREE_TEST_PAUSE_MID_WRITE_MS", pause_ms)
            .current_dir(dir.path());
        c
    };
    let mut child = driver("30000").spawn().unwrap();
    // Wait until the driver has written part of the temp file that will replace %A.
    let started = std::time::Instant::now();
    let partial = loop {
        let tmp = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(".soltree-") && name.ends_with(".result.tmp")
            });
        if let Some(t) = tmp
            && t.metadata().unwrap().len() > 0
        {
            break t.path();
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the driver never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap(); // SIGKILL
    assert!(!child.wait().unwrap().success());
    assert_eq!(std::fs::read(&a).unwrap(), ours, "%A must be untouched");
    let partial_len = std::fs::metadata(&partial).unwrap().len();

    // Not killed, the same run completes %A.
    let status = driver("10").status().unwrap();
    assert_eq!(status.code(), Some(0));
    let merged = std::fs::read(&a).unwrap();
    assert!(partial_len < merged.len() as u64, "the kill came mid-write");
    merged
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "fault injection is compiled into debug builds only"
)]
fn a_killed_driver_leaves_ours_untouched() {
    let merged = kill_mid_write(
        &case("both-add-columns", "base"),
        &case("both-add-columns", "ours"),
        &case("both-add-columns", "theirs"),
        "customizations.xml",
    );
    assert_eq!(merged, case("both-add-columns", "expected"));

    let (bz, oz, tz) = zips();
    let merged = unzip(&kill_mid_write(&bz, &oz, &tz, ZIP));
    let c = text_of(&merged, "customizations.xml");
    assert!(c.contains("new_Score") && c.contains("Code de compte"));
}

#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "fault injection is compiled into debug builds only"
)]
fn a_crashing_driver_exits_above_128_and_leaves_ours() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    for (n, text) in [("O", "a\n"), ("A", "b\n"), ("B", "c\n")] {
        std::fs::write(p(n), text).unwrap();
    }
    let out = Command::new(SOLTREE)
        .args(["merge", "--git"])
        .args([p("O"), p("A"), p("B")])
        .args(["7", "customizations.xml"])
        .env("SOLTREE_TEST_CRASH_DRIVER", "1")
        .output()
        .unwrap();
    // Killed by SIGABRT (release builds abort on panic) or exit 134 (caught unwinding).
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let code = out.status.code().or(out.status.signal().map(|s| 128 + s));
        assert!(code.is_some_and(|c| c > 128), "{:?}", out.status);
    }
    assert_eq!(std::fs::read(p("A")).unwrap(), b"b\n");
}

#[test]
fn the_driver_falls_back_to_lines_for_anything_else() {
    // A broad pattern is safe: a JavaScript file through the driver is merged line-wise.
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("O"), "a\nb\nc\nd\ne\n").unwrap();
    std::fs::write(p("A"), "A\nb\nc\nd\ne\n").unwrap();
    std::fs::write(p("B"), "a\nb\nc\nd\nE\n").unwrap();
    let out = Command::new(SOLTREE)
        .args(["merge", "--git"])
        .args([p("O"), p("A"), p("B")])
        .args([
            "7",
            "WebResources/new_/x.js",
            "-s",
            "base",
            "-x",
            "HEAD",
            "-y",
            "feature",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(p("A")).unwrap(), b"A\nb\nc\nd\nE\n");
    // Labels and marker size reach the markers.
    std::fs::write(p("A"), "A\nb\nc\nd\ne\n").unwrap();
    std::fs::write(p("B"), "Z\nb\nc\nd\ne\n").unwrap();
    let out = Command::new(SOLTREE)
        .args(["merge", "--git"])
        .args([p("O"), p("A"), p("B")])
        .args(["8", "x.js", "-s", "base", "-x", "HEAD", "-y", "feature"])
        .arg("--report")
        .arg(p("report.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("report.json")).unwrap()).unwrap();
    assert_eq!(report["path"], "x.js");
    assert_eq!(report["conflicts"].as_array().unwrap().len(), 1);
    assert!(report["fallback"].as_str().unwrap().contains("line merge"));
    let text = std::fs::read_to_string(p("A")).unwrap();
    assert!(
        text.starts_with("<<<<<<<< HEAD\nA\n========\nZ\n>>>>>>>> feature\n"),
        "{text}"
    );
}

/// Reads a tree of files (relative paths → bytes).
pub fn tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    input::read_tree(root, &Limits::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.path, e.data))
        .collect()
}
