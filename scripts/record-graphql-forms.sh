#!/usr/bin/env bash
# Records real parse-server answering scripts/record-graphql-forms.mjs, through
# `parse-compat record`, into fixtures/graphql-forms/<version>.jsonl: one version per
# multipart reader (graphql-upload 8, 9-11, graphql-yoga 2, graphql-upload 15) plus 7.5.4 for
# Apollo Server 4's landing page. Needs the versions installed by ../shared/parse-oracle/run.sh
# and a release build. Not run by CI: CI replays the recordings (tests/graphql_forms.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=${VERSIONS:-"3.7.2 4.4.0 6.5.11 7.5.4 9.10.0"}
scripts/postgres.sh >/dev/null
mkdir -p fixtures/graphql-forms
for v in $versions; do
  ../shared/parse-oracle/tools/real-parse-as-bin.sh serve --parse-version "$v" --port 9301 &
  parse=$!
  for _ in $(seq 1 60); do
    curl -sf -o /dev/null -H 'X-Parse-Application-Id: compatApp' http://127.0.0.1:9301/parse/health && break
    sleep 1
  done
  target/release/parse-compat record --upstream http://127.0.0.1:9301/parse --port 9302 \
    --out "fixtures/graphql-forms/$v.jsonl" &
  rec=$!
  sleep 1
  node scripts/record-graphql-forms.mjs --url http://127.0.0.1:9302 --version "$v"
  kill $rec; wait $rec 2>/dev/null || true
  kill $parse; wait $parse 2>/dev/null || true
  echo "recorded $v: $(wc -l < "fixtures/graphql-forms/$v.jsonl") exchanges" >&2
done
