//! Text facts the oracles judge by, worked out here rather than asked of soltree (an oracle
//! that uses the code under test agrees with its bugs): which encoding a file is in (by byte
//! order mark, else by the XML spec's Appendix F autodetection, so BOM-less UTF-16 is
//! recognised), what its XML declaration says and whether that is true, its newline style,
//! characters XML 1.0 forbids, conflict marker lines, and whether a file is well-formed XML
//! or valid JSON.

use soltree::xml::{Document, NodeId};

/// How a file's characters are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8 { bom: bool },
    Utf16 { little_endian: bool, bom: bool },
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 { bom: false } => "utf-8",
            Encoding::Utf8 { bom: true } => "utf-8+bom",
            Encoding::Utf16 {
                little_endian: true,
                bom: true,
            } => "utf-16le+bom",
            Encoding::Utf16 {
                little_endian: false,
                bom: true,
            } => "utf-16be+bom",
            Encoding::Utf16 {
                little_endian: true,
                bom: false,
            } => "utf-16le-no-bom",
            Encoding::Utf16 {
                little_endian: false,
                bom: false,
            } => "utf-16be-no-bom",
        }
    }
}

/// The encoding the bytes are in: a byte order mark decides; without one, a NUL in every
/// other byte of an ASCII start (`<\0?\0`, `{\0`) means BOM-less UTF-16.
pub fn detect(data: &[u8]) -> Encoding {
    let ascii = |b: u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    match data {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8 { bom: true },
        [0xFF, 0xFE, ..] => Encoding::Utf16 {
            little_endian: true,
            bom: true,
        },
        [0xFE, 0xFF, ..] => Encoding::Utf16 {
            little_endian: false,
            bom: true,
        },
        [a, 0, b, 0, ..] if ascii(*a) && ascii(*b) => Encoding::Utf16 {
            little_endian: true,
            bom: false,
        },
        [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => Encoding::Utf16 {
            little_endian: false,
            bom: false,
        },
        _ => Encoding::Utf8 { bom: false },
    }
}

/// The encoding as soltree's parser is told it (how the text it parses was stored).
pub fn stored(enc: Encoding) -> soltree::input::TextEncoding {
    match enc {
        Encoding::Utf8 { bom } => soltree::input::TextEncoding::Utf8 { bom },
        Encoding::Utf16 { little_endian, .. } => {
            soltree::input::TextEncoding::Utf16 { little_endian }
        }
    }
}

/// `text` without the XML declaration that opens it (its `encoding` says how the bytes
/// were stored, which is layout).
fn without_declaration(text: &str) -> &str {
    match text
        .strip_prefix("<?xml")
        .and_then(|r| r.find("?>").map(|i| &r[i + 2..]))
    {
        Some(rest) => rest,
        None => text,
    }
}

/// Decodes by [`detect`]: the text without its byte order mark, or `None` when the bytes are
/// not valid in the encoding they appear to be in.
pub fn decode(data: &[u8]) -> Option<(String, Encoding)> {
    let enc = detect(data);
    let text = match enc {
        Encoding::Utf8 { bom } => {
            let body = if bom { &data[3..] } else { data };
            std::str::from_utf8(body).ok()?.to_string()
        }
        Encoding::Utf16 { little_endian, bom } => {
            let body = if bom { &data[2..] } else { data };
            if body.len() % 2 != 0 {
                return None;
            }
            let units = body.chunks_exact(2).map(|c| {
                if little_endian {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()?
        }
    };
    Some((text, enc))
}

/// The inverse of [`decode`].
pub fn encode(text: &str, enc: Encoding) -> Vec<u8> {
    match enc {
        Encoding::Utf8 { bom } => {
            let mut out = Vec::with_capacity(text.len() + 3);
            if bom {
                out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            }
            out.extend_from_slice(text.as_bytes());
            out
        }
        Encoding::Utf16 { little_endian, bom } => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            let mut push = |u: u16| {
                out.extend_from_slice(&if little_endian {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                })
            };
            if bom {
                push(0xFEFF);
            }
            for u in text.encode_utf16() {
                push(u);
            }
            out
        }
    }
}

/// What a file's line breaks are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Newlines {
    None,
    Lf,
    CrLf,
    Cr,
    Mixed,
}

impl Newlines {
    pub fn of(text: &str) -> Newlines {
        let b = text.as_bytes();
        let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    crlf += 1;
                    i += 1;
                }
                b'\r' => cr += 1,
                b'\n' => lf += 1,
                _ => {}
            }
            i += 1;
        }
        match (lf > 0, crlf > 0, cr > 0) {
            (false, false, false) => Newlines::None,
            (true, false, false) => Newlines::Lf,
            (false, true, false) => Newlines::CrLf,
            (false, false, true) => Newlines::Cr,
            _ => Newlines::Mixed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Newlines::Lf | Newlines::None | Newlines::Mixed => "\n",
            Newlines::CrLf => "\r\n",
            Newlines::Cr => "\r",
        }
    }
}

