-- What the wrk scripts share, loaded with dofile("bench/tokens.lua") (the bench scripts run
-- from the repository root): threads are numbered in setup(), each thread takes its own share
-- of a token file, and the run ends with the count of non-2xx/3xx answers.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

-- This thread's share of the lines of `path`: every $WRK_THREADS-th line from its number on.
function thread_share(path)
  local n = tonumber(os.getenv("WRK_THREADS") or "1")
  local share = {}
  local i = 0
  for line in io.lines(path) do
    if i % n == id then
      table.insert(share, line)
    end
    i = i + 1
  end
  return share
end

-- Use this thread's share of `path` for take_token().
function use_tokens(path)
  tokens = thread_share(path)
  next_token = 1
end

-- The next token of the share, or `fallback` once the share is used up.
function take_token(fallback)
  local token = tokens[next_token] or fallback
  next_token = next_token + 1
  return token
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
