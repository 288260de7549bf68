"""Files out and in: atomic writes, Parquet with albench's metadata, the output schemas and
provenance, log routing.

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
