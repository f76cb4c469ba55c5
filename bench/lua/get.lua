-- One page, fetched again and again (headers such as a session cookie come from wrk's -H).
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua"
local report = require("report")
local started

function setup(thread) report.setup(thread) end

function request()
  started = report.now_us()
  return wrk.format("GET")
end

function response(status, headers, body)
  report.record("get", started, status)
end

done = report.done
