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

.PHONY: help install data notebooks book site verify test test-fast bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install pinned requirements and the package

$(DATA): $(STAMP) src/gestapeld/synth.py
	$(GESTAPELD) synth --out $(DATA)

data: $(DATA) ## generate the synthetic default extract (deterministic)

notebooks: $(DATA) ## execute the notebooks with papermill into book/ (only what changed)
	$(GESTAPELD) run

book: notebooks ## build the whole publication on the synthetic default into _build/html
	$(GESTAPELD) publish

# `make verify` re-runs the committed (synthetic) notebooks. A reviewer of a site built on an
# extract: `make verify DATA=PATH BUILD=DIR` (re-runs that site's notebooks against the
# extract), or `make verify BUILD=DIR` without the extract (manifests and fingerprints only).
ifneq ($(BUILD),)
verify: $(STAMP) ## reviewer check: nbval on the committed notebooks; BUILD=DIR [DATA=PATH] for a built site
	$(GESTAPELD) verify --build $(BUILD) $(if $(filter command line,$(origin DATA)),--data $(DATA))
else
verify: $(DATA)
	$(PY) -m pytest -q -p no:cacheprovider --nbval book/ --nbval-sanitize-with tests/nbval_sanitize.cfg
endif

test: $(DATA) ## run every test (nbval on committed notebooks first, then build and test)
	$(MAKE) verify
	$(MAKE) book
	$(PY) -m pytest -q -p no:cacheprovider tests

bench: $(STAMP) ## benchmarks at several scales; writes benchmarks/results/
	$(PY) benchmarks/bench.py

clean: ## remove generated data and the site (not the committed notebooks)
	rm -rf _build data .pytest_cache
