"""What strategies choose, recomputed independently: not only batch sizes, the rows themselves.

Each test fits the model a cell would, asks albench's `Strategy` for a batch, and compares it
with the rows its definition picks from the model's own outputs.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from skactiveml.utils import check_random_state
from sklearn.datasets import make_classification
from sklearn.metrics import pairwise_distances

from albench.learn.models import build_estimator, wrap_classifier
from albench.learn.strategies import Strategy

LOGREG = {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}}
MLP = {
    "estimator": "albench.models.EmbeddingMLPClassifier",
    "params": {"hidden_layer_sizes": [6], "solver": "lbfgs", "max_iter": 300},
}
UNCERTAINTY = {
    # method: utility of each unlabelled row from its class probabilities (higher = queried)
    "entropy": lambda p: -np.sum(p * np.log(p), axis=1),
    "least_confident": lambda p: 1 - p.max(axis=1),
    "margin_sampling": lambda p: -np.diff(np.sort(p, axis=1)[:, -2:], axis=1)[:, 0],
}


def fitted(model=LOGREG, n=90, labelled=9, classes=3, seed=0):
    """Return (X, y_seen, clf): a model fitted on the first `labelled` rows."""
    X, y = make_classification(
        n_samples=n,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=classes,
        random_state=seed,
    )
    y_seen = np.full(n, np.nan)
    y_seen[:labelled] = y[:labelled]
    clf = wrap_classifier(build_estimator("models.m", model, 0), classes, 0).fit(X, y_seen)
    return X, y_seen, clf


@pytest.mark.parametrize("method", sorted(UNCERTAINTY))
def test_uncertainty_sampling_picks_the_top_rows_of_its_own_scores(method):
    X, y_seen, clf = fitted()
    spec = {"query": "UncertaintySampling", "params": {"method": method}}
    picked = Strategy(method, spec, 7, 3).query(X, y_seen, clf, 6)
    pool = np.flatnonzero(np.isnan(y_seen))
    utility = UNCERTAINTY[method](clf.predict_proba(X[pool]))
    expected = pool[np.argsort(-utility, kind="stable")[:6]]
    np.testing.assert_array_equal(picked, expected)


def test_random_sampling_is_uniform_over_the_pool_and_ignores_the_model():
    X, y_seen, clf = fitted()
    _, _, other = fitted(seed=1)  # a model that would rank the rows differently
    pool = np.flatnonzero(np.isnan(y_seen))
    counts = np.zeros(len(y_seen))
    for seed in range(1500):
        strategy = Strategy("random", {"query": "RandomSampling"}, seed, 3)
        picked = strategy.query(X, y_seen, clf, 3)
        assert set(picked) <= set(pool) and len(set(picked)) == 3
        if seed < 20:
            again = Strategy("random", {"query": "RandomSampling"}, seed, 3)
            np.testing.assert_array_equal(again.query(X, y_seen, other, 3), picked)
        counts[picked] += 1
    # 4500 picks over 81 rows: a chi-square test of uniformity (deterministic seeds).
    assert sps.chisquare(counts[pool]).pvalue > 1e-3
    assert counts[~np.isnan(y_seen)].sum() == 0


def badge_reference(g: np.ndarray, rng: np.random.RandomState, k: int) -> list[int]:
    """k-means++ seeding on gradient embeddings `g` (Ash et al. 2020): the row of largest norm,
    then rows drawn with probability proportional to the squared distance to the nearest
    centre chosen so far."""
    d2 = np.sum(g**2, axis=1)
    picks = [int(np.argmax(d2))]
    for _ in range(k - 1):
        d2 = np.minimum(d2, pairwise_distances(g, g[picks[-1:]])[:, 0] ** 2)
        picks.append(int(rng.choice(len(g), 1, replace=False, p=d2 / d2.sum())[0]))
    return picks


@pytest.mark.parametrize("model", ["logreg", "mlp"])
def test_badge_is_kmeans_plus_plus_on_gradient_embeddings(model):
    spec, embeddings = (LOGREG, False) if model == "logreg" else (MLP, True)
    X, y_seen, clf = fitted(spec)
    picked = Strategy("badge", {"query": "Badge"}, 11, 3, embeddings=embeddings).query(
        X, y_seen, clf, 8
    )
    pool = np.flatnonzero(np.isnan(y_seen))
    if embeddings:  # the MLP's last hidden layer, not the raw features
        proba, features = clf.predict_proba(X[pool], return_embeddings=True)
    else:
        proba, features = clf.predict_proba(X[pool]), X[pool]
    # The gradient of the cross-entropy at the predicted label w.r.t. the last layer.
    factor = proba - np.eye(3)[proba.argmax(axis=1)]
    g = (factor[:, :, None] * features[:, None, :]).reshape(len(pool), -1)
    # scikit-activeml seeds each query from the strategy's seed and the unlabelled count.
    rng = check_random_state(11, len(pool) + 1)
    np.testing.assert_array_equal(picked, pool[badge_reference(g, rng, 8)])


@pytest.mark.parametrize(("subsample", "sizes"), [(20, [20, 20, 20]), (0.25, [21, 20, 20])])
def test_candidate_subsample_scores_a_fresh_seeded_subset_per_query(subsample, sizes):
    X, y_seen, clf = fitted()
    spec = {
        "query": "UncertaintySampling",
        "params": {"method": "entropy"},
        "candidate_subsample": subsample,
    }

    def subsets(seed: int) -> list[np.ndarray]:
        strategy = Strategy("entropy", spec, seed, 3)
        inner, seen = strategy.qs.query_strategy, []
        original = inner.query

        def recording(X, y, *args, candidates=None, **kwargs):
            seen.append(np.asarray(candidates))
            return original(X, y, *args, candidates=candidates, **kwargs)

        inner.query = recording
        labels = y_seen.copy()
        for _ in range(3):
            picked = strategy.query(X, labels, clf, 2)
            assert set(picked) <= set(seen[-1])  # chosen among the subset only
            labels[picked] = 0
        return seen

    first, again, other = subsets(3), subsets(3), subsets(4)
    unlabelled = np.flatnonzero(np.isnan(y_seen))
    for subset, size in zip(first, sizes, strict=True):
        # a count, or a fraction of the unlabelled pool at that query rounded up (81, 79, 77)
        assert len(subset) == size and len(set(subset)) == size
        assert set(subset) <= set(unlabelled)
    assert not np.array_equal(np.sort(first[0]), np.sort(first[1]))  # fresh per query
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)  # seeded
    assert not np.array_equal(np.sort(first[0]), np.sort(other[0]))
