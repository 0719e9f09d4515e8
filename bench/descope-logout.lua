-- POST /v1/auth/logout (or $ROUTE), each request with a different refresh JWT from $TOKENS
-- (one per line, written by examples/descope_seed.rs); each wrk thread takes its own share.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local n = tonumber(os.getenv("WRK_THREADS") or "1")
  project = os.getenv("PROJECT")
  route = os.getenv("ROUTE") or "/v1/auth/logout"
  tokens = {}
  local i = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if i % n == id then
      table.insert(tokens, line)
    end
    i = i + 1
  end
  next_token = 1
end

function request()
  local token = tokens[next_token] or "exhausted"
  next_token = next_token + 1
  return wrk.format("POST", route, {
    ["Authorization"] = "Bearer " .. project .. ":" .. token,
    ["Content-Type"] = "application/json",
  }, "{}")
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
