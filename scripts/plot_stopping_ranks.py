"""Rule plot_stopping_ranks: the stopping criteria's critical-difference diagram."""

from albench.figures.stopping import plot_stopping_ranks
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_stopping_ranks(
        snakemake.input.summary,
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
