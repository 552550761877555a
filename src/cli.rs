//! Command line: the clap types, their conversion into plain option structs, and the
//! mapping of outcomes to exit codes. Nothing below this module knows clap.
//!
//! Exit codes: 0 success, 2 error (bad input, nothing written); `diff` follows diff(1):
//! 0 no semantic difference, 1 differences, 2 error. Errors print as a context
//! chain on stderr (`soltree: reading X: customizations.xml:12:5: …`).

use crate::git::driver::{self, DriverRequest};
use crate::git::install::{self, InstallOptions};
use crate::input::{self, Limits};
use crate::merge::run::{MergeRun, MergeStatus};
use crate::merge::{self, ConflictStyle, MergeOptions};
use crate::model::ComponentTree;
use crate::{diff, normalize, render, show};
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The version `--version` prints: the crate's, and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SOLTREE_BUILD_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "soltree",
    version = VERSION,
    about = "Normalize, inspect, diff and merge Dynamics 365 / Dataverse solution packages",
    long_about = "soltree reads solution packages in any of their forms — an exported zip, the folder \
it extracts to, a SolutionPackager (pac solution unpack) folder, or a single XML file — into a \
canonical component tree.\n\nExit status: 0 success, 2 error (nothing written); for diff: 0 no \
semantic difference, 1 differences; for merge: 1 conflicts written."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// In a YAML layout folder that several solutions share (`solutions/<name>/`), the one
    /// to read (show, diff, normalize, check, textconv).
    #[arg(long, global = true, value_name = "NAME")]
    pub solution: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Inventory of a package: counts by kind, then each component's path and display name.
    Show {
        /// A solution zip, extracted folder, SolutionPackager folder or XML file; `-` reads
        /// a zip or an XML file from standard input.
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// What changed between two packages, component by component.
    ///
    /// OLD and NEW may be different forms of a package (a zip against the folder it was
    /// unpacked to). Export noise (order of unordered lists, label order, GUID case and
    /// braces, formatting, `[Content_Types].xml`, platform versions) is not a difference.
    /// Exit status: 0 no semantic difference, 1 differences, 2 error.
    Diff {
        /// The old package: a zip, extracted folder, SolutionPackager folder or XML file,
        /// REV:PATH to read one from git (`main:src/MySolution`), or `-` to read a zip or an
        /// XML file from standard input.
        old: PathBuf,
        /// The new package, in any of the same forms (`-`: standard input, if OLD is not).
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Colour of the text format; `auto` follows NO_COLOR and whether stdout is a terminal.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Only the counts by kind and one line per changed component (text, Markdown).
        #[arg(long)]
        stat: bool,
        /// Only components of these kinds, by name or title (`form,view`, `"cloud flow"`;
        /// `manifest` for the solution manifest). The exit status follows what is kept.
        #[arg(long, value_delimiter = ',', value_name = "KINDS")]
        only: Vec<String>,
        /// Only components whose path matches (`'entity:account/**'`; `*` within a
        /// segment, `**` across). May be given more than once.
        #[arg(long = "path", value_name = "PATTERN")]
        paths: Vec<String>,
        /// Largest Markdown report, in bytes (default 65536, a pull-request comment); the
        /// summary and counts are always whole, details fill the rest.
        #[arg(long, value_name = "N")]
        max_bytes: Option<usize>,
        /// Lines shown of each text diff (scripts, flow definitions) in text and Markdown
        /// (default 40).
        #[arg(long, value_name = "N")]
        diff_lines: Option<usize>,
        /// Everything: no Markdown budget and whole text diffs.
        #[arg(long, conflicts_with_all = ["max_bytes", "stat"])]
        full: bool,
    },
    /// Canonical form: unordered lists sorted by key, in the package form that was read.
    Normalize {
        /// A solution zip, extracted folder, SolutionPackager folder or XML file; `-` reads
        /// a zip or an XML file from standard input.
        input: PathBuf,
        /// Output path (a file, folder or zip, matching the input's form). An XML file
        /// input goes to standard output when omitted.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Convert a package to another form: a zip, an extracted folder, a SolutionPackager
    /// folder or the YAML layout of Dataverse's Git integration, to any other of them.
    /// Component kinds the target form's mapping does not cover yet are refused by name, and
    /// nothing is written.
    Convert {
        /// The package to convert.
        input: PathBuf,
        /// The form to write.
        #[arg(long, value_enum)]
        to: ConvertTo,
        /// Where to write it (a folder, or a zip for `--to zip`); must not exist or be empty.
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// Three-way merge of solution files, folders or zips: BASE OURS THEIRS, or as git's
    /// merge driver with `--git %O %A %B %L %P [-s %S -x %X -y %Y]` (the result goes into %A).
    ///
    /// Three folders or three zips are merged entry by entry (-o OUT is then required); a
    /// zip with conflicts is written as the folder OUT.conflicts/ with a report beside it.
    ///
    /// Exit status: 0 clean, 1 conflicts written, 2 error (nothing written); as a driver,
    /// above 128 only on a crash.
    #[command(
        override_usage = "soltree merge [OPTIONS] BASE OURS THEIRS\n       soltree merge --git %O %A %B %L %P [%S %X %Y]"
    )]
    Merge {
        /// BASE OURS THEIRS (files, folders or zips; a missing or empty BASE file means both
        /// sides added it); with --git: %O %A %B %L %P and optionally %S %X %Y.
        #[arg(required = true, num_args = 3..=8, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Run as git's merge driver: write the result into %A atomically.
        #[arg(long)]
        git: bool,
        /// Where to write the result (default: standard output).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// The file's path in the repository; helps recognise the kind of file.
        #[arg(long)]
        path: Option<String>,
        /// How conflicts are written, as git's merge.conflictStyle (default: merge; as a
        /// driver, git's own setting).
        #[arg(long, value_enum)]
        conflict_style: Option<StyleArg>,
        /// Length of the conflict markers (git's conflict-marker-size), 1 to 1024.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=MAX_MARKER_SIZE as i64))]
        marker_size: u16,
        /// The label after ours' conflict marker (git's %X; default "ours").
        #[arg(long, short = 'x', value_name = "LABEL")]
        label_ours: Option<String>,
        /// The label after the base marker in diff3 style (git's %S; default "base").
        #[arg(long, short = 's', value_name = "LABEL")]
        label_base: Option<String>,
        /// The label after theirs' conflict marker (git's %Y; default "theirs").
        #[arg(long, short = 'y', value_name = "LABEL")]
        label_theirs: Option<String>,
        /// Write every conflict and every domain-rule decision to this JSON file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Time limit for the structured merge, in seconds, before the line merge takes over.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// Do not check a clean result as `soltree check` does (by default, errors the merge
        /// made that neither side had are reported as conflicts).
        #[arg(long)]
        no_check: bool,
    },
    /// Find what Dataverse would refuse at import: conflict markers, malformed XML or JSON,
    /// duplicate keys, nil elements with content, a manifest that does not match the files,
    /// and form fields, view columns or relationships naming a column or table the package lost.
    ///
    /// Each problem is reported per file and line, with the component's path and name, a code
    /// (for --disable and scripts), a severity and a fix hint. Exit status: 0 no errors
    /// (warnings are printed), 1 errors found (or warnings, with --deny-warnings), 2 a package
    /// could not be read.
    Check {
        /// Solution zips, extracted folders, SolutionPackager folders or single XML or JSON
        /// files; `-` reads a zip or an XML file from standard input.
        #[arg(required_unless_present = "staged", conflicts_with = "staged")]
        inputs: Vec<PathBuf>,
        /// Check the solution files staged in git's index (what the pre-commit hook runs):
        /// the paths `soltree git install` routes to soltree.
        #[arg(long)]
        staged: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Turn these codes off (`duplicate-key,unlisted-component-files`).
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        disable: Vec<String>,
        /// Warnings fail the check too (exit 1).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print a solution zip, folder or XML file as canonical, component-labelled text: git's
    /// diff driver (`diff.soltree.textconv`), so `git diff` shows component changes of zips.
    Textconv {
        /// A solution zip, extracted folder, SolutionPackager folder or XML file.
        file: PathBuf,
    },
    /// Pack an extracted folder (for instance a resolved `<zip>.conflicts/` folder) into a
    /// solution zip in export order, with `[Content_Types].xml` regenerated. Refuses files that
    /// still hold conflict markers and leftover `.theirs` files.
    Pack {
        /// The extracted folder.
        folder: PathBuf,
        /// The zip to write.
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// git integration: install the merge and diff drivers (`soltree git install`).
    #[command(subcommand)]
    Git(GitCommand),
    /// Print a shell completion script (`soltree completions bash > ~/.local/share/bash-completion/completions/soltree`).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a folder.
    Man {
        /// Write soltree.1 and soltree-<command>.1 into this folder instead.
        #[arg(short = 'o', long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum GitCommand {
    /// Write the merge and diff driver config and the attributes that route solution files
    /// (customizations.xml, solution.xml, SolutionPackager files, *.zip) to them. Idempotent;
    /// prints every change.
    Install {
        /// Install for every repository (global config and attributes file).
        #[arg(long)]
        global: bool,
        /// Only print what would change.
        #[arg(long)]
        dry_run: bool,
        /// Remove the config sections and the attribute lines again (and the pre-commit
        /// hook, putting back a hook it chained).
        #[arg(long)]
        uninstall: bool,
        /// Also install a pre-commit hook that runs `soltree check --staged` and refuses a
        /// commit on errors (an existing hook is kept and run first).
        #[arg(long, conflicts_with_all = ["global", "uninstall"])]
        pre_commit: bool,
    },
}

/// The forms `convert` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConvertTo {
    /// The YAML layout (`solutions/<name>/solution.yml` and component folders).
    Yaml,
    /// A solution zip.
    Zip,
    /// The folder a zip extracts to.
    Folder,
    /// A SolutionPackager folder (`pac solution unpack`, the XML format).
    Packager,
}

/// git's `merge.conflictStyle` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StyleArg {
    Merge,
    Diff3,
    Zdiff3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// An indented tree for people, with a summary line.
    Text,
    /// The versioned report for scripts (schema in README.md).
    Json,
    /// A pull-request comment: summary table and collapsible details.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options for `show`, free of clap.
pub struct ShowOptions {
    pub input: PathBuf,
    pub json: bool,
    pub output: Option<PathBuf>,
}

/// Options for `diff`, free of clap.
pub struct DiffOptions {
    pub old: PathBuf,
    pub new: PathBuf,
    pub format: DiffFormat,
    pub output: Option<PathBuf>,
    /// Counts and one line per component.
    pub stat: bool,
    pub filter: diff::filter::Filter,
    /// Budget of a Markdown report (`None`: no limit).
    pub max_bytes: Option<usize>,
    /// Lines shown per text diff in text and Markdown (`None`: all).
    pub diff_lines: Option<usize>,
}

/// Options for `normalize`, free of clap.
pub struct NormalizeOptions {
    pub input: PathBuf,
    pub output: Option<PathBuf>,
}

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`soltree show x | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("soltree: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let command = match &cli.solution {
        Some(name) => with_solution(cli.command, name)?,
        None => cli.command,
    };
    match command {
        Command::Show {
            input,
            format,
            color,
            output,
        } => {
            set_color(color, output.is_none());
            run_show(&ShowOptions {
                input,
                json: format == Format::Json,
                output,
            })
        }
        Command::Diff {
            old,
            new,
            format,
            color,
            output,
            stat,
            only,
            paths,
            max_bytes,
            diff_lines,
            full,
        } => {
            set_color(color, output.is_none());
            run_diff(&DiffOptions {
                old,
                new,
                format,
                output,
                stat,
                filter: diff::filter::Filter { kinds: only, paths },
                max_bytes: if full {
                    None
                } else {
                    Some(max_bytes.unwrap_or(render::PR_COMMENT_LIMIT))
                },
                diff_lines: if full {
                    None
                } else {
                    Some(diff_lines.unwrap_or(render::DEFAULT_TEXT_LINES))
                },
            })
        }
        Command::Normalize { input, output } => run_normalize(&NormalizeOptions { input, output }),
        Command::Convert { input, to, output } => run_convert(
            &input,
            match to {
                ConvertTo::Yaml => crate::convert::Target::Yaml,
                ConvertTo::Zip => crate::convert::Target::Zip,
                ConvertTo::Folder => crate::convert::Target::Folder,
                ConvertTo::Packager => crate::convert::Target::Packager,
            },
            &output,
        ),
        Command::Textconv { file } => {
            if !stdout_is_open() {
                bail!(CLOSED_STDOUT);
            }
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            crate::git::textconv::textconv(&file, &Limits::from_env(), &mut stdout)?;
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            if !stdout_is_open() {
                bail!(CLOSED_STDOUT);
            }
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "soltree", &mut std::io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { output } => {
            write_man_pages(output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Pack { folder, output } => {
            let packed = merge::run::pack(&folder, &output, &Limits::from_env())?;
            eprintln!(
                "soltree: packed {} entries into {} ({} bytes)",
                packed.entries,
                output.display(),
                packed.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            inputs,
            staged,
            format,
            color,
            output,
            disable,
            deny_warnings,
        } => {
            set_color(color, output.is_none());
            let mut disabled = Vec::new();
            for name in &disable {
                match crate::check::Code::named(name.trim()) {
                    Some(code) => disabled.push(code),
                    None => bail!(
                        "--disable {name}: no such code; the codes are {}",
                        crate::check::Code::ALL
                            .iter()
                            .map(|c| c.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
            run_check(&CheckRun {
                inputs,
                staged,
                json: format == Format::Json,
                output,
                options: crate::check::CheckOptions { disabled },
                deny_warnings,
            })
        }
        Command::Git(GitCommand::Install {
            global,
            dry_run,
            uninstall,
            pre_commit,
        }) => {
            let exe = std::env::current_exe().context("finding the soltree executable")?;
            let opts = InstallOptions {
                global,
                dry_run,
                uninstall,
                program: install::shell_quote(&exe.to_string_lossy()),
                cwd: std::env::current_dir()?,
                pre_commit,
            };
            let changes = install::install(&opts)?;
            let prefix = if dry_run { "would: " } else { "" };
            for c in &changes {
                if c.is_warning() {
                    eprintln!("soltree: {prefix}{c}");
                } else {
                    println!("{prefix}{c}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge {
            files,
            git,
            output,
            path,
            conflict_style,
            marker_size,
            label_ours,
            label_base,
            label_theirs,
            report,
            timeout,
            no_check,
        } => {
            let mut opts = MergeOptions {
                style: match conflict_style {
                    Some(s) => style_of(s),
                    None if git => git_conflict_style(),
                    None => ConflictStyle::Merge,
                },
                marker_size: usize::from(marker_size),
                path,
                timeout: std::time::Duration::from_secs(timeout),
                check_result: !no_check,
                ..MergeOptions::default()
            };
            let run = if git {
                // %O %A %B %L %P [%S %X %Y]
                if files.len() != 5 && files.len() != 8 {
                    bail!("--git expects %O %A %B %L %P [%S %X %Y]");
                }
                opts.marker_size = git_marker_size(&files[3].to_string_lossy())?;
                opts.path = Some(files[4].to_string_lossy().into_owned());
                if files.len() == 8 {
                    opts.label_base = files[5].to_string_lossy().into_owned();
                    opts.label_ours = files[6].to_string_lossy().into_owned();
                    opts.label_theirs = files[7].to_string_lossy().into_owned();
                }
                MergeRun {
                    base: files[0].clone(),
                    ours: files[1].clone(),
                    theirs: files[2].clone(),
                    output: Some(files[1].clone()),
                    report,
                }
            } else {
                if files.len() != 3 {
                    bail!("merge expects BASE OURS THEIRS");
                }
                MergeRun {
                    base: files[0].clone(),
                    ours: files[1].clone(),
                    theirs: files[2].clone(),
                    output,
                    report,
                }
            };
            for (label, value) in [
                (&mut opts.label_ours, label_ours),
                (&mut opts.label_base, label_base),
                (&mut opts.label_theirs, label_theirs),
            ] {
                // git before 2.44 passes %S, %X, %Y through unexpanded.
                if let Some(v) = value.filter(|v| !matches!(v.as_str(), "%S" | "%X" | "%Y")) {
                    *label = v;
                }
            }
            if git {
                if std::env::var_os("SOLTREE_DRIVER").is_some_and(|v| v == "0") {
                    opts.line_only =
                        Some("SOLTREE_DRIVER=0 asks for git's plain line merge".into());
                }
                let req = DriverRequest {
                    base: run.base.clone(),
                    ours: run.ours.clone(),
                    theirs: run.theirs.clone(),
                    path: opts.path.clone().unwrap_or_default(),
                    opts,
                    work_tree: PathBuf::from("."),
                };
                let code = driver::run_for_git(
                    &req,
                    run.report.as_deref(),
                    &Limits::from_env(),
                    &mut std::io::stderr(),
                );
                return Ok(ExitCode::from(code));
            }
            if run.output.is_none() && !stdout_is_open() {
                bail!(CLOSED_STDOUT);
            }
            let status = merge::run::run(
                &run,
                &opts,
                &Limits::from_env(),
                &mut std::io::stdout().lock(),
                &mut std::io::stderr(),
            )?;
            Ok(ExitCode::from(match status {
                MergeStatus::Clean => 0,
                MergeStatus::Conflicts => 1,
            }))
        }
    }
}

/// The longest conflict marker accepted: git's markers are 7 characters, longer ones nest
/// merges; a marker of a million characters is a mistake that would cost memory per line.
pub const MAX_MARKER_SIZE: usize = 1024;

/// git's `%L`: the conflict marker size, a number from 1 to [`MAX_MARKER_SIZE`].
fn git_marker_size(value: &str) -> Result<usize> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_MARKER_SIZE).contains(&n) => Ok(n),
        _ => bail!(
            "the conflict marker size (%L) must be a number from 1 to {MAX_MARKER_SIZE}, not {value:?}"
        ),
    }
}

fn style_of(s: StyleArg) -> ConflictStyle {
    match s {
        StyleArg::Merge => ConflictStyle::Merge,
        StyleArg::Diff3 => ConflictStyle::Diff3,
        StyleArg::Zdiff3 => ConflictStyle::Zdiff3,
    }
}

/// The command with every folder it reads narrowed to the solution `name` of a YAML layout
/// (`--solution`): the folder `<layout>/solutions/<name>`, which reads as that solution.
fn with_solution(mut command: Command, name: &str) -> Result<Command> {
    let pick = |path: &mut PathBuf| -> Result<()> {
        if path.is_dir() {
            *path = input::select_solution(path, name)?;
        }
        Ok(())
    };
    match &mut command {
        Command::Show { input, .. } | Command::Normalize { input, .. } => pick(input)?,
        Command::Textconv { file } => pick(file)?,
        Command::Diff { old, new, .. } => {
            pick(old)?;
            pick(new)?;
        }
        Command::Check { inputs, .. } => inputs.iter_mut().try_for_each(pick)?,
        _ => {}
    }
    Ok(command)
}

/// In driver mode, git's own `merge.conflictStyle` decides the marker style.
fn git_conflict_style() -> ConflictStyle {
    let out = std::process::Command::new("git")
        .args(["config", "--get", "merge.conflictStyle"])
        .output();
    match out
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .as_deref()
    {
        Some("diff3") => ConflictStyle::Diff3,
        Some("zdiff3") => ConflictStyle::Zdiff3,
        _ => ConflictStyle::Merge,
    }
}

/// Colour follows `--color`, then `NO_COLOR`, then whether standard output is a terminal.
fn set_color(choice: ColorChoice, to_stdout: bool) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && to_stdout
                && std::io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// Reads and models a package; errors name the package once (the input layer's already
/// start with its path; the others get it as context).
fn load(path: &Path) -> Result<ComponentTree> {
    if path == Path::new("-") {
        let pkg = input::read_stdin(&Limits::from_env())?;
        return Ok(ComponentTree::build(pkg)?);
    }
    ComponentTree::load(path, &Limits::from_env()).map_err(|e| {
        let shown = path.display().to_string();
        if e.to_string().starts_with(&shown) {
            anyhow::Error::new(e)
        } else {
            anyhow::Error::new(e).context(format!("reading {shown}"))
        }
    })
}

/// Options for `check`, free of clap.
pub struct CheckRun {
    pub inputs: Vec<PathBuf>,
    /// Check the files staged in git's index instead.
    pub staged: bool,
    pub json: bool,
    pub output: Option<PathBuf>,
    pub options: crate::check::CheckOptions,
    pub deny_warnings: bool,
}

pub fn run_check(opts: &CheckRun) -> Result<ExitCode> {
    let limits = Limits::from_env();
    let packages = if opts.staged {
        crate::git::revision::staged(&std::env::current_dir()?, &limits)
            .context("reading the staged files")?
    } else {
        opts.inputs
            .iter()
            .map(|path| {
                let pkg = if path == Path::new("-") {
                    input::read_stdin(&limits)
                } else if path.is_file() {
                    // Whatever the file holds: what is wrong with it is the finding.
                    input::read_any_file(path, &limits)
                } else {
                    input::read(path, &limits)
                };
                pkg.with_context(|| format!("reading {}", path.display()))
            })
            .collect::<Result<Vec<_>>>()?
    };
    let reports: Vec<_> = packages
        .into_iter()
        .map(|pkg| crate::check::check(pkg, &opts.options))
        .collect();
    let mut buf = Vec::new();
    if opts.json {
        crate::check::render_json(&reports, &mut buf)?;
    } else if !(opts.staged && reports.is_empty()) {
        crate::check::render_text(&reports, &mut buf)?;
    }
    emit(&buf, opts.output.as_deref())?;
    let errors: usize = reports.iter().map(|r| r.errors).sum();
    let warnings: usize = reports.iter().map(|r| r.warnings).sum();
    let failed = errors > 0 || (opts.deny_warnings && warnings > 0);
    Ok(ExitCode::from(u8::from(failed)))
}

pub fn run_show(opts: &ShowOptions) -> Result<ExitCode> {
    let tree = load(&opts.input)?;
    let inv = show::inventory(&tree);
    let mut buf = Vec::new();
    if opts.json {
        show::render_json(&inv, &mut buf)?;
    } else {
        show::render_text(&inv, &mut buf)?;
    }
    emit(&buf, opts.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_diff(opts: &DiffOptions) -> Result<ExitCode> {
    if opts.old == Path::new("-") && opts.new == Path::new("-") {
        bail!("standard input can be one side of a diff, not both");
    }
    opts.filter.check()?;
    let (old, new) = rayon::join(|| load_side(&opts.old), || load_side(&opts.new));
    let (mut old, mut new) = (old?, new?);
    // The YAML layout against a classic form: compare the classic tree it packs to.
    if old.form.is_yaml() != new.form.is_yaml() {
        let yaml = if old.form.is_yaml() {
            &mut old
        } else {
            &mut new
        };
        let entries = crate::convert::classic_entries(yaml).with_context(|| {
            format!(
                "comparing {} with a package of another form",
                yaml.source.display()
            )
        })?;
        *yaml = ComponentTree::build(input::Package {
            form: input::PackageForm::ExtractedFolder,
            source: yaml.source.clone(),
            entries,
        })?;
    }
    let mut report = diff::diff(&old, &new);
    diff::filter::apply(&mut report, &opts.filter);
    let render_opts = render::RenderOptions {
        layout: render::LayoutOptions {
            text_lines: opts.diff_lines,
        },
        stat: opts.stat,
        max_bytes: opts.max_bytes,
    };
    let mut buf = Vec::new();
    match opts.format {
        DiffFormat::Text => render::text::render_with(&report, &render_opts, &mut buf)?,
        DiffFormat::Json => render::json::render_with(&report, &render_opts, &mut buf)?,
        DiffFormat::Markdown => render::markdown::render_with(&report, &render_opts, &mut buf)?,
        DiffFormat::Html => render::html::render(&report, &mut buf)?,
    }
    emit(&buf, opts.output.as_deref())?;
    // The trees are large; the process ends here, so let the OS reclaim them.
    std::mem::forget(old);
    std::mem::forget(new);
    Ok(ExitCode::from(u8::from(report.has_differences())))
}

/// A side of a diff: a package on disk, or `REV:PATH` read from git.
fn load_side(arg: &Path) -> Result<ComponentTree> {
    let cwd = std::env::current_dir()?;
    if let Some(spec) = arg.to_str()
        && crate::git::revision::is_revision_path(spec, &cwd)
    {
        let pkg = crate::git::revision::read(spec, &cwd, &Limits::from_env())
            .with_context(|| format!("reading {spec} from git"))?;
        return ComponentTree::build(pkg).with_context(|| format!("reading {spec} from git"));
    }
    load(arg)
}

/// `soltree convert INPUT --to FORM -o OUTPUT`.
pub fn run_convert(input: &Path, to: crate::convert::Target, output: &Path) -> Result<ExitCode> {
    let tree = load(input)?;
    let pkg = crate::convert::convert(&tree, to)
        .with_context(|| format!("converting {}", input.display()))?;
    input::write(&pkg, output)?;
    eprintln!(
        "soltree: wrote {} ({}, {} files)",
        output.display(),
        pkg.form,
        pkg.entries.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_normalize(opts: &NormalizeOptions) -> Result<ExitCode> {
    let tree = load(&opts.input)?;
    let pkg = normalize::normalize(&tree);
    match (&opts.output, pkg.form) {
        (Some(out), _) => {
            input::write(&pkg, out).with_context(|| format!("writing {}", out.display()))?;
        }
        (None, input::PackageForm::XmlFile) => emit(&pkg.entries[0].data, None)?,
        (None, form) => bail!(
            "normalize of {} ({}) writes a package: give -o OUT for it",
            opts.input.display(),
            merge::run::form_phrase(form).0
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `soltree man`: the page of `soltree` itself to standard output, or one page per command
/// (`soltree-merge.1`, `soltree-git-install.1`, …) into `dir`.
fn write_man_pages(dir: Option<&Path>) -> Result<()> {
    let cmd = <Cli as clap::CommandFactory>::command().version(VERSION);
    let Some(dir) = dir else {
        if !stdout_is_open() {
            bail!(CLOSED_STDOUT);
        }
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut buf)?;
        return emit(&buf, None);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut pages = vec![(String::from("soltree"), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("soltree-{}", sub.get_name());
        for inner in sub.get_subcommands() {
            pages.push((format!("{name}-{}", inner.get_name()), inner.clone()));
        }
        pages.push((name, sub.clone()));
    }
    for (name, page) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page.name(name.clone()))
            .render(&mut buf)
            .with_context(|| format!("rendering {name}.1"))?;
        let path = dir.join(format!("{name}.1"));
        input::write_file(&path, &buf).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

const CLOSED_STDOUT: &str =
    "standard output is closed; nothing written (give -o FILE to write a file)";

/// Whether standard output was open when soltree started. A program started with its
/// standard output closed (`soltree show x >&-`) finds `/dev/null` there instead: Rust's
/// runtime opens it, read-write, in place of a closed standard descriptor, and writes to it
/// succeed, so a command would exit 0 having written nothing. A shell's `>/dev/null` opens
/// it write-only; read-write `/dev/null` on descriptor 1 is the runtime's stand-in.
fn stdout_is_open() -> bool {
    #[cfg(unix)]
    {
        use rustix::fs::{OFlags, fcntl_getfl, fstat, stat};
        let stdout = std::io::stdout();
        let (Ok(flags), Ok(here), Ok(null)) =
            (fcntl_getfl(&stdout), fstat(&stdout), stat("/dev/null"))
        else {
            return true;
        };
        let is_null = here.st_rdev == null.st_rdev && here.st_ino == null.st_ino;
        !(is_null && flags & OFlags::RWMODE == OFlags::RDWR)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Writes a rendered result to a file (atomically) or to standard output.
fn emit(bytes: &[u8], output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            input::write_file(path, bytes)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            if !stdout_is_open() {
                bail!(CLOSED_STDOUT);
            }
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .context("writing to standard output")?;
        }
    }
    Ok(())
}
