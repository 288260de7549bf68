"""Rule plot_protocols: how the strategies' AUBC gains agree across protocols."""

from albench.figures.plots import plot_protocols
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_protocols(
        **dict(snakemake.input.items()),
        **dict(snakemake.output.items()),
        spec=FigureSpec.from_json(snakemake.params.spec),
    )
