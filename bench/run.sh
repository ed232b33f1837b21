#!/usr/bin/env bash
# npm run bench: WorkmateOS and the reference floor server (../shared/bench) side by side, in one run,
# on one PostgreSQL, with the same load generator (wrk, 1 thread, 32 connections). Writes
# bench/RESULTS.md. Needs root for apt-get (wrk, postgresql) and runuser.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(cd ../shared/bench && pwd)
secs=${BENCH_SECONDS:-10}
port=${BENCH_PORT:-8000}
for pkg in wrk postgresql; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk postgresql >/dev/null
    break
  fi
done
work=$(mktemp -d /tmp/workmate-bench.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$shared/pg.sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

URL=$("$shared/pg.sh" start)
echo "PostgreSQL at $URL"
echo "loading the floor's data set (schema bench)…"
psql -q "$URL" -f "$shared/schema.sql" >/dev/null
psql -q "$URL" -c 'drop database if exists workmate_bench' -c 'create database workmate_bench'
DB_URL="${URL%/*}/workmate_bench"

echo "building and starting WorkmateOS on $DB_URL…"
npm run build --silent
export ADMIN_PASSWORD=bench-admin-password
DATABASE_URL=$DB_URL PORT=$port LOG_LEVEL=warn RATE_LIMIT_PER_MINUTE=0 NODE_ENV=production DATA_DIR="$work/data" \
  node dist/main.js >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 1; done
psql -q "$DB_URL" -f bench/seed.sql >/dev/null
TOKEN=$(curl -sf "http://127.0.0.1:$port/api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@workmate.local\",\"password\":\"$ADMIN_PASSWORD\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')

rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$server_pid/status"; }
rss_start=$(rss_mb)
peak=$rss_start
( while kill -0 "$server_pid" 2>/dev/null; do rss_mb >>"$work/rss"; echo >>"$work/rss"; sleep 0.5; done ) &
sampler=$!

echo "measuring ($secs s per endpoint)…"
out=$(DATABASE_URL=$URL "$shared/compare.sh" "$secs" "workmate http://127.0.0.1:$port $TOKEN")
# Issue 5's latency targets: statistics of one project and a year's summary by month (p99 < 100 ms).
PROJECT=$(curl -sf "http://127.0.0.1:$port/api/projects" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"title":"Bench project","start_date":"2025-01-01","end_date":"2025-12-31","budget":"100000.00","hourly_rate":"95.00"}' \
  | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')
psql -q "$DB_URL" -c "update time_entries set project_id = '$PROJECT' where id in (select id from time_entries order by id limit 20000)"
latency() { # label url
  local o; o=$(wrk -t1 -c8 -d"${secs}s" --latency -H "authorization: Bearer $TOKEN" "$2" 2>&1)
  printf '%-12s %-28s %10s req/s  p99 %-9s %s\n' workmate "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$o")" \
    "$(awk '$1=="99%" {print $2}' <<<"$o")" "$(awk '/Non-2xx/ {print "non-2xx: " $5}' <<<"$o")"
}
out="$out
$(latency "GET /api/projects/{id}/statistics" "http://127.0.0.1:$port/api/projects/$PROJECT/statistics")
$(latency "GET /api/time-entries/summary" "http://127.0.0.1:$port/api/time-entries/summary?group_by=month&start_time_from=2025-01-01&start_time_to=2026-01-01")"
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -1)
export_line=$(bash bench/export-memory.sh "$server_pid" "http://127.0.0.1:$port" "$TOKEN")
echo "$out"
# Issue 4: server memory while streaming 10 MB uploads, and 100 parallel uploads (after the RSS
# sampler above stopped, so the run's peak does not include them).
uploads=$(node --import tsx bench/uploads.ts "http://127.0.0.1:$port" "$TOKEN" "$server_pid") || true
echo "$uploads"

ratio() { # target-line floor-line → throughput ratio
  node -e 'const [a,b]=process.argv.slice(1).map(Number); console.log(b>0?(a/b).toFixed(2):"n/a")' "$1" "$2"
}
rps() { awk -v who="$1" -v what="$2" '$1==who && index($0, what) {for(i=1;i<=NF;i++) if($i=="req/s") print $(i-1)}' <<<"$out"; }
p99() { awk -v who="$1" -v what="$2" '$1==who && index($0, what) {for(i=1;i<=NF;i++) if($i=="p99") print $(i+1)}' <<<"$out"; }

{
  echo "# Benchmark results"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "- Node $(node -v), $("$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres" --version)"
  echo "- Command: \`npm run bench\` (BENCH_SECONDS=$secs) → \`../shared/bench/compare.sh $secs\`: wrk, 1 thread, 32 connections, after a 3 s warm-up, floor and WorkmateOS on the same PostgreSQL"
  echo "- Data: the floor reads schema \`bench\` of ../shared/bench/schema.sql; WorkmateOS reads its own tables in database \`workmate_bench\`, seeded by bench/seed.sql with the same volumes and values (20 departments, 10,000 employees, 100,000 customers, 1,000,000 time entries) and the same query shapes."
  echo "- WorkmateOS runs with NODE_ENV=production, LOG_LEVEL=warn, RATE_LIMIT_PER_MINUTE=0, pool of 10 connections (as the floor); token: a local EdDSA access token of the admin."
  echo
  echo "| Endpoint | floor req/s | WorkmateOS req/s | ratio | floor p99 | WorkmateOS p99 |"
  echo "|---|---|---|---|---|---|"
  for what in "GET /api/auth/me" "GET /api/employees?limit=50" "GET /api/customers?search=" "POST /api/time-entries"; do
    f=$(rps floor "$what"); w=$(rps workmate "$what")
    echo "| \`$what\` | $f | $w | $(ratio "$w" "$f") | $(p99 floor "$what") | $(p99 workmate "$what") |"
  done
  echo
  echo "Latency (wrk, 8 connections; target p99 < 100 ms): statistics of a project with 20,000 entries, and a year's summary by month over the 1,000,000 entries:"
  echo
  echo '```'
  grep -E 'statistics|summary' <<<"$out"
  echo '```'
  echo
  echo "Server memory (RSS): $rss_start MB after start, peak $peak MB during the run."
  echo
  echo "Streaming (\`bench/export-memory.sh\`, same server): $export_line"
  echo
  echo "Raw output:"
  echo
  echo '```'
  echo "$out"
  echo '```'
  echo
  echo "$uploads"
  echo
  echo "Single sign-on tokens (\`bench/oidc.sh\`, same run, same PostgreSQL): see \`bench/OIDC-RESULTS.md\`."
  if [ -f bench/NOTES.md ]; then echo; cat bench/NOTES.md; fi
} > bench/RESULTS.md
echo; cat bench/RESULTS.md

# The server under test is stopped first so the SSO measurement has the machine to itself.
kill "$server_pid" 2>/dev/null || true; server_pid=""
psql -q "$URL" -c 'drop database if exists workmate_oidc_bench' -c 'create database workmate_oidc_bench'
DATABASE_URL="${URL%/*}/workmate_oidc_bench" BENCH_SECONDS=$secs bash bench/oidc.sh
cat bench/OIDC-RESULTS.md
