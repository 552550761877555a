//! Builds a [`Document`] arena from quick-xml events: one node per element, CDATA section,
//! comment, processing instruction and doctype; text stays in the gaps between spans.
//! Well-formedness beyond what quick-xml checks (one root element, no text outside it,
//! only predefined or character references, no DTD entity declarations, bounded depth,
//! only the characters XML 1.0 allows, one byte order mark, a declared encoding that is the
//! one the entry is stored in) is enforced here so every later layer can rely on it.

use super::{Attr, Document, NONE, Node, NodeKind, XmlError};
use crate::input::TextEncoding;
use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::reader::Reader;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

/// Limits applied while parsing.
#[derive(Clone, Debug)]
pub struct ParseLimits {
    /// Deepest element nesting accepted (a guard against stack exhaustion in later layers).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits { max_depth: 1000 }
    }
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Order-sensitive combination of two hashes.
#[inline]
pub(super) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(23) ^ x).wrapping_mul(K)
}

#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Hash of a text value with CR removed, so CRLF and LF files hash alike.
pub(super) fn text_hash(s: &str) -> u64 {
    if memchr::memchr(b'\r', s.as_bytes()).is_none() {
        xxh3_64(s.as_bytes())
    } else {
        xxh3_64(s.replace('\r', "").as_bytes())
    }
}

struct Frame {
    node: u32,
    last_child: u32,
    hash: u64,
    /// Whether non-whitespace text (or a reference) appeared directly inside.
    mixed: bool,
}

struct Builder<'t> {
    entry: &'t str,
    text: &'t str,
    nodes: Vec<Node>,
    attrs: Vec<Attr>,
    names: Vec<Box<str>>,
    /// xxh3 of each interned name, so names are hashed once, not once per occurrence.
    name_hashes: Vec<u64>,
    name_ids: FxHashMap<Box<str>, u32>,
    stack: Vec<Frame>,
    root_seen: bool,
    /// How the entry's bytes were stored, for checking its declaration.
    stored: TextEncoding,
}

pub(super) fn parse(
    text: String,
    entry: &str,
    limits: &ParseLimits,
    stored: TextEncoding,
) -> Result<Document, (XmlError, String)> {
    let built = build(&text, entry, limits, stored);
    assemble(text, built)
}

/// [`parse`], running `beside` over the same text on another thread meanwhile (the parse
/// is one thread's work: a read-only pass over the text costs no time beside it).
pub(super) fn parse_beside<R: Send>(
    text: String,
    entry: &str,
    limits: &ParseLimits,
    stored: TextEncoding,
    beside: impl FnOnce(&str) -> R + Send,
) -> (Result<Document, (XmlError, String)>, R) {
    let (built, side) = rayon::join(|| build(&text, entry, limits, stored), || beside(&text));
    (assemble(text, built), side)
}

/// The parts of a document: its nodes, attributes and names.
type Built = (Vec<Node>, Vec<Attr>, Vec<Box<str>>);

fn build(
    text: &str,
    entry: &str,
    limits: &ParseLimits,
    stored: TextEncoding,
) -> Result<Built, XmlError> {
    if text.len() >= NONE as usize {
        return Err(XmlError::at(
            entry,
            "",
            0,
            format!("entry is {} bytes; the limit is 4 GiB", text.len()),
        ));
    }
    let mut b = Builder {
        entry,
        text,
        nodes: Vec::with_capacity(markup_count(text) + 1),
        attrs: Vec::with_capacity(text.len() / 120 + 16),
        names: Vec::new(),
        name_hashes: Vec::new(),
        name_ids: FxHashMap::default(),
        stack: Vec::with_capacity(64),
        root_seen: false,
        stored,
    };
    b.run(limits)?;
    Ok((b.nodes, b.attrs, b.names))
}

