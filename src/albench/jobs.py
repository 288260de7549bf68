"""The workflow's jobs: each rule runs one library function, named in JOBS, on its named input,
output and params.

Every rule's shell command is the same (`JOB` in workflow/rules/common.smk):

    python scripts/job.py LAYOUT LOG THREADS INPUT... OUTPUT... PARAMS...

where LAYOUT (the `layout` param the Snakefile adds to every rule, see `job_layout`) names the
job (its rule) and the rule's inputs (with their counts, for lists), outputs and params in
order. `parse_job` turns
that back into keyword arguments, each converted to the type the function declares: paths to
`Path`, specs (`albench.specs`) from the Python literal their `str` gave. The rule's input list
is the only enumeration of what an aggregating job reads.
"""

from __future__ import annotations

import ast
import inspect
import json
import logging
import os
import time
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from albench.errors import AlbenchError
from albench.logs import log_to
from albench.pool import WORKER_ENV
from albench.specs import Spec

log = logging.getLogger(__name__)


def _function(path: str) -> Callable[..., Any]:
    """Import `module.function` from albench (lazily: a job imports only what it uses)."""
    module, _, name = path.rpartition(".")
    return getattr(__import__(f"albench.{module}", fromlist=[name]), name)


# Rule name -> the library function it runs (module.function inside albench).
JOBS: dict[str, str] = {
    "download_openml": "sources.download_openml",
    "prepare_dataset": "sources.prepare_dataset",
    "split": "splits.split_dataset",
    "al_cell": "loop.run_cell",
    "al_cell_mapped": "loop.run_cell",
    "full_pool": "reference.full_pool",
    "summarise_dataset": "summary.summarise",
    "aggregate": "summary.combine",
    "plot_curves": "plots.plot_learning_curves",
    "plot_heatmap": "plots.plot_difference_heatmap",
    "plot_cost_benefit": "plots.plot_cost_benefit",
    "plot_critical_difference": "plots.plot_critical_difference",
    "plot_protocols": "plots.plot_protocols",
    "plot_embedding_map": "embedding_maps.plot_embedding_map",
    "verdict": "verdict.write_verdict",
}


# The jobs that run once per cell, reference, split or data set: the pool's workers import
# their modules when they start, so that none of those many small jobs pays for imports. The
# figure and summary modules are imported by the first such job on each worker (a dozen jobs).
HOT_JOBS = ("al_cell", "full_pool", "split", "prepare_dataset")


def warm_up() -> None:
    """Import the modules of the jobs that run many times (HOT_JOBS)."""
    for rule in HOT_JOBS:
        _function(JOBS[rule])


def job_layout(input: Any, output: Any, job: str, param_names: list[str]) -> str:
    """Return the LAYOUT argument of a job: its name (the rule's), its input and output names
    with their counts (None for a single file) and its param names, as JSON. Every entry must
    be named."""

    def counts(files: Any, kind: str) -> list[list[Any]]:
        entries = [[name, len(value) if isinstance(value, list) else None]
                   for name, value in files.items()]  # fmt: skip
        if sum(1 if n is None else n for _, n in entries) != len(files):
            raise AlbenchError(f"every {kind} of an albench rule must be named")
        return entries

    return json.dumps(
        {"job": job, "input": counts(input, "input"), "output": counts(output, "output"),
         "params": param_names}, separators=(",", ":"))  # fmt: skip


def job_argv(
    rule: str,
    log: str | Path,
    input: dict[str, Any],
    output: dict[str, Any],
    params: dict[str, Any],
    threads: int = 1,
) -> list[str]:
    """Return the command line (after scripts/job.py) that the workflow's JOB gives a rule with
    these named input, output and params (values as in a rule: paths, lists of paths, specs)."""

    def flat(files: dict[str, Any]) -> list[str]:
        return [str(v) for value in files.values()
                for v in (value if isinstance(value, list) else [value])]  # fmt: skip

    class Named(dict):
        """Named files counted as Snakemake's named lists count them (lists flattened)."""

        def __len__(self):
            return len(flat(self))

    layout = job_layout(Named(input), Named(output), rule, list(params))
    return [layout, str(log), str(threads), *flat(input), *flat(output),
            *map(str, params.values()), layout]  # fmt: skip


def parse_job(argv: list[str]) -> tuple[str, str, dict[str, Any]]:
    """Split a job command line into its rule name, log path and typed keyword arguments."""
    if len(argv) < 3:
        raise AlbenchError("a job needs a layout, a log path and threads")
    layout, log_path, threads, values = argv[0], argv[1], argv[2], argv[3:]
    shape = json.loads(layout)
    rule = shape["job"]
    if rule not in JOBS:
        raise AlbenchError(f"unknown job {rule!r}; known: {', '.join(sorted(JOBS))}")
    raw: dict[str, Any] = {}
    position = 0
    for section in ("input", "output"):
        for name, count in shape[section]:
            if count is None:
                raw[name], position = values[position], position + 1
            else:
                raw[name], position = values[position : position + count], position + count
    for name in shape["params"]:
        raw[name], position = values[position], position + 1
    if position != len(values) - 1:  # the layout param itself comes last
        raise AlbenchError(f"job {rule}: {len(values)} values do not fit its layout {layout}")
    raw["threads"] = threads
    return rule, log_path, typed_arguments(_function(JOBS[rule]), raw)


def typed_arguments(function: Callable[..., Any], raw: dict[str, Any]) -> dict[str, Any]:
    """Return `raw` (strings, lists of strings) converted to the types `function` declares;
    names it does not declare go to its **kwargs as paths. A name the function cannot take is
    a wiring error between a rule and its function (only `threads` is optional)."""
    hints = typing.get_type_hints(function)
    parameters = inspect.signature(function).parameters
    takes_more = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    arguments = {}
    for name, value in raw.items():
        if name in parameters and parameters[name].kind is not inspect.Parameter.VAR_KEYWORD:
            arguments[name] = convert(value, hints.get(name, str))
        elif takes_more and name != "threads":
            arguments[name] = [Path(v) for v in value] if isinstance(value, list) else Path(value)
        elif name != "threads":
            raise AlbenchError(
                f"{function.__module__}.{function.__qualname__} takes no argument {name!r}, "
                "which its rule names"
            )
    return arguments


def convert(value: str | list[str], kind: Any) -> Any:
    """Return the command-line `value` as type `kind` (Path, int, a Spec, a list of those)."""
    if isinstance(value, list):
        (item,) = typing.get_args(kind) or (str,)
        return [convert(v, item) for v in value]
    if typing.get_origin(kind) in (types.UnionType, typing.Union):  # `str | Path` is a path
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        kind = Path if Path in options else options[0]
    if isinstance(kind, type) and issubclass(kind, Spec):
        return kind.from_literal(value)
    if kind in (Path, int, float):
        return kind(value)
    if kind is str or kind is Any:
        return value
    return ast.literal_eval(value)


def run_job(argv: list[str]) -> None:
    """Run the job `argv` names, writing its log records, warnings and errors to its log file."""
    rule, log_path, kwargs = parse_job(argv)
    with log_to(Path(log_path)):
        start = time.perf_counter()
        _function(JOBS[rule])(**kwargs)
        where = "a pool worker" if os.environ.get(WORKER_ENV) else "its own process"
        if slurm_job := os.environ.get("SLURM_JOB_ID"):
            where += f" of SLURM job {slurm_job}"
        log.info("job %s computed for %.3f s in %s", rule, time.perf_counter() - start, where)
