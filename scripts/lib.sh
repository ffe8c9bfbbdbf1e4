# What the measuring scripts share; `source scripts/lib.sh` from the repository root.

# start_sandbox LOG [ARGS...]: starts `bulkline sandbox` on a random port with ARGS, its output
# in LOG; waits until it listens (at most a minute), then exports the URLs and credentials it
# prints. Sets SANDBOX_PORT and SANDBOX_PID. Needs $bin.
start_sandbox() {
  local log=$1
  shift
  SANDBOX_PORT=$((20000 + RANDOM % 20000))
  "$bin" sandbox --port "$SANDBOX_PORT" "$@" > "$log" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 600); do grep -q listening "$log" && break; sleep 0.1; done
  eval "$(grep '^export' "$log")"
}

# write_upsert_lists DIR NEW BAD: DIR/existing.csv holds 10 contacts (last names Old0..Old9);
# DIR/in.csv holds NEW contacts (the first 10 of them those, with other last names), 20 repeats
# of contacts among them, and BAD invalid numbers.
write_upsert_lists() {
  python3 - "$@" <<'PY'
import sys
d, new, bad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{d}/existing.csv", "w") as f:
    f.write("First Name,Last Name,Mobile,Email\n")
    for i in range(10):
        f.write(f"P{i},Old{i},+4474001{i:05d},p{i}@example.com\n")
with open(f"{d}/in.csv", "w") as f:
    f.write("First Name,Last Name,Mobile,Email\n")
    for i in range(new):
        f.write(f"P{i},L{i},+4474001{i:05d},p{i}@example.com\n")
    for i in range(20):
        f.write(f"Again{i},L{i},+4474001{i + 100:05d},again{i}@example.com\n")
    for i in range(bad):
        f.write(f"Bad{i},L{i},+44 12{i},bad{i}@example.com\n")
PY
}

# mobiles_of_lists STATE TARGET: "RECORDS DISTINCT", the records of TARGET in the sandbox's
# state (a `GET /_sandbox/state` answer in the file STATE) that hold a mobile of those lists,
# and how many distinct mobiles they hold.
mobiles_of_lists() {
  python3 - "$@" <<'PY'
import json, re, sys
state = json.load(open(sys.argv[1]))
section = {"zoom-cc": ("zoom_cc", "contacts"), "zoho-voice": ("zoho_voice", "contacts"),
           "zoho-books": ("zoho_books", "contact_persons")}[sys.argv[2]]
mobiles = []
for r in state[section[0]][section[1]]:
    mobiles += re.findall(r"4474001\d{5}", re.sub(r"[^0-9\"]", "", json.dumps(r)))[:1]
print(len(mobiles), len(set(mobiles)))
PY
}
