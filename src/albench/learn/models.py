"""Scikit-learn estimators built from config, wrapped for scikit-activeml."""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any

import numpy as np
from skactiveml.base import SkactivemlClassifier, SkactivemlRegressor
from skactiveml.classifier import SklearnClassifier
from skactiveml.regressor import SklearnNormalRegressor, SklearnRegressor
from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network._base import ACTIVATIONS
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_array, check_is_fitted

from albench.errors import AlbenchError, ConfigError
from albench.tasks import CLASSIFICATION, REGRESSION
from albench.usercode import import_object

MISSING_LABEL = np.nan
EMBEDDING_FLAG = "return_embeddings"


def _instantiate(key: str, spec: dict[str, Any], random_state: int) -> BaseEstimator:
    cls = import_object(spec["estimator"], f"{key}.estimator")
    params = dict(spec.get("params", {}))
    try:
        estimator = cls(**params)
    except TypeError as exc:
        raise ConfigError(f"{key}.params: {spec['estimator']} rejected them: {exc}") from exc
    if "random_state" in estimator.get_params(deep=False) and "random_state" not in params:
        estimator.set_params(random_state=random_state)
    return estimator


def build_estimator(
    key: str, spec: dict[str, Any], random_state: int, task: str | None = CLASSIFICATION
) -> BaseEstimator:
    """Return the model of spec `spec` (config key `key`), seeded with `random_state`: a
    classifier, or a regressor for a regression `task` (None: either).

    `spec` names one `estimator` with `params`, or a pipeline as a list of `steps`, each an
    estimator with params, the last a classifier or regressor. The seed is set only where an
    estimator takes one and the user did not set it: scikit-activeml's wrapper does not pass its
    seed on.
    """
    if "steps" in spec:
        steps = [
            _instantiate(f"{key}.steps[{i}]", step, random_state)
            for i, step in enumerate(spec["steps"])
        ]
        estimator = make_pipeline(*steps)
        described = " -> ".join(step["estimator"] for step in spec["steps"])
    else:
        estimator = _instantiate(key, spec, random_state)
        described = spec["estimator"]
    kind = estimator_task(estimator)
    if kind is None:
        raise ConfigError(f"{key}: {described} is neither a classifier nor a regressor")
    if task is not None and kind != task:
        wanted = "classifier" if task == CLASSIFICATION else "regressor"
        raise ConfigError(f"{key}: {described} is not a {wanted} (it is a {kind} model)")
    return estimator


def estimator_task(estimator: BaseEstimator) -> str | None:
    """Return the task `estimator` learns (`albench.tasks`), or None if neither."""
    if is_classifier(estimator) or isinstance(estimator, SkactivemlClassifier):
        return CLASSIFICATION
    if is_regressor(estimator) or isinstance(estimator, SkactivemlRegressor):
        return REGRESSION
    return None


def model_task(key: str, spec: dict[str, Any]) -> str:
    """Return the task of model spec `spec` (config key `key`): classification for a
    classifier, regression for a regressor; ConfigError naming `key` for anything else."""
    return estimator_task(build_estimator(key, spec, random_state=0, task=None))


def gives_probabilities(estimator: BaseEstimator) -> bool:
    """Return whether `estimator` has `predict_proba` (SVC only with probability=True)."""
    return hasattr(estimator, "predict_proba")


def gives_embeddings(estimator: BaseEstimator) -> bool:
    """Return whether `estimator.predict_proba` takes `return_embeddings` (learned features)."""
    method = getattr(estimator, "predict_proba", None)
    return method is not None and EMBEDDING_FLAG in inspect.signature(method).parameters


def takes_validation(estimator: BaseEstimator) -> bool:
    """Return whether `estimator.fit` takes a validation set as `X_val` and `y_val`."""
    parameters = inspect.signature(estimator.fit).parameters
    return "X_val" in parameters and "y_val" in parameters


class EmbeddingMLPClassifier(MLPClassifier):
    """scikit-learn's MLP whose `predict_proba` can also return its last hidden layer.

    `predict_proba(X, return_embeddings=True)` returns `(proba, embeddings)`, the interface
    scikit-activeml's Badge, DropQuery and ContrastiveAL use for learned representations.
    """

    def embed(self, X: Any) -> np.ndarray:
        """Return the activations of the last hidden layer for `X`."""
        check_is_fitted(self)
        hidden = check_array(X, dtype=np.float64)
        for weights, bias in zip(self.coefs_[:-1], self.intercepts_[:-1], strict=True):
            hidden = hidden @ weights + bias
            ACTIVATIONS[self.activation](hidden)  # in place
        return hidden

    def predict_proba(self, X: Any, return_embeddings: bool = False):
        """Return class probabilities, and the embeddings too if `return_embeddings`."""
        proba = super().predict_proba(X)
        return (proba, self.embed(X)) if return_embeddings else proba


class EmbeddingSklearnClassifier(SklearnClassifier):
    """scikit-activeml's wrapper, passing `return_embeddings` through to the estimator."""

    def predict_proba(self, X: Any, return_embeddings: bool = False, **kwargs):
        proba = super().predict_proba(X, **kwargs)
        if not return_embeddings:
            return proba
        if self.is_fitted_:
            return proba, self.estimator_.embed(X)
        # Fallback model (fit failed): raw features stand in for the embeddings.
        return proba, check_array(X, dtype=np.float64)


