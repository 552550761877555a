//! Whole-package merges: three versions of a folder (SolutionPackager tree, extracted export,
//! any partial tree of solution files) or of an exported zip, merged entry by entry.
//!
//! The boundary type is [`PackageMergeOutcome`]: the merged entries in output order, the
//! "theirs" copies of binary parts that both sides changed (written beside ours as
//! `<path>.theirs`, so nothing of either side is lost), and one [`EntryOutcome`] per entry
//! saying what happened to it. An entry changed on one side only is taken from that side;
//! added or deleted entries follow the side that added or deleted them; an entry changed on
//! both sides is merged by [`merge_files`] (structured for solution XML, line-wise for other
//! text such as web resources and flow JSON); binary parts changed on both sides, and
//! deletions on one side of something the other side changed, are conflicts.
//! `[Content_Types].xml` is never merged: it is derived data, regenerated to match the merged
//! entry list in Dataverse's own format (solution-format.md §1.3).

use super::{Conflict, ConflictReason, Decision, MergeOptions, merge_files};
use crate::input::Entry;
use crate::xml::Document;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// The content-types part of an exported zip.
pub const CONTENT_TYPES: &str = "[Content_Types].xml";

/// Suffix of the file that holds theirs' version of a binary part in conflict.
pub const THEIRS_SUFFIX: &str = ".theirs";

/// What happened to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resolution {
    /// The same in all three versions (or changed the same way on both sides).
    Unchanged,
    /// Only ours changed it.
    TakenFromOurs,
    /// Only theirs changed it.
    TakenFromTheirs,
    AddedByOurs,
    AddedByTheirs,
    /// Both added it; the two versions were merged (or were equal).
    AddedByBoth,
    DeletedByOurs,
    DeletedByTheirs,
    DeletedByBoth,
    /// Both sides changed it and the changes combined.
    Merged,
    /// `[Content_Types].xml`, rebuilt from the merged entry list.
    Regenerated,
    /// Both sides changed it and some changes could not be combined: markers in the entry.
    Conflicted,
    /// A binary part both sides changed: ours kept at its path, theirs beside it.
    BinaryConflict,
    /// Ours deleted it, theirs changed it: theirs' version kept so the change is not lost.
    DeletedByOursChangedByTheirs,
    /// Theirs deleted it, ours changed it: ours' version kept.
    DeletedByTheirsChangedByOurs,
}

impl Resolution {
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            Resolution::Conflicted
                | Resolution::BinaryConflict
                | Resolution::DeletedByOursChangedByTheirs
                | Resolution::DeletedByTheirsChangedByOurs
        )
    }
}

/// The outcome for one entry path.
#[derive(Debug, Clone, Serialize)]
pub struct EntryOutcome {
    pub path: String,
    pub resolution: Resolution,
    /// The component-level conflicts (for XML), or one whole-entry conflict.
    pub conflicts: Vec<Conflict>,
    pub decisions: Vec<Decision>,
    /// Set when the entry was merged line by line, with the reason.
    pub fallback: Option<String>,
}

/// The result of merging three packages.
#[derive(Debug, Clone)]
pub struct PackageMergeOutcome {
    /// The merged package, in output order.
    pub entries: Vec<Entry>,
    /// Theirs' bytes of each binary conflict, at `<path>.theirs`; written only into a
    /// conflicted folder, never into a package.
    pub sidecars: Vec<Entry>,
    /// One outcome per entry path found in any of the three versions, in output order
    /// (deleted entries last).
    pub outcomes: Vec<EntryOutcome>,
    /// Errors `soltree check` finds in the merged package that neither side had (filled by
    /// the runs, [`crate::merge::run::check_package_result`]): a merge with any is not clean.
    pub invalid: Vec<Conflict>,
}

impl PackageMergeOutcome {
    pub fn is_clean(&self) -> bool {
        !self.outcomes.iter().any(|o| o.resolution.is_conflict()) && self.invalid.is_empty()
    }

