//! Executions as data. A [`Plan`] is everything one execution does — its target, its seed
//! and the mutation steps for each input, each step a mutator and its own random seed —
//! derived from the campaign seed and the execution's index alone, so any execution can be
//! replayed on its own (`--replay N`), and a plan with steps left out can be re-run to
//! minimize a finding. Materializing a plan gives the [`Case`] the checks run on.

use crate::corpus::{Corpus, PackageSeed};
use crate::mutate::Mutator;
use crate::package::{self, EntryOp, ZipOp};
use crate::text::Format;
use fastrand::Rng;
use soltree::input::{Entry, PackageForm};

/// What an execution drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Show,
    Normalize,
    Diff,
    Merge,
    PackageMerge,
    Zip,
    Cli,
    Convert,
}

impl Target {
    pub const ALL: [Target; 8] = [
        Target::Show,
        Target::Normalize,
        Target::Diff,
        Target::Merge,
        Target::PackageMerge,
        Target::Zip,
        Target::Cli,
        Target::Convert,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Show => "show",
            Target::Normalize => "normalize",
            Target::Diff => "diff",
            Target::Merge => "merge",
            Target::PackageMerge => "package-merge",
            Target::Zip => "zip",
            Target::Cli => "cli",
            Target::Convert => "convert",
        }
    }

    pub fn by_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    fn weight(self) -> u32 {
        match self {
            Target::Show => 8,
            Target::Normalize => 14,
            Target::Diff => 14,
            Target::Merge => 40,
            Target::PackageMerge => 8,
            Target::Zip => 8,
            Target::Cli => 8,
            Target::Convert => 6,
        }
    }
}

/// Which seed an execution starts from.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    File(usize),
    Package(usize),
    Triple(usize),
    PackageTriple(usize),
}

/// One kind of mutation step.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    File(Mutator),
    Entry(EntryOp),
    Zip(ZipOp),
}

/// A mutation step: what, and the seed of its own random stream.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub op: Op,
    pub seed: u64,
}

/// How the command-line target runs its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CliCommand {
    Show,
    Normalize,
    Merge,
    GitMerge,
}

/// One execution.
#[derive(Clone, Debug)]
pub struct Plan {
    pub index: u64,
    pub target: Target,
    pub source: Source,
    /// Mutation steps per input: `[x]` (show, normalize), `[old, new]` (diff: new is
    /// derived from old), `[base, ours, theirs]` (merges: a side derived from one seed starts
    /// from the mutated base), `[entries, archive]` (zip).
    pub sides: Vec<Vec<Step>>,
    pub cli: Option<CliCommand>,
    /// Seed of the checks' own choices (merge options, law selection).
    pub knobs: u64,
}

/// One input of show, normalize or diff.
#[derive(Clone, Debug)]
pub enum Subject {
    File {
        name: String,
        data: Vec<u8>,
    },
    Package {
        form: PackageForm,
        entries: Vec<Entry>,
    },
}

/// Three versions of one file.
#[derive(Clone, Debug)]
pub struct FileTriple {
    pub base: Option<Vec<u8>>,
    pub ours: Vec<u8>,
    pub theirs: Vec<u8>,
    pub path: Option<String>,
    pub file_name: String,
}

/// Three versions of a package's entry list.
#[derive(Clone, Debug)]
pub struct EntriesTriple {
    pub form: PackageForm,
    pub base: Vec<Entry>,
    pub ours: Vec<Entry>,
    pub theirs: Vec<Entry>,
}

/// What the checks run on.
#[derive(Clone, Debug)]
pub enum Case {
    Single(Subject),
    Pair(Subject, Subject),
    Merge(FileTriple),
    PackageMerge(EntriesTriple),
    Zip {
        bytes: Vec<u8>,
        /// The entries written into the archive, when its bytes were not damaged after.
        written: Option<Vec<Entry>>,
    },
    Cli(CliCommand, Box<Case>),
}

/// A materialized plan: the case and, per input, what each step did.
pub struct Built {
    pub case: Case,
    pub applied: Vec<Vec<String>>,
}

/// The random stream of execution `index` of campaign `seed`.
pub fn exec_rng(seed: u64, index: u64) -> Rng {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    Rng::with_seed(mix(mix(seed) ^ index))
}

