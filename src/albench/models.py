"""Scikit-learn estimators built from config, wrapped for scikit-activeml."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from skactiveml.classifier import SklearnClassifier
from sklearn.base import BaseEstimator, is_classifier

from albench.errors import ConfigError

MISSING_LABEL = np.nan


def build_estimator(name: str, spec: dict[str, Any], random_state: int) -> BaseEstimator:
    """Return the estimator of model `name`, seeded with `random_state` unless the user set one.

    scikit-activeml's wrapper does not pass its seed on to the estimator, so the cell seeds the
    estimator itself.
    """
    key = f"models.{name}"
    module_name, _, attr = spec["estimator"].rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"{key}.estimator: cannot import {spec['estimator']!r} ({exc})") from exc
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
    """
    return SklearnClassifier(
        estimator,
        classes=np.arange(n_classes),
        missing_label=MISSING_LABEL,
        random_state=random_state,
    )
