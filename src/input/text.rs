//! Text decoding for entries: bytes → `String` without copying, or an
//! [`InputError::InvalidUtf8`] that points at the first bad byte as `entry:line:column`, so the
//! user can open the file at the right place. The boundary is `Vec<u8>` in, `String` out.
//! Text parts that are not XML (flow definitions, scripts) may also be saved as UTF-16 with a
//! byte order mark; [`decode_text`] and [`encode_text`] carry such a file through a merge in
//! its own encoding.

use super::InputError;

/// Decodes `data` as UTF-8, reusing its buffer. A BOM is kept (it is part of the bytes and the
/// xml layer must reproduce it). On failure the error carries the 1-based line and column of
/// the first invalid byte, the column counted in characters after the last `\n`.
pub fn decode_utf8(entry_path: &str, data: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(data).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, column) = line_column(valid);
        InputError::InvalidUtf8 {
            entry: entry_path.to_string(),
            line,
            column,
        }
    })
}

/// How a text file's characters are stored, byte order mark included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8 { bom: bool },
    Utf16 { little_endian: bool },
}

impl TextEncoding {
    /// UTF-16 written without a byte order mark, told by the NUL pattern of its first four
    /// bytes (the XML spec's Appendix F: `<?` is `3C 00 3F 00` in UTF-16LE and `00 3C 00 3F`
    /// in UTF-16BE; the same pattern holds for any text starting with two ASCII characters,
    /// JSON's `{` and a newline included). UTF-8 text never starts that way. Such a file is
    /// refused rather than guessed at: XML requires the BOM of UTF-16 entities, and no tool
    /// of the platform writes UTF-16 without one.
    pub fn utf16_without_bom(data: &[u8]) -> Option<TextEncoding> {
        match data {
            [a, 0, b, 0, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => {
                Some(TextEncoding::Utf16 {
                    little_endian: true,
                })
            }
            [0, a, 0, b, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => {
                Some(TextEncoding::Utf16 {
                    little_endian: false,
                })
            }
            _ => None,
        }
    }

    /// The encoding a byte order mark announces: only UTF-16 is told by its BOM alone (UTF-8
    /// needs validating, see [`decode_text`]).
    pub fn utf16_bom(data: &[u8]) -> Option<TextEncoding> {
        match data {
            [0xFF, 0xFE, ..] => Some(TextEncoding::Utf16 {
                little_endian: true,
            }),
            [0xFE, 0xFF, ..] => Some(TextEncoding::Utf16 {
                little_endian: false,
            }),
            _ => None,
        }
    }
}

/// Decodes UTF-16 with a byte order mark, or UTF-8 with or without one. The text comes back
/// without the BOM; `None` when the bytes are neither (odd length, unpaired surrogate,
/// invalid UTF-8, UTF-16 without a BOM).
pub fn decode_text(data: &[u8]) -> Option<(String, TextEncoding)> {
    if let Some(enc @ TextEncoding::Utf16 { little_endian }) = TextEncoding::utf16_bom(data) {
        let text = decode_utf16(&data[2..], little_endian).ok()?;
        return Some((text, enc));
    }
    if TextEncoding::utf16_without_bom(data).is_some() {
        return None;
    }
    let text = std::str::from_utf8(data).ok()?;
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Some((rest.to_string(), TextEncoding::Utf8 { bom: true })),
        None => Some((text.to_string(), TextEncoding::Utf8 { bom: false })),
    }
}

/// UTF-16 code units to text; on failure, the byte offset of the first bad unit (an odd
/// trailing byte, or an unpaired surrogate).
fn decode_utf16(body: &[u8], little_endian: bool) -> Result<String, usize> {
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text = String::with_capacity(body.len() / 2 + body.len() / 8);
    let mut at = 0usize;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                text.push(c);
                at += 2 * c.len_utf16();
            }
            Err(_) => return Err(at),
        }
    }
    if body.len().is_multiple_of(2) {
        Ok(text)
    } else {
        Err(body.len() - 1)
    }
}

