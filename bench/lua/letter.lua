-- Write a letter as a resident does: load the form (its CSRF token and session), then send it.
-- A sent letter answers 302 to its receipt; each POST carries a new submission token (and its
-- resident's own email), so each registers a new letter. Args: akimat slug, category id.
package.path = package.path .. ";" .. debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua"
local report = require("report")
local session = require("session")
local slug, category, state, started, kind

function setup(thread) report.setup(thread) end

function init(args)
  slug, category = args[1], args[2]
  state = session.new()
  math.randomseed(os.time() + (thread_id or 0) * 7919)
end

local function token()
  local t = {}
  for i = 1, 32 do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

function request()
  started = report.now_us()
  if state.csrf == nil or kind == "post" then
    kind = "get"
    return wrk.format("GET", "/" .. slug .. "/letters/new", session.headers(state))
  end
  kind = "post"
  local submission = token()
  local body = session.form({
    {"csrf_token", state.csrf}, {"submission_token", submission}, {"kind", "application"},
    {"category", category}, {"language", "ru"}, {"subject", "Не работает уличное освещение"},
    {"body", "Во дворе нашего дома уже месяц не горят фонари. Вечером темно и опасно. Просим отремонтировать."},
    {"surname", "Нагрузкин"}, {"given_name", "Тест"}, {"address", "Астана, ул. Бенчмарк, 1"},
    {"email", "resident-" .. submission:sub(1, 12) .. "@example.kz"},  -- many residents, not one
  })
  return wrk.format("POST", "/" .. slug .. "/letters/new",
                    session.headers(state, {["Content-Type"] = "application/x-www-form-urlencoded"}), body)
end

function response(status, headers, body)
  report.record(kind, started, status)
  session.take(state, headers, kind == "get" and body or nil)
  if kind == "get" and status ~= 200 then state.csrf = nil end
end

done = report.done
