-- Shared by every scenario: per-kind latencies (measured here with the monotonic clock) and a
-- JSON summary on stdout for bench/run.py.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

local M = {}

function M.now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

-- In each thread, flat arrays of numbers only (wrk's thread:get garbles nested tables and, now and
-- then, string keys): the names of the kinds seen, and per kind "latencies_<kind>" (microseconds)
-- and "statuses_<kind>" (the HTTP status of each response, in the same order).
kind_names = ""

function M.record(kind, started, status)
  local list = _G["latencies_" .. kind]
  if list == nil then
    list = {}
    _G["latencies_" .. kind] = list
    _G["statuses_" .. kind] = {}
    kind_names = kind_names .. kind .. " "
  end
  list[#list + 1] = M.now_us() - started
  local statuses = _G["statuses_" .. kind]
  statuses[#statuses + 1] = status
end

local threads = {}

function M.setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

local function percentile(sorted, p)
  if #sorted == 0 then return nil end
  local i = math.max(1, math.ceil(#sorted * p / 100))
  return sorted[i]
end

local function encode(value)
  local t = type(value)
  if t == "table" then
    local parts = {}
    for k, v in pairs(value) do parts[#parts + 1] = string.format("%q:%s", tostring(k), encode(v)) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" then
    return string.format("%.3f", value)
  elseif value == nil then
    return "null"
  end
  return string.format("%q", tostring(value))
end

function M.done(summary, latency, requests)
  local per_kind = {}
  for _, thread in ipairs(threads) do
    for kind in string.gmatch(thread:get("kind_names") or "", "%S+") do
      local entry = per_kind[kind]
      if entry == nil then entry = {latencies = {}, statuses = {}}; per_kind[kind] = entry end
      for _, v in ipairs(thread:get("latencies_" .. kind) or {}) do entry.latencies[#entry.latencies + 1] = v end
      for _, status in ipairs(thread:get("statuses_" .. kind) or {}) do
        local key = string.format("%d", status)
        entry.statuses[key] = (entry.statuses[key] or 0) + 1
      end
    end
  end
  local kinds_out = {}
  for kind, entry in pairs(per_kind) do
    table.sort(entry.latencies)
    kinds_out[kind] = {count = #entry.latencies, p50_ms = (percentile(entry.latencies, 50) or 0) / 1000,
                       p99_ms = (percentile(entry.latencies, 99) or 0) / 1000, statuses = entry.statuses}
  end
  local out = {
    requests = summary.requests, duration_s = summary.duration / 1000000,
    p50_ms = latency:percentile(50) / 1000, p99_ms = latency:percentile(99) / 1000,
    errors = {connect = summary.errors.connect, read = summary.errors.read, write = summary.errors.write,
              status = summary.errors.status, timeout = summary.errors.timeout},
    kinds = kinds_out,
  }
  io.write("BENCH-JSON " .. encode(out) .. "\n")
end

return M
