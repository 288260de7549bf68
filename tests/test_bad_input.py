"""Every kind of bad input: a clear error that names the key or file.

Each case is refused by the steps the workflow runs, in its order, called directly (fast): the
schema, the config check with its probes, and the data preparation and split jobs' functions.
One case per stage also goes through the real workflow (slow): refused before any cell runs,
and the results already there untouched."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import SCHEMA, customer_table, snakemake, write_config
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from albench.data.sources import prepare_dataset
from albench.data.splits import split_dataset
from albench.errors import AlbenchError
from albench.plan.checks import check_config
from albench.plan.grid import protocol_names, seed_list, split_spec
from albench.specs import DatasetSpec

# Cases that name a misbehaving model import it from tests/ (pool_helpers, needs_torch).
TEST_MODULES = {"PYTHONPATH": str(Path(__file__).resolve().parent)}
# The workflow-level cases run in one finished folder, one after another, as a user's calls do:
# each adopts the pool the call before left lingering (the same environment: TEST_MODULES).

BASE = {
    "datasets": {"iris": {"source": "sklearn", "name": "iris"}},
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    "strategies": {
        "random": {"query": "RandomSampling"},
        "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
    },
    "seeds": 2,
    "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 2},
}


def table(rows: int = 60, classes: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "a": rng.normal(size=rows),
            "b": rng.normal(size=rows),
            "kind": [f"k{i % classes}" for i in range(rows)],
        }
    )


def with_file(name: str, frame: pd.DataFrame | bytes, **spec):
    """An edit adding data set `bad` read from `name`, written with `frame` (or raw bytes)."""

    def edit(config: dict, workdir: Path) -> None:
        path = workdir / name
        if isinstance(frame, bytes):
            path.write_bytes(frame)
        elif frame is not None:
            frame.to_csv(path, index=False)
        config["datasets"]["bad"] = {"source": "file", "path": name, "label": "kind", **spec}

    return edit


def with_images(name: str, classes: dict[str, int] | None, broken: str | None = None):
    """An edit adding image-folder data set `bad` at `name`, with `classes` {folder: images}
    (folder "" puts the images at the top), one file replaced by garbage if `broken`."""

    def edit(config: dict, workdir: Path) -> None:
        from PIL import Image

        root = workdir / name
        for cls, count in (classes or {}).items():
            (root / cls).mkdir(parents=True, exist_ok=True)
            for i in range(count):
                Image.new("L", (8, 8), color=40 * i).save(root / cls / f"{i}.png")
        if broken:
            (root / broken).write_bytes(b"not an image")
        config["datasets"]["bad"] = {"source": "image_folder", "path": name, "size": 8}

    return edit


def config_edit(change):
    def edit(config: dict, workdir: Path) -> None:
        change(config)

    return edit


single_class = table().assign(kind="k0")
infinite = table().astype({"a": object})
infinite.loc[3, "a"] = np.inf
text_in_numbers = table().astype({"a": object})
text_in_numbers.loc[[4, 9], "a"] = "n/a?"
tiny_class = pd.concat([table(), table(1).assign(kind="lonely")], ignore_index=True)

CASES = {
    "unknown strategy class": (
        config_edit(lambda c: c["strategies"]["entropy"].update(query="Entropy")),
        "strategies.entropy.query: 'Entropy' is not a query strategy of skactiveml.pool",
    ),
    "unknown model path": (
        config_edit(lambda c: c["models"]["logreg"].update(estimator="sklearn.linear_model.No")),
        "models.logreg.estimator: module 'sklearn.linear_model' has no 'No'",
    ),
    "params a class does not accept": (
        config_edit(lambda c: c["strategies"]["entropy"].update(params={"methd": "entropy"})),
        "strategies.entropy.params: UncertaintySampling does not accept ['methd']",
    ),
    "seeds empty": (config_edit(lambda c: c.update(seeds=[])), "schema['properties']['seeds']"),
    "seeds negative": (
        config_edit(lambda c: c.update(seeds=[0, -3])),
        "schema['properties']['seeds']",
    ),
    "unknown blind-pick policy": (
        config_edit(lambda c: c.update(blind_pick={"policies": ["by_luck"]})),
        "schema['properties']['blind_pick']['properties']['policies']",
    ),
    "stability draws not a positive integer": (
        config_edit(lambda c: c.update(stability={"draws": 0})),
        "schema['properties']['stability']['properties']['draws']",
    ),
    "stability subset of one seed": (
        config_edit(lambda c: c.update(stability={"seeds": [1, 3]})),
        "schema['properties']['stability']['properties']['seeds']",
    ),
    "explorer seeds not a boolean": (
        config_edit(lambda c: c.update(explorer={"seeds": "yes"})),
        "schema['properties']['explorer']['properties']['seeds']",
    ),
    "explorer unknown key": (
        config_edit(lambda c: c.update(explorer={"seed": True})),
        "schema['properties']['explorer']",
    ),
    "fraction outside (0, 1)": (
        config_edit(lambda c: c["protocol"].update(test_size=1.5)),
        "1.5 is greater than or equal to the maximum of 1",
    ),
    "batch larger than the pool": (
        config_edit(lambda c: c["protocol"].update(batch_size=500)),
        "protocol: data set 'iris' has",
    ),
    "baseline not a strategy": (
        config_edit(lambda c: c.update(baseline="uniform")),
        "baseline: 'uniform' is not one of the strategies",
    ),
    "missing file": (
        with_file("nowhere.csv", None),
        "datasets.bad.path: file 'nowhere.csv' does not exist",
    ),
    "unreadable file": (
        with_file("garbage.parquet", b"\x00\x01not parquet"),
        "datasets.bad.path: cannot read 'garbage.parquet'",
    ),
    "label column absent": (
        with_file("a.csv", table(), label="animal"),
        "datasets.bad.label: column(s) ['animal'] not in 'a.csv'",
    ),
    "single class": (with_file("one.csv", single_class), "data set 'bad' has a single class"),
    "NaN or infinite features": (
        with_file("inf.csv", infinite),
        "data set 'bad' has NaN or infinite feature values",
    ),
    "strings in numeric columns": (
        with_file("text.csv", text_in_numbers),
        "column 'a' is numeric but holds non-numeric values, e.g. ['n/a?'] (rows [4, 9])",
    ),
    "a class too small for the split": (
        with_file("tiny.csv", tiny_class),
        "data set 'bad': class(es) ['lonely'] have fewer than 2 samples",
    ),
    "unknown key": (
        config_edit(lambda c: c["protocol"].update(batchsize=4)),
        "Additional properties are not allowed ('batchsize' was unexpected)",
    ),
    "wrong type": (
        config_edit(lambda c: c["protocol"].update(iterations="many")),
        "'many' is not of type 'integer'",
    ),
    "unknown metric": (
        config_edit(lambda c: c["protocol"].update(metrics=["auc"])),
        "protocol.metrics: ['auc'] is no metric; the classification metrics are ['accuracy', "
        "'balanced_accuracy', 'f1_macro', 'f1_weighted']; the regression metrics are ['rmse', ",
    ),
    "only the baseline": (
        config_edit(lambda c: c["strategies"].pop("entropy")),
        "strategies: only the baseline 'random'",
    ),
    "model without probabilities": (
        config_edit(
            lambda c: c["models"].update(hard={"estimator": "pool_helpers.NoProbabilities"})
        ),
        "models.hard: NoProbabilities gives no class probabilities (predict_proba), which "
        "strategies ['entropy'] need",
    ),
    "model needs the torch extra": (
        config_edit(lambda c: c["models"].update(cnn={"estimator": "needs_torch.CNN"})),
        "models.cnn.estimator: cannot import module 'needs_torch' (No module named 'torch'); "
        "install the torch extra",
    ),
    "strategy that cannot query with the model": (
        config_edit(lambda c: c["strategies"].update(pal={"query": "ProbabilisticAL"})),
        "strategies.pal: ProbabilisticAL cannot query with model 'logreg' on data set 'iris' "
        "(3 classes, 4 features): TypeError: clf has no predict_freq",
    ),
    "model that cannot be fitted": (
        config_edit(
            lambda c: c["models"].update(
                broken={"estimator": "pool_helpers.BrokenFitClassifier", "params": {"limit": 3}}
            )
        ),
        "models.broken: cannot be fitted on 6 labels of data of the shape of 'iris'",
    ),
    "embedding maps of a model without embeddings": (
        config_edit(lambda c: c.update(embedding_maps={"models": ["logreg"], "iterations": [1]})),
        "embedding_maps.models: model 'logreg' (LogisticRegression) gives no embeddings",
    ),
    "embedding maps past the last iteration": (
        config_edit(
            lambda c: c.update(
                models={"mlp": {"estimator": "albench.models.EmbeddingMLPClassifier"}},
                embedding_maps={"models": ["mlp"], "iterations": [5]},
            )
        ),
        "embedding_maps.iterations: 5 is past the last iteration (2) of data set 'iris'",
    ),
    "identifier, date and free-text columns": (
        with_file("customers.csv", customer_table(), label="churned"),
        "datasets.bad: 3 column(s) cannot be features; one-hot encoded, each would add one "
        "feature per distinct value",
    ),
    "file without rows": (
        with_file("empty.csv", table().head(0)),
        "datasets.bad.path: 'empty.csv' has no data rows (only a header)",
    ),
    "missing image folder": (
        with_images("nowhere", None),
        "datasets.bad.path: folder 'nowhere' does not exist",
    ),
    "image folder without class folders": (
        with_images("flat", {"": 3}),
        "datasets.bad.path: 'flat' must hold one sub-folder of images per class; found 0",
    ),
    "image that cannot be decoded": (
        with_images("broken_images", {"a": 20, "b": 20}, broken="b/1.png"),
        "datasets.bad: cannot read image 'broken_images/b/1.png'",
    ),
}


def refusal(config: dict, workdir: Path) -> str:
    """Return the error the workflow's steps raise for `config`, in the workflow's order: the
    schema, the config check (with its probes), then each data set's preparation and splits."""
    try:
        validate(config, str(SCHEMA))
        check_config(config)
        for name, spec in config["datasets"].items():
            data = workdir / "results" / f"{name}.parquet"
            prepare_dataset(DatasetSpec(name=name, source=spec), data)
            for protocol in protocol_names(config):
                for seed in seed_list(config):
                    spec_ = split_spec(config, name, seed, protocol)
                    split_dataset(data, workdir / "results" / f"{name}.{seed}.parquet", spec_)
    except (WorkflowError, AlbenchError) as error:
        return str(error)
    raise AssertionError("accepted")


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_naming_the_culprit(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)  # relative data paths, as in a run
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent))
    edit, fragment = CASES[case]
    config = copy.deepcopy(BASE)
    edit(config, tmp_path)
    assert fragment in refusal(config, tmp_path)


