//! The HTML renderer: one self-contained page for reviewing a diff of any size in a browser,
//! with no network access (inline CSS and script, pinned by a Content-Security-Policy that
//! allows nothing else). A header holds the title, the summary and the counts by kind (each
//! count filters to its kind and change type); a sticky bar holds the filter (name or path,
//! kind, change type), expand-all and collapse-all; a table of contents lists the sections by
//! kind. Each top-level component is one section, collapsed by default beyond a small diff,
//! with its change counts in its header; each component has a stable anchor derived from its
//! path (`entity:account/attribute:new_score` → `#entity-account-attribute-new_score`). The
//! rows are the shared [`super::layout`]'s, laid out per component; long rows wrap. Colours
//! follow the reader's light or dark scheme, and printing expands everything without controls.

use super::{Row, Style, layout, manifest_rows, summary_line, title};
use crate::diff::text::LineOp;
use crate::diff::{Change, ComponentChange, DiffReport};
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

const CSS: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// A diff with at most this many rows and sections is small: its sections start open.
const SMALL_ROWS: usize = 150;
const SMALL_SECTIONS: usize = 15;
/// A kind with at most this many sections is listed open in the table of contents.
const TOC_OPEN: usize = 15;
/// The kind name and title of the manifest's own section and filter entry.
const MANIFEST: &str = "Solution manifest";

/// Components added, removed and changed (moved counts as changed).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    added: usize,
    removed: usize,
    changed: usize,
}

impl Counts {
    fn count(&mut self, change: Change) {
        match change {
            Change::Added => self.added += 1,
            Change::Removed => self.removed += 1,
            Change::Changed | Change::Moved => self.changed += 1,
        }
    }
}

/// One component's part of a section: its rows, under its own anchor unless it is the
/// section's top-level component.
struct Item<'a> {
    component: &'a ComponentChange,
    anchor: Option<String>,
    rows: Vec<Row>,
}

/// A top-level component and everything changed inside it.
struct Section<'a> {
    anchor: String,
    heading: String,
    /// The top-level component's kind title (`Table`).
    kind_title: &'static str,
    /// The name the table of contents gives it.
    name: String,
    /// What happened to the top-level component itself.
    change: Change,
    counts: Counts,
    items: Vec<Item<'a>>,
}

impl Section<'_> {
    fn row_count(&self) -> usize {
        self.items.iter().map(|i| i.rows.len()).sum()
    }
}

/// Sections of one top-level kind, in report order.
struct KindSection<'a> {
    kind: &'static str,
    title: &'static str,
    sections: Vec<Section<'a>>,
}

/// Escapes text for an element's content or a quoted attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
}

