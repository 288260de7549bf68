"""scikit-activeml query strategies built from config, behind one calling convention.

A strategy's `query` signature says what it needs; this module supplies it:

| needs (query argument)   | supplied                                                        |
|--------------------------|-----------------------------------------------------------------|
| `clf` / `fit_clf`        | the cell's model, already fitted this iteration (`fit_clf=False`)|
| `estimator` (Clue)       | the same, with `fit_estimator=False`                             |
| `ensemble`               | the model itself when it is an ensemble (`estimators_`), else a  |
|                          | bagging committee of it; configurable with `ensemble:`           |
| `discriminator`          | a logistic regression, configurable with `discriminator:`        |
| `reg` (regression only)  | refused: albench benchmarks classifiers                         |

Constructor arguments are filled where the class takes them and the config did not set them:
`classes` (all classes of the data set), `n_classes`, and the seed of the clustering algorithm
inside `cluster_algo_dict` (DropQuery, Clue, TypiClust and ProbCover otherwise ignore
`random_state` there).
"""

from __future__ import annotations

import inspect
import logging
import warnings
from typing import Any

import numpy as np
import skactiveml.pool
from sklearn.base import clone

from albench.errors import ConfigError
from albench.learn.models import EMBEDDING_FLAG, MISSING_LABEL, build_estimator, wrap_classifier

# Query strategies whose cost grows with the cube of the pool (or worse): usable, with a warning.
EXPENSIVE = {"Quire", "MonteCarloEER", "ValueOfInformationEER", "EpistemicUncertaintySampling"}
EXPENSIVE_METHODS = {("UncertaintySampling", "expected_average_precision")}
# Strategies that cannot reuse a fitted classifier (they refit per candidate).
FITS_OWN_CLF = {"MonteCarloEER", "ValueOfInformationEER"}
# Not pool query strategies for a single annotator's classification labels.
NOT_STRATEGIES = {
    "ParallelUtilityEstimationWrapper": "a wrapper; use candidate_subsample for sub-sampling",
    "SubSamplingWrapper": "a wrapper; use candidate_subsample instead",
    "ExpectedErrorReduction": "an abstract base; use MonteCarloEER or ValueOfInformationEER",
}
REGRESSION_ARGS = {"reg", "fit_reg"}
# Strategies whose batches can repeat a sample when their scores are degenerate.
REPEATS_WHEN_DEGENERATE = {"Badge", "BatchBALD"}

log = logging.getLogger("albench")

DEFAULT_DISCRIMINATOR = {"estimator": "sklearn.linear_model.LogisticRegression", "params": {}}
DEFAULT_BAGGING_MEMBERS = 10


def strategy_class(name: str, spec: dict[str, Any]) -> type:
    """Return the skactiveml.pool class of strategy `name`, or raise ConfigError why not."""
    key = f"strategies.{name}.query"
    query = spec["query"]
    cls = getattr(skactiveml.pool, query, None)
    if query in NOT_STRATEGIES:
        raise ConfigError(f"{key}: {query} is {NOT_STRATEGIES[query]}")
    if not inspect.isclass(cls) or not hasattr(cls, "query"):
        raise ConfigError(f"{key}: {query!r} is not a query strategy of skactiveml.pool")
    query_args = set(inspect.signature(cls.query).parameters)
    if query_args & REGRESSION_ARGS:
        raise ConfigError(
            f"{key}: {query} is a regression strategy (its query takes a regressor `reg`); "
            "albench benchmarks classifiers"
        )
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = set(spec.get("params", {})) - accepted
    if unknown:
        raise ConfigError(
            f"strategies.{name}.params: {query} does not accept {sorted(unknown)}; "
            f"it accepts {sorted(accepted - {'missing_label', 'random_state'})}"
        )
    return cls


def needs_probabilities(cls: type) -> bool:
    """Return whether strategy class `cls` queries with a model's probabilities."""
    return bool({"clf", "estimator", "ensemble"} & set(inspect.signature(cls.query).parameters))


