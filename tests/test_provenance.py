"""Data files are inputs Snakemake sees: editing one data set's data reruns exactly its jobs."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from helpers import planned_cells, planned_jobs, snakemake, write_config
from PIL import Image

from albench.data.sources import OPENML_LABEL, dataset_inputs, image_manifest, write_image_manifest

# The edits' runs in the finished folder adopt the pool the run before left lingering.

# What one data set's edit reruns in a one-model, two-strategy, one-seed grid.
ONE_DATASET = {
    "prepare_dataset": 1,
    "split": 1,
    "al_cell": 2,
    "full_pool": 1,
    "summarise_dataset": 1,
    "summarise_stopping": 1,
    "plot_curves": 1,
    "plot_stops": 1,
    "aggregate": 1,
    "aggregate_stopping": 1,
    "plot_stopping_overview": 1,
    "plot_stopping_ranks": 1,
    "plot_heatmap": 1,
    "plot_cost_benefit": 1,
    "plot_critical_difference": 1,
    "plot_stability": 1,
    "blind_pick": 1,
    "plot_blind_pick": 1,  # three data sets: each picked from the other two
    "verdict": 1,
    "explorer": 1,
    "all": 1,
}


def write_images(folder, seed=0, per_class=12):
    rng = np.random.default_rng(seed)
    for label, cls in enumerate(("circle", "square", "stripe")):
        (folder / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 60, size=(10, 10)) + 60 * label
            Image.fromarray(pixels.astype(np.uint8)).save(folder / cls / f"{i}.png")


def write_table(path, seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["cls"] = np.where(X[:, 0] > 0, 1, 2)
    frame.to_csv(path, index=False)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("provenance")
    write_table(workdir / "table.csv")
    write_images(workdir / "images")
    config = {
        "datasets": {
            "iris": {"source": "sklearn", "name": "iris"},
            "table": {"source": "file", "path": "table.csv", "label": "cls"},
            "pictures": {
                "source": "image_folder",
                "path": "images",
                "size": 8,
                "color": "grayscale",
            },
        },
        "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
        },
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 3, "iterations": 2},
    }
    write_config(workdir, config)
    snakemake(workdir, "--configfile", "bench.yaml", "--cores", "2")
    return workdir


def plan(workdir):
    proc = snakemake(workdir, "--configfile", "bench.yaml", "-n")
    return planned_jobs(proc), {cell.split("/")[0] for cell in planned_cells(proc)}


@pytest.mark.slow
def test_editing_a_data_file_reruns_its_data_set_only(finished):
    assert plan(finished) == ({}, set())
    frame = pd.read_csv(finished / "table.csv")
    frame.loc[:24, "cls"] = 3 - frame.loc[:24, "cls"]  # 25 labels changed
    frame.to_csv(finished / "table.csv", index=False)
    assert plan(finished) == (ONE_DATASET, {"table"})
    snakemake(finished, "--configfile", "bench.yaml", "--cores", "2")
    assert plan(finished) == ({}, set())
    # The same bytes written again change nothing (Snakemake compares small inputs' contents).
    shutil.copy(finished / "table.csv", finished / "copy.csv")
    shutil.move(finished / "copy.csv", finished / "table.csv")
    assert plan(finished) == ({}, set())


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["replace", "add", "remove"])
def test_changing_an_image_reruns_its_data_set_only(finished, edit):
    images = finished / "images" / "square"
    kept = {path: path.read_bytes() for path in images.iterdir()}
    if edit == "replace":
        Image.fromarray(np.full((10, 10), 250, dtype=np.uint8)).save(images / "3.png")
    elif edit == "add":
        shutil.copy(images / "0.png", images / "extra.png")
    else:
        (images / "5.png").unlink()
    assert plan(finished) == (ONE_DATASET, {"pictures"})
    if edit == "add":  # run one of the three; undo the others (their plan is the point)
        snakemake(finished, "--configfile", "bench.yaml", "--cores", "2")
        n_images = len(pd.read_parquet(finished / "results/data/pictures.parquet"))
        assert n_images == len(list((finished / "images").rglob("*.png")))
    else:
        for path, content in kept.items():
            path.write_bytes(content)
    assert plan(finished) == ({}, set())


@pytest.mark.slow
def test_an_image_saved_again_unchanged_reruns_nothing(finished):
    path = finished / "images" / "circle" / "1.png"
    path.write_bytes(path.read_bytes())  # new modification time, same content
    assert plan(finished) == ({}, set())


def test_manifest_lists_every_image_and_reuses_hashes_of_unchanged_files(tmp_path, monkeypatch):
    write_images(tmp_path / "img", per_class=2)
    spec = {"source": "image_folder", "path": str(tmp_path / "img")}
    text, cache = image_manifest("p", spec)
    assert [line.split("\t")[0] for line in text.splitlines()] == [
        "circle/0.png",
        "circle/1.png",
        "square/0.png",
        "square/1.png",
        "stripe/0.png",
        "stripe/1.png",
    ]
    manifest = tmp_path / "m.tsv"
    assert write_image_manifest("p", spec, manifest) is True
    assert write_image_manifest("p", spec, manifest) is False

    def unexpected(data):
        raise AssertionError("an unchanged image was hashed again")

    monkeypatch.setattr("albench.data.sources.image_folder.hashlib.sha256", unexpected)
    assert write_image_manifest("p", spec, manifest) is False


@pytest.mark.slow
def test_openml_cache_is_the_output_of_a_download_job_and_an_input_of_preparation(tmp_path):
    spec = {"source": "openml", "id": 61, "cache_dir": "cache"}
    assert dataset_inputs("o", spec) == ["cache/61.parquet"]
    config = {
        "datasets": {"o": spec},
        "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling"},
        },
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 3, "iterations": 2},
    }
    write_config(tmp_path, config)
    jobs, _ = plan(tmp_path)
    assert jobs["download_openml"] == 1 and jobs["prepare_dataset"] == 1
    frame = pd.DataFrame({"x": np.arange(40.0), OPENML_LABEL: ["a", "b"] * 20})
    (tmp_path / "cache").mkdir()
    frame.to_parquet(tmp_path / "cache/61.parquet")
    jobs, _ = plan(tmp_path)
    assert "download_openml" not in jobs and jobs["prepare_dataset"] == 1
