//! Input layer: turns whatever the user points at — an exported zip, an extracted folder, a
//! SolutionPackager folder or a single XML file — into a [`Package`], a flat list of
//! [`Entry`]s (relative `/`-separated path plus raw bytes), and writes a `Package` back in the
//! same form. Its boundary type is [`Package`]; nothing above this layer knows about zips or
//! the file system layout, and only this layer uses the `zip` crate. Untrusted input is handled
//! here deliberately: unsafe entry names, entries differing only in letter case, zip bombs,
//! truncated archives, files that are neither zip nor XML and invalid UTF-8 all become an
//! [`InputError`] naming the file and entry, and writes never leave a half-written output
//! behind.

mod file;
mod folder;
mod text;
pub mod yaml;
mod zip;

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use text::{
    ConflictMarker, TextEncoding, conflict_marker_line, conflict_marker_lines, decode_text,
    decode_utf8, decode_xml, encode_text, encode_xml, is_text, looks_like_json, part_text,
};

/// The four shapes a solution package comes in (design.md, "Package forms").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageForm {
    /// An exported solution zip (`solution.xml`, `customizations.xml`, `[Content_Types].xml`).
    Zip,
    /// A folder holding the unzipped export (`solution.xml` and `customizations.xml`).
    ExtractedFolder,
    /// A SolutionPackager / `pac solution unpack` folder (`Other/Solution.xml`, ...).
    PackagerFolder,
    /// A single file, usually XML (customizations.xml, solution.xml or a component file).
    XmlFile,
    /// One solution of the YAML layout of Dataverse's Git integration
    /// (`solutions/<name>/solution.yml` beside `entities/`, `optionsets/`, …).
    YamlFolder,
    /// A single YAML file of that layout (`attribute.yml`-style component files, manifests).
    YamlFile,
}

impl PackageForm {
    /// The name used in messages and JSON (same as the serde name).
    pub fn name(self) -> &'static str {
        match self {
            PackageForm::Zip => "zip",
            PackageForm::ExtractedFolder => "extracted-folder",
            PackageForm::PackagerFolder => "packager-folder",
            PackageForm::XmlFile => "xml-file",
            PackageForm::YamlFolder => "yaml-folder",
            PackageForm::YamlFile => "yaml-file",
        }
    }

    /// Whether the package is the YAML layout (a folder or one of its files).
    pub fn is_yaml(self) -> bool {
        matches!(self, PackageForm::YamlFolder | PackageForm::YamlFile)
    }

    /// Whether the package is a single file.
    pub fn is_single_file(self) -> bool {
        matches!(self, PackageForm::XmlFile | PackageForm::YamlFile)
    }
}

impl fmt::Display for PackageForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One part of a package: its path inside the package and its bytes, untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative, `/`-separated, as in the package (`Other/Solution.xml`).
    pub path: String,
    pub data: Vec<u8>,
}

/// A whole package: its form, where it was read from, and its entries.
///
/// For zips, entries are in archive order; for folders, sorted by path (byte order) so that
/// the result does not depend on the file system's directory order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub form: PackageForm,
    /// The zip or XML file, or the package root folder (for a SolutionPackager folder found
    /// below the given folder, the folder that holds `Other/`).
    pub source: PathBuf,
    pub entries: Vec<Entry>,
}

impl Package {
    /// The entry whose path equals `path`, ignoring ASCII case (Dataverse itself is
    /// case-insensitive about part names, and exports disagree on `Solution.xml` vs `solution.xml`).
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entry_index(path).map(|i| &self.entries[i])
    }

    /// Index of the first entry matching `path` (ASCII case-insensitive).
    pub fn entry_index(&self, path: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.path.eq_ignore_ascii_case(path))
    }
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Entries smaller than this are never ratio-checked: tiny, highly repetitive parts
/// (an empty form, a run of spaces) legitimately compress far better than 200:1.
pub const RATIO_CHECK_MIN_BYTES: u64 = MIB;

