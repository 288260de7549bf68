"""What recording the stopping criteria's inputs costs a cell (`albench.stopping.record`): the
stop-set predictions, the pool's uncertainty and the queried batch's, at every iteration.

Usage: python benchmarks/stopping_record.py [--seeds 1] [--repeats 3] [--configfile FILE]

Runs the cells of a config (the default, config/config.yaml, unless given: every data set x
model x strategy for `--seeds` seeds) in this process, each as a cell job does
(`run_al_loop`), in turns with the recording and with it replaced by no-ops, and prints the
total seconds of each over all cells (median of `--repeats`) and their ratio; the target is at
most 1.05.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configfile", default=str(REPO / "config/config.yaml"))
    args = parser.parse_args()

    from snakemake.utils import validate

    import albench.learn.loop as loop
    from albench.data.sources import prepare_dataset
    from albench.data.splits import split_dataset
    from albench.plan.grid import cell_spec, cells, split_spec
    from albench.specs import DatasetSpec

    config = yaml.safe_load(Path(args.configfile).read_text())
    config["seeds"] = args.seeds
    validate(config, str(REPO / "workflow/schemas/config.schema.yaml"))
    grid = [
        cell_spec(config, c["dataset"], c["model"], c["strategy"], c["seed"], c["protocol"])
        for c in cells(config)
    ]
    work = Path(tempfile.mkdtemp(prefix="stopping-"))
    data = {}
    for name, spec in config["datasets"].items():
        data[name] = work / f"{name}.parquet"
        prepare_dataset(DatasetSpec(name, spec), data[name])
    prepared = []
    for cell in grid:
        split = work / f"{cell.dataset}.{cell.protocol_name}.{cell.seed}.parquet"
        if not split.exists():
            spec = split_spec(config, cell.dataset, cell.seed, cell.protocol_name)
            split_dataset(data[cell.dataset], split, spec)
        dataset = loop.read_dataset(data[cell.dataset])
        prepared.append((cell, dataset, loop.split_indices(loop.read_split(split))))

    recording = (loop.stopping_row, loop.queried_row)
    silent = (lambda learner, state, iteration: {}, lambda learner, state, query: {})
    walls: dict[str, list[float]] = {"recording": [], "not recording": []}
    for _ in range(args.repeats):
        for name, (row, queried) in (("recording", recording), ("not recording", silent)):
            loop.stopping_row, loop.queried_row = row, queried
            start = time.perf_counter()
            for cell, dataset, roles in prepared:
                loop.run_al_loop(dataset, roles, cell)
            walls[name].append(time.perf_counter() - start)
    loop.stopping_row, loop.queried_row = recording

    on, off = (statistics.median(walls[k]) for k in ("recording", "not recording"))
    print(f"cells: {len(prepared)} ({Path(args.configfile).name}, {args.seeds} seed(s))")
    for name, wall in (("recording", on), ("not recording", off)):
        print(f"{name}: {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls[name])})")
    print(f"ratio: {on / off:.3f} (target: at most 1.05)")


if __name__ == "__main__":
    main()
