-- POST /parse/login for the seeded user: bcrypt-bound by design.
wrk.method = "POST"
wrk.headers["X-Parse-Application-Id"] = "compatApp"
wrk.headers["X-Parse-REST-API-Key"] = "compatRest"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench","password":"bench-pass"}'

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
