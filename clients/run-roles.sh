#!/usr/bin/env bash
# Roles, differentially: a real parse-server 9.10.0 (npm, unmodified) and parse-compat on ONE
# PostgreSQL database, parse-compat with that server as its --upstream, both with the same
# protectedFields. clients/parse-sdk/roles.mjs makes roles with the npm Parse SDK through
# parse-compat and asks both servers every user read and write whose answer a role decides.
# usage: clients/run-roles.sh PATH/TO/parse-compat
# Needs root for PostgreSQL (scripts/postgres.sh installs and starts it when missing).
set -euo pipefail
bin=$(realpath "${1:?usage: run-roles.sh BIN}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
db=parse_compat_roles
protected='{"_User":{"*":["ssn","zip"],"role:Administrator":[]}}'
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() { # url log
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.5
  done
  echo "run-roles.sh: $1 never answered"; cat "$2"; return 1
}
"$root/scripts/postgres.sh" fresh "$db"
cd "$here/real-parse"
[[ -d node_modules/parse-server ]] ||
  npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; exit 1; }
parse_port=$(free_port)
PARSE_EXTRA_OPTIONS="{\"protectedFields\":$protected}" node server.cjs "$parse_port" "$db" >"$work/parse.log" 2>&1 &
parse_pid=$!
compat_pid=
trap 'kill $parse_pid $compat_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_health "http://127.0.0.1:$parse_port/parse/health" "$work/parse.log"
compat_port=$(free_port)
"$bin" serve --parse-version 9.10.0 --host 127.0.0.1 --port "$compat_port" --appId compatApp \
  --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
  --databaseURI "postgres://parse@127.0.0.1:5432/$db" --serverURL "http://127.0.0.1:$compat_port/parse" \
  --protectedFields "$protected" --upstream "http://127.0.0.1:$parse_port/parse" >"$work/compat.log" 2>&1 &
compat_pid=$!
wait_health "http://127.0.0.1:$compat_port/parse/health" "$work/compat.log"
cd "$here/parse-sdk"
[[ -d node_modules/parse ]] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
COMPAT_URL="http://127.0.0.1:$compat_port/parse" PARSE_URL="http://127.0.0.1:$parse_port/parse" node roles.mjs ||
  { echo "--- parse-compat log"; tail -50 "$work/compat.log"; echo "--- parse-server log"; tail -50 "$work/parse.log"; exit 1; }
