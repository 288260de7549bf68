import numpy as np
import pytest

from albench.data.splits import make_split, read_split, split_indices, write_split
from albench.errors import DataError


def labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


def test_roles_partition_every_row():
    y = labels([40, 30, 30])
    split = make_split(y, 0.25, 10, random_state=0)
    roles = split_indices(split)
    assert sorted(np.concatenate(list(roles.values()))) == list(range(100))
    assert len(roles["test"]) == 25
    assert len(roles["initial"]) == 10
    assert len(roles["pool"]) == 65


def test_test_set_is_stratified():
    y = labels([80, 20])
    roles = split_indices(make_split(y, 0.25, 5, random_state=1))
    assert np.bincount(y[roles["test"]]).tolist() == [20, 5]


@pytest.mark.parametrize("seed", range(5))
def test_every_class_in_the_initial_set(seed):
    y = labels([90, 5, 5])  # rare classes would often be missed by a plain random draw
    roles = split_indices(make_split(y, 0.25, 3, random_state=seed))
    assert sorted(y[roles["initial"]]) == [0, 1, 2]


def test_initial_smaller_than_classes_is_a_plain_draw():
    y = labels([10, 10, 10])
    roles = split_indices(make_split(y, 0.2, 2, random_state=0))
    assert len(roles["initial"]) == 2


def test_split_is_deterministic_and_seed_dependent():
    y = labels([30, 30])
    a = make_split(y, 0.25, 6, random_state=7)
    assert a.equals(make_split(y, 0.25, 6, random_state=7))
    assert not a.equals(make_split(y, 0.25, 6, random_state=8))


def test_class_too_small_for_the_split_is_named():
    with pytest.raises(DataError, match=r"'tiny': class\(es\) \[1\]"):
        make_split(labels([10, 1]), 0.25, 2, random_state=0, name="tiny")


def test_initial_larger_than_non_test_rows():
    with pytest.raises(DataError, match="initial_size 50 exceeds"):
        make_split(labels([20, 20]), 0.25, 50, random_state=0)


def test_round_trip(tmp_path):
    split = make_split(labels([10, 10]), 0.25, 4, random_state=0)
    write_split(split, tmp_path / "s.parquet")
    back = read_split(tmp_path / "s.parquet")
    assert back["index"].tolist() == split["index"].tolist()
    assert back["role"].tolist() == split["role"].tolist()


def test_validation_set_is_stratified_and_never_initial():
    y = labels([60, 40])
    roles = split_indices(make_split(y, 0.2, 6, random_state=0, validation_size=20))
    assert len(roles["validation"]) == 20
    assert np.bincount(y[roles["validation"]]).tolist() == [12, 8]
    assert not set(roles["validation"]) & (set(roles["initial"]) | set(roles["pool"]))
    assert len(roles["pool"]) == 100 - 20 - 20 - 6


def test_the_test_and_validation_rows_do_not_depend_on_the_initial_size():
    # What pairs seeds across protocols: protocols that differ only in their initial set (or
    # batch size, iterations, label noise) hold out the same rows for testing and validation.
    y = np.repeat(np.arange(3), 40)
    splits = [
        split_indices(make_split(y, 0.25, initial, random_state=7, validation_size=12))
        for initial in (1, 3, 10, 30)
    ]
    for roles in splits[1:]:
        np.testing.assert_array_equal(roles["test"], splits[0]["test"])
        np.testing.assert_array_equal(roles["validation"], splits[0]["validation"])
    assert [len(roles["initial"]) for roles in splits] == [1, 3, 10, 30]
