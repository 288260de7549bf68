"""The file and OpenML data sources: loading, encoding, and the errors they raise."""

import logging

import numpy as np
import pytest
from helpers import animal_table as table

from albench.data.sources import (
    OPENML_LABEL,
    known_size,
    load_dataset,
    openml_cache_path,
    prepare_dataset,
)
from albench.data.splits import make_split, split_indices
from albench.errors import DataError
from albench.learn.loop import run_al_loop
from albench.specs import CellSpec, DatasetSpec


@pytest.fixture(params=["csv", "parquet"])
def data_file(request, tmp_path):
    path = tmp_path / f"animals.{request.param}"
    frame = table()
    if request.param == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


def test_file_source_encodes_categories_and_labels(data_file):
    spec = {"source": "file", "path": str(data_file), "label": "animal"}
    data = load_dataset("animals", spec)
    assert data.class_names == ["cat", "dog", "emu"]
    # size, colour=green, colour=red, legs
    assert data.X.shape == (60, 4)
    assert known_size(spec, "animals") == 60


def test_file_source_runs_a_real_cell(data_file, cell, tmp_path):
    spec = {"source": "file", "path": str(data_file), "label": "animal", "features": ["size"]}
    data = prepare_dataset(DatasetSpec("animals", spec), tmp_path / "prepared.parquet")
    assert data.X.shape == (60, 1)
    roles = split_indices(make_split(data.y, 0.25, 6, random_state=0))
    cell["protocol"]["iterations"] = 3
    curve = run_al_loop(data, roles, CellSpec(**cell, seed=0)).curve
    assert curve["n_labeled"].tolist() == [6, 10, 14, 18]


