-- Track a letter as a resident does: the number and access code (POST, 302), then the letter's
-- page (GET). Args: akimat slug, a file of "number code" lines.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua"
local report = require("report")
local session = require("session")
local slug, letters, state, started, kind, current
local next_index = 1

function setup(thread) report.setup(thread) end

function init(args)
  slug = args[1]
  letters = {}
  for line in io.lines(args[2]) do
    local number, code = line:match("^(%S+)%s+(%S+)")
    if number then letters[#letters + 1] = {number, code} end
  end
  next_index = ((thread_id or 1) * 37) % #letters + 1
  state = session.new()
end

function request()
  started = report.now_us()
  if state.csrf == nil then
    kind = "form"
    return wrk.format("GET", "/" .. slug .. "/track", session.headers(state))
  end
  if kind ~= "post" then
    kind = "post"
    current = letters[next_index]
    next_index = next_index % #letters + 1
    local body = session.form({{"csrf_token", state.csrf}, {"number", current[1]}, {"code", current[2]}})
    return wrk.format("POST", "/" .. slug .. "/track",
                      session.headers(state, {["Content-Type"] = "application/x-www-form-urlencoded"}), body)
  end
  kind = "page"
  return wrk.format("GET", "/" .. slug .. "/track/" .. current[1], session.headers(state))
end

function response(status, headers, body)
  report.record(kind, started, status)
  session.take(state, headers, kind == "form" and body or nil)
  if kind == "form" and status ~= 200 then state.csrf = nil end
end

done = report.done
