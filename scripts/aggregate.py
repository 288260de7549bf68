"""Rule aggregate: every data set's summary tables joined into the overall tables."""

from albench.analysis.summary import combine
from albench.analysis.tables import PARTS
from albench.run.script import running

with running(snakemake):
    combine(
        {name.removesuffix(PARTS): list(files) for name, files in snakemake.input.items()},
        tables=dict(snakemake.output.items()),
    )
