"""The prepared data set: validation, and its Parquet form that splits and cells read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from albench.errors import DataError
from albench.io.logs import WARNINGS_KEY
from albench.io.parquet import read_table, write_table
from albench.tasks import CLASSIFICATION, REGRESSION

LABEL = "label"


@dataclass(frozen=True)
class Dataset:
    """A prepared data set: features, labels encoded 0..C-1, and the original class names; or,
    for a regression `task`, its numeric targets (float) and no class names.

    Image data sets keep each image flattened channels-first in a row of `X`, and their
    `image_shape` (channels, height, width).
    """

    X: np.ndarray
    y: np.ndarray
    class_names: list[str]
    image_shape: tuple[int, int, int] | None = None
    task: str = CLASSIFICATION

    @property
    def n_classes(self) -> int:
        """The number of classes (0 for a regression task)."""
        return len(self.class_names)


def validate_dataset(
    name: str,
    X: Any,
    y: Any,
    label_names: list[str] | None = None,
    task: str = CLASSIFICATION,
) -> Dataset:
    """Return `X`, `y` as a Dataset of `task` after checking they can be used; raise DataError
    naming the data set if not."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"data set {name!r} is empty (features of shape {X.shape})")
    if len(y) != len(X):
        raise DataError(f"data set {name!r} has {len(X)} feature rows but {len(y)} labels")
    if not np.issubdtype(X.dtype, np.number):
        raise DataError(f"data set {name!r} has non-numeric features (dtype {X.dtype})")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise DataError(f"data set {name!r} has NaN or infinite feature values")
    if task == REGRESSION:
        return Dataset(X=X, y=regression_target(name, y), class_names=[], task=REGRESSION)
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.mod(y, 1) == 0):
        raise DataError(
            f"data set {name!r} has continuous labels, which are no classes; if they are a "
            f"quantity to predict, set datasets.{name}.task: regression"
        )
    if y.dtype == object:
        y = y.astype(str)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise DataError(f"data set {name!r} has a single class ({classes.tolist()})")
    if label_names is not None and np.issubdtype(classes.dtype, np.integer):
        class_names = [str(label_names[int(c)]) for c in classes]
    else:
        class_names = [str(c) for c in classes]
    return Dataset(X=X, y=codes.astype(np.int64), class_names=class_names)


def regression_target(name: str, y: np.ndarray) -> np.ndarray:
    """Return the targets `y` of regression data set `name` as floats; DataError if they are not
    numbers, are NaN or infinite, or are all equal (nothing to learn)."""
    key = f"datasets.{name}.task"
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        numbers = pd.to_numeric(pd.Series(y), errors="coerce")
        bad = pd.Series(y)[numbers.isna()]
        if y.dtype == bool or len(bad):
            example = bad.unique()[:3].tolist() if len(bad) else y[:3].tolist()
            raise DataError(
                f"{key}: data set {name!r} is a regression task, but its target holds values "
                f"that are not numbers, e.g. {example}"
            )
        y = numbers.to_numpy()
    y = y.astype(np.float64)
    if not np.isfinite(y).all():
        rows = np.flatnonzero(~np.isfinite(y))
        raise DataError(
            f"{key}: data set {name!r} is a regression task, but {len(rows)} target(s) are NaN "
            f"or infinite (rows {rows[:3].tolist()})"
        )
    if np.all(y == y[0]):
        raise DataError(
            f"{key}: data set {name!r} is a regression task, but its target is constant "
            f"({y[0]:g} in every row): nothing to learn"
        )
    return y


PIXELS = "pixels"


def write_dataset(
    dataset: Dataset, path: str | Path, warnings: Sequence[dict[str, Any]] = ()
) -> None:
    """Write `dataset` to Parquet with its class names, and the `warnings` its preparation
    raised (`albench.io.logs.collecting_warnings`), in the metadata.

    Tables get columns x0..x{d-1} and `label`. Images get one column `pixels` of fixed-size
    uint8 lists (one image each; thousands of columns would make Parquet slow) and their shape
    in the metadata, so cells read the decoded, resized images without touching the folder.
    """
    meta = {"class_names": json.dumps(dataset.class_names)}
    if dataset.task != CLASSIFICATION:  # classification files stay as they were
        meta["task"] = dataset.task
    if warnings:
        meta[WARNINGS_KEY] = json.dumps(list(warnings))
    if dataset.image_shape is None:
        columns = {f"x{j}": dataset.X[:, j] for j in range(dataset.X.shape[1])}
    else:
        flat = dataset.X.astype(np.uint8)
        values = pa.array(flat.reshape(-1), type=pa.uint8())
        columns = {PIXELS: pa.FixedSizeListArray.from_arrays(values, flat.shape[1])}
        meta["image_shape"] = json.dumps(list(dataset.image_shape))
    columns[LABEL] = dataset.y
    write_table(pa.table(columns), path, meta)


def read_dataset(path: str | Path) -> Dataset:
    """Return the Dataset written by `write_dataset` at `path`."""
    table, meta = read_table(path)
    class_names = json.loads(meta["class_names"])
    task = meta.get("task", CLASSIFICATION)
    if task == REGRESSION:
        frame = table.drop_columns([LABEL]).to_pandas()
        y = table.column(LABEL).to_numpy().astype(np.float64)
        return Dataset(X=frame.to_numpy(dtype=np.float64), y=y, class_names=[], task=task)
    y = table.column(LABEL).to_numpy().astype(np.int64)
    if "image_shape" in meta:
        shape = tuple(json.loads(meta["image_shape"]))
        flat = table.column(PIXELS).combine_chunks().flatten().to_numpy()
        X = flat.reshape(len(y), -1).astype(np.float64)
        return Dataset(X=X, y=y, class_names=class_names, image_shape=shape)
    frame: pd.DataFrame = table.drop_columns([LABEL]).to_pandas()
    return Dataset(X=frame.to_numpy(dtype=np.float64), y=y, class_names=class_names)