fn assemble(text: String, built: Result<Built, XmlError>) -> Result<Document, (XmlError, String)> {
    match built {
        Ok((nodes, attrs, names)) => Ok(Document {
            text,
            nodes,
            attrs,
            names,
            source_positions: None,
        }),
        Err(err) => Err((err, text)),
    }
}

impl<'t> Builder<'t> {
    fn err(&self, offset: usize, message: String) -> XmlError {
        XmlError::at(self.entry, self.text, offset, message)
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.name_hashes.push(xxh3_64(name.as_bytes()));
        self.name_ids.insert(name.into(), id);
        id
    }

    /// [`Builder::intern`] of an element or attribute name, checked the first time it is
    /// seen (names repeat, so the check costs nothing on a real file): quick-xml takes any
    /// run of characters up to a space or `>` for a name.
    fn intern_name(&mut self, name: &str, at: usize) -> Result<u32, XmlError> {
        if let Some(&id) = self.name_ids.get(name) {
            return Ok(id);
        }
        if !is_xml_name(name) {
            return Err(self.err(at, format!("{name:?} is not an XML name")));
        }
        Ok(self.intern(name))
    }

    fn offset_of(&self, s: &str) -> Option<usize> {
        let base = self.text.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        (p >= base && p + s.len() <= base + self.text.len()).then(|| p - base)
    }

    fn push_node(&mut self, kind: NodeKind, start: usize, end: usize) -> u32 {
        let id = self.nodes.len() as u32;
        let parent = self.stack.last().map_or(NONE, |f| f.node);
        self.nodes.push(Node {
            hash: 0,
            start: start as u32,
            end: end as u32,
            stag_end: end as u32,
            etag_start: end as u32,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            first_attr: 0,
            name: 0,
            n_attrs: 0,
            kind,
        });
        if let Some(frame) = self.stack.last_mut() {
            if frame.last_child == NONE {
                self.nodes[frame.node as usize].first_child = id;
            } else {
                self.nodes[frame.last_child as usize].next_sibling = id;
            }
            frame.last_child = id;
        }
        id
    }

