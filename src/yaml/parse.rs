//! Reads the block-style YAML subset Dataverse writes into a [`Document`], line by line:
//! every line of the subset is a `key: value`, a `- ` item, or a line of a scalar written over
//! several lines, and indentation alone gives the nesting. The file's layout (newline,
//! indentation unit, where sequences sit) is learnt from its first use and then required
//! everywhere, so the writer can write the whole file from one [`Style`]; anything the writer
//! could not give back byte for byte is refused at the place it occurs.

use super::write;
use super::{
    Document, Entry, Mapping, Newline, Node, Scalar, ScalarStyle, Sequence, SequenceIndent, Style,
    Unsupported, YamlError,
};
use rustc_hash::FxHashSet;

/// One line: byte offsets of its start and of the end of its content (line break excluded).
struct Line {
    start: usize,
    end: usize,
}

struct Parser<'t> {
    text: &'t str,
    file: &'t str,
    lines: Vec<Line>,
    /// Spaces per level, once a nested block has shown it.
    unit: Option<usize>,
    /// Where sequences under a key sit, once one has shown it.
    sequences: Option<SequenceIndent>,
}

type Parsed<T> = Result<T, YamlError>;

pub(super) fn parse(text: &str, file: &str) -> Parsed<Document> {
    // Empty lines at the very end are layout (an editor's), unless they belong to a block
    // scalar that keeps them: only a file refused for them is read again without them.
    match parse_with(text, file, false) {
        Err(e) if e.found == Unsupported::BlankLine => parse_with(text, file, true).map_err(|_| e),
        other => other,
    }
}

fn parse_with(text: &str, file: &str, strip_blank_end: bool) -> Parsed<Document> {
    let bom = text.starts_with('\u{feff}');
    let body_start = if bom { 3 } else { 0 };
    let newline = match memchr::memchr(b'\n', text.as_bytes()) {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => Newline::CrLf,
        _ => Newline::Lf,
    };
    // Empty lines at the very end, kept in the style (and checked below).
    let whole = text;
    let nl = newline.as_str();
    let mut end = text.len();
    let mut blank_lines_at_end = 0;
    while strip_blank_end
        && end >= body_start + 2 * nl.len()
        && text[..end].ends_with(nl)
        && text[..end - nl.len()].ends_with(nl)
    {
        end -= nl.len();
        blank_lines_at_end += 1;
    }
    let text = &text[..end];
    let header_end = header_end(text, body_start);
    let mut p = Parser {
        text,
        file,
        lines: Vec::new(),
        unit: None,
        sequences: None,
    };
    p.split_lines(header_end, newline)?;
    let root = if p.lines.is_empty() {
        None
    } else {
        p.check_line(0)?;
        let indent = p.indent(0);
        if indent != 0 {
            return Err(p.error(
                0,
                indent,
                Unsupported::Indentation {
                    expected: 0,
                    found: indent,
                },
            ));
        }
        let (node, next) = p.block(0, 0)?;
        if next < p.lines.len() {
            p.check_line(next)?;
            let found = if p.is_item(next, 0) {
                Unsupported::UnexpectedItem
            } else {
                Unsupported::ExpectedKey
            };
            return Err(p.error(next, p.indent(next), found));
        }
        Some(node)
    };
    let style = Style {
        header: text[body_start..header_end].to_string(),
        newline,
        final_newline: text.len() == header_end || text.ends_with('\n'),
        blank_lines_at_end,
        bom,
        indent: p.unit.unwrap_or(2),
        sequences: p.sequences.unwrap_or(SequenceIndent::SameAsKey),
    };
    let doc = Document { root, style };
    // Reading succeeds only for what writes back byte for byte: the checks above are meant
    // to refuse everything else where it occurs, and this makes sure of it.
    let written = doc.write();
    let text = whole;
    if written != text {
        let mut at = written
            .bytes()
            .zip(text.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        return Err(p.error_at(at, Unsupported::NotWrittenBack));
    }
    Ok(doc)
}

/// Where the lines at the top of a file that are whole-line comments or a `---` marker end
/// (see [`Style::header`]); each ends with its line break.
fn header_end(text: &str, from: usize) -> usize {
    let mut at = from;
    while let Some(i) = memchr::memchr(b'\n', &text.as_bytes()[at..]) {
        let line = text[at..at + i].trim_end_matches('\r');
        if !(line.starts_with('#') || line == "---") {
            break;
        }
        at += i + 1;
    }
    at
}

/// Whether `s` begins a mapping entry: returns the key and the byte length up to and
/// including its `:`.
fn key_of(s: &str) -> Option<(Scalar, usize)> {
    let bytes = s.as_bytes();
    let (key, len) = match *bytes.first()? {
        b'\'' => {
            let (text, len) = single_quoted_line(s)?;
            (Scalar::with_style(text, ScalarStyle::SingleQuoted), len)
        }
        b'"' => {
            let (text, len) = double_quoted_line(s).ok()??;
            if write::render_double(&text) != s[..len] {
                return None;
            }
            (Scalar::with_style(text, ScalarStyle::DoubleQuoted), len)
        }
        b'[' | b'{' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'#' | b',' => {
            return None;
        }
        _ => {
            let at = colon_indicator(s)?;
            let key = &s[..at];
            if key.is_empty() || comment_start(key).is_some() || starts_with_indicator(key) {
                return None;
            }
            (Scalar::with_style(key, ScalarStyle::Plain), at)
        }
    };
    (s.as_bytes().get(len) == Some(&b':') && matches!(s.as_bytes().get(len + 1), None | Some(b' ')))
        .then_some((key, len + 1))
}

/// Where a `#` after white space starts a comment.
fn comment_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (1..b.len()).find(|&i| b[i] == b'#' && matches!(b[i - 1], b' ' | b'\t'))
}