/// Whether a character may appear in an XML 1.0 document (the `Char` production).
fn xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// The first character XML 1.0 forbids, raw or as a character reference (outside comments,
/// CDATA sections and processing instructions, where a reference is only text): its byte
/// offset and code point.
pub fn illegal_xml_char(text: &str) -> Option<(usize, u32)> {
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| !xml_char(c as u32)) {
        return Some((i, c as u32));
    }
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr_any(b, i) {
        let rest = &text[at..];
        let skip_to = |end: &str| rest.find(end).map_or(b.len(), |e| at + e + end.len());
        if rest.starts_with("<!--") {
            i = skip_to("-->");
        } else if rest.starts_with("<![CDATA[") {
            i = skip_to("]]>");
        } else if rest.starts_with("<?") {
            i = skip_to("?>");
        } else if let Some(reference) = rest.strip_prefix("&#") {
            let end = reference.find(';').unwrap_or(0);
            let digits = &reference[..end];
            let value = match digits.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => digits.parse::<u32>().ok(),
            };
            if let Some(v) = value
                && !xml_char(v)
            {
                return Some((at, v));
            }
            i = at + 2;
        } else {
            i = at + 1;
        }
    }
    None
}

/// Next `<` or `&` at or after `from`.
fn memchr_any(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == b'<' || c == b'&')
        .map(|p| from + p)
}

/// The `encoding` of a leading `<?xml …?>` declaration, lower-cased.
pub fn declared_encoding(text: &str) -> Option<String> {
    let decl = text.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_ascii_lowercase())
}

/// Whether a declaration tells the truth about the bytes: `Ok(())`, `Err` with what it
/// says against what they are, or `Ok` as well for encodings this harness does not know.
pub fn declaration_truthful(text: &str, enc: Encoding) -> Result<(), String> {
    let utf16 = matches!(enc, Encoding::Utf16 { .. });
    let ok = match declared_encoding(text).as_deref() {
        // Without a declaration, only UTF-8, or UTF-16 announced by its byte order mark.
        None => !matches!(enc, Encoding::Utf16 { bom: false, .. }),
        Some("utf-8" | "utf8") => !utf16,
        Some("utf-16" | "utf16" | "unicode") => utf16,
        Some("utf-16le") => matches!(
            enc,
            Encoding::Utf16 {
                little_endian: true,
                ..
            }
        ),
        Some("utf-16be") => matches!(
            enc,
            Encoding::Utf16 {
                little_endian: false,
                ..
            }
        ),
        Some(
            "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "iso-8859-15" | "windows-1252"
            | "cp1252",
        ) => !utf16 && !matches!(enc, Encoding::Utf8 { bom: true }) && text.is_ascii(),
        // Any other encoding is not how a UTF-8 or UTF-16 file is stored.
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "declares {}, is {}",
            declared_encoding(text).unwrap_or_else(|| "nothing".into()),
            enc.name()
        ))
    }
}

/// Lines that are git conflict markers opening or closing a region (`<<<<<<<`, `>>>>>>>`,
/// seven or more, then the end of the line or a space).
pub fn has_marker_lines(text: &str) -> bool {
    marker_sizes(text).next().is_some()
}

