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
use super::{Entry, InputError, Limits, RATIO_CHECK_MIN_BYTES, UniqueNames, unsafe_reason};

/// Never preallocate more than this from a declared size: the size is only a claim.
const MAX_PREALLOC: u64 = 64 * 1024 * 1024;

/// Reads every file entry of the zip at `path`, in archive (central directory) order.
pub(super) fn read(path: &Path, limits: &Limits) -> Result<Vec<Entry>, InputError> {
    let zip_err = |detail: String| InputError::Zip {
        path: path.to_path_buf(),
        detail,
    };
    let file = File::open(path).map_err(|e| InputError::io(path, e))?;
    // Unbuffered, the zip reader issues many tiny reads (zip2#266).
    let mut za = ZipArchive::new(BufReader::new(file)).map_err(|e| {
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

    let mut names = UniqueNames::with_capacity(za.len());
    let mut entries = Vec::with_capacity(za.len());
    let mut total = 0u64;
    for i in 0..za.len() {
        let mut f = za
            .by_index(i)
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

        let guard = Guard {
            path,
            entry: &name,
            limits,
            remaining: limits.max_total_bytes.saturating_sub(total),
            compressed: f.compressed_size(),
        };
        // Check what the headers claim before inflating anything...
        guard.check(f.size())?;
        // ...then cap the read itself, because the headers may lie.
        let mut data = Vec::with_capacity(f.size().min(MAX_PREALLOC) as usize);
        (&mut f)
            .take(guard.cap().saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| zip_err(format!("entry {name:?}: {e}")))?;
        guard.check(data.len() as u64)?;

        total += data.len() as u64;
        entries.push(Entry { path: name, data });
    }
    Ok(entries)
}

/// The limits as they apply to one entry.
struct Guard<'a> {
    path: &'a Path,
    entry: &'a str,
    limits: &'a Limits,
    /// What is left of the total budget before this entry.
    remaining: u64,
    compressed: u64,
}

impl Guard<'_> {
    /// The most bytes this entry may inflate to without breaking a limit.
    fn cap(&self) -> u64 {
        let ratio_cap = self
            .limits
            .max_ratio
            .saturating_mul(self.compressed)
            .max(RATIO_CHECK_MIN_BYTES - 1);
        self.limits
            .max_entry_bytes
            .min(self.remaining)
            .min(ratio_cap)
    }

    /// Errors if an entry of `size` uncompressed bytes breaks a limit.
    fn check(&self, size: u64) -> Result<(), InputError> {
        let l = self.limits;
        if size > l.max_entry_bytes {
            return Err(InputError::EntryTooLarge {
                path: self.path.to_path_buf(),
                entry: self.entry.to_string(),
                size,
                limit: l.max_entry_bytes,
            });
        }
        if size > self.remaining {
            return Err(InputError::TotalTooLarge {
                path: self.path.to_path_buf(),
                entry: self.entry.to_string(),
                limit: l.max_total_bytes,
            });
        }
        if size >= RATIO_CHECK_MIN_BYTES && size > l.max_ratio.saturating_mul(self.compressed) {
            return Err(InputError::SuspiciousRatio {
                path: self.path.to_path_buf(),
                entry: self.entry.to_string(),
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
        // catch it otherwise (see zip_guard_cap_bounds_every_limit). Either way: an error
        // naming the entry, and the lie is never trusted.
        let dir = tempfile::tempdir().unwrap();
        for (name, data) in [
            ("liar.bin", noise(100 * 1024)),
            ("bomb.xml", vec![0u8; 4 << 20]),
        ] {
            let mut bytes = raw_zip(&[(name, &data)], CompressionMethod::Deflated);
            patch_u32(&mut bytes, b"PK\x03\x04", 22, 10);
            patch_u32(&mut bytes, b"PK\x01\x02", 24, 10);
            let p = write_tmp(dir.path(), "liar.zip", &bytes);
            let err = read(&p, &Limits::default()).unwrap_err();
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
    fn zip_guard_cap_bounds_every_limit() {
        let limits = Limits {
            max_entry_bytes: 10 << 20,
            max_total_bytes: 8 << 20,
            max_ratio: 100,
        };
        let guard = |remaining, compressed| Guard {
            path: Path::new("p.zip"),
            entry: "e",
            limits: &limits,
            remaining,
            compressed,
        };
        // Reading cap() + 1 bytes must always break a limit, and cap() bytes never.
        for (remaining, compressed) in [(8 << 20, 1 << 20), (1 << 20, 1 << 20), (8 << 20, 100)] {
            let g = guard(remaining, compressed);
            let cap = g.cap();
            assert!(g.check(cap).is_ok(), "cap {cap} itself must pass");
            assert!(g.check(cap + 1).is_err(), "cap {cap} + 1 must fail");
        }
        assert_eq!(guard(8 << 20, 1 << 20).cap(), 8 << 20); // total
        assert_eq!(guard(1 << 20, 1 << 20).cap(), 1 << 20); // remaining
        assert_eq!(guard(8 << 20, 100).cap(), (1 << 20) - 1); // ratio floor
        assert_eq!(guard(8 << 20, 20_000).cap(), 2_000_000); // ratio
        assert!(matches!(
            guard(8 << 20, 100).check(1 << 20),
            Err(InputError::SuspiciousRatio { .. })
        ));
        assert!(matches!(
            guard(u64::MAX, 1 << 30).check((10 << 20) + 1),
            Err(InputError::EntryTooLarge { .. })
        ));
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
    fn zip_reads_real_corpus_export() {
        let zip = corpus().join("zips/apollo/ApolloHospitalProject_1_0_0_4.zip");
        if !zip.is_file() {
            eprintln!("skipping: corpus zip not found at {}", zip.display());
            return;
        }
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
