"""A project's own strategy and model through the real workflow: found by every job, and
editing their source reruns exactly the jobs that run them (as editing a data file does)."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest
from helpers import (
    REPO,
    planned_cells,
    planned_jobs,
    snakemake,
    worker_processes_in,
    write_config,
)

pytestmark = pytest.mark.slow

MODEL = '''"""A project's own model: logistic regression with a stronger default penalty."""

from sklearn.linear_model import LogisticRegression


class ShrunkLogisticRegression(LogisticRegression):
    def __init__(self, C=0.3, max_iter=500, random_state=None):
        super().__init__(C=C, max_iter=max_iter, random_state=random_state)
'''

CONFIG = {
    "datasets": {"iris": {"source": "sklearn", "name": "iris"}},
    "models": {
        "logreg": {"estimator": "sklearn.linear_model.LogisticRegression"},
        "shrunk": {"estimator": "mymodels.ShrunkLogisticRegression"},
    },
    "strategies": {
        "random": {"query": "RandomSampling"},
        "margin": {"query": "UncertaintySampling", "params": {"method": "margin_sampling"}},
        "mine": {"query": "mystrats.density.DensityWeightedMargin", "params": {"beta": 1.0}},
    },
    "seeds": 1,
    "protocol": {"initial_size": 6, "batch_size": 3, "iterations": 2},
}
# What an edit of one model's or one strategy's code reruns besides its cells: the data set's
# summaries, the learning-curve figures of the models involved, and the overall tables with
# what is drawn from them (the figures of each of the two models) and the verdict.
DOWNSTREAM = {
    "summarise_dataset": 1,
    "summarise_stopping": 1,
    "aggregate": 1,
    "aggregate_stopping": 1,
    "plot_stops": 2,  # both models' figures: they read the data set's stops table
    "blind_pick": 1,
    "verdict": 1,
    "explorer": 1,
    "all": 1,
}
OVERALL_FIGURES = (
    "plot_heatmap",
    "plot_cost_benefit",
    "plot_critical_difference",
    "plot_stopping_overview",
    "plot_stopping_ranks",
    "plot_stability",
)


def downstream(models: int) -> dict[str, int]:
    return {**DOWNSTREAM, "plot_curves": models, **dict.fromkeys(OVERALL_FIGURES, 2)}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A finished run of a project folder holding its own strategy package and model module."""
    workdir = tmp_path_factory.mktemp("own_code")
    shutil.copytree(REPO / "config" / "examples" / "mystrats", workdir / "mystrats")
    (workdir / "mymodels.py").write_text(MODEL)
    write_config(workdir, CONFIG)
    snakemake(workdir, "--configfile", "bench.yaml", "--cores", "2")
    return workdir


def plan(workdir):
    proc = snakemake(workdir, "--configfile", "bench.yaml", "-n")
    return planned_jobs(proc), planned_cells(proc)


def code_of(workdir, cell):
    path = workdir / "results" / "curves" / "iris" / "default" / cell / "seed0.parquet"
    return json.loads(pq.read_schema(path).metadata[b"albench.code"])


def test_editing_a_strategys_source_reruns_exactly_its_cells(project):
    assert plan(project) == ({}, set())
    before = code_of(project, "logreg/mine")["strategies.mine"][0]
    assert before["files"] == ["mystrats/__init__.py", "mystrats/density.py"]
    source = project / "mystrats" / "density.py"
    source.write_text(source.read_text().replace("density**self.beta", "density ** self.beta"))
    jobs, cells = plan(project)
    assert cells == {"iris/default/logreg/mine/seed0", "iris/default/shrunk/mine/seed0"}
    assert jobs == {"al_cell": 2, **downstream(models=2)}
    # Snakemake's own executor: each cell imports the project's code in its own process. Only
    # the cells (what summarises them imports no project code): the next test's run makes the rest.
    snakemake(
        project,
        "--configfile",
        "bench.yaml",
        "--cores",
        "2",
        "--until",
        "al_cell",
        "--executor",
        "local",
    )
    pending = downstream(models=2)
    assert plan(project) == (pending, set())
    after = code_of(project, "logreg/mine")["strategies.mine"][0]
    assert after["sha256"] != before["sha256"] and after["import"] == before["import"]
    # The same bytes written again rerun nothing (Snakemake compares small inputs' contents).
    source.write_bytes(source.read_bytes())
    assert plan(project) == (pending, set())


def test_editing_a_models_source_reruns_its_cells_and_reference(project):
    pending, cells = plan(project)  # the summaries the test before left, if it ran
    assert cells == set()
    (project / "mymodels.py").write_text(MODEL.replace("C=0.3", "C=0.2"))
    jobs, cells = plan(project)
    assert cells == {f"iris/default/shrunk/{s}/seed0" for s in CONFIG["strategies"]}
    expected = {"al_cell": 3, "full_pool": 1, **downstream(models=1)}
    expected.update({rule: max(n, expected.get(rule, 0)) for rule, n in pending.items()})
    assert jobs == expected
    # No worker of the first run is left to hold the old code: each run starts its own.
    assert not worker_processes_in(project)
    snakemake(project, "--configfile", "bench.yaml", "--cores", "2")
    assert code_of(project, "shrunk/random")["models.shrunk"][0]["files"] == ["mymodels.py"]
    edited = pq.read_table(project / "results/curves/iris/default/shrunk/random/seed0.parquet")
    assert not worker_processes_in(project)
    # The edited model's cells ran the edited code: the same cell with C=0.2 in a fresh folder.
    fresh = project.parent / "own_code_fresh"
    shutil.copytree(project / "mystrats", fresh / "mystrats")
    shutil.copy(project / "mymodels.py", fresh / "mymodels.py")
    strategies = {name: CONFIG["strategies"][name] for name in ("random", "margin")}
    write_config(fresh, {**CONFIG, "strategies": strategies})
    cell = "results/curves/iris/default/shrunk/random/seed0.parquet"
    snakemake(fresh, "--configfile", "bench.yaml", "--cores", "1", "--executor", "local", cell)
    assert pq.read_table(fresh / cell).column("accuracy").equals(edited.column("accuracy"))


def test_a_strategy_failing_its_conformance_check_stops_the_workflow_before_any_job(tmp_path):
    (tmp_path / "lazy.py").write_text(
        "import numpy as np\n\n\n"
        "def first_rows(X, y, batch_size):\n"
        "    return np.arange(batch_size)  # labelled rows too\n"
    )
    config = {**CONFIG, "models": {"logreg": CONFIG["models"]["logreg"]}}
    config["strategies"] = {**CONFIG["strategies"], "mine": {"query": "lazy.first_rows"}}
    write_config(tmp_path, config)
    proc = snakemake(tmp_path, "--configfile", "bench.yaml", "--cores", "2", check=False)
    assert proc.returncode != 0
    assert (
        "invalid config: strategies.mine: lazy.first_rows fails the conformance check with "
        "model 'logreg' on data of the shape of data set 'iris' (3 classes, 4 features, 6 "
        "labelled): returned labelled row 0"
    ) in proc.stderr
    assert not (tmp_path / "results").exists()
    assert not worker_processes_in(tmp_path)
