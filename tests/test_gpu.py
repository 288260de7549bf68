"""The GPU resource scheme: which cells ask for a GPU, and that nothing in the Snakemake process
touches CUDA (the probe trains on the CPU). What needs a real GPU is benchmarks/gpu_check.py."""

from __future__ import annotations

import pytest
import yaml
from helpers import REPO, small_config, snakemake, validated, write_config

from albench.plan.grid import cell_gpus


def test_cells_of_a_model_that_may_use_cuda_ask_for_one_gpu():
    config = validated(small_config())
    config["models"]["cnn"] = {"estimator": "albench.torch.CNNClassifier", "params": {}}
    config["models"]["cnn_cpu"] = {
        "estimator": "albench.torch.CNNClassifier",
        "params": {"device": "cpu"},
    }
    config["models"]["mine"] = {"estimator": "mymodels.Net", "params": {"device": "cuda:1"}}
    assert cell_gpus(config, "cnn") == 1  # "auto": CUDA where torch sees a GPU
    assert cell_gpus(config, "cnn_cpu") == 0
    assert cell_gpus(config, "mine") == 1
    assert cell_gpus(config, "logreg") == 0


def test_the_plan_gives_the_gpu_resource_to_the_cnns_cells_only(tmp_path):
    pytest.importorskip("torch")
    example = yaml.safe_load((REPO / "config/examples/digits_cnn.yaml").read_text())
    config = small_config()
    del config["datasets"]["moons"]
    config["models"]["cnn"] = {
        "estimator": "albench.torch.CNNClassifier",
        "params": {"epochs": 1, "hidden": 8, "channels": [4]},
    }
    config["models"]["cnn"]["params"].update(
        {k: v for k, v in example["models"]["cnn"]["params"].items() if k == "batch_size"}
    )
    write_config(tmp_path, config)
    plan = snakemake(tmp_path, "--configfile", "bench.yaml", "-n", "--resources", "gpu=1")
    resources, rule, model = {}, None, None
    for line in plan.stdout.splitlines():
        if line.startswith(("rule ", "localrule ")):
            rule = line.split()[1].rstrip(":")
        elif "wildcards:" in line:
            model = line.split("model=")[1].split(",")[0] if "model=" in line else None
        elif "resources:" in line and rule in ("al_cell", "full_pool") and model:
            resources.setdefault((rule, model), set()).add("gpu=1" in line)
    assert resources[("al_cell", "cnn")] == {True} and resources[("full_pool", "cnn")] == {True}
    assert resources[("al_cell", "logreg")] == {False}


def test_the_probe_trains_on_the_cpu(monkeypatch):
    torch = pytest.importorskip("torch")
    from albench.plan import probe

    # A machine with a GPU, as far as torch can tell: the probe must not use it.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    from albench.learn.cnn import resolve_device

    assert resolve_device("auto").type == "cuda"
    shape = probe.Shape(n_features=64, n_classes=3, image_shape=(1, 8, 8))
    spec = {"estimator": "albench.torch.CNNClassifier", "params": {}}
    fitted = probe.fit_probe("cnn", spec, shape, 6)
    assert fitted.clf.estimator_.device_.type == "cpu"


def test_the_flower_standin_has_the_photos_shape_and_is_reproducible(tmp_path):
    from PIL import Image

    from albench.data.flower_standin import CLASSES, write_flower_standin

    assert sum(c[0] for c in CLASSES.values()) == 2746
    assert all(495 <= c[0] <= 646 for c in CLASSES.values())
    counts = write_flower_standin(tmp_path / "a", seed=1, scale=0.01)
    assert counts == {name: max(1, round(c[0] * 0.01)) for name, c in CLASSES.items()}
    image = Image.open(tmp_path / "a" / "tulips" / "0000.png")
    assert image.size == (64, 64) and image.mode == "RGB"
    write_flower_standin(tmp_path / "b", seed=1, scale=0.01)
    for name in CLASSES:
        same = (tmp_path / "a" / name / "0000.png").read_bytes()
        assert same == (tmp_path / "b" / name / "0000.png").read_bytes()
