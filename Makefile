# Front door of the project.  `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?=
OUT ?=
# The real corpora beside the checkout (read-only); the committed review reports are built from one of them.
CORPORA ?= $(or $(UNSPEECH_CORPORA),../shared/corpora)
REVIEW_CORPUS ?= unsc_umuc
# 05-compare-groups sets the 2014 ministerial meeting on Iraq and ISIL against the other meetings; 07-positions
# places its speakers.
REVIEW_SETTINGS ?= --set by=meeting --set target=S/PV.7271 --set debate=S/PV.7271

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help setup setup-browser figures notebooks review test test-fast bench bench-scale lab explore clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "creating the virtual environment $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "upgrading pip in $(VENV)"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing the project and its dependencies into $(VENV) (pyproject.toml; a few minutes the first time)"
	@$(BIN)/python -m pip install --quiet --progress-bar off -e '.[test,bench]'
	@echo "registering the Jupyter kernel 'python3' of $(VENV)"
	@$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)
	@echo "set up: $(VENV) is ready"

setup: $(STAMP) ## Create .venv and install the project with pip (idempotent)

# The explorer's browser tests drive Debian's Chromium and its chromedriver (pip cannot install a browser, and the
# tests never download one): apt-get as root, otherwise the command to run is printed.
setup-browser: ## Install Debian's chromium and chromium-driver for the browser tests (apt-get, as root)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
		echo "chromium and chromedriver are installed"; \
	elif [ "$$(id -u)" -eq 0 ]; then \
		echo "installing chromium and chromium-driver with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "as root, run: apt-get install chromium chromium-driver   (or: sudo make setup-browser)"; exit 1; \
	fi

figures: $(STAMP) ## Regenerate every figure and HTML report (each notebook's default corpus; CORPUS=PATH for another; OUT=DIR for DIR/figures, DIR/reports)
	$(BIN)/python -m analysis figures $(if $(CORPUS),--corpus $(CORPUS)) $(if $(OUT),--out $(OUT))

notebooks: $(STAMP) ## Re-execute notebooks/*.ipynb in place on the default corpus (the outputs nbval checks)
	$(BIN)/python -m analysis figures --in-place

review: $(STAMP) ## HTML reports at scale for review: reports/unsc_umuc/ from ../shared/corpora (REVIEW_CORPUS=unsc_umuc)
	$(BIN)/python -m analysis figures --corpus $(CORPORA)/$(REVIEW_CORPUS) $(REVIEW_SETTINGS) \
		--reports-dir reports/$(REVIEW_CORPUS) --figures-dir reports/$(REVIEW_CORPUS)/figures

test: $(STAMP) ## Run the whole test suite: unit, integration and notebook (nbval) tests
	$(BIN)/python -m pytest tests
	PYTHONPATH=$(CURDIR) OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

test-fast: $(STAMP) ## Unit tests only (no real corpora, no notebooks)
	$(BIN)/python -m pytest tests -m "not corpus and not slow"

bench: $(STAMP) ## Benchmark the pipeline against scikit-learn and a pandas baseline
	$(BIN)/python benchmarks/bench_pipeline.py

bench-scale: $(STAMP) ## Benchmark run at 1x, 2x, 4x the General Debate corpus, process pool against Dask
	$(BIN)/python benchmarks/bench_scale.py

LAB_PORT ?= 8888
lab: $(STAMP) ## Start JupyterLab in notebooks/ on 127.0.0.1 (works as root; prints the URL to open)
	@echo "JupyterLab: open the http://127.0.0.1:$(LAB_PORT)/lab?token=... URL printed below (Ctrl-C stops it)"
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser \
		$(if $(filter 0,$(shell id -u)),--allow-root)

# Voilà runs the notebook's kernel in notebooks/ with the server's environment: UNSPEECH_EXPLORE=live makes the
# notebook show its live widgets (executed reports and nbval get the static summary). No retries on a taken port,
# so the URL printed is the one served.
EXPLORE_PORT ?= 8866
explore: $(STAMP) ## Serve notebooks/06-explore.ipynb as a web app (Voilà) on 127.0.0.1 (works as root; prints the URL)
	@echo "Explorer: open http://127.0.0.1:$(EXPLORE_PORT)/ once Voilà says it is running (Ctrl-C stops it)"
	UNSPEECH_EXPLORE=live $(BIN)/voila notebooks/06-explore.ipynb --no-browser --Voila.ip=127.0.0.1 \
		--port=$(EXPLORE_PORT) --Voila.port_retries=0 --show_tracebacks=True

clean: ## Remove generated tables (keeps figures, reports and .venv)
	rm -rf data/processed/* && touch data/processed/.gitkeep
