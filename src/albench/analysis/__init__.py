"""Tables, tests and the answer in words: AUBCs, the comparison pipeline (`compare`), label
savings, budgets, rank agreement, the verdict.

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