/// The first `:` followed by a space or the end of the line.
fn colon_indicator(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| b[i] == b':' && matches!(b.get(i + 1), None | Some(b' ')))
}

/// `-`, `?` or `:` followed by a space (or nothing) opens a plain scalar only in YAML's
/// grammar for items, complex keys and values.
fn starts_with_indicator(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'-' | b'?' | b':')) && matches!(b.get(1), None | Some(b' '))
}

/// A single-quoted scalar closed on this line: its text and its length with the quotes.
fn single_quoted_line(s: &str) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|&(_, c)| c) == Some('\'') {
                chars.next();
                text.push('\'');
            } else {
                return Some((text, i + 1));
            }
        } else {
            text.push(c);
        }
    }
    None
}

/// A double-quoted scalar closed on this line (`Ok(None)` when it is not closed).
fn double_quoted_line(s: &str) -> Result<Option<(String, usize)>, (usize, Unsupported)> {
    let mut text = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok(Some((text, i + 1))),
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Ok(None);
                };
                let simple = match e {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(c) = simple {
                    text.push(c);
                    continue;
                }
                let digits = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => return Err((i, Unsupported::BadEscape(e.to_string()))),
                };
                let hex: String = (0..digits)
                    .filter_map(|_| chars.next().map(|p| p.1))
                    .collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) if hex.len() == digits => text.push(c),
                    _ => return Err((i, Unsupported::BadEscape(format!("{e}{hex}")))),
                }
            }
            c => text.push(c),
        }
    }
    Ok(None)
}

