"""albench.torch.CNNClassifier: the seed's protocol, determinism, embeddings, AL loop use.

`make test` installs the CPU build of torch, so these run in CI; without torch they skip.
"""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
from helpers import CELL

torch = pytest.importorskip("torch")

from albench.data.datasets import validate_dataset  # noqa: E402
from albench.data.splits import make_split, split_indices  # noqa: E402
from albench.learn.cnn import CNNClassifier  # noqa: E402
from albench.learn.loop import run_al_loop  # noqa: E402
from albench.learn.models import gives_embeddings, takes_validation, wrap_classifier  # noqa: E402
from albench.specs import CellSpec  # noqa: E402

SMALL = {"channels": (8, 16), "hidden": 32, "epochs": 4, "threads": 1}


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X - X.mean()) / X.std(), y


def test_same_seed_gives_a_bit_identical_network(digits):
    X, y = digits
    fits = [
        CNNClassifier(image_shape=(1, 8, 8), random_state=7, **SMALL).fit(
            X[:300], y[:300], X_val=X[300:400], y_val=y[300:400]
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(fits[0].predict_proba(X[400:]), fits[1].predict_proba(X[400:]))
    other = CNNClassifier(image_shape=(1, 8, 8), random_state=8, **SMALL).fit(X[:300], y[:300])
    assert not np.array_equal(fits[0].predict_proba(X[400:]), other.predict_proba(X[400:]))


def test_every_fit_starts_from_a_fresh_initialisation(digits):
    X, y = digits
    clf = CNNClassifier(image_shape=(1, 8, 8), random_state=0, **SMALL)
    first = clf.fit(X[:200], y[:200]).predict_proba(X[400:])
    again = clf.fit(X[:200], y[:200]).predict_proba(X[400:])
    np.testing.assert_array_equal(first, again)


def test_best_validation_epoch_is_kept_and_patience_stops_early(digits):
    X, y = digits
    params = {**SMALL, "epochs": 12}
    clf = CNNClassifier(image_shape=(1, 8, 8), random_state=0, **params)
    clf.fit(X[:300], y[:300], X_val=X[300:500], y_val=y[300:500])
    scores = [r["val_f1_macro"] for r in clf.history_]
    assert len(scores) == 12 and clf.best_epoch_ == int(np.argmax(scores))
    from sklearn.metrics import f1_score

    kept = f1_score(y[300:500], clf.predict(X[300:500]), average="macro")
    assert kept == pytest.approx(max(scores))
    patient = CNNClassifier(image_shape=(1, 8, 8), random_state=0, patience=1, **params)
    patient.fit(X[:300], y[:300], X_val=X[300:500], y_val=y[300:500])
    stops = [r["val_f1_macro"] for r in patient.history_]
    assert len(stops) < 12 and stops[-1] <= stops[-2]


def test_embeddings_are_the_penultimate_layer_and_feed_the_wrapper(digits):
    X, y = digits
    clf = CNNClassifier(image_shape=(1, 8, 8), random_state=0, **SMALL)
    assert gives_embeddings(clf) and takes_validation(clf)
    # Three classes labelled of ten: the wrapper still returns all ten columns.
    labelled = np.isin(y, [1, 4, 7])
    y_seen = np.where(labelled, y, np.nan).astype(float)
    wrapper = wrap_classifier(clf, 10, 0).fit(X, y_seen)
    proba, embeddings = wrapper.predict_proba(X[:50], return_embeddings=True)
    assert proba.shape == (50, 10) and np.allclose(proba.sum(axis=1), 1)
    assert set(np.flatnonzero(proba.sum(axis=0))) == {1, 4, 7}
    assert embeddings.shape == (50, SMALL["hidden"])
    np.testing.assert_array_equal(embeddings, wrapper.estimator_.embed(X[:50]))


def test_image_shape_is_checked_and_inferred(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"image_shape \[3, 8, 8\] does not match rows of 64"):
        CNNClassifier(image_shape=(3, 8, 8), **SMALL).fit(X[:50], y[:50])
    inferred = CNNClassifier(**SMALL).fit(X[:50], y[:50])  # 64 features: 1 x 8 x 8
    assert inferred.predict(X[:5]).shape == (5,)
    with pytest.raises(ValueError, match="too small for 4 pooling blocks"):
        CNNClassifier(image_shape=(1, 8, 8), channels=(4, 4, 4, 4)).fit(X[:50], y[:50])


def test_threads_setting_reaches_torch(digits):
    X, y = digits
    code = (
        "import numpy as np, torch; from albench.learn.cnn import CNNClassifier;"
        "X = np.random.default_rng(0).normal(size=(40, 64)); y = np.arange(40) % 2;"
        "CNNClassifier(epochs=1, threads=3, channels=(4,), hidden=8).fit(X, y);"
        "print(torch.get_num_threads())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"


def cnn_cell(strategy: str, query: dict) -> dict:
    cell = copy.deepcopy(CELL)
    cell.update(
        dataset="digits",
        model="cnn",
        strategy=strategy,
        model_spec={"estimator": "albench.torch.CNNClassifier", "params": dict(SMALL)},
        strategy_spec=query,
    )
    cell["model_spec"]["params"]["channels"] = [8, 16]
    cell["protocol"] = {
        **cell["protocol"],
        "initial_size": 30,
        "batch_size": 10,
        "iterations": 3,
        "validation_size": 40,
    }
    cell["embedding_maps"] = {"iterations": [0, 3], "seeds": [0]}
    return cell


@pytest.fixture(scope="module")
def digit_images():
    from sklearn.datasets import load_digits

    digits = load_digits()
    data = validate_dataset("digits", digits.data[:400], digits.target[:400])
    from dataclasses import replace

    data = replace(data, image_shape=(1, 8, 8))
    split = make_split(data.y, 0.25, 30, random_state=0, validation_size=40)
    return data, split_indices(split)


def test_badge_on_cnn_embeddings_is_bit_identical_across_runs(digit_images):
    data, roles = digit_images
    cell = cnn_cell("badge", {"query": "Badge"})
    first = run_al_loop(data, roles, CellSpec(**cell, seed=0))
    second = run_al_loop(data, roles, CellSpec(**cell, seed=0))
    timing = ["fit_seconds", "query_seconds", "score_seconds"]
    assert first.curve.drop(columns=timing).equals(second.curve.drop(columns=timing))
    assert first.selection.equals(second.selection)
    assert first.embeddings.equals(second.embeddings)
    # Mapped iterations: every learnable row once each, the batch marked at iteration 0.
    maps = first.embeddings
    assert sorted(maps["iteration"].unique()) == [0, 3]
    at0 = maps[maps["iteration"] == 0]
    assert len(at0) == len(roles["initial"]) + len(roles["pool"])
    assert (at0["status"] == "labelled").sum() == 30
    assert (at0["status"] == "selected").sum() == 10
    picked = set(at0.loc[at0["status"] == "selected", "index"])
    assert picked == set(first.selection.query("iteration == 1")["index"])
    at3 = maps[maps["iteration"] == 3]
    assert (at3["status"] == "labelled").sum() == 60 and (at3["status"] == "selected").sum() == 0
    assert len([c for c in maps.columns if c.startswith("e")]) == SMALL["hidden"]


def test_missing_torch_is_reported_with_the_extra_to_install(monkeypatch):
    import albench.learn.models
    from albench.errors import ConfigError

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.delitem(sys.modules, "albench.learn.cnn")
    monkeypatch.delitem(sys.modules, "albench.torch", raising=False)
    with pytest.raises(
        ConfigError,
        match=r"cannot import module 'albench.torch' .*install the torch extra",
    ):
        albench.learn.models.import_object("albench.torch.CNNClassifier", "models.cnn.estimator")


GUARDED = """
import sys
import albench
import skactiveml.pool, skactiveml.classifier
print("torch" in sys.modules)
from albench.torch import CNNClassifier
import torch
print(type(CNNClassifier()).__name__, torch.nn.Module.__name__)
"""


def test_scikit_activeml_loads_without_torch_where_skorch_is_missing(tmp_path):
    # scikit-activeml would import torch (2 s) for skorch wrappers that cannot work here.
    run = subprocess.run([sys.executable, "-c", GUARDED], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "CNNClassifier", "Module"]
    # With skorch installed, scikit-activeml gets torch as it asks.
    (tmp_path / "skorch").mkdir()
    (tmp_path / "skorch" / "__init__.py").write_text("")
    env = {"PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", GUARDED], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[0] == "True"
