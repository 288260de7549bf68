"""Shared fixtures: tiny data sets and cell configs."""

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
