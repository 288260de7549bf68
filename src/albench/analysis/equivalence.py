"""Is a strategy as good as the baseline, within a margin? The paired equivalence test and the
number of seeds that would settle an undecided comparison.

"No significant difference" is not "as good as": with few seeds or noisy curves it also covers
a strategy that may be several points better. The equivalence test answers the third question
with the same machinery as the main test (Wilcoxon signed-rank over paired seeds, Holm over the
strategies of a family): two one-sided tests (TOST, Schuirmann 1987) on the paired differences
`d` shifted by the margin `m`,

- H0: median(d) <= -m against median(d) > -m, a one-sided Wilcoxon test of d + m, and
- H0: median(d) >= +m against median(d) < +m, a one-sided Wilcoxon test of d - m;

the strategy is equivalent to the baseline when both reject, so its p-value is the larger of
the two. The test is symmetric in the direction of the metric (a margin bounds the difference
either way), so errors and scores are treated alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from albench.analysis.power import ALPHA
from albench.analysis.stats import SignedRank, wilcoxon_p
from albench.directions import higher_is_better

# The default margin of a bounded metric, in AUBC units: one percentage point of accuracy
# (balanced accuracy, F1, R²) averaged over the budget, about the run-to-run spread of a small
# benchmark's mean and less than most practitioners would pay engineering for.
DEFAULT_MARGIN = 0.01
# The default margin of an error (RMSE, MAE, ...), which has no natural scale: this share of the
# full-pool model's error on the same data set, model and protocol (1 % of the best error the
# model reaches with every label).
ERROR_SHARE = 0.01

# The share of the t-test's efficiency the Wilcoxon signed-rank test keeps on normal data
# (its asymptotic relative efficiency, 3/pi): the power calculation's seeds are divided by it.
WILCOXON_EFFICIENCY = 3 / math.pi
POWER = 0.8  # the probability of a decision that "seeds to decide" aims at
MOST_SEEDS = 10_000  # beyond this, a comparison is not worth deciding: reported as such


def margin_of(
    metric: str, margins: dict[str, float] | None = None, full_pool: float = float("nan")
) -> float:
    """Return the equivalence margin of `metric` in AUBC units: the config's
    (`equivalence_margin`, in `margins`), else DEFAULT_MARGIN for a metric where higher is
    better, else ERROR_SHARE of `full_pool` (the full-pool model's mean error; NaN unknown)."""
    if margins and metric in margins:
        return float(margins[metric])
    if higher_is_better(metric):
        return DEFAULT_MARGIN
    return ERROR_SHARE * float(full_pool)


def equivalence_p(
    differences: np.ndarray, margin: float, wilcoxon: SignedRank = wilcoxon_p
) -> float:
    """Return the TOST p-value that the paired `differences` lie within +-`margin`: the larger
    of the two one-sided Wilcoxon signed-rank p-values (`wilcoxon`: exact for small samples,
    as `scipy.stats.wilcoxon` chooses). 1.0 without differences or with a margin of 0."""
    d = np.asarray(differences, dtype=float)
    if len(d) == 0 or not margin > 0:  # NaN: unknown
        return 1.0
    lower = _one_sided(d + margin, "greater", wilcoxon)
    upper = _one_sided(d - margin, "less", wilcoxon)
    return max(lower, upper)


def _one_sided(shifted: np.ndarray, alternative: str, wilcoxon: SignedRank) -> float:
    if np.all(shifted == 0):
        return 1.0
    return wilcoxon(shifted, alternative)


@dataclass(frozen=True)
class SeedsToDecide:
    """How many paired seeds would likely decide a comparison: show a difference (`difference`)
    or equivalence within the margin (`equivalence`), each at POWER; None where the observed
    mean makes it unreachable (equivalence when |mean| >= margin; a difference when mean is 0)."""

    difference: int | None
    equivalence: int | None

    @property
    def fewest(self) -> int | None:
        """The seeds that would decide it either way (the fewer of the two), or None."""
        known = [n for n in (self.difference, self.equivalence) if n is not None]
        return min(known) if known else None

    @property
    def by(self) -> str | None:
        """Which answer those seeds would likely give: "difference" or "equivalence"."""
        if self.fewest is None:
            return None
        return "difference" if self.fewest == self.difference else "equivalence"


def seeds_to_decide(
    mean: float, sd: float, margin: float, n_compared: int = 1, alpha: float = ALPHA
) -> SeedsToDecide:
    """Return the paired seeds with which a comparison whose differences have `mean` and
    standard deviation `sd` would be decided with probability POWER.

    A power calculation for normal differences, at Holm's worst case over `n_compared`
    strategies (alpha / n_compared), with the standard error of n seeds taken as
    sd / sqrt(n x WILCOXON_EFFICIENCY) (the Wilcoxon test's efficiency on normal data) and t
    quantiles of n - 1 degrees of freedom: the two-sided difference test has power
    Phi(|mean| / se - t(1 - a/2)); the equivalence test (TOST) at a true difference `mean`
    inside the margin has power Phi((margin - |mean|) / se - t(1 - a)) + Phi((margin + |mean|)
    / se - t(1 - a)) - 1. The smallest n reaching POWER is returned for each. Not a simulation:
    it plans the order of magnitude ("about 14 more seeds"), as a power calculation does (the
    tests check it against simulations of the tests themselves).
    """
    a = alpha / max(1, n_compared)
    mean, sd = abs(float(mean)), float(sd)
    if not math.isfinite(sd) or sd <= 0:
        # No spread: any seed decides (a difference if the mean is not 0, else equivalence).
        return SeedsToDecide(2 if mean > 0 else None, 2 if mean < margin else None)
    n = np.arange(2, MOST_SEEDS + 1)
    se = sd / np.sqrt(n * WILCOXON_EFFICIENCY)
    difference = None
    if mean > 0:
        power = sps.norm.cdf(mean / se - sps.t.ppf(1 - a / 2, n - 1))
        difference = _first(n, power)
    equivalence = None
    if margin > 0 and mean < margin:
        q = sps.t.ppf(1 - a, n - 1)
        power = sps.norm.cdf((margin - mean) / se - q) + sps.norm.cdf((margin + mean) / se - q) - 1
        equivalence = _first(n, power)
    return SeedsToDecide(difference, equivalence)


def _first(n: np.ndarray, power: np.ndarray) -> int | None:
    reached = np.flatnonzero(power >= POWER)
    return int(n[reached[0]]) if len(reached) else None
