import copy
import json

import pytest
import yaml
from helpers import REPO, SCHEMA, small_config, validated
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from albench.errors import ConfigError
from albench.learn.metrics import METRICS, REGRESSION_METRICS
from albench.plan.checks import check_config, design_warnings
from albench.plan.grid import cell_spec, cells, metrics_of, reference_spec, seed_list
from albench.protocol import check_protocol_fits, resolve_protocol, resolve_size
from albench.tasks import TASK_METRICS


def test_default_config_is_valid_and_fits():
    config = validated(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    check_config(config)
    assert len(cells(config)) == 5 * 2 * 5 * 10


def test_schema_fills_protocol_defaults():
    config = small_config()
    del config["protocol"], config["baseline"]
    config = validated(config)
    assert config["protocol"]["test_size"] == 0.25
    # Metrics default per task, where a data set's cells are planned.
    assert "metrics" not in config["protocol"]
    assert metrics_of(config, "iris") == ["accuracy", "balanced_accuracy", "f1_macro"]
    assert cell_spec(config, "iris", "logreg", "random", 0).protocol["metrics"] == [
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
    ]
    assert config["baseline"] == "random"


def test_unknown_metrics_are_refused_naming_the_key():
    config = validated(small_config())
    config["protocol"]["metrics"] = ["accuracy", "auroc"]
    with pytest.raises(ConfigError, match=r"protocol.metrics: \['auroc'\] is no metric; the "):
        check_config(config, probe=False)
    config["protocol"]["metrics"] = {"regression": ["accuracy"]}
    with pytest.raises(
        ConfigError, match=r"protocol.metrics.regression: \['accuracy'\] is no regression metric"
    ):
        check_config(config, probe=False)


def test_schema_metrics_match_the_library():
    schema = yaml.safe_load(SCHEMA.read_text())
    described = schema["$defs"]["metric_list"]["description"]
    for names in TASK_METRICS.values():
        assert all(name in described for name in names)
    assert set(TASK_METRICS["classification"]) == set(METRICS)
    assert set(TASK_METRICS["regression"]) == set(REGRESSION_METRICS)


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda c: c.update(colour="blue"), "colour"),
        (lambda c: c["protocol"].update(batchsize=3), "batchsize"),
        (lambda c: c["protocol"].update(metrics={"clasification": ["accuracy"]}), "clasif"),
        (lambda c: c["protocol"].update(iterations="ten"), "ten"),
        (lambda c: c["protocol"].update(test_size=1.5), "test_size"),
        (lambda c: c["protocol"].update(batch_size=0), "batch_size"),
        (lambda c: c["protocol"].update(initial_size=1.5), "initial_size"),
        (lambda c: c.update(seeds=0), "seeds"),
        (lambda c: c.update(seeds=[]), "seeds"),
        (lambda c: c.update(seeds=[1, -2]), "seeds"),
        (lambda c: c["datasets"]["iris"].update(source="ftp"), "ftp"),
        (lambda c: c["datasets"]["iris"].update(name="mnist"), "mnist"),
        (lambda c: c["datasets"].update({"a__b": {"source": "sklearn", "name": "iris"}}), "a__b"),
        (lambda c: c["models"]["logreg"].update(estimator="LogisticRegression"), "estimator"),
        (lambda c: c["strategies"]["random"].update(prams={}), "prams"),
        (lambda c: c.pop("models"), "models"),
        (lambda c: c.update(strategies={}), "strategies"),
        (lambda c: c["protocol"].update(budget=50), "budget"),  # with iterations
        (lambda c: c["protocol"].update(validation_size=0), "validation_size"),
        (lambda c: c["protocol"].update(label_noise=1.0), "label_noise"),
        (lambda c: c.update(budgets=[0, 50]), "budgets"),
        (lambda c: c.update(budgets=[12.5]), "budgets"),
        (lambda c: c.update(budgets=[20, 20]), "budgets"),
        (lambda c: c["protocol"].update(label_noise=-0.1), "label_noise"),
    ],
)
def test_schema_errors_name_the_key(edit, fragment):
    config = small_config()
    edit(config)
    with pytest.raises(WorkflowError, match=fragment):
        validate(config, str(SCHEMA))


def test_label_noise_reaches_cells_and_references_only_when_set():
    config = validated(small_config())
    exact = (
        cell_spec(config, "iris", "logreg", "random", 0),
        reference_spec(config, "iris", "logreg", 0),
    )
    assert "label_noise" not in exact[0].protocol and "label_noise" not in exact[1].to_dict()
    config["protocol"]["label_noise"] = 0.2
    noisy = (
        cell_spec(config, "iris", "logreg", "random", 0),
        reference_spec(config, "iris", "logreg", 0),
    )
    assert noisy[0].protocol["label_noise"] == 0.2 and noisy[1].to_dict()["label_noise"] == 0.2
    assert type(noisy[1])(**json.loads(noisy[1].to_json())) == noisy[1]


