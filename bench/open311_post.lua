-- wrk script for bench/bench_scale.py: Open311 `POST requests` with random points in the
-- city viewport and random services. Every accepted response's service_request_id is kept,
-- and written with the latency percentiles to $BENCH_OUT when the run ends, so that the
-- benchmark can check each accepted request against the stored rows. $BENCH_PATH posts the
-- same bodies elsewhere (the plain insert of bench/wsgi_bench.py, which answers alike).
local path = os.getenv("BENCH_PATH") or "/open311/v2/requests.json"
local key = os.getenv("BENCH_KEY")
local out = os.getenv("BENCH_OUT")
local west, south = tonumber(os.getenv("BENCH_WEST")), tonumber(os.getenv("BENCH_SOUTH"))
local east, north = tonumber(os.getenv("BENCH_EAST")), tonumber(os.getenv("BENCH_NORTH"))
local services = { "green-spaces", "lighting", "garbage" }
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  accepted, statuses = {}, {}
end

function request()
  local lat = south + math.random() * (north - south)
  local lon = west + math.random() * (east - west)
  local body = string.format(
    "api_key=%s&service_code=%s&lat=%.6f&long=%.6f&description=Bench+load%%3A+a+lamp+is+out.",
    key, services[math.random(#services)], lat, lon
  )
  return wrk.format("POST", path,
    { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 or status == 201 then
    accepted[#accepted + 1] = string.match(body, '"service_request_id": *"([^"]+)"')
  end
end

function done(summary, latency, requests)
  local file = io.open(out, "w")
  file:write(string.format("p50 %d\np99 %d\nrequests %d\n",
    latency:percentile(50), latency:percentile(99), summary.requests))
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      file:write(string.format("status %d %d\n", status, count))
    end
    for _, code in ipairs(thread:get("accepted")) do
      file:write("code ", code, "\n")
    end
  end
  file:close()
end
