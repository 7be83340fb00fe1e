# moondust: two commands on a fresh machine with only Python 3.11 and pip.
#   make demo   create .venv, install moondust, map the He-3 and run the baseline into moondust-out/
#   make test   create .venv, install moondust[dev], lint (with the import layers), type-check,
#               run the tests and build the documentation site (--strict)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= moondust-out

.PHONY: demo test lint typecheck pytest docs bench reference-save reference-check mutation clean

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
	$(BIN)/lint-imports  # the layers (docs/architecture.md, [tool.importlinter])

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy moondust

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

# The documentation site (mkdocs.yml): --strict fails on broken links, missing anchors and
# docstrings mkdocstrings cannot read. A few seconds; the site goes to $(SITE) (git-ignored).
SITE ?= site

docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(SITE)

test: lint typecheck pytest docs

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

# A refactor changes no output: save the fingerprints of every built-in scenario's outputs before
# it (REF=file), check them after it (exit 1 on any difference).
REF ?= reference-outputs.json

reference-save: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.reference save $(REF)

reference-check: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.reference check $(REF)

# Mutation testing of the engine's kernels with cosmic-ray (mutation/cosmic-ray.toml; not part of
# `make test`: about a quarter of an hour on one core). Each mutant is written into the module on
# disk and the module's tests run against it, compiled afresh by Numba (mutation/run_tests.py).
# The session is kept in $(MUTATION_DB): `cr-report --show-diff $(MUTATION_DB)` shows the mutants.
MODULE          ?= budget
TESTS           ?= tests/engine/test_$(MODULE).py
MUTATION_CONFIG ?= mutation/.$(MODULE).toml
MUTATION_DB     ?= mutation/session-$(MODULE).sqlite

$(VENV)/.installed-mutation: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -e '.[dev,mutation]'
	touch $@

mutation: $(VENV)/.installed-mutation
	$(BIN)/python mutation/configure.py moondust/engine/$(MODULE).py "$(TESTS)" $(MUTATION_CONFIG)
	rm -f $(MUTATION_DB)
	$(BIN)/cosmic-ray init $(MUTATION_CONFIG) $(MUTATION_DB)
	$(BIN)/cr-filter-operators $(MUTATION_DB) $(MUTATION_CONFIG)
	$(BIN)/cr-filter-lines --config $(MUTATION_CONFIG) $(MUTATION_DB)
	$(BIN)/python mutation/run_tests.py --warm $(MUTATION_CONFIG)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/cosmic-ray exec $(MUTATION_CONFIG) $(MUTATION_DB)
	$(BIN)/python mutation/score.py $(MUTATION_DB)

clean:
	rm -rf $(VENV) $(OUT) $(SITE) .pytest_cache .mypy_cache .ruff_cache mutation/session-*.sqlite mutation/.*.toml mutation/.numba-cache
