"""Every rule of the workflow against the function it runs (albench.run.rules), without
running a job: the workflow is loaded through Snakemake's API, each rule's function is called on
a Job with the rule's own input, output and params names, and the library function it calls
(replaced by a mock with the real signature) must accept what it is given."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from unittest import mock

import pytest
from helpers import REPO

from albench.run import rules
from albench.run.job import Job, Named


@pytest.fixture(scope="module")
def workflow_rules(tmp_path_factory):
    """The rules of a workflow whose config needs every rule (an OpenML set, embedding maps)."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    config = {
        "datasets": {
            "iris": {"source": "sklearn", "name": "iris"},
            "cached": {"source": "openml", "id": 40, "cache_dir": "cache"},
        },
        "models": {
            "mlp": {
                "estimator": "albench.models.EmbeddingMLPClassifier",
                "params": {"hidden_layer_sizes": [8], "max_iter": 50},
            }
        },
        "strategies": {"random": {"query": "RandomSampling"}, "entropy": {"query": "Badge"}},
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 3, "iterations": 2},
        "protocols": {"cold": {"initial_size": 3}, "warm": {}},
        "budgets": [9],
        "embedding_maps": {"models": ["mlp"], "iterations": [1]},
    }
    with SnakemakeApi(OutputSettings()) as api:
        loaded = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(config=config),
            snakefile=REPO / "Snakefile",
            workdir=tmp_path_factory.mktemp("workflow"),
        )
        return {rule.name: rule for rule in loaded._workflow.rules if rule.name != "all"}


def named_function(rule) -> str:
    """The function of albench/run/rules.py that `rule`'s shell command names."""
    match = re.fullmatch(
        r'"\$ALBENCH_PYTHON" "\$ALBENCH_JOB" (\w+) \{log:q\} \{threads\} '
        r"\{params\.io:q\} \{params\.spec:q\}",
        rule.shellcmd,
    )
    assert match, f"rule {rule.name} does not run a job: {rule.shellcmd}"
    return match[1]


def test_every_rule_runs_a_job_function_and_every_function_has_a_rule(workflow_rules):
    named = {name: named_function(rule) for name, rule in workflow_rules.items()}
    assert set(named.values()) == set(rules.FUNCTIONS)
    # A rule runs the function of its own name, but for one that reuses another rule's job.
    assert {r: f for r, f in named.items() if r != f} == {"al_cell_mapped": "al_cell"}
    for rule in workflow_rules.values():
        assert list(rule.params.keys()) == ["spec", "io"], rule.name


def library_calls(function) -> dict[str, str]:
    """{name: module} of the albench names a rule's function imports (its library calls)."""
    tree = ast.parse(inspect.getsource(function))
    return {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module.startswith("albench.")
        for alias in node.names
    }


def test_every_rules_function_takes_the_rules_names(workflow_rules):
    for name, rule in workflow_rules.items():
        function = rules.function(named_function(rule))
        job = Job(
            name=name,
            input=Named({key: Path(key) for key in rule.input.keys()}, f"{name}'s input"),
            output=Named({key: Path(key) for key in rule.output.keys()}, f"{name}'s output"),
            spec={},
            log=Path("log"),
        )
        calls = library_calls(function)
        functions = [f"{module}.{n}" for n, module in calls.items() if n[0].islower()]
        specs = [f"{module}.{n}" for n, module in calls.items() if n.endswith("Spec")]
        mocks = [mock.patch(path, autospec=True).start() for path in functions]
        for path in specs:  # any spec data is fine here: the real ones are tested elsewhere
            mock.patch(path).start()
        try:
            function(job)  # a name the rule lacks raises; a wrong keyword fails autospec
        finally:
            mock.patch.stopall()
        assert [m.call_count for m in mocks] == [1], name
