"""Every reader of a metric honours its direction: an error that falls is read as better.

The same cells are scored twice: with accuracy, and with an error that is its mirror
(`rmse = 1 - accuracy`, lower is better). Every verdict, rank, best strategy, label saving and
heat-map colour must come out the same for both; the old reading (higher is always better)
fails each of these tests.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
import seaborn

from albench.analysis.agreement import best, ranking_agreement
from albench.analysis.budgets import comparison_at_budget
from albench.analysis.savings import label_savings, target_score
from albench.analysis.stats import mean_ranks, verdict
from albench.analysis.summary import aubc_table, comparison_table, ranks_table
from albench.directions import describe, gain, higher_is_better
from albench.figures import plots
from albench.specs import FigureSpec

METRICS = ["accuracy", "rmse"]
# How fast each strategy's accuracy rises per iteration: good beats random, bad loses to it.
SPEED = {"random": 0.05, "good": 0.065, "bad": 0.035}


def curves_of(protocols=("default",)) -> pd.DataFrame:
    rows = []
    for dataset in ("a", "b"):
        for protocol in protocols:
            for strategy, speed in SPEED.items():
                for seed in range(8):
                    for iteration in range(11):
                        accuracy = min(1.0, 0.5 + speed * iteration + 0.001 * seed)
                        rows.append(
                            {
                                "dataset": dataset,
                                "model": "m",
                                "protocol": protocol,
                                "strategy": strategy,
                                "seed": seed,
                                "iteration": iteration,
                                "n_labeled": 10 + 5 * iteration,
                                "accuracy": accuracy,
                                "rmse": 1.0 - accuracy,
                                "fallback_model": False,
                            }
                        )
    return pd.DataFrame(rows)


def test_directions_of_the_metrics():
    assert higher_is_better("accuracy") and higher_is_better("r2")
    assert not higher_is_better("rmse") and not higher_is_better("mae")
    assert gain(-0.5, "rmse") == 0.5 and gain(-0.5, "accuracy") == -0.5
    assert describe("rmse") == "lower is better"
    with pytest.raises(ValueError, match="no direction known for metric 'auc'"):
        higher_is_better("auc")
    assert verdict(-0.2, 0.01, higher_is_better=False) == "better"
    assert verdict(0.2, 0.01, higher_is_better=False) == "worse"
    table = pd.DataFrame({"x": [1.0, 1.0], "y": [2.0, 2.0]})
    assert mean_ranks(table, higher_is_better=False).to_dict() == {"x": 1.0, "y": 2.0}


def test_verdicts_and_ranks_read_a_falling_error_as_better():
    aubcs = aubc_table(curves_of(), METRICS)
    comparison = comparison_table(aubcs, METRICS, "random")
    for metric in METRICS:
        verdicts = comparison.set_index(["dataset", "strategy"])[f"{metric}_verdict"]
        assert verdicts.loc[("a", "good")] == "better", metric
        assert verdicts.loc[("a", "bad")] == "worse", metric
    good = comparison[comparison["strategy"] == "good"]
    assert (good["accuracy_diff"] > 0).all() and (good["rmse_diff"] < 0).all()
    for metric in METRICS:
        ranks = ranks_table(aubcs, metric).set_index("strategy")["mean_rank"]
        assert ranks.to_dict() == {"good": 1.0, "random": 2.0, "bad": 3.0}, metric


def test_budgets_and_the_best_strategy_honour_the_direction():
    at = comparison_at_budget(curves_of(), METRICS, "random", [30])
    for metric in METRICS:
        rows = at[at["metric"] == metric].set_index(["dataset", "strategy"])["verdict"]
        assert rows.loc[("a", "good")] == "better" and rows.loc[("a", "bad")] == "worse", metric
    comparison = comparison_table(aubc_table(curves_of(("p", "q")), METRICS), METRICS, "random")
    for metric in METRICS:
        agreement = ranking_agreement(comparison, metric)
        assert agreement["same_best"].all() and (agreement["kendall_tau_b"] == 1).all()
        means = comparison[comparison["protocol"] == "p"].groupby("strategy")
        assert best(means[f"aubc_{metric}_mean"].mean(), metric) == "good", metric


def test_label_savings_come_within_the_full_pool_error():
    assert target_score(0.99, 0.95, "accuracy") == pytest.approx(0.9405)
    assert target_score(0.01, 0.95, "rmse") == pytest.approx(0.01 / 0.95)
    curves = curves_of()
    references = curves[["dataset", "model", "protocol", "seed"]].drop_duplicates()
    references = references.assign(accuracy=0.99, rmse=0.01)
    for metric in METRICS:
        savings = label_savings(curves, references, "random", metric).set_index(
            ["dataset", "strategy"]
        )
        assert savings.loc[("a", "good"), "saved_0.95_vs_baseline"] > 0, metric
        assert savings.loc[("a", "bad"), "saved_0.95_vs_baseline"] <= 0, metric  # censored
        assert savings.loc[("a", "good"), "reached_0.95_share"] == 1.0, metric


def test_the_heat_map_draws_a_better_strategy_in_the_same_colour(tmp_path, monkeypatch):
    comparison = comparison_table(aubc_table(curves_of(), METRICS), METRICS, "random")
    path = tmp_path / "comparison.csv"
    comparison.to_csv(path, index=False)
    drawn = {}

    def heatmap(data, **kwargs):
        drawn["colour"] = matplotlib.colormaps[kwargs["cmap"]](
            (data.loc["a", "good"] - kwargs["vmin"]) / (kwargs["vmax"] - kwargs["vmin"])
        )
        drawn["label"] = kwargs["cbar_kws"]["label"]

    monkeypatch.setattr(seaborn, "heatmap", heatmap)
    colours = {}
    for metric in METRICS:
        spec = FigureSpec(model="m", strategies=list(SPEED), baseline="random", metrics=[metric])
        plots.plot_difference_heatmap(path, tmp_path / f"{metric}.png", spec)
        colours[metric] = np.asarray(drawn["colour"])
    assert np.allclose(colours["accuracy"], colours["rmse"])
    red, _, blue, _ = colours["rmse"]
    assert blue > red  # RdBu: blue is better than the baseline
    assert (
        " ".join(drawn["label"].split())
        == "AUBC difference, % of random's (RMSE (lower is better))"
    )


def test_the_heat_map_scales_a_regression_error_by_each_data_sets_baseline(tmp_path, monkeypatch):
    # An RMSE 50 times larger on one data set: the same 10 % gain must get the same colour.
    rows = [
        {"dataset": d, "model": "m", "protocol": "default", "strategy": "good"}
        | {"rmse_diff": -0.1 * scale, "aubc_rmse_mean": 0.9 * scale, "rmse_verdict": "better"}
        for d, scale in (("small", 1.0), ("large", 50.0))
    ]
    path = tmp_path / "comparison.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    drawn = {}
    monkeypatch.setattr(seaborn, "heatmap", lambda data, **kw: drawn.update(data=data, **kw))
    monkeypatch.setattr(plots, "save_figure", lambda fig, output: None)
    spec = FigureSpec(model="m", strategies=["random", "good"], baseline="random", metrics=["rmse"])
    plots.plot_difference_heatmap(path, tmp_path / "rmse.png", spec)
    assert drawn["data"]["good"].to_dict() == pytest.approx({"small": -10.0, "large": -10.0})
    assert drawn["annot"].loc["large", "good"] == "-5\n(-10.0 %) ▲"
