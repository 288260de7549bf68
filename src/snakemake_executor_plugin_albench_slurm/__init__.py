"""Snakemake's SLURM executor, with grouped submissions that run their jobs side by side.

`executor: albench-slurm` submits, cancels and maps resources exactly as `executor: slurm`
(snakemake-executor-plugin-slurm, which it subclasses; its settings keep their meaning under the
`albench-slurm-` prefix). Two things differ:

- A grouped submission of the stock plugin runs its jobs with the `slurm-jobstep` executor: one
  at a time (`--jobs 1`), each as an `srun` step that starts a whole Snakemake of its own (the
  Snakefile parsed again) before the job's command (snakemake-executor-plugin-slurm issue 469).
  Here a grouped submission runs its jobs with albench's local executor instead
  (snakemake_executor_plugin_albench): as many at once as the allocation has CPUs (`--cores all`
  counts the CPUs SLURM gave the job), each in a warm worker of the one Snakemake of the
  submission, `--keep-going` so that one failing job does not stop the others. Ungrouped
  submissions are unchanged (an `srun` step).
- The stock plugin waits 10 s longer after every status check that finds no job finished (up
  to 180 s), so a stage of short jobs is seen done long after it is. Here the wait never
  exceeds `--seconds-between-status-checks` (10 s unless the profile says otherwise).
- A status query that fails is never waited on silently (`status.StatusWatch`, which asks the
  stock plugin's own query before each of its checks): a failing `sacct` falls back to `squeue`
  with a warning naming `albench-slurm-status-command`, and queries that keep failing stop the
  run with that message; the submissions' states (queued, running, finished) are logged as they
  change, for albench's progress view. The stock
  executor's `slurm-*` settings in a profile of this executor, which have no effect here, are
  warned about with the name to write.
"""

from __future__ import annotations

import threading

from snakemake_executor_plugin_albench_slurm.status import (
    StatusWatch,
    counts,
    describe,
    stock_setting_warning,
    stock_settings_in_use,
)

# What a grouped submission's Snakemake gets instead of `--executor slurm-jobstep --jobs 1`.
GROUP_ARGS = "--executor albench --keep-going"
MISSING = (
    "the albench-slurm executor needs the SLURM executor plugin: "
    "pip install 'albench[slurm]' (snakemake-executor-plugin-slurm)"
)

try:
    from snakemake_executor_plugin_slurm import Executor as SlurmExecutor
    from snakemake_executor_plugin_slurm import ExecutorSettings as ExecutorSettings
    from snakemake_executor_plugin_slurm import common_settings
except ImportError:  # albench installed without its `slurm` extra
    SlurmExecutor = None


if SlurmExecutor is not None:

    class Executor(SlurmExecutor):
        """SLURM submission whose grouped jobs run in parallel within their allocation."""

        _formatting = threading.local()  # submissions are formatted in several threads
        # Set in __post_init__, which runs after the status thread started (RemoteExecutor).
        _watch: StatusWatch | None = None
        _cluster: dict | None = None

        @property
        def _submitted(self) -> set[str]:
            return self.__dict__.setdefault("_submitted_ids", set())

        def __post_init__(self, test_mode: bool = False) -> None:
            super().__post_init__(test_mode)
            import snakemake_executor_plugin_slurm as stock

            for key, where in stock_settings_in_use():
                self.logger.warning(stock_setting_warning(key, where))
            self._watch = StatusWatch(
                stock.query_job_status,
                stock.query_job_status_squeue(self.run_uuid),
                self.workflow.executor_settings,
                self.logger,
            )
            self._sacct_command = stock.query_job_status_sacct(self.run_uuid)

        def format_job_exec(self, job) -> str:
            self._formatting.group = job.is_group()
            try:
                return super().format_job_exec(job)
            finally:
                self._formatting.group = False

        def additional_general_args(self) -> str:
            if getattr(self._formatting, "group", False):
                return GROUP_ARGS
            return super().additional_general_args()

        @property
        def _reported(self) -> set[str]:
            return self.__dict__.setdefault("_reported_ids", set())

        def report_job_success(self, job_info) -> None:
            self._reported.add(job_info.external_jobid)
            super().report_job_success(job_info)

        def report_job_error(self, job_info, msg=None, **kwargs) -> None:
            self._reported.add(job_info.external_jobid)
            super().report_job_error(job_info, msg, **kwargs)

        async def check_active_jobs(self, active_jobs):
            self._submitted.update(job.external_jobid for job in active_jobs)
            still = []
            try:
                if self._watch is not None:  # falls back, or stops the run (`status`)
                    command = self._watch.squeue_command
                    if self.get_status_command() == "sacct":
                        command = self._sacct_command
                    await self._watch.query(command, self.logger)
                async for job in super().check_active_jobs(active_jobs):
                    still.append(job.external_jobid)
                    yield job
            except Exception:
                # Snakemake's shutdown does not cancel what is on the cluster: cancel it here.
                self.cancel_jobs(active_jobs)
                raise
            # The stock executor drops every job of a check whose query failed: neither reported
            # nor kept active, so Snakemake would wait on them forever.
            for job in active_jobs:
                if job.external_jobid not in still and job.external_jobid not in self._reported:
                    still.append(job.external_jobid)
                    yield job
            longest = self.workflow.remote_execution_settings.seconds_between_status_checks
            self.next_seconds_between_status_checks = min(
                self.next_seconds_between_status_checks, longest
            )
            now = counts(self._submitted, still, self._watch.states if self._watch else {})
            if now != self._cluster and now["submitted"]:  # said when it changes, not always
                self._cluster = now
                self.logger.info(f"albench-slurm: {describe(now)}", extra={"albench_cluster": now})

else:
    # Snakemake imports every installed executor plugin at each start, so this module must
    # import without the SLURM plugin; choosing the executor then fails with the fix.
    from snakemake_interface_common.exceptions import WorkflowError
    from snakemake_interface_executor_plugins.executors.remote import RemoteExecutor
    from snakemake_interface_executor_plugins.settings import CommonSettings

    common_settings = CommonSettings(
        non_local_exec=True, implies_no_shared_fs=False, job_deploy_sources=False
    )

    class Executor(RemoteExecutor):
        """Stands in where the SLURM plugin is missing: creating it says how to install it."""

        def __new__(cls, *args, **kwargs):
            raise WorkflowError(MISSING)
