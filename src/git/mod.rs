//! git integration: the merge driver glue ([`driver`]: `soltree merge --git %O %A %B …`,
//! result written into `%A` atomically, solution zips merged as packages), the diff driver
//! ([`textconv`]: a solution zip or XML file printed as canonical, component-labelled text
//! that git line-diffs well), and the installer ([`install`]: config and attributes,
//! idempotent, reversible), and [`revision`]: `REV:PATH` arguments read from git's object
//! store as packages.
//!
//! Boundary types: [`driver::DriverOutcome`], the text written by [`textconv::textconv`],
//! and the [`install::Change`] list. Everything here runs `git` only through
//! `std::process::Command`; the merge itself is the library's (`crate::merge`).

pub mod driver;
pub mod install;
pub mod revision;
pub mod textconv;

/// Errors of the git layer. Each names the file or the git command involved.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The OS error is part of the message and not a `source`, so a context chain prints
    /// it once.
    #[error("{}: {error}", path.display())]
    Io {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error("`git {args}` failed: {detail}")]
    Command { args: String, detail: String },
    #[error("{0}")]
    Usage(String),
}

impl GitError {
    pub(crate) fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        GitError::Io {
            path: path.into(),
            error: source,
        }
    }
}
