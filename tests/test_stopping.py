"""Stopping criteria: what cells record, each criterion's rule, agreement with small-text, what
each would have done, and the refusals of bad `stopping:` configs."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from helpers import CELL, blob_dataset, validated

from albench.analysis.stops import COST_OPTIMAL, PLATEAU, cell_stops, criteria_ranks, recommended
from albench.data.datasets import validate_dataset, write_dataset
from albench.data.splits import make_split, split_indices, write_split
from albench.errors import ConfigError
from albench.learn.loop import Learner, run_cell
from albench.plan.checks import check_config
from albench.specs import CellSpec
from albench.stopping.choice import chosen_criteria, criteria_config, example_record
from albench.stopping.criteria import CRITERIA, Chosen, Record, cohen_kappa
from albench.stopping.record import (
    PREDICTIONS,
    pool_summary,
    read_record,
    selected_summary,
    uncertainties,
)


def cell_spec(strategy: str = "entropy", model: str = "logreg", seed: int = 0, **protocol):
    cell = copy.deepcopy(CELL)
    cell["strategy"] = strategy
    if strategy == "random":
        cell["strategy_spec"] = {"query": "RandomSampling"}
    cell["model"] = model
    if model == "forest":
        cell["model_spec"] = {
            "estimator": "sklearn.ensemble.RandomForestClassifier",
            "params": {"n_estimators": 10},
        }
    cell["protocol"].update(iterations=12, batch_size=3, **protocol)
    return CellSpec(**cell, seed=seed)


def recorded_cell(tmp_path, data, cell):
    """Run `cell` on `data` as a cell job does; return its curve and record paths."""
    data_path, split_path = tmp_path / "data.parquet", tmp_path / f"split{cell.seed}.parquet"
    write_dataset(data, data_path)
    split = make_split(data.y, 0.25, cell.protocol["initial_size"], cell.seed, task=data.task)
    write_split(split, split_path)
    out = tmp_path / f"{cell.model}.{cell.strategy}.{cell.seed}"
    paths = {k: out.with_suffix(f".{k}.parquet") for k in ("curve", "selection", "stopping")}
    run_cell(data_path, split_path, **paths, cell=cell)
    return paths["curve"], paths["stopping"]


def test_a_cell_records_what_criteria_read_compactly_and_never_a_test_row(tmp_path):
    data = blob_dataset(200)
    cell = cell_spec(stop_set_size=40)
    curve, record_path = recorded_cell(tmp_path, data, cell)
    stats, predictions = read_record(record_path)
    assert len(stats) == 13 and predictions.shape == (13, 40)
    assert predictions.dtype == np.int16 and set(np.unique(predictions)) <= {0, 1, 2}
    assert stats["n_labeled"].tolist() == pd.read_parquet(curve)["n_labeled"].tolist()
    for column in ("entropy_mean", "margin_max", "least_confident_var", "estimated_f1"):
        assert stats[column].between(0, 1).all() and str(stats[column].dtype) == "float32"
    assert stats["selected_accuracy"].isna().tolist() == [True] + [False] * 12
    assert stats["selected_contradiction"].isna().tolist() == [True] + [False] * 12
    # A record written before a column existed is refused, naming the way out.
    old = tmp_path / "old.parquet"
    pd.read_parquet(record_path).drop(columns="selected_contradiction").to_parquet(old)
    with pytest.raises(ValueError, match=r"older albench \(no selected_contradiction\).*forcerun"):
        read_record(old)
    # The stop set: rows of the pool, the same for every strategy and model of a seed.
    roles = split_indices(make_split(data.y, 0.25, 6, 0))
    learners = [
        Learner.build(data, roles, cell_spec(strategy, model, stop_set_size=40))[0]
        for strategy, model in (("entropy", "logreg"), ("random", "forest"))
    ]
    stop_rows = [lr.train_rows[lr.stop_positions] for lr in learners]
    assert np.array_equal(*stop_rows) and np.isin(stop_rows[0], roles["pool"]).all()
    other_seed = Learner.build(
        data, split_indices(make_split(data.y, 0.25, 6, 1)), cell_spec(seed=1, stop_set_size=40)
    )[0]
    assert not np.array_equal(other_seed.train_rows[other_seed.stop_positions], stop_rows[0])


def test_the_default_stop_set_is_the_pool_where_it_has_fewer_than_1000_rows(tmp_path):
    _, record_path = recorded_cell(tmp_path, blob_dataset(120), cell_spec())
    assert read_record(record_path)[1].shape[1] == 120 - 30 - 6  # the pool: not test, not initial


def test_uncertainties_are_normalized_and_zero_when_certain():
    proba = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    u = uncertainties(proba)
    assert np.allclose(u["entropy"], [0.0, 1.0, np.log(2) / np.log(3)])
    assert np.allclose(u["margin"], [0.0, 1.0, 1.0])
    assert np.allclose(u["least_confident"], [0.0, 2 / 3, 0.5])
    summary = pool_summary(proba)
    assert summary["entropy_max"] == pytest.approx(1.0)
    assert summary["least_confident_mean"] == pytest.approx((2 / 3 + 0.5) / 3)


def record_of(predictions, n_classes=3, **stats) -> Record:
    predictions = np.asarray(predictions, dtype=np.int16)
    frame = pd.DataFrame(
        {"iteration": range(len(predictions)), "n_labeled": 10 + np.arange(len(predictions))}
    )
    for name, values in stats.items():
        frame[name] = values
    return Record(frame, predictions, n_classes)


def test_each_criterion_stops_where_its_paper_says():
    same = [0, 1, 2, 0, 1, 2]
    p = [[0, 0, 0, 0, 0, 0], [0, 1, 2, 2, 1, 0], same, same, same, same, same]
    record = record_of(p)
    assert CRITERIA["classification_change"].function(record).tolist() == [
        False,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
    # kappa 1 from the pair (2, 3) on: three perfect pairs first at iteration 5
    assert CRITERIA["stabilizing_predictions"].function(record).tolist() == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    assert cohen_kappa(np.zeros(5), np.zeros(5), 3) == 1.0  # identical constant: agreement
    falling = np.array([0.5, 0.3, 0.04, 0.06, 0.01, 0.0, 0.0])
    record = record_of(
        p,
        entropy_mean=falling,
        entropy_max=falling,
        least_confident_mean=falling,
        selected_accuracy=[np.nan, 0.5, 0.8, 0.95, 1.0, 1.0, 1.0],
    )
    assert np.argmax(CRITERIA["overall_uncertainty"].function(record)) == 2
    assert np.argmax(CRITERIA["max_confidence"].function(record)) == 4
    assert np.argmax(CRITERIA["min_expected_error"].function(record)) == 4
    assert np.argmax(CRITERIA["selected_accuracy"].function(record)) == 3
    assert np.argmax(CRITERIA["fixed_budget"].function(record, labels=13)) == 3
    # estimated F1 rising ever more slowly: the mean of the last 2 exceeds the 2 before by
    # less than 0.05 first at iteration 5 (0.0265), at its highest so far
    f1 = [0.5, 0.7, 0.8, 0.84, 0.845, 0.848, 0.847]
    record = record_of(p, estimated_f1=f1)
    stops = CRITERIA["performance_convergence"].function(record, window=2, threshold=0.05)
    assert stops.tolist() == [False] * 5 + [True, False]  # 0.857 is below the best before


def test_a_cells_stops_are_judged_against_the_cost_optimal_and_plateau_stops():
    curve = pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "protocol": "default",
            "strategy": "s",
            "seed": 0,
            "iteration": range(5),
            "n_labeled": [10, 20, 30, 40, 50],
            "accuracy": [0.5, 0.8, 0.9, 0.905, 0.91],
        }
    )
    record = record_of([[0, 1]] * 5, n_classes=2)
    at_two = Chosen("at_two", lambda r: np.arange(len(r)) >= 2)
    never = Chosen("never", lambda r: np.zeros(len(r), dtype=bool))
    stops = cell_stops(curve, record, [at_two, never], [[1000, 1]], 0.01).set_index("criterion")
    # costs: 510, 220, 130, 135, 140 -> the cost-optimal stop is iteration 2
    assert stops.loc[COST_OPTIMAL, "iteration"] == 2
    assert stops.loc[PLATEAU, "iteration"] == 2  # 0.9 is within 0.01 of 0.91
    assert stops.loc["at_two", "regret_1000_1"] == pytest.approx(0.0)
    assert stops.loc["at_two", "lost_vs_end"] == pytest.approx(0.01)
    assert stops.loc["at_two", "labels_saved"] == 20
    assert not stops.loc["never", "stopped"] and stops.loc["never", "labels"] == 50
    assert stops.loc["never", "regret_1000_1"] == pytest.approx(10.0)
    assert stops.loc["budget's end", "iteration"] == 4  # labelling it all, for comparison
    assert stops.loc["budget's end", "regret_1000_1"] == pytest.approx(10.0)
    best = recommended(stops.reset_index())
    assert best["criterion"] == "at_two" and best["labels"][0] == 30
    assert best["budget_regret"] == pytest.approx(10.0)


def drive(criterion, predictions=None, probas=None) -> int | None:
    """The first iteration at which a small-text criterion, asked once per iteration, stops."""
    for i in range(len(predictions if predictions is not None else probas)):
        kwargs = {}
        if predictions is not None:
            kwargs["predictions"] = predictions[i]
        if probas is not None:
            kwargs.update(proba=probas[i], indices_stopping=np.arange(len(probas[i])))
        if criterion.stop(**kwargs):
            return i
    return None


def first(decisions) -> int | None:
    return int(np.argmax(decisions)) if decisions.any() else None


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Stop-set predictions of real cells: 3 strategies x 2 seeds on blobs of 3 classes and on
    breast cancer (binary)."""
    from sklearn.datasets import load_breast_cancer

    tmp = tmp_path_factory.mktemp("stops")
    cancer = load_breast_cancer()
    sets = {"blobs": blob_dataset(300), "cancer": validate_dataset("c", cancer.data, cancer.target)}
    records = {}
    for name, data in sets.items():
        for strategy in ("random", "entropy", "margin"):
            for seed in (0, 1):
                cell = cell_spec(strategy, seed=seed, stop_set_size=60)
                if strategy == "margin":
                    cell = CellSpec(
                        **{
                            **cell.to_dict(),
                            "strategy_spec": {
                                "query": "UncertaintySampling",
                                "params": {"method": "margin_sampling"},
                            },
                        }
                    )
                folder = tmp / f"{name}{strategy}{seed}"
                folder.mkdir()
                _, path = recorded_cell(folder, data, cell)
                stats, predictions = read_record(path)
                records[(name, strategy, seed)] = Record(stats, predictions, data.n_classes)
    return records


