-- POST /graphql with $BODY (a JSON request). With $TOKENS, each request carries a different
-- session token from that file (one per line; each wrk thread takes its own share), else the
-- single $TOKEN.
dofile("bench/tokens.lua")

function init(args)
  local path = os.getenv("TOKENS")
  if path then
    use_tokens(path)
  end
  body = os.getenv("BODY")
  fixed = os.getenv("TOKEN")
end

function request()
  local token = fixed
  if tokens then
    token = take_token("r:exhausted")
  end
  return wrk.format("POST", "/graphql", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
    ["Content-Type"] = "application/json",
  }, body)
end