def test_data_and_a_model_are_a_whole_config():
    # A first benchmark on one's own data names the data and a model (here a protocol too, as
    # iris is small): the seed's five strategies and 10 seeds (enough for a verdict on four
    # strategies) are the defaults.
    config = {key: small_config()[key] for key in ("datasets", "models", "protocol")}
    validate(config, str(SCHEMA))
    check_config(config)
    assert list(config["strategies"]) == ["random", "entropy", "least_confident", "margin", "badge"]
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    assert config["strategies"] == validated(default)["strategies"]
    assert config["seeds"] == 10 and config["baseline"] == "random"
    assert design_warnings(config) == []


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda c: c.update(baseline="uniform"), r"baseline: 'uniform' is not one of"),
        (
            lambda c: c.update(strategies={"random": {"query": "RandomSampling"}}),
            r"strategies: only the baseline 'random'",
        ),
        (
            lambda c: c["strategies"]["entropy"].update(query="Entropy"),
            r"strategies.entropy.query: 'Entropy' is not a query strategy",
        ),
        (
            lambda c: c["models"]["logreg"].update(estimator="sklearn.linear_model.Nope"),
            r"models.logreg.estimator: module 'sklearn.linear_model' has no 'Nope'",
        ),
        (
            lambda c: c["models"]["logreg"].update(estimator="nosuchpkg.Model"),
            r"models.logreg.estimator: cannot import 'nosuchpkg.Model': no module named",
        ),
        (
            lambda c: c["protocol"].update(iterations=25),
            r"protocol: data set 'moons' has 90 samples outside the test and validation sets, "
            r"but initial_size \(6\) "
            r"\+ iterations \(25\) x batch_size \(4\) = 106",
        ),
        (
            # JSON schema counts 1.0 as an integer; the library refuses it as a fraction
            lambda c: c["protocol"].update(initial_size=1.0),
            r"protocol.initial_size: a fraction must lie in \(0, 1\), got 1.0",
        ),
    ],
)
def test_semantic_errors_name_the_key(edit, pattern):
    config = validated(small_config())
    edit(config)
    with pytest.raises(ConfigError, match=pattern):
        check_config(config)


def test_protocol_fit_uses_fractions_of_each_data_set():
    config = validated(small_config())
    config["protocol"].update(batch_size=0.2, iterations=4)  # iris: 30 per round -> 126 > 112
    with pytest.raises(ConfigError, match="data set 'iris'"):
        check_config(config)


def test_seed_list():
    assert seed_list({"seeds": 3}) == [0, 1, 2]
    assert seed_list({"seeds": [5, 0, 7]}) == [5, 0, 7]
    with pytest.raises(ConfigError, match="repeats"):
        seed_list({"seeds": [1, 1]})


def test_resolve_size():
    assert resolve_size(7, 1000, "k") == 7
    assert resolve_size(0.03, 2746, "k") == 82  # the seed's 3 % of the flowers
    assert resolve_size(0.001, 100, "k") == 1
    with pytest.raises(ConfigError, match="k: a fraction"):
        resolve_size(1.5, 100, "k")


def test_cell_spec_depends_only_on_its_own_strategy():
    config = validated(small_config())
    before = {s: cell_spec(config, "iris", "logreg", s, 0) for s in config["strategies"]}
    config["strategies"]["entropy"]["params"]["method"] = "least_confident"
    config["strategies"]["added"] = {"query": "RandomSampling", "params": {}}
    config["datasets"]["wine"] = {"source": "sklearn", "name": "wine"}
    after = {s: cell_spec(config, "iris", "logreg", s, 0) for s in before}
    assert [s for s in before if before[s] != after[s]] == ["entropy"]


def test_cell_spec_is_independent_of_key_order():
    config = validated(small_config())
    reordered = copy.deepcopy(config)
    reordered["protocol"] = dict(reversed(list(config["protocol"].items())))
    # Snakemake compares params by repr: equal configs must give equal reprs.
    spec = cell_spec(config, "iris", "logreg", "badge", 0)
    assert repr(spec) == repr(cell_spec(reordered, "iris", "logreg", "badge", 0))
    assert type(spec)(**json.loads(spec.to_json())) == spec  # what its job receives


