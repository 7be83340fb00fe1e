# moondust: two commands on a fresh machine with only Python 3.11 and pip.
#   make demo   create .venv, install moondust, map the He-3 and run the baseline into moondust-out/
#   make test   create .venv, install moondust[dev], lint (with the import layers), type-check and
#               run the tests

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= moondust-out

.PHONY: demo test lint typecheck pytest bench reference-save reference-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/moondust map --out $(OUT)/he3_map.png
	$(BIN)/moondust run baseline --out $(OUT)/baseline

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers (docs/architecture-layers.md, [tool.importlinter])

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy moondust

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

# A refactor changes no output: save the fingerprints of every built-in scenario's outputs before
# it (REF=file), check them after it (exit 1 on any difference).
REF ?= reference-outputs.json

reference-save: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.reference save $(REF)

reference-check: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.reference check $(REF)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
