#!/usr/bin/env bash
# IdP tokens vs local tokens on GET /api/auth/me (issue 3): starts the test OpenID provider
# (scripts/dev-idp.ts) and the built server with SSO on, signs in locally and through the
# authorization-code flow (JWT access token) and gets an opaque token from the provider, then runs
# wrk (1 thread, 32 connections, after a 3 s warm-up) per token. Writes bench/OIDC-RESULTS.md.
#   DATABASE_URL=postgres://…/empty_db bash bench/oidc.sh      (needs wrk, curl, node)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to an empty PostgreSQL database}"
secs=${BENCH_SECONDS:-10}; port=${BENCH_PORT:-8130}; idp_port=${BENCH_IDP_PORT:-9030}
idp=http://127.0.0.1:$idp_port; api=http://127.0.0.1:$port
redirect=http://127.0.0.1:5173/auth/callback
work=$(mktemp -d /tmp/workmate-oidc-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
json() { node -pe "JSON.parse(require('fs').readFileSync(0)).$1"; }

npm run build --silent
IDP_PORT=$idp_port node --import tsx scripts/dev-idp.ts >"$work/idp.log" 2>&1 & pids+=($!)
for _ in $(seq 1 30); do curl -sf "$idp/.well-known/openid-configuration" >/dev/null && break; sleep 0.5; done
export ADMIN_PASSWORD=bench-admin-password
OIDC_ISSUER=$idp OIDC_CLIENT_ID=workmate-web OIDC_CLIENT_SECRET=workmate-web-secret-0123456789abcdef \
  OIDC_PROJECT_ID=310000000000000001 OIDC_REDIRECT_URI=$redirect PORT=$port HOST=127.0.0.1 LOG_LEVEL=warn \
  RATE_LIMIT_PER_MINUTE=0 NODE_ENV=production DATA_DIR="$work/data" node dist/main.js >"$work/server.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -sf "$api/health/ready" >/dev/null && break; sleep 1; done

# Follows an authorization URL with login_hint=alice through the provider's redirects; prints the code.
code_for() {
  local url="$1&login_hint=alice" next jar="$work/jar"; rm -f "$jar"
  for _ in 1 2 3 4 5 6 7 8; do
    next=$(curl -s -o /dev/null -c "$jar" -b "$jar" -w '%{redirect_url}' "$url")
    case "$next" in "$redirect"*) node -e 'console.log(new URL(process.argv[1]).searchParams.get("code"))' "$next"; return;; esac
    url=$next
  done
  echo "no code" >&2; exit 1
}

LOCAL=$(curl -sf "$api/api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@workmate.local\",\"password\":\"$ADMIN_PASSWORD\"}" | json access_token)
start=$(curl -sf "$api/api/auth/login/oidc")
code=$(code_for "$(json authorization_url <<<"$start")")
JWT=$(curl -sf "$api/api/auth/callback" -H 'content-type: application/json' \
  -d "{\"code\":\"$code\",\"state\":\"$(json state <<<"$start")\"}" | json access_token)
verifier=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
challenge=$(node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("base64url"))' "$verifier")
code=$(code_for "$idp/oauth/v2/authorize?client_id=workmate-opaque&response_type=code&scope=openid+profile+email&redirect_uri=$redirect&code_challenge=$challenge&code_challenge_method=S256")
OPAQUE=$(curl -sf "$idp/oauth/v2/token" -u workmate-opaque:workmate-opaque-secret-0123456789abcd \
  -d grant_type=authorization_code -d "code=$code" -d "redirect_uri=$redirect" -d "code_verifier=$verifier" | json access_token)
for t in "$LOCAL" "$JWT" "$OPAQUE"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $t" "$api/api/auth/me")" = 200 ] || { echo "token refused" >&2; exit 1; }
done

out=""
for pair in "local:$LOCAL" "idp-jwt:$JWT" "idp-opaque:$OPAQUE"; do
  name=${pair%%:*}; token=${pair#*:}
  wrk -t1 -c8 -d3s -H "authorization: Bearer $token" "$api/api/auth/me" >/dev/null 2>&1
  r=$(wrk -t1 -c32 -d"${secs}s" --latency -H "authorization: Bearer $token" "$api/api/auth/me" 2>&1)
  out+="$name $(awk '/Requests\/sec/ {print $2}' <<<"$r") $(awk '$1=="99%" {print $2}' <<<"$r") $(awk '/Non-2xx/ {print $5}' <<<"$r")"$'\n'
done
rps() { awk -v n="$1" '$1==n {print $2}' <<<"$out"; }
ratio() { node -e 'const [a,b]=process.argv.slice(1).map(Number); console.log((a/b).toFixed(2))' "$1" "$2"; }
{
  echo "# GET /api/auth/me with IdP tokens vs local tokens"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; Node $(node -v); \`bash bench/oidc.sh\` (BENCH_SECONDS=$secs)"
  echo "- wrk 1 thread, 32 connections, 3 s warm-up; server NODE_ENV=production, RATE_LIMIT_PER_MINUTE=0, PostgreSQL"
  echo "- IdP: the test provider (scripts/dev-idp.ts) on loopback; JWT = RS256 access token from the code flow;"
  echo "  opaque = introspected once, then served from the introspection cache"
  echo
  echo "| Token | req/s | vs local | p99 | non-2xx |"
  echo "|---|---|---|---|---|"
  while read -r name r p n; do
    [ -n "$name" ] || continue
    echo "| $name | $r | $(ratio "$r" "$(rps local)") | $p | ${n:-0} |"
  done <<<"$out"
} > bench/OIDC-RESULTS.md
cat bench/OIDC-RESULTS.md
