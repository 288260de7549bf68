"""Snakemake's re-evaluation timers, coalesced (albench.run.scheduling)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import types
from pathlib import Path

from snakemake.scheduling.job_scheduler import JobScheduler

from albench.run.scheduling import coalesce_reevaluation_timers

# A workflow of trivial jobs whose rate limit holds jobs back (run with
# --max-jobs-per-timespan): it ends only if the re-evaluations still come. At its end it records
# the re-evaluation timers still alive, which the process would wait for if they were not
# daemons.
SNAKEFILE = """
import json, threading
from albench.run.scheduling import coalesce_reevaluation_timers

coalesce_reevaluation_timers()

rule all:
    input: expand("out/{i}.txt", i=range(8))

rule one:
    output: "out/{i}.txt"
    shell: "sleep 0.2; touch {output}"

onsuccess:
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    with open("timers.json", "w") as file:
        json.dump([t.daemon for t in timers], file)
"""


def fake_scheduler() -> types.SimpleNamespace:
    return types.SimpleNamespace(_open_jobs=threading.Semaphore(0))


def timers() -> list[threading.Timer]:
    return [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_one_pending_daemon_timer_stands_for_many_requests():
    coalesce_reevaluation_timers()
    assert not coalesce_reevaluation_timers()  # once per process
    scheduler, before = fake_scheduler(), set(timers())
    for _ in range(20):  # twenty rounds within the timespan: Snakemake's own starts twenty
        JobScheduler._schedule_reevalutation(scheduler, 0.3)
    started = set(timers()) - before
    assert len(started) == 1 and all(t.daemon for t in started)
    assert scheduler._open_jobs.acquire(timeout=10)  # the re-evaluation still comes
    assert not scheduler._open_jobs.acquire(timeout=0.5)  # once
    JobScheduler._schedule_reevalutation(scheduler, 0.01)  # none pending: a new one
    assert scheduler._open_jobs.acquire(timeout=10)


def test_a_sooner_reevaluation_is_not_held_back_by_a_later_one():
    coalesce_reevaluation_timers()
    scheduler = fake_scheduler()
    JobScheduler._schedule_reevalutation(scheduler, 60.0)  # e.g. a queue input's wait
    JobScheduler._schedule_reevalutation(scheduler, 0.01)
    assert scheduler._open_jobs.acquire(timeout=10)


def test_a_rate_limited_workflow_ends_without_timers_to_wait_for(tmp_path: Path):
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"]
    command += ["--max-jobs-per-timespan", "2/1s", "--scheduler", "greedy"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{i}.txt" for i in range(8)]
    alive = json.loads((tmp_path / "timers.json").read_text())
    assert len(alive) <= 1 and all(alive), alive
