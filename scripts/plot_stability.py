"""Rule plot_stability: each verdict re-decided on subsets of its seeds."""

from albench.figures.trust import plot_stability
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_stability(
        snakemake.input.stability,
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
