import numpy as np
import pytest

from albench.data.datasets import read_dataset, validate_dataset
from albench.data.sources import BUNDLED, known_size, load_dataset, prepare_dataset
from albench.errors import DataError
from albench.specs import DatasetSpec


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_known_sizes_match_the_bundled_loaders(name):
    spec = {"source": "sklearn", "name": name}
    data = load_dataset(name, spec)
    assert len(data.y) == known_size(spec) == BUNDLED[name][0]
    if BUNDLED[name][1].n_classes == 0:  # a regression target
        assert data.task == "regression" and data.n_classes == 0 and data.y.dtype == float
    else:
        assert data.y.min() == 0 and data.y.max() == data.n_classes - 1


def test_synthetic_size_and_seed():
    spec = {"source": "synthetic", "generator": "make_moons", "params": {"n_samples": 50}}
    a, b = load_dataset("m", spec), load_dataset("m", spec)
    assert known_size(spec) == 50 == len(a.y)
    np.testing.assert_array_equal(a.X, b.X)
    other = load_dataset("m", {**spec, "seed": 1})
    assert not np.array_equal(a.X, other.X)


def test_tuple_n_samples_counts_all_classes():
    spec = {"source": "synthetic", "generator": "make_moons", "params": {"n_samples": [30, 20]}}
    assert known_size(spec) == 50 == len(load_dataset("m", spec).y)


def test_prepared_round_trip_keeps_class_names(tmp_path):
    data = prepare_dataset(
        DatasetSpec("iris", {"source": "sklearn", "name": "iris"}), tmp_path / "iris.parquet"
    )
    back = read_dataset(tmp_path / "iris.parquet")
    np.testing.assert_array_equal(back.X, data.X)
    np.testing.assert_array_equal(back.y, data.y)
    assert back.class_names == ["setosa", "versicolor", "virginica"]


def test_labels_are_encoded_in_sorted_order():
    data = validate_dataset("d", np.zeros((4, 1)), np.array(["b", "a", "b", "c"]))
    assert data.class_names == ["a", "b", "c"]
    np.testing.assert_array_equal(data.y, [1, 0, 1, 2])


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((0, 2)), np.zeros(0), "is empty"),
        (np.zeros((3, 2)), np.array([0, 1, 1]) * 0, "single class"),
        (np.array([[0.0], [np.nan]]), np.array([0, 1]), "NaN or infinite"),
        (np.array([[0.0], [np.inf]]), np.array([0, 1]), "NaN or infinite"),
        (np.array([["a"], ["b"]]), np.array([0, 1]), "non-numeric"),
        (np.zeros((2, 1)), np.array([0.5, 1.5]), "continuous labels"),
        (np.zeros((2, 1)), np.array([0, 1, 1]), "2 feature rows but 3 labels"),
    ],
)
def test_bad_data_is_refused_with_the_data_set_named(X, y, message):
    with pytest.raises(DataError, match=message) as info:
        validate_dataset("mine", X, y)
    assert "'mine'" in str(info.value)


def test_unknown_generator_is_named():
    with pytest.raises(DataError, match="datasets.g.generator"):
        load_dataset("g", {"source": "synthetic", "generator": "make_nothing"})


def test_generator_params_are_checked():
    spec = {"source": "synthetic", "generator": "make_moons", "params": {"bogus": 1}}
    with pytest.raises(DataError, match="datasets.g.params"):
        load_dataset("g", spec)
