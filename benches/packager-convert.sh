#!/usr/bin/env bash
# `soltree convert` between a solution zip and a SolutionPackager folder, next to copying the
# same files (a benchmark, not a test).
#
# Usage: benches/packager-convert.sh ZIP [RUNS]
#   RUNS defaults to 5. Times, RUNS times each: `soltree show ZIP` (read it), `unzip` of it,
#   `soltree convert ZIP --to packager`, `cp -r` of the folder that wrote (the cost of its
#   files alone) and `soltree convert FOLDER --to zip`. Prints the medians and the ratios of
#   each conversion to its baseline. Output goes to a temporary folder beside the zip's
#   copy ($TMPDIR), so the file system is the same for all.
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
declare -A t
for name in show unzip unpack copy pack; do
  for ((i = 0; i < runs; i++)); do
    case $name in
      show) time_of "$work/none" "$soltree" show "$zip" ;;
      unzip) time_of "$work/x" unzip -q "$zip" -d "$work/x" ;;
      unpack) time_of "$work/p" "$soltree" convert "$zip" --to packager -o "$work/p" ;;
      copy) time_of "$work/c" cp -r "$work/keep" "$work/c" ;;
      pack) time_of "$work/z.zip" "$soltree" convert "$work/keep" --to zip -o "$work/z.zip" ;;
    esac
  done > "$work/$name.times"
  t[$name]=$(median < "$work/$name.times")
done
printf '%s: %s files in the SolutionPackager folder; medians of %s runs\n' "$(basename "$zip")" "$files" "$runs"
printf '  show %.3f s, unzip %.3f s, cp -r of the folder %.3f s\n' "${t[show]}" "${t[unzip]}" "${t[copy]}"
printf '  convert --to packager %.3f s: %.2f x (show + cp -r)\n' "${t[unpack]}" "$(echo "${t[unpack]} / (${t[show]} + ${t[copy]})" | bc -l)"
printf '  convert --to zip      %.3f s: %.2f x (show + cp -r)\n' "${t[pack]}" "$(echo "${t[pack]} / (${t[show]} + ${t[copy]})" | bc -l)"
