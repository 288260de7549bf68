"""The Parquet schemas of learning curves and selections, and their reading and writing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads

from albench.io.logs import WARNINGS_KEY
from albench.io.parquet import write_table
from albench.specs import CellSpec, canonical
from albench.usercode import spec_code

ID_COLUMNS = ("dataset", "model", "protocol", "strategy", "seed")
TIMING_COLUMNS = ("fit_seconds", "query_seconds", "score_seconds")
# The column of a full-pool score file that says why its model could not be fitted ("" if it was).
FIT_ERROR = "fit_error"
NON_METRIC_COLUMNS = frozenset(
    {*ID_COLUMNS, "iteration", "n_labeled", *TIMING_COLUMNS, "fallback_model"}
)


def curve_schema(metrics: Sequence[str]) -> pa.Schema:
    """Return the Arrow schema of a learning curve recording `metrics`."""
    return pa.schema(
        [
            ("dataset", pa.string()),
            ("model", pa.string()),
            ("protocol", pa.string()),
            ("strategy", pa.string()),
            ("seed", pa.int64()),
            ("iteration", pa.int64()),
            ("n_labeled", pa.int64()),
            *((m, pa.float64()) for m in metrics),
            *((t, pa.float64()) for t in TIMING_COLUMNS),
            ("fallback_model", pa.bool_()),
        ]
    )


# `label` is what the oracle revealed; `true_label` the data set's (they differ under label
# noise). `index` is the row of the data set.
SELECTION_SCHEMA = pa.schema(
    [
        ("iteration", pa.int64()),
        ("index", pa.int64()),
        ("label", pa.int64()),
        ("true_label", pa.int64()),
    ]
)


# A regression cell's labels are the revealed and the true targets.
REGRESSION_SELECTION_SCHEMA = pa.schema(
    [
        ("iteration", pa.int64()),
        ("index", pa.int64()),
        ("label", pa.float64()),
        ("true_label", pa.float64()),
    ]
)


def provenance(cell: CellSpec) -> dict[str, str]:
    """Return the metadata every cell output carries: its config, a hash of it, versions, and
    the code its model and strategy name (`albench.usercode.code_record`)."""
    import skactiveml
    import sklearn

    import albench

    config = cell.config_json()
    code = spec_code(
        {f"models.{cell.model}": cell.model_spec, f"strategies.{cell.strategy}": cell.strategy_spec}
    )
    return {
        "cell": config,
        "seed": str(cell.seed),
        "cell_hash": hashlib.sha256(f"{config}|{cell.seed}".encode()).hexdigest(),
        "albench_version": albench.__version__,
        "loop_version": str(albench.LOOP_VERSION),
        "skactiveml_version": skactiveml.__version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        # What ran: each import path, with a hash of the source of a project's own code.
        "code": canonical(code),
    }


def metric_columns(columns: Iterable[str]) -> list[str]:
    """Return the metric columns among a curve's `columns`, in order."""
    return [name for name in columns if name not in NON_METRIC_COLUMNS]


def write_curve(
    curve: pd.DataFrame,
    path: str | Path,
    cell: CellSpec,
    warnings: Sequence[dict[str, Any]] = (),
) -> None:
    """Write a learning curve frame to `path` with the curve schema and provenance metadata, and
    the `warnings` its cell raised (`albench.io.logs.collecting_warnings`)."""
    schema = curve_schema(metric_columns(curve.columns))
    table = pa.Table.from_pandas(curve[schema.names], schema=schema, preserve_index=False)
    meta = provenance(cell)
    if warnings:
        meta[WARNINGS_KEY] = json.dumps(list(warnings))
    write_table(table, path, meta)


def write_selection(selection: pd.DataFrame, path: str | Path, cell: CellSpec) -> None:
    """Write the queried samples of a cell to `path` with provenance metadata (numeric labels:
    the targets of a regression cell)."""
    floats = pd.api.types.is_float_dtype(selection["label"])
    schema = REGRESSION_SELECTION_SCHEMA if floats else SELECTION_SCHEMA
    table = pa.Table.from_pandas(selection, schema=schema, preserve_index=False)
    write_table(table, path, provenance(cell))


def write_embeddings(
    embeddings: pd.DataFrame,
    path: str | Path,
    cell: CellSpec,
    class_names: Sequence[str],
) -> None:
    """Write a cell's recorded embeddings (see `albench.learn.loop.embedding_rows`) to `path`, with
    provenance and the data set's class names in the metadata."""
    table = pa.Table.from_pandas(embeddings, preserve_index=False)
    meta = {**provenance(cell), "class_names": json.dumps(list(class_names))}
    write_table(table.replace_schema_metadata(None), path, meta)


def read_curves(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Return all curves at `paths` as one frame, read as one Arrow dataset (not file by file)."""
    dataset = pads.dataset([str(p) for p in paths], format="parquet")
    return dataset.to_table().to_pandas()
