# Both targets build .venv at the repository root from nothing but Python 3.11 and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installs print only errors: the first screen of `make demo` is newsarchive's own. The build
# backend's warnings (editable installs) are for packagers, not for a new user.
PIP := PYTHONWARNINGS=ignore $(BIN)/python -m pip --quiet --quiet

.PHONY: demo test test-fast lint bench install install-test install-bench clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

install: $(BIN)/python
	@$(PIP) install -e .

install-test: $(BIN)/python
	@$(PIP) install -e '.[test]'

install-bench: $(BIN)/python
	@$(PIP) install -e '.[test,bench]'

demo: install
	@$(BIN)/newsarchive demo

test: install-test
	$(BIN)/python -m pytest

# Everything but the real-crawl tests (marked `crawl`), spread over the cores.
test-fast: install-test
	$(BIN)/python -m pytest -m "not crawl" -n auto

lint: install-test
	$(BIN)/ruff check newsarchive spiders pipelines tests benchmarks
	$(BIN)/mypy

# Quality and speed side by side with the peers, on every dataset in ../shared/bench.
bench: install-bench
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) newsarchive.db build *.egg-info