    /// The entries in conflict.
    pub fn conflicted(&self) -> impl Iterator<Item = &EntryOutcome> {
        self.outcomes.iter().filter(|o| o.resolution.is_conflict())
    }

    /// The JSON report (`--report`, and the report beside a conflicted folder).
    pub fn report(&self) -> PackageReport<'_> {
        let mut counts: FxHashMap<Resolution, usize> = FxHashMap::default();
        for o in &self.outcomes {
            *counts.entry(o.resolution).or_default() += 1;
        }
        let mut counts: Vec<(Resolution, usize)> = counts.into_iter().collect();
        counts.sort_by_key(|(r, _)| format!("{r:?}"));
        PackageReport {
            schema_version: 1,
            clean: self.is_clean(),
            counts: counts
                .into_iter()
                .map(|(resolution, entries)| ResolutionCount {
                    resolution,
                    entries,
                })
                .collect(),
            entries: self
                .outcomes
                .iter()
                .filter(|o| o.resolution != Resolution::Unchanged)
                .collect(),
            invalid: &self.invalid,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ResolutionCount {
    pub resolution: Resolution,
    pub entries: usize,
}

/// The JSON report of a package merge.
#[derive(Debug, Serialize)]
pub struct PackageReport<'a> {
    pub schema_version: u32,
    pub clean: bool,
    pub counts: Vec<ResolutionCount>,
    /// Every entry that is not unchanged, with its conflicts and rule decisions.
    pub entries: Vec<&'a EntryOutcome>,
    /// What the merge broke that `soltree check` finds in the merged package.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub invalid: &'a [Conflict],
}

/// Whether a part is binary (see [`crate::input::part_text`]: UTF-16 text counts as text;
/// `merge_files` merges it in its own encoding).
pub fn is_binary(data: &[u8]) -> bool {
    !crate::input::is_text(data)
}

/// The three versions of one entry.
struct Triple<'a> {
    path: &'a str,
    base: Option<&'a [u8]>,
    ours: Option<&'a [u8]>,
    theirs: Option<&'a [u8]>,
}

