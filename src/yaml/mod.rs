//! YAML layer: a lossless tree of one YAML file of the Dataverse Git integration layout, beside
//! the XML layer and on the same terms — parse, then write, gives back every byte.
//!
//! The boundary type is [`Document`]: a [`Node`] tree (mappings with their keys in order,
//! sequences, scalars) plus the file's [`Style`] (newline, final newline, indentation unit,
//! how sequences sit under their key). Dataverse's serializer writes a small block-style
//! subset of YAML, and this layer reads exactly that subset; everything else (comments,
//! anchors, tags, flow collections, document markers, blank lines, …) is refused with a
//! located [`YamlError`], so a caller can fall back to treating the file as text. Because the
//! subset is small, the writer does not copy the input: it writes the tree again in the
//! file's style, and reading a file succeeds only when that writes back the same bytes. So a
//! tree that was edited, or built in memory, is written the way Dataverse would write it.
//!
//! Every scalar is text. `1.0`, `1`, `False` and `true` are strings as written, and `key: `
//! (a null, with Dataverse's trailing space) is told apart from `key: ''` (the empty string),
//! because they project different XML (`<key />` against `<key></key>`). A scalar keeps its
//! quoting style, and a value over several lines keeps its source text until it is edited.
//!
//! The single-mapping/sequence collapse of the XML projection (Json.NET writes an element
//! that occurs once as a mapping and one that occurs several times as a sequence) is an API
//! here: [`Node::as_list`] presents either as a list, and [`Mapping::set_list`] writes a list
//! of one back collapsed, of several as a sequence, of none as no key.

mod parse;
pub mod project;
mod write;

use std::ops::Range;

/// A YAML file the layer refused: where, and what was found there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {found}")]
pub struct YamlError {
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset in the file's text.
    pub offset: u64,
    pub found: Unsupported,
}

/// What made a file fall outside the subset Dataverse writes (or not YAML at all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    #[error("a comment")]
    Comment,
    #[error("a document marker or directive (`---`, `...`, `%`)")]
    DocumentMarker,
    #[error("an anchor or alias (`&`, `*`)")]
    AnchorOrAlias,
    #[error("a tag (`!`)")]
    Tag,
    #[error("a flow collection (`[…]` or `{{…}}`)")]
    FlowCollection,
    #[error("a complex key (`?`)")]
    ComplexKey,
    #[error("a tab in indentation")]
    Tab,
    #[error("a blank line outside a block scalar")]
    BlankLine,
    #[error("white space at the end of a line")]
    TrailingWhiteSpace,
    #[error("a line break that is not the file's ({0})")]
    MixedNewlines(&'static str),
    #[error("a carriage return that ends no line")]
    BareCarriageReturn,
    #[error("indentation of {found} spaces where {expected} were expected")]
    Indentation { expected: usize, found: usize },
    #[error("a sequence written {found} its key where the file writes them {expected} it")]
    SequenceIndentation {
        expected: &'static str,
        found: &'static str,
    },
    #[error("a plain value continued on the next line")]
    MultiLinePlain,
    #[error("a double-quoted value over several lines")]
    MultiLineDoubleQuoted,
    #[error("a quoted value without its closing quote")]
    UnterminatedQuote,
    #[error("text after a closing quote")]
    TextAfterQuote,
    #[error("an unknown escape `\\{0}` in a double-quoted value")]
    BadEscape(String),
    #[error("`{0}` inside a plain value")]
    PlainIndicator(&'static str),
    #[error("a value where a key was expected")]
    ExpectedKey,
    #[error("a sequence item where a key was expected")]
    UnexpectedItem,
    #[error("more than one space after `{0}`")]
    ExtraSpace(&'static str),
    #[error("the key `{0}` a second time in one mapping")]
    DuplicateKey(String),
    #[error("a document that is not a mapping or a sequence")]
    RootScalar,
    #[error("a block scalar header `{0}` the layer does not read")]
    BlockHeader(String),
    /// A safety net: the parser's checks missed a form the writer does not give back.
    #[error("a form the writer would not give back as written")]
    NotWrittenBack,
}

/// How a scalar is written. Styles are what tells `key: ` (null) from `key: ''` (empty
/// text), and what makes an edited value come out written like the one it replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    /// `key: ` — nothing after the indicator but the space Dataverse leaves there.
    Null,
    /// `key:` — a null without that space (hand-written files).
    BareNull,
    Plain,
    /// `'text'`, a quote inside doubled.
    SingleQuoted,
    /// `"text"` with backslash escapes.
    DoubleQuoted,
    /// `|`: lines kept as they are.
    Literal,
    /// `>`: single line breaks read as spaces.
    Folded,
}

/// A scalar: its text (never a number or a boolean) and how it was, or is to be, written.
#[derive(Clone, Debug)]
pub struct Scalar {
    text: String,
    style: ScalarStyle,
    /// For a value written over several lines: its text as it stood in the file, from the
    /// first character after the indicator's space to the end of its last line (line break
    /// excluded), and the column of the key or `-` that owns it. Line folding is not
    /// recoverable from the text, so it is written from here while the text is unchanged
    /// and the value stays at that column.
    source: Option<(Box<str>, usize)>,
    span: Option<Range<usize>>,
}

impl Scalar {
    /// A value written the way Dataverse writes this text: plain where YAML allows,
    /// single-quoted otherwise, folded when it holds line breaks, double-quoted when it
    /// holds characters only escapes can write.
    pub fn new(text: impl Into<String>) -> Scalar {
        let text = text.into();
        let style = write::dataverse_style(&text);
        Scalar {
            text,
            style,
            source: None,
            span: None,
        }
    }

    /// A null, written `key: `.
    pub fn null() -> Scalar {
        Scalar {
            text: String::new(),
            style: ScalarStyle::Null,
            source: None,
            span: None,
        }
    }

    /// A value in a given style; a style that cannot hold the text (a plain value with
    /// `: ` inside, a null with text) is replaced by Dataverse's choice when written.
    pub fn with_style(text: impl Into<String>, style: ScalarStyle) -> Scalar {
        Scalar {
            text: text.into(),
            style,
            source: None,
            span: None,
        }
    }

    /// The value as text; empty for a null.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_null(&self) -> bool {
        matches!(self.style, ScalarStyle::Null | ScalarStyle::BareNull)
    }

    pub fn style(&self) -> ScalarStyle {
        self.style
    }

    /// Replaces the value, keeping its style where the style can hold the new text (a null
    /// given text becomes Dataverse's choice for it).
    pub fn set_text(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.source = None;
        if self.is_null() {
            self.style = write::dataverse_style(&self.text);
        }
    }

    /// Byte span of the value in the parsed file (`None` for a value built in memory).
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
}

