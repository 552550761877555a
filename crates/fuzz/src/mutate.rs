//! Mutators over one file's bytes. Each takes a random stream and the bytes and returns a
//! changed copy, or `None` where it does not apply (an element mutator on a file that does
//! not parse). Byte mutators break anything; the structure-aware ones edit XML and JSON the
//! way people, tools and git do — elements deleted, duplicated and swapped, identity keys
//! duplicated, values and versions changed, conflict markers left in, files re-saved in
//! another encoding or newline style, `xsi:nil` toggled — and keep the file's own encoding,
//! so that a UTF-16 side can still be edited structurally.
//!
//! Every structure-aware mutator draws its site first, from a list that depends only on the
//! document: two mutators of the same [`Site`] run with the same seed on the same base pick
//! the same element, which is how a merge gets both sides editing one place.

use crate::text::{self, Encoding, Format, Newlines};
use fastrand::Rng;
use serde_json::Value;
use soltree::xml::{Document, NodeId};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutator {
    ByteFlip,
    ByteInsert,
    ByteDelete,
    Truncate,
    ChunkCopy,
    ElementDelete,
    ElementDuplicate,
    ElementSwap,
    KeyDuplicate,
    KeyCollide,
    AttrChange,
    AttrDelete,
    TextChange,
    VersionBump,
    GuidVariant,
    Markers,
    Encoding,
    Newlines,
    ControlChar,
    XsiNil,
    Whitespace,
    CommentCdata,
    EntityDecl,
    DeepNest,
    Rename,
    JsonEdit,
    JsonEmpty,
    JsonDupMember,
}

/// Where a mutator acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// Raw bytes anywhere.
    Bytes,
    /// The whole file, or a place found by scanning its text.
    Whole,
    /// Any element below the root.
    Element,
    /// An element without child elements.
    Leaf,
    /// An element with a sibling of the same name: a member of a list.
    Member,
    /// A JSON object or array.
    Json,
}

/// One row of the mutator table: name, site, weight for XML, JSON and other files.
struct Row(Mutator, &'static str, Site, [u32; 3]);

const TABLE: &[Row] = &[
    Row(Mutator::ByteFlip, "byte-flip", Site::Bytes, [1, 1, 3]),
    Row(Mutator::ByteInsert, "byte-insert", Site::Bytes, [1, 1, 3]),
    Row(Mutator::ByteDelete, "byte-delete", Site::Bytes, [1, 1, 3]),
    Row(Mutator::Truncate, "truncate", Site::Bytes, [1, 1, 2]),
    Row(Mutator::ChunkCopy, "chunk-copy", Site::Bytes, [1, 1, 2]),
    Row(
        Mutator::ElementDelete,
        "element-delete",
        Site::Element,
        [5, 0, 0],
    ),
    Row(
        Mutator::ElementDuplicate,
        "element-duplicate",
        Site::Element,
        [3, 0, 0],
    ),
    Row(
        Mutator::ElementSwap,
        "element-swap",
        Site::Member,
        [4, 0, 0],
    ),
    Row(
        Mutator::KeyDuplicate,
        "key-duplicate",
        Site::Member,
        [4, 0, 0],
    ),
    Row(Mutator::KeyCollide, "key-collide", Site::Member, [3, 0, 0]),
    Row(Mutator::AttrChange, "attr-change", Site::Element, [6, 0, 0]),
    Row(Mutator::AttrDelete, "attr-delete", Site::Element, [2, 0, 0]),
    Row(Mutator::TextChange, "text-change", Site::Leaf, [6, 0, 0]),
    Row(Mutator::VersionBump, "version-bump", Site::Whole, [3, 1, 1]),
    Row(Mutator::GuidVariant, "guid-variant", Site::Whole, [2, 1, 0]),
    Row(Mutator::Markers, "markers", Site::Whole, [2, 2, 2]),
    Row(Mutator::Encoding, "encoding", Site::Whole, [4, 4, 2]),
    Row(Mutator::Newlines, "newlines", Site::Whole, [3, 3, 2]),
    Row(Mutator::ControlChar, "control-char", Site::Leaf, [2, 0, 0]),
    Row(Mutator::XsiNil, "xsi-nil", Site::Leaf, [4, 0, 0]),
    Row(Mutator::Whitespace, "whitespace", Site::Whole, [2, 1, 1]),
    Row(
        Mutator::CommentCdata,
        "comment-cdata",
        Site::Element,
        [2, 0, 0],
    ),
    Row(Mutator::EntityDecl, "entity-decl", Site::Whole, [1, 0, 0]),
    Row(Mutator::DeepNest, "deep-nest", Site::Leaf, [1, 0, 0]),
    Row(Mutator::Rename, "rename", Site::Element, [2, 0, 0]),
    Row(Mutator::JsonEdit, "json-edit", Site::Json, [0, 8, 0]),
    Row(Mutator::JsonEmpty, "json-empty", Site::Json, [0, 3, 0]),
    Row(
        Mutator::JsonDupMember,
        "json-dup-member",
        Site::Whole,
        [0, 2, 0],
    ),
];

fn format_column(format: Format) -> usize {
    match format {
        Format::Xml => 0,
        Format::Json => 1,
        Format::Other => 2,
    }
}

impl Mutator {
    fn row(self) -> &'static Row {
        TABLE
            .iter()
            .find(|r| r.0 == self)
            .expect("every mutator has a row")
    }

    pub fn name(self) -> &'static str {
        self.row().1
    }

    pub fn site(self) -> Site {
        self.row().2
    }

    /// A mutator for a file of `format`, by weight.
    pub fn pick(rng: &mut Rng, format: Format) -> Mutator {
        Self::pick_where(rng, format, |_| true).expect("every format has byte mutators")
    }

    /// A mutator acting on the same kind of site as `self` (maybe `self` again).
    pub fn pick_paired(self, rng: &mut Rng, format: Format) -> Mutator {
        Self::pick_where(rng, format, |r| r.2 == self.site()).unwrap_or(self)
    }

    fn pick_where(rng: &mut Rng, format: Format, keep: impl Fn(&Row) -> bool) -> Option<Mutator> {
        let col = format_column(format);
        let total: u32 = TABLE.iter().filter(|r| keep(r)).map(|r| r.3[col]).sum();
        if total == 0 {
            return None;
        }
        let mut at = rng.u32(..total);
        for r in TABLE.iter().filter(|r| keep(r)) {
            if at < r.3[col] {
                return Some(r.0);
            }
            at -= r.3[col];
        }
        None
    }

    /// The mutated bytes, or `None` when the mutator does not apply or changes nothing.
    pub fn apply(self, rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
        use Mutator::*;
        let out = match self {
            ByteFlip => byte_flip(rng, data),
            ByteInsert => byte_insert(rng, data),
            ByteDelete => byte_delete(rng, data),
            Truncate => (!data.is_empty()).then(|| data[..rng.usize(..data.len())].to_vec()),
            ChunkCopy => chunk_copy(rng, data),
            ElementDelete => with_doc(data, |t, d| element_delete(rng, t, d)),
            ElementDuplicate => with_doc(data, |t, d| element_duplicate(rng, t, d)),
            ElementSwap => with_doc(data, |t, d| element_swap(rng, t, d)),
            KeyDuplicate => with_doc(data, |t, d| key_duplicate(rng, t, d)),
            KeyCollide => with_doc(data, |t, d| key_collide(rng, t, d)),
            AttrChange => with_doc(data, |t, d| attr_change(rng, t, d)),
            AttrDelete => with_doc(data, |t, d| attr_delete(rng, t, d)),
            TextChange => with_doc(data, |t, d| text_change(rng, t, d)),
            VersionBump => with_text(data, |t| version_bump(rng, t)),
            GuidVariant => with_text(data, |t| guid_variant(rng, t)),
            Markers => with_text(data, |t| markers(rng, t)),
            Encoding => encoding(rng, data),
            Newlines => with_text(data, |t| newlines(rng, t)),
            ControlChar => with_doc(data, |t, d| control_char(rng, t, d)),
            XsiNil => with_doc(data, |t, d| xsi_nil(rng, t, d)),
            Whitespace => with_text(data, |t| whitespace(rng, t)),
            CommentCdata => with_doc(data, |t, d| comment_cdata(rng, t, d)),
            EntityDecl => with_doc(data, |t, d| entity_decl(rng, t, d)),
            DeepNest => with_doc(data, |t, d| deep_nest(rng, t, d)),
            Rename => with_doc(data, |t, d| rename(rng, t, d)),
            JsonEdit => json_edit(rng, data, false),
            JsonEmpty => json_edit(rng, data, true),
            JsonDupMember => with_text(data, |t| json_dup_member(rng, t)),
        }?;
        (out != data).then_some(out)
    }
}

