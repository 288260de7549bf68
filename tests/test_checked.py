"""The config check and the schema validation, once per config (albench.plan.checked): what
they are keyed by, when they run again, and that a failure is never recorded."""

from __future__ import annotations

import copy
import os

import pytest
from helpers import SCHEMA, small_config, validated

from albench.env import CODE_PATH_ENV, RECHECK_ENV
from albench.errors import ConfigError
from albench.plan import checked
from albench.plan.checked import ProbeRecords, check_config_once, fingerprint, validate_once


@pytest.fixture
def calls(monkeypatch):
    """The configs `check_config` was called with (it passes unless a config has `fail`)."""
    seen = []

    def check(config, probed=None, notify=None):
        seen.append(copy.deepcopy(config))
        if config.get("fail"):
            raise ConfigError("fail: this config is bad")

    monkeypatch.setattr("albench.plan.checks.check_config", check)
    return seen


def test_a_config_is_checked_once_until_it_changes(tmp_path, calls, monkeypatch):
    monkeypatch.delenv(RECHECK_ENV, raising=False)
    config = validated(small_config())
    assert check_config_once(config, tmp_path) is True
    assert check_config_once(copy.deepcopy(config), tmp_path) is False
    assert len(calls) == 1
    changed = copy.deepcopy(config)
    changed["strategies"]["entropy"]["params"] = {"method": "margin_sampling"}
    assert check_config_once(changed, tmp_path) is True
    # The variable forces the check whatever the record says.
    monkeypatch.setenv(RECHECK_ENV, "1")
    assert check_config_once(config, tmp_path) is True
    assert len(calls) == 3


def test_a_failed_check_is_not_recorded(tmp_path, calls):
    config = {**validated(small_config()), "fail": True}
    for _ in range(2):
        with pytest.raises(ConfigError, match="fail: this config is bad"):
            check_config_once(config, tmp_path)
    assert len(calls) == 2
    assert not list((tmp_path / "checked").glob("*"))


@pytest.fixture
def probes(monkeypatch):
    """The (model, strategy, data set shape) of every probe run (the real probes)."""
    from albench.plan import probe

    seen = []
    real = probe.probe

    def counted(model, model_spec, strategy, strategy_spec, shape, *args):
        seen.append((model, strategy, shape.n_features))
        return real(model, model_spec, strategy, strategy_spec, shape, *args)

    monkeypatch.setattr(probe, "probe", counted)
    return seen


def test_an_edited_strategy_probes_only_its_own_pairs_again(tmp_path, probes, monkeypatch):
    monkeypatch.delenv(RECHECK_ENV, raising=False)
    config = validated(small_config())  # logreg x 3 strategies on iris (4 features), moons (2)
    check_config_once(config, tmp_path)
    assert len(probes) == 6
    edited = copy.deepcopy(config)
    edited["strategies"]["entropy"]["params"] = {"method": "margin_sampling"}
    probes.clear()
    assert check_config_once(edited, tmp_path) is True  # a new config: checked
    assert sorted(probes) == [("logreg", "entropy", 2), ("logreg", "entropy", 4)]
    # A model's edit probes its pairs with every strategy; the protocol's candidate subsample
    # is part of every strategy's probe.
    probes.clear()
    edited["models"]["logreg"]["params"]["C"] = 0.5
    check_config_once(edited, tmp_path)
    assert len(probes) == 6
    probes.clear()
    edited["protocol"]["candidate_subsample"] = 10
    check_config_once(edited, tmp_path)
    assert len(probes) == 6
    # ALBENCH_RECHECK probes every pair again.
    probes.clear()
    monkeypatch.setenv(RECHECK_ENV, "1")
    check_config_once(config, tmp_path)
    assert len(probes) == 6


def test_a_failed_probe_is_not_recorded(tmp_path, monkeypatch):
    from albench.plan import probe

    monkeypatch.setattr(probe, "probe", lambda *args: "ValueError: no")
    records = ProbeRecords(tmp_path)
    config = validated(small_config())
    with pytest.raises(ConfigError, match="strategies.random: RandomSampling cannot query"):
        from albench.plan.checks import check_config

        check_config(config, probed=records)
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


