"""Every supported scikit-activeml strategy through a real AL cell, and the traps handled."""

import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import EXPENSIVE, FOREST, LOGREG, SUPPORTED, make_cell
from helpers import blob_dataset as dataset
from helpers import run_cell_of as run
from sklearn.base import BaseEstimator, ClassifierMixin

from albench.data.splits import make_split, split_indices
from albench.errors import ConfigError
from albench.learn.models import build_estimator, wrap_classifier
from albench.learn.strategies import Strategy, strategy_class

TIMING = ["fit_seconds", "query_seconds", "score_seconds"]


def check_result(result, roles, batch, iterations):
    curve, selection = result.curve, result.selection
    assert curve["n_labeled"].tolist() == [6 + batch * i for i in range(iterations + 1)]
    assert selection["index"].is_unique
    assert set(selection["index"]) <= set(roles["pool"])
    assert curve["accuracy"].between(0, 1).all()


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_supported_strategy_runs_a_real_cell(name):
    strategy_spec, model_spec = SUPPORTED[name]
    cell = make_cell(name, strategy_spec, model_spec)
    result, roles = run(dataset(120), cell)
    check_result(result, roles, batch=3, iterations=2)


@pytest.mark.parametrize("name", sorted(EXPENSIVE))
def test_expensive_strategy_runs_with_a_cost_warning(name):
    strategy_spec, model_spec = EXPENSIVE[name]
    cell = make_cell(name, strategy_spec, model_spec, iterations=1, batch=2)
    with pytest.warns(UserWarning, match="costs O\\(pool\\^3\\)"):
        result, roles = run(dataset(40), cell)
    check_result(result, roles, batch=2, iterations=1)


def test_epistemic_uncertainty_on_a_binary_task():
    cell = make_cell("epistemic", {"query": "EpistemicUncertaintySampling"}, LOGREG, 1, 2)
    with pytest.warns(UserWarning, match="costs"):
        result, roles = run(dataset(30, classes=2), cell)
    check_result(result, roles, batch=2, iterations=1)


def test_epistemic_uncertainty_refuses_multiclass_with_its_reason():
    cell = make_cell("epistemic", {"query": "EpistemicUncertaintySampling"}, LOGREG, 1, 2)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="two-class"):
        run(dataset(30, classes=3), cell)


@pytest.mark.parametrize(
    ("spec", "pattern"),
    [
        ({"query": "SubSamplingWrapper"}, "use candidate_subsample"),
        ({"query": "ExpectedErrorReduction"}, "abstract base"),
        ({"query": "Entropy"}, "not a query strategy"),
        (
            {"query": "UncertaintySampling", "params": {"metod": "entropy"}},
            r"does not accept \['metod'\]",
        ),
    ],
)
def test_unusable_strategies_are_refused_with_the_reason(spec, pattern):
    with pytest.raises(ConfigError, match=pattern) as info:
        strategy_class("s", spec)
    assert "strategies.s." in str(info.value)


@pytest.mark.parametrize("name", ["dropquery", "clue", "typiclust", "probcover", "badge"])
def test_clustering_strategies_are_seeded_by_the_cell(name):
    """DropQuery and Clue ignore random_state unless cluster_algo_dict carries it."""
    strategy_spec, model_spec = SUPPORTED[name]
    data = dataset(150)
    cell = make_cell(name, strategy_spec, model_spec, iterations=3, batch=5)
    first, _ = run(data, cell, seed=4)
    again, _ = run(data, cell, seed=4)
    pd.testing.assert_frame_equal(first.selection, again.selection)
    pd.testing.assert_frame_equal(
        first.curve.drop(columns=TIMING), again.curve.drop(columns=TIMING)
    )


def test_probcover_caches_nothing_across_cells():
    """ProbCover caches an n x n distance matrix on the instance: each cell builds its own."""
    strategy_spec, model_spec = SUPPORTED["probcover"]
    cell = make_cell("probcover", strategy_spec, model_spec)
    small, large = dataset(100, seed=1), dataset(140, seed=2)
    fresh, _ = run(large, cell)
    run(small, cell)
    after, _ = run(large, cell)
    pd.testing.assert_frame_equal(fresh.selection, after.selection)


def test_estimator_is_seeded_from_the_cell_unless_the_user_sets_it():
    assert build_estimator("models.f", FOREST, 123).random_state == 123
    pinned = {**FOREST, "params": {"random_state": 7}}
    assert build_estimator("models.f", pinned, 123).random_state == 7


