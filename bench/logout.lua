-- POST /parse/logout, each request ending a different session. Tokens come from
-- $TOKENS (one per line, written by examples/seed.rs); each wrk thread takes its own share.
dofile("bench/tokens.lua")

function init(args)
  tokens = thread_share(os.getenv("TOKENS"))
  next_token = 1
end

function request()
  local token = tokens[next_token] or "r:exhausted"
  next_token = next_token + 1
  return wrk.format("POST", "/parse/logout", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["X-Parse-Session-Token"] = token,
    ["Content-Type"] = "application/json",
  }, "{}")
end
