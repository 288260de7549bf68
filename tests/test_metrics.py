"""The confusion-matrix metrics equal scikit-learn's, on random and degenerate predictions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from albench.learn.metrics import METRICS, confusion_matrix, score


def sklearn_scores(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict[str, float]:
    labels = np.arange(n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true" and the like
        return {
            "accuracy": accuracy_score(y_true, y_pred),
            "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
            "f1_macro": f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0),
            "f1_weighted": f1_score(
                y_true, y_pred, labels=labels, average="weighted", zero_division=0
            ),
        }


def assert_matches(y_true, y_pred, n_classes: int) -> None:
    ours = score(list(METRICS), np.asarray(y_true), np.asarray(y_pred), n_classes)
    theirs = sklearn_scores(np.asarray(y_true), np.asarray(y_pred), n_classes)
    assert ours.keys() == theirs.keys()
    for name, value in theirs.items():
        assert isinstance(ours[name], float)
        assert ours[name] == pytest.approx(value, abs=1e-12, rel=0), name


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_random_predictions_match_scikit_learn(n_classes: int) -> None:
    rng = np.random.default_rng(n_classes)
    for _ in range(300):
        n = int(rng.integers(1, 400))
        y_true = rng.integers(0, n_classes, n)
        # Skewed predictions leave some classes never predicted, others never true.
        weights = rng.dirichlet(np.full(n_classes, 0.3))
        y_pred = rng.choice(n_classes, size=n, p=weights)
        assert_matches(y_true, y_pred, n_classes)


DEGENERATE = {
    "one predicted class": ([0, 1, 2, 2, 1, 0], [1, 1, 1, 1, 1, 1], 3),
    "perfect": ([0, 1, 2, 2, 1, 0], [0, 1, 2, 2, 1, 0], 3),
    "all wrong": ([0, 0, 1, 1], [1, 1, 0, 0], 2),
    "class missing from truth and predictions": ([0, 1, 1, 0, 3], [0, 1, 0, 0, 3], 4),
    "class only predicted": ([0, 0, 0, 1], [2, 0, 0, 1], 3),
    "class only true": ([0, 2, 2, 1], [0, 0, 0, 1], 3),
    "one sample": ([1], [0], 2),
    "one true class": ([2, 2, 2, 2], [2, 0, 2, 1], 3),
}


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_degenerate_predictions_match_scikit_learn(case: str) -> None:
    assert_matches(*DEGENERATE[case])


def test_float_class_codes_are_accepted() -> None:
    y_true = np.array([0, 1, 2, 1])
    y_pred = np.array([0.0, 2.0, 2.0, 1.0])  # scikit-activeml's wrappers may predict floats
    assert_matches(y_true, y_pred, 3)


def test_confusion_matrix_counts_true_by_predicted() -> None:
    C = confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 0, 2]), 3)
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]


@pytest.mark.parametrize(
    ("y_pred", "message"),
    [([0, 3], "outside the class codes"), ([0, 0.5], "not class codes"), ([0], "predictions")],
)
def test_labels_that_are_not_class_codes_are_refused(y_pred, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        confusion_matrix(np.array([0, 1]), np.array(y_pred), 3)


@pytest.mark.parametrize("case", ["random", "perfect", "constant_target", "constant_prediction"])
def test_regression_metrics_match_scikit_learn(case: str) -> None:
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    rng = np.random.default_rng(3)
    y_true = rng.normal(10, 3, size=57)
    y_pred = y_true + rng.normal(0, 1, size=57)
    if case == "perfect":
        y_pred = y_true.copy()
    elif case == "constant_target":
        y_true = np.full(57, 4.0)
    elif case == "constant_prediction":
        y_pred = np.full(57, y_true.mean())
    got = score(["rmse", "mae", "r2", "p95_abs_error"], y_true, y_pred, n_classes=0)
    assert got["rmse"] == pytest.approx(root_mean_squared_error(y_true, y_pred), rel=1e-12)
    assert got["mae"] == pytest.approx(mean_absolute_error(y_true, y_pred), rel=1e-12)
    assert got["r2"] == pytest.approx(r2_score(y_true, y_pred), rel=1e-12, abs=1e-12)
    errors = np.sort(np.abs(y_true - y_pred))
    assert got["p95_abs_error"] == pytest.approx(np.quantile(errors, 0.95), abs=1e-12)
    assert list(got) == ["rmse", "mae", "r2", "p95_abs_error"]


def test_every_metric_has_a_direction() -> None:
    from albench.directions import HIGHER_IS_BETTER
    from albench.learn.metrics import REGRESSION_METRICS

    assert set(METRICS) | set(REGRESSION_METRICS) == set(HIGHER_IS_BETTER)
