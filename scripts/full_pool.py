"""Rule full_pool: the model trained on every learnable row, the reference for label savings."""

from albench.logs import log_to
from albench.reference import full_pool

with log_to(snakemake.log[0]):
    full_pool(
        snakemake.input.data,
        snakemake.input.split,
        snakemake.output[0],
        spec_json=snakemake.params.spec,
        seed=int(snakemake.wildcards.seed),
        threads=snakemake.threads,
    )
