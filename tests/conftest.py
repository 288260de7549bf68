"""Shared fixtures: tiny data sets and cell configs; and the order the suite runs in."""

from __future__ import annotations

import copy

import pytest
from helpers import CELL

from albench.data.datasets import Dataset, validate_dataset


@pytest.fixture
def blobs() -> Dataset:
    """Return 120 samples in 3 Gaussian blobs."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)
    return validate_dataset("blobs", X, y)


@pytest.fixture
def cell() -> dict:
    """Return a fresh copy of a small cell config (entropy sampling, logistic regression)."""
    return copy.deepcopy(CELL)


# The modules that run the real workflow, longest first (`--durations`): run before the unit
# tests, so that `make test`'s workers (pytest-xdist, one module each at a time) end together
# instead of one finishing a long module after the other ran out of work.
LONG_MODULES = (
    "test_deep_workflow",
    "test_slurm",
    "test_robustness",
    "test_workflow",
    "test_own_code_workflow",
    "test_provenance",
    "test_bad_input",
    "test_golden",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.module.__name__.rpartition(".")[2] if item.module else ""
        return LONG_MODULES.index(name) if name in LONG_MODULES else len(LONG_MODULES)

    items.sort(key=rank)  # stable: each module's own order is kept
