-- $METHOD $URL_PATH (with $BODY, if set), each request carrying a session token drawn
-- uniformly at random from $TOKENS (one per line): on a store larger than the session cache,
-- most lookups miss it. Each wrk thread loads the whole file and seeds its own generator.
dofile("bench/tokens.lua")

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    table.insert(tokens, line)
  end
  math.randomseed(os.time() + id * 7919)
  method = os.getenv("METHOD") or "GET"
  path = os.getenv("URL_PATH")
  body = os.getenv("BODY")
end

function request()
  local headers = {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = tokens[math.random(#tokens)],
  }
  if body then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end