def test_a_probe_record_follows_the_specs_the_shape_and_the_code(tmp_path, monkeypatch):
    package = tmp_path / "mystrats"
    package.mkdir()
    (package / "__init__.py").write_text("X = 1\n")
    monkeypatch.setenv(CODE_PATH_ENV, str(tmp_path))
    records = ProbeRecords(tmp_path / "probed")
    model, mine = {"estimator": "sklearn.svm.SVC"}, {"query": "mystrats.Mine"}
    first = records.key("shape", 6, 2, specs=[model, mine])
    assert records.key("shape", 6, 2, specs=[dict(model), dict(mine)]) == first
    assert records.key("shape", 7, 2, specs=[model, mine]) != first
    assert records.key("shape", 6, 2, specs=[model, {"query": "mystrats.Other"}]) != first
    assert not records.passed(first)
    records.add(first)
    assert records.passed(first)
    assert not ProbeRecords(tmp_path / "probed", reuse=False).passed(first)
    (package / "__init__.py").write_text("X = 2\n")  # the strategy's code changed
    assert records.key("shape", 6, 2, specs=[model, mine]) != first


def test_only_the_latest_records_are_kept(tmp_path, calls, monkeypatch):
    monkeypatch.setattr(checked, "KEPT", 3)
    config = validated(small_config())
    for seeds in range(2, 8):
        check_config_once({**config, "seeds": seeds}, tmp_path)
    assert len(list((tmp_path / "checked").iterdir())) == 3
    assert check_config_once({**config, "seeds": 7}, tmp_path) is False


def test_the_fingerprint_follows_project_code_and_data_files(tmp_path, monkeypatch):
    package = tmp_path / "mystrats"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "density.py").write_text("X = 1\n")
    data = tmp_path / "table.csv"
    data.write_text("a,label\n1,x\n2,y\n")
    monkeypatch.setenv(CODE_PATH_ENV, str(tmp_path))
    config = validated(small_config())
    config["strategies"]["mine"] = {"query": "mystrats.density.Mine"}
    config["datasets"]["table"] = {"source": "file", "path": str(data), "label": "label"}
    first = fingerprint(config)
    assert fingerprint(copy.deepcopy(config)) == first
    (package / "density.py").write_text("X = 2\n")  # the strategy's package changed
    second = fingerprint(config)
    assert second != first
    os.utime(data, ns=(1, 1))  # the data file changed (its time)
    third = fingerprint(config)
    assert third not in (first, second)
    data.unlink()  # and gone: the check runs again, and says so
    assert fingerprint(config) not in (first, second, third)
    # Code of another folder, or of a package the config does not name, does not count.
    (tmp_path / "other.py").write_text("Y = 1\n")
    before = fingerprint(config)
    (tmp_path / "other.py").write_text("Y = 2\n")
    assert fingerprint(config) == before


def test_validation_is_kept_and_fills_the_same_defaults(tmp_path, monkeypatch):
    raw = small_config()
    once = copy.deepcopy(raw)
    validate_once(once, SCHEMA, tmp_path)
    assert once == validated(raw)
    assert len(list((tmp_path / "validated").iterdir())) == 1
    # The second time, from the record: jsonschema's validate is not called.
    monkeypatch.setattr("snakemake.utils.validate", lambda *a, **k: pytest.fail("validated"))
    again = copy.deepcopy(raw)
    validate_once(again, SCHEMA, tmp_path)
    assert again == once and list(again) == list(once)  # the same keys in the same order
    assert list(again["strategies"]) == list(raw["strategies"])


def test_an_invalid_config_fails_every_time_and_is_not_recorded(tmp_path):
    from snakemake.exceptions import WorkflowError

    bad = {**small_config(), "seeds": "ten"}
    for _ in range(2):
        with pytest.raises(WorkflowError, match="seeds"):
            validate_once(copy.deepcopy(bad), SCHEMA, tmp_path)
    assert not (tmp_path / "validated").exists() or not list((tmp_path / "validated").iterdir())


def no_probabilities(config):
    """`config` with a model that gives no class probabilities, which entropy needs: refused
    only by the part of the check that imports."""
    config = copy.deepcopy(config)
    config["models"]["svc"] = {"estimator": "sklearn.svm.SVC"}
    return config


NO_PROBABILITIES = "models.svc: SVC gives no class probabilities"


def test_a_config_that_fails_its_check_raises_every_time(tmp_path, monkeypatch):
    monkeypatch.delenv(RECHECK_ENV, raising=False)
    config = validated(small_config())
    assert check_config_once(config, tmp_path) is True
    assert check_config_once(config, tmp_path) is False  # recorded
    bad = no_probabilities(config)
    for _ in range(2):
        with pytest.raises(ConfigError, match=NO_PROBABILITIES):
            check_config_once(bad, tmp_path)
    assert len(list((tmp_path / "checked").iterdir())) == 1  # the good config's record
