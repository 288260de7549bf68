"""Status queries that never hang silently, and what the cluster is doing, for the progress view.

The stock SLURM executor asks `sacct` (or `squeue`) for the state of its submissions at every
status check; when the command fails it logs that at debug level only and asks again at the
next check, forever: on a cluster whose `sacct` cannot answer (no accounting daemon) a run
shows no progress and never ends. `StatusWatch` sits between the executor and its query:

- a failing `sacct` query is replaced at once by the same question to `squeue`, with a warning
  that names the setting to write (`albench-slurm-status-command: squeue`), and `squeue` is used
  for the rest of the run;
- when no query answers for FAILING_SECONDS (and at least FAILING_CHECKS checks), the run stops
  with an error that says what failed, instead of waiting on (a check whose query failed keeps
  its jobs active: the stock executor drops them, and Snakemake would wait on them forever);
- the states of the submissions (queued, running, finished) are logged whenever they change,
  one INFO record carrying `albench_cluster`, which albench's progress view shows in its line.

The executor asks `StatusWatch.query` before each of the stock executor's checks (which asks
again itself): one more `squeue` or `sacct` call every check, in exchange for leaving the stock
plugin's functions as they are.

`stock_settings_in_use` finds the stock executor's `slurm-*` settings in the profiles and on the
command line of a run whose executor is albench-slurm, where they have no effect.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from albench.env import STATUS_FAILING_SECONDS_ENV

SETTING = "albench-slurm-status-command"
# Status queries failing this long (and FAILING_CHECKS times) stop the run: long enough for a
# controller's restart, short enough that a run that cannot see its jobs says so within a minute.
FAILING_SECONDS = 30.0
FAILING_CHECKS = 3
QUEUED = {"PENDING", "CONFIGURING", "REQUEUED", "RESIZING", "SUSPENDED", "REQUEUE_HOLD"}
RUNNING = {"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING"}

Query = Callable[[str, Any], Awaitable[tuple[dict[str, str] | None, float | None]]]


class StatusWatch:
    """The status queries of one run (see the module): `query` asks the stock executor's
    `query_job_status`, falling back or stopping the run as the module says."""

    def __init__(self, query: Query, squeue_command: str, settings: Any, logger: Any) -> None:
        self.original = query
        self.squeue_command = squeue_command  # the squeue query of this run's submissions
        self.settings = settings  # the executor settings, whose status_command this may change
        self.logger = logger
        self.on_squeue = False  # fell back from sacct to squeue
        self.failing_since: float | None = None
        self.failed_checks = 0
        self.states: dict[str, str] = {}  # the last answer: SLURM job id -> state
        self.answered = True  # whether the last query answered

    async def query(self, command: str, logger: Any) -> tuple[dict[str, str] | None, float | None]:
        """Ask `command` (a fallen-back run asks squeue instead of sacct); fall back, or stop
        the run with an error, as the module says."""
        if self.on_squeue and _tool(command) == "sacct":
            command = self.squeue_command
        answer = await self.original(command, logger)
        if answer[0] is None and _tool(command) == "sacct" and _available("squeue"):
            reason = _why_not(command)
            self.logger.warning(
                f"albench: the status query `sacct` fails here ({reason}); asking `squeue` "
                f"instead for the rest of this run. Write `{SETTING}: squeue` in the profile (or "
                f"pass --{SETTING} squeue) to ask it first."
            )
            self.on_squeue = True
            self.settings.status_command = "squeue"
            command = self.squeue_command
            answer = await self.original(command, logger)
        self.answered = answer[0] is not None
        if self.answered:
            self.failing_since, self.failed_checks = None, 0
            self.states = dict(answer[0])
            return answer
        now = _now()
        self.failing_since = self.failing_since if self.failing_since is not None else now
        self.failed_checks += 1
        limit = float(os.environ.get(STATUS_FAILING_SECONDS_ENV, FAILING_SECONDS))
        if now - self.failing_since >= limit and self.failed_checks >= FAILING_CHECKS:
            from snakemake_interface_common.exceptions import WorkflowError

            raise WorkflowError(
                f"albench: the cluster's job states cannot be read: `{_tool(command)}` failed "
                f"{self.failed_checks} times in {now - self.failing_since:.0f} s "
                f"({_why_not(command)}). Set `{SETTING}` in the profile to a query that works "
                "here (sacct or squeue), or ask the cluster's administrators; the submissions "
                "still queued or running were cancelled."
            )
        return answer


def counts(submitted: Iterable[str], active: Iterable[str], states: dict[str, str]) -> dict:
    """Return the submissions `submitted` by state: finished (no longer `active`), running,
    and queued (by `states`, the last status answer; unknown counts as queued)."""
    submitted, active = set(submitted), set(active)
    running = sum(states.get(_main_id(job)) in RUNNING for job in active)
    return {
        "submitted": len(submitted),
        "queued": len(active) - running,
        "running": running,
        "finished": len(submitted - active),
    }


def describe(counts: dict) -> str:
    """`2 queued, 1 running, 1 of 4 submissions finished`."""
    return (
        f"{counts['queued']} queued, {counts['running']} running, {counts['finished']} of "
        f"{counts['submitted']} submissions finished"
    )


def stock_settings_in_use(argv: list[str] | None = None) -> list[tuple[str, str]]:
    """Return (key, where) for each setting of the stock SLURM executor (`slurm-...`) in the
    profiles this run reads (`--profile`, `$SNAKEMAKE_PROFILE`, the workflow profile) and on
    its command line."""
    import yaml
    from snakemake.cli import get_profile_dir

    argv = sys.argv[1:] if argv is None else argv
    found = [
        (arg[2:].partition("=")[0], "the command line")
        for arg in argv
        if arg.startswith("--slurm-")
    ]
    profiles = [os.environ["SNAKEMAKE_PROFILE"]] if os.environ.get("SNAKEMAKE_PROFILE") else []
    profiles += _values(argv, "--profile") + (
        _values(argv, "--workflow-profile") or ["profiles/default"]
    )
    for profile in dict.fromkeys(profiles):
        entry = get_profile_dir(profile) if profile != "none" else None
        if entry is None:
            continue
        try:
            settings = yaml.safe_load(Path(entry[1]).read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        found += [(str(key), str(entry[1])) for key in settings if str(key).startswith("slurm-")]
    return found


def stock_setting_warning(key: str, where: str) -> str:
    """The warning for the stock executor's setting `key` found in `where`."""
    return (
        f"albench: `{key}` ({where}) is a setting of the stock SLURM executor (executor: slurm) "
        f"and has no effect under executor: albench-slurm, whose settings carry its name: write "
        f"`albench-{key}`"
    )


def _values(argv: list[str], flag: str) -> list[str]:
    values = []
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            values.append(argv[i + 1])
        elif arg.startswith(flag + "="):
            values.append(arg.partition("=")[2])
    return values


def _now() -> float:
    return time.monotonic()


def _main_id(job_id: str) -> str:
    return job_id.split("_")[0].split(";")[0]


def _tool(command: str) -> str:
    return Path(shlex.split(command)[0]).name if command.strip() else ""


def _available(tool: str) -> bool:
    from shutil import which

    return which(tool) is not None


def _why_not(command: str) -> str:
    """The first line `command` writes to stderr (or its exit status), to say why it fails."""
    try:
        proc = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{type(error).__name__}: {error}"
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    if lines:
        return lines[0]
    return f"exit status {proc.returncode}" if proc.returncode else "no answer"
