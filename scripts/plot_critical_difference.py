"""Rule plot_critical_difference: the strategies' mean ranks over data sets and seeds."""

from albench.figures.plots import plot_critical_difference
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_critical_difference(
        snakemake.input.aubc, snakemake.output.figure, FigureSpec.from_json(snakemake.params.spec)
    )
