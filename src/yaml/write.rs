//! Writes a [`Document`] the way Dataverse's serializer does, in the file's [`Style`]:
//! `key: value` lines, nested mappings one unit deeper, sequences under their key (level
//! with it in Dataverse's files), a mapping item's first key on the `- ` line, nulls as
//! `key: ` and every scalar in its own style. Nothing is copied from the parsed text except
//! a multi-line value's source (how it was folded is not in its text); the parser accepts a
//! file only when this gives it back byte for byte.

use super::{Document, Mapping, Node, Scalar, ScalarStyle, Sequence, SequenceIndent, Style};

pub(super) fn write(doc: &Document) -> String {
    let mut w = Writer {
        out: String::new(),
        style: &doc.style,
    };
    if doc.style.bom {
        w.out.push('\u{feff}');
    }
    w.out.push_str(&doc.style.header);
    match &doc.root {
        None => {}
        Some(Node::Mapping(m)) if !m.entries.is_empty() => w.mapping(m, 0, false),
        Some(Node::Sequence(s)) if !s.items.is_empty() => w.sequence(s, 0, false),
        Some(other) => {
            // Only an empty collection or a scalar: not in the subset the parser reads,
            // but still written as YAML.
            w.after_indicator(other, 0, false);
            let start = usize::from(doc.style.bom) * 3 + doc.style.header.len();
            if w.out[start..].starts_with(' ') {
                w.out.remove(start);
            }
        }
    }
    let newline = doc.style.newline.as_str();
    // A block scalar's trailing blank lines are part of its value: a file that ends with one
    // keeps its final line break.
    let ends_with_break = w.out.ends_with(newline);
    let blank_last_line =
        ends_with_break && w.out[..w.out.len() - newline.len()].ends_with(newline);
    if !doc.style.final_newline && ends_with_break && !blank_last_line {
        w.out.truncate(w.out.len() - newline.len());
    }
    // Empty lines after a block scalar that keeps its trailing ones would become part of
    // its value: there, the file's empty lines at the end are not written.
    if doc.style.final_newline && !blank_last_line {
        for _ in 0..doc.style.blank_lines_at_end {
            w.out.push_str(newline);
        }
    }
    w.out
}

struct Writer<'s> {
    out: String,
    style: &'s Style,
}

