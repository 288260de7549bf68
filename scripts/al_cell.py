"""Rule al_cell: one active-learning loop, data set x model x strategy x seed."""

from albench.logs import log_to
from albench.loop import run_cell

with log_to(snakemake.log[0]):
    run_cell(
        snakemake.input.data,
        snakemake.input.split,
        snakemake.output.curve,
        snakemake.output.selection,
        cell_json=snakemake.params.cell,
        seed=int(snakemake.wildcards.seed),
        threads=snakemake.threads,
    )
