"""Rule plot_critical_difference: mean ranks of the strategies across data sets, one model."""

from albench.logs import log_to
from albench.plots import plot_critical_difference

with log_to(snakemake.log[0]):
    plot_critical_difference(
        snakemake.input[0],
        model=snakemake.wildcards.model,
        output=snakemake.output[0],
        strategies=snakemake.params.strategies,
        baseline=snakemake.params.baseline,
        metric=snakemake.params.metric,
    )
