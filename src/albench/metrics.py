"""Test-set metrics a benchmark can record, by their config name."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score


def _f1(average: str) -> Callable[[np.ndarray, np.ndarray, int], float]:
    def score(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
        return f1_score(
            y_true, y_pred, labels=np.arange(n_classes), average=average, zero_division=0
        )

    return score


METRICS: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "accuracy": lambda y_true, y_pred, n_classes: accuracy_score(y_true, y_pred),
    "balanced_accuracy": lambda y_true, y_pred, n_classes: balanced_accuracy_score(y_true, y_pred),
    "f1_macro": _f1("macro"),
    "f1_weighted": _f1("weighted"),
}


def score(names: list[str], y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Return {metric name: value} for each of `names` on the given predictions."""
    return {name: float(METRICS[name](y_true, y_pred, n_classes)) for name in names}