/// Merges three packages entry by entry. `base` is empty when there is no common version.
/// Entry paths match ignoring ASCII case (Dataverse does; exports disagree on
/// `Solution.xml`/`solution.xml`); ours' spelling wins. When ours or theirs holds a
/// `[Content_Types].xml` (zips, extracted folders), it is regenerated rather than merged.
pub fn merge_packages(
    base: &[Entry],
    ours: &[Entry],
    theirs: &[Entry],
    opts: &MergeOptions,
) -> PackageMergeOutcome {
    let index = |side: &'_ [Entry]| -> FxHashMap<String, usize> {
        side.iter()
            .enumerate()
            .map(|(i, e)| (e.path.to_ascii_lowercase(), i))
            .collect()
    };
    let (bi, oi, ti) = (index(base), index(ours), index(theirs));
    let is_ct = |p: &str| p.eq_ignore_ascii_case(CONTENT_TYPES);
    // Only when a side still has one: a package both sides stopped shipping it with (a
    // folder tree, say) does not get it back.
    let content_types = [ours, theirs]
        .iter()
        .any(|side| side.iter().any(|e| is_ct(&e.path)));

    // Output order: ours' order, with entries only theirs has placed after their nearest
    // preceding neighbour in theirs that ours has too, so a merged export keeps the export's
    // grouping. One pass over each side (folder merges can hold many thousands of files).
    let mut after: FxHashMap<String, Vec<String>> = FxHashMap::default();
    let mut leading: Vec<String> = Vec::new();
    let mut anchor: Option<String> = None;
    for e in theirs {
        let key = e.path.to_ascii_lowercase();
        if oi.contains_key(&key) {
            anchor = Some(key);
        } else {
            match &anchor {
                Some(a) => after.entry(a.clone()).or_default().push(key),
                None => leading.push(key),
            }
        }
    }
    let mut order: Vec<String> = leading;
    for e in ours {
        let key = e.path.to_ascii_lowercase();
        let extra = after.remove(&key);
        order.push(key);
        order.extend(extra.into_iter().flatten());
    }
    let mut placed: FxHashSet<String> = order.iter().cloned().collect();
    // Entries only the base has (deleted on both sides, or deleted on one side and
    // unchanged on the other) come last; they only get an outcome.
    for e in base {
        let key = e.path.to_ascii_lowercase();
        if placed.insert(key.clone()) {
            order.push(key);
        }
    }

    // Where [Content_Types].xml sat in the merged order: it goes back to that slot.
    let ct_slot = order.iter().position(|k| is_ct(k));
    let triples: Vec<Triple<'_>> = order
        .iter()
        .filter(|k| !is_ct(k))
        .map(|k| {
            fn get<'e>(
                side: &'e [Entry],
                idx: &FxHashMap<String, usize>,
                k: &str,
            ) -> Option<&'e [u8]> {
                idx.get(k).map(|&i| side[i].data.as_slice())
            }
            let path = oi
                .get(k)
                .map(|&i| ours[i].path.as_str())
                .or_else(|| ti.get(k).map(|&i| theirs[i].path.as_str()))
                .or_else(|| bi.get(k).map(|&i| base[i].path.as_str()))
                .expect("every key comes from a side");
            Triple {
                path,
                base: get(base, &bi, k),
                ours: get(ours, &oi, k),
                theirs: get(theirs, &ti, k),
            }
        })
        .collect();

    let merged: Vec<(EntryOutcome, Option<Vec<u8>>, Option<Entry>)> =
        triples.par_iter().map(|t| merge_entry(t, opts)).collect();

    let mut entries = Vec::new();
    let mut sidecars = Vec::new();
    let mut outcomes = Vec::new();
    let mut ct_at = None;
    for (i, (outcome, bytes, sidecar)) in merged.into_iter().enumerate() {
        if ct_slot == Some(i) {
            ct_at = Some(entries.len());
        }
        if let Some(data) = bytes {
            entries.push(Entry {
                path: outcome.path.clone(),
                data,
            });
        }
        sidecars.extend(sidecar);
        outcomes.push(outcome);
    }

    if content_types {
        let side_ct = |side: &'_ [Entry], idx: &FxHashMap<String, usize>| {
            idx.get(&CONTENT_TYPES.to_ascii_lowercase())
                .map(|&i| side[i].data.clone())
        };
        let (ours_ct, theirs_ct) = (side_ct(ours, &oi), side_ct(theirs, &ti));
        let want = PartSet::of(&entries);
        // Keep a side's own bytes when they already describe the merged entries: the merge
        // laws then hold byte for byte, and Dataverse's own spelling survives.
        let (data, resolution) = match (&ours_ct, &theirs_ct) {
            (Some(o), _) if PartSet::parse(o).as_ref() == Some(&want) => {
                (o.clone(), Resolution::Unchanged)
            }
            (_, Some(t)) if PartSet::parse(t).as_ref() == Some(&want) => {
                (t.clone(), Resolution::TakenFromTheirs)
            }
            _ => (content_types_xml(&entries), Resolution::Regenerated),
        };
        let path = ours
            .iter()
            .chain(theirs)
            .find(|e| is_ct(&e.path))
            .map_or(CONTENT_TYPES.to_string(), |e| e.path.clone());
        // Where the sides had it (exports put it last, some tools second); else last.
        let at = ct_at.unwrap_or(entries.len());
        entries.insert(
            at,
            Entry {
                path: path.clone(),
                data,
            },
        );
        outcomes.push(EntryOutcome {
            path,
            resolution,
            conflicts: Vec::new(),
            decisions: Vec::new(),
            fallback: None,
        });
    }
    PackageMergeOutcome {
        entries,
        sidecars,
        outcomes,
        invalid: Vec::new(),
    }
}

fn outcome(path: &str, resolution: Resolution) -> EntryOutcome {
    EntryOutcome {
        path: path.to_string(),
        resolution,
        conflicts: Vec::new(),
        decisions: Vec::new(),
        fallback: None,
    }
}

