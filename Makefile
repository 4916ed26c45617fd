# carebook: two commands for a newcomer.
#   make run    install, build the PWA, serve http://localhost:8000 with the demo data
#   make test   the whole suite: ruff, mypy, tsc, vitest, pytest (server, engine, browser)
# Needs python3 (>= 3.11), node and npm; `make test` also Debian's chromium,
# fonts-ipafont-gothic, nginx, caddy and systemd (installed by scripts/ensure-test-tools.sh
# when run as root).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PWA := pwa
LOCK := requirements.lock
LOCK_FLAGS ?=
ARTIFACTS := test-artifacts
PYTEST_ARGS ?=

# Only the directories that exist are linted.
LINT_DIRS := $(wildcard server sync store tests migrations bench)
PWA_SOURCES := $(shell find $(PWA)/src $(PWA)/public $(PWA)/scripts -type f 2>/dev/null) \
	$(wildcard $(PWA)/index.html $(PWA)/*.ts $(PWA)/tsconfig*.json $(PWA)/package.json)
# The PWA's wire types, generated from the server's OpenAPI document (docs/api/README.md).
API_TYPES := $(PWA)/src/generated/api.ts
SERVER_SOURCES := $(shell find server sync store -name '*.py' 2>/dev/null)

.PHONY: help run test install pwa api-types api-types-check test-tools lint typecheck pwa-test \
	pytest lock clean

help:
	@echo "make run    install, build the PWA and serve http://localhost:$${PORT:-8000} (demo data on first start)"
	@echo "make test   ruff, mypy, tsc, vitest and pytest (set CAREBOOK_TEST_DATABASE_URL for PostgreSQL)"
	@echo "make api-types  regenerate $(API_TYPES) after changing a wire shape (commit it)"
	@echo "make lock   regenerate $(LOCK) from pyproject.toml (LOCK_FLAGS=--upgrade to move pins)"
	@echo "make clean  remove .venv, node_modules, the built PWA and caches (keeps ./data)"

# --- install ------------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock pins the runtime dependencies and the [test] extra; the project itself goes
# in editable without resolving anything again.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r $(LOCK)
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

$(PWA)/node_modules/.installed: $(PWA)/package-lock.json $(PWA)/package.json
	cd $(PWA) && npm ci --no-audit --no-fund
	touch $@

# A build regenerates the wire types when the server changed (written only when they
# differ); `make test` checks them first, so a stale committed file fails CI.
$(PWA)/node_modules/.api-types: $(VENV)/.installed $(PWA)/node_modules/.installed $(SERVER_SOURCES)
	$(MAKE) --no-print-directory api-types
	touch $@

$(PWA)/dist/index.html: $(PWA)/node_modules/.installed $(PWA)/node_modules/.api-types $(PWA_SOURCES)
	cd $(PWA) && npm run build
	touch $@

pwa: $(PWA)/dist/index.html

# The wire types, and Japan's time zone and era table (server/japan.py).
api-types: $(VENV)/.installed $(PWA)/node_modules/.installed
	$(BIN)/carebook openapi | (cd $(PWA) && node scripts/api-types.mjs)
	$(BIN)/python -m server.japan > $(PWA)/src/generated/japan.ts.new
	cmp -s $(PWA)/src/generated/japan.ts.new $(PWA)/src/generated/japan.ts \
		&& rm $(PWA)/src/generated/japan.ts.new \
		|| mv $(PWA)/src/generated/japan.ts.new $(PWA)/src/generated/japan.ts
	$(BIN)/python -m sync.thresholds > $(PWA)/src/generated/thresholds.ts.new
	cmp -s $(PWA)/src/generated/thresholds.ts.new $(PWA)/src/generated/thresholds.ts \
		&& rm $(PWA)/src/generated/thresholds.ts.new \
		|| mv $(PWA)/src/generated/thresholds.ts.new $(PWA)/src/generated/thresholds.ts

api-types-check: $(VENV)/.installed $(PWA)/node_modules/.installed
	@echo "=== generated files in $(PWA)/src/generated match the server"
	$(BIN)/carebook openapi | (cd $(PWA) && node scripts/api-types.mjs --check)
	$(BIN)/python -m server.japan | cmp -s - $(PWA)/src/generated/japan.ts \
		|| { echo "$(PWA)/src/generated/japan.ts is stale: run make api-types" >&2; exit 1; }
	$(BIN)/python -m sync.thresholds | cmp -s - $(PWA)/src/generated/thresholds.ts \
		|| { echo "$(PWA)/src/generated/thresholds.ts is stale: run make api-types" >&2; exit 1; }

test-tools:
	bash scripts/ensure-test-tools.sh

# --- run ----------------------------------------------------------------------------------

# HOST and PORT come from the environment (default 127.0.0.1:8000); data in ./data
# unless CAREBOOK_DATA_DIR says otherwise.
run: $(VENV)/.installed $(PWA)/dist/index.html
	CAREBOOK_DATA_DIR="$${CAREBOOK_DATA_DIR:-$(CURDIR)/data}" \
		$(BIN)/carebook serve --demo-on-first-start

# --- test ---------------------------------------------------------------------------------

test: $(VENV)/.installed api-types-check test-tools $(PWA)/dist/index.html
	@echo "=== ruff: $(LINT_DIRS)"
	$(BIN)/ruff check $(LINT_DIRS)
	@echo "=== mypy"
	$(BIN)/mypy
	@echo "=== tsc (pwa)"
	cd $(PWA) && npm run typecheck
	@echo "=== vitest (pwa)"
	cd $(PWA) && npm test
	@if [ -n "$${CAREBOOK_TEST_DATABASE_URL:-}" ]; then echo "=== pytest (PostgreSQL)"; \
		else echo "=== pytest (SQLite)"; fi
	mkdir -p $(ARTIFACTS)
	$(BIN)/pytest --output=$(ARTIFACTS)/playwright --screenshot=only-on-failure $(PYTEST_ARGS)

# Pieces of `make test`, for a quicker loop.
lint: $(VENV)/.installed
	$(BIN)/ruff check $(LINT_DIRS)
typecheck: $(VENV)/.installed $(PWA)/node_modules/.installed
	$(BIN)/mypy
	cd $(PWA) && npm run typecheck
pwa-test: $(PWA)/node_modules/.installed
	cd $(PWA) && npm test
pytest: $(VENV)/.installed api-types-check test-tools $(PWA)/dist/index.html
	mkdir -p $(ARTIFACTS)
	$(BIN)/pytest --output=$(ARTIFACTS)/playwright --screenshot=only-on-failure $(PYTEST_ARGS)

# --- maintenance --------------------------------------------------------------------------

lock: | $(BIN)/python
	$(BIN)/pip-compile --version >/dev/null 2>&1 || $(BIN)/python -m pip install pip-tools
	$(BIN)/pip-compile --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		$(LOCK_FLAGS) --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) $(PWA)/node_modules $(PWA)/dist $(ARTIFACTS) test-results \
		.pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -not -path './data/*' -exec rm -rf {} +
