//! Command line: the clap types, their conversion into plain option structs, and the
//! mapping of outcomes to exit codes. Nothing below this module knows clap.
//!
//! Exit codes: 0 success, 2 error (bad input, nothing written); `diff` follows diff(1):
//! 0 no semantic difference, 1 differences, 2 error. Errors print as a context
//! chain on stderr (`soltree: reading X: customizations.xml:12:5: …`).

use crate::input::{self, Limits};
use crate::model::ComponentTree;
use crate::{diff, normalize, render, show};
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "soltree",
    version,
    about = "Normalize, inspect, diff and merge Dynamics 365 / Dataverse solution packages",
    long_about = "soltree reads solution packages in any of their forms — an exported zip, the folder \
it extracts to, a SolutionPackager (pac solution unpack) folder, or a single XML file — into a \
canonical component tree.\n\nExit status: 0 success, 2 error (nothing written); for diff: 0 no \
semantic difference, 1 differences, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Inventory of a package: counts by kind, then each component's path and display name.
    Show {
        /// A solution zip, extracted folder, SolutionPackager folder or XML file.
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
    /// braces, formatting, [Content_Types].xml, platform versions) is not a difference.
    /// Exit status: 0 no semantic difference, 1 differences, 2 error.
    Diff {
        /// The old package: a zip, extracted folder, SolutionPackager folder or XML file.
        old: PathBuf,
        /// The new package, in any of the same forms.
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Canonical form: unordered lists sorted by key, in the package form that was read.
    Normalize {
        /// A solution zip, extracted folder, SolutionPackager folder or XML file.
        input: PathBuf,
        /// Output path (a file, folder or zip, matching the input's form). An XML file
        /// input goes to standard output when omitted.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
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
    match cli.command {
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
        } => {
            set_color(color, output.is_none());
            run_diff(&DiffOptions {
                old,
                new,
                format,
                output,
            })
        }
        Command::Normalize { input, output } => run_normalize(&NormalizeOptions { input, output }),
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

fn load(path: &Path) -> Result<ComponentTree> {
    ComponentTree::load(path, &Limits::from_env())
        .with_context(|| format!("reading {}", path.display()))
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
    let (old, new) = rayon::join(|| load(&opts.old), || load(&opts.new));
    let (old, new) = (old?, new?);
    let report = diff::diff(&old, &new);
    let mut buf = Vec::new();
    match opts.format {
        DiffFormat::Text => render::text::render(&report, &mut buf)?,
        DiffFormat::Json => render::json::render(&report, &mut buf)?,
        DiffFormat::Markdown => render::markdown::render(&report, &mut buf)?,
    }
    emit(&buf, opts.output.as_deref())?;
    // The trees are large; the process ends here, so let the OS reclaim them.
    std::mem::forget(old);
    std::mem::forget(new);
    Ok(ExitCode::from(u8::from(report.has_differences())))
}

pub fn run_normalize(opts: &NormalizeOptions) -> Result<ExitCode> {
    let tree = load(&opts.input)?;
    let pkg = normalize::normalize(&tree);
    match (&opts.output, pkg.form) {
        (Some(out), _) => {
            input::write(&pkg, out).with_context(|| format!("writing {}", out.display()))?;
        }
        (None, input::PackageForm::XmlFile) => emit(&pkg.entries[0].data, None)?,
        (None, form) => bail!("-o OUT is required to write a {form}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a rendered result to a file (atomically) or to standard output.
fn emit(bytes: &[u8], output: Option<&Path>) -> Result<()> {
    match output {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
            tmp.write_all(bytes)?;
            tmp.persist(path)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
    }
    Ok(())
}
