//! Domain merge rules, as data: where both sides changed the same value and a careful
//! Dynamics developer would not call it a conflict. Each rule is named; the merge report
//! lists every decision a rule made.
//!
//! Set semantics (root components, missing dependencies, labels per language code, every
//! list the kinds table marks as a set) need no rule here: the keyed list merge takes the
//! additions of both sides and honours removals by construction. The report still names
//! those merges (`set-union`) when both sides changed the same set.

/// What a rule decides between two changed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// The higher dotted version (`1.0.0.10` > `1.0.0.9`).
    HigherVersion,
    /// The lower dotted version.
    LowerVersion,
    /// The later ISO-8601 timestamp (plain string order).
    LaterTimestamp,
    /// Export-assigned noise: keep ours' value.
    Ours,
    /// Export state (platform build, dependency numbering, the versions installed in the
    /// exporting org): keep the value of the newer export — the side with the higher
    /// solution version, else the higher platform build, else theirs — so every export-state
    /// value of a file comes from one export.
    NewerExport,
}

/// Where a rule applies: an attribute of an element, or the text of a leaf element,
/// identified by element name and (optionally) its parent's name.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Attr {
        element: &'static str,
        attrs: &'static [&'static str],
    },
    Text {
        parent: Option<&'static str>,
        element: &'static str,
    },
}

/// Which changes a rule decides: whether base had the value tells a value both sides added
/// (a component new on both branches) from one both sides changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Whether or not base had it.
    Always,
    /// Only a value base did not have: both sides added it.
    Added,
    /// Only a value base had: both sides changed it.
    Changed,
}

impl When {
    fn fits(self, in_base: bool) -> bool {
        match self {
            When::Always => true,
            When::Added => !in_base,
            When::Changed => in_base,
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub target: Target,
    pub when: When,
    pub resolve: Resolve,
    /// Why the rule is right, for the README and the report.
    pub why: &'static str,
}

pub static RULES: &[Rule] = &[
    Rule {
        name: "solution-version-max",
        target: Target::Text {
            parent: Some("SolutionManifest"),
            element: "Version",
        },
        when: When::Always,
        resolve: Resolve::HigherVersion,
        why: "both branches bumped the solution version; the merged solution is newer than both",
    },
    Rule {
        name: "platform-version-newer-export",
        target: Target::Attr {
            element: "ImportExportXml",
            attrs: &[
                "version",
                "OrganizationVersion",
                "CRMServerServiceabilityVersion",
                "SolutionPackageVersion",
            ],
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the exporting org's platform build and package format are export state: they come from the newer export, like its missing dependencies, so the file never declares a build older than the dependency versions it lists",
    },
    Rule {
        name: "platform-schema-newer-export",
        target: Target::Attr {
            element: "ImportExportXml",
            attrs: &["OrganizationSchemaType"],
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the exporting org's schema type is export state, like its platform build",
    },
    Rule {
        name: "introduced-version-min",
        target: Target::Text {
            parent: None,
            element: "IntroducedVersion",
        },
        when: When::Added,
        resolve: Resolve::LowerVersion,
        why: "a component both branches added is introduced once: the earliest solution version that carried it",
    },
    Rule {
        name: "introduced-version-newer-export",
        target: Target::Text {
            parent: None,
            element: "IntroducedVersion",
        },
        when: When::Changed,
        resolve: Resolve::NewerExport,
        why: "a component that base had and both sides re-exported: its IntroducedVersion is what the newer export wrote, like the rest of the file's export state",
    },
    Rule {
        name: "canvas-app-version-latest",
        target: Target::Text {
            parent: Some("CanvasApp"),
            element: "AppVersion",
        },
        when: When::Always,
        resolve: Resolve::LaterTimestamp,
        why: "AppVersion is the publish timestamp; the later publish is the merged app's",
    },
    Rule {
        name: "canvas-app-client-version-max",
        target: Target::Text {
            parent: Some("CanvasApp"),
            element: "CreatedByClientVersion",
        },
        when: When::Always,
        resolve: Resolve::HigherVersion,
        why: "the Power Apps client that last saved the app: the newer save's",
    },
    Rule {
        name: "canvas-app-client-version-max",
        target: Target::Text {
            parent: Some("CanvasApp"),
            element: "MinClientVersion",
        },
        when: When::Always,
        resolve: Resolve::HigherVersion,
        why: "the app needs the newer of the two minimum client versions",
    },
    Rule {
        name: "dependency-version-newer-export",
        target: Target::Attr {
            element: "Required",
            attrs: &["solution"],
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the required solution's version is the one installed in the exporting org; the newer export's org state wins",
    },
    Rule {
        name: "dependency-version-newer-export",
        target: Target::Text {
            parent: Some("Required"),
            element: "package",
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the required package's version is the one installed in the exporting org; the newer export's org state wins",
    },
    Rule {
        name: "dependency-key-newer-export",
        target: Target::Attr {
            element: "Required",
            attrs: &["key"],
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the key numbering of missing dependencies is assigned anew by every export and carries no meaning",
    },
    Rule {
        name: "dependency-key-newer-export",
        target: Target::Attr {
            element: "Dependent",
            attrs: &["key"],
        },
        when: When::Always,
        resolve: Resolve::NewerExport,
        why: "the key numbering of missing dependencies is assigned anew by every export and carries no meaning",
    },
    Rule {
        name: "library-id-ours",
        target: Target::Attr {
            element: "Library",
            attrs: &["libraryUniqueId"],
        },
        when: When::Always,
        resolve: Resolve::Ours,
        why: "a form library's unique id is generated when the library is added; when both sides add the same library, one id is as good as the other",
    },
    Rule {
        name: "handler-id-ours",
        target: Target::Attr {
            element: "Handler",
            attrs: &["handlerUniqueId"],
        },
        when: When::Always,
        resolve: Resolve::Ours,
        why: "an event handler's unique id is generated when the handler is added; handlers are known by library and function",
    },
];

/// Lists that every export generates whole from the solution's content: their entries carry
/// only export state (numbering, installed versions). When the newer export's list holds
/// every entry of the other's, it is the complete export and is taken whole — its order,
/// numbering and versions together (rule `missing-dependencies-superset`); otherwise the
/// entries merge as a set, each shared entry's export state from the newer export, so the
/// list never mixes in the older export's versions where the newer one has its own.
pub static EXPORT_LISTS: &[&str] = &["MissingDependencies"];

/// Attributes whose values are export noise: a change to them alone is not a modification
/// (a component deleted on one side and only renumbered on the other is simply deleted).
pub fn is_noise(element: &str, attr: &str) -> bool {
    for_attr(element, attr, true)
        .is_some_and(|r| matches!(r.resolve, Resolve::Ours | Resolve::NewerExport))
}

/// The rule for an attribute of `element`, if any; `in_base` says whether base had the
/// attribute.
pub fn for_attr(element: &str, attr: &str, in_base: bool) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.when.fits(in_base)
            && matches!(r.target, Target::Attr { element: e, attrs } if e == element && attrs.contains(&attr))
    })
}

/// The rule for the text of `element` under `parent`, if any; `in_base` says whether base
/// had the element.
pub fn for_text(parent: Option<&str>, element: &str, in_base: bool) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.when.fits(in_base)
            && match r.target {
                Target::Text {
                    parent: p,
                    element: e,
                } => e == element && (p.is_none() || p == parent),
                Target::Attr { .. } => false,
            }
    })
}

/// Compares dotted versions numerically part by part; `None` when either is not a version.
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let parse =
        |s: &str| -> Option<Vec<u64>> { s.trim().split('.').map(|p| p.parse().ok()).collect() };
    let (a, b) = (parse(a)?, parse(b)?);
    let n = a.len().max(b.len());
    for i in 0..n {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return Some(x.cmp(&y));
        }
    }
    Some(std::cmp::Ordering::Equal)
}

