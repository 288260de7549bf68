import numpy as np
import pandas as pd
import pytest

from albench.analysis.savings import label_savings, labels_to_reach
from albench.data.splits import make_split, split_indices
from albench.learn.reference import full_pool_scores


def curve(strategy, seed, accuracies, start=10, step=10):
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "protocol": "default",
            "strategy": strategy,
            "seed": seed,
            "n_labeled": [start + step * i for i in range(len(accuracies))],
            "accuracy": accuracies,
        }
    )


def test_labels_to_reach_is_the_first_crossing():
    c = curve("s", 0, [0.5, 0.8, 0.7, 0.95])
    assert labels_to_reach(c, "accuracy", 0.75) == 20
    assert labels_to_reach(c, "accuracy", 0.95) == 40
    assert np.isnan(labels_to_reach(c, "accuracy", 0.99))


def test_label_savings_on_hand_made_curves():
    curves = pd.concat(
        [
            curve("random", 0, [0.5, 0.7, 0.85, 0.9, 0.99]),
            curve("random", 1, [0.5, 0.6, 0.8, 0.96, 0.99]),
            curve("smart", 0, [0.5, 0.96, 0.99, 1.0, 1.0]),
            curve("smart", 1, [0.5, 0.9, 0.95, 0.99, 1.0]),
        ]
    )
    references = pd.DataFrame(
        {"dataset": "d", "model": "m", "protocol": "default", "seed": [0, 1], "accuracy": 1.0}
    )
    table = label_savings(curves, references, baseline="random").set_index("strategy")
    # 95 %: random needs 50 and 40 -> median 45; smart 20 and 30 -> 25
    assert table.loc["random", "labels_0.95_median"] == 45
    assert table.loc["smart", "labels_0.95_median"] == 25
    assert table.loc["smart", "saved_0.95_vs_baseline"] == 20
    assert table.loc["random", "saved_0.95_vs_baseline"] == 0
    # 99 %: random 50 and 50; smart 30 and 40
    assert table.loc["smart", "labels_0.99_median"] == 35
    assert table.loc["smart", "reached_0.99_share"] == 1.0


def test_savings_are_paired_by_seed():
    # The baseline is slow on seed 0 and fast on seed 1, and so is the strategy, a little less:
    # per seed the strategy saves 10 labels both times, although unpaired medians of the seeds
    # that reached the target would compare different seeds.
    curves = pd.concat(
        [
            curve("random", 0, [0.5, 0.6, 0.7, 0.8, 0.96]),  # 50
            curve("random", 1, [0.5, 0.96, 0.97, 0.98, 0.99]),  # 20
            curve("random", 2, [0.5, 0.6, 0.96, 0.97, 0.98]),  # 30
            curve("smart", 0, [0.5, 0.6, 0.7, 0.96, 0.97]),  # 40
            curve("smart", 1, [0.96, 0.97, 0.98, 0.99, 0.99]),  # 10
            curve("smart", 2, [0.5, 0.96, 0.97, 0.98, 0.99]),  # 20
        ]
    )
    references = pd.DataFrame(
        {"dataset": "d", "model": "m", "protocol": "default", "seed": [0, 1, 2], "accuracy": 1.0}
    )
    table = label_savings(curves, references, baseline="random").set_index("strategy")
    assert table.loc["smart", "saved_0.95_vs_baseline"] == 10
    # every seed saved exactly 10: the interval collapses onto it
    assert table.loc["smart", "saved_0.95_ci_low"] == table.loc["smart", "saved_0.95_ci_high"] == 10
    assert table.loc["smart", "saved_0.95_censored_seeds"] == 0
    assert table.loc["random", "saved_0.95_vs_baseline"] == 0


def test_a_seed_that_never_reaches_the_target_counts_with_its_budget():
    curves = pd.concat(
        [
            curve("random", 0, [0.5, 0.6, 0.7]),  # never: counts as its budget, 30
            curve("random", 1, [0.5, 0.96, 0.97]),  # 20
            curve("smart", 0, [0.96, 0.97, 0.98]),  # 10
            curve("smart", 1, [0.5, 0.6, 0.7]),  # never: 30
        ]
    )
    references = pd.DataFrame(
        {"dataset": "d", "model": "m", "protocol": "default", "seed": [0, 1], "accuracy": 1.0}
    )
    table = label_savings(curves, references, baseline="random").set_index("strategy")
    # seed 0: 30 - 10 = 20 saved (at least); seed 1: 20 - 30 = -10 (at least 10 more needed)
    assert table.loc["smart", "saved_0.95_vs_baseline"] == 5
    assert table.loc["smart", "saved_0.95_censored_seeds"] == 2
    assert table.loc["smart", "reached_0.95_share"] == 0.5
    assert table.loc["random", "saved_0.95_censored_seeds"] == 1


def test_unreached_threshold_counts_in_the_share():
    curves = curve("random", 0, [0.5, 0.6])
    references = pd.DataFrame(
        {"dataset": "d", "model": "m", "protocol": "default", "seed": [0], "accuracy": 0.9}
    )
    table = label_savings(curves, references, baseline="random")
    assert table["reached_0.95_share"].iloc[0] == 0.0
    assert np.isnan(table["labels_0.95_median"].iloc[0])


def test_full_pool_scores_beat_a_tiny_labelled_set(blobs):
    roles = split_indices(make_split(blobs.y, 0.25, 6, random_state=0))
    spec = {"estimator": "sklearn.linear_model.LogisticRegression"}
    scores = full_pool_scores(blobs, roles, "logreg", spec, ["accuracy"], seed=0, dataset_name="b")
    assert scores["accuracy"] == pytest.approx(1.0)  # well-separated blobs


def test_a_reference_that_cannot_be_fitted_voids_the_label_savings(blobs):
    roles = split_indices(make_split(blobs.y, 0.25, 6, random_state=0))
    spec = {"estimator": "pool_helpers.BrokenFitClassifier", "params": {"limit": 20}}
    scores = full_pool_scores(blobs, roles, "broken", spec, ["accuracy"], seed=0, dataset_name="b")
    assert np.isnan(scores["accuracy"]) and "cannot fit on 90 samples" in scores["fit_error"]
    curves = pd.concat(
        [curve("random", s, [0.5, 0.9]) for s in (0, 1)]
        + [curve("smart", s, [0.5, 0.99]) for s in (0, 1)]
    )
    references = pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "protocol": "default",
            "seed": [0, 1],
            "accuracy": 0.95,
            "fit_error": ["", scores["fit_error"]],
        }
    )
    references.loc[1, "accuracy"] = scores["accuracy"]
    table = label_savings(curves, references, baseline="random")
    assert (table["full_pool_failed_seeds"] == 1).all()
    for column in ("labels_0.95_median", "reached_0.95_share", "saved_0.95_vs_baseline"):
        assert table[column].isna().all(), column
    references["fit_error"] = ""
    references.loc[1, "accuracy"] = 0.95
    table = label_savings(curves, references, baseline="random").set_index("strategy")
    assert table.loc["smart", "reached_0.95_share"] == 1.0
    assert table.loc["smart", "full_pool_failed_seeds"] == 0
