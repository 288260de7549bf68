"""The pool-based active-learning loop of one benchmark cell."""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from albench.checkpoints import checkpoint_key, checkpoint_path, load_checkpoint, save_checkpoint
from albench.config import canonical, resolve_protocol
from albench.curves import write_curve, write_embeddings, write_selection
from albench.datasets import Dataset, read_dataset
from albench.metrics import score
from albench.models import (
    MISSING_LABEL,
    ModelFitError,
    build_estimator,
    fit_or_fallback,
    gives_embeddings,
    takes_validation,
    wrap_classifier,
)
from albench.seeding import derive_seed
from albench.splits import read_split, split_indices
from albench.strategies import Strategy

log = logging.getLogger("albench")

# A running cell saves a checkpoint at most this often: cheap cells (most) write none.
CHECKPOINT_SECONDS = 30.0
CHECKPOINT_SECONDS_ENV = "ALBENCH_CHECKPOINT_SECONDS"  # overrides it (tests, tuning)


@dataclass(frozen=True)
class CellResult:
    """The learning curve (one row per iteration) and the queried samples of one cell.

    `embeddings` holds, for the iterations the config's `embedding_maps` names, the model's
    embeddings of every learnable row and its status then (see `embedding_rows`); empty when
    the cell is not mapped.
    """

    curve: pd.DataFrame
    selection: pd.DataFrame
    embeddings: pd.DataFrame


def mapped_iterations(cell: dict[str, Any], seed: int) -> set[int]:
    """Return the iterations whose embeddings this cell records (config `embedding_maps`)."""
    maps = cell.get("embedding_maps")
    if not maps or seed not in maps["seeds"]:
        return set()
    return set(maps["iterations"])


def embedding_rows(
    iteration: int,
    embeddings: np.ndarray,
    rows: np.ndarray,
    labels: np.ndarray,
    labelled: np.ndarray,
    selected: np.ndarray,
) -> pd.DataFrame:
    """Return one record per learnable row at `iteration`: its data set row, class, status
    ("labelled", "selected" for the batch this iteration's model picks, `selected` being
    positions in `rows`, else "pool") and embedding columns e0..e{k-1} (float32)."""
    status = np.where(labelled, "labelled", "pool").astype(object)
    status[selected] = "selected"
    frame = pd.DataFrame(
        {"iteration": iteration, "index": rows, "label": labels, "status": status.astype(str)}
    )
    values = pd.DataFrame(
        embeddings.astype(np.float32), columns=[f"e{j}" for j in range(embeddings.shape[1])]
    )
    return pd.concat([frame, values], axis=1)


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
    """Return (estimator, scikit-activeml classifier) of a model, seeded by data set, model, seed.

    Every strategy of one data set x model x seed, and its full-pool reference, get the same.
    Estimators with an `image_shape` or `threads` parameter the config left unset (such as
    `albench.torch.CNNClassifier`) get the data set's image shape and the job's threads.
    """
    model_seed = derive_seed("model", seed, dataset_name, model)
    estimator = build_estimator(f"models.{model}", model_spec, model_seed)
    params = estimator.get_params(deep=False)
    if params.get("image_shape", False) is None and dataset.image_shape is not None:
        estimator.set_params(image_shape=dataset.image_shape)
    if params.get("threads", False) is None:
        estimator.set_params(threads=threads)
    return estimator, wrap_classifier(estimator, dataset.n_classes, model_seed)


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


