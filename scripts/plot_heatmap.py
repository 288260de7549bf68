"""Rule plot_heatmap: AUBC difference to the baseline, data sets x strategies, one model."""

from albench.logs import log_to
from albench.plots import plot_difference_heatmap

with log_to(snakemake.log[0]):
    plot_difference_heatmap(
        snakemake.input[0],
        model=snakemake.wildcards.model,
        output=snakemake.output[0],
        strategies=snakemake.params.strategies,
        baseline=snakemake.params.baseline,
        metric=snakemake.params.metric,
    )
