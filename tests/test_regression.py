"""Regression tasks: sources, targets, splits, models, strategies (their choices recomputed
independently), the config check of tasks, and a regression cell from data to curve."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from helpers import small_config, validated
from scipy import stats as sps
from sklearn.datasets import make_friedman1
from sklearn.metrics import pairwise_distances

from albench.data.datasets import read_dataset, validate_dataset, write_dataset
from albench.data.sources import dataset_shape, dataset_task, known_size, load_dataset
from albench.data.sources.base import Shape
from albench.data.splits import make_split, split_indices, target_bins
from albench.errors import ConfigError, DataError
from albench.learn.loop import run_al_loop
from albench.learn.models import build_estimator, model_task, wrap_model
from albench.learn.strategies import Strategy, strategy_tasks
from albench.plan.checks import check_config, design_warnings
from albench.plan.grid import cell_spec, cells, figure_spec, metrics_of, reference_spec
from albench.plan.probe import probe
from albench.specs import CellSpec

RIDGE = {"estimator": "sklearn.linear_model.Ridge", "params": {}}
FRIEDMAN = {"source": "synthetic", "generator": "make_friedman1", "params": {"n_samples": 120}}


def regression_config(**protocol) -> dict:
    """A config of two regression data sets, one regressor and three strategies."""
    return validated(
        {
            "datasets": {
                "diabetes": {"source": "sklearn", "name": "diabetes"},
                "friedman": FRIEDMAN,
            },
            "models": {"ridge": RIDGE},
            "strategies": {
                "random": {"query": "RandomSampling"},
                "gsx": {"query": "GreedySamplingX"},
                "gsy": {"query": "GreedySamplingTarget", "params": {"method": "GSy"}},
            },
            "seeds": 2,
            "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3, **protocol},
        }
    )


def mixed_config() -> dict:
    config = small_config()
    config["datasets"]["friedman"] = FRIEDMAN
    config["models"]["ridge"] = RIDGE
    config["strategies"]["gsy"] = {"query": "GreedySamplingTarget", "params": {"method": "GSy"}}
    return validated(config)


# Sources and targets


def test_a_data_sets_task_comes_from_its_config_or_its_source():
    assert dataset_task("d", {"source": "sklearn", "name": "diabetes"}) == "regression"
    assert dataset_task("i", {"source": "sklearn", "name": "iris"}) == "classification"
    for generator in ("make_regression", "make_friedman1", "make_friedman2", "make_friedman3"):
        assert dataset_task("g", {"source": "synthetic", "generator": generator}) == "regression"
    assert dataset_task("m", {"source": "synthetic", "generator": "make_moons"}) == "classification"
    spec = {"source": "file", "path": "x.csv", "label": "y", "task": "regression"}
    assert dataset_task("f", spec) == "regression"
    assert dataset_task("f", {**spec, "task": "classification"}) == "classification"


def test_regression_data_sets_keep_their_targets_through_the_prepared_file(tmp_path):
    data = load_dataset("friedman", FRIEDMAN)
    X, y = make_friedman1(n_samples=120, random_state=0)
    np.testing.assert_array_equal(data.y, y)
    np.testing.assert_array_equal(data.X, X)
    assert (data.task, data.n_classes, data.class_names) == ("regression", 0, [])
    assert dataset_shape("friedman", FRIEDMAN) == Shape(10, 0)
    write_dataset(data, tmp_path / "d.parquet")
    again = read_dataset(tmp_path / "d.parquet")
    np.testing.assert_array_equal(again.y, data.y)
    assert again.task == "regression" and again.y.dtype == np.float64


def test_a_regression_file_is_read_and_its_bad_targets_are_refused_naming_the_key(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    frame["price"] = 3 * frame["a"] + rng.normal(size=40)
    path = tmp_path / "prices.csv"
    spec = {"source": "file", "path": str(path), "label": "price", "task": "regression"}
    frame.to_csv(path, index=False)
    assert known_size(spec, "prices") == 40
    assert dataset_shape("prices", spec) == Shape(2, 0)
    np.testing.assert_allclose(load_dataset("prices", spec).y, frame["price"])
    bad = {
        "text": (frame.assign(price=["cheap"] * 40), "not numbers, e.g. ['cheap']"),
        "constant": (frame.assign(price=5.0), "constant (5 in every row)"),
        "missing": (frame.assign(price=[np.nan] + [1.0] * 39), "1 target(s) in column 'price'"),
        "infinite": (frame.assign(price=[np.inf] + list(range(39))), "NaN or infinite"),
    }
    for case, (table, message) in bad.items():
        table.to_csv(path, index=False)
        with pytest.raises(DataError, match="datasets.prices") as info:
            load_dataset("prices", spec)
        assert message in str(info.value), case
        if case != "missing":  # the config check reads the target before any job
            with pytest.raises(DataError, match=r"datasets\.prices"):
                known_size(spec, "prices")


def test_continuous_labels_of_a_classification_set_point_to_the_task_key():
    with pytest.raises(DataError, match=r"set datasets\.d\.task: regression"):
        validate_dataset("d", np.ones((4, 2)), [0.5, 1.5, 2.25, 3.0])


def test_many_distinct_numbers_without_a_task_get_a_warning_naming_the_key(tmp_path):
    frame = pd.DataFrame({"a": np.arange(200.0), "y": np.arange(200) % 150})
    frame.to_csv(tmp_path / "t.csv", index=False)
    config = small_config()
    config["datasets"] = {"t": {"source": "file", "path": str(tmp_path / "t.csv"), "label": "y"}}
    config = validated(config)
    warnings = design_warnings(config)
    assert any("datasets.t.task: not set" in w and "150 classes" in w for w in warnings)
    config["datasets"]["t"]["task"] = "classification"
    assert not any("datasets.t.task" in w for w in design_warnings(config))


# Splits


def test_the_test_set_is_stratified_by_quantile_bins_of_the_target():
    y = np.random.default_rng(0).lognormal(size=400)  # a long right tail
    bins = target_bins(y, 100)
    assert np.bincount(bins).tolist() == [40] * 10
    assert (np.diff(bins[np.argsort(y)]) >= 0).all()  # bins follow the target's order
    for seed in range(5):
        split = make_split(y, 0.25, 10, seed, task="regression")
        roles = split_indices(split)
        assert len(roles["test"]) == 100 and len(roles["initial"]) == 10
        assert np.bincount(bins[roles["test"]]).tolist() == [10] * 10  # every decile
        again = split_indices(make_split(y, 0.25, 10, seed, task="regression"))
        for role in roles:
            np.testing.assert_array_equal(again[role], roles[role])
    assert target_bins(y[:3], 1) is None  # too few rows for two bins


def test_all_strategies_of_a_regression_data_set_and_seed_share_split_and_initial_set():
    config = regression_config()
    specs = {c["strategy"]: cell_spec(config, **c) for c in cells(config) if c["seed"] == 0}
    assert {s.protocol["metrics"][0] for s in specs.values()} == {"rmse"}
    data = load_dataset("diabetes", config["datasets"]["diabetes"])
    roles = split_indices(make_split(data.y, 0.25, 6, 3, task="regression"))
    initial = {
        name: run_al_loop(data, roles, spec).selection for name, spec in specs.items()
    }  # every cell starts from the same roles; their first batches differ by strategy
    assert len({tuple(s["index"][:4]) for s in initial.values()}) == 3


# Models and strategies


def test_models_have_the_task_of_their_estimator():
    assert model_task("models.r", RIDGE) == "regression"
    assert model_task("models.l", {"estimator": "sklearn.linear_model.LogisticRegression"}) == (
        "classification"
    )
    pipe = {"steps": [{"estimator": "sklearn.preprocessing.StandardScaler"}, RIDGE]}
    assert model_task("models.p", pipe) == "regression"
    with pytest.raises(
        ConfigError, match="models.r: sklearn.linear_model.Ridge is not a classifier"
    ):
        build_estimator("models.r", RIDGE, 0)


def test_strategies_run_on_the_tasks_their_query_fits():
    tasks = {
        "RandomSampling": ("classification", "regression"),
        "GreedySamplingX": ("classification", "regression"),
        "CoreSet": ("classification", "regression"),
        "QueryByCommittee": ("classification", "regression"),
        "GreedySamplingTarget": ("regression",),
        "ExpectedModelVarianceReduction": ("regression",),
        "RegressionTreeBasedAL": ("regression",),
        "UncertaintySampling": ("classification",),
        "Badge": ("classification",),
        "ProbCover": ("classification",),
    }
    for query, expected in tasks.items():
        assert strategy_tasks("s", {"query": query}) == expected, query


def friedman(n=80, labelled=8):
    """Return (X, y, y_seen, reg): Friedman #1 with a ridge fitted on the first rows."""
    X, y = make_friedman1(n_samples=n, random_state=0)
    y_seen = np.full(n, np.nan)
    y_seen[:labelled] = y[:labelled]
    reg = wrap_model(build_estimator("models.r", RIDGE, 0, "regression"), 0, 0).fit(X, y_seen)
    return X, y, y_seen, reg


