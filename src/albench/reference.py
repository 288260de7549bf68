"""The full-pool reference: the model trained on every learnable row.

Computed once per data set x model x seed, it answers "how close to labelling everything does a
strategy get, and with how many labels?"
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from albench.datasets import Dataset, read_dataset
from albench.loop import cell_model, learnable_rows_and_scaler, validation_kwargs
from albench.metrics import score
from albench.models import fit_or_fallback
from albench.parquet import write_table
from albench.splits import read_split, split_indices

THRESHOLDS = (0.95, 0.99)
FIT_ERROR = "fit_error"

log = logging.getLogger("albench")


def full_pool_scores(
    dataset: Dataset,
    roles: dict[str, np.ndarray],
    model: str,
    model_spec: dict[str, Any],
    metrics: Sequence[str],
    seed: int,
    dataset_name: str,
    threads: int = 1,
) -> dict[str, float]:
    """Return the test scores of `model` fitted on all initial and pool rows (every label known).

    Scaled and seeded exactly as the AL cells of the same data set, model and seed are. Key
    `fit_error` holds why the model could not be fitted ("" when it was); then every score is
    NaN, which voids the label savings that depend on this reference.
    """
    train_rows, scaler = learnable_rows_and_scaler(dataset, roles)
    estimator, clf = cell_model(dataset, dataset_name, model, model_spec, seed, threads)
    error = fit_or_fallback(
        clf,
        scaler.transform(dataset.X[train_rows]),
        dataset.y[train_rows].astype(float),
        **validation_kwargs(estimator, dataset, roles, scaler),
    )
    if error is not None:
        log.warning(
            "the full-pool model %r could not be fitted (%s): label savings of data set %r "
            "are void",
            model,
            error,
            dataset_name,
        )
        return {**dict.fromkeys(metrics, float("nan")), FIT_ERROR: error}
    predictions = clf.predict(scaler.transform(dataset.X[roles["test"]]))
    return {
        **score(list(metrics), dataset.y[roles["test"]], predictions, dataset.n_classes),
        FIT_ERROR: "",
    }


def full_pool(
    data: str | Path,
    split: str | Path,
    output: str | Path,
    spec_json: str,
    seed: int,
    threads: int = 1,
) -> pd.DataFrame:
    """Write the full-pool reference scores of one data set x model x seed to `output`."""
    spec = json.loads(spec_json)
    with threadpool_limits(limits=threads):
        scores = full_pool_scores(
            read_dataset(data),
            split_indices(read_split(split)),
            spec["model"],
            spec["model_spec"],
            spec["metrics"],
            seed,
            spec["dataset"],
            threads,
        )
    frame = pd.DataFrame(
        [{"dataset": spec["dataset"], "model": spec["model"], "seed": seed, **scores}]
    )
    write_table(pa.Table.from_pandas(frame, preserve_index=False), output)
    return frame


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
