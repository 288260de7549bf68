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
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def prepared_cells(configfile: str | Path, seeds: int) -> list[tuple[Any, Any, Any]]:
    """Return (cell spec, prepared data set, split roles) of every cell of `configfile` for
    `seeds` seeds, prepared as the workflow's jobs prepare them (files in a temporary folder,
    read back)."""
    from snakemake.utils import validate

    import albench.learn.loop as loop
    from albench.data.sources import prepare_dataset
    from albench.data.splits import split_dataset
    from albench.plan.grid import cell_spec, cells, split_spec
    from albench.specs import DatasetSpec

    config = yaml.safe_load(Path(configfile).read_text())
    config["seeds"] = seeds
    validate(config, str(REPO / "workflow/schemas/config.schema.yaml"))
    prepared = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name, spec in config["datasets"].items():
            prepare_dataset(DatasetSpec(name, spec), work / f"{name}.parquet")
        for record in cells(config):
            cell = cell_spec(
                config,
                record["dataset"],
                record["model"],
                record["strategy"],
                record["seed"],
                record["protocol"],
            )
            data = work / f"{cell.dataset}.parquet"
            split = work / f"{cell.dataset}.{cell.protocol_name}.{cell.seed}.parquet"
            if not split.exists():
                spec = split_spec(config, cell.dataset, cell.seed, cell.protocol_name)
                split_dataset(data, split, spec)
            roles = loop.split_indices(loop.read_split(split))
            prepared.append((cell, loop.read_dataset(data), roles))
    return prepared


def timed_in_turns(
    prepared: list[tuple[Any, Any, Any]], variants: dict[str, dict[str, Any]], repeats: int
) -> dict[str, list[float]]:
    """Return the seconds each variant takes to run every `prepared` cell (`run_al_loop`),
    `repeats` times in turns; a variant replaces functions of `albench.learn.loop` by name
    ({} keeps them), restored afterwards."""
    import albench.learn.loop as loop

    originals = {name: getattr(loop, name) for patch in variants.values() for name in patch}
    walls: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for _ in range(repeats):
            for name, patch in variants.items():
                for attribute, value in {**originals, **patch}.items():
                    setattr(loop, attribute, value)
                start = time.perf_counter()
                for cell, dataset, roles in prepared:
                    loop.run_al_loop(dataset, roles, cell)
                walls[name].append(time.perf_counter() - start)
    finally:
        for attribute, value in originals.items():
            setattr(loop, attribute, value)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import albench.learn.loop as loop
    from albench.learn.models import changed_keys, model_params

    prepared = prepared_cells(REPO / "config/config.yaml", args.seeds)
    unguarded = {
        "model_params": lambda clf: {},
        "changed_keys": lambda before, after: [],
        "_read_only": lambda array: array,
    }
    walls = timed_in_turns(prepared, {"guarded": {}, "unguarded": unguarded}, args.repeats)

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
