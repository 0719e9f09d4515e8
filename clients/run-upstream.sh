#!/usr/bin/env bash
# The pass-through with a real Parse Server: parse-compat in front of parse-server 9.10.0 (npm,
# unmodified, on PostgreSQL), and the npm Parse SDK talking to parse-compat only.
# usage: clients/run-upstream.sh PATH/TO/parse-compat [PARSE_VERSION]
# Needs root for PostgreSQL (scripts/postgres.sh installs and starts it when missing).
set -euo pipefail
bin=$(realpath "${1:?usage: run-upstream.sh BIN [VERSION]}")
version=${2:-9.10.0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() { # url log
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.5
  done
  echo "run-upstream.sh: $1 never answered"; cat "$2"; return 1
}
"$root/scripts/postgres.sh" fresh parse_compat_upstream
cd "$here/real-parse"
[[ -d node_modules/parse-server ]] ||
  npm ci --no-audit --no-fund --legacy-peer-deps --ignore-scripts >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; exit 1; }
parse_port=$(free_port)
node server.cjs "$parse_port" parse_compat_upstream >"$work/parse.log" 2>&1 &
parse_pid=$!
compat_pid=
trap 'kill $parse_pid $compat_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
wait_health "http://127.0.0.1:$parse_port/parse/health" "$work/parse.log"
compat_port=$(free_port)
"$bin" serve --parse-version "$version" --host 127.0.0.1 --port "$compat_port" --appId compatApp \
  --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
  --databaseURI "sqlite:$work/compat.db" --serverURL "http://127.0.0.1:$compat_port/parse" \
  --upstream "http://127.0.0.1:$parse_port/parse" >"$work/compat.log" 2>&1 &
compat_pid=$!
wait_health "http://127.0.0.1:$compat_port/parse/health" "$work/compat.log"
cd "$here/parse-sdk"
[[ -d node_modules/parse ]] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
PARSE_SERVER_URL="http://127.0.0.1:$compat_port/parse" GRAPHQL_URL="http://127.0.0.1:$compat_port/graphql" \
  node upstream.mjs ||
  { echo "--- parse-compat log"; cat "$work/compat.log"; echo "--- parse-server log"; tail -50 "$work/parse.log"; exit 1; }
