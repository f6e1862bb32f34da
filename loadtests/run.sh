#!/usr/bin/env bash
# Closed-loop load on /v1/chat/completions with wrk: CONNECTIONS clients, each sending its next request
# as soon as the previous answer arrives, for DURATION. Prints wrk's latency distribution and a summary
# with generated tokens per second; exits non-zero if any request failed.
#
# Settings (environment variables):
#   URL          server base URL             default http://127.0.0.1:8080 (loopback only, see common.sh)
#   MODEL        model id from /v1/models    default stories
#   CONNECTIONS  concurrent requests, 1-64   default 4
#   DURATION     run time, up to 10m         default 30s  (forms: 30, 30s, 2m)
#   MAX_TOKENS   tokens per completion       default 32   (1-4096)
#   TIMEOUT      per-request timeout         default 60s  (wrk's own default of 2 s is shorter than a
#                                                          CPU-bound completion and would count as errors)
#   PROMPT       user message                default "Once upon a time"
#
# Example: MODEL=stories CONNECTIONS=8 DURATION=1m loadtests/run.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=loadtests/common.sh
source "$here/common.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi

if ! command -v wrk >/dev/null 2>&1; then
  cat >&2 <<'MSG'
run.sh: wrk is not installed. On Debian or Ubuntu:
  sudo apt-get update && sudo apt-get install -y wrk
MSG
  exit 127
fi

URL=${URL:-http://127.0.0.1:8080}
URL=${URL%/}
MODEL=${MODEL:-stories}
CONNECTIONS=${CONNECTIONS:-4}
DURATION=${DURATION:-30s}
MAX_TOKENS=${MAX_TOKENS:-32}
TIMEOUT=${TIMEOUT:-60s}
PROMPT=${PROMPT:-Once upon a time}

require_loopback "$URL"
require_model "$MODEL"
require_int CONNECTIONS "$CONNECTIONS" 1 64
require_int MAX_TOKENS "$MAX_TOKENS" 1 4096
duration_s=$(to_seconds "$DURATION")
require_int "DURATION (seconds)" "$duration_s" 1 600
timeout_s=$(to_seconds "$TIMEOUT")
require_int "TIMEOUT (seconds)" "$timeout_s" 1 600

# wrk needs at least one connection per thread; more threads than cores only adds contention with the
# server when both run on this machine.
cores=$(nproc 2>/dev/null || echo 1)
threads=$(( CONNECTIONS < cores ? CONNECTIONS : cores ))

# Fail fast with a clear message instead of a run full of connection errors.
if command -v curl >/dev/null 2>&1; then
  if ! curl -fsS --max-time 5 -o /dev/null "$URL/q/health/ready"; then
    die "$URL is not ready (GET /q/health/ready failed); start specd and wait for its models to load"
  fi
fi

echo "wrk: $CONNECTIONS connections, $threads threads, ${duration_s}s, model $MODEL, max_tokens $MAX_TOKENS -> $URL"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

export MODEL MAX_TOKENS PROMPT
# wrk's exit status says nothing about HTTP errors, so its report is kept and checked below.
wrk --threads "$threads" --connections "$CONNECTIONS" --duration "${duration_s}s" \
    --timeout "${timeout_s}s" --latency --script "$here/chat.lua" \
    "$URL/v1/chat/completions" | tee "$out"

ok=$(sed -n 's/^200 responses: *\([0-9]*\)$/\1/p' "$out")
failed=$(sed -n 's/^other responses: *\([0-9]*\)$/\1/p' "$out")
socket=$(sed -n 's/^socket errors: *connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\)$/\1 \2 \3 \4/p' "$out")
if [[ -z $ok || -z $failed || -z $socket ]]; then
  die "could not read the summary that chat.lua prints; see wrk's output above"
fi
read -r e1 e2 e3 e4 <<<"$socket"
if (( ok == 0 && failed == 0 && e1 + e2 + e3 + e4 == 0 )); then
  echo "run.sh: FAILED (no request finished within ${duration_s}s; raise DURATION or lower MAX_TOKENS)" >&2
  exit 1
fi
if (( ok == 0 || failed > 0 || e1 + e2 + e3 + e4 > 0 )); then
  echo "run.sh: FAILED ($ok good responses, $failed HTTP errors, $((e1 + e2 + e3 + e4)) socket errors)" >&2
  exit 1
fi
echo "run.sh: OK ($ok good responses)"
