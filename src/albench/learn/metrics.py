"""Test-set metrics a benchmark can record, by their config name.

Every metric follows from one confusion matrix over the data set's classes 0..n_classes-1,
counted with one `bincount`: scikit-learn's metric functions spend most of their time
validating and re-encoding the same few hundred labels three times per iteration. Each value
equals scikit-learn's (`accuracy_score`, `balanced_accuracy_score`, and `f1_score` with
`labels=range(n_classes)`, `zero_division=0`): the same divisions and averages in the same
order (tested against scikit-learn on random and degenerate predictions).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Return the n_classes x n_classes count matrix C[true, predicted].

    Labels must be the class codes 0..n_classes-1 (integers, or floats with integral values,
    as scikit-activeml's wrappers predict).
    """
    true, pred = _codes(y_true, n_classes, "y_true"), _codes(y_pred, n_classes, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(f"{len(true)} true labels but {len(pred)} predictions")
    counts = np.bincount(true * n_classes + pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def _codes(labels: np.ndarray, n_classes: int, name: str) -> np.ndarray:
    codes = np.asarray(labels)
    if codes.dtype.kind not in "iu":
        as_int = codes.astype(np.int64)
        if not np.array_equal(as_int, codes):
            raise ValueError(f"{name} holds labels that are not class codes 0..{n_classes - 1}")
        codes = as_int
    if codes.size and (codes.min() < 0 or codes.max() >= n_classes):
        raise ValueError(f"{name} holds labels outside the class codes 0..{n_classes - 1}")
    return codes.astype(np.int64, copy=False)


def accuracy(C: np.ndarray) -> float:
    """Return the fraction of correct predictions."""
    return float(np.trace(C) / C.sum())


def balanced_accuracy(C: np.ndarray) -> float:
    """Return the mean recall over the classes present in the true labels (as scikit-learn:
    classes only predicted, or absent, do not count)."""
    support = C.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diagonal(C)[present] / support[present]))


def _f1_per_class(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each class's F1 (0 where it is neither true nor predicted) and its support."""
    tp = np.diagonal(C).astype(np.float64)
    support = C.sum(axis=1)
    denominator = (support + C.sum(axis=0)).astype(np.float64)
    empty = denominator == 0
    denominator[empty] = 1.0
    f1 = 2.0 * tp / denominator
    f1[empty] = 0.0
    return f1, support


def f1_macro(C: np.ndarray) -> float:
    """Return the unweighted mean of the classes' F1 (every class counts, zero_division=0)."""
    return float(np.average(_f1_per_class(C)[0]))


def f1_weighted(C: np.ndarray) -> float:
    """Return the classes' F1 averaged with their support as weights."""
    f1, support = _f1_per_class(C)
    return float(np.average(f1, weights=support))


METRICS: dict[str, Callable[[np.ndarray], float]] = {
    "accuracy": accuracy,
    "balanced_accuracy": balanced_accuracy,
    "f1_macro": f1_macro,
    "f1_weighted": f1_weighted,
}


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the root mean squared error (scikit-learn's `root_mean_squared_error`)."""
    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the mean absolute error (scikit-learn's `mean_absolute_error`)."""
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the coefficient of determination, as scikit-learn's `r2_score` (a constant
    target gives 1.0 for a perfect prediction and 0.0 otherwise, not -inf or NaN)."""
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    residual = np.sum((y_true - y_pred) ** 2)
    total = np.sum((y_true - np.mean(y_true)) ** 2)
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1.0 - residual / total)


def p95_abs_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the 95th percentile of the absolute errors (linear interpolation), the tail error
    bmdal_reg (Holzmüller et al., JMLR 2023) reports beside the RMSE."""
    return float(np.percentile(np.abs(np.asarray(y_true) - np.asarray(y_pred)), 95))


# Metrics of regression tasks, from the true and predicted values (`albench.directions`
# says which way each improves: all but R² are errors).
REGRESSION_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "rmse": rmse,
    "mae": mae,
    "r2": r2,
    "p95_abs_error": p95_abs_error,
}


def score(names: list[str], y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """Return {metric name: value} for each of `names` on the given predictions: classification
    metrics (METRICS) from one confusion matrix over `n_classes` classes, regression metrics
    (REGRESSION_METRICS) from the values."""
    C = confusion_matrix(y_true, y_pred, n_classes) if set(names) & set(METRICS) else None
    return {
        name: METRICS[name](C) if name in METRICS else REGRESSION_METRICS[name](y_true, y_pred)
        for name in names
    }
