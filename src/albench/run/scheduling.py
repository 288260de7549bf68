"""A fix to Snakemake's job scheduler: one re-evaluation timer at a time, which an ending run
does not wait for.

With its job rate limit on (`--max-jobs-per-timespan`, by default 100 jobs per second),
Snakemake's scheduler (`snakemake.scheduling.job_scheduler.JobScheduler`, 9.x) starts a
`threading.Timer` at the end of every scheduling round that leaves jobs waiting, whether the
rate limit held any back or the cores did: when it fires, one more round runs, which starts
another. Each finished job starts a round, so each starts a chain of rounds once a second until
no job waits, and the chains add up: a 60 s run of 55 jobs on two cores made 1 286 rounds, and
this fix took 1.5-2.2 CPU-seconds off its Snakemake process, which shares those cores with the
jobs. And the timers are not daemon threads, so every run that ran a job waits up to a second
for the last one to fire before its process ends. (Snakemake issue 3804, a local run of 10 000
jobs that crashes being unable to start new threads, has the look of the same chains.)

`coalesce_reevaluation_timers` replaces the method that starts them: a re-evaluation already
due no later than the one asked for stands in for it, and the timer is a daemon thread. The
rate limit keeps its meaning (a round runs within the timespan whenever jobs wait), and the
chains collapse into one.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_MARK = "_albench_coalesced"


def coalesce_reevaluation_timers() -> bool:
    """Make Snakemake's scheduler keep at most one pending re-evaluation timer, a daemon thread
    (see the module's docstring); return whether it was changed now (False where it was before,
    or where this Snakemake has no such method: another version, nothing to fix)."""
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return False
    original = getattr(JobScheduler, "_schedule_reevalutation", None)  # sic, Snakemake's name
    if original is None or getattr(original, _MARK, False):
        return False

    def schedule_reevaluation(self: Any, delay: float) -> None:
        if not hasattr(self, "_open_jobs"):
            original(self, delay)
            return
        due = time.monotonic() + delay
        pending = getattr(self, "_albench_reevaluation", None)
        if pending is not None and pending[0].is_alive() and pending[1] <= due:
            return
        timer = threading.Timer(delay, self._open_jobs.release)
        timer.daemon = True
        self._albench_reevaluation = (timer, due)
        timer.start()

    setattr(schedule_reevaluation, _MARK, True)
    JobScheduler._schedule_reevalutation = schedule_reevaluation
    return True
