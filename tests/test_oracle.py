"""The noisy oracle (`protocol.label_noise`): its rate, its fixed draw, and who faces it."""

import numpy as np
import pytest
from helpers import roles_for, with_strategy
from sklearn.linear_model import LogisticRegression

from albench.learn.loop import Learner, initial_state, run_al_loop
from albench.learn.oracle import oracle_labels
from albench.learn.reference import full_pool_scores
from albench.learn.setup import learnable_rows_and_scaler
from albench.specs import CellSpec


def test_an_exact_oracle_gives_the_true_labels():
    y = np.arange(30) % 3
    np.testing.assert_array_equal(oracle_labels(y, 3, 0.0, "d", 0), y)


def test_wrong_labels_come_at_the_rate_uniformly_over_the_other_classes():
    y = np.arange(60_000) % 4
    noisy = oracle_labels(y, 4, 0.2, "d", 1)
    wrong = noisy != y
    assert wrong.mean() == pytest.approx(0.2, abs=0.006)  # 4.6 standard errors
    # A wrong label is each of the 3 other classes a third of the time, whatever the class.
    for c in range(4):
        given = noisy[wrong & (y == c)]
        assert c not in given
        shares = np.bincount(given, minlength=4)[[k for k in range(4) if k != c]] / len(given)
        np.testing.assert_allclose(shares, 1 / 3, atol=0.025)
    assert noisy.dtype == y.dtype


def test_the_draw_is_fixed_per_data_set_and_seed_and_nested_across_rates():
    y = np.arange(5_000) % 3
    low, high = oracle_labels(y, 3, 0.1, "d", 0), oracle_labels(y, 3, 0.3, "d", 0)
    np.testing.assert_array_equal(low, oracle_labels(y, 3, 0.1, "d", 0))
    # A row mislabelled at 0.1 is mislabelled as the same class at 0.3.
    np.testing.assert_array_equal(high[low != y], low[low != y])
    assert (high != y).sum() > (low != y).sum()
    assert (oracle_labels(y, 3, 0.1, "d", 1) != low).any()
    assert (oracle_labels(y, 3, 0.1, "e", 0) != low).any()


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_rates_outside_zero_to_one_are_refused(rate):
    with pytest.raises(ValueError, match="label_noise"):
        oracle_labels(np.zeros(3, dtype=int), 2, rate, "d", 0)


def test_every_strategy_and_the_initial_set_face_the_same_noisy_oracle(blobs, cell):
    cell["protocol"] = {**cell["protocol"], "label_noise": 0.3, "iterations": 8}
    roles = roles_for(blobs)
    oracle = oracle_labels(blobs.y, blobs.n_classes, 0.3, cell["dataset"], 0)
    selections = []
    for name in ("random", "entropy"):
        result = run_al_loop(blobs, roles, CellSpec(**with_strategy(cell, name), seed=0))
        selection = result.selection
        np.testing.assert_array_equal(selection["label"], oracle[selection["index"]])
        np.testing.assert_array_equal(selection["true_label"], blobs.y[selection["index"]])
        selections.append(selection)
    revealed = np.concatenate([s["label"] != s["true_label"] for s in selections])
    assert 0 < revealed.mean() < 0.6
    # The initial set's labels come from the same oracle.
    learner, strategy = Learner.build(
        blobs, roles, CellSpec(**with_strategy(cell, "random"), seed=0)
    )
    y_seen = initial_state(learner, roles, strategy).y_seen
    initial = ~np.isnan(y_seen)
    np.testing.assert_array_equal(y_seen[initial], oracle[learner.train_rows[initial]])
    assert (y_seen[initial] != blobs.y[learner.train_rows[initial]]).any()


def test_the_full_pool_reference_learns_the_oracles_labels(blobs):
    roles = roles_for(blobs)
    spec = {"estimator": "sklearn.linear_model.LogisticRegression", "params": {}}
    clean = full_pool_scores(blobs, roles, "logreg", spec, ["accuracy"], 0, "b")
    noisy = full_pool_scores(blobs, roles, "logreg", spec, ["accuracy"], 0, "b", label_noise=0.4)
    train_rows, scaler = learnable_rows_and_scaler(blobs, roles)
    oracle = oracle_labels(blobs.y, blobs.n_classes, 0.4, "b", 0)[train_rows]
    model = LogisticRegression().fit(scaler.transform(blobs.X[train_rows]), oracle)
    expected = np.mean(
        model.predict(scaler.transform(blobs.X[roles["test"]])) == blobs.y[roles["test"]]
    )
    assert noisy["accuracy"] == pytest.approx(expected)
    assert clean["accuracy"] != noisy["accuracy"]
