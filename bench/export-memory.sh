#!/usr/bin/env bash
# Issue 5: the CSV export of ~100,000 time entries streams. Runs the export three times in a row,
# sampling the server's RSS every 50 ms during each, and prints one line: rows, seconds and the
# RSS growth (peak during the export − RSS just before it) of each run.
#   bench/export-memory.sh PID BASE_URL TOKEN
set -euo pipefail
pid=$1; base=$2; token=$3
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
runs=""; max=0
for run in 1 2 3; do
  samples=$(mktemp); out=$(mktemp)
  before=$(rss)
  ( while kill -0 "$pid" 2>/dev/null; do rss >>"$samples"; sleep 0.05; done ) &
  sampler=$!
  start=$(date +%s.%N)
  # 37 days of the seeded year: about 100,000 entries.
  curl -sf -H "authorization: Bearer $token" \
    "$base/api/time-entries/export?start_time_from=2025-03-01&start_time_to=2025-04-07" -o "$out"
  end=$(date +%s.%N)
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  peak=$(sort -n "$samples" | tail -1)
  growth=$((peak - before)); [ "$growth" -gt "$max" ] && max=$growth
  rows=$(($(wc -l <"$out") - 1))
  runs="$runs${runs:+; }run $run: $rows rows in $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}') s, RSS $before → peak $peak MB (+$growth MB)"
  rm -f "$samples" "$out"
done
echo "CSV export, 3 runs: $runs — largest growth $max MB (target < 50 MB)"
