//! The README's examples, run: every `console` block's `$ command` lines run in one bash
//! session (in a temporary folder that sees the repository's `testdata/`, with the built
//! `soltree` first on `PATH`), and each command's standard output must be what the block
//! shows below it. A line `…` stands for any number of lines, a line ending in `…` for any
//! line that starts so, a `…` inside a line for any text there.

use std::path::Path;

/// The console blocks of a Markdown text: each a list of (command, expected output lines).
fn console_blocks(markdown: &str) -> Vec<Vec<(String, Vec<String>)>> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let mut block: Vec<(String, Vec<String>)> = Vec::new();
        for line in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            match line.strip_prefix("$ ") {
                Some(cmd) => block.push((cmd.to_string(), Vec::new())),
                None => block
                    .last_mut()
                    .expect("a console block starts with a command")
                    .1
                    .push(line.to_string()),
            }
        }
        blocks.push(block);
    }
    blocks
}

/// Whether `line` matches the pattern `want` (`…` anywhere matches any text there).
fn line_matches(want: &str, line: &str) -> bool {
    let mut parts = want.split('…');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether `got` matches the expected lines, a `…` line matching any run of lines.
fn output_matches(want: &[String], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w == "…" => {
            (0..=got.len()).any(|skip| output_matches(rest, &got[skip..]))
        }
        Some((w, rest)) => {
            got.first().is_some_and(|g| line_matches(w, g)) && output_matches(rest, &got[1..])
        }
    }
}

#[test]
fn every_readme_console_example_runs_as_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = console_blocks(&readme);
    assert!(blocks.len() >= 4, "{} console blocks", blocks.len());
    let bin = assert_cmd::cargo::cargo_bin!("soltree");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for block in blocks {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("testdata"), dir.path().join("testdata")).unwrap();
        // One session, each command's output between markers.
        let mut script = String::from("set -u\n");
        for (i, (cmd, _)) in block.iter().enumerate() {
            script.push_str(&format!(
                "printf '\\n@@@{i}\\n'\n{cmd}\nprintf '\\n@@@exit %s\\n' \"$?\"\n"
            ));
        }
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_GLOBAL", dir.path().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        for (i, (cmd, want)) in block.iter().enumerate() {
            let start = stdout
                .find(&format!("\n@@@{i}\n"))
                .unwrap_or_else(|| panic!("`{cmd}` did not run:\n{stdout}"))
                + format!("\n@@@{i}\n").len();
            let end = start + stdout[start..].find("\n@@@exit ").unwrap();
            let code: i32 = stdout[end + "\n@@@exit ".len()..]
                .lines()
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                code == 0 || code == 1,
                "`{cmd}` exited {code}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let got: Vec<&str> = stdout[start..end].lines().collect();
            assert!(
                output_matches(want, &got),
                "`{cmd}` printed\n{}\nwhere the README shows\n{}",
                got.join("\n"),
                want.join("\n")
            );
        }
    }
}

#[test]
fn the_pattern_rules_hold() {
    assert!(line_matches("set a = …", "set a = /x/y"));
    assert!(line_matches(
        "wrote …/demo/x (2 lines)",
        "wrote /tmp/a/demo/x (2 lines)"
    ));
    assert!(!line_matches("wrote …/demo/x", "wrote /tmp/a/demo/y"));
    let want: Vec<String> = ["a", "…", "d"].map(String::from).to_vec();
    assert!(output_matches(&want, &["a", "b", "c", "d"]));
    assert!(output_matches(&want, &["a", "d"]));
    assert!(!output_matches(&want, &["a", "b"]));
}
