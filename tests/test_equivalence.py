"""The paired equivalence test (two one-sided Wilcoxon tests) and the seeds that would decide a
comparison, checked against an independent implementation and by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.weightstats import ttost_paired

from albench.analysis.equivalence import equivalence_p, seeds_to_decide

ALPHA = 0.05


def test_tost_agrees_with_statsmodels_paired_t_tost_on_normal_differences():
    """On normal differences the Wilcoxon TOST and statsmodels' t TOST (`ttost_paired`) decide
    alike, except near the boundary, where two different tests may differ."""
    rng = np.random.default_rng(0)
    margin, agree, total = 0.5, 0, 0
    for true in np.linspace(-1.0, 1.0, 21):
        for _ in range(15):
            d = rng.normal(true, 0.6, size=30)
            ours = equivalence_p(d, margin) < ALPHA
            theirs = ttost_paired(d, np.zeros(30), -margin, margin)[0] < ALPHA
            agree += ours == theirs
            total += 1
    assert agree / total > 0.93
    # Well inside the margin both decide "equivalent"; well outside neither does.
    inside = rng.normal(0.0, 0.3, size=30)
    assert (
        equivalence_p(inside, margin) < 0.001
        and ttost_paired(inside, 0 * inside, -0.5, 0.5)[0] < 0.001
    )
    outside = rng.normal(1.5, 0.3, size=30)
    assert equivalence_p(outside, margin) > 0.5


@pytest.mark.parametrize("n", [8, 20])
@pytest.mark.parametrize("side", [-1, 1])
def test_the_type_i_error_at_the_margin_is_at_most_alpha(n, side):
    """Differences whose true median is exactly at a bound of the margin are declared
    equivalent in at most alpha of the draws (1500 draws; 3 standard errors of slack)."""
    rng = np.random.default_rng(n + (side > 0))
    margin, draws = 0.4, 1500
    rejected = sum(
        equivalence_p(rng.normal(side * margin, 0.5, size=n), margin) < ALPHA for _ in range(draws)
    )
    slack = 3 * np.sqrt(ALPHA * (1 - ALPHA) / draws)
    assert rejected / draws <= ALPHA + slack


def test_degenerate_inputs():
    assert equivalence_p(np.array([]), 0.1) == 1.0
    assert equivalence_p(np.array([0.01, -0.02, 0.0]), 0.0) == 1.0
    # Too few pairs can never be equivalent: the smallest one-sided exact p of 4 pairs is 1/16.
    assert equivalence_p(np.zeros(4), 1.0) > ALPHA
    assert equivalence_p(np.zeros(6), 1.0) == pytest.approx(1 / 64)


def simulated_power(mean, sd, margin, n, draws=400, seed=0):
    rng = np.random.default_rng(seed)
    difference = equivalent = 0
    for _ in range(draws):
        d = rng.normal(mean, sd, size=n)
        difference += sps.wilcoxon(d).pvalue < ALPHA
        equivalent += equivalence_p(d, margin) < ALPHA
    return difference / draws, equivalent / draws


def test_seeds_to_decide_give_about_the_planned_power():
    """The power calculation's seeds decide the comparison about POWER (0.8) of the time, by
    simulation with the tests themselves."""
    plan = seeds_to_decide(mean=0.5, sd=1.0, margin=0.1)
    assert plan.by == "difference" and plan.equivalence is None  # 0.5 is outside the margin
    power, _ = simulated_power(0.5, 1.0, 0.1, plan.difference)
    assert 0.72 <= power <= 0.9
    plan = seeds_to_decide(mean=0.0, sd=1.0, margin=0.6)
    assert plan.by == "equivalence" and plan.difference is None
    _, power = simulated_power(0.0, 1.0, 0.6, plan.equivalence)
    assert 0.72 <= power <= 0.95
    # More strategies (Holm) need more seeds; a smaller spread fewer.
    assert seeds_to_decide(0.5, 1.0, 0.1, n_compared=4).difference > plan_difference(0.5, 1.0)
    assert seeds_to_decide(0.5, 0.5, 0.1).difference < plan_difference(0.5, 1.0)
    # A mean at the margin with no effect either way cannot be decided in a sane number of seeds.
    assert seeds_to_decide(1e-6, 1.0, 1e-6).fewest is None


def plan_difference(mean, sd):
    return seeds_to_decide(mean, sd, 0.1).difference


def test_margins_come_from_the_config_or_the_defaults():
    import pandas as pd
    from helpers import small_config, validated

    from albench.analysis.summary import equivalence_margins
    from albench.errors import ConfigError
    from albench.plan.checks import check_config

    assert equivalence_margins(["accuracy", "rmse"], None, None) == {"accuracy": 0.01}
    references = pd.DataFrame(
        {"dataset": "d", "model": "m", "protocol": "default", "seed": [0, 1], "rmse": [4.0, 6.0]}
    )
    margins = equivalence_margins(["accuracy", "rmse"], 0.02, references)
    assert margins == {"accuracy": 0.02, "rmse": {("d", "m", "default"): pytest.approx(0.05)}}
    assert equivalence_margins(["rmse"], {"rmse": 0.3}, references) == {"rmse": 0.3}
    config = validated({**small_config(), "equivalence_margin": {"acuracy": 0.01}})
    with pytest.raises(ConfigError, match=r"equivalence_margin: \['acuracy'\] is no metric"):
        check_config(config, probe=False)