def greedy(X, y_seen, predicted, batch, use_x, use_y):
    """Greedy sampling (Wu, Lin and Huang 2019) recomputed: each pick is the unlabelled row whose
    smallest distance to the labelled rows and the rows picked so far is largest; distances in
    the inputs (GSx), in the outputs (GSy: predicted values of unlabelled rows, true values of
    labelled ones) or their product (iGS)."""
    values = np.where(np.isnan(y_seen), predicted, y_seen)
    chosen = list(np.flatnonzero(~np.isnan(y_seen)))
    picks = []
    for _ in range(batch):
        candidates = [i for i in np.flatnonzero(np.isnan(y_seen)) if i not in picks]
        distance = np.ones((len(candidates), len(chosen)))
        if use_x:
            distance *= pairwise_distances(X[candidates], X[chosen])
        if use_y:
            distance *= np.abs(predicted[candidates][:, None] - values[chosen][None, :])
        pick = candidates[int(np.argmax(distance.min(axis=1)))]
        picks.append(pick)
        chosen.append(pick)
    return np.array(picks)


@pytest.mark.parametrize(
    ("name", "spec", "use_x", "use_y"),
    [
        ("gsx", {"query": "GreedySamplingX"}, True, False),
        ("gsy", {"query": "GreedySamplingTarget", "params": {"method": "GSy"}}, False, True),
        ("igs", {"query": "GreedySamplingTarget", "params": {"method": "GSi"}}, True, True),
    ],
)
def test_greedy_sampling_picks_the_rows_its_definition_picks(name, spec, use_x, use_y):
    X, _, y_seen, reg = friedman()
    picked = Strategy(name, spec, 3, 0).query(X, y_seen, reg, 5)
    expected = greedy(X, y_seen, reg.predict(X), 5, use_x, use_y)
    np.testing.assert_array_equal(picked, expected)