/// How many steps: at least `lo`, each further one with probability 1/2, at most `hi`.
fn count(rng: &mut Rng, lo: usize, hi: usize) -> usize {
    let mut n = lo;
    while n < hi && rng.bool() {
        n += 1;
    }
    n
}

/// Index of a seed, biased to smaller ones (two draws, the smaller kept most times).
fn pick_small(rng: &mut Rng, sizes: &[usize]) -> Option<usize> {
    if sizes.is_empty() {
        return None;
    }
    let a = rng.usize(..sizes.len());
    let b = rng.usize(..sizes.len());
    let smaller = if sizes[a] <= sizes[b] { a } else { b };
    Some(if rng.u8(..4) == 0 { a } else { smaller })
}

/// Applies `n` new file mutations to `data`, keeping the ones that changed something.
/// `paired`: a step of the other side to mirror (same site kind, same seed).
fn grow_file(rng: &mut Rng, data: &mut Vec<u8>, n: usize, paired: Option<Step>) -> Vec<Step> {
    let mut steps = Vec::new();
    for k in 0..n {
        for _ in 0..6 {
            let format = Format::sniff(data);
            let step = match (k, paired) {
                (
                    0,
                    Some(Step {
                        op: Op::File(m),
                        seed,
                    }),
                ) => Step {
                    op: Op::File(m.pick_paired(rng, format)),
                    seed,
                },
                _ => Step {
                    op: Op::File(Mutator::pick(rng, format)),
                    seed: rng.u64(..),
                },
            };
            if let Op::File(m) = step.op
                && let Some(out) = m.apply(&mut Rng::with_seed(step.seed), data)
            {
                *data = out;
                steps.push(step);
                break;
            }
        }
    }
    steps
}

fn grow_entries(rng: &mut Rng, entries: &mut Vec<Entry>, n: usize, archive: bool) -> Vec<Step> {
    let mut steps = Vec::new();
    for _ in 0..n {
        for _ in 0..6 {
            let op = EntryOp::pick(rng, archive);
            let seed = rng.u64(..);
            if let Some((out, _)) = op.apply(&mut Rng::with_seed(seed), entries) {
                *entries = out;
                steps.push(Step {
                    op: Op::Entry(op),
                    seed,
                });
                break;
            }
        }
    }
    steps
}

/// Re-applies file steps; returns what each did.
fn replay_file(data: &mut Vec<u8>, steps: &[Step], applied: &mut Vec<String>) {
    for s in steps {
        if let Op::File(m) = s.op
            && let Some(out) = m.apply(&mut Rng::with_seed(s.seed), data)
        {
            *data = out;
            applied.push(m.name().to_string());
        }
    }
}

fn replay_entries(entries: &mut Vec<Entry>, steps: &[Step], applied: &mut Vec<String>) {
    for s in steps {
        if let Op::Entry(op) = s.op
            && let Some((out, desc)) = op.apply(&mut Rng::with_seed(s.seed), entries)
        {
            *entries = out;
            applied.push(desc);
        }
    }
}

fn replay_zip(bytes: &mut Vec<u8>, steps: &[Step], applied: &mut Vec<String>) {
    for s in steps {
        if let Op::Zip(op) = s.op
            && let Some((out, desc)) = op.apply(&mut Rng::with_seed(s.seed), bytes)
        {
            *bytes = out;
            applied.push(desc);
        }
    }
}

/// Which targets can run on this corpus, with their weights.
pub fn available(corpus: &Corpus, only: &[Target]) -> Vec<(Target, u32)> {
    Target::ALL
        .into_iter()
        .filter(|t| only.is_empty() || only.contains(t))
        .filter(|t| match t {
            Target::Zip | Target::Convert => !corpus.packages.is_empty(),
            _ => true,
        })
        .map(|t| (t, t.weight()))
        .collect()
}

