"""Figures: learning curves, heat maps, cost-benefit and critical-difference diagrams,
protocol agreement, embedding maps.

Nothing is imported here: the Snakefile imports modules of `albench.plan` and
`albench.analysis` at every start and must not pay for the heavy ones."""