/// The anchor of a component path: lower case, every run of characters other than letters,
/// digits, `_` and `.` turned into one `-` (`entity:account/attribute:new_score` →
/// `entity-account-attribute-new_score`). It never starts with `_`, which the page's own
/// anchors use.
pub fn anchor(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == '.' {
            out.extend(ch.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() || out.starts_with('_') {
        out.insert_str(0, "c-");
    }
    out
}

/// Hands out anchors, unique within one page: a path whose anchor is taken (two paths that
/// differ only in case or punctuation) gets a suffix from a hash of the path itself, so it
/// stays the same from run to run.
#[derive(Default)]
struct Anchors {
    used: HashSet<String>,
}

impl Anchors {
    fn take(&mut self, path: &str) -> String {
        let base = anchor(path);
        if self.used.insert(base.clone()) {
            return base;
        }
        let hashed = format!(
            "{base}-{:08x}",
            xxhash_rust::xxh3::xxh3_64(path.as_bytes()) as u32
        );
        let mut candidate = hashed.clone();
        let mut n = 2;
        while !self.used.insert(candidate.clone()) {
            candidate = format!("{hashed}-{n}");
            n += 1;
        }
        candidate
    }
}

/// The last key of a path (`entity:account/attribute:new_score` → `new_score`).
fn last_key(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    last.split_once(':').map_or(last, |(_, k)| k)
}

/// Splits the report into sections by top-level component and the sections by kind. Rows come
/// from the shared layout, asked for one component at a time so every component's rows can
/// carry its anchor; a section's heading is the layout's heading for all of it.
fn sections(report: &DiffReport) -> Vec<KindSection<'_>> {
    let mut shell = report.clone();
    shell.components = Vec::new();
    let mut layout_of = |components: &[&ComponentChange]| {
        shell.components = components.iter().map(|c| (*c).clone()).collect();
        layout(&shell)
    };
    let mut anchors = Anchors::default();
    let mut kinds: Vec<KindSection> = Vec::new();
    let all = &report.components;
    let mut start = 0;
    while start < all.len() {
        let top = &all[start].group;
        let end = start
            + all[start..]
                .iter()
                .take_while(|c| c.group.path == top.path)
                .count();
        let members: Vec<&ComponentChange> = all[start..end].iter().collect();
        start = end;
        let heading = layout_of(&members)
            .into_iter()
            .next()
            .map_or_else(|| top.path.clone(), |g| g.heading);
        let mut counts = Counts::default();
        let mut change = Change::Changed;
        let mut items = Vec::with_capacity(members.len());
        let section_anchor = anchors.take(&top.path);
        for c in &members {
            counts.count(c.change);
            let is_top = c.path == top.path;
            if is_top {
                change = c.change;
            }
            let rows = layout_of(std::slice::from_ref(c))
                .into_iter()
                .flat_map(|g| g.rows)
                .collect();
            items.push(Item {
                component: c,
                anchor: (!is_top).then(|| anchors.take(&c.path)),
                rows,
            });
        }
        let name = if top.display_name.is_empty() {
            last_key(&top.path).to_string()
        } else {
            top.display_name.clone()
        };
        let section = Section {
            anchor: section_anchor,
            heading,
            kind_title: top.kind_title,
            name,
            change,
            counts,
            items,
        };
        match kinds.iter_mut().find(|k| k.kind == top.kind) {
            Some(k) => k.sections.push(section),
            None => kinds.push(KindSection {
                kind: top.kind,
                title: top.kind_title,
                sections: vec![section],
            }),
        }
    }
    kinds
}

/// Components counted by kind title, in report order, each with the kind section a link to it
/// goes to (the section of the top-level kind that first holds one).
fn kind_counts(report: &DiffReport) -> Vec<(&'static str, Counts, &'static str)> {
    let mut kinds: Vec<(&'static str, Counts, &'static str)> = Vec::new();
    for c in &report.components {
        let i = match kinds.iter().position(|(t, _, _)| *t == c.kind_title) {
            Some(i) => i,
            None => {
                kinds.push((c.kind_title, Counts::default(), c.group.kind));
                kinds.len() - 1
            }
        };
        kinds[i].1.count(c.change);
    }
    kinds
}

fn change_class(change: Change) -> &'static str {
    match change {
        Change::Added => "a",
        Change::Removed => "r",
        Change::Changed | Change::Moved => "m",
    }
}

fn row_class(style: Style) -> &'static str {
    match style {
        Style::Mark(Change::Added) | Style::Line(LineOp::Added) => "a",
        Style::Mark(Change::Removed) | Style::Line(LineOp::Removed) => "r",
        Style::Mark(Change::Changed) => "m",
        Style::Mark(Change::Moved) => "v",
        Style::Hunk => "hk",
        Style::Line(LineOp::Context) => "x",
        Style::Note => "o",
        Style::Heading => "t",
    }
}

/// The filter's change type of a manifest row (notes have none).
fn row_change(style: Style) -> Option<&'static str> {
    match style {
        Style::Mark(c) => Some(change_class(c)),
        _ => None,
    }
}

