"""Rule download_openml: fetch an OpenML data set into its local cache file."""

from albench.data.sources import download_openml
from albench.run.script import running
from albench.specs import DatasetSpec

with running(snakemake):
    download_openml(snakemake.output.cache, DatasetSpec.from_json(snakemake.params.spec))
