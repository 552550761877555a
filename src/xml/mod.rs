//! XML layer: a lossless arena tree of one XML entry, and the only module that uses quick-xml.
//!
//! The boundary type is [`Document`]. It owns the entry's text and stores every node as byte
//! spans into it (names interned, nothing else copied), so writing the tree back reproduces the
//! input byte for byte: BOM, declaration, newline style, indentation, attribute order and
//! quoting, empty-element style, escapes, CDATA, comments and the (missing) final newline.
//! Text between child nodes — indentation as well as leaf values — is not a node: it is the
//! "gap" between two spans, which keeps the arena small (one node per element) and lets a
//! writer permute children while every gap stays where it was.
//!
//! Each element carries a 64-bit subtree hash that ignores formatting (indentation, attribute
//! order and quoting, `<a/>` vs `<a></a>`, CRLF vs LF, comments) but not child order, so
//! higher layers can skip unchanged subtrees in O(1).

mod parse;
mod write;

use crate::input::TextEncoding;
use std::borrow::Cow;
use std::ops::Range;

pub use parse::ParseLimits;

const UTF8: TextEncoding = TextEncoding::Utf8 { bom: false };

/// Where the value of the `encoding` pseudo-attribute of the XML declaration that opens
/// `text` (after a BOM) sits, quotes excluded. A merge that writes a side's text in another
/// encoding rewrites it there, so the declaration keeps telling the truth.
pub fn declared_encoding_span(text: &str) -> Option<Range<usize>> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = text[start..].strip_prefix("<?xml")?;
    if !rest.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let decl = &rest[..rest.find("?>")?];
    let at = decl.find("encoding")?;
    let after = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let after = after.trim_start();
    let quote = after.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let value = &after[1..];
    let len = value.find(quote)?;
    let value_start = start + "<?xml".len() + (decl.len() - value.len());
    Some(value_start..value_start + len)
}
pub use write::Reorder;

/// Index of a node in a [`Document`]'s arena. The document node is [`Document::DOCUMENT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

const NONE: u32 = u32::MAX;

/// What a node is. Text is never a node (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The whole entry; its children are the prolog, the root element and trailing nodes.
    Document,
    Element,
    CData,
    Comment,
    /// A processing instruction, including the `<?xml …?>` declaration.
    Pi,
    DocType,
}

#[derive(Clone, Debug)]
struct Node {
    hash: u64,
    start: u32,
    end: u32,
    /// End of the start tag (equal to `end` for `<a/>` and for non-element nodes).
    stag_end: u32,
    /// Start of the end tag (equal to `end` for `<a/>` and for non-element nodes).
    etag_start: u32,
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    first_attr: u32,
    name: u32,
    n_attrs: u16,
    kind: NodeKind,
}

/// One attribute of an element: interned name and the raw (still escaped) value span.
#[derive(Clone, Copy, Debug)]
struct Attr {
    name: u32,
    name_start: u32,
    value_start: u32,
    value_end: u32,
}

/// A parse failure, located by entry name and 1-based line:column.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{entry}:{line}:{column}: {message}")]
pub struct XmlError {
    pub entry: String,
    pub line: u32,
    pub column: u32,
    pub offset: u64,
    pub message: String,
}

impl XmlError {
    pub(crate) fn at(entry: &str, text: &str, offset: usize, message: String) -> XmlError {
        let (line, column) = line_column(text, offset);
        XmlError {
            entry: entry.to_string(),
            line,
            column,
            offset: offset as u64,
            message,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line as u32, column as u32)
}

/// The line starts of a text, for many [`line_column`]s of one text without scanning it from
/// the start each time.
#[derive(Debug, Default)]
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    /// [`line_column`]`(text, offset)`, for the `text` the index was made of.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.0.partition_point(|&nl| nl < offset);
        let start = if line == 0 { 0 } else { self.0[line - 1] + 1 };
        let column = text[start..offset].chars().count() + 1;
        (line as u32 + 1, column as u32)
    }
}

/// Newline style of a document, for writing new nodes the way the file writes its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewlineStyle {
    Lf,
    CrLf,
}

impl NewlineStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            NewlineStyle::Lf => "\n",
            NewlineStyle::CrLf => "\r\n",
        }
    }
}

