"""The strategies compared at chosen labelled-set sizes (config `budgets`).

AUBC averages over the whole budget; a user who can pay for b labels asks what a strategy gives
at b. At each budget, every cell is read at its first iteration whose labelled set reaches b,
and each strategy is compared with the baseline there, paired by seed, exactly as the AUBC
comparison is (BCa CI of the mean difference, two-sided Wilcoxon, Holm over the strategies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from albench.analysis.compare import Margins, compare_with_baseline, pair_with_baseline
from albench.analysis.power import ALPHA
from albench.analysis.tables import COMPARED
from albench.directions import higher_is_better

COLUMNS = [
    *("strategy", "budget", "metric", "iteration", "n_labeled", "n_pairs", "mean"),
    *("baseline_mean", "diff", "diff_ci_low", "diff_ci_high", "p_wilcoxon", "p_holm"),
    *("smallest_p_holm", "margin", "p_equivalence_holm", "verdict", "seeds_to_decide"),
    "seeds_would_show",
]


def at_budget(curves: pd.DataFrame, budget: int, group: Sequence[str]) -> pd.DataFrame:
    """Return each cell's curve row at its first iteration with at least `budget` labels
    (cells that never reach it have none)."""
    reached = curves[curves["n_labeled"] >= budget].sort_values("iteration", kind="stable")
    return reached.groupby([*group, "strategy", "seed"], sort=True).head(1)


def comparison_at_budget(
    curves: pd.DataFrame,
    metrics: Sequence[str],
    baseline: str,
    budgets: Sequence[int],
    group: Sequence[str] = tuple(COMPARED),
    alpha: float = ALPHA,
    margins: Mapping[str, Margins] | None = None,
) -> pd.DataFrame:
    """Return, per `group` x strategy x budget x metric, the paired comparison with `baseline`
    at the budget: mean score, difference with its 95 % CI, Wilcoxon p, Holm-adjusted p over
    the strategies of one group x budget x metric, the smallest adjusted p the design allows,
    the equivalence test within the metric's margin (`margins`: per metric, one number or one
    per `group` key) and the verdict (as in `albench.analysis.summary.comparison_table`).

    A group x budget that the baseline's cells never reach has no rows; only seeds that both
    the strategy and the baseline reached are paired.
    """
    group = list(group)
    reached = pd.concat(
        [at_budget(curves, budget, group).assign(budget=budget) for budget in sorted(set(budgets))]
        or [curves.iloc[:0].assign(budget=0)]
    )
    family = [*group, "budget"]
    budget_list = sorted(set(budgets))
    if margins is None:
        from albench.analysis.equivalence import margin_of

        margins = {m: margin_of(m) for m in metrics if higher_is_better(m)}
    decisions = {
        metric: compare_with_baseline(
            reached,
            metric,
            baseline,
            family,
            alpha,
            higher_is_better(metric),
            _per_budget((margins or {}).get(metric), budget_list),
        )
        for metric in metrics
    }
    records = []
    for key, cells in reached.groupby(family, sort=True):
        identity = dict(zip(group, key[:-1], strict=True))
        pairs = list(pair_with_baseline(cells, baseline, family))
        # Where each strategy's cells reached the budget: its first row, of all its seeds.
        first = {pair.strategy: cells[cells["strategy"] == pair.strategy].iloc[0] for pair in pairs}
        for metric in metrics:
            for pair in pairs:
                decision = decisions[metric][key][pair.strategy]
                test = decision.test
                records.append(
                    {
                        **identity,
                        "strategy": pair.strategy,
                        "budget": key[-1],
                        "metric": metric,
                        "iteration": int(first[pair.strategy]["iteration"]),
                        "n_labeled": int(first[pair.strategy]["n_labeled"]),
                        "n_pairs": test.n,
                        "mean": float(pair.own[metric].mean()),
                        "baseline_mean": float(pair.base[metric].mean()),
                        "diff": test.mean_difference,
                        "diff_ci_low": test.ci_low,
                        "diff_ci_high": test.ci_high,
                        "p_wilcoxon": test.p_value,
                        "p_holm": decision.p_holm,
                        "smallest_p_holm": decision.smallest_p_holm,
                        "margin": decision.margin,
                        "p_equivalence_holm": decision.p_equivalence_holm,
                        "verdict": decision.verdict,
                        "seeds_to_decide": _seeds(decision),
                        "seeds_would_show": decision.seeds.by if decision.seeds else None,
                    }
                )
    return pd.DataFrame.from_records(records, columns=[*group, *COLUMNS])


def _per_budget(margins: Margins, budgets: Sequence[int]) -> Margins:
    """The margins of groups (one number, or one per group key) as margins of group x budget."""
    if not isinstance(margins, Mapping):
        return margins
    return {(*key, budget): value for key, value in margins.items() for budget in budgets}


def _seeds(decision) -> float:
    """The seeds that would likely decide an undecided comparison (NaN otherwise, or beyond
    reach)."""
    fewest = decision.seeds.fewest if decision.seeds is not None else None
    return float("nan") if fewest is None else float(fewest)
