"""Areas under learning curves and confidence intervals of their means."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95


def aubc(n_labeled: np.ndarray, values: np.ndarray) -> float:
    """Return the normalised area under a learning curve.

    The trapezoid area over `n_labeled` divided by the range of `n_labeled`, so a curve that is
    constant at v has AUBC v whatever the budget.
    """
    n_labeled = np.asarray(n_labeled, dtype=float)
    values = np.asarray(values, dtype=float)
    order = np.argsort(n_labeled, kind="stable")
    x, v = n_labeled[order], values[order]
    span = x[-1] - x[0]
    if len(x) < 2 or span == 0:
        raise ValueError("AUBC needs at least two distinct n_labeled values")
    return float(np.trapezoid(v, x) / span)


def mean_ci(values: np.ndarray, random_state: int = 0) -> tuple[float, float, float]:
    """Return (mean, low, high): the mean and its 95 % BCa bootstrap confidence interval.

    With fewer than two values the interval is undefined (NaN); with identical values it is the
    value itself.
    """
    values = np.asarray(values, dtype=float)
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    if np.ptp(values) == 0:
        return mean, mean, mean
    result = sps.bootstrap(
        (values,),
        np.mean,
        confidence_level=CONFIDENCE,
        n_resamples=9999,
        method="BCa",
        random_state=random_state,
    )
    low, high = result.confidence_interval
    return mean, float(low), float(high)
