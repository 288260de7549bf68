"""The benchmark on a real single-node SLURM cluster through profiles/slurm.

The module's fixture installs Debian's slurm-wlm and munge when missing (as root; skipped
otherwise), starts the daemons with tests/slurm/start_local_slurm.sh and stops them afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO
from test_robustness import cell_outputs
from test_workflow import SNAKEMAKE, snakemake, write_config

pytestmark = pytest.mark.slow

SCRIPTS = Path(__file__).resolve().parent / "slurm"
PARTITION = "debug"

CONFIG = {
    "datasets": {"wine": {"source": "sklearn", "name": "wine"}},
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    "strategies": {"random": {"query": "RandomSampling"}, "badge": {"query": "Badge"}},
    "seeds": 3,
    "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
}


@pytest.fixture(scope="module")
def slurm_cluster():
    """A running single-node SLURM cluster on this machine, torn down after the module.

    Packages the fixture installs it also removes: with SLURM's client tools installed and no
    controller running, the SLURM executor plugin's probes at import (`scontrol show config`)
    hang for about 9 s at every later `snakemake` start on this machine.
    """
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("starting a local SLURM cluster needs root and apt-get (Debian)")
    installs = shutil.which("slurmctld") is None
    env = {**os.environ, "SLURM_PARTITION": PARTITION}
    start = subprocess.run(
        ["bash", str(SCRIPTS / "start_local_slurm.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert start.returncode == 0, f"local SLURM did not start:\n{start.stderr[-3000:]}"
    yield
    subprocess.run(["bash", str(SCRIPTS / "stop_local_slurm.sh")], capture_output=True, timeout=120)
    if installs:
        subprocess.run(
            ["apt-get", "remove", "-y", "-qq", "slurmctld", "slurmd", "slurm-client"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True,
            timeout=300,
        )


def cluster_profile(directory: Path) -> Path:
    """The shipped profiles/slurm with the settings this local cluster needs."""
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    profile["default-resources"] = {
        **profile["default-resources"],
        "slurm_partition": PARTITION,
        "mem_mb": 500,
    }
    profile.update(
        {
            "jobs": 4,
            "cores": 2,  # the CPUs of this machine's one node
            "latency-wait": 10,
            # No accounting daemon here: ask squeue, not sacct, and poll quickly.
            "slurm-status-command": "squeue",
            "slurm-init-seconds-before-status-checks": 2,
            "seconds-between-status-checks": 2,
            "slurm-keep-successful-logs": True,
            # Smaller groups than the shipped 50, so this small grid spans several of them.
            "group-components": {"cells": 4},
        }
    )
    directory.mkdir()
    (directory / "config.yaml").write_text(yaml.safe_dump(profile))
    return directory


def test_benchmark_on_slurm_equals_a_local_run(slurm_cluster, tmp_path):
    cluster, local = tmp_path / "cluster", tmp_path / "local"
    for workdir in (cluster, local):
        workdir.mkdir()
        write_config(workdir, CONFIG)
    profile = cluster_profile(tmp_path / "profile")
    # Snakemake ignores SIGTERM while it waits on cluster jobs: stop it with SIGINT.
    run = subprocess.run(
        ["timeout", "-s", "INT", "-k", "30", "600", *SNAKEMAKE, "--profile", str(profile),
         "--configfile", "bench.yaml"],
        cwd=cluster, capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    snakemake(local, "--configfile", "bench.yaml", "--cores", "2")

    # The cells really went through SLURM, grouped several to a submission.
    slurm_logs = list((cluster / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert slurm_logs, "no SLURM job logs: did the jobs run on the cluster?"
    assert any("group" in str(path) for path in slurm_logs), slurm_logs
    on_cluster, here = cell_outputs(cluster), cell_outputs(local)
    assert on_cluster.keys() == here.keys() and len(here) == 2 * 2 * 3
    for path in here:
        pd.testing.assert_frame_equal(on_cluster[path], here[path], check_exact=True, obj=path)
    for name in ("comparison.csv", "aubc.csv"):
        cluster_table = pd.read_csv(cluster / "results" / "summary" / name)
        local_table = pd.read_csv(local / "results" / "summary" / name)
        pd.testing.assert_frame_equal(cluster_table, local_table, obj=name)
