-- wrk: GET one row by primary key, keys spread over the table, each connection waiting BENCH_DELAY_MS
-- between requests (a steady load below capacity instead of as fast as possible).
local rows = tonumber(os.getenv("BENCH_ROWS") or "1000000")
local path = os.getenv("BENCH_PATH")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
math.randomseed(os.time() + 2)
request = function()
  return wrk.format("GET", path .. "?id=eq." .. math.random(1, rows))
end
delay = function()
  return pause
end
