# Two commands set up a fresh machine: `make run` (the product, demo mode) and `make test` (the suite).
# Each creates the virtual environment on first use and reinstalls when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make run` installs only what the product needs (faster first start); `make test` adds the test tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-test: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/syncwizard run --demo $(ARGS)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts
