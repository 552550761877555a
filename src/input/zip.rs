//! Exported solution zips: reading an archive into entries (archive order, directory entries
//! skipped) with zip-slip, duplicate (also by letter case) and zip-bomb guards, and writing
//! entries back as a deterministic archive shaped like a Dataverse export (Deflate,
//! 1980-01-01 timestamps, DOS host, no permissions, no comment). The only module that uses
//! the `zip` crate; its types never leave this file. Boundary: a zip path in, `Vec<Entry>`
//! out, and the reverse.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use ::zip::write::SimpleFileOptions;
use ::zip::{CompressionMethod, DateTime, System, ZipArchive, ZipWriter};

use super::file::write_atomic;
use super::{
    Entry, InputError, Limits, RATIO_CHECK_MIN_BYTES, RATIO_CHECK_MIN_TOTAL_BYTES, UniqueNames,
    unsafe_reason,
};

/// Never preallocate more than this from a declared size: the size is only a claim.
const MAX_PREALLOC: u64 = 64 * 1024 * 1024;

/// Reads every file entry of the zip at `path`, in archive (central directory) order.
///
/// Two passes. The first reads only the central directory: every name is checked, and every
/// declared size against the limits (each entry, the running total, the ratio of each entry
/// and of the whole package), so a bomb is refused before a byte is inflated. The second
/// inflates, counting again as it goes and never reading past a limit, because declared
/// sizes can lie.
pub(super) fn read(path: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    let file = File::open(path).map_err(|e| InputError::io(path, e))?;
    let archive_len = file.metadata().map_err(|e| InputError::io(path, e))?.len();
    // Unbuffered, the zip reader issues many tiny reads (zip2#266).
    read_from(BufReader::new(file), archive_len, path, limits)
}

/// [`read`] of an archive already in memory (standard input), named `path` in messages.
pub(super) fn read_bytes(
    data: &[u8],
    path: &Path,
    limits: &Limits,
) -> Result<Vec<Entry>, InputError> {
    read_from(io::Cursor::new(data), data.len() as u64, path, limits)
}

/// [`read`] over any archive reader of `archive_len` bytes.
fn read_from(
    reader: impl Read + io::Seek,
    archive_len: u64,
    path: &Path,
    limits: &Limits,
) -> Result<Vec<Entry>, InputError> {
    let zip_err = |detail: String| InputError::Zip {
        path: path.to_path_buf(),
        detail,
    };
    let mut za = ZipArchive::new(reader).map_err(|e| {
        zip_err(format!(
            "the central directory at its end is missing or damaged ({e})"
        ))
    })?;
    if za.has_duplicate_names() {
        // The archive keeps one of the duplicates by name, so we cannot tell which data is
        // meant: refuse rather than guess.
        return Err(zip_err(
            "the central directory lists the same entry name more than once".to_string(),
        ));
    }

    // What the archive can inflate from: the declared compressed sizes, but never more than
    // its own length (overlapping entries and overstated sizes would otherwise dilute the
    // ratio).
    let compressed = (0..za.len())
        .filter_map(|i| za.by_index_data(i).ok())
        .fold(0u64, |sum, f| sum.saturating_add(f.compressed_size()))
        .min(archive_len);

    let mut names = UniqueNames::with_capacity(za.len());
    let mut declared = Budget::new(path, limits, compressed);
    let mut files = Vec::with_capacity(za.len());
    for i in 0..za.len() {
        let f = za
            .by_index_data(i)
            .map_err(|e| zip_err(format!("entry #{i}: {e}")))?;
        let raw = f
            .name()
            .map_err(|e| zip_err(format!("entry #{i}: {e}")))?
            .into_owned();
        // Backslash is a separator in zips made on Windows; entry paths are '/'-separated.
        let name = raw.replace('\\', "/");
        if f.is_dir() || name.ends_with('/') {
            continue;
        }
        let unsafe_name = |reason| InputError::UnsafeEntryName {
            path: path.to_path_buf(),
            entry: raw.clone(),
            reason,
        };
        if let Some(reason) = unsafe_reason(&name) {
            return Err(unsafe_name(reason));
        }
        // Belt and braces: the zip crate's own check must agree too.
        if f.enclosed_name().is_none() {
            return Err(unsafe_name("refused by the zip reader's path check"));
        }
        names.insert(path, &name)?;
        declared.admit(&name, f.size(), f.compressed_size().min(archive_len))?;
        files.push((i, name));
    }
    // After the entries' own checks, which name the entry at fault.
    declared.check_package_ratio()?;

    let mut inflated = Budget::new(path, limits, compressed);
    let mut entries = Vec::with_capacity(files.len());
    for (i, name) in files {
        let mut f = za
            .by_index(i)
            .map_err(|e| zip_err(format!("entry {name:?}: {e}")))?;
        let entry_compressed = f.compressed_size().min(archive_len);
        let cap = inflated.cap(entry_compressed);
        let mut data = Vec::with_capacity(f.size().min(cap).min(MAX_PREALLOC) as usize);
        // One byte past the cap is enough to know a limit is broken.
        (&mut f)
            .take(cap.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| zip_err(format!("entry {name:?}: {e}")))?;
        inflated.admit(&name, data.len() as u64, entry_compressed)?;
        inflated.check_package_ratio()?;
        entries.push(Entry { path: name, data });
    }
    Ok(entries)
}

