//! `soltree git install [--global] [--dry-run] [--uninstall]`: writes the merge and diff
//! driver definitions into git's config (the repository's, or the global one) and the
//! attributes that route solution files to them (the repository's `.gitattributes`, or the
//! global attributes file), idempotently, reporting every change.
//!
//! The boundary type is the list of [`Change`]s. The attributes live in one block between
//! marker lines, so reinstalling replaces the block, uninstalling removes exactly it, and
//! every other line of the file stays as the user wrote it.

use super::GitError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The driver name used in config sections and attributes.
pub const DRIVER: &str = "soltree";
const BEGIN: &str =
    "# >>> soltree: Dataverse solution merge and diff drivers (soltree git install)";
const END: &str = "# <<< soltree";

/// Paths routed to the drivers. The merge driver falls back to a line merge for anything it
/// cannot merge structurally, so broad patterns are safe. The diff driver (textconv) is for
/// zips only: git shows them as binary otherwise, while XML reads well as it is, and a file
/// with conflict markers cannot go through textconv while its index stages do, which swamps
/// `git diff` during a merge.
pub const ATTRIBUTES: &[&str] = &[
    "customizations.xml merge=soltree",
    "Customizations.xml merge=soltree",
    "solution.xml merge=soltree",
    "Solution.xml merge=soltree",
    "*.zip merge=soltree diff=soltree",
    "Entity.xml merge=soltree",
    "RibbonDiff.xml merge=soltree",
    "Relationships.xml merge=soltree",
    "EntityMaps.xml merge=soltree",
    "FieldSecurityProfiles.xml merge=soltree",
    "EmailTemplates.xml merge=soltree",
    "*.data.xml merge=soltree",
    "**/Other/Relationships/*.xml merge=soltree",
    "**/Entities/*/FormXml/**/*.xml merge=soltree",
    "**/Entities/*/SavedQueries/*.xml merge=soltree",
    "**/Entities/*/Visualizations/*.xml merge=soltree",
    "**/OptionSets/*.xml merge=soltree",
    "**/Roles/*.xml merge=soltree",
    "**/AppModules/*/*.xml merge=soltree",
    "**/AppModuleSiteMaps/*/*.xml merge=soltree",
    "**/Workflows/*.json merge=soltree",
    "**/SdkMessageProcessingSteps/*.xml merge=soltree",
    "**/Dashboards/*.xml merge=soltree",
    "**/Dialogs/*.xml merge=soltree",
    // The YAML layout of Dataverse's Git integration (its flows' definitions stay JSON).
    "**/solutions/*/*.yml merge=soltree",
    "**/publishers/*/*.yml merge=soltree",
    "**/entities/**/*.yml merge=soltree",
    "**/entityrelationships/**/*.yml merge=soltree",
    "**/optionsets/**/*.yml merge=soltree",
    "**/appmodules/**/*.yml merge=soltree",
    "**/appmodulesitemaps/**/*.yml merge=soltree",
    "**/connectionreferences/**/*.yml merge=soltree",
    "**/environmentvariabledefinitions/**/*.yml merge=soltree",
    "**/webresources/**/*.yml merge=soltree",
    "**/modernflows/*/*.yml merge=soltree",
    "**/modernflows/*/*.json merge=soltree",
];

/// What git should ignore: the conflicted package of a zip merge (`<zip>.conflicts/`, its
/// numbered siblings and their JSON reports), written beside the zip in the work tree, so
/// `git add -A` never commits it by accident. `soltree pack` turns it back into the zip.
pub const EXCLUDES: &[&str] = &[
    "*.zip.conflicts/",
    "*.zip.conflicts-*/",
    "*.zip.conflicts.json",
    "*.zip.conflicts-*.json",
];

