"""Rule aggregate: all curves into the summary tables."""

from albench.logs import log_to
from albench.summary import aggregate

with log_to(snakemake.log[0]):
    aggregate(
        snakemake.input,
        curves_out=snakemake.output.curves,
        aubc_out=snakemake.output.aubc,
        summary_out=snakemake.output.summary,
    )