/// The limits as they apply to one archive, entry after entry: first to the sizes the
/// central directory declares, then to the bytes actually inflated.
struct Budget<'a> {
    path: &'a Path,
    limits: &'a Limits,
    /// Compressed size of the whole archive, for its overall ratio.
    compressed: u64,
    /// Uncompressed bytes admitted so far.
    total: u64,
}

impl<'a> Budget<'a> {
    fn new(path: &'a Path, limits: &'a Limits, compressed: u64) -> Self {
        Budget {
            path,
            limits,
            compressed,
            total: 0,
        }
    }

    /// The most bytes the next entry (`compressed` bytes in the archive) may inflate to
    /// without breaking a limit: [`Budget::admit`] and then [`Budget::check_package_ratio`]
    /// accept this many and refuse one more.
    fn cap(&self, compressed: u64) -> u64 {
        let l = self.limits;
        let entry_ratio = l
            .max_ratio
            .saturating_mul(compressed)
            .max(RATIO_CHECK_MIN_BYTES - 1);
        let total_ratio = l
            .max_ratio
            .saturating_mul(self.compressed)
            .max(RATIO_CHECK_MIN_TOTAL_BYTES - 1);
        let left = l
            .max_total_bytes
            .min(total_ratio)
            .saturating_sub(self.total);
        l.max_entry_bytes.min(entry_ratio).min(left)
    }

    /// Counts an entry of `size` uncompressed bytes from `compressed`, or errors naming the
    /// first limit it breaks (all but the whole package's ratio).
    fn admit(&mut self, entry: &str, size: u64, compressed: u64) -> Result<(), InputError> {
        let l = self.limits;
        let path = || self.path.to_path_buf();
        if size > l.max_entry_bytes {
            return Err(InputError::EntryTooLarge {
                path: path(),
                entry: entry.to_string(),
                size,
                limit: l.max_entry_bytes,
            });
        }
        if size >= RATIO_CHECK_MIN_BYTES && size > l.max_ratio.saturating_mul(compressed) {
            return Err(InputError::SuspiciousRatio {
                path: path(),
                entry: entry.to_string(),
                size,
                compressed,
                limit: l.max_ratio,
            });
        }
        let total = self.total.saturating_add(size);
        if total > l.max_total_bytes {
            return Err(InputError::TotalTooLarge {
                path: path(),
                entry: entry.to_string(),
                limit: l.max_total_bytes,
            });
        }
        self.total = total;
        Ok(())
    }

