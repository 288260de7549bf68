"""Rule plot_embedding_map: a 2-D map of the pool at one iteration, the queried rows marked."""

from albench.figures.embedding_maps import plot_embedding_map
from albench.run.script import running
from albench.specs import MapSpec

with running(snakemake):
    plot_embedding_map(
        snakemake.input.embeddings,
        snakemake.output.figure,
        MapSpec.from_json(snakemake.params.spec),
    )
