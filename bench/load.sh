#!/usr/bin/env bash
# Load test: gunicorn with (2 x cores) + 1 workers, and wrk against four targets one after another in the
# same run: two baselines (a bare JSON view, and the minimal page: the empty site layout for a signed-in
# user), a listing's page with its similar listings, and the feed API as a signed-in user with history;
# prints requests/s, p50, p99 and errors per target and the ratio detail / minimal page (goal: >= 0.5x with
# 0 errors), and the ratios against the bare JSON view.
#
#   bench/load.sh [LISTINGS] [DURATION]        defaults: 1000000 listings, 30s per target
#
# The database (bench_load on the configured server; your data is not touched) is loaded once and reused
# by later runs of the same size: the first run at 1M listings takes a long while (it prints each step's
# time and the total); BENCH_RELOAD=1 rebuilds it, BENCH_LOAD_DATABASE names it. Other knobs: PORT (8765),
# THREADS (wrk threads, 2), CONNECTIONS (2 x workers), WARMUP (3s per target), USERS (20 feed users and 20
# visitors), HISTORY (200).
# Needs wrk (apt-get install wrk). Only 127.0.0.1 is ever a target. Not part of the test run.
set -euo pipefail
cd "$(dirname "$0")/.."

LISTINGS=${1:-1000000}
DURATION=${2:-30s}
PORT=${PORT:-8765}
WORKERS=$((2 * $(nproc) + 1))
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-$((2 * WORKERS))}
WARMUP=${WARMUP:-3s}
PY=.venv/bin/python
BASE="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
    echo "wrk is missing: apt-get install wrk" >&2
    exit 1
fi

# Production-like: DEBUG off (no query log, manifest static files), no HTTPS redirect on loopback, a shared
# Redis cache as production's (throttle counters and listing pages' similar sections; BENCH_CACHE_URL, emptied
# at the start of every run), and an in-memory broker so the profile refreshes that page views schedule go
# nowhere.
export DJANGO_SETTINGS_MODULE=bench.load_settings
export DEBUG=false SECRET_KEY=bench-load-only-not-a-secret SECURE_SSL_REDIRECT=false
export ALLOWED_HOSTS=127.0.0.1 CELERY_BROKER_URL=memory://localhost/ OMP_NUM_THREADS=1
export CACHE_URL=${BENCH_CACHE_URL:-redis://127.0.0.1:6379/2}
unset PROMETHEUS_MULTIPROC_DIR

OUT=$(mktemp -d -t trustasset-load.XXXXXX)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$OUT"
}
trap cleanup EXIT

started=$(date +%s)
$PY bench/load.py prepare --listings "$LISTINGS" --users "${USERS:-20}" --history "${HISTORY:-200}" \
    --out "$OUT" ${BENCH_RELOAD:+--reload}
echo "database ready in $(($(date +%s) - started)) s"
$PY manage.py collectstatic --noinput --verbosity 0

.venv/bin/gunicorn trustasset.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" --log-level warning &
SERVER_PID=$!
for _ in $(seq 120); do
    curl -sf -o /dev/null "$BASE/bench/minimal/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "gunicorn exited" >&2; exit 1; }
    sleep 1
done
$PY bench/load.py check --base "$BASE" --out "$OUT"

echo "gunicorn: $WORKERS workers; wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per target" \
     "after a $WARMUP warm-up; $LISTINGS listings"
for target in minimal page detail feed; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 5s -s "$OUT/$target.lua" "$BASE" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$OUT/$target.lua" "$BASE" >/dev/null
done
$PY bench/load.py report --out "$OUT"
