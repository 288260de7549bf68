"""Shared fixtures: tiny data sets and cell configs."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from albench.datasets import Dataset, validate_dataset

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"

CELL = {
    "dataset": "blobs",
    "model": "logreg",
    "strategy": "entropy",
    "model_spec": {
        "estimator": "sklearn.linear_model.LogisticRegression",
        "params": {"max_iter": 500},
    },
    "strategy_spec": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
    "protocol": {
        "test_size": 0.25,
        "initial_size": 6,
        "batch_size": 4,
        "iterations": 5,
        "metrics": ["accuracy", "balanced_accuracy", "f1_macro"],
    },
    "loop_version": 1,
}


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


def small_config() -> dict:
    """Return a small but complete benchmark config (before schema defaults)."""
    return {
        "datasets": {
            "iris": {"source": "sklearn", "name": "iris"},
            "moons": {
                "source": "synthetic",
                "generator": "make_moons",
                "params": {"n_samples": 120, "noise": 0.3},
            },
        },
        "models": {
            "logreg": {
                "estimator": "sklearn.linear_model.LogisticRegression",
                "params": {"max_iter": 500},
            }
        },
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
            "badge": {"query": "Badge"},
        },
        "seeds": 2,
        "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
        "baseline": "random",
    }


def rng_rows(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n)