// ---------------------------------------------------------------------------------------
// Helpers

fn pick<T: Copy>(rng: &mut Rng, v: &[T]) -> Option<T> {
    (!v.is_empty()).then(|| v[rng.usize(..v.len())])
}

/// Decodes (any encoding [`text::decode`] knows), edits the text, encodes it back the same way.
fn with_text(data: &[u8], f: impl FnOnce(&str) -> Option<String>) -> Option<Vec<u8>> {
    let (text, enc) = text::decode(data)?;
    let out = f(&text)?;
    Some(text::encode(&out, enc))
}

/// [`with_text`] for edits that need the parsed document (its spans index the text).
fn with_doc(data: &[u8], f: impl FnOnce(&str, &Document) -> Option<String>) -> Option<Vec<u8>> {
    with_text(data, |t| {
        let doc = Document::parse(t.to_string(), "fuzz").ok()?;
        f(t, &doc)
    })
}

pub fn splice(t: &str, range: Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(t.len() + with.len());
    out.push_str(&t[..range.start]);
    out.push_str(with);
    out.push_str(&t[range.end..]);
    out
}

/// Every element below the root, in document order.
pub fn below_root(doc: &Document) -> Vec<NodeId> {
    let mut out = Vec::new();
    let Some(root) = doc.root() else {
        return out;
    };
    let mut stack: Vec<NodeId> = doc.elements(root).collect();
    stack.reverse();
    while let Some(e) = stack.pop() {
        out.push(e);
        let before = stack.len();
        stack.extend(doc.elements(e));
        stack[before..].reverse();
    }
    out
}

fn leaves(doc: &Document) -> Vec<NodeId> {
    below_root(doc)
        .into_iter()
        .filter(|&e| doc.elements(e).next().is_none())
        .collect()
}

/// Elements that share their name with a sibling: members of a list.
fn members(doc: &Document) -> Vec<NodeId> {
    below_root(doc)
        .into_iter()
        .filter(|&e| {
            doc.parent(e).is_some_and(|p| {
                doc.elements(p)
                    .any(|s| s != e && doc.name(s) == doc.name(e))
            })
        })
        .collect()
}

