"""Rule plot_cost_benefit: each strategy's query time against its AUBC gain."""

from albench.figures.plots import plot_cost_benefit
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_cost_benefit(
        **dict(snakemake.input.items()),
        **dict(snakemake.output.items()),
        spec=FigureSpec.from_json(snakemake.params.spec),
    )
