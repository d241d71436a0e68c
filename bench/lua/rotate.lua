-- One workload for wrk: rotate through prepared requests, one per line of
-- the file named by BENCH_REQUESTS ("METHOD<TAB>PATH<TAB>BODY"), so every
-- contender gets the same ids in the same order in its own URL dialect.
-- Headers come from BENCH_HEADERS ("Name: value" lines): the signed-in
-- user's token, the API key, Content-Type, Prefer.

local requests = {}
local counter = 0

local function read_lines(path)
  local lines = {}
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in file:lines() do
    if line ~= "" then lines[#lines + 1] = line end
  end
  file:close()
  return lines
end

local function split_tabs(line)
  local parts = {}
  for part in (line .. "\t"):gmatch("([^\t]*)\t") do parts[#parts + 1] = part end
  return parts
end

function init(args)
  for _, line in ipairs(read_lines(os.getenv("BENCH_HEADERS"))) do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  for _, line in ipairs(read_lines(os.getenv("BENCH_REQUESTS"))) do
    local parts = split_tabs(line)
    local body = parts[3]
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(parts[1], parts[2], nil, body)
  end
  -- threads start at different offsets so they do not hit the same row together
  counter = math.random(#requests)
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end
