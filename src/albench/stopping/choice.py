"""The config's stopping criteria (`stopping:`): which run, with which parameters, checked before
any cell runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from albench.errors import ConfigError
from albench.stopping.criteria import CRITERIA, Chosen, Record
from albench.stopping.record import POOL_COLUMNS, SELECTED_COLUMNS

DEFAULT_COSTS = [[1000, 1]]
DEFAULT_PLATEAU = 0.01


def criteria_config(stopping: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Return the config's criteria as {name: {criterion, params}} with every default filled:
    the listed ones, or every built-in criterion that needs no parameter."""
    listed = (stopping or {}).get("criteria")
    if listed is None:
        listed = {name: {} for name, c in CRITERIA.items() if c.default}
    filled = {}
    for name, entry in listed.items():
        entry = dict(entry or {})
        criterion = entry.get("criterion", name)
        params = dict(entry.get("params") or {})
        if criterion in CRITERIA:
            params = {**CRITERIA[criterion].defaults(), **params}
        filled[name] = {"criterion": criterion, "params": params}
    return filled


def chosen_criteria(criteria: dict[str, dict[str, Any]]) -> list[Chosen]:
    """Return the criteria of `criteria_config` as functions with their parameters (a user's
    imported by path); ConfigError naming the key where one cannot be."""
    from albench.usercode import import_object

    chosen = []
    for name, entry in criteria.items():
        key = f"stopping.criteria.{name}"
        criterion, params = entry["criterion"], entry["params"]
        if criterion in CRITERIA:
            _check_params(key, criterion, params)
            chosen.append(Chosen(name, CRITERIA[criterion].function, params, criterion))
            continue
        if "." not in criterion:
            raise ConfigError(
                f"{key}: unknown criterion {criterion!r}; the built-in ones are "
                f"{sorted(CRITERIA)}, or give criterion: module.function (your own)"
            )
        function = import_object(criterion, f"{key}.criterion")
        if not callable(function):
            raise ConfigError(f"{key}.criterion: {criterion!r} is not a function")
        chosen.append(Chosen(name, function, params))
    return chosen


def _check_params(key: str, criterion: str, params: dict[str, Any]) -> None:
    known = CRITERIA[criterion].params
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ConfigError(
            f"{key}.params: {criterion} does not take {unknown}; it takes {sorted(known)}"
        )
    for param, spec in known.items():
        if param not in params:
            raise ConfigError(f"{key}.params.{param}: {criterion} needs it")
        problem = spec.problem(params[param])
        if problem is not None:
            raise ConfigError(f"{key}.params.{param}: {problem}")


def check_stopping(config: dict[str, Any]) -> None:
    """Raise ConfigError naming the key if the config's stopping criteria cannot run: unknown
    names, parameters a criterion does not take or out of its range, and a user's criterion
    that does not import, raises or answers other than one decision per iteration on an
    example record."""
    stopping = config.get("stopping") or {}
    # The schema makes each cost a pair of numbers, none negative.
    for i, cost in enumerate(stopping.get("costs", DEFAULT_COSTS)):
        if cost[0] == 0:
            raise ConfigError(
                f"stopping.costs[{i}]: {cost!r}: the misclassification cost must be positive "
                "(with 0, stopping at once is always optimal)"
            )
    example = example_record()
    for chosen in chosen_criteria(criteria_config(stopping)):
        if chosen.builtin is not None:
            continue
        try:
            chosen.decisions(example)
        except Exception as error:  # noqa: BLE001 - whatever it raises is the reason
            raise ConfigError(
                f"stopping.criteria.{chosen.name}: {type(error).__name__}: {error} (on an example "
                f"record of {len(example)} iterations; a criterion takes a Record and returns "
                "one bool per iteration, see docs/stopping.md)"
            ) from None


def example_record(iterations: int = 12, stop_set: int = 40, n_classes: int = 3) -> Record:
    """A record of the shape cells write, with predictions settling down and uncertainty
    falling, to check a user's criterion on."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, n_classes, stop_set)
    predictions = np.array(
        [
            np.where(
                rng.random(stop_set) < 0.5 / (i + 1), rng.integers(0, n_classes, stop_set), truth
            )
            for i in range(iterations)
        ],
        dtype=np.int16,
    )
    falling = np.linspace(0.8, 0.05, iterations)
    stats = pd.DataFrame(
        {"iteration": np.arange(iterations), "n_labeled": 10 + 10 * np.arange(iterations)}
    )
    for column in [*POOL_COLUMNS, *SELECTED_COLUMNS]:
        stats[column] = falling
    stats.loc[0, SELECTED_COLUMNS] = np.nan
    return Record(stats, predictions, n_classes)
