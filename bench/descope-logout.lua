-- POST /v1/auth/logout (or $ROUTE), each request with a different refresh JWT from $TOKENS
-- (one per line, written by examples/descope_seed.rs); each wrk thread takes its own share.
dofile("bench/tokens.lua")

function init(args)
  project = os.getenv("PROJECT")
  route = os.getenv("ROUTE") or "/v1/auth/logout"
  use_tokens(os.getenv("TOKENS"))
end

function request()
  local token = take_token("exhausted")
  return wrk.format("POST", route, {
    ["Authorization"] = "Bearer " .. project .. ":" .. token,
    ["Content-Type"] = "application/json",
  }, "{}")
end