/// The plan of execution `index`.
pub fn generate(corpus: &Corpus, targets: &[(Target, u32)], seed: u64, index: u64) -> Plan {
    let mut rng = exec_rng(seed, index);
    let total: u32 = targets.iter().map(|t| t.1).sum();
    let mut at = rng.u32(..total.max(1));
    let mut target = targets[0].0;
    for &(t, w) in targets {
        if at < w {
            target = t;
            break;
        }
        at -= w;
    }
    let knobs = rng.u64(..);
    let mut plan = Plan {
        index,
        target,
        source: Source::File(0),
        sides: Vec::new(),
        cli: None,
        knobs,
    };
    match target {
        Target::Show | Target::Normalize => single(&mut rng, corpus, &mut plan, 0),
        Target::Convert => single_package(&mut rng, corpus, &mut plan, 0),
        Target::Diff => {
            let min_steps = usize::from(rng.u8(..4) == 0);
            single(&mut rng, corpus, &mut plan, min_steps);
            let steps = plan.sides[0].clone();
            let mut first = subject(corpus, &plan, &steps, &mut Vec::new());
            let extra = match &mut first {
                Subject::File { data, .. } => {
                    let n = count(&mut rng, 1, 4);
                    grow_file(&mut rng, data, n, None)
                }
                Subject::Package { entries, .. } => {
                    let n = count(&mut rng, 1, 3);
                    grow_entries(&mut rng, entries, n, false)
                }
            };
            plan.sides.push(extra);
        }
        Target::Merge => file_merge(&mut rng, corpus, &mut plan),
        Target::PackageMerge => package_merge(&mut rng, corpus, &mut plan),
        Target::Zip => {
            let sizes: Vec<usize> = corpus.packages.iter().map(size_of_package).collect();
            let zips: Vec<usize> = (0..corpus.packages.len())
                .filter(|&i| corpus.packages[i].zip.is_some())
                .collect();
            let i = if !zips.is_empty() && rng.u8(..10) < 7 {
                let zsizes: Vec<usize> = zips.iter().map(|&i| sizes[i]).collect();
                zips[pick_small(&mut rng, &zsizes).unwrap_or(0)]
            } else {
                pick_small(&mut rng, &sizes).unwrap_or(0)
            };
            plan.source = Source::Package(i);
            let mut entries = corpus.packages[i].entries.clone();
            let n = count(&mut rng, 0, 3);
            let steps = grow_entries(&mut rng, &mut entries, n, true);
            plan.sides.push(steps);
            let zip_steps = if rng.u8(..10) < 3 {
                let op = ZipOp::pick(&mut rng);
                vec![Step {
                    op: Op::Zip(op),
                    seed: rng.u64(..),
                }]
            } else {
                Vec::new()
            };
            plan.sides.push(zip_steps);
        }
        Target::Cli => {
            let command = [
                CliCommand::Show,
                CliCommand::Normalize,
                CliCommand::Merge,
                CliCommand::Merge,
                CliCommand::GitMerge,
            ][rng.usize(..5)];
            plan.cli = Some(command);
            match command {
                CliCommand::Show | CliCommand::Normalize => single(&mut rng, corpus, &mut plan, 0),
                CliCommand::Merge | CliCommand::GitMerge => file_merge(&mut rng, corpus, &mut plan),
            }
        }
    }
    plan
}

fn size_of_package(p: &PackageSeed) -> usize {
    p.entries.iter().map(|e| e.data.len()).sum()
}

/// A show/normalize/diff input: mostly an XML file, sometimes a package.
fn single(rng: &mut Rng, corpus: &Corpus, plan: &mut Plan, min_steps: usize) {
    let use_package = !corpus.packages.is_empty() && rng.u8(..4) == 0;
    if use_package {
        single_package(rng, corpus, plan, min_steps);
    } else {
        let xml: Vec<usize> = (0..corpus.files.len())
            .filter(|&i| corpus.files[i].format == Format::Xml || rng.u8(..50) == 0)
            .collect();
        let sizes: Vec<usize> = xml.iter().map(|&i| corpus.files[i].data.len()).collect();
        let i = xml[pick_small(rng, &sizes).unwrap_or(0)];
        plan.source = Source::File(i);
        let mut data = corpus.files[i].data.clone();
        let lo = min_steps.max(usize::from(rng.u8(..10) != 0));
        let n = count(rng, lo, 4);
        let steps = grow_file(rng, &mut data, n, None);
        plan.sides.push(steps);
    }
}

/// One package of the corpus (small ones more often), with up to 3 entry mutations.
fn single_package(rng: &mut Rng, corpus: &Corpus, plan: &mut Plan, min_steps: usize) {
    let sizes: Vec<usize> = corpus.packages.iter().map(size_of_package).collect();
    let i = pick_small(rng, &sizes).unwrap_or(0);
    plan.source = Source::Package(i);
    let mut entries = corpus.packages[i].entries.clone();
    let n = count(rng, min_steps, 3);
    let steps = grow_entries(rng, &mut entries, n, false);
    plan.sides.push(steps);
}

