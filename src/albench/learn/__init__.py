"""One cell's learning: the AL loop and what it is built from (models, strategies, the
oracle, metrics, the full-pool reference, checkpoints, the CNN).

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