/// Options, free of clap.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub global: bool,
    pub dry_run: bool,
    pub uninstall: bool,
    /// How git should call soltree (shell-quoted program path).
    pub program: String,
    /// Where to run git (the repository for a local install).
    pub cwd: PathBuf,
    /// Also install the pre-commit hook that runs `soltree check --staged`.
    pub pre_commit: bool,
}

/// One change made (or, with `--dry-run`, that would be made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    SetConfig {
        key: String,
        value: String,
    },
    ConfigUnchanged {
        key: String,
    },
    RemovedConfigSection {
        section: String,
    },
    WroteAttributes {
        file: PathBuf,
        lines: usize,
    },
    AttributesUnchanged {
        file: PathBuf,
    },
    RemovedAttributes {
        file: PathBuf,
        lines: usize,
    },
    NothingToRemove {
        what: String,
    },
    /// The conflicted-package folders of zip merges are ignored by git from now on (or no
    /// longer, on uninstall).
    WroteExcludes {
        file: PathBuf,
    },
    ExcludesUnchanged {
        file: PathBuf,
    },
    RemovedExcludes {
        file: PathBuf,
    },
    /// After installing, git still resolves `attribute` of paths matching `pattern` to
    /// something else (a later `.gitattributes` line, `git lfs track`, `binary`): soltree's
    /// driver will not run for them.
    Overridden {
        pattern: String,
        attribute: String,
        value: String,
    },
    /// The pre-commit hook that runs `soltree check --staged`.
    WroteHook {
        file: PathBuf,
    },
    HookUnchanged {
        file: PathBuf,
    },
    /// A pre-commit hook that was there before: kept under a new name, and run first.
    ChainedHook {
        from: PathBuf,
        to: PathBuf,
    },
    RemovedHook {
        file: PathBuf,
    },
    /// On uninstall, the chained hook back under its own name.
    RestoredHook {
        file: PathBuf,
    },
}

impl Change {
    /// A change the user should act on.
    pub fn is_warning(&self) -> bool {
        matches!(self, Change::Overridden { .. })
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::SetConfig { key, value } => write!(f, "set {key} = {value}"),
            Change::ConfigUnchanged { key } => write!(f, "unchanged {key}"),
            Change::RemovedConfigSection { section } => write!(f, "removed [{section}]"),
            Change::WroteAttributes { file, lines } => {
                write!(f, "wrote {} ({lines} attribute lines)", file.display())
            }
            Change::AttributesUnchanged { file } => write!(f, "unchanged {}", file.display()),
            Change::RemovedAttributes { file, lines } => {
                write!(f, "removed {lines} lines from {}", file.display())
            }
            Change::NothingToRemove { what } => write!(f, "nothing to remove: {what}"),
            Change::WroteExcludes { file } => write!(
                f,
                "wrote {} (git ignores the <zip>.conflicts folders of conflicted zip merges)",
                file.display()
            ),
            Change::ExcludesUnchanged { file } => write!(f, "unchanged {}", file.display()),
            Change::RemovedExcludes { file } => {
                write!(f, "removed the soltree lines from {}", file.display())
            }
            Change::Overridden {
                pattern,
                attribute,
                value,
            } => write!(
                f,
                "warning: {pattern}: git resolves {attribute}={value}, not {attribute}={DRIVER} \
                 (a later attributes line overrides soltree's, e.g. from `git lfs track`); \
                 soltree's {attribute} driver will not run for these files. Move soltree's \
                 block below that line, or drop the line, if soltree should handle them"
            ),
            Change::WroteHook { file } => write!(
                f,
                "wrote {} (runs `soltree check --staged` before each commit; skip it once with \
                 `git commit --no-verify`)",
                file.display()
            ),
            Change::HookUnchanged { file } => write!(f, "unchanged {}", file.display()),
            Change::ChainedHook { from, to } => write!(
                f,
                "moved the existing hook {} to {} (the soltree hook runs it first)",
                from.display(),
                to.display()
            ),
            Change::RemovedHook { file } => write!(f, "removed {}", file.display()),
            Change::RestoredHook { file } => {
                write!(f, "restored the earlier hook {}", file.display())
            }
        }
    }
}

