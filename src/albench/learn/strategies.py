"""scikit-activeml query strategies built from config, behind one calling convention.

A strategy's `query` signature says what it needs; this module supplies it:

| needs (query argument)   | supplied                                                        |
|--------------------------|-----------------------------------------------------------------|
| `clf` / `fit_clf`        | the cell's model, already fitted this iteration (`fit_clf=False`)|
| `estimator` (Clue)       | the same, with `fit_estimator=False`                             |
| `ensemble`               | the model itself when it is an ensemble (`estimators_`), else a  |
|                          | bagging committee of it; configurable with `ensemble:`           |
| `discriminator`          | a logistic regression, configurable with `discriminator:`        |
| `reg` / `fit_reg`        | the cell's regressor, already fitted this iteration (`fit_reg=False`)|

A strategy runs on the data sets of the tasks its query fits (`strategy_tasks`): one that takes
a regressor `reg` on regression data sets, one that takes a classifier (or needs classes) on
classification data sets, one that reads only the features (random, GreedySamplingX, CoreSet,
TypiClust) and QueryByCommittee (a committee of either) on both.

Constructor arguments are filled where the class takes them and the config did not set them:
`classes` (all classes of the data set), `n_classes`, and the seed of the clustering algorithm
inside `cluster_algo_dict` (DropQuery, Clue, TypiClust and ProbCover otherwise ignore
`random_state` there).

A user's own strategy (`query:` a dotted import path, `albench.usercode`) is a class with
scikit-activeml's pool interface, or a plain function, and gets the same, as far as its
signature takes it (see `user_strategy` and docs/strategies.md).
"""

from __future__ import annotations

import inspect
import logging
import warnings
from typing import Any

import numpy as np
import skactiveml.pool
from skactiveml.base import SingleAnnotatorPoolQueryStrategy
from sklearn.base import clone

from albench.errors import AlbenchError, ConfigError
from albench.learn.models import EMBEDDING_FLAG, MISSING_LABEL, build_estimator, wrap_model
from albench.tasks import CLASSIFICATION, REGRESSION, TASKS
from albench.usercode import BUILTIN_STRATEGIES, import_object

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
# What a query takes that makes it a strategy of one task only (`strategy_tasks`).
REGRESSION_ARGS = {"reg", "fit_reg"}
CLASSIFICATION_ARGS = {"clf", "fit_clf", "estimator", "discriminator", "ensemble"}
CLASSIFICATION_INIT_ARGS = {"classes", "n_classes", "cost_matrix"}
# Committee strategies whose committee may be regressors as well as classifiers.
EITHER_TASK = {"QueryByCommittee"}
# Strategies whose batches can repeat a sample, or come up short, when their scores are
# degenerate.
REPEATS_WHEN_DEGENERATE = {"Badge", "BatchBALD", "RegressionTreeBasedAL"}

log = logging.getLogger("albench")

DEFAULT_DISCRIMINATOR = {"estimator": "sklearn.linear_model.LogisticRegression", "params": {}}
DEFAULT_BAGGING_MEMBERS = 10


def builtin_name(query: str) -> str | None:
    """Return the skactiveml.pool class name that `query` names (`Badge`,
    `skactiveml.pool.Badge`), or None for a user's import path."""
    module, _, name = query.rpartition(".")
    return name if module in ("", BUILTIN_STRATEGIES) else None


def strategy_class(name: str, spec: dict[str, Any]) -> Any:
    """Return the class (or a user's query function) of strategy `name`, or raise
    ConfigError why it cannot be one."""
    key = f"strategies.{name}.query"
    query = builtin_name(spec["query"])
    if query is None:
        return user_strategy(name, spec)
    cls = getattr(skactiveml.pool, query, None)
    if query in NOT_STRATEGIES:
        raise ConfigError(f"{key}: {query} is {NOT_STRATEGIES[query]}")
    if not inspect.isclass(cls) or not hasattr(cls, "query"):
        raise ConfigError(f"{key}: {query!r} is not a query strategy of skactiveml.pool")
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = set(spec.get("params", {})) - accepted
    if unknown:
        raise ConfigError(
            f"strategies.{name}.params: {query} does not accept {sorted(unknown)}; "
            f"it accepts {sorted(accepted - {'missing_label', 'random_state'})}"
        )
    return cls


