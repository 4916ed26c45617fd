#!/usr/bin/env bash
# The long fuzzing run (the bounded one is part of `make test`): schemathesis over every
# operation of the OpenAPI document, signed in as a member and as an admin.
#   scripts/fuzz.sh                     200 valid + 200 invalid cases per operation, SQLite
#   EXAMPLES=1000 scripts/fuzz.sh       more
#   CAREBOOK_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres scripts/fuzz.sh
#   SEED=42 scripts/fuzz.sh             random cases from a seed (default: a new seed each run)
# Figures (cases per status, failures) are printed; record them in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CAREBOOK_FUZZ_EXAMPLES="${EXAMPLES:-200}"
export CAREBOOK_FUZZ_SEED="${SEED:-$RANDOM$RANDOM}"
echo "fuzz: $CAREBOOK_FUZZ_EXAMPLES examples per operation and mode, seed $CAREBOOK_FUZZ_SEED"
exec .venv/bin/python -m pytest tests/ops/test_fuzz.py -p no:warnings -q -s "$@"
