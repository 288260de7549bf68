"""The image_folder data source: loading, resizing, the prepared form, and bad folders."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from albench.data.datasets import read_dataset
from albench.data.sample_images import write_digits_folder
from albench.data.sources import known_size, load_dataset, prepare_dataset
from albench.errors import ConfigError, DataError
from albench.plan.checks import check_config
from albench.specs import DatasetSpec


@pytest.fixture(scope="module")
def digits_folder(tmp_path_factory):
    return write_digits_folder(tmp_path_factory.mktemp("images") / "digits", per_class=6)


def spec(path, **extra):
    return {"source": "image_folder", "path": str(path), **extra}


def test_digits_folder_loads_as_the_digits(digits_folder):
    from sklearn.datasets import load_digits

    data = load_dataset("d", spec(digits_folder, size=8, color="grayscale"))
    assert data.image_shape == (1, 8, 8)
    assert data.X.shape == (60, 64)
    assert data.class_names == [str(d) for d in range(10)]
    digits = load_digits()
    first_zero = digits.images[digits.target == 0][0]
    np.testing.assert_array_equal(data.X[0], np.round(first_zero * 255 / 16).ravel())
    assert np.bincount(data.y).tolist() == [6] * 10


def test_images_are_resized_and_converted(digits_folder):
    data = load_dataset("d", spec(digits_folder, size=[16, 12], color="rgb"))
    assert data.image_shape == (3, 16, 12)
    assert data.X.shape == (60, 3 * 16 * 12)
    rows = data.X.reshape(60, 3, 16, 12)
    # Grey images converted to RGB have three equal channels.
    np.testing.assert_array_equal(rows[:, 0], rows[:, 1])


def test_prepared_images_round_trip(tmp_path, digits_folder):
    written = prepare_dataset(DatasetSpec("d", spec(digits_folder, size=8)), tmp_path / "d.parquet")
    read = read_dataset(tmp_path / "d.parquet")
    assert read.image_shape == written.image_shape == (3, 8, 8)
    np.testing.assert_array_equal(read.X, written.X)
    np.testing.assert_array_equal(read.y, written.y)
    assert read.class_names == written.class_names


def test_known_size_counts_images_without_decoding(digits_folder, tmp_path):
    assert known_size(spec(digits_folder), "d") == 60


def test_protocol_too_large_for_the_folder_is_refused_at_config_check(digits_folder):
    config = {
        "datasets": {"imgs": spec(digits_folder)},
        "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
        "strategies": {"random": {"query": "RandomSampling"}, "other": {"query": "CoreSet"}},
        "seeds": 1,
        "protocol": {"test_size": 0.25, "initial_size": 10, "batch_size": 10, "iterations": 5},
        "baseline": "random",
    }
    with pytest.raises(ConfigError, match="data set 'imgs' has 45 samples"):
        check_config(config)


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("missing", r"datasets\.bad\.path: folder .* does not exist"),
        ("one_class", r"one sub-folder of images per class; found 1"),
        ("empty_class", r"class folder\(s\) \['b'\] .* hold no image"),
        ("broken_image", r"datasets\.bad: cannot read image .*a[/\\]broken\.png"),
    ],
)
def test_bad_folders_get_errors_naming_the_problem(tmp_path, layout, message):
    root = tmp_path / "imgs"
    if layout != "missing":
        (root / "a").mkdir(parents=True)
        Image.new("L", (8, 8)).save(root / "a" / "ok.png")
    if layout in {"empty_class", "broken_image"}:
        (root / "b").mkdir()
        (root / "b" / "notes.txt").write_text("not an image")
    if layout == "broken_image":
        Image.new("L", (8, 8), 255).save(root / "b" / "ok.png")
        (root / "a" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match=message):
        load_dataset("bad", spec(root))
