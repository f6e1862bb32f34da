-- wrk script: POSTs one OpenAI chat completion per request and tallies what came back.
--
-- Environment (run.sh sets and checks these):
--   MODEL       model id as listed by /v1/models (default "stories", the embedded default pipeline)
--   MAX_TOKENS  completion length per request (default 32)
--   PROMPT      user message (default "Once upon a time")

local function json_string(s)
  -- Enough JSON escaping for a prompt typed on a command line: quotes, backslashes, control characters.
  s = s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
    return named[c] or string.format('\\u%04x', c:byte())
  end)
  return '"' .. s .. '"'
end

local model = os.getenv("MODEL") or "stories"
local max_tokens = tonumber(os.getenv("MAX_TOKENS") or "32")
local prompt = os.getenv("PROMPT") or "Once upon a time"
if not model:match("^[%w._:-]+$") or #model > 128 then
  error("MODEL must be 1-128 letters, digits or . _ : -, got '" .. model .. "'")
end
if not max_tokens or max_tokens < 1 or max_tokens ~= math.floor(max_tokens) then
  error("MAX_TOKENS must be a positive whole number")
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = string.format(
  '{"model":%s,"messages":[{"role":"user","content":%s}],"max_tokens":%d}',
  json_string(model), json_string(prompt), max_tokens)

-- Each wrk thread runs its own Lua state; setup() keeps a handle on every thread so that done() can
-- add up the per-thread counters below.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per-thread counters (globals of the thread's Lua state, read back with thread:get).
ok_responses = 0
failed_responses = 0
completion_tokens = 0
first_failure = nil

function response(status, headers, body)
  if status == 200 then
    ok_responses = ok_responses + 1
    -- usage.completion_tokens gives the tokens generated, which is the throughput that matters for an
    -- inference server (requests/s depends on max_tokens).
    local n = body and body:match('"completion_tokens"%s*:%s*(%d+)')
    if n then completion_tokens = completion_tokens + tonumber(n) end
  else
    failed_responses = failed_responses + 1
    if not first_failure then
      first_failure = "HTTP " .. status .. ": " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local ok, failed, tokens, failure = 0, 0, 0, nil
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("ok_responses") or 0)
    failed = failed + (thread:get("failed_responses") or 0)
    tokens = tokens + (thread:get("completion_tokens") or 0)
    failure = failure or thread:get("first_failure")
  end
  local seconds = summary.duration / 1e6
  io.write("----- chat.lua summary -----\n")
  io.write(string.format("model:              %s (max_tokens %d)\n", model, max_tokens))
  io.write(string.format("200 responses:      %d\n", ok))
  io.write(string.format("other responses:    %d\n", failed))
  io.write(string.format("socket errors:      connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("completion tokens:  %d (%.1f tokens/s)\n", tokens, tokens / seconds))
  io.write(string.format("latency ms:         p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  if failure then
    io.write("first failure:      " .. failure .. "\n")
  end
  io.flush()
end
