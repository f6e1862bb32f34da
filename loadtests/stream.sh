#!/usr/bin/env bash
# COUNT concurrent streaming chat completions ("stream": true) with curl. Each stream must answer
# HTTP 200, carry at least one content chunk, contain no error event, and end with "data: [DONE]".
# Prints one line per stream and exits 1 if any stream failed.
#
# Settings (environment variables):
#   URL         server base URL            default http://127.0.0.1:8080 (loopback only, see common.sh)
#   MODEL       model id from /v1/models   default stories
#   COUNT       concurrent streams, 1-32   default 4
#   MAX_TOKENS  tokens per completion      default 32 (1-4096)
#   TIMEOUT     limit for each stream      default 120s (up to 10m; all streams run at once, so this
#                                                        also bounds the whole run)
#   PROMPT      user message               default "Once upon a time" (letters, digits, spaces, . , ! ? ' -)
#
# Example: COUNT=8 MAX_TOKENS=64 loadtests/stream.sh
set -euo pipefail
# Decimal points in printf %f regardless of the caller's locale.
export LC_NUMERIC=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=loadtests/common.sh
source "$here/common.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi

command -v curl >/dev/null 2>&1 || die "curl is not installed (Debian/Ubuntu: sudo apt-get install -y curl)"

URL=${URL:-http://127.0.0.1:8080}
URL=${URL%/}
MODEL=${MODEL:-stories}
COUNT=${COUNT:-4}
MAX_TOKENS=${MAX_TOKENS:-32}
TIMEOUT=${TIMEOUT:-120s}
PROMPT=${PROMPT:-Once upon a time}

require_loopback "$URL"
require_model "$MODEL"
require_int COUNT "$COUNT" 1 32
require_int MAX_TOKENS "$MAX_TOKENS" 1 4096
timeout_s=$(to_seconds "$TIMEOUT")
require_int "TIMEOUT (seconds)" "$timeout_s" 1 600
# A restricted alphabet keeps the JSON below valid without an escaping routine.
[[ $PROMPT =~ ^[A-Za-z0-9\ .,!?\'-]{1,1000}$ ]] || die "PROMPT may only hold letters, digits, spaces and . , ! ? ' -"

body=$(printf '{"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":%d,"stream":true}' \
  "$MODEL" "$PROMPT" "$MAX_TOKENS")

work=$(mktemp -d)
pids=()
cleanup() {
  # Ends only the curl processes this script started, if it is interrupted before they finish.
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "stream.sh: $COUNT concurrent streams, model $MODEL, max_tokens $MAX_TOKENS, timeout ${timeout_s}s -> $URL"
start=$SECONDS
for ((i = 1; i <= COUNT; i++)); do
  # -N: no output buffering, so chunks are written as they arrive; -w writes the status code to stdout,
  # kept apart from the body (-o). No Accept header: like the OpenAI SDKs, the request relies on
  # "stream": true alone to select server-sent events.
  curl -sS -N --connect-timeout 5 --max-time "$timeout_s" \
       -H 'Content-Type: application/json' \
       -d "$body" -o "$work/$i.body" -w '%{http_code} %{time_starttransfer} %{time_total}' \
       "$URL/v1/chat/completions" >"$work/$i.meta" 2>"$work/$i.err" &
  pids+=("$!")
done

failures=0
for ((i = 1; i <= COUNT; i++)); do
  rc=0
  wait "${pids[i - 1]}" || rc=$?
  read -r code first total <"$work/$i.meta" || true
  # SSE lines may end in CRLF; strip the CR so that the comparisons below see the bare text.
  tr -d '\r' <"$work/$i.body" 2>/dev/null >"$work/$i.lines" || true
  chunks=$(grep -c '^data:' "$work/$i.lines" || true)
  last=$(grep '^data:' "$work/$i.lines" | tail -n 1 || true)
  problem=""
  if (( rc != 0 )); then
    problem="curl exit $rc: $(head -c 200 "$work/$i.err")"
  elif [[ ${code:-} != 200 ]]; then
    problem="HTTP ${code:-none}: $(head -c 200 "$work/$i.lines")"
  elif grep -q '^data:.*"error":' "$work/$i.lines"; then
    problem="error event: $(grep -m 1 '^data:.*"error":' "$work/$i.lines" | head -c 200)"
  elif [[ $last != 'data: [DONE]' ]]; then
    problem="stream did not end with 'data: [DONE]' (last: ${last:-nothing})"
  elif (( chunks < 2 )); then
    problem="no content chunk before [DONE]"
  fi
  if [[ -n $problem ]]; then
    failures=$((failures + 1))
    printf 'stream %2d: FAIL %s\n' "$i" "$problem"
  else
    printf 'stream %2d: ok   %3d data chunks, first byte %.2fs, total %.2fs\n' \
      "$i" "$((chunks - 1))" "$first" "$total"
  fi
done
pids=()

echo "stream.sh: $((COUNT - failures))/$COUNT streams ok in $((SECONDS - start))s"
(( failures == 0 )) || exit 1
