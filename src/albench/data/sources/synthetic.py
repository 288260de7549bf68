"""The `synthetic` source: data drawn by a scikit-learn `make_*` generator."""

from __future__ import annotations

from typing import Any

from albench.data.datasets import Dataset, validate_dataset
from albench.data.sources.base import Shape, Source, register
from albench.errors import DataError
from albench.tasks import CLASSIFICATION, REGRESSION

# The generators of a numeric target (the others draw classes).
REGRESSION_GENERATORS = {
    "make_regression",
    "make_friedman1",
    "make_friedman2",
    "make_friedman3",
    "make_sparse_uncorrelated",
}


@register
class Synthetic(Source):
    name = "synthetic"

    def task(self, spec: dict[str, Any]) -> str:
        natural = REGRESSION if spec["generator"] in REGRESSION_GENERATORS else CLASSIFICATION
        return spec.get("task", natural)

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        n = spec.get("params", {}).get("n_samples", 100)
        # Generators such as make_moons accept an (n_class0, n_class1) tuple.
        return int(sum(n)) if isinstance(n, list | tuple) else int(n)

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        data = self.load(name, spec)
        return Shape(data.X.shape[1], data.n_classes)  # no classes: regression

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        import sklearn.datasets

        generator = spec["generator"]
        make = getattr(sklearn.datasets, generator, None)
        if not generator.startswith("make_") or make is None:
            raise DataError(
                f"datasets.{name}.generator: {generator!r} is not a sklearn.datasets.make_* "
                "generator"
            )
        params = dict(spec.get("params", {}))
        params.setdefault("random_state", spec.get("seed", 0))
        if isinstance(params.get("n_samples"), list):
            # YAML has no tuples; generators take per-class counts as a tuple.
            params["n_samples"] = tuple(params["n_samples"])
        try:
            out = make(**params)
        except TypeError as exc:
            raise DataError(
                f"datasets.{name}.params: {generator} rejected the params: {exc}"
            ) from exc
        return validate_dataset(name, out[0], out[1], task=self.task(spec))
