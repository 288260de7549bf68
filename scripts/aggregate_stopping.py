"""Rule aggregate_stopping: every data set's stopping tables joined into the overall ones, and
the criteria ranked across data sets."""

from albench.analysis.stops import combine_stopping
from albench.analysis.tables import PARTS
from albench.run.script import running

with running(snakemake):
    combine_stopping(
        {name.removesuffix(PARTS): list(files) for name, files in snakemake.input.items()},
        tables=dict(snakemake.output.items()),
    )