/// Below this total a package's overall ratio is not checked either: a small package of
/// tiny parts may compress far better than 200:1, and this much memory is harmless. Above
/// it, the sum is checked, so thousands of small, highly compressed entries (each under
/// [`RATIO_CHECK_MIN_BYTES`]) cannot add up to a bomb. Real exports compress about 14:1.
pub const RATIO_CHECK_MIN_TOTAL_BYTES: u64 = 16 * MIB;

/// Resource limits applied while reading (design.md non-negotiable 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest single entry, uncompressed.
    pub max_entry_bytes: u64,
    /// Largest sum of all entries, uncompressed.
    pub max_total_bytes: u64,
    /// Largest uncompressed:compressed ratio, for entries of at least 1 MiB and for the
    /// whole package once it unpacks to at least 16 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    /// Generous for real packages (customizations.xml reaches hundreds of MB and compresses
    /// about 14:1 in the corpus), tight enough that a zip bomb is refused before it fills memory.
    fn default() -> Self {
        Limits {
            max_entry_bytes: 3 * GIB,
            max_total_bytes: 8 * GIB,
            max_ratio: 200,
        }
    }
}

impl Limits {
    /// [`Limits::default`] with `SOLTREE_MAX_ENTRY_BYTES`, `SOLTREE_MAX_TOTAL_BYTES` and
    /// `SOLTREE_MAX_RATIO` applied. A variable that is unset or not a plain unsigned integer
    /// leaves the default in place.
    pub fn from_env() -> Limits {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The parsing behind [`Limits::from_env`], over any lookup (tests avoid touching the
    /// process environment, which is shared between test threads).
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Limits {
        let get = |name: &str, default: u64| {
            lookup(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(default)
        };
        let d = Limits::default();
        Limits {
            max_entry_bytes: get("SOLTREE_MAX_ENTRY_BYTES", d.max_entry_bytes),
            max_total_bytes: get("SOLTREE_MAX_TOTAL_BYTES", d.max_total_bytes),
            max_ratio: get("SOLTREE_MAX_RATIO", d.max_ratio),
        }
    }
}

/// Everything that can go wrong reading or writing a package. Every variant names the file
/// (and the entry, where there is one) so the message is actionable on its own.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The OS error is part of the message and deliberately not a `source`: the CLI prints
    /// the whole chain, which would show it twice.
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },

    #[error("{}: not a solution package: {expected}", path.display())]
    NotAPackage { path: PathBuf, expected: String },

    #[error("{}: corrupt or truncated zip: {detail}", path.display())]
    Zip { path: PathBuf, detail: String },

    #[error("{}: unsafe entry name {entry:?}: {reason}", path.display())]
    UnsafeEntryName {
        path: PathBuf,
        entry: String,
        reason: &'static str,
    },

    #[error("{}: entry {entry:?} appears more than once", path.display())]
    DuplicateEntry { path: PathBuf, entry: String },

    #[error(
        "{}: entries {first:?} and {second:?} differ only in letter case; Dataverse and \
         Windows take them for one part, so a real package cannot hold both",
        path.display()
    )]
    CaseVariantEntries {
        path: PathBuf,
        first: String,
        second: String,
    },

    #[error(
        "{}: entry {entry:?} is larger than the limit ({size} > {limit} bytes; \
         raise SOLTREE_MAX_ENTRY_BYTES if it is genuine)",
        path.display()
    )]
    EntryTooLarge {
        path: PathBuf,
        entry: String,
        /// Declared or actually read size (at least `limit + 1` when the header lied).
        size: u64,
        limit: u64,
    },

    #[error(
        "{}: package unpacks to more than the limit of {limit} bytes (reached at entry {entry:?}; \
         raise SOLTREE_MAX_TOTAL_BYTES if it is genuine)",
        path.display()
    )]
    TotalTooLarge {
        path: PathBuf,
        entry: String,
        limit: u64,
    },

    #[error(
        "{}: entry {entry:?} looks like a zip bomb: {size} bytes from {compressed} compressed \
         (ratio above {limit}; raise SOLTREE_MAX_RATIO if it is genuine)",
        path.display()
    )]
    SuspiciousRatio {
        path: PathBuf,
        entry: String,
        size: u64,
        compressed: u64,
        limit: u64,
    },

    #[error(
        "{}: package looks like a zip bomb: its entries unpack to at least {size} bytes from \
         {compressed} compressed (ratio above {limit}; raise SOLTREE_MAX_RATIO if it is genuine)",
        path.display()
    )]
    SuspiciousTotalRatio {
        path: PathBuf,
        /// Declared, or actually read so far (a lower bound).
        size: u64,
        compressed: u64,
        limit: u64,
    },

    #[error("{entry}:{line}:{column}: invalid UTF-8")]
    InvalidUtf8 {
        entry: String,
        line: usize,
        column: usize,
    },

    #[error("{entry}:{line}:{column}: invalid UTF-16 (an unpaired surrogate or a stray byte)")]
    InvalidUtf16 {
        entry: String,
        line: usize,
        column: usize,
    },

    #[error("{entry}: UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a BOM")]
    Utf16WithoutBom { entry: String },

    #[error("{}: {reason}", path.display())]
    OutputExists { path: PathBuf, reason: &'static str },

    #[error("{}: symbolic link {reason}", path.display())]
    UnsafeSymlink { path: PathBuf, reason: &'static str },

    #[error(
        "{}: a {form} package must hold exactly one entry, this one holds {count}",
        path.display()
    )]
    WrongEntryCount {
        path: PathBuf,
        form: PackageForm,
        count: usize,
    },
}

