"""The `sklearn` source: the data sets bundled with scikit-learn."""

from __future__ import annotations

from typing import Any

from albench.data.datasets import Dataset, validate_dataset
from albench.data.sources.base import Shape, Source, register
from albench.errors import DataError
from albench.tasks import CLASSIFICATION, REGRESSION

# Rows and shape of each bundled data set, so configs are checked without importing
# scikit-learn at workflow start-up (tests check them against the loaders); no classes: a
# regression task (its target is a number).
BUNDLED: dict[str, tuple[int, Shape]] = {
    "iris": (150, Shape(4, 3)),
    "wine": (178, Shape(13, 3)),
    "breast_cancer": (569, Shape(30, 2)),
    "digits": (1797, Shape(64, 10)),
    "diabetes": (442, Shape(10, 0)),
}


@register
class Bundled(Source):
    name = "sklearn"

    def task(self, spec: dict[str, Any]) -> str:
        known = BUNDLED.get(spec["name"])
        return spec.get("task", known[1].task if known else CLASSIFICATION)

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        return BUNDLED[spec["name"]][0] if spec["name"] in BUNDLED else None

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        return BUNDLED[spec["name"]][1] if spec["name"] in BUNDLED else None

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        import sklearn.datasets

        loader_name = spec["name"]
        if loader_name not in BUNDLED:
            raise DataError(
                f"datasets.{name}.name: {loader_name!r} is not a bundled scikit-learn data set; "
                f"choose one of {sorted(BUNDLED)}"
            )
        bunch = getattr(sklearn.datasets, f"load_{loader_name}")()
        task = self.task(spec)
        if task == REGRESSION:
            return validate_dataset(name, bunch.data, bunch.target, task=task)
        names = [str(n) for n in bunch.get("target_names", [])] or None
        return validate_dataset(name, bunch.data, bunch.target, names)
