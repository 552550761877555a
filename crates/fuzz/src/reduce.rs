//! Minimizing a finding, cheaply: first leave out mutation steps one at a time (keeping
//! each removal after which the same failure still shows), then delete elements from the
//! inputs — an element whose text occurs exactly once in every side is deleted from all of
//! them, largest first — and for packages drop whole entries. A failure "still shows" when
//! the checks report the same oracle with the same shape. Bounded by a number of re-runs
//! and a time limit, so a campaign never stalls on one finding.

use crate::check::{self, Env, Failure};
use crate::corpus::Corpus;
use crate::mutate::{below_root, lead, splice};
use crate::plan::{self, Built, Case, Plan, Subject};
use crate::text;
use soltree::input::Entry;
use soltree::xml::Document;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What minimizing gave.
pub struct Minimized {
    pub built: Built,
    pub failure: Failure,
    /// Sizes of the inputs before and after deleting elements or entries.
    pub reduced: Option<(usize, usize)>,
}

struct Budget {
    runs: usize,
    until: Instant,
}

impl Budget {
    fn take(&mut self) -> bool {
        if self.runs == 0 || Instant::now() > self.until {
            return false;
        }
        self.runs -= 1;
        true
    }
}

pub fn minimize(
    corpus: &Corpus,
    plan: &Plan,
    found: &Failure,
    env: &Env,
    runs: usize,
    time: Duration,
) -> Minimized {
    let mut budget = Budget {
        runs,
        until: Instant::now() + time,
    };
    let same = |case: &Case, p: &Plan| {
        check::run(p.target, case, p.knobs, env)
            .into_iter()
            .find(|f| f.oracle == found.oracle && f.shape == found.shape)
    };
    let mut best_plan = plan.clone();
    let mut best = plan::materialize(corpus, plan);
    let mut failure = found.clone();
    for side in 0..best_plan.sides.len() {
        let mut i = best_plan.sides[side].len();
        while i > 0 {
            i -= 1;
            if !budget.take() {
                break;
            }
            let mut p = best_plan.clone();
            p.sides[side].remove(i);
            let b = plan::materialize(corpus, &p);
            if let Some(f) = same(&b.case, &p) {
                best_plan = p;
                best = b;
                failure = f;
            }
        }
    }
    let before = case_size(&best.case);
    let mut test = |c: &Case| same(c, &best_plan);
    let (case, f) = reduce_case(best.case.clone(), &mut test, &mut budget);
    let reduced = f.map(|f| {
        failure = f;
        best.case = case;
        (before, case_size(&best.case))
    });
    Minimized {
        built: best,
        failure,
        reduced,
    }
}

fn case_size(case: &Case) -> usize {
    let entries = |v: &[Entry]| v.iter().map(|e| e.data.len()).sum::<usize>();
    let subject = |s: &Subject| match s {
        Subject::File { data, .. } => data.len(),
        Subject::Package { entries: e, .. } => entries(e),
    };
    match case {
        Case::Single(s) => subject(s),
        Case::Pair(a, b) => subject(a) + subject(b),
        Case::Merge(t) => t.base.as_ref().map_or(0, Vec::len) + t.ours.len() + t.theirs.len(),
        Case::PackageMerge(t) => entries(&t.base) + entries(&t.ours) + entries(&t.theirs),
        Case::Zip { bytes, .. } => bytes.len(),
        Case::Cli(_, inner) => case_size(inner),
    }
}

type Test<'a> = dyn FnMut(&Case) -> Option<Failure> + 'a;