@pytest.mark.parametrize(
    ("criterion", "params", "ours"),
    [
        ("KappaAverage", {"kappa": 0.99}, ("stabilizing_predictions", {"kappa": 0.99})),
        ("KappaAverage", {"kappa": 0.9}, ("stabilizing_predictions", {"kappa": 0.9})),
        ("ClassificationChange", {"threshold": 0.0}, ("classification_change", {"threshold": 0.0})),
        (
            "ClassificationChange",
            {"threshold": 0.05},
            ("classification_change", {"threshold": 0.05}),
        ),
        ("DeltaFScore", {"threshold": 0.05}, ("delta_f", {"threshold": 0.05})),
        ("DeltaFScore", {"threshold": 0.01}, ("delta_f", {"threshold": 0.01})),
    ],
)
def test_criteria_stop_where_small_texts_do_on_recorded_predictions(
    recorded, criterion, params, ours
):
    reference = pytest.importorskip("small_text.stopping_criteria")  # not in `make test-min`
    name, our_params = ours
    compared = stopped = 0
    for (data, _, _), record in recorded.items():
        if criterion == "DeltaFScore" and record.n_classes != 2:
            continue
        theirs = drive(
            getattr(reference, criterion)(record.n_classes, **params), record.predictions
        )
        mine = first(CRITERIA[name].function(record, **{**CRITERIA[name].defaults(), **our_params}))
        assert mine == theirs, (data, criterion, params)
        compared += 1
        stopped += theirs is not None
    assert compared >= 6 and 0 < stopped  # the cases include stops


