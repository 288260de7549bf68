"""The function each rule runs, named like the rule: it reads the rule's named input, output
and spec from its `Job` and calls one library function (imported here, lazily, so that a job
imports only what it uses).

Adding a rule: the rule in workflow/rules/, with `spec=` and `io=job_files` params and
`shell: JOB`, and a function here registered for it by `@rule()`. tests/test_rules.py checks
that every rule has one and that every function here has a rule.
"""

from __future__ import annotations

from collections.abc import Callable

from albench.errors import AlbenchError
from albench.run.job import Job

# Rules whose jobs run once per cell, reference, split or data set: the pool's workers import
# their modules when they start, so that none of those many small jobs pays for imports. The
# figure and summary modules are imported by the first such job on each worker (a dozen jobs).
HOT_MODULES = ("albench.loop", "albench.reference", "albench.splits", "albench.sources")


RULES: dict[str, Callable[[Job], None]] = {}


def warm_up() -> None:
    """Import the modules of the jobs that run many times (HOT_MODULES)."""
    for module in HOT_MODULES:
        __import__(module)


def rule(*names: str) -> Callable[[Callable[[Job], None]], Callable[[Job], None]]:
    """Register the decorated function as the job of the rules `names` (default: its name)."""

    def register(function: Callable[[Job], None]) -> Callable[[Job], None]:
        for name in names or (function.__name__,):
            RULES[name] = function
        return function

    return register


@rule()
def download_openml(job: Job) -> None:
    from albench.sources import download_openml
    from albench.specs import DatasetSpec

    download_openml(job.output.cache, DatasetSpec(**job.spec))


@rule()
def prepare_dataset(job: Job) -> None:
    from albench.sources import prepare_dataset
    from albench.specs import DatasetSpec

    prepare_dataset(DatasetSpec(**job.spec), job.output.data)


@rule()
def split(job: Job) -> None:
    from albench.specs import SplitSpec
    from albench.splits import split_dataset

    split_dataset(job.input.data, job.output.split, SplitSpec(**job.spec))


@rule("al_cell", "al_cell_mapped")  # mapped: the same job, with the embeddings output
def al_cell(job: Job) -> None:
    from albench.loop import run_cell
    from albench.specs import CellSpec

    run_cell(
        **job.input,
        **job.output,
        cell=CellSpec(**job.spec),
        threads=job.threads,
    )


@rule()
def full_pool(job: Job) -> None:
    from albench.reference import full_pool
    from albench.specs import ReferenceSpec

    full_pool(**job.input, **job.output, reference=ReferenceSpec(**job.spec), threads=job.threads)


@rule()
def summarise_dataset(job: Job) -> None:
    from albench.specs import SummarySpec
    from albench.summary import summarise

    spec = SummarySpec(**job.spec)
    summarise(job.input.cells, job.input.references, job.output, spec.baseline, spec.budgets)


@rule()
def aggregate(job: Job) -> None:
    from albench.summary import combine
    from albench.tables import PARTS

    parts = {name.removesuffix(PARTS): files for name, files in job.input.items()}
    combine(parts, tables=job.output)


@rule()
def verdict(job: Job) -> None:
    from albench.specs import VerdictSpec
    from albench.verdict import write_verdict

    write_verdict(**job.input, **job.output, spec=VerdictSpec(**job.spec))


@rule()
def plot_curves(job: Job) -> None:
    from albench.plots import plot_learning_curves
    from albench.specs import FigureSpec

    plot_learning_curves(job.input.curves, job.output.figure, FigureSpec(**job.spec))


@rule()
def plot_heatmap(job: Job) -> None:
    from albench.plots import plot_difference_heatmap
    from albench.specs import FigureSpec

    plot_difference_heatmap(job.input.comparison, job.output.figure, FigureSpec(**job.spec))


@rule()
def plot_cost_benefit(job: Job) -> None:
    from albench.plots import plot_cost_benefit
    from albench.specs import FigureSpec

    plot_cost_benefit(**job.input, **job.output, spec=FigureSpec(**job.spec))


@rule()
def plot_critical_difference(job: Job) -> None:
    from albench.plots import plot_critical_difference
    from albench.specs import FigureSpec

    plot_critical_difference(job.input.aubc, job.output.figure, FigureSpec(**job.spec))


@rule()
def plot_protocols(job: Job) -> None:
    from albench.plots import plot_protocols
    from albench.specs import FigureSpec

    plot_protocols(**job.input, **job.output, spec=FigureSpec(**job.spec))


@rule()
def plot_embedding_map(job: Job) -> None:
    from albench.embedding_maps import plot_embedding_map
    from albench.specs import MapSpec

    plot_embedding_map(job.input.embeddings, job.output.figure, MapSpec(**job.spec))


def function(name: str) -> Callable[[Job], None]:
    """Return the function rule `name` runs."""
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise AlbenchError(f"no job for rule {name!r}; known: {known}") from None
