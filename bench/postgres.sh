#!/usr/bin/env bash
# parse-compat on PostgreSQL side by side with real Parse 9.10.0 (npm, unmodified) on the same
# database, in one run: GET /parse/users/me, POST /parse/logout (a different session each
# request) and GraphQL `viewer`, with the machine's ceiling measured first.
#   bench/postgres.sh [BIN]
# Env: DURATION (s, 10), CONNECTIONS (64), THREADS (2), USERS (10000), SESSIONS (200000).
# Needs root (scripts/postgres.sh) and clients/real-parse's npm packages (installed if missing).
# The seeded users share one bcrypt hash (made by parse-compat's own sign-up): seeding 10,000
# hashes would take minutes and changes nothing that is measured here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --example bench_baseline
if [[ -z ${1:-} ]]; then
  cargo build --release --quiet --bin parse-compat
  bin=target/release/parse-compat
else
  bin=$1
fi
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2}
USERS=${USERS:-10000} SESSIONS=${SESSIONS:-200000} VERSION=9.10.0
source bench/common.sh
scripts/postgres.sh fresh parse_compat_bench
db=postgres://parse@127.0.0.1:5432/parse_compat_bench
psql_db() { psql -qAt "$db" "$@"; }
(cd clients/real-parse && { [[ -d node_modules/parse-server ]] ||
  npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts >/dev/null; })

measure_baseline

wait_health() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
"$bin" serve --parse-version "$VERSION" --host 127.0.0.1 --port "$port" --appId compatApp \
  --masterKey compatMaster --restAPIKey compatRest --databaseURI "$db" >"$work/compat.log" 2>&1 &
pid=$!
wait_health "http://127.0.0.1:$port/parse/health" || { cat "$work/compat.log"; exit 1; }
curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/parse/users" -H 'X-Parse-Application-Id: compatApp' \
  -H 'X-Parse-REST-API-Key: compatRest' -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password"}'
echo "== seeding $USERS users and $SESSIONS sessions"
psql_db <<SQL
INSERT INTO "_User" ("objectId", "createdAt", "updatedAt", "username", "_rperm", "_wperm", "_hashed_password")
SELECT id, date_trunc('milliseconds', now()), date_trunc('milliseconds', now()), 'user' || i, ARRAY[id], ARRAY[id],
       (SELECT "_hashed_password" FROM "_User" WHERE "username" = 'bench')
FROM generate_series(1, $USERS) i, LATERAL (SELECT 'u' || lpad(i::text, 9, '0') AS id) x;
INSERT INTO "_Session" ("objectId", "createdAt", "updatedAt", "user", "sessionToken", "expiresAt", "createdWith")
SELECT 's' || lpad(i::text, 9, '0'), date_trunc('milliseconds', now()), date_trunc('milliseconds', now()),
       'u' || lpad((1 + i % $USERS)::text, 9, '0'), 'r:' || md5(i::text),
       date_trunc('milliseconds', now()) + interval '1 year', '{"action": "login", "authProvider": "password"}'
FROM generate_series(1, $SESSIONS) i;
ANALYZE "_User"; ANALYZE "_Session";
SQL
psql_db -c "SELECT \"sessionToken\" FROM \"_Session\" WHERE \"objectId\" LIKE 's%' ORDER BY random()" >"$work/tokens.txt"
token=$(head -n1 "$work/tokens.txt")
half=$(( $(wc -l <"$work/tokens.txt") / 2 ))
sed -n "2,${half}p" "$work/tokens.txt" >"$work/compat-logout.txt"
sed -n "$((half + 1)),\$p" "$work/tokens.txt" >"$work/parse-logout.txt"

real_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd clients/real-parse && exec node server.cjs "$real_port" parse_compat_bench) >"$work/parse.log" 2>&1 &
real_pid=$!
trap 'kill $real_pid 2>/dev/null; cleanup' EXIT
wait_health "http://127.0.0.1:$real_port/parse/health" || { cat "$work/parse.log"; exit 1; }

viewer='{"query":"query { viewer { sessionToken user { id objectId username } } }"}'
rate() { grep -E "Requests/sec" | awk '{print $2}'; }
run() { # name port logout-tokens
  local name=$1 p=$2 tokens=$3
  echo "== $name GET /parse/users/me"
  TOKEN=$token wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/users-me.lua \
    "http://127.0.0.1:$p/parse/users/me" | tee "$work/$name-me.txt" | grep -E "Requests/sec|non-2xx|Socket"
  echo "== $name GraphQL viewer"
  BODY=$viewer TOKEN=$token wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/graphql.lua \
    "http://127.0.0.1:$p/graphql" | tee "$work/$name-viewer.txt" | grep -E "Requests/sec|non-2xx|Socket"
  echo "== $name POST /parse/logout (a different session each request)"
  TOKENS=$tokens WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/logout.lua \
    "http://127.0.0.1:$p/parse/logout" | tee "$work/$name-logout.txt" | grep -E "Requests/sec|non-2xx|Socket"
}
run parse-compat "$port" "$work/compat-logout.txt"
run real-parse "$real_port" "$work/parse-logout.txt"
echo "== parse-compat / real Parse 9.10.0, same PostgreSQL, same run"
for what in me viewer logout; do
  python3 - "$what" "$(rate <"$work/parse-compat-$what.txt")" "$(rate <"$work/real-parse-$what.txt")" <<'PY'
import sys
what, ours, theirs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"{what:7s} parse-compat {ours:10.0f}/s   real Parse {theirs:8.0f}/s   x{ours / theirs:.1f}")
PY
done
