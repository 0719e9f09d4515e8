# Sourced by the bench scripts (from the repository root, after building the bench_baseline
# example): measure_baseline PORT prints what a minimal hyper server answering a fixed JSON
# reaches right now, the machine's ceiling to read the other figures against.
measure_baseline() {
  echo "== baseline: hyper answering a fixed JSON (this machine's ceiling right now)"
  target/release/examples/bench_baseline "$1" &
  local server=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$1/" && break; sleep 0.05; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$1/" | grep -E "Requests/sec"
  kill "$server"; wait "$server" 2>/dev/null || true
}