class Strategy:
    """A pool query strategy that selects `batch_size` unlabelled rows of `X` per call."""

    def __init__(
        self,
        name: str,
        spec: dict[str, Any],
        random_state: int,
        n_classes: int,
        embeddings: bool = False,
    ):
        """Build strategy `name` from its config `spec`.

        With `embeddings` (the model's predict_proba takes `return_embeddings`), strategies that
        accept learned representations get them unless the config set another flag.
        """
        cls = strategy_class(name, spec)
        self.name = name
        self.spec = spec
        self.random_state = random_state
        self.n_classes = n_classes
        params = dict(spec.get("params", {}))
        accepted = inspect.signature(cls.__init__).parameters
        if "classes" in accepted and "classes" not in params:
            params["classes"] = np.arange(n_classes)
        if "n_classes" in accepted and "n_classes" not in params:
            params["n_classes"] = n_classes
        if embeddings and "clf_embedding_flag_name" in accepted:
            params.setdefault("clf_embedding_flag_name", EMBEDDING_FLAG)
        if "cluster_algo_dict" in accepted:
            cluster = dict(params.get("cluster_algo_dict") or {})
            cluster.setdefault("random_state", random_state)
            params["cluster_algo_dict"] = cluster
        if spec["query"] in EXPENSIVE or (spec["query"], params.get("method")) in EXPENSIVE_METHODS:
            warnings.warn(
                f"strategy {name!r} ({spec['query']}) costs O(pool^3) or more per query; "
                "use candidate_subsample for pools beyond a few hundred samples",
                stacklevel=2,
            )
        try:
            qs = cls(**params, missing_label=MISSING_LABEL, random_state=random_state)
        except TypeError as exc:
            raise ConfigError(
                f"strategies.{name}.params: {spec['query']} rejected them: {exc}"
            ) from exc
        self._query_args = set(inspect.signature(qs.query).parameters)
        subsample = spec.get("candidate_subsample")
        if subsample is not None:
            qs = skactiveml.pool.SubSamplingWrapper(
                query_strategy=qs,
                max_candidates=subsample,
                missing_label=MISSING_LABEL,
                random_state=random_state,
            )
        self.qs = qs

    def _ensemble(self, clf: Any) -> tuple[Any, bool]:
        """Return (committee, whether the strategy must fit it) for committee strategies."""
        option = self.spec.get("ensemble", "auto")
        estimator = getattr(clf, "estimator_", None)
        if option == "model" or (option == "auto" and hasattr(estimator, "estimators_")):
            if not hasattr(estimator, "estimators_"):
                raise ConfigError(
                    f"strategies.{self.name}.ensemble: 'model' needs an ensemble model "
                    "(one with estimators_, e.g. a random forest)"
                )
            return clf, False
        if isinstance(option, dict) and "models" in option:
            key = f"strategies.{self.name}.ensemble.models"
            members = [
                self._wrap(build_estimator(f"{key}[{i}]", spec, (self.random_state + i) % 2**32))
                for i, spec in enumerate(option["models"])
            ]
            return members, True
        from sklearn.ensemble import BaggingClassifier

        members = option["bagging"] if isinstance(option, dict) else DEFAULT_BAGGING_MEMBERS
        base = getattr(clf, "estimator", None)
        if base is None:
            raise ConfigError(
                f"strategies.{self.name}.ensemble: bagging needs a scikit-learn model; "
                "give ensemble: {models: [...]} instead"
            )
        bagging = BaggingClassifier(
            clone(base), n_estimators=members, random_state=self.random_state
        )
        return self._wrap(bagging), True

    def _wrap(self, estimator: Any) -> Any:
        return wrap_classifier(estimator, self.n_classes, self.random_state)

    def _discriminator(self, clf: Any) -> Any:
        spec = self.spec.get("discriminator", DEFAULT_DISCRIMINATOR)
        key = f"strategies.{self.name}.discriminator"
        return self._wrap(build_estimator(key, spec, self.random_state))

    def query(self, X: np.ndarray, y: np.ndarray, clf: Any, batch_size: int) -> np.ndarray:
        """Return the row indices of `X` to label next, as an int array of `batch_size`.

        `clf` has been fitted on exactly (X, y) this iteration: the strategy reuses it rather
        than fitting again.
        """
        args = self._query_args
        kwargs: dict[str, Any] = {}
        if "clf" in args:
            # Error-reduction strategies refit clones per candidate and must index the training
            # set themselves, which a fitted clf cannot tell them: they fit their own copy.
            kwargs.update(clf=clf, fit_clf=self.spec["query"] in FITS_OWN_CLF)
        if "estimator" in args:
            kwargs.update(estimator=clf, fit_estimator=False)
        if "ensemble" in args:
            committee, fit = self._ensemble(clf)
            kwargs.update(ensemble=committee, fit_ensemble=fit)
        if "discriminator" in args:
            kwargs["discriminator"] = self._discriminator(clf)
        # Badge returns a list, the other strategies an array.
        picked = np.asarray(self.qs.query(X, y, batch_size=batch_size, **kwargs), dtype=np.int64)
        if self.spec["query"] in REPEATS_WHEN_DEGENERATE:
            picked = self._complete_batch(picked, y, batch_size)
        return picked

    def _complete_batch(self, picked: np.ndarray, y: np.ndarray, batch_size: int):
        """Replace the repeats Badge and BatchBALD return when their scores are degenerate.

        scikit-activeml 1.0.1's Badge falls back to a uniform draw when every D^2 is zero (e.g.
        a model certain of every pool sample), but that fallback resets the distances of the
        centres already chosen, so later draws can repeat them. BatchBALD's greedy step takes
        the arg-max of utilities that are all NaN when every member is certain (a forest's 0/1
        probabilities), and picks the same row again, or a labelled one. The intent of both is
        a uniform draw among the unlabelled samples not yet chosen; this completes the batch
        that way, seeded.
        """
        unique = [i for i in dict.fromkeys(picked.tolist()) if np.isnan(y[i])]
        if len(unique) == batch_size:
            return picked
        rest = np.setdiff1d(np.flatnonzero(np.isnan(y)), unique)
        rng = np.random.default_rng([self.random_state, int(np.sum(~np.isnan(y)))])
        extra = rng.choice(rest, size=batch_size - len(unique), replace=False)
        log.warning(
            "strategy %r: %s repeated %d sample(s) or picked labelled ones (degenerate scores); "
            "completed the batch uniformly at random",
            self.name,
            self.spec["query"],
            batch_size - len(unique),
        )
        return np.concatenate([unique, extra]).astype(np.int64)
