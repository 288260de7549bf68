"""Rule summarise_stopping: every stopping criterion replayed on one data set's cells."""

from albench.analysis.stops import summarise_stopping
from albench.run.script import running
from albench.specs import StoppingSpec

with running(snakemake):
    summarise_stopping(
        list(snakemake.input.cells),
        list(snakemake.input.records),
        dict(snakemake.output.items()),
        StoppingSpec.from_json(snakemake.params.spec),
    )
