#!/usr/bin/env bash
# Planning at scale: `bulkline import --to zoho-voice --dry-run` of a generated N-row file
# (default 1,000,000) against the sandbox holding N records, the client unpaced
# (--rate 100000/s). It runs the dry run twice: with a one-row file (the listing alone) and
# with the whole file (listing, clean and plan), and prints the time, CPU and peak RSS of each;
# then `bulkline sms --dry-run` of the whole file (its pass over the account's SMS logs for
# opt-outs, which hold N generated outgoing messages, then clean and plan), without and with
# the repeat guard's read of the outgoing logs.
# Usage: scripts/plan_bench.sh [N]   (from the repository root; builds the release binary)
set -euo pipefail
source scripts/lib.sh
rows=${1:-1000000}
cargo build --release --quiet --example gen_contacts --bin bulkline
bin=$PWD/target/release/bulkline
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
./target/release/examples/gen_contacts "$rows" "$dir/contacts.csv"
head -n 2 "$dir/contacts.csv" > "$dir/one.csv"
start_sandbox "$dir/sandbox.log" --records "$rows"
port=$SANDBOX_PORT
export XDG_CACHE_HOME=$dir/cache
for input in one contacts; do
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$bin" import "$dir/$input.csv" --to zoho-voice \
    --dry-run --rate 100000/s --report "$dir/plan.csv" --errors "$dir/errors.csv" --json --quiet \
    > "$dir/summary.json" || true
  python3 - "$dir/summary.json" "$(tail -n 1 "$dir/time")" "$input" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
wall, user, system, rss = sys.argv[2].split()
what = "listing alone (1 row)" if sys.argv[3] == "one" else f"listing + clean + plan ({s['rows_read']:,} rows)"
print(f"{what}: {float(wall):.1f} s wall, {float(user) + float(system):.1f} s CPU, "
      f"{int(rss) // 1024} MB peak RSS; listed {s['listed']:,} records in {s['requests']:,} requests, "
      f"planned {s['estimate']['creates']:,} creates and {s['estimate']['updates']:,} updates")
PY
done
# The campaign's dry run twice: without the repeat guard (planning alone), then with it (its
# read of the outgoing logs of the last 7 days, which hold the N generated messages).
for window in 0 7d; do
/usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$bin" sms "$dir/contacts.csv" --message "Hi {first_name}" \
  --dry-run --rate 100000/s --repeat-window "$window" --report "$dir/plan.csv" --errors "$dir/errors.csv" \
  --json --quiet > "$dir/summary.json" || true
python3 - "$dir/summary.json" "$(tail -n 1 "$dir/time")" "$window" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
wall, user, system, rss = sys.argv[2].split()
print(f"sms dry run ({s['rows_read']:,} rows, --repeat-window {sys.argv[3]}): {float(wall):.1f} s wall, "
      f"{float(user) + float(system):.1f} s CPU, {int(rss) // 1024} MB peak RSS; {s['recipients']:,} recipients, "
      f"{s['planned_requests']:,} requests planned; repeat guard read {s['repeat_log_entries']:,} messages "
      f"in {s['repeat_log_requests']:,} requests")
PY
done
