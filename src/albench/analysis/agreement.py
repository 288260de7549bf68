"""Does the verdict hold across protocols? The agreement of strategy rankings between them.

A protocol (start set, batch size, budget, label noise) can reorder the strategies: the
rankings of one data set x model under two protocols are compared with Kendall's tau-b (ties
allowed), as the OGAL study does across its settings.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd
from scipy import stats as sps

from albench.directions import higher_is_better

COLUMNS = [
    "dataset",
    "model",
    "metric",
    "protocol_a",
    "protocol_b",
    "n_strategies",
    "kendall_tau_b",
    "p_value",
    "same_best",
]


def best(means: pd.Series, metric: str) -> str:
    """Return the strategy (index) with the best of `means` of `metric`."""
    return means.idxmax() if higher_is_better(metric) else means.idxmin()


def ranking_agreement(comparison: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return, per data set x model and pair of protocols, Kendall's tau-b between the two
    rankings of the strategies (the baseline included) by mean AUBC of `metric`, its p-value,
    and whether both protocols rank the same strategy first.

    Rows of `comparison` are those of `comparison.csv`; only strategies both protocols ran are
    ranked. Empty (with its columns) when no data set x model has two protocols.
    """
    column = f"aubc_{metric}_mean"
    records = []
    for (dataset, model), group in comparison.groupby(["dataset", "model"], sort=True):
        means = group.pivot(index="strategy", columns="protocol", values=column)
        for first, second in combinations(sorted(means.columns), 2):
            pair = means[[first, second]].dropna()
            if len(pair) < 2:
                continue
            result = sps.kendalltau(pair[first], pair[second], variant="b")
            records.append(
                {
                    "dataset": dataset,
                    "model": model,
                    "metric": metric,
                    "protocol_a": first,
                    "protocol_b": second,
                    "n_strategies": len(pair),
                    "kendall_tau_b": float(result.statistic),
                    "p_value": float(result.pvalue),
                    "same_best": best(pair[first], metric) == best(pair[second], metric),
                }
            )
    return pd.DataFrame.from_records(records, columns=COLUMNS)
