"""Scikit-learn estimators built from config, wrapped for scikit-activeml."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from skactiveml.base import SkactivemlClassifier
from skactiveml.classifier import SklearnClassifier
from sklearn.base import BaseEstimator, is_classifier

from albench.errors import ConfigError

MISSING_LABEL = np.nan


def import_object(path: str, key: str) -> Any:
    """Return the object at dotted import `path`; ConfigError naming config `key` if missing."""
    module_name, _, attr = path.rpartition(".")
    if not module_name:
        raise ConfigError(f"{key}: {path!r} is not a dotted path such as sklearn.svm.SVC")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{key}: cannot import module {module_name!r} ({exc})") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(f"{key}: module {module_name!r} has no {attr!r}") from None


def build_estimator(key: str, spec: dict[str, Any], random_state: int) -> BaseEstimator:
    """Return the estimator of model spec `spec` (config key `key`), seeded with `random_state`.

    The seed is set only where the estimator takes one and the user did not set it:
    scikit-activeml's wrapper does not pass its own seed on to the estimator.
    """
    cls = import_object(spec["estimator"], f"{key}.estimator")
    params = dict(spec.get("params", {}))
    try:
        estimator = cls(**params)
    except TypeError as exc:
        raise ConfigError(f"{key}.params: {spec['estimator']} rejected them: {exc}") from exc
    if not is_classifier(estimator):
        raise ConfigError(f"{key}.estimator: {spec['estimator']} is not a classifier")
    if "random_state" in estimator.get_params() and "random_state" not in params:
        estimator.set_params(random_state=random_state)
    return estimator


def wrap_classifier(estimator: BaseEstimator, n_classes: int, random_state: int):
    """Return `estimator` wrapped for scikit-activeml, with all classes declared up front.

    Declaring `classes` keeps the probability width fixed while some classes are unlabelled.
    scikit-activeml's own classifiers (ParzenWindowClassifier, MixtureModelClassifier) are used
    as they are, with the same classes declared.
    """
    if isinstance(estimator, SkactivemlClassifier):
        return estimator.set_params(classes=np.arange(n_classes), missing_label=MISSING_LABEL)
    return SklearnClassifier(
        estimator,
        classes=np.arange(n_classes),
        missing_label=MISSING_LABEL,
        random_state=random_state,
    )