impl InputError {
    pub(crate) fn io(path: impl Into<PathBuf>, error: io::Error) -> Self {
        InputError::Io {
            path: path.into(),
            error,
        }
    }
}

/// Which form `path` is, by content (zip magic bytes, a leading `<`) and layout, never by
/// extension. A file that is neither a zip nor XML is refused here, so that it is not
/// reported as malformed XML.
pub fn detect(path: &Path) -> Result<PackageForm, InputError> {
    locate(path).map(|(form, _)| form)
}

/// Like [`detect`], and also the package root: `path` itself, except for a SolutionPackager
/// folder found below `path`, where it is the folder holding `Other/`.
pub fn locate(path: &Path) -> Result<(PackageForm, PathBuf), InputError> {
    let meta = std::fs::metadata(path).map_err(|e| InputError::io(path, e))?;
    if meta.is_dir() {
        match folder::locate(path) {
            Ok(found) => Ok(found),
            Err(err) => match yaml::locate(path, None)? {
                Some(solution) => Ok((PackageForm::YamlFolder, solution)),
                None => Err(err),
            },
        }
    } else if meta.is_file() {
        let form = match file::sniff(path)? {
            file::Content::Zip => PackageForm::Zip,
            file::Content::Xml => PackageForm::XmlFile,
            file::Content::Neither(_) if yaml::is_yaml_name(&path.to_string_lossy()) => {
                PackageForm::YamlFile
            }
            file::Content::Neither(why) => {
                return Err(InputError::NotAPackage {
                    path: path.to_path_buf(),
                    expected: why.to_string(),
                });
            }
        };
        Ok((form, path.to_path_buf()))
    } else {
        Err(InputError::NotAPackage {
            path: path.to_path_buf(),
            expected:
                "a zip, a folder or an XML file (this is neither a regular file nor a folder)"
                    .to_string(),
        })
    }
}