/// Writes one row: `<div class="l a i6">text with <mark>changed words</mark></div>`. A
/// manifest row is a filter item itself (`item`): class `c`, its change type and kind.
fn push_row(out: &mut String, row: &Row, item: bool, indents: &mut BTreeSet<usize>) {
    indents.insert(row.indent);
    let _ = write!(
        out,
        "<div class=\"l {} i{}",
        row_class(row.style),
        row.indent
    );
    if item {
        out.push_str(" c");
        if let Some(c) = row_change(row.style) {
            out.push(' ');
            out.push_str(c);
        }
        let _ = write!(out, "\" data-k=\"{MANIFEST}");
    }
    out.push_str("\">");
    let text = &row.text;
    let mut pos = 0;
    for &(s, e) in &row.highlights {
        let (s, e) = (s.min(text.len()), e.min(text.len()));
        if s < pos || s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        push_escaped(out, &text[pos..s]);
        out.push_str("<mark>");
        push_escaped(out, &text[s..e]);
        out.push_str("</mark>");
        pos = e;
    }
    push_escaped(out, &text[pos..]);
    out.push_str("</div>\n");
}

/// `+2 −1 ~5`, zeros left out, with a tooltip that says it in words.
fn badges(counts: Counts) -> String {
    let mut out = format!(
        "<span class=\"b\" title=\"{} added, {} removed, {} changed\">",
        counts.added, counts.removed, counts.changed
    );
    for (n, class, sign) in [
        (counts.added, "a", "+"),
        (counts.removed, "r", "−"),
        (counts.changed, "m", "~"),
    ] {
        if n > 0 {
            let _ = write!(out, "<span class=\"{class}\">{sign}{n}</span>");
        }
    }
    out.push_str("</span>");
    out
}

/// A count in the header: a link to the kind's section that, with the script, filters to the
/// kind and change type.
fn count_link(n: usize, title: &str, change: &str, target: &str) -> String {
    if n == 0 {
        return "0".into();
    }
    format!(
        "<a href=\"#_k-{}\" data-f=\"{}\" data-c=\"{change}\">{n}</a>",
        escape(&anchor(target)),
        escape(title)
    )
}

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(page(report).as_bytes())
}

