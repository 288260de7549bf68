"""Aggregation of all cells' curves into the benchmark's summary tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from albench.curves import ID_COLUMNS, metric_columns, read_curves
from albench.parquet import write_table
from albench.stats import aubc, mean_ci

GROUP = ["dataset", "model", "strategy"]


def aubc_table(curves: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Return one row per cell with the AUBC of each metric."""
    records = []
    for key, cell in curves.groupby(list(ID_COLUMNS), sort=True):
        record = dict(zip(ID_COLUMNS, key, strict=True))
        for metric in metrics:
            record[f"aubc_{metric}"] = aubc(cell["n_labeled"].to_numpy(), cell[metric].to_numpy())
        record["final_n_labeled"] = int(cell["n_labeled"].max())
        # Iterations scored with scikit-activeml's label-frequency fallback, not a fitted model.
        record["fallback_iterations"] = int(cell["fallback_model"].sum())
        records.append(record)
    return pd.DataFrame.from_records(records)


def aubc_summary(aubcs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Return, per data set x model x strategy, the mean AUBC of each metric with its 95 % CI."""
    records = []
    for key, group in aubcs.groupby(GROUP, sort=True):
        record = dict(zip(GROUP, key, strict=True))
        record["n_seeds"] = len(group)
        record["fallback_iterations"] = int(group["fallback_iterations"].sum())
        for metric in metrics:
            mean, low, high = mean_ci(group[f"aubc_{metric}"].to_numpy())
            record[f"aubc_{metric}_mean"] = mean
            record[f"aubc_{metric}_ci_low"] = low
            record[f"aubc_{metric}_ci_high"] = high
        records.append(record)
    return pd.DataFrame.from_records(records)


def aggregate(
    curve_paths: Sequence[str | Path],
    curves_out: str | Path,
    aubc_out: str | Path,
    summary_out: str | Path,
) -> pd.DataFrame:
    """Write all curves as one Parquet file, per-cell AUBCs and their per-strategy summary.

    Returns the per-cell AUBC table.
    """
    curves = read_curves(curve_paths)
    curves = curves.sort_values([*ID_COLUMNS, "iteration"], kind="stable", ignore_index=True)
    metrics = metric_columns(curves.columns)
    write_table(pa.Table.from_pandas(curves, preserve_index=False), curves_out)
    aubcs = aubc_table(curves, metrics)
    _write_csv(aubcs, aubc_out)
    _write_csv(aubc_summary(aubcs, metrics), summary_out)
    return aubcs


def _write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)
