"""Declared dependencies: minimum versions that the code and the workflow really need."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from helpers import REPO
from packaging.requirements import Requirement
from packaging.version import Version


def requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {Requirement(r).name: Requirement(r) for r in project["dependencies"]}


def minimum(requirement: Requirement) -> Version:
    (spec,) = [s for s in requirement.specifier if s.operator == ">="]
    return Version(spec.version)


def test_snakemake_minimum_reads_the_default_profile_and_matches_min_version():
    snakemake = requirements()["snakemake"]
    # profiles/default/profile.yaml (the default config comes from it) is read since 9.19;
    # older versions find no config at all. The logger plugin's filter takes `verbose` since 9.23.
    assert (REPO / "profiles/default/profile.yaml").exists()
    assert minimum(snakemake) >= Version("9.23")
    declared = re.search(r'min_version\("([\d.]+)"\)', (REPO / "Snakefile").read_text())[1]
    assert Version(declared) == minimum(snakemake)


def test_reports_are_part_of_the_product():
    # `snakemake --report` needs pygments, which only the reports extra brings.
    assert "reports" in requirements()["snakemake"].extras


def test_numpy_minimum_has_what_the_code_calls():
    uses_trapezoid = any("np.trapezoid" in p.read_text() for p in (REPO / "src").rglob("*.py"))
    assert not uses_trapezoid or minimum(requirements()["numpy"]) >= Version("2.0")


def test_conda_environment_declares_every_dependency_with_the_same_minimum():
    env = yaml.safe_load((REPO / "envs/albench.yaml").read_text())
    entries = [e for e in env["dependencies"] if isinstance(e, str)]
    entries += [e for d in env["dependencies"] if isinstance(d, dict) for e in d.get("pip", [])]
    conda = {}
    for entry in entries:
        if ">=" in entry:
            name, version = entry.split(">=")
            conda[name.strip()] = Version(version.split()[0])
    assert set(requirements()) <= set(conda), set(requirements()) - set(conda)
    for name, requirement in requirements().items():
        assert conda[name] == minimum(requirement), name


def test_the_workflow_imports_nothing_heavy_to_plan_or_to_run_one_job():
    # Every Snakemake process parses the Snakefile, a cluster job's too; what the Snakefile and
    # the rule files import must not pull scikit-learn, scikit-activeml, scipy or torch (the
    # main process imports them for the config check only).
    import subprocess
    import sys

    modules = [
        "albench.plan.checks",
        "albench.errors",
        "albench.run.internals",
        "albench.run.workers",
        "snakemake_executor_plugin_albench",
        "albench.plan.grid",
        "albench.data.sources",
        "albench.analysis.tables",
    ]
    code = (
        f"import sys; import {', '.join(modules)}; "
        "print(sorted(m for m in ('sklearn', 'skactiveml', 'scipy', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_albench_slurm_executor_is_a_plugin_snakemake_finds():
    from snakemake_interface_executor_plugins.registry import ExecutorPluginRegistry

    stock = pytest.importorskip("snakemake_executor_plugin_slurm", reason="the slurm extra")
    plugin = ExecutorPluginRegistry().get_plugin("albench-slurm")
    SlurmExecutor = stock.Executor

    assert issubclass(plugin.executor, SlurmExecutor)


def test_without_the_slurm_extra_snakemake_still_starts_and_the_executor_says_why():
    # Snakemake imports every installed executor plugin at each start: albench's must import
    # without the SLURM plugin (an install without the `slurm` extra), and say what is missing
    # when chosen.
    import subprocess
    import sys

    code = """
import sys
sys.modules["snakemake_executor_plugin_slurm"] = None  # as if not installed
import snakemake_executor_plugin_albench_slurm as plugin
from snakemake_interface_executor_plugins.executors.base import AbstractExecutor
from snakemake_interface_executor_plugins.settings import CommonSettings
assert isinstance(plugin.common_settings, CommonSettings)
assert issubclass(plugin.Executor, AbstractExecutor)
try:
    plugin.Executor(None, None)
except Exception as error:
    print(type(error).__name__, error)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("WorkflowError")
    assert "pip install 'albench[slurm]'" in out.stdout


def test_the_lowest_versions_installed_by_make_test_min_are_the_promised_ones():
    pins = {}
    for line in (REPO / "constraints-min.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.strip()] = Version(version.strip())
    assert set(pins) == set(requirements())
    for name, requirement in requirements().items():
        assert pins[name] == minimum(requirement), name
