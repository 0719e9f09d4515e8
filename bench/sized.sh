#!/usr/bin/env bash
# The benchmark at production size: for each size, `parse-compat seed` fills a SQLite store,
# then the same requests as bench/run.sh and bench/graphql.sh run against it, with tokens that
# hit the session cache, tokens drawn uniformly from the store (mostly misses once the store
# is larger than the cache) and tokens each sent once (every lookup a miss), beside the
# machine's ceilings: hyper's fixed JSON at the start, and each cache-hit line's exchange just
# before and after it.
#   bench/sized.sh [BIN]
# Env: SIZES   users:sessions pairs (default "10000:100000 1000000:10000000")
#      SAMPLE  tokens kept per size, evenly spread over its sessions (default 1000000)
#      KEEP    a folder to keep the seeded stores in and reuse them from (default: none)
#      DURATION (s, 10), CONNECTIONS (64), THREADS (2), VERSION (9.10.0)
# Each line it prints is `size | what | figure`, for the README's table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
if [[ -z ${1:-} ]]; then
  cargo build --release --quiet --bin parse-compat --example bench_baseline
  bin=target/release/parse-compat
else
  bin=$1
  cargo build --release --quiet --example bench_baseline
fi
DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2}
VERSION=${VERSION:-9.10.0} SIZES=${SIZES:-"10000:100000 1000000:10000000"} SAMPLE=${SAMPLE:-1000000}
source bench/common.sh
viewer='{"query":"query { viewer { sessionToken user { id objectId username } } }"}'

