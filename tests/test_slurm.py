"""The benchmark on a real single-node SLURM cluster through profiles/slurm.

The module's fixture starts a local cluster (tests/slurm/local_cluster.py: installs Debian's
slurm-wlm and munge when missing, as root; skipped otherwise) and stops it afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import (
    REPO,
    SNAKEMAKE,
    cell_outputs,
    curve_names,
    planned_jobs,
    snakemake,
    write_config,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "slurm"))
from local_cluster import can_start, cluster_profile, local_slurm, submissions  # noqa: E402

from albench.env import STATUS_FAILING_SECONDS_ENV  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

CONFIG = {
    "datasets": {
        "wine": {"source": "sklearn", "name": "wine"},
        "moons": {
            "source": "synthetic",
            "generator": "make_moons",
            "params": {"n_samples": 120, "noise": 0.3},
        },
    },
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    # A strategy of the project folder's own (copied there): cluster jobs import it too.
    "strategies": {
        "random": {"query": "RandomSampling"},
        "mine": {"query": "mystrats.density.DensityWeightedMargin"},
    },
    "seeds": 2,
    "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
}


@pytest.fixture(scope="module")
def slurm_cluster():
    """A running single-node SLURM cluster on this machine, torn down after the module."""
    if not can_start():
        pytest.skip("starting a local SLURM cluster needs root and apt-get (Debian)")
    with local_slurm():
        yield


def run_on_cluster(
    workdir: Path, profile: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    # Snakemake ignores SIGTERM while it waits on cluster jobs: stop it with SIGINT.
    return subprocess.run(
        [
            "timeout",
            "-s",
            "INT",
            "-k",
            "30",
            "600",
            *SNAKEMAKE,
            "--workflow-profile",
            str(profile),
            "--configfile",
            "bench.yaml",
            *args,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_benchmark_on_slurm_equals_a_local_run_and_takes_the_fast_path(slurm_cluster, tmp_path):
    cluster, local = tmp_path / "cluster", tmp_path / "local"
    for workdir in (cluster, local):
        workdir.mkdir()
        write_config(workdir, CONFIG)
        shutil.copytree(REPO / "config" / "examples" / "mystrats", workdir / "mystrats")
    # Groups of 2 (data set, seed) units, so that this small grid spans several submissions.
    profile = cluster_profile(tmp_path / "profile", cores=2, **{"group-components": {"cells": 2}})
    # The local run goes on beside the cluster's, which mostly waits on the queue and polls.
    with ThreadPoolExecutor(1) as beside:
        local_run = beside.submit(snakemake, local, "--configfile", "bench.yaml", "--cores", "2")
        run = run_on_cluster(cluster, profile)
        local_run.result()
    assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"

    # The cells went through SLURM, (data set, seed) units grouped two to a submission, and
    # only they: data preparation, summaries and figures are local rules.
    assert len(submissions(cluster)) == 2
    group_logs = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert all("group_cells" in str(path) for path in group_logs), group_logs
    # The fast path: each submission is one Snakemake that runs its jobs itself (albench's
    # executor, no Snakemake per job) in its warm workers.
    for path in group_logs:
        text = path.read_text()
        assert "--executor albench" in text and text.count("Building DAG of jobs") == 1, path
    # Every cell ran in a warm worker inside one of the submissions' allocations.
    cell_logs = list((cluster / "logs" / "al_cell").rglob("*.log"))
    assert len(cell_logs) == 2 * 2 * 2
    ran_in = {
        re.search(
            r"computed for .* in a warm worker of SLURM job (\d+)$", path.read_text().strip()
        )[1]
        for path in cell_logs
    }
    assert ran_in == set(submissions(cluster))

    on_cluster, here = cell_outputs(cluster), cell_outputs(local)
    assert on_cluster.keys() == here.keys() and len(here) == 2 * 2 * 2 * 2
    for path in here:
        pd.testing.assert_frame_equal(on_cluster[path], here[path], check_exact=True, obj=path)
    for name in ("comparison.csv", "aubc.csv"):
        cluster_table = pd.read_csv(cluster / "results" / "summary" / name)
        local_table = pd.read_csv(local / "results" / "summary" / name)
        pd.testing.assert_frame_equal(cluster_table, local_table, obj=name)
    # (That editing the strategy's source reruns only its cells is decided by the submitting
    # Snakemake, as in a local run: tests/test_own_code_workflow.py.)


def stock_status_key(profile: Path) -> Path:
    """Rewrite `profile` as a user of the stock executor would have it: its status query named
    with the stock key (`slurm-status-command`), which albench-slurm does not read."""
    settings = yaml.safe_load((profile / "config.yaml").read_text())
    settings["slurm-status-command"] = settings.pop("albench-slurm-status-command")
    (profile / "config.yaml").write_text(yaml.safe_dump(settings))
    return profile


def test_a_failing_cell_on_slurm_fails_only_itself(slurm_cluster, tmp_path):
    config = {
        **CONFIG,
        "models": {**CONFIG["models"], "fragile": {"estimator": "pool_helpers.FragileClassifier"}},
        "strategies": {"random": {"query": "RandomSampling"}, "badge": {"query": "Badge"}},
    }
    write_config(tmp_path, config)
    # The profile of issue 26's hang: `slurm-status-command: squeue` under albench-slurm, on a
    # cluster without accounting, where sacct (asked instead) cannot answer.
    profile = stock_status_key(cluster_profile(tmp_path / "profile", cores=2, retries=0))
    # The cluster jobs inherit this environment (sbatch --export=ALL), their workers too.
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent)}
    run = run_on_cluster(tmp_path, profile, "--keep-going", env=env)  # a hang: timeout's 124
    assert run.returncode not in (0, 124, 130), "the run should end, not wait on sacct"
    output = " ".join((run.stdout + run.stderr).split())
    # Both said: the key that has no effect, and the fallback to squeue, each naming the key.
    assert "`slurm-status-command` (" in output and "write `albench-slurm-status-command`" in output
    assert "the status query `sacct` fails here" in output
    assert "`albench-slurm-status-command: squeue`" in output
    # The progress line said what the cluster was doing while no cell had come back.
    assert re.search(r"on the cluster \d+ queued, \d+ running, \d+ of \d+ submissions", output)
    # FragileClassifier fails on moons' two features only: every other cell, those of the
    # groups that held the failing ones too, is there, and a rerun would compute just the
    # failed cells and references.
    curves = curve_names(tmp_path)
    expected = {
        f"{d}/default/{m}/{s}/seed{seed}.parquet"
        for d in ("wine", "moons")
        for m in ("logreg", "fragile")
        for s in ("random", "badge")
        for seed in range(2)
        if (d, m) != ("moons", "fragile")
    }
    assert curves == expected
    plan = run_on_cluster(tmp_path, profile, "-n", env=env)
    assert plan.returncode == 0, plan.stderr[-3000:]
    planned = planned_jobs(plan)
    assert planned["al_cell"] == 2 * 2 and planned["full_pool"] == 2, planned
    assert "split" not in planned and "prepare_dataset" not in planned, planned


def test_status_queries_that_cannot_answer_stop_the_run_within_a_minute(slurm_cluster, tmp_path):
    # sacct cannot answer on this cluster (no accounting), and squeue is made to fail too.
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "squeue").write_text(
        "#!/bin/sh\necho 'squeue: error: cannot reach slurmctld' >&2\nexit 1\n"
    )
    (shim / "squeue").chmod(0o755)
    config = {
        **CONFIG,
        "datasets": {"wine": CONFIG["datasets"]["wine"]},
        "strategies": {"random": {"query": "RandomSampling"}, "badge": {"query": "Badge"}},
        "seeds": 1,
    }
    write_config(tmp_path, config)
    profile = cluster_profile(tmp_path / "profile", cores=2)
    settings = yaml.safe_load((profile / "config.yaml").read_text())
    settings["albench-slurm-status-command"] = "sacct"
    (profile / "config.yaml").write_text(yaml.safe_dump(settings))
    # 8 s of failures instead of 30 (the stop itself is what is tested, and its message).
    env = {"PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", STATUS_FAILING_SECONDS_ENV: "8"}
    run = run_on_cluster(tmp_path, profile, env=env)
    assert run.returncode not in (0, 124, 130)
    output = " ".join((run.stdout + run.stderr).split())
    stop = re.search(
        r"the cluster's job states cannot be read: `squeue` failed \d+ times in (\d+) s", output
    )
    assert stop, output[-3000:]
    assert 8 <= int(stop[1]) < 30  # stopped once the failures lasted the 8 s asked for
    assert "squeue: error: cannot reach slurmctld" in output
    assert "Set `albench-slurm-status-command`" in output
    # Nothing of the run is left on the cluster.
    left = subprocess.run(["squeue", "--noheader"], capture_output=True, text=True).stdout
    assert not left.strip(), left
