"""Rule plot_stops: where each stopping criterion stops one data set's cells."""

from albench.figures.stopping import plot_stops
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_stops(
        snakemake.input.stops,
        snakemake.input.curves,
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