/// The config entries the drivers need, for `program`.
pub fn config_entries(program: &str) -> Vec<(String, String)> {
    vec![
        (
            format!("merge.{DRIVER}.name"),
            "soltree: Dataverse solution merge".into(),
        ),
        (
            format!("merge.{DRIVER}.driver"),
            format!("{program} merge --git %O %A %B %L %P -s %S -x %X -y %Y"),
        ),
        // Inner merges of criss-cross histories must never fail or write conflict folders:
        // git's own text merge is the conservative choice there.
        (format!("merge.{DRIVER}.recursive"), "text".into()),
        (
            format!("diff.{DRIVER}.textconv"),
            format!("{program} textconv"),
        ),
        // git keeps each blob's canonical text under refs/notes/textconv/soltree, so
        // `git log -p` over many versions of a large zip converts each version once. git
        // drops the cache itself when the textconv command above changes.
        (format!("diff.{DRIVER}.cachetextconv"), "true".into()),
    ]
}

/// Quotes `s` for the POSIX shell git runs drivers through, when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%=,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Installs (or uninstalls) the drivers.
pub fn install(opts: &InstallOptions) -> Result<Vec<Change>, GitError> {
    let scope = if opts.global { "--global" } else { "--local" };
    let attributes = attributes_file(opts)?;
    let mut changes = Vec::new();
    if opts.uninstall {
        for section in [format!("merge.{DRIVER}"), format!("diff.{DRIVER}")] {
            let present = git(
                &opts.cwd,
                &[
                    "config",
                    scope,
                    "--get-regexp",
                    &format!("^{}\\.", regex_escape(&section)),
                ],
            )
            .is_ok_and(|out| !out.trim().is_empty());
            if !present {
                changes.push(Change::NothingToRemove {
                    what: format!("[{section}]"),
                });
                continue;
            }
            if !opts.dry_run {
                git(&opts.cwd, &["config", scope, "--remove-section", &section])?;
            }
            changes.push(Change::RemovedConfigSection { section });
        }
        let excludes = excludes_file(opts)?;
        if let Some(text) = read_optional(&excludes)? {
            let (kept, removed) = strip_block(&text);
            if removed > 0 {
                if !opts.dry_run {
                    write_file(&excludes, &kept)?;
                }
                changes.push(Change::RemovedExcludes { file: excludes });
            }
        }
        let old = read_optional(&attributes)?;
        let (kept, removed) = strip_block(old.as_deref().unwrap_or(""));
        if removed == 0 {
            changes.push(Change::NothingToRemove {
                what: format!("soltree lines in {}", attributes.display()),
            });
        } else {
            if !opts.dry_run {
                write_file(&attributes, &kept)?;
            }
            changes.push(Change::RemovedAttributes {
                file: attributes,
                lines: removed,
            });
        }
        if !opts.global {
            changes.extend(uninstall_hook(opts)?);
        }
        return Ok(changes);
    }
    for (key, value) in config_entries(&opts.program) {
        let current = git(&opts.cwd, &["config", scope, "--get", &key]).ok();
        if current.as_deref().map(str::trim_end) == Some(value.as_str()) {
            changes.push(Change::ConfigUnchanged { key });
            continue;
        }
        if !opts.dry_run {
            git(&opts.cwd, &["config", scope, &key, &value])?;
        }
        changes.push(Change::SetConfig { key, value });
    }
    let old = read_optional(&attributes)?.unwrap_or_default();
    let new = with_block(&old);
    if new == old {
        changes.push(Change::AttributesUnchanged { file: attributes });
    } else {
        if !opts.dry_run {
            write_file(&attributes, &new)?;
        }
        changes.push(Change::WroteAttributes {
            file: attributes,
            lines: ATTRIBUTES.len(),
        });
    }
    let excludes = excludes_file(opts)?;
    let old = read_optional(&excludes)?.unwrap_or_default();
    let new = with_lines(&old, EXCLUDES);
    if new == old {
        changes.push(Change::ExcludesUnchanged { file: excludes });
    } else {
        if !opts.dry_run {
            write_file(&excludes, &new)?;
        }
        changes.push(Change::WroteExcludes { file: excludes });
    }
    if opts.pre_commit {
        changes.extend(install_hook(opts)?);
    }
    if !opts.dry_run {
        changes.extend(overrides(&opts.cwd));
    }
    Ok(changes)
}

