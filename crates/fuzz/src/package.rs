//! Package mutations: entries dropped, added, reordered, renamed (case variants of
//! `Customizations.xml`, names with backslashes or `../`), duplicated, or edited by a file
//! mutator; and zip-level damage (truncation, a corrupt byte, a lying size field, garbage
//! around the archive). Also a small zip writer (stored entries), because a fuzzer has to
//! write archives that a well-behaved zip library refuses to write: two entries with one
//! name, or names that escape the folder.

use crate::mutate::Mutator;
use crate::text::Format;
use fastrand::Rng;
use soltree::input::Entry;

/// An edit of a package's entry list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryOp {
    /// A file mutator on one entry (XML entries preferred).
    Edit,
    Drop,
    Add,
    Reorder,
    /// An entry renamed to a case variant of its name.
    CaseRename,
    /// A second entry with exactly the same name (zip only: a folder cannot hold it).
    Duplicate,
    /// A second entry whose name differs only in case (`Customizations.xml`).
    CaseDuplicate,
    /// An entry named with a backslash, `..`, an absolute path, a drive letter.
    UnsafeName,
}

impl EntryOp {
    /// An op by weight; `archive` allows the ones only a zip can hold.
    pub fn pick(rng: &mut Rng, archive: bool) -> EntryOp {
        let table: &[(EntryOp, u32)] = &[
            (EntryOp::Edit, 12),
            (EntryOp::Drop, 2),
            (EntryOp::Add, 2),
            (EntryOp::Reorder, 1),
            (EntryOp::CaseRename, 1),
            (EntryOp::Duplicate, if archive { 1 } else { 0 }),
            (EntryOp::CaseDuplicate, if archive { 2 } else { 0 }),
            (EntryOp::UnsafeName, if archive { 2 } else { 0 }),
        ];
        let total: u32 = table.iter().map(|r| r.1).sum();
        let mut at = rng.u32(..total);
        for &(op, w) in table {
            if at < w {
                return op;
            }
            at -= w;
        }
        EntryOp::Edit
    }

