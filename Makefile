# Homeward: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test pytest nodetest lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/homeward migrate
	$(BIN)/homeward seed-demo
	@echo "Homeward on http://$(HOST):$(PORT)/ (field app) and http://$(HOST):$(PORT)/docs (API)"
	$(BIN)/homeward serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy

nodetest:
	@if ls static/pwa/tests/*.test.mjs >/dev/null 2>&1; then node --test static/pwa/tests/*.test.mjs; fi

pytest: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

test: lint nodetest pytest

bench: install
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
