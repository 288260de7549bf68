"""Rule verdict: the answer in words (results/verdict.txt)."""

from albench.analysis.verdict import write_verdict
from albench.run.script import running
from albench.specs import VerdictSpec

with running(snakemake):
    write_verdict(
        **dict(snakemake.input.items()),
        **dict(snakemake.output.items()),
        spec=VerdictSpec.from_json(snakemake.params.spec),
    )
