#!/usr/bin/env python3
"""The same job as `bulkline clean` on a generated export, written the way many users would:
a plain Python script with the `phonenumbers` package. Used only to compare speed (docs/performance.md).

usage: clean_phonenumbers.py INPUT.csv CLEAN.csv ERRORS.csv
"""
import csv
import sys
import time

import phonenumbers


def normalize(text, region):
    num = phonenumbers.parse(text, region)
    if not phonenumbers.is_valid_number(num):
        raise ValueError("invalid")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def main():
    src, clean_path, errors_path = sys.argv[1:4]
    started = time.perf_counter()
    seen = set()
    rows = clean = rejected = duplicates = 0
    with open(src, newline="", encoding="utf-8") as f, \
            open(clean_path, "w", newline="", encoding="utf-8") as out, \
            open(errors_path, "w", newline="", encoding="utf-8") as err:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        w = csv.DictWriter(out, fieldnames=fields)
        e = csv.DictWriter(err, fieldnames=fields + ["_row", "_code"])
        w.writeheader()
        e.writeheader()
        for n, row in enumerate(reader, start=1):
            rows += 1
            region = row.get("country") or None
            try:
                for col in ("mobile", "phone"):
                    if row[col].strip():
                        row[col] = normalize(row[col], region)
                if not row["mobile"].strip():
                    raise ValueError("missing")
            except (phonenumbers.NumberParseException, ValueError):
                rejected += 1
                e.writerow({**row, "_row": n, "_code": "phone_invalid"})
                continue
            if row["mobile"] in seen:
                duplicates += 1
                continue
            seen.add(row["mobile"])
            clean += 1
            w.writerow(row)
    secs = time.perf_counter() - started
    print(f"rows {rows} clean {clean} rejected {rejected} duplicates {duplicates} "
          f"in {secs:.2f} s ({rows / secs:,.0f} rows/s)")


if __name__ == "__main__":
    main()
