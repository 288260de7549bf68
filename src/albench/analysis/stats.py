"""Areas under learning curves, confidence intervals, paired tests and their corrections."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from albench.analysis.power import ALPHA, EQUIVALENT, TOO_FEW_SEEDS, UNDECIDED

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


def percentile_ci(values: np.ndarray, n_boot: int = 1000, level: float = 95.0) -> tuple:
    """Return the percentile bootstrap interval of the mean of `values` (seeded): the learning
    curves' bands, one interval per strategy and budget.

    The tables use `mean_ci` (scipy's BCa with 9 999 resamples); a figure needs hundreds of
    intervals, and seaborn's own ("ci", 95) resamples in a Python loop (a figure of 10
    strategies x 21 budgets x 3 metrics took 20 s), so this draws all resamples at once.
    """
    data = np.asarray(values, dtype=float)
    if len(data) < 2:
        return (np.nan, np.nan)
    rows = np.random.default_rng(0).integers(0, len(data), size=(n_boot, len(data)))
    means = data[rows].mean(axis=1)
    tail = (100 - level) / 2
    return tuple(np.percentile(means, [tail, 100 - tail]))


def mean_ranks(table: pd.DataFrame, higher_is_better: bool = True) -> pd.Series:
    """Return each column's mean rank over the rows of `table` (1 = the best value in a row:
    the highest, or the lowest where lower is better; ties share the average rank):
    strategies' mean ranks over data sets."""
    return table.rank(axis=1, ascending=not higher_is_better, method="average").mean()


@dataclass(frozen=True)
class PairedComparison:
    """A strategy against the baseline over paired seeds."""

    n: int
    mean_difference: float
    ci_low: float
    ci_high: float
    p_value: float
    differences: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    @property
    def sd(self) -> float:
        """The standard deviation of the paired differences (NaN with fewer than two)."""
        return float(np.std(self.differences, ddof=1)) if self.n > 1 else float("nan")


def paired_comparison(values: np.ndarray, baseline: np.ndarray) -> PairedComparison:
    """Return the mean of `values - baseline` (paired by seed), its 95 % CI and Wilcoxon p.

    The CI is a BCa bootstrap of the mean difference; the p-value is the two-sided Wilcoxon
    signed-rank test (exact for small samples without ties). Identical pairs give p = 1.
    """
    values = np.asarray(values, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    if values.shape != baseline.shape:
        raise ValueError("paired comparison needs one baseline value per value")
    differences = values - baseline
    mean, low, high = mean_ci(differences)
    if len(differences) == 0 or not np.any(differences):
        p_value = 1.0
    else:
        p_value = float(sps.wilcoxon(differences).pvalue)
    return PairedComparison(len(differences), mean, low, high, p_value, differences)


def verdict(
    mean_difference: float,
    adjusted_p: float,
    alpha: float = ALPHA,
    decidable: bool = True,
    higher_is_better: bool = True,
    equivalence_p: float = float("nan"),
) -> str:
    """Return `better`, `worse`, `equivalent` or `undecided` for a compared strategy, or
    TOO_FEW_SEEDS where no outcome could have been significant (`decidable` false: see
    `smallest_p`), so that the design's limit does not read as "no difference".

    `mean_difference` is the strategy's value minus the baseline's; where lower is better
    (`higher_is_better` false) a negative difference is the better one. Without a significant
    difference, the strategy is `equivalent` when its Holm-adjusted equivalence p
    (`albench.analysis.equivalence`) is below `alpha`, else `undecided` (neither shown)."""
    gain = mean_difference if higher_is_better else -mean_difference
    if adjusted_p < alpha and gain > 0:
        return "better"
    if adjusted_p < alpha and gain < 0:
        return "worse"
    if not decidable:
        return TOO_FEW_SEEDS
    return EQUIVALENT if equivalence_p < alpha else UNDECIDED
