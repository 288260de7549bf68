"""Rule blind_pick: each data set's strategy picked blind from the others' results."""

from albench.analysis.blind import write_blind_pick
from albench.run.script import running
from albench.specs import BlindPickSpec

with running(snakemake):
    spec = BlindPickSpec.from_json(snakemake.params.spec)
    write_blind_pick(
        snakemake.input.aubc,
        snakemake.input.comparison,
        snakemake.output.table,
        snakemake.output.summary,
        spec.baseline,
        spec.strategies,
        spec.metrics,
        spec.policies,
    )
