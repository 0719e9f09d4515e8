-- POST /graphql with $BODY (a JSON request). With $TOKENS, each request carries a different
-- session token from that file (one per line; each wrk thread takes its own share), else the
-- single $TOKEN.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local path = os.getenv("TOKENS")
  tokens = nil
  if path then
    local n = tonumber(os.getenv("WRK_THREADS") or "1")
    tokens = {}
    local i = 0
    for line in io.lines(path) do
      if i % n == id then
        table.insert(tokens, line)
      end
      i = i + 1
    end
  end
  next_token = 1
  body = os.getenv("BODY")
  fixed = os.getenv("TOKEN")
end

function request()
  local token = fixed
  if tokens then
    token = tokens[next_token] or "r:exhausted"
    next_token = next_token + 1
  end
  return wrk.format("POST", "/graphql", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
