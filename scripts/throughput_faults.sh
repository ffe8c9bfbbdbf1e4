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
target=${1:-zoom-cc}
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
with open(f"{d}/existing.csv", "w") as f:
    f.write("First Name,Last Name,Mobile,Email\n")
    for i in range(10):
        f.write(f"P{i},Old{i},+4474001{i:05d},p{i}@example.com\n")
with open(f"{d}/in.csv", "w") as f:
    f.write("First Name,Last Name,Mobile,Email\n")
    for i in range(360):
        f.write(f"P{i},L{i},+4474001{i:05d},p{i}@example.com\n")
    for i in range(20):
        f.write(f"Again{i},L{i},+4474001{i + 100:05d},again{i}@example.com\n")
    for i in range(20):
        f.write(f"Bad{i},L{i},+44 12{i},bad{i}@example.com\n")
PY
port=$((20000 + RANDOM % 20000))
"$bin" sandbox --port "$port" --rate-limit 20/s --token-ttl 6 > "$dir/sandbox.log" 2>&1 &
for _ in $(seq 50); do grep -q listening "$dir/sandbox.log" && break; sleep 0.1; done
eval "$(grep '^export' "$dir/sandbox.log")"
export XDG_CACHE_HOME=$dir/cache BULKLINE_STATE_DIR=$dir/state
"$bin" import "$dir/existing.csv" --to "$target" --rate 20/s --checkpoint "$dir/existing.ck" --quiet
curl -s -X POST -H 'content-type: application/json' \
  -d '{"fault_rate": 0.05, "ambiguous_rate": 0.03}' "http://127.0.0.1:$port/_sandbox/config" > /dev/null
"$bin" import "$dir/in.csv" --to "$target" --rate 20/s --checkpoint "$dir/run.ck" --json --quiet \
  > "$dir/summary.json" || true
curl -s "http://127.0.0.1:$port/_sandbox/state" > "$dir/state.json"
python3 - "$dir/summary.json" "$dir/state.json" "$target" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
state = json.load(open(sys.argv[2]))
import re
section = {"zoom-cc": ("zoom_cc", "contacts"), "zoho-voice": ("zoho_voice", "contacts"),
           "zoho-books": ("zoho_books", "contact_persons")}[sys.argv[3]]
mobiles = []
for r in state[section[0]][section[1]]:
    found = re.findall(r"4474001\d{5}", re.sub(r"[^0-9\"]", "", json.dumps(r)))
    mobiles += found[:1]
digits = mobiles
assert len(digits) == len(set(digits)) == 360, (len(digits), len(set(digits)))
writes = s["created"] + s["updated"]
ideal = 360 / 20
print(f"{sys.argv[3]}: exit {s['exit_code']}; created {s['created']}, updated {s['updated']}, "
      f"unchanged {s['unchanged']}, rejected {s['rejected']}, duplicates {s['duplicates']}; "
      f"whole run {s['seconds']:.2f} s = {s['seconds'] / ideal:.3f} x {ideal:.0f} s; "
      f"{s['requests']} requests, {s['retries']} retries, "
      f"{state['requests']['rate_limited_429']} answered 429, "
      f"{state['requests']['injected_500']} 500s, {state['requests']['ambiguous_502']} 502s")
PY