def test_overall_uncertainty_stops_where_small_texts_does_on_pool_probabilities():
    from sklearn.linear_model import LogisticRegression

    reference = pytest.importorskip("small_text.stopping_criteria")  # not in `make test-min`

    data = blob_dataset(300)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(data.y))
    probas = []
    for n in range(
        12, 120, 6
    ):  # a model fitted on more and more rows (all 3 classes), asked about the rest
        model = LogisticRegression(max_iter=500).fit(data.X[order[:n]], data.y[order[:n]])
        probas.append(model.predict_proba(data.X[order[n:]]))
    stats = pd.DataFrame([pool_summary(p) for p in probas])
    record = Record(stats.assign(n_labeled=range(len(stats))), np.zeros((len(stats), 1)), 3)
    # the paper's threshold, and two the sequence crosses
    thresholds = [0.05, *stats["entropy_mean"].quantile([0.2, 0.6]).round(3)]
    stops = []
    for threshold in thresholds:
        theirs = drive(reference.OverallUncertainty(3, threshold=threshold), probas=probas)
        mine = first(CRITERIA["overall_uncertainty"].function(record, threshold=threshold))
        assert mine == theirs, threshold
        stops.append(theirs)
    assert sum(s is not None for s in stops) >= 2


BASE = {
    "datasets": {"iris": {"source": "sklearn", "name": "iris"}},
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    "strategies": {
        "random": {"query": "RandomSampling"},
        "margin": {"query": "UncertaintySampling"},
    },
    "seeds": 2,
    "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
}