/// The first line after the shebang of the hook soltree writes: how it is recognised.
const HOOK_MARKER: &str = "# soltree pre-commit hook";

/// Where an existing pre-commit hook goes when soltree's is installed; soltree's runs it first.
const CHAINED_HOOK: &str = "pre-commit.before-soltree";

/// The pre-commit hook: the chained hook first, then `soltree check --staged`.
pub fn hook_script(program: &str) -> String {
    format!(
        "#!/bin/sh\n\
         {HOOK_MARKER} (soltree git install --pre-commit): refuses a commit whose staged\n\
         # solution files hold conflict markers, duplicate keys or other errors `soltree check`\n\
         # finds. Skip it once with `git commit --no-verify`; remove it with\n\
         # `soltree git install --uninstall` (which puts back a hook it chained).\n\
         chained=\"$(dirname \"$0\")/{CHAINED_HOOK}\"\n\
         if [ -x \"$chained\" ]; then\n\
         \x20   \"$chained\" \"$@\" || exit $?\n\
         fi\n\
         exec {program} check --staged\n"
    )
}

/// The repository's hooks folder, as git resolves it (`core.hooksPath` included).
fn hooks_dir(cwd: &Path) -> Result<PathBuf, GitError> {
    let out = git(cwd, &["rev-parse", "--git-path", "hooks"])?;
    Ok(cwd.join(out.trim_end()))
}

fn install_hook(opts: &InstallOptions) -> Result<Vec<Change>, GitError> {
    if opts.global {
        return Err(GitError::Usage(
            "--pre-commit installs a hook in one repository; run it without --global inside \
             the repository"
                .into(),
        ));
    }
    let dir = hooks_dir(&opts.cwd)?;
    let hook = dir.join("pre-commit");
    let script = hook_script(&opts.program);
    let mut changes = Vec::new();
    match read_optional(&hook)? {
        Some(old) if old == script => return Ok(vec![Change::HookUnchanged { file: hook }]),
        Some(old) if !old.contains(HOOK_MARKER) => {
            let chained = dir.join(CHAINED_HOOK);
            if chained.exists() {
                return Err(GitError::Usage(format!(
                    "{} is not soltree's, and {} is taken: move one of them away, then install again",
                    hook.display(),
                    chained.display()
                )));
            }
            if !opts.dry_run {
                std::fs::rename(&hook, &chained).map_err(|e| GitError::io(&hook, e))?;
            }
            changes.push(Change::ChainedHook {
                from: hook.clone(),
                to: chained,
            });
        }
        _ => {}
    }
    if !opts.dry_run {
        std::fs::create_dir_all(&dir).map_err(|e| GitError::io(&dir, e))?;
        write_file(&hook, &script)?;
        make_executable(&hook)?;
    }
    changes.push(Change::WroteHook { file: hook });
    Ok(changes)
}

