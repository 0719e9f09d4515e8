#!/usr/bin/env bash
# Run the real Descope SDKs (npm @descope/node-sdk, PyPI descope), untouched, against a fresh
# parse-compat server.
#
#   clients/run-descope-clients.sh path/to/parse-compat
#
# Builds nothing: it takes the binary, starts it on a free port with a throwaway SQLite
# database and a Descope project id, installs the pinned clients if they are not installed
# yet (npm ci, a venv with pip), runs both, stops the server. Exits non-zero on any failure.
set -euo pipefail

bin=${1:?usage: $0 path/to/parse-compat}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "$0")" && pwd)
project_id=P2parseCompatClients
app_id=compatApp

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

"$bin" serve --parse-version 8.0.0 --host 127.0.0.1 --port "$port" \
    --appId "$app_id" --masterKey compatMaster \
    --databaseURI "sqlite:$work/clients.db" \
    --descopeProjectId "$project_id" >"$work/server.log" 2>&1 &
server_pid=$!

# Ready when the JWKS answers (the first start generates the signing key).
for _ in $(seq 1 300); do
    if curl -fsS "$base/v2/keys/$project_id" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "parse-compat exited early:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
curl -fsS "$base/v2/keys/$project_id" >/dev/null

export DESCOPE_BASE_URL=$base DESCOPE_PROJECT_ID=$project_id PARSE_URL=$base/parse PARSE_APP_ID=$app_id

status=0

echo "== @descope/node-sdk"
(
    cd "$here/descope-node"
    if [[ ! -d node_modules/@descope/node-sdk ]]; then
        npm ci --no-audit --no-fund --loglevel=error
    fi
    node test.js
) || status=1

echo "== descope (PyPI)"
(
    cd "$here/descope-python"
    if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import descope' 2>/dev/null; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
    fi
    .venv/bin/python test_descope.py
) || status=1

if [[ $status -ne 0 ]]; then
    echo "== server log" >&2
    tail -n 50 "$work/server.log" >&2
fi
exit $status
