# shellcheck shell=bash
# Shared checks for run.sh and stream.sh (sourced, not executed).
#
# Load is sent only to this machine unless the caller explicitly opts out: these scripts exist to measure
# a local server, and a mistyped URL must not turn them into traffic against someone else's host.

die() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 2
}

# require_loopback URL: exits unless URL's host is 127.0.0.0/8, localhost or [::1].
# SPECD_LOADTEST_ALLOW_REMOTE=1 lifts the check for a server you run elsewhere.
require_loopback() {
  local url=$1 rest host
  case $url in
    http://*) rest=${url#http://} ;;
    https://*) rest=${url#https://} ;;
    *) die "URL must start with http:// or https://, got '$url'" ;;
  esac
  rest=${rest%%/*}
  # user@host would make the text before '@' look like the host; refuse it outright.
  [[ $rest == *@* ]] && die "URL must not contain credentials ('@'): $url"
  if [[ $rest == \[* ]]; then
    host=${rest%%]*}]
  else
    host=${rest%%:*}
  fi
  if [[ $host == localhost || $host == '[::1]' || $host =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]]; then
    return 0
  fi
  if [[ ${SPECD_LOADTEST_ALLOW_REMOTE:-0} == 1 ]]; then
    printf '%s: warning: %s is not a loopback address; SPECD_LOADTEST_ALLOW_REMOTE=1 allows it\n' \
      "${0##*/}" "$host" >&2
    return 0
  fi
  die "refusing non-loopback target '$host' (set SPECD_LOADTEST_ALLOW_REMOTE=1 for a server of yours)"
}

# require_model NAME: the pipeline id rule (1-128 of letters, digits, . _ : -); it also means the name
# can be put into JSON without escaping.
require_model() {
  [[ $1 =~ ^[A-Za-z0-9._:-]{1,128}$ ]] || die "MODEL must be 1-128 letters, digits or . _ : -, got '$1'"
}

# require_int NAME VALUE MIN MAX: a whole number within bounds.
require_int() {
  local name=$1 value=$2 min=$3 max=$4
  [[ $value =~ ^[0-9]+$ ]] || die "$name must be a whole number, got '$value'"
  (( 10#$value >= min && 10#$value <= max )) || die "$name must be between $min and $max, got $value"
}

# to_seconds DURATION: "45", "45s", "2m" -> seconds on stdout.
to_seconds() {
  local d=$1
  if [[ $d =~ ^([0-9]+)s?$ ]]; then
    echo $((10#${BASH_REMATCH[1]}))
  elif [[ $d =~ ^([0-9]+)m$ ]]; then
    echo $((10#${BASH_REMATCH[1]} * 60))
  else
    die "duration must look like 30, 30s or 2m, got '$d'"
  fi
}
