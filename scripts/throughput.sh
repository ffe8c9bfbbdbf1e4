#!/usr/bin/env bash
# Measures import throughput against the sandbox: the server limits itself to 50 requests/s
# (429 + Retry-After beyond), the client paces itself at --rate 50/s, 1,000 creates (a 20 s run),
# once with no latency and once with 200 ms per answer. Prints writes/s and the share of 50/s,
# and the 429s the client caused (the sandbox counts them).
# Usage: scripts/throughput.sh [ROWS]   (from the repository root; builds the release binary)
set -euo pipefail
source scripts/lib.sh
rows=${1:-1000}
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$rows" > "$dir/in.csv" <<'PY'
import sys
print("First Name,Last Name,Mobile,Email")
for i in range(int(sys.argv[1])):
    print(f"P{i},L{i},+4474001{i:05d},p{i}@example.com")
PY
for latency in 0 200; do
  start_sandbox "$dir/sandbox.log" --rate-limit 50/s --latency-ms "$latency"
  port=$SANDBOX_PORT
  export XDG_CACHE_HOME=$dir/cache
  "$bin" import "$dir/in.csv" --to zoom-cc --rate 50/s --checkpoint "$dir/run$latency.ck" --json --quiet > "$dir/summary.json" || true
  curl -s "http://127.0.0.1:$port/_sandbox/state" > "$dir/state.json"
  kill "$SANDBOX_PID"; wait "$SANDBOX_PID" 2>/dev/null || true
  python3 - "$dir/summary.json" "$latency" "$dir/state.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
state = json.load(open(sys.argv[3]))
writes = s["created"] + s["updated"]
whole = writes / s["seconds"]
rate = s["writes_per_second"]
print(f"latency {sys.argv[2]:>3} ms: {writes} writes; write phase {s['write_seconds']:.2f} s = "
      f"{rate:.1f}/s ({100 * rate / 50:.1f}% of 50/s); whole run {s['seconds']:.2f} s = "
      f"{whole:.1f}/s ({100 * whole / 50:.1f}%); {s['requests']} requests, "
      f"{state['requests']['rate_limited_429']} answered 429")
PY
done
