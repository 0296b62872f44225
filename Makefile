# Developer and CI entry points. `make test` works on a fresh clone: it creates the venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: venv test lint clean

venv: $(VENV)/.installed

# Reinstalled when pyproject.toml changes (new dependencies).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar off -e '.[dev]'
	touch $@

# Integration tests need a private Docker daemon: see tests/conftest.py.
test: venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
