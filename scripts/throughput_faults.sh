#!/usr/bin/env bash
# Measures an upsert under faults against the sandbox: the server limits itself to 20
# requests/s (429 beyond), answers 5% of requests 500 (not applied) and applies 3% then answers
# 502, and its access tokens live 6 s. The target holds 10 of the contacts already (with other
# last names); the file has 400 rows: those 10 (updates), 350 new ones (creates), 20 repeats
# and 20 invalid numbers (no request): 360 writes, which take 360/20 = 18 s at the rate.
# Prints the whole run's time against 18 s, the requests, retries and 429s, and checks that
# every contact exists exactly once.
# Usage: scripts/throughput_faults.sh [TARGET]   (zoom-cc by default; from the repository root)
set -euo pipefail
source scripts/lib.sh
target=${1:-zoom-cc}
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
write_upsert_lists "$dir" 360 20
start_sandbox "$dir/sandbox.log" --rate-limit 20/s --token-ttl 6
port=$SANDBOX_PORT
export XDG_CACHE_HOME=$dir/cache BULKLINE_STATE_DIR=$dir/state
"$bin" import "$dir/existing.csv" --to "$target" --rate 20/s --checkpoint "$dir/existing.ck" --quiet
curl -s -X POST -H 'content-type: application/json' \
  -d '{"fault_rate": 0.05, "ambiguous_rate": 0.03}' "http://127.0.0.1:$port/_sandbox/config" > /dev/null
"$bin" import "$dir/in.csv" --to "$target" --rate 20/s --checkpoint "$dir/run.ck" --json --quiet \
  > "$dir/summary.json" || true
curl -s "http://127.0.0.1:$port/_sandbox/state" > "$dir/state.json"
found=$(mobiles_of_lists "$dir/state.json" "$target")
python3 - "$dir/summary.json" "$dir/state.json" "$target" $found <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
state = json.load(open(sys.argv[2]))
records, distinct = int(sys.argv[4]), int(sys.argv[5])
assert records == distinct == 360, (records, distinct)
writes = s["created"] + s["updated"]
ideal = 360 / 20
print(f"{sys.argv[3]}: exit {s['exit_code']}; created {s['created']}, updated {s['updated']}, "
      f"unchanged {s['unchanged']}, rejected {s['rejected']}, duplicates {s['duplicates']}; "
      f"whole run {s['seconds']:.2f} s = {s['seconds'] / ideal:.3f} x {ideal:.0f} s; "
      f"{s['requests']} requests, {s['retries']} retries, "
      f"{state['requests']['rate_limited_429']} answered 429, "
      f"{state['requests']['injected_500']} 500s, {state['requests']['ambiguous_502']} 502s")
PY