def run_al_loop(
    dataset: Dataset,
    roles: dict[str, np.ndarray],
    cell: dict[str, Any],
    seed: int,
    checkpoint: Path | None = None,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
    threads: int = 1,
) -> CellResult:
    """Return the learning curve and selections of one AL cell.

    `roles` maps `initial`, `pool`, `test` and `validation` to data set rows; `cell` is the
    cell's config (see `albench.config.cell_spec`). Iteration 0 fits on the initial set; each
    later iteration queries `batch_size` pool rows, reveals their labels and refits. Exactly one
    fit per iteration: the model scored on the test set is the one the strategy queries with.

    With a `checkpoint` path, the loop resumes from the checkpoint there when one of this cell
    exists, and saves one after an iteration when `checkpoint_seconds` have passed since the
    last (0: after every iteration); the caller removes it once the outputs are written.
    """
    protocol = cell["protocol"]
    sizes = resolve_protocol(protocol, len(dataset.y))
    batch_size, iterations = sizes.batch, sizes.iterations
    metrics = list(protocol["metrics"])
    names = (cell["dataset"], cell["model"])

    train_rows, scaler = learnable_rows_and_scaler(dataset, roles)
    X_train = scaler.transform(dataset.X[train_rows])
    X_test = scaler.transform(dataset.X[roles["test"]])
    y_test = dataset.y[roles["test"]]
    y_true = dataset.y[train_rows]
    y_seen = np.full(len(train_rows), MISSING_LABEL)
    labelled = np.isin(train_rows, roles["initial"])
    y_seen[labelled] = y_true[labelled]

    estimator, clf = cell_model(dataset, *names, cell["model_spec"], seed, threads)
    fit_kwargs = validation_kwargs(estimator, dataset, roles, scaler)
    strategy = Strategy(
        cell["strategy"],
        {"candidate_subsample": protocol.get("candidate_subsample"), **cell["strategy_spec"]},
        derive_seed("strategy", seed, *names, cell["strategy"]),
        dataset.n_classes,
        embeddings=gives_embeddings(estimator),
    )

    rows: list[dict[str, Any]] = []
    selected: list[tuple[int, int, int]] = []
    maps: list[pd.DataFrame] = []
    to_map = mapped_iterations(cell, seed)
    query_seconds = float("nan")
    first = 0
    key = checkpoint_key(canonical(cell), seed)
    state = load_checkpoint(checkpoint, key) if checkpoint is not None else None
    if state is not None:
        first, y_seen, rows, selected = state["next"], state["y_seen"], state["rows"], state["sel"]
        strategy, query_seconds = state["strategy"], state["query_seconds"]
        maps = state.get("maps", [])
        log.info("resuming from checkpoint %s at iteration %d", checkpoint, first)
    saved_at = time.perf_counter()
    for iteration in range(first, iterations + 1):
        start = time.perf_counter()
        fit_error = fit_or_fallback(clf, X_train, y_seen, **fit_kwargs)
        fit_seconds = time.perf_counter() - start
        fallback = fit_error is not None
        if fallback:
            _check_cold_start(fit_error, y_seen, names[1], iteration)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # A fallback model warns on every prediction; the curve records it instead.
            warnings.filterwarnings("ignore", message=".*could not be fitted.*")
            values = score(metrics, y_test, clf.predict(X_test), dataset.n_classes)
        score_seconds = time.perf_counter() - start
        rows.append(
            {
                "iteration": iteration,
                "n_labeled": int(np.sum(~np.isnan(y_seen))),
                **values,
                "fit_seconds": fit_seconds,
                "query_seconds": query_seconds,
                "score_seconds": score_seconds,
                "fallback_model": fallback,
            }
        )
        if iteration in to_map:
            # The model the strategy queries with, before the batch is revealed.
            _, embeddings = clf.predict_proba(X_train, return_embeddings=True)
            labelled_now = ~np.isnan(y_seen)
        query = np.empty(0, dtype=np.int64)  # the last iteration queries nothing
        if iteration < iterations:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*could not be fitted.*")
                query = strategy.query(X_train, y_seen, clf, batch_size)
            query_seconds = time.perf_counter() - start
            _check_query(query, y_seen, batch_size, cell["strategy"], iteration + 1)
        if iteration in to_map:
            maps.append(
                embedding_rows(iteration, embeddings, train_rows, y_true, labelled_now, query)
            )
        if iteration == iterations:
            break
        y_seen[query] = y_true[query]
        selected.extend((iteration + 1, int(train_rows[i]), int(y_true[i])) for i in query)
        if checkpoint is not None and time.perf_counter() - saved_at >= checkpoint_seconds:
            state = {"next": iteration + 1, "y_seen": y_seen, "rows": rows, "sel": selected,
                     "maps": maps}  # fmt: skip
            save_checkpoint(checkpoint, key, {**state, "strategy": strategy,
                                              "query_seconds": query_seconds})  # fmt: skip
            saved_at = time.perf_counter()

    identity = {"dataset": names[0], "model": names[1], "strategy": cell["strategy"], "seed": seed}
    curve = pd.DataFrame([{**identity, **row} for row in rows])
    selection = pd.DataFrame(selected, columns=["iteration", "index", "label"])
    embeddings = pd.concat(maps, ignore_index=True) if maps else empty_embeddings()
    return CellResult(curve=curve, selection=selection, embeddings=embeddings)


