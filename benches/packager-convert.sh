#!/usr/bin/env bash
# `soltree convert` between a solution zip and a SolutionPackager folder, next to copying the
# same files (a benchmark, not a test).
#
# Usage: benches/packager-convert.sh ZIP [RUNS]
#   RUNS defaults to 5. Each round times `soltree show ZIP` (read it), `unzip` of it,
#   `soltree convert ZIP --to packager`, `cp -r` of the folder that wrote (the cost of its
#   files alone) and `soltree convert FOLDER --to zip`. Prints the medians and the median
#   ratio of each conversion to reading plus copying. Everything is written in one
#   temporary folder ($TMPDIR), so the file system is the same for all.
set -euo pipefail
zip=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
runs=${2:-5}
soltree=${SOLTREE:-$(cd "$(dirname "$0")/.." && pwd)/target/release/soltree}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$soltree" convert "$zip" --to packager -o "$work/keep" 2>/dev/null
files=$(find "$work/keep" -type f | wc -l)
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# time_of OUT CMD...: wall seconds of CMD, OUT removed first.
time_of() {
  local out=$1; shift
  rm -rf "$out"
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
# Rounds run every command once each, so a drift of the file system's speed (which here
# swings copying the folder between 0.1 and 0.9 s) hits all of them alike; the ratios are
# taken within a round, then the medians over the rounds.
for ((i = 0; i < runs; i++)); do
  s=$(time_of "$work/none" "$soltree" show "$zip")
  x=$(time_of "$work/x" unzip -q "$zip" -d "$work/x")
  u=$(time_of "$work/p" "$soltree" convert "$zip" --to packager -o "$work/p")
  c=$(time_of "$work/c" cp -r "$work/keep" "$work/c")
  p=$(time_of "$work/z.zip" "$soltree" convert "$work/keep" --to zip -o "$work/z.zip")
  echo "$s $x $u $c $p $(echo "$u / ($s + $c)" | bc -l) $(echo "$p / ($s + $c)" | bc -l)"
done > "$work/rounds"
col() { awk -v k="$1" '{print $k}' "$work/rounds" | median; }
printf '%s: %s files in the SolutionPackager folder; medians of %s rounds\n' "$(basename "$zip")" "$files" "$runs"
printf '  show %.3f s, unzip %.3f s, cp -r of the folder %.3f s\n' "$(col 1)" "$(col 2)" "$(col 4)"
printf '  convert --to packager %.3f s: %.2f x (show + cp -r)\n' "$(col 3)" "$(col 6)"
printf '  convert --to zip      %.3f s: %.2f x (show + cp -r)\n' "$(col 5)" "$(col 7)"