/// The whole page as one string.
pub fn page(report: &DiffReport) -> String {
    let kinds = sections(report);
    let manifest = manifest_rows(report);
    let section_count: usize = kinds.iter().map(|k| k.sections.len()).sum();
    let row_count: usize = kinds
        .iter()
        .flat_map(|k| &k.sections)
        .map(Section::row_count)
        .sum::<usize>()
        + manifest.len();
    let small = section_count <= SMALL_SECTIONS && row_count <= SMALL_ROWS;
    let open = if small { " open" } else { "" };
    let mut indents = BTreeSet::new();
    let mut body = String::with_capacity(256 + row_count * 96);

    // Header: title, summary, counts by kind.
    let t = escape(&title(report));
    let _ = write!(
        body,
        "<header id=\"_top\">\n<h1>{t}</h1>\n<p class=\"sum\">{}</p>\n",
        escape(&summary_line(report))
    );
    let counts = kind_counts(report);
    if !counts.is_empty() {
        body.push_str(
            "<table class=\"counts\"><thead><tr><th scope=\"col\">kind</th><th scope=\"col\">added</th>\
             <th scope=\"col\">removed</th><th scope=\"col\">changed</th></tr></thead><tbody>\n",
        );
        for (title, n, target) in &counts {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"#_k-{}\" data-f=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&anchor(target)),
                escape(title),
                escape(title),
                count_link(n.added, title, "a", target),
                count_link(n.removed, title, "r", target),
                count_link(n.changed, title, "m", target),
            );
        }
        body.push_str("</tbody></table>\n");
    }
    body.push_str("</header>\n");

    // The bar of controls, shown by the script.
    body.push_str(
        "<div id=\"_bar\" hidden>\
         <input id=\"_q\" type=\"search\" placeholder=\"Filter by name or path (press /)\" \
         aria-label=\"Filter by name or path\" autocomplete=\"off\" spellcheck=\"false\">\
         <select id=\"_kind\" aria-label=\"Kind\"><option value=\"\">all kinds</option>",
    );
    if !manifest.is_empty() {
        let _ = write!(body, "<option value=\"{MANIFEST}\">{MANIFEST}</option>");
    }
    for (title, n, _) in &counts {
        let _ = write!(
            body,
            "<option value=\"{}\">{} ({})</option>",
            escape(title),
            escape(title),
            n.added + n.removed + n.changed
        );
    }
    body.push_str(
        "</select>\
         <label><input type=\"checkbox\" value=\"a\" checked> added</label>\
         <label><input type=\"checkbox\" value=\"r\" checked> removed</label>\
         <label><input type=\"checkbox\" value=\"m\" checked> changed</label>\
         <button type=\"button\" id=\"_expand\">Expand all</button>\
         <button type=\"button\" id=\"_collapse\">Collapse all</button>\
         <span id=\"_status\" role=\"status\"></span></div>\n",
    );

    // Table of contents: the manifest, then each kind with its sections.
    body.push_str(
        "<div id=\"_page\">\n<nav id=\"_toc\" aria-label=\"Contents\"><h2>Contents</h2><ol>\n",
    );
    let manifest_counts = {
        let mut c = Counts::default();
        for row in &manifest {
            if let Style::Mark(ch) = row.style {
                c.count(ch);
            }
        }
        c
    };
    if !manifest.is_empty() {
        let _ = writeln!(
            body,
            "<li><a href=\"#_manifest\">{MANIFEST}</a> {}</li>",
            badges(manifest_counts)
        );
    }
    for k in &kinds {
        let mut c = Counts::default();
        for s in &k.sections {
            c.count(s.change);
        }
        let _ = writeln!(
            body,
            "<li><details{}><summary><a href=\"#_k-{}\">{}</a> <span class=\"n\">{}</span> {}</summary><ol>",
            if small || k.sections.len() <= TOC_OPEN {
                " open"
            } else {
                ""
            },
            escape(&anchor(k.kind)),
            escape(k.title),
            k.sections.len(),
            badges(c)
        );
        for s in &k.sections {
            let _ = writeln!(
                body,
                "<li><a class=\"{}\" href=\"#{}\">{}</a></li>",
                change_class(s.change),
                escape(&s.anchor),
                escape(&s.name)
            );
        }
        body.push_str("</ol></details></li>\n");
    }
    body.push_str("</ol></nav>\n<main>\n");

    // The manifest: one section whose rows are filter items.
    if !manifest.is_empty() {
        let open = if small || manifest.len() <= 20 {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            body,
            "<details class=\"g\" id=\"_manifest\"{open}><summary><span class=\"t\">{MANIFEST}</span>{}</summary>",
            badges(manifest_counts)
        );
        for row in &manifest {
            push_row(&mut body, row, true, &mut indents);
        }
        body.push_str("</details>\n");
    }

    // One section per kind, one per top-level component inside it.
    for k in &kinds {
        let mut c = Counts::default();
        for s in &k.sections {
            c.count(s.change);
        }
        let _ = writeln!(
            body,
            "<section class=\"k\" id=\"_k-{}\"><h2>{} <span class=\"n\">{} section{}</span>{}</h2>",
            escape(&anchor(k.kind)),
            escape(k.title),
            k.sections.len(),
            if k.sections.len() == 1 { "" } else { "s" },
            badges(c)
        );
        for s in &k.sections {
            let class = change_class(s.change);
            if s.row_count() == 0 {
                // Added or removed with nothing more to say: one line, no toggle.
                let _ = writeln!(
                    body,
                    "<div class=\"g c {class}\" id=\"{}\" data-k=\"{}\"><div class=\"h\"><span class=\"t {class}\">{}</span>{}</div></div>",
                    escape(&s.anchor),
                    escape(s.kind_title),
                    escape(&s.heading),
                    badges(s.counts)
                );
                continue;
            }
            let _ = writeln!(
                body,
                "<details class=\"g\" id=\"{}\"{open}><summary><span class=\"t {class}\">{}</span>{}</summary>",
                escape(&s.anchor),
                escape(&s.heading),
                badges(s.counts)
            );
            for item in &s.items {
                let c = item.component;
                let _ = write!(
                    body,
                    "<div class=\"c {}\" data-k=\"{}\"",
                    change_class(c.change),
                    escape(c.kind_title)
                );
                if let Some(a) = &item.anchor {
                    let _ = write!(body, " id=\"{}\"", escape(a));
                }
                body.push_str(">\n");
                for row in &item.rows {
                    push_row(&mut body, row, false, &mut indents);
                }
                body.push_str("</div>\n");
            }
            body.push_str("</details>\n");
        }
        body.push_str("</section>\n");
    }
    body.push_str("<p id=\"_none\" hidden>Nothing matches the filter.</p>\n</main>\n</div>\n");

    // Indentation classes for the indents used: a hanging indent, so wrapped rows line up.
    let mut css = String::from(CSS);
    for i in &indents {
        let _ = write!(css, ".i{i}{{--i:{i}ch}}");
    }
    css.push('\n');
    let csp = format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; \
         base-uri 'none'; form-action 'none'",
        base64(&sha256(css.as_bytes())),
        base64(&sha256(SCRIPT.as_bytes()))
    );
    let mut page = String::with_capacity(body.len() + css.len() + SCRIPT.len() + 1024);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"soltree\">\n\
         <title>soltree diff: {t}</title>\n<style>{css}</style>\n</head>\n<body>\n{body}\
         <script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    page
}

