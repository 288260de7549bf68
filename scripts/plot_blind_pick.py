"""Rule plot_blind_pick: each blind-pick policy's regret on the held-out data sets."""

from albench.figures.trust import plot_blind_pick
from albench.run.script import running
from albench.specs import FigureSpec

with running(snakemake):
    plot_blind_pick(
        snakemake.input.table, snakemake.output.figure, FigureSpec.from_json(snakemake.params.spec)
    )
