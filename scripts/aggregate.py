"""Rule aggregate: all curves into the summary tables."""

from albench.logs import log_to
from albench.summary import aggregate

with log_to(snakemake.log[0]):
    aggregate(
        snakemake.input.curves,
        dict(snakemake.output.items()),
        baseline=snakemake.params.baseline,
        reference_paths=snakemake.input.references,
    )
