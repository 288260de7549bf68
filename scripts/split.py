"""Rule split: the paired test / initial / pool split of one data set and seed."""

from albench.logs import log_to
from albench.splits import split_dataset

with log_to(snakemake.log[0]):
    split_dataset(
        snakemake.input[0],
        snakemake.output[0],
        name=snakemake.wildcards.dataset,
        seed=int(snakemake.wildcards.seed),
        test_size=snakemake.params.test_size,
        initial_size=snakemake.params.initial_size,
        validation_size=snakemake.params.validation_size,
    )