/// A merge of one file: a real triple (sides mutated now and then), or base = a seed and
/// ours, theirs = two mutations of it (sometimes at the same place).
fn file_merge(rng: &mut Rng, corpus: &Corpus, plan: &mut Plan) {
    if !corpus.triples.is_empty() && rng.u8(..10) < 4 {
        let sizes: Vec<usize> = corpus.triples.iter().map(|t| t.ours.len()).collect();
        let i = pick_small(rng, &sizes).unwrap_or(0);
        plan.source = Source::Triple(i);
        let t = &corpus.triples[i];
        let mutate = rng.u8(..10) < 6;
        for data in [t.base.as_ref(), Some(&t.ours), Some(&t.theirs)] {
            let steps = match data {
                Some(d) if mutate && rng.u8(..10) < 5 => {
                    let n = count(rng, 1, 2);
                    grow_file(rng, &mut d.clone(), n, None)
                }
                _ => Vec::new(),
            };
            plan.sides.push(steps);
        }
        return;
    }
    let want_json = rng.u8(..10) < 2;
    let pool: Vec<usize> = (0..corpus.files.len())
        .filter(|&i| (corpus.files[i].format == Format::Json) == want_json)
        .collect();
    let pool = if pool.is_empty() {
        (0..corpus.files.len()).collect()
    } else {
        pool
    };
    let sizes: Vec<usize> = pool.iter().map(|&i| corpus.files[i].data.len()).collect();
    let i = pool[pick_small(rng, &sizes).unwrap_or(0)];
    plan.source = Source::File(i);
    let mut base = corpus.files[i].data.clone();
    let base_steps = if rng.u8(..10) < 2 {
        grow_file(rng, &mut base, 1, None)
    } else {
        Vec::new()
    };
    let n = count(rng, 1, 3);
    let ours = grow_file(rng, &mut base.clone(), n, None);
    let paired = (rng.u8(..10) < 4).then(|| ours.first().copied()).flatten();
    let lo = usize::from(rng.u8(..8) != 0);
    let n = count(rng, lo, 3);
    let theirs = grow_file(rng, &mut base.clone(), n, paired);
    plan.sides = vec![base_steps, ours, theirs];
}

fn package_merge(rng: &mut Rng, corpus: &Corpus, plan: &mut Plan) {
    if !corpus.package_triples.is_empty() && rng.u8(..4) == 0 {
        let i = rng.usize(..corpus.package_triples.len());
        plan.source = Source::PackageTriple(i);
        let t = &corpus.package_triples[i];
        for side in [&t.base, &t.ours, &t.theirs] {
            let n = count(rng, 0, 1);
            let steps = grow_entries(rng, &mut side.clone(), n, false);
            plan.sides.push(steps);
        }
        return;
    }
    let sizes: Vec<usize> = corpus.packages.iter().map(size_of_package).collect();
    let Some(i) = pick_small(rng, &sizes) else {
        // No packages: an empty plan on an empty triple.
        plan.source = Source::PackageTriple(usize::MAX);
        plan.sides = vec![Vec::new(); 3];
        return;
    };
    plan.source = Source::Package(i);
    let base = corpus.packages[i].entries.clone();
    let n = count(rng, 1, 3);
    let ours = grow_entries(rng, &mut base.clone(), n, false);
    let n = count(rng, 1, 3);
    let theirs = grow_entries(rng, &mut base.clone(), n, false);
    plan.sides = vec![Vec::new(), ours, theirs];
}

fn no_steps() -> Vec<Step> {
    Vec::new()
}