    fn run(&mut self, limits: &ParseLimits) -> Result<(), XmlError> {
        let text = self.text;
        let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
        // quick-xml skips a BOM of its own: a second one would pass unseen.
        if base > 0 && text[base..].starts_with('\u{feff}') {
            return Err(self.err(base, "a second byte-order mark".into()));
        }
        if let Some((at, c)) = forbidden_char(text) {
            return Err(self.err(
                at,
                format!(
                    "character U+{:04X} is not allowed in XML (XML 1.0 allows tab, line feed, carriage return and printable characters)",
                    u32::from(c)
                ),
            ));
        }
        // The document node spans everything, so the BOM is simply its first gap.
        self.push_node(NodeKind::Document, 0, text.len());
        self.nodes[0].stag_end = 0;
        self.stack.push(Frame {
            node: 0,
            last_child: NONE,
            hash: 0,
            mixed: false,
        });
        let mut reader = Reader::from_str(&text[base..]);
        loop {
            let before = base + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = base + reader.error_position() as usize;
                    return Err(self.err(at, format!("malformed XML: {e}")));
                }
            };
            let after = base + reader.buffer_position() as usize;
            match event {
                Event::Start(e) => {
                    self.start_element(&e, before, after, false, limits)?;
                }
                Event::Empty(e) => {
                    self.start_element(&e, before, after, true, limits)?;
                }
                Event::End(_) => self.end_element(before, after),
                Event::Text(t) => {
                    let s: &str = &t;
                    if !s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                        if self.stack.len() == 1 {
                            return Err(self.err(before, "text outside the root element".into()));
                        }
                        self.stack.last_mut().expect("frame").mixed = true;
                    }
                }
                Event::GeneralRef(r) => {
                    let name: &str = &r;
                    let known = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => true,
                            _ => {
                                return Err(self
                                    .err(before, format!("invalid character reference &{name};")));
                            }
                        }
                    } else {
                        quick_xml::escape::resolve_predefined_entity(name).is_some()
                    };
                    if !known {
                        return Err(self.err(
                            before,
                            format!(
                                "undefined entity &{name}; (only the five predefined entities and character references are accepted)"
                            ),
                        ));
                    }
                    if self.stack.len() == 1 {
                        return Err(self.err(before, "reference outside the root element".into()));
                    }
                    self.stack.last_mut().expect("frame").mixed = true;
                }
                Event::CData(c) => {
                    if self.stack.len() == 1 {
                        return Err(self.err(before, "CDATA outside the root element".into()));
                    }
                    let id = self.push_node(NodeKind::CData, before, after);
                    let h = text_hash(&c);
                    self.nodes[id as usize].hash = h;
                    let frame = self.stack.last_mut().expect("frame");
                    frame.hash = mix(frame.hash, h);
                    frame.mixed = true;
                }
                Event::Comment(_) => {
                    self.push_node(NodeKind::Comment, before, after);
                }
                Event::Decl(d) => {
                    if before != base {
                        return Err(self.err(
                            before,
                            "an XML declaration that is not at the very start of the file".into(),
                        ));
                    }
                    self.check_declared_encoding(&d, before)?;
                    self.push_node(NodeKind::Pi, before, after);
                }
                Event::PI(_) => {
                    self.push_node(NodeKind::Pi, before, after);
                }
                Event::DocType(d) => {
                    let s: &str = &d;
                    if s.contains("<!ENTITY") {
                        return Err(self.err(
                            before,
                            "DTD entity declarations are refused (protection against entity-expansion bombs)"
                                .into(),
                        ));
                    }
                    self.push_node(NodeKind::DocType, before, after);
                }
                Event::Eof => break,
            }
        }
        if self.stack.len() > 1 {
            let open = self.stack.last().expect("frame").node as usize;
            let name = self.names[self.nodes[open].name as usize].to_string();
            let (l, c) = super::line_column(text, self.nodes[open].start as usize);
            return Err(self.err(
                text.len(),
                format!("unexpected end of input: <{name}> opened at {l}:{c} is not closed"),
            ));
        }
        if !self.root_seen {
            return Err(self.err(0, "no root element".into()));
        }
        let frame = self.stack.pop().expect("document frame");
        self.nodes[0].etag_start = text.len() as u32;
        self.nodes[0].hash = finish(frame.hash);
        Ok(())
    }

    /// References in an attribute value (quick-xml leaves them to the reader): only the five
    /// predefined entities and character references to characters XML allows.
    fn check_references(&self, raw: &str, at: usize) -> Result<(), XmlError> {
        let mut rest = raw;
        while let Some(i) = rest.find('&') {
            let offset = at + (raw.len() - rest.len()) + i;
            let after = &rest[i + 1..];
            let Some(end) = after.find(';') else {
                return Err(self.err(offset, "an `&` that starts no reference".into()));
            };
            let name = &after[..end];
            let ok = match name.strip_prefix('#') {
                Some(num) => {
                    let code = match num.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    code.and_then(char::from_u32).is_some_and(is_xml_char)
                }
                None => quick_xml::escape::resolve_predefined_entity(name).is_some(),
            };
            if !ok {
                return Err(self.err(
                    offset,
                    format!("invalid or undefined reference &{name}; in an attribute value"),
                ));
            }
            rest = &after[end + 1..];
        }
        Ok(())
    }

    /// The declaration's `encoding` must name the encoding the entry is stored in: a file
    /// re-saved as UTF-8 that still declares UTF-16 (or the reverse) is not readable by any
    /// XML parser. Encodings that agree with ASCII are accepted for an ASCII-only UTF-8 entry,
    /// whose bytes are the same in them.
    fn check_declared_encoding(&self, decl: &BytesDecl<'_>, at: usize) -> Result<(), XmlError> {
        let Some(Ok(declared)) = decl.encoding() else {
            return Ok(());
        };
        let name = declared.trim().to_ascii_lowercase();
        let utf16 = matches!(
            name.as_str(),
            "utf-16" | "utf-16le" | "utf-16be" | "utf16" | "ucs-2" | "unicode"
        );
        let utf8 = matches!(name.as_str(), "utf-8" | "utf8");
        let stored_utf16 = matches!(self.stored, TextEncoding::Utf16 { .. });
        let stored = if stored_utf16 { "UTF-16" } else { "UTF-8" };
        let agrees = if utf16 {
            stored_utf16
        } else if utf8 {
            !stored_utf16
        } else {
            !stored_utf16 && self.text.is_ascii()
        };
        if agrees {
            return Ok(());
        }
        let message = if utf16 || utf8 {
            format!("declares encoding=\"{declared}\" but is stored as {stored}")
        } else {
            format!(
                "declares encoding=\"{declared}\", which soltree does not read (it reads UTF-8 and UTF-16)"
            )
        };
        Err(self.err(at, message))
    }

    fn start_element(
        &mut self,
        e: &BytesStart<'_>,
        before: usize,
        after: usize,
        empty: bool,
        limits: &ParseLimits,
    ) -> Result<(), XmlError> {
        if self.stack.len() == 1 {
            if self.root_seen {
                return Err(self.err(before, "a second root element".into()));
            }
            self.root_seen = true;
        }
        if self.stack.len() > limits.max_depth {
            return Err(self.err(
                before,
                format!("elements nested deeper than {} levels", limits.max_depth),
            ));
        }
        let qname = e.name();
        let name: &str = qname.as_ref();
        let name_id = self.intern_name(name, before)?;
        let id = self.push_node(NodeKind::Element, before, after);
        let first_attr = self.attrs.len() as u32;
        let mut attr_hash = 0u64;
        let mut n_attrs = 0u32;
        // quick-xml's duplicate check is quadratic in strings; ours compares interned ids.
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| self.err(before, format!("malformed attribute: {err}")))?;
            let key: &str = a.key.as_ref();
            let key_id = self.intern_name(key, before)?;
            if self.attrs[first_attr as usize..]
                .iter()
                .any(|x| x.name == key_id)
            {
                return Err(self.err(before, format!("duplicate attribute {key}")));
            }
            let value: &str = &a.value;
            let (name_start, value_start) = match (self.offset_of(key), self.offset_of(value)) {
                (Some(k), Some(v)) => (k, v),
                // quick-xml borrows from the input; if it ever stops doing so, find the
                // value ourselves after the name.
                _ => self.locate_attr(before, after, key)?,
            };
            let value_end = value_start + value.len();
            let raw = &self.text[value_start..value_end];
            if raw.as_bytes().contains(&b'&') {
                self.check_references(raw, value_start)?;
            }
            let vh = if raw.as_bytes().contains(&b'&') {
                xxh3_64(super::unescape_lossy(raw).as_bytes())
            } else {
                xxh3_64(raw.as_bytes())
            };
            // Commutative sum: attribute order carries no meaning.
            attr_hash = attr_hash.wrapping_add(finish(mix(self.name_hashes[key_id as usize], vh)));
            self.attrs.push(Attr {
                name: key_id,
                name_start: name_start as u32,
                value_start: value_start as u32,
                value_end: value_end as u32,
            });
            n_attrs += 1;
        }
        if n_attrs > u16::MAX as u32 {
            return Err(self.err(before, "more than 65535 attributes on one element".into()));
        }
        let node = &mut self.nodes[id as usize];
        node.name = name_id;
        node.first_attr = first_attr;
        node.n_attrs = n_attrs as u16;
        let h = mix(mix(0x5EED, self.name_hashes[name_id as usize]), attr_hash);
        if empty {
            let h = finish(mix(h, xxh3_64(b"")));
            self.nodes[id as usize].hash = h;
            let parent = self.stack.last_mut().expect("frame");
            parent.hash = mix(parent.hash, h);
        } else {
            self.stack.push(Frame {
                node: id,
                last_child: NONE,
                hash: h,
                mixed: false,
            });
        }
        Ok(())
    }

    fn locate_attr(&self, start: usize, end: usize, key: &str) -> Result<(usize, usize), XmlError> {
        let tag = &self.text[start..end];
        let mut from = 0;
        while let Some(i) = tag[from..].find(key) {
            let k = from + i;
            let rest = tag[k + key.len()..].trim_start();
            if let Some(r) = rest.strip_prefix('=') {
                let r = r.trim_start();
                let q = tag.len() - r.len();
                if r.starts_with('"') || r.starts_with('\'') {
                    return Ok((start + k, start + q + 1));
                }
            }
            from = k + key.len();
        }
        Err(self.err(start, format!("cannot locate attribute {key}")))
    }

    fn end_element(&mut self, before: usize, after: usize) {
        let frame = self.stack.pop().expect("quick-xml checks end tags");
        let id = frame.node as usize;
        self.nodes[id].end = after as u32;
        self.nodes[id].etag_start = before as u32;
        // stag_end was set when the start tag was read.
        let stag_end = self.nodes[id].stag_end as usize;
        let mut h = frame.hash;
        if frame.last_child == NONE {
            // A leaf: its content is its value, whitespace included.
            let content = &self.text[stag_end..before];
            h = mix(h, text_hash(&super::unescape_lossy(content)));
        } else if frame.mixed {
            // Mixed content: hash the non-whitespace text between children.
            let mut pos = stag_end;
            let mut child = self.nodes[id].first_child;
            while child != NONE {
                let c = &self.nodes[child as usize];
                let gap = self.text[pos..c.start as usize].trim();
                if !gap.is_empty() {
                    h = mix(h, text_hash(&super::unescape_lossy(gap)));
                }
                pos = c.end as usize;
                child = c.next_sibling;
            }
            let gap = self.text[pos..before].trim();
            if !gap.is_empty() {
                h = mix(h, text_hash(&super::unescape_lossy(gap)));
            }
        }
        let h = finish(h);
        self.nodes[id].hash = h;
        let parent = self.stack.last_mut().expect("document frame");
        parent.hash = mix(parent.hash, h);
    }
}

