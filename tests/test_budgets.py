"""Comparisons at chosen labelled-set sizes (`budgets`, comparison_at_budget.csv)."""

import pytest
from helpers import AHEAD, BASE, VALUES, curves, small_config, validated
from scipy import stats as sps

from albench.analysis.budgets import comparison_at_budget
from albench.analysis.compare import holm
from albench.analysis.stats import mean_ci
from albench.errors import ConfigError
from albench.plan.checks import check_config, design_warnings


def test_each_strategy_is_compared_with_the_baseline_where_the_budget_is_reached():
    table = comparison_at_budget(curves(VALUES), ["accuracy"], "random", [15])
    assert list(table["strategy"]) == ["ahead", "same"]
    assert (table["iteration"] == 1).all() and (table["n_labeled"] == 20).all()
    ahead = table.iloc[0]
    differences = AHEAD[:, 1] - BASE[:, 1]
    assert ahead["diff"] == pytest.approx(differences.mean())
    assert (ahead["diff_ci_low"], ahead["diff_ci_high"]) == pytest.approx(mean_ci(differences)[1:])
    assert ahead["p_wilcoxon"] == pytest.approx(sps.wilcoxon(differences).pvalue)
    assert ahead["mean"] == pytest.approx(AHEAD[:, 1].mean())
    assert ahead["baseline_mean"] == pytest.approx(BASE[:, 1].mean())
    assert list(table["p_holm"]) == pytest.approx(list(holm([ahead["p_wilcoxon"], 1.0])))
    # "same" is the baseline itself: within any margin, equivalent (Holm over the two).
    assert list(table["verdict"]) == ["better", "equivalent"]
    assert table.iloc[1]["margin"] == 0.01 and table.iloc[1]["p_equivalence_holm"] < 0.05
    assert ahead["n_pairs"] == 8 and ahead["smallest_p_holm"] == pytest.approx(2 * 2 / 2**8)


@pytest.mark.parametrize(("budget", "iteration"), [(5, 0), (10, 0), (20, 1), (21, 2), (30, 2)])
def test_the_first_iteration_whose_labelled_set_reaches_the_budget(budget, iteration):
    table = comparison_at_budget(curves(VALUES), ["accuracy"], "random", [budget])
    assert (table["iteration"] == iteration).all() and len(table) == 2


def test_a_budget_past_the_last_iteration_has_no_rows():
    table = comparison_at_budget(curves(VALUES), ["accuracy"], "random", [31])
    assert table.empty and "verdict" in table.columns


def test_only_seeds_both_reached_are_paired():
    frame = curves(VALUES)
    frame = frame[~((frame["strategy"] == "ahead") & (frame["seed"] == 7))]
    table = comparison_at_budget(frame, ["accuracy"], "random", [15]).set_index("strategy")
    assert table.loc["ahead", "n_pairs"] == 7 and table.loc["same", "n_pairs"] == 8
    assert table.loc["ahead", "diff"] == pytest.approx((AHEAD[:7, 1] - BASE[:7, 1]).mean())


def test_budgets_no_data_set_reaches_are_refused_naming_the_key():
    config = validated(small_config())  # iris and moons: 6 + 3 x 4 = 18 labels at most
    config["budgets"] = [10, 18]
    check_config(config, probe=False)
    config["budgets"] = [10, 19, 50]
    with pytest.raises(ConfigError, match=r"budgets: \[19, 50\] labels are reached by no data"):
        check_config(config, probe=False)


def test_a_budget_some_data_sets_miss_is_announced():
    config = validated(small_config())
    config["protocol"]["batch_size"] = 0.1  # iris (150): 6 + 3 x 15 = 51; moons (120): 42
    config["budgets"] = [40, 45]
    check_config(config, probe=False)
    assert design_warnings(config)[0] == (
        "budgets: 45 labels are past the last iteration of data set(s) ['moons']: "
        "comparison_at_budget.csv has no rows for them at 45"
    )


def test_a_budget_within_the_initial_set_is_announced():
    config = validated(small_config())  # initial_size 6
    config["budgets"] = [6, 10]
    check_config(config, probe=False)
    warnings = [w for w in design_warnings(config) if w.startswith("budgets")]
    assert warnings == [
        "budgets: 6 labels are within the initial labelled set of data set(s) ['iris', "
        "'moons']: there every strategy is still the same initial model, so the comparison at "
        "that budget shows no difference by construction"
    ]