/// The sizes of the opening markers (`<<<<<<<…`) in a text.
pub fn marker_sizes(text: &str) -> impl Iterator<Item = (u8, usize)> + '_ {
    text.split(['\n', '\r']).filter_map(|line| {
        let first = *line.as_bytes().first()?;
        if first != b'<' && first != b'>' {
            return None;
        }
        let n = line.bytes().take_while(|&b| b == first).count();
        let rest = &line[n..];
        (n >= 7 && (rest.is_empty() || rest.starts_with(' '))).then_some((first, n))
    })
}

/// What the XML oracles need to know of a well-formed file.
#[derive(Clone, Debug)]
pub struct XmlFacts {
    pub encoding: Encoding,
    /// An element with `xsi:nil="true"` that still has content.
    pub nil_with_content: Option<String>,
}

/// Whether `data` is well-formed XML (decoded by [`decode`], parsed by soltree's lossless
/// parser, no forbidden characters, a truthful declaration); `Err` says why not, in a few
/// words that make a finding's shape.
pub fn xml_facts(data: &[u8]) -> Result<XmlFacts, String> {
    let (text, encoding) = decode(data).ok_or("undecodable bytes")?;
    if text.starts_with('\u{feff}') {
        return Err("a second byte order mark".into());
    }
    if let Some((_, c)) = illegal_xml_char(&text) {
        return Err(format!("forbidden character U+{c:04X}"));
    }
    declaration_truthful(&text, encoding)?;
    let doc = Document::parse_stored(text, "fuzz", stored(encoding))
        .map_err(|e| format!("not well-formed: {}", e.message))?;
    let root = doc.root().ok_or("no root element")?;
    Ok(XmlFacts {
        encoding,
        nil_with_content: nil_with_content(&doc, root),
    })
}

/// The first element marked `xsi:nil="true"` that has content (XML Schema forbids it).
fn nil_with_content(doc: &Document, root: NodeId) -> Option<String> {
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        let nil = doc
            .attributes(e)
            .any(|(k, v)| k.ends_with(":nil") && matches!(v.trim(), "true" | "1"));
        if nil && (doc.elements(e).next().is_some() || !doc.raw_content(e).trim().is_empty()) {
            return Some(doc.raw(e).chars().take(200).collect());
        }
        stack.extend(doc.elements(e));
    }
    None
}

/// What the JSON oracles need to know of a valid JSON file.
#[derive(Clone, Debug)]
pub struct JsonFacts {
    pub encoding: Encoding,
}

/// Whether `data` is one valid JSON text (decoded by [`decode`]).
pub fn json_facts(data: &[u8]) -> Result<JsonFacts, String> {
    let (text, encoding) = decode(data).ok_or("undecodable bytes")?;
    serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
        let msg = e.to_string();
        // The position varies; the kind of error is the shape.
        let kind = msg.split(" at line").next().unwrap_or(&msg).to_string();
        format!("invalid JSON: {kind}")
    })?;
    Ok(JsonFacts { encoding })
}

/// A file's content with its layout taken out, to tell a change of meaning from a change
/// of layout: XML as a canonical tree (attributes sorted, values unescaped, text trimmed,
/// whitespace between elements, the declaration and the byte order mark dropped); JSON as a
/// value (member order does not count); other text with newlines normalized. `None` when
/// the bytes do not decode.
pub fn canonical(data: &[u8]) -> Option<String> {
    let (text, encoding) = decode(data)?;
    let text = text
        .trim_start_matches('\u{feff}')
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    match Format::sniff(text.as_bytes()) {
        // The declaration is layout (it only says how the bytes are stored), true or not.
        Format::Xml => match Document::parse_stored(
            without_declaration(&text).to_string(),
            "canonical",
            stored(encoding),
        ) {
            Ok(doc) => {
                let mut out = String::new();
                if let Some(root) = doc.root() {
                    canonical_element(&doc, root, &mut out);
                }
                Some(out)
            }
            Err(_) => Some(without_declaration(&text).to_string()),
        },
        Format::Json => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(v) => Some(sorted_json(&v)),
            Err(_) => Some(text),
        },
        Format::Other => Some(text),
    }
}

