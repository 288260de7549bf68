"""Rule split: one seed's train/test split and initial labelled set of a data set."""

from albench.data.splits import split_dataset
from albench.run.script import running
from albench.specs import SplitSpec

with running(snakemake):
    split_dataset(
        snakemake.input.data, snakemake.output.split, SplitSpec.from_json(snakemake.params.spec)
    )
