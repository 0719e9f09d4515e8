#!/usr/bin/env bash
# Attack suite for a parse-compat release binary.
#
#   hostile/run.sh path/to/parse-compat [CHECK ...]
#
# Runs every check (or only the ones named) with a hard time bound, prints one PASS/FAIL line
# per check and exits non-zero if any failed. Checks: replay races kill9 logs timing flood
# twoservers nesting (see hostile/README.md). Needs node >= 20, python3 (sqlite3 module) and the
# seed example next to the binary (target/release/examples/seed; built with cargo if missing).
#
# Environment: HOSTILE_SEED (seed example), HOSTILE_KEEP=1 (keep the scratch directory),
# HOSTILE_VERBOSE=1 (replay lists every listed deviation), HOSTILE_BOUND_<check>=SECONDS (override
# a check's time bound).
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: hostile/run.sh path/to/parse-compat [CHECK ...]" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift

all_checks=(replay races kill9 logs timing flood twoservers nesting)
declare -A bound=([replay]=120 [races]=60 [kill9]=90 [logs]=30 [timing]=40 [flood]=20 [twoservers]=25 [nesting]=25)
checks=("$@")
[ ${#checks[@]} -eq 0 ] && checks=("${all_checks[@]}")
for c in "${checks[@]}"; do
  if [ -z "${bound[$c]+x}" ]; then echo "unknown check: $c (known: ${all_checks[*]})" >&2; exit 2; fi
done

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then echo "hostile: node >= 20 required" >&2; exit 2; fi

seed="${HOSTILE_SEED:-}"
if [ -z "$seed" ]; then
  for candidate in "$(dirname "$bin")/examples/seed" "$root/target/release/examples/seed"; do
    if [ -x "$candidate" ]; then seed="$candidate"; break; fi
  done
fi
if [ -z "$seed" ]; then
  echo "hostile: building the seed example (cargo build --release --example seed)"
  (cd "$root" && cargo build --release --example seed) || { echo "hostile: cannot build the seed example" >&2; exit 2; }
  seed="$root/target/release/examples/seed"
fi

scratch="$(mktemp -d /tmp/hostile.XXXXXX)"
pids="$scratch/pids"
: > "$pids"

# Kill every server a check spawned that is still running (by pid, only if it is parse-compat).
reap() {
  local pid
  while read -r pid; do
    [ -n "$pid" ] || continue
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'parse-compat'; then
      kill -9 "$pid" 2>/dev/null
    fi
  done < "$pids"
}
cleanup() {
  reap
  if [ "${HOSTILE_KEEP:-0}" = 1 ]; then echo "hostile: scratch kept in $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "hostile: binary $bin"
echo "hostile: seed   $seed"
start_all=$(date +%s)
results=()
failed=0
for c in "${checks[@]}"; do
  dir="$scratch/$c"; mkdir -p "$dir"
  limit_var="HOSTILE_BOUND_$c"; limit="${!limit_var:-${bound[$c]}}"
  t0=$(date +%s.%N)
  HOSTILE_BIN="$bin" HOSTILE_SEED="$seed" HOSTILE_TMP="$dir" HOSTILE_PIDS="$pids" HOSTILE_CHECK="$c" \
    timeout -k 5 "$limit" node "$here/checks/$c.mjs"
  rc=$?
  reap
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -eq 0 ]; then
    line="PASS $c (${secs} s)"
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    line="FAIL $c (timed out after $limit s)"; failed=1
  else
    line="FAIL $c (${secs} s, exit $rc)"; failed=1
  fi
  echo "$line"
  results+=("$line")
done

echo "---- hostile summary ($(( $(date +%s) - start_all )) s)"
printf '%s\n' "${results[@]}"
exit $failed