def test_forest_cells_are_reproducible():
    cell = make_cell("random", {"query": "RandomSampling"}, FOREST)
    data = dataset(120)
    a, _ = run(data, cell, seed=1)
    b, _ = run(data, cell, seed=1)
    pd.testing.assert_frame_equal(a.curve.drop(columns=TIMING), b.curve.drop(columns=TIMING))


def test_probability_width_is_fixed_while_classes_are_unlabelled():
    X, y = np.random.default_rng(0).normal(size=(30, 2)), np.repeat([0, 1, 2], 10)
    clf = wrap_classifier(build_estimator("models.m", LOGREG, 0), n_classes=3, random_state=0)
    y_seen = np.full(30, np.nan)
    y_seen[[0, 1, 10, 11]] = y[[0, 1, 10, 11]]  # class 2 not labelled yet
    clf.fit(X, y_seen)
    assert clf.predict_proba(X).shape == (30, 3)


def test_candidate_subsample_is_seeded_and_limits_the_candidates():
    data = dataset(200)
    spec = {"query": "Badge", "candidate_subsample": 20}
    cell = make_cell("badge", spec, LOGREG, iterations=2, batch=4)
    a, roles = run(data, cell, seed=0)
    b, _ = run(data, cell, seed=0)
    check_result(a, roles, batch=4, iterations=2)
    pd.testing.assert_frame_equal(a.selection, b.selection)
    full, _ = run(data, make_cell("badge", {"query": "Badge"}, LOGREG, 2, 4), seed=0)
    assert not full.selection.equals(a.selection)


def test_protocol_wide_candidate_subsample_applies_to_every_strategy():
    data = dataset(200)
    cell = make_cell("badge", {"query": "Badge"}, LOGREG, iterations=2, batch=4)
    per_strategy = make_cell("badge", {"query": "Badge", "candidate_subsample": 20}, LOGREG, 2, 4)
    cell["protocol"]["candidate_subsample"] = 20
    a, _ = run(data, cell)
    b, _ = run(data, per_strategy)
    pd.testing.assert_frame_equal(a.selection, b.selection)


def test_ensemble_model_needs_an_ensemble():
    cell = make_cell("qbc", {"query": "QueryByCommittee", "ensemble": "model"}, LOGREG)
    with pytest.raises(ConfigError, match="ensemble: 'model' needs an ensemble model"):
        run(dataset(60), cell)


def test_badge_list_output_becomes_an_index_array():
    data = dataset(60)
    roles = split_indices(make_split(data.y, 0.25, 6, 0))
    X = data.X[np.sort(np.concatenate([roles["initial"], roles["pool"]]))]
    y = np.full(len(X), np.nan)
    y[:6] = data.y[:6]
    clf = wrap_classifier(build_estimator("models.m", LOGREG, 0), 3, 0)
    clf.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        picked = Strategy("badge", {"query": "Badge"}, 0, 3).query(X, y, clf, 4)
    assert isinstance(picked, np.ndarray) and picked.dtype == np.int64 and len(picked) == 4


def test_pipeline_model_from_steps():
    spec = {
        "steps": [
            {"estimator": "sklearn.preprocessing.PolynomialFeatures", "params": {"degree": 2}},
            {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}},
        ]
    }
    cell = make_cell("entropy", SUPPORTED["entropy"][0], spec)
    result, roles = run(dataset(120), cell)
    check_result(result, roles, batch=3, iterations=2)


def test_pipeline_whose_last_step_is_no_classifier_is_refused():
    spec = {"steps": [{"estimator": "sklearn.preprocessing.StandardScaler"}]}
    with pytest.raises(
        ConfigError,
        match="models.p: sklearn.preprocessing.StandardScaler is neither a classifier nor a regr",
    ):
        build_estimator("models.p", spec, 0)


MLP = {
    "estimator": "albench.models.EmbeddingMLPClassifier",
    "params": {"hidden_layer_sizes": [16], "max_iter": 300},
}


def test_mlp_embeddings_are_its_last_hidden_layer():
    data = dataset(80)
    mlp = build_estimator("models.mlp", MLP, 0).fit(data.X, data.y)
    proba, embeddings = mlp.predict_proba(data.X, return_embeddings=True)
    np.testing.assert_allclose(proba, mlp.predict_proba(data.X))
    assert embeddings.shape == (80, 16)
    assert (embeddings >= 0).all()  # relu activations
    # the output layer applied to the embeddings gives the model's probabilities
    logits = embeddings @ mlp.coefs_[-1] + mlp.intercepts_[-1]
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, softmax / softmax.sum(axis=1, keepdims=True), rtol=1e-6)


