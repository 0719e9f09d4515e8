# Sourced by the bench scripts, from the repository root: a scratch folder ($work), a free
# port ($port), a server pid ($pid) killed on exit, and measure_baseline.
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# What a minimal hyper server answering a fixed JSON reaches right now (needs the
# bench_baseline example built): the machine's ceiling, to read the other figures against.
measure_baseline() {
  echo "== baseline: hyper answering a fixed JSON (this machine's ceiling right now)"
  target/release/examples/bench_baseline "$port" &
  local server=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/" | grep -E "Requests/sec"
  kill "$server"; wait "$server" 2>/dev/null || true
}

# The ceiling for one request shape of the benchmark: the same hyper server answering the
# very requests a line sends (same wrk script, body and headers), so wrk's own work per request
# (a Lua `request()` builds each one) weighs on both sides. With $RESPONSE (a file holding a
# response as `curl -si` prints it) it answers that response, so the exchange is the line's in
# both directions and only what parse-compat does between them is left out. Arguments: the
# path, then wrk's own (`-s SCRIPT`), with the script's environment set by the caller.
measure_baseline_for() {
  local path=$1; shift
  target/release/examples/bench_baseline "$port" ${RESPONSE:+"$RESPONSE"} &
  local server=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" "http://127.0.0.1:$port$path" | grep -E "Requests/sec"
  kill "$server"; wait "$server" 2>/dev/null || true
}

# Cold start: exec of `$1 serve` on the SQLite file $2 to its first /parse/health 200, best of 5
# (needs $VERSION). Prints "N ms (best of 5)".
measure_startup() {
  python3 - "$1" "$port" "$2" "$VERSION" <<'PY'
import subprocess, sys, time, urllib.request
bin, port, store, version = sys.argv[1:]
best = None
for _ in range(5):
    t0 = time.perf_counter()
    p = subprocess.Popen([bin, "serve", "--parse-version", version, "--host", "127.0.0.1", "--port", port,
                          "--appId", "compatApp", "--masterKey", "m", "--databaseURI", f"sqlite:{store}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/parse/health", timeout=1).read()
            break
        except Exception:
            time.sleep(0.0005)
    dt = (time.perf_counter() - t0) * 1000
    best = dt if best is None else min(best, dt)
    p.terminate(); p.wait()
print(f"{best:.1f} ms (best of 5)")
PY
}
