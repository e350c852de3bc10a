#!/usr/bin/env bash
# Runs the noise zoo (tests/fixtures/zoo) A/A and A/B several times through
# the driftgate binary and `driftgate mock`, and prints per run the false
# findings (every A/A drift, and every A/B drift the zoo did not inject) and
# the recall (injected drifts found at their step and path).
#
#   benches/noise_zoo.sh                 # 5 runs with target/debug/driftgate
#   RUNS=10 DRIFTGATE=path/to/driftgate benches/noise_zoo.sh
#
# Extra arguments go to every `driftgate run`. The zoo's own driftgate.toml
# is used, with each environment's base_url set to its mock's port.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
zoo="$root/tests/fixtures/zoo"
bin=${DRIFTGATE:-${CARGO_TARGET_DIR:-$root/target}/debug/driftgate}
runs=${RUNS:-5}
[ -x "$bin" ] || { echo "no driftgate binary at $bin: build it (cargo build) or set DRIFTGATE" >&2; exit 2; }
# The runs happen in a scratch folder: a relative binary path must not break them.
bin=$(realpath "$bin")

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

config=$(cat "$zoo/driftgate.toml")
for env in production staging drifted; do
    port=$(free_port)
    "$bin" mock --mocks "$zoo" --env "$env" --port "zoo=$port" >"$work/mock-$env.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    config=$(printf '%s' "$config" | python3 -c '
import sys
text, port = sys.stdin.read(), sys.argv[1]
print(text.replace("base_url = \"http://127.0.0.1:1\"", "base_url = \"http://127.0.0.1:%s\"" % port, 1))' "$port")
done
printf '%s\n' "$config" >"$work/driftgate.toml"
cp "$zoo/zoo.feature" "$work/"
cp -r "$zoo/fixtures" "$work/"

# Drift rows of a drift.json: scenario<TAB>step<TAB>class<TAB>path.
rows() {
    python3 - "$1" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    for d in s["drifts"]:
        print("\t".join([s["name"], str(d["step"]["index"]), d["class"], d.get("path", "")]))
PY
}

grep -v '^#' "$zoo/expected-drifts.tsv" | sort >"$work/expected"
injected=$(wc -l <"$work/expected")
echo "noise zoo: $runs runs, $injected injected drifts, binary $bin"
printf '%-4s  %-18s  %-18s  %s\n' run "A/A false findings" "A/B false findings" "A/B recall"
for i in $(seq 1 "$runs"); do
    (cd "$work" && "$bin" --color never run --baseline production --candidate staging \
        --reports "aa-$i" "$@" >/dev/null 2>&1) || true
    (cd "$work" && "$bin" --color never run --baseline production --candidate drifted \
        --reports "ab-$i" "$@" >/dev/null 2>&1) || true
    aa=$(rows "$work/aa-$i/drift.json" | wc -l)
    rows "$work/ab-$i/drift.json" | sort >"$work/found-$i"
    found=$(comm -12 "$work/expected" "$work/found-$i" | wc -l)
    extra=$(comm -13 "$work/expected" "$work/found-$i" | wc -l)
    printf '%-4s  %-18s  %-18s  %s/%s\n' "$i" "$aa" "$extra" "$found" "$injected"
done
