#!/usr/bin/env bash
# Speed and peak memory of `bulkline clean` on a generated export (1,000,000 rows by default,
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

for i in $(seq "$runs"); do
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%M" -o "$dir/rss" ./target/release/bulkline clean "$dir/contacts.csv" \
      -o "$dir/clean.csv" --errors "$dir/errors.csv" --duplicates "$dir/dups.csv" --json > "$dir/summary.json" || true
    rss="$(( $(cat "$dir/rss") / 1024 )) MB peak RSS"
  else
    ./target/release/bulkline clean "$dir/contacts.csv" -o "$dir/clean.csv" --errors "$dir/errors.csv" \
      --duplicates "$dir/dups.csv" --json > "$dir/summary.json" || true
    rss="(no /usr/bin/time: peak RSS not measured)"
  fi
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(f"bulkline clean: {s[\"seconds\"]:.2f} s, {s[\"rows_per_second\"]:,.0f} rows/s, clean {s[\"clean\"]}, rejected {s[\"rejected\"]}, duplicates {s[\"duplicates\"]},", sys.argv[2])' "$dir/summary.json" "$rss"
done

if python3 -c 'import phonenumbers' 2>/dev/null; then
  printf 'python + phonenumbers: '
  python3 scripts/clean_phonenumbers.py "$dir/contacts.csv" "$dir/py_clean.csv" "$dir/py_errors.csv"
fi
