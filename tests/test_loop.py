import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import STRATEGIES, roles_for, with_strategy
from sklearn.linear_model import LogisticRegression

from albench.data.datasets import validate_dataset, write_dataset
from albench.data.splits import make_split, split_indices, write_split
from albench.learn.loop import run_al_loop, run_cell
from albench.learn.models import ModelFitError
from albench.specs import CellSpec


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_curve_grows_by_batch_and_queries_only_the_pool(blobs, cell, name):
    cell = with_strategy(cell, name)
    roles = roles_for(blobs)
    result = run_al_loop(blobs, roles, CellSpec(**cell, seed=0))
    curve, selection = result.curve, result.selection

    assert curve["iteration"].tolist() == list(range(6))
    assert curve["n_labeled"].tolist() == [6 + 4 * i for i in range(6)]
    assert selection.groupby("iteration").size().tolist() == [4] * 5
    assert selection["index"].is_unique
    assert set(selection["index"]) <= set(roles["pool"])
    assert not set(selection["index"]) & set(roles["test"])
    # the revealed labels are the true ones
    np.testing.assert_array_equal(selection["label"], blobs.y[selection["index"]])
    for metric in ("accuracy", "balanced_accuracy", "f1_macro"):
        assert curve[metric].between(0, 1).all()
    assert curve["query_seconds"].isna().tolist() == [True] + [False] * 5
    assert not curve["fallback_model"].any()


def test_batch_size_as_fraction_of_the_data_set(blobs, cell):
    cell["protocol"] = {**cell["protocol"], "batch_size": 0.05}  # 5 % of 120 = 6
    curve = run_al_loop(blobs, roles_for(blobs), CellSpec(**cell, seed=0)).curve
    assert np.diff(curve["n_labeled"]).tolist() == [6] * 5


def test_same_seed_gives_identical_results(blobs, cell):
    roles = roles_for(blobs)
    cell = with_strategy(cell, "badge")
    a = run_al_loop(blobs, roles, CellSpec(**cell, seed=3))
    b = run_al_loop(blobs, roles, CellSpec(**cell, seed=3))
    timing = ["fit_seconds", "query_seconds", "score_seconds"]
    pd.testing.assert_frame_equal(a.curve.drop(columns=timing), b.curve.drop(columns=timing))
    pd.testing.assert_frame_equal(a.selection, b.selection)


def test_other_seed_gives_other_selections(blobs, cell):
    roles = roles_for(blobs)
    cell = with_strategy(cell, "random")
    a = run_al_loop(blobs, roles, CellSpec(**cell, seed=0)).selection
    b = run_al_loop(blobs, roles, CellSpec(**cell, seed=1)).selection
    assert not a.equals(b)


def test_strategies_share_iteration_zero(blobs, cell):
    """Paired comparison: every strategy starts from the same model and score."""
    roles = roles_for(blobs)
    firsts = {
        name: run_al_loop(blobs, roles, CellSpec(**with_strategy(cell, name), seed=2)).curve.iloc[0]
        for name in STRATEGIES
    }
    scores = {(row["accuracy"], row["f1_macro"], row["n_labeled"]) for row in firsts.values()}
    assert len(scores) == 1


