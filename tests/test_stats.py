import numpy as np
import pytest

from albench.stats import aubc, mean_ci


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