row() { echo "$size | $1 | $2"; }
# wrk's rate, or FAILED with what went wrong (any non-2xx answer or socket error fails it).
rate() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" 2>&1)
  if grep -qE "non-2xx/3xx: [1-9]|Socket errors|Non-2xx" <<<"$out"; then
    echo "FAILED: $(grep -E 'non-2xx|Socket|Non-2xx' <<<"$out" | tr '\n' ' ')"
  else
    awk '/Requests\/sec/ { printf "%.0f req/s", $2 }' <<<"$out"
  fi
}
serve() {
  "$bin" serve --parse-version "$VERSION" --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --restAPIKey compatRest --databaseURI "sqlite:$1" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && return; sleep 0.05; done
  echo "the server did not start:"; cat "$work/server.log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
# A second free port, for a ceiling measured while the server is paused.
cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The ceiling of an exchange (measure_baseline_for's arguments, its environment set by the
# caller) measured with the server paused, as a bare number.
exchange() {
  kill -STOP "$pid"
  port=$cport measure_baseline_for "$@" | awk '/Requests\/sec/ { printf "%.0f", $2 }'
  kill -CONT "$pid"; sleep 0.2
}
# "RATE req/s (NN% of its exchange, measured just before and after: C1 and C2 req/s)": a
# line read against its ceiling seconds apart, since this machine's speed drifts by the minute.
against() {
  python3 -c 'import sys; r, a, b = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
n = r.split()[0]
print(r if not n.isdigit() else f"{r} ({100 * float(n) / ((a + b) / 2):.0f}% of its exchange, measured just before and after: {a:.0f} and {b:.0f} req/s)")' "$@"
}
fresh_copy() {
  rm -f "$work"/serve.db*
  cp "$store" "$work/serve.db"
  cp "$store.token-key" "$work/serve.db.token-key"
}
# Resident memory, and the part of it that is the process's own (not pages of the database
# file, which the OS can drop at any time).
rss() { awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } END { printf "%.1f MiB RSS (%.1f MiB anonymous)", r/1024, a/1024 }' "/proc/$pid/status"; }

for pair in $SIZES; do
  users=${pair%%:*} sessions=${pair##*:} size="$pair"
  store=${KEEP:-$work}/sized-$VERSION-$users-$sessions.db
  tokens=$store.tokens
  if [[ ! -s $tokens ]]; then
    rm -f "$store" "$store"-* "$store".*
    t0=$(date +%s.%N)
    "$bin" seed --parse-version "$VERSION" --databaseURI "sqlite:$store" --users "$users" \
      --sessions "$sessions" --tokens "$tokens" --tokensSample "$SAMPLE" 2>/dev/null
    row "seed" "$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f} s')" "$t0" "$(date +%s.%N)")"
  fi
  bytes=$(stat -c %s "$store")
  row "database on disk" "$(python3 -c "import sys; b, s = int(sys.argv[1]), int(sys.argv[2]); print(f'{b / 2**20:.0f} MiB, {b / s:.0f} bytes per session')" "$bytes" "$sessions")"
  # Cold start: the file's pages may be in the OS cache; nothing of it is in the process.
  row "exec to first /parse/health 200" "$(measure_startup "$bin" "$store")"
  row "ceiling: hyper, fixed JSON" "$(measure_baseline | awk '/Requests\/sec/ { printf "%.0f req/s", $2 }')"
  # The same ceiling for the exact requests of the users/me and viewer lines (their wrk scripts).
  row "ceiling: hyper, the users/me request" "$(TOKEN=r:0 measure_baseline_for /parse/users/me -s bench/users-me.lua | awk '/Requests\/sec/ { printf "%.0f req/s", $2 }')"
  row "ceiling: hyper, the viewer request" "$(BODY=$viewer TOKEN=r:0 measure_baseline_for /graphql -s bench/graphql.lua | awk '/Requests\/sec/ { printf "%.0f req/s", $2 }')"
  # The server writes to a copy, so a kept store stays as seeded.
  fresh_copy
  serve "$work/serve.db"
  row "idle memory" "$(rss)"
  hot=$(head -n1 "$tokens")
  # The answers of the users/me and viewer lines, for the ceilings of those exchanges (below).
  keys=(-H "X-Parse-Application-Id: compatApp" -H "X-Parse-REST-API-Key: compatRest" -H "X-Parse-Session-Token: $hot")
  curl -si "${keys[@]}" "http://127.0.0.1:$port/parse/users/me" >"$work/users-me.response"
  curl -si "${keys[@]}" -H "Content-Type: application/json" -d "$viewer" "http://127.0.0.1:$port/graphql" >"$work/viewer.response"
  me_exchange() { RESPONSE=$work/users-me.response TOKEN=r:0 exchange /parse/users/me -s bench/users-me.lua; }
  c1=$(me_exchange)
  r=$(TOKEN=$hot rate -s bench/users-me.lua "http://127.0.0.1:$port/parse/users/me")
  row "users/me, one token (cache hit)" "$(against "$r" "$c1" "$(me_exchange)")"
  # The same wrk script as the uniform line, over tokens that all stay cached: what the
  # uniform line would reach if every token hit the cache.
  head -n 10000 "$tokens" >"$work/cached-tokens"
  TOKENS=$work/cached-tokens URL_PATH=/parse/users/me DURATION=2 rate -s bench/random-token.lua "http://127.0.0.1:$port/" >/dev/null
  uniform_exchange() { RESPONSE=$work/users-me.response TOKENS=$work/cached-tokens URL_PATH=/parse/users/me exchange / -s bench/random-token.lua; }
  c1=$(uniform_exchange)
  r=$(TOKENS=$work/cached-tokens URL_PATH=/parse/users/me rate -s bench/random-token.lua "http://127.0.0.1:$port/")
  row "users/me, uniform over $(wc -l <"$work/cached-tokens") tokens (all cached)" "$(against "$r" "$c1" "$(uniform_exchange)")"
  row "users/me, uniform over $(wc -l <"$tokens") tokens" "$(TOKENS=$tokens URL_PATH=/parse/users/me rate -s bench/random-token.lua "http://127.0.0.1:$port/")"
  viewer_exchange() { RESPONSE=$work/viewer.response BODY=$viewer TOKEN=r:0 exchange /graphql -s bench/graphql.lua; }
  c1=$(viewer_exchange)
  r=$(BODY=$viewer TOKEN=$hot rate -s bench/graphql.lua "http://127.0.0.1:$port/graphql")
  row "GraphQL viewer, one token (cache hit)" "$(against "$r" "$c1" "$(viewer_exchange)")"
  row "GraphQL viewer, uniform over $(wc -l <"$tokens") tokens" "$(BODY=$viewer TOKENS=$tokens METHOD=POST URL_PATH=/graphql rate -s bench/random-token.lua "http://127.0.0.1:$port/")"
  row "memory after the reads" "$(rss)"
  # A different session each request, never the one token used above.
  tail -n +2 "$tokens" >"$work/logout-tokens"
  # Each token ends once: a run may not outlast the sample (at ~100k/s, a second per 100k).
  logout_s=$(( $(wc -l <"$work/logout-tokens") / 100000 )); logout_s=$(( logout_s < 1 ? 1 : logout_s > DURATION ? DURATION : logout_s ))
  row "logout, a different session each request (${logout_s} s)" "$(TOKENS=$work/logout-tokens WRK_THREADS=$THREADS DURATION=$logout_s rate -s bench/logout.lua "http://127.0.0.1:$port/parse/logout")"
  # Right after the logouts the writer removes their rows whenever it is idle: what that costs
  # the requests that do not write.
  row "users/me, one token, while ended sessions are swept" "$(TOKEN=$hot rate -s bench/users-me.lua "http://127.0.0.1:$port/parse/users/me")"
  row "memory after the logouts" "$(rss)"
  stop
  fresh_copy
  serve "$work/serve.db"
  # Every lookup a miss: each request a token never sent before, in random order, on a
  # server of its own that has cached no token. The run stops short of the
  # tokens' end (at ~100k/s, a second per 100k).
  shuf --random-source=<(yes) "$tokens" >"$work/once-tokens"
  once_s=$(( $(wc -l <"$work/once-tokens") / 100000 )); once_s=$(( once_s < 1 ? 1 : once_s > DURATION ? DURATION : once_s ))
  row "users/me, each token once: every lookup misses the cache (${once_s} s)" "$(ONCE=1 TOKENS=$work/once-tokens URL_PATH=/parse/users/me WRK_THREADS=$THREADS DURATION=$once_s rate -s bench/random-token.lua "http://127.0.0.1:$port/")"
  row "login as a random user (bcrypt cost 10)" "$(USERS=$users rate --timeout 10s -s bench/login-random.lua "http://127.0.0.1:$port/parse/login")"
  stop
  rm -f "$work"/serve.db*
done
