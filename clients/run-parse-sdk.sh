#!/usr/bin/env bash
# Runs the npm Parse JS SDK test (clients/parse-sdk) against a fresh parse-compat server.
# usage: clients/run-parse-sdk.sh PATH/TO/parse-compat [PARSE_VERSION]
set -euo pipefail
bin=$(realpath "${1:?usage: run-parse-sdk.sh BIN [VERSION]}")
version=${2:-9.10.0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --parse-version "$version" --host 127.0.0.1 --port "$port" --appId compatApp \
  --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
  --databaseURI "sqlite:$work/sdk.db" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break
  sleep 0.1
done
cd "$here/parse-sdk"
[[ -d node_modules/parse ]] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
PARSE_SERVER_URL="http://127.0.0.1:$port/parse" node test.mjs || { echo "--- server log"; cat "$work/server.log"; exit 1; }
