"""Rule plot_curves: the learning curves of one data set, model and protocol, with bands."""

from albench.figures.plots import plot_learning_curves
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_learning_curves(
        list(snakemake.input.curves),
        snakemake.output.figure,
        FigureSpec.from_json(snakemake.params.spec),
    )
