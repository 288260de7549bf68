"""Data in: the data sources of the config's `datasets:` entries, one module and one class
each (`base.Source`, found by its `source:` name in `base.SOURCES`), and what the workflow asks
of any of them: a data set's size and shape before any job runs, its rows, and the files it is
read from.

Sources: `sklearn` (bundled), `synthetic`, `file`, `openml`, `image_folder`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from albench.data.datasets import Dataset, write_dataset

# Each module registers its source when imported.
from albench.data.sources import bundled, file, image_folder, openml, synthetic  # noqa: F401
from albench.data.sources.base import SOURCES, Shape, Source, register, source_of
from albench.data.sources.bundled import BUNDLED
from albench.data.sources.image_folder import (
    image_files,
    image_manifest,
    image_size,
    manifest_path,
    write_image_manifest,
)
from albench.data.sources.openml import (
    OPENML_LABEL,
    download_openml,
    openml_cache_path,
    openml_downloads,
)
from albench.data.sources.tabular import (
    label_values,
    read_table_file,
    table_columns,
    table_features,
)
from albench.io.logs import collecting_warnings
from albench.specs import DatasetSpec

__all__ = [
    "BUNDLED",
    "OPENML_LABEL",
    "SOURCES",
    "Shape",
    "Source",
    "check_dataset",
    "dataset_inputs",
    "dataset_shape",
    "dataset_task",
    "download_openml",
    "image_files",
    "image_manifest",
    "image_size",
    "known_size",
    "label_values",
    "load_dataset",
    "manifest_path",
    "openml_cache_path",
    "openml_downloads",
    "prepare_dataset",
    "read_table_file",
    "register",
    "table_columns",
    "table_features",
    "task_hint",
    "write_image_manifest",
]


def known_size(spec: dict[str, Any], name: str = "data") -> int | None:
    """Return the number of labelled samples `spec` yields, when it is cheap to know.

    Files are checked here too (existence, label column), so a config naming a missing file or
    column fails before any job runs.
    """
    return source_of(name, spec).size(name, spec)


def dataset_task(name: str, spec: dict[str, Any]) -> str:
    """Return data set `name`'s task (`albench.tasks`): its config's `task`, else its source's
    (scikit-learn's diabetes and the regression generators are regression tasks)."""
    return source_of(name, spec).task(spec)


def task_hint(name: str, spec: dict[str, Any]) -> str | None:
    """Return a warning when data set `name` has no `task` and its labels look like a numeric
    target (cheap sources only), else None."""
    return source_of(name, spec).task_hint(name, spec)


def check_dataset(name: str, spec: dict[str, Any]) -> None:
    """Raise DataError naming the key if data set `name`'s rows cannot be used as they are
    (`Source.check`: a table's identifier, date or free-text columns)."""
    source_of(name, spec).check(name, spec)


def dataset_shape(name: str, spec: dict[str, Any]) -> Shape | None:
    """Return data set `name`'s shape when it is cheap to know (None for an uncached OpenML
    set)."""
    return source_of(name, spec).shape(name, spec)


def load_dataset(name: str, spec: dict[str, Any]) -> Dataset:
    """Return data set `name` loaded from its config `spec`, validated and label-encoded."""
    return source_of(name, spec).load(name, spec)


def dataset_inputs(name: str, spec: dict[str, Any], update: bool = True) -> list[str]:
    """Return the files data set `name` is prepared from (none for generated data), so that
    Snakemake reruns its preparation when one changes. For an image folder, brings its
    manifest up to date first when `update` (the process that plans the run; jobs that run one
    step need not)."""
    return source_of(name, spec).inputs(name, spec, update)


def prepare_dataset(dataset: DatasetSpec, data: str | Path) -> Dataset:
    """Load `dataset` from its source, validate it and write its prepared form to `data`. The
    files the source reads are the rule's input (`dataset_inputs`), so that editing them reruns
    this job; the source finds them from the spec."""
    with collecting_warnings() as warnings:
        prepared = load_dataset(dataset.name, dataset.source)
    write_dataset(prepared, data, warnings)
    return prepared