/// Scalars compare by what they hold (text, and null or not), not by how they are written.
impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        self.is_null() == other.is_null() && self.text == other.text
    }
}

/// One `key: value` of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Scalar,
    pub value: Node,
}

/// A mapping, its keys in the order they were written (Dataverse writes XML document order).
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    pub entries: Vec<Entry>,
    span: Option<Range<usize>>,
}

impl PartialEq for Mapping {
    fn eq(&self, other: &Mapping) -> bool {
        self.entries == other.entries
    }
}

impl Mapping {
    pub fn new() -> Mapping {
        Mapping::default()
    }

    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|e| e.key.text == key)
            .map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key.text == key)
            .map(|e| &mut e.value)
    }

    /// The text of a key whose value is a scalar.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_scalar().map(Scalar::text)
    }

    /// The value of a key seen through the collapse: a sequence's items, or the single
    /// mapping or scalar as a list of one; empty when the key is absent.
    pub fn list(&self, key: &str) -> &[Node] {
        self.get(key).map_or(&[], Node::as_list)
    }

    /// Sets a key's value (in place when it exists, else appended), returning the old one.
    pub fn insert(&mut self, key: &str, value: Node) -> Option<Node> {
        if let Some(old) = self.get_mut(key) {
            return Some(std::mem::replace(old, value));
        }
        self.entries.push(Entry {
            key: Scalar::new(key),
            value,
        });
        None
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let at = self.entries.iter().position(|e| e.key.text == key)?;
        Some(self.entries.remove(at).value)
    }

    /// Writes a list under a key the way the projection does: no key for no items, the
    /// item itself for one (the collapse), a sequence for several.
    pub fn set_list(&mut self, key: &str, items: Vec<Node>) {
        match Node::collapse(items) {
            Some(node) => {
                self.insert(key, node);
            }
            None => {
                self.remove(key);
            }
        }
    }

    /// Byte span of the mapping in the parsed file.
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
}

