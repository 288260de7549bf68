"""Shared fixtures: tiny data sets and cell configs; and the order the suite runs in."""

from __future__ import annotations

import copy
import os

import pytest
from helpers import CELL

from albench.data.datasets import Dataset, validate_dataset
from albench.env import POOL_LINGER_ENV

# Each run's pool stops with it (no pool lingers for a next call in a test's folder), unless a
# test of lingering sets its own (tests/test_lingering_pool.py).
os.environ[POOL_LINGER_ENV] = "0"


@pytest.fixture
def blobs() -> Dataset:
    """Return 120 samples in 3 Gaussian blobs."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)
    return validate_dataset("blobs", X, y)


@pytest.fixture(scope="module")
def lingering_pools(tmp_path_factory):
    """The module's runs leave their pool lingering, so that its next run in the same folder
    adopts it, as a user's calls do; every pool left under this test worker's folders is stopped
    at the module's end. (Its runs in one folder must share their environment.)"""
    from helpers import stop_pools_in

    os.environ[POOL_LINGER_ENV] = "600"
    yield
    os.environ[POOL_LINGER_ENV] = "0"
    stop_pools_in(tmp_path_factory.getbasetemp())


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
