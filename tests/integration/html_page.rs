//! The HTML diff page (`soltree diff --format html`). Static checks always run: the page is
//! well-formed (every element closed, attributes quoted, text escaped), self-contained (no
//! reference that leaves the page, a Content-Security-Policy that allows nothing else), every
//! section and every nested component has a unique anchor derived from its path and every
//! link lands on one, and names and values holding markup and quotes come out as text.
//!
//! Browser checks run the page in Debian's headless Chromium through
//! `tests/browser/check-page.mjs` (playwright-core): no script errors or requests, the filter
//! hides what does not match, expand-all opens every section, anchors open collapsed sections,
//! print and dark styles apply; screenshots are kept under `target/html-report/`. They need
//! Chromium (`apt-get install chromium`) and the script's modules (`npm ci --prefix
//! tests/browser`), which `.ci/run` installs, so a plain `cargo test` reports them as ignored;
//! with `--include-ignored` a missing piece fails them by name.

use crate::{corpus, testdata};
use assert_cmd::cargo::cargo_bin_cmd;
use soltree::diff::{DiffReport, diff};
use soltree::input::Limits;
use soltree::model::ComponentTree;
use soltree::render::html;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn report(old: &Path, new: &Path) -> DiffReport {
    let load = |p: &Path| {
        ComponentTree::load(p, &Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    diff(&load(old), &load(new))
}

/// The page as the command line writes it.
fn page_from_cli(old: &Path, new: &Path) -> String {
    let out = cargo_bin_cmd!("soltree")
        .args(["diff", "--format", "html"])
        .arg(old)
        .arg(new)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Elements that have no end tag.
const VOID: &[&str] = &["meta", "input", "br", "hr", "img", "link", "wbr"];

/// One start tag: its name and attributes (values unescaped only as far as the checks need).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Checks that the page is XML-like well-formed HTML and returns its start tags and the
/// contents of its `<style>` and `<script>` elements: every element closed in order, every
/// attribute value quoted and free of `<`, every `&` an entity, no `<` in text.
fn parse(page: &str) -> (Vec<Tag>, Vec<(String, String)>) {
    let mut tags = Vec::new();
    let mut raw = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = page
        .strip_prefix("<!DOCTYPE html>")
        .expect("the page starts with its doctype");
    let check_text = |text: &str| {
        for (i, _) in text.match_indices('&') {
            let after = &text[i + 1..];
            let end = after.find(';').filter(|&e| e <= 8).unwrap_or_else(|| {
                panic!(
                    "bare & before {:?}",
                    after.chars().take(12).collect::<String>()
                )
            });
            let name = &after[..end];
            assert!(
                ["amp", "lt", "gt", "quot", "#39"].contains(&name),
                "unknown entity &{name}; in the page"
            );
        }
        assert!(!text.contains('>'), "bare > in text: {text:?}");
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            let end = after.find('>').expect("end tag closed");
            let name = &after[..end];
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(top, name, "</{name}> closes <{top}>");
            rest = &after[end + 1..];
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>')
            .expect("start tag closed");
        let name = rest[..name_end].to_string();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "tag name {name:?} (a bare < in text?)"
        );
        rest = &rest[name_end..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('>') {
                rest = r;
                break;
            }
            let end = rest
                .find(|c: char| c == '=' || c == '>' || c.is_whitespace())
                .expect("attribute ends");
            let attr = rest[..end].to_string();
            assert!(
                !attr.is_empty() && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "attribute name {attr:?} in <{name}>"
            );
            rest = &rest[end..];
            let value = match rest.strip_prefix("=\"") {
                Some(r) => {
                    let close = r.find('"').expect("attribute value closed");
                    let value = &r[..close];
                    assert!(!value.contains('<'), "< in {attr}={value:?}");
                    check_text(value);
                    rest = &r[close + 1..];
                    value.to_string()
                }
                None => {
                    assert!(
                        !rest.starts_with('='),
                        "unquoted value of {attr} in <{name}>"
                    );
                    String::new()
                }
            };
            attrs.push((attr, value));
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let end = rest.find(&close).expect("raw text element closed");
            raw.push((name.clone(), rest[..end].to_string()));
            rest = &rest[end + close.len()..];
        } else if !VOID.contains(&name.as_str()) {
            stack.push(name.clone());
        }
        tags.push(Tag { name, attrs });
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    (tags, raw)
}

fn attr<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn has_class(tag: &Tag, class: &str) -> bool {
    attr(tag, "class").is_some_and(|c| c.split(' ').any(|x| x == class))
}

/// The static checks every page passes; returns the set of ids.
fn check_page(page: &str, report: &DiffReport) -> HashSet<String> {
    let (tags, raw) = parse(page);
    // Self-contained: links stay in the page, nothing is loaded, one style and one script.
    for t in &tags {
        for (name, value) in &t.attrs {
            match name.as_str() {
                "href" => assert!(value.starts_with('#'), "<{} href={value:?}>", t.name),
                "src" | "srcset" | "action" | "formaction" | "poster" | "data" | "background" => {
                    panic!("<{} {name}={value:?}>: the page loads nothing", t.name)
                }
                _ => {}
            }
        }
        assert!(t.name != "link" && t.name != "iframe" && t.name != "object" && t.name != "img");
    }
    assert_eq!(raw.len(), 2, "one <style> and one <script>");
    for (name, body) in &raw {
        for needle in [
            "://",
            "url(",
            "@import",
            "fetch(",
            "XMLHttpRequest",
            "WebSocket",
        ] {
            assert!(!body.contains(needle), "<{name}> holds {needle}");
        }
    }
    let csp = tags
        .iter()
        .find(|t| attr(t, "http-equiv") == Some("Content-Security-Policy"))
        .and_then(|t| attr(t, "content"))
        .expect("a Content-Security-Policy");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");

    // Anchors: unique; every section has one; every link lands on one.
    let ids: Vec<&str> = tags.iter().filter_map(|t| attr(t, "id")).collect();
    let unique: HashSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique");
    for t in tags.iter().filter(|t| has_class(t, "g")) {
        assert!(attr(t, "id").is_some(), "a section without an anchor");
    }
    for t in &tags {
        if let Some(target) = attr(t, "href") {
            let target = target[1..].replace("&amp;", "&").replace("&quot;", "\"");
            assert!(unique.contains(&target), "link to #{target} lands nowhere");
        }
    }
    // Every component has its anchor, derived from its path.
    for c in &report.components {
        let a = html::anchor(&c.path);
        assert!(
            unique
                .iter()
                .any(|id| *id == a || id.starts_with(&format!("{a}-"))),
            "{} has no anchor {a}",
            c.path
        );
    }
    let nested = report
        .components
        .iter()
        .filter(|c| c.path != c.group.path)
        .count();
    let items_with_id = tags
        .iter()
        .filter(|t| has_class(t, "c") && !has_class(t, "g") && attr(t, "id").is_some())
        .count();
    assert_eq!(items_with_id, nested, "every nested component is anchored");
    unique
}

#[test]
fn sample_page_is_well_formed_self_contained_and_anchored() {
    let (old, new) = (testdata("sample/v1"), testdata("sample/v2"));
    let page = page_from_cli(&old, &new);
    let report = report(&old, &new);
    let ids = check_page(&page, &report);
    for id in [
        "entity-new_project",
        "entity-new_project-attribute-new_score",
        "entity-new_project-form-8f0e6b21-4c7a-ef11-9f89-000d3a1b2c4d",
        "optionset-new_priority",
        "_manifest",
        "_k-entity",
    ] {
        assert!(ids.contains(id), "#{id} missing from {ids:?}");
    }
    // A small diff: every section starts open.
    assert!(page.contains("<details class=\"g\" id=\"entity-new_project\" open>"));
    // The same report renders the same page.
    assert_eq!(html::page(&report), html::page(&report));
}

#[test]
fn page_without_differences_is_a_page_too() {
    let v1 = testdata("sample/v1");
    let report = report(&v1, &v1);
    let page = html::page(&report);
    check_page(&page, &report);
    assert!(page.contains("no semantic differences"), "{page}");
    assert!(!page.contains("class=\"g"), "no sections");
}

#[test]
fn names_and_values_with_markup_and_quotes_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = dir.path().join("v1");
    let v2 = dir.path().join("v2");
    for (from, to) in [("sample/v1", &v1), ("sample/v2", &v2)] {
        crate::copy_tree(&testdata(from), to);
    }
    let xml = v2.join("customizations.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    let text = text
        .replacen(
            "description=\"Budget prévisionnel\"",
            "description=\"&lt;b&gt;&quot;Budget&quot; &amp; &apos;co&apos;&lt;/b&gt; https://example.invalid/x.js\"",
            1,
        )
        .replacen(
            "<displayname description=\"Score\" languagecode=\"1033\" />",
            "<displayname description=\"Score &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\" languagecode=\"1033\" />",
            1,
        );
    std::fs::write(&xml, text).unwrap();
    let page = page_from_cli(&v1, &v2);
    check_page(&page, &report(&v1, &v2));
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("<b>"));
    assert!(
        page.contains("&lt;b&gt;&quot;Budget&quot; &amp; &#39;co&#39;&lt;/b&gt;"),
        "the label as text"
    );
    assert!(page.contains("Score &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// The largest pair of versions of one solution in the corpus.
fn ecer_pair() -> (PathBuf, PathBuf) {
    let dir = corpus().join("zips/ecer");
    (
        dir.join("ECER__v1.0.0.15__173a2cf6.zip"),
        dir.join("ECER__v1.0.0.99__42c6abad.zip"),
    )
}

#[test]
#[ignore = "needs SOLTREE_CORPUS"]
fn big_page_is_well_formed_self_contained_and_not_bloated() {
    let (old, new) = ecer_pair();
    let report = report(&old, &new);
    let t = Instant::now();
    let page = html::page(&report);
    let took = t.elapsed();
    check_page(&page, &report);
    // Big: every section starts collapsed.
    assert!(!page.contains("<details class=\"g\" id=\"entity-account\" open>"));
    // The markup costs less than the text it carries: within twice the text report.
    colored::control::set_override(false);
    let mut text = Vec::new();
    soltree::render::text::render(&report, &mut text).unwrap();
    assert!(
        page.len() <= 2 * text.len() + 64 * 1024,
        "the page is {} bytes for a {}-byte text report",
        page.len(),
        text.len()
    );
    assert!(took < Duration::from_secs(10), "rendering took {took:?}");
    eprintln!(
        "ECER page: {} bytes (text report {} bytes), rendered in {took:?}",
        page.len(),
        text.len()
    );
}

/// Where the browser checks keep their pages and screenshots: `target/html-report/NAME/`.
fn artifacts(name: &str) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .to_path_buf();
    let dir = target.join("html-report").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `tests/browser/check-page.mjs` on a page; fails naming what is missing when Chromium,
/// node or playwright-core is not installed.
fn check_in_browser(page: &Path, out: &Path, args: &[&str]) {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var_os("SOLTREE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        chromium.is_file(),
        "Chromium is not at {} (apt-get install chromium, or set SOLTREE_CHROMIUM; .ci/run installs it)",
        chromium.display()
    );
    assert!(
        browser.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed (npm ci --prefix tests/browser; .ci/run does it)"
    );
    let t = Instant::now();
    let mut child = Command::new("node")
        .arg(browser.join("check-page.mjs"))
        .arg(page)
        .arg("--out")
        .arg(out)
        .args(args)
        .env("SOLTREE_CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node: {e} (install Node.js; .ci/run does)"));
    // Playwright times out every step; this bounds the whole run all the same.
    let limit = Duration::from_secs(240);
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("check-page.mjs ran over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} in Chromium: {stderr}{stdout}",
        page.display()
    );
    eprintln!(
        "{}: {} in {:?}; screenshots in {}",
        page.display(),
        stdout.trim(),
        t.elapsed(),
        out.display()
    );
}

#[test]
#[ignore = "needs Chromium and tests/browser's playwright-core (.ci/run installs both)"]
fn sample_page_works_in_chromium() {
    let dir = artifacts("sample");
    let page = dir.join("sample.html");
    std::fs::write(
        &page,
        page_from_cli(&testdata("sample/v1"), &testdata("sample/v2")),
    )
    .unwrap();
    check_in_browser(
        &page,
        &dir,
        &["--query", "score", "--kind", "Column", "--open"],
    );
}

#[test]
#[ignore = "needs SOLTREE_CORPUS, Chromium and tests/browser's playwright-core (.ci/run installs them)"]
fn big_page_works_in_chromium() {
    let (old, new) = ecer_pair();
    let dir = artifacts("ecer");
    let page = dir.join("ecer.html");
    std::fs::write(&page, page_from_cli(&old, &new)).unwrap();
    check_in_browser(
        &page,
        &dir,
        &["--query", "investigation", "--kind", "Form", "--collapsed"],
    );
}
