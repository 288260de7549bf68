"""Do albench's cells compute slower than a bare loop's? Both at once, on the same cells.

Usage: python benchmarks/side_by_side.py [--cells 8] [--rounds 3] [--executor local]

`bare_loop.py`'s wall ratios compare runs made one after the other, on a machine whose speed
moves by 10-30 % within minutes; its "at equal machine speed" ratio scales each pair by how fast
the same fits and queries ran in each run, which holds only if albench's cells would compute as
fast as the bare loop's on the same machine at the same moment. This measures that: on the heavy
grid (a random forest of 100 trees on 5 000 synthetic rows), `snakemake --cores 1` runs the first
`--cells` cells through albench's executor (one warm worker; `--executor local`: each job in its
own process) while one bare-loop process (`bare_loop.bare_cells`) runs the same cells on the other
core, started together. Printed per round: both processes' fit and query seconds (summed over the
cells, from albench's curves and the bare loop's rows) and their ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bare_loop import HEAVY, bare_cells, filled_config, snakemake  # noqa: E402
from default_run import SNAKEMAKE  # noqa: E402


def curve_path(cell: dict) -> str:
    return (
        f"results/curves/{cell['dataset']}/{cell['protocol']}/{cell['model']}/"
        f"{cell['strategy']}/seed{cell['seed']}.parquet"
    )


def albench_side(workdir: Path, targets: list[str], executor: str) -> tuple[float, float]:
    """Run the cells `targets` through Snakemake on one core; return their fit and query
    seconds."""
    command = [*SNAKEMAKE, "--configfile", "grid.yaml", "--cores", "1", "--quiet", "all"]
    command += ["--executor", executor, "--forcerun", "al_cell", "--", *targets]
    subprocess.run(command, cwd=workdir, check=True, capture_output=True)
    curves = pd.concat(pd.read_parquet(workdir / target) for target in targets)
    return curves["fit_seconds"].sum(), curves["query_seconds"].sum()


def bare_side(workdir: Path, config: dict, cells: list[dict]) -> tuple[float, float]:
    """Run `cells` as the bare loop does; return their fit and query seconds."""
    rows = pd.DataFrame(bare_cells(workdir, config, cells))
    return rows["fit_seconds"].sum(), rows["query_seconds"].sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--executor", default="albench", help="local: each job in its own process")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="albench-side-"))
    config = {**HEAVY, "seeds": 8}
    (workdir / "grid.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    filled = filled_config(config)
    from albench.plan.grid import cells as grid_cells

    cells = grid_cells(filled)[: args.cells]
    targets = [curve_path(cell) for cell in cells]
    snakemake(workdir, 2, *targets)  # data, splits and a first run of the cells (and the check)
    ratios = []
    context = multiprocessing.get_context("spawn")
    for round_ in range(args.rounds):
        with ProcessPoolExecutor(2, mp_context=context) as pool:
            ours = pool.submit(albench_side, workdir, targets, args.executor)
            bare = pool.submit(bare_side, workdir, filled, cells)
            (fit, query), (bare_fit, bare_query) = ours.result(), bare.result()
        ratios.append((fit + query) / (bare_fit + bare_query))
        print(
            f"round {round_ + 1}: albench ({args.executor}) fit "
            f"{fit:.2f} s, query {query:.2f} s; bare loop fit {bare_fit:.2f} s, query "
            f"{bare_query:.2f} s; ratio {ratios[-1]:.3f}",
            flush=True,
        )
    median = statistics.median(ratios)
    print(f"{len(cells)} cells at once, median ratio of fit + query: {median:.3f}")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
