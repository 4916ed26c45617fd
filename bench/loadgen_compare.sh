#!/usr/bin/env bash
# One batch of the outside load generator (../shared/bench/loadgen.py, or bench/loadgen.py once
# it is in the repository) against the bare baseline and carebook, in the same run, as the
# generator's README asks. Each target gets a fresh data directory (and, for PostgreSQL, a fresh
# database) with the demo loaded.
#
#   bench/loadgen_compare.sh OUT_DIR TARGET...
#     TARGET: baseline | sqlite | pg | pg:WORKERS | before-sqlite | before-pg  (before-*: the
#     source tree in $BEFORE, e.g. `git archive main` unpacked, run with this .venv)
#   DURATION=10 CLIENTS=50,200 WORKLOADS=a,b,c  (defaults); BASELINE_DIR: where the generator's
#   baseline_app.py is (default: ../shared/bench beside the project)
set -euo pipefail
out=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
loadgen=${LOADGEN:-$root/bench/loadgen.py}
[ -f "$loadgen" ] || loadgen=$root/../../shared/bench/loadgen.py
[ -f "$loadgen" ] || loadgen=/work/shared/bench/loadgen.py
# The bare baseline is the outside generator's own app (../shared/bench/baseline_app.py).
baseline_dir=${BASELINE_DIR:-}
for candidate in "$baseline_dir" "$root/../shared/bench" "$root/../../shared/bench" /work/shared/bench; do
  [ -n "$candidate" ] && [ -f "$candidate/baseline_app.py" ] && { baseline_dir=$candidate; break; }
done
py=$root/.venv/bin/python
duration=${DURATION:-10}
clients=${CLIENTS:-50,200}
workloads=${WORKLOADS:-a,b,c}
pg_admin=${PG_ADMIN:-postgresql://postgres@127.0.0.1:55432/postgres}
db_pid=$(pgrep -o -f "postgres -D" || true)
mkdir -p "$out"

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() {
  for _ in $(seq 1 600); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$1 did not come up" >&2; return 1
}

for target in "$@"; do
  port=$(free_port)
  data=$(mktemp -d /tmp/carebook-loadgen-XXXXXX)
  label=$target
  if [ "$target" = baseline ]; then
    [ -f "$baseline_dir/baseline_app.py" ] || { echo "no baseline_app.py: set BASELINE_DIR" >&2; exit 1; }
    (cd "$baseline_dir" && exec "$root/.venv/bin/uvicorn" baseline_app:app --host 127.0.0.1 \
      --port "$port" --workers 1 --no-access-log --log-level warning) >"$data/server.log" 2>&1 &
    pid=$!
    wait_up "http://127.0.0.1:$port/hello"
    "$py" "$loadgen" run --target baseline --base "http://127.0.0.1:$port" --pid "$pid" \
      --workloads a,c --clients "$clients" --duration "$duration" --label baseline \
      --out "$out/baseline.json" >/dev/null
  else
    src=$root
    case $target in before-*) src=${BEFORE:?set BEFORE to the source tree measured as before};; esac
    workers=1
    case $target in *:*) workers=${target#*:};; esac
    env=(CAREBOOK_DATA_DIR="$data" CAREBOOK_BASE_URL="http://localhost:$port" PYTHONPATH="$src")
    case $target in
      *pg*)
        db=loadgen_$(date +%s)_$RANDOM
        psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
        server=${pg_admin%/*}
        env+=(CAREBOOK_DATABASE_URL="postgresql+asyncpg://${server#postgresql://}/$db")
        ;;
    esac
    serve=(serve --host 127.0.0.1 --port "$port" --demo-on-first-start)
    [ "$workers" != 1 ] && serve+=(--workers "$workers")
    (cd "$src" && exec env "${env[@]}" "$py" -c "from server.cli import carebook; carebook()" \
      "${serve[@]}") >"$data/server.log" 2>&1 &
    pid=$!
    started=$(date +%s.%N)
    wait_up "http://127.0.0.1:$port/api/health"
    echo "$target: up in $(echo "$(date +%s.%N) - $started" | bc) s, pid $pid" >&2
    "$py" "$loadgen" run --target carebook --base "http://localhost:$port" --pid "$pid" \
      ${db_pid:+--db-pid "$db_pid"} --workloads "$workloads" --clients "$clients" \
      --duration "$duration" --label "$label" --out "$out/${label//:/-}.json" >/dev/null
  fi
  # The server's peak memory (and, with several workers, each process's) before it stops.
  for p in $pid $(pgrep -P "$pid" || true); do
    grep -E "VmRSS|VmHWM" "/proc/$p/status" | tr -s ' ' | tr '\n' ' ' | sed "s/^/$label pid $p: /"
    echo
  done >>"$out/memory.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "${db:-}" ] && psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  db=
  echo "$target done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  sleep 2
done
"$py" "$loadgen" report "$out"/*.json >"$out/report.md"
cat "$out/report.md"
