"""The pool-based active-learning loop of one benchmark cell.

Each iteration fits the model on the labels revealed so far, scores it on the test set, asks
the strategy for a batch, and reveals the batch's labels. Exactly one fit per iteration: the
model that is scored is the one the strategy queries with.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from albench.data.datasets import Dataset, read_dataset
from albench.data.splits import read_split, split_indices
from albench.env import CHECKPOINT_SECONDS_ENV
from albench.io.curves import (
    SELECTION_SCHEMA,
    provenance,
    write_curve,
    write_embeddings,
    write_selection,
)
from albench.io.logs import collecting_warnings
from albench.learn.checkpoints import (
    checkpoint_key,
    checkpoint_path,
    load_checkpoint,
    save_checkpoint,
)
from albench.learn.metrics import score
from albench.learn.models import (
    MISSING_LABEL,
    ModelFitError,
    changed_keys,
    fit_or_fallback,
    gives_embeddings,
    labelled_classes,
    model_params,
)
from albench.learn.oracle import oracle_labels
from albench.learn.setup import cell_model, learnable_rows_and_scaler, validation_kwargs
from albench.learn.strategies import Strategy, batch_fault
from albench.protocol import resolve_protocol
from albench.seeding import derive_seed
from albench.specs import CellSpec
from albench.stopping.record import (
    DEFAULT_STOP_SET_SIZE,
    PREDICTIONS,
    pool_summary,
    selected_summary,
    stop_set,
    write_record,
)

log = logging.getLogger("albench")

# A running cell saves a checkpoint at most this often: cheap cells (most) write none.
CHECKPOINT_SECONDS = 30.0


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
    stopping: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Learner:
    """A cell's fixed parts: scaled rows, true labels and those the oracle reveals (they differ
    under `label_noise`), the model and the strategy."""

    cell: CellSpec
    train_rows: np.ndarray
    X_train: np.ndarray
    y_true: np.ndarray
    y_oracle: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    clf: Any
    fit_kwargs: dict[str, Any]
    batch_size: int
    iterations: int
    metrics: list[str]
    stop_positions: np.ndarray  # the stop set (`albench.stopping.record.stop_set`)

    @classmethod
    def build(
        cls, dataset: Dataset, roles: dict[str, np.ndarray], cell: CellSpec, threads: int = 1
    ) -> tuple[Learner, Strategy]:
        """Return the learner of `cell` on `dataset` split by `roles`, and its fresh strategy."""
        sizes = resolve_protocol(cell.protocol, len(dataset.y))
        train_rows, scaler = learnable_rows_and_scaler(dataset, roles)
        estimator, clf = cell_model(
            dataset, cell.dataset, cell.model, cell.model_spec, cell.seed, threads
        )
        strategy = Strategy(
            cell.strategy,
            {"candidate_subsample": cell.protocol.get("candidate_subsample"), **cell.strategy_spec},
            derive_seed("strategy", cell.seed, cell.dataset, cell.model, cell.strategy),
            dataset.n_classes,
            embeddings=gives_embeddings(estimator),
        )
        learner = cls(
            cell=cell,
            train_rows=train_rows,
            X_train=scaler.transform(dataset.X[train_rows]),
            y_true=dataset.y[train_rows],
            y_oracle=oracle_labels(
                dataset.y,
                dataset.n_classes,
                cell.protocol.get("label_noise", 0),
                cell.dataset,
                cell.seed,
            )[train_rows],
            X_test=scaler.transform(dataset.X[roles["test"]]),
            y_test=dataset.y[roles["test"]],
            n_classes=dataset.n_classes,
            clf=clf,
            fit_kwargs=validation_kwargs(estimator, dataset, roles, scaler),
            batch_size=sizes.batch,
            iterations=sizes.iterations,
            metrics=list(cell.protocol["metrics"]),
            stop_positions=stop_set(
                np.flatnonzero(np.isin(train_rows, roles["pool"])),
                cell.protocol.get("stop_set_size", DEFAULT_STOP_SET_SIZE),
                cell.seed,
                cell.dataset,
                cell.protocol_name,
            ),
        )
        return learner, strategy


@dataclass
class LoopState:
    """Where a cell stands: what a checkpoint saves and a resumed cell continues from."""

    next: int
    y_seen: np.ndarray
    strategy: Strategy
    rows: list[dict[str, Any]] = field(default_factory=list)
    selected: list[tuple[int, int, int, int]] = field(default_factory=list)
    maps: list[pd.DataFrame] = field(default_factory=list)
    query_seconds: float = float("nan")
    # What stopping criteria read (`albench.stopping.record`), one row per iteration, and what
    # the model made of the batch it queried, for the next iteration's row.
    stopping: list[dict[str, Any]] = field(default_factory=list)
    queried: dict[str, float] | None = None
    probabilities: tuple[np.ndarray, np.ndarray] | None = None  # rows, and the model's there


def initial_state(learner: Learner, roles: dict[str, np.ndarray], strategy: Strategy) -> LoopState:
    """Return the state before iteration 0: only the initial set's labels revealed."""
    y_seen = np.full(len(learner.train_rows), MISSING_LABEL)
    labelled = np.isin(learner.train_rows, roles["initial"])
    y_seen[labelled] = learner.y_oracle[labelled]
    return LoopState(next=0, y_seen=y_seen, strategy=strategy)


