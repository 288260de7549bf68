"""Time the default benchmark end to end and the share of it spent computing.

Usage: python benchmarks/default_run.py [--cores 2] [--configfile FILE] [--executor local]

Runs the workflow in a fresh temporary directory and prints the total wall time and three sums
of compute, each also as a ratio to wall time x cores (1.0: every core computed all the time):
- cell fit + query + score, as recorded in the curves;
- cell jobs: each al_cell job's own time from start to written outputs (reads and writes too);
- all jobs: the same for every job (cells, full-pool references, splits, data, figures; the
  aggregate job runs as a Snakemake script and counts as overhead).
What is left is overhead: interpreter start-up and imports, scheduling, idle cores.
`--executor local` runs every job the stock way, each in its own process (the default profile's
executor is albench's, with warm workers).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
JOB_LINE = re.compile(r"rule (\w+) computed for ([0-9.]+) s")


def job_compute(logs: Path) -> dict[str, float]:
    """Sum the compute seconds each kind of job logged (albench.run.script.running's last line)."""
    totals: dict[str, float] = {}
    for log in logs.rglob("*.log"):
        for name, seconds in JOB_LINE.findall(log.read_text()):
            totals[name] = totals.get(name, 0.0) + float(seconds)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--configfile", type=Path, default=REPO / "config" / "config.yaml")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("--executor", default="albench", help="local: each job in its own process")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="albench-bench-"))
    shutil.copy(args.configfile, workdir / "bench.yaml")
    cmd = [*SNAKEMAKE, "--configfile", "bench.yaml", "--cores", str(args.cores), "--quiet", "all"]
    cmd += ["--executor", args.executor]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=workdir, check=True)
    wall = time.perf_counter() - start

    curves = pd.read_parquet(workdir / "results" / "summary" / "curves.parquet")
    compute = curves[["fit_seconds", "query_seconds", "score_seconds"]].sum().sum()
    n_cells = curves.groupby(["dataset", "model", "strategy", "seed"]).ngroups
    job_seconds = job_compute(workdir / "logs")
    cell_jobs = job_seconds.get("al_cell", 0.0)
    all_jobs = sum(job_seconds.values())
    capacity = wall * args.cores
    print(f"config:             {args.configfile}")
    print(f"executor:           {args.executor}")
    print(f"cells:              {n_cells}")
    print(f"cores:              {args.cores}")
    print(f"wall time:          {wall:8.1f} s")
    print(f"cell compute (sum): {compute:8.1f} s  (fit + query + score)")
    print(f"compute per cell:   {compute / n_cells:8.3f} s")
    print(f"wall per cell:      {wall * args.cores / n_cells:8.3f} core-s")
    print(f"cell jobs (sum):    {cell_jobs:8.1f} s  (al_cell jobs, reads and writes included)")
    print(f"all jobs (sum):     {all_jobs:8.1f} s  ({len(job_seconds)} kinds of job)")
    for name, seconds in sorted(job_seconds.items(), key=lambda item: -item[1]):
        print(f"  {name:26s}{seconds:8.1f} s")
    print(f"overhead:           {capacity - all_jobs:8.1f} core-s  (wall x cores - all jobs)")
    print(f"fit+query+score / (wall x cores): {compute / capacity:.3f}")
    print(f"cell jobs / (wall x cores):       {cell_jobs / capacity:.3f}")
    print(f"all jobs / (wall x cores):        {all_jobs / capacity:.3f}")
    if args.keep:
        print(f"results kept in {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
