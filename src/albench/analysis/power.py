"""What a design of seeds can show: the smallest p-value a comparison with the baseline can reach.

The verdicts test each strategy against the baseline with the two-sided Wilcoxon signed-rank
test over paired seeds and correct for the strategies compared with Holm's method. With few
seeds no data can reach significance; the config check warns before the run, and such
comparisons read `too few seeds to tell` rather than `no significant difference`. Imports
nothing, so that the Snakefile can use it.
"""

from __future__ import annotations

ALPHA = 0.05  # significance level of the verdicts
TOO_FEW_SEEDS = "too few seeds to tell"  # the verdict where no result could be significant
EQUIVALENT = "equivalent"  # shown within the equivalence margin of the baseline
UNDECIDED = "undecided"  # neither a difference nor equivalence shown


def smallest_p(n_pairs: int, n_compared: int = 1) -> float:
    """Return the smallest Holm-adjusted p-value any data could give: the two-sided exact
    Wilcoxon signed-rank p of `n_pairs` differences all of one sign (2 / 2^n), times the
    `n_compared` strategies Holm corrects for (the smallest p is multiplied by their count)."""
    if n_pairs < 1:
        return 1.0
    return min(1.0, n_compared * 2.0 / 2.0**n_pairs)


def seeds_needed(n_compared: int, alpha: float = ALPHA) -> int:
    """Return the fewest paired seeds with which a comparison against the baseline can be
    significant at `alpha` after Holm's correction over `n_compared` strategies."""
    n = 1
    while smallest_p(n, n_compared) >= alpha:
        n += 1
    return n
