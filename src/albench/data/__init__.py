"""Data in: the data sources (`sources`), the prepared data set, and the paired splits.

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
