# Front door of the project.  `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= data/raw
OUT ?=

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help setup figures test test-fast bench lab clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project with pip (idempotent)

figures: $(STAMP) ## Regenerate every figure and HTML report (CORPUS=data/raw by default)
	$(BIN)/python -m analysis figures --corpus $(CORPUS) $(if $(OUT),--out $(OUT))

test: $(STAMP) ## Run the whole test suite: unit, integration and notebook (nbval) tests
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-fast: $(STAMP) ## Unit tests only (no real corpora, no notebooks)
	$(BIN)/python -m pytest tests -m "not corpus and not slow"

bench: $(STAMP) ## Benchmark the pipeline against scikit-learn and a pandas baseline
	$(BIN)/python benchmarks/bench_pipeline.py

lab: $(STAMP) ## Start JupyterLab in notebooks/
	$(BIN)/jupyter lab notebooks

clean: ## Remove generated tables (keeps figures, reports and .venv)
	rm -rf data/processed/* && touch data/processed/.gitkeep