    /// The edited entry list and a description of what was done.
    pub fn apply(self, rng: &mut Rng, entries: &[Entry]) -> Option<(Vec<Entry>, String)> {
        let mut out = entries.to_vec();
        if out.is_empty() && self != EntryOp::Add {
            return None;
        }
        let any = |rng: &mut Rng| rng.usize(..entries.len());
        let desc = match self {
            EntryOp::Edit => {
                let xml: Vec<usize> = (0..entries.len())
                    .filter(|&i| entries[i].path.to_ascii_lowercase().ends_with(".xml"))
                    .collect();
                let i = if !xml.is_empty() && rng.u8(..8) != 0 {
                    xml[rng.usize(..xml.len())]
                } else {
                    any(rng)
                };
                let m = Mutator::pick(rng, Format::sniff(&entries[i].data));
                out[i].data = m.apply(rng, &entries[i].data)?;
                format!("{} on {}", m.name(), entries[i].path)
            }
            EntryOp::Drop => {
                let i = any(rng);
                out.remove(i);
                format!("entry-drop {}", entries[i].path)
            }
            EntryOp::Add => {
                let (path, data): (String, Vec<u8>) = match rng.u8(..4) {
                    0 => ("WebResources/new_/fuzz.js".into(), b"var x = 1;\n".to_vec()),
                    1 => ("fuzz.xml".into(), Vec::new()),
                    2 => (
                        "PluginAssemblies/Fuzz/Fuzz.dll".into(),
                        vec![0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00],
                    ),
                    _ if !entries.is_empty() => {
                        let src = &entries[any(rng)];
                        (format!("copy/{}", src.path), src.data.clone())
                    }
                    _ => ("fuzz.txt".into(), b"text\n".to_vec()),
                };
                // Two entries of one path exist in no package the input layer reads (a zip
                // that has them is refused; `Duplicate` makes those, in archives only).
                if out.iter().any(|e| e.path == path) {
                    return None;
                }
                let at = rng.usize(..=out.len());
                out.insert(
                    at,
                    Entry {
                        path: path.clone(),
                        data,
                    },
                );
                format!("entry-add {path}")
            }
            EntryOp::Reorder => {
                let (i, j) = (any(rng), any(rng));
                if i == j {
                    return None;
                }
                out.swap(i, j);
                format!("entry-reorder {} <-> {}", entries[i].path, entries[j].path)
            }
            EntryOp::CaseRename => {
                let i = any(rng);
                out[i].path = case_variant(&entries[i].path)?;
                format!("entry-case-rename {} -> {}", entries[i].path, out[i].path)
            }
            EntryOp::Duplicate => {
                let i = any(rng);
                let mut copy = entries[i].clone();
                if rng.bool() {
                    copy.data.extend_from_slice(b"\n");
                }
                out.insert(rng.usize(..=out.len()), copy);
                format!("entry-duplicate {}", entries[i].path)
            }
            EntryOp::CaseDuplicate => {
                let i = any(rng);
                let mut copy = entries[i].clone();
                copy.path = case_variant(&copy.path)?;
                if rng.bool() {
                    copy.data.extend_from_slice(b"\n");
                }
                let path = copy.path.clone();
                out.insert(rng.usize(..=out.len()), copy);
                format!("entry-case-duplicate {} + {path}", entries[i].path)
            }
            EntryOp::UnsafeName => {
                let i = any(rng);
                let base = entries[i].path.clone();
                let name = match rng.u8(..9) {
                    0 => format!("../{base}"),
                    1 => format!("a/../../{base}"),
                    2 => format!("/{base}"),
                    3 => format!("C:/{base}"),
                    4 => base.replace('/', "\\"),
                    5 => format!("x\\..\\..\\{base}"),
                    6 => format!("a//{base}"),
                    7 => format!("./{base}"),
                    _ => format!("{base}\0.txt"),
                };
                if rng.bool() {
                    out[i].path = name.clone();
                } else {
                    out.push(Entry {
                        path: name.clone(),
                        data: entries[i].data.clone(),
                    });
                }
                format!("entry-unsafe-name {name:?}")
            }
        };
        (out != entries).then_some((out, desc))
    }
}

/// The path with the case of its file name's first letter flipped
/// (`Other/Customizations.xml` ↔ `Other/customizations.xml`).
fn case_variant(path: &str) -> Option<String> {
    let start = path.rfind('/').map_or(0, |i| i + 1);
    let (i, c) = path[start..]
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic())?;
    let flipped = if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c.to_ascii_uppercase()
    };
    let at = start + i;
    Some(format!("{}{}{}", &path[..at], flipped, &path[at + 1..]))
}

/// Damage to a zip archive's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipOp {
    Truncate,
    CorruptByte,
    /// A central directory entry claims another size than it has.
    LieSize,
    AppendGarbage,
    PrependGarbage,
}

impl ZipOp {
    pub fn pick(rng: &mut Rng) -> ZipOp {
        [
            ZipOp::Truncate,
            ZipOp::CorruptByte,
            ZipOp::LieSize,
            ZipOp::LieSize,
            ZipOp::AppendGarbage,
            ZipOp::PrependGarbage,
        ][rng.usize(..6)]
    }

