"""Time the default benchmark end to end and the share of it spent computing cells.

Usage: python benchmarks/default_run.py [--cores 2] [--configfile config/config.yaml]

Runs the workflow in a fresh temporary directory and prints the total wall time, the sum of
in-process cell compute (fit + query + score, as recorded in the curves) and their ratio per
core: 1.0 would mean every core computed cells all the time; the rest is start-up, I/O,
scheduling and the aggregate and figure jobs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--configfile", type=Path, default=REPO / "config" / "config.yaml")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="albench-bench-"))
    shutil.copy(args.configfile, workdir / "bench.yaml")
    cmd = [
        sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"),
        "--configfile", "bench.yaml", "--cores", str(args.cores), "--quiet", "all",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, cwd=workdir, check=True)
    wall = time.perf_counter() - start

    curves = pd.read_parquet(workdir / "results" / "summary" / "curves.parquet")
    compute = curves[["fit_seconds", "query_seconds", "score_seconds"]].sum().sum()
    n_cells = curves.groupby(["dataset", "model", "strategy", "seed"]).ngroups
    print(f"config:             {args.configfile}")
    print(f"cells:              {n_cells}")
    print(f"cores:              {args.cores}")
    print(f"wall time:          {wall:8.1f} s")
    print(f"cell compute (sum): {compute:8.1f} s  (fit + query + score)")
    print(f"compute per cell:   {compute / n_cells:8.3f} s")
    print(f"wall per cell:      {wall * args.cores / n_cells:8.3f} core-s")
    print(f"compute / (wall x cores): {compute / (wall * args.cores):.3f}")
    if args.keep:
        print(f"results kept in {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
