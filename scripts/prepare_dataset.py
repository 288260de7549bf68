"""Rule prepare_dataset: read a data set from its source into one checked Parquet table."""

from albench.data.sources import prepare_dataset
from albench.run.script import running
from albench.specs import DatasetSpec

with running(snakemake):
    prepare_dataset(DatasetSpec.from_json(snakemake.params.spec), snakemake.output.data)