/// A sequence: `- ` items, each a mapping, a scalar or (not in Dataverse files) a sequence.
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    pub items: Vec<Node>,
    span: Option<Range<usize>>,
}

impl PartialEq for Sequence {
    fn eq(&self, other: &Sequence) -> bool {
        self.items == other.items
    }
}

impl Sequence {
    pub fn new(items: Vec<Node>) -> Sequence {
        Sequence { items, span: None }
    }

    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }
}

/// A node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Mapping(Mapping),
    Sequence(Sequence),
    Scalar(Scalar),
}

impl Node {
    pub fn as_mapping(&self) -> Option<&Mapping> {
        match self {
            Node::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_mapping_mut(&mut self) -> Option<&mut Mapping> {
        match self {
            Node::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&Sequence> {
        match self {
            Node::Sequence(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The node seen through the collapse: a sequence's items, or anything else as a list
    /// of one (an element that occurs once is not a sequence in the projection).
    pub fn as_list(&self) -> &[Node] {
        match self {
            Node::Sequence(s) => &s.items,
            other => std::slice::from_ref(other),
        }
    }

    /// The node the projection writes for a list: none for no items, the item for one,
    /// a sequence for several.
    pub fn collapse(mut items: Vec<Node>) -> Option<Node> {
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Node::Sequence(Sequence::new(items))),
        }
    }

    /// Byte span of the node in the parsed file.
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Mapping(m) => m.span(),
            Node::Sequence(s) => s.span(),
            Node::Scalar(s) => s.span(),
        }
    }
}

/// Line breaks of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Newline {
    Lf,
    CrLf,
}

impl Newline {
    pub fn as_str(self) -> &'static str {
        match self {
            Newline::Lf => "\n",
            Newline::CrLf => "\r\n",
        }
    }
}

/// Where the `- ` of a sequence that is a key's value sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceIndent {
    /// At the key's own column (Dataverse).
    SameAsKey,
    /// One indentation unit deeper than the key.
    Indented,
}

impl SequenceIndent {
    fn describe(self) -> &'static str {
        match self {
            SequenceIndent::SameAsKey => "level with",
            SequenceIndent::Indented => "indented under",
        }
    }
}

/// The layout of one file: everything the writer needs beside the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    /// Whole-line comments and a `---` marker before the first key, as written, line breaks
    /// included (a file a person or a tool annotated: `# filepath: …`; Dataverse writes
    /// none). They are kept, not read: a comment anywhere else is refused.
    pub header: String,
    pub newline: Newline,
    /// Whether the last line ends with a line break.
    pub final_newline: bool,
    /// Empty lines after the last line (a file saved by an editor that adds one; Dataverse
    /// writes none).
    pub blank_lines_at_end: usize,
    pub bom: bool,
    /// Spaces per nesting level.
    pub indent: usize,
    pub sequences: SequenceIndent,
}

impl Style {
    /// How Dataverse writes its files: CRLF, a final line break, no BOM, two spaces,
    /// sequences level with their key.
    pub const DATAVERSE: Style = Style {
        header: String::new(),
        newline: Newline::CrLf,
        final_newline: true,
        blank_lines_at_end: 0,
        bom: false,
        indent: 2,
        sequences: SequenceIndent::SameAsKey,
    };
}

impl Default for Style {
    fn default() -> Style {
        Style::DATAVERSE
    }
}

/// One YAML file: its tree and its layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// `None` for an empty file.
    pub root: Option<Node>,
    pub style: Style,
}

impl Document {
    /// A document in Dataverse's style.
    pub fn new(root: Node) -> Document {
        Document {
            root: Some(root),
            style: Style::DATAVERSE,
        }
    }

    /// Reads `text` (the file named `file`, used in errors). Succeeds only for the subset
    /// the writer writes back byte for byte.
    pub fn parse(text: &str, file: &str) -> Result<Document, YamlError> {
        parse::parse(text, file)
    }

    /// The file's text, in its style.
    pub fn write(&self) -> String {
        write::write(self)
    }

    /// The root mapping, for the component files (every Dataverse file is one).
    pub fn mapping(&self) -> Option<&Mapping> {
        self.root.as_ref()?.as_mapping()
    }

    pub fn mapping_mut(&mut self) -> Option<&mut Mapping> {
        self.root.as_mut()?.as_mapping_mut()
    }
}

#[cfg(test)]
mod tests;