def wrap_classifier(estimator: BaseEstimator, n_classes: int, random_state: int):
    """Return `estimator` wrapped for scikit-activeml, with all classes declared up front.

    Declaring `classes` keeps the probability width fixed while some classes are unlabelled.
    scikit-activeml's own classifiers (ParzenWindowClassifier, MixtureModelClassifier) are used
    as they are, with the same classes declared.
    """
    if isinstance(estimator, SkactivemlClassifier):
        return estimator.set_params(classes=np.arange(n_classes), missing_label=MISSING_LABEL)
    wrapper = EmbeddingSklearnClassifier if gives_embeddings(estimator) else SklearnClassifier
    return wrapper(
        estimator,
        classes=np.arange(n_classes),
        missing_label=MISSING_LABEL,
        random_state=random_state,
    )


def gives_std(estimator: BaseEstimator) -> bool:
    """Return whether regressor `estimator` predicts a standard deviation (`predict` takes
    `return_std`, as GaussianProcessRegressor and BayesianRidge): a normal predictive
    distribution for the strategies that need one."""
    if isinstance(estimator, SkactivemlRegressor):
        return hasattr(estimator, "predict_target_distribution")
    parameters = inspect.signature(estimator.predict).parameters
    return "return_std" in parameters


def wrap_regressor(estimator: BaseEstimator, random_state: int):
    """Return regressor `estimator` wrapped for scikit-activeml: scikit-activeml's own
    regressors (NICKernelRegressor) as they are, a regressor with a predictive standard
    deviation (`gives_std`) as SklearnNormalRegressor (a normal predictive distribution, which
    ExpectedModelVarianceReduction, KLDivergenceMaximization and ExpectedModelOutputChange
    need), any other as SklearnRegressor."""
    if isinstance(estimator, SkactivemlRegressor):
        return estimator.set_params(missing_label=MISSING_LABEL)
    wrapper = SklearnNormalRegressor if gives_std(estimator) else SklearnRegressor
    return wrapper(estimator, missing_label=MISSING_LABEL, random_state=random_state)


def wrap_model(estimator: BaseEstimator, n_classes: int, random_state: int):
    """Return `estimator` wrapped for scikit-activeml: as a classifier of `n_classes` classes,
    or as a regressor when `n_classes` is 0 (a regression task)."""
    if n_classes == 0:
        return wrap_regressor(estimator, random_state)
    return wrap_classifier(estimator, n_classes, random_state)


class ModelFitError(AlbenchError, RuntimeError):
    """A model could not be fitted where a cold start does not explain it."""


_FALLBACK = re.compile(r"could not be fitted because of '(.*)'\. Therefore", re.DOTALL)


def labelled_classes(y: np.ndarray) -> int:
    """Return how many classes the labels revealed in `y` (NaN: unlabelled) cover. A fit that
    fails with fewer than two is a cold start; with two or more it is an error."""
    return len(np.unique(y[~np.isnan(y)]))


def fit_or_fallback(clf: Any, X: np.ndarray, y: np.ndarray, **fit_kwargs: Any) -> str | None:
    """Fit scikit-activeml classifier `clf`; return the fit's error text if it fell back.

    scikit-activeml's wrapper catches any exception of the estimator's fit, warns, and then
    predicts label frequencies. This returns that exception's text (None when the fit
    succeeded) instead of the warning, so callers decide what a failed fit means. Other
    warnings of the fit pass through unchanged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y, **fit_kwargs)
    error = None
    for warning in caught:
        match = _FALLBACK.search(str(warning.message))
        if match:
            error = match[1]
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if error is None and not getattr(clf, "is_fitted_", True):
        error = "unknown error (scikit-activeml's fit fell back to label frequencies)"
    return error


def model_params(clf: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """The model's parameters: by scikit-learn's contract its public attributes not ending in
    `_`, and those of the estimators it wraps (`estimator__C`), to tell whether a query changed
    one (`set_params`). Read from the objects' attributes: `get_params` costs 100 times more."""
    params = {}
    for key, value in vars(clf).items():
        if key.startswith("_") or key.endswith("_"):
            continue
        params[prefix + key] = value
        if depth < 3 and hasattr(value, "get_params") and not isinstance(value, type):
            params.update(model_params(value, f"{prefix}{key}__", depth + 1))
    return params


def changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys whose values differ (objects: not the same object, or not equal)."""
    changed = []
    for key in before.keys() | after.keys():
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old is new:
            continue
        try:
            same = bool(old == new)
        except Exception:  # noqa: BLE001 - arrays and the like: compared by identity above
            same = False
        if not same:
            changed.append(key)
    return sorted(changed)


_MISSING = object()


def fitted_arrays(clf: Any, prefix: str = "", depth: int = 0) -> dict[str, np.ndarray]:
    """Copies of the model's fitted arrays (public attributes ending in `_`, as `coef_`), and
    those of the fitted estimators it holds (`estimator_.coef_`), to tell whether a query
    changed the fitted model."""
    arrays = {}
    for key, value in vars(clf).items():
        if key.startswith("_") or not key.endswith("_"):
            continue
        if isinstance(value, np.ndarray):
            arrays[prefix + key] = value.copy()
        elif depth < 3 and hasattr(value, "get_params") and not isinstance(value, type):
            arrays.update(fitted_arrays(value, f"{prefix}{key}.", depth + 1))
    return arrays


def changed_arrays(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> list[str]:
    """The keys of `fitted_arrays` whose arrays differ, are new or are gone."""
    changed = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None or new is None or old.shape != new.shape:
            changed.append(key)
        elif not np.array_equal(old, new, equal_nan=old.dtype.kind in "fc"):
            changed.append(key)
    return changed
