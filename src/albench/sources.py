"""The five data sources (scikit-learn, synthetic, file, OpenML, image folder): loading a data
set from its config entry, its size without loading it, and the OpenML download."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from albench.datasets import Dataset, validate_dataset, write_dataset
from albench.errors import DataError
from albench.parquet import write_table
from albench.specs import DatasetSpec

# Sizes of the data sets bundled with scikit-learn, so configs can be checked against them
# without importing scikit-learn at workflow start-up (tests check them against the loaders).
SKLEARN_SIZES: dict[str, int] = {"iris": 150, "wine": 178, "breast_cancer": 569, "digits": 1797}

OPENML_LABEL = "__label__"
DEFAULT_OPENML_CACHE = "resources/openml"

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
IMAGE_MODES = {"rgb": "RGB", "grayscale": "L"}

log = logging.getLogger("albench")


def known_size(spec: dict[str, Any], name: str = "data") -> int | None:
    """Return the number of labelled samples `spec` yields, when it is cheap to know.

    Files are checked here too (existence, label column), so a config naming a missing file or
    column fails before any job runs.
    """
    if spec["source"] == "sklearn":
        return SKLEARN_SIZES.get(spec["name"])
    if spec["source"] == "synthetic":
        n = spec.get("params", {}).get("n_samples", 100)
        # Generators such as make_moons accept an (n_class0, n_class1) tuple.
        return int(sum(n)) if isinstance(n, list | tuple) else int(n)
    if spec["source"] == "file":
        labels = read_table_file(name, spec, columns=[spec["label"]])[spec["label"]]
        if labels.notna().sum() == 0:
            raise DataError(
                f"datasets.{name}.label: column {spec['label']!r} of {spec['path']!r} holds "
                "no label"
            )
        return int(labels.notna().sum())
    if spec["source"] == "openml":
        path = openml_cache_path(spec)
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else None
    if spec["source"] == "image_folder":
        return sum(len(files) for files in image_files(name, spec).values())
    return None


def load_dataset(name: str, spec: dict[str, Any]) -> Dataset:
    """Return data set `name` loaded from its config `spec`, validated and label-encoded."""
    source = spec["source"]
    if source == "sklearn":
        X, y, label_names = _load_sklearn(name, spec)
    elif source == "synthetic":
        X, y, label_names = _load_synthetic(name, spec)
    elif source == "file":
        X, y, label_names = table_features(name, read_table_file(name, spec), spec["label"], spec)
    elif source == "openml":
        frame = load_openml(name, spec)
        X, y, label_names = table_features(name, frame, OPENML_LABEL, spec)
    elif source == "image_folder":
        X, y, shape = load_image_folder(name, spec)
        return replace(validate_dataset(name, X, y), image_shape=shape)
    else:
        raise DataError(f"datasets.{name}.source: unknown source {source!r}")
    return validate_dataset(name, X, y, label_names)


def image_files(name: str, spec: dict[str, Any]) -> dict[str, list[Path]]:
    """Return the image files of an image-folder data set by class (sub-folder), sorted.

    The folder holds one sub-folder per class; files with other extensions are ignored.
    """
    root = existing_path(name, spec, folder=True)
    key = f"datasets.{name}.path"
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(
            f"{key}: {str(root)!r} must hold one sub-folder of images per class; found "
            f"{len(classes)} sub-folder(s)"
        )
    files = {
        folder.name: sorted(
            f for f in folder.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS
        )
        for folder in classes
    }
    empty = [c for c, found in files.items() if not found]
    if empty:
        raise DataError(
            f"{key}: class folder(s) {empty} in {str(root)!r} hold no image "
            f"({', '.join(IMAGE_EXTENSIONS)})"
        )
    return files


def image_size(spec: dict[str, Any]) -> tuple[int, int]:
    """Return the (height, width) images of `spec` are resized to (config `size`, default 64)."""
    size = spec.get("size", 64)
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def load_image_folder(
    name: str, spec: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int]]:
    """Return (pixels, class names per image, image shape) of an image-folder data set.

    Every image is converted to the configured colour mode and resized (bilinear) to the
    configured size; rows hold the uint8 pixels flattened channels-first.
    """
    from PIL import Image, UnidentifiedImageError

    height, width = image_size(spec)
    mode = IMAGE_MODES[spec.get("color", "rgb")]
    channels = 3 if mode == "RGB" else 1
    by_class = image_files(name, spec)
    n = sum(len(files) for files in by_class.values())
    pixels = np.empty((n, channels, height, width), dtype=np.uint8)
    labels: list[str] = []
    for class_name, files in by_class.items():
        for path in files:
            try:
                with Image.open(path) as image:
                    image = image.convert(mode).resize((width, height), Image.Resampling.BILINEAR)
                    array = np.asarray(image, dtype=np.uint8)
            except (OSError, UnidentifiedImageError) as exc:
                raise DataError(f"datasets.{name}: cannot read image {str(path)!r}: {exc}") from exc
            row = len(labels)
            pixels[row] = array[None] if channels == 1 else array.transpose(2, 0, 1)
            labels.append(class_name)
    log.info("data set %r: %d images of %d classes, %s", name, n, len(by_class), pixels.shape[1:])
    return pixels.reshape(n, -1), np.asarray(labels), (channels, height, width)


def _load_sklearn(name: str, spec: dict[str, Any]):
    import sklearn.datasets

    loader_name = spec["name"]
    if loader_name not in SKLEARN_SIZES:
        raise DataError(
            f"datasets.{name}.name: {loader_name!r} is not a bundled scikit-learn data set; "
            f"choose one of {sorted(SKLEARN_SIZES)}"
        )
    bunch = getattr(sklearn.datasets, f"load_{loader_name}")()
    names = [str(n) for n in bunch.target_names]
    return bunch.data, bunch.target, names


def _load_synthetic(name: str, spec: dict[str, Any]):
    import sklearn.datasets

    generator = spec["generator"]
    make = getattr(sklearn.datasets, generator, None)
    if not generator.startswith("make_") or make is None:
        raise DataError(
            f"datasets.{name}.generator: {generator!r} is not a sklearn.datasets.make_* generator"
        )
    params = dict(spec.get("params", {}))
    params.setdefault("random_state", spec.get("seed", 0))
    if isinstance(params.get("n_samples"), list):
        # YAML has no tuples; generators take per-class counts as a tuple.
        params["n_samples"] = tuple(params["n_samples"])
    try:
        out = make(**params)
    except TypeError as exc:
        raise DataError(f"datasets.{name}.params: {generator} rejected the params: {exc}") from exc
    X, y = out[0], out[1]
    return X, y, None


def existing_path(name: str, spec: dict[str, Any], folder: bool = False) -> Path:
    """Return data set `name`'s `path`; DataError naming the key if no such file (folder)."""
    path = Path(spec["path"])
    if not (path.is_dir() if folder else path.is_file()):
        raise DataError(
            f"datasets.{name}.path: {'folder' if folder else 'file'} {str(path)!r} does not "
            "exist (paths are relative to the working directory)"
        )
    return path


