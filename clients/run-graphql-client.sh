#!/usr/bin/env bash
# Runs graphql-request (clients/graphql-client) with each recorded Parse version's auth cookbook
# against a fresh parse-compat server per version.
# usage: clients/run-graphql-client.sh PATH/TO/parse-compat [VERSION ...]
set -euo pipefail
bin=$(realpath "${1:?usage: run-graphql-client.sh BIN [VERSION ...]}")
shift
versions=${*:-"3.7.2 3.8.0 3.9.0 3.10.0 4.2.0 4.4.0 4.5.2 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0"}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/graphql-client"
[[ -d node_modules/graphql-request ]] || npm ci --no-audit --no-fund --ignore-scripts >/dev/null
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for v in $versions; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" serve --parse-version "$v" --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --javascriptKey compatJs --databaseURI "sqlite:$work/$v.db" >"$work/$v.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break
    sleep 0.1
  done
  GRAPHQL_URL="http://127.0.0.1:$port/graphql" PARSE_VERSION=$v node test.mjs \
    || { echo "--- server log ($v)"; cat "$work/$v.log"; exit 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
