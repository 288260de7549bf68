"""Rule plot_curves: the learning-curve figure of one data set x model."""

from albench.logs import log_to
from albench.plots import plot_learning_curves

with log_to(snakemake.log[0]):
    plot_learning_curves(
        snakemake.input,
        dataset=snakemake.wildcards.dataset,
        model=snakemake.wildcards.model,
        output=snakemake.output[0],
        strategies=snakemake.params.strategies,
        baseline=snakemake.params.baseline,
        metrics=snakemake.params.metrics,
    )
