"""The published stopping criteria, one function each, replayed on a cell's record.

Each criterion takes a cell's `Record` (what the model saw at each iteration:
`albench.stopping.record`) and its parameters, and returns one decision per iteration: True
where it would stop labelling with that iteration's model. A cell stops at its first True.
A user's criterion is a function of the same shape, named by import path.

The defaults are the papers' (or, where a paper left a choice, small-text's and
Pullar-Strecker et al.'s implementations'), documented in docs/stopping.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from albench.tasks import CLASSIFICATION, REGRESSION


@dataclass(frozen=True)
class Record:
    """What a cell recorded for stopping criteria: per iteration its `stats` (columns of
    `albench.stopping.record`: iteration, n_labeled, pool uncertainty, selected batch) and its
    `predictions` on the stop set (iterations x stop set); `n_classes` 0 for regression."""

    stats: pd.DataFrame
    predictions: np.ndarray
    n_classes: int

    def __len__(self) -> int:
        return len(self.stats)


def cohen_kappa(a: np.ndarray, b: np.ndarray, n_classes: int) -> float:
    """Cohen's kappa of two label vectors; 1 for two identical constant vectors (perfect
    agreement, which the formula leaves at 0/0)."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    observed = float(np.mean(a == b))
    size = max(n_classes, int(max(a.max(initial=0), b.max(initial=0))) + 1)
    expected = float(np.dot(np.bincount(a, minlength=size), np.bincount(b, minlength=size)))
    expected /= len(a) ** 2
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def _first(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=bool)


def stabilizing_predictions(record: Record, window: int = 3, kappa: float = 0.99) -> np.ndarray:
    """Bloodgood & Vijay-Shanker (2009): stop once the mean Cohen's kappa between consecutive
    models' stop-set predictions over the last `window` pairs is at least `kappa` (small-text's
    KappaAverage since its 1.3.3)."""
    p = record.predictions
    kappas = np.array(
        [np.nan] + [cohen_kappa(p[i - 1], p[i], record.n_classes) for i in range(1, len(p))]
    )
    stop = np.zeros(len(p), dtype=bool)
    for i in range(window, len(p)):
        stop[i] = np.mean(kappas[i - window + 1 : i + 1]) >= kappa
    return stop


def classification_change(record: Record, threshold: float = 0.0) -> np.ndarray:
    """Zhu, Wang & Hovy (2008): stop once at most a `threshold` share of the stop set changed
    its predicted class since the previous model."""
    p = record.predictions
    stop = np.zeros(len(p), dtype=bool)
    for i in range(1, len(p)):
        stop[i] = np.sum(p[i] == p[i - 1]) >= p.shape[1] * (1 - threshold)
    return stop


def overall_uncertainty(record: Record, threshold: float = 0.05) -> np.ndarray:
    """Zhu, Wang & Hovy (2008): stop once the mean normalized entropy over the unlabelled pool
    is below `threshold`."""
    return _first(record.stats["entropy_mean"].to_numpy() < threshold)


def max_confidence(record: Record, threshold: float = 0.01) -> np.ndarray:
    """Zhu, Wang & Hovy (2008), max-confidence: stop once every unlabelled row's normalized
    entropy is at most `threshold`."""
    return _first(record.stats["entropy_max"].to_numpy() <= threshold)


def min_expected_error(record: Record, threshold: float = 0.01) -> np.ndarray:
    """Zhu, Wang & Hovy (2008), minimum expected error: stop once the expected error over the
    unlabelled pool, the mean of 1 - max p, is at most `threshold`."""
    return _first(record.stats["least_confident_mean"].to_numpy() <= threshold)


def selected_accuracy(record: Record, threshold: float = 0.9) -> np.ndarray:
    """Zhu, Wang & Hovy (2008), selected accuracy: stop once the previous model classified the
    batch just labelled with at least `threshold` accuracy against the oracle's labels."""
    return _first(record.stats["selected_accuracy"].to_numpy() >= threshold)


def delta_f(record: Record, window: int = 3, threshold: float = 0.05) -> np.ndarray:
    """Altschuler & Bloodgood (2019), predicted change of F, as small-text's DeltaFScore
    (binary tasks): stop once 1 - 2a / (2a + b + c) between consecutive stop-set predictions
    (a: rows positive for both models, b + c: rows that changed) stays below `threshold` for
    `window` pairs."""
    p = record.predictions
    stop = np.zeros(len(p), dtype=bool)
    history: list[float] = []
    for i in range(1, len(p)):
        old, new = p[i - 1], p[i]
        both = int(np.sum((old == 1) & (new == 1)))  # positive for both models
        changed = int(np.sum((old == 1) & (new == 0)) + np.sum((old == 0) & (new == 1)))
        denominator = 2 * both + changed
        history.append(1 - 2 * both / denominator if denominator else float("nan"))
        stop[i] = len(history) >= window and bool(np.all(np.array(history[-window:]) < threshold))
    return stop


