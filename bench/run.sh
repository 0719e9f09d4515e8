#!/usr/bin/env bash
# The benchmark: wrk against a release build, as the README reports it.
#   bench/run.sh [BIN]        (default: cargo build --release; target/release/parse-compat)
# Env: DURATION (s, default 10), CONNECTIONS (64), THREADS (2), VERSION (9.10.0),
#      SESSIONS (sessions seeded for the logout run, default 400000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
if [[ -z ${1:-} ]]; then
  cargo build --release --quiet --bin parse-compat --example seed --example bcrypt_rate --example bench_baseline
  bin=target/release/parse-compat
else
  bin=$1
  cargo build --release --quiet --example seed --example bcrypt_rate --example bench_baseline
fi
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2}
VERSION=${VERSION:-9.10.0} SESSIONS=${SESSIONS:-400000}
source bench/common.sh
measure_baseline

echo "== seeding $SESSIONS sessions"
target/release/examples/seed "$work/bench.db" "$SESSIONS" "$work/tokens.txt" "$VERSION"

start_server() {
  "$bin" serve --parse-version "$VERSION" --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --restAPIKey compatRest --databaseURI "sqlite:$work/bench.db" \
    >"$work/server.log" 2>&1 &
  pid=$!
}

echo "== startup: exec to first /parse/health 200"
echo "startup: $(measure_startup "$bin" "$work/startup.db")"

start_server
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break; sleep 0.05; done
echo "== idle memory: $(ps -o rss= -p "$pid" | awk '{printf "%.1f MB RSS", $1/1024}')"

token=$(head -n1 "$work/tokens.txt")
echo "== GET /parse/users/me (valid token)"
TOKEN=$token wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/users-me.lua "http://127.0.0.1:$port/parse/users/me"

echo "== POST /parse/logout (a different session each request)"
tail -n +2 "$work/tokens.txt" > "$work/logout-tokens.txt"
TOKENS=$work/logout-tokens.txt WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/logout.lua "http://127.0.0.1:$port/parse/logout"

# Login on a server of its own: after the logout run above, the writer spends a few percent of
# a core removing the ended sessions' rows, which is not what this line measures.
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
target/release/examples/seed "$work/login.db" 1 "$work/login-tokens.txt" "$VERSION"
"$bin" serve --parse-version "$VERSION" --host 127.0.0.1 --port "$port" --appId compatApp \
  --masterKey compatMaster --restAPIKey compatRest --databaseURI "sqlite:$work/login.db" \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break; sleep 0.05; done
echo "== POST /parse/login (bcrypt cost 10)"
# 64 logins in flight at ~25/s wait ~2.5 s each: wrk's default 2 s timeout would count them as
# errors and reconnect, so give them 10 s.
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s bench/login.lua "http://127.0.0.1:$port/parse/login"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
echo "== bcrypt ceiling"
target/release/examples/bcrypt_rate 5
