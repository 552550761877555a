#!/usr/bin/env bash
# Whole-folder merge of a YAML layout (Dataverse Git integration) through git, with and
# without soltree's merge driver, on the same histories (a benchmark, not a test).
#
# Usage: benches/yaml-folder-merge.sh LAYOUT_FOLDER [RUNS]
#   LAYOUT_FOLDER holds solutions/<name>/solution.yml; RUNS defaults to 5.
# Each side relabels a different third of the columns and adds a column of its own (listed in
# solutioncomponents.yml); then `git merge` runs RUNS times with plain git and RUNS times
# with `soltree git install`, each from a fresh clone of the same repository. Prints the
# median wall time of each, their ratio, and whether each merge was clean.
set -euo pipefail
layout=$(cd "$1" && pwd)
runs=${2:-5}
soltree=${SOLTREE:-$(cd "$(dirname "$0")/.." && pwd)/target/release/soltree}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
origin="$work/origin"
mkdir -p "$origin"
cp -r "$layout/." "$origin/"
cd "$origin"
git init -q -b main && git add -A && git commit -qm base
solution=$(ls solutions | head -1)
manifest="solutions/$solution/solutioncomponents.yml"
mapfile -t columns < <(ls entities/*/attributes/*.yml | sort)
n=${#columns[@]}
edit_side() { # branch, first index, step
  git checkout -q -b "$1" main
  for ((i = $2; i < n; i += 3)); do
    sed -i "0,/'@description': /s/'@description': \(.*\)\r\$/'@description': \1 ($1)\r/" "${columns[$i]}"
  done
  local table; table=$(dirname "$(dirname "${columns[0]}")")
  sed "s/'@PhysicalName': [^\r]*/'@PhysicalName': bench_$1/" "${columns[0]}" > "$table/attributes/bench_$1.yml"
  printf "  - '@path': /%s\r\n" "$table/attributes/bench_$1.yml" >> "$manifest"
  { head -n 2 "$manifest"; tail -n +3 "$manifest" | LC_ALL=C sort; } > "$manifest.tmp" && mv "$manifest.tmp" "$manifest"
  git commit -qam "$1" && git add -A && git commit -qm "$1 column" || true
}
edit_side ours 0
edit_side theirs 1
git checkout -q main
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_merges() { # with_driver
  for ((r = 0; r < runs; r++)); do
    rm -rf "$work/clone"
    git clone -q "$origin" "$work/clone" && cd "$work/clone"
    git checkout -q -b ours origin/ours
    if [ "$1" = yes ]; then "$soltree" git install > /dev/null; fi
    start=$(date +%s%N)
    if git merge -q --no-edit origin/theirs > /dev/null 2>&1; then clean=clean; else clean=conflicts; fi
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 )) $clean"
    cd "$origin"
  done
}
plain=$(time_merges no)
driver=$(time_merges yes)
p=$(echo "$plain" | cut -d' ' -f1 | median)
d=$(echo "$driver" | cut -d' ' -f1 | median)
files=$(git -C "$origin" diff --name-only main origin/ours 2>/dev/null | wc -l || true)
echo "layout: $layout ($(find "$layout" -name '*.yml' | wc -l) YAML files, $n columns; each side changed about $((n / 3)) columns and added one)"
echo "git merge, plain git:      median ${p} ms ($(echo "$plain" | cut -d' ' -f2 | sort | uniq -c | tr '\n' ' '))"
echo "git merge, soltree driver: median ${d} ms ($(echo "$driver" | cut -d' ' -f2 | sort | uniq -c | tr '\n' ' '))"
awk -v a="$d" -v b="$p" 'BEGIN { printf "ratio driver / plain: %.2f\n", a / b }'
