//! The diff driver: `soltree textconv FILE` prints a solution zip, folder or XML file as
//! canonical text for git's `diff.<driver>.textconv`, so `git diff`, `git log -p` and
//! `git show` show component-level changes of a zip instead of "Binary files differ".
//!
//! The output (the boundary: plain text written to any `Write`) is, per entry in path
//! order: a header line `entry <path>`, then the entry's content — XML entries in their
//! normalized form ([`normalize_document`]: sets sorted by key, so re-exports that only
//! reorder do not show), LF line endings, with a line `component <path>` before each
//! component's first line, followed by `  name: <display name>` where it has one; other
//! text parts as they are; binary parts as size and hash.
//! Header lines start at column 0 with a letter, so git's default hunk-header rule picks the
//! nearest component as the context of every hunk (`@@ … @@ component entity:account/…`).
//! Textconv must never fail a `git diff`: what cannot be read as a package is printed as it is.

use crate::input::{self, Entry, Limits, Package, PackageForm};
use crate::merge::package::CONTENT_TYPES;
use crate::model::{ComponentTree, is_xml_entry};
use crate::normalize::normalize_document;
use crate::xml::Document;
use std::io::{self, Write};
use std::path::Path;

/// Writes the canonical text of the package or file at `path`.
pub fn textconv(path: &Path, limits: &Limits, out: &mut dyn Write) -> io::Result<()> {
    let pkg = match input::read(path, limits) {
        Ok(pkg) => pkg,
        Err(_) => {
            // Not a package we can read (a corrupt zip, a folder of something else):
            // the raw bytes still diff better than nothing.
            let bytes = std::fs::read(path)?;
            return write_part(&bytes, out);
        }
    };
    let mut entries: Vec<&Entry> = pkg.entries.iter().collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let single = pkg.form == PackageForm::XmlFile;
    for e in entries {
        if !single {
            writeln!(out, "entry {}", e.path)?;
        }
        if e.path.eq_ignore_ascii_case(CONTENT_TYPES) {
            // One line in the zip: one declaration per line diffs better.
            let text = String::from_utf8_lossy(&e.data);
            let text = text.trim_start_matches('\u{feff}');
            for part in text.split("><") {
                writeln!(
                    out,
                    "<{}>",
                    part.trim_start_matches('<').trim_end_matches('>')
                )?;
            }
            continue;
        }
        if is_xml_entry(&e.path, pkg.form) && write_xml(&pkg, e, out)? {
            continue;
        }
        write_part(&e.data, out)?;
    }
    Ok(())
}