fn uninstall_hook(opts: &InstallOptions) -> Result<Vec<Change>, GitError> {
    let Ok(dir) = hooks_dir(&opts.cwd) else {
        return Ok(Vec::new());
    };
    let hook = dir.join("pre-commit");
    let mut changes = Vec::new();
    if read_optional(&hook)?.is_some_and(|t| t.contains(HOOK_MARKER)) {
        if !opts.dry_run {
            std::fs::remove_file(&hook).map_err(|e| GitError::io(&hook, e))?;
        }
        changes.push(Change::RemovedHook { file: hook.clone() });
        let chained = dir.join(CHAINED_HOOK);
        if chained.exists() {
            if !opts.dry_run {
                std::fs::rename(&chained, &hook).map_err(|e| GitError::io(&chained, e))?;
            }
            changes.push(Change::RestoredHook { file: hook });
        }
    }
    Ok(changes)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), GitError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| GitError::io(path, e))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), GitError> {
    // git for Windows runs hooks through its own shell, whatever the file's mode.
    Ok(())
}

/// A path each attribute pattern matches, to ask git what it resolves there.
fn sample_path(pattern: &str) -> String {
    pattern
        .replace("**/", "")
        .replace("/**", "/main")
        .replace("*.", "example.")
        .replace('*', "example")
}

/// The attribute lines git does not resolve to soltree after installing: overridden by a
/// later line of the same file or by a more specific attributes file. Nothing outside a
/// repository (a global install run elsewhere).
fn overrides(cwd: &Path) -> Vec<Change> {
    let mut found = Vec::new();
    for line in ATTRIBUTES {
        let mut parts = line.split_whitespace();
        let pattern = parts.next().unwrap_or_default();
        let path = sample_path(pattern);
        for attribute in parts.filter_map(|a| a.strip_suffix(&format!("={DRIVER}"))) {
            let Ok(out) = git(cwd, &["check-attr", attribute, "--", &path]) else {
                return Vec::new();
            };
            // `<path>: <attribute>: <value>`
            let value = out.trim_end().rsplit(": ").next().unwrap_or_default();
            if value != DRIVER {
                found.push(Change::Overridden {
                    pattern: pattern.to_string(),
                    attribute: attribute.to_string(),
                    value: value.to_string(),
                });
            }
        }
    }
    found
}

/// The excludes file to edit: the repository's `info/exclude`, or, with `--global`,
/// `core.excludesFile` (else git's default `$XDG_CONFIG_HOME/git/ignore` or
/// `~/.config/git/ignore`).
fn excludes_file(opts: &InstallOptions) -> Result<PathBuf, GitError> {
    if !opts.global {
        let path = git(&opts.cwd, &["rev-parse", "--git-path", "info/exclude"])?;
        let path = PathBuf::from(path.trim_end());
        return Ok(if path.is_relative() {
            opts.cwd.join(path)
        } else {
            path
        });
    }
    global_config_file(opts, "core.excludesFile", "git/ignore")
}

fn regex_escape(s: &str) -> String {
    s.replace('.', "\\.")
}

/// `text` with the soltree attributes block in place (replacing an older one where it
/// was, else appended).
pub fn with_block(text: &str) -> String {
    with_lines(text, ATTRIBUTES)
}

/// `text` with a soltree block of `lines` in place (replacing an older one where it was,
/// else appended).
fn with_lines(text: &str, lines: &[&str]) -> String {
    let mut block = String::new();
    block.push_str(BEGIN);
    block.push('\n');
    for line in lines {
        block.push_str(line);
        block.push('\n');
    }
    block.push_str(END);
    block.push('\n');
    match text.find(BEGIN) {
        Some(start) => {
            let after = text[start..]
                .find(&format!("{END}\n"))
                .map(|i| start + i + END.len() + 1)
                .or_else(|| text[start..].find(END).map(|i| start + i + END.len()))
                .unwrap_or(text.len());
            format!("{}{block}{}", &text[..start], &text[after..])
        }
        None if text.is_empty() => block,
        None if text.ends_with('\n') => format!("{text}{block}"),
        None => format!("{text}\n{block}"),
    }
}

/// `text` without the soltree block, and how many lines went.
pub fn strip_block(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    let mut removed = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == BEGIN {
            inside = true;
        }
        if inside {
            removed += 1;
            if bare == END {
                inside = false;
            }
            continue;
        }
        out.push_str(line);
    }
    (out, removed)
}