def test_missing_labels_are_dropped_and_values_imputed_with_warnings(tmp_path, caplog):
    frame = table()
    frame.loc[[0, 5], "animal"] = None
    frame.loc[[1, 2, 3], "size"] = np.nan
    frame.loc[[4], "colour"] = None
    frame.to_csv(tmp_path / "a.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "a.csv"), "label": "animal"}
    with caplog.at_level(logging.WARNING, logger="albench"):
        data = load_dataset("a", spec)
    assert len(data.y) == 58
    assert np.isfinite(data.X).all()
    assert "dropped 2 row(s) without a label" in caplog.text
    assert "imputed 3 missing value(s) in column 'size'" in caplog.text
    assert "imputed 1 missing value(s) in column 'colour'" in caplog.text
    assert known_size(spec, "a") == 58


@pytest.mark.parametrize(
    ("edit", "spec_edit", "pattern"),
    [
        (None, {"path": "nowhere.csv"}, r"datasets.a.path: file 'nowhere.csv' does not exist"),
        (None, {"label": "species"}, r"datasets.a.label: column\(s\) \['species'\] not in"),
        (
            None,
            {"features": ["size", "wings"]},
            r"datasets.a.features: column\(s\) \['wings'\] not in",
        ),
        (lambda f: f.assign(animal="cat"), {}, "single class"),
        (lambda f: f.assign(animal=None), {}, "no row with a label in column 'animal'"),
        (lambda f: f.head(0), {}, r"datasets.a.path: '.*a.csv' has no data rows \(only a header\)"),
        (
            lambda f: f.assign(size=f["size"].astype(object).where(f.index != 7, "unknown")),
            {},
            r"column 'size' is numeric but holds non-numeric values, "
            r"e.g. \['unknown'\] \(rows \[7\]\)",
        ),
        (lambda f: f.assign(size=np.where(f.index == 3, np.inf, f["size"])), {}, "infinite"),
    ],
)
def test_bad_files_are_refused_naming_the_data_set(tmp_path, edit, spec_edit, pattern):
    frame = table()
    if edit is not None:
        frame = edit(frame)
    frame.to_csv(tmp_path / "a.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "a.csv"), "label": "animal", **spec_edit}
    with pytest.raises(DataError, match=pattern):
        load_dataset("a", spec)


def test_a_file_without_rows_is_refused_at_config_check_naming_the_file(tmp_path):
    table().head(0).to_csv(tmp_path / "empty.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "empty.csv"), "label": "animal"}
    with pytest.raises(DataError, match=r"datasets.e.path: '.*empty.csv' has no data rows"):
        known_size(spec, "e")


LABELS = {
    "integer": ([2, 1, 7], ["1", "2", "7"]),
    "integral float": ([2.0, 1.0, 7.0], ["1", "2", "7"]),
    "text": (["b", "a", "c"], ["a", "b", "c"]),
    "boolean": ([True, False, True], ["False", "True"]),
}


@pytest.mark.parametrize("kind", LABELS)
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_every_kind_of_label_names_its_classes_and_runs_a_cell(tmp_path, cell, kind, suffix):
    values, names = LABELS[kind]
    frame = table(n=90)
    frame["animal"] = np.resize(np.array(values, dtype=object), 90)
    frame["animal"] = frame["animal"].astype(type(values[0]))
    if kind == "integral float":  # a missing label turns a column of integers into floats
        frame["animal"] = frame["animal"].astype(float)
        frame.loc[0, "animal"] = np.nan
    path = tmp_path / f"labels.{suffix}"
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_parquet(path)
    spec = {"source": "file", "path": str(path), "label": "animal"}
    data = prepare_dataset(DatasetSpec("labels", spec), tmp_path / "prepared.parquet")
    assert data.class_names == names
    kept = (
        frame["animal"]
        .dropna()
        .map(lambda v: str(int(v)) if kind != "text" and kind != "boolean" else str(v))
    )
    assert [names[code] for code in data.y] == kept.tolist()
    roles = split_indices(make_split(data.y, 0.25, 6, random_state=0))
    cell["protocol"]["iterations"] = 2
    assert len(run_al_loop(data, roles, CellSpec(**cell, seed=0)).curve) == 3


def test_unreadable_and_unknown_files(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    spec = {"source": "file", "path": str(tmp_path / "bad.parquet"), "label": "y"}
    with pytest.raises(DataError, match="datasets.a.path: cannot read"):
        load_dataset("a", spec)
    (tmp_path / "data.xlsx").write_bytes(b"")
    spec["path"] = str(tmp_path / "data.xlsx")
    with pytest.raises(DataError, match="neither CSV"):
        load_dataset("a", spec)


def test_openml_reads_the_cache_without_network(tmp_path, monkeypatch):
    import sklearn.datasets

    def offline(*args, **kwargs):
        raise AssertionError("the network must not be used when the cache holds the data set")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    spec = {"source": "openml", "id": 61, "cache_dir": str(tmp_path)}
    frame = table().rename(columns={"animal": OPENML_LABEL})
    frame.to_parquet(openml_cache_path(spec))
    data = load_dataset("openml61", spec)
    assert data.class_names == ["cat", "dog", "emu"] and data.X.shape == (60, 4)
    assert known_size(spec, "openml61") == 60


def test_openml_offline_with_empty_cache_says_where_to_put_the_file(tmp_path, monkeypatch):
    import sklearn.datasets

    def offline(*args, **kwargs):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    spec = {"source": "openml", "id": 61, "cache_dir": str(tmp_path / "cache")}
    with pytest.raises(DataError, match=r"OpenML data set 61 is not cached at .*61.parquet"):
        load_dataset("iris61", spec)
    assert known_size(spec, "iris61") is None
    assert not (tmp_path / "cache").exists()  # nothing half-written


def test_openml_download_is_cached(tmp_path, monkeypatch):
    import sklearn.datasets
    from sklearn.utils import Bunch

    calls = []

    def fake_fetch(data_id, **kwargs):
        calls.append(data_id)
        frame = table()
        return Bunch(frame=frame, target=frame["animal"], target_names=["animal"])

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake_fetch)
    spec = {"source": "openml", "id": 7, "cache_dir": str(tmp_path)}
    first = load_dataset("o", spec)
    second = load_dataset("o", spec)
    assert calls == [7]
    np.testing.assert_array_equal(first.X, second.X)


def test_every_source_of_the_schema_is_registered_and_no_other():
    import yaml
    from helpers import SCHEMA

    from albench.data.sources import SOURCES

    schema = yaml.safe_load(SCHEMA.read_text())
    branches = schema["$defs"]["dataset"]["allOf"]
    in_schema = {branch["if"]["properties"]["source"]["const"] for branch in branches}
    assert in_schema == set(schema["$defs"]["dataset"]["properties"]["source"]["enum"])
    assert in_schema == set(SOURCES)
    with pytest.raises(DataError, match=r"datasets.x.source: unknown source 'ftp'; known: file"):
        known_size({"source": "ftp"}, "x")
