import numpy as np
import pytest
import scipy.stats as sps

from albench.analysis.compare import holm
from albench.analysis.power import seeds_needed, smallest_p
from albench.analysis.stats import aubc, mean_ci, paired_comparison, verdict


def test_aubc_of_a_constant_curve_is_the_constant():
    assert aubc([10, 20, 30], [0.7, 0.7, 0.7]) == pytest.approx(0.7)


def test_aubc_hand_computed():
    # trapezoids: (0.5+0.7)/2*10 + (0.7+0.9)/2*20 = 6 + 16 = 22; range 30 -> 22/30
    assert aubc([10, 20, 40], [0.5, 0.7, 0.9]) == pytest.approx(22 / 30)


def test_aubc_ignores_row_order():
    assert aubc([40, 10, 20], [0.9, 0.5, 0.7]) == pytest.approx(22 / 30)


def test_aubc_needs_a_range():
    with pytest.raises(ValueError):
        aubc([10], [0.5])


def test_mean_ci_contains_the_mean_and_is_reproducible():
    values = np.array([0.61, 0.65, 0.70, 0.62, 0.68, 0.66, 0.64, 0.69])
    mean, low, high = mean_ci(values)
    assert mean == pytest.approx(values.mean())
    assert low < mean < high
    assert (low, high) == mean_ci(values)[1:]
    # a 95 % interval of the mean is narrower than the data's range
    assert values.min() < low and high < values.max()


def test_mean_ci_degenerate_cases():
    assert mean_ci(np.array([0.5, 0.5, 0.5])) == (0.5, 0.5, 0.5)
    mean, low, high = mean_ci(np.array([0.4]))
    assert mean == 0.4 and np.isnan(low) and np.isnan(high)


def test_identical_to_baseline_is_equivalent_only_where_the_equivalence_test_says_so():
    base = np.array([0.70, 0.72, 0.69, 0.75, 0.71, 0.73, 0.68, 0.74, 0.70, 0.72])
    result = paired_comparison(base.copy(), base)
    assert result.mean_difference == 0 and result.p_value == 1.0
    assert (result.ci_low, result.ci_high) == (0.0, 0.0)
    assert verdict(result.mean_difference, result.p_value) == "undecided"  # no margin given
    assert verdict(result.mean_difference, result.p_value, equivalence_p=0.01) == "equivalent"
    assert verdict(result.mean_difference, result.p_value, equivalence_p=0.2) == "undecided"
    assert verdict(0.05, 0.01, equivalence_p=0.01) == "better"  # a difference comes first


def test_constant_shift_is_better_with_the_right_interval():
    base = np.array([0.70, 0.72, 0.69, 0.75, 0.71, 0.73, 0.68, 0.74, 0.70, 0.72])
    result = paired_comparison(base + 0.02, base)
    assert result.mean_difference == pytest.approx(0.02)
    # every paired difference is 0.02, so the interval collapses onto it
    assert result.ci_low == pytest.approx(0.02) and result.ci_high == pytest.approx(0.02)
    assert result.p_value == pytest.approx(2 / 2**10)  # exact two-sided Wilcoxon, n = 10
    assert verdict(result.mean_difference, result.p_value) == "better"
    assert verdict(-result.mean_difference, result.p_value) == "worse"


def test_noisy_shift_interval_covers_the_shift():
    rng = np.random.default_rng(0)
    base = rng.normal(0.7, 0.02, size=20)
    result = paired_comparison(base + 0.03 + rng.normal(0, 0.005, size=20), base)
    assert result.ci_low < 0.03 < result.ci_high
    assert result.p_value < 0.001


def test_too_few_seeds_are_never_significant():
    result = paired_comparison(np.array([0.8, 0.9, 0.85]), np.array([0.7, 0.8, 0.75]))
    assert result.p_value == pytest.approx(0.25)  # the smallest p with three pairs


def test_holm_on_known_p_values():
    # sorted: 0.01*4=0.04, 0.02*3=0.06, 0.03*2=0.06, 0.04*1=0.04 -> monotone: .04 .06 .06 .06
    adjusted = holm([0.03, 0.01, 0.04, 0.02])
    np.testing.assert_allclose(adjusted, [0.06, 0.04, 0.06, 0.06])
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])
    np.testing.assert_allclose(holm([0.01]), [0.01])


def test_holm_equals_statsmodels_bit_for_bit():
    from statsmodels.stats.multitest import multipletests

    # statsmodels' multipletests costs about 20 ms a call (0.3 s in a loaded test worker).
    rng = np.random.default_rng(0)
    for size in (1, 2, 3, 7, 20):
        for _ in range(10):
            p = rng.uniform(0, 0.3, size) ** rng.uniform(0.5, 3)
            p[rng.random(size) < 0.2] = p[0]  # ties
            np.testing.assert_array_equal(holm(p), multipletests(p, method="holm")[1])
    assert holm([]).shape == (0,)


def test_smallest_p_is_the_exact_wilcoxon_floor_times_the_strategies_compared():
    for n in range(1, 12):
        # differences all of one sign, without ties: the most extreme outcome
        floor = sps.wilcoxon(np.arange(1.0, n + 1)).pvalue
        assert smallest_p(n) == pytest.approx(floor)
        assert smallest_p(n, 4) == pytest.approx(min(1.0, 4 * floor))
    assert smallest_p(0) == 1.0


def test_seeds_needed_accounts_for_holm():
    assert seeds_needed(1) == 6  # 2/2^6 = 0.031 < 0.05; 2/2^5 = 0.0625
    assert seeds_needed(4) == 8  # 4 x 2/2^7 = 0.0625; 4 x 2/2^8 = 0.031
    assert seeds_needed(4, alpha=0.01) == 10