/// Reads the package at `path`, whatever its form, within `limits`.
pub fn read(path: &Path, limits: &Limits) -> Result<Package, InputError> {
    let (form, root) = locate(path)?;
    let entries = match form {
        PackageForm::Zip => zip::read(&root, limits)?,
        PackageForm::ExtractedFolder | PackageForm::PackagerFolder => folder::read(&root, limits)?,
        PackageForm::XmlFile | PackageForm::YamlFile => vec![file::read(&root, limits)?],
        PackageForm::YamlFolder => yaml::read(&root, limits)?,
    };
    // A YAML layout's entries are relative to the layout root, not to the solution folder
    // that named the solution (which its `solutions/<name>/` entries still say).
    let source = match form {
        PackageForm::YamlFolder => yaml::layout_root(&root).to_path_buf(),
        _ => root,
    };
    Ok(Package {
        form,
        source,
        entries,
    })
}

/// The package path that names one solution of a YAML layout folder shared by several
/// (`--solution NAME`): the solution's own folder, `<root>/solutions/<name>`.
pub fn select_solution(path: &Path, solution: &str) -> Result<PathBuf, InputError> {
    match yaml::locate(path, Some(solution))? {
        Some(dir) => Ok(dir),
        None => Err(InputError::NotAPackage {
            path: path.to_path_buf(),
            expected: format!(
                "a YAML layout folder holding solutions/{solution}/solution.yml (--solution \
                 picks one solution of that layout)"
            ),
        }),
    }
}

/// Reads a lone file: a zip as [`read`] does, anything else (a cloud flow's JSON, a file
/// that is no longer XML) as a one-entry package of the file form, within `limits`: for
/// `check`, which reports what is wrong with a file instead of refusing it.
pub fn read_any_file(path: &Path, limits: &Limits) -> Result<Package, InputError> {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| InputError::io(path, e))?;
    if matches!(file::classify(&head[..n]), file::Content::Zip) {
        return read(path, limits);
    }
    let entry = file::read(path, limits)?;
    let form = if yaml::is_yaml_name(&entry.path) {
        PackageForm::YamlFile
    } else {
        PackageForm::XmlFile
    };
    Ok(Package {
        form,
        source: path.to_path_buf(),
        entries: vec![entry],
    })
}

/// Whether bytes are an XML file by their start, as a lone file is told from a zip: `<`
/// first after byte order marks and white space, or a UTF-16 byte order mark (a file with
/// no `<` at all is not).
pub fn looks_like_xml(data: &[u8]) -> bool {
    matches!(file::classify(data), file::Content::Xml) && memchr::memchr(b'<', data).is_some()
}

/// How standard input is named in messages and as the entry of a file read from it.
pub const STDIN_NAME: &str = "(standard input)";

/// Reads a package from standard input (`-` on the command line): a zip, or a single XML
/// file, told by its first bytes like a file. It is read whole, no more than the limits
/// allow (the total limit for a zip, the entry limit for a file).
pub fn read_stdin(limits: &Limits) -> Result<Package, InputError> {
    let label = PathBuf::from(STDIN_NAME);
    let cap = limits.max_total_bytes.max(limits.max_entry_bytes);
    let mut data = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), cap + 1),
        &mut data,
    )
    .map_err(|e| InputError::io(&label, e))?;
    read_bytes(data, &label, limits)
}

/// [`read_stdin`] of bytes already read; `label` names them in messages.
pub fn read_bytes(data: Vec<u8>, label: &Path, limits: &Limits) -> Result<Package, InputError> {
    let name = label.display().to_string();
    let (form, entries) = match file::classify(&data[..data.len().min(64)]) {
        file::Content::Zip => (PackageForm::Zip, zip::read_bytes(&data, label, limits)?),
        file::Content::Xml => {
            let size = data.len() as u64;
            if size > limits.max_entry_bytes {
                return Err(InputError::EntryTooLarge {
                    path: label.to_path_buf(),
                    entry: name,
                    size,
                    limit: limits.max_entry_bytes,
                });
            }
            (PackageForm::XmlFile, vec![Entry { path: name, data }])
        }
        file::Content::Neither(expected) => {
            return Err(InputError::NotAPackage {
                path: label.to_path_buf(),
                expected: expected.to_string(),
            });
        }
    };
    Ok(Package {
        form,
        source: label.to_path_buf(),
        entries,
    })
}

