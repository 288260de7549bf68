"""Which way each metric improves: the one table every comparison, rank, label saving and figure
reads, so that a metric where lower is better (an error) is never read as worse when it falls.

The classification metrics of `albench.learn.metrics` all improve upwards; the regression ones
(RMSE, MAE, the 95th-percentile absolute error) downwards, R² upwards.
"""

from __future__ import annotations

from albench.tasks import METRIC_INFO

HIGHER_IS_BETTER = {name: metric.higher_is_better for name, metric in METRIC_INFO.items()}


def higher_is_better(metric: str) -> bool:
    """Return whether a larger value of `metric` is better; ValueError for an unknown metric."""
    try:
        return HIGHER_IS_BETTER[metric]
    except KeyError:
        known = ", ".join(sorted(HIGHER_IS_BETTER))
        raise ValueError(f"no direction known for metric {metric!r}; known: {known}") from None


def gain(difference: float, metric: str) -> float:
    """Return `difference` (a strategy's value minus the baseline's) as an improvement: itself
    where higher is better, its negation where lower is."""
    return difference if higher_is_better(metric) else -difference


def describe(metric: str) -> str:
    """Return "higher is better" or "lower is better" for `metric`."""
    return "higher is better" if higher_is_better(metric) else "lower is better"