def test_budget_gives_the_full_batches_that_fit():
    sizes = resolve_protocol(
        {"test_size": 0.25, "initial_size": 10, "batch_size": 7, "budget": 50}, 200
    )
    assert (sizes.initial, sizes.batch, sizes.iterations) == (10, 7, 5)  # 10 + 5 x 7 = 45 <= 50
    sizes = resolve_protocol(
        {"test_size": 0.25, "initial_size": 10, "batch_size": 0.05, "budget": 0.3}, 200
    )
    assert (sizes.batch, sizes.iterations) == (10, 5)  # budget 60
    with pytest.raises(ConfigError, match="protocol.budget: 12 labels leave no room"):
        resolve_protocol(
            {"test_size": 0.25, "initial_size": 10, "batch_size": 5, "budget": 12}, 200
        )


def test_default_iterations_and_validation_in_the_fit_check():
    sizes = resolve_protocol({"test_size": 0.2, "initial_size": 5, "batch_size": 5}, 100)
    assert sizes.iterations == 20 and sizes.validation == 0 and sizes.learnable == 80
    protocol = {"test_size": 0.2, "initial_size": 5, "batch_size": 5, "validation_size": 0.1}
    assert resolve_protocol(protocol, 100).learnable == 70
    with pytest.raises(ConfigError, match="has 70 samples outside the test and validation"):
        check_protocol_fits("d", {**protocol, "iterations": 14}, 100)


def test_design_warnings_name_the_seeds_that_could_tell():
    config = small_config()
    compared = len(config["strategies"]) - 1
    config["seeds"] = 3
    (warning,) = design_warnings(config)
    assert warning.startswith("seeds: 3 seed(s) cannot show")
    needed = {1: 6, 2: 7, 3: 7, 4: 8}[compared]
    assert f"{needed} seeds can" in warning
    config["seeds"] = needed
    assert design_warnings(config) == []


def test_named_protocols_replace_keys_of_the_protocol():
    from albench.plan.grid import protocol_names, protocol_of

    config = validated(
        {
            **small_config(),
            "protocols": {"cold": {"initial_size": 1, "batch_size": 1, "budget": 20}, "same": {}},
        }
    )
    assert protocol_names(config) == ["cold", "same"]
    cold = protocol_of(config, "cold")
    assert (cold["initial_size"], cold["batch_size"], cold["budget"]) == (1, 1, 20)
    assert "iterations" not in cold  # a named budget replaces the defaults' iterations
    assert protocol_of(config, "same") == config["protocol"]
    assert {c["protocol"] for c in cells(config)} == {"cold", "same"}
    assert len(cells(config)) == 2 * len(cells(validated(small_config())))
    check_config(config, probe=False)
    plain = validated(small_config())
    assert protocol_names(plain) == ["default"] and protocol_of(plain) == plain["protocol"]
    with pytest.raises(ConfigError, match="no protocol named 'hot'"):
        protocol_of(config, "hot")


@pytest.mark.parametrize(
    ("protocols", "fragment"),
    [
        ({"cold": {"intial_size": 1}}, "intial_size"),
        ({"a__b": {}}, "a__b"),
        ({"noisy": {"label_noise": 1.0}}, "label_noise"),
        ({"both": {"iterations": 3, "budget": 10}}, "protocols"),
        ({"m": {"metrics": ["accuracy"]}}, "metrics"),
        ({}, "protocols"),
    ],
)
def test_bad_protocols_are_refused_by_the_schema(protocols, fragment):
    config = {**small_config(), "protocols": protocols}
    with pytest.raises(WorkflowError, match=fragment):
        validate(config, str(SCHEMA))


def test_a_protocol_too_large_for_a_data_set_names_its_key():
    config = validated({**small_config(), "protocols": {"ok": {}, "big": {"batch_size": 500}}})
    with pytest.raises(ConfigError, match=r"protocols.big: data set 'iris' has 112 samples"):
        check_config(config, probe=False)


@pytest.mark.parametrize(
    "key, default",
    [
        ("test_size", 0.25),
        ("initial_size", 10),
        ("batch_size", 10),
        ("iterations", 20),
        ("label_noise", 0),
        ("label_noise", 0.0),
        ("metrics", ["accuracy", "balanced_accuracy", "f1_macro"]),
    ],
)
def test_a_default_written_out_plans_the_same_jobs_as_one_left_out(key, default):
    from albench.plan.grid import cell_spec, reference_spec, split_spec

    left_out = small_config()
    left_out["protocol"] = {}
    written = copy.deepcopy(left_out)
    written["protocol"][key] = default
    for spec in (cell_spec, reference_spec):
        specs = [
            spec(validated(c), "iris", "logreg", *(["entropy"] if spec is cell_spec else []), 0)
            for c in (left_out, written)
        ]
        assert specs[0].to_json() == specs[1].to_json(), key
    splits = [split_spec(validated(c), "iris", 0).to_json() for c in (left_out, written)]
    assert splits[0] == splits[1]