/// Every file below the folder `dir`, whatever its layout, as entries sorted by path (with
/// the same guards as [`read`]). For folder merges, whose three sides are often partial
/// trees (the files of a repository that a merge touched) rather than whole packages.
pub fn read_tree(dir: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    folder::read(dir, limits)
}

/// Writes one file atomically (a temporary file beside it, then a rename), keeping an
/// existing file's permissions and giving a new one the usual ones.
pub fn write_file(out: &Path, bytes: &[u8]) -> Result<(), InputError> {
    file::write_atomic(out, |w| std::io::Write::write_all(w, bytes))
}

/// [`write_file`] with the bytes written by `fill`, through a temporary file named
/// `.soltree-*{tmp_suffix}`, so that a stray one left by a killed process says which step
/// left it.
pub fn write_file_with(
    out: &Path,
    tmp_suffix: &str,
    fill: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> Result<(), InputError> {
    file::write_atomic_as(out, tmp_suffix, fill)
}

/// Writes `pkg` to `out` in `pkg.form`. Zip and single files replace `out` atomically;
/// folders are built beside `out` and renamed into place, and an existing non-empty `out`
/// folder is refused. On error nothing is left at `out`.
pub fn write(pkg: &Package, out: &Path) -> Result<(), InputError> {
    match pkg.form {
        PackageForm::Zip => zip::write(&pkg.entries, out),
        PackageForm::ExtractedFolder | PackageForm::PackagerFolder | PackageForm::YamlFolder => {
            folder::write(&pkg.entries, out)
        }
        PackageForm::XmlFile | PackageForm::YamlFile => match pkg.entries.as_slice() {
            [only] => file::write_atomic(out, |w| w.write_all(&only.data)),
            other => Err(InputError::WrongEntryCount {
                path: out.to_path_buf(),
                form: pkg.form,
                count: other.len(),
            }),
        },
    }
}

/// The entry paths of one package seen so far. A path may appear once, and two paths may
/// not differ only in ASCII letter case (whole paths compared): Dataverse and Windows file
/// systems take them for one part, so such a package comes from neither an export nor a
/// SolutionPackager folder, and every command would see each component twice.
pub(crate) struct UniqueNames {
    /// Lower-cased path to the path as first seen.
    seen: HashMap<String, String>,
}

impl UniqueNames {
    pub(crate) fn with_capacity(n: usize) -> Self {
        UniqueNames {
            seen: HashMap::with_capacity(n),
        }
    }

    /// Records `name`, an entry of the package at `package`; errors if it repeats one.
    pub(crate) fn insert(&mut self, package: &Path, name: &str) -> Result<(), InputError> {
        match self.seen.entry(name.to_ascii_lowercase()) {
            MapEntry::Vacant(v) => {
                v.insert(name.to_string());
                Ok(())
            }
            MapEntry::Occupied(o) if o.get() == name => Err(InputError::DuplicateEntry {
                path: package.to_path_buf(),
                entry: name.to_string(),
            }),
            MapEntry::Occupied(o) => Err(InputError::CaseVariantEntries {
                path: package.to_path_buf(),
                first: o.get().clone(),
                second: name.to_string(),
            }),
        }
    }
}

/// Why `path` (a `/`-separated entry path) is not safe to place below a root folder, if it is
/// not. Names are refused rather than repaired so that what we write is what we read.
pub(crate) fn unsafe_reason(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty name");
    }
    if path.contains('\0') {
        return Some("contains a NUL byte");
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Some("absolute path");
    }
    if path.contains('\\') {
        return Some("contains a backslash");
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Some("starts with a drive letter");
    }
    for comp in path.split('/') {
        match comp {
            "" => return Some("empty path component"),
            "." => return Some("'.' path component"),
            ".." => return Some("'..' path component"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the input layer's unit tests.

    use super::Entry;

    pub fn entry(path: &str, data: &[u8]) -> Entry {
        Entry {
            path: path.to_string(),
            data: data.to_vec(),
        }
    }

    /// The corpus root: `SOLTREE_CORPUS`, else `../shared/corpus` beside the crate.
    pub fn corpus() -> std::path::PathBuf {
        std::env::var_os("SOLTREE_CORPUS")
            .map(Into::into)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::entry;
    use super::*;
    use std::fs;

    fn pkg(form: PackageForm, entries: Vec<Entry>) -> Package {
        Package {
            form,
            source: PathBuf::new(),
            entries,
        }
    }

    #[test]
    fn entry_lookup_ignores_ascii_case() {
        let p = pkg(
            PackageForm::PackagerFolder,
            vec![entry("Other/Solution.xml", b"a"), entry("b.js", b"b")],
        );
        assert_eq!(p.entry_index("other/solution.XML"), Some(0));
        assert_eq!(p.entry("B.JS").map(|e| e.data.as_slice()), Some(&b"b"[..]));
        assert!(p.entry("Other/Solution").is_none());
    }

    #[test]
    fn limits_from_env_overrides_and_ignores_garbage() {
        let l = Limits::from_lookup(|k| match k {
            "SOLTREE_MAX_ENTRY_BYTES" => Some("1024".into()),
            "SOLTREE_MAX_RATIO" => Some("not a number".into()),
            _ => None,
        });
        assert_eq!(l.max_entry_bytes, 1024);
        assert_eq!(l.max_total_bytes, Limits::default().max_total_bytes);
        assert_eq!(l.max_ratio, 200);
        assert_eq!(Limits::default().max_entry_bytes, 3 * GIB);
        assert_eq!(Limits::default().max_total_bytes, 8 * GIB);
    }

    #[test]
    fn unsafe_names_are_named() {
        for bad in [
            "../evil.txt",
            "/abs.txt",
            "\\abs.txt",
            "a/../../b",
            "a/./b",
            "a//b",
            "C:/x",
            "c:x",
            "a\\b",
            "nul\0",
            "",
        ] {
            assert!(unsafe_reason(bad).is_some(), "{bad:?} should be unsafe");
        }
        for good in [
            "customizations.xml",
            "Other/Solution.xml",
            "[Content_Types].xml",
            "a..b/c",
        ] {
            assert_eq!(unsafe_reason(good), None, "{good:?} should be safe");
        }
    }

    #[test]
    fn form_names_match_serde() {
        for f in [
            PackageForm::Zip,
            PackageForm::ExtractedFolder,
            PackageForm::PackagerFolder,
            PackageForm::XmlFile,
        ] {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()));
        }
    }

    #[test]
    fn detect_each_form() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();

        let extracted = root.join("extracted");
        fs::create_dir(&extracted).unwrap();
        fs::write(extracted.join("Solution.xml"), "<s/>").unwrap();
        fs::write(extracted.join("customizations.XML"), "<c/>").unwrap();
        assert_eq!(detect(&extracted).unwrap(), PackageForm::ExtractedFolder);

        let packager = root.join("packager");
        fs::create_dir_all(packager.join("Other")).unwrap();
        fs::write(packager.join("Other/Solution.xml"), "<s/>").unwrap();
        assert_eq!(detect(&packager).unwrap(), PackageForm::PackagerFolder);

        let xml = root.join("customizations.zip"); // extension must not matter
        fs::write(&xml, "<ImportExportXml/>").unwrap();
        assert_eq!(detect(&xml).unwrap(), PackageForm::XmlFile);

        let zipped = root.join("solution.xml"); // nor here
        zip::write(&[entry("a.txt", b"a")], &zipped).unwrap();
        assert_eq!(detect(&zipped).unwrap(), PackageForm::Zip);

        let neither = root.join("neither");
        fs::create_dir(&neither).unwrap();
        fs::write(neither.join("solution.xml"), "<s/>").unwrap();
        let err = detect(&neither).unwrap_err();
        assert!(matches!(err, InputError::NotAPackage { .. }), "{err}");
        assert!(err.to_string().contains("Other/Solution.xml"), "{err}");

        let missing = detect(&root.join("missing")).unwrap_err();
        assert!(matches!(missing, InputError::Io { .. }), "{missing}");
    }

    #[test]
    fn files_that_are_neither_zip_nor_xml_say_so() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, says) in [
            ("x.zip", &b"x"[..], "neither a zip nor XML"),
            ("README.md", b"# soltree\n", "neither a zip nor XML"),
            ("empty.xml", b"", "the file is empty"),
        ] {
            let p = dir.path().join(name);
            fs::write(&p, bytes).unwrap();
            let err = read(&p, &Limits::default()).unwrap_err();
            assert!(matches!(err, InputError::NotAPackage { .. }), "{err}");
            let msg = err.to_string();
            assert!(msg.contains(name) && msg.contains(says), "{msg}");
        }
        // Cut short inside the zip signature: a truncated zip, not a strange XML file.
        let p = dir.path().join("cut.zip");
        fs::write(&p, b"PK\x03").unwrap();
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::Zip { .. }), "{err}");
        assert!(
            err.to_string().contains("corrupt or truncated zip"),
            "{err}"
        );
    }

    #[test]
    fn os_errors_are_told_once() {
        let err = read(Path::new("/nonexistent/soltree"), &Limits::default()).unwrap_err();
        let msg = err.to_string();
        assert_eq!(msg.matches("os error").count(), 1, "{msg}");
        assert!(msg.starts_with("/nonexistent/soltree: "), "{msg}");
        // Nothing below it to print a second time.
        assert!(std::error::Error::source(&err).is_none());
    }

    #[test]
    fn packager_root_found_one_level_down() {
        let dir = tempfile::tempdir().unwrap();
        let given = dir.path().join("Compliance.Solution");
        let root = given.join("Solution");
        fs::create_dir_all(root.join("Other")).unwrap();
        fs::write(root.join("Other/Solution.xml"), "<s/>").unwrap();
        fs::write(root.join("Other/Customizations.xml"), "<c/>").unwrap();
        fs::write(given.join("Compliance.Solution.cdsproj"), "<Project/>").unwrap();

        let p = read(&given, &Limits::default()).unwrap();
        assert_eq!(p.form, PackageForm::PackagerFolder);
        assert_eq!(p.source, root);
        let paths: Vec<_> = p.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["Other/Customizations.xml", "Other/Solution.xml"]);
    }

    #[test]
    fn xml_file_round_trip_and_entry_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("customizations.xml");
        let bytes = b"\xEF\xBB\xBF<ImportExportXml>\r\n</ImportExportXml>";
        fs::write(&path, bytes).unwrap();
        let p = read(&path, &Limits::default()).unwrap();
        assert_eq!(p.form, PackageForm::XmlFile);
        assert_eq!(p.entries, vec![entry("customizations.xml", bytes)]);

        let out = dir.path().join("out.xml");
        write(&p, &out).unwrap();
        assert_eq!(fs::read(&out).unwrap(), bytes);

        let two = pkg(PackageForm::XmlFile, vec![entry("a", b""), entry("b", b"")]);
        let err = write(&two, &dir.path().join("two.xml")).unwrap_err();
        assert!(
            matches!(err, InputError::WrongEntryCount { count: 2, .. }),
            "{err}"
        );
        assert!(!dir.path().join("two.xml").exists());
    }

    #[test]
    fn xml_file_over_entry_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xml");
        let mut xml = b"<a>".to_vec();
        xml.resize(100, b'x');
        fs::write(&path, xml).unwrap();
        let limits = Limits {
            max_entry_bytes: 99,
            ..Limits::default()
        };
        let err = read(&path, &limits).unwrap_err();
        assert!(
            matches!(err, InputError::EntryTooLarge { size: 100, .. }),
            "{err}"
        );
    }
}
