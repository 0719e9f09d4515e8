-- POST /parse/logout, each request ending a different session. Tokens come from
-- $TOKENS (one per line, written by examples/seed.rs); each wrk thread takes its own share.
dofile("bench/tokens.lua")

function init(args)
  use_tokens(os.getenv("TOKENS"))
end

function request()
  local token = take_token("r:exhausted")
  return wrk.format("POST", "/parse/logout", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
    ["Content-Type"] = "application/json",
  }, "{}")
end
