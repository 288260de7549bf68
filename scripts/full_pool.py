"""Rule full_pool: the model trained on the whole labelled pool, the curves' reference line."""

from albench.learn.reference import full_pool
from albench.run.script import running
from albench.specs import ReferenceSpec

with running(snakemake):
    full_pool(
        data=snakemake.input.data,
        split=snakemake.input.split,
        scores=snakemake.output.scores,
        reference=ReferenceSpec.from_json(snakemake.params.spec),
        threads=snakemake.threads,
    )
