"""Rule plot_heatmap: each strategy's AUBC difference to the baseline, per data set."""

from albench.figures.plots import plot_difference_heatmap
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_difference_heatmap(
        snakemake.input.comparison,
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