/// Whether `name` is an XML name: a letter, `_` or `:` first, then letters, digits, `.`,
/// `-`, `_` and `:` (any character beyond ASCII is taken as a letter, as the spec's ranges
/// nearly all are).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| c.is_ascii_alphabetic() || c == '_' || c == ':' || !c.is_ascii();
    start(first) && chars.all(|c| start(c) || c.is_ascii_digit() || c == '.' || c == '-')
}

/// Whether XML 1.0 allows a character (its `Char` production; Rust chars are never
/// surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// The first character XML 1.0 does not allow (NUL and the other C0 controls but tab, LF
/// and CR; U+FFFE and U+FFFF), with its byte offset. Scans in blocks that the compiler
/// vectorizes, so a 100 MB file costs a few milliseconds.
fn forbidden_char(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    const BLOCK: usize = 64;
    let control = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    let mut found = None;
    for (i, block) in bytes.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |any, &b| any | control(b)) {
            let j = block.iter().position(|&b| control(b)).expect("seen above");
            found = Some(i * BLOCK + j);
            break;
        }
    }
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF; EF only ever starts a character.
    let limit = found.unwrap_or(bytes.len());
    let nonchar = memchr::memmem::find_iter(&bytes[..limit], &[0xEF, 0xBF])
        .find(|&i| matches!(bytes.get(i + 2), Some(0xBE | 0xBF)));
    let at = nonchar.or(found)?;
    Some((
        at,
        text[at..].chars().next().expect("a character starts here"),
    ))
}

/// Upper bound on the number of nodes: every `<` that does not open an end tag starts one.
/// Sizing the arena once avoids the 2× overshoot of a growing vector on 100 MB inputs.
fn markup_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'/'))
        .count()
}
