#!/usr/bin/env bash
# Speed and peak memory of `bulkline clean` (and with --keep last, --keep merge) on a generated
# export (1,000,000 rows by default,
# ROWS=N to change), then of a plain Python script using `phonenumbers` on the same file
# (skipped unless `python3 -c 'import phonenumbers'` works: pip install phonenumbers).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cargo build --release --quiet --example gen_contacts --bin bulkline
./target/release/examples/gen_contacts "$rows" "$dir/contacts.csv"
echo "input: $rows rows, $(du -h "$dir/contacts.csv" | cut -f1)"

# One run of `bulkline clean` with extra options: seconds, rows/s, counts and peak RSS.
clean() {
  local label=$1; shift
  local rss="(no /usr/bin/time: peak RSS not measured)"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$dir/rss" ./target/release/bulkline clean "$dir/contacts.csv" \
      -o "$dir/clean.csv" --errors "$dir/errors.csv" --duplicates "$dir/dups.csv" --json "$@" > "$dir/summary.json" || true
    # (GNU time writes "Command exited with non-zero status 1" first: the last line is the RSS.)
    rss="$(( $(tail -n 1 "$dir/rss") / 1024 )) MB peak RSS"
  else
    ./target/release/bulkline clean "$dir/contacts.csv" -o "$dir/clean.csv" --errors "$dir/errors.csv" \
      --duplicates "$dir/dups.csv" --json "$@" > "$dir/summary.json" || true
  fi
  python3 - "$dir/summary.json" "$label" "$rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: {s['seconds']:.2f} s, {s['rows_per_second']:,.0f} rows/s, clean {s['clean']}, "
      f"rejected {s['rejected']}, duplicates {s['duplicates']}, {sys.argv[3]}")
PY
}

for i in $(seq "$runs"); do
  clean "bulkline clean"
done
for keep in last merge; do
  for i in $(seq "$runs"); do
    clean "bulkline clean --keep $keep" --keep "$keep"
  done
done

if python3 -c 'import phonenumbers' 2>/dev/null; then
  printf 'python + phonenumbers: '
  python3 scripts/clean_phonenumbers.py "$dir/contacts.csv" "$dir/py_clean.csv" "$dir/py_errors.csv"
fi