def _converged(values: np.ndarray, window: int, threshold: float, rising: bool) -> np.ndarray:
    """Where the mean of the last `window` values exceeds the mean of the `window` before by
    less than `threshold` (and by more than 0 where `rising`)."""
    stop = np.zeros(len(values), dtype=bool)
    for i in range(2 * window - 1, len(values)):
        change = np.mean(values[i - window + 1 : i + 1]) - np.mean(
            values[i - 2 * window + 1 : i - window + 1]
        )
        stop[i] = (0 < change < threshold) if rising else abs(change) < threshold
    return stop


def performance_convergence(
    record: Record, window: int = 10, threshold: float = 5e-5
) -> np.ndarray:
    """Laws & Schütze (2008): stop once the F1 estimated from the pool's probabilities rises,
    averaged over `window` iterations, by less than `threshold`, at its highest so far."""
    values = record.stats["estimated_f1"].to_numpy(dtype=float)
    best_before = np.maximum.accumulate(np.r_[-np.inf, values[:-1]])
    return _converged(values, window, threshold, rising=True) & (values >= best_before)


def uncertainty_convergence(
    record: Record, window: int = 10, threshold: float = 5e-5
) -> np.ndarray:
    """Laws & Schütze (2008): stop once the uncertainty of the batches selected, averaged over
    `window` iterations, changes by less than `threshold`."""
    values = record.stats["selected_entropy_mean"].to_numpy()
    return _converged(np.nan_to_num(values, nan=1.0), window, threshold, rising=False)


def variance_decrease(record: Record, rounds: int = 2, margin: float = 0.0) -> np.ndarray:
    """Ghayoomi (2010), VM (`margin` 0) and EVM (`margin` > 0): stop once the variance of the
    selected batch's uncertainty decreased, by more than `margin`, `rounds` times in a row."""
    return _fell_in_a_row(record.stats["selected_entropy_var"].to_numpy(), rounds, margin)


def _fell_in_a_row(values: np.ndarray, rounds: int, margin: float = 0.0) -> np.ndarray:
    """Whether `values` (NaN at iteration 0: no batch yet) fell by more than `margin` at
    least `rounds` times in a row by each iteration."""
    stop = np.zeros(len(values), dtype=bool)
    streak = 0
    for i in range(2, len(values)):
        streak = streak + 1 if values[i] < values[i - 1] - margin else 0
        stop[i] = streak >= rounds
    return stop


def contradictory_information(record: Record, rounds: int = 3) -> np.ndarray:
    """Contradictory information, as in Pullar-Strecker et al.'s (2022) code after Vlachos
    (2008): stop once the contradiction of the batches the oracle labelled (the previous model's
    least confidence summed over the rows it got wrong, over the batch's mean) decreased `rounds`
    times in a row."""
    return _fell_in_a_row(record.stats["selected_contradiction"].to_numpy(), rounds)


def prediction_change(record: Record, window: int = 3, threshold: float = 0.01) -> np.ndarray:
    """Stabilizing predictions for a numeric target (after Bloodgood & Vijay-Shanker 2009): stop
    once the stop-set predictions moved, for `window` consecutive models, by a mean absolute
    change below `threshold` times their spread (standard deviation) at the previous model."""
    p = np.asarray(record.predictions, dtype=np.float64)
    changes = np.full(len(p), np.inf)
    for i in range(1, len(p)):
        spread = float(np.std(p[i - 1])) or 1.0
        changes[i] = float(np.mean(np.abs(p[i] - p[i - 1]))) / spread
    stop = np.zeros(len(p), dtype=bool)
    for i in range(window, len(p)):
        stop[i] = bool(np.all(changes[i - window + 1 : i + 1] < threshold))
    return stop


def fixed_budget(record: Record, labels: int) -> np.ndarray:
    """Stop once `labels` rows are labelled."""
    return _first(record.stats["n_labeled"].to_numpy() >= labels)


@dataclass(frozen=True)
class Criterion:
    """A criterion: its function, parameters (with their ranges, `Param`), the tasks it runs
    on, and its paper."""

    function: Callable[..., np.ndarray]
    params: dict[str, Param]
    paper: str
    tasks: tuple[str, ...] = (CLASSIFICATION,)
    binary: bool = False
    default: bool = True  # in the criteria of a config that lists none

    def defaults(self) -> dict[str, Any]:
        return {name: p.default for name, p in self.params.items() if p.default is not None}


