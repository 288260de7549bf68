# Quick start: `make run` (default benchmark) and `make test` (whole test suite).
# Both create .venv and install albench into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= all

.PHONY: run test test-min lint format report clean lock

# Installs exactly the versions of constraints.txt, so that results (tests/test_golden.py) do
# not move with a new release; `make lock` rewrites it from the newest releases.
$(BIN)/snakemake: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The deep-learning path (albench.torch) is tested too. torch is pinned to the CPU build these
# machines have on disk: an unpinned torch would download a CUDA build of several GB.
TORCH ?= torch==2.13.0
$(VENV)/.torch: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet -c constraints.txt $(TORCH)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,torch]'
	touch $@

# The newest releases within pyproject.toml's ranges, frozen into constraints.txt (torch stays
# TORCH). Commit it with the goldens it moves.
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet $(TORCH) -e '.[dev,torch]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable \
	  | grep -v '^torch=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

# `make run CONFIG=config/examples/own_strategy.yaml` runs another config instead of the default.
CONFIG :=
run: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES) $(if $(CONFIG),--configfile $(CONFIG))

report: $(BIN)/snakemake
	$(BIN)/snakemake --report results/report.html

# Two workers (pytest-xdist), one test module each at a time: the end-to-end modules run beside
# the unit tests (docs/development.md). `make test WORKERS=0` runs it in one process.
WORKERS ?= 2
test: $(BIN)/snakemake $(VENV)/.torch
	$(BIN)/python -m pytest $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadfile --no-loadscope-reorder)

# The lowest versions pyproject.toml promises (constraints-min.txt), on the unit tests: the
# end-to-end runs, the goldens and the BatchBALD repeat (a forest committee certain of every
# row with scikit-learn 1.9) belong to the locked versions above. Without the `slurm` extra,
# whose plugin needs a newer numpy (2.4.5).
MIN_VENV := .venv-min
$(MIN_VENV)/bin/snakemake: pyproject.toml constraints-min.txt
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -c constraints-min.txt -e . \
	  pytest pytest-xdist statsmodels
	touch $@

test-min: $(MIN_VENV)/bin/snakemake
	$(MIN_VENV)/bin/python -m pytest -n $(WORKERS) -m "not slow and not cluster" -p no:cacheprovider \
	  --deselect tests/test_golden.py \
	  --deselect tests/test_strategies.py::test_batch_bald_batch_has_no_repeats_when_the_committee_is_certain

lint: $(BIN)/snakemake
	$(BIN)/ruff check src scripts tests benchmarks config
	$(BIN)/ruff format --check src scripts tests benchmarks config
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: $(BIN)/snakemake
	$(BIN)/ruff format src scripts tests benchmarks config
	$(BIN)/ruff check --fix src scripts tests benchmarks config
	$(BIN)/snakefmt Snakefile workflow/rules

clean:
	rm -rf results logs .snakemake