@pytest.mark.parametrize(
    ("stopping", "protocol", "message"),
    [
        (
            {"criteria": {"nope": {}}},
            {},
            "stopping.criteria.nope: unknown criterion 'nope'; the built-in ones are",
        ),
        (
            {"criteria": {"sp": {"criterion": "stabilizing_predictions", "params": {"kapa": 0.9}}}},
            {},
            "stopping.criteria.sp.params: stabilizing_predictions does not take ['kapa']",
        ),
        (
            {"criteria": {"stabilizing_predictions": {"params": {"kappa": 1.5}}}},
            {},
            "stopping.criteria.stabilizing_predictions.params.kappa: 1.5 is above 1",
        ),
        (
            {"criteria": {"stabilizing_predictions": {"params": {"window": -1}}}},
            {},
            "stopping.criteria.stabilizing_predictions.params.window: -1 is below 1",
        ),
        (
            {"criteria": {"fixed_budget": {}}},
            {},
            "stopping.criteria.fixed_budget.params.labels: fixed_budget needs it",
        ),
        (
            {"costs": [[0, 1]]},
            {},
            "stopping.costs[0]: [0, 1]: the misclassification cost must be positive",
        ),
        ({"costs": [[1000, -1]]}, {}, "'costs'"),
        ({"costs": [["a", 1]]}, {}, "'costs'"),
        (
            {},
            {"stop_set_size": 500},
            "protocol.stop_set_size: 500 rows, but data set 'iris' has a pool of 106",
        ),
        (
            {"criteria": {"mine": {"criterion": "nosuch_module.stop"}}},
            {},
            "stopping.criteria.mine.criterion: cannot import",
        ),
    ],
)
def test_bad_stopping_configs_are_refused_naming_the_key(stopping, protocol, message):
    config = copy.deepcopy(BASE)
    config["stopping"] = stopping
    config["protocol"].update(protocol)
    with pytest.raises(Exception) as refused:
        check_config(validated(config), probe=False)
    assert message in str(refused.value)


