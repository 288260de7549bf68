"""Two fixed costs of a run: Snakemake's exit and the learning-curve figure.

Usage: python benchmarks/fixed_costs.py [--repeats 6] [--strategies 4] [--seeds 8] [--metrics 2]

- exit: the wall time of a process that imports what Snakemake's process imports
  (`snakemake.cli`, and the Snakefile's albench modules) and ends, three ways, in turns: as
  Python ends it (the interpreter's garbage collections over the heap at exit), with the heap
  frozen at exit (`gc.freeze()` in an exit handler, what docs/upstream.md suggests to
  Snakemake), and with `os._exit` (no teardown at all: the floor). Medians of `--repeats`.
- figure: the learning-curve figure (`albench.figures.plots.plot_learning_curves`) of synthetic
  curves (`--strategies` x `--seeds` x 21 budgets x `--metrics`), drawn `--repeats` times in one
  warm process, median; and the bands alone (`albench.analysis.stats.percentile_bands`) against
  seaborn's own aggregation of the same bands with the same interval (`sns.lineplot` with
  `errorbar=percentile_ci` of each group, what the figure drew before). Run it with
  `PYTHONPATH` of an older checkout's `src` to time that code's figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

SNAKEMAKE_IMPORTS = (
    "import snakemake.cli, albench.plan.checks, albench.plan.checked, albench.analysis.verdict"
)
ENDINGS = {
    "python's exit": "",
    "heap frozen at exit": "import atexit, gc\natexit.register(gc.freeze)",
    "os._exit (floor)": "import os\nos._exit(0)",
}


def exit_costs(repeats: int) -> dict[str, list[float]]:
    """Wall seconds of each way to end a process with Snakemake's imports, in turns."""
    endings = dict(ENDINGS)
    walls: dict[str, list[float]] = {name: [] for name in endings}
    for _ in range(repeats):
        for name, ending in endings.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"{SNAKEMAKE_IMPORTS}\n{ending}"], check=True)
            walls[name].append(time.perf_counter() - start)
    return walls


def synthetic_curves(strategies: int, seeds: int, metrics: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [
        {"dataset": "d", "model": "m", "protocol": "default", "strategy": f"s{s}", "seed": seed}
        | {"iteration": i, "n_labeled": 20 + 20 * i}
        | {m: 0.5 + 0.02 * i + rng.normal(0, 0.01) for m in metrics}
        for s in range(strategies)
        for seed in range(seeds)
        for i in range(21)
    ]
    return pd.DataFrame(rows)


def figure_costs(curves: pd.DataFrame, metrics: list[str], repeats: int) -> dict[str, float]:
    """Median seconds of the whole figure, of percentile_bands and of seaborn's aggregation."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from albench.figures import plots
    from albench.specs import FigureSpec

    strategies = list(dict.fromkeys(curves["strategy"]))
    spec = FigureSpec(model="m", strategies=strategies, baseline="s0", metrics=metrics, dataset="d")
    costs: dict[str, list[float]] = {"figure": [], "bands": [], "seaborn, per band": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "curves.parquet"
        curves.to_parquet(path)
        for k in range(repeats):
            start = time.perf_counter()
            plots.plot_learning_curves([path], Path(tmp) / f"{k}.png", spec)
            costs["figure"].append(time.perf_counter() - start)
    try:
        from albench.analysis.stats import percentile_bands
    except ImportError:  # an older checkout: its figure only
        percentile_bands = None
    band_args = ["strategy", "n_labeled"], metrics[0]
    for _ in range(repeats):
        if percentile_bands is not None:
            start = time.perf_counter()
            percentile_bands(curves, *band_args)
            costs["bands"].append(time.perf_counter() - start)
        fig, ax = plt.subplots()
        start = time.perf_counter()
        sns.lineplot(
            data=curves, x="n_labeled", y=metrics[0], hue="strategy", ax=ax, errorbar=_interval
        )
        costs["seaborn, per band"].append(time.perf_counter() - start)
        plt.close(fig)
    return {name: statistics.median(times) for name, times in costs.items() if times}


def _interval(values: np.ndarray) -> tuple[float, float]:
    """One band's seeded percentile bootstrap interval, as the figure computed it per group."""
    data = np.asarray(values, dtype=float)
    rows = np.random.default_rng(0).integers(0, len(data), size=(1000, len(data)))
    return tuple(np.percentile(data[rows].mean(axis=1), [2.5, 97.5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--strategies", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--metrics", type=int, default=2, choices=(1, 2, 3))
    args = parser.parse_args()

    walls = exit_costs(args.repeats)
    print(f"exit of a process with Snakemake's imports (medians of {args.repeats}, in turns):")
    for name, times in walls.items():
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {name:22s}{statistics.median(times):6.2f} s  ({runs})")
    metrics = ["accuracy", "f1_macro", "balanced_accuracy"][: args.metrics]
    curves = synthetic_curves(args.strategies, args.seeds, metrics)
    costs = figure_costs(curves, metrics, args.repeats)
    print(
        f"learning-curve figure, {args.strategies} strategies x {args.seeds} seeds x 21 budgets "
        f"x {args.metrics} metrics (medians of {args.repeats}, a warm process):"
    )
    for name, seconds in costs.items():
        what = "" if name == "figure" else " (one metric's top row)"
        print(f"  {name:22s}{seconds:6.3f} s{what}")


if __name__ == "__main__":
    main()