def test_gsy_differs_from_gsx_and_follows_the_model():
    X, _, y_seen, reg = friedman()
    gsx = Strategy("gsx", {"query": "GreedySamplingX"}, 0, 0).query(X, y_seen, reg, 5)
    gsy_spec = {"query": "GreedySamplingTarget", "params": {"method": "GSy"}}
    gsy = Strategy("gsy", gsy_spec, 0, 0).query(X, y_seen, reg, 5)
    assert set(gsx) != set(gsy)
    # The row of the most extreme prediction is GSy's first pick.
    pool = np.flatnonzero(np.isnan(y_seen))
    distance = np.abs(reg.predict(X[pool])[:, None] - y_seen[~np.isnan(y_seen)][None, :])
    assert gsy[0] == pool[np.argmax(distance.min(axis=1))]


def test_random_sampling_on_a_regression_pool_is_uniform_and_ignores_the_model():
    X, _, y_seen, reg = friedman()
    pool = np.flatnonzero(np.isnan(y_seen))
    counts = np.zeros(len(y_seen))
    for seed in range(1000):
        picked = Strategy("random", {"query": "RandomSampling"}, seed, 0).query(X, y_seen, reg, 3)
        assert set(picked) <= set(pool) and len(set(picked)) == 3
        counts[picked] += 1
    assert sps.chisquare(counts[pool]).pvalue > 1e-3


def test_query_by_committee_of_regressors_and_a_short_tree_batch_give_full_batches(caplog):
    X, _, y_seen, reg = friedman()
    qbc = Strategy("qbc", {"query": "QueryByCommittee"}, 0, 0).query(X, y_seen, reg, 4)
    assert len(set(qbc)) == 4 and np.isnan(y_seen[qbc]).all()
    tree_spec = {"estimator": "sklearn.tree.DecisionTreeRegressor"}
    tree = wrap_model(build_estimator("models.t", tree_spec, 0, "regression"), 0, 0)
    tree.fit(X, y_seen)
    with caplog.at_level(logging.WARNING, logger="albench"):
        picked = Strategy("rt", {"query": "RegressionTreeBasedAL"}, 0, 0).query(X, y_seen, tree, 10)
    assert len(set(picked)) == 10 and np.isnan(y_seen[picked]).all()
    assert "RegressionTreeBasedAL repeated, picked labelled or left unfilled" in caplog.text


