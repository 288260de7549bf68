"""Probe queries at config check: every model x strategy pair queries once on tiny data of each
data set's shape, so a combination that cannot run is refused before any cell starts.

A strategy can be valid on its own and still fail with a model (ProbabilisticAL needs a model
with `predict_freq` or a `metric`; EpistemicUncertaintySampling only takes binary tasks with
some models), and a model can fail to fit on data of a shape. The probe builds the model and
the strategy exactly as a cell does, fits on a labelled set the size of the protocol's initial
set, and queries a small batch from a small pool of Gaussian blobs with the data set's number of
classes and features (its image shape for image folders). Probes are shared by data sets of one
shape, the strategies of one model query copies of one fit, and they cost milliseconds each for
scikit-learn models; models with an `epochs` parameter train one epoch.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from albench.data.sources.base import Shape
from albench.errors import ConfigError


class PassedProbes(Protocol):
    """Where the probes that passed are kept (`albench.plan.checked.ProbeRecords`)."""

    def key(self, *what: Any, specs: list[dict[str, Any]]) -> str: ...

    def passed(self, key: str) -> bool: ...

    def add(self, key: str) -> None: ...


PROBE_BATCH = 2
PROBE_POOL = 20
# The largest batch a user's strategy is checked with (the pool holds two and a half batches).
MAX_CHECK_BATCH = 64


def probe_data(
    shape: Shape, initial: int, random_state: int = 0, pool: int = PROBE_POOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (X, y, y_seen): Gaussian blobs of `shape`, `initial` rows labelled in `y_seen`
    and `pool` unlabelled; for a regression shape (no classes), Gaussian features and a linear
    target with noise.

    The labelled rows cover min(initial, classes) classes, as the protocol's initial set does.
    """
    rng = np.random.default_rng(random_state)
    n = initial + pool
    if shape.n_classes == 0:
        X = rng.normal(size=(n, shape.n_features))
        y = X @ rng.normal(size=shape.n_features) + rng.normal(scale=0.1, size=n)
        y_seen = np.full(n, np.nan)
        y_seen[:initial] = y[:initial]
        return X, y, y_seen
    y = np.arange(n) % shape.n_classes
    centres = rng.normal(scale=3.0, size=(shape.n_classes, shape.n_features))
    X = centres[y] + rng.normal(size=(n, shape.n_features))
    if shape.image_shape is not None:  # pixel values, as image data sets hold
        X = np.clip(X * 20 + 128, 0, 255)
    y_seen = np.full(n, np.nan)
    y_seen[:initial] = y[:initial]
    return X, y, y_seen


@dataclass(frozen=True)
class FittedProbe:
    """A model fitted on the probe data of one shape, as every strategy's probe queries with it."""

    X: np.ndarray
    y_seen: np.ndarray
    clf: Any
    embeddings: bool


