"""The explorer page's data and its rendering (the browser test is in test_workflow.py)."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from albench.explorer.data import critical_difference, explorer_data, summary_lines
from albench.explorer.page import page_json, render_page
from albench.specs import ExplorerSpec

VERDICT = """albench verdict: does any strategy beat random?
Some strategy beats random on 1 of 1 data set × model pairs; undecided on 0
(about 3 more seeds would tell).
AUBC (area under the learning curve) of accuracy minus random's over 3 paired
seeds.
"""
SPEC = ExplorerSpec(
    baseline="random",
    strategies=["random", "margin"],
    metrics={"classification": ["accuracy"]},
    tasks={"iris": "classification"},
    config_files=["bench.yaml"],
    config_fingerprint="abc",
)


def write_tables(folder):
    rng = np.random.default_rng(0)
    rows = [
        {
            "dataset": "iris",
            "model": "logreg",
            "protocol": "default",
            "strategy": s,
            "seed": seed,
            "n_labeled": n,
            "accuracy": 0.5 + n / 100 + (0.05 if s == "margin" else 0) + rng.normal(0, 0.01),
        }
        for s in ("random", "margin")
        for seed in range(3)
        for n in (10, 20, 30)
    ]
    pd.DataFrame(rows).to_parquet(folder / "curves.parquet")
    pair = {"dataset": "iris", "model": "logreg", "protocol": "default"}
    pd.DataFrame(
        [
            {
                **pair,
                "strategy": "margin",
                "n_seeds": 3,
                "accuracy_diff": 0.05,
                "accuracy_diff_ci_low": 0.04,
                "accuracy_diff_ci_high": 0.06,
                "accuracy_p_holm": 0.02,
                "accuracy_verdict": "better",
                "accuracy_seeds_to_decide": np.nan,
            }
        ]
    ).to_csv(folder / "comparison.csv", index=False)
    pd.DataFrame(
        [
            {
                "model": "logreg",
                "protocol": "default",
                "strategy": s,
                "metric": "accuracy",
                "mean_rank": r,
                "n_datasets": 1,
                "friedman_p": np.nan,
            }
            for s, r in (("margin", 1.0), ("random", 2.0))
        ]
    ).to_csv(folder / "ranks.csv", index=False)
    pd.DataFrame(
        [
            {
                **pair,
                "strategy": "margin",
                "metric": "accuracy",
                "labels_0.95_median": 20.0,
                "saved_0.95_vs_baseline": 10.0,
                "saved_0.95_ci_low": 5.0,
                "saved_0.95_ci_high": 15.0,
            }
        ]
    ).to_csv(folder / "label_savings.csv", index=False)
    pd.DataFrame(
        [
            {**pair, "strategy": s, "median_query_seconds": q}
            for s, q in (("random", 1e-4), ("margin", 1e-3))
        ]
    ).to_csv(folder / "cost.csv", index=False)
    pd.DataFrame(
        [
            {
                **pair,
                "strategy": "margin",
                "criterion": "stabilizing_predictions",
                "labels": 20.0,
                "stopped_share": 1.0,
                "regret_1000_1": 3.0,
            }
        ]
    ).to_csv(folder / "stopping.csv", index=False)
    tables = {
        t: folder / f"{t}.csv" for t in ("comparison", "ranks", "label_savings", "cost", "stopping")
    }
    (folder / "verdict.txt").write_text(VERDICT)
    return {**tables, "curves": folder / "curves.parquet"}, folder / "verdict.txt"


def test_the_page_data_holds_each_comparison_and_each_pairs_mean_curves(tmp_path):
    tables, verdict = write_tables(tmp_path)
    data = explorer_data(tables, verdict, SPEC)
    assert data["summary"] == [
        "Some strategy beats random on 1 of 1 data set × model pairs; undecided on 0 "
        "(about 3 more seeds would tell)."
    ]
    assert data["pairs"] == [
        {"dataset": "iris", "model": "logreg", "protocol": "default", "task": "classification"}
    ]
    cell = data["comparison"]["0"]["margin"]["accuracy"]
    assert cell == {
        "verdict": "better",
        "diff": 0.05,
        "low": 0.04,
        "high": 0.06,
        "p": 0.02,
        "seeds": 3,
        "more_seeds": None,
    }
    curves = pd.read_parquet(tables["curves"])
    margin = data["curves"]["0"]["margin"]
    assert margin["x"] == [10, 20, 30]
    means = curves[curves["strategy"] == "margin"].groupby("n_labeled")["accuracy"].mean()
    assert np.allclose(margin["accuracy"][0], means, atol=1e-5)
    low, high = np.array(margin["accuracy"][1]), np.array(margin["accuracy"][2])
    assert (low <= means.to_numpy() + 1e-5).all() and (means.to_numpy() <= high + 1e-5).all()
    assert data["stops"]["0"]["margin"][0]["criterion"] == "stabilizing_predictions"
    assert data["savings"][0]["pair"] == 0 and data["colours"]["random"] == "#000000"
    json.dumps(data, allow_nan=False)  # the page's JSON has no NaN


def test_the_page_is_self_contained_and_its_data_cannot_close_its_script(tmp_path):
    tables, verdict = write_tables(tmp_path)
    data = explorer_data(tables, verdict, SPEC)
    html = render_page(data)
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "Bokeh" in html and "albench-data" in html
    assert summary_lines(VERDICT)[0] in html
    text = page_json({"name": "</script><script>alert(1)</script>"})
    assert "</" not in text and json.loads(text)["name"].startswith("</script>")


@pytest.mark.parametrize("k, q", [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (6, 2.850)])
def test_the_critical_difference_is_demsars(k, q):
    # Demšar (2006), Table 5(a): q_0.05 of the Nemenyi test for k classifiers.
    n = 10
    assert critical_difference(k, n) == pytest.approx(
        q * math.sqrt(k * (k + 1) / (6 * n)), abs=2e-3
    )
    assert critical_difference(k, 1) is None


def test_every_seeds_curve_is_carried_only_where_asked(tmp_path):
    from dataclasses import replace

    from helpers import small_config, validated

    from albench.plan.grid import explorer_spec

    tables, verdict = write_tables(tmp_path)
    assert "seeds" not in explorer_data(tables, verdict, SPEC)["curves"]["0"]["margin"]
    data = explorer_data(tables, verdict, replace(SPEC, seeds=True))
    curves = pd.read_parquet(tables["curves"])
    margin = curves[curves["strategy"] == "margin"].sort_values(["seed", "n_labeled"])
    seeds = data["curves"]["0"]["margin"]["seeds"]["accuracy"]
    assert np.allclose(seeds, margin["accuracy"].to_numpy().reshape(3, 3), atol=1e-5)
    config = small_config()
    assert not explorer_spec(validated(config)).seeds
    config["explorer"] = {"seeds": True}
    assert explorer_spec(validated(config)).seeds
