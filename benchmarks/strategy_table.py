"""Run every skactiveml pool strategy through a real AL cell and time its queries.

Usage: python benchmarks/strategy_table.py [--pool 300] [--classes 3] [--model logreg]
       [--strategies Badge CoreSet] [--candidate-subsample 2000]

Prints a Markdown table: strategy, status (ok / the error it raised), median seconds per query.
The README's strategy table is made from its output.
"""

from __future__ import annotations

import argparse
import copy
import inspect
import time
import warnings

import skactiveml.pool

from albench.data.datasets import validate_dataset
from albench.data.splits import make_split, split_indices
from albench.errors import ConfigError
from albench.learn.loop import run_al_loop
from albench.learn.strategies import NOT_STRATEGIES

MODELS = {
    "logreg": {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}},
    "forest": {
        "estimator": "sklearn.ensemble.RandomForestClassifier",
        "params": {"n_estimators": 20},
    },
}
# Params a strategy needs to run with a non-Parzen scikit-learn model.
PARAMS = {"ProbabilisticAL": {"metric": "rbf"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=300, help="samples in the data set")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--model", choices=sorted(MODELS), default="logreg")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--strategies", nargs="+", help="only these (default: all)")
    parser.add_argument(
        "--candidate-subsample", type=int, help="score this many random pool samples per query"
    )
    args = parser.parse_args()

    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=args.pool,
        n_features=8,
        n_informative=5,
        n_classes=args.classes,
        random_state=0,
    )
    data = validate_dataset("synthetic", X, y)
    roles = split_indices(make_split(data.y, 0.25, 10, random_state=0))
    names = sorted(
        n
        for n, c in vars(skactiveml.pool).items()
        if inspect.isclass(c) and hasattr(c, "query") and n not in NOT_STRATEGIES
    )
    names = [n for n in names if not args.strategies or n in args.strategies]
    subsample = (
        {}
        if args.candidate_subsample is None
        else {"candidate_subsample": args.candidate_subsample}
    )
    print(
        f"pool {len(roles['pool']) + 10}, {args.classes} classes, model {args.model}, "
        f"candidate subsample {args.candidate_subsample or 'none'}\n"
    )
    print("| strategy | status | seconds per query (batch 5) |")
    print("|---|---|---|")
    for name in names:
        cell = {
            "dataset": "synthetic",
            "model": args.model,
            "strategy": name,
            "model_spec": copy.deepcopy(MODELS[args.model]),
            "strategy_spec": {"query": name, "params": PARAMS.get(name, {}), **subsample},
            "protocol": {
                "test_size": 0.25,
                "initial_size": 10,
                "batch_size": 5,
                "iterations": args.iterations,
                "metrics": ["accuracy"],
            },
        }
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                curve = run_al_loop(data, roles, cell, seed=0).curve
            status, seconds = "ok", f"{curve['query_seconds'].median():.3f}"
        except ConfigError as exc:
            status, seconds = f"refused: {exc}".split(": ", 2)[-1], "–"
            status = f"refused: {status}"
        except Exception as exc:  # noqa: BLE001 - the table records every failure
            status = f"fails: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            seconds = f"({time.perf_counter() - start:.1f} s until the error)"
        print(f"| {name} | {status} | {seconds} |")


if __name__ == "__main__":
    main()