/// A conflict that covers a whole entry.
fn whole_entry(reason: ConflictReason, detail: &str) -> Conflict {
    Conflict {
        path: String::new(),
        kind: "entry".into(),
        display_name: String::new(),
        property: detail.into(),
        reason,
        base: None,
        ours: None,
        theirs: None,
    }
}

/// Merges one entry: its outcome, its merged bytes (None when it is gone) and, for a binary
/// conflict, theirs' version to keep beside it.
fn merge_entry(
    t: &Triple<'_>,
    opts: &MergeOptions,
) -> (EntryOutcome, Option<Vec<u8>>, Option<Entry>) {
    use Resolution::*;
    let keep = |b: Option<&[u8]>| b.map(<[u8]>::to_vec);
    if t.ours == t.theirs {
        let r = match (t.base, t.ours) {
            (_, None) => DeletedByBoth,
            (None, Some(_)) => AddedByBoth,
            (Some(_), Some(_)) => Unchanged,
        };
        return (outcome(t.path, r), keep(t.ours), None);
    }
    if t.base == t.ours {
        let r = match (t.base, t.theirs) {
            (_, None) => DeletedByTheirs,
            (None, Some(_)) => AddedByTheirs,
            _ => TakenFromTheirs,
        };
        return (outcome(t.path, r), keep(t.theirs), None);
    }
    if t.base == t.theirs {
        let r = match (t.base, t.ours) {
            (_, None) => DeletedByOurs,
            (None, Some(_)) => AddedByOurs,
            _ => TakenFromOurs,
        };
        return (outcome(t.path, r), keep(t.ours), None);
    }
    match (t.ours, t.theirs) {
        (None, Some(theirs)) => {
            let mut o = outcome(t.path, DeletedByOursChangedByTheirs);
            o.conflicts.push(whole_entry(
                ConflictReason::DeletedByOurs,
                "deleted by ours, changed by theirs: theirs' version kept",
            ));
            (o, Some(theirs.to_vec()), None)
        }
        (Some(ours), None) => {
            let mut o = outcome(t.path, DeletedByTheirsChangedByOurs);
            o.conflicts.push(whole_entry(
                ConflictReason::DeletedByTheirs,
                "deleted by theirs, changed by ours: ours' version kept",
            ));
            (o, Some(ours.to_vec()), None)
        }
        (Some(ours), Some(theirs)) => {
            if is_binary(ours) || is_binary(theirs) || t.base.is_some_and(is_binary) {
                let mut o = outcome(t.path, BinaryConflict);
                o.conflicts.push(whole_entry(
                    ConflictReason::BothChanged,
                    &format!(
                        "binary part changed on both sides: ours kept, theirs written beside it as {}{THEIRS_SUFFIX}",
                        t.path
                    ),
                ));
                let sidecar = Entry {
                    path: format!("{}{THEIRS_SUFFIX}", t.path),
                    data: theirs.to_vec(),
                };
                return (o, Some(ours.to_vec()), Some(sidecar));
            }
            let entry_opts = MergeOptions {
                path: Some(t.path.to_string()),
                ..opts.clone()
            };
            let m = merge_files(t.base, ours, theirs, &entry_opts);
            let r = match (m.is_clean(), t.base) {
                (false, _) => Conflicted,
                (true, None) => AddedByBoth,
                (true, Some(_)) => Merged,
            };
            let o = EntryOutcome {
                path: t.path.to_string(),
                resolution: r,
                conflicts: m.conflicts,
                decisions: m.decisions,
                fallback: m.fallback,
            };
            (o, Some(m.bytes), None)
        }
        (None, None) => unreachable!("handled by ours == theirs"),
    }
}

/// What `[Content_Types].xml` declares: the extensions with a Default and the extension-less
/// parts with an Override (part names compared without case, as OPC does).
#[derive(Debug, PartialEq, Eq)]
struct PartSet {
    extensions: FxHashSet<String>,
    overrides: FxHashSet<String>,
}

