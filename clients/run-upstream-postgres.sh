#!/usr/bin/env bash
# parse-compat in front of a real parse-server 9.10.0 (npm, unmodified) on ONE PostgreSQL
# database, both with the same protectedFields; the npm Parse SDK talks to parse-compat only.
# - clients/parse-sdk/roles.mjs makes roles through parse-compat and asks both servers every
#   user read and write whose answer a role decides: the answers must be the same.
# - clients/parse-sdk/triggers.mjs uses a second parse-compat, started with --userTriggers
#   naming the Cloud Code triggers of clients/real-parse/cloud.cjs and with the real server's
#   JavaScript validatorCallback declared upstream: they must run.
# usage: clients/run-upstream-postgres.sh PATH/TO/parse-compat
# Needs root for PostgreSQL (scripts/postgres.sh installs and starts it when missing).
set -euo pipefail
bin=$(realpath "${1:?usage: run-upstream-postgres.sh BIN}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
db=parse_compat_upstream_pg
protected='{"_User":{"*":["ssn","zip"],"role:Administrator":[]}}'
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() { # url log
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.5
  done
  echo "run-upstream-postgres.sh: $1 never answered"; cat "$2"; return 1
}
"$root/scripts/postgres.sh" fresh "$db"
cd "$here/real-parse"
[[ -d node_modules/parse-server ]] ||
  npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; exit 1; }
parse_port=$(free_port)
PARSE_VALIDATOR=1 PARSE_EXTRA_OPTIONS="{\"protectedFields\":$protected}" node server.cjs "$parse_port" "$db" >"$work/parse.log" 2>&1 &
parse_pid=$!
compat_pids=()
trap 'kill $parse_pid "${compat_pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_health "http://127.0.0.1:$parse_port/parse/health" "$work/parse.log"
compat() { # port log [more options...]: a parse-compat in front of the real server
  local port=$1 log=$2
  shift 2
  "$bin" serve --parse-version 9.10.0 --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
    --databaseURI "postgres://parse@127.0.0.1:5432/$db" --serverURL "http://127.0.0.1:$port/parse" \
    --protectedFields "$protected" --upstream "http://127.0.0.1:$parse_port/parse" "$@" >"$log" 2>&1 &
  compat_pids+=($!)
  wait_health "http://127.0.0.1:$port/parse/health" "$log"
}
plain_port=$(free_port)
compat "$plain_port" "$work/compat.log"
triggers_port=$(free_port)
compat "$triggers_port" "$work/compat-triggers.log" --userTriggers beforeSave,beforeLogin,afterLogout \
  --passwordPolicy '{"validatorCallback":"upstream"}'
failed() {
  for log in compat compat-triggers parse; do echo "--- $log log"; tail -50 "$work/$log.log"; done
  exit 1
}
cd "$here/parse-sdk"
[[ -d node_modules/parse ]] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
COMPAT_URL="http://127.0.0.1:$plain_port/parse" PARSE_URL="http://127.0.0.1:$parse_port/parse" \
  node roles.mjs || failed
COMPAT_URL="http://127.0.0.1:$triggers_port/parse" PLAIN_URL="http://127.0.0.1:$plain_port/parse" \
  GRAPHQL_URL="http://127.0.0.1:$triggers_port/graphql" node triggers.mjs || failed
