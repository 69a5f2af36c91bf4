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

.PHONY: serve preview test fuzz lint check bench eval clean chromium

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

test: lint check chromium
	$(BIN)/pytest

# The browser tests drive Debian's chromium: install it when it is missing and this user may
# (root, or sudo without a password); otherwise say in one line how.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "make test needs chromium for its browser tests: run 'sudo apt-get install chromium', then 'make test' again" >&2; exit 1; fi; \
	  echo "installing chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# New random examples for the property and fuzz tests (repeat it; a failure prints its seed).
fuzz: $(STAMP)
	AMBIDEX_HYPOTHESIS_PROFILE=explore $(BIN)/pytest -p no:cacheprovider \
		tests/test_api_schema.py tests/test_loader_fuzz.py tests/test_files.py

serve: check
	$(BIN)/ambidex build
	$(BIN)/ambidex serve --host $(HOST) --port $(PORT)

# A draft with warnings (a short body, a reference not yet cited) still previews: the warnings are
# shown, only errors stop it. `make test` keeps `check --strict`.
preview: $(STAMP)
	$(BIN)/ambidex check $(if $(ORIGINALS),--originals $(ORIGINALS))
	$(BIN)/mkdocs serve -a $(HOST):$(PORT)

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Relevance of search and the guide on the evaluation sets, beside two peer rankers.
EVAL ?= ../shared/eval
eval: $(STAMP)
	$(BIN)/python -m bench.relevance --eval $(EVAL)

clean:
	rm -rf site build .ambidex