/// The line break and indentation before `start`, when the node there begins its line.
pub fn lead(t: &str, start: usize) -> &str {
    let before = &t[..start];
    let indent_start = before.trim_end_matches([' ', '\t']).len();
    if indent_start == 0 {
        return "";
    }
    let b = before.as_bytes();
    let nl_start = match b[indent_start - 1] {
        b'\n' if indent_start >= 2 && b[indent_start - 2] == b'\r' => indent_start - 2,
        b'\n' | b'\r' => indent_start - 1,
        _ => return "",
    };
    &t[nl_start..start]
}

/// A position on a character boundary inside `range`.
fn char_pos(rng: &mut Rng, t: &str, range: Range<usize>) -> usize {
    let mut spots: Vec<usize> = t[range.clone()]
        .char_indices()
        .map(|(i, _)| range.start + i)
        .collect();
    spots.push(range.end);
    spots[rng.usize(..spots.len())]
}

const INTERESTING: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "true",
    "false",
    "2147483648",
    "99999999999999999999999",
    "1.0.0.0",
    "{00000000-0000-0000-0000-000000000000}",
    "00000000-0000-0000-0000-000000000000",
    "é€𝄞",
    "&amp;",
    "&lt;x&gt;",
    "&#x20;",
    " ",
    "1033",
    "new_fuzz",
];

/// A new raw (escaped) value derived from `old`.
fn new_value(rng: &mut Rng, old: &str) -> String {
    match rng.u8(..7) {
        0 => String::new(),
        1 => format!("{old}x"),
        2 => old.to_uppercase(),
        3 => pick(rng, INTERESTING).unwrap_or("").to_string(),
        4 => {
            // One digit changed, like a renumbered key or a new version.
            let digits: Vec<usize> = old
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            match pick(rng, &digits) {
                Some(i) => {
                    let d = old.as_bytes()[i] - b'0';
                    splice(old, i..i + 1, &((d + 1) % 10).to_string())
                }
                None => format!("{old}1"),
            }
        }
        5 => format!(" {old} "),
        _ => old.repeat(2),
    }
}

// ---------------------------------------------------------------------------------------
// Bytes

fn byte_flip(rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() {
        return None;
    }
    let mut out = data.to_vec();
    for _ in 0..rng.usize(1..=4) {
        let i = rng.usize(..out.len());
        out[i] ^= 1 << rng.u8(..8);
    }
    Some(out)
}

const INSERTS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"\"",
    b"'",
    b"/",
    b"=",
    b"\0",
    b"\r",
    b"\n",
    &[0xFF],
    &[0xFE, 0xFF],
    &[0xEF, 0xBB, 0xBF],
    &[0xC3],
    b"]]>",
    b"<!--",
    b"&#0;",
    b"<a>",
    b"</a>",
];

fn byte_insert(rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
    let mut out = data.to_vec();
    let at = rng.usize(..=out.len());
    let piece: Vec<u8> = if rng.u8(..4) == 0 {
        (0..rng.usize(1..=8)).map(|_| rng.u8(..)).collect()
    } else {
        pick(rng, INSERTS)?.to_vec()
    };
    out.splice(at..at, piece);
    Some(out)
}

fn byte_delete(rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() {
        return None;
    }
    let at = rng.usize(..data.len());
    let len = rng.usize(1..=16).min(data.len() - at);
    let mut out = data.to_vec();
    out.drain(at..at + len);
    Some(out)
}

fn chunk_copy(rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
    if data.len() < 2 {
        return None;
    }
    let from = rng.usize(..data.len());
    let len = rng.usize(1..=256).min(data.len() - from);
    let chunk = data[from..from + len].to_vec();
    let mut out = data.to_vec();
    let at = rng.usize(..=out.len());
    out.splice(at..at, chunk);
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Elements

fn element_delete(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let span = doc.span(e);
    let start = span.start - lead(t, span.start).len();
    Some(splice(t, start..span.end, ""))
}

fn element_duplicate(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let span = doc.span(e);
    let copy = format!("{}{}", lead(t, span.start), doc.raw(e));
    Some(splice(t, span.end..span.end, &copy))
}

fn element_swap(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &members(doc))?;
    let any_name = rng.u8(..5) == 0;
    let siblings: Vec<NodeId> = doc
        .elements(doc.parent(e)?)
        .filter(|&s| s != e && (any_name || doc.name(s) == doc.name(e)))
        .collect();
    let f = pick(rng, &siblings)?;
    let (a, b) = if doc.span(e).start < doc.span(f).start {
        (e, f)
    } else {
        (f, e)
    };
    let (sa, sb) = (doc.span(a), doc.span(b));
    Some(format!(
        "{}{}{}{}{}",
        &t[..sa.start],
        doc.raw(b),
        &t[sa.end..sb.start],
        doc.raw(a),
        &t[sb.end..]
    ))
}

/// Content span of the first leaf below `e` that has text, if any.
fn first_text_leaf(doc: &Document, e: NodeId) -> Option<Range<usize>> {
    let mut stack = vec![e];
    while let Some(n) = stack.pop() {
        let kids: Vec<NodeId> = doc.elements(n).collect();
        if kids.is_empty() && !doc.raw_content(n).trim().is_empty() {
            return Some(doc.content_span(n));
        }
        stack.extend(kids.into_iter().rev());
    }
    None
}

