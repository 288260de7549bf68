"""scikit-activeml query strategies built from config, behind one calling convention."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import skactiveml.pool

from albench.errors import ConfigError
from albench.models import MISSING_LABEL


class Strategy:
    """A pool query strategy that selects `batch_size` unlabelled rows of `X` per call."""

    def __init__(self, name: str, spec: dict[str, Any], random_state: int):
        key = f"strategies.{name}"
        cls = getattr(skactiveml.pool, spec["query"], None)
        if cls is None:
            raise ConfigError(f"{key}.query: {spec['query']!r} is not in skactiveml.pool")
        params = dict(spec.get("params", {}))
        try:
            self.qs = cls(**params, missing_label=MISSING_LABEL, random_state=random_state)
        except TypeError as exc:
            raise ConfigError(f"{key}.params: {spec['query']} rejected them: {exc}") from exc
        accepted = inspect.signature(self.qs.query).parameters
        self._takes_clf = "clf" in accepted
        self._takes_fit_clf = "fit_clf" in accepted

    def query(self, X: np.ndarray, y: np.ndarray, clf: Any, batch_size: int) -> np.ndarray:
        """Return the row indices of `X` to label next, as an int array of `batch_size`."""
        kwargs: dict[str, Any] = {"batch_size": batch_size}
        if self._takes_clf:
            kwargs["clf"] = clf
        if self._takes_fit_clf:
            # The loop has fitted `clf` on exactly (X, y) already: one fit per iteration.
            kwargs["fit_clf"] = False
        # Badge returns a list, the other strategies an array.
        return np.asarray(self.qs.query(X, y, **kwargs), dtype=np.int64)
