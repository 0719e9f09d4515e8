#!/usr/bin/env bash
# GraphQL benchmark: the `viewer` query and the cookbook `logOut` of every API generation.
#   bench/graphql.sh [BIN]   Env: DURATION (10), CONNECTIONS (64), THREADS (2), SESSIONS (200000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --bin parse-compat --example seed --example bench_baseline
bin=${1:-target/release/parse-compat}
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2} SESSIONS=${SESSIONS:-200000}
source bench/common.sh
measure_baseline
# The viewer lines' own ceiling: a POST with a JSON body, built per request by graphql.lua.
echo "== baseline for the viewer request shape (POST /graphql, bench/graphql.lua)"
BODY='{"query":"query { viewer { sessionToken user { id objectId username } } }"}' TOKEN=r:0 \
  measure_baseline_for /graphql -s bench/graphql.lua

# version | viewer document | cookbook logOut document
while IFS='|' read -r version viewer logout; do
  [[ -z $version ]] && continue
  rm -f "$work"/bench.db*
  target/release/examples/seed "$work/bench.db" "$SESSIONS" "$work/tokens.txt" "$version" >/dev/null
  "$bin" serve --parse-version "$version" --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --restAPIKey compatRest --databaseURI "sqlite:$work/bench.db" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break; sleep 0.05; done
  viewer_body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$viewer")
  logout_body=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$logout")
  echo "== $version viewer: $viewer"
  BODY=$viewer_body TOKEN=$(head -n1 "$work/tokens.txt") wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
    -s bench/graphql.lua "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|non-2xx|Socket"
  tail -n +2 "$work/tokens.txt" >"$work/logout-tokens.txt"
  echo "== $version logOut: $logout"
  BODY=$logout_body TOKENS=$work/logout-tokens.txt WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" \
    -d"${DURATION}s" -s bench/graphql.lua "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|non-2xx|Socket"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done <<'TABLE'
3.7.2|query { users { me { objectId username sessionToken } } }|mutation { users { logOut } }
3.8.0|query { viewer { objectId username sessionToken } }|mutation { logOut { objectId } }
3.9.0|query { viewer { id username sessionToken } }|mutation { logOut { id } }
3.10.0|query { viewer { sessionToken user { id objectId username } } }|mutation { logOut(input: { clientMutationId: "sampleId" }) { viewer { user { id } } } }
4.2.0|query { viewer { sessionToken user { id objectId username } } }|mutation { logOut(input: { clientMutationId: "sampleId" }) { viewer { user { id } } } }
4.5.2|query { viewer { sessionToken user { id objectId username } } }|mutation logOutButton { logOut(input: { clientMutationId: "9vc3nljyhp" }) { clientMutationId } }
6.5.11|query { viewer { sessionToken user { id objectId username } } }|mutation logOutButton { logOut(input: { clientMutationId: "9vc3nljyhp" }) { clientMutationId } }
9.10.0|query { viewer { sessionToken user { id objectId username } } }|mutation logOutButton { logOut(input: { clientMutationId: "9vc3nljyhp" }) { clientMutationId } }
TABLE
