"""The one comparison pipeline of every table that tests strategies against the baseline: pair
each strategy's cells with the baseline's by seed, test the paired differences, correct for the
strategies of one family with Holm's method, and decide, naming the designs whose seeds could
not have shown a difference (`albench.analysis.power`).

`comparison_table` (AUBC), `comparison_at_budget` (scores at chosen budgets) and the label
savings (`savings`, which pairs but does not test) all pair through `on_shared_seeds`; the
tests go through `compare_with_baseline` and `decide`, which runs the equivalence test too
(`albench.analysis.equivalence`, Holm over the same family) where a margin is given; a metric
where lower is better passes `higher_is_better` (`albench.directions`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from albench.analysis.equivalence import SeedsToDecide, equivalence_p, seeds_to_decide
from albench.analysis.power import ALPHA, smallest_p
from albench.analysis.stats import (
    UNDECIDED,
    PairedComparison,
    SignedRank,
    paired_comparison,
    verdict,
    wilcoxon_p,
)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Return Holm's step-down adjusted p-values (family-wise error control), in input order:
    the k-th smallest of m times (m - k + 1), made monotone, capped at 1 (statsmodels'
    `multipletests(method="holm")`, the same arithmetic; tests/test_stats.py compares them)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    adjusted[adjusted > 1] = 1
    result = np.empty_like(adjusted)
    result[order] = adjusted
    return result


@dataclass(frozen=True)
class Pair:
    """A strategy's cells and the baseline's, of one group, on the seeds both have."""

    key: tuple
    strategy: str
    own: pd.DataFrame  # indexed by seed
    base: pd.DataFrame  # indexed by seed, the same seeds in the same order


def on_shared_seeds(own: pd.DataFrame, base: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a strategy's rows and the baseline's (both indexed by seed) on the seeds both
    have, in the strategy's order: the pairing of every comparison."""
    seeds = own.index.intersection(base.index)
    return own.loc[seeds], base.loc[seeds]


def pair_with_baseline(frame: pd.DataFrame, baseline: str, group: Sequence[str]) -> Iterator[Pair]:
    """Yield, per `group` (sorted) and non-baseline strategy (sorted), the strategy's rows of
    `frame` (one per seed) and the baseline's on the seeds both have. Groups without the
    baseline yield nothing."""
    for key, rows in frame.groupby(list(group), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        base = rows[rows["strategy"] == baseline].set_index("seed")
        if base.empty:
            continue
        for strategy, own in rows.groupby("strategy", sort=True):
            if strategy == baseline:
                continue
            yield Pair(key, strategy, *on_shared_seeds(own.set_index("seed"), base))


@dataclass(frozen=True)
class Decision:
    """A strategy's paired test against the baseline and what it decides, within its family:
    the difference test's Holm-adjusted p, the equivalence test's (within +-`margin`; NaN
    without a margin), and for an undecided comparison the seeds that would likely decide it."""

    test: PairedComparison
    p_holm: float
    smallest_p_holm: float
    verdict: str
    margin: float = float("nan")
    p_equivalence_holm: float = float("nan")
    seeds: SeedsToDecide | None = None


# A family's margin: one number, or one per family key (NaN or missing: no equivalence test).
Margins = float | Mapping[tuple, float] | None


def family_margin(margins: Margins, key: tuple) -> float:
    """Return the equivalence margin of the family `key` (NaN: none)."""
    if margins is None:
        return float("nan")
    if isinstance(margins, Mapping):
        return float(margins.get(key, float("nan")))
    return float(margins)


def compare_with_baseline(
    frame: pd.DataFrame,
    value: str,
    baseline: str,
    group: Sequence[str],
    alpha: float = ALPHA,
    higher_is_better: bool = True,
    margins: Margins = None,
) -> dict[tuple, dict[str, Decision]]:
    """Return {group key: {strategy: Decision}}: column `value` of each strategy against the
    baseline's, paired by seed (`paired_comparison`: mean difference, BCa CI, two-sided
    Wilcoxon), Holm-corrected over the strategies of the group, with the smallest adjusted p
    the design allows, the equivalence test within the group's margin (`margins`) and the
    verdict (`too few seeds to tell` where that smallest p is not below `alpha`). Where lower
    values of `value` are better (`higher_is_better` false), a negative difference is the
    better one."""
    tests: dict[tuple, dict[str, PairedComparison]] = {}
    for pair in pair_with_baseline(frame, baseline, group):
        tested = paired_comparison(pair.own[value].to_numpy(), pair.base[value].to_numpy())
        tests.setdefault(pair.key, {})[pair.strategy] = tested
    return decide(tests, alpha, higher_is_better, margins)


def decide(
    tests: dict[tuple, dict[str, PairedComparison]],
    alpha: float = ALPHA,
    higher_is_better: bool = True,
    margins: Margins = None,
    to_decide: bool = True,
    wilcoxon: SignedRank = wilcoxon_p,
) -> dict[tuple, dict[str, Decision]]:
    """Return each test's Decision: its p-value Holm-corrected over the strategies of its
    group (a family), the smallest adjusted p the family's design allows, the equivalence
    p-value within the family's margin, Holm-corrected over the same family, the verdict, and
    for an undecided one (with `to_decide`) the seeds that would likely decide it
    (`seeds_to_decide`); `wilcoxon` is the equivalence test's signed-rank test."""
    decisions = {}
    for key, family in tests.items():
        margin = family_margin(margins, key)
        adjusted = holm([t.p_value for t in family.values()])
        equivalent = holm([equivalence_p(t.differences, margin, wilcoxon) for t in family.values()])
        decisions[key] = {}
        for (strategy, test), p_holm, p_eq in zip(
            family.items(), adjusted, equivalent, strict=True
        ):
            floor = smallest_p(test.n, len(family))
            decided = verdict(
                test.mean_difference, p_holm, alpha, floor < alpha, higher_is_better, p_eq
            )
            seeds = None
            if decided == UNDECIDED and to_decide:
                seeds = seeds_to_decide(test.mean_difference, test.sd, margin, len(family), alpha)
            decisions[key][strategy] = Decision(
                test, float(p_holm), floor, decided, margin, float(p_eq), seeds
            )
    return decisions
