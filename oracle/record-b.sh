#!/usr/bin/env bash
# Records scenario B against the REAL parse-server (installed by the shared oracle's run.sh with
# INSTALL_ONLY=1), one fresh PostgreSQL database per version, into fixtures/scenario-b/.
# usage (from the checkout): oracle/record-b.sh VERSION [VERSION ...]
#   OUT=dir   write somewhere else (default fixtures/scenario-b), e.g. for a determinism check
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
oracle=${ORACLE:-/work/shared/parse-oracle}
out=${OUT:-$here/../fixtures/scenario-b}
mkdir -p "$out"
port=$((30000 + RANDOM % 10000))
for v in "$@"; do
  port=$((port + 1))
  log=$(mktemp)
  "$oracle/tools/real-parse-as-bin.sh" serve --parse-version "$v" --port "$port" >"$log" 2>&1 &
  pid=$!
  up=
  for _ in $(seq 1 120); do
    if curl -s -m 2 "http://127.0.0.1:$port/parse/health" | grep -q ok; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if [[ -z $up ]]; then
    echo "$v: real Parse did not start: $(tail -c 300 "$log")"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    continue
  fi
  timeout 300 node "$here/scenario-b.mjs" "http://127.0.0.1:$port" "$v" "$out/$v.jsonl" >"$out/$v.log.tmp" 2>&1
  rc=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  node "$oracle/normalize.mjs" "$out/$v.jsonl" "$out/$v.normalized.jsonl" >/dev/null
  echo "$v: scenario rc=$rc, $(wc -l <"$out/$v.jsonl") exchanges"
  rm -f "$out/$v.log.tmp" "$log"
done
