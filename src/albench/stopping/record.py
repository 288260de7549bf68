"""What a cell records for stopping criteria, per iteration: never a test label.

A stopping criterion decides, in a real labelling project, from what the learner sees alone.
Each cell records what the published criteria read, once per iteration, so that every
criterion can be replayed on every cell afterwards (`albench.stopping.criteria`) without
running a cell again:

- the model's predictions on a fixed **stop set**: up to `stop_set_size` rows of the pool,
  drawn once per data set x protocol x seed (`stop_set`), the same rows for every strategy
  and model of that seed, so that criteria compare paired;
- its uncertainty over the unlabelled pool (classification): mean, min, max and variance of
  the normalized entropy, the margin uncertainty 1 - (p1 - p2) and the least confidence
  1 - max p (whose mean is the expected error), and the estimated F1 of Laws & Schütze from
  the probabilities alone;
- for the batch revealed just before this iteration's fit, what the previous model made of
  it: its accuracy on the labels the oracle revealed (selected accuracy) and the mean and
  variance of its normalized entropy there.

Regression cells record their stop-set predictions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from albench.io.parquet import read_table, write_table
from albench.seeding import derive_seed

DEFAULT_STOP_SET_SIZE = 1000
# Bumped whenever a record gains or changes a column: a param of every cell, so a bump reruns
# each cell once (its curve comes out the same) and nothing else.
RECORD_VERSION = 2
UNCERTAINTIES = ("entropy", "margin", "least_confident")
STATISTICS = ("mean", "min", "max", "var")
POOL_COLUMNS = [f"{u}_{s}" for u in UNCERTAINTIES for s in STATISTICS] + ["estimated_f1"]
SELECTED_COLUMNS = [
    "selected_accuracy",
    "selected_entropy_mean",
    "selected_entropy_var",
    "selected_contradiction",
]
PREDICTIONS = "stop_predictions"


def stop_set(
    pool_positions: np.ndarray, size: int, seed: int, dataset: str, protocol: str
) -> np.ndarray:
    """Return the sorted positions of the stop set: `size` (at most all) of `pool_positions`,
    drawn by data set, protocol and seed only, so every strategy and model of a seed gets the
    same rows."""
    rng = np.random.default_rng(derive_seed("stop", seed, dataset, protocol))
    size = min(int(size), len(pool_positions))
    return np.sort(rng.choice(np.asarray(pool_positions), size=size, replace=False))


def uncertainties(proba: np.ndarray) -> dict[str, np.ndarray]:
    """Return each row's normalized entropy, margin uncertainty and least confidence."""
    proba = np.clip(np.asarray(proba, dtype=np.float64), 0.0, 1.0)
    n_classes = proba.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(proba > 0, np.log(proba), 0.0)
    entropy = -(proba * logs).sum(axis=1) / np.log(max(n_classes, 2))
    top = np.sort(proba, axis=1)[:, ::-1]
    second = top[:, 1] if n_classes > 1 else np.zeros(len(top))
    return {
        "entropy": entropy,
        "margin": 1.0 - (top[:, 0] - second),
        "least_confident": 1.0 - top[:, 0],
    }


def pool_summary(proba: np.ndarray) -> dict[str, float]:
    """Return the pool statistics of the probabilities `proba` of its unlabelled rows (NaN for
    an empty pool)."""
    if len(proba) == 0:
        return dict.fromkeys(POOL_COLUMNS, float("nan"))
    row = {}
    for name, values in uncertainties(proba).items():
        row.update(
            {
                f"{name}_mean": values.mean(),
                f"{name}_min": values.min(),
                f"{name}_max": values.max(),
                f"{name}_var": values.var(),
            }
        )
    row["estimated_f1"] = estimated_f1(proba)
    return {key: float(value) for key, value in row.items()}


def estimated_f1(proba: np.ndarray) -> float:
    """Laws & Schütze's (2008) F1 estimated from probabilities alone: each row's winning
    probability counts as a true positive, its complement as a false positive, the other
    classes' probabilities as false negatives."""
    proba = np.asarray(proba, dtype=np.float64)
    winner = proba == proba.max(axis=1, keepdims=True)
    tp = float(np.sum(proba * winner))
    fp = float(np.sum((1 - proba) * winner))
    fn = float(np.sum(proba * ~winner))
    return 2 * tp / (2 * tp + fp + fn)


def selected_summary(proba: np.ndarray | None, predicted: Any, revealed: Any) -> dict[str, float]:
    """Return what a model made of the batch it queried: its accuracy on the `revealed` labels
    (its `predicted` classes against them), its normalized entropy there (`proba`), and the
    contradictory information of Pullar-Strecker et al.'s code: the least confidence of the rows
    it got wrong, summed, over the batch's mean least confidence."""
    row = dict.fromkeys(SELECTED_COLUMNS, float("nan"))
    if predicted is None or len(predicted) == 0:
        return row
    row["selected_accuracy"] = float(np.mean(np.asarray(predicted) == np.asarray(revealed)))
    if proba is not None:
        measures = uncertainties(proba)
        entropy, doubt = measures["entropy"], measures["least_confident"]
        row["selected_entropy_mean"] = float(entropy.mean())
        row["selected_entropy_var"] = float(entropy.var())
        wrong = np.asarray(predicted) != np.asarray(revealed)
        mean = float(doubt.mean())
        row["selected_contradiction"] = float(doubt[wrong].sum() / mean) if mean > 0 else 0.0
    return row


def write_record(rows: Sequence[dict[str, Any]], path: str | Path, meta: dict[str, str]) -> None:
    """Write a cell's stopping record to `path`: one row per iteration, its stop-set
    predictions a fixed-size list (int16 classes, or float32 regression targets)."""
    iterations = pa.array([r["iteration"] for r in rows], pa.int32())
    labelled = pa.array([r["n_labeled"] for r in rows], pa.int32())
    predictions = [np.asarray(r[PREDICTIONS]) for r in rows]
    width = len(predictions[0]) if predictions else 0
    floats = bool(predictions) and predictions[0].dtype.kind == "f"
    kind = pa.float32() if floats else pa.int16()
    flat = np.concatenate(predictions) if predictions else np.empty(0)
    values = pa.array(flat.astype(np.float32 if floats else np.int16), kind)
    columns = {
        "iteration": iterations,
        "n_labeled": labelled,
        PREDICTIONS: pa.FixedSizeListArray.from_arrays(values, width),
    }
    for name in [*POOL_COLUMNS, *SELECTED_COLUMNS]:
        columns[name] = pa.array([r.get(name, np.nan) for r in rows], pa.float32())
    write_table(pa.table(columns), path, meta)


def read_record(path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Return a cell's stopping record: its per-iteration statistics, and its stop-set
    predictions as an (iterations x stop set) array."""
    table, _ = read_table(path)
    missing = [c for c in [*POOL_COLUMNS, *SELECTED_COLUMNS] if c not in table.column_names]
    if missing:
        raise ValueError(
            f"{path} was recorded by an older albench (no {', '.join(missing)}): rerun its cells "
            "(snakemake --forcerun al_cell, or delete the file)"
        )
    width = table.schema.field(PREDICTIONS).type.list_size
    flat = table.column(PREDICTIONS).combine_chunks().flatten().to_numpy()
    predictions = flat.reshape(table.num_rows, width) if width else np.empty((table.num_rows, 0))
    frame = table.drop_columns([PREDICTIONS]).to_pandas()
    return frame, predictions
