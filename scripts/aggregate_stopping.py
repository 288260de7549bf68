"""Rule aggregate_stopping: every data set's stopping tables joined into the overall ones."""

from albench.analysis.summary import concatenate
from albench.analysis.tables import PARTS
from albench.run.script import running

with running(snakemake):
    concatenate(
        {name.removesuffix(PARTS): list(files) for name, files in snakemake.input.items()},
        tables=dict(snakemake.output.items()),
    )
