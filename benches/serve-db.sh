#!/usr/bin/env bash
# Start-up time and resident memory of `annex serve` with a database: on SQLite (a data folder
# in a temporary directory) and on PostgreSQL (new databases on the server ADMIN_URL names;
# skipped when there is none). For each backend it measures, over RUNS runs:
#   - from process start to the first answered /health on an empty database (the first start,
#     which creates the schema) and on an existing one (migrations checked, none to apply);
#   - resident memory (VmRSS) idle, just after start-up on the existing database;
#   - VmRSS and its peak (VmHWM) after a load of logins, API creations, list pages, record
#     pages and API lists, sent four at a time.
# Usage: benches/serve-db.sh [path/to/annex] [runs] [postgres://user@host/admin-db]
# ADMIN_URL defaults to ANNEX_TEST_DATABASE_URL. Needs curl, and psql for PostgreSQL.
set -euo pipefail
bin=$(realpath "${1:-target/release/annex}")
runs=${2:-10}
admin_url=${3:-${ANNEX_TEST_DATABASE_URL:-}}
port=18081
base="http://127.0.0.1:$port"
password="correct horse battery staple"
work=$(mktemp -d)
pg_dbs=()
pid=

cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
    for db in "${pg_dbs[@]}"; do
        psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# A new, empty PostgreSQL database; sets $pg_url. (Not a command substitution: the list of
# databases to drop at the end must grow in this shell.)
new_pg() {
    local name="annex_bench_$$_${#pg_dbs[@]}"
    psql -q "$admin_url" -c "CREATE DATABASE $name" >/dev/null
    pg_dbs+=("$name")
    pg_url="${admin_url%/*}/$name"
}

# Starts the server with the given database arguments; sets $pid and $ready (microseconds
# from process start to the first answered /health).
start() {
    local t0
    t0=$(date +%s%N)
    ANNEX_LOG=warn "$bin" "$@" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
    pid=$!
    until curl -sf "$base/health" >/dev/null; do
        kill -0 "$pid" 2>/dev/null || { echo "annex serve exited" >&2; exit 1; }
        sleep 0.001
    done
    ready=$(( ($(date +%s%N) - t0) / 1000 ))
}

# SIGTERM, as a service manager stops it. A server still running 10 s later is a defect:
# say so and kill it rather than hang the benchmark.
stop() {
    kill "$pid"
    for _ in $(seq 1000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "annex serve still running 10 s after SIGTERM; killed" >&2
        kill -9 "$pid"
    fi
    wait "$pid" 2>/dev/null || true
    pid=
}

kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " (" a[1] "-" a[NR] ")"}'; }

# Requests a user makes, four at a time: 20 logins (Argon2 at 19 MiB each), 300 records
# created through the API, then 300 loads each of the list page, a record page and the
# API list.
load() {
    local jar=$work/jar token
    curl -sf "$base/api/v1/setup" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"display_name\":\"Ada Admin\",\"password\":\"$password\"}" >/dev/null || true
    curl -sf --no-progress-meter -Z --parallel-max 4 "$base/api/v1/session?n=[1-20]" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$password\"}" >/dev/null
    curl -sf -c "$jar" "$base/api/v1/session" -H 'content-type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$password\"}" >"$work/session.json"
    local csrf
    csrf=$(sed -E 's/.*"csrf":"([^"]*)".*/\1/' "$work/session.json")
    token=$(curl -sf -b "$jar" "$base/api/v1/tokens" -H 'content-type: application/json' \
        -H "x-csrf-token: $csrf" -d '{"name":"bench"}' | sed -E 's/.*"token":"([^"]*)".*/\1/')
    curl -sf --no-progress-meter -Z --parallel-max 4 "$base/api/v1/records?n=[1-300]" -H 'content-type: application/json' \
        -H "authorization: Bearer $token" \
        -d '{"kind":"document","title":"Line set-up","fields":{"doc_type":"procedure","summary":"How the line is set up"}}' >/dev/null
    curl -sf --no-progress-meter -Z --parallel-max 4 -b "$jar" "$base/records/document?n=[1-300]" >/dev/null
    curl -sf --no-progress-meter -Z --parallel-max 4 -b "$jar" "$base/r/DOC-0001?n=[1-300]" >/dev/null
    curl -sf --no-progress-meter -Z --parallel-max 4 -H "authorization: Bearer $token" \
        "$base/api/v1/records?kind=document&n=[1-300]" >/dev/null
}

bench() {
    local backend=$1 existing=("${@:2}") first=() again=() args
    for i in $(seq "$runs"); do
        if [[ $backend == sqlite ]]; then
            args=(--data-dir "$work/empty-$i")
        else
            new_pg; args=(--database-url "$pg_url")
        fi
        start "${args[@]}"; stop
        first+=("$ready")
    done
    # The existing database: schema in place and a few hundred records from a first load.
    start "${existing[@]}"; load; stop
    for i in $(seq "$runs"); do
        start "${existing[@]}"; stop
        again+=("$ready")
    done
    start "${existing[@]}"
    local idle; idle=$(kb VmRSS)
    load
    local loaded peak; loaded=$(kb VmRSS); peak=$(kb VmHWM)
    local threads; threads=$(kb Threads)
    stop
    echo "$backend: start to /health, empty database: $(printf '%s\n' "${first[@]}" | median) us"
    echo "$backend: start to /health, existing database: $(printf '%s\n' "${again[@]}" | median) us"
    echo "$backend: RSS idle ${idle} kB; after load ${loaded} kB (peak ${peak} kB, ${threads} threads)"
}

bench sqlite --data-dir "$work/data"
if [[ -n $admin_url ]]; then
    new_pg
    bench postgres --database-url "$pg_url"
else
    echo "postgres: skipped (no ADMIN_URL or ANNEX_TEST_DATABASE_URL)"
fi
