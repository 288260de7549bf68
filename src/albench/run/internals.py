"""Every attribute of Snakemake's objects that albench reads beyond their public interfaces, in
one place. Each is read, never replaced; pyproject.toml caps Snakemake at the releases the test
suite ran against, and tests/test_internals.py fails first where a release moves one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from albench.run.script import Files, ScriptJob


def is_main_process(workflow: Any) -> bool:
    """Whether this Snakemake plans the run (not one that runs jobs for another: a cluster
    submission, `--mode remote` or `subprocess`)."""
    return bool(workflow.is_main_process)


def config_files(workflow: Any) -> list[str]:
    """The config files given with --configfile (or the profile's `configfile:`)."""
    return [str(path) for path in workflow.overwrite_configfiles]


def deployment_methods(workflow: Any) -> set[str]:
    """The software deployment methods in use (CONDA, APPTAINER, ENV_MODULES)."""
    return {method.name for method in workflow.deployment_settings.deployment_method}


def keeps_going(workflow: Any) -> bool:
    """Whether the run goes on after a failed job (--keep-going)."""
    return bool(workflow.execution_settings.keep_going)


def has_action(rule: Any) -> bool:
    """Whether a rule does anything when its job runs (a `script:`, `shell:`, `run:`, ...);
    a target rule such as `all` only asks for its input."""
    return not rule.norun


def python_script(job: Any) -> Path | None:
    """The Python file of a job's `script:` directive (resolved as Snakemake does, beside the
    rule's file), or None for a job of another kind."""
    script = getattr(job.rule, "script", None)
    if not script or not str(script).endswith(".py") or "://" in str(script):
        return None
    return (Path(job.rule.snakefile).parent / str(script)).resolve()


def script_job(job: Any) -> ScriptJob:
    """What a script reads of `job` (`snakemake.input`, `.output`, `.params`, ...), as plain
    values that travel to a worker."""
    return ScriptJob(
        rule=job.rule.name,
        input=_files(job.input),
        output=_files(job.output),
        log=_files(job.log),
        params=_files(job.params),
        wildcards=_files(job.wildcards),
        threads=int(job.threads),
        resources={k: v for k, v in job.resources.items() if not callable(v)},
    )


def _files(named: Any) -> Files:
    def plain(value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else _scalar(value)

    return Files([plain(v) for v in named], {name: plain(v) for name, v in named.items()})


def _scalar(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value  # Snakemake's path strings: str


def report_requested() -> bool:
    """Whether this Snakemake process was started to write a report (`--report`): read from
    its command line, as the Snakefile is parsed before Snakemake says so anywhere."""
    return any(arg == "--report" or arg.startswith("--report=") for arg in sys.argv[1:])
