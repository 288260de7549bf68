"""The strategies compared at chosen labelled-set sizes (config `budgets`).

AUBC averages over the whole budget; a user who can pay for b labels asks what a strategy gives
at b. At each budget, every cell is read at its first iteration whose labelled set reaches b,
and each strategy is compared with the baseline there, paired by seed, exactly as the AUBC
comparison is (BCa CI of the mean difference, two-sided Wilcoxon, Holm over the strategies).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from albench.power import ALPHA, smallest_p
from albench.stats import holm, paired_comparison, verdict
from albench.tables import COMPARED

COLUMNS = [
    "strategy", "budget", "metric", "iteration", "n_labeled", "n_pairs", "mean",
    "baseline_mean", "diff", "diff_ci_low", "diff_ci_high", "p_wilcoxon", "p_holm",
    "smallest_p_holm", "verdict",
]  # fmt: skip


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
) -> pd.DataFrame:
    """Return, per `group` x strategy x budget x metric, the paired comparison with `baseline`
    at the budget: mean score, difference with its 95 % CI, Wilcoxon p, Holm-adjusted p over
    the strategies of one group x budget x metric, the smallest adjusted p the design allows,
    and the verdict (as in `albench.summary.comparison_table`).

    A group x budget that the baseline's cells never reach has no rows; only seeds that both
    the strategy and the baseline reached are paired.
    """
    group = list(group)
    records = []
    for key, group_curves in curves.groupby(group, sort=True):
        identity = dict(zip(group, key if isinstance(key, tuple) else (key,), strict=True))
        for budget in sorted(set(budgets)):
            cells = at_budget(group_curves, budget, group)
            base = cells[cells["strategy"] == baseline].set_index("seed")
            if base.empty:
                continue
            for metric in metrics:
                found = []
                for strategy, own in cells.groupby("strategy", sort=True):
                    if strategy == baseline:
                        continue
                    own = own.set_index("seed")
                    seeds = own.index.intersection(base.index)
                    result = paired_comparison(
                        own.loc[seeds, metric].to_numpy(), base.loc[seeds, metric].to_numpy()
                    )
                    found.append({
                        **identity,
                        "strategy": strategy, "budget": budget, "metric": metric,
                        "iteration": int(own["iteration"].iloc[0]),
                        "n_labeled": int(own["n_labeled"].iloc[0]),
                        "n_pairs": result.n,
                        "mean": float(own.loc[seeds, metric].mean()),
                        "baseline_mean": float(base.loc[seeds, metric].mean()),
                        "diff": result.mean_difference,
                        "diff_ci_low": result.ci_low, "diff_ci_high": result.ci_high,
                        "p_wilcoxon": result.p_value,
                    })  # fmt: skip
                adjusted = holm([row["p_wilcoxon"] for row in found])
                for row, p_holm in zip(found, adjusted, strict=True):
                    floor = smallest_p(row["n_pairs"], len(found))
                    row["p_holm"] = float(p_holm)
                    row["smallest_p_holm"] = floor
                    row["verdict"] = verdict(row["diff"], p_holm, alpha, decidable=floor < alpha)
                records.extend(found)
    return pd.DataFrame.from_records(records, columns=[*group, *COLUMNS])
