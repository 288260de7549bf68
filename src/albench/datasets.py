"""Loading, validation and the prepared Parquet form of the benchmark's data sets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from albench.errors import DataError
from albench.parquet import read_table, write_table

# Sizes of the data sets bundled with scikit-learn, so configs can be checked against them
# without importing scikit-learn at workflow start-up (tests check them against the loaders).
SKLEARN_SIZES: dict[str, int] = {"iris": 150, "wine": 178, "breast_cancer": 569, "digits": 1797}

LABEL = "label"


@dataclass(frozen=True)
class Dataset:
    """A prepared data set: features, labels encoded 0..C-1, and the original class names."""

    X: np.ndarray
    y: np.ndarray
    class_names: list[str]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def known_size(spec: dict[str, Any]) -> int | None:
    """Return the number of samples `spec` yields, when it is known without loading it."""
    if spec["source"] == "sklearn":
        return SKLEARN_SIZES.get(spec["name"])
    if spec["source"] == "synthetic":
        n = spec.get("params", {}).get("n_samples", 100)
        # Generators such as make_moons accept an (n_class0, n_class1) tuple.
        return int(sum(n)) if isinstance(n, list | tuple) else int(n)
    return None


def load_dataset(name: str, spec: dict[str, Any]) -> Dataset:
    """Return data set `name` loaded from its config `spec`, validated and label-encoded."""
    source = spec["source"]
    if source == "sklearn":
        X, y, label_names = _load_sklearn(name, spec)
    elif source == "synthetic":
        X, y, label_names = _load_synthetic(name, spec)
    else:
        raise DataError(f"datasets.{name}.source: unknown source {source!r}")
    return validate_dataset(name, X, y, label_names)


def _load_sklearn(name: str, spec: dict[str, Any]):
    import sklearn.datasets

    loader_name = spec["name"]
    if loader_name not in SKLEARN_SIZES:
        raise DataError(
            f"datasets.{name}.name: {loader_name!r} is not a bundled scikit-learn data set; "
            f"choose one of {sorted(SKLEARN_SIZES)}"
        )
    bunch = getattr(sklearn.datasets, f"load_{loader_name}")()
    names = [str(n) for n in bunch.target_names]
    return bunch.data, bunch.target, names


def _load_synthetic(name: str, spec: dict[str, Any]):
    import sklearn.datasets

    generator = spec["generator"]
    make = getattr(sklearn.datasets, generator, None)
    if not generator.startswith("make_") or make is None:
        raise DataError(
            f"datasets.{name}.generator: {generator!r} is not a sklearn.datasets.make_* generator"
        )
    params = dict(spec.get("params", {}))
    params.setdefault("random_state", spec.get("seed", 0))
    if isinstance(params.get("n_samples"), list):
        # YAML has no tuples; generators take per-class counts as a tuple.
        params["n_samples"] = tuple(params["n_samples"])
    try:
        out = make(**params)
    except TypeError as exc:
        raise DataError(f"datasets.{name}.params: {generator} rejected the params: {exc}") from exc
    X, y = out[0], out[1]
    return X, y, None


def validate_dataset(name: str, X: Any, y: Any, label_names: list[str] | None = None) -> Dataset:
    """Return `X`, `y` as a Dataset after checking they can be used; raise DataError if not."""
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
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.mod(y, 1) == 0):
        raise DataError(f"data set {name!r} has continuous labels; albench needs classes")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise DataError(f"data set {name!r} has a single class ({classes.tolist()})")
    if label_names is not None:
        class_names = [str(label_names[int(c)]) for c in classes]
    else:
        class_names = [str(c) for c in classes]
    return Dataset(X=X, y=codes.astype(np.int64), class_names=class_names)


def write_dataset(dataset: Dataset, path: str | Path) -> None:
    """Write `dataset` to Parquet: columns x0..x{d-1} and `label`, class names in metadata."""
    columns = {f"x{j}": dataset.X[:, j] for j in range(dataset.X.shape[1])}
    columns[LABEL] = dataset.y
    table = pa.table(columns)
    write_table(table, path, {"class_names": json.dumps(dataset.class_names)})


def read_dataset(path: str | Path) -> Dataset:
    """Return the Dataset written by `write_dataset` at `path`."""
    table, meta = read_table(path)
    frame: pd.DataFrame = table.to_pandas()
    y = frame.pop(LABEL).to_numpy(dtype=np.int64)
    return Dataset(
        X=frame.to_numpy(dtype=np.float64),
        y=y,
        class_names=json.loads(meta["class_names"]),
    )


def prepare_dataset(name: str, spec: dict[str, Any], output: str | Path) -> Dataset:
    """Load data set `name` from `spec`, validate it and write its prepared form to `output`."""
    dataset = load_dataset(name, spec)
    write_dataset(dataset, output)
    return dataset