impl Writer<'_> {
    fn newline(&mut self) {
        self.out.push_str(self.style.newline.as_str());
    }

    fn indent(&mut self, col: usize) {
        self.out.extend(std::iter::repeat_n(' ', col));
    }

    /// A mapping whose keys sit at `col`; with `inline_first`, its first key follows a
    /// `- ` already written.
    fn mapping(&mut self, m: &Mapping, col: usize, inline_first: bool) {
        for (n, entry) in m.entries.iter().enumerate() {
            if n > 0 || !inline_first {
                self.indent(col);
            }
            self.out.push_str(&render_key(&entry.key));
            self.out.push(':');
            self.after_indicator(&entry.value, col, true);
        }
    }

    fn sequence(&mut self, s: &Sequence, col: usize, inline_first: bool) {
        for (n, item) in s.items.iter().enumerate() {
            if n > 0 || !inline_first {
                self.indent(col);
            }
            self.out.push('-');
            self.after_indicator(item, col, false);
        }
    }

    /// What follows a key's `:` or an item's `-` owned by the key or dash at `owner`.
    fn after_indicator(&mut self, value: &Node, owner: usize, after_key: bool) {
        match value {
            Node::Scalar(s) => self.scalar(s, owner),
            Node::Mapping(m) if m.entries.is_empty() => {
                self.out.push_str(" {}");
                self.newline();
            }
            Node::Sequence(s) if s.items.is_empty() => {
                self.out.push_str(" []");
                self.newline();
            }
            Node::Mapping(m) if after_key => {
                self.newline();
                self.mapping(m, owner + self.style.indent, false);
            }
            Node::Mapping(m) => {
                self.out.push(' ');
                self.mapping(m, owner + 2, true);
            }
            Node::Sequence(s) if after_key => {
                self.newline();
                let col = match self.style.sequences {
                    SequenceIndent::SameAsKey => owner,
                    SequenceIndent::Indented => owner + self.style.indent,
                };
                self.sequence(s, col, false);
            }
            Node::Sequence(s) => {
                self.out.push(' ');
                self.sequence(s, owner + 2, true);
            }
        }
    }

    fn scalar(&mut self, s: &Scalar, owner: usize) {
        if let Some((source, col)) = &s.source
            && *col == owner
        {
            self.out.push(' ');
            self.out.push_str(source);
            self.newline();
            return;
        }
        let newline = self.style.newline.as_str();
        let block_indent = owner + self.style.indent;
        match effective_style(&s.text, s.style) {
            ScalarStyle::Null => self.out.push(' '),
            ScalarStyle::BareNull => {}
            ScalarStyle::Plain => {
                self.out.push(' ');
                self.out.push_str(&s.text);
            }
            ScalarStyle::SingleQuoted => {
                self.out.push(' ');
                render_single(&mut self.out, &s.text, newline, block_indent);
            }
            ScalarStyle::DoubleQuoted => {
                self.out.push(' ');
                self.out.push_str(&render_double(&s.text));
            }
            ScalarStyle::Literal => {
                self.out.push(' ');
                render_literal(
                    &mut self.out,
                    &s.text,
                    newline,
                    block_indent,
                    self.style.indent,
                );
                return;
            }
            ScalarStyle::Folded => {
                self.out.push(' ');
                render_folded(&mut self.out, &s.text, newline, block_indent);
                return;
            }
        }
        self.newline();
    }
}

fn render_key(key: &Scalar) -> String {
    match effective_style(&key.text, key.style) {
        ScalarStyle::Plain => key.text.clone(),
        ScalarStyle::SingleQuoted if !key.text.contains('\n') => {
            let mut out = String::new();
            render_single(&mut out, &key.text, "\n", 0);
            out
        }
        _ => render_double(&key.text),
    }
}

/// Whether YAML reads `text`, written bare, as that text (and as a string to a reader that
/// types nothing). Dataverse writes numbers, versions and booleans bare: a reader that
/// turned them into numbers would be wrong anyway.
pub(super) fn plain_allowed(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if first.is_whitespace() || text.ends_with(char::is_whitespace) {
        return false;
    }
    if text.chars().any(needs_escape) || text.contains('\n') {
        return false;
    }
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) && text[1..].chars().next().is_none_or(char::is_whitespace) {
        return false;
    }
    // `: ` would end a key and ` #` start a comment (a tab counts as the space).
    !(text.contains([':', '#']) && [": ", " #", "\t#", ":\t"].iter().any(|p| text.contains(p))
        || text.ends_with(':'))
}

/// Characters YAML writes only as escapes in double quotes (a tab and a line break have
/// other ways).
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The style Dataverse gives a text: plain where YAML allows, single-quoted otherwise, a
/// folded block for text over several lines, double quotes where only escapes can write it.
pub(super) fn dataverse_style(text: &str) -> ScalarStyle {
    if plain_allowed(text) {
        return ScalarStyle::Plain;
    }
    let escapes_only = text.chars().any(needs_escape);
    if escapes_only {
        ScalarStyle::DoubleQuoted
    } else if text.contains('\n') {
        effective_style(text, ScalarStyle::Folded)
    } else {
        ScalarStyle::SingleQuoted
    }
}