/// A non-XML part: text as it is (LF line ends), binary as size and hash.
fn write_part(data: &[u8], out: &mut dyn Write) -> io::Result<()> {
    // UTF-16 parts (some flow definitions) print as their characters, like UTF-8 ones.
    let Some(text) = crate::input::part_text(data) else {
        let hash = xxhash_rust::xxh3::xxh3_128(data);
        return writeln!(out, "  binary, {} bytes, xxh3 {hash:032x}", data.len());
    };
    for line in text.lines() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Prints an XML entry normalized and labelled by component; false when it does not parse
/// (it is then printed as plain text by the caller).
fn write_xml(pkg: &Package, e: &Entry, out: &mut dyn Write) -> io::Result<bool> {
    let Ok((text, stored)) = crate::input::decode_xml(&e.path, e.data.clone()) else {
        return Ok(false);
    };
    let Ok(doc) = Document::parse_stored(text, &e.path, stored) else {
        return Ok(false);
    };
    // Stored again as it was, so its declaration still tells the truth when it is modelled.
    let normalized = normalize_document(&doc);
    let normalized = match stored {
        crate::input::TextEncoding::Utf8 { .. } => normalized,
        utf16 => crate::input::encode_xml(&String::from_utf8_lossy(&normalized), utf16),
    };
    drop(doc);
    let one = Package {
        form: pkg.form,
        source: pkg.source.clone(),
        entries: vec![Entry {
            path: e.path.clone(),
            data: normalized,
        }],
    };
    let Ok(tree) = ComponentTree::build(one) else {
        return Ok(false);
    };
    let Some(doc) = tree.entries[0].document() else {
        return Ok(false);
    };
    // Component headers by the (0-based) line they go before. Lines are counted in one pass
    // over the text in offset order: asking for each component's line from the start would
    // be quadratic on a customizations.xml of hundreds of MB.
    let mut starts: Vec<(usize, usize)> = tree
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (doc.span(c.node).start, i))
        .collect();
    starts.sort_unstable();
    let bytes = doc.text().as_bytes();
    let (mut line, mut pos) = (0usize, 0usize);
    let mut headers: Vec<(usize, String)> = Vec::with_capacity(starts.len());
    for (start, i) in starts {
        line += memchr::memchr_iter(b'\n', &bytes[pos..start]).count();
        pos = start;
        let c = &tree.components[i];
        // The header is the path alone, so a renamed component keeps its header and the
        // rename shows as a changed name line; the name line is indented, so git never
        // takes it for a hunk header.
        let label = if c.display.is_empty() || c.display.eq_ignore_ascii_case(&c.key) {
            format!("component {}", c.path)
        } else {
            format!("component {}\n  name: {}", c.path, c.display)
        };
        headers.push((line, label));
    }
    let mut next = headers.iter().peekable();
    let text = doc.text().trim_start_matches('\u{feff}');
    for (i, line) in text.lines().enumerate() {
        while let Some((_, label)) = next.next_if(|(l, _)| *l <= i) {
            writeln!(out, "{label}")?;
        }
        writeln!(out, "{line}")?;
    }
    for (_, label) in next {
        writeln!(out, "{label}")?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(path: &Path) -> String {
        let mut out = Vec::new();
        textconv(path, &Limits::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn utf16_parts_print_as_text() {
        let data = crate::input::encode_text(
            "{\r\n  \"a\": \"é\"\r\n}",
            crate::input::TextEncoding::Utf16 {
                little_endian: true,
            },
        );
        let mut out = Vec::new();
        write_part(&data, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"a\": \"é\"\n}\n");
    }

    #[test]
    fn xml_is_normalized_and_labelled() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("solution.xml");
        std::fs::write(
            &p,
            "\u{feff}<ImportExportXml>\r\n  <SolutionManifest>\r\n    <UniqueName>Contoso</UniqueName>\r\n    <RootComponents>\r\n      <RootComponent type=\"61\" schemaName=\"new_b\" />\r\n      <RootComponent type=\"1\" schemaName=\"account\" />\r\n    </RootComponents>\r\n  </SolutionManifest>\r\n</ImportExportXml>",
        )
        .unwrap();
        let text = conv(&p);
        assert!(!text.contains('\r'), "{text}");
        assert!(text.starts_with("<ImportExportXml>\n"), "{text}");
        let account = text.find("schemaName=\"account\"").unwrap();
        let b = text.find("schemaName=\"new_b\"").unwrap();
        assert!(account < b, "root components sorted: {text}");
        assert!(
            text.contains("component solution:contoso\n"),
            "component header: {text}"
        );
    }

    #[test]
    fn a_renamed_component_keeps_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("customizations.xml");
        let xml = |name: &str| {
            format!(
                "<ImportExportXml><optionsets><optionset Name=\"new_priority\" localizedName=\"{name}\" /></optionsets></ImportExportXml>"
            )
        };
        std::fs::write(&p, xml("Priority")).unwrap();
        let before = conv(&p);
        std::fs::write(&p, xml("Urgency")).unwrap();
        let after = conv(&p);
        let header = "component optionset:new_priority\n";
        assert!(
            before.contains(header) && after.contains(header),
            "{before}"
        );
        assert!(before.contains("\n  name: Priority\n"), "{before}");
        assert!(after.contains("\n  name: Urgency\n"), "{after}");
    }

    #[test]
    fn unreadable_input_is_printed_raw() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.xml");
        std::fs::write(&p, "<a>\n<<<<<<< ours\n").unwrap();
        assert_eq!(conv(&p), "<a>\n<<<<<<< ours\n");
        let z = dir.path().join("bad.zip");
        std::fs::write(&z, b"PK\x03\x04truncated").unwrap();
        assert!(conv(&z).contains("truncated"));
        std::fs::write(&z, b"PK\x03\x04\x00\xFF").unwrap();
        assert!(conv(&z).contains("binary, 6 bytes"), "{}", conv(&z));
    }
}