def test_a_users_criterion_is_checked_on_an_example_record(tmp_path, monkeypatch):
    (tmp_path / "mystops.py").write_text(
        "import numpy as np\n"
        "def good(record, patience=2):\n"
        "    return np.arange(len(record)) >= patience\n"
        "def one_answer(record):\n"
        "    return True\n"
        "def boom(record):\n"
        "    raise ValueError('no stats')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = copy.deepcopy(BASE)
    config["stopping"] = {
        "criteria": {"mine": {"criterion": "mystops.good", "params": {"patience": 3}}}
    }
    check_config(validated(config), probe=False)
    chosen = chosen_criteria(criteria_config(config["stopping"]))
    assert first(chosen[0].decisions(example_record())) == 3
    for name, fault in (
        ("one_answer", "not one bool per iteration (12)"),
        ("boom", "ValueError: no stats"),
    ):
        config["stopping"] = {"criteria": {"mine": {"criterion": f"mystops.{name}"}}}
        with pytest.raises(ConfigError, match=r"stopping.criteria.mine: ") as refused:
            check_config(validated(config), probe=False)
        assert fault in str(refused.value)


def test_contradictory_information_weighs_the_mistakes_by_the_models_doubt():
    # least confidence 0.1, 0.5, 0.3 (mean 0.3); the rows of doubt 0.5 and 0.3 were wrong
    proba = np.array([[0.9, 0.1], [0.5, 0.5], [0.7, 0.3]])
    row = selected_summary(proba, np.array([0, 0, 0]), np.array([0, 1, 1]))
    assert row["selected_accuracy"] == pytest.approx(1 / 3)
    assert row["selected_contradiction"] == pytest.approx((0.5 + 0.3) / 0.3)
    certain = selected_summary(np.array([[1.0, 0.0]]), np.array([0]), np.array([1]))
    assert certain["selected_contradiction"] == 0.0  # no doubt at all: nothing to weigh
    values = [np.nan, 5.0, 4.0, 4.5, 3.0, 2.0, 1.0, 1.5]
    record = record_of([[0]] * len(values), selected_contradiction=values)
    # falls at 2, rises at 3, then falls at 4, 5, 6: three falls in a row first at 6
    stops = CRITERIA["contradictory_information"].function(record)
    assert stops.tolist() == [False] * 6 + [True, False]
    assert CRITERIA["contradictory_information"].function(record, rounds=1).tolist()[2]


def test_without_a_stopping_key_every_criterion_that_needs_no_parameter_runs():
    names = set(criteria_config(None))
    assert names == {n for n, c in CRITERIA.items() if c.default}
    assert "fixed_budget" not in names and "stabilizing_predictions" in names
    assert criteria_config(None)["stabilizing_predictions"]["params"] == {
        "window": 3,
        "kappa": 0.99,
    }
    assert PREDICTIONS == "stop_predictions"


def test_criteria_are_ranked_across_data_sets_by_their_regret():
    rows = []
    regrets = {"a": [1, 2, 1], "b": [3, 1, 2], "c": [5, 6, 7], "delta_f": [0, None, None]}
    for criterion, values in regrets.items():
        for dataset, value in zip(("d1", "d2", "d3"), values, strict=True):
            if value is not None:
                rows.append(
                    {
                        "dataset": dataset,
                        "model": "m",
                        "protocol": "default",
                        "strategy": "s",
                        "criterion": criterion,
                        "regret_1000_1": value,
                    }
                )
    rows.append({**rows[0], "criterion": COST_OPTIMAL, "regret_1000_1": 0.0})
    ranks = criteria_ranks(pd.DataFrame(rows)).set_index("criterion")
    assert list(ranks.index) == ["a", "b", "c"]  # delta_f does not apply on every data set
    assert ranks["mean_rank"].tolist() == pytest.approx([4 / 3, 5 / 3, 3.0])
    assert (ranks["n_datasets"] == 3).all() and ranks["friedman_p"].between(0, 1).all()


@pytest.mark.slow
def test_the_stopping_example_answers_when_to_stop_for_every_pair(tmp_path):
    import yaml
    from helpers import REPO, snakemake, write_config

    config = yaml.safe_load((REPO / "config/examples/stopping.yaml").read_text())
    config["seeds"] = 2  # the example's shape, quicker
    write_config(tmp_path, config, "stopping.yaml")
    snakemake(tmp_path, "--configfile", "stopping.yaml", "--cores", "2")
    out = tmp_path / "results/stopping"
    verdict = (out / "verdict.txt").read_text()
    for dataset in config["datasets"]:
        block = verdict.split(f"{dataset} × logreg:")[1].split(" × logreg:")[0]
        assert "  stop with " in block or "  stop: no " in block, block
    summary = pd.read_csv(out / "summary/stopping.csv")
    assert set(summary["dataset"]) == set(config["datasets"])
    assert {"regret_1000_1", "regret_10000_1"} <= set(summary.columns)
    assert set(pd.read_csv(out / "summary/stopping_ranks.csv")["criterion"]) >= {
        "stabilizing_predictions",
        "classification_change",
    }
    figures = {p.name for p in (out / "figures").rglob("*.png")}
    assert {"wine__logreg__default.png", "stopping__logreg__default.png"} <= figures
    assert "stopping_ranks__logreg__default.png" in figures


def test_a_regression_cell_is_judged_by_the_criteria_for_a_numeric_target(tmp_path):
    from sklearn.datasets import load_diabetes

    from albench.analysis.stops import applies, dataset_stops

    data = validate_dataset("d", *load_diabetes(return_X_y=True), task="regression")
    cell = copy.deepcopy(CELL)
    cell.update(
        dataset="d",
        strategy="random",
        strategy_spec={"query": "RandomSampling"},
        model="ridge",
        model_spec={"estimator": "sklearn.linear_model.Ridge"},
    )
    cell["protocol"].update(iterations=12, batch_size=5, metrics=["rmse", "r2"])
    curve, record_path = recorded_cell(tmp_path, data, CellSpec(**cell, seed=0))
    stats, predictions = read_record(record_path)
    assert predictions.dtype == np.float32 and predictions.shape[0] == 13
    chosen = chosen_criteria(criteria_config(None))
    usable = [c.name for c in chosen if applies(c, 0)]
    assert usable == ["prediction_change"]  # the classification criteria do not apply
    stops = dataset_stops([curve], [record_path], chosen, [[10, 1]], 1.0, "accuracy", "rmse")
    assert set(stops["criterion"]) == {"prediction_change", COST_OPTIMAL, PLATEAU, "budget's end"}
    rmse = pd.read_parquet(curve)["rmse"].to_numpy()
    optimal = stops.set_index("criterion").loc[COST_OPTIMAL]
    labels = pd.read_parquet(curve)["n_labeled"].to_numpy()
    assert optimal["iteration"] == np.argmin(rmse * 10 + labels)  # the error as the loss
    # lost: the error at the stop minus the error at the budget's end
    at_end = stops.set_index("criterion").loc["budget's end"]
    assert optimal["lost_vs_end"] == pytest.approx(optimal["rmse"] - at_end["rmse"])


def test_prediction_change_stops_once_the_predictions_settle():
    p = np.array([[0, 10, 20], [5, 10, 20], [5.1, 10, 20], [5.1, 10.05, 20], [5.1, 10.05, 20]])
    record = Record(pd.DataFrame({"n_labeled": range(5)}), p, 0)
    # changes in spreads: 0.2, 0.0047, 0.0021, 0 -> below 0.01 from pair 2 on, 2 in a row at 3
    stops = CRITERIA["prediction_change"].function(record, window=2, threshold=0.01)
    assert stops.tolist() == [False, False, False, True, True]


def test_the_stopping_spec_asks_only_for_the_metrics_of_the_configs_tasks():
    from albench.plan.grid import stopping_spec

    config = copy.deepcopy(BASE)
    config["protocol"]["metrics"] = ["f1_macro", "accuracy"]  # classification metrics only
    spec = stopping_spec(validated(config))
    assert spec.metric == "f1_macro" and spec.criteria["stabilizing_predictions"]
