"""The `file` source: a CSV, TSV or Parquet table with a label column."""

from __future__ import annotations

from typing import Any

from albench.data.datasets import Dataset, regression_target, validate_dataset
from albench.data.sources.base import Shape, Source, register
from albench.data.sources.tabular import (
    check_feature_columns,
    read_table_file,
    table_features,
    table_shape,
    task_hint,
)
from albench.errors import DataError
from albench.tasks import REGRESSION


@register
class File(Source):
    name = "file"

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        labels = read_table_file(name, spec, columns=[spec["label"]])[spec["label"]]
        if labels.notna().sum() == 0:
            raise DataError(
                f"datasets.{name}.label: column {spec['label']!r} of {spec['path']!r} holds "
                "no label"
            )
        if self.task(spec) == REGRESSION:
            regression_target(name, labels.to_numpy())  # refused now, not in its job
        return int(labels.notna().sum())

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        label = spec["label"]
        labels = read_table_file(name, spec, columns=[label])[label]
        return table_shape(spec, spec["path"], labels, label)

    def task_hint(self, name: str, spec: dict[str, Any]) -> str | None:
        label = spec["label"]
        return task_hint(name, spec, read_table_file(name, spec, columns=[label])[label])

    def check(self, name: str, spec: dict[str, Any]) -> None:
        check_feature_columns(name, read_table_file(name, spec), spec["label"], spec)

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        frame = read_table_file(name, spec)
        check_feature_columns(name, frame, spec["label"], spec)
        X, y, names = table_features(name, frame, spec["label"], spec)
        return validate_dataset(name, X, y, names, task=self.task(spec))

    def inputs(self, name: str, spec: dict[str, Any], update: bool = True) -> list[str]:
        return [spec["path"]]