def fit_and_score(learner: Learner, state: LoopState, iteration: int) -> dict[str, Any]:
    """Fit the model on the labels revealed so far and return the curve row of `iteration`."""
    start = time.perf_counter()
    fit_error = fit_or_fallback(learner.clf, learner.X_train, state.y_seen, **learner.fit_kwargs)
    fit_seconds = time.perf_counter() - start
    if fit_error is not None:
        _check_cold_start(
            fit_error, state.y_seen, learner.cell.model, iteration, learner.n_classes == 0
        )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A fallback model warns on every prediction; the curve records it instead.
        warnings.filterwarnings("ignore", message=".*could not be fitted.*")
        predictions = learner.clf.predict(learner.X_test)
    values = score(learner.metrics, learner.y_test, predictions, learner.n_classes)
    return {
        "iteration": iteration,
        "n_labeled": int(np.sum(~np.isnan(state.y_seen))),
        **values,
        "fit_seconds": fit_seconds,
        "query_seconds": state.query_seconds,
        "score_seconds": time.perf_counter() - start,
        "fallback_model": fit_error is not None,
    }


def stopping_row(learner: Learner, state: LoopState, iteration: int) -> dict[str, Any]:
    """Return what stopping criteria read of the model just fitted (`albench.stopping.record`):
    its predictions on the stop set (for classification, the class of highest probability)
    and its uncertainty over the unlabelled pool; with what the previous model made of the
    batch revealed since. One prediction call over the pool and the stop set (a call costs
    more than its rows for small models)."""
    row: dict[str, Any] = {
        "iteration": iteration,
        "n_labeled": int(np.sum(~np.isnan(state.y_seen))),
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*could not be fitted.*")
        if learner.n_classes == 0:
            predictions = learner.clf.predict(learner.X_train[learner.stop_positions])
            return {**row, PREDICTIONS: np.asarray(predictions, dtype=np.float32)}
        unlabelled = np.flatnonzero(np.isnan(state.y_seen))
        rows = np.union1d(unlabelled, learner.stop_positions)
        proba = learner.clf.predict_proba(learner.X_train[rows])
    stop = np.searchsorted(rows, learner.stop_positions)
    row[PREDICTIONS] = proba[stop].argmax(axis=1).astype(np.int16)
    row.update(pool_summary(proba[np.isin(rows, unlabelled)]))
    row.update(state.queried or {})
    state.queried = None
    state.probabilities = (rows, proba)
    return row


def queried_row(learner: Learner, state: LoopState, query: np.ndarray) -> dict[str, float]:
    """Return what the model made of the batch `query` it picked, once the oracle's labels are
    known: its accuracy on them and its uncertainty there (classification only), from the
    probabilities `stopping_row` computed over the pool."""
    if learner.n_classes == 0 or state.probabilities is None:
        return {}
    rows, proba = state.probabilities
    state.probabilities = None  # used once: not kept in checkpoints
    picked = proba[np.searchsorted(rows, query)]
    return selected_summary(picked, picked.argmax(axis=1), learner.y_oracle[query])


def query_batch(learner: Learner, state: LoopState, iteration: int) -> np.ndarray:
    """Return the positions (in the learnable rows) the strategy picks after `iteration`.

    The strategy gets `X` and `y` read-only and the fitted model whose parameters must be the
    same after the query as before: a strategy that changes what it is given fails its cell,
    named, instead of corrupting the curves that follow."""
    name, it = learner.cell.strategy, iteration + 1
    params = model_params(learner.clf)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*could not be fitted.*")
            query = state.strategy.query(
                _read_only(learner.X_train),
                _read_only(state.y_seen),
                learner.clf,
                learner.batch_size,
            )
    except Exception as error:
        if isinstance(error, ValueError) and "read-only" in str(error):
            raise RuntimeError(
                f"strategy {name!r} wrote into the X or y it was given at iteration {it} "
                f"({error}): a strategy must leave its inputs as they are (work on a copy)"
            ) from error
        error.add_note(f"(raised by strategy {name!r} at iteration {it})")
        raise
    state.query_seconds = time.perf_counter() - start
    changed = changed_keys(params, model_params(learner.clf))
    if changed:
        parameter = changed[0].removeprefix("estimator__")
        raise RuntimeError(
            f"strategy {name!r} changed the model's parameter {parameter} at iteration {it}: "
            "a strategy must query the model it is given, not modify it"
        )
    _check_query(query, state.y_seen, learner.batch_size, name, it)
    return query


def _read_only(array: Any) -> Any:
    """A read-only view of `array` (other inputs as they are)."""
    if not isinstance(array, np.ndarray):
        return array
    view = array.view()
    view.flags.writeable = False
    return view


def reveal(learner: Learner, state: LoopState, query: np.ndarray, iteration: int) -> None:
    """Reveal the queried rows' labels (the oracle's); they count from iteration
    `iteration + 1` on."""
    state.y_seen[query] = learner.y_oracle[query]
    label = float if learner.n_classes == 0 else int  # a regression target, or a class
    state.selected.extend(
        (
            iteration + 1,
            int(learner.train_rows[i]),
            label(learner.y_oracle[i]),
            label(learner.y_true[i]),
        )
        for i in query
    )
    state.next = iteration + 1


def run_al_loop(
    dataset: Dataset,
    roles: dict[str, np.ndarray],
    cell: CellSpec,
    checkpoint: Path | None = None,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
    threads: int = 1,
) -> CellResult:
    """Return the learning curve and selections of one AL cell.

    `roles` maps `initial`, `pool`, `test` and `validation` to data set rows; `cell` is the
    cell's spec.
    Iteration 0 fits on the initial set; each later iteration queries a batch of pool rows,
    reveals their labels and refits.

    With a `checkpoint` path, the loop resumes from the checkpoint there when one of this cell
    exists, and saves one after an iteration when `checkpoint_seconds` have passed since the
    last (0: after every iteration); the caller removes it once the outputs are written.
    """
    learner, strategy = Learner.build(dataset, roles, cell, threads)
    key = checkpoint_key(cell.to_json())
    state = load_checkpoint(checkpoint, key) if checkpoint is not None else None
    if state is None:
        state = initial_state(learner, roles, strategy)
    else:
        log.info("resuming from checkpoint %s at iteration %d", checkpoint, state.next)
    to_map = mapped_iterations(cell)
    saved_at = time.perf_counter()
    for iteration in range(state.next, learner.iterations + 1):
        state.rows.append(fit_and_score(learner, state, iteration))
        state.stopping.append(stopping_row(learner, state, iteration))
        last = iteration == learner.iterations
        mapped = embeddings(learner) if iteration in to_map else None  # before the query
        query = np.empty(0, dtype=np.int64) if last else query_batch(learner, state, iteration)
        if not last:
            state.queried = queried_row(learner, state, query)
        if mapped is not None:
            labelled = ~np.isnan(state.y_seen)
            state.maps.append(
                embedding_rows(
                    iteration, mapped, learner.train_rows, learner.y_true, labelled, query
                )
            )
        if last:
            break
        reveal(learner, state, query, iteration)
        if checkpoint is not None and time.perf_counter() - saved_at >= checkpoint_seconds:
            save_checkpoint(checkpoint, key, state)
            saved_at = time.perf_counter()
    return cell_result(cell, state)


def cell_result(cell: CellSpec, state: LoopState) -> CellResult:
    """Return the finished cell's curve, selections and recorded embeddings."""
    identity = {
        "dataset": cell.dataset,
        "model": cell.model,
        "protocol": cell.protocol_name,
        "strategy": cell.strategy,
        "seed": cell.seed,
    }
    curve = pd.DataFrame([{**identity, **row} for row in state.rows])
    selection = pd.DataFrame(state.selected, columns=SELECTION_SCHEMA.names)
    embeddings = pd.concat(state.maps, ignore_index=True) if state.maps else empty_embeddings()
    return CellResult(
        curve=curve, selection=selection, embeddings=embeddings, stopping=list(state.stopping)
    )


def mapped_iterations(cell: CellSpec) -> set[int]:
    """Return the iterations whose embeddings this cell records (config `embedding_maps`)."""
    maps = cell.embedding_maps
    if not maps or cell.seed not in maps["seeds"]:
        return set()
    return set(maps["iterations"])


def embeddings(learner: Learner) -> np.ndarray:
    """Return the embeddings of every learnable row by the model fitted this iteration."""
    return learner.clf.predict_proba(learner.X_train, return_embeddings=True)[1]


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


def _check_cold_start(
    error: str, y_seen: np.ndarray, model: str, iteration: int, regression: bool = False
) -> None:
    """Accept a failed fit only as a cold start (fewer than two classes labelled); a
    regressor's failed fit is always an error (any labelled set has a target to fit)."""
    n_labels = int(np.sum(~np.isnan(y_seen)))
    if regression:
        raise ModelFitError(
            f"model {model!r} could not be fitted at iteration {iteration} on {n_labels} "
            f"labels: {error}"
        )
    n_classes = labelled_classes(y_seen)
    if n_classes >= 2:
        raise ModelFitError(
            f"model {model!r} could not be fitted at iteration {iteration} on {n_labels} "
            f"labels of {n_classes} classes: {error}"
        )
    log.warning(
        "iteration %d: model %r cannot be fitted on %d label(s) of one class (%s); scored "
        "with scikit-activeml's label-frequency fallback (fallback_model)",
        iteration,
        model,
        n_labels,
        error,
    )


def _check_query(query: np.ndarray, y_seen: np.ndarray, batch_size: int, name: str, it: int):
    fault = batch_fault(query, y_seen, batch_size)
    if fault is not None:
        raise RuntimeError(f"strategy {name!r} {fault} at iteration {it}")


def run_cell(
    data: str | Path,
    split: str | Path,
    curve: str | Path,
    selection: str | Path,
    cell: CellSpec,
    threads: int = 1,
    embeddings: str | Path | None = None,
    stopping: str | Path | None = None,
) -> CellResult:
    """Run cell `cell` on the prepared data and split files and write its Parquet outputs:
    `curve`, `selection`, what stopping criteria read (`albench.stopping.record`) when
    `stopping` is given, and the embeddings table when `embeddings` is given.

    The cell checkpoints beside its curve (see `albench.learn.checkpoints`) and resumes from there
    when it was killed; the checkpoint is removed once the outputs are written.
    """
    checkpoint = checkpoint_path(curve)
    every = float(os.environ.get(CHECKPOINT_SECONDS_ENV, CHECKPOINT_SECONDS))
    with threadpool_limits(limits=threads), collecting_warnings() as warnings:
        dataset = read_dataset(data)
        roles = split_indices(read_split(split))
        result = run_al_loop(dataset, roles, cell, checkpoint, every, threads=threads)
    write_curve(result.curve, curve, cell, warnings)
    write_selection(result.selection, selection, cell)
    if embeddings is not None:
        write_embeddings(result.embeddings, embeddings, cell, dataset.class_names)
    if stopping is not None:
        meta = {**provenance(cell), "n_classes": str(dataset.n_classes)}
        write_record(result.stopping, stopping, meta)
    checkpoint.unlink(missing_ok=True)
    log.info("cell %s: %d iterations", cell.to_json(), len(result.curve) - 1)
    return result
