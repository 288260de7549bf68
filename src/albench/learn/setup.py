"""What a cell learns with: its scaled rows, its seeded model and the fixed validation set.

The AL loop and the full-pool reference of the same data set, model and seed build these the
same way, so a reference is the cell's model with every label known.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from albench.data.datasets import Dataset
from albench.learn.models import build_estimator, takes_validation, wrap_model
from albench.seeding import derive_seed


def learnable_rows_and_scaler(
    dataset: Dataset, roles: dict[str, np.ndarray]
) -> tuple[np.ndarray, StandardScaler]:
    """Return the rows the learner may see (initial and pool) and a scaler fitted on them only.

    The pool's features are known in AL; the test and validation sets' are not.
    """
    train_rows = np.sort(np.concatenate([roles["initial"], roles["pool"]]))
    return train_rows, StandardScaler().fit(dataset.X[train_rows])


def cell_model(
    dataset: Dataset,
    dataset_name: str,
    model: str,
    model_spec: dict[str, Any],
    seed: int,
    threads: int = 1,
) -> tuple[Any, Any]:
    """Return (estimator, scikit-activeml classifier or regressor, by the data set's task) of a
    model, seeded by data set, model, seed.

    Every strategy of one data set x model x seed, and its full-pool reference, get the same.
    Estimators with an `image_shape` or `threads` parameter the config left unset (such as
    `albench.torch.CNNClassifier`) get the data set's image shape and the job's threads.
    """
    model_seed = derive_seed("model", seed, dataset_name, model)
    estimator = build_estimator(f"models.{model}", model_spec, model_seed, dataset.task)
    params = estimator.get_params(deep=False)
    if params.get("image_shape", False) is None and dataset.image_shape is not None:
        estimator.set_params(image_shape=dataset.image_shape)
    if params.get("threads", False) is None:
        estimator.set_params(threads=threads)
    return estimator, wrap_model(estimator, dataset.n_classes, model_seed)


def validation_kwargs(
    estimator: Any, dataset: Dataset, roles: dict[str, np.ndarray], scaler: StandardScaler
) -> dict[str, Any]:
    """Return the fixed validation set as `fit` keywords for models that select checkpoints
    on one (their `fit` takes `X_val` and `y_val`); other models never see it."""
    if not len(roles["validation"]) or not takes_validation(estimator):
        return {}
    return {
        "X_val": scaler.transform(dataset.X[roles["validation"]]),
        "y_val": dataset.y[roles["validation"]],
    }
