"""Rule explorer: one self-contained page that explores every result (results/explorer.html)."""

from albench.explorer.data import explorer_data
from albench.explorer.page import write_page
from albench.run.script import running
from albench.specs import ExplorerSpec

with running(snakemake):
    tables = {k: v for k, v in snakemake.input.items() if k != "verdict"}
    write_page(
        explorer_data(
            tables, snakemake.input.verdict, ExplorerSpec.from_json(snakemake.params.spec)
        ),
        snakemake.output.page,
    )