/// A copy of a list member next to the original: the same identity key twice, identical or
/// with one other value changed.
fn key_duplicate(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &members(doc))?;
    let span = doc.span(e);
    let mut copy = doc.raw(e).to_string();
    match rng.u8(..3) {
        0 => {}
        1 => {
            // Another attribute than the first (often the key) where there is one.
            let names: Vec<&str> = doc.attributes(e).map(|(k, _)| k).collect();
            let choices = if names.len() > 1 {
                &names[1..]
            } else {
                &names[..]
            };
            if let Some(name) = pick(rng, choices)
                && let Some(r) = doc.attr_value_span(e, name)
            {
                let rel = r.start - span.start..r.end - span.start;
                let changed = format!("{}_dup", &copy[rel.clone()]);
                copy = splice(&copy, rel, &changed);
            }
        }
        _ => {
            if let Some(r) = first_text_leaf(doc, e) {
                let rel = r.start - span.start..r.end - span.start;
                let changed = format!("{}_dup", &copy[rel.clone()]);
                copy = splice(&copy, rel, &changed);
            }
        }
    }
    let after = if rng.u8(..10) < 4 {
        // After the last sibling of the same name: elsewhere in the list.
        doc.elements(doc.parent(e)?)
            .filter(|&s| doc.name(s) == doc.name(e))
            .last()
            .map_or(span.end, |s| doc.span(s).end)
    } else {
        span.end
    };
    let insert = format!("{}{}", lead(t, span.start), copy);
    Some(splice(t, after..after, &insert))
}

/// One member takes a sibling's value for an attribute or a leaf child: two members with
/// one key.
fn key_collide(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &members(doc))?;
    let siblings: Vec<NodeId> = doc
        .elements(doc.parent(e)?)
        .filter(|&s| s != e && doc.name(s) == doc.name(e))
        .collect();
    let f = pick(rng, &siblings)?;
    let mut fields: Vec<(Range<usize>, String)> = Vec::new();
    for (k, v) in doc.attributes(f) {
        if let Some(r) = doc.attr_value_span(e, k)
            && &t[r.clone()] != v
        {
            fields.push((r, v.to_string()));
        }
    }
    for fc in doc.elements(f) {
        if doc.elements(fc).next().is_some() {
            continue;
        }
        if let Some(ec) = doc.child(e, doc.name(fc))
            && doc.elements(ec).next().is_none()
            && !doc.is_self_closing(ec)
            && doc.raw_content(ec) != doc.raw_content(fc)
        {
            fields.push((doc.content_span(ec), doc.raw_content(fc).to_string()));
        }
    }
    if fields.is_empty() {
        return None;
    }
    let (r, v) = fields.swap_remove(rng.usize(..fields.len()));
    Some(splice(t, r, &v))
}

fn attr_change(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let names: Vec<&str> = doc.attributes(e).map(|(k, _)| k).collect();
    let name = pick(rng, &names)?;
    let r = doc.attr_value_span(e, name)?;
    let quote = t[..r.start].chars().last()?;
    let value = new_value(rng, &t[r.clone()]).replace(quote, "&quot;");
    Some(splice(t, r, &value))
}

fn attr_delete(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let names: Vec<&str> = doc.attributes(e).map(|(k, _)| k).collect();
    let name = pick(rng, &names)?;
    let start = doc.attr_name_start(e, name)?;
    let end = doc.attr_value_span(e, name)?.end + 1;
    let start = t[..start].trim_end().len();
    Some(splice(t, start..end, ""))
}

/// Replaces an element's content (a self-closing one gets an end tag).
fn set_content(t: &str, doc: &Document, e: NodeId, content: &str) -> String {
    if doc.is_self_closing(e) {
        let stag = doc.raw_start_tag(e);
        let head = stag.trim_end_matches('>').trim_end_matches('/').trim_end();
        splice(
            t,
            doc.span(e),
            &format!("{head}>{content}</{}>", doc.name(e)),
        )
    } else {
        splice(t, doc.content_span(e), content)
    }
}

fn text_change(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &leaves(doc))?;
    let old = doc.raw_content(e);
    let new = match rng.u8(..4) {
        0 => new_value(rng, old),
        1 => format!("{old}x"),
        2 => "&lt;b&gt;".to_string(),
        _ => format!("{old}\n"),
    };
    Some(set_content(t, doc, e, &new))
}

// ---------------------------------------------------------------------------------------
// Text scans

