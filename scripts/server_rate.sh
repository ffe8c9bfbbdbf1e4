#!/usr/bin/env bash
# How close an import comes to the server's rate, for each contact target, in two cases:
#   window   the server takes at most 20 requests in any sliding second (every request that
#            reaches it counted); the run asks for --rate 30/s, above it; no faults.
#   faults   the same window, --rate 20/s, 5% of requests answered 500 (not applied), 3%
#            applied then answered 502, access tokens living 6 s.
# The target holds 10 of the contacts already (other last names); the file has 400 rows: those
# 10 (updates), 354 new ones (creates), 20 repeats and 16 invalid numbers: 364 writes. A perfect
# client needs (requests sent) / 20 s; efficiency = that ideal / the run's wall time. Every run
# is checked for exactly once on the sandbox.
# Usage: scripts/server_rate.sh [TARGET...]   (all three by default; from the repository root)
set -euo pipefail
source scripts/lib.sh
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(zoho-voice zoho-books zoom-cc)
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
write_upsert_lists "$dir" 364 16
run() { # target case
  local target=$1 case=$2 port rate config ttl=3600
  [ "$case" = faults ] && ttl=6
  start_sandbox "$dir/sandbox.log" --rate-window 20 --token-ttl "$ttl"
  port=$SANDBOX_PORT
  export XDG_CACHE_HOME=$dir/cache-$case-$target BULKLINE_STATE_DIR=$dir/state-$case-$target
  "$bin" import "$dir/existing.csv" --to "$target" --rate 10/s --checkpoint "$dir/e-$case-$target.ck" --quiet
  if [ "$case" = window ]; then rate=30/s; config='{}'; else
    rate=20/s; config='{"fault_rate": 0.05, "ambiguous_rate": 0.03}'; fi
  curl -s -X POST -H 'content-type: application/json' -d "$config" \
    "http://127.0.0.1:$port/_sandbox/config" > /dev/null
  # The books limit of 100 a minute is the vendor's own: out of the way here (the window is the
  # limit measured).
  curl -s -X POST -H 'content-type: application/json' -d '{"books_requests_per_minute": 100000}' \
    "http://127.0.0.1:$port/_sandbox/config" > /dev/null
  "$bin" import "$dir/in.csv" --to "$target" --rate "$rate" --checkpoint "$dir/r-$case-$target.ck" \
    --json --quiet > "$dir/summary.json" || true
  curl -s "http://127.0.0.1:$port/_sandbox/state" > "$dir/state.json"
  kill "$SANDBOX_PID"; wait "$SANDBOX_PID" 2>/dev/null || true
  local found
  found=$(mobiles_of_lists "$dir/state.json" "$target")
  python3 - "$dir/summary.json" "$dir/state.json" "$target" "$case" "$rate" $found <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
state = json.load(open(sys.argv[2]))
target, case, rate = sys.argv[3:6]
once = int(sys.argv[6]) == int(sys.argv[7]) == 364
req = state["requests"]
ideal = s["requests"] / 20
print(f"| {target} | {case} (--rate {rate}) | {s['seconds']:.1f} s | {ideal / s['seconds']:.2f} | "
      f"{s['requests']} requests, {req['rate_limited_429']} answered 429, {req['injected_500']} 500s, "
      f"{req['ambiguous_502']} 502s; exit {s['exit_code']}; exactly once: {'yes' if once else 'NO'} |")
PY
}
echo "| target | case | wall | efficiency | traffic |"
echo "|---|---|---|---|---|"
for t in "${targets[@]}"; do
  for c in window faults; do run "$t" "$c"; done
done
