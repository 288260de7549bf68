"""Every environment variable albench reads, in one place (no imports: the job client reads
this at every job's start)."""

# The socket of the warm worker pool that jobs hand themselves to (set by `pool.start`).
POOL_ENV = "ALBENCH_POOL"
# Set by a user or test: no pool, every job in its own process.
NO_POOL_ENV = "ALBENCH_NO_POOL"
# Set in the environment of a cluster submission that runs a group of jobs in one Snakemake
# (the albench-slurm executor sets it; see `pool.start_for_submission`).
GROUP_POOL_ENV = "ALBENCH_GROUP_POOL"
# Every rule's command starts "$ALBENCH_PYTHON" "$ALBENCH_JOB" (workflow/rules/common.smk).
PYTHON_ENV = "ALBENCH_PYTHON"
ENTRY_ENV = "ALBENCH_JOB"
# Overrides the seconds between a cell's checkpoints (tests, tuning; albench.learn.loop).
CHECKPOINT_SECONDS_ENV = "ALBENCH_CHECKPOINT_SECONDS"
# The project folders a config's own code (strategies, models) is imported from, joined by
# os.pathsep (set by the Snakefile; albench.usercode).
CODE_PATH_ENV = "ALBENCH_CODE_PATH"
# Set by a user or test: run the config check even where this config passed it before
# (albench.plan.checked).
RECHECK_ENV = "ALBENCH_RECHECK"
# Overrides the seconds of failing status queries after which an albench-slurm run stops (tests,
# tuning; snakemake_executor_plugin_albench_slurm.status).
STATUS_FAILING_SECONDS_ENV = "ALBENCH_STATUS_FAILING_SECONDS"
# Seconds a local run's worker pool waits, idle, for the next `snakemake` call in the same folder
# to adopt it (albench.run.pool); 0: the pool stops with its run.
POOL_LINGER_ENV = "ALBENCH_POOL_LINGER"