/// Materializes a plan (the same bytes every time).
pub fn materialize(corpus: &Corpus, plan: &Plan) -> Built {
    let side = |k: usize| plan.sides.get(k).cloned().unwrap_or_else(no_steps);
    let mut applied: Vec<Vec<String>> = vec![Vec::new(); plan.sides.len().max(1)];
    let case = match plan.target {
        Target::Show | Target::Normalize | Target::Convert => {
            Case::Single(subject(corpus, plan, &side(0), &mut applied[0]))
        }
        Target::Diff => {
            let old = subject(corpus, plan, &side(0), &mut applied[0]);
            let mut new = old.clone();
            let mut log = Vec::new();
            match &mut new {
                Subject::File { data, .. } => replay_file(data, &side(1), &mut log),
                Subject::Package { entries, .. } => replay_entries(entries, &side(1), &mut log),
            }
            applied[1] = log;
            Case::Pair(old, new)
        }
        Target::Merge => Case::Merge(file_triple(corpus, plan, &mut applied)),
        Target::PackageMerge => Case::PackageMerge(entries_triple(corpus, plan, &mut applied)),
        Target::Zip => {
            let Source::Package(i) = plan.source else {
                unreachable!("zip plans start from a package")
            };
            let seed = &corpus.packages[i];
            let mut entries = seed.entries.clone();
            replay_entries(&mut entries, &side(0), &mut applied[0]);
            let mut bytes = match (&seed.zip, side(0).is_empty()) {
                (Some(z), true) => z.clone(),
                _ => package::write_zip(&entries),
            };
            let damage = side(1);
            let mut log = Vec::new();
            replay_zip(&mut bytes, &damage, &mut log);
            applied[1] = log;
            let written = (damage.is_empty() || applied[1].is_empty()).then_some(entries);
            Case::Zip { bytes, written }
        }
        Target::Cli => {
            let command = plan.cli.unwrap_or(CliCommand::Show);
            let inner = match command {
                CliCommand::Show | CliCommand::Normalize => {
                    Case::Single(subject(corpus, plan, &side(0), &mut applied[0]))
                }
                CliCommand::Merge | CliCommand::GitMerge => {
                    Case::Merge(file_triple(corpus, plan, &mut applied))
                }
            };
            Case::Cli(command, Box::new(inner))
        }
    };
    Built { case, applied }
}

fn subject(corpus: &Corpus, plan: &Plan, steps: &[Step], applied: &mut Vec<String>) -> Subject {
    match plan.source {
        Source::Package(i) => {
            let seed = &corpus.packages[i];
            let mut entries = seed.entries.clone();
            replay_entries(&mut entries, steps, applied);
            Subject::Package {
                form: seed.form,
                entries,
            }
        }
        Source::File(i) => {
            let seed = &corpus.files[i];
            let mut data = seed.data.clone();
            replay_file(&mut data, steps, applied);
            Subject::File {
                name: seed.file_name.clone(),
                data,
            }
        }
        Source::Triple(_) | Source::PackageTriple(_) => {
            unreachable!("single inputs come from a file or a package")
        }
    }
}

fn file_triple(corpus: &Corpus, plan: &Plan, applied: &mut [Vec<String>]) -> FileTriple {
    let steps = |k: usize| plan.sides.get(k).map_or(&[][..], Vec::as_slice);
    match plan.source {
        Source::Triple(i) => {
            let t = &corpus.triples[i];
            let mut base = t.base.clone();
            let mut ours = t.ours.clone();
            let mut theirs = t.theirs.clone();
            if let Some(b) = &mut base {
                replay_file(b, steps(0), &mut applied[0]);
            }
            replay_file(&mut ours, steps(1), &mut applied[1]);
            replay_file(&mut theirs, steps(2), &mut applied[2]);
            FileTriple {
                base,
                ours,
                theirs,
                path: t.path_hint.clone(),
                file_name: t.file_name.clone(),
            }
        }
        Source::File(i) => {
            let seed = &corpus.files[i];
            let mut base = seed.data.clone();
            replay_file(&mut base, steps(0), &mut applied[0]);
            let mut ours = base.clone();
            replay_file(&mut ours, steps(1), &mut applied[1]);
            let mut theirs = base.clone();
            replay_file(&mut theirs, steps(2), &mut applied[2]);
            FileTriple {
                base: Some(base),
                ours,
                theirs,
                path: seed.path_hint.clone(),
                file_name: seed.file_name.clone(),
            }
        }
        Source::Package(_) | Source::PackageTriple(_) => {
            unreachable!("file merges start from a file")
        }
    }
}

