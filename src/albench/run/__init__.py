"""How a job runs: every rule's entry point (`client`), the warm worker pool (`pool`), the Job
a rule's function reads (`job`), the function each rule runs (`rules`), running one job
with its log (`runner`), and two fixes to the Snakemake process that the Snakefile applies:
its scheduler's timers (`scheduling`) and its exit (`teardown`).

Nothing in the library imports this package; it imports the library lazily, job by job.
"""
