"""What a data source is: one class per `source:` of the config, found by name in SOURCES.

A source answers four questions about a data set of its kind (`name` is the data set's name in
the config, `spec` its entry): how many labelled rows it has and what shape its rows have, when
that is cheap to know (the config check uses both before any job runs); its rows (the
prepare_dataset job); and the files it reads (the rule's input, so that editing one reruns the
data set's preparation). Adding a source is one module in this package with one `@register`ed
class, imported by `albench/sources/__init__.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from albench.data.datasets import Dataset
from albench.errors import DataError
from albench.tasks import CLASSIFICATION, REGRESSION


@dataclass(frozen=True)
class Shape:
    """What a probe needs to know of a data set: feature count, class count (0: a regression
    task), image shape."""

    n_features: int
    n_classes: int
    image_shape: tuple[int, int, int] | None = None

    @property
    def task(self) -> str:
        """The data set's task: regression where it has no classes."""
        return REGRESSION if self.n_classes == 0 else CLASSIFICATION

    def describe(self) -> str:
        if self.task == REGRESSION:
            return f"a numeric target, {self.n_features} features"
        if self.image_shape is not None:
            return f"{self.n_classes} classes, images of {'x'.join(map(str, self.image_shape))}"
        return f"{self.n_classes} classes, {self.n_features} features"


class Source:
    """A kind of data source (`source: NAME` in a data set's config entry)."""

    name: ClassVar[str]

    def task(self, spec: dict[str, Any]) -> str:
        """Return the task of a data set of this source: its config's `task`, else the
        source's own (classification unless overridden)."""
        return spec.get("task", CLASSIFICATION)

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        """Return the number of labelled rows, when it is cheap to know (else None). Checks
        what can be checked cheaply (files exist, columns are there) on the way."""
        return None

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        """Return the rows' shape, when it is cheap to know (else None)."""
        return None

    def task_hint(self, name: str, spec: dict[str, Any]) -> str | None:
        """Return a warning when the data set has no `task` and its labels look like a numeric
        target, when that is cheap to know (else None)."""
        return None

    def check(self, name: str, spec: dict[str, Any]) -> None:
        """Raise DataError naming the key if the data set's rows cannot be used as they are (a
        table's identifier, date or free-text columns), when that can be known before its
        preparation job; the config check calls it once per config and data file."""

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        """Return the data set, validated and label-encoded."""
        raise NotImplementedError

    def inputs(self, name: str, spec: dict[str, Any], update: bool = True) -> list[str]:
        """Return the files the data set is read from (none for generated data); `update`
        brings files this source derives (a manifest) up to date first."""
        return []


SOURCES: dict[str, Source] = {}


def register(cls: type[Source]) -> type[Source]:
    """Make `cls` the source of `source: cls.name`."""
    SOURCES[cls.name] = cls()
    return cls


def source_of(name: str, spec: dict[str, Any]) -> Source:
    """Return the source of data set `name`'s config `spec`."""
    try:
        return SOURCES[spec["source"]]
    except KeyError:
        raise DataError(
            f"datasets.{name}.source: unknown source {spec['source']!r}; "
            f"known: {', '.join(sorted(SOURCES))}"
        ) from None
