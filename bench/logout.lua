-- POST /parse/logout, each request ending a different session. Tokens come from
-- $TOKENS (one per line, written by examples/seed.rs); each wrk thread takes its own share.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("TOKENS")
  local n = tonumber(os.getenv("WRK_THREADS") or "1")
  tokens = {}
  local i = 0
  for line in io.lines(path) do
    if i % n == id then
      table.insert(tokens, line)
    end
    i = i + 1
  end
  next_token = 1
end

function request()
  local token = tokens[next_token]
  if token == nil then
    token = "r:exhausted"
  end
  next_token = next_token + 1
  return wrk.format("POST", "/parse/logout", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
    ["Content-Type"] = "application/json",
  }, "{}")
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
