"""The blind pick: which strategy would a user have chosen for a data set they have not
labelled yet, from the other data sets' results, and how would that choice have fared?

Lüth et al. (NeurIPS 2023) call it the validation paradox: a strategy must be chosen before
the labels that would benchmark it exist. Per model x protocol and the verdict's metric, each
data set in turn is held out; a policy picks a strategy from the other data sets' AUBCs
(`by_rank`: the best mean rank; `by_difference`: the largest mean gain over the baseline;
`always <strategy>`: a fixed habit, whatever the evidence), and the pick is judged on the
held-out data set as one pre-chosen comparison (paired over seeds: the mean AUBC difference to
the baseline with its BCa CI, Wilcoxon, the equivalence test, the five-word verdict) and by
its regret: the AUBC the best strategy in hindsight there had over it, paired over seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from albench.analysis.compare import decide
from albench.analysis.power import ALPHA
from albench.analysis.stability import fast_wilcoxon_p
from albench.analysis.stats import mean_ci, paired_comparison
from albench.analysis.tables import BLIND_PICK_MIN_DATASETS as MIN_DATASETS
from albench.directions import higher_is_better

POLICIES = {
    "by_rank": "by mean rank",
    "by_difference": "by mean AUBC difference",
}
FIXED = "always "  # the prefix of a fixed policy's name: "always margin"
BASELINE = "baseline"  # the verdict where the pick is the baseline itself
VERDICT_COUNTS = ("better", "worse", "equivalent", "undecided", "too few seeds to tell", BASELINE)
SUMMARY_COLUMNS = [
    "model",
    "protocol",
    "metric",
    "policy",
    "datasets",
    "picks",
    *(v.replace(" ", "_") for v in VERDICT_COUNTS),
    "regret",
    "regret_ci_low",
    "regret_ci_high",
]


def _ordered(strategies: Sequence[str], order: Sequence[str]) -> list[str]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(strategies, key=lambda s: rank.get(s, len(rank)))


def pick(means: pd.DataFrame, baseline: str, policy: str, gain: int) -> str:
    """Return the strategy `policy` picks from `means` (rows: the data sets it may look at,
    columns: strategies in config order, values: mean AUBC), `gain` +1 where higher is better,
    -1 where lower is; ties go to the first in config order."""
    if policy.startswith(FIXED):
        return policy.removeprefix(FIXED)
    signed = means * gain
    if policy == "by_rank":
        score = -signed.rank(axis=1, ascending=False, method="average").mean(axis=0)
    elif policy == "by_difference":
        score = signed.sub(signed[baseline], axis=0).mean(axis=0)
    else:
        raise ValueError(f"unknown blind-pick policy {policy!r}; known: {', '.join(POLICIES)}")
    return str(score.idxmax())  # idxmax: the first of the best, in column (config) order


def _seeded(cells: pd.DataFrame, strategy: str, column: str) -> pd.Series:
    return cells[cells["strategy"] == strategy].set_index("seed")[column]


def judge(
    cells: pd.DataFrame,
    chosen: str,
    baseline: str,
    best: str,
    column: str,
    gain: int,
    margin: float,
    compared: pd.Series | None = None,
    alpha: float = ALPHA,
) -> dict:
    """Return how the `chosen` strategy fared on one data set's `cells`: its paired AUBC
    difference to the baseline (mean and 95 % BCa CI, as its row `compared` of the comparison
    table has them, Wilcoxon p and the verdict of this one comparison, not Holm-corrected: the
    pick was made before looking) and its regret against `best`, paired over the seeds both
    have."""
    own, base = _seeded(cells, chosen, column), _seeded(cells, baseline, column)
    seeds = own.index.intersection(base.index)
    row: dict = {"pick": chosen, "n_seeds": len(seeds)}
    if chosen == baseline:
        row |= {"diff": 0.0, "diff_ci_low": 0.0, "diff_ci_high": 0.0, "p": 1.0}
        row["verdict"] = BASELINE
    else:
        test = paired_comparison(
            own.loc[seeds].to_numpy(), base.loc[seeds].to_numpy(), False, fast_wilcoxon_p
        )
        decision = decide({(): {chosen: test}}, alpha, gain > 0, margin, False, fast_wilcoxon_p)[
            ()
        ][chosen]
        metric = column.removeprefix("aubc_")
        low, high = (
            (compared[f"{metric}_diff_ci_low"], compared[f"{metric}_diff_ci_high"])
            if compared is not None
            else mean_ci(test.differences)[1:]
        )
        row |= {"diff": test.mean_difference, "diff_ci_low": low, "diff_ci_high": high}
        row |= {"p": test.p_value, "verdict": decision.verdict}
    top = _seeded(cells, best, column)
    shared = top.index.intersection(own.index)
    regret = gain * (top.loc[shared].to_numpy() - own.loc[shared].to_numpy())
    mean, low, high = mean_ci(regret) if len(regret) else (np.nan, np.nan, np.nan)
    return row | {"best": best, "regret": mean, "regret_ci_low": low, "regret_ci_high": high}


def blind_pick_table(
    aubcs: pd.DataFrame,
    comparison: pd.DataFrame,
    baseline: str,
    strategies: Sequence[str],
    metrics: Sequence[str],
    policies: Sequence[str] = tuple(POLICIES),
) -> pd.DataFrame:
    """Return, per model x protocol x metric (each of `metrics` where it has values, the
    verdict's of each task), held-out data set and policy (`policies`, then `always <s>` for
    every strategy), the pick and how it fared there (`judge`). Model x protocol pairs with
    fewer than MIN_DATASETS data sets are left out."""
    rows = []
    for metric in metrics:
        column = f"aubc_{metric}"
        gain = 1 if higher_is_better(metric) else -1
        judged = aubcs[aubcs[column].notna()]
        margins = comparison.groupby(["dataset", "model", "protocol"])[f"{metric}_margin"].first()
        rows_of = comparison.set_index(["dataset", "model", "protocol", "strategy"])
        for (model, protocol), cells in judged.groupby(["model", "protocol"], sort=True):
            means = cells.pivot_table(index="dataset", columns="strategy", values=column)
            if baseline not in means.columns:
                continue
            means = means[_ordered(means.columns, strategies)].dropna(axis=1)
            datasets = list(means.index)
            if len(datasets) < MIN_DATASETS:
                continue
            every = [*policies, *(FIXED + s for s in means.columns)]
            for dataset in datasets:
                held_out = cells[cells["dataset"] == dataset]
                best = str((means.loc[dataset] * gain).idxmax())
                margin = float(margins.get((dataset, model, protocol), np.nan))
                judged_picks: dict[str, dict] = {}  # policies often agree: judge each pick once
                for policy in every:
                    chosen = pick(means.drop(index=dataset), baseline, policy, gain)
                    if chosen not in judged_picks:
                        key = (dataset, model, protocol, chosen)
                        compared = rows_of.loc[key] if key in rows_of.index else None
                        judged_picks[chosen] = judge(
                            held_out, chosen, baseline, best, column, gain, margin, compared
                        )
                    rows.append(
                        {"model": model, "protocol": protocol, "metric": metric}
                        | {"policy": policy, "dataset": dataset}
                        | judged_picks[chosen]
                    )
    columns = ["model", "protocol", "metric", "policy", "dataset", "pick", "n_seeds", "diff"]
    columns += ["diff_ci_low", "diff_ci_high", "p", "verdict", "best", "regret"]
    return pd.DataFrame(rows, columns=[*columns, "regret_ci_low", "regret_ci_high"])


def blind_pick_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return, per model x protocol x metric x policy, how its picks fared over the held-out
    data sets: what it picked how often, how many of each verdict, and the mean regret with a
    95 % BCa CI over the data sets."""
    rows = []
    keys = ["model", "protocol", "metric", "policy"]
    for key, group in table.groupby(keys, sort=False):
        counts = group["verdict"].value_counts()
        picks = group["pick"].value_counts(sort=False)
        picks = picks.sort_values(ascending=False, kind="stable")
        mean, low, high = mean_ci(group["regret"].to_numpy())
        rows.append(
            dict(zip(keys, key, strict=True))
            | {"datasets": len(group), "picks": "; ".join(f"{p}: {n}" for p, n in picks.items())}
            | {v.replace(" ", "_"): int(counts.get(v, 0)) for v in VERDICT_COUNTS}
            | {"regret": mean, "regret_ci_low": low, "regret_ci_high": high}
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def write_blind_pick(
    aubc: str,
    comparison: str,
    table: str,
    summary: str,
    baseline: str,
    strategies: Sequence[str],
    metrics: Sequence[str],
    policies: Sequence[str],
) -> None:
    """Write the blind pick of the overall `aubc` and `comparison` tables to `table` and its
    per-policy `summary` (CSV)."""
    from albench.io.files import write_text

    picks = blind_pick_table(
        pd.read_csv(aubc), pd.read_csv(comparison), baseline, strategies, metrics, policies
    )
    write_text(table, picks.to_csv(index=False))
    write_text(summary, blind_pick_summary(picks).to_csv(index=False))