/// SHA-256 (FIPS 180-4), for the Content-Security-Policy hashes of the inline style and
/// script. Its constants are the first 32 bits of the fractional parts of the square roots
/// (initial state) and cube roots (round constants) of the first primes, computed here.
fn sha256(data: &[u8]) -> [u8; 32] {
    let primes: Vec<u32> = (2u32..)
        .filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0))
        .take(64)
        .collect();
    let frac = |x: f64| ((x - x.floor()) * 4_294_967_296.0) as u32;
    let k: Vec<u32> = primes.iter().map(|&p| frac(f64::from(p).cbrt())).collect();
    let mut h: Vec<u32> = primes[..8]
        .iter()
        .map(|&p| frac(f64::from(p).sqrt()))
        .collect();

    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]];
        for i in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(k[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(&h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks.
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn anchors_follow_the_path() {
        assert_eq!(
            anchor("entity:account/attribute:new_score"),
            "entity-account-attribute-new_score"
        );
        assert_eq!(
            anchor("entity:Account/form:{8F0E6B21-4C7A-EF11-9F89-000D3A1B2C4D}"),
            "entity-account-form-8f0e6b21-4c7a-ef11-9f89-000d3a1b2c4d"
        );
        assert_eq!(
            anchor("webresource:new_/scripts/account.js"),
            "webresource-new_-scripts-account.js"
        );
        assert_eq!(anchor("entity:new_x/ribbon"), "entity-new_x-ribbon");
        assert_eq!(anchor("entity:état"), "entity-état");
        assert_eq!(anchor("::"), "c-");
        assert_eq!(anchor("_x"), "c-_x");
    }

    #[test]
    fn colliding_anchors_get_a_stable_suffix() {
        let mut a = Anchors::default();
        assert_eq!(a.take("entity:a/attribute:x"), "entity-a-attribute-x");
        let second = a.take("entity:A/attribute:X");
        assert!(second.starts_with("entity-a-attribute-x-"), "{second}");
        let mut b = Anchors::default();
        b.take("entity:a/attribute:x");
        assert_eq!(b.take("entity:A/attribute:X"), second);
    }

    #[test]
    fn escaping_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
