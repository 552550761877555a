//! Single files: telling a zip from an XML file from anything else by the first bytes,
//! reading one file within the limits, and replacing a file atomically (temp file in the same
//! folder, then rename) so that an interrupted write never leaves a half-written zip or XML
//! file. Boundary: a path in, an [`Entry`] or bytes out.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use super::{Entry, InputError, Limits};

/// Local file header signature, and the end-of-central-directory signature that starts an
/// empty archive (so an empty zip is reported as an empty zip, not as a malformed XML file).
const ZIP_MAGICS: [&[u8; 4]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];

/// How many leading bytes [`sniff`] looks at.
const SNIFF_BYTES: u64 = 512;

/// What a single file holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    /// Starts with a zip signature, or is cut short inside one (then reading it says the
    /// zip is truncated, which is what it is).
    Zip,
    /// Starts with `<` after an optional byte order mark and white space, or is too
    /// blank to tell: the XML parser has the last word.
    Xml,
    /// Neither; the reason, for the message.
    Neither(&'static str),
}

/// Tells a zip from an XML file from anything else, by content only.
pub(super) fn sniff(path: &Path) -> Result<Content, InputError> {
    let mut f = File::open(path).map_err(|e| InputError::io(path, e))?;
    let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
    (&mut f)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| InputError::io(path, e))?;
    Ok(classify(&head))
}

/// [`sniff`] on the first bytes `head` of a file.
pub(super) fn classify(head: &[u8]) -> Content {
    let zip_prefix = head.len() >= 2 && ZIP_MAGICS.iter().any(|m| m.starts_with(head));
    if zip_prefix || ZIP_MAGICS.iter().any(|m| head.starts_with(&m[..])) {
        return Content::Zip;
    }
    if head.is_empty() {
        return Content::Neither("the file is empty");
    }
    // UTF-16 text (either byte order mark) is left to the parser, which names the encoding
    // problem precisely.
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Content::Xml;
    }
    // Any number of UTF-8 BOMs: a second one is the parser's to name.
    let mut text = head;
    while let Some(rest) = text.strip_prefix(b"\xEF\xBB\xBF") {
        text = rest;
    }
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') | None => Content::Xml,
        Some(_) => Content::Neither(
            "neither a zip nor XML (a zip starts with \"PK\", a solution XML file with \"<\")",
        ),
    }
}

/// Reads a lone file as a one-entry package, named by its file name.
pub(super) fn read(path: &Path, limits: &Limits) -> Result<Entry, InputError> {
    let name = match path.file_name().and_then(|n| n.to_str()) {
        Some(n) => n.to_string(),
        None => {
            return Err(InputError::UnsafeEntryName {
                path: path.to_path_buf(),
                entry: path.to_string_lossy().into_owned(),
                reason: "file name is missing or not UTF-8",
            });
        }
    };
    let data = read_limited(path, path, &name, limits, 0)?;
    Ok(Entry { path: name, data })
}

/// Reads `file` (entry `entry` of the package at `package`) when `total` bytes have already
/// been read, enforcing both the entry and the total limit. The read itself is capped, so a
/// file that grows after its size was checked cannot exceed the limits either.
pub(super) fn read_limited(
    file: &Path,
    package: &Path,
    entry: &str,
    limits: &Limits,
    total: u64,
) -> Result<Vec<u8>, InputError> {
    let mut f = File::open(file).map_err(|e| InputError::io(file, e))?;
    let declared = f.metadata().map_err(|e| InputError::io(file, e))?.len();
    let remaining = limits.max_total_bytes.saturating_sub(total);
    let too_big = |size: u64| {
        if size > limits.max_entry_bytes {
            InputError::EntryTooLarge {
                path: package.to_path_buf(),
                entry: entry.to_string(),
                size,
                limit: limits.max_entry_bytes,
            }
        } else {
            InputError::TotalTooLarge {
                path: package.to_path_buf(),
                entry: entry.to_string(),
                limit: limits.max_total_bytes,
            }
        }
    };
    let cap = limits.max_entry_bytes.min(remaining);
    if declared > cap {
        return Err(too_big(declared));
    }
    let mut data = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    (&mut f)
        .take(cap.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| InputError::io(file, e))?;
    let size = data.len() as u64;
    if size > cap {
        return Err(too_big(size));
    }
    Ok(data)
}

/// Replaces `out` with what `fill` writes, atomically: the bytes go to a temp file beside
/// `out` (same file system, so the rename is atomic), which is synced and renamed over `out`
/// only when `fill` succeeded. An existing file keeps its permissions.
pub(super) fn write_atomic(
    out: &Path,
    fill: impl FnOnce(&mut BufWriter<&mut File>) -> io::Result<()>,
) -> Result<(), InputError> {
    write_atomic_as(out, ".tmp", fill)
}

/// [`write_atomic`] with the temporary file named `.soltree-*{tmp_suffix}`.
pub(super) fn write_atomic_as(
    out: &Path,
    tmp_suffix: &str,
    fill: impl FnOnce(&mut BufWriter<&mut File>) -> io::Result<()>,
) -> Result<(), InputError> {
    let io_err = |e| InputError::io(out, e);
    let existing = match fs::metadata(out) {
        Ok(m) if m.is_dir() => {
            return Err(InputError::OutputExists {
                path: out.to_path_buf(),
                reason: "output is a folder; name a file to write to",
            });
        }
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".soltree-").suffix(tmp_suffix);
    // tempfile defaults to 0600; ask for what File::create would give (umask still applies).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(parent_dir(out)).map_err(io_err)?;
    if let Some(perms) = existing {
        fs::set_permissions(tmp.path(), perms).map_err(io_err)?;
    }
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w).map_err(io_err)?;
        w.flush().map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(out).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// The folder a new sibling of `path` goes in (`.` for a bare file name).
pub(super) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.xml");
        fs::write(&out, b"old").unwrap();
        let err = write_atomic(&out, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("out.xml"), "{err}");
        assert_eq!(fs::read(&out).unwrap(), b"old", "old file must survive");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temp file must be cleaned up");

        write_atomic(&out, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&out).unwrap(), b"new");
    }

    #[test]
    fn atomic_write_refuses_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), |w| w.write_all(b"x")).unwrap_err();
        assert!(matches!(err, InputError::OutputExists { .. }), "{err}");
    }

    #[test]
    fn sniffing_tells_zip_xml_and_neither() {
        use Content::*;
        let neither = |c| matches!(c, Neither(_));
        for (bytes, want) in [
            (&b"PK\x03\x04rest"[..], Zip),
            (b"PK\x05\x06", Zip),
            (b"PK", Zip),     // cut short inside the signature
            (b"PK\x03", Zip), // likewise
            (b"<?xml", Xml),
            (b"\xEF\xBB\xBF\r\n  <ImportExportXml/>", Xml),
            (b"\xEF\xBB\xBF\xEF\xBB\xBF<a/>", Xml), // the parser refuses the second BOM
            (b"\xFF\xFE<\x00", Xml),
            (b"   \n", Xml), // blank: the parser says there is no root element
        ] {
            assert_eq!(classify(bytes), want, "{bytes:?}");
        }
        for bytes in [
            &b""[..],
            b"x",
            b"P",
            b"PKG notes",
            b"# soltree\n",
            b"{\"a\": 1}",
        ] {
            assert!(neither(classify(bytes)), "{bytes:?}");
        }
        assert_eq!(classify(b""), Neither("the file is empty"));

        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, b"PK\x03\x04").unwrap();
        assert_eq!(sniff(&p).unwrap(), Zip);
    }
}
