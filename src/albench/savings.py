"""Label savings: how many labels each strategy needs to come close to the full-pool score, and
how many fewer than the baseline needs."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from albench.reference import FIT_ERROR

THRESHOLDS = (0.95, 0.99)


def labels_to_reach(curve: pd.DataFrame, metric: str, target: float) -> float:
    """Return the first n_labeled at which `curve`'s `metric` reaches `target` (NaN if never)."""
    reached = curve.loc[curve[metric] >= target, "n_labeled"]
    return float(reached.min()) if len(reached) else float("nan")


def label_savings(
    curves: pd.DataFrame,
    references: pd.DataFrame,
    baseline: str,
    metric: str = "accuracy",
    thresholds: Sequence[float] = THRESHOLDS,
) -> pd.DataFrame:
    """Return, per data set x model x strategy, the labels needed to reach a share of the
    full-pool score, and how many fewer than the baseline needs.

    Per cell, the labels needed are the first n_labeled whose `metric` reaches
    `threshold x` the full-pool score of the same seed. The table gives their median over the
    seeds that reached it, the share of seeds that did, and the baseline's median minus the
    strategy's (positive: the strategy saves labels). `full_pool_failed_seeds` counts the
    seeds whose full-pool model could not be fitted; where it is not 0, the targets are unknown
    and every label count, share and saving of that data set x model is NaN.
    """
    references = references.assign(
        failed=references[FIT_ERROR].fillna("").astype(str) != ""
        if FIT_ERROR in references
        else False
    )
    merged = curves.merge(
        references[["dataset", "model", "seed", metric, "failed"]].rename(
            columns={metric: "full_pool"}
        ),
        on=["dataset", "model", "seed"],
        how="inner",
    )
    records = []
    for key, cell in merged.groupby(["dataset", "model", "strategy", "seed"], sort=True):
        record = dict(zip(["dataset", "model", "strategy", "seed"], key, strict=True))
        record["full_pool"] = float(cell["full_pool"].iloc[0])
        record["failed"] = bool(cell["failed"].iloc[0])
        for threshold in thresholds:
            target = threshold * record["full_pool"]
            record[f"labels_{threshold:g}"] = labels_to_reach(cell, metric, target)
        records.append(record)
    per_cell = pd.DataFrame.from_records(records)
    rows = []
    for (dataset, model, strategy), group in per_cell.groupby(
        ["dataset", "model", "strategy"], sort=True
    ):
        row = {
            "dataset": dataset,
            "model": model,
            "strategy": strategy,
            "metric": metric,
            "full_pool_mean": float(group["full_pool"].mean()),
            "full_pool_failed_seeds": int(group["failed"].sum()),
        }
        void = row["full_pool_failed_seeds"] > 0
        for threshold in thresholds:
            labels = group[f"labels_{threshold:g}"]
            row[f"labels_{threshold:g}_median"] = float("nan") if void else float(labels.median())
            share = float("nan") if void else float(labels.notna().mean())
            row[f"reached_{threshold:g}_share"] = share
        rows.append(row)
    table = pd.DataFrame.from_records(rows)
    for threshold in thresholds:
        column = f"labels_{threshold:g}_median"
        base = table[table["strategy"] == baseline].set_index(["dataset", "model"])[column]
        keys = pd.MultiIndex.from_frame(table[["dataset", "model"]])
        table[f"saved_{threshold:g}_vs_baseline"] = base.reindex(keys).to_numpy() - table[column]
    return table
