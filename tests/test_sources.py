"""The file and OpenML data sources: loading, encoding, and the errors they raise."""

import logging

import numpy as np
import pandas as pd
import pytest
from helpers import animal_table as table
from helpers import customer_table

from albench.data.sources import (
    OPENML_LABEL,
    check_dataset,
    known_size,
    load_dataset,
    openml_cache_path,
    prepare_dataset,
)
from albench.data.sources.columns import unusable_columns
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


# What a column looks like, by the rules of albench.data.sources.columns (None: a feature).
N = 40
COLUMNS = {
    "3-level category in 20 rows": (["a", "b", "c"] * 6 + ["a", "b"], None),
    "10 distinct strings in 10 rows": ([f"s{i}" for i in range(10)], None),
    "11 distinct strings in 11 rows": ([f"s{i}" for i in range(11)], "an identifier"),
    "text ID": ([f"C{1000 + i}" for i in range(N)], "an identifier"),
    "half distinct category": ([f"c{i // 2}" for i in range(N)], None),
    "more levels than half the rows": (
        [f"c{i}" for i in range(30)] + ["c0"] * 10,
        "a category with more levels than half its rows",
    ),
    "free text": ([f"called on day {i} about the bill" for i in range(N)], "free text"),
    "repeated sentences are a category": (["very happy with it", "not happy at all"] * 20, None),
    "ISO dates": ([f"2024-03-{1 + i % 28:02d}" for i in range(N)], "a date or time"),
    "US dates": ([f"03/{1 + i % 28:02d}/2024" for i in range(N)], "a date or time"),
    "dates with times": ([f"2024-03-01T{i % 24:02d}:30:00" for i in range(N)], "a date or time"),
    "month names": ([f"Mar {1 + i % 28} 2024" for i in range(N)], "a date or time"),
    "times of day": ([f"{i % 24}:15" for i in range(N)], "a date or time"),
    "two dates are still dates": (["2024-01-01", "2024-02-01"] * 20, "a date or time"),
    "timestamps": (list(pd.date_range("2024-01-01", periods=N, freq="h")), "a date or time"),
    "consecutive integers": (list(range(100, 100 + N)), "an identifier"),
    "shuffled row index": (list(np.random.default_rng(0).permutation(N)), "an identifier"),
    "distinct integers, not consecutive": (list(range(0, 3 * N, 3)), None),
    "integer measurements with repeats": ([i // 2 for i in range(N)], None),
    "continuous numbers": (list(np.linspace(0, 1, N)), None),
    "booleans": ([True, False] * 20, None),
    "10 consecutive integers": (list(range(10)), None),
}


@pytest.mark.parametrize("case", list(COLUMNS))
def test_columns_that_cannot_be_features_are_told_apart(case):
    values, kind = COLUMNS[case]
    found = unusable_columns(pd.DataFrame({"x": values}), ["x"])
    assert [u.kind for u in found] == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("name", "kind"), [("user_id", "an identifier"), ("ID", "an identifier"), ("score", None)]
)
def test_distinct_integers_are_an_identifier_when_named_like_one(name, kind):
    values = np.random.default_rng(0).permutation(10_000)[:N] * 7
    found = unusable_columns(pd.DataFrame({name: values}), [name])
    assert [u.kind for u in found] == ([kind] if kind else [])


def test_missing_values_do_not_count_as_rows():
    # 12 notes among 600 rows: every written note distinct, free text though most rows are empty
    notes = [f"asked about plan {i} twice" if i % 50 == 0 else None for i in range(600)]
    found = unusable_columns(pd.DataFrame({"notes": notes}), ["notes"])
    assert [u.kind for u in found] == ["free text"]
    assert "12 distinct values in 12 rows" in found[0].evidence


def test_a_messy_csv_is_refused_naming_its_columns_and_the_line_that_fixes_it(tmp_path):
    customer_table().to_csv(tmp_path / "customers.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "customers.csv"), "label": "churned"}
    with pytest.raises(DataError) as refused:
        check_dataset("customers", spec)
    message = str(refused.value)
    assert message.startswith("datasets.customers: 3 column(s) cannot be features")
    assert "'customer_id' looks like an identifier (600 distinct values in 600 rows" in message
    assert "'signup' looks like a date or time" in message
    assert "'notes' looks like free text (200 distinct values in 200 rows" in message
    assert "datasets.customers.features: [age, income, plan, region, visits]" in message
    assert "datasets.customers.keep_columns: [customer_id, signup, notes]" in message
    with pytest.raises(DataError, match="3 column"):
        load_dataset("customers", spec)  # the preparation job refuses them too
    fixed = {**spec, "features": ["age", "income", "plan", "region", "visits"]}
    check_dataset("customers", fixed)
    # age, income, plan (3), region (5), visits
    assert load_dataset("customers", fixed).X.shape == (600, 11)
    kept = {**spec, "keep_columns": ["customer_id", "signup", "notes"]}
    check_dataset("customers", kept)
    assert load_dataset("customers", kept).X.shape[1] > 1000  # what the opt-in asks for


def test_keep_columns_must_name_columns_of_the_file(tmp_path):
    customer_table().to_csv(tmp_path / "customers.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "customers.csv"), "label": "churned"}
    with pytest.raises(DataError, match=r"datasets.c.keep_columns: column\(s\) \['cust_id'\]"):
        check_dataset("c", {**spec, "keep_columns": ["cust_id"]})