fn entries_triple(corpus: &Corpus, plan: &Plan, applied: &mut [Vec<String>]) -> EntriesTriple {
    let steps = |k: usize| plan.sides.get(k).map_or(&[][..], Vec::as_slice);
    let (form, mut base, mut ours, mut theirs) = match plan.source {
        Source::PackageTriple(i) if i < corpus.package_triples.len() => {
            let t = &corpus.package_triples[i];
            (
                PackageForm::ExtractedFolder,
                t.base.clone(),
                t.ours.clone(),
                t.theirs.clone(),
            )
        }
        Source::Package(i) => {
            let p = &corpus.packages[i];
            (
                p.form,
                p.entries.clone(),
                p.entries.clone(),
                p.entries.clone(),
            )
        }
        _ => (
            PackageForm::ExtractedFolder,
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
    };
    replay_entries(&mut base, steps(0), &mut applied[0]);
    replay_entries(&mut ours, steps(1), &mut applied[1]);
    replay_entries(&mut theirs, steps(2), &mut applied[2]);
    EntriesTriple {
        form,
        base,
        ours,
        theirs,
    }
}

/// The seed's name, for findings.
pub fn source_name(corpus: &Corpus, plan: &Plan) -> String {
    match plan.source {
        Source::File(i) => corpus.files[i].name.clone(),
        Source::Package(i) => corpus.packages[i].name.clone(),
        Source::Triple(i) => corpus.triples[i].name.clone(),
        Source::PackageTriple(i) => corpus
            .package_triples
            .get(i)
            .map_or_else(|| "(none)".into(), |t| t.name.clone()),
    }
}

/// The names of the inputs, in the order of [`Plan::sides`].
pub fn side_names(plan: &Plan) -> &'static [&'static str] {
    match (plan.target, plan.cli) {
        (Target::Show | Target::Normalize | Target::Convert, _) => &["input"],
        (Target::Cli, Some(CliCommand::Show | CliCommand::Normalize)) => &["input"],
        (Target::Diff, _) => &["old", "new"],
        (Target::Zip, _) => &["entries", "archive"],
        _ => &["base", "ours", "theirs"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{FileSeed, TripleSeed};

    fn corpus() -> Corpus {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ImportExportXml>\n  <Entities>\n    <Entity Name=\"a\"><Version>1.0.0.1</Version></Entity>\n    <Entity Name=\"b\" />\n  </Entities>\n</ImportExportXml>\n";
        let json = "{\n  \"properties\": {\n    \"a\": 1,\n    \"b\": [1, 2]\n  }\n}\n";
        let file = |name: &str, data: &str| FileSeed {
            name: name.into(),
            file_name: name.into(),
            path_hint: None,
            data: data.as_bytes().to_vec(),
            format: Format::sniff(data.as_bytes()),
        };
        let entries = vec![
            Entry {
                path: "solution.xml".into(),
                data: xml.as_bytes().to_vec(),
            },
            Entry {
                path: "customizations.xml".into(),
                data: xml.as_bytes().to_vec(),
            },
        ];
        Corpus {
            files: vec![file("a.xml", xml), file("f.json", json)],
            triples: vec![TripleSeed {
                name: "t".into(),
                file_name: "t.xml".into(),
                path_hint: None,
                base: Some(xml.as_bytes().to_vec()),
                ours: xml.replace("1.0.0.1", "1.0.0.2").into_bytes(),
                theirs: xml.replace("\"b\"", "\"c\"").into_bytes(),
            }],
            packages: vec![PackageSeed {
                name: "p".into(),
                form: PackageForm::Zip,
                zip: Some(package::write_zip(&entries)),
                entries,
            }],
            package_triples: Vec::new(),
        }
    }

    #[test]
    fn plans_and_cases_follow_from_seed_and_index_alone() {
        let corpus = corpus();
        let targets = available(&corpus, &[]);
        for index in 0..300 {
            let a = generate(&corpus, &targets, 9, index);
            let b = generate(&corpus, &targets, 9, index);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let (x, y) = (materialize(&corpus, &a), materialize(&corpus, &b));
            assert_eq!(format!("{:?}", x.case), format!("{:?}", y.case));
            assert_eq!(x.applied, y.applied);
        }
    }

    #[test]
    fn every_target_is_drawn() {
        let corpus = corpus();
        let targets = available(&corpus, &[]);
        let drawn: std::collections::HashSet<Target> = (0..500)
            .map(|i| generate(&corpus, &targets, 1, i).target)
            .collect();
        assert_eq!(drawn.len(), Target::ALL.len());
    }
}