/// The style a text is written in: its own where that style can hold it exactly, else
/// the nearest one that can.
fn effective_style(text: &str, style: ScalarStyle) -> ScalarStyle {
    let awkward = text.chars().any(needs_escape);
    match style {
        ScalarStyle::Null | ScalarStyle::BareNull if text.is_empty() => style,
        ScalarStyle::Plain if plain_allowed(text) => style,
        ScalarStyle::SingleQuoted if !awkward && single_holds(text) => style,
        ScalarStyle::DoubleQuoted => style,
        ScalarStyle::Literal if !awkward => style,
        ScalarStyle::Folded if !awkward && text.contains('\n') && folded_holds(text) => style,
        ScalarStyle::Folded if !awkward => ScalarStyle::Literal,
        _ => dataverse_style(text),
    }
}

/// A line break in single quotes folds away the white space around it.
fn single_holds(text: &str) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    lines.iter().enumerate().all(|(n, line)| {
        (n == 0 || !line.starts_with([' ', '\t']))
            && (n + 1 == lines.len() || !line.ends_with([' ', '\t']))
    })
}

/// A folded block cannot start a line of text with white space without keeping the line
/// breaks around it, nor write text that is only line breaks.
fn folded_holds(text: &str) -> bool {
    let body = text.trim_end_matches('\n');
    !body.is_empty() && !body.split('\n').any(|l| l.starts_with([' ', '\t']))
}

/// `'text'`, a quote doubled; a line break as a blank line (the break after a line of text
/// folds into nothing, each blank line into a break).
fn render_single(out: &mut String, text: &str, newline: &str, indent: usize) {
    let mut parts = text.split('\n');
    out.push('\'');
    out.push_str(&parts.next().unwrap_or_default().replace('\'', "''"));
    let rest: Vec<&str> = parts.collect();
    let mut breaks = 0;
    for (n, part) in rest.iter().enumerate() {
        breaks += 1;
        // A run of breaks ends at the next text (or the closing quote).
        if part.is_empty() && n + 1 < rest.len() {
            continue;
        }
        for _ in 0..=breaks {
            out.push_str(newline);
        }
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(&part.replace('\'', "''"));
        breaks = 0;
    }
    out.push('\'');
}

/// `"text"` with YAML's escapes for what cannot stand bare.
pub(super) fn render_double(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if c.is_control() || c == '\u{feff}' => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02X}"));
                } else {
                    out.push_str(&format!("\\u{n:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The chomping indicator a text needs, the body without its final line breaks, and how
/// many of those there are.
fn chomping(text: &str) -> (&'static str, &str, usize) {
    let body = text.trim_end_matches('\n');
    let trailing = text.len() - body.len();
    let indicator = match (trailing, body.is_empty()) {
        (0, _) => "-",
        (1, false) => "",
        _ => "+",
    };
    (indicator, body, trailing)
}

fn render_literal(out: &mut String, text: &str, newline: &str, indent: usize, unit: usize) {
    let (chomp, body, trailing) = chomping(text);
    out.push('|');
    // A first line of text that starts with spaces would set the indentation itself.
    if body
        .split('\n')
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with(' '))
    {
        out.push_str(&unit.to_string());
    }
    out.push_str(chomp);
    out.push_str(newline);
    if !body.is_empty() {
        for line in body.split('\n') {
            if !line.is_empty() {
                out.extend(std::iter::repeat_n(' ', indent));
                out.push_str(line);
            }
            out.push_str(newline);
        }
    }
    let blank_lines = if body.is_empty() {
        trailing
    } else {
        trailing.saturating_sub(1)
    };
    for _ in 0..blank_lines {
        out.push_str(newline);
    }
}

/// A folded block: each line break of the text a blank line, the text never wrapped
/// (Dataverse writes long lines whole).
fn render_folded(out: &mut String, text: &str, newline: &str, indent: usize) {
    let (chomp, body, trailing) = chomping(text);
    out.push('>');
    out.push_str(chomp);
    out.push_str(newline);
    let mut started = false;
    for line in body.split('\n') {
        if line.is_empty() {
            out.push_str(newline);
            continue;
        }
        if started {
            out.push_str(newline);
        }
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(line);
        out.push_str(newline);
        started = true;
    }
    for _ in 0..trailing.saturating_sub(1) {
        out.push_str(newline);
    }
}
