"""Probe queries at config check: what the check accepts runs its first query."""

from __future__ import annotations

import copy

import pytest
import sklearn.datasets
from helpers import EXPENSIVE, FOREST, LOGREG, SUPPORTED, make_cell, small_config, validated
from helpers import blob_dataset as dataset
from helpers import run_cell_of as run

from albench.data.sources import BUNDLED, Shape, dataset_shape
from albench.errors import ConfigError
from albench.learn.strategies import Strategy
from albench.plan.checks import check_config
from albench.plan.probe import probe

PARZEN = {"estimator": "skactiveml.classifier.ParzenWindowClassifier"}
NAIVE_BAYES = {"estimator": "sklearn.naive_bayes.GaussianNB"}
MODELS = {"logreg": LOGREG, "forest": FOREST, "parzen": PARZEN, "naive_bayes": NAIVE_BAYES}
# Every strategy class albench supports, with the params it was configured with there.
STRATEGIES = {name: spec for name, (spec, _) in SUPPORTED.items() if name != "pal"}
STRATEGIES["pal_plain"] = {"query": "ProbabilisticAL"}
STRATEGIES["epistemic"] = {"query": "EpistemicUncertaintySampling"}


def test_sklearn_shapes_match_the_loaders():
    for name, (size, shape) in BUNDLED.items():
        bunch = getattr(sklearn.datasets, f"load_{name}")()
        assert shape == Shape(bunch.data.shape[1], len(bunch.get("target_names", []))), name
        assert size == len(bunch.target), name


def test_probabilistic_al_without_a_metric_or_frequencies_is_refused_before_any_cell():
    config = small_config()
    config["strategies"]["pal"] = {"query": "ProbabilisticAL"}
    with pytest.raises(
        ConfigError,
        match=r"strategies.pal: ProbabilisticAL cannot query with model 'logreg' on data set "
        r"'iris' \(3 classes, 4 features\): TypeError: clf has no predict_freq and metric was "
        r"set to None.*params: \{metric: rbf\}",
    ):
        check_config(validated(config))
    config["strategies"]["pal"]["params"] = {"metric": "rbf"}
    check_config(validated(config))
    config["models"] = {"parzen": PARZEN}
    del config["strategies"]["pal"]["params"]
    check_config(validated(config))


def test_a_model_that_cannot_be_fitted_is_refused_naming_the_model():
    config = small_config()
    config["models"]["broken"] = {
        "estimator": "pool_helpers.BrokenFitClassifier",
        "params": {"limit": 3},
    }
    with pytest.raises(
        ConfigError,
        match=r"models.broken: cannot be fitted on 6 labels of data "
        r"of the shape of 'iris' .*cannot fit on 6 samples",
    ):
        check_config(validated(config))


def test_the_probe_can_be_skipped_where_the_config_was_checked_already(monkeypatch):
    import albench.plan.checks

    def unexpected(*args, **kwargs):
        raise AssertionError("probed")

    monkeypatch.setattr(albench.plan.checks, "probe_grid", unexpected)
    config = small_config()
    config["strategies"]["pal"] = {"query": "ProbabilisticAL"}  # would fail its probe
    check_config(validated(config), probe=False)
    with pytest.raises(AssertionError, match="probed"):
        check_config(validated(config))


@pytest.fixture
def probes(monkeypatch) -> tuple[list, list]:
    """The models the probes fit (by name) and the fitted models their queries got."""
    import albench.plan.probe

    fitted, queried = [], []
    fit_probe, query = albench.plan.probe.fit_probe, Strategy.query

    def counted(model, *args):
        fitted.append(model)
        return fit_probe(model, *args)

    def spied(self, X, y, clf, batch_size, candidates=None):
        queried.append(clf)
        return query(self, X, y, clf, batch_size, candidates)

    monkeypatch.setattr(albench.plan.probe, "fit_probe", counted)
    monkeypatch.setattr(Strategy, "query", spied)
    return fitted, queried


def test_the_strategies_of_one_model_query_copies_of_one_fit(probes):
    fitted, queried = probes
    config = small_config()
    config["models"]["forest"] = FOREST
    config["strategies"]["margin"] = {
        "query": "UncertaintySampling",
        "params": {"method": "margin_sampling"},
    }
    check_config(validated(config))
    # iris and moons differ in shape: one fit per model and shape, four strategies each
    assert sorted(fitted) == ["forest", "forest", "logreg", "logreg"]
    # each query got a model of its own (all alive in `queried`, so their ids differ)
    assert len(queried) == 16 and len({id(clf) for clf in queried}) == 16


def test_a_model_that_cannot_be_copied_is_fitted_again_for_each_probe(probes):
    fitted, queried = probes
    config = small_config()
    config["models"] = {"uncopyable": {"estimator": "pool_helpers.UncopyableClassifier"}}
    check_config(validated(config))  # its probes pass, each on a fit of its own
    # Three strategies on two shapes: each query got a model fitted for it, none shared.
    assert len(queried) == 6 and len({id(clf) for clf in queried}) == 6
    assert len(fitted) >= len(queried)


def test_file_and_image_shapes(tmp_path):
    import pandas as pd

    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"], "y": [1, 2, 1]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    spec = {"source": "file", "path": str(tmp_path / "t.csv"), "label": "y"}
    assert dataset_shape("t", spec) == Shape(2, 2)
    from PIL import Image

    for cls in ("a", "b", "c"):
        (tmp_path / "img" / cls).mkdir(parents=True)
        Image.new("RGB", (5, 7)).save(tmp_path / "img" / cls / "x.png")
    spec = {"source": "image_folder", "path": str(tmp_path / "img"), "size": 16}
    assert dataset_shape("i", spec) == Shape(3 * 16 * 16, 3, (3, 16, 16))


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_what_the_probe_accepts_runs_its_first_query_and_what_it_refuses_fails(model, classes):
    # The whole grid of strategy classes x models x binary/multiclass data: the probe's verdict
    # is the real first query's.
    data = dataset(40, classes=classes)
    shape = Shape(data.X.shape[1], classes)
    disagree = []
    for name, spec in sorted(STRATEGIES.items()):
        if spec["query"] in {s["query"] for s, _ in EXPENSIVE.values()}:
            continue
        try:
            refused = probe(model, MODELS[model], name, copy.deepcopy(spec), shape, initial=6)
        except ConfigError as error:
            refused = str(error)
        try:
            run(data, make_cell(name, spec, MODELS[model], iterations=1))
            failed = None
        except ConfigError as error:  # refused when the cell builds its strategy
            failed = str(error)
        except Exception as error:  # noqa: BLE001
            failed = f"{type(error).__name__}: {error}"
        if (refused is None) != (failed is None):
            disagree.append((name, refused, failed))
    assert not disagree
