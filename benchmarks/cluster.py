"""Time a grid through SLURM (profiles/slurm) against the same grid run locally.

Usage (as root; starts a local single-node SLURM cluster, as tests/test_slurm.py does):
    python benchmarks/cluster.py [--seeds 4] [--seeds 16] [--cores 2] [--profile profiles/slurm]

The grid: iris, wine, breast_cancer and digits x LogisticRegression x random,
entropy, least confident, margin and BADGE, 20 iterations of 5 labels; `--seeds 4` gives 80
cells, `--seeds 16` 320 (several `--seeds` run one after another on the same cluster). For each
it runs `snakemake --cores N` and `snakemake --workflow-profile <profile + site settings>` in fresh
directories and prints both walls, their ratio, and the node seconds per cell beyond compute:
the CPU-seconds SLURM allocated to the run's submissions (run time x CPUs, from scontrol), less
the seconds the jobs of the grouped rules computed there (their logs' last line), per cell.
It also checks that both runs wrote identical curves and selections.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from albench.io.curves import TIMING_COLUMNS

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "slurm"))
sys.path.insert(0, str(REPO / "benchmarks"))

from default_run import job_compute  # noqa: E402
from local_cluster import cluster_profile, local_slurm, node_seconds, submissions  # noqa: E402

GRID = {
    "datasets": {
        name: {"source": "sklearn", "name": name}
        for name in ("iris", "wine", "breast_cancer", "digits")
    },
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    "strategies": {
        "random": {"query": "RandomSampling"},
        "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
        "least_confident": {
            "query": "UncertaintySampling",
            "params": {"method": "least_confident"},
        },
        "margin": {"query": "UncertaintySampling", "params": {"method": "margin_sampling"}},
        "badge": {"query": "Badge"},
    },
    "protocol": {"initial_size": 10, "batch_size": 5, "iterations": 20},
}


def run(workdir: Path, *args: str) -> float:
    """Run snakemake on the repository's Snakefile in `workdir`; return its wall time."""
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), *args]
    start = time.perf_counter()
    # Snakemake ignores SIGTERM while it waits on cluster jobs: stop it with SIGINT.
    proc = subprocess.run(
        ["timeout", "-s", "INT", "-k", "30", "7200", *command],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {workdir}:\n{proc.stderr[-4000:]}")
    return wall


def cell_files(workdir: Path) -> dict[str, pd.DataFrame]:
    """Every curve (without its timings) and selection a run wrote, by path."""
    results = workdir / "results"
    paths = [*results.glob("curves/**/*.parquet"), *results.glob("selections/**/*.parquet")]
    frames = {str(path.relative_to(results)): pd.read_parquet(path) for path in paths}
    return {
        path: frame.drop(columns=[c for c in TIMING_COLUMNS if c in frame.columns])
        for path, frame in frames.items()
    }


def compare(seeds: int, cores: int, profile_source: Path, root: Path) -> dict[str, float]:
    """Run the grid with `seeds` seeds locally and through SLURM; return the measurements."""
    local, cluster = root / f"local{seeds}", root / f"cluster{seeds}"
    config = {**GRID, "seeds": seeds}
    for workdir in (local, cluster):
        workdir.mkdir()
        (workdir / "grid.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    profile = cluster_profile(root / f"profile{seeds}", cores, source=profile_source)

    local_wall = run(local, "--configfile", "grid.yaml", "--cores", str(cores), "--quiet", "all")
    cluster_wall = run(cluster, "--configfile", "grid.yaml", "--workflow-profile", str(profile))
    allocated = node_seconds(submissions(cluster))

    here, there = cell_files(local), cell_files(cluster)
    if here.keys() != there.keys():
        raise SystemExit(f"different cells: {sorted(here.keys() ^ there.keys())[:5]}")
    for path, frame in here.items():
        pd.testing.assert_frame_equal(there[path], frame, check_exact=True, obj=path)
    cells = len(list((local / "results" / "curves").rglob("*.parquet")))
    # Compute of the jobs that ran on the cluster: the grouped rules (the others are local).
    grouped = yaml.safe_load((profile / "config.yaml").read_text()).get("groups", {})
    computed = sum(s for rule, s in job_compute(cluster / "logs").items() if rule in grouped)
    return {
        "cells": cells,
        "local": local_wall,
        "cluster": cluster_wall,
        "submissions": len(submissions(cluster)),
        "node": allocated,
        "computed": computed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, action="append", help="4: 80 cells, 16: 320")
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--profile", type=Path, default=REPO / "profiles" / "slurm")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="albench-cluster-"))
    rows = []
    with local_slurm(min_job_age=7200):
        for seeds in args.seeds or [4, 16]:
            rows.append(compare(seeds, args.cores, args.profile.resolve(), root))
            row = rows[-1]
            print(
                f"{row['cells']:4d} cells: local --cores {args.cores} {row['local']:7.1f} s, "
                f"SLURM {row['cluster']:7.1f} s, ratio {row['cluster'] / row['local']:5.2f}; "
                f"{row['submissions']} submissions, {row['node']:.0f} node CPU-s for "
                f"{row['computed']:.1f} s of job compute: "
                f"{(row['node'] - row['computed']) / row['cells']:.2f} node s per cell beyond "
                "compute; curves and selections identical",
                flush=True,
            )
    print(f"profile: {args.profile}")
    if args.keep:
        print(f"runs kept in {root}")
    else:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
