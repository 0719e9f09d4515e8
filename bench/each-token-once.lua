-- $METHOD $URL_PATH (with $BODY, if set), each request carrying the next token of this wrk
-- thread's share of $TOKENS (one per line; shuffle the file first, or the lookups walk the
-- store in order): a token is never sent twice, so no lookup can hit the session cache.
dofile("bench/tokens.lua")

function init(args)
  use_tokens(os.getenv("TOKENS"))
  method = os.getenv("METHOD") or "GET"
  path = os.getenv("URL_PATH")
  body = os.getenv("BODY")
end

function request()
  local headers = {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = take_token("r:exhausted"),
  }
  if body then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end
