#!/usr/bin/env bash
# parse-compat and a real Parse Server on ONE PostgreSQL database: real parse-server 9.10.0
# (npm, unmodified) starts first on a fresh database, then three parse-compat instances at the
# same moment; users and sessions cross both ways (REST and the npm Parse SDK), the rows
# parse-compat writes are compared with Parse's, and revocations (logout, password change) on
# any server must be final on every other at once, also under load
# (clients/postgres/interop.mjs). Then a connection loss on a second cluster, `pcloss` on port
# 5439, so that the main cluster others use is never restarted (clients/postgres/outage.mjs).
# usage: clients/run-postgres.sh PATH/TO/parse-compat
# Needs root for PostgreSQL (scripts/postgres.sh installs and starts it when missing).
set -euo pipefail
bin=$(realpath "${1:?usage: run-postgres.sh BIN}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
db=parse_compat_pg
loss_db=parse_compat_pg_loss
loss="$here/postgres/loss-cluster.sh"
pids=()
loss_up=
started=$(date +%s)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() { # url log pid
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "run-postgres.sh: the server for $1 exited"; cat "$2"; return 1; }
    sleep 0.5
  done
  echo "run-postgres.sh: $1 never answered"; cat "$2"; return 1
}
logs() {
  for log in "$work"/*.log; do
    [[ $log == */npm.log ]] && continue
    echo "--- $(basename "$log") (last 60 lines)"
    grep -v DeprecationWarning "$log" | tail -60
  done
}
finish() {
  local rc=$?
  ((rc == 0)) || { echo "run-postgres.sh: FAILED (exit $rc)"; logs; }
  ((${#pids[@]} == 0)) || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ -z $loss_up ]] || "$loss" stop >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap finish EXIT
compat() { # port database-uri log: one parse-compat instance in the background
  "$bin" serve --parse-version 9.10.0 --host 127.0.0.1 --port "$1" --appId compatApp \
    --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
    --databaseURI "$2" --serverURL "http://127.0.0.1:$1/parse" >"$3" 2>&1 &
}
real_parse() { # port database-uri log: real parse-server in the background (its log files in $work)
  (cd "$work" && exec node "$here/postgres/server.cjs" "$1" "$2" >"$3" 2>&1) &
}

"$root/scripts/postgres.sh" fresh "$db"
cd "$here/real-parse"
[[ -d node_modules/parse-server ]] ||
  npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; exit 1; }
cd "$here/parse-sdk"
[[ -d node_modules/parse ]] || npm ci --no-audit --no-fund --ignore-scripts >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; exit 1; }
cd "$here/postgres"

# 1. Real Parse first, on the fresh database; then three parse-compat instances at once (their
# start-up DDL is serialised by an advisory lock: all three must come up).
parse_port=$(free_port)
real_parse "$parse_port" "postgres://parse@127.0.0.1:5432/$db" "$work/parse.log"
pids+=($!)
wait_health "http://127.0.0.1:$parse_port/parse/health" "$work/parse.log" "${pids[-1]}"
ports=() compat_pids=()
while ((${#ports[@]} < 3)); do
  p=$(free_port)
  [[ " ${ports[*]} $parse_port " == *" $p "* ]] || ports+=("$p")
done
t0=$(date +%s%N)
for i in 0 1 2; do
  compat "${ports[i]}" "postgres://parse@127.0.0.1:5432/$db" "$work/compat-${i}.log"
  compat_pids+=($!)
done
pids+=("${compat_pids[@]}")
for i in 0 1 2; do
  wait_health "http://127.0.0.1:${ports[i]}/parse/health" "$work/compat-${i}.log" "${compat_pids[i]}"
done
echo "ok - three parse-compat instances started together on real Parse's database, all up in $((($(date +%s%N) - t0) / 1000000)) ms"
rc=0
REAL_URL="http://127.0.0.1:$parse_port/parse" PG_DB="$db" \
  COMPAT_URLS="http://127.0.0.1:${ports[0]}/parse,http://127.0.0.1:${ports[1]}/parse,http://127.0.0.1:${ports[2]}/parse" \
  node interop.mjs || rc=1
for i in 0 1 2; do
  kill -0 "${compat_pids[i]}" 2>/dev/null || { echo "not ok - parse-compat instance $i exited"; rc=1; }
done
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

# 5. Connection loss, on the second cluster.
loss_up=1
"$loss" up "$loss_db"
parse_port=$(free_port)
real_parse "$parse_port" "postgres://parse@127.0.0.1:5439/$loss_db" "$work/parse-loss.log"
pids+=($!)
wait_health "http://127.0.0.1:$parse_port/parse/health" "$work/parse-loss.log" "${pids[-1]}"
compat_port=$(free_port)
compat "$compat_port" "postgres://parse@127.0.0.1:5439/$loss_db" "$work/compat-loss.log"
pids+=($!)
compat_pid=$!
wait_health "http://127.0.0.1:$compat_port/parse/health" "$work/compat-loss.log" "$compat_pid"
REAL_URL="http://127.0.0.1:$parse_port/parse" COMPAT_URL="http://127.0.0.1:$compat_port/parse" \
  COMPAT_PID="$compat_pid" PG_DB="$loss_db" PG_PORT=5439 LOSS_CLUSTER="$loss" \
  node outage.mjs || rc=1
echo "run-postgres.sh: $(($(date +%s) - started)) s"
exit "$rc"
