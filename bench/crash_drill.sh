#!/usr/bin/env bash
# Crash durability, longer than in `make test`: KILLS SIGKILLs of `carebook serve` while
# three clients push posts (tests/ops/test_crash.py), then the restore drill.
#   bench/crash_drill.sh                         20 kills, SQLite
#   KILLS=50 SEED=7 bench/crash_drill.sh
#   CAREBOOK_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres bench/crash_drill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CAREBOOK_CRASH_KILLS="${KILLS:-20}"
export CAREBOOK_CRASH_SEED="${SEED:-$RANDOM}"
exec .venv/bin/python -m pytest tests/ops/test_crash.py tests/ops/test_backup_restore.py \
    -p no:warnings -q -s "$@"
