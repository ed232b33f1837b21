#!/usr/bin/env bash
# Issue 5: the CSV export of ~100,000 time entries streams. Samples the server's RSS every 50 ms
# while one export runs and prints one line: rows, seconds, RSS before, peak, growth.
#   bench/export-memory.sh PID BASE_URL TOKEN
set -euo pipefail
pid=$1; base=$2; token=$3
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
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
peak=$(sort -n "$samples" | tail -1)
rows=$(($(wc -l <"$out") - 1))
printf 'CSV export: %d rows in %.1f s; server RSS %d MB before, peak %d MB, growth %d MB (target < 50 MB)\n' \
  "$rows" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" "$before" "$peak" "$((peak - before))"
rm -f "$samples" "$out"
