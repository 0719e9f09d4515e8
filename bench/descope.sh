#!/usr/bin/env bash
# Descope benchmark: logout and refresh, each request with a different session's refresh JWT.
#   bench/descope.sh [BIN]   Env: VERSION (9.10.0), DURATION (5), CONNECTIONS (64), THREADS (2), SESSIONS (100000)
# Seeding mints one RSA-signed JWT per session (about a millisecond each per core).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --bin parse-compat --example descope_seed --example bench_baseline
bin=${1:-target/release/parse-compat}
DURATION=${DURATION:-5} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2} SESSIONS=${SESSIONS:-100000}
PROJECT=Pbench0000000000000000000000
source bench/common.sh
measure_baseline

echo "== seeding $SESSIONS Descope sessions"
target/release/examples/descope_seed "$work/bench.db" "$SESSIONS" "$work/tokens.txt" "$PROJECT"
"$bin" serve --parse-version "${VERSION:-9.10.0}" --host 127.0.0.1 --port "$port" --appId compatApp --masterKey compatMaster \
  --databaseURI "sqlite:$work/bench.db" --descopeProjectId "$PROJECT" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break; sleep 0.05; done

# Refresh first (it leaves the sessions alive) on the first 15,000 tokens (refresh signs a
# JWT per request, so it needs few); then logout on the rest, so every logout ends a session
# no other request touched. A run that exhausts its tokens shows non-2xx answers.
head -n 15000 "$work/tokens.txt" >"$work/refresh.txt"
tail -n +15001 "$work/tokens.txt" >"$work/logout.txt"
for route in refresh logout; do
  echo "== POST /v1/auth/$route (a different session each request)"
  ROUTE=/v1/auth/$route PROJECT=$PROJECT TOKENS=$work/$route.txt WRK_THREADS=$THREADS \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/descope-logout.lua \
    "http://127.0.0.1:$port/v1/auth/$route" | grep -E "Requests/sec|non-2xx|Socket"
done
