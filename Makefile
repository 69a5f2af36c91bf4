# `make serve` builds and serves the knowledge base; `make test` runs every check and test.
# Both bootstrap .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: serve preview test fuzz lint check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Entries must not copy sentences from the source articles, when they are at hand.
ORIGINALS := $(wildcard ../shared/seeds)

check: $(STAMP)
	$(BIN)/ambidex check --strict $(if $(ORIGINALS),--originals $(ORIGINALS))

lint: $(STAMP)
	$(BIN)/ruff check ambidex api tests bench
	$(BIN)/ruff format --check ambidex api tests bench
	$(BIN)/mypy ambidex api

test: lint check
	$(BIN)/pytest

# New random examples for the property and fuzz tests (repeat it; a failure prints its seed).
fuzz: $(STAMP)
	AMBIDEX_HYPOTHESIS_PROFILE=explore $(BIN)/pytest -p no:cacheprovider \
		tests/test_api_schema.py tests/test_loader_fuzz.py tests/test_files.py

serve: check
	$(BIN)/ambidex build
	$(BIN)/ambidex serve --host $(HOST) --port $(PORT)

preview: check
	$(BIN)/mkdocs serve --strict -a $(HOST):$(PORT)

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf site build .ambidex
