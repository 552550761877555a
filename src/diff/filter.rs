//! Narrowing a report to what a reviewer asked for: components of some kinds
//! (`--only form,view`, by kind name or title; `manifest` for the solution manifest) and
//! components under some paths (`--path 'entity:account/**'`). The summary is counted again
//! over what is kept, so the exit status says whether anything that was asked about changed.

use super::{Change, DiffReport, ManifestDiff};
use crate::model::kinds::{KINDS, PROCESS_CATEGORIES};

/// What to keep. Empty lists keep everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Kind names or titles (`form`, `Cloud flow`), `manifest`, `part`, `entry`.
    pub kinds: Vec<String>,
    /// Path patterns: `*` within one segment, `**` across segments.
    pub paths: Vec<String>,
}

/// A kind named in `--only` that no kind has.
#[derive(Debug, thiserror::Error)]
#[error(
    "--only: no kind is called {name:?}; kinds are named as `soltree show` lists them (form, view, attribute, workflow, …) or by their titles (\"Cloud flow\"), plus manifest"
)]
pub struct UnknownKind {
    pub name: String,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.paths.is_empty()
    }

    /// Checks every kind name.
    pub fn check(&self) -> Result<(), UnknownKind> {
        for k in &self.kinds {
            let n = norm(k);
            let known = matches!(n.as_str(), "manifest" | "part" | "entry")
                || KINDS
                    .iter()
                    .any(|d| norm(d.name) == n || norm(d.title) == n)
                || PROCESS_CATEGORIES.iter().any(|(_, t)| norm(t) == n);
            if !known {
                return Err(UnknownKind { name: k.clone() });
            }
        }
        Ok(())
    }

    fn keeps_kind(&self, name: &str, title: &str) -> bool {
        self.kinds.is_empty()
            || self
                .kinds
                .iter()
                .map(|k| norm(k))
                .any(|k| k == norm(name) || k == norm(title))
    }

    fn keeps_path(&self, path: &str) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|p| glob(p, path))
    }

    fn keeps_manifest(&self) -> bool {
        self.paths.is_empty() && self.keeps_kind("manifest", "manifest")
    }
}

/// Lower case, a plural `s` dropped: `Forms` is `form`.
fn norm(s: &str) -> String {
    let l = s.trim().to_lowercase();
    match l.strip_suffix('s') {
        Some(t) if !t.is_empty() && !l.ends_with("ss") => t.to_string(),
        _ => l,
    }
}

/// Matches a component path against a pattern: `*` any run within a segment (no `/`),
/// `**` any run at all; case-insensitive. `x/**` also matches `x` itself.
pub fn glob(pattern: &str, path: &str) -> bool {
    let p = pattern.to_lowercase();
    let s = path.to_lowercase();
    if let Some(base) = p.strip_suffix("/**")
        && glob(base, &s)
    {
        return true;
    }
    matches(p.as_bytes(), s.as_bytes())
}

fn matches(p: &[u8], s: &[u8]) -> bool {
    match p {
        [] => s.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=s.len()).any(|i| matches(rest, &s[i..])),
        [b'*', rest @ ..] => (0..=s.len())
            .take_while(|&i| i == 0 || s[i - 1] != b'/')
            .any(|i| matches(rest, &s[i..])),
        [c, rest @ ..] => s.first() == Some(c) && matches(rest, &s[1..]),
    }
}

/// Keeps what the filter asks for and counts the summary again.
pub fn apply(report: &mut DiffReport, filter: &Filter) {
    if filter.is_empty() {
        return;
    }
    report
        .components
        .retain(|c| filter.keeps_kind(c.kind, c.kind_title) && filter.keeps_path(&c.path));
    if !filter.keeps_manifest() {
        report.manifest = ManifestDiff {
            platform: std::mem::take(&mut report.manifest.platform),
            ..ManifestDiff::default()
        };
        report.package.clear();
    }
    let count = |ch: Change| report.components.iter().filter(|c| c.change == ch).count();
    report.summary.added = count(Change::Added);
    report.summary.removed = count(Change::Removed);
    report.summary.changed = count(Change::Changed);
    report.summary.manifest_changes = report.manifest.count();
    report.summary.differences = !report.components.is_empty() || report.manifest.has_differences();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(glob("entity:account/**", "entity:account/attribute:name"));
        assert!(glob("entity:account/**", "entity:account"));
        assert!(glob("entity:*/form:*", "entity:contact/form:1234"));
        assert!(!glob("entity:*", "entity:contact/form:1234"));
        assert!(glob("**/attribute:new_*", "entity:a/attribute:new_x"));
        assert!(glob("Entity:Account/**", "entity:account/view:1"));
    }

    #[test]
    fn kinds_by_name_title_or_plural() {
        let f = Filter {
            kinds: vec!["forms".into(), "Cloud flow".into()],
            paths: Vec::new(),
        };
        assert!(f.check().is_ok());
        assert!(f.keeps_kind("form", "Form"));
        assert!(f.keeps_kind("workflow", "Cloud flow"));
        assert!(!f.keeps_kind("view", "View"));
        assert!(!f.keeps_manifest());
        let bad = Filter {
            kinds: vec!["fomr".into()],
            paths: Vec::new(),
        };
        assert!(bad.check().is_err());
    }
}