/// Decodes an XML entry for the xml layer: UTF-8 (with or without a BOM), or UTF-16 with a
/// BOM. The text keeps its BOM as U+FEFF in both cases (it is part of the entry, and the
/// xml layer reproduces it), so [`encode_xml`] with the returned encoding gives the bytes
/// back exactly. Errors name the entry: UTF-16 without a BOM, and invalid UTF-8 or UTF-16
/// with the line and column of the first bad character.
pub fn decode_xml(entry_path: &str, data: Vec<u8>) -> Result<(String, TextEncoding), InputError> {
    if let Some(enc @ TextEncoding::Utf16 { little_endian }) = TextEncoding::utf16_bom(&data) {
        return match decode_utf16(&data, little_endian) {
            Ok(text) => Ok((text, enc)),
            Err(at) => {
                let valid = decode_utf16(&data[..at - at % 2], little_endian).unwrap_or_default();
                let (line, column) = line_column(valid.as_bytes());
                Err(InputError::InvalidUtf16 {
                    entry: entry_path.to_string(),
                    line,
                    column,
                })
            }
        };
    }
    if TextEncoding::utf16_without_bom(&data).is_some() {
        return Err(InputError::Utf16WithoutBom {
            entry: entry_path.to_string(),
        });
    }
    let bom = data.starts_with(&[0xEF, 0xBB, 0xBF]);
    decode_utf8(entry_path, data).map(|text| (text, TextEncoding::Utf8 { bom }))
}

/// Writes text from [`decode_xml`] back in its encoding: the inverse of [`decode_xml`] (a
/// BOM is a character of the text, so it is not added here).
pub fn encode_xml(text: &str, encoding: TextEncoding) -> Vec<u8> {
    match encoding {
        TextEncoding::Utf8 { .. } => text.as_bytes().to_vec(),
        TextEncoding::Utf16 { little_endian } => {
            let mut out = Vec::with_capacity(text.len() * 2);
            for unit in text.encode_utf16() {
                out.extend_from_slice(&if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            out
        }
    }
}

/// A part's characters when it is text: UTF-8 (BOM optional) or UTF-16 with a BOM, and no
/// NUL character (git's own sign of a binary file). `None` means binary. The one test of
/// "binary" that diff, textconv and the package merge share.
pub fn part_text(data: &[u8]) -> Option<String> {
    decode_text(data)
        .map(|(text, _)| text)
        .filter(|text| !text.contains('\0'))
}

/// Whether [`part_text`] would give text, without copying a UTF-8 part.
pub fn is_text(data: &[u8]) -> bool {
    if TextEncoding::utf16_bom(data).is_some() {
        return part_text(data).is_some();
    }
    memchr::memchr(0, data).is_none() && std::str::from_utf8(data).is_ok()
}

/// The 1-based line of the first conflict marker in a text: a line that opens or closes a
/// conflict region (seven or more `<` or `>`, then the end of the line or a space and a
/// label), as git writes them at any marker size.
pub fn conflict_marker_line(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let at = [&b"<<<<<<<"[..], &b">>>>>>>"[..]]
        .iter()
        .filter_map(|marker| {
            memchr::memmem::find_iter(bytes, marker).find(|&at| {
                let line_start = at == 0 || bytes[at - 1] == b'\n';
                let after = bytes[at..].iter().find(|&&b| b != b'<' && b != b'>');
                line_start && after.is_none_or(|&b| b == b' ' || b == b'\r' || b == b'\n')
            })
        })
        .min()?;
    Some(memchr::memchr_iter(b'\n', &bytes[..at]).count() + 1)
}

/// Every conflict marker line of a text, 1-based, with the marker it is: what `check` lists
/// (one finding per conflict, at its opening marker, and one per stray closing marker).
/// A marker line is as in [`conflict_marker_line`]; `=======` and `|||||||` count only
/// between an opening and a closing marker.
pub fn conflict_marker_lines(text: &str) -> Vec<(usize, ConflictMarker)> {
    let mut out = Vec::new();
    // Nearly every file has none: one vectorized search each for the two markers that a
    // conflict cannot do without decides that.
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"<<<<<<<").is_none()
        && memchr::memmem::find(bytes, b">>>>>>>").is_none()
    {
        return out;
    }
    let mut open = false;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(c) = line
            .chars()
            .next()
            .filter(|c| matches!(c, '<' | '>' | '=' | '|'))
        else {
            continue;
        };
        let run = line.chars().take_while(|&x| x == c).count();
        let rest = &line[run..];
        if run < 7 || !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let marker = match c {
            '<' => {
                open = true;
                ConflictMarker::Open
            }
            '>' => {
                open = false;
                ConflictMarker::Close
            }
            '=' if open && rest.trim().is_empty() => ConflictMarker::Separator,
            '|' if open => ConflictMarker::Base,
            _ => continue,
        };
        out.push((i + 1, marker));
    }
    out
}

/// Which of git's conflict marker lines a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictMarker {
    /// `<<<<<<< ours`
    Open,
    /// `||||||| base` (diff3 style)
    Base,
    /// `=======`
    Separator,
    /// `>>>>>>> theirs`
    Close,
}

