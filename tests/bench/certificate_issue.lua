-- wrk script for tests/bench/certificate_issue.sh: POST /token/init type=certificate as an
-- admin (AUTH: the Authorization header) for user "bench" in realm "bench", signed by the CA
-- connector CA under its profile "user". The request is the PEM CSR in CSR_FILE, the same one
-- every time (each request still makes a new token and a new certificate with its own serial).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local req

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = os.getenv("AUTH")
  local file = assert(io.open(os.getenv("CSR_FILE")))
  local body = "type=certificate&user=bench&realm=bench&ca=" .. os.getenv("CA") ..
               "&profile=user&request=" .. urlencode(file:read("*a"))
  file:close()
  req = wrk.format(nil, "/token/init", nil, body)
end

function request()
  return req
end

-- Counts answers without a certificate: the run was valid when this stays 0.
unexpected = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "BEGIN CERTIFICATE", 1, true) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("unexpected") or 0)
  end
  io.write(string.format("unexpected %d\n", total))
end
