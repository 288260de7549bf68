import numpy as np
import pandas as pd
import pytest

from albench.curves import write_curve
from albench.summary import aggregate


def make_curve(strategy, seed, values, fallback=False):
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "strategy": strategy,
            "seed": seed,
            "iteration": range(len(values)),
            "n_labeled": [10 + 5 * i for i in range(len(values))],
            "accuracy": values,
            "fit_seconds": 0.01,
            "query_seconds": [np.nan] + [0.02] * (len(values) - 1),
            "score_seconds": 0.001,
            "fallback_model": [fallback] + [False] * (len(values) - 1),
        }
    )


def test_aggregate_writes_all_curves_and_aubcs(tmp_path):
    paths = []
    for strategy, offset in (("random", 0.0), ("entropy", 0.1)):
        for seed in range(3):
            path = tmp_path / "curves" / strategy / f"seed{seed}.parquet"
            values = [0.5 + offset, 0.6 + offset, 0.7 + offset]
            fallback = strategy == "entropy" and seed == 0
            write_curve(make_curve(strategy, seed, values, fallback), path, "{}", seed)
            paths.append(path)
    out = tmp_path / "summary"
    aggregate(paths, out / "curves.parquet", out / "aubc.csv", out / "aubc_summary.csv")

    curves = pd.read_parquet(out / "curves.parquet")
    assert len(curves) == 18
    aubcs = pd.read_csv(out / "aubc.csv")
    assert len(aubcs) == 6
    by_strategy = aubcs.groupby("strategy")["aubc_accuracy"].mean()
    assert by_strategy["random"] == pytest.approx(0.6)
    assert by_strategy["entropy"] == pytest.approx(0.7)
    summary = pd.read_csv(out / "aubc_summary.csv").set_index("strategy")
    assert summary.loc["entropy", "n_seeds"] == 3
    assert summary.loc["entropy", "fallback_iterations"] == 1
    assert summary.loc["random", "fallback_iterations"] == 0
    assert summary.loc["entropy", "aubc_accuracy_mean"] == pytest.approx(0.7)
    # identical seeds: the interval collapses onto the mean
    assert summary.loc["entropy", "aubc_accuracy_ci_low"] == pytest.approx(0.7)
