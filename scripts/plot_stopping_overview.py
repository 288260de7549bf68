"""Rule plot_stopping_overview: each stopping criterion's regret, per data set."""

from albench.figures.stopping import plot_stopping_overview
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_stopping_overview(
        snakemake.input.summary,
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