def fit_probe(
    model: str, model_spec: dict[str, Any], shape: Shape, initial: int, pool: int = PROBE_POOL
) -> FittedProbe:
    """Build `model` exactly as a cell does and fit it on `initial` labels of `probe_data`.

    Raises ConfigError naming `models.<model>` (with a `{dataset}` placeholder that
    `probe_grid` fills) where the model cannot be fitted at all.
    """
    from albench.learn.models import build_estimator, gives_embeddings, wrap_model

    X, _, y_seen = probe_data(shape, initial, pool=pool)
    estimator = build_estimator(f"models.{model}", model_spec, 0, shape.task)
    params = estimator.get_params(deep=False)
    # On the CPU: a probe in the Snakemake process must not hold a CUDA context for the run.
    overrides = {"image_shape": shape.image_shape, "threads": 1, "epochs": 1, "device": "cpu"}
    estimator.set_params(**{k: v for k, v in overrides.items() if k in params and v is not None})
    clf = wrap_model(estimator, shape.n_classes, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _fit(clf, X, y_seen, model, initial, shape)
    return FittedProbe(X, y_seen, clf, gives_embeddings(estimator))


def probe_pool(strategy_spec: dict[str, Any], batch: int = PROBE_BATCH) -> tuple[int, int]:
    """Return the batch `strategy_spec` is probed with and the size of the probe's pool: a
    built-in strategy's PROBE_BATCH, a user's `batch` (at most MAX_CHECK_BATCH), the pool two
    and a half batches (at least PROBE_POOL)."""
    from albench.learn.strategies import builtin_name

    if builtin_name(strategy_spec["query"]) is not None:
        batch = PROBE_BATCH
    else:
        batch = min(batch, MAX_CHECK_BATCH)
    return batch, max(PROBE_POOL, batch * 5 // 2)


def probe(
    model: str,
    model_spec: dict[str, Any],
    strategy: str,
    strategy_spec: dict[str, Any],
    shape: Shape,
    initial: int,
    batch: int = PROBE_BATCH,
    fitted: FittedProbe | None = None,
) -> str | None:
    """Return why `strategy` cannot query with `model` on data of `shape` (None if it can).

    A built-in strategy queries a batch of PROBE_BATCH; a user's strategy is checked with a
    batch of `batch` (at most MAX_CHECK_BATCH) by `conformance`. `fitted`: the model already
    fitted on this probe's data (`fit_probe` with `probe_pool`'s pool; a copy is queried with),
    so that the strategies of one model share one fit. A model that cannot be fitted at all
    raises ConfigError naming `models.<model>` (with a `{dataset}` placeholder that
    `probe_grid` fills).
    """
    from albench.learn.strategies import Strategy, batch_fault, builtin_name

    user = builtin_name(strategy_spec["query"]) is None
    batch, pool = probe_pool(strategy_spec, batch)
    if fitted is not None:
        try:  # a copy: a strategy that changes its model changes no other strategy's probe
            clf = copy.deepcopy(fitted.clf)
        except Exception:  # noqa: BLE001 - a model that cannot be copied is fitted again
            fitted = None
    if fitted is None:
        fitted = fit_probe(model, model_spec, shape, initial, pool)
        clf = fitted.clf
    X, y_seen = fitted.X, fitted.y_seen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        def build() -> Strategy:
            return Strategy(strategy, strategy_spec, 0, shape.n_classes, fitted.embeddings)

        if user:
            return conformance(build, X, y_seen, clf, batch)
        try:
            picked = build().query(X, y_seen, clf, batch)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the query raises is the reason
            return f"{type(exc).__name__}: {exc}"
    fault = batch_fault(picked, y_seen, batch)
    return None if fault is None else f"its query {fault}"


def _fit(clf: Any, X: np.ndarray, y_seen: np.ndarray, model: str, initial: int, shape: Shape):
    from albench.learn.models import fit_or_fallback, labelled_classes

    error = fit_or_fallback(clf, X, y_seen)
    if error is not None and (shape.n_classes == 0 or labelled_classes(y_seen) >= 2):
        raise ConfigError(
            f"models.{model}: cannot be fitted on {initial} labels of data of the shape "
            f"of {{dataset}} ({shape.describe()}): {error}"
        )


def conformance(
    build: Callable[[], Any], X: np.ndarray, y: np.ndarray, clf: Any, batch: int
) -> str | None:
    """Return what a user's strategy does that a pool strategy must not (None if nothing).

    `build` returns a fresh strategy seeded with 0 (`albench.learn.strategies.Strategy`). Its
    query must return `batch` distinct integer indices, each an unlabelled row of `X` (X holds
    the labelled set and the pool; test rows are never given), leave `X`, `y` and the fitted
    model `clf` as they were (its parameters and fitted arrays), return the same indices again
    from a fresh strategy with the same random_state, and, when it takes `candidates`, pick only
    among those. Each call gets its own copy of the data and of the fitted model, so that what
    one call changes is named as such, not mistaken for a second call's randomness.
    """
    from albench.learn.models import changed_arrays, changed_keys, fitted_arrays, model_params
    from albench.learn.strategies import QueryContractError, batch_fault

    def ask(strategy: Any, candidates: np.ndarray | None = None) -> tuple[str | None, Any]:
        X_given, y_given = X.copy(), y.copy()
        try:
            model = copy.deepcopy(clf)
        except Exception:  # noqa: BLE001 - a model that cannot be copied is given as it is
            model = clf
        params, arrays = model_params(model), fitted_arrays(model)
        try:
            picked = strategy.query(X_given, y_given, model, batch, candidates=candidates)
        except QueryContractError as exc:
            return exc.reason, None
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the query raises is the reason
            return f"its query raised {type(exc).__name__}: {exc}", None
        if not np.array_equal(X_given, X):
            return "changed X (a query must leave the data it is given as it was)", None
        if not np.array_equal(y_given, y, equal_nan=True):
            return "changed y (a query must leave the labels it is given as they were)", None
        changed = changed_keys(params, model_params(model))
        if changed:
            return (
                f"changed the model's parameter {changed[0].removeprefix('estimator__')} (a "
                "query must use the model it is given, not modify it)"
            ), None
        changed = changed_arrays(arrays, fitted_arrays(model))
        if changed:
            return (
                f"changed the fitted model (its {', '.join(changed)}; a query must use the "
                "model it is given, not modify it: work on a copy)"
            ), None
        return batch_fault(picked, y, batch, candidates), picked

    first = build()
    fault, picked = ask(first)
    if fault is not None:
        return fault
    fault, again = ask(build())
    if fault is None and not np.array_equal(picked, again):
        return (
            f"not deterministic for random_state 0: two fresh instances returned "
            f"{picked.tolist()} and {again.tolist()} on the same data"
        )
    if fault is None and first.takes_candidates:
        unlabelled = np.flatnonzero(np.isnan(y))
        candidates = np.sort(np.random.default_rng(1).permutation(unlabelled)[: 2 * batch])
        fault, _ = ask(build(), candidates)
        if fault is not None:
            fault += f" (given candidates {candidates.tolist()})"
    return fault


def probe_grid(
    models: dict[str, Any],
    strategies: dict[str, Any],
    shapes: dict[str, tuple[Shape, int, int]],
    candidate_subsample: Any = None,
    runs: dict[str, tuple[list[str], list[str]]] | None = None,
    probed: PassedProbes | None = None,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Raise ConfigError naming the first model x strategy x data set that cannot query.

    `shapes` maps data set names to (shape, initial labelled count, batch size); data sets of
    one shape and initial count share their probes (and of one batch size, for users'
    strategies). `runs` maps data set names to the models and strategies that run on them
    (`albench.plan.grid.runs`; None: all of them). A probe that `probed` holds as passed
    before is not run again; one that passes now is added to it. A probe still running after
    SLOW_PROBE_S is told to `notify` (the user), naming its strategy and model.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # tiny data: BLAS threads only cost start-up
        _probe_each(models, strategies, shapes, candidate_subsample, runs or {}, probed, notify)


def _probe_each(
    models: dict[str, Any],
    strategies: dict[str, Any],
    shapes: dict[str, tuple[Shape, int, int]],
    candidate_subsample: Any,
    runs: dict[str, tuple[list[str], list[str]]],
    probed: PassedProbes | None,
    notify: Callable[[str], None] | None = None,
) -> None:
    from albench.learn.strategies import builtin_name

    done: set[tuple[str, str, Shape, int, int]] = set()
    fits: dict[tuple[str, Shape, int, int], FittedProbe] = {}
    for dataset, (shape, initial, batch) in shapes.items():
        mine, theirs = runs.get(dataset, (list(models), list(strategies)))
        for model in mine:
            model_spec = models[model]
            for strategy in theirs:
                strategy_spec = strategies[strategy]
                query = strategy_spec["query"]
                user = builtin_name(query) is None
                key = (model, strategy, shape, initial, batch if user else PROBE_BATCH)
                if key in done:
                    continue
                done.add(key)
                spec = {"candidate_subsample": candidate_subsample, **strategy_spec}
                record = None
                if probed is not None:
                    record = probed.key(*key[2:], specs=[model_spec, spec])
                    if probed.passed(record):
                        continue
                slow = f"strategy {strategy!r} with model {model!r} (data set {dataset!r})"
                try:
                    with _told_if_slow(notify, slow):
                        fit = (model, shape, initial, probe_pool(spec, batch)[1])
                        if fit not in fits:
                            fits[fit] = fit_probe(model, model_spec, *fit[1:])
                        reason = probe(
                            model, model_spec, strategy, spec, shape, initial, batch, fits[fit]
                        )
                except ConfigError as error:
                    raise ConfigError(str(error).replace("{dataset}", repr(dataset))) from None
                if reason is None and record is not None:
                    probed.add(record)
                if reason is not None and user:
                    raise ConfigError(
                        f"strategies.{strategy}: {query} fails the conformance check with "
                        f"model {model!r} on data of the shape of data set {dataset!r} "
                        f"({shape.describe()}, {initial} labelled): {reason}"
                    )
                if reason is not None:
                    raise ConfigError(
                        f"strategies.{strategy}: {query} cannot query with "
                        f"model {model!r} on data set {dataset!r} ({shape.describe()}): "
                        f"{reason}. Drop the pair, or give what it needs{hint(query)}"
                    )


# A probe (a fit and a query or three on a few dozen rows) still running after this many seconds
# is told to the user: its strategy or model will be slow in every cell too.
SLOW_PROBE_S = 3.0


@contextlib.contextmanager
def _told_if_slow(notify: Callable[[str], None] | None, what: str) -> Iterator[None]:
    """Tell `notify` about the probe of `what` if it runs longer than SLOW_PROBE_S, and how long
    it took once done."""
    if notify is None:
        yield
        return
    start = time.perf_counter()
    timer = threading.Timer(
        SLOW_PROBE_S,
        notify,
        [f"checking {what}: still querying after {SLOW_PROBE_S:g} s on a few dozen rows"],
    )
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        took = time.perf_counter() - start
        if took >= SLOW_PROBE_S:
            notify(f"checking {what} took {took:.1f} s: expect its cells to be slow too")


# What the regression strategies that need a predictive distribution are told.
DISTRIBUTION = (
    " (a regressor with a predictive distribution: one whose predict takes return_std, e.g. "
    "sklearn.gaussian_process.GaussianProcessRegressor or sklearn.linear_model.BayesianRidge, "
    "which albench wraps as scikit-activeml's SklearnNormalRegressor; or "
    "skactiveml.regressor.NICKernelRegressor)"
)
HINTS = {
    "ExpectedModelVarianceReduction": DISTRIBUTION,
    "ExpectedModelOutputChange": DISTRIBUTION,
    "KLDivergenceMaximization": DISTRIBUTION,
    "RegressionTreeBasedAL": " (a sklearn.tree.DecisionTreeRegressor model, best with "
    "min_samples_leaf of 2 or more)",
    "ProbabilisticAL": " (a model with predict_freq, e.g. skactiveml.classifier."
    "ParzenWindowClassifier, or params: {metric: rbf})",
    "EpistemicUncertaintySampling": " (a binary task, and a ParzenWindowClassifier, "
    "LogisticRegression or SklearnClassifier model)",
}


def hint(query: str) -> str:
    """Return what strategy class `query` is known to need, for the error message."""
    return HINTS.get(query, "")
