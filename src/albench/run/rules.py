"""The function each rule runs, named in the rule's `shell: job("NAME")`: it reads the rule's
named input, output and spec from its `Job` and calls one library function (imported here,
lazily, so that a job imports only what it uses).

Adding a rule: the rule in workflow/rules/, with `spec=` and `io=job_files` params and
`shell: job("NAME")`, and a function NAME here, `@register`ed. tests/test_rules.py checks that
every rule names a function here and that every function here has a rule.
"""

from __future__ import annotations

from collections.abc import Callable

from albench.errors import AlbenchError
from albench.run.job import Job

# Rules whose jobs run once per cell, reference, split or data set: the pool's workers import
# their modules when they start, so that none of those many small jobs pays for imports. The
# figure and summary modules are imported by the first such job on each worker (a dozen jobs).
HOT_MODULES = (
    "albench.learn.loop",
    "albench.learn.reference",
    "albench.data.splits",
    "albench.data.sources",
)


FUNCTIONS: dict[str, Callable[[Job], None]] = {}


def warm_up() -> None:
    """Import the modules of the jobs that run many times (HOT_MODULES)."""
    for module in HOT_MODULES:
        __import__(module)


def register(function: Callable[[Job], None]) -> Callable[[Job], None]:
    """Make `function` what rules whose shell is `job("<its name>")` run."""
    FUNCTIONS[function.__name__] = function
    return function


@register
def download_openml(job: Job) -> None:
    from albench.data.sources import download_openml
    from albench.specs import DatasetSpec

    download_openml(job.output.cache, DatasetSpec(**job.spec))


@register
def prepare_dataset(job: Job) -> None:
    from albench.data.sources import prepare_dataset
    from albench.specs import DatasetSpec

    prepare_dataset(DatasetSpec(**job.spec), job.output.data)


@register
def split(job: Job) -> None:
    from albench.data.splits import split_dataset
    from albench.specs import SplitSpec

    split_dataset(job.input.data, job.output.split, SplitSpec(**job.spec))


@register  # also al_cell_mapped's: the same job, with the embeddings output
def al_cell(job: Job) -> None:
    from albench.learn.loop import run_cell
    from albench.specs import CellSpec

    run_cell(  # input.code (the project's code it runs) is there for reruns only
        data=job.input.data,
        split=job.input.split,
        **job.output,
        cell=CellSpec(**job.spec),
        threads=job.threads,
    )


@register
def full_pool(job: Job) -> None:
    from albench.learn.reference import full_pool
    from albench.specs import ReferenceSpec

    full_pool(
        data=job.input.data,
        split=job.input.split,
        **job.output,
        reference=ReferenceSpec(**job.spec),
        threads=job.threads,
    )


@register
def summarise_dataset(job: Job) -> None:
    from albench.analysis.summary import summarise
    from albench.specs import SummarySpec

    spec = SummarySpec(**job.spec)
    summarise(
        job.input.cells,
        job.input.references,
        job.output,
        spec.baseline,
        spec.budgets,
        spec.equivalence_margin,
    )


@register
def aggregate(job: Job) -> None:
    from albench.analysis.summary import combine
    from albench.analysis.tables import PARTS

    parts = {name.removesuffix(PARTS): files for name, files in job.input.items()}
    combine(parts, tables=job.output)


@register
def verdict(job: Job) -> None:
    from albench.analysis.verdict import write_verdict
    from albench.specs import VerdictSpec

    write_verdict(**job.input, **job.output, spec=VerdictSpec(**job.spec))


@register
def plot_curves(job: Job) -> None:
    from albench.figures.plots import plot_learning_curves
    from albench.specs import FigureSpec

    plot_learning_curves(job.input.curves, job.output.figure, FigureSpec(**job.spec))


@register
def plot_heatmap(job: Job) -> None:
    from albench.figures.plots import plot_difference_heatmap
    from albench.specs import FigureSpec

    plot_difference_heatmap(job.input.comparison, job.output.figure, FigureSpec(**job.spec))


@register
def plot_cost_benefit(job: Job) -> None:
    from albench.figures.plots import plot_cost_benefit
    from albench.specs import FigureSpec

    plot_cost_benefit(**job.input, **job.output, spec=FigureSpec(**job.spec))


@register
def plot_critical_difference(job: Job) -> None:
    from albench.figures.plots import plot_critical_difference
    from albench.specs import FigureSpec

    plot_critical_difference(job.input.aubc, job.output.figure, FigureSpec(**job.spec))


@register
def plot_protocols(job: Job) -> None:
    from albench.figures.plots import plot_protocols
    from albench.specs import FigureSpec

    plot_protocols(**job.input, **job.output, spec=FigureSpec(**job.spec))


@register
def plot_embedding_map(job: Job) -> None:
    from albench.figures.embedding_maps import plot_embedding_map
    from albench.specs import MapSpec

    plot_embedding_map(job.input.embeddings, job.output.figure, MapSpec(**job.spec))


def function(name: str) -> Callable[[Job], None]:
    """Return the function `name`, which a rule's shell command names."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        known = ", ".join(sorted(FUNCTIONS))
        raise AlbenchError(f"no job function {name!r}; known: {known}") from None
