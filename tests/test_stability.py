"""Verdict stability (albench.analysis.stability) against counts checkable by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from albench.analysis.power import TOO_FEW_SEEDS
from albench.analysis.stability import (
    family_stability,
    fast_wilcoxon_p,
    fragile,
    stability_columns,
    subset_sizes,
    subsets,
)
from albench.analysis.summary import comparison_table

KEY = ("d", "m", "default")


def one_family(differences) -> pd.DataFrame:
    """AUBCs of one data set x model: the baseline at 0.5, strategy `s` at 0.5 + difference."""
    seeds = range(len(differences))
    return pd.DataFrame(
        {"random": [0.5] * len(differences), "s": 0.5 + np.asarray(differences)},
        index=pd.Index(seeds, name="seed"),
    )


def test_leaving_one_seed_out_is_counted_as_by_hand():
    # Seven seeds, six gains and one small loss: Wilcoxon's W- = 1, p = 2 * 2/128 = 0.031,
    # better. Leave the loss out: six gains, p = 2/64 = 0.031, still better. Leave a gain out:
    # W- = 1 of six, p = 2 * 2/64 = 0.0625, undecided. So 1 of the 7 ways agrees.
    differences = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, -0.005]
    values = one_family(differences)
    cells = (
        values.stack().rename("aubc_accuracy").reset_index().rename(columns={"level_1": "strategy"})
    )
    cells = cells.assign(dataset="d", model="m", protocol="default", final_accuracy=0.5)
    full = comparison_table(cells, ["accuracy"], "random", margins={"accuracy": None})
    assert full.set_index("strategy").loc["s", "accuracy_verdict"] == "better"
    rows = pd.DataFrame(
        family_stability(values, "random", {"s": "better"}, KEY, "accuracy", True, float("nan"))
    )
    assert rows["seeds"].tolist() == [3, 5, 6]
    drop_one = rows[rows["seeds"] == 6].iloc[0]
    assert drop_one["draws"] == 7 and drop_one["verdict_agreement"] == pytest.approx(1 / 7)
    # Three or five seeds can never reach alpha (smallest p 0.25, 0.0625): no draw agrees.
    assert rows.loc[rows["seeds"] < 6, "verdict_agreement"].tolist() == [0.0, 0.0]
    comparison = full.assign(accuracy_n_pairs=7)
    added = stability_columns(comparison, rows).set_index("strategy").loc["s"]
    assert added["accuracy_stable_seeds"] == 7 and added[
        "accuracy_drop_one_agreement"
    ] == pytest.approx(1 / 7)
    assert fragile(added, "accuracy")


def test_sign_flips_count_the_subsets_whose_mean_difference_turns():
    # Mean -1; leaving out the -10 leaves [1, 2, 3]: the one subset of four whose mean is positive.
    values = one_family([1.0, 2.0, 3.0, -10.0])
    rows = family_stability(
        values, "random", {"s": TOO_FEW_SEEDS}, KEY, "accuracy", True, float("nan")
    )
    (drop_one,) = [r for r in rows if r["seeds"] == 3]
    assert drop_one["sign_flips"] == pytest.approx(1 / 4)
    assert drop_one["verdict_agreement"] == 1.0  # three seeds: too few, like four


def test_subsets_are_seeded_and_leave_one_out_is_enumerated():
    assert subset_sizes(10) == [3, 5, 9] and subset_sizes(3) == [2] and subset_sizes(2) == []
    a, b = subsets(10, 5, 20, seed=1), subsets(10, 5, 20, seed=1)
    assert np.array_equal(a, b) and a.shape == (20, 5)
    assert all(len(set(row)) == 5 for row in a)
    loo = subsets(4, 3, 99, seed=0)
    assert loo.tolist() == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_the_fast_signed_rank_test_gives_scipys_p_values(alternative):
    # Each scipy call with ties costs 0.04 s at 9 differences to 0.7 s at 13 (its permutation
    # test): a few samples of each kind (with and without ties and zeros), sizes 3 to 13.
    rng = np.random.default_rng(0)
    for n in [*rng.integers(3, 10, 30), 10, 11, 12, 13, 13]:
        d = np.round(rng.normal(0.005, 0.02, int(n)), int(rng.integers(1, 4)))  # ties, zeros
        if not np.any(d):
            continue
        expected = sps.wilcoxon(d, alternative=alternative, zero_method="wilcox").pvalue
        assert fast_wilcoxon_p(d, alternative) == pytest.approx(expected, abs=1e-12)
