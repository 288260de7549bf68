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

from albench.data.datasets import Dataset, read_dataset
from albench.data.splits import read_split, split_indices
from albench.io.curves import FIT_ERROR
from albench.io.logs import WARNINGS_KEY, collecting_warnings
from albench.io.parquet import write_table
from albench.learn.metrics import score
from albench.learn.models import fit_or_fallback
from albench.learn.oracle import oracle_labels
from albench.learn.setup import cell_model, learnable_rows_and_scaler, validation_kwargs
from albench.specs import ReferenceSpec

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
    label_noise: float = 0.0,
) -> dict[str, float]:
    """Return the test scores of `model` fitted on all initial and pool rows (every label known,
    as the oracle of `label_noise` gives it: the same labels the cells of this seed get).

    Scaled and seeded exactly as the AL cells of the same data set, model and seed are. Key
    `fit_error` holds why the model could not be fitted ("" when it was); then every score is
    NaN, which voids the label savings that depend on this reference.
    """
    train_rows, scaler = learnable_rows_and_scaler(dataset, roles)
    estimator, clf = cell_model(dataset, dataset_name, model, model_spec, seed, threads)
    labels = oracle_labels(dataset.y, dataset.n_classes, label_noise, dataset_name, seed)
    error = fit_or_fallback(
        clf,
        scaler.transform(dataset.X[train_rows]),
        labels[train_rows].astype(float),
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
    scores: str | Path,
    reference: ReferenceSpec,
    threads: int = 1,
) -> pd.DataFrame:
    """Write the full-pool test scores of `reference`'s data set x model x seed to `scores`."""
    with threadpool_limits(limits=threads), collecting_warnings() as warnings:
        values = full_pool_scores(
            read_dataset(data),
            split_indices(read_split(split)),
            reference.model,
            reference.model_spec,
            reference.metrics,
            reference.seed,
            reference.dataset,
            threads,
            reference.label_noise,
        )
    identity = {
        "dataset": reference.dataset,
        "model": reference.model,
        "protocol": reference.protocol_name,
        "seed": reference.seed,
    }
    frame = pd.DataFrame([{**identity, **values}])
    meta = {WARNINGS_KEY: json.dumps(warnings)} if warnings else None
    write_table(pa.Table.from_pandas(frame, preserve_index=False), scores, meta)
    return frame