def test_the_probe_refuses_a_strategy_that_needs_a_predictive_distribution_naming_it():
    shape = Shape(4, 0)
    emvr = {"query": "ExpectedModelVarianceReduction"}
    reason = probe("ridge", RIDGE, "emvr", emvr, shape, 6)
    assert "ProbabilisticRegressor" in reason
    bayes = {"estimator": "sklearn.linear_model.BayesianRidge"}
    assert probe("bayes", bayes, "emvr", emvr, shape, 6) is None
    config = regression_config()
    config["strategies"]["emvr"] = emvr
    with pytest.raises(ConfigError, match="predictive distribution: one whose predict takes"):
        check_config(config)


# The config check


def test_task_mismatches_are_refused_naming_the_key():
    config = regression_config()
    config["models"]["logreg"] = {"estimator": "sklearn.linear_model.LogisticRegression"}
    with pytest.raises(ConfigError, match="models.logreg: .* is a classifier, but no data set"):
        check_config(config, probe=False)
    config = validated(small_config())
    config["strategies"]["gsy"] = {"query": "GreedySamplingTarget"}
    with pytest.raises(
        ConfigError,
        match=r"strategies.gsy: GreedySamplingTarget is a regression strategy .*no data set is a "
        r"regression task \(a data set is a regression task with task: regression\)",
    ):
        check_config(config, probe=False)
    config = regression_config()
    config["strategies"] = {"random": config["strategies"]["random"]}
    config["strategies"]["entropy"] = {"query": "UncertaintySampling"}
    with pytest.raises(ConfigError, match="strategies.entropy: UncertaintySampling is a class"):
        check_config(config, probe=False)
    config = mixed_config()
    del config["strategies"]["gsy"]
    with pytest.raises(
        ConfigError, match="datasets.friedman: a regression task, but no strategy besides the"
    ):
        check_config(config, probe=False)
    config = regression_config(label_noise=0.1)
    with pytest.raises(ConfigError, match="protocol.label_noise: flips classes, but data set"):
        check_config(config, probe=False)


def test_metrics_are_per_task_and_a_metric_of_the_wrong_task_is_refused():
    config = regression_config()
    assert metrics_of(config, "diabetes") == ["rmse", "mae", "r2"]
    config = regression_config(metrics=["accuracy"])
    with pytest.raises(
        ConfigError,
        match=r"protocol.metrics: \['accuracy'\] is a classification metric, but data set "
        r"'diabetes' is a regression task; name the metrics per task",
    ):
        check_config(config, probe=False)
    config = mixed_config()
    config["protocol"]["metrics"] = {"regression": ["mae", "p95_abs_error"]}
    config = validated(config)
    assert metrics_of(config, "friedman") == ["mae", "p95_abs_error"]
    assert metrics_of(config, "iris") == ["accuracy", "balanced_accuracy", "f1_macro"]
    assert reference_spec(config, "friedman", "ridge", 0).metrics == ["mae", "p95_abs_error"]
    assert figure_spec(config, "ridge").metrics == ["mae", "p95_abs_error"]
    assert figure_spec(config, "logreg", "iris").strategies == ["random", "entropy", "badge"]
    assert figure_spec(config, "ridge").strategies == ["random", "gsy"]


def test_a_config_of_both_tasks_runs_each_cell_on_its_task_and_says_what_it_left_out():
    config = mixed_config()
    check_config(config)
    grid = {(c["dataset"], c["model"], c["strategy"]) for c in cells(config) if c["seed"] == 0}
    classification = {
        (d, "logreg", s) for d in ("iris", "moons") for s in ("random", "entropy", "badge")
    }
    assert grid == classification | {("friedman", "ridge", "random"), ("friedman", "ridge", "gsy")}
    left = [w for w in design_warnings(config) if w.startswith("tasks:")]
    assert left == [
        "tasks: data set 'iris' is a classification task: it runs without ['ridge', 'gsy'] (of "
        "the other task)",
        "tasks: data set 'moons' is a classification task: it runs without ['ridge', 'gsy'] "
        "(of the other task)",
        "tasks: data set 'friedman' is a regression task: it runs without ['logreg', 'entropy', "
        "'badge'] (of the other task)",
    ]


# A cell


