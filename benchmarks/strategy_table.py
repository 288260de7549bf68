"""Run every skactiveml pool strategy through a real AL cell and time its queries.

Usage: python benchmarks/strategy_table.py [--pool 300] [--classes 3] [--model logreg]
       [--strategies Badge CoreSet] [--candidate-subsample 2000]
       python benchmarks/strategy_table.py --task regression [--model bayes]

Prints a Markdown table: strategy, status (ok / the error it raised), median seconds per query.
docs/strategies.md's tables are made from its output: classification on make_classification,
regression on make_friedman1 (strategies of the other task are left out).
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
from albench.learn.strategies import NOT_STRATEGIES, strategy_tasks
from albench.specs import CellSpec

MODELS = {
    "logreg": {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}},
    "forest": {
        "estimator": "sklearn.ensemble.RandomForestClassifier",
        "params": {"n_estimators": 20},
    },
    "ridge": {"estimator": "sklearn.linear_model.Ridge", "params": {}},
    "bayes": {"estimator": "sklearn.linear_model.BayesianRidge", "params": {}},
    "tree": {
        "estimator": "sklearn.tree.DecisionTreeRegressor",
        "params": {"min_samples_leaf": 2},
    },
    "forest_reg": {
        "estimator": "sklearn.ensemble.RandomForestRegressor",
        "params": {"n_estimators": 20},
    },
}
# Params a strategy needs to run with a non-Parzen scikit-learn model.
PARAMS = {"ProbabilisticAL": {"metric": "rbf"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=300, help="samples in the data set")
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument(
        "--task", choices=["classification", "regression"], default="classification"
    )
    parser.add_argument("--model", choices=sorted(MODELS), help="default logreg (ridge)")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--strategies", nargs="+", help="only these (default: all)")
    parser.add_argument(
        "--candidate-subsample", type=int, help="score this many random pool samples per query"
    )
    args = parser.parse_args()

    from sklearn.datasets import make_classification, make_friedman1

    regression = args.task == "regression"
    model = args.model or ("ridge" if regression else "logreg")
    if regression:
        X, y = make_friedman1(n_samples=args.pool, n_features=8, noise=1.0, random_state=0)
    else:
        X, y = make_classification(
            n_samples=args.pool,
            n_features=8,
            n_informative=5,
            n_classes=args.classes,
            random_state=0,
        )
    data = validate_dataset("synthetic", X, y, task=args.task)
    roles = split_indices(make_split(data.y, 0.25, 10, random_state=0, task=args.task))
    names = sorted(
        n
        for n, c in vars(skactiveml.pool).items()
        if inspect.isclass(c)
        and hasattr(c, "query")
        and n not in NOT_STRATEGIES
        and args.task in strategy_tasks(n, {"query": n})
    )
    names = [n for n in names if not args.strategies or n in args.strategies]
    subsample = (
        {}
        if args.candidate_subsample is None
        else {"candidate_subsample": args.candidate_subsample}
    )
    kind = "regression (Friedman #1)" if regression else f"{args.classes} classes"
    print(
        f"pool {len(roles['pool']) + 10}, {kind}, model {model}, "
        f"candidate subsample {args.candidate_subsample or 'none'}\n"
    )
    print("| strategy | status | seconds per query (batch 5) |")
    print("|---|---|---|")
    for name in names:
        cell = CellSpec(
            dataset="synthetic",
            model=model,
            strategy=name,
            seed=0,
            model_spec=copy.deepcopy(MODELS[model]),
            strategy_spec={"query": name, "params": PARAMS.get(name, {}), **subsample},
            protocol={
                "test_size": 0.25,
                "initial_size": 10,
                "batch_size": 5,
                "iterations": args.iterations,
                "metrics": ["rmse" if regression else "accuracy"],
            },
        )
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                curve = run_al_loop(data, roles, cell).curve
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
