"""Tables (CSV, TSV, Parquet) as data sets: reading, checking columns, encoding features and
labels. Shared by the `file` and `openml` sources."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from albench.data.sources.base import Shape
from albench.data.sources.columns import unusable_columns, unusable_message
from albench.errors import DataError
from albench.io.logs import NOTICE
from albench.tasks import CLASSIFICATION, REGRESSION

log = logging.getLogger("albench")


def existing_path(name: str, spec: dict[str, Any], folder: bool = False) -> Path:
    """Return data set `name`'s `path`; DataError naming the key if no such file (folder)."""
    path = Path(spec["path"])
    if not (path.is_dir() if folder else path.is_file()):
        raise DataError(
            f"datasets.{name}.path: {'folder' if folder else 'file'} {str(path)!r} does not "
            "exist (paths are relative to the working directory)"
        )
    return path


def table_columns(path: str | Path) -> list[str]:
    """Return the column names of a CSV/TSV or Parquet file, from its header or schema only."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pq.ParquetFile(path).schema_arrow.names
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    return pd.read_csv(path, sep=sep, nrows=0).columns.tolist()


def read_table_file(
    name: str, spec: dict[str, Any], columns: list[str] | None = None
) -> pd.DataFrame:
    """Return the table of file data set `name` (only `columns` if given); DataError naming
    the key and the file if it is missing, unreadable, lacks a configured column or has no
    rows."""
    path = existing_path(name, spec)
    key = f"datasets.{name}.path"
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".csv", ".tsv", ".txt"}:
        raise DataError(f"{key}: {str(path)!r} is neither CSV (.csv, .tsv) nor Parquet (.parquet)")
    try:
        _check_columns(name, path, table_columns(path), spec)
        if suffix == ".parquet":
            frame = pd.read_parquet(path, columns=columns)
        else:
            frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", usecols=columns)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error means the same to the user
        raise DataError(f"{key}: cannot read {str(path)!r}: {exc}") from exc
    if frame.empty:
        raise DataError(f"{key}: {str(path)!r} has no data rows (only a header)")
    return frame


def _check_columns(name: str, path: Path, available: list[str], spec: dict[str, Any]) -> None:
    for key, wanted in (
        ("label", [spec.get("label")]),
        ("features", spec.get("features")),
        ("keep_columns", spec.get("keep_columns")),
    ):
        missing = [c for c in wanted or [] if c is not None and c not in available]
        if missing:
            raise DataError(
                f"datasets.{name}.{key}: column(s) {missing} not in {str(path)!r}; "
                f"it has {available}"
            )


def check_feature_columns(name: str, frame: pd.DataFrame, label: str, spec: dict[str, Any]) -> None:
    """Raise DataError naming every feature column of `frame` that looks like an identifier, a
    date or time, free text or a category of too many levels (`columns.unusable_columns`), with
    the `features:` line that leaves them out; but not the columns `keep_columns` lists."""
    features = spec.get("features") or [c for c in frame.columns if c != label]
    kept = set(spec.get("keep_columns") or [])
    found = unusable_columns(frame, [c for c in features if c not in kept])
    if found:
        raise DataError(unusable_message(name, found, features, label))


def table_features(
    name: str, frame: pd.DataFrame, label: str, spec: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, None]:
    """Return (X, y, None) from a table: label rows kept, features encoded; the label values
    name the classes (see `label_values`), or are the targets of a regression task (`task:
    regression` in `spec`).

    Rows without a label are dropped (refused for a regression task: a missing target is more likely
    a data error than an unlabelled row) and missing feature values imputed (median for numeric,
    most frequent for categorical columns), each with a warning that counts them. Categorical
    columns are one-hot encoded. A column that is mostly numbers but holds some text is refused: it
    is almost always a data error, not a category.
    """
    key = f"datasets.{name}"
    if label not in frame.columns:
        raise DataError(
            f"{key}.label: column {label!r} not in the data; it has {frame.columns.tolist()}"
        )
    _check_columns(name, Path(spec.get("path", "the data")), frame.columns.tolist(), spec)
    features = spec.get("features") or [c for c in frame.columns if c != label]
    missing_label = frame[label].isna()
    regression = spec.get("task", CLASSIFICATION) == REGRESSION
    if regression and missing_label.any():
        rows = frame.index[missing_label]
        raise DataError(
            f"{key}.label: data set {name!r} is a regression task, but {len(rows)} target(s) "
            f"in column {label!r} are missing (rows {rows[:3].tolist()})"
        )
    if missing_label.any():
        log.warning("data set %r: dropped %d row(s) without a label", name, missing_label.sum())
        frame = frame.loc[~missing_label]
    if frame.empty:
        raise DataError(f"data set {name!r} has no row with a label in column {label!r}")
    columns = []
    categories: dict[str, int] = {}
    for column in features:
        values = frame[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            numeric = pd.to_numeric(values, errors="coerce")
            bad = values[numeric.isna() & values.notna()]
            if numeric.notna().sum() > len(bad):
                raise DataError(
                    f"{key}: column {column!r} is numeric but holds non-numeric values, e.g. "
                    f"{bad.unique()[:3].tolist()} (rows {bad.index[:3].tolist()})"
                )
        n_missing = int(values.isna().sum())
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if n_missing:
                values = values.fillna(values.median())
            columns.append(values.astype(np.float64).rename(column))
        else:
            if n_missing:
                values = values.fillna(values.mode(dropna=True).iloc[0])
            encoded = pd.get_dummies(
                values.astype(str), prefix=column, prefix_sep="=", dtype=np.float64
            )
            columns.append(encoded)
            categories[column] = encoded.shape[1]
        if n_missing:
            log.warning(
                "data set %r: imputed %d missing value(s) in column %r", name, n_missing, column
            )
    if not columns:
        raise DataError(f"{key}.features: no feature column left")
    X = pd.concat(columns, axis=1)
    if categories:
        log.info(
            "data set %r: %d column(s) became %d features; one-hot encoded: %s",
            name,
            len(features),
            X.shape[1],
            ", ".join(f"{c!r} as {n}" for c, n in categories.items()),
            extra={NOTICE: True},
        )
    y = frame[label].to_numpy() if regression else label_values(frame[label])
    return X.to_numpy(dtype=np.float64), y, None


def label_values(labels: pd.Series) -> np.ndarray:
    """Return a label column as an array whose values name the classes.

    Booleans stay booleans, integers and integral floats become integers (1.0 -> class "1"),
    anything else becomes text; continuous numbers are refused by `validate_dataset`.
    """
    if pd.api.types.is_bool_dtype(labels):
        return labels.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(labels):
        values = labels.to_numpy(dtype=np.float64)
        if np.all(np.mod(values, 1) == 0):
            return values.astype(np.int64)
        return values
    kinds = {type(v) for v in labels}
    if kinds == {bool} or kinds <= {int, np.int64}:  # an object column of Python values
        return labels.to_numpy(dtype=bool if kinds == {bool} else np.int64)
    return labels.astype(str).to_numpy(dtype=str)


def table_shape(spec: dict[str, Any], path: str | Path, labels: pd.Series, label: str) -> Shape:
    """Return the shape of a table with label column `labels`: its feature columns before
    one-hot encoding (the probe needs the order of magnitude, not the encoded width), from the
    header only, so that a large file is not read whole at every start."""
    features = spec.get("features") or [c for c in table_columns(path) if c != label]
    if spec.get("task", CLASSIFICATION) == REGRESSION:
        return Shape(len(features), 0)
    return Shape(len(features), max(2, int(labels.nunique())))


# A numeric label column with more distinct values than this (and than a tenth of its rows)
# looks like a quantity to predict rather than classes.
MANY_VALUES = 20


def task_hint(name: str, spec: dict[str, Any], labels: pd.Series) -> str | None:
    """Return a warning when data set `name` has no `task` and its `labels` look like a numeric
    target (many distinct numbers), else None."""
    if "task" in spec or pd.api.types.is_bool_dtype(labels):
        return None
    if not pd.api.types.is_numeric_dtype(labels):
        return None
    distinct = int(labels.nunique())
    if distinct <= max(MANY_VALUES, len(labels) // 10):
        return None
    return (
        f"datasets.{name}.task: not set, so its label column {spec.get('label', OPENML)!r} is "
        f"read as {distinct} classes; if it is a quantity to predict, set "
        f"datasets.{name}.task: regression (or task: classification to silence this)"
    )


OPENML = "the OpenML target"