/// A smaller case that still fails the same way, and the failure; `None` when nothing
/// could be taken out.
fn reduce_case(case: Case, test: &mut Test, budget: &mut Budget) -> (Case, Option<Failure>) {
    match case {
        Case::Single(Subject::File { name, data }) => {
            let rebuild = |v: &[Vec<u8>]| {
                Case::Single(Subject::File {
                    name: name.clone(),
                    data: v[0].clone(),
                })
            };
            reduce_texts(vec![data], &rebuild, test, budget)
        }
        Case::Pair(Subject::File { name: a, data: x }, Subject::File { name: b, data: y }) => {
            let rebuild = |v: &[Vec<u8>]| {
                Case::Pair(
                    Subject::File {
                        name: a.clone(),
                        data: v[0].clone(),
                    },
                    Subject::File {
                        name: b.clone(),
                        data: v[1].clone(),
                    },
                )
            };
            reduce_texts(vec![x, y], &rebuild, test, budget)
        }
        Case::Merge(t) => {
            let has_base = t.base.is_some();
            let mut sides = Vec::new();
            sides.extend(t.base.clone());
            sides.push(t.ours.clone());
            sides.push(t.theirs.clone());
            let rebuild = |v: &[Vec<u8>]| {
                let k = usize::from(has_base);
                Case::Merge(plan::FileTriple {
                    base: has_base.then(|| v[0].clone()),
                    ours: v[k].clone(),
                    theirs: v[k + 1].clone(),
                    path: t.path.clone(),
                    file_name: t.file_name.clone(),
                })
            };
            reduce_texts(sides, &rebuild, test, budget)
        }
        Case::Cli(command, inner) => {
            let mut wrapped = |c: &Case| test(&Case::Cli(command, Box::new(c.clone())));
            let (c, f) = reduce_case(*inner, &mut wrapped, budget);
            (Case::Cli(command, Box::new(c)), f)
        }
        Case::PackageMerge(t) => {
            let sides = vec![t.base.clone(), t.ours.clone(), t.theirs.clone()];
            let rebuild = |v: &[Vec<Entry>]| {
                Case::PackageMerge(plan::EntriesTriple {
                    form: t.form,
                    base: v[0].clone(),
                    ours: v[1].clone(),
                    theirs: v[2].clone(),
                })
            };
            reduce_entries(sides, &rebuild, test, budget)
        }
        Case::Single(Subject::Package { form, entries }) => {
            let rebuild = |v: &[Vec<Entry>]| {
                Case::Single(Subject::Package {
                    form,
                    entries: v[0].clone(),
                })
            };
            reduce_entries(vec![entries], &rebuild, test, budget)
        }
        Case::Pair(Subject::Package { form, entries: a }, Subject::Package { entries: b, .. }) => {
            let rebuild = |v: &[Vec<Entry>]| {
                Case::Pair(
                    Subject::Package {
                        form,
                        entries: v[0].clone(),
                    },
                    Subject::Package {
                        form,
                        entries: v[1].clone(),
                    },
                )
            };
            reduce_entries(vec![a, b], &rebuild, test, budget)
        }
        other => (other, None),
    }
}

/// Deletes elements that occur once, identically, in every side.
fn reduce_texts(
    mut sides: Vec<Vec<u8>>,
    rebuild: &dyn Fn(&[Vec<u8>]) -> Case,
    test: &mut Test,
    budget: &mut Budget,
) -> (Case, Option<Failure>) {
    let mut last = None;
    let mut rejected: HashSet<String> = HashSet::new();
    'outer: while let Some(decoded) = sides
        .iter()
        .map(|d| text::decode(d))
        .collect::<Option<Vec<_>>>()
    {
        let Some(doc) = decoded
            .iter()
            .find_map(|(t, _)| Document::parse(t.clone(), "fuzz").ok())
        else {
            break;
        };
        let mut candidates: Vec<String> = below_root(&doc)
            .into_iter()
            .map(|e| doc.raw(e).to_string())
            .filter(|r| !rejected.contains(r))
            .collect();
        candidates.sort_by_key(|r| std::cmp::Reverse(r.len()));
        candidates.dedup();
        for raw in candidates.into_iter().take(400) {
            let edited: Option<Vec<Vec<u8>>> = decoded
                .iter()
                .map(|(t, enc)| {
                    let at = t.find(&raw)?;
                    if t[at + 1..].contains(&raw) {
                        return None;
                    }
                    let start = at - lead(t, at).len();
                    Some(text::encode(&splice(t, start..at + raw.len(), ""), *enc))
                })
                .collect();
            let Some(edited) = edited else {
                rejected.insert(raw);
                continue;
            };
            if !budget.take() {
                break 'outer;
            }
            if let Some(f) = test(&rebuild(&edited)) {
                sides = edited;
                last = Some(f);
                continue 'outer;
            }
            rejected.insert(raw);
        }
        break;
    }
    (rebuild(&sides), last)
}

/// Drops entries (by path, ignoring case) from every side at once.
fn reduce_entries(
    mut sides: Vec<Vec<Entry>>,
    rebuild: &dyn Fn(&[Vec<Entry>]) -> Case,
    test: &mut Test,
    budget: &mut Budget,
) -> (Case, Option<Failure>) {
    let mut last = None;
    let mut paths: Vec<String> = sides
        .iter()
        .flatten()
        .map(|e| e.path.to_ascii_lowercase())
        .collect();
    paths.sort();
    paths.dedup();
    // Largest entries first: they cost the most to keep.
    let size = |p: &str, sides: &[Vec<Entry>]| {
        sides
            .iter()
            .flatten()
            .filter(|e| e.path.eq_ignore_ascii_case(p))
            .map(|e| e.data.len())
            .sum::<usize>()
    };
    paths.sort_by_key(|p| std::cmp::Reverse(size(p, &sides)));
    for p in paths {
        if !budget.take() {
            break;
        }
        let edited: Vec<Vec<Entry>> = sides
            .iter()
            .map(|s| {
                s.iter()
                    .filter(|e| !e.path.eq_ignore_ascii_case(&p))
                    .cloned()
                    .collect()
            })
            .collect();
        if let Some(f) = test(&rebuild(&edited)) {
            sides = edited;
            last = Some(f);
        }
    }
    (rebuild(&sides), last)
}
