"""Rule summarise_dataset: one data set's AUBC, paired tests, label savings and ranks."""

from albench.analysis.summary import summarise
from albench.run.script import running
from albench.specs import SummarySpec

with running(snakemake):
    summarise(
        list(snakemake.input.cells),
        list(snakemake.input.references),
        dict(snakemake.output.items()),
        SummarySpec.from_json(snakemake.params.spec),
        data=snakemake.input.data,
    )
