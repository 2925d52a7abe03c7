-- wrk script of bench/message_latency.py: a POST of one JSON body, and between two requests
-- on a connection an exponentially distributed pause (mean WRK_MEAN_DELAY_MS), so that the
-- connections together send a Poisson stream at a fixed mean rate instead of bursts.
-- wrk's delay() counts whole milliseconds; the achieved rate is measured and reported.
local mean_ms = tonumber(os.getenv("WRK_MEAN_DELAY_MS") or "20")
local f = assert(io.open(os.getenv("WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("WRK_KEY") or ""

function init(args)
  math.randomseed(os.time())
end

function delay()
  return math.floor(-math.log(1 - math.random()) * mean_ms + 0.5)
end
