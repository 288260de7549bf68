"""Snakemake executor `albench`: Snakemake's local execution, with warm worker processes.

`executor: albench` (profiles/default) runs every job on this machine, as Snakemake's local
executor does, except that a job whose rule has a Python `script:` runs in one of a few warm
worker processes (`albench.run.workers`) instead of a fresh interpreter: it skips the ~1.5 s
import of scikit-learn and friends. A target rule with nothing to run (`all`) completes at once;
any other job (a `shell:` or `run:` rule, or every job under --use-conda or a container) runs as
Snakemake runs a cluster job: its own `snakemake` process.
The workers start with the executor and end with it: none outlives the `snakemake` call.

The rules do not know which executor runs them: `--executor local` (or `--workflow-profile
none`) runs the same scripts in Snakemake's way, with the same results.
"""

import os
import shlex
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Optional

from snakemake_interface_executor_plugins.executors.base import SubmittedJobInfo
from snakemake_interface_executor_plugins.executors.real import RealExecutor
from snakemake_interface_executor_plugins.jobs import JobExecutorInterface
from snakemake_interface_executor_plugins.settings import (
    CommonSettings,
    ExecMode,
    ExecutorSettingsBase,
)

common_settings = CommonSettings(
    non_local_exec=False,  # every job runs on this machine, local rules included
    implies_no_shared_fs=False,
    job_deploy_sources=False,
    pass_envvar_declarations_to_cmd=True,
    auto_deploy_default_storage_provider=False,
)


@dataclass
class ExecutorSettings(ExecutorSettingsBase):
    workers: Optional[int] = field(  # noqa: UP045
        default=None,
        metadata={"help": "warm worker processes (default: --cores)"},
    )


def overridden_profile_executor(argv: list[str]) -> tuple[str, str] | None:
    """The (profile, executor) of a global profile (--profile, $SNAKEMAKE_PROFILE) that names
    an executor other than albench, which the default workflow profile's `executor: albench`
    overrides (Snakemake lets a workflow profile win); None if there is none, or the command
    line names the executor or another workflow profile."""
    import yaml
    from snakemake.cli import get_profile_dir

    if any(arg.startswith(("--executor", "-e", "--workflow-profile")) for arg in argv):
        return None
    profiles = [os.environ["SNAKEMAKE_PROFILE"]] if os.environ.get("SNAKEMAKE_PROFILE") else []
    profiles += [
        argv[i + 1] if arg == "--profile" else arg.partition("=")[2]
        for i, arg in enumerate(argv)
        if (arg == "--profile" and i + 1 < len(argv)) or arg.startswith("--profile=")
    ]
    for profile in profiles:
        entry = get_profile_dir(profile)
        if entry is None:
            continue
        try:
            executor = (yaml.safe_load(open(entry[1])) or {}).get("executor")
        except (OSError, yaml.YAMLError):
            continue
        if executor and executor != "albench":
            return profile, str(executor)
    return None


class Executor(RealExecutor):
    """Local execution, Python scripts in warm workers (see the module)."""

    def __post_init__(self) -> None:
        from albench.run.internals import deployment_methods

        if overridden := overridden_profile_executor(sys.argv[1:]):
            from snakemake_interface_common.exceptions import WorkflowError

            profile, executor = overridden
            raise WorkflowError(
                f"the profile {profile} names `executor: {executor}`, but albench's workflow "
                "profile (profiles/default) names `executor: albench` and takes precedence: "
                f"pass --executor {executor} as well (or use that profile as "
                "--workflow-profile, as profiles/slurm is meant to be)"
            )

        cores = self.workflow.resource_settings.cores or 1
        self._cancelled = False
        self._threads = ThreadPoolExecutor(max_workers=cores + 5)
        self._workers = None
        if not deployment_methods(self.workflow):  # else jobs run in their environments
            from albench.run.workers import Workers

            settings = self.workflow.executor_settings
            self._workers = Workers((settings and settings.workers) or cores)

    def run_job(self, job: JobExecutorInterface) -> None:
        from albench.run.internals import has_action, python_script, script_job

        script = None if self._workers is None or job.is_group() else python_script(job)
        if not job.is_group() and not has_action(job.rule):
            future = self._threads.submit(lambda: None)  # a target rule: nothing to run
        elif script is None:
            future = self._threads.submit(self._spawn, job)
        else:
            for path in [*job.output, *job.log]:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            future = self._threads.submit(self._workers.run, str(script), script_job(job))
        job_info = SubmittedJobInfo(job=job)
        future.add_done_callback(partial(self._done, job_info))
        self.report_job_submission(job_info)

    def _spawn(self, job: JobExecutorInterface) -> None:
        status = subprocess.call(self.format_job_exec(job), shell=True)
        if status != 0:
            raise RuntimeError(f"its snakemake process exited with status {status}")

    def _done(self, job_info: SubmittedJobInfo, future: Future) -> None:
        if self._cancelled:
            return  # the run was interrupted: its jobs were stopped, they did not fail
        error = None if future.cancelled() else future.exception()
        if error is None:
            self.report_job_success(job_info)
        else:
            log = ", ".join(job_info.job.log) or "none"
            self.report_job_error(job_info, msg=f"{error} (log: {log})")

    def cancel(self) -> None:
        self._cancelled = True
        if self._workers is not None:
            self._workers.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self._threads.shutdown(wait=True)
        if self._workers is not None:
            self._workers.stop()

    def get_exec_mode(self) -> ExecMode:
        return ExecMode.SUBPROCESS

    def get_python_executable(self) -> str:
        return sys.executable

    def get_job_exec_prefix(self, job: JobExecutorInterface) -> str:
        return f"cd {shlex.quote(self.workflow.workdir_init)}"

    @property
    def job_specific_local_groupid(self) -> bool:
        return False

    @property
    def cores(self) -> int:
        return self.workflow.resource_settings.cores

    def handle_job_success(self, job: JobExecutorInterface) -> None:
        pass

    def handle_job_error(self, job: JobExecutorInterface) -> None:
        pass
