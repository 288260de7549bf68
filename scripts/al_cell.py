"""Rules al_cell and al_cell_mapped: one active-learning loop, its learning curve and selections
(and al_cell_mapped's embeddings). input.code, the project code the cell runs, is there for
reruns only."""

from albench.learn.loop import run_cell
from albench.run.script import running
from albench.specs import CellSpec

with running(snakemake):
    run_cell(
        data=snakemake.input.data,
        split=snakemake.input.split,
        **dict(snakemake.output.items()),
        cell=CellSpec.from_json(snakemake.params.spec),
        threads=snakemake.threads,
    )
