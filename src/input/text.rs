//! Text decoding for entries: bytes → `String` without copying, or an
//! [`InputError::InvalidUtf8`] that points at the first bad byte as `entry:line:column`, so the
//! user can open the file at the right place. The boundary is `Vec<u8>` in, `String` out.

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
}
