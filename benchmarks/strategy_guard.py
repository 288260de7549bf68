"""What guarding a cell against its strategy costs: read-only X and y, and the model's
parameters compared before and after each query (`albench.learn.loop.query_batch`).

Usage: python benchmarks/strategy_guard.py [--seeds 1] [--repeats 3]

Runs the default config's cells (config/config.yaml: every data set x model x strategy, for
`--seeds` seeds) in this process, each as a cell job does (`run_al_loop`), in turns with the
guard and with it replaced by no-ops (the arrays given writable, no parameters read), and
prints the total seconds of each over all cells (median of `--repeats`) and their ratio, and
the guard's own seconds per query, timed alone on each cell's fitted model.
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
    args = parser.parse_args()

    from snakemake.utils import validate

    import albench.learn.loop as loop
    from albench.data.sources import prepare_dataset
    from albench.data.splits import split_dataset
    from albench.learn.models import changed_keys, model_params
    from albench.plan.grid import cell_spec, cells, split_spec
    from albench.specs import DatasetSpec

    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["seeds"] = args.seeds
    validate(config, str(REPO / "workflow/schemas/config.schema.yaml"))
    grid = [
        cell_spec(config, c["dataset"], c["model"], c["strategy"], c["seed"], c["protocol"])
        for c in cells(config)
    ]
    work = Path(tempfile.mkdtemp(prefix="guard-"))
    data = {}
    for name, spec in config["datasets"].items():
        data[name] = work / f"{name}.parquet"
        prepare_dataset(DatasetSpec(name, spec), data[name])
    prepared = []
    for cell in grid:
        split = work / f"{cell.dataset}.{cell.protocol_name}.{cell.seed}.parquet"
        if not split.exists():
            split_dataset(
                data[cell.dataset],
                split,
                split_spec(config, cell.dataset, cell.seed, cell.protocol_name),
            )
        prepared.append(
            (
                cell,
                loop.read_dataset(data[cell.dataset]),
                loop.split_indices(loop.read_split(split)),
            )
        )

    guarded = (loop.model_params, loop.changed_keys, loop._read_only)
    unguarded = (lambda clf: {}, lambda before, after: [], lambda array: array)
    walls: dict[str, list[float]] = {"guarded": [], "unguarded": []}
    for _ in range(args.repeats):
        for name, (params, changed, read_only) in (("guarded", guarded), ("unguarded", unguarded)):
            loop.model_params, loop.changed_keys, loop._read_only = params, changed, read_only
            start = time.perf_counter()
            for cell, dataset, roles in prepared:
                loop.run_al_loop(dataset, roles, cell)
            walls[name].append(time.perf_counter() - start)
    loop.model_params, loop.changed_keys, loop._read_only = guarded

    # The guard alone: reading and comparing a fitted model's parameters, as each query does.
    per_query = []
    for cell, dataset, roles in prepared[:: max(1, len(prepared) // 20)]:
        learner, strategy = loop.Learner.build(dataset, roles, cell)
        state = loop.initial_state(learner, roles, strategy)
        loop.fit_and_score(learner, state, 0)
        start = time.perf_counter()
        for _ in range(200):
            changed_keys(model_params(learner.clf), model_params(learner.clf))
        per_query.append((time.perf_counter() - start) / 200)

    guarded_s, unguarded_s = (statistics.median(walls[k]) for k in ("guarded", "unguarded"))
    queries = sum(cell.protocol["iterations"] for cell, _, _ in prepared)
    alone = statistics.median(per_query)
    print(f"cells: {len(prepared)} (default config, {args.seeds} seed(s)), {queries} queries")
    for name, wall in (("with the guard", guarded_s), ("without it", unguarded_s)):
        runs = ", ".join(f"{w:.2f}" for w in walls["guarded" if "with " in name else "unguarded"])
        print(f"{name}: {wall:.2f} s (runs: {runs})")
    print(f"ratio: {guarded_s / unguarded_s:.3f}")
    print(
        f"the guard alone: {1e6 * alone:.0f} µs per query (median over {len(per_query)} "
        f"models), {alone * queries:.3f} s over all {queries} queries"
    )


if __name__ == "__main__":
    main()
