-- wrk script for tests/bench/validate_check.sh: POST /validate/check as a form.
-- MODE=wrong: every request sends user WRONG_USER ("wrong") the same wrong OTP; with
-- WRONG_USERS=N, the requests go round users WRONG_USER1 ... WRONG_USERN instead.
-- MODE=right: each wrk thread is one user (bench1, bench2...) with its own HOTP token and
-- sends that token's values in order, read from OTP_FILE (one value per line).
local mode = os.getenv("MODE") or "wrong"
local wrong_body = "user=" .. (os.getenv("WRONG_USER") or "wrong") .. "&realm=bench&pass=000000"
local next_id = 1
local threads = {}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Each thread reads its values as it sends them: reading the whole file in every thread's
-- init took seconds with 64 threads, and wrk counted that time as if requests were served.
local values = nil

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if mode == "right" then
    values = io.open(os.getenv("OTP_FILE"))
  end
end

local spread = tonumber(os.getenv("WRONG_USERS") or "0")
local sent = 0

function request()
  if mode == "wrong" and spread > 0 then
    sent = sent + 1
    return wrk.format(nil, "/validate/check", nil, "user=" .. (os.getenv("WRONG_USER") or "wrong")
                      .. (sent % spread + 1) .. "&realm=bench&pass=000000")
  end
  if mode == "wrong" then
    return wrk.format(nil, "/validate/check", nil, wrong_body)
  end
  local otp = values:read("*l") or "000000"
  return wrk.format(nil, "/validate/check", nil,
                    "user=bench" .. id .. "&realm=bench&pass=" .. otp)
end

-- Counts answers that were not ACCEPT (right) or not REJECT (wrong), to show the run was valid.
unexpected = 0
function response(status, headers, body)
  local want = mode == "right" and '"ACCEPT"' or '"REJECT"'
  if status ~= 200 or not string.find(body, want, 1, true) then
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
