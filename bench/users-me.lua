-- GET /parse/users/me with one valid token ($TOKEN).
wrk.method = "GET"
wrk.headers["X-Parse-Application-Id"] = "compatApp"
wrk.headers["X-Parse-REST-API-Key"] = "compatRest"
wrk.headers["X-Parse-Session-Token"] = os.getenv("TOKEN")

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx: %d\n", summary.errors.status))
end