def table_columns(path: str | Path) -> list[str]:
    """Return the column names of a CSV/TSV or Parquet file, from its header or schema only."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pq.ParquetFile(path).schema_arrow.names
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    return pd.read_csv(path, sep=sep, nrows=0).columns.tolist()


def read_table_file(
    name: str, spec: dict[str, Any], columns: list[str] | None = None
) -> pd.DataFrame:
    """Return the table of file data set `name` (only `columns` if given); DataError naming
    the key and the file if it is missing, unreadable, lacks a configured column or has no
    rows."""
    path = existing_path(name, spec)
    key = f"datasets.{name}.path"
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".csv", ".tsv", ".txt"}:
        raise DataError(f"{key}: {str(path)!r} is neither CSV (.csv, .tsv) nor Parquet (.parquet)")
    try:
        _check_columns(name, path, table_columns(path), spec)
        if suffix == ".parquet":
            frame = pd.read_parquet(path, columns=columns)
        else:
            frame = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", usecols=columns)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser error means the same to the user
        raise DataError(f"{key}: cannot read {str(path)!r}: {exc}") from exc
    if frame.empty:
        raise DataError(f"{key}: {str(path)!r} has no data rows (only a header)")
    return frame


def _check_columns(name: str, path: Path, available: list[str], spec: dict[str, Any]) -> None:
    for key, wanted in (("label", [spec.get("label")]), ("features", spec.get("features"))):
        missing = [c for c in wanted or [] if c is not None and c not in available]
        if missing:
            raise DataError(
                f"datasets.{name}.{key}: column(s) {missing} not in {str(path)!r}; "
                f"it has {available}"
            )


def table_features(
    name: str, frame: pd.DataFrame, label: str, spec: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, None]:
    """Return (X, y, None) from a table: label rows kept, features encoded; the label values
    name the classes (see `label_values`).

    Rows without a label are dropped and missing feature values imputed (median for numeric,
    most frequent for categorical columns), each with a warning that counts them. Categorical
    columns are one-hot encoded. A column that is mostly numbers but holds some text is refused:
    it is almost always a data error, not a category.
    """
    key = f"datasets.{name}"
    if label not in frame.columns:
        raise DataError(
            f"{key}.label: column {label!r} not in the data; it has {frame.columns.tolist()}"
        )
    _check_columns(name, Path(spec.get("path", "the data")), frame.columns.tolist(), spec)
    features = spec.get("features") or [c for c in frame.columns if c != label]
    missing_label = frame[label].isna()
    if missing_label.any():
        log.warning("data set %r: dropped %d row(s) without a label", name, missing_label.sum())
        frame = frame.loc[~missing_label]
    if frame.empty:
        raise DataError(f"data set {name!r} has no row with a label in column {label!r}")
    columns = []
    for column in features:
        values = frame[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            numeric = pd.to_numeric(values, errors="coerce")
            bad = values[numeric.isna() & values.notna()]
            if numeric.notna().sum() > len(bad):
                raise DataError(
                    f"{key}: column {column!r} is numeric but holds non-numeric values, e.g. "
                    f"{bad.unique()[:3].tolist()} (rows {bad.index[:3].tolist()})"
                )
        n_missing = int(values.isna().sum())
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if n_missing:
                values = values.fillna(values.median())
            columns.append(values.astype(np.float64).rename(column))
        else:
            if n_missing:
                values = values.fillna(values.mode(dropna=True).iloc[0])
            columns.append(
                pd.get_dummies(values.astype(str), prefix=column, prefix_sep="=", dtype=np.float64)
            )
        if n_missing:
            log.warning(
                "data set %r: imputed %d missing value(s) in column %r", name, n_missing, column
            )
    if not columns:
        raise DataError(f"{key}.features: no feature column left")
    X = pd.concat(columns, axis=1)
    return X.to_numpy(dtype=np.float64), label_values(frame[label]), None


def label_values(labels: pd.Series) -> np.ndarray:
    """Return a label column as an array whose values name the classes.

    Booleans stay booleans, integers and integral floats become integers (1.0 -> class "1"),
    anything else becomes text; continuous numbers are refused by `validate_dataset`.
    """
    if pd.api.types.is_bool_dtype(labels):
        return labels.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(labels):
        values = labels.to_numpy(dtype=np.float64)
        if np.all(np.mod(values, 1) == 0):
            return values.astype(np.int64)
        return values
    kinds = {type(v) for v in labels}
    if kinds == {bool} or kinds <= {int, np.int64}:  # an object column of Python values
        return labels.to_numpy(dtype=bool if kinds == {bool} else np.int64)
    return labels.astype(str).to_numpy(dtype=str)


def prepare_dataset(dataset: DatasetSpec, data: str | Path) -> Dataset:
    """Load `dataset` from its source, validate it and write its prepared form to `data`.

    The files the source reads are the rule's input (`albench.provenance`), so that editing
    them reruns this job; the source finds them from the spec.
    """
    prepared = load_dataset(dataset.name, dataset.source)
    write_dataset(prepared, data)
    return prepared


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
