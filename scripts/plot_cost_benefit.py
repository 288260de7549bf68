"""Rule plot_cost_benefit: median query time against mean AUBC per strategy, one model."""

from albench.logs import log_to
from albench.plots import plot_cost_benefit

with log_to(snakemake.log[0]):
    plot_cost_benefit(
        snakemake.input.cost,
        snakemake.input.summary,
        model=snakemake.wildcards.model,
        output=snakemake.output[0],
        strategies=snakemake.params.strategies,
        baseline=snakemake.params.baseline,
        metric=snakemake.params.metric,
    )
