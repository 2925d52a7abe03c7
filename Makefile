# Qalxan: the two commands are `make run` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PKG := $(VENV)/.installed-pkg
STAMP_DEV := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run test lint typecheck pytest bench system-deps clean

$(BIN)/python:
	PY=$(PY) ./scripts/system-deps.sh --build
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when pyproject.toml or the compiled modules' sources change (pip's cache does
# not help here).
KERNEL := $(wildcard qalxan/detect/message/*.pyx qalxan/detect/message/*.pxd qalxan/detect/url/*.pyx)
$(STAMP_PKG): pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP_DEV): pyproject.toml $(KERNEL) | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(STAMP_PKG)

install: $(STAMP_PKG)

install-dev: $(STAMP_DEV)

# Debian packages the tests talk to as real peers (chromium, softflowd, nfdump, fastnetmon).
system-deps:
	./scripts/system-deps.sh

run: install
	mkdir -p var
	$(BIN)/qalxan serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check qalxan tests bench
	$(BIN)/ruff format --check qalxan tests bench

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev system-deps
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: install-dev
	bash scripts/system-deps.sh --bench
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
