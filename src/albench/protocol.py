"""Protocol arithmetic: the sample counts a protocol means for a data set of a given size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from albench.errors import ConfigError


def resolve_size(value: int | float, n_samples: int, key: str) -> int:
    """Return `value` as a sample count: integers as given, fractions of `n_samples` rounded."""
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected an integer or a fraction, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"{key}: must be at least 1, got {value}")
        return value
    if not 0 < value < 1:
        raise ConfigError(f"{key}: a fraction must lie in (0, 1), got {value}")
    return max(1, round(value * n_samples))


DEFAULT_ITERATIONS = 20


@dataclass(frozen=True)
class Sizes:
    """A protocol's sample counts for one data set of `n_samples` labelled samples."""

    n_samples: int
    test: int
    validation: int
    initial: int
    batch: int
    iterations: int

    @property
    def learnable(self) -> int:
        """Rows the learner may label: neither test nor validation."""
        return self.n_samples - self.test - self.validation

    @property
    def final_labelled(self) -> int:
        """The labelled-set size at the last iteration."""
        return self.initial + self.iterations * self.batch


def resolve_protocol(protocol: dict[str, Any], n_samples: int, key: str = "protocol") -> Sizes:
    """Return the sample counts `protocol` (config key `key`, for errors) means for a data set
    of `n_samples`.

    Fractions are of the whole data set. The test size follows scikit-learn's
    `train_test_split` (rounded up). `budget`, the labelled-set size to reach, is an alternative
    to `iterations`: it gives as many full batches as fit after the initial set.
    """
    test = math.ceil(protocol["test_size"] * n_samples)
    validation_size = protocol.get("validation_size", 0)
    validation = 0
    if validation_size:
        validation = resolve_size(validation_size, n_samples, f"{key}.validation_size")
    initial = resolve_size(protocol["initial_size"], n_samples, f"{key}.initial_size")
    batch = resolve_size(protocol["batch_size"], n_samples, f"{key}.batch_size")
    if "budget" in protocol and "iterations" in protocol:
        raise ConfigError(f"{key}: give either iterations or budget, not both")
    if "budget" in protocol:
        budget = resolve_size(protocol["budget"], n_samples, f"{key}.budget")
        iterations = (budget - initial) // batch
        if iterations < 1:
            raise ConfigError(
                f"{key}.budget: {budget} labels leave no room for a batch of {batch} after "
                f"the initial {initial}"
            )
    else:
        iterations = protocol.get("iterations", DEFAULT_ITERATIONS)
    return Sizes(n_samples, test, validation, initial, batch, iterations)


def check_protocol_fits(
    name: str, protocol: dict[str, Any], n_samples: int, key: str = "protocol"
) -> None:
    """Raise ConfigError, naming config key `key`, unless initial + iterations x batch fits in
    data set `name`'s pool."""
    sizes = resolve_protocol(protocol, n_samples, key)
    needed = sizes.final_labelled
    if needed > sizes.learnable:
        raise ConfigError(
            f"{key}: data set {name!r} has {sizes.learnable} samples outside the test and "
            f"validation sets, but initial_size ({sizes.initial}) + iterations "
            f"({sizes.iterations}) x batch_size ({sizes.batch}) = {needed}; lower "
            f"{key}.iterations, budget or batch_size, or drop the data set"
        )
