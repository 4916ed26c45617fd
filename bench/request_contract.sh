#!/usr/bin/env bash
# The request path with the request contract (issue 13: device binding, unlock proof, JSON
# checked once) against main's and a bare Litestar app's, in one batch on this machine:
#   bench/request_contract.sh MAIN_SRC OUT_DIR
# MAIN_SRC: a checkout of main (e.g. `git archive main | tar -x -C /tmp/main`), run with this
# venv's packages. Needs the load generator's venv of ../shared/bench/README.md in /tmp/lg.
# ORDER="branch main" runs this branch first. Everything binds to 127.0.0.1 on free ports;
# each workload is bounded in time.
set -euo pipefail
MAIN_SRC=${1:?main checkout}
OUT=${2:?output directory}
HERE=$(cd "$(dirname "$0")/.." && pwd)
LG=/tmp/lg/bin/python
mkdir -p "$OUT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 120); do curl -fs "$1/api/health" >/dev/null 2>&1 && return 0; sleep 0.5; done; return 1; }

# 1. the ceiling: the bare Litestar app of ../shared/bench
PORT=$(free_port)
(cd "$HERE/../../shared/bench" 2>/dev/null || cd /work/shared/bench
 exec /tmp/lg/bin/uvicorn baseline_app:app --host 127.0.0.1 --port "$PORT" --workers 1 \
   --no-access-log --log-level warning) & PID=$!
sleep 3
$LG "$HERE/bench/loadgen.py" run --target baseline --base "http://127.0.0.1:$PORT" --pid $PID \
  --workloads a,c --out "$OUT/baseline.json"
kill $PID; wait $PID 2>/dev/null || true

# 2. main, then this branch: the same load generator (main ignores the unlock header)
for which in ${ORDER:-main branch}; do
  PORT=$(free_port)
  DATA=$(mktemp -d)
  if [ "$which" = main ]; then export PYTHONPATH="$MAIN_SRC"; else unset PYTHONPATH; fi
  CAREBOOK_DATA_DIR=$DATA CAREBOOK_BASE_URL=http://localhost:$PORT CAREBOOK_LOG_FORMAT=text \
    "$HERE/.venv/bin/carebook" serve --host 127.0.0.1 --port "$PORT" --demo-on-first-start \
    > "$OUT/$which.log" 2>&1 & PID=$!
  wait_up "http://localhost:$PORT"
  $LG "$HERE/bench/loadgen.py" run --target carebook --label "carebook-$which" \
    --base "http://localhost:$PORT" --pid $PID --out "$OUT/carebook-$which.json"
  kill $PID; wait $PID 2>/dev/null || true
  rm -rf "$DATA"
done
unset PYTHONPATH
$LG "$HERE/bench/loadgen.py" report "$OUT"/*.json
