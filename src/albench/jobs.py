"""The workflow's jobs by name, and the one function that runs a job from its command line.

A rule's shell command is `python scripts/job.py NAME LOG key=value key:=json ...`:
`key=value` passes a string and `key:=json` a JSON value (numbers, lists, objects). Each job
below maps those arguments to one library call.

Jobs that read many files take a path pattern and the lists it expands over, not the paths: a
command line must stay short at any grid size (Linux refuses one argument over 128 KiB, about
2 000 paths), and the rule declares the same expansion as its input.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from albench.datasets import download_openml, prepare_dataset
from albench.errors import AlbenchError
from albench.logs import log_to
from albench.loop import run_cell
from albench.reference import full_pool
from albench.splits import split_dataset

log = logging.getLogger(__name__)


def al_cell(*, data, split, curve, selection, cell, seed, threads=1, embeddings=None) -> None:
    run_cell(
        data,
        split,
        curve,
        selection,
        cell_json=cell,
        seed=seed,
        threads=threads,
        embeddings_path=embeddings or None,
    )


def full_pool_job(*, data, split, output, spec, seed, threads=1) -> None:
    full_pool(data, split, output, spec_json=spec, seed=seed, threads=threads)


def prepare_dataset_job(*, name, spec, output) -> None:
    prepare_dataset(name, json.loads(spec), output)


def download_openml_job(*, openml, output) -> None:
    request = json.loads(openml)
    download_openml(request["name"], request["spec"], output)


def split_job(*, data, output, name, seed, test_size, initial_size, validation_size) -> None:
    split_dataset(
        data,
        output,
        name=name,
        seed=seed,
        test_size=test_size,
        initial_size=initial_size,
        validation_size=validation_size,
    )


def expand_pattern(pattern: str, **axes: list[Any]) -> list[str]:
    """Fill `pattern`'s {names} with every combination of the values in `axes`, in order."""
    names = list(axes)
    return [
        pattern.format(**dict(zip(names, values, strict=True)))
        for values in itertools.product(*(axes[name] for name in names))
    ]


def summarise_dataset_job(
    *, dataset, curve_pattern, reference_pattern, models, strategies, seeds, baseline, **outputs
) -> None:
    from albench.summary import summarise

    curves = expand_pattern(
        curve_pattern, dataset=[dataset], model=models, strategy=strategies, seed=seeds
    )
    references = expand_pattern(reference_pattern, dataset=[dataset], model=models, seed=seeds)
    summarise(curves, outputs, baseline=baseline, reference_paths=references)


def aggregate_job(*, summaries, datasets, **outputs) -> None:
    from albench.summary import DATASET_TABLES, combine

    parts = []
    for directory in expand_pattern(summaries, dataset=datasets):
        part = {name: f"{directory}/{name}.csv" for name in DATASET_TABLES}
        parts.append({**part, "curves": f"{directory}/curves.parquet"})
    combine(parts, outputs)


def plot_curves_job(
    *, curves, dataset, model, output, strategies, seeds, baseline, metrics
) -> None:
    from albench.plots import plot_learning_curves

    paths = expand_pattern(
        curves, dataset=[dataset], model=[model], strategy=strategies, seed=seeds
    )
    plot_learning_curves(paths, dataset, model, output, strategies, baseline, metrics)


def plot_heatmap_job(*, comparison, model, output, strategies, baseline, metric) -> None:
    from albench.plots import plot_difference_heatmap

    plot_difference_heatmap(comparison, model, output, strategies, baseline, metric)


def plot_cost_benefit_job(*, cost, summary, model, output, strategies, baseline, metric) -> None:
    from albench.plots import plot_cost_benefit

    plot_cost_benefit(cost, summary, model, output, strategies, baseline, metric)


def plot_critical_difference_job(*, aubc, model, output, strategies, baseline, metric) -> None:
    from albench.plots import plot_critical_difference

    plot_critical_difference(aubc, model, output, strategies, baseline, metric)


def plot_embedding_map_job(*, embeddings, iteration, output, method, title, seed) -> None:
    from albench.embedding_maps import plot_embedding_map

    plot_embedding_map(embeddings, iteration, output, method=method, title=title, seed=seed)


JOBS: dict[str, Callable[..., Any]] = {
    "al_cell": al_cell,
    "full_pool": full_pool_job,
    "prepare_dataset": prepare_dataset_job,
    "download_openml": download_openml_job,
    "split": split_job,
    "summarise_dataset": summarise_dataset_job,
    "aggregate": aggregate_job,
    "plot_curves": plot_curves_job,
    "plot_heatmap": plot_heatmap_job,
    "plot_cost_benefit": plot_cost_benefit_job,
    "plot_critical_difference": plot_critical_difference_job,
    "plot_embedding_map": plot_embedding_map_job,
}


def parse_job(argv: list[str]) -> tuple[str, str, dict[str, Any]]:
    """Split a job command line into its name, log path and keyword arguments."""
    if len(argv) < 2:
        raise AlbenchError("a job needs a name and a log path")
    name, log_path, rest = argv[0], argv[1], argv[2:]
    if name not in JOBS:
        raise AlbenchError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}")
    kwargs: dict[str, Any] = {}
    for arg in rest:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise AlbenchError(f"job {name}: argument {arg!r} is not key=value or key:=json")
        if key.endswith(":"):
            try:
                kwargs[key[:-1]] = json.loads(value)
            except json.JSONDecodeError as error:
                raise AlbenchError(f"job {name}: {key}= is not JSON: {error}") from None
        else:
            kwargs[key] = value
    return name, log_path, kwargs


def run_job(argv: list[str]) -> None:
    """Run the job `argv` names, writing its log records, warnings and errors to its log file."""
    name, log_path, kwargs = parse_job(argv)
    with log_to(Path(log_path)):
        start = time.perf_counter()
        JOBS[name](**kwargs)
        log.info("job %s computed for %.3f s", name, time.perf_counter() - start)
