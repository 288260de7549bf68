"""The paired split of one data set and seed: test set, initial labelled set and pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from albench.data.datasets import read_dataset
from albench.errors import DataError
from albench.io.parquet import read_table, write_table
from albench.protocol import resolve_size
from albench.seeding import derive_seed
from albench.specs import SplitSpec
from albench.tasks import CLASSIFICATION, REGRESSION

ROLES = ("initial", "pool", "test", "validation")
# A regression target is stratified by this many bins of equal count (fewer for small sets).
TARGET_BINS = 10


def target_bins(y: np.ndarray, n_held_out: int, n_bins: int = TARGET_BINS) -> np.ndarray | None:
    """Return each row's quantile bin of the numeric targets `y`, the strata of a regression
    split holding out `n_held_out` rows: rows ranked by target (ties in row order) and cut into
    bins of equal count, so that the held-out rows span the target's range as the data set does.
    None where fewer than two bins fit (each needs two rows and a held-out and a kept row)."""
    n = len(y)
    bins = min(n_bins, n_held_out, n - n_held_out, n // 2)
    if bins < 2:
        return None
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(y, kind="stable")] = np.arange(n)
    return rank * bins // n


def make_split(
    y: np.ndarray,
    test_size: float,
    initial_size: int,
    random_state: int,
    name: str = "data",
    validation_size: int = 0,
    label_names: list[str] | None = None,
    task: str = CLASSIFICATION,
) -> pd.DataFrame:
    """Return a frame of `index` (row of the data set) and `role` for every row of `y`.

    Errors name classes by `label_names` (the original labels of the encoded `y`) when given.
    A regression `task` (numeric `y`) is split by `regression_split`.

    The test set is a stratified `test_size` fraction, then a stratified validation set of
    `validation_size` rows (if any) is drawn from the rest. The initial labelled set is drawn
    from what remains so that every class appears at least once when
    `initial_size >= n_classes`; the remaining rows form the pool.
    """

    y = np.asarray(y)
    if task == REGRESSION:
        return regression_split(y, test_size, initial_size, random_state, name, validation_size)
    classes, counts = np.unique(y, return_counts=True)
    too_small = classes[counts < 2].tolist()
    if label_names:
        too_small = [label_names[int(c)] for c in too_small]
    if too_small:
        raise DataError(
            f"data set {name!r}: class(es) {too_small} have fewer than 2 samples, "
            "too few for a stratified test split"
        )
    rng = np.random.default_rng(random_state)
    train, test, validation = _held_out(
        y, lambda rows, _: y[rows], test_size, validation_size, rng, name, "a stratified"
    )
    if initial_size > len(train):
        raise DataError(
            f"data set {name!r}: initial_size {initial_size} exceeds the {len(train)} rows "
            "outside the test and validation sets"
        )
    initial: list[int] = []
    if initial_size >= len(classes):
        # One random member of every class first, so iteration 0 sees all classes.
        for c in classes:
            initial.append(int(rng.choice(train[y[train] == c])))
    rest = np.setdiff1d(train, initial)
    initial.extend(rng.choice(rest, size=initial_size - len(initial), replace=False).tolist())
    return _roles(len(y), test, validation, np.asarray(initial, dtype=int))


def regression_split(
    y: np.ndarray,
    test_size: float,
    initial_size: int,
    random_state: int,
    name: str = "data",
    validation_size: int = 0,
) -> pd.DataFrame:
    """Return the split of a regression data set (numeric targets `y`), as `make_split` does for
    classes: the test set, then the validation set, stratified by quantile bins of the target
    (`target_bins`): with the few hundred rows of typical regression benchmarks a plain random
    test set can miss a tail of the target, and the RMSE of every strategy then swings with the
    seed. The initial labelled set is a uniform draw from the rest (no class to cover)."""

    rng = np.random.default_rng(random_state)
    train, test, validation = _held_out(
        y, lambda rows, k: target_bins(y[rows], k), test_size, validation_size, rng, name, "a"
    )
    if initial_size > len(train):
        raise DataError(
            f"data set {name!r}: initial_size {initial_size} exceeds the {len(train)} rows "
            "outside the test and validation sets"
        )
    initial = rng.choice(train, size=initial_size, replace=False)
    return _roles(len(y), test, validation, initial)


def _held_out(
    y: np.ndarray,
    strata: Any,
    test_size: float,
    validation_size: int,
    rng: np.random.Generator,
    name: str,
    kind: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the sorted (train, test, validation) rows of `y`: the test set, then the
    validation set (if any) from the rest, each stratified by `strata(rows, n_held_out)` and
    drawn with a seed from `rng`; DataError naming the data set if a split cannot be drawn."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    n_test = int(np.ceil(test_size * len(y)))
    try:
        train, test = train_test_split(
            rows,
            test_size=test_size,
            stratify=strata(rows, n_test),
            random_state=int(rng.integers(2**31)),
        )
    except ValueError as exc:
        raise DataError(
            f"data set {name!r}: cannot split with test_size={test_size}: {exc}"
        ) from exc
    train = np.sort(train)
    validation = np.array([], dtype=np.int64)
    if validation_size:
        try:
            train, validation = train_test_split(
                train,
                test_size=validation_size,
                stratify=strata(train, validation_size),
                random_state=int(rng.integers(2**31)),
            )
        except ValueError as exc:
            raise DataError(
                f"data set {name!r}: cannot draw {kind} validation set of {validation_size}: {exc}"
            ) from exc
        train = np.sort(train)
    return train, test, validation


def _roles(n: int, test: np.ndarray, validation: np.ndarray, initial: np.ndarray) -> pd.DataFrame:
    """Return the split frame of `n` rows: the given test, validation and initial rows, the
    rest the pool."""
    role = np.full(n, "pool", dtype=object)
    role[test] = "test"
    role[validation] = "validation"
    role[initial] = "initial"
    return pd.DataFrame({"index": np.arange(n), "role": role})


def write_split(split: pd.DataFrame, path: str | Path) -> None:
    """Write a split frame to Parquet at `path`."""
    table = pa.table(
        {"index": split["index"].to_numpy(np.int64), "role": split["role"].astype(str).to_numpy()}
    )
    write_table(table, path)


def read_split(path: str | Path) -> pd.DataFrame:
    """Return the split frame written by `write_split`."""
    table, _ = read_table(path)
    return table.to_pandas()


def split_indices(split: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the sorted data set rows of each role."""
    return {
        role: np.sort(split.loc[split["role"] == role, "index"].to_numpy(np.int64))
        for role in ROLES
    }


def split_dataset(data: str | Path, split: str | Path, spec: SplitSpec) -> pd.DataFrame:
    """Write the split `spec` describes of prepared data set `data` to `split`."""
    dataset = read_dataset(data)
    n = len(dataset.y)
    initial = resolve_size(spec.initial_size, n, "protocol.initial_size")
    validation = (
        resolve_size(spec.validation_size, n, "protocol.validation_size")
        if spec.validation_size
        else 0
    )
    frame = make_split(
        dataset.y,
        spec.test_size,
        initial,
        derive_seed("split", spec.seed, spec.dataset),
        spec.dataset,
        validation_size=validation,
        label_names=dataset.class_names,
        task=dataset.task,
    )
    write_split(frame, split)
    return frame
