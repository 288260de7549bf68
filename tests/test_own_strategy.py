"""A user's own strategy (a class or a function named by import path, in the project folder):
what albench gives it, the conformance check before the grid, and each refusal's message."""

from __future__ import annotations

import itertools
import json
import re
import sys
import textwrap
import traceback

import numpy as np
import pyarrow.parquet as pq
import pytest
import sklearn
from helpers import LOGREG, REPO, blob_dataset, make_cell, run_cell_of, small_config, validated

from albench.data.datasets import write_dataset
from albench.data.splits import make_split, write_split
from albench.env import CODE_PATH_ENV
from albench.errors import ConfigError
from albench.learn.loop import run_cell
from albench.learn.strategies import builtin_name
from albench.plan.checks import check_config
from albench.plan.grid import code_files
from albench.specs import CellSpec
from albench.usercode import code_folders, imports_of, source_digest

EXAMPLE = "mystrats.density.DensityWeightedMargin"
_names = itertools.count()

# A strategy class in scikit-activeml's style whose query's answer is the module's RETURN
# expression (of X, y, batch_size, the random generator `rng` and the unlabelled rows `pool`).
CLASS = """
import numpy as np
from skactiveml.base import SingleAnnotatorPoolQueryStrategy


class Own(SingleAnnotatorPoolQueryStrategy):
    def __init__(self, missing_label=np.nan, random_state=None):
        super().__init__(missing_label=missing_label, random_state=random_state)

    def query(self, X, y, clf, fit_clf=True, candidates=None, batch_size=1,
              return_utilities=False):
        rng = np.random.default_rng(self.random_state)
        pool = np.flatnonzero(np.isnan(y)) if candidates is None else np.asarray(candidates)
        return {RETURN}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder, the working directory and the only project folder."""
    monkeypatch.setenv(CODE_PATH_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def module(project, source: str, **fill: str) -> str:
    """Write `source` as a new module of `project`; return its name (unique in the session)."""
    name = f"own{next(_names)}"
    for key, value in fill.items():
        source = source.replace(f"{{{key}}}", value)
    (project / f"{name}.py").write_text(textwrap.dedent(source))
    return name


def own_class(project, returned: str = "rng.choice(pool, batch_size, replace=False)") -> str:
    return f"{module(project, CLASS, RETURN=returned)}.Own"


def config_with(query: str, **strategy) -> dict:
    config = small_config()
    config["datasets"] = {"iris": config["datasets"]["iris"]}
    config["strategies"] = {"random": {"query": "RandomSampling"}, "mine": {"query": query}}
    config["strategies"]["mine"].update(strategy)
    return validated(config)


def refused(config: dict) -> str:
    with pytest.raises(ConfigError) as error:
        check_config(config)
    return str(error.value)


def test_bare_names_and_full_paths_mean_scikit_activemls_strategies():
    assert builtin_name("Badge") == "Badge"
    assert builtin_name("skactiveml.pool.Badge") == "Badge"
    assert builtin_name("mystrats.dens.Badge") is None
    assert imports_of({"query": "Badge"}) == ["skactiveml.pool.Badge"]
    spec = {"query": "m.Own", "ensemble": {"models": [{"estimator": "a.B"}, LOGREG]}}
    assert imports_of(spec) == ["m.Own", "a.B", LOGREG["estimator"]]
    short = make_cell("margin", {"query": "UncertaintySampling"}, LOGREG)
    full = make_cell("margin", {"query": "skactiveml.pool.UncertaintySampling"}, LOGREG)
    data = blob_dataset(80)
    assert run_cell_of(data, short)[0].selection.equals(run_cell_of(data, full)[0].selection)


def test_the_example_strategy_passes_the_check_and_runs_a_cell(monkeypatch):
    monkeypatch.setenv(CODE_PATH_ENV, str(REPO / "config" / "examples"))
    check_config(config_with(EXAMPLE, params={"beta": 1.0}))
    cell = make_cell("mine", {"query": EXAMPLE, "params": {"beta": 1.0}}, LOGREG, batch=4)
    result, roles = run_cell_of(blob_dataset(120), cell)
    assert result.curve["n_labeled"].tolist() == [6, 10, 14]
    assert set(result.selection["index"]) <= set(roles["pool"])


RECORDER = """
import numpy as np
from skactiveml.base import SingleAnnotatorPoolQueryStrategy

CALLS = []


class Recorder(SingleAnnotatorPoolQueryStrategy):
    def __init__(self, width=1, missing_label=np.nan, random_state=None):
        super().__init__(missing_label=missing_label, random_state=random_state)
        self.width = width

    def query(self, X, y, clf, fit_clf=True, batch_size=1, **kwargs):
        CALLS.append(dict(fit_clf=fit_clf, batch_size=batch_size, fitted=clf.is_fitted_,
                          seed=self.random_state, missing=self.missing_label, width=self.width,
                          kwargs=sorted(kwargs)))
        return np.flatnonzero(np.isnan(y))[:batch_size]


def function(X, y, batch_size, random_state, n_classes, embeddings, shift=0):
    CALLS.append(dict(seed=random_state, n_classes=n_classes, shift=shift,
                      embeddings=None if embeddings is None else embeddings.shape))
    rng = np.random.default_rng(random_state)
    return rng.choice(np.flatnonzero(np.isnan(y)), batch_size, replace=False)
"""


def test_a_class_gets_the_fitted_model_its_seed_and_its_params(project):
    name = module(project, RECORDER)
    cell = make_cell("mine", {"query": f"{name}.Recorder", "params": {"width": 3}}, LOGREG)
    run_cell_of(blob_dataset(80), cell)
    calls = sys.modules[name].CALLS
    assert len(calls) == 2
    seed = calls[0]["seed"]
    assert isinstance(seed, int)
    for call in calls:
        assert call == {
            "fit_clf": False,
            "batch_size": 3,
            "fitted": True,
            "seed": seed,
            "missing": call["missing"],
            "width": 3,
            "kwargs": [],
        }
        assert np.isnan(call["missing"])


def test_a_function_gets_a_fresh_seed_per_query_and_the_models_embeddings(project):
    name = module(project, RECORDER)
    mlp = {
        "estimator": "albench.models.EmbeddingMLPClassifier",
        "params": {"hidden_layer_sizes": [5], "max_iter": 50},
    }
    spec = {"query": f"{name}.function", "params": {"shift": 2}}
    first = run_cell_of(blob_dataset(80), make_cell("mine", spec, mlp, iterations=3))[0]
    calls = sys.modules[name].CALLS
    assert [c["n_classes"] for c in calls] == [3, 3, 3]
    assert [c["shift"] for c in calls] == [2, 2, 2]
    assert [c["embeddings"][1] for c in calls] == [5, 5, 5]
    assert len({c["seed"] for c in calls}) == 3  # each query draws afresh
    again = run_cell_of(blob_dataset(80), make_cell("mine", spec, mlp, iterations=3))[0]
    assert first.selection.equals(again.selection)
    run_cell_of(blob_dataset(80), make_cell("mine", spec, LOGREG, iterations=1))
    assert calls[-1]["embeddings"] is None  # a model without embeddings


@pytest.mark.parametrize(
    ("returned", "fault"),
    [
        ("pool[:batch_size - 1]", "returned 4 indices for a batch of 5"),
        ("np.flatnonzero(~np.isnan(y))[:batch_size]", "returned labelled row 0"),
        ("np.r_[pool[:batch_size - 1], pool[0]]", r"returned row \d+ 2 times in one batch"),
        ("np.r_[pool[:batch_size - 1], len(X)]", r"returned row \d+, which is not a row of X"),
        ("pool[:batch_size].astype(float)", "returned float64 values, not integer row indices"),
        ("np.isnan(y)", "returned bool values, not integer"),
        ("pool[:batch_size], np.zeros(len(X))", r"returned a pair \(indices and utilities\?\)"),
        (
            "np.random.default_rng().choice(pool, batch_size, replace=False)",
            "not deterministic for random_state 0: two fresh instances returned",
        ),
        ("X.__setitem__((0, 0), 99.0) or pool[:batch_size]", "changed X"),
        ("y.__setitem__(pool[0], 0) or pool[1:batch_size + 1]", "changed y"),
        (
            "[clf.estimator.set_params(C=1e-4), pool[:batch_size]][1]",
            "changed the model's parameter C",
        ),
        (
            "clf.estimator_.coef_.__setitem__(Ellipsis, 0) or pool[:batch_size]",
            r"changed the fitted model \(its estimator_.coef_;",
        ),
        ("np.flatnonzero(np.isnan(y))[:batch_size]", "not among the candidates it was given"),
        ("1 / 0", "its query raised ZeroDivisionError: division by zero"),
    ],
)
def test_the_conformance_check_names_what_a_strategy_does_wrong(project, returned, fault):
    config = config_with(own_class(project, returned))
    config["protocol"]["batch_size"] = 5
    message = refused(config)
    assert message.startswith("strategies.mine: own")
    assert (
        "fails the conformance check with model 'logreg' on data of the shape of data set "
        "'iris' (3 classes, 4 features, 6 labelled): "
    ) in message
    assert re.search(fault, message), message


@pytest.mark.parametrize(
    ("source", "attribute", "pattern"),
    [
        (
            None,
            "Own",
            r"strategies.mine.query: cannot import 'nosuch.Own': no module named "
            r"'nosuch' among the installed packages or in the project folders \(/",
        ),
        ("X = 1\n", "Own", r"module 'own\d+' has no 'Own'"),
        (
            "import numpy\nX = 1 / 0\n",
            "Own",
            r"strategies.mine.query: importing module 'own\d+' "
            r"raised ZeroDivisionError: division by zero \(at .*own\d+\.py, line 2\)",
        ),
        (
            "import nosuchdep\n",
            "Own",
            r"cannot import module 'own\d+' \(No module named "
            r"'nosuchdep'\) \(at .*own\d+\.py, line 1\)",
        ),
        (
            "class Own:\n    pass\n",
            "Own",
            r"own\d+\.Own has no query method; a strategy is a class",
        ),
        ("VALUE = 3\n", "VALUE", r"own\d+\.VALUE is neither a class nor a function; a strategy"),
        (
            "class Badge:\n    def query(self, X, y):\n        pass\n",
            "Badge",
            r"has the name of scikit-activeml's built-in Badge; rename the class",
        ),
        (
            "def query(X, y, tau):\n    pass\n",
            "query",
            r"query needs \['tau'\], which albench "
            r"does not give; it gives \['X', 'batch_size', ",
        ),
        (
            "class Own:\n    def query(self, X, y, reg):\n        pass\n",
            "Own",
            "is a regression strategy",
        ),
    ],
)
def test_a_strategy_that_cannot_be_one_is_refused_before_any_probe(
    project, source, attribute, pattern
):
    name = "nosuch" if source is None else module(project, source)
    message = refused(config_with(f"{name}.{attribute}"))
    assert re.search(pattern, message), message


def test_params_the_constructor_or_function_does_not_take_are_refused(project):
    name = own_class(project)
    message = refused(config_with(name, params={"beta": 2}))
    assert message.startswith(f"strategies.mine.params: {name} does not accept ['beta']")
    function = module(project, "def query(X, y, batch_size, beta=1):\n    pass\n")
    message = refused(config_with(f"{function}.query", params={"gamma": 2}))
    assert message == (
        f"strategies.mine.params: {function}.query does not accept ['gamma']; it accepts ['beta']"
    )
    message = refused(config_with(f"{function}.query", params={"batch_size": 2}))
    assert "['batch_size'] are given by albench, not set in the config" in message
    raising = module(
        project,
        CLASS.replace("super().__init__(", "assert False, 'no'\n        super().__init__("),
        RETURN="pool",
    )
    assert "rejected them: AssertionError: no" in refused(config_with(f"{raising}.Own"))


def test_a_project_module_named_like_an_installed_one_is_refused(project):
    (project / "sklearn").mkdir()
    (project / "sklearn" / "dens.py").write_text("class Own:\n    pass\n")
    message = refused(config_with("sklearn.dens.Own"))
    assert message.startswith("strategies.mine.query: the project's ")
    assert "sklearn has the name of the installed module 'sklearn' (" in message


def test_candidate_subsample_needs_a_query_that_takes_candidates(project):
    name = module(project, "class Own:\n    def query(self, X, y, batch_size):\n        pass\n")
    config = config_with(f"{name}.Own")
    config["protocol"]["candidate_subsample"] = 10
    assert "candidate_subsample needs a strategy whose query takes candidates" in refused(config)


def test_a_conforming_function_and_subsampled_class_pass(project):
    function = module(project, RECORDER)
    check_config(config_with(f"{function}.function"))
    # The probe called the function, with iris's three classes and no embeddings (logreg).
    calls = sys.modules[function].CALLS
    assert calls and {(c["n_classes"], c["embeddings"]) for c in calls} == {(3, None)}
    recording = "CANDIDATES = []\n" + CLASS.replace(
        "rng = ", "CANDIDATES.append(candidates)\n        rng = "
    )
    spied = module(project, recording, RETURN="rng.choice(pool, batch_size, replace=False)")
    config = config_with(f"{spied}.Own")
    config["protocol"]["candidate_subsample"] = 10
    check_config(config)
    # Its queries were given a subsample of candidates, at most 10 rows each.
    seen = sys.modules[spied].CANDIDATES
    assert seen and all(c is not None and 0 < len(c) <= 10 for c in seen)


def test_project_folders_are_the_configs_folders_then_the_working_directory(tmp_path):
    (tmp_path / "a").mkdir()
    folders = code_folders([tmp_path / "a" / "x.yaml", tmp_path / "y.yaml"], tmp_path)
    assert folders == [str(tmp_path / "a"), str(tmp_path)]


def test_code_files_are_a_packages_files_or_a_modules_file_and_never_installed_code(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "helpers.py").write_text("K = 1\n")
    (project / "pkg" / "dens.py").write_text(CLASS.replace("{RETURN}", "pool[:batch_size]"))
    single = own_class(project)
    config = config_with("pkg.dens.Own")
    config["strategies"]["single"] = {"query": single}
    assert code_files(config, "logreg", "mine") == [
        "pkg/__init__.py",
        "pkg/dens.py",
        "pkg/helpers.py",
    ]
    assert code_files(config, "logreg", "single") == [f"{single.split('.')[0]}.py"]
    assert code_files(config, "logreg", "random") == []
    assert code_files(config, "logreg") == []


def test_cell_metadata_records_the_code_that_ran(project):
    name = own_class(project)
    data = blob_dataset(60)
    write_dataset(data, project / "data.parquet")
    write_split(make_split(data.y, 0.25, 6, random_state=0), project / "split.parquet")
    cell = CellSpec(**make_cell("mine", {"query": name}, LOGREG), seed=0)
    run_cell(
        project / "data.parquet",
        project / "split.parquet",
        project / "curve.parquet",
        project / "selection.parquet",
        cell,
    )
    code = json.loads(pq.read_schema(project / "curve.parquet").metadata[b"albench.code"])
    module_file = f"{name.split('.')[0]}.py"
    assert code["strategies.mine"] == [
        {"import": name, "files": [module_file], "sha256": source_digest([module_file])}
    ]
    assert code["models.m"] == [{"import": LOGREG["estimator"], "version": sklearn.__version__}]


def test_a_cell_names_the_strategy_that_breaks_its_contract_at_run_time(project):
    # Integers at first, floats once ten rows are labelled: past any check before the grid.
    name = own_class(project, "pool[:batch_size] if (~np.isnan(y)).sum() < 10 else pool[:2] * 1.0")
    cell = make_cell("mine", {"query": name}, LOGREG, iterations=3)
    with pytest.raises(RuntimeError, match="strategy 'mine' returned float64 values, not integer"):
        run_cell_of(blob_dataset(80), cell)


def test_a_function_runs_on_a_subsampled_pool(project):
    source = (
        "import numpy as np\n\n\n"
        "def query(X, y, candidates, batch_size, random_state):\n"
        "    rng = np.random.default_rng(random_state)\n"
        "    pool = np.flatnonzero(np.isnan(y)) if candidates is None else candidates\n"
        "    return rng.choice(pool, batch_size, replace=False)\n"
    )
    cell = make_cell("mine", {"query": f"{module(project, source)}.query"}, LOGREG)
    cell["protocol"]["candidate_subsample"] = 5
    result, roles = run_cell_of(blob_dataset(80), cell)
    assert len(result.selection) == 6 and set(result.selection["index"]) <= set(roles["pool"])


def test_a_tuple_of_row_indices_is_a_batch_not_a_pair_with_utilities(project):
    source = (
        "import numpy as np\n\n\n"
        "def query(X, y, batch_size):\n"
        "    first, second = np.flatnonzero(np.isnan(y))[:2]\n"
        "    return int(first), int(second)\n"
    )
    cell = make_cell("mine", {"query": f"{module(project, source)}.query"}, LOGREG, batch=2)
    result, roles = run_cell_of(blob_dataset(60), cell)
    assert len(result.selection) == 4


MISBEHAVING = """
import numpy as np


def _pick(y, batch_size, random_state):
    rng = np.random.default_rng(random_state)
    return rng.choice(np.flatnonzero(np.isnan(y)), batch_size, replace=False)


def hyper_late(X, y, clf, batch_size, random_state):
    if np.sum(~np.isnan(y)) >= 9:
        clf.estimator.set_params(C=1e-4)
    return _pick(y, batch_size, random_state)


def scales_x(X, y, batch_size, random_state):
    X *= 10
    return _pick(y, batch_size, random_state)


def pseudo_labels(X, y, batch_size, random_state):
    y[np.isnan(y)] = 0
    return _pick(y, batch_size, random_state)


def boom(X, y, batch_size, random_state):
    if np.sum(~np.isnan(y)) >= 12:
        raise RuntimeError("boom")
    return _pick(y, batch_size, random_state)
"""


@pytest.mark.parametrize(
    "function, message",
    [
        ("hyper_late", "strategy 'mine' changed the model's parameter C at iteration 2"),
        ("scales_x", "strategy 'mine' wrote into the X or y it was given at iteration 1"),
        ("pseudo_labels", "strategy 'mine' wrote into the X or y it was given at iteration 1"),
        ("boom", "(raised by strategy 'mine' at iteration 3)"),
    ],
)
def test_a_strategy_that_touches_what_it_is_given_fails_its_cell_named(project, function, message):
    name = module(project, MISBEHAVING)
    cell = make_cell("mine", {"query": f"{name}.{function}"}, LOGREG, iterations=4)
    with pytest.raises(Exception) as error:
        run_cell_of(blob_dataset(80), cell)
    text = "".join(traceback.format_exception_only(error.value))
    assert message in text, text


SLOW = """
import time

import numpy as np


def slow(X, y, batch_size, random_state):
    time.sleep(0.3)
    return np.flatnonzero(np.isnan(y))[:batch_size]
"""


def test_a_slow_strategy_is_named_while_the_config_check_queries_it(project, monkeypatch):
    import albench.plan.probe as probe_module

    monkeypatch.setattr(probe_module, "SLOW_PROBE_S", 0.2)
    config = config_with(f"{module(project, SLOW)}.slow")
    told = []
    check_config(config, notify=told.append)
    what = "checking strategy 'mine' with model 'logreg' (data set 'iris')"
    assert told[0] == f"{what}: still querying after 0.2 s on a few dozen rows"
    assert re.fullmatch(
        rf"{re.escape(what)} took \d\.\d s: expect its cells to be slow too", told[1]
    )
    assert len(told) == 2  # the fast pairs are not told
