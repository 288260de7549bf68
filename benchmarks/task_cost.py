"""What a regression cell costs beyond its model's and strategy's own compute, against a
classification cell of the same size.

Usage: python benchmarks/task_cost.py [--cells 20] [--rows 500]

Both tasks run on the same features (Friedman #1, 10 features): the regression cells on its
target with Ridge, the classification cells on the target cut into three quantile classes with
RidgeClassifier (the same linear solver), both with random sampling, 20 batches of 5 from 10
initial labels, in this process (no Snakemake: the job transport is the same for both tasks).
Printed per task: the median wall of a cell and its breakdown per iteration into fit, query and
score (the curve's own timings) and the rest, albench's loop around them (building the model
and strategy, scaling, the split, bookkeeping), which is what the task could add.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1

from albench.data.datasets import validate_dataset
from albench.data.splits import make_split, split_indices
from albench.learn.loop import run_al_loop
from albench.specs import CellSpec

TASKS = {
    "regression": ({"estimator": "sklearn.linear_model.Ridge"}, ["rmse", "mae", "r2"]),
    "classification": (
        {"estimator": "sklearn.linear_model.RidgeClassifier"},
        ["accuracy", "balanced_accuracy", "f1_macro"],
    ),
}
STEPS = ("fit_seconds", "query_seconds", "score_seconds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=20, help="cells per task (seeds)")
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()
    X, target = make_friedman1(n_samples=args.rows, random_state=0)
    classes = np.digitize(target, np.quantile(target, [1 / 3, 2 / 3]))
    data = {
        "regression": validate_dataset("f", X, target, task="regression"),
        "classification": validate_dataset("f", X, classes),
    }
    print(f"{args.cells} cells per task, {args.rows} rows, 21 fits each (ms per iteration)\n")
    print("| task | cell wall (ms) | fit | query | score | rest (the loop) |")
    print("|---|---|---|---|---|---|")
    for task, (model, metrics) in TASKS.items():
        walls, parts = [], {step: [] for step in (*STEPS, "rest")}
        for seed in range(args.cells):
            roles = split_indices(make_split(data[task].y, 0.25, 10, seed, task=task))
            cell = CellSpec(
                dataset="f",
                model="m",
                strategy="random",
                seed=seed,
                model_spec=model,
                strategy_spec={"query": "RandomSampling"},
                protocol={
                    "test_size": 0.25,
                    "initial_size": 10,
                    "batch_size": 5,
                    "iterations": 20,
                    "metrics": metrics,
                },
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                curve = run_al_loop(data[task], roles, cell).curve
            wall = time.perf_counter() - start
            steps = {step: float(curve[step].fillna(0).sum()) for step in STEPS}
            walls.append(wall)
            for step, seconds in steps.items():
                parts[step].append(seconds / len(curve))
            parts["rest"].append((wall - sum(steps.values())) / len(curve))
        ms = {step: 1000 * statistics.median(values) for step, values in parts.items()}
        print(
            f"| {task} | {1000 * statistics.median(walls):.1f} | "
            + " | ".join(f"{ms[step]:.2f}" for step in (*STEPS, "rest"))
            + " |"
        )


if __name__ == "__main__":
    main()
