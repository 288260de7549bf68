# Quick start: `make run` (default benchmark) and `make test` (whole test suite).
# Both create .venv and install albench into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= all

.PHONY: run test lint format report clean

$(BIN)/snakemake: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The deep-learning path (albench.torch) is tested too. torch is pinned to the CPU build these
# machines have on disk: an unpinned torch would download a CUDA build of several GB.
TORCH ?= torch==2.13.0
$(VENV)/.torch: $(BIN)/snakemake
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[dev,torch]'
	touch $@

run: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES)

report: $(BIN)/snakemake
	$(BIN)/snakemake --report results/report.html

test: $(BIN)/snakemake $(VENV)/.torch
	$(BIN)/python -m pytest

lint: $(BIN)/snakemake
	$(BIN)/ruff check src scripts tests benchmarks
	$(BIN)/ruff format --check src scripts tests benchmarks
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/snakemake --lint

format: $(BIN)/snakemake
	$(BIN)/ruff format src scripts tests benchmarks
	$(BIN)/ruff check --fix src scripts tests benchmarks
	$(BIN)/snakefmt Snakefile workflow/rules

clean:
	rm -rf results logs .snakemake