@dataclass(frozen=True)
class Param:
    """A criterion parameter: its default (None: required), and the range it must lie in."""

    default: Any = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    low_open: bool = False
    high_open: bool = False

    def problem(self, value: Any) -> str | None:
        """Why `value` cannot be this parameter (None if it can)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{value!r} is not a number"
        if self.integer and int(value) != value:
            return f"{value!r} is not a whole number"
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return f"{value!r} is below {'or at ' if self.low_open else ''}{self.low:g}"
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return f"{value!r} is above {'or at ' if self.high_open else ''}{self.high:g}"
        return None


UNIT = {"low": 0.0, "high": 1.0}
WINDOW = Param(3, low=1, integer=True)
CRITERIA: dict[str, Criterion] = {
    "stabilizing_predictions": Criterion(
        stabilizing_predictions,
        {"window": WINDOW, "kappa": Param(0.99, low=-1.0, high=1.0)},
        "Bloodgood & Vijay-Shanker 2009",
    ),
    "classification_change": Criterion(
        classification_change,
        {"threshold": Param(0.0, **UNIT)},
        "Zhu, Wang & Hovy 2008",
    ),
    "overall_uncertainty": Criterion(
        overall_uncertainty,
        {"threshold": Param(0.05, **UNIT)},
        "Zhu, Wang & Hovy 2008",
    ),
    "max_confidence": Criterion(
        max_confidence, {"threshold": Param(0.01, **UNIT)}, "Zhu, Wang & Hovy 2008"
    ),
    "min_expected_error": Criterion(
        min_expected_error, {"threshold": Param(0.01, **UNIT)}, "Zhu, Wang & Hovy 2008"
    ),
    "selected_accuracy": Criterion(
        selected_accuracy, {"threshold": Param(0.9, **UNIT)}, "Zhu, Wang & Hovy 2008"
    ),
    "delta_f": Criterion(
        delta_f,
        {"window": WINDOW, "threshold": Param(0.05, **UNIT)},
        "Altschuler & Bloodgood 2019",
        binary=True,
    ),
    "performance_convergence": Criterion(
        performance_convergence,
        {"window": Param(10, low=1, integer=True), "threshold": Param(5e-5, low=0.0)},
        "Laws & Schütze 2008",
    ),
    "uncertainty_convergence": Criterion(
        uncertainty_convergence,
        {"window": Param(10, low=1, integer=True), "threshold": Param(5e-5, low=0.0)},
        "Laws & Schütze 2008",
    ),
    "vm": Criterion(
        variance_decrease,
        {"rounds": Param(2, low=1, integer=True), "margin": Param(0.0, low=0.0, high=0.0)},
        "Ghayoomi 2010 (VM)",
    ),
    "evm": Criterion(
        variance_decrease,
        {"rounds": Param(2, low=1, integer=True), "margin": Param(1e-3, low=0.0)},
        "Ghayoomi 2010 (EVM)",
    ),
    "contradictory_information": Criterion(
        contradictory_information,
        {"rounds": Param(3, low=1, integer=True)},
        "Vlachos 2008, as in Pullar-Strecker et al. 2022",
    ),
    "prediction_change": Criterion(
        prediction_change,
        {"window": WINDOW, "threshold": Param(0.01, low=0.0)},
        "after Bloodgood & Vijay-Shanker 2009, for a numeric target",
        tasks=(REGRESSION,),
    ),
    "fixed_budget": Criterion(
        fixed_budget,
        {"labels": Param(None, low=1, integer=True)},
        "a fixed number of labels",
        tasks=(CLASSIFICATION, REGRESSION),
        default=False,
    ),
}


@dataclass(frozen=True)
class Chosen:
    """A criterion of the config: its function and its parameters, all filled."""

    name: str
    function: Callable[..., Any]
    params: dict[str, Any] = field(default_factory=dict)
    builtin: str | None = None

    def decisions(self, record: Record) -> np.ndarray:
        """Return its stop decision at each of `record`'s iterations, checked: one bool each."""
        answer = self.function(record, **self.params)
        decisions = np.asarray(answer)
        if decisions.shape != (len(record),) or decisions.dtype != bool:
            raise TypeError(
                f"criterion {self.name!r} returned {type(answer).__name__} of shape "
                f"{decisions.shape} and dtype {decisions.dtype}, not one bool per iteration "
                f"({len(record)})"
            )
        return decisions