impl PartSet {
    fn of(entries: &[Entry]) -> PartSet {
        let mut s = PartSet {
            extensions: FxHashSet::default(),
            overrides: FxHashSet::default(),
        };
        for e in entries {
            if e.path.eq_ignore_ascii_case(CONTENT_TYPES) {
                continue;
            }
            match extension(&e.path) {
                Some(ext) => s.extensions.insert(ext.to_ascii_lowercase()),
                None => s
                    .overrides
                    .insert(format!("/{}", e.path).to_ascii_lowercase()),
            };
        }
        s
    }

    fn parse(data: &[u8]) -> Option<PartSet> {
        let doc = Document::parse(String::from_utf8(data.to_vec()).ok()?, CONTENT_TYPES).ok()?;
        let root = doc.root()?;
        let mut s = PartSet {
            extensions: FxHashSet::default(),
            overrides: FxHashSet::default(),
        };
        for el in doc.elements(root) {
            match doc.name(el) {
                "Default" => s
                    .extensions
                    .insert(doc.attr(el, "Extension")?.to_ascii_lowercase()),
                "Override" => s
                    .overrides
                    .insert(doc.attr(el, "PartName")?.to_ascii_lowercase()),
                _ => return None,
            };
        }
        Some(s)
    }
}

/// The extension of a part's file name, if it has one.
fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i + 1 < name.len() => Some(&name[i + 1..]),
        _ => None,
    }
}

/// `[Content_Types].xml` for `entries`, in Dataverse's format: BOM, declaration, one line,
/// a Default per extension present (Dataverse's own order first), an Override per
/// extension-less part, in entry order.
pub fn content_types_xml(entries: &[Entry]) -> Vec<u8> {
    const KNOWN: [&str; 7] = ["xml", "xaml", "yaml", "json", "wdl", "dll", "msapp"];
    let mut exts: Vec<String> = Vec::new();
    let mut overrides: Vec<String> = Vec::new();
    for e in entries {
        if e.path.eq_ignore_ascii_case(CONTENT_TYPES) {
            continue;
        }
        match extension(&e.path) {
            Some(ext) => {
                let ext = ext.to_ascii_lowercase();
                if !exts.contains(&ext) {
                    exts.push(ext);
                }
            }
            None => overrides.push(format!("/{}", e.path)),
        }
    }
    let rank = |e: &String| KNOWN.iter().position(|k| k == e).unwrap_or(KNOWN.len());
    exts.sort_by_key(rank); // stable: unknown extensions keep first-seen order
    let mut s = String::from(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    );
    for ext in exts {
        s.push_str(&format!(
            "<Default Extension=\"{}\" ContentType=\"application/octet-stream\" />",
            crate::xml::escape_attr(&ext)
        ));
    }
    for part in overrides {
        s.push_str(&format!(
            "<Override PartName=\"{}\" ContentType=\"application/octet-stream\" />",
            crate::xml::escape_attr(&part)
        ));
    }
    s.push_str("</Types>");
    s.into_bytes()
}