/// The attributes file to edit: the repository's top-level `.gitattributes`, or, with
/// `--global`, `core.attributesFile` (else git's default `$XDG_CONFIG_HOME/git/attributes`
/// or `~/.config/git/attributes`).
fn attributes_file(opts: &InstallOptions) -> Result<PathBuf, GitError> {
    if !opts.global {
        let top = git(&opts.cwd, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            GitError::Usage(format!(
                "{} is not inside a git work tree; run this in your repository, or use --global",
                opts.cwd.display()
            ))
        })?;
        return Ok(PathBuf::from(top.trim_end()).join(".gitattributes"));
    }
    global_config_file(opts, "core.attributesFile", "git/attributes")
}

/// A global file git finds by `key` (e.g. `core.attributesFile`), else at `default` under
/// `$XDG_CONFIG_HOME` or `~/.config`.
fn global_config_file(
    opts: &InstallOptions,
    key: &str,
    default: &str,
) -> Result<PathBuf, GitError> {
    if let Ok(configured) = git(&opts.cwd, &["config", "--global", "--get", key]) {
        let configured = configured.trim_end();
        if let Some(rest) = configured.strip_prefix("~/")
            && let Some(home) = std::env::var_os("HOME")
        {
            return Ok(PathBuf::from(home).join(rest));
        }
        return Ok(PathBuf::from(configured));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join(default));
    }
    let home = std::env::var_os("HOME")
        .ok_or_else(|| GitError::Usage(format!("HOME is not set; cannot find the global {key}")))?;
    Ok(PathBuf::from(home).join(".config").join(default))
}

fn read_optional(path: &Path) -> Result<Option<String>, GitError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(GitError::io(path, e)),
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), GitError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| GitError::io(parent, e))?;
    }
    super::driver::write_atomic(path, text.as_bytes())
}

/// Runs git in `cwd`; its standard output on success.
fn git(cwd: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_driver_is_for_zips_only() {
        let with_diff: Vec<&str> = ATTRIBUTES
            .iter()
            .filter(|l| l.contains("diff=soltree"))
            .copied()
            .collect();
        assert_eq!(with_diff, ["*.zip merge=soltree diff=soltree"]);
        for xml in ["customizations.xml", "solution.xml"] {
            assert!(
                ATTRIBUTES.contains(&format!("{xml} merge=soltree").as_str()),
                "{xml} keeps the merge driver"
            );
        }
    }

    #[test]
    fn block_is_added_once_replaced_and_removed_exactly() {
        let user = "*.png binary\n";
        let once = with_block(user);
        assert!(once.starts_with(user));
        assert_eq!(with_block(&once), once, "idempotent");
        let (back, removed) = strip_block(&once);
        assert_eq!(back, user);
        assert_eq!(removed, ATTRIBUTES.len() + 2);
        // An older block (different lines) is replaced in place; what follows survives.
        let old = format!("{user}{BEGIN}\nold merge=soltree\n{END}\n*.md text\n");
        let new = with_block(&old);
        assert!(!new.contains("old merge"));
        assert!(new.ends_with("*.md text\n"), "{new}");
        assert_eq!(with_block("x"), format!("x\n{}", with_block("")));
    }

    #[test]
    fn the_diff_driver_caches_its_text() {
        let entries = config_entries("/bin/soltree");
        let value = |key: &str| {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(
            value("diff.soltree.textconv"),
            Some("/bin/soltree textconv")
        );
        assert_eq!(value("diff.soltree.cachetextconv"), Some("true"));
        // Every entry lives in one of the two sections that uninstall removes whole.
        assert!(
            entries
                .iter()
                .all(|(k, _)| k.starts_with("merge.soltree.") || k.starts_with("diff.soltree."))
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("/usr/bin/soltree"), "/usr/bin/soltree");
        assert_eq!(shell_quote("/a b/it's"), "'/a b/it'\\''s'");
    }
}
