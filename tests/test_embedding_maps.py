"""Embedding maps: config checks, which cells record embeddings, and the drawn map."""

from __future__ import annotations

import copy

import pytest
import yaml
from helpers import CELL, SCHEMA, small_config
from snakemake.utils import validate

from albench.data.datasets import write_dataset
from albench.data.splits import make_split, write_split
from albench.errors import ConfigError, DataError
from albench.figures.embedding_maps import plot_embedding_map, read_iteration
from albench.learn.loop import run_cell
from albench.plan.checks import check_config
from albench.plan.grid import cell_spec, embedding_maps, mapped_cells
from albench.specs import CellSpec, MapSpec

MLP = {
    "estimator": "albench.models.EmbeddingMLPClassifier",
    "params": {"hidden_layer_sizes": [8], "solver": "lbfgs", "max_iter": 200},
}


def mapped_config(**maps) -> dict:
    config = small_config()
    config["models"]["mlp"] = MLP
    config["embedding_maps"] = {"models": ["mlp"], "iterations": [0, 2], **maps}
    validate(config, str(SCHEMA))
    return config


def test_maps_default_to_the_first_seed_and_tsne():
    config = mapped_config()
    check_config(config)
    assert embedding_maps(config) == {
        "models": ["mlp"],
        "iterations": [0, 2],
        "seeds": [0],
        "method": "tsne",
    }
    maps = mapped_cells(config)
    # 2 data sets x 1 mapped model x 3 strategies x 1 seed x 2 iterations
    assert len(maps) == 12 and {m["model"] for m in maps} == {"mlp"}


def test_only_mapped_models_carry_the_maps_in_their_cell_spec():
    config = mapped_config(seeds=[1])
    mlp = cell_spec(config, "iris", "mlp", "badge", 1)
    assert mlp.embedding_maps == {"iterations": [0, 2], "seeds": [1]}
    assert cell_spec(config, "iris", "logreg", "badge", 1).embedding_maps is None
    # The drawing method is not part of a cell: changing it redraws, it does not rerun cells.
    assert repr(mlp) == repr(
        cell_spec(mapped_config(seeds=[1], method="umap"), "iris", "mlp", "badge", 1)
    )


@pytest.mark.parametrize(
    ("maps", "message"),
    [
        ({"models": ["logreg"]}, r"embedding_maps.models: model 'logreg' .* gives no embeddings"),
        ({"models": ["cnn"]}, r"embedding_maps.models: \['cnn'\] not among the models"),
        ({"seeds": [5]}, r"embedding_maps.seeds: \[5\] not among the seeds \[0, 1\]"),
        ({"iterations": [4]}, r"embedding_maps.iterations: 4 is past the last iteration \(3\)"),
    ],
)
def test_bad_maps_are_refused_naming_the_key(maps, message):
    with pytest.raises(ConfigError, match=message):
        check_config(mapped_config(**maps))


def test_umap_without_umap_learn_is_refused(monkeypatch):
    import importlib.util

    original = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "umap" else original(name, *a)
    )
    with pytest.raises(ConfigError, match="umap needs umap-learn"):
        check_config(mapped_config(method="umap"))


def test_mapped_cell_writes_embeddings_and_the_map_is_drawn(tmp_path, blobs):
    cell = copy.deepcopy(CELL)
    cell.update(model="mlp", model_spec=MLP, strategy="badge", strategy_spec={"query": "Badge"})
    cell["embedding_maps"] = {"iterations": [1, 5], "seeds": [0]}
    write_dataset(blobs, tmp_path / "d.parquet")
    write_split(make_split(blobs.y, 0.25, 6, random_state=0), tmp_path / "s.parquet")
    paths = {name: tmp_path / f"{name}.parquet" for name in ("c", "q", "e")}
    files = (tmp_path / "d.parquet", tmp_path / "s.parquet", paths["c"], paths["q"])
    run_cell(*files, CellSpec(**cell, seed=0), embeddings=paths["e"])
    frame, classes = read_iteration(paths["e"], 1)
    assert classes == blobs.class_names
    assert (frame["status"] == "selected").sum() == 4
    assert (frame["status"] == "labelled").sum() == 6 + 4
    spec = MapSpec(title="blobs: ", seed=0, iteration=1)
    points = plot_embedding_map(paths["e"], tmp_path / "map.png", spec)
    assert (tmp_path / "map.png").stat().st_size > 10_000
    assert points[["x", "y"]].notna().all().all() and len(points) == len(frame)
    with pytest.raises(DataError, match=r"no embeddings of iteration 3 \(recorded: \[1, 5\]\)"):
        read_iteration(paths["e"], 3)
    # Another seed of the same cell is not mapped: its table is empty.
    run_cell(*files, CellSpec(**cell, seed=1), embeddings=paths["e"])
    import pyarrow.parquet as pq

    assert pq.read_table(paths["e"]).num_rows == 0


def test_example_configs_are_valid():
    from helpers import REPO

    for name in ("digits_cnn", "seed_flowers"):
        config = yaml.safe_load((REPO / "config" / "examples" / f"{name}.yaml").read_text())
        validate(config, str(SCHEMA))
        assert embedding_maps(config)["models"] == ["cnn"]


def test_umap_maps_when_umap_learn_is_installed(tmp_path):
    pytest.importorskip("umap")
    import numpy as np
    import pandas as pd

    from albench.io.curves import write_embeddings

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 40)
    frame = pd.DataFrame(
        {
            "iteration": 2,
            "index": np.arange(80),
            "label": labels,
            "status": np.where(np.arange(80) < 10, "labelled", "pool"),
        }
    )
    values = rng.normal(size=(80, 5)) + labels[:, None] * 4
    frame = pd.concat([frame, pd.DataFrame(values, columns=[f"e{j}" for j in range(5)])], axis=1)
    cell = CellSpec(**CELL, seed=0)
    write_embeddings(frame, tmp_path / "e.parquet", cell, ["a", "b"])
    spec = MapSpec(title="", seed=0, iteration=2, method="umap")
    points = plot_embedding_map(tmp_path / "e.parquet", tmp_path / "m.png", spec)
    # Two well separated classes stay separated in the map.
    centres = points.groupby("label")[["x", "y"]].mean()
    assert np.linalg.norm(centres.iloc[0] - centres.iloc[1]) > 1.0