def test_a_regression_cell_records_errors_and_numeric_selections():
    config = regression_config()
    data = load_dataset("diabetes", config["datasets"]["diabetes"])
    roles = split_indices(make_split(data.y, 0.25, 6, 0, task="regression"))
    cell: CellSpec = cell_spec(config, "diabetes", "ridge", "gsy", 0)
    result = run_al_loop(data, roles, cell)
    assert list(result.curve["n_labeled"]) == [6, 10, 14, 18]
    assert {"rmse", "mae", "r2"} <= set(result.curve) and "accuracy" not in result.curve
    assert (result.curve["rmse"] >= result.curve["mae"]).all()
    picked = result.selection
    np.testing.assert_array_equal(picked["label"], data.y[picked["index"]])
    assert picked["label"].dtype == np.float64


def test_a_users_regression_function_gets_the_fitted_regressor_as_reg(tmp_path, monkeypatch):
    import sys

    from albench.env import CODE_PATH_ENV

    monkeypatch.setenv(CODE_PATH_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    (tmp_path / "regstrats.py").write_text(
        "import numpy as np\n\n\n"
        "def highest(X, y, reg, batch_size):\n"
        "    pool = np.flatnonzero(np.isnan(y))\n"
        "    order = np.argsort(-reg.predict(X[pool]), kind='stable')\n"
        "    return pool[order[:batch_size]]\n"
    )
    config = regression_config()
    config["strategies"]["mine"] = {"query": "regstrats.highest"}
    assert strategy_tasks("mine", config["strategies"]["mine"]) == ("regression",)
    check_config(config)  # its conformance check runs on regression data
    X, _, y_seen, reg = friedman()
    picked = Strategy("mine", config["strategies"]["mine"], 0, 0).query(X, y_seen, reg, 4)
    pool = np.flatnonzero(np.isnan(y_seen))
    np.testing.assert_array_equal(picked, pool[np.argsort(-reg.predict(X[pool]))[:4]])
    classification = validated(small_config())
    classification["strategies"]["mine"] = {"query": "regstrats.highest"}
    with pytest.raises(ConfigError, match="strategies.mine: regstrats.highest is a regression"):
        check_config(classification, probe=False)


def test_the_regression_example_is_valid_and_runs_every_pair():
    import yaml
    from helpers import REPO

    example = REPO / "config" / "examples" / "regression.yaml"
    config = validated(yaml.safe_load(example.read_text()))
    check_config(config)  # schema, tasks and every model x strategy probe
    assert not [w for w in design_warnings(config) if w.startswith("tasks:")]
    assert len(cells(config)) == 3 * 2 * 5 * 10
    assert figure_spec(config, "ridge").metrics == ["rmse", "mae", "r2"]


BAYES = {"estimator": "sklearn.linear_model.BayesianRidge"}
TREE = {"estimator": "sklearn.tree.DecisionTreeRegressor", "params": {"min_samples_leaf": 2}}
FOREST = {"estimator": "sklearn.ensemble.RandomForestRegressor", "params": {"n_estimators": 10}}


@pytest.mark.parametrize(
    ("query", "model"),
    [
        ("RandomSampling", RIDGE),
        ("GreedySamplingX", RIDGE),
        ("GreedySamplingTarget", RIDGE),
        ("QueryByCommittee", FOREST),
        ("ExpectedModelChangeMaximization", RIDGE),
        ("ExpectedModelOutputChange", BAYES),
        ("ExpectedModelVarianceReduction", BAYES),
        ("KLDivergenceMaximization", BAYES),
        ("RegressionTreeBasedAL", TREE),
        ("CoreSet", RIDGE),
        ("TypiClust", RIDGE),
        ("MaxHerding", RIDGE),
    ],
)
def test_every_regression_strategy_runs_a_cell_with_a_model_it_fits(query, model):
    X, y = make_friedman1(n_samples=60, n_features=5, random_state=1)
    data = validate_dataset("f", X, y, task="regression")
    roles = split_indices(make_split(data.y, 0.25, 6, 0, task="regression"))
    protocol = {"test_size": 0.25, "initial_size": 6, "batch_size": 3, "iterations": 2}
    cell = CellSpec(
        dataset="f",
        model="m",
        strategy="s",
        seed=0,
        model_spec=model,
        strategy_spec={"query": query},
        protocol={**protocol, "metrics": ["rmse", "r2"]},
    )
    result = run_al_loop(data, roles, cell)
    assert list(result.curve["n_labeled"]) == [6, 9, 12]
    picked = result.selection["index"].to_numpy()
    assert len(set(picked)) == 6 and set(picked) <= set(roles["pool"])
    assert result.curve["rmse"].notna().all()
