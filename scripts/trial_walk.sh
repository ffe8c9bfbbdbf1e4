#!/usr/bin/env bash
# A user's first day, walked the way it goes wrong by accident, and judged by the sandbox's
# records (not the journal): a trial on 30 rows (--limit 30), then the whole list of 120 at
# 20/s against a server that locks the account out for 12 s (no Retry-After) after 40 requests,
# killed (SIGKILL) 5 s in; then the same list re-saved by a spreadsheet (CRLF line ends and a
# byte-order mark) and run from another state directory; then the same command once more.
# For `import --mode create` (no listing to fall back on: only the journal keeps it exactly
# once) into Zoho Voice, and for an SMS campaign. Prints, after each step, the records on the
# target, how many distinct numbers they hold, the most records one number has, and the 429s.
# A step still going after STEP_SECS seconds (default 300) is stopped; the script then keeps its
# working folder (the sandbox's log, the state directories, the list) and says where.
# Usage: scripts/trial_walk.sh   (from the repository root)
set -euo pipefail
source scripts/lib.sh
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
keep=0
trap 'kill $(jobs -p) 2>/dev/null || true; if [ "$keep" = 1 ]; then echo "kept $dir"; else rm -rf "$dir"; fi' EXIT
step_secs=${STEP_SECS:-300}

step() { # the state directory, then the command's words: runs them, stopped after $step_secs
  local state=$1
  shift
  local rc=0
  BULKLINE_STATE_DIR=$state timeout -s INT "$step_secs" "$bin" "$@" --quiet || rc=$?
  if [ "$rc" = 124 ]; then
    echo "  still going after $step_secs s: stopped"
    keep=1
    truth_all
    exit 1
  elif [ "$rc" != 0 ]; then
    echo "  exit $rc"
  fi
}
start_sandbox "$dir/sandbox.log"
sandbox=http://127.0.0.1:$SANDBOX_PORT
export XDG_CACHE_HOME=$dir/cache

truth() { # what: zoho_voice or sms
  curl -s "$sandbox/_sandbox/state" | python3 -c '
import collections, json, sys
what = sys.argv[1]
d = json.load(sys.stdin)
if what == "sms":
    numbers = [m["customer_number"] for m in d["sms"]["messages"]]
else:
    numbers = [c["mobile"] for c in d["zoho_voice"]["contacts"]]
n = collections.Counter(numbers)
refused = d["requests"]["rate_limited_429"]
print(f"  on the target: {len(numbers)} records, {len(n)} distinct numbers, "
      f"at most {max(n.values()) if n else 0} per number; {refused} answered 429")' "$1"
}

truth_all() { # the sandbox's whole state, kept beside its log
  curl -s "$sandbox/_sandbox/state" > "$dir/state.json" || true
}

walk() { # name, what, then the command's words (the list is $dir/list.csv)
  local name=$1 what=$2
  shift 2
  curl -s -X POST "$sandbox/_sandbox/reset" > /dev/null
  curl -s -X POST -H 'content-type: application/json' \
    -d '{"lockout": {"after_requests": 40, "secs": 12, "retry_after": false}}' \
    "$sandbox/_sandbox/config" > /dev/null
  rm -f "$dir"/list.csv*
  python3 -c '
import sys
rows = ["first_name,last_name,mobile"]
rows += [f"Ann{i},Lee{i},+4474001{i:05d}" for i in range(120)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")' "$dir/list.csv"
  echo "== $name"
  echo "-- a trial: --limit 30"
  step "$dir/state1" "$@" --limit 30
  truth "$what"
  echo "-- the whole list, killed (SIGKILL) 5 s in, during the lock-out"
  BULKLINE_STATE_DIR=$dir/state1 "$bin" "$@" --quiet &
  local pid=$!
  sleep 5
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  truth "$what"
  echo "-- the list re-saved with CRLF and a BOM, run from another state directory"
  python3 -c '
import sys
t = open(sys.argv[1]).read().replace("\n", "\r\n")
open(sys.argv[1], "wb").write(b"\xef\xbb\xbf" + t.encode())' "$dir/list.csv"
  step "$dir/state2" "$@"
  truth "$what"
  echo "-- the same command once more"
  step "$dir/state2" "$@"
  truth "$what"
}

walk "import --mode create into zoho-voice" zoho_voice \
  import "$dir/list.csv" --to zoho-voice --mode create --rate 20/s
walk "an SMS campaign" sms \
  sms "$dir/list.csv" --message 'Hi {first_name}' --yes --rate 20/s
