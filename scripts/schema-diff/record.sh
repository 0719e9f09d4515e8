#!/usr/bin/env bash
# Records fixtures/schema-diff/<from>__<to>.json: graphql-inspector's diff of the
# real SDL (fixtures/schema/<version>.graphql) for each pair of recorded Parse versions.
# Pairs: every adjacent pair in version order, the reverse of each, and a few long jumps.
# Also fixtures/schema-diff/simplified/<from>__<to>.json: the same with the library's
# DiffRule.simplifyChanges, which the `graphql-inspector diff` CLI applies by default.
# Run from anywhere; installs the pinned packages (npm ci) if node_modules is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
schema="$root/fixtures/schema"
out="$root/fixtures/schema-diff"
mkdir -p "$out" "$out/simplified"

if [ ! -d "$here/node_modules/@graphql-inspector/core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

versions=(3.7.2 3.8.0 3.9.0 3.10.0 4.2.0 4.4.0 4.5.2 5.6.0 6.5.11 7.5.4 8.6.94 9.10.0)

pairs=()
for ((i = 0; i + 1 < ${#versions[@]}; i++)); do
  pairs+=("${versions[i]} ${versions[i+1]}")
done
pairs+=("3.7.2 9.10.0" "3.9.0 9.10.0" "4.4.0 9.10.0" "6.5.11 9.10.0")
for ((i = 0; i + 1 < ${#versions[@]}; i++)); do
  pairs+=("${versions[i+1]} ${versions[i]}")
done

for pair in "${pairs[@]}"; do
  read -r from to <<<"$pair"
  file="$out/${from}__${to}.json"
  node "$here/diff.mjs" "$schema/$from.graphql" "$schema/$to.graphql" >"$file.tmp"
  mv "$file.tmp" "$file"
  simple="$out/simplified/${from}__${to}.json"
  node "$here/diff.mjs" --simplify "$schema/$from.graphql" "$schema/$to.graphql" >"$simple.tmp"
  mv "$simple.tmp" "$simple"
  count() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).length))' "$1"; }
  printf '%-8s -> %-8s %5d changes (%d simplified)\n' "$from" "$to" "$(count "$file")" "$(count "$simple")"
done
