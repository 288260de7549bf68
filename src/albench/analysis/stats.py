"""Areas under learning curves, confidence intervals, paired tests and their corrections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    from scipy import stats as sps  # here: a figure job needs no scipy.stats (about 0.7 s)

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


def percentile_bands(
    frame: pd.DataFrame, by: list[str], value: str, n_boot: int = 1000, level: float = 95.0
) -> pd.DataFrame:
    """Return, per group of `frame` by the columns `by`, the mean of `value` and its seeded
    percentile bootstrap interval (columns mean, low, high, indexed by `by`): the learning
    curves' bands, all of a figure's at once.

    The tables use `mean_ci` (scipy's BCa with 9 999 resamples); a figure needs hundreds of
    intervals, and seaborn's own ("ci", 95) resamples in a Python loop (a figure of 10
    strategies x 21 budgets x 3 metrics took 20 s), and even with a vectorised interval its
    aggregation costs a pandas call per band (147 bands: 0.25 s). Here groups of equal size
    share one seeded draw of resample indices and are resampled together. Missing values are
    dropped; a group's values are taken in ascending order, so an interval does not depend on
    the order of the rows; a group of one value has no interval (NaN).
    """
    data = frame.loc[frame[value].notna(), [*by, value]].sort_values([*by, value])
    groups = data.groupby(by, sort=True)[value]
    bands = groups.mean().rename("mean").to_frame()
    order = np.argsort(groups.ngroup().to_numpy(), kind="stable")
    values = data[value].to_numpy(dtype=float)[order]
    sizes = groups.size().to_numpy()
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    low, high = np.full(len(sizes), np.nan), np.full(len(sizes), np.nan)
    for n in np.unique(sizes[sizes >= 2]):
        which = np.flatnonzero(sizes == n)
        # Chunks of about four million resampled values each, whatever the figure's size.
        step = max(1, 4_000_000 // (n_boot * n))
        for chunk in np.array_split(which, -(-len(which) // step)):
            matrix = values[starts[chunk, None] + np.arange(n)]
            low[chunk], high[chunk] = _resampled_percentiles(matrix, n_boot, level)
    return bands.assign(low=low, high=high)


def _resampled_percentiles(
    matrix: np.ndarray, n_boot: int, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return the percentile bootstrap interval of the mean of each row of `matrix`, all rows
    resampled with the same seeded indices."""
    n = matrix.shape[1]
    rows = np.random.default_rng(0).integers(0, n, size=(n_boot, n))
    means = matrix[:, rows].mean(axis=2)
    tail = (100 - level) / 2
    low, high = np.percentile(means, [tail, 100 - tail], axis=1)
    return low, high


def mean_ranks(table: pd.DataFrame, higher_is_better: bool = True) -> pd.Series:
    """Return each column's mean rank over the rows of `table` (1 = the best value in a row:
    the highest, or the lowest where lower is better; ties share the average rank):
    strategies' mean ranks over data sets."""
    return table.rank(axis=1, ascending=not higher_is_better, method="average").mean()


def friedman_p(table: pd.DataFrame) -> float:
    """Return the Friedman test's p-value of `table`'s columns over its rows (strategies or
    stopping criteria over data sets): NaN with fewer than 3 columns or 2 rows."""
    if table.shape[1] < 3 or table.shape[0] < 2:
        return float("nan")
    from scipy import stats as sps

    return float(sps.friedmanchisquare(*table.to_numpy().T).pvalue)


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


# A signed-rank test: p-value of paired differences, for an alternative ("two-sided", "less",
# "greater"); scipy's everywhere but where many subsets are tested (albench.analysis.stability).
SignedRank = Callable[[np.ndarray, str], float]


def wilcoxon_p(differences: np.ndarray, alternative: str = "two-sided") -> float:
    """Return the Wilcoxon signed-rank p-value of `differences` (zeros dropped, as scipy's
    `wilcox` method does; exact for small samples without ties, as `scipy.stats.wilcoxon`
    chooses)."""
    from scipy import stats as sps

    return float(sps.wilcoxon(differences, alternative=alternative, zero_method="wilcox").pvalue)


def paired_comparison(
    values: np.ndarray,
    baseline: np.ndarray,
    interval: bool = True,
    wilcoxon: SignedRank = wilcoxon_p,
) -> PairedComparison:
    """Return the mean of `values - baseline` (paired by seed), its 95 % CI and Wilcoxon p.

    The CI is a BCa bootstrap of the mean difference (NaN without `interval`: a test repeated
    on many subsets needs only its p-value); the p-value is the two-sided Wilcoxon signed-rank
    test (exact for small samples without ties). Identical pairs give p = 1.
    """
    values = np.asarray(values, dtype=float)
    baseline = np.asarray(baseline, dtype=float)
    if values.shape != baseline.shape:
        raise ValueError("paired comparison needs one baseline value per value")
    differences = values - baseline
    if interval:
        mean, low, high = mean_ci(differences)
    else:
        mean, low, high = float(np.mean(differences)), float("nan"), float("nan")
    if len(differences) == 0 or not np.any(differences):
        p_value = 1.0
    else:
        p_value = wilcoxon(differences, "two-sided")
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