/// Dotted version numbers (`1.0.0.5`, `9.1.0.14735`): a number and two or more `.number`.
fn versions(t: &str) -> Vec<Range<usize>> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            let mut j = i;
            let mut dots = 0;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || (b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit)))
            {
                dots += usize::from(b[j] == b'.');
                j += 1;
            }
            if dots >= 2 {
                out.push(i..j);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn version_bump(rng: &mut Rng, t: &str) -> Option<String> {
    let r = pick_range(rng, &versions(t))?;
    let mut parts: Vec<String> = t[r.clone()].split('.').map(str::to_string).collect();
    let n = parts.len();
    let bump = |s: &str| {
        s.parse::<u64>()
            .map_or("1".to_string(), |v| (v + 1).to_string())
    };
    match rng.u8(..7) {
        0 => parts[n - 1] = bump(&parts[n - 1]),
        1 => parts[0] = bump(&parts[0]),
        2 => parts[rng.usize(..n)] = "99999999999999999999".into(),
        3 => {
            parts.pop();
        }
        4 => parts.push("0".into()),
        5 => parts[n - 1] = format!("{}-beta", parts[n - 1]),
        _ => {
            let i = rng.usize(..n);
            parts[i] = parts[i]
                .parse::<u64>()
                .map_or("0".into(), |v| v.saturating_sub(1).to_string());
        }
    }
    Some(splice(t, r, &parts.join(".")))
}

fn pick_range(rng: &mut Rng, v: &[Range<usize>]) -> Option<Range<usize>> {
    (!v.is_empty()).then(|| v[rng.usize(..v.len())].clone())
}

/// GUIDs (`8-4-4-4-12` hex digits), braces not included.
fn guids(t: &str) -> Vec<Range<usize>> {
    const SHAPE: [usize; 5] = [8, 4, 4, 4, 12];
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 36 <= b.len() {
        let mut j = i;
        let ok = SHAPE.iter().enumerate().all(|(k, &len)| {
            let group = b[j..j + len].iter().all(u8::is_ascii_hexdigit);
            j += len;
            let dash = k == 4 || b.get(j) == Some(&b'-');
            j += usize::from(k < 4);
            group && dash
        });
        if ok && (i == 0 || !b[i - 1].is_ascii_hexdigit()) {
            out.push(i..i + 36);
            i += 36;
        } else {
            i += 1;
        }
    }
    out
}

fn guid_variant(rng: &mut Rng, t: &str) -> Option<String> {
    let r = pick_range(rng, &guids(t))?;
    let g = &t[r.clone()];
    let braced = t[..r.start].ends_with('{') && t[r.end..].starts_with('}');
    Some(match rng.u8(..3) {
        0 => splice(t, r, &g.to_ascii_uppercase()),
        1 => splice(t, r, &g.to_ascii_lowercase()),
        _ if braced => splice(t, r.start - 1..r.end + 1, g),
        _ => splice(t, r, &format!("{{{g}}}")),
    })
}

fn markers(rng: &mut Rng, t: &str) -> Option<String> {
    let nl = match Newlines::of(t) {
        _ if rng.u8(..5) == 0 => "\r\n",
        n => n.as_str(),
    };
    let lines: Vec<&str> = t.split_inclusive('\n').collect();
    let size = pick(rng, &[7, 7, 7, 7, 8, 9, 12, 16])?;
    let run = |c: char| c.to_string().repeat(size);
    let labels = ["", " ours", " HEAD", " feature/x y", " theirs", " base"];
    let i = rng.usize(..=lines.len());
    let mut out: String = lines[..i].concat();
    match rng.u8(..4) {
        0 | 1 => {
            let j = (i + rng.usize(..=4)).min(lines.len());
            let mut region: String = lines[i..j].concat();
            if !region.is_empty() && !region.ends_with('\n') {
                region.push_str(nl);
            }
            let theirs = match region.split_inclusive('\n').next() {
                Some(first) => format!("{first}{region}"),
                None => format!("x{nl}"),
            };
            out.push_str(&format!("{}{}{nl}{region}", run('<'), pick(rng, &labels)?));
            if rng.bool() {
                out.push_str(&format!("{}{}{nl}{region}", run('|'), pick(rng, &labels)?));
            }
            out.push_str(&format!(
                "{}{nl}{theirs}{}{}{nl}",
                run('='),
                run('>'),
                pick(rng, &labels)?
            ));
            out.push_str(&lines[j..].concat());
        }
        2 => {
            let c = pick(rng, &['<', '=', '>', '|'])?;
            out.push_str(&format!("{}{}{nl}", run(c), pick(rng, &labels)?));
            out.push_str(&lines[i..].concat());
        }
        _ => {
            // Indented: not a marker for git, only text that looks like one.
            out.push_str(&format!("  {} ours{nl}", run('<')));
            out.push_str(&lines[i..].concat());
        }
    }
    Some(out)
}

/// Sets (or adds) the `encoding` of the XML declaration (adding a declaration if needed).
pub fn set_declared_encoding(t: &str, value: &str) -> String {
    if let Some(rest) = t.strip_prefix("<?xml")
        && let Some(end) = rest.find("?>")
    {
        let decl = &rest[..end];
        if let Some(at) = decl.find("encoding") {
            let after = &decl[at..];
            if let Some(q1) = after.find(['"', '\'']) {
                let quote = after.as_bytes()[q1] as char;
                if let Some(q2) = after[q1 + 1..].find(quote) {
                    let start = 5 + at + q1 + 1;
                    return splice(t, start..start + q2, value);
                }
            }
        }
        let at = 5 + decl.trim_end().len();
        return splice(t, at..at, &format!(" encoding=\"{value}\""));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"{value}\"?>{}{t}",
        Newlines::of(t).as_str()
    )
}

fn encoding(rng: &mut Rng, data: &[u8]) -> Option<Vec<u8>> {
    let (t, enc) = text::decode(data)?;
    let xml = t.trim_start().starts_with('<');
    let variant = if xml {
        rng.u8(..12)
    } else {
        pick(rng, &[0, 1, 2, 3, 4, 5, 10, 11])?
    };
    let utf16 = |little_endian, bom| Encoding::Utf16 { little_endian, bom };
    Some(match variant {
        0 => text::encode(&t, utf16(true, true)),
        1 => text::encode(&t, utf16(false, true)),
        2 => text::encode(&t, utf16(true, false)),
        3 => text::encode(&t, utf16(false, false)),
        4 => text::encode(
            &t,
            Encoding::Utf8 {
                bom: !matches!(enc, Encoding::Utf8 { bom: true }),
            },
        ),
        5 => {
            // The byte order mark twice: a second one is a character of the text.
            let with_bom = match enc {
                Encoding::Utf8 { .. } => Encoding::Utf8 { bom: true },
                Encoding::Utf16 { little_endian, .. } => utf16(little_endian, true),
            };
            text::encode(&format!("\u{feff}{t}"), with_bom)
        }
        6 => text::encode(
            &set_declared_encoding(&t, "utf-16"),
            Encoding::Utf8 { bom: true },
        ),
        7 => {
            // What an editor does when told to save as "Unicode".
            text::encode(
                &set_declared_encoding(&t, "utf-16"),
                utf16(rng.bool(), true),
            )
        }
        8 => {
            let value = pick(
                rng,
                &[
                    "iso-8859-1",
                    "windows-1252",
                    "us-ascii",
                    "utf-32",
                    "x-bogus",
                    "UTF-8",
                    "utf-16le",
                ],
            )?;
            text::encode(&set_declared_encoding(&t, value), enc)
        }
        9 => {
            let rest = t.strip_prefix("<?xml")?;
            let end = rest.find("?>")? + 2;
            let rest = rest[end..].trim_start_matches(['\r', '\n']);
            text::encode(rest, enc)
        }
        10 => {
            // Latin-1 bytes where UTF-8 was meant: invalid UTF-8 wherever the text is not ASCII.
            if t.is_ascii() {
                return None;
            }
            t.chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect()
        }
        _ => {
            // Broken UTF-16: an odd trailing byte or an unpaired surrogate.
            let mut b = text::encode(&t, utf16(true, true));
            if rng.bool() || b.len() < 4 {
                b.push(b'x');
            } else {
                let at = 2 + 2 * rng.usize(..(b.len() - 2) / 2);
                b[at] = 0x00;
                b[at + 1] = 0xD8;
            }
            b
        }
    })
}

fn newlines(rng: &mut Rng, t: &str) -> Option<String> {
    let target = pick(rng, &["\n", "\r\n", "\r"])?;
    let b = t.as_bytes();
    // (start, len) of every line break.
    let mut breaks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                breaks.push((i, 2));
                i += 1;
            }
            b'\r' | b'\n' => breaks.push((i, 1)),
            _ => {}
        }
        i += 1;
    }
    if breaks.is_empty() {
        return None;
    }
    let chosen: Vec<(usize, usize)> = if rng.u8(..5) == 0 {
        vec![breaks[rng.usize(..breaks.len())]]
    } else {
        breaks
    };
    let mut out = String::with_capacity(t.len() + chosen.len());
    let mut pos = 0;
    for (at, len) in chosen {
        out.push_str(&t[pos..at]);
        out.push_str(target);
        pos = at + len;
    }
    out.push_str(&t[pos..]);
    Some(out)
}