/// Whether a text is JSON by its first character (after a BOM and white space): an object
/// or an array. XML, the other structured format of a package, starts with `<`.
pub fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next(),
        Some('{' | '[')
    )
}

/// Writes text (without a BOM) in `encoding`, BOM included: the inverse of [`decode_text`].
pub fn encode_text(text: &str, encoding: TextEncoding) -> Vec<u8> {
    match encoding {
        TextEncoding::Utf8 { bom } => {
            let mut out = Vec::with_capacity(text.len() + 3);
            if bom {
                out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
            }
            out.extend_from_slice(text.as_bytes());
            out
        }
        TextEncoding::Utf16 { little_endian } => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            out.extend_from_slice(if little_endian {
                &[0xFF, 0xFE]
            } else {
                &[0xFE, 0xFF]
            });
            for unit in text.encode_utf16() {
                out.extend_from_slice(&if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            out
        }
    }
}

/// Line and column (1-based) of the position just after `valid`, which is valid UTF-8.
fn line_column(valid: &[u8]) -> (usize, usize) {
    let line = memchr::memchr_iter(b'\n', valid).count() + 1;
    let line_start = memchr::memrchr(b'\n', valid).map_or(0, |i| i + 1);
    // Counting non-continuation bytes counts characters in valid UTF-8 without re-validating.
    let chars = valid[line_start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count();
    (line, chars + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_in_every_encoding() {
        let text = "{\r\n  \"name\": \"Café ☕ 𝄞\"\r\n}";
        for enc in [
            TextEncoding::Utf8 { bom: false },
            TextEncoding::Utf8 { bom: true },
            TextEncoding::Utf16 {
                little_endian: true,
            },
            TextEncoding::Utf16 {
                little_endian: false,
            },
        ] {
            let bytes = encode_text(text, enc);
            assert_eq!(
                decode_text(&bytes),
                Some((text.to_string(), enc)),
                "{enc:?}"
            );
        }
        assert_eq!(
            encode_text(
                "a",
                TextEncoding::Utf16 {
                    little_endian: true
                }
            ),
            [0xFF, 0xFE, b'a', 0]
        );
    }

    #[test]
    fn binary_parts_are_told_from_text() {
        assert_eq!(part_text(b"var a = 1;\n").as_deref(), Some("var a = 1;\n"));
        let utf16 = encode_text(
            "{}",
            TextEncoding::Utf16 {
                little_endian: true,
            },
        );
        assert_eq!(
            part_text(&utf16).as_deref(),
            Some("{}"),
            "UTF-16 holds NUL bytes yet is text"
        );
        assert_eq!(part_text(b"\x89PNG\r\n\x1a\n\0\0"), None);
        assert_eq!(
            part_text(b"abc\0def"),
            None,
            "valid UTF-8 with a NUL is binary"
        );
    }

    #[test]
    fn broken_text_is_not_decoded() {
        assert_eq!(decode_text(&[0xFF, 0xFE, b'a']), None, "odd length");
        assert_eq!(
            decode_text(&[0xFF, 0xFE, 0x00, 0xD8]),
            None,
            "unpaired surrogate"
        );
        assert_eq!(decode_text(b"a\x80"), None, "invalid UTF-8");
    }

    fn err_at(data: &[u8]) -> (String, usize, usize) {
        match decode_utf8("WebResources/new_x.js", data.to_vec()) {
            Err(InputError::InvalidUtf8 {
                entry,
                line,
                column,
            }) => (entry, line, column),
            other => panic!("expected InvalidUtf8, got {other:?}"),
        }
    }

    #[test]
    fn valid_text_keeps_its_buffer() {
        let data = "\u{FEFF}<a>é</a>\r\n".as_bytes().to_vec();
        let ptr = data.as_ptr();
        let s = decode_utf8("a.xml", data).unwrap();
        assert_eq!(s, "\u{FEFF}<a>é</a>\r\n");
        assert_eq!(s.as_ptr(), ptr, "decode must not copy");
    }

    #[test]
    fn invalid_utf8_reports_line_and_column() {
        // Bad byte first thing in the file.
        assert_eq!(err_at(b"\xFFabc"), ("WebResources/new_x.js".into(), 1, 1));
        // Line 1, after 3 ASCII chars.
        assert_eq!(err_at(b"abc\xFF"), ("WebResources/new_x.js".into(), 1, 4));
        // Third line; multi-byte chars before the bad byte count once each.
        let mut data = "one\r\ntwo\nzé€\u{1F600}x".as_bytes().to_vec();
        data.extend_from_slice(&[0xC3, b'(']); // 0xC3 needs a continuation byte
        let (_, line, column) = err_at(&data);
        assert_eq!((line, column), (3, 6));
        // A truncated multi-byte sequence at the very end.
        assert_eq!(
            err_at(b"a\nb\xE2\x82"),
            ("WebResources/new_x.js".into(), 2, 2)
        );
    }

    #[test]
    fn error_message_names_entry_line_column() {
        let e = decode_utf8("customizations.xml", b"<a>\n\x80</a>".to_vec()).unwrap_err();
        assert_eq!(e.to_string(), "customizations.xml:2:1: invalid UTF-8");
    }

    #[test]
    fn xml_entries_decode_in_their_encoding_and_encode_back_exactly() {
        let text = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<a>é 𝄞</a>";
        for little_endian in [true, false] {
            let enc = TextEncoding::Utf16 { little_endian };
            let bytes = encode_xml(text, enc);
            assert_eq!(
                &bytes[..2],
                if little_endian {
                    [0xFF, 0xFE]
                } else {
                    [0xFE, 0xFF]
                }
            );
            let (decoded, got) = decode_xml("a.xml", bytes.clone()).unwrap();
            assert_eq!((decoded.as_str(), got), (text, enc));
            assert_eq!(encode_xml(&decoded, got), bytes);
        }
        let (decoded, enc) = decode_xml("a.xml", b"\xEF\xBB\xBF<a/>".to_vec()).unwrap();
        assert_eq!(
            (decoded.as_str(), enc),
            ("\u{feff}<a/>", TextEncoding::Utf8 { bom: true })
        );
    }

    #[test]
    fn utf16_without_a_bom_is_told_and_refused() {
        let le = encode_xml(
            "<?xml version=\"1.0\"?><a/>",
            TextEncoding::Utf16 {
                little_endian: true,
            },
        );
        let be = encode_xml(
            "{\n}",
            TextEncoding::Utf16 {
                little_endian: false,
            },
        );
        assert_eq!(
            TextEncoding::utf16_without_bom(&le),
            Some(TextEncoding::Utf16 {
                little_endian: true
            })
        );
        assert_eq!(
            TextEncoding::utf16_without_bom(&be),
            Some(TextEncoding::Utf16 {
                little_endian: false
            })
        );
        assert_eq!(TextEncoding::utf16_without_bom(b"<?xml"), None);
        assert_eq!(TextEncoding::utf16_without_bom(b"\x89PNG\0\0"), None);
        let e = decode_xml("Other/Solution.xml", le.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Other/Solution.xml: UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a BOM"
        );
        assert_eq!(decode_text(&le), None, "never read as UTF-8 with NULs");
        assert_eq!(part_text(&be), None);
    }

    #[test]
    fn broken_utf16_is_located() {
        let mut bytes = encode_xml(
            "\u{feff}<a>\n<b/>",
            TextEncoding::Utf16 {
                little_endian: true,
            },
        );
        bytes.extend_from_slice(&[0x00, 0xD8]); // an unpaired high surrogate
        let e = decode_xml("f.xml", bytes).unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.xml:2:5: invalid UTF-16 (an unpaired surrogate or a stray byte)"
        );
    }

    #[test]
    fn every_conflict_marker_line_is_listed_with_what_it_is() {
        use ConflictMarker::*;
        let text = "<a>\r\n<<<<<<<<< ours\r\n<b/>\r\n||||||||| base\r\n=========\r\n<c/>\r\n>>>>>>>>> theirs\r\n</a>";
        assert_eq!(
            conflict_marker_lines(text),
            vec![(2, Open), (4, Base), (5, Separator), (7, Close)]
        );
        // A separator outside a conflict is text (a Markdown rule in a description).
        assert_eq!(conflict_marker_lines("=======\n"), vec![]);
        assert_eq!(
            conflict_marker_lines("<<<<<<x\n>>>>>>>\n"),
            vec![(2, Close)]
        );
    }

    #[test]
    fn conflict_markers_are_found_by_line() {
        assert_eq!(conflict_marker_line("<a>\n<<<<<<< ours\n<b/>\n"), Some(2));
        assert_eq!(conflict_marker_line("a\r\nb\r\n>>>>>>>>>\r\n"), Some(3));
        assert_eq!(
            conflict_marker_line("<a><<<<<<<</a>\n"),
            None,
            "not at a line start"
        );
        assert_eq!(
            conflict_marker_line("<<<<<<<x\n"),
            None,
            "no label separator"
        );
        assert_eq!(conflict_marker_line("<<<<<< six\n"), None);
    }
}
