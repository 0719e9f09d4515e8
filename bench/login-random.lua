-- POST /parse/login as a seeded user drawn uniformly at random from $USERS
-- (`parse-compat seed`'s `seed%08d`, password `seed-pass`): bcrypt-bound by design.
dofile("bench/tokens.lua")

function init(args)
  users = tonumber(os.getenv("USERS"))
  math.randomseed(os.time() + id * 7919)
end

function request()
  local body = string.format('{"username":"seed%08d","password":"seed-pass"}', math.random(users) - 1)
  return wrk.format("POST", "/parse/login", {
    ["X-Parse-Application-Id"] = "compatApp",
    ["X-Parse-REST-API-Key"] = "compatRest",
    ["Content-Type"] = "application/json",
  }, body)
end
