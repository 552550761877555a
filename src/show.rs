//! `soltree show`: the inventory of a package — counts by kind, then every component's
//! canonical path and display name. The boundary type is [`Inventory`], rendered as text
//! (for people) or JSON (for scripts; versioned by [`SCHEMA_VERSION`]).

use crate::model::kinds::KINDS;
use crate::model::{ComponentTree, SolutionInfo};
use colored::Colorize;
use serde::Serialize;
use std::io::{self, Write};

/// Bumped whenever a field of the JSON output changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Inventory {
    pub schema_version: u32,
    pub source: String,
    pub form: &'static str,
    pub solution: Option<SolutionInfo>,
    pub total: usize,
    pub root_components: usize,
    pub missing_dependencies: usize,
    pub counts: Vec<KindCount>,
    pub components: Vec<InventoryItem>,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub title: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct InventoryItem {
    pub path: String,
    pub kind: &'static str,
    pub key: String,
    pub display_name: String,
    pub type_code: Option<u32>,
    pub entry: String,
}

/// Builds the inventory of a modelled package.
pub fn inventory(tree: &ComponentTree) -> Inventory {
    let counts = KINDS
        .iter()
        .filter(|k| k.role.is_component())
        .map(|k| KindCount {
            kind: k.name,
            title: k.title,
            count: tree
                .components
                .iter()
                .filter(|c| std::ptr::eq(c.kind, k))
                .count(),
        })
        .filter(|c| c.count > 0)
        .collect();
    let (root_components, missing_dependencies) = manifest_counts(tree);
    Inventory {
        schema_version: SCHEMA_VERSION,
        source: tree.source.display().to_string(),
        form: tree.form.name(),
        solution: tree.solution(),
        total: tree.components.len(),
        root_components,
        missing_dependencies,
        counts,
        components: tree
            .components
            .iter()
            .map(|c| InventoryItem {
                path: c.path.clone(),
                kind: c.kind.name,
                key: c.key.clone(),
                display_name: c.display.clone(),
                type_code: c.kind.code,
                entry: tree.entries[c.entry].path.clone(),
            })
            .collect(),
    }
}

fn manifest_counts(tree: &ComponentTree) -> (usize, usize) {
    let Some(c) = tree.components.iter().find(|c| c.kind.name == "solution") else {
        return (0, 0);
    };
    let Some(doc) = tree.entries[c.entry].document() else {
        return (0, 0);
    };
    // The YAML layout keeps each list in a file of its own (`rootcomponents.yml`, …).
    let count = |list: &str| {
        let own = doc.child(c.node, list).map(|l| (doc, l));
        let file = || {
            tree.components
                .iter()
                .filter(|f| f.kind.name == list.to_ascii_lowercase())
                .find_map(|f| tree.entries[f.entry].document().map(|d| (d, f.node)))
        };
        own.or_else(file).map_or(0, |(d, l)| d.elements(l).count())
    };
    (count("RootComponents"), count("MissingDependencies"))
}

/// Text for people: a header, counts by kind, then one line per component.
pub fn render_text(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    match &inv.solution {
        Some(s) => {
            let managed = match s.managed.as_str() {
                "1" => "managed",
                "2" => "managed + unmanaged",
                _ => "unmanaged",
            };
            writeln!(
                out,
                "{} {} · {} · publisher {} ({}) · {}",
                s.unique_name.bold(),
                s.version,
                managed,
                s.publisher,
                s.prefix,
                inv.form
            )?;
        }
        None => writeln!(out, "{} · {}", inv.source.bold(), inv.form)?,
    }
    writeln!(
        out,
        "{} components · {} root components · {} missing dependencies",
        inv.total, inv.root_components, inv.missing_dependencies
    )?;
    writeln!(out)?;
    let width = inv.counts.iter().map(|c| c.title.len()).max().unwrap_or(0);
    for c in &inv.counts {
        writeln!(out, "  {:<width$}  {:>6}", c.title, c.count)?;
    }
    writeln!(out)?;
    let pwidth = inv
        .components
        .iter()
        .map(|c| c.path.chars().count())
        .max()
        .unwrap_or(0)
        .min(90);
    for c in &inv.components {
        let pad = pwidth.saturating_sub(c.path.chars().count());
        writeln!(
            out,
            "{}{}  {}",
            c.path.cyan(),
            " ".repeat(pad),
            c.display_name
        )?;
    }
    Ok(())
}

/// JSON for scripts.
pub fn render_json(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, inv)?;
    writeln!(out)
}
