-- wrk: GET one row by primary key, keys spread over the whole table.
local rows = tonumber(os.getenv("BENCH_ROWS") or "1000000")
local path = os.getenv("BENCH_PATH")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", path .. "?id=eq." .. math.random(1, rows))
end