    /// Errors if what was admitted so far breaks the ratio for the whole package.
    fn check_package_ratio(&self) -> Result<(), InputError> {
        let (l, size) = (self.limits, self.total);
        if size >= RATIO_CHECK_MIN_TOTAL_BYTES && size > l.max_ratio.saturating_mul(self.compressed)
        {
            return Err(InputError::SuspiciousTotalRatio {
                path: self.path.to_path_buf(),
                size,
                compressed: self.compressed,
                limit: l.max_ratio,
            });
        }
        Ok(())
    }
}

/// Writes `entries` as a zip at `out`, in the given order, byte-for-byte reproducibly.
pub(super) fn write(entries: &[Entry], out: &Path) -> Result<(), InputError> {
    // Check every name first: never produce an archive that we would refuse to read.
    let mut names = UniqueNames::with_capacity(entries.len());
    for e in entries {
        if let Some(reason) = unsafe_reason(&e.path) {
            return Err(InputError::UnsafeEntryName {
                path: out.to_path_buf(),
                entry: e.path.clone(),
                reason,
            });
        }
        names.insert(out, &e.path)?;
    }
    // Fixed timestamp, DOS host and zero attributes: what Dataverse writes, and nothing that
    // depends on the clock, the platform or the umask.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .system(System::Dos)
        .external_attributes(0);
    write_atomic(out, |w| {
        let mut zw = ZipWriter::new(w);
        for e in entries {
            let large = e.data.len() as u64 >= u64::from(u32::MAX);
            zw.start_file(e.path.as_str(), options.large_file(large))
                .map_err(io::Error::other)?;
            zw.write_all(&e.data)?;
        }
        zw.finish().map_err(io::Error::other)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{corpus, entry};
    use super::super::{Package, PackageForm, read as read_package};
    use super::*;
    use std::fs;
    use std::io::Cursor;

    /// A zip built directly with the zip crate (any names, any method), as bytes.
    fn raw_zip(files: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
        let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(method);
        for (name, data) in files {
            zw.start_file(*name, opts).unwrap();
            zw.write_all(data).unwrap();
        }
        zw.finish().unwrap().into_inner()
    }

    fn write_tmp(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    /// Overwrites the 32-bit little-endian field at `offset` of every header with signature
    /// `sig` (local `PK\3\4` or central `PK\1\2`).
    fn patch_u32(bytes: &mut [u8], sig: &[u8; 4], offset: usize, value: u32) {
        let starts: Vec<usize> = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == sig)
            .map(|(i, _)| i)
            .collect();
        assert!(!starts.is_empty());
        for s in starts {
            bytes[s + offset..s + offset + 4].copy_from_slice(&value.to_le_bytes());
        }
    }

    /// Bytes that do not compress (xorshift), so ratios stay near 1.
    fn noise(n: usize) -> Vec<u8> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn sample() -> Vec<Entry> {
        vec![
            entry(
                "customizations.xml",
                b"<ImportExportXml>\r\n</ImportExportXml>",
            ),
            entry(
                "solution.xml",
                "<ImportExportXml>é</ImportExportXml>".as_bytes(),
            ),
            entry("WebResources/new_/x.js", &noise(5000)),
            entry("empty.txt", b""),
            entry("[Content_Types].xml", b"<Types/>"),
        ]
    }

    #[test]
    fn zip_round_trip_preserves_order_and_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = Package {
            form: PackageForm::Zip,
            source: dir.path().join("in.zip"),
            entries: sample(),
        };
        let a = dir.path().join("a.zip");
        let b = dir.path().join("b.zip");
        super::super::write(&pkg, &a).unwrap();
        super::super::write(&pkg, &b).unwrap();
        let back = read_package(&a, &Limits::default()).unwrap();
        assert_eq!(back.form, PackageForm::Zip);
        assert_eq!(back.source, a);
        assert_eq!(back.entries, pkg.entries);
        assert_eq!(
            fs::read(&a).unwrap(),
            fs::read(&b).unwrap(),
            "not deterministic"
        );

        // Read → write → read again is stable too.
        let c = dir.path().join("c.zip");
        super::super::write(&back, &c).unwrap();
        assert_eq!(fs::read(&a).unwrap(), fs::read(&c).unwrap());
        assert_eq!(read(&c, &Limits::default()).unwrap(), pkg.entries);
    }

    #[test]
    fn zip_written_like_a_dataverse_export() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.zip");
        write(&sample(), &out).unwrap();
        let mut za = ZipArchive::new(File::open(&out).unwrap()).unwrap();
        assert_eq!(za.comment(), b"");
        for i in 0..za.len() {
            let f = za.by_index(i).unwrap();
            assert_eq!(f.compression(), CompressionMethod::Deflated);
            assert_eq!(f.system(), System::Dos);
            assert_eq!(f.external_attributes(), 0);
            assert_eq!(f.unix_mode(), None);
            assert_eq!(f.last_modified(), Some(DateTime::default()));
        }
    }

    #[test]
    fn zip_directory_entries_skipped_and_backslashes_are_separators() {
        let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default();
        zw.add_directory("WebResources/", opts).unwrap();
        zw.start_file("WebResources\\a.js", opts).unwrap();
        zw.write_all(b"a").unwrap();
        zw.add_directory("Workflows\\", opts).unwrap();
        zw.start_file("Workflows\\Flow.json", opts).unwrap();
        zw.write_all(b"{}").unwrap();
        let bytes = zw.finish().unwrap().into_inner();
        let dir = tempfile::tempdir().unwrap();
        let p = write_tmp(dir.path(), "p.zip", &bytes);
        assert_eq!(
            read(&p, &Limits::default()).unwrap(),
            vec![
                entry("WebResources/a.js", b"a"),
                entry("Workflows/Flow.json", b"{}")
            ]
        );
    }

    #[test]
    fn zip_slip_names_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "../evil.txt",
            "/abs.txt",
            "a/../../b",
            "a/../b",
            "\\abs.txt",
            "C:/win.txt",
            "a/./b",
        ] {
            let bytes = raw_zip(
                &[("ok.xml", b"<a/>"), (bad, b"evil")],
                CompressionMethod::Deflated,
            );
            let p = write_tmp(dir.path(), "slip.zip", &bytes);
            match read(&p, &Limits::default()) {
                Err(InputError::UnsafeEntryName { entry, path, .. }) => {
                    assert_eq!(entry, bad);
                    assert_eq!(path, p);
                }
                other => panic!("{bad:?}: expected UnsafeEntryName, got {other:?}"),
            }
        }
    }

    #[test]
    fn zip_write_refuses_unsafe_and_duplicate_names() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.zip");
        let err = write(&[entry("../x", b"")], &out).unwrap_err();
        assert!(matches!(err, InputError::UnsafeEntryName { .. }), "{err}");
        let err = write(&[entry("a", b"1"), entry("a", b"2")], &out).unwrap_err();
        assert!(matches!(err, InputError::DuplicateEntry { .. }), "{err}");
        assert!(!out.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "no temp left");
    }

    #[test]
    fn zip_duplicate_names_rejected() {
        let dir = tempfile::tempdir().unwrap();
        // Same entry after separator normalisation.
        let bytes = raw_zip(
            &[("a/b.js", b"1"), ("a\\b.js", b"2")],
            CompressionMethod::Stored,
        );
        let p = write_tmp(dir.path(), "dup.zip", &bytes);
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::DuplicateEntry { ref entry, .. } if entry == "a/b.js"),
            "{err}"
        );

        // Byte-identical names in the central directory.
        let mut bytes = raw_zip(&[("x1", b"1"), ("x2", b"2")], CompressionMethod::Stored);
        let hits: Vec<usize> = (0..bytes.len() - 1)
            .filter(|&i| bytes[i..].starts_with(b"x2"))
            .collect();
        assert_eq!(hits.len(), 2, "local and central header");
        for i in hits {
            bytes[i + 1] = b'1';
        }
        let p = write_tmp(dir.path(), "dup2.zip", &bytes);
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::Zip { .. }), "{err}");
        assert!(err.to_string().contains("more than once"), "{err}");
    }

    #[test]
    fn zip_bomb_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 20 * 1024 * 1024];
        let bytes = raw_zip(
            &[("customizations.xml", &zeros)],
            CompressionMethod::Deflated,
        );
        assert!(bytes.len() < 40 * 1024, "deflate should give ratio ~1000");
        let p = write_tmp(dir.path(), "bomb.zip", &bytes);

        // Defaults: the ratio gives it away.
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::SuspiciousRatio { .. }), "{err}");
        assert!(err.to_string().contains("customizations.xml"), "{err}");

        // Small limits: refused on size, ratio or not.
        let small = Limits {
            max_entry_bytes: 1024 * 1024,
            max_total_bytes: 64 * 1024 * 1024,
            max_ratio: 2000,
        };
        let err = read(&p, &small).unwrap_err();
        assert!(matches!(err, InputError::EntryTooLarge { .. }), "{err}");
        let small_total = Limits {
            max_total_bytes: 10 * 1024 * 1024,
            max_ratio: 2000,
            ..Limits::default()
        };
        let err = read(&p, &small_total).unwrap_err();
        assert!(matches!(err, InputError::TotalTooLarge { .. }), "{err}");

        // With a generous ratio it is just a big, valid entry.
        let lax = Limits {
            max_ratio: 2000,
            ..Limits::default()
        };
        assert_eq!(read(&p, &lax).unwrap()[0].data.len(), zeros.len());
    }

    #[test]
    fn zip_small_entries_are_not_ratio_checked() {
        let dir = tempfile::tempdir().unwrap();
        let spaces = vec![b' '; 512 * 1024]; // ratio ~500, but under 1 MiB
        let bytes = raw_zip(&[("form.xml", &spaces)], CompressionMethod::Deflated);
        let p = write_tmp(dir.path(), "s.zip", &bytes);
        assert_eq!(read(&p, &Limits::default()).unwrap()[0].data, spaces);
    }

    #[test]
    fn zip_total_limit_across_entries() {
        let dir = tempfile::tempdir().unwrap();
        let a = noise(600);
        let bytes = raw_zip(&[("a", &a), ("b", &a)], CompressionMethod::Stored);
        let p = write_tmp(dir.path(), "t.zip", &bytes);
        let limits = Limits {
            max_total_bytes: 1000,
            ..Limits::default()
        };
        match read(&p, &limits) {
            Err(InputError::TotalTooLarge { entry, limit, .. }) => {
                assert_eq!((entry.as_str(), limit), ("b", 1000));
            }
            other => panic!("expected TotalTooLarge, got {other:?}"),
        }
    }

    #[test]
    fn zip_declared_size_over_limit_rejected_before_inflating() {
        let dir = tempfile::tempdir().unwrap();
        let data = noise(1000);
        let mut bytes = raw_zip(&[("big.bin", &data)], CompressionMethod::Stored);
        // Corrupt the stored data: inflating it would end in a CRC error, so getting
        // EntryTooLarge proves the size was checked first.
        let at = bytes.windows(100).position(|w| w == &data[..100]).unwrap();
        bytes[at + 10] ^= 0xFF;
        let p = write_tmp(dir.path(), "big.zip", &bytes);
        let limits = Limits {
            max_entry_bytes: 999,
            ..Limits::default()
        };
        match read(&p, &limits) {
            Err(InputError::EntryTooLarge { size, limit, .. }) => {
                assert_eq!((size, limit), (1000, 999));
            }
            other => panic!("expected EntryTooLarge, got {other:?}"),
        }
        // And with room for it, the corruption is reported as a zip error.
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::Zip { .. }), "{err}");
        assert!(err.to_string().contains("big.bin"), "{err}");
    }

    #[test]
    fn zip_lying_size_header_is_an_error() {
        // The zip crate refuses to inflate past the declared size; our capped read would
        // catch it otherwise (see zip_budget_cap_bounds_every_limit). Either way: an error
        // naming the entry, and the lie is never trusted.
        let dir = tempfile::tempdir().unwrap();
        let small = Limits {
            max_entry_bytes: 1 << 20,
            max_total_bytes: 2 << 20,
            max_ratio: 200,
        };
        for (name, data) in [
            ("liar.bin", noise(100 * 1024)),
            ("bomb.xml", vec![0u8; 4 << 20]),
            ("big.xml", vec![0u8; 64 << 20]),
        ] {
            let mut bytes = raw_zip(&[(name, &data)], CompressionMethod::Deflated);
            patch_u32(&mut bytes, b"PK\x03\x04", 22, 10);
            patch_u32(&mut bytes, b"PK\x01\x02", 24, 10);
            let p = write_tmp(dir.path(), "liar.zip", &bytes);
            for limits in [Limits::default(), small] {
                let err = read(&p, &limits).unwrap_err();
                assert!(
                    matches!(
                        err,
                        InputError::Zip { .. }
                            | InputError::EntryTooLarge { .. }
                            | InputError::SuspiciousRatio { .. }
                    ),
                    "{err}"
                );
                assert!(err.to_string().contains(name), "{err}");
            }
        }
    }

    /// A zip of `solution.xml` and `n` entries of `size` zero bytes, compressed once and
    /// copied: `deep` copies carry their own data (the campaign's bomb), shallow ones all
    /// point at the same stream (overlapping entries). Every CRC is made wrong, so inflating
    /// any entry fails: a limit error proves the limits were checked first.
    fn zero_bomb(n: usize, size: usize, deep: bool) -> Vec<u8> {
        let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zw.start_file("solution.xml", opts).unwrap();
        zw.write_all(b"<ImportExportXml/>").unwrap();
        zw.start_file("WebResources/z0.bin", opts).unwrap();
        zw.write_all(&vec![0u8; size]).unwrap();
        for i in 1..n {
            let name = format!("WebResources/z{i}.bin");
            if deep {
                zw.deep_copy_file("WebResources/z0.bin", &name).unwrap();
            } else {
                zw.shallow_copy_file("WebResources/z0.bin", &name).unwrap();
            }
        }
        let mut bytes = zw.finish().unwrap().into_inner();
        patch_u32(&mut bytes, b"PK\x03\x04", 14, 0xBAD0_C0DE);
        patch_u32(&mut bytes, b"PK\x01\x02", 16, 0xBAD0_C0DE);
        bytes
    }

    #[test]
    fn zip_bomb_of_many_small_entries_refused_before_inflating() {
        let dir = tempfile::tempdir().unwrap();
        // 40 MB from 40 kB: no entry reaches the 1 MiB of the per-entry ratio check, the sum
        // does (a scaled-down campaign bomb).
        let p = write_tmp(dir.path(), "b.zip", &zero_bomb(40, 1_000_000, true));
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::SuspiciousTotalRatio { limit: 200, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("SOLTREE_MAX_RATIO"), "{err}");

        // Lowered limits: each one is checked against the declared sizes.
        let lax = Limits {
            max_ratio: 2000,
            ..Limits::default()
        };
        let total = Limits {
            max_total_bytes: 10_000_000,
            ..lax
        };
        let err = read(&p, &total).unwrap_err();
        assert!(
            matches!(err, InputError::TotalTooLarge { ref entry, .. }
                if entry == "WebResources/z9.bin"),
            "{err}"
        );
        let each = Limits {
            max_entry_bytes: 999_999,
            ..lax
        };
        let err = read(&p, &each).unwrap_err();
        assert!(matches!(err, InputError::EntryTooLarge { .. }), "{err}");
        // Within every limit, inflating starts, and the broken CRC is what stops it.
        let err = read(&p, &lax).unwrap_err();
        assert!(matches!(err, InputError::Zip { .. }), "{err}");
    }

    #[test]
    fn zip_campaign_bombs_refused_by_default_limits_before_inflating() {
        let dir = tempfile::tempdir().unwrap();
        // 9,000 entries of 1,000,000 zero bytes (10 MB): 9 GB declared, over the total.
        let p = write_tmp(dir.path(), "b9000.zip", &zero_bomb(9000, 1_000_000, true));
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(matches!(err, InputError::TotalTooLarge { .. }), "{err}");
        assert!(err.to_string().contains("SOLTREE_MAX_TOTAL_BYTES"), "{err}");
        // Allowed that total, it is still 900:1 overall.
        let more = Limits {
            max_total_bytes: 16 << 30,
            ..Limits::default()
        };
        let err = read(&p, &more).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::SuspiciousTotalRatio {
                    size: 9_000_000_018,
                    ..
                }
            ),
            "{err}"
        );
        // 3,000 of them (3.4 MB): 3 GB, within the total, but 900:1 overall.
        let p = write_tmp(dir.path(), "b3000.zip", &zero_bomb(3000, 1_000_000, true));
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::SuspiciousTotalRatio { .. }),
            "{err}"
        );
    }

    #[test]
    fn zip_overlapping_or_overstated_entries_do_not_dilute_the_ratio() {
        let dir = tempfile::tempdir().unwrap();
        // Every entry points at the same compressed stream: the declared compressed sizes
        // add up to far more than the archive holds.
        let shared = zero_bomb(400, 1_000_000, false);
        assert!(shared.len() < 100_000, "{}", shared.len());
        let p = write_tmp(dir.path(), "overlap.zip", &shared);
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::SuspiciousTotalRatio { compressed, .. }
                if compressed == shared.len() as u64),
            "{err}"
        );

        // Compressed sizes overstated to look 1:1, in the central directory and local headers.
        let mut bytes = zero_bomb(40, 1_000_000, true);
        patch_u32(&mut bytes, b"PK\x03\x04", 18, 1_000_000);
        patch_u32(&mut bytes, b"PK\x01\x02", 20, 1_000_000);
        let p = write_tmp(dir.path(), "overstated.zip", &bytes);
        let err = read(&p, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, InputError::SuspiciousTotalRatio { .. }),
            "{err}"
        );
    }

    #[test]
    fn zip_small_package_of_tiny_repetitive_parts_is_accepted() {
        // 2,000 parts of 4 KiB of spaces: each compresses far better than 200:1, and so does
        // the whole, but 8 MiB in all is no bomb.
        let dir = tempfile::tempdir().unwrap();
        let mut zw = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zw.start_file("Forms/f0.xml", opts).unwrap();
        zw.write_all(&[b' '; 4096]).unwrap();
        for i in 1..2000 {
            zw.deep_copy_file("Forms/f0.xml", &format!("Forms/f{i}.xml"))
                .unwrap();
        }
        let bytes = zw.finish().unwrap().into_inner();
        let p = write_tmp(dir.path(), "tiny.zip", &bytes);
        let entries = read(&p, &Limits::default()).unwrap();
        assert_eq!(entries.len(), 2000);
        assert!(entries.iter().all(|e| e.data.len() == 4096));
    }

    #[test]
    fn zip_entries_differing_only_in_case_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for (a, b) in [
            ("customizations.xml", "Customizations.xml"),
            ("WebResources/a.js", "webresources/A.js"),
            ("Workflows/Flow.json", "workflows\\flow.json"),
        ] {
            let bytes = raw_zip(&[(a, b"1"), (b, b"2")], CompressionMethod::Deflated);
            let p = write_tmp(dir.path(), "case.zip", &bytes);
            let err = read(&p, &Limits::default()).unwrap_err();
            let b = b.replace('\\', "/");
            assert!(
                matches!(err, InputError::CaseVariantEntries { ref first, ref second, .. }
                    if first == a && *second == b),
                "{err}"
            );
            let msg = err.to_string();
            assert!(msg.contains(&format!("{a:?} and {b:?}")), "{msg}");
            assert!(msg.contains("letter case"), "{msg}");
        }
        // Never written either.
        let out = dir.path().join("out.zip");
        let err = write(&[entry("a.js", b"1"), entry("A.js", b"2")], &out).unwrap_err();
        assert!(
            matches!(err, InputError::CaseVariantEntries { .. }),
            "{err}"
        );
        assert!(!out.exists());
    }

    #[test]
    fn zip_budget_cap_bounds_every_limit() {
        const K: u64 = 1 << 10;
        const M: u64 = 1 << 20;
        let limits = Limits {
            max_entry_bytes: 10 * M,
            max_total_bytes: 40 * M,
            max_ratio: 100,
        };
        let budget = |total, archive| Budget {
            path: Path::new("p.zip"),
            limits: &limits,
            compressed: archive,
            total,
        };
        // As the inflating pass does.
        let admit = |mut b: Budget<'_>, size, compressed| {
            b.admit("e", size, compressed)?;
            b.check_package_ratio()
        };
        // (admitted so far, archive's compressed size, entry's compressed size, cap)
        for (total, archive, compressed, want) in [
            (0, M, M, 10 * M),                               // entry size
            (35 * M, M, M, 5 * M),                           // total
            (0, M, 100, M - 1),                              // entry ratio, with its floor
            (0, M, 20_000, 2_000_000),                       // entry ratio
            (19 * M, 200 * K, 100 * K, 20_480_000 - 19 * M), // package ratio
            (16 * M - 100, 10 * K, 10 * K, 99),              // package ratio's floor
        ] {
            let cap = budget(total, archive).cap(compressed);
            assert_eq!(cap, want, "{total} {archive} {compressed}");
            // Admitting cap() bytes must pass, one more must not.
            assert!(admit(budget(total, archive), cap, compressed).is_ok());
            assert!(admit(budget(total, archive), cap + 1, compressed).is_err());
        }
        let over = |total, archive, size, compressed| {
            admit(budget(total, archive), size, compressed).unwrap_err()
        };
        assert!(matches!(
            over(0, M, M, 100),
            InputError::SuspiciousRatio { .. }
        ));
        assert!(matches!(
            over(0, u64::MAX, 10 * M + 1, M),
            InputError::EntryTooLarge { .. }
        ));
        assert!(matches!(
            over(39 * M, u64::MAX, 2 * M, M),
            InputError::TotalTooLarge { .. }
        ));
        assert!(matches!(
            over(19 * M, 200 * K, M, 100 * K),
            InputError::SuspiciousTotalRatio { .. }
        ));
        // A small package is never judged by its overall ratio.
        assert!(admit(budget(15 * M, K), M - 1, K).is_ok());
    }

    #[test]
    fn zip_truncated_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = raw_zip(
            &[
                ("customizations.xml", &noise(3000)),
                ("solution.xml", b"<s/>"),
            ],
            CompressionMethod::Deflated,
        );
        let p = dir.path().join("cut.zip");
        fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        match read(&p, &Limits::default()) {
            Err(InputError::Zip { path, .. }) => assert_eq!(path, p),
            other => panic!("expected Zip error, got {other:?}"),
        }
        // Every other cut point too: always an error, never a panic.
        for len in (0..bytes.len()).step_by(37) {
            fs::write(&p, &bytes[..len]).unwrap();
            assert!(read(&p, &Limits::default()).is_err(), "cut at {len}");
        }
        // Damage in the middle: an error or (if only padding was hit) a result, never a panic.
        for at in (0..bytes.len()).step_by(97) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5A;
            fs::write(&p, &damaged).unwrap();
            let _ = read(&p, &Limits::default());
        }
    }

    #[test]
    #[ignore = "needs SOLTREE_CORPUS"]
    fn zip_reads_real_corpus_export() {
        let zip = corpus().join("zips/apollo/ApolloHospitalProject_1_0_0_4.zip");
        assert!(zip.is_file(), "corpus zip not found at {}", zip.display());
        let pkg = read_package(&zip, &Limits::default()).unwrap();
        assert_eq!(pkg.form, PackageForm::Zip);
        for name in ["customizations.xml", "solution.xml", "[Content_Types].xml"] {
            assert!(pkg.entry(name).is_some(), "{name} missing");
        }
        assert_eq!(
            pkg.entries.last().map(|e| e.path.as_str()),
            Some("[Content_Types].xml")
        );

        // And it round-trips through our writer entry for entry.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("copy.zip");
        super::super::write(&pkg, &out).unwrap();
        assert_eq!(read(&out, &Limits::default()).unwrap(), pkg.entries);
    }
}