const CONTROL: &[&str] = &[
    "\0", "\u{1}", "\u{8}", "\u{b}", "\u{c}", "\u{1b}", "\u{1f}", "\u{fffe}", "\u{ffff}", "&#0;",
    "&#x1;", "&#8;", "&#xFFFE;", "&#xD800;",
];

/// A character XML forbids, raw or as a reference, in a leaf's text or one of its attributes.
fn control_char(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &leaves(doc))?;
    let names: Vec<&str> = doc.attributes(e).map(|(k, _)| k).collect();
    let range = if (rng.bool() || doc.is_self_closing(e)) && !names.is_empty() {
        doc.attr_value_span(e, pick(rng, &names)?)?
    } else if !doc.is_self_closing(e) {
        doc.content_span(e)
    } else {
        return None;
    };
    let at = char_pos(rng, t, range);
    Some(splice(t, at..at, pick(rng, CONTROL)?))
}

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Sets `xsi:nil="true"` on a leaf (emptying it), or takes it away (giving it text).
fn xsi_nil(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &leaves(doc))?;
    let root = doc.root()?;
    let prefix = doc
        .attributes(root)
        .find(|(k, v)| k.starts_with("xmlns:") && *v == XSI)
        .map(|(k, _)| k["xmlns:".len()..].to_string());
    let declared = prefix.is_some();
    let prefix = prefix.unwrap_or_else(|| "xsi".into());
    let nil_name = format!("{prefix}:nil");
    let name = doc.name(e);
    let edited = if let Some(r) = doc.attr_value_span(e, &nil_name) {
        if rng.u8(..3) == 0 {
            let flipped = if &t[r.clone()] == "true" {
                "false"
            } else {
                "true"
            };
            splice(t, r, flipped)
        } else {
            // Remove the attribute and give the element a value.
            let start = t[..doc.attr_name_start(e, &nil_name)?].trim_end().len();
            let without = splice(t, start..r.end + 1, "");
            let doc2 = Document::parse(without.clone(), "fuzz").ok()?;
            let e2 = leaves(&doc2)
                .into_iter()
                .find(|&x| doc2.span(x).start == doc.span(e).start)?;
            set_content(&without, &doc2, e2, "value")
        }
    } else {
        let stag = doc.raw_start_tag(e);
        let head = stag.trim_end_matches('>').trim_end_matches('/').trim_end();
        let element = if doc.is_self_closing(e) {
            format!("{head} {nil_name}=\"true\" />")
        } else {
            format!("{head} {nil_name}=\"true\"></{name}>")
        };
        splice(t, doc.span(e), &element)
    };
    if declared {
        return Some(edited);
    }
    // Declare the prefix on the root; its start tag comes before any edit above.
    let stag = doc.raw_start_tag(root);
    let head_len = stag
        .trim_end_matches('>')
        .trim_end_matches('/')
        .trim_end()
        .len();
    let at = doc.span(root).start + head_len;
    Some(splice(
        &edited,
        at..at,
        &format!(" xmlns:{prefix}=\"{XSI}\""),
    ))
}

