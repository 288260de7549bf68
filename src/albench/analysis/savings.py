"""Label savings: how many labels each strategy needs to come close to the full-pool score, and
how many fewer than the baseline needs."""

from __future__ import annotations

from collections.abc import Sequence
from math import nan

import pandas as pd

from albench.analysis.compare import on_shared_seeds
from albench.analysis.stats import mean_ci
from albench.analysis.tables import COMPARED
from albench.directions import higher_is_better
from albench.io.curves import FIT_ERROR

THRESHOLDS = (0.95, 0.99)
REFERENCE_KEY = [*COMPARED, "seed"]  # a full-pool reference: one per protocol and seed


def target_score(full_pool: float, threshold: float, metric: str) -> float:
    """Return the score that comes close to the full-pool score at `threshold`: `threshold x`
    it where higher is better, and `1 / threshold x` it where lower is better (an error within
    about 5 % of the full-pool model's at 0.95)."""
    return threshold * full_pool if higher_is_better(metric) else full_pool / threshold


def labels_to_reach(curve: pd.DataFrame, metric: str, target: float) -> float:
    """Return the first n_labeled at which `curve`'s `metric` reaches `target` (at or above it,
    or at or below it where lower is better; NaN if never)."""
    values = curve[metric]
    close = values >= target if higher_is_better(metric) else values <= target
    reached = curve.loc[close, "n_labeled"]
    return float(reached.min()) if len(reached) else float("nan")


def label_savings(
    curves: pd.DataFrame,
    references: pd.DataFrame,
    baseline: str,
    metric: str = "accuracy",
    thresholds: Sequence[float] = THRESHOLDS,
) -> pd.DataFrame:
    """Return, per data set x model x protocol x strategy, the labels needed to reach a share of the
    full-pool score, and how many fewer than the baseline needs, paired by seed.

    Per cell, the labels needed are the first n_labeled whose `metric` reaches
    `threshold x` the full-pool score of the same seed (where lower is better: comes down to
    `1 / threshold x` it, `target_score`). The table gives their median over the
    seeds that reached it and the share of seeds that did. The saving is paired: per seed, the
    baseline's labels minus the strategy's (positive: the strategy saves labels), where a cell
    that never reached the target counts with its whole budget (its last labelled-set size, a
    lower bound of what it needs, so such seeds pull the saving towards zero); the table gives
    the mean saving over the seeds both have, its 95 % BCa bootstrap CI, and how many of those
    seeds had such a censored cell (`saved_*_censored_seeds`). `full_pool_failed_seeds` counts
    the seeds whose full-pool model could not be fitted; where it is not 0, the targets are
    unknown and every label count, share and saving of that data set x model is NaN.
    """
    references = references.assign(
        failed=references[FIT_ERROR].fillna("").astype(str) != ""
        if FIT_ERROR in references
        else False
    )
    merged = curves.merge(
        references[[*REFERENCE_KEY, metric, "failed"]].rename(columns={metric: "full_pool"}),
        on=REFERENCE_KEY,
        how="inner",
    )
    records = []
    for key, cell in merged.groupby([*COMPARED, "strategy", "seed"], sort=True):
        record = dict(zip([*COMPARED, "strategy", "seed"], key, strict=True))
        record["full_pool"] = float(cell["full_pool"].iloc[0])
        record["failed"] = bool(cell["failed"].iloc[0])
        record["budget"] = float(cell["n_labeled"].max())
        for threshold in thresholds:
            target = target_score(record["full_pool"], threshold, metric)
            record[f"labels_{threshold:g}"] = labels_to_reach(cell, metric, target)
        records.append(record)
    per_cell = pd.DataFrame.from_records(records)
    rows = []
    for key, cells in per_cell.groupby(COMPARED, sort=True):
        base = cells[cells["strategy"] == baseline].set_index("seed")
        void = bool(cells["failed"].any())
        for strategy, group in cells.groupby("strategy", sort=True):
            row = {
                **dict(zip(COMPARED, key, strict=True)),
                "strategy": strategy,
                "metric": metric,
                "full_pool_mean": float(group["full_pool"].mean()),
                "full_pool_failed_seeds": int(group["failed"].sum()),
            }
            group = group.set_index("seed")
            paired, paired_base = on_shared_seeds(group, base)
            for threshold in thresholds:
                labels = group[f"labels_{threshold:g}"]
                row[f"labels_{threshold:g}_median"] = nan if void else float(labels.median())
                row[f"reached_{threshold:g}_share"] = nan if void else float(labels.notna().mean())
                row.update(_paired_saving(paired, paired_base, threshold, void))
            rows.append(row)
    return pd.DataFrame.from_records(rows)


def _paired_saving(
    cells: pd.DataFrame, base: pd.DataFrame, threshold: float, void: bool
) -> dict[str, float]:
    """The mean per-seed saving against the baseline at `threshold`, its CI and censored seeds."""
    name = f"saved_{threshold:g}"
    column = f"labels_{threshold:g}"
    if void or cells.empty:
        return {
            f"{name}_vs_baseline": nan,
            f"{name}_ci_low": nan,
            f"{name}_ci_high": nan,
            f"{name}_censored_seeds": nan,
        }
    needed = cells[column].fillna(cells["budget"])
    needed_by_baseline = base[column].fillna(base["budget"])
    mean, low, high = mean_ci((needed_by_baseline - needed).to_numpy())
    censored = cells[column].isna() | base[column].isna()
    return {
        f"{name}_vs_baseline": mean,
        f"{name}_ci_low": low,
        f"{name}_ci_high": high,
        f"{name}_censored_seeds": int(censored.sum()),
    }