def test_badge_uses_the_mlp_embeddings(monkeypatch):
    from albench.learn.models import EmbeddingMLPClassifier

    calls = []
    original = EmbeddingMLPClassifier.embed

    def spy(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(EmbeddingMLPClassifier, "embed", spy)
    cell = make_cell("badge", {"query": "Badge"}, MLP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the MLP does not converge on 6 samples
        result, roles = run(dataset(120), cell)
    check_result(result, roles, batch=3, iterations=2)
    assert len(calls) == 2  # one embedding pass per query


def test_model_without_probabilities_is_refused_when_strategies_need_them():
    from albench.plan.checks import check_config

    config = {
        "datasets": {"iris": {"source": "sklearn", "name": "iris"}},
        "models": {"svm": {"estimator": "sklearn.svm.SVC", "params": {}}},
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
        },
        "seeds": 1,
        "protocol": {"test_size": 0.25, "initial_size": 6, "batch_size": 3, "iterations": 2},
        "baseline": "random",
    }
    with pytest.raises(
        ConfigError, match=r"models.svm: SVC gives no class probabilities .*entropy"
    ):
        check_config(config)
    config["strategies"]["coreset"] = config["strategies"].pop("entropy") | {"query": "CoreSet"}
    del config["strategies"]["coreset"]["params"]
    check_config(config)  # no strategy needs probabilities: accepted
    config["models"]["svm"]["params"]["probability"] = True
    config["strategies"]["entropy"] = {"query": "UncertaintySampling"}
    check_config(config)


class CertainModel(ClassifierMixin, BaseEstimator):
    """Certain of every sample but three: Badge's gradient embeddings are mostly zero."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        proba = np.zeros((len(X), 3))
        proba[:, 0] = 1.0
        proba[:3] = [0.5, 0.3, 0.2]
        return proba


def test_badge_batch_has_no_repeats_when_embeddings_are_degenerate(caplog):
    """scikit-activeml 1.0.1's Badge repeats samples here; the batch is completed instead."""
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.full(60, np.nan)
    y[:6] = [0, 1, 2, 0, 1, 2]
    clf = wrap_classifier(CertainModel(), 3, 0).fit(X, y)
    strategy = Strategy("badge", {"query": "Badge"}, 0, 3)
    raw = np.asarray(strategy.qs.query(X, y, clf=clf, fit_clf=False, batch_size=10))
    assert len(np.unique(raw)) < 10  # the upstream behaviour this guards against
    with caplog.at_level("WARNING", logger="albench"):
        picked = strategy.query(X, y, clf, 10)
    assert len(np.unique(picked)) == 10 and np.isnan(y[picked]).all()
    assert "Badge repeated" in caplog.text
    np.testing.assert_array_equal(
        picked, Strategy("badge", {"query": "Badge"}, 0, 3).query(X, y, clf, 10)
    )


def test_batch_bald_batch_has_no_repeats_when_the_committee_is_certain(caplog):
    """A forest committee certain of every sample gives BatchBALD all-NaN utilities, and
    scikit-activeml 1.0.1 then picks one row again and again; the batch is completed."""
    data = dataset(60, classes=2)
    spec = {"query": "BatchBALD", "params": {"n_MC_samples": 5}, "ensemble": {"bagging": 4}}
    cell = make_cell("batch_bald", spec, FOREST, iterations=1)
    with caplog.at_level("WARNING", logger="albench"):
        result, roles = run(data, cell)
    check_result(result, roles, batch=3, iterations=1)
    assert "BatchBALD repeated" in caplog.text


def test_a_one_class_cold_start_ties_uncertainty_but_not_diversity():
    # One label (one class): the wrapped model is scikit-activeml's label-frequency fallback,
    # which gives every sample the same probabilities (docs/configuration.md, cold starts).
    from skactiveml.pool import Badge, CoreSet, UncertaintySampling
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    y_seen = np.full(len(y), np.nan)
    y_seen[0] = y[0]
    clf = wrap_classifier(LogisticRegression(), 3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y_seen)
        for method in ("entropy", "least_confident", "margin_sampling"):
            qs = UncertaintySampling(method=method, random_state=0)
            _, utilities = qs.query(X, y_seen, clf, fit_clf=False, return_utilities=True)
            pool = utilities[0][~np.isnan(utilities[0])]
            assert len(pool) == len(y) - 1 and np.ptp(pool) == 0, method
        # Diversity strategies spread over the features: with the labelled sample, their three
        # picks cover all three classes.
        for qs in (Badge(random_state=0), CoreSet(random_state=0)):
            kwargs = {"clf": clf, "fit_clf": False} if isinstance(qs, Badge) else {}
            picks = qs.query(X, y_seen, batch_size=3, **kwargs)
            assert set(y[picks]) | {y[0]} == {0, 1, 2}, type(qs).__name__