fn whitespace(rng: &mut Rng, t: &str) -> Option<String> {
    let lines: Vec<&str> = t.split_inclusive('\n').collect();
    let i = rng.usize(..lines.len().max(1));
    let mut lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match rng.u8(..5) {
        0 => {
            let line = lines.get_mut(i)?;
            let body = line.trim_start_matches(' ');
            let indent = line.len() - body.len();
            *line = if rng.bool() {
                format!("\t{body}")
            } else {
                format!("{}{body}", " ".repeat(indent * 2 + 1))
            };
        }
        1 => lines.insert(i, Newlines::of(t).as_str().to_string()),
        2 => {
            let last = lines.last_mut()?;
            if last.ends_with('\n') || last.ends_with('\r') {
                *last = last.trim_end_matches(['\r', '\n']).to_string();
            } else {
                last.push_str(Newlines::of(t).as_str());
            }
        }
        3 => {
            let line = lines.get_mut(i)?;
            let body = line.trim_end_matches(['\r', '\n']).len();
            line.insert_str(body, "  ");
        }
        _ => {
            // `<a/>`, `<a />` and `<a></a>` are the same element.
            let joined = lines.concat();
            let doc = Document::parse(joined.clone(), "fuzz").ok()?;
            let e = pick(rng, &leaves(&doc))?;
            let stag = doc.raw_start_tag(e);
            let head = stag.trim_end_matches('>').trim_end_matches('/').trim_end();
            let name = doc.name(e);
            let new = if doc.is_self_closing(e) {
                if rng.bool() {
                    format!("{head}></{name}>")
                } else if stag.ends_with(" />") {
                    format!("{head}/>")
                } else {
                    format!("{head} />")
                }
            } else if doc.raw_content(e).is_empty() {
                format!("{head} />")
            } else {
                return None;
            };
            return Some(splice(&joined, doc.span(e), &new));
        }
    }
    Some(lines.concat())
}

fn comment_cdata(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let span = doc.span(e);
    let lead = lead(t, span.start);
    let insert = |what: &str| splice(t, span.end..span.end, &format!("{lead}{what}"));
    Some(match rng.u8(..4) {
        0 => insert("<!-- fuzz -->"),
        1 => {
            let content = doc.raw_content(e);
            if doc.elements(e).next().is_some() || content.is_empty() || content.contains("]]>") {
                return None;
            }
            splice(t, doc.content_span(e), &format!("<![CDATA[{content}]]>"))
        }
        2 => insert("<?fuzz data?>"),
        _ => insert("<!-- a -- b -->"),
    })
}

/// A document type with entity declarations (an expansion bomb, an external entity, or
/// an undeclared reference), used in a leaf.
fn entity_decl(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &leaves(doc))?;
    let root = doc.root()?;
    let (subset, reference) = match rng.u8(..4) {
        0 => (
            "<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">",
            "&c;",
        ),
        1 => ("<!ENTITY x SYSTEM \"file:///etc/passwd\">", "&x;"),
        2 => ("", "&undefined;"),
        _ => ("<!ENTITY fuzz \"value\">", "&fuzz;"),
    };
    let content = format!("{}{reference}", doc.raw_content(e));
    let edited = set_content(t, doc, e, &content);
    let at = doc.span(root).start;
    let doctype = format!(
        "<!DOCTYPE {} [{subset}]>{}",
        doc.name(root),
        Newlines::of(t).as_str()
    );
    Some(splice(&edited, at..at, &doctype))
}

fn deep_nest(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &leaves(doc))?;
    let mut depth = 1;
    let mut p = doc.parent(e);
    while let Some(n) = p {
        depth += 1;
        p = doc.parent(n);
    }
    // Around the parser's limit of 1000, and well past it.
    let target = pick(rng, &[40, 998, 999, 1000, 1001, 3000])?;
    let levels = target.max(depth + 1) - depth;
    let content = format!(
        "{}{}{}",
        "<n>".repeat(levels),
        doc.raw_content(e),
        "</n>".repeat(levels)
    );
    Some(set_content(t, doc, e, &content))
}

fn rename(rng: &mut Rng, t: &str, doc: &Document) -> Option<String> {
    let e = pick(rng, &below_root(doc))?;
    let name = doc.name(e);
    let new = match rng.u8(..4) {
        0 => {
            let mut c = name.chars();
            let first = c.next()?;
            let flipped: String = if first.is_uppercase() {
                first.to_lowercase().collect()
            } else {
                first.to_uppercase().collect()
            };
            format!("{flipped}{}", c.as_str())
        }
        1 => format!("{name}X"),
        2 => format!("fuzz:{name}"),
        _ => "Unknown".to_string(),
    };
    let span = doc.span(e);
    let mut out = t.to_string();
    if !doc.is_self_closing(e) {
        let etag = doc.content_span(e).end + 2;
        if t[etag..].starts_with(name) {
            out = splice(&out, etag..etag + name.len(), &new);
        }
    }
    Some(splice(
        &out,
        span.start + 1..span.start + 1 + name.len(),
        &new,
    ))
}

// ---------------------------------------------------------------------------------------
// JSON