# One case per stage that refuses, through the real workflow.
STAGES = [
    "unknown key",  # the schema
    "baseline not a strategy",  # the config check
    "identifier, date and free-text columns",  # the config check, reading the data
    "strategy that cannot query with the model",  # the probes
    "strings in numeric columns",  # the preparation job
    "image that cannot be decoded",  # the preparation job, images
    "a class too small for the split",  # the split job
]


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("bad_input")
    write_config(workdir, BASE)
    snakemake(workdir, "--configfile", "bench.yaml", "--cores", "2", env=TEST_MODULES)
    return workdir


def results_state(workdir: Path) -> dict[str, tuple[int, int]]:
    """The benchmark's results (not those of the bad data set `bad` an earlier case left, which
    a case that changes `bad` again replaces)."""
    return {
        str(p.relative_to(workdir)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in (workdir / "results").rglob("*")
        if p.is_file() and "bad" not in (p.stem, *p.parts)
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", STAGES)
def test_the_workflow_refuses_bad_input_before_any_cell_and_keeps_the_results(finished, case):
    edit, fragment = CASES[case]
    config = copy.deepcopy(BASE)
    edit(config, finished)
    write_config(finished, config, "bad.yaml")
    before = results_state(finished)
    run = snakemake(
        finished, "--configfile", "bad.yaml", "--cores", "2", check=False, env=TEST_MODULES
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert fragment in output, output[-3000:]
    assert "rule al_cell" not in output  # refused before any cell ran
    after = results_state(finished)
    assert {k: v for k, v in after.items() if k in before} == before
    assert not [k for k in after if k not in before and "curves" in k]


@pytest.mark.slow
def test_a_duplicate_name_is_refused_with_its_line(finished):
    text = yaml.safe_dump(BASE, sort_keys=False)
    text = text.replace("strategies:\n", "strategies:\n  entropy:\n    query: RandomSampling\n")
    (finished / "dup.yaml").write_text(text)
    run = snakemake(finished, "--configfile", "dup.yaml", "-n", check=False)
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "dup.yaml: line " in output and "duplicate name 'entropy'" in output, output