/// Applies a rule to two differing values: `Some(true)` picks ours, `Some(false)` theirs,
/// `None` when the values do not fit the rule (then it is a real conflict).
/// `theirs_newer` says which side is the newer export.
pub fn pick_ours(rule: &Rule, ours: &str, theirs: &str, theirs_newer: bool) -> Option<bool> {
    use std::cmp::Ordering::*;
    match rule.resolve {
        Resolve::HigherVersion => compare_versions(ours, theirs).map(|o| o != Less),
        Resolve::LowerVersion => compare_versions(ours, theirs).map(|o| o != Greater),
        Resolve::LaterTimestamp => Some(ours.trim() >= theirs.trim()),
        Resolve::Ours => Some(true),
        Resolve::NewerExport => Some(!theirs_newer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.0.0.10", "1.0.0.9"), Some(Greater));
        assert_eq!(compare_versions("1.0", "1.0.0.0"), Some(Equal));
        assert_eq!(
            compare_versions("9.2.24111.222", "9.2.25092.160"),
            Some(Less)
        );
        assert_eq!(compare_versions("x", "1"), None);
    }

    #[test]
    fn rules_pick() {
        let v = for_text(Some("SolutionManifest"), "Version", true).unwrap();
        assert_eq!(pick_ours(v, "1.0.0.5", "1.0.0.12", true), Some(false));
        assert!(for_text(Some("Other"), "Version", true).is_none());
        assert!(for_attr("ImportExportXml", "version", true).is_some());
        let dep = for_attr("Required", "solution", true).unwrap();
        assert_eq!(
            pick_ours(dep, "Core (9.0.2)", "Core (9.0.10)", true),
            Some(false)
        );
        assert_eq!(
            pick_ours(dep, "Core (9.0.10)", "Core (9.0.2)", false),
            Some(true)
        );
        assert!(is_noise("Dependent", "key"));
        assert!(!is_noise("Dependent", "type"));
    }

    #[test]
    fn introduced_version_depends_on_whether_base_had_the_component() {
        // Added on both sides: the earliest version that carried it, whichever export is newer.
        let added = for_text(Some("EntityRelationship"), "IntroducedVersion", false).unwrap();
        assert_eq!(added.name, "introduced-version-min");
        assert_eq!(pick_ours(added, "1.0.501", "1.0.500", true), Some(false));
        assert_eq!(pick_ours(added, "1.0.500", "1.0.501", true), Some(true));
        // In base and changed by both: export state, from the newer export.
        let changed = for_text(Some("EntityRelationship"), "IntroducedVersion", true).unwrap();
        assert_eq!(changed.name, "introduced-version-newer-export");
        assert_eq!(pick_ours(changed, "1.0.553", "1.0.600", true), Some(false));
        assert_eq!(pick_ours(changed, "1.0.600", "1.0.553", false), Some(true));
        assert_eq!(pick_ours(changed, "1.0.600", "1.0.553", true), Some(false));
    }
}
