//! Reads every `.yml` file under a folder with soltree's YAML layer and writes it back: the
//! measurement of the layer on real Dataverse Git integration files, which live outside the
//! project (a checkout of a public repository; CI has none, so this is a tool, not a test).
//!
//! `cargo run --release --example yaml_round_trip -- FOLDER` prints one line per file that is
//! refused, written back differently or holds a value in another style than the one
//! Dataverse's serializer would choose, then the counts; it exits 1 when a file it read is
//! written back differently.

use soltree::yaml::{Document, Node, Scalar};
use std::path::PathBuf;

fn main() {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: yaml_round_trip FOLDER");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    let (mut identical, mut refused, mut different, mut restyled, mut scalars) = (0, 0, 0, 0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            refused += 1;
            println!("NOT UTF-8 {}", path.display());
            continue;
        };
        let doc = match Document::parse(&text, &path.display().to_string()) {
            Ok(doc) => doc,
            Err(e) => {
                refused += 1;
                println!("REFUSED {e}");
                continue;
            }
        };
        if doc.write() == text {
            identical += 1;
        } else {
            different += 1;
            println!("DIFFERENT {}", path.display());
        }
        // The style Dataverse's serializer would choose, against the one the file has.
        let mut stack: Vec<&Node> = doc.root.iter().collect();
        while let Some(node) = stack.pop() {
            let mut check = |s: &Scalar| {
                scalars += 1;
                if !s.is_null() && Scalar::new(s.text()).style() != s.style() {
                    restyled += 1;
                    println!("STYLE {} {:?} {:?}", path.display(), s.style(), s.text());
                }
            };
            match node {
                Node::Scalar(s) => check(s),
                Node::Sequence(s) => stack.extend(&s.items),
                Node::Mapping(m) => {
                    for e in &m.entries {
                        check(&e.key);
                        stack.push(&e.value);
                    }
                }
            }
        }
    }
    println!(
        "{} files: {identical} byte-identical, {refused} refused, {different} written differently; {scalars} scalars, {restyled} not in the style Dataverse's serializer would choose",
        files.len()
    );
    if different > 0 {
        std::process::exit(1);
    }
}
