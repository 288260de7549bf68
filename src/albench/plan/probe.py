"""Probe queries at config check: every model x strategy pair queries once on tiny data of each
data set's shape, so a combination that cannot run is refused before any cell starts.

A strategy can be valid on its own and still fail with a model (ProbabilisticAL needs a model
with `predict_freq` or a `metric`; EpistemicUncertaintySampling only takes binary tasks with
some models), and a model can fail to fit on data of a shape. The probe builds the model and
the strategy exactly as a cell does, fits on a labelled set the size of the protocol's initial
set, and queries a small batch from a small pool of Gaussian blobs with the data set's number of
classes and features (its image shape for image folders). Probes are shared by data sets of one
shape and cost milliseconds each for scikit-learn models; models with an `epochs` parameter
train one epoch.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from albench.data.sources.base import Shape
from albench.errors import ConfigError

PROBE_BATCH = 2
PROBE_POOL = 20


def probe_data(
    shape: Shape, initial: int, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (X, y, y_seen): Gaussian blobs of `shape`, `initial` rows labelled in `y_seen`.

    The labelled rows cover min(initial, classes) classes, as the protocol's initial set does.
    """
    rng = np.random.default_rng(random_state)
    n = initial + PROBE_POOL
    y = np.arange(n) % shape.n_classes
    centres = rng.normal(scale=3.0, size=(shape.n_classes, shape.n_features))
    X = centres[y] + rng.normal(size=(n, shape.n_features))
    if shape.image_shape is not None:  # pixel values, as image data sets hold
        X = np.clip(X * 20 + 128, 0, 255)
    y_seen = np.full(n, np.nan)
    y_seen[:initial] = y[:initial]
    return X, y, y_seen


def probe(
    model: str,
    model_spec: dict[str, Any],
    strategy: str,
    strategy_spec: dict[str, Any],
    shape: Shape,
    initial: int,
) -> str | None:
    """Return why `strategy` cannot query with `model` on data of `shape` (None if it can).

    A model that cannot be fitted at all raises ConfigError naming `models.<model>` (with a
    `{dataset}` placeholder that `probe_grid` fills).
    """
    from albench.learn.models import (
        build_estimator,
        fit_or_fallback,
        gives_embeddings,
        labelled_classes,
        wrap_classifier,
    )
    from albench.learn.strategies import Strategy

    X, y, y_seen = probe_data(shape, initial)
    estimator = build_estimator(f"models.{model}", model_spec, random_state=0)
    params = estimator.get_params(deep=False)
    overrides = {"image_shape": shape.image_shape, "threads": 1, "epochs": 1}
    estimator.set_params(**{k: v for k, v in overrides.items() if k in params and v is not None})
    clf = wrap_classifier(estimator, shape.n_classes, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = fit_or_fallback(clf, X, y_seen)
        if error is not None and labelled_classes(y_seen) >= 2:
            raise ConfigError(
                f"models.{model}: cannot be fitted on {initial} labels of data of the shape "
                f"of {{dataset}} ({shape.describe()}): {error}"
            )
        qs = Strategy(strategy, strategy_spec, 0, shape.n_classes, gives_embeddings(estimator))
        try:
            picked = qs.query(X, y_seen, clf, PROBE_BATCH)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the query raises is the reason
            return f"{type(exc).__name__}: {exc}"
    if len(set(picked.tolist())) != PROBE_BATCH or not np.isnan(y_seen[picked]).all():
        return f"its query returned {picked.tolist()}, not {PROBE_BATCH} distinct pool rows"
    return None


def probe_grid(
    models: dict[str, Any],
    strategies: dict[str, Any],
    shapes: dict[str, tuple[Shape, int]],
    candidate_subsample: Any = None,
) -> None:
    """Raise ConfigError naming the first model x strategy x data set that cannot query.

    `shapes` maps data set names to (shape, initial labelled count); data sets of one shape
    and initial count share their probes.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # tiny data: BLAS threads only cost start-up
        _probe_each(models, strategies, shapes, candidate_subsample)


def _probe_each(
    models: dict[str, Any],
    strategies: dict[str, Any],
    shapes: dict[str, tuple[Shape, int]],
    candidate_subsample: Any,
) -> None:
    done: set[tuple[str, str, Shape, int]] = set()
    for dataset, (shape, initial) in shapes.items():
        for model, model_spec in models.items():
            for strategy, strategy_spec in strategies.items():
                key = (model, strategy, shape, initial)
                if key in done:
                    continue
                done.add(key)
                spec = {"candidate_subsample": candidate_subsample, **strategy_spec}
                try:
                    reason = probe(model, model_spec, strategy, spec, shape, initial)
                except ConfigError as error:
                    raise ConfigError(str(error).replace("{dataset}", repr(dataset))) from None
                if reason is not None:
                    raise ConfigError(
                        f"strategies.{strategy}: {strategy_spec['query']} cannot query with "
                        f"model {model!r} on data set {dataset!r} ({shape.describe()}): "
                        f"{reason}. Drop the pair, or give what it needs"
                        f"{hint(strategy_spec['query'])}"
                    )


HINTS = {
    "ProbabilisticAL": " (a model with predict_freq, e.g. skactiveml.classifier."
    "ParzenWindowClassifier, or params: {metric: rbf})",
    "EpistemicUncertaintySampling": " (a binary task, and a ParzenWindowClassifier, "
    "LogisticRegression or SklearnClassifier model)",
}


def hint(query: str) -> str:
    """Return what strategy class `query` is known to need, for the error message."""
    return HINTS.get(query, "")
