-- POST /v1/auth/logout (or $ROUTE), each request with a different refresh JWT from $TOKENS
-- (one per line, written by examples/descope_seed.rs); each wrk thread takes its own share.
dofile("bench/tokens.lua")

function init(args)
  project = os.getenv("PROJECT")
  route = os.getenv("ROUTE") or "/v1/auth/logout"
  tokens = thread_share(os.getenv("TOKENS"))
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
