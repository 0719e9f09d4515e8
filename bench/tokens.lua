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

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
