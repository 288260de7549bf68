"""The blind pick (albench.analysis.blind) against a leave-one-out pick computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import small_config, validated

from albench.analysis.blind import blind_pick_summary, blind_pick_table
from albench.analysis.summary import comparison_table
from albench.analysis.verdict import verdict_text
from albench.plan.grid import blind_pick_spec, verdict_spec

MEANS = {  # mean AUBC per data set and strategy
    "A": {"random": 0.5, "s1": 0.6, "s2": 0.55},
    "B": {"random": 0.5, "s1": 0.52, "s2": 0.58},
    "C": {"random": 0.5, "s1": 0.7, "s2": 0.51},
}
STRATEGIES = ["random", "s1", "s2"]


def cells(means=MEANS, seeds=6) -> pd.DataFrame:
    """Per-cell AUBCs: each seed moves every strategy alike, so each difference is the same
    on every seed (Wilcoxon over 6 such seeds: p = 2/64, significant)."""
    noise = [-0.01, 0.0, 0.01, -0.005, 0.005, 0.0][:seeds]
    return pd.DataFrame(
        [
            {"dataset": d, "model": "m", "protocol": "default", "strategy": s, "seed": i}
            | {"aubc_accuracy": value + noise[i], "final_accuracy": value}
            for d, row in means.items()
            for s, value in row.items()
            for i in range(seeds)
        ]
    )


def test_each_data_set_gets_the_pick_of_the_others_by_hand():
    aubcs = cells()
    comparison = comparison_table(aubcs, ["accuracy"], "random")
    table = blind_pick_table(aubcs, comparison, "random", STRATEGIES, ["accuracy"])
    rows = table.set_index(["policy", "dataset"])
    # Held out A: B ranks s2 first, C s1: mean ranks tie at 1.5, the first in config order
    # wins (s1); by mean gain over random, s1 (0.11) beats s2 (0.045).
    # Held out C: A ranks s1 first, B s2: a tie again (s1); by mean gain, s2 (0.065 > 0.06).
    picks = {p: rows.loc[p, "pick"].to_dict() for p in ("by_rank", "by_difference")}
    assert picks == {
        "by_rank": {"A": "s1", "B": "s1", "C": "s1"},
        "by_difference": {"A": "s1", "B": "s1", "C": "s2"},
    }
    # Judged on the held-out data set: the difference to random, and the regret against the
    # best there (B's best is s2: 0.58 - 0.52; C's is s1: 0.7 - 0.51).
    assert rows.loc[("by_difference", "C"), "diff"] == pytest.approx(0.01)
    assert rows.loc[("by_rank", "B"), "regret"] == pytest.approx(0.06)
    assert rows.loc[("by_difference", "C"), "regret"] == pytest.approx(0.19)
    assert rows.loc[("by_rank", "A"), "regret"] == pytest.approx(0.0)
    assert set(rows.loc["by_rank", "verdict"]) == {"better"}  # 6 seeds, every one a gain
    assert rows.loc[("always random", "A"), "verdict"] == "baseline"
    summary = blind_pick_summary(table).set_index("policy")
    assert summary.loc["by_rank", "picks"] == "s1: 3"
    assert summary.loc["by_difference", "picks"] == "s1: 2; s2: 1"
    assert summary.loc["by_rank", "better"] == 3 and summary.loc["by_rank", "worse"] == 0
    assert summary.loc["by_rank", "regret"] == pytest.approx(0.02)
    assert summary.loc["by_difference", "regret"] == pytest.approx((0.06 + 0.19) / 3)
    assert summary.loc["always random", "regret"] == pytest.approx((0.1 + 0.08 + 0.2) / 3)
    assert summary.loc["always random", "baseline"] == 3


def test_the_verdict_opens_with_the_blind_pick():
    config = validated(small_config())
    config["strategies"] = {s: {"query": "RandomSampling"} for s in STRATEGIES}
    config["baseline"] = "random"
    aubcs = cells()
    comparison = comparison_table(aubcs, ["accuracy"], "random")
    savings = pd.DataFrame(columns=["dataset", "model", "protocol", "strategy", "metric"])
    blind = blind_pick_summary(
        blind_pick_table(aubcs, comparison, "random", STRATEGIES, ["accuracy"])
    )
    text = verdict_text(comparison, savings, verdict_spec(config), blind=blind)
    opening = " ".join(text.splitlines()[1:5])
    assert opening.startswith(
        "Picked blind from the other data sets (by mean rank; s1 ×3), m's pick beats random on "
        "3 of 3 data sets, loses on 0; it gives up 0.020 ["
    )
    assert "(the best fixed habit, always s1: 0.020 [" in opening
    two = comparison[comparison["dataset"] != "C"]
    blind = blind_pick_summary(
        blind_pick_table(
            cells({k: MEANS[k] for k in "AB"}), two, "random", STRATEGIES, ["accuracy"]
        )
    )
    text = verdict_text(two, savings, verdict_spec(config), blind=blind)
    assert blind.empty and text.splitlines()[1].startswith("random is as good as")


def test_a_blind_pick_of_fewer_than_three_data_sets_is_refused_naming_the_key():
    from albench.errors import ConfigError
    from albench.plan.checks import check_design

    config = validated(small_config())  # two data sets
    check_design(config)
    config["blind_pick"] = {"policies": ["by_rank"]}
    with pytest.raises(
        ConfigError, match=r"^blind_pick: .* at least 3 data sets \(this config has 2\)"
    ):
        check_design(config)


def test_the_policies_come_from_the_config():
    config = small_config()
    assert blind_pick_spec(validated(config)).policies == ["by_rank", "by_difference"]
    config["blind_pick"] = {"policies": ["by_difference"]}
    spec = blind_pick_spec(validated(config))
    assert spec.policies == ["by_difference"] and spec.metrics == ["accuracy"]