    pub fn apply(self, rng: &mut Rng, zip: &[u8]) -> Option<(Vec<u8>, String)> {
        if zip.is_empty() {
            return None;
        }
        let mut out = zip.to_vec();
        let desc = match self {
            ZipOp::Truncate => {
                let at = rng.usize(..out.len());
                out.truncate(at);
                format!("zip-truncate at {at} of {}", zip.len())
            }
            ZipOp::CorruptByte => {
                let at = rng.usize(..out.len());
                out[at] ^= 1 << rng.u8(..8);
                format!("zip-corrupt-byte at {at}")
            }
            ZipOp::LieSize => {
                let dirs: Vec<usize> = (0..out.len().saturating_sub(46))
                    .filter(|&i| out[i..i + 4] == CENTRAL_SIG)
                    .collect();
                let at = *dirs.get(rng.usize(..dirs.len().max(1)))?;
                // Offsets 20 and 24 of a central directory header: compressed, uncompressed size.
                let field = at + if rng.bool() { 24 } else { 20 };
                let value: u32 = [0xFFFF_FFFE, 0x7FFF_FFFF, 0, 1, 1 << 30][rng.usize(..5)];
                out[field..field + 4].copy_from_slice(&value.to_le_bytes());
                format!("zip-lie-size field {field} = {value}")
            }
            ZipOp::AppendGarbage => {
                out.extend((0..rng.usize(1..64)).map(|_| rng.u8(..)));
                "zip-append-garbage".into()
            }
            ZipOp::PrependGarbage => {
                let garbage: Vec<u8> = (0..rng.usize(1..64)).map(|_| rng.u8(..)).collect();
                out.splice(0..0, garbage);
                "zip-prepend-garbage".into()
            }
        };
        (out != zip).then_some((out, desc))
    }
}

const LOCAL_SIG: [u8; 4] = [0x50, 0x4B, 0x03, 0x04];
const CENTRAL_SIG: [u8; 4] = [0x50, 0x4B, 0x01, 0x02];
const END_SIG: [u8; 4] = [0x50, 0x4B, 0x05, 0x06];

/// A zip of `entries` as they are — any names, duplicates included — stored uncompressed,
/// names flagged UTF-8.
pub fn write_zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for e in entries {
        let crc = crc32fast::hash(&e.data);
        let size = e.data.len() as u32;
        let name = e.path.as_bytes();
        let offset = out.len() as u32;
        // Local header: version 2.0, UTF-8 names, stored, 1980-01-01.
        out.extend_from_slice(&LOCAL_SIG);
        put16(&mut out, 20);
        put16(&mut out, 0x0800);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, 0x21);
        put32(&mut out, crc);
        put32(&mut out, size);
        put32(&mut out, size);
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(&e.data);

        central.extend_from_slice(&CENTRAL_SIG);
        put16(&mut central, 20);
        put16(&mut central, 20);
        put16(&mut central, 0x0800);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0x21);
        put32(&mut central, crc);
        put32(&mut central, size);
        put32(&mut central, size);
        put16(&mut central, name.len() as u16);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, entries.len() as u16);
    put16(&mut out, entries.len() as u16);
    put32(&mut out, cd_size);
    put32(&mut out, cd_offset);
    put16(&mut out, 0);
    out
}

/// Why a name is unsafe to unpack below a folder, by the usual rules (our own reading, so
/// the oracle does not share soltree's).
pub fn unsafe_name(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty name");
    }
    if path.contains('\0') {
        return Some("NUL in name");
    }
    if path.starts_with('/') {
        return Some("absolute path");
    }
    if path.contains('\\') {
        return Some("backslash in name");
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Some("drive letter");
    }
    if path.split('/').any(|c| c == "..") {
        return Some("'..' component");
    }
    if path.split('/').any(|c| c.is_empty() || c == ".") {
        return Some("empty or '.' component");
    }
    None
}

/// The first pair of entry names that differ only in ASCII case (or not at all).
pub fn duplicate_names(entries: &[Entry]) -> Option<(String, String)> {
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for e in entries {
        if let Some(first) = seen.insert(e.path.to_ascii_lowercase(), &e.path) {
            return Some((first.to_string(), e.path.clone()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_variants_flip_the_file_name() {
        assert_eq!(
            case_variant("Other/Customizations.xml").unwrap(),
            "Other/customizations.xml"
        );
        assert_eq!(
            case_variant("[Content_Types].xml").unwrap(),
            "[content_Types].xml"
        );
    }

    #[test]
    fn unsafe_names() {
        assert!(unsafe_name("a/../b").is_some());
        assert!(unsafe_name("a\\b").is_some());
        assert!(unsafe_name("Other/Solution.xml").is_none());
    }
}
