"""Rule prepare_dataset: load, validate and encode one data set."""

from albench.datasets import prepare_dataset
from albench.logs import log_to

with log_to(snakemake.log[0]):
    prepare_dataset(snakemake.wildcards.dataset, snakemake.params.spec, snakemake.output[0])
