#!/usr/bin/env bash
# Runs scenario B (oracle/scenario-b.mjs) against parse-compat, one fresh server per Parse
# version, and compares the normalized transcript with real Parse's recording in
# fixtures/scenario-b/<v>.normalized.jsonl (shared normalize.mjs / compare.py).
#
# usage (from the checkout): oracle/conform-b.sh [VERSION ...]   (default: every recorded version)
# Env: BIN (default target/debug/parse-compat, built with `cargo build` if absent), SHOW
#      (mismatch lines per version, default 3), KEEP (keep the work folder), ORACLE (the shared
#      oracle folder), COMPARE_ARGS (passed to compare.py).
# Prints "V: M/N" per version, then "scenario B: M/N exchanges match real Parse (K/V versions at 100%)".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
oracle=${ORACLE:-/work/shared/parse-oracle}
fixtures=$here/../fixtures/scenario-b
if [[ $# -gt 0 ]]; then
  versions=$*
else
  versions=$(ls "$fixtures" | sed -n 's/\.normalized\.jsonl$//p' | sort -V)
fi
BIN=${BIN:-target/debug/parse-compat}
if [[ $BIN == target/debug/parse-compat && ! -x $BIN ]]; then
  cargo build --quiet 2>&1 | tail -5
fi
[[ -x $BIN ]] || { echo "scenario B: no binary at $BIN"; exit 1; }
work=$(mktemp -d)
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT
[[ -z ${KEEP:-} ]] || echo "work folder: $work"
total=0 matched=0 perfect=0 count=0
port=$((40000 + RANDOM % 10000))
for v in $versions; do
  expected=$fixtures/$v.normalized.jsonl
  [[ -f $expected ]] || { echo "$v: no recording at $expected"; continue; }
  count=$((count + 1))
  port=$((port + 1))
  "$BIN" serve --parse-version "$v" --host 127.0.0.1 --port "$port" \
    --appId compatApp --masterKey compatMaster --clientKey compatClient \
    --javascriptKey compatJs --restAPIKey compatRest --databaseURI "sqlite:$work/$v.sqlite" \
    >"$work/$v.server.log" 2>&1 &
  pid=$!
  up=
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/parse/health"; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  n=$(grep -c '"step"' "$expected")
  if [[ -z $up ]]; then
    echo "$v: 0/$n (server did not start: $(tail -c 300 "$work/$v.server.log" | tr '\n' ' '))"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    total=$((total + n))
    continue
  fi
  timeout 300 node "$here/scenario-b.mjs" "http://127.0.0.1:$port" "$v" "$work/$v.jsonl" >"$work/$v.scenario.log" 2>&1
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  node "$oracle/normalize.mjs" "$work/$v.jsonl" "$work/$v.normalized.jsonl" >/dev/null 2>&1 || : >"$work/$v.normalized.jsonl"
  out=$(python3 "$oracle/compare.py" "$expected" "$work/$v.normalized.jsonl" --show "${SHOW:-3}" ${COMPARE_ARGS:-})
  last=$(tail -n1 <<<"$out")
  m=${last#matched }; m_ok=${m%/*}; m_all=${m#*/}
  total=$((total + m_all)); matched=$((matched + m_ok))
  [[ $m_ok == "$m_all" ]] && perfect=$((perfect + 1))
  echo "$v: $m_ok/$m_all"
  head -n -1 <<<"$out" | sed 's/^/    /'
done
echo "scenario B: $matched/$total exchanges match real Parse ($perfect/$count versions at 100%)"
[[ $matched == "$total" ]]
