"""What the Snakefile runs to plan a run and report a failed one: config checks and probes,
the grid of cells with each job's spec, the failed-run verdict.

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