impl Parser<'_> {
    fn split_lines(&mut self, from: usize, newline: Newline) -> Parsed<()> {
        let bytes = self.text.as_bytes();
        let mut start = from;
        while start < bytes.len() {
            let (end, next) = match memchr::memchr(b'\n', &bytes[start..]) {
                Some(i) => (start + i, start + i + 1),
                None => (bytes.len(), bytes.len()),
            };
            let terminated = next > end;
            let content_end = match newline {
                Newline::CrLf if terminated => {
                    if end == start || bytes[end - 1] != b'\r' {
                        return Err(self.error_at(end, Unsupported::MixedNewlines("CRLF")));
                    }
                    end - 1
                }
                _ => end,
            };
            if let Some(i) = memchr::memchr(b'\r', &bytes[start..content_end]) {
                let found = if newline == Newline::Lf && start + i + 1 == end && terminated {
                    Unsupported::MixedNewlines("LF")
                } else {
                    Unsupported::BareCarriageReturn
                };
                return Err(self.error_at(start + i, found));
            }
            self.lines.push(Line {
                start,
                end: content_end,
            });
            start = next;
        }
        Ok(())
    }

    fn content(&self, i: usize) -> &str {
        &self.text[self.lines[i].start..self.lines[i].end]
    }

    fn indent(&self, i: usize) -> usize {
        self.content(i).bytes().take_while(|&b| b == b' ').count()
    }

    fn is_blank(&self, i: usize) -> bool {
        self.content(i).bytes().all(|b| b == b' ')
    }

    /// Whether line `i` holds a `-` item indicator at `col`.
    fn is_item(&self, i: usize, col: usize) -> bool {
        let rest = &self.content(i)[col.min(self.content(i).len())..];
        rest == "-" || rest.starts_with("- ")
    }

    fn error_at(&self, offset: usize, found: Unsupported) -> YamlError {
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        YamlError {
            file: self.file.to_string(),
            line: before.matches('\n').count() as u32 + 1,
            column: before[line_start..].chars().count() as u32 + 1,
            offset: offset as u64,
            found,
        }
    }

    fn error(&self, i: usize, col: usize, found: Unsupported) -> YamlError {
        self.error_at(self.lines[i].start + col, found)
    }

    /// What every line of structure (not a scalar's continuation) must be.
    fn check_line(&self, i: usize) -> Parsed<()> {
        let line = self.content(i);
        if self.is_blank(i) {
            return Err(self.error(i, 0, Unsupported::BlankLine));
        }
        let indent = self.indent(i);
        let rest = &line[indent..];
        if rest.starts_with('\t') {
            return Err(self.error(i, indent, Unsupported::Tab));
        }
        if rest.starts_with('#') {
            return Err(self.error(i, indent, Unsupported::Comment));
        }
        if indent == 0
            && (line.starts_with("---") || line.starts_with("...") || line.starts_with('%'))
        {
            return Err(self.error(i, 0, Unsupported::DocumentMarker));
        }
        Ok(())
    }

    /// The indentation unit a nested block at `col` under an owner at `owner` shows.
    fn check_unit(&mut self, i: usize, owner: usize, col: usize) -> Parsed<()> {
        let step = col - owner;
        match self.unit {
            None => self.unit = Some(step),
            Some(unit) if unit == step => {}
            Some(unit) => {
                return Err(self.error(
                    i,
                    col,
                    Unsupported::Indentation {
                        expected: owner + unit,
                        found: col,
                    },
                ));
            }
        }
        Ok(())
    }

    fn check_sequences(&mut self, i: usize, col: usize, found: SequenceIndent) -> Parsed<()> {
        match self.sequences {
            None => self.sequences = Some(found),
            Some(expected) if expected == found => {}
            Some(expected) => {
                return Err(self.error(
                    i,
                    col,
                    Unsupported::SequenceIndentation {
                        expected: expected.describe(),
                        found: found.describe(),
                    },
                ));
            }
        }
        Ok(())
    }

    /// A mapping or sequence starting at line `i`, column `col` (which may follow a `- ` on
    /// that line). Returns the node and the first line after it.
    fn block(&mut self, i: usize, col: usize) -> Parsed<(Node, usize)> {
        if self.is_item(i, col) {
            return self.sequence(i, col);
        }
        if key_of(&self.content(i)[col..]).is_some() {
            return self.mapping(i, col);
        }
        // Not a key: report what the value is (a flow collection, a comment, …).
        match self.scalar(i, col, col)? {
            (Node::Scalar(_), _) => Err(self.error(i, col, Unsupported::RootScalar)),
            other => Ok(other),
        }
    }

    fn mapping(&mut self, first: usize, col: usize) -> Parsed<(Node, usize)> {
        let mut entries = Vec::new();
        let mut seen = FxHashSet::default();
        let start = self.lines[first].start + col;
        let mut i = first;
        loop {
            let rest = &self.content(i)[col..];
            let Some((key, len)) = key_of(rest) else {
                let found = if self.is_item(i, col) {
                    Unsupported::UnexpectedItem
                } else {
                    self.scalar(i, col, col)?;
                    Unsupported::ExpectedKey
                };
                return Err(self.error(i, col, found));
            };
            if key.style() == ScalarStyle::Plain && key.text().ends_with([' ', '\t']) {
                return Err(self.error(i, col + key.text().len(), Unsupported::TrailingWhiteSpace));
            }
            if !seen.insert(key.text().to_string()) {
                return Err(self.error(i, col, Unsupported::DuplicateKey(key.text().to_string())));
            }
            let mut key = key;
            let key_start = self.lines[i].start + col;
            key.span = Some(key_start..key_start + len - 1);
            let (value, next) = self.value(i, col + len, col, true)?;
            entries.push(Entry { key, value });
            i = next;
            if !self.continues(i, col)? {
                break;
            }
        }
        let end = self.lines[i - 1].end;
        Ok((
            Node::Mapping(Mapping {
                entries,
                span: Some(start..end),
            }),
            i,
        ))
    }

    /// Whether the block at column `col` goes on at line `i`, after an entry or item that
    /// ended before it: not at the end of the file or on a shallower line; a deeper line is
    /// refused.
    fn continues(&self, i: usize, col: usize) -> Parsed<bool> {
        if i >= self.lines.len() {
            return Ok(false);
        }
        self.check_line(i)?;
        let indent = self.indent(i);
        if indent > col {
            return Err(self.error(
                i,
                indent,
                Unsupported::Indentation {
                    expected: col,
                    found: indent,
                },
            ));
        }
        Ok(indent == col)
    }

    fn sequence(&mut self, first: usize, col: usize) -> Parsed<(Node, usize)> {
        let mut items = Vec::new();
        let start = self.lines[first].start + col;
        let mut i = first;
        loop {
            let (item, next) = self.value(i, col + 1, col, false)?;
            items.push(item);
            i = next;
            if !self.continues(i, col)? || !self.is_item(i, col) {
                break;
            }
        }
        let end = self.lines[i - 1].end;
        Ok((
            Node::Sequence(Sequence {
                items,
                span: Some(start..end),
            }),
            i,
        ))
    }

    /// The value after a key's `:` or an item's `-` (at byte `at` of line `i`), owned by the
    /// key or dash at column `owner`.
    fn value(
        &mut self,
        i: usize,
        at: usize,
        owner: usize,
        after_key: bool,
    ) -> Parsed<(Node, usize)> {
        let rest = &self.content(i)[at..];
        let here = self.lines[i].start + at;
        if rest.is_empty() {
            let next = i + 1;
            if next < self.lines.len() && !self.is_blank(next) {
                let indent = self.indent(next);
                if after_key && indent > owner {
                    self.check_line(next)?;
                    self.check_unit(next, owner, indent)?;
                    if self.is_item(next, indent) {
                        self.check_sequences(next, indent, SequenceIndent::Indented)?;
                        return self.sequence(next, indent);
                    }
                    if key_of(&self.content(next)[indent..]).is_none() {
                        return Err(self.error(next, indent, Unsupported::MultiLinePlain));
                    }
                    return self.mapping(next, indent);
                }
                if after_key && indent == owner && self.is_item(next, owner) {
                    self.check_sequences(next, owner, SequenceIndent::SameAsKey)?;
                    return self.sequence(next, owner);
                }
            }
            let null = Scalar {
                span: Some(here..here),
                ..Scalar::with_style("", ScalarStyle::BareNull)
            };
            return Ok((Node::Scalar(null), i + 1));
        }
        if rest == " " {
            let null = Scalar {
                span: Some(here + 1..here + 1),
                ..Scalar::null()
            };
            return Ok((Node::Scalar(null), i + 1));
        }
        let indicator = if after_key { ":" } else { "-" };
        if rest.trim_end_matches(' ').is_empty() {
            return Err(self.error(i, at, Unsupported::TrailingWhiteSpace));
        }
        if rest.starts_with("  ") {
            return Err(self.error(i, at + 1, Unsupported::ExtraSpace(indicator)));
        }
        let at = at + 1;
        if !after_key {
            let s = &self.content(i)[at..];
            if self.is_item(i, at) {
                return self.sequence(i, at);
            }
            if key_of(s).is_some() {
                return self.mapping(i, at);
            }
        }
        self.scalar(i, at, owner)
    }

    /// A scalar (or an empty flow collection) starting at byte `at` of line `i`.
    fn scalar(&mut self, i: usize, at: usize, owner: usize) -> Parsed<(Node, usize)> {
        let s = &self.content(i)[at..];
        let here = self.lines[i].start + at;
        let fail = |p: &Self, off: usize, found| Err(p.error(i, at + off, found));
        match s.as_bytes()[0] {
            b'\'' => return self.single_quoted(i, at, owner),
            b'"' => {
                return match double_quoted_line(s) {
                    Err((off, found)) => fail(self, off, found),
                    Ok(None) => fail(self, 0, Unsupported::MultiLineDoubleQuoted),
                    Ok(Some((text, len))) => {
                        self.after_quote(i, at + len)?;
                        let raw = &s[..len];
                        let mut scalar = Scalar::with_style(text, ScalarStyle::DoubleQuoted);
                        if write::render_double(scalar.text()) != raw {
                            scalar.source = Some((raw.into(), owner));
                        }
                        scalar.span = Some(here..here + len);
                        self.plain_end(i + 1, owner)?;
                        Ok((Node::Scalar(scalar), i + 1))
                    }
                };
            }
            b'|' | b'>' => return self.block_scalar(i, at, owner),
            b'[' | b'{' => {
                let empty = match s {
                    "[]" => Node::Sequence(Sequence {
                        items: Vec::new(),
                        span: Some(here..here + 2),
                    }),
                    "{}" => Node::Mapping(Mapping {
                        entries: Vec::new(),
                        span: Some(here..here + 2),
                    }),
                    _ => return fail(self, 0, Unsupported::FlowCollection),
                };
                self.plain_end(i + 1, owner)?;
                return Ok((empty, i + 1));
            }
            b'&' | b'*' => return fail(self, 0, Unsupported::AnchorOrAlias),
            b'!' => return fail(self, 0, Unsupported::Tag),
            b'#' => return fail(self, 0, Unsupported::Comment),
            b'%' => return fail(self, 0, Unsupported::PlainIndicator("%")),
            b'@' => return fail(self, 0, Unsupported::PlainIndicator("@")),
            b'`' => return fail(self, 0, Unsupported::PlainIndicator("`")),
            b',' => return fail(self, 0, Unsupported::PlainIndicator(",")),
            _ => {}
        }
        if starts_with_indicator(s) {
            let found = match s.as_bytes()[0] {
                b'-' => Unsupported::UnexpectedItem,
                b'?' => Unsupported::ComplexKey,
                _ => Unsupported::PlainIndicator(":"),
            };
            return fail(self, 0, found);
        }
        if let Some(off) = s.find([' ', '\t']).and_then(|_| comment_start(s)) {
            return fail(self, off, Unsupported::Comment);
        }
        let b = s.as_bytes();
        if let Some(off) = (0..b.len())
            .find(|&i| b[i] == b':' && matches!(b.get(i + 1), None | Some(b' ' | b'\t')))
        {
            return fail(self, off, Unsupported::PlainIndicator(":"));
        }
        if s.ends_with([' ', '\t']) {
            return fail(self, s.trim_end().len(), Unsupported::TrailingWhiteSpace);
        }
        self.plain_end(i + 1, owner)?;
        let scalar = Scalar {
            span: Some(here..here + s.len()),
            ..Scalar::with_style(s, ScalarStyle::Plain)
        };
        Ok((Node::Scalar(scalar), i + 1))
    }

    /// After a one-line value, a deeper line would continue it: outside the subset.
    fn plain_end(&self, next: usize, owner: usize) -> Parsed<()> {
        if next < self.lines.len() && !self.is_blank(next) && self.indent(next) > owner {
            let indent = self.indent(next);
            return Err(self.error(next, indent, Unsupported::MultiLinePlain));
        }
        Ok(())
    }

    fn after_quote(&self, i: usize, at: usize) -> Parsed<()> {
        let rest = &self.content(i)[at..];
        if rest.is_empty() {
            Ok(())
        } else if rest.trim_end_matches(' ').is_empty() {
            Err(self.error(i, at, Unsupported::TrailingWhiteSpace))
        } else if rest.trim_start().starts_with('#') {
            Err(self.error(
                i,
                at + rest.len() - rest.trim_start().len(),
                Unsupported::Comment,
            ))
        } else {
            Err(self.error(i, at, Unsupported::TextAfterQuote))
        }
    }

    /// A single-quoted scalar, over several lines if need be (line breaks fold as YAML
    /// folds flow scalars: one break is a space, each blank line a line break).
    fn single_quoted(&mut self, first: usize, at: usize, owner: usize) -> Parsed<(Node, usize)> {
        let here = self.lines[first].start + at;
        let mut text = String::new();
        let mut i = first;
        let mut from = at + 1;
        loop {
            let line = self.content(i);
            let mut chars = line[from..].char_indices().peekable();
            let segment = text.len();
            let mut closed = None;
            while let Some((off, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().map(|&(_, c)| c) == Some('\'') {
                        chars.next();
                        text.push('\'');
                    } else {
                        closed = Some(from + off + 1);
                        break;
                    }
                } else {
                    text.push(c);
                }
            }
            if let Some(end) = closed {
                self.after_quote(i, end)?;
                let end_offset = self.lines[i].start + end;
                let mut scalar = Scalar::with_style(text, ScalarStyle::SingleQuoted);
                if i > first {
                    scalar.source = Some((self.text[here..end_offset].into(), owner));
                }
                scalar.span = Some(here..end_offset);
                self.plain_end(i + 1, owner)?;
                return Ok((Node::Scalar(scalar), i + 1));
            }
            // The line break folds: white space around it goes, blank lines count.
            let kept = text[segment..].trim_end_matches([' ', '\t']).len();
            text.truncate(segment + kept);
            let mut blanks = 0;
            i += 1;
            while i < self.lines.len() && self.content(i).trim_matches([' ', '\t']).is_empty() {
                blanks += 1;
                i += 1;
            }
            if i >= self.lines.len() || self.indent(i) <= owner {
                return Err(self.error(first, at, Unsupported::UnterminatedQuote));
            }
            if blanks == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', blanks));
            }
            from = self.content(i).len() - self.content(i).trim_start_matches([' ', '\t']).len();
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at byte `at` of line
    /// `first`.
    fn block_scalar(&mut self, first: usize, at: usize, owner: usize) -> Parsed<(Node, usize)> {
        let header = &self.content(first)[at..];
        let literal = header.starts_with('|');
        let mut chomp = ' ';
        let mut explicit = None;
        for c in header[1..].chars() {
            match c {
                '-' | '+' if chomp == ' ' => chomp = c,
                '1'..='9' if explicit.is_none() => explicit = c.to_digit(10).map(|d| d as usize),
                _ => {
                    return Err(self.error(
                        first,
                        at,
                        Unsupported::BlockHeader(header.to_string()),
                    ));
                }
            }
        }
        let mut i = first + 1;
        let indent = match explicit {
            Some(d) => owner + d,
            None => {
                let mut j = i;
                while j < self.lines.len() && self.is_blank(j) {
                    j += 1;
                }
                if j < self.lines.len() {
                    self.indent(j).max(owner + 1)
                } else {
                    owner + 1
                }
            }
        };
        let mut lines: Vec<&str> = Vec::new();
        while i < self.lines.len() {
            let line = self.content(i);
            if self.is_blank(i) && line.len() <= indent {
                lines.push("");
            } else if self.indent(i) >= indent {
                lines.push(&line[indent..]);
            } else {
                if line[self.indent(i)..].starts_with('\t') && self.indent(i) > owner {
                    return Err(self.error(i, self.indent(i), Unsupported::Tab));
                }
                break;
            }
            i += 1;
        }
        let trailing = lines.iter().rev().take_while(|l| l.is_empty()).count();
        let body = &lines[..lines.len() - trailing];
        let mut text = if literal { body.join("\n") } else { fold(body) };
        match (chomp, body.is_empty()) {
            ('-', _) => {}
            ('+', true) => text.extend(std::iter::repeat_n('\n', trailing)),
            ('+', false) => text.extend(std::iter::repeat_n('\n', trailing + 1)),
            (_, true) => {}
            (_, false) => text.push('\n'),
        }
        let here = self.lines[first].start + at;
        let end = self.lines[i - 1].end.max(here + header.len());
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        let mut scalar = Scalar::with_style(text, style);
        scalar.source = Some((self.text[here..end].into(), owner));
        scalar.span = Some(here..end);
        Ok((Node::Scalar(scalar), i))
    }
}

/// The folding of a folded block scalar's lines (trailing blank lines already taken off):
/// a single break between two lines of text is a space, each blank line between them a line
/// break, and breaks next to a more-indented line stay.
fn fold(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut previous_more_indented = None;
    let mut blanks = 0;
    for line in lines {
        if line.is_empty() {
            blanks += 1;
            continue;
        }
        let more_indented = line.starts_with([' ', '\t']);
        match previous_more_indented {
            None => out.extend(std::iter::repeat_n('\n', blanks)),
            Some(false) if !more_indented => {
                if blanks == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', blanks));
                }
            }
            Some(_) => out.extend(std::iter::repeat_n('\n', blanks + 1)),
        }
        out.push_str(line);
        previous_more_indented = Some(more_indented);
        blanks = 0;
    }
    out
}
