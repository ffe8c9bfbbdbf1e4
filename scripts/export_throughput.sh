#!/usr/bin/env bash
# Measures `bulkline export` against the sandbox: it holds N generated records in every API
# (default 10,000) and limits itself to 20 requests/s (429 + Retry-After beyond); the client
# paces itself at --rate 20/s. For each source and format it prints the pages read, the time,
# the pages/s as a share of 20/s, the 429s, and the peak RSS of the export process.
# Usage: scripts/export_throughput.sh [N] [RATE]   (from the repository root; builds the release binary)
set -euo pipefail
source scripts/lib.sh
records=${1:-10000}
rate=${2:-20}
cargo build --release --quiet
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
start_sandbox "$dir/sandbox.log" --records "$records" --rate-limit "$rate/s"
port=$SANDBOX_PORT
export XDG_CACHE_HOME=$dir/cache
for from in zoho-voice zoho-books zoom-cc zoho-sms-logs; do
  for ext in csv xlsx; do
    before=$(curl -s "http://127.0.0.1:$port/_sandbox/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"]["rate_limited_429"])')
    /usr/bin/time -f "%M" -o "$dir/rss" "$bin" export --from "$from" -o "$dir/out.$ext" \
      --books-contact-id 460000000026049 --rate "$rate/s" --json --quiet > "$dir/summary.json"
    after=$(curl -s "http://127.0.0.1:$port/_sandbox/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"]["rate_limited_429"])')
    python3 - "$dir/summary.json" "$rate" "$(cat "$dir/rss")" "$((after - before))" "$(stat -c %s "$dir/out.$ext")" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rate = float(sys.argv[2])
# The first request is the token; pages follow one another at the pacer's rate.
pages_per_s = s["pages"] / s["seconds"] if s["seconds"] else 0
print(f"{s['from']:>13} {s['format']:>4}: {s['records']} records, {s['pages']:>3} pages, "
      f"{s['requests']:>3} requests in {s['seconds']:.2f} s = {pages_per_s:.1f} pages/s "
      f"({100 * pages_per_s / rate:.0f}% of {rate:g}/s), {sys.argv[4]} answered 429, "
      f"peak RSS {int(sys.argv[3]) / 1024:.0f} MB, {int(sys.argv[5]) / 1e6:.1f} MB written")
PY
  done
done