fn canonical_element(doc: &Document, e: NodeId, out: &mut String) {
    use soltree::xml::{NodeKind, unescape_lossy};
    out.push('<');
    out.push_str(doc.name(e));
    let mut attrs: Vec<(&str, String)> = doc
        .attributes(e)
        .map(|(k, v)| (k, unescape_lossy(v).into_owned()))
        .collect();
    attrs.sort();
    for (k, v) in attrs {
        out.push_str(&format!(" {k}={v:?}"));
    }
    out.push('>');
    let text = doc.text();
    let content = doc.content_span(e);
    let mut pos = content.start;
    let gap = |from: usize, to: usize, out: &mut String| {
        let t = unescape_lossy(&text[from..to]);
        let t = t.trim();
        if !t.is_empty() {
            out.push_str(&format!("{t:?}"));
        }
    };
    for c in doc.children(e) {
        let span = doc.span(c);
        gap(pos, span.start, out);
        match doc.kind(c) {
            NodeKind::Element => canonical_element(doc, c, out),
            NodeKind::CData => out.push_str(&format!("{:?}", doc.text_of(c))),
            _ => out.push_str(doc.raw(c)),
        }
        pos = span.end;
    }
    gap(pos, content.end, out);
    out.push_str("</>");
}

/// A JSON value written with object members sorted.
fn sorted_json(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => {
            let mut members: Vec<(&String, String)> =
                map.iter().map(|(k, v)| (k, sorted_json(v))).collect();
            members.sort();
            let inner: Vec<String> = members.iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(sorted_json).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// The first line break of another style than `style`, with some text around it.
pub fn odd_newline(text: &str, style: Newlines) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let (kind, len) = match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => (Newlines::CrLf, 2),
            b'\r' => (Newlines::Cr, 1),
            b'\n' => (Newlines::Lf, 1),
            _ => {
                i += 1;
                continue;
            }
        };
        if kind != style {
            let mut from = i.saturating_sub(80);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (i + 40).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            return Some(format!("{kind:?} at byte {i}: {:?}", &text[from..to]));
        }
        i += len;
    }
    None
}

/// The broad kind of a file, by its first character after a byte order mark and blanks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
    Other,
}

impl Format {
    pub fn sniff(data: &[u8]) -> Format {
        let Some((text, _)) = decode(data) else {
            return Format::Other;
        };
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('<') => Format::Xml,
            Some('{' | '[') => Format::Json,
            _ => Format::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_bom_is_recognised() {
        let bytes = encode(
            "<?xml version=\"1.0\"?><a/>",
            Encoding::Utf16 {
                little_endian: true,
                bom: false,
            },
        );
        let (text, enc) = decode(&bytes).unwrap();
        assert_eq!(text, "<?xml version=\"1.0\"?><a/>");
        assert_eq!(enc.name(), "utf-16le-no-bom");
    }

    #[test]
    fn declarations_are_checked_against_the_bytes() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>";
        assert!(declaration_truthful(text, Encoding::Utf8 { bom: true }).is_err());
        let le = Encoding::Utf16 {
            little_endian: true,
            bom: true,
        };
        assert!(declaration_truthful(text, le).is_ok());
    }

    #[test]
    fn forbidden_characters_raw_and_referenced() {
        assert_eq!(illegal_xml_char("<a>x\u{1}</a>"), Some((4, 1)));
        assert_eq!(illegal_xml_char("<a b=\"&#0;\"/>"), Some((6, 0)));
        assert_eq!(illegal_xml_char("<a><!-- &#0; --></a>"), None);
        assert_eq!(illegal_xml_char("<a>&#x9;&#10;</a>"), None);
    }

    #[test]
    fn newline_styles() {
        assert_eq!(Newlines::of("a\r\nb\r\n"), Newlines::CrLf);
        assert_eq!(Newlines::of("a\rb\r"), Newlines::Cr);
        assert_eq!(Newlines::of("a\nb\r\n"), Newlines::Mixed);
    }

    #[test]
    fn marker_lines_need_seven_and_a_space() {
        assert!(has_marker_lines("a\n<<<<<<< ours\nb\n"));
        assert!(!has_marker_lines("a\n<<<<<< ours\n"));
        assert!(!has_marker_lines("<<<<<<<<x\n"));
    }
}
