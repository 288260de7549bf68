import numpy as np
import pandas as pd
import pytest
from helpers import aubc_rows
from helpers import seeded_cell as spec

from albench.analysis.summary import combine, comparison_table, ranks_table, summarise
from albench.analysis.tables import DATASET_TABLES, OVERALL_TABLES, summary_files
from albench.io.curves import write_curve
from albench.specs import SummarySpec


def make_curve(strategy, seed, values, fallback=False):
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "protocol": "default",
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
            write_curve(make_curve(strategy, seed, values, fallback), path, spec(seed))
            paths.append(path)
    out = tmp_path / "summary"
    summarise(paths, [], summary_files(str(out)), SummarySpec(baseline="random"))

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

    comparison = pd.read_csv(out / "comparison.csv").set_index("strategy")
    assert comparison.loc["random", "accuracy_verdict"] == "baseline"
    assert comparison.loc["entropy", "accuracy_diff"] == pytest.approx(0.1)
    # three seeds cannot reach significance with a two-sided Wilcoxon test: the verdict says
    # that the design could not tell, not that there is no difference
    assert comparison.loc["entropy", "accuracy_p_wilcoxon"] == pytest.approx(0.25)
    assert comparison.loc["entropy", "accuracy_smallest_p_holm"] == pytest.approx(0.25)
    assert comparison.loc["entropy", "accuracy_verdict"] == "too few seeds to tell"
    assert comparison.loc["entropy", "final_accuracy_mean"] == pytest.approx(0.8)
    cost = pd.read_csv(out / "cost.csv")
    assert cost["median_query_seconds"].tolist() == [0.02, 0.02]
    ranks = ranks_table(aubcs, "accuracy")
    assert ranks["strategy"].tolist() == ["entropy", "random"]
    assert ranks["mean_rank"].tolist() == [1.0, 2.0]


def test_comparison_verdicts_and_holm_over_strategies():
    base = np.linspace(0.6, 0.8, 10)
    aubcs = aubc_rows(
        {
            ("d", "random"): base,
            ("d", "same"): base,
            ("d", "up"): base + 0.05,
            ("d", "down"): base - 0.05,
        }
    )
    table = comparison_table(aubcs, ["accuracy"], "random").set_index("strategy")
    assert table.loc["same", "accuracy_verdict"] == "equivalent"  # the baseline's own values
    assert table.loc["same", "accuracy_margin"] == 0.01
    assert table.loc["same", "accuracy_p_equivalence_holm"] == pytest.approx(3 / 1024)
    assert table.loc["up", "accuracy_verdict"] == "better"
    assert table.loc["down", "accuracy_verdict"] == "worse"
    # Holm over the three compared strategies: the two smallest p (2/1024) times 3 and 2
    assert table.loc["up", "accuracy_p_holm"] == pytest.approx(3 * 2 / 1024)
    assert table.loc["same", "accuracy_smallest_p_holm"] == pytest.approx(3 * 2 / 1024)
    assert table.loc["up", "accuracy_diff_ci_low"] == pytest.approx(0.05)


def test_ranks_with_friedman():
    aubcs = aubc_rows(
        {
            (d, s): [value]
            for d in ("a", "b", "c", "e")
            for s, value in (("x", 0.9), ("y", 0.8), ("z", 0.7))
        }
    )
    ranks = ranks_table(aubcs, "accuracy").set_index("strategy")
    assert ranks["mean_rank"].to_dict() == {"x": 1.0, "y": 2.0, "z": 3.0}
    # perfectly consistent ranks over 4 data sets: chi2 = 8, p = exp(-4)
    assert ranks["friedman_p"].iloc[0] == pytest.approx(np.exp(-4))


def test_combining_per_data_set_summaries_equals_one_summary_of_all(tmp_path):
    rng = np.random.default_rng(0)
    paths = {"d1": [], "d2": []}
    for dataset in paths:
        for strategy in ("random", "entropy", "margin"):
            for seed in range(4):
                curve = make_curve(strategy, seed, list(rng.uniform(0.4, 0.9, size=4)))
                curve["dataset"] = dataset
                path = tmp_path / "curves" / dataset / strategy / f"seed{seed}.parquet"
                write_curve(curve, path, spec(seed))
                paths[dataset].append(path)

    parts = []
    for dataset, dataset_paths in paths.items():
        part = summary_files(str(tmp_path / "parts" / dataset))
        summarise(dataset_paths, [], part, SummarySpec(baseline="random", budgets=[12, 20]))
        parts.append(part)
    combined = summary_files(str(tmp_path / "combined"), OVERALL_TABLES)
    whole = summary_files(str(tmp_path / "whole"))
    no_savings = [name for name in DATASET_TABLES if name != "label_savings"]
    for part in parts:  # what summarise writes without full-pool references
        pd.DataFrame().to_csv(part["label_savings"], index=False)
    combine({name: [part[name] for part in parts] for name in DATASET_TABLES}, combined)
    summarise(
        paths["d1"] + paths["d2"], [], whole, SummarySpec(baseline="random", budgets=[12, 20])
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(combined["curves"]), pd.read_parquet(whole["curves"])
    )
    assert len(pd.read_csv(whole["comparison_at_budget"])) == 2 * 2 * 2  # sets x budgets x others
    for name in no_savings[1:]:
        pd.testing.assert_frame_equal(
            pd.read_csv(combined[name]), pd.read_csv(whole[name]), obj=name
        )
    pd.testing.assert_frame_equal(
        pd.read_csv(combined["ranks"]),
        ranks_table(pd.read_csv(whole["aubc"]), "accuracy").reset_index(drop=True),
    )


def test_verdict_says_when_the_seeds_cannot_tell():
    # Four strategies against the baseline: 7 seeds give at best 4 x 2/2^7 = 0.0625 after Holm,
    # so even differences all of one sign cannot be significant; 8 seeds can (0.03125).
    for n_seeds, expected in ((7, "too few seeds to tell"), (8, "better")):
        base = np.linspace(0.6, 0.8, n_seeds)
        spec = {("d", "random"): base}
        spec.update({("d", f"s{i}"): base + 0.05 * (i + 1) for i in range(4)})
        table = comparison_table(aubc_rows(spec), ["accuracy"], "random").set_index("strategy")
        assert (table.drop(index="random")["accuracy_verdict"] == expected).all()
