-- A browser's session in a wrk thread (one connection per thread): the cookie jar and the form's
-- CSRF token, taken from each response.
local M = {}

function M.new()
  return {cookies = {}}
end

function M.take(state, headers, body)
  for name, value in pairs(headers) do
    if string.lower(name) == "set-cookie" then
      local key, val = value:match("^([^=]+)=([^;]*)")
      if key then state.cookies[key] = val end
    end
  end
  if body then
    local token = body:match('name="csrf_token" type="hidden" value="([^"]+)"')
      or body:match('name="csrf_token" value="([^"]+)"')
    if token then state.csrf = token end
  end
end

function M.headers(state, extra)
  local parts = {}
  for k, v in pairs(state.cookies) do parts[#parts + 1] = k .. "=" .. v end
  local h = {}
  if #parts > 0 then h["Cookie"] = table.concat(parts, "; ") end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function M.urlencode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function M.form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do parts[#parts + 1] = M.urlencode(pair[1]) .. "=" .. M.urlencode(pair[2]) end
  return table.concat(parts, "&")
end

return M