/// A lossless XML tree over the owned text of one entry.
pub struct Document {
    text: String,
    nodes: Vec<Node>,
    attrs: Vec<Attr>,
    names: Vec<Box<str>>,
    /// For a document projected from another file (a YAML file of the layout): where its
    /// elements start in that file, see [`Document::with_source_positions`].
    source_positions: Option<Box<[SourcePosition]>>,
}

/// Where an element of a projected document came from: the offset of its start tag in the
/// document's text, and the 1-based line and column in the file it was projected from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourcePosition {
    pub offset: u32,
    pub line: u32,
    pub column: u32,
}

impl Document {
    /// The node that spans the whole entry.
    pub const DOCUMENT: NodeId = NodeId(0);

    /// Parses `text` (the entry named `entry`, used in errors) with default limits; the
    /// entry was stored as UTF-8.
    pub fn parse(text: String, entry: &str) -> Result<Document, XmlError> {
        Self::parse_stored(text, entry, UTF8)
    }

    /// Parses text decoded from an entry stored in `stored` (see
    /// [`crate::input::decode_xml`]): its declaration, if it names an encoding, must name
    /// that one.
    pub fn parse_stored(
        text: String,
        entry: &str,
        stored: TextEncoding,
    ) -> Result<Document, XmlError> {
        parse::parse(text, entry, &ParseLimits::default(), stored).map_err(|(e, _)| e)
    }

    /// Parses, giving the text back with the error, so a caller can fall back to treating
    /// it as plain text without having kept a copy.
    pub fn try_parse(text: String, entry: &str) -> Result<Document, (XmlError, String)> {
        Self::try_parse_stored(text, entry, UTF8)
    }

    /// [`Document::try_parse`] of text decoded from an entry stored in `stored`.
    pub fn try_parse_stored(
        text: String,
        entry: &str,
        stored: TextEncoding,
    ) -> Result<Document, (XmlError, String)> {
        parse::parse(text, entry, &ParseLimits::default(), stored)
    }

    /// [`Document::try_parse_stored`], running `beside` over the same text on another
    /// thread while it parses (`check` looks for conflict markers so, at no cost in time).
    pub fn try_parse_stored_beside<R: Send>(
        text: String,
        entry: &str,
        stored: TextEncoding,
        beside: impl FnOnce(&str) -> R + Send,
    ) -> (Result<Document, (XmlError, String)>, R) {
        parse::parse_beside(text, entry, &ParseLimits::default(), stored, beside)
    }

    /// Parses with explicit limits (nesting depth).
    pub fn parse_with(
        text: String,
        entry: &str,
        limits: &ParseLimits,
    ) -> Result<Document, XmlError> {
        parse::parse(text, entry, limits, UTF8).map_err(|(e, _)| e)
    }

    /// The entry's full text, exactly as read.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Gives the owned text back (e.g. to reuse an unchanged entry without copying).
    pub fn into_text(self) -> String {
        self.text
    }