def test_one_fit_per_iteration(blobs, cell, monkeypatch):

    calls = []
    original = LogisticRegression.fit

    def counting_fit(self, X, y, *args, **kwargs):
        calls.append(len(y))
        return original(self, X, y, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", counting_fit)
    run_al_loop(blobs, roles_for(blobs), CellSpec(**with_strategy(cell, "entropy"), seed=0))
    assert calls == [6 + 4 * i for i in range(6)]


def test_model_that_cannot_fit_is_recorded_as_fallback(cell):
    # Two labelled classes are needed by logistic regression; an initial set of one sample
    # has one class, so iteration 0 falls back to label frequencies.
    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.repeat([0, 1], 20)
    data = validate_dataset("d", X, y)
    roles = roles_for(data, initial=1)
    cell = with_strategy(cell, "random")
    cell["protocol"] = {**cell["protocol"], "initial_size": 1, "batch_size": 5, "iterations": 2}
    curve = run_al_loop(data, roles, CellSpec(**cell, seed=0)).curve
    assert bool(curve["fallback_model"].iloc[0]) is True


def test_a_fit_that_fails_with_two_classes_labelled_fails_the_cell(blobs, cell):
    # scikit-activeml would predict label frequencies and the curve would go on as if fine.
    cell["model_spec"] = {"estimator": "pool_helpers.BrokenFitClassifier", "params": {}}
    roles = split_indices(make_split(blobs.y, 0.25, 6, random_state=0))
    with pytest.raises(
        ModelFitError,
        match=r"model 'logreg' could not be fitted at iteration 2 "
        r"on 14 labels of 3 classes: cannot fit on 14 samples",
    ):
        run_al_loop(blobs, roles, CellSpec(**cell, seed=0))


def test_features_are_scaled_without_the_test_rows(blobs, cell, monkeypatch):
    from sklearn.preprocessing import StandardScaler

    seen = []
    original = StandardScaler.fit

    def spy(self, X, *args, **kwargs):
        seen.append(len(X))
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(StandardScaler, "fit", spy)
    roles = roles_for(blobs)
    run_al_loop(blobs, roles, CellSpec(**with_strategy(cell, "random"), seed=0))
    assert seen == [len(roles["initial"]) + len(roles["pool"])]


def test_run_cell_writes_curve_and_selection_with_provenance(tmp_path, blobs, cell):
    import json

    write_dataset(blobs, tmp_path / "d.parquet")
    write_split(make_split(blobs.y, 0.25, 6, random_state=0), tmp_path / "s.parquet")
    spec = CellSpec(**cell, seed=0)
    run_cell(
        tmp_path / "d.parquet",
        tmp_path / "s.parquet",
        tmp_path / "c.parquet",
        tmp_path / "q.parquet",
        spec,
    )
    curve = pq.read_table(tmp_path / "c.parquet")
    meta = curve.schema.metadata
    recorded = {**cell, "protocol_name": "default"}  # the cell's protocol, named
    assert json.loads(meta[b"albench.cell"]) == recorded and meta[b"albench.seed"] == b"0"
    for key in (b"albench.cell_hash", b"albench.sklearn_version", b"albench.skactiveml_version"):
        assert meta[key]
    assert curve.schema.field("seed").type == "int64"
    assert curve.num_rows == 6
    assert pq.read_table(tmp_path / "q.parquet").num_rows == 20
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left behind


def test_validation_set_reaches_models_that_take_it_and_is_never_queried(blobs, cell):
    roles = split_indices(make_split(blobs.y, 0.25, 6, random_state=0, validation_size=15))
    from pool_helpers import ValidatingLogisticRegression

    cell["model_spec"] = {"estimator": "pool_helpers.ValidatingLogisticRegression"}
    ValidatingLogisticRegression.seen = []
    result = run_al_loop(blobs, roles, CellSpec(**cell, seed=0))
    assert ValidatingLogisticRegression.seen == [(6 + 4 * i, 15) for i in range(6)]
    assert not set(result.selection["index"]) & set(roles["validation"])


def test_budget_sets_the_number_of_iterations(blobs, cell):
    cell["protocol"] = {**cell["protocol"], "budget": 20}
    del cell["protocol"]["iterations"]
    curve = run_al_loop(blobs, roles_for(blobs), CellSpec(**cell, seed=0)).curve
    assert curve["n_labeled"].tolist() == [6, 10, 14, 18]


@pytest.mark.parametrize("name", ["random", "badge"])
def test_a_killed_cell_resumes_from_its_checkpoint_to_the_same_results(
    blobs, cell, tmp_path, monkeypatch, name
):
    from albench.io.curves import TIMING_COLUMNS
    from albench.learn.strategies import Strategy

    cell = with_strategy(cell, name)
    roles = roles_for(blobs)
    whole = run_al_loop(blobs, roles, CellSpec(**cell, seed=3))

    query = Strategy.query
    calls = []

    def dies_at_the_fourth_query(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("killed")
        return query(self, *args, **kwargs)

    monkeypatch.setattr(Strategy, "query", dies_at_the_fourth_query)
    checkpoint = tmp_path / ".c.checkpoint.pkl"
    with pytest.raises(RuntimeError, match="killed"):
        run_al_loop(
            blobs, roles, CellSpec(**cell, seed=3), checkpoint=checkpoint, checkpoint_seconds=0
        )
    assert checkpoint.exists()

    calls.clear()
    monkeypatch.setattr(
        Strategy, "query", lambda self, *a, **k: (calls.append(1), query(self, *a, **k))[1]
    )
    resumed = run_al_loop(
        blobs, roles, CellSpec(**cell, seed=3), checkpoint=checkpoint, checkpoint_seconds=0
    )
    assert len(calls) == 5 - 3  # only the queries after the third were made again
    pd.testing.assert_frame_equal(
        resumed.curve.drop(columns=list(TIMING_COLUMNS)),
        whole.curve.drop(columns=list(TIMING_COLUMNS)),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(resumed.selection, whole.selection, check_exact=True)


def test_a_checkpoint_of_another_config_is_ignored(blobs, cell, tmp_path):
    roles = roles_for(blobs)
    checkpoint = tmp_path / ".c.checkpoint.pkl"
    random_cell = with_strategy(cell, "random")
    run_al_loop(
        blobs, roles, CellSpec(**random_cell, seed=0), checkpoint=checkpoint, checkpoint_seconds=0
    )
    assert checkpoint.exists()  # the loop leaves it; run_cell removes it after writing
    margin_cell = with_strategy(cell, "margin")
    resumed = run_al_loop(blobs, roles, CellSpec(**margin_cell, seed=0), checkpoint=checkpoint)
    fresh = run_al_loop(blobs, roles, CellSpec(**margin_cell, seed=0))
    pd.testing.assert_frame_equal(resumed.selection, fresh.selection)


def test_run_cell_removes_its_checkpoint_when_done(tmp_path, blobs, cell, monkeypatch):

    import albench.learn.loop

    # Checkpoint after every iteration, and record that it did.
    monkeypatch.setenv(albench.learn.loop.CHECKPOINT_SECONDS_ENV, "0")
    saved = []
    save = albench.learn.loop.save_checkpoint
    monkeypatch.setattr(
        albench.learn.loop, "save_checkpoint", lambda *args: (saved.append(args[0]), save(*args))
    )
    write_dataset(blobs, tmp_path / "d.parquet")
    write_split(make_split(blobs.y, 0.25, 6, random_state=0), tmp_path / "s.parquet")
    run_cell(
        tmp_path / "d.parquet",
        tmp_path / "s.parquet",
        tmp_path / "c.parquet",
        tmp_path / "q.parquet",
        CellSpec(**cell, seed=0),
    )
    assert (tmp_path / "c.parquet").exists()
    assert saved and saved[0] == tmp_path / ".c.checkpoint.pkl"
    assert not list(tmp_path.glob(".*checkpoint*"))