def strategy_tasks(name: str, spec: dict[str, Any]) -> tuple[str, ...]:
    """Return the tasks (`albench.tasks`) strategy `name` can query on, from what its query
    takes: a regressor `reg` (regression), a classifier or classes (classification), neither
    (both; QueryByCommittee's committee may be either). ConfigError as `strategy_class`."""
    cls = strategy_class(name, spec)
    query = builtin_name(spec["query"])
    if query in EITHER_TASK:
        return TASKS
    method = cls.query if inspect.isclass(cls) else cls
    takes = set(signature_of(method))
    if inspect.isclass(cls) and query is not None:
        takes |= set(signature_of(cls.__init__)) & CLASSIFICATION_INIT_ARGS
    if takes & REGRESSION_ARGS:
        return (REGRESSION,)
    if takes & (CLASSIFICATION_ARGS | CLASSIFICATION_INIT_ARGS):
        return (CLASSIFICATION,)
    return TASKS


# What albench gives a user's query method (by name, where its signature takes them) ...
METHOD_ARGS = {"X", "y", "clf", "fit_clf", "candidates", "batch_size", "return_utilities"}
METHOD_ARGS |= {"estimator", "fit_estimator", "ensemble", "fit_ensemble", "discriminator"}
METHOD_ARGS |= {"reg", "fit_reg"}
# ... and a user's query function.
FUNCTION_ARGS = {"X", "y", "clf", "batch_size", "random_state", "missing_label", "candidates"}
FUNCTION_ARGS |= {"classes", "n_classes", "embeddings", "reg"}
INTERFACE = (
    "a strategy is a class whose query(X, y, clf, ..., batch_size) returns the row indices to "
    "label, as scikit-activeml's SingleAnnotatorPoolQueryStrategy, or a function "
    "query(X, y, clf, batch_size, random_state, ...) that returns them (a regression strategy "
    "takes the regressor as `reg` instead of `clf`)"
)