    /// Number of nodes in the arena (document node included).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn has_bom(&self) -> bool {
        self.text.starts_with('\u{feff}')
    }

    /// The newline style of the file: CRLF when the first line break is CRLF.
    pub fn newline_style(&self) -> NewlineStyle {
        match memchr::memchr(b'\n', self.text.as_bytes()) {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => NewlineStyle::CrLf,
            _ => NewlineStyle::Lf,
        }
    }

    /// The root element, if the document has one.
    pub fn root(&self) -> Option<NodeId> {
        self.children(Self::DOCUMENT)
            .find(|&c| self.kind(c) == NodeKind::Element)
    }

    fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.node(id).kind
    }

    pub fn is_element(&self, id: NodeId) -> bool {
        self.node(id).kind == NodeKind::Element
    }

    /// Element name as written (prefix included); empty for other nodes.
    pub fn name(&self, id: NodeId) -> &str {
        let n = self.node(id);
        if n.kind == NodeKind::Element {
            &self.names[n.name as usize]
        } else {
            ""
        }
    }

    /// Interned name of an element: an index into [`Document::symbols`] (names are interned
    /// per document, so higher layers can precompute per-name tables once).
    pub fn name_sym(&self, id: NodeId) -> Option<u32> {
        let n = self.node(id);
        (n.kind == NodeKind::Element).then_some(n.name)
    }

    /// Every distinct element and attribute name of the document.
    pub fn symbols(&self) -> &[Box<str>] {
        &self.names
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.node(id).parent;
        (p != NONE).then_some(NodeId(p))
    }

    /// Formatting-insensitive, order-sensitive hash of the subtree.
    pub fn hash(&self, id: NodeId) -> u64 {
        self.node(id).hash
    }

    /// A hash of an element's content that ignores formatting (white space around a value
    /// included) and the order of children at every level: it orders elements that share an identity key (a duplicate a line merge
    /// left behind) the same way whatever order their own lists are in, so sorting such
    /// duplicates by it gives one result before and after the lists inside are sorted.
    pub fn unordered_hash(&self, id: NodeId) -> u64 {
        self.unordered_hash_of(id, &|_| true)
    }

    /// [`Document::unordered_hash`] over the attributes and child elements whose names
    /// `keep` accepts (at every level), for a caller that does not count some of them as
    /// content (a null marker, a namespace declaration, export state).
    pub fn unordered_hash_of(&self, id: NodeId, keep: &dyn Fn(&str) -> bool) -> u64 {
        use xxhash_rust::xxh3::xxh3_64;
        let node = self.node(id);
        if node.kind != NodeKind::Element {
            return node.hash;
        }
        let attrs = self
            .attributes(id)
            .filter(|(k, _)| keep(k))
            .fold(0u64, |sum, (k, v)| {
                let pair = parse::mix(xxh3_64(k.as_bytes()), xxh3_64(unescape_lossy(v).as_bytes()));
                sum.wrapping_add(pair)
            });
        let mut children = 0u64;
        let mut elements = false;
        for c in self.children(id) {
            if self.is_element(c) {
                elements = true;
                if !keep(self.name(c)) {
                    continue;
                }
            }
            children = children.wrapping_add(self.unordered_hash_of(c, keep));
        }
        let text = if elements {
            0
        } else {
            // `<row/>` and `<row>\n</row>` hold the same nothing.
            parse::text_hash(unescape_lossy(self.raw_content(id)).trim())
        };
        let name = xxh3_64(self.name(id).as_bytes());
        parse::mix(parse::mix(parse::mix(name, attrs), children), text)
    }

    /// Byte span of the whole node in [`Document::text`].
    pub fn span(&self, id: NodeId) -> std::ops::Range<usize> {
        let n = self.node(id);
        n.start as usize..n.end as usize
    }

    /// The node's exact source text.
    pub fn raw(&self, id: NodeId) -> &str {
        &self.text[self.span(id)]
    }

    /// The raw start tag of an element (`<a x="1">` or `<a x="1" />`).
    pub fn raw_start_tag(&self, id: NodeId) -> &str {
        let n = self.node(id);
        &self.text[n.start as usize..n.stag_end as usize]
    }

    /// Byte span between the end of the start tag and the start of the end tag (empty, at
    /// the element's end, for `<a/>`): where children and text live.
    pub fn content_span(&self, id: NodeId) -> std::ops::Range<usize> {
        let n = self.node(id);
        n.stag_end as usize..n.etag_start as usize
    }

    /// True for `<a/>`-style elements (no end tag).
    pub fn is_self_closing(&self, id: NodeId) -> bool {
        let n = self.node(id);
        n.kind == NodeKind::Element && n.stag_end == n.end
    }

    /// The raw content between start and end tag (empty for `<a/>`).
    pub fn raw_content(&self, id: NodeId) -> &str {
        let n = self.node(id);
        &self.text[n.stag_end as usize..n.etag_start as usize]
    }

    /// Children in document order (elements, CDATA, comments, PIs; never text).
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            doc: self,
            next: self.node(id).first_child,
        }
    }

    /// Element children only.
    pub fn elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id).filter(|&c| self.is_element(c))
    }

    /// Every node inside `id` (not `id` itself: elements, comments, CDATA …), in document
    /// order, without a walk: nodes are stored in document order, so a subtree is a run of ids.
    pub fn descendant_ids(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let end = self.node(id).end;
        (id.0 + 1..self.nodes.len() as u32)
            .take_while(move |&i| self.nodes[i as usize].start < end)
            .map(NodeId)
    }

    /// First child element with this name.
    pub fn child(&self, id: NodeId, name: &str) -> Option<NodeId> {
        self.elements(id).find(|&c| self.name(c) == name)
    }

    /// Attributes as (name, raw escaped value), in source order.
    pub fn attributes(&self, id: NodeId) -> impl Iterator<Item = (&str, &str)> + '_ {
        let n = self.node(id);
        let range = n.first_attr as usize..n.first_attr as usize + n.n_attrs as usize;
        self.attrs[if n.kind == NodeKind::Element {
            range
        } else {
            0..0
        }]
        .iter()
        .map(|a| {
            (
                &*self.names[a.name as usize],
                &self.text[a.value_start as usize..a.value_end as usize],
            )
        })
    }

    /// The interned symbol of a name used in this document (element or attribute), if any:
    /// for scans of every element that look for one attribute ([`Document::attr_raw_sym`]).
    pub fn symbol(&self, name: &str) -> Option<u32> {
        self.names
            .iter()
            .position(|n| &**n == name)
            .map(|i| i as u32)
    }

    /// Raw value of the attribute whose name is the symbol `sym` (a number compare per
    /// attribute instead of a string compare).
    pub fn attr_raw_sym(&self, id: NodeId, sym: u32) -> Option<&str> {
        let n = self.node(id);
        if n.kind != NodeKind::Element {
            return None;
        }
        self.attrs[n.first_attr as usize..n.first_attr as usize + n.n_attrs as usize]
            .iter()
            .find(|a| a.name == sym)
            .map(|a| &self.text[a.value_start as usize..a.value_end as usize])
    }

    /// The elements that carry the attribute whose name is the symbol `sym`, in document
    /// order, found by one pass over the attributes (one list, read in order) instead of a
    /// lookup at every element: for attributes few elements carry.
    pub fn elements_with_attr(&self, sym: u32) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .attrs
            .iter()
            .filter(|a| a.name == sym)
            .map(|a| {
                // No node starts inside a start tag: the attribute's element is the last
                // node that starts before its name.
                let i = self.nodes.partition_point(|n| n.start < a.name_start) - 1;
                NodeId(i as u32)
            })
            .collect();
        // An element has an attribute once (the parser refuses duplicates).
        debug_assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        out.dedup();
        out
    }

    /// Raw (escaped) value of an attribute.
    pub fn attr_raw(&self, id: NodeId, name: &str) -> Option<&str> {
        let n = self.node(id);
        if n.kind != NodeKind::Element {
            return None;
        }
        // Names first: a value is sliced out of the text only for the attribute found.
        self.attrs[n.first_attr as usize..n.first_attr as usize + n.n_attrs as usize]
            .iter()
            .find(|a| &*self.names[a.name as usize] == name)
            .map(|a| &self.text[a.value_start as usize..a.value_end as usize])
    }

    /// Decoded value of an attribute.
    pub fn attr(&self, id: NodeId, name: &str) -> Option<Cow<'_, str>> {
        self.attr_raw(id, name).map(unescape_lossy)
    }

    /// Byte span of an attribute's raw value (between the quotes).
    pub fn attr_value_span(&self, id: NodeId, name: &str) -> Option<std::ops::Range<usize>> {
        let n = self.node(id);
        self.attrs[n.first_attr as usize..n.first_attr as usize + n.n_attrs as usize]
            .iter()
            .find(|a| &*self.names[a.name as usize] == name)
            .map(|a| a.value_start as usize..a.value_end as usize)
    }

    /// Byte offset where an attribute's name starts.
    pub fn attr_name_start(&self, id: NodeId, name: &str) -> Option<usize> {
        let n = self.node(id);
        self.attrs[n.first_attr as usize..n.first_attr as usize + n.n_attrs as usize]
            .iter()
            .find(|a| &*self.names[a.name as usize] == name)
            .map(|a| a.name_start as usize)
    }

    /// The decoded text of an element: its content with references resolved and CDATA
    /// sections unwrapped; markup of child elements is skipped.
    pub fn text_of(&self, id: NodeId) -> Cow<'_, str> {
        let n = self.node(id);
        if n.kind == NodeKind::CData {
            return Cow::Borrowed(cdata_content(self.raw(id)));
        }
        if n.first_child == NONE {
            return unescape_lossy(self.raw_content(id));
        }
        let mut out = String::new();
        let mut pos = n.stag_end as usize;
        for c in self.children(id) {
            let span = self.span(c);
            out.push_str(&unescape_lossy(&self.text[pos..span.start]));
            if self.kind(c) == NodeKind::CData {
                out.push_str(cdata_content(self.raw(c)));
            }
            pos = span.end;
        }
        out.push_str(&unescape_lossy(&self.text[pos..n.etag_start as usize]));
        Cow::Owned(out)
    }

    /// Text of the first child element named `name`, trimmed.
    pub fn child_text(&self, id: NodeId, name: &str) -> Option<Cow<'_, str>> {
        self.child(id, name).map(|c| match self.text_of(c) {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        })
    }

    /// The whitespace that precedes a node on its line, if the node starts a line
    /// (its indentation), used to write new nodes in the file's own style.
    pub fn indentation(&self, id: NodeId) -> Option<&str> {
        let start = self.node(id).start as usize;
        let before = &self.text[..start];
        // A lone CR ends a line as well as LF does.
        let line_start = memchr::memrchr2(b'\n', b'\r', before.as_bytes()).map_or(0, |i| i + 1);
        let indent = &before[line_start..];
        indent
            .bytes()
            .all(|b| b == b' ' || b == b'\t')
            .then_some(indent)
    }

    /// 1-based line:column of a node's start: in the file the document was projected from,
    /// when it was (the element's own place, else that of the element it is in).
    pub fn position(&self, id: NodeId) -> (u32, u32) {
        let start = self.node(id).start;
        match &self.source_positions {
            Some(places) => {
                let at = places.partition_point(|p| p.offset <= start);
                places
                    .get(at.wrapping_sub(1))
                    .map_or((1, 1), |p| (p.line, p.column))
            }
            None => line_column(&self.text, start as usize),
        }
    }

    /// The document, its positions read from another file: `positions` gives, in the order
    /// of their offsets, where the elements written from that file start in each.
    pub fn with_source_positions(mut self, positions: Vec<SourcePosition>) -> Document {
        debug_assert!(positions.is_sorted_by_key(|p| p.offset));
        self.source_positions = Some(positions.into_boxed_slice());
        self
    }

    /// Whether positions are in another file (see [`Document::with_source_positions`]).
    pub fn is_projected(&self) -> bool {
        self.source_positions.is_some()
    }

    /// The text of element `id` with its layout indentation moved `delta` spaces, and the
    /// nodes `replace` names written as the text it gives (see the `write` module). A line
    /// indented less than `-delta` gets its depth's indentation instead.
    pub fn reindented(
        &self,
        id: NodeId,
        delta: isize,
        replace: &dyn Fn(NodeId) -> Option<String>,
    ) -> String {
        write::reindented(self, id, delta, replace)
    }

    /// Writes the document back; without reordering this reproduces the input byte for byte.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        write::write(self, out, &write::NoReorder);
    }

    /// Writes the document, letting `reorder` permute the children of any element.
    pub fn write_reordered(&self, out: &mut Vec<u8>, reorder: &dyn Reorder) {
        write::write(self, out, reorder);
    }
}

