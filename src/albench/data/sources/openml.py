"""The `openml` source: an OpenML data set, read from its cache file (one Parquet file per
data set), which its own job downloads where Snakemake runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from albench.data.datasets import Dataset, validate_dataset
from albench.data.sources.base import Shape, Source, register
from albench.data.sources.tabular import table_features, table_shape, task_hint
from albench.errors import DataError
from albench.io.parquet import write_table
from albench.specs import DatasetSpec

OPENML_LABEL = "__label__"
DEFAULT_OPENML_CACHE = "resources/openml"


@register
class OpenML(Source):
    name = "openml"

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        path = openml_cache_path(spec)
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else None

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        path = openml_cache_path(spec)
        if not path.exists():
            return None
        labels = pd.read_parquet(path, columns=[OPENML_LABEL])[OPENML_LABEL]
        return table_shape(spec, path, labels, OPENML_LABEL)

    def task_hint(self, name: str, spec: dict[str, Any]) -> str | None:
        path = openml_cache_path(spec)
        if not path.exists():
            return None
        labels = pd.read_parquet(path, columns=[OPENML_LABEL])[OPENML_LABEL]
        return task_hint(name, spec, labels)

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        frame = load_openml(name, spec)
        X, y, names = table_features(name, frame, OPENML_LABEL, spec)
        return validate_dataset(name, X, y, names, task=self.task(spec))

    def inputs(self, name: str, spec: dict[str, Any], update: bool = True) -> list[str]:
        return [str(openml_cache_path(spec))]


def openml_cache_path(spec: dict[str, Any]) -> Path:
    """Return where OpenML data set `spec["id"]` is cached as Parquet."""
    return Path(spec.get("cache_dir", DEFAULT_OPENML_CACHE)) / f"{int(spec['id'])}.parquet"


def load_openml(name: str, spec: dict[str, Any]) -> pd.DataFrame:
    """Return OpenML data set `spec["id"]` as a frame, from the cache or downloaded into it."""
    path = openml_cache_path(spec)
    if not path.exists():
        download_openml(path, DatasetSpec(name=name, source=spec))
    return pd.read_parquet(path)


def download_openml(cache: str | Path, dataset: DatasetSpec) -> None:
    """Download OpenML data set `dataset` (its source's `id`) into the cache file `cache`.

    The cache holds one Parquet file per data set: its feature columns and the target in
    column `__label__`. Offline, the error says where to put that file.
    """
    from sklearn.datasets import fetch_openml

    path, name, spec = Path(cache), dataset.name, dataset.source

    try:
        bunch = fetch_openml(data_id=int(spec["id"]), as_frame=True, parser="auto")
    except Exception as exc:  # noqa: BLE001 - offline, unknown id, server error alike
        raise DataError(
            f"datasets.{name}: OpenML data set {spec['id']} is not cached at {str(path)!r} "
            f"and could not be downloaded ({type(exc).__name__}: {exc}). On a machine with "
            "internet access, run the workflow once (or prepare_dataset) and copy that file "
            f"here; or write a Parquet file there with the feature columns and the target "
            f"in column {OPENML_LABEL!r}."
        ) from exc
    frame = bunch.frame.drop(columns=bunch.target_names)
    frame[OPENML_LABEL] = bunch.target
    write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def openml_downloads(datasets: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Return {cache file: (data set name, spec)} of the config's OpenML data sets, the outputs
    of the download jobs (one per cache file, shared by data sets naming the same id)."""
    return {
        str(openml_cache_path(spec)): (name, spec)
        for name, spec in datasets.items()
        if spec["source"] == "openml"
    }