/// Puts entries in the order of a Dataverse export (customizations.xml, solution.xml, the
/// parts by path, `[Content_Types].xml` last), for a zip built from a folder.
pub fn export_order(entries: &mut [Entry]) {
    let rank = |p: &str| {
        if p.eq_ignore_ascii_case("customizations.xml") {
            0
        } else if p.eq_ignore_ascii_case("solution.xml") {
            1
        } else if p.eq_ignore_ascii_case(CONTENT_TYPES) {
            3
        } else {
            2
        }
    };
    entries.sort_by(|a, b| {
        rank(&a.path)
            .cmp(&rank(&b.path))
            .then_with(|| a.path.cmp(&b.path))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, data: &str) -> Entry {
        Entry {
            path: path.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    fn paths(v: &[Entry]) -> Vec<&str> {
        v.iter().map(|e| e.path.as_str()).collect()
    }

    fn resolution(out: &PackageMergeOutcome, path: &str) -> Resolution {
        out.outcomes
            .iter()
            .find(|o| o.path == path)
            .unwrap()
            .resolution
    }

    #[test]
    fn additions_deletions_and_one_sided_changes() {
        let base = vec![
            e("a.js", "1\n"),
            e("b.js", "b\n"),
            e("c.js", "c\n"),
            e("d.js", "d\n"),
        ];
        let ours = vec![e("a.js", "1\n"), e("b.js", "b2\n"), e("o.js", "o\n")];
        let theirs = vec![
            e("a.js", "1\n"),
            e("t.js", "t\n"),
            e("b.js", "b\n"),
            e("c.js", "c\n"),
        ];
        let out = merge_packages(&base, &ours, &theirs, &MergeOptions::default());
        assert!(out.is_clean());
        assert_eq!(paths(&out.entries), ["a.js", "t.js", "b.js", "o.js"]);
        assert_eq!(out.entries[2].data, b"b2\n");
        assert_eq!(resolution(&out, "c.js"), Resolution::DeletedByOurs);
        assert_eq!(resolution(&out, "t.js"), Resolution::AddedByTheirs);
        assert_eq!(resolution(&out, "o.js"), Resolution::AddedByOurs);
        assert_eq!(resolution(&out, "b.js"), Resolution::TakenFromOurs);
        assert_eq!(resolution(&out, "a.js"), Resolution::Unchanged);
        assert_eq!(resolution(&out, "d.js"), Resolution::DeletedByBoth);
    }

    #[test]
    fn text_parts_merge_line_wise_and_conflict_with_markers() {
        let base = vec![e("x.js", "1\n2\n3\n4\n5\n")];
        let ours = vec![e("x.js", "one\n2\n3\n4\n5\n")];
        let theirs = vec![e("x.js", "1\n2\n3\n4\nfive\n")];
        let out = merge_packages(&base, &ours, &theirs, &MergeOptions::default());
        assert!(out.is_clean());
        assert_eq!(out.entries[0].data, b"one\n2\n3\n4\nfive\n");
        assert_eq!(resolution(&out, "x.js"), Resolution::Merged);

        let theirs = vec![e("x.js", "uno\n2\n3\n4\n5\n")];
        let out = merge_packages(&base, &ours, &theirs, &MergeOptions::default());
        assert!(!out.is_clean());
        let text = String::from_utf8(out.entries[0].data.clone()).unwrap();
        assert!(
            text.contains("<<<<<<< ours\none\n=======\nuno\n>>>>>>> theirs\n"),
            "{text}"
        );
    }

    #[test]
    fn binary_both_changed_keeps_both() {
        let bin = |b: u8| Entry {
            path: "PluginAssemblies/p.dll".into(),
            data: vec![0, 1, b],
        };
        let out = merge_packages(&[bin(1)], &[bin(2)], &[bin(3)], &MergeOptions::default());
        assert_eq!(
            resolution(&out, "PluginAssemblies/p.dll"),
            Resolution::BinaryConflict
        );
        assert_eq!(out.entries[0].data, [0, 1, 2]);
        assert_eq!(out.sidecars[0].path, "PluginAssemblies/p.dll.theirs");
        assert_eq!(out.sidecars[0].data, [0, 1, 3]);
        // Only one side changed: taken, no conflict.
        let out = merge_packages(&[bin(1)], &[bin(1)], &[bin(3)], &MergeOptions::default());
        assert!(out.is_clean());
        assert_eq!(out.entries[0].data, [0, 1, 3]);
    }

    #[test]
    fn delete_against_change_keeps_the_change() {
        let base = vec![e("a.xml", "<a/>")];
        let out = merge_packages(&base, &[], &[e("a.xml", "<b/>")], &MergeOptions::default());
        assert_eq!(
            resolution(&out, "a.xml"),
            Resolution::DeletedByOursChangedByTheirs
        );
        assert_eq!(out.entries[0].data, b"<b/>");
        let out = merge_packages(&base, &[e("a.xml", "<c/>")], &[], &MergeOptions::default());
        assert_eq!(
            resolution(&out, "a.xml"),
            Resolution::DeletedByTheirsChangedByOurs
        );
        assert!(!out.is_clean());
    }

    #[test]
    fn content_types_regenerated_in_dataverse_format() {
        let ct_of = |v: &[Entry]| content_types_xml(v);
        let base = vec![
            e("customizations.xml", "<c/>"),
            e("solution.xml", "<s/>"),
            e("WebResources/newa1", "a"),
        ];
        let mut base_ct = base.clone();
        base_ct.push(Entry {
            path: CONTENT_TYPES.into(),
            data: ct_of(&base),
        });
        let mut theirs = base_ct.clone();
        theirs.insert(3, e("Workflows/f-1.json", "{}"));
        theirs.insert(3, e("WebResources/newb2", "b"));
        let ours = base_ct.clone();
        // Theirs added parts; its own content types already describe the result: kept.
        let theirs_ct = content_types_xml(&theirs);
        *theirs.last_mut().unwrap() = Entry {
            path: CONTENT_TYPES.into(),
            data: theirs_ct.clone(),
        };
        let out = merge_packages(&base_ct, &ours, &theirs, &MergeOptions::default());
        assert_eq!(out.entries.last().unwrap().data, theirs_ct);
        let text = String::from_utf8(theirs_ct).unwrap();
        assert_eq!(
            text,
            "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/octet-stream\" /><Default Extension=\"json\" ContentType=\"application/octet-stream\" /><Override PartName=\"/WebResources/newa1\" ContentType=\"application/octet-stream\" /><Override PartName=\"/WebResources/newb2\" ContentType=\"application/octet-stream\" /></Types>"
        );
        // Both sides added different parts: neither side's list fits, so it is rebuilt.
        let mut ours2 = base_ct.clone();
        ours2.insert(2, e("Formulas/a.xaml", "<x/>"));
        let out = merge_packages(&base_ct, &ours2, &theirs, &MergeOptions::default());
        assert_eq!(resolution(&out, CONTENT_TYPES), Resolution::Regenerated);
        let ct = String::from_utf8(out.entries.last().unwrap().data.clone()).unwrap();
        assert!(ct.contains("Extension=\"xaml\"") && ct.contains("Extension=\"json\""));
        assert!(ct.contains("/WebResources/newb2"));
        assert_eq!(out.entries.last().unwrap().path, CONTENT_TYPES);
    }

    #[test]
    fn content_types_dropped_by_both_sides_stays_dropped() {
        let base = vec![e("a.xml", "<a/>"), e(CONTENT_TYPES, "<Types/>")];
        let side = vec![e("a.xml", "<a/>")];
        let out = merge_packages(&base, &side, &side, &MergeOptions::default());
        assert_eq!(paths(&out.entries), ["a.xml"]);
    }

    #[test]
    fn merge_laws_hold_for_packages() {
        let a = vec![e("a.xml", "<a/>"), e("b.js", "b")];
        let b = vec![e("a.xml", "<a x=\"1\"/>"), e("c.js", "c")];
        for (x, y) in [(&a, &b), (&b, &a)] {
            let opts = MergeOptions::default();
            assert_eq!(merge_packages(x, x, x, &opts).entries, *x);
            assert_eq!(merge_packages(x, y, x, &opts).entries, *y);
            assert_eq!(merge_packages(x, x, y, &opts).entries, *y);
            assert_eq!(merge_packages(x, y, y, &opts).entries, *y);
        }
    }

    #[test]
    fn export_order_puts_manifests_first_and_content_types_last() {
        let mut v = vec![
            e(CONTENT_TYPES, ""),
            e("b/x", ""),
            e("solution.xml", ""),
            e("a.xml", ""),
            e("customizations.xml", ""),
        ];
        export_order(&mut v);
        assert_eq!(
            paths(&v),
            [
                "customizations.xml",
                "solution.xml",
                "a.xml",
                "b/x",
                CONTENT_TYPES
            ]
        );
    }
}
