#!/usr/bin/env bash
# Time from process start to the first answered /health, and resident memory idle and after
# a burst of page loads, for `annex serve`. Usage: benches/serve.sh [path/to/annex] [runs]
# Needs curl. Prints one line per run and the median start-up time.
set -euo pipefail
bin=${1:-target/release/annex}
runs=${2:-10}
port=18080
# `serve` opens a database too; keep it out of the current folder. benches/serve-db.sh
# measures start-up and memory with records.
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
times=()
for i in $(seq "$runs"); do
    start=$(date +%s%N)
    "$bin" --data-dir "$data" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.001; done
    ready=$(( ($(date +%s%N) - start) / 1000 ))
    idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    for _ in $(seq 200); do
        curl -sf "http://127.0.0.1:$port/compare?ids=iso9001:2015&ids=iso14001:2015&ids=iso45001:2018" >/dev/null
        curl -sf "http://127.0.0.1:$port/standards/iso27001:2022" >/dev/null
    done
    loaded=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "run $i: ready after ${ready} us, RSS idle ${idle} kB, after 400 page loads ${loaded} kB"
    times+=("$ready")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median start to serving: " a[int((NR+1)/2)] " us"}'