def empty_embeddings() -> pd.DataFrame:
    """Return the embeddings table of a cell that is not mapped (no rows, no e* columns)."""
    return pd.DataFrame(
        {
            "iteration": pd.Series(dtype=np.int64),
            "index": pd.Series(dtype=np.int64),
            "label": pd.Series(dtype=np.int64),
            "status": pd.Series(dtype=str),
        }
    )


def _check_cold_start(error: str, y_seen: np.ndarray, model: str, iteration: int) -> None:
    """Accept a failed fit only as a cold start (fewer than two classes labelled)."""
    labels = y_seen[~np.isnan(y_seen)]
    n_classes = len(np.unique(labels))
    if n_classes >= 2:
        raise ModelFitError(
            f"model {model!r} could not be fitted at iteration {iteration} on {len(labels)} "
            f"labels of {n_classes} classes: {error}"
        )
    log.warning(
        "iteration %d: model %r cannot be fitted on %d label(s) of one class (%s); scored "
        "with scikit-activeml's label-frequency fallback (fallback_model)",
        iteration,
        model,
        len(labels),
        error,
    )


def _check_query(query: np.ndarray, y_seen: np.ndarray, batch_size: int, name: str, it: int):
    if len(query) != batch_size or len(np.unique(query)) != batch_size:
        raise RuntimeError(
            f"strategy {name!r} returned {len(query)} indices ({len(np.unique(query))} distinct) "
            f"at iteration {it}, expected {batch_size} distinct"
        )
    if not np.isnan(y_seen[query]).all():
        raise RuntimeError(
            f"strategy {name!r} queried an already labelled sample at iteration {it}"
        )


def run_cell(
    data: str | Path,
    split: str | Path,
    curve_path: str | Path,
    selection_path: str | Path,
    cell_json: str,
    seed: int,
    threads: int = 1,
    embeddings_path: str | Path | None = None,
) -> CellResult:
    """Run one cell from the prepared data and split files and write its Parquet outputs
    (curve, selection, and the embeddings table when `embeddings_path` is given).

    The cell checkpoints beside its curve (see `albench.checkpoints`) and resumes from there
    when it was killed; the checkpoint is removed once both outputs are written.
    """
    cell = json.loads(cell_json)
    checkpoint = checkpoint_path(curve_path)
    every = float(os.environ.get(CHECKPOINT_SECONDS_ENV, CHECKPOINT_SECONDS))
    with threadpool_limits(limits=threads):
        dataset = read_dataset(data)
        roles = split_indices(read_split(split))
        result = run_al_loop(dataset, roles, cell, seed, checkpoint, every, threads=threads)
    write_curve(result.curve, curve_path, cell_json, seed)
    write_selection(result.selection, selection_path, cell_json, seed)
    if embeddings_path is not None:
        write_embeddings(result.embeddings, embeddings_path, cell_json, seed, dataset.class_names)
    checkpoint.unlink(missing_ok=True)
    log.info("cell %s seed %d: %d iterations", cell_json, seed, len(result.curve) - 1)
    return result
