-- $METHOD $URL_PATH (with $BODY, if set), each request carrying a session token from $TOKENS
-- (one per line): drawn uniformly at random (on a store larger than the session cache, most
-- lookups miss it; each wrk thread loads the whole file and seeds its own generator), or with
-- ONCE=1 the next token of this thread's share of the file (shuffle it first, or the lookups
-- walk the store in order), so that no token is sent twice and no lookup can hit the cache.
dofile("bench/tokens.lua")

function init(args)
  once = os.getenv("ONCE") == "1"
  if once then
    use_tokens(os.getenv("TOKENS"))
  else
    tokens = {}
    for line in io.lines(os.getenv("TOKENS")) do
      table.insert(tokens, line)
    end
    math.randomseed(os.time() + id * 7919)
  end
  method = os.getenv("METHOD") or "GET"
  path = os.getenv("URL_PATH")
  body = os.getenv("BODY")
end

function request()
  local token
  if once then
    token = take_token("r:exhausted")
  else
    token = tokens[math.random(#tokens)]
  end
  local headers = {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
  }
  if body then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end
