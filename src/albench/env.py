"""Every environment variable albench reads, in one place."""

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
# Set in the albench executor's warm workers (albench.run.workers), for the job logs' last line.
WORKER_ENV = "ALBENCH_WORKER"