/// Iterator over a node's children.
pub struct Children<'a> {
    doc: &'a Document,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let id = NodeId(self.next);
        self.next = self.doc.nodes[self.next as usize].next_sibling;
        Some(id)
    }
}

fn cdata_content(raw: &str) -> &str {
    raw.strip_prefix("<![CDATA[")
        .and_then(|s| s.strip_suffix("]]>"))
        .unwrap_or(raw)
}

/// Resolves the predefined entities and character references. The parser has already
/// rejected anything else, so a failure here cannot happen for parsed text; keep the raw
/// text in that case rather than panic.
pub fn unescape_lossy(raw: &str) -> Cow<'_, str> {
    if !raw.as_bytes().contains(&b'&') {
        return Cow::Borrowed(raw);
    }
    quick_xml::escape::unescape(raw).unwrap_or(Cow::Borrowed(raw))
}

/// Escapes text for an attribute value written between double quotes.
pub fn escape_attr(value: &str) -> Cow<'_, str> {
    let escaped = quick_xml::escape::escape(value);
    // Line breaks and tabs in a value survive only as character references: written raw,
    // a parser normalizes them to spaces.
    if escaped.contains(['\n', '\r', '\t']) {
        Cow::Owned(
            escaped
                .replace('\r', "&#13;")
                .replace('\n', "&#10;")
                .replace('\t', "&#9;"),
        )
    } else {
        escaped
    }
}

/// Escapes element text (`<`, `>`, `&`).
pub fn escape_text(value: &str) -> Cow<'_, str> {
    quick_xml::escape::partial_escape(value)
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("bytes", &self.text.len())
            .field("nodes", &self.nodes.len())
            .field("root", &self.root().map(|r| self.name(r)))
            .finish()
    }
}

#[cfg(test)]
mod tests;
