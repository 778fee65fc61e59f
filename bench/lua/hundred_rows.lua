-- wrk: GET 100 rows in key order from a random starting key.
local rows = tonumber(os.getenv("BENCH_ROWS") or "1000000")
local path = os.getenv("BENCH_PATH")
math.randomseed(os.time() + 1)
request = function()
  return wrk.format("GET", path .. "?id=gt." .. math.random(0, rows - 100) .. "&order=id&limit=100")
end
