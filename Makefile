# gestapeld: reproducible publication on stacked family reunification.
# `make help` lists the targets. Everything runs in .venv, created by `make install`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export SOURCE_DATE_EPOCH ?= 1708041600
export PYTHONHASHSEED := 0
VENV := .venv
PY := $(VENV)/bin/python
GESTAPELD := $(VENV)/bin/gestapeld
DATA := data/synthetisch.parquet
STAMP := $(VENV)/.installed

.PHONY: help install data notebooks book site verify lint test test-fast mutate bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@echo "make: installing the pinned Python packages (requirements.txt) and gestapeld into $(VENV)"
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# the pinned wheels fetched by four pip processes side by side (pip fetches one file at a
	@# time and mostly waits on the index: 40 s -> 22 s here), then installed from that folder
	@# without the index; should that fail (a package only as source, say), the ordinary install.
	@# Bytecode is compiled afterwards on every core, not one file at a time by pip (64 s -> 51 s).
	wheels=$$(mktemp -d) && trap 'rm -rf "$$wheels"' EXIT && \
	  { grep -E '^[A-Za-z0-9]' requirements.txt | xargs -P 4 -n 42 $(PY) -m pip download --quiet --no-deps -d "$$wheels" && \
	    $(PY) -m pip install --quiet --no-compile --no-index --find-links "$$wheels" -r requirements.txt; } || \
	  $(PY) -m pip install --quiet --no-compile -r requirements.txt
	@# (not the packages' own test suites, which nothing here imports: a quarter of the bytes)
	@$(PY) -m compileall -q -j 0 -x '/tests?/' "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null || true
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install pinned requirements and the package

$(DATA): $(STAMP) src/gestapeld/engine/synth.py
	$(GESTAPELD) synth --force --out $(DATA)  # data/ is the tool's own (git-ignored) folder

data: $(DATA) ## generate the synthetic default extract (deterministic)

notebooks: $(DATA) ## execute the notebooks with papermill into book/ (only what changed)
	$(GESTAPELD) run

book: notebooks ## build the whole publication on the synthetic default into _build/html
	$(GESTAPELD) publish

site: book ## the same as `make book` (the website is the book's HTML build)

# `make verify` re-runs the committed (synthetic) notebooks. A reviewer of a site built on an
# extract: `make verify DATA=PATH BUILD=DIR` (rebuilds the site from the extract, compares every
# file, re-runs its notebooks), or `make verify BUILD=DIR DIGEST=HEX` without the extract (every
# file against the announced site digest).
ifneq ($(BUILD),)
verify: $(STAMP) ## reviewer check: nbval on the committed notebooks; BUILD=DIR [DATA=PATH] [DIGEST=HEX] for a built site
	$(GESTAPELD) verify --build $(BUILD) $(if $(filter command line,$(origin DATA)),--data $(DATA)) $(if $(DIGEST),--digest $(DIGEST))
else
verify: $(DATA)
	@# an empty cache: the notebooks compute every count again, none is read from a past build;
	@# two notebooks at a time (pytest-xdist), every cell of one notebook in one worker, in order
	cache=$$(mktemp -d) && trap 'rm -rf "$$cache"' EXIT && GESTAPELD_CACHE=$$cache \
	  $(PY) -m pytest -q -p no:cacheprovider --nbval book/ --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  -n 2 --dist loadfile
endif

.PHONY: browser
browser: ## Debian's chromium for the browser tests, installed with apt-get when missing
	@if [ -n "$$GESTAPELD_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  echo "make: the browser tests need Chromium; installing Debian's chromium: $${SUDO:+$$SUDO }apt-get install chromium"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	else \
	  echo "make: the browser tests need Chromium and there is no apt-get here: install Chromium with your package manager and put it on PATH (or set GESTAPELD_CHROMIUM to it)" >&2; \
	  exit 1; \
	fi

# The layers contract (pyproject [tool.importlinter]: cli > publication > protection > engine
# > provenance > config), lint and format. Fast; the first step of `make test`.
lint: $(STAMP) ## import layers (lint-imports), ruff check and ruff format --check
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests

test: ## run every test (installs what is missing; lint, nbval on committed notebooks, build, pytest)
	@# Chromium (apt-get, only when missing) and the Python packages (pip) side by side: both
	@# mostly wait on the network
	$(MAKE) -j2 browser data
	$(MAKE) lint
	@# nbval (two notebooks at a time) and the site build side by side on the two cores
	$(MAKE) -j2 verify book
	$(PY) -m pytest $(PYTEST_OPTS) tests

# pytest on two workers (pytest-xdist; CI has two cores). `loadgroup`: tests that share a
# module- or session-scoped fixture carry one xdist_group mark (tests/conftest.py), so that
# fixture is made once; the other tests go to whichever worker is free, the heaviest units
# first (conftest.HEAVY_FIRST; hence --no-loadscope-reorder). The 15 slowest are printed at
# the end. PYTEST_WORKERS=0 runs in one process (a debugger, `-x`, `--pdb`).
PYTEST_WORKERS ?= 2
PYTEST_OPTS := -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=15

# The inner loop: every test but those marked `slow` (builds, browser, clones, minutes) or
# `built_site` (they read the site `make book` leaves in _build/html): every layer and rule,
# no book build, no browser, no notebook execution (those are `make test`). The randomised
# property tests try 10 examples here (30 in `make test`), the boundary cases 60 (120):
# both reach every kind of boundary, and 60 catch the SQL bugs of tests/MUTANTS.md that 120 do.
test-fast: $(DATA) ## the fast tests for the inner loop (no book, no browser)
	GESTAPELD_PROPERTY_EXAMPLES=10 GESTAPELD_BOUNDARY_EXAMPLES=60 $(PY) -m pytest $(PYTEST_OPTS) -m "not slow and not built_site" tests

mutate: $(STAMP) ## mutation testing of the counting and protection modules (slow; tests/MUTANTS.md)
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 || true
	$(VENV)/bin/mutmut results --all true > mutants/results.txt || true
	$(PY) tests/mutation_score.py

bench: $(STAMP) ## commands, engine and run against their floors (BENCH_SCALES, default 1,10,30); writes benchmarks/results/
	$(PY) benchmarks/bench.py

clean: ## remove generated data and the site (not the committed notebooks)
	rm -rf _build data .pytest_cache