/// JSON pointers to every object and array (capped: a flow has a few thousand).
fn containers(v: &Value) -> Vec<String> {
    fn walk(v: &Value, at: String, out: &mut Vec<String>) {
        if out.len() >= 10_000 {
            return;
        }
        let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
        match v {
            Value::Object(map) => {
                out.push(at.clone());
                for (k, child) in map {
                    walk(child, format!("{at}/{}", escape(k)), out);
                }
            }
            Value::Array(items) => {
                out.push(at.clone());
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

fn scalar(rng: &mut Rng) -> Value {
    match rng.u8(..4) {
        0 => Value::from("fuzz"),
        1 => Value::from(rng.i64(-5..100)),
        2 => Value::from(rng.bool()),
        _ => Value::Null,
    }
}

fn change_scalar(rng: &mut Rng, v: &mut Value) {
    *v = match v {
        Value::String(s) => Value::from(format!("{s}x")),
        Value::Number(n) => Value::from(n.as_i64().map_or(1, |i| i.wrapping_add(1))),
        Value::Bool(b) => Value::from(!*b),
        Value::Null => Value::from("x"),
        _ => scalar(rng),
    };
}

/// Edits one object or array (or empties it), and writes the value back in the file's
/// layout: pretty with two spaces or one line, its newline style, its final newline.
fn json_edit(rng: &mut Rng, data: &[u8], empty: bool) -> Option<Vec<u8>> {
    let (t, enc) = text::decode(data)?;
    let mut v: Value = serde_json::from_str(&t).ok()?;
    let at = {
        let all = containers(&v);
        let pick = all.get(rng.usize(..all.len().max(1)))?.clone();
        // Emptying the whole document is what a tool does when it drops a flow's content.
        if empty && rng.u8(..4) == 0 {
            String::new()
        } else {
            pick
        }
    };
    let target = v.pointer_mut(&at)?;
    if empty {
        *target = match target {
            Value::Array(_) => Value::Array(Vec::new()),
            _ => Value::Object(Default::default()),
        };
    } else {
        match target {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                match rng.u8(..4) {
                    0 if !keys.is_empty() => {
                        map.shift_remove(&keys[rng.usize(..keys.len())]);
                    }
                    1 if !keys.is_empty() => {
                        let k = &keys[rng.usize(..keys.len())];
                        if let Some(child) = map.get_mut(k) {
                            change_scalar(rng, child);
                        }
                    }
                    2 if !keys.is_empty() => {
                        let k = keys[rng.usize(..keys.len())].clone();
                        if let Some(child) = map.shift_remove(&k) {
                            map.insert(format!("{k}_x"), child);
                        }
                    }
                    _ => {
                        map.insert(format!("fuzz_{}", rng.u16(..1000)), scalar(rng));
                    }
                }
            }
            Value::Array(items) => match rng.u8(..3) {
                0 if !items.is_empty() => {
                    items.remove(rng.usize(..items.len()));
                }
                1 if !items.is_empty() => {
                    let i = rng.usize(..items.len());
                    items.insert(i, items[i].clone());
                }
                _ => items.push(scalar(rng)),
            },
            _ => return None,
        }
    }
    let pretty = t.contains('\n') || t.contains('\r');
    let mut out = if pretty {
        serde_json::to_string_pretty(&v).ok()?
    } else {
        serde_json::to_string(&v).ok()?
    };
    let nl = Newlines::of(&t).as_str();
    if nl != "\n" {
        out = out.replace('\n', nl);
    }
    if t.ends_with(['\n', '\r']) {
        out.push_str(nl);
    }
    Some(text::encode(&out, enc))
}

/// A member line written twice (valid JSON syntax, a name twice in one object).
fn json_dup_member(rng: &mut Rng, t: &str) -> Option<String> {
    let lines: Vec<&str> = t.split_inclusive('\n').collect();
    let candidates: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let s = l.trim();
            s.starts_with('"') && s.contains("\": ") && !s.ends_with('{') && !s.ends_with('[')
        })
        .map(|(i, _)| i)
        .collect();
    let i = pick(rng, &candidates)?;
    let line = lines[i];
    let body_len = line.trim_end_matches(['\r', '\n']).len();
    let (body, brk) = line.split_at(body_len);
    let first = if body.trim_end().ends_with(',') {
        line.to_string()
    } else {
        format!("{body},{brk}")
    };
    let mut out: String = lines[..i].concat();
    out.push_str(&first);
    out.push_str(line);
    out.push_str(&lines[i + 1..].concat());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ImportExportXml>\n  <Entities>\n    <Entity Name=\"a\"><Version>1.0.0.1</Version></Entity>\n    <Entity Name=\"b\" id=\"{6ED25386-0000-4000-8000-000000000001}\" />\n  </Entities>\n</ImportExportXml>\n";

    #[test]
    fn every_xml_mutator_applies_to_a_solution_file() {
        for row in TABLE {
            let mut applied = 0;
            for seed in 0..40 {
                let mut rng = Rng::with_seed(seed);
                if let Some(out) = row.0.apply(&mut rng, XML.as_bytes()) {
                    applied += 1;
                    assert_ne!(out, XML.as_bytes());
                }
            }
            let json_only = row.3[0] == 0;
            assert!(json_only || applied > 0, "{} never applied", row.1);
        }
    }

    #[test]
    fn paired_leaf_mutators_pick_the_same_element() {
        let doc = Document::parse(XML.to_string(), "t").unwrap();
        let a = leaves(&doc)[Rng::with_seed(7).usize(..leaves(&doc).len())];
        let b = leaves(&doc)[Rng::with_seed(7).usize(..leaves(&doc).len())];
        assert_eq!(a, b);
    }

    #[test]
    fn xsi_nil_declares_the_prefix() {
        for seed in 0..20 {
            let mut rng = Rng::with_seed(seed);
            if let Some(out) = Mutator::XsiNil.apply(&mut rng, XML.as_bytes()) {
                let s = String::from_utf8(out).unwrap();
                assert!(s.contains(XSI), "{s}");
                Document::parse(s, "t").unwrap();
            }
        }
    }

    #[test]
    fn declaration_edits() {
        assert_eq!(
            set_declared_encoding("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>", "utf-16"),
            "<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>"
        );
        assert_eq!(
            set_declared_encoding("<?xml version=\"1.0\"?><a/>", "utf-16"),
            "<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>"
        );
    }

    #[test]
    fn scans_find_versions_and_guids() {
        assert_eq!(versions("v 1.0.0.5 and 1.5 x9.1.0"), vec![2..9]);
        let g = "id=\"{6ED25386-0000-4000-8000-000000000001}\"";
        assert_eq!(guids(g), vec![5..41]);
    }
}