def user_strategy(name: str, spec: dict[str, Any]) -> Any:
    """Return the class or function a user's strategy `name` imports, after checking what can
    be checked without running it: it is a class with a `query` method or a function, it does
    not take the name of a built-in, its query asks only for what albench gives, and its
    constructor (a function: its query) takes the `params`."""
    key = f"strategies.{name}.query"
    query = spec["query"]
    obj = import_object(query, key)
    if inspect.isclass(obj):
        if not callable(getattr(obj, "query", None)):
            raise ConfigError(f"{key}: {query} has no query method; {INTERFACE}")
        if hasattr(skactiveml.pool, obj.__name__):
            raise ConfigError(
                f"{key}: {query} has the name of scikit-activeml's built-in {obj.__name__}; "
                "rename the class, so that its results cannot be taken for the built-in's"
            )
        method, supplied, takes_params = obj.query, METHOD_ARGS, obj
    elif inspect.isfunction(obj):
        method, supplied, takes_params = obj, FUNCTION_ARGS, obj
    else:
        raise ConfigError(f"{key}: {query} is neither a class nor a function; {INTERFACE}")
    parameters = signature_of(method)
    params = set(spec.get("params", {}))
    required = [
        p.name
        for p in parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    own = params if method is takes_params else set()
    missing = [arg for arg in required if arg not in supplied and arg not in own]
    if missing:
        raise ConfigError(
            f"{key}: {query}'s query needs {missing}, which albench does not give; it gives "
            f"{sorted(supplied)}" + (" and the strategy's params" if method is takes_params else "")
        )
    accepted = signature_of(takes_params)
    if method is takes_params and params & supplied:
        raise ConfigError(
            f"strategies.{name}.params: {sorted(params & supplied)} are given by albench, "
            "not set in the config"
        )
    if not _takes_any_keyword(accepted):
        unknown = params - set(accepted)
        if unknown:
            raise ConfigError(
                f"strategies.{name}.params: {query} does not accept {sorted(unknown)}; it "
                f"accepts {sorted(set(accepted) - supplied - {'missing_label', 'random_state'})}"
            )
    return obj


def signature_of(function: Any) -> dict[str, inspect.Parameter]:
    """Return the parameters of `function` by name, without `self`."""
    parameters = dict(inspect.signature(function).parameters)
    parameters.pop("self", None)
    return parameters


def _takes_any_keyword(parameters: dict[str, inspect.Parameter]) -> bool:
    return any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def accepted_kwargs(function: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return the items of `kwargs` that `function` takes (all of them if it takes **kwargs),
    as scikit-activeml's `call_func` does."""
    parameters = signature_of(function)
    if _takes_any_keyword(parameters):
        return kwargs
    return {name: value for name, value in kwargs.items() if name in parameters}


def needs_probabilities(cls: Any) -> bool:
    """Return whether built-in strategy class `cls` queries with a model's probabilities
    (a user's strategy is not assumed to: the conformance check finds out)."""
    if not inspect.isclass(cls) or cls.__module__.partition(".")[0] != "skactiveml":
        return False
    return bool({"clf", "estimator", "ensemble"} & set(inspect.signature(cls.query).parameters))


def _wrappable(qs: Any, query_args: dict[str, inspect.Parameter]) -> bool:
    """Return whether scikit-activeml's SubSamplingWrapper can call user strategy `qs` (whose
    query takes `query_args`): it passes candidates, and return_utilities to classes."""
    if "candidates" not in query_args:
        return False
    if isinstance(qs, QueryFunction):
        return True
    return isinstance(qs, SingleAnnotatorPoolQueryStrategy) and "return_utilities" in query_args


def batch_fault(
    picked: np.ndarray, y: np.ndarray, batch: int, candidates: np.ndarray | None = None
) -> str | None:
    """Return how `picked` is not a batch of `batch` distinct unlabelled rows of `y` (among
    `candidates` when given), or None: what every query must return (checked by the loop at
    every query, by the probe and by the conformance check)."""
    if len(picked) != batch:
        return f"returned {len(picked)} indices for a batch of {batch}"
    values, counts = np.unique(picked, return_counts=True)
    if (counts > 1).any():
        return f"returned row {values[counts > 1][0]} {counts.max()} times in one batch"
    outside = picked[(picked < 0) | (picked >= len(y))]
    if len(outside):
        return (
            f"returned row {outside[0]}, which is not a row of X ({len(y)} rows: the labelled "
            "set and the pool; test rows are never given)"
        )
    labelled = picked[~np.isnan(y[picked])]
    if len(labelled):
        return f"returned labelled row {labelled[0]}"
    if candidates is not None:
        foreign = picked[~np.isin(picked, candidates)]
        if len(foreign):
            return f"returned row {foreign[0]}, which is not among the candidates it was given"
    return None


class QueryContractError(AlbenchError, RuntimeError):
    """A user's strategy returned something that is not a batch of row indices (`reason`)."""

    def __init__(self, strategy: str, reason: str):
        super().__init__(f"strategy {strategy!r} {reason}")
        self.reason = reason


class QueryFunction(SingleAnnotatorPoolQueryStrategy):
    """A user's query function behind scikit-activeml's interface (so that albench and
    scikit-activeml's SubSamplingWrapper call it as any strategy).

    The function gets, where its signature takes them: `X`, `y` (NaN: unlabelled), the fitted model
    `clf` (a regressor also as `reg`), `batch_size`, `candidates` (None: every unlabelled row),
    `random_state` (an int derived from the cell's seed and the number of labels, so each query
    draws afresh and a rerun draws the same), `missing_label`, `classes`, `n_classes`, `embeddings`
    (the model's learned representation of `X` when it gives one, else None), and the config's
    `params`.
    """

    def __init__(
        self,
        function: Any = None,
        params: dict[str, Any] | None = None,
        n_classes: int = 2,
        embeddings: bool = False,
        missing_label: Any = MISSING_LABEL,
        random_state: Any = None,
    ):
        super().__init__(missing_label=missing_label, random_state=random_state)
        self.function = function
        self.params = params
        self.n_classes = n_classes
        self.embeddings = embeddings

    def query(
        self,
        X: Any,
        y: Any,
        clf: Any = None,
        fit_clf: bool = False,
        candidates: Any = None,
        batch_size: int = 1,
        return_utilities: bool = False,
        reg: Any = None,
        fit_reg: bool = False,
    ) -> Any:
        if return_utilities:
            raise NotImplementedError("a query function returns no utilities")
        clf = reg if clf is None else clf  # a regressor arrives as either
        labelled = int(np.sum(~np.isnan(np.asarray(y, dtype=float))))
        seed = np.random.SeedSequence([int(self.random_state), labelled]).generate_state(1)[0]
        given = {
            "X": X,
            "y": y,
            "clf": clf,
            "reg": clf,
            "batch_size": batch_size,
            "candidates": candidates,
            "random_state": int(seed),
            "missing_label": self.missing_label,
            "classes": np.arange(self.n_classes) if self.n_classes else None,
            "n_classes": self.n_classes or None,
        }
        if "embeddings" in signature_of(self.function):
            given["embeddings"] = (
                clf.predict_proba(X, return_embeddings=True)[1] if self.embeddings else None
            )
        return self.function(**accepted_kwargs(self.function, given), **(self.params or {}))


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
        """Build strategy `name` from its config `spec`, for data of `n_classes` classes (0: a
        regression task).

        With `embeddings` (the model's predict_proba takes `return_embeddings`), strategies that
        accept learned representations get them unless the config set another flag.
        """
        cls = strategy_class(name, spec)
        self.name = name
        self.spec = spec
        self.random_state = random_state
        self.n_classes = n_classes
        self.builtin = builtin_name(spec["query"])
        params = dict(spec.get("params", {}))
        if inspect.isclass(cls):
            qs = self._instance(cls, params, embeddings)
            self._query_args = signature_of(qs.query)
        else:
            self._query_args = signature_of(cls)
            qs = QueryFunction(cls, params, n_classes, embeddings, random_state=random_state)
        subsample = spec.get("candidate_subsample")
        if subsample is not None:
            if self.builtin is None and not _wrappable(qs, self._query_args):
                raise ConfigError(
                    f"strategies.{name}: protocol.candidate_subsample needs a strategy whose "
                    "query takes candidates (a SingleAnnotatorPoolQueryStrategy with its query's "
                    f"candidates and return_utilities, or a function); {spec['query']} is not one"
                )
            qs = skactiveml.pool.SubSamplingWrapper(
                query_strategy=qs,
                max_candidates=subsample,
                missing_label=MISSING_LABEL,
                random_state=random_state,
            )
        self.qs = qs

    @property
    def takes_candidates(self) -> bool:
        """Whether the strategy's query takes `candidates`."""
        return "candidates" in self._query_args

    def _instance(self, cls: type, params: dict[str, Any], embeddings: bool) -> Any:
        """Return strategy class `cls` built with `params` and what albench fills in."""
        accepted = inspect.signature(cls.__init__).parameters
        if self.n_classes and "classes" in accepted and "classes" not in params:
            params["classes"] = np.arange(self.n_classes)
        if self.n_classes and "n_classes" in accepted and "n_classes" not in params:
            params["n_classes"] = self.n_classes
        if embeddings and "clf_embedding_flag_name" in accepted:
            params.setdefault("clf_embedding_flag_name", EMBEDDING_FLAG)
        if "cluster_algo_dict" in accepted:
            cluster = dict(params.get("cluster_algo_dict") or {})
            cluster.setdefault("random_state", self.random_state)
            params["cluster_algo_dict"] = cluster
        query = self.builtin
        if query in EXPENSIVE or (query, params.get("method")) in EXPENSIVE_METHODS:
            warnings.warn(
                f"strategy {self.name!r} ({query}) costs O(pool^3) or more per query; "
                "use candidate_subsample for pools beyond a few hundred samples",
                stacklevel=3,
            )
        given = {"missing_label": MISSING_LABEL, "random_state": self.random_state}
        key = f"strategies.{self.name}.params"
        if query is not None:
            try:
                return cls(**params, **given)
            except TypeError as exc:
                raise ConfigError(f"{key}: {query} rejected them: {exc}") from exc
        try:
            return cls(**params, **accepted_kwargs(cls, given))
        except Exception as exc:  # noqa: BLE001 - a user's constructor may raise anything
            raise ConfigError(
                f"{key}: {self.spec['query']} rejected them: {type(exc).__name__}: {exc}"
            ) from exc

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
                self._wrap(
                    build_estimator(f"{key}[{i}]", spec, (self.random_state + i) % 2**32, self.task)
                )
                for i, spec in enumerate(option["models"])
            ]
            return members, True
        from sklearn.ensemble import BaggingClassifier, BaggingRegressor

        members = option["bagging"] if isinstance(option, dict) else DEFAULT_BAGGING_MEMBERS
        base = getattr(clf, "estimator", None)
        if base is None:
            raise ConfigError(
                f"strategies.{self.name}.ensemble: bagging needs a scikit-learn model; "
                "give ensemble: {models: [...]} instead"
            )
        bagging = (BaggingRegressor if self.task == REGRESSION else BaggingClassifier)(
            clone(base), n_estimators=members, random_state=self.random_state
        )
        return self._wrap(bagging), True

    @property
    def task(self) -> str:
        """The task of the data this strategy queries (regression where it has no classes)."""
        return REGRESSION if self.n_classes == 0 else CLASSIFICATION

    def _wrap(self, estimator: Any) -> Any:
        return wrap_model(estimator, self.n_classes, self.random_state)

    def _discriminator(self, clf: Any) -> Any:
        spec = self.spec.get("discriminator", DEFAULT_DISCRIMINATOR)
        key = f"strategies.{self.name}.discriminator"
        return self._wrap(build_estimator(key, spec, self.random_state))

    def query(
        self,
        X: np.ndarray,
        y: np.ndarray,
        clf: Any,
        batch_size: int,
        candidates: np.ndarray | None = None,
    ) -> np.ndarray:
        """Return the row indices of `X` to label next, as an int array of `batch_size`.

        `clf` (a classifier, or a regressor for a regression task) has been fitted on exactly (X, y)
        this iteration: the strategy reuses it rather than fitting again. `candidates` (row indices;
        None: every unlabelled row) only where the strategy's query takes them.
        """
        args = self._query_args
        kwargs: dict[str, Any] = {}
        if "clf" in args:
            # Error-reduction strategies refit clones per candidate and must index the training
            # set themselves, which a fitted clf cannot tell them: they fit their own copy.
            kwargs["clf"] = clf
            if "fit_clf" in args:
                kwargs["fit_clf"] = self.builtin in FITS_OWN_CLF
        if "reg" in args:
            kwargs["reg"] = clf
            if "fit_reg" in args:
                kwargs["fit_reg"] = False
        if "estimator" in args:
            kwargs.update(estimator=clf, fit_estimator=False)
        if "ensemble" in args:
            committee, fit = self._ensemble(clf)
            kwargs.update(ensemble=committee, fit_ensemble=fit)
        if "discriminator" in args:
            kwargs["discriminator"] = self._discriminator(clf)
        if candidates is not None and "candidates" in args:
            kwargs["candidates"] = candidates
        if self.builtin is not None:
            # Badge returns a list, RegressionTreeBasedAL a list of 1-element arrays, the other
            # strategies an array.
            picked = np.asarray(self.qs.query(X, y, batch_size=batch_size, **kwargs), np.int64)
            picked = picked.reshape(-1)
            if self.builtin in REPEATS_WHEN_DEGENERATE:
                picked = self._complete_batch(picked, y, batch_size)
            return picked
        given = {"batch_size": batch_size, **kwargs}
        if isinstance(self.qs, QueryFunction):
            given.update(clf=clf, fit_clf=False)  # it passes on what the function takes
        else:
            given = accepted_kwargs(self.qs.query, given)
        return self._indices(self.qs.query(X, y, **given))

    def _indices(self, returned: Any) -> np.ndarray:
        """Return a user strategy's answer as row indices, or raise QueryContractError."""
        if (
            isinstance(returned, tuple)
            and len(returned) == 2
            and all(np.ndim(part) >= 1 for part in returned)
        ):
            raise QueryContractError(
                self.name, "returned a pair (indices and utilities?); return only the indices"
            )
        picked = np.asarray(returned)
        if picked.size == 0:
            return np.empty(0, dtype=np.int64)
        if picked.ndim != 1:
            raise QueryContractError(
                self.name,
                f"returned an array of shape {picked.shape}, not a 1-D array of row indices",
            )
        if not np.issubdtype(picked.dtype, np.integer):
            raise QueryContractError(
                self.name, f"returned {picked.dtype} values, not integer row indices"
            )
        return picked.astype(np.int64)

    def _complete_batch(self, picked: np.ndarray, y: np.ndarray, batch_size: int):
        """Replace the repeats Badge and BatchBALD return when their scores are degenerate.

        scikit-activeml 1.0.1's Badge falls back to a uniform draw when every D^2 is zero (e.g.
        a model certain of every pool sample), but that fallback resets the distances of the
        centres already chosen, so later draws can repeat them. BatchBALD's greedy step takes
        the arg-max of utilities that are all NaN when every member is certain (a forest's 0/1
        probabilities), and picks the same row again, or a labelled one. RegressionTreeBasedAL
        spreads the batch over the tree's nodes by the target variance of their labelled rows:
        where every leaf holds one labelled row (a fully grown tree) all variances are zero and
        it spreads the batch over internal nodes too, which hold no candidate, and returns
        fewer rows. The intent of all three is a uniform draw among the unlabelled samples not
        yet chosen; this completes the batch that way, seeded.
        """
        unique = [i for i in dict.fromkeys(picked.tolist()) if np.isnan(y[i])]
        if len(unique) == batch_size:
            return picked
        rest = np.setdiff1d(np.flatnonzero(np.isnan(y)), unique)
        rng = np.random.default_rng([self.random_state, int(np.sum(~np.isnan(y)))])
        extra = rng.choice(rest, size=batch_size - len(unique), replace=False)
        log.warning(
            "strategy %r: %s repeated, picked labelled or left unfilled %d row(s) of its batch "
            "(degenerate scores); completed the batch uniformly at random",
            self.name,
            self.builtin,
            batch_size - len(unique),
        )
        return np.concatenate([unique, extra]).astype(np.int64)
