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

# The same SDK against servers with e-mail verification on, their e-mails in an outbox: as
# the pinned version, and as the other two /apps routers (4.4: PublicAPIRouter with usernames
# in links; 8.6: token-only links).
for v in "$version" 4.4.0 8.6.94; do
  kill $pid; wait $pid 2>/dev/null || true
  rm -f "$work/outbox.jsonl"
  "$bin" serve --parse-version "$v" --host 127.0.0.1 --port "$port" --appId compatApp \
    --masterKey compatMaster --javascriptKey compatJs --restAPIKey compatRest \
    --databaseURI "sqlite:$work/email-$v.db" --appName "SDK App" \
    --publicServerURL "http://127.0.0.1:$port/parse" --verifyUserEmails true \
    --emailAdapter "file:$work/outbox.jsonl" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/parse/health" && break
    sleep 0.1
  done
  echo "-- e-mail flows as Parse $v"
  PARSE_SERVER_URL="http://127.0.0.1:$port/parse" OUTBOX="$work/outbox.jsonl" node email.mjs ||
    { echo "--- server log"; cat "$work/server.log"; exit 1; }
done
