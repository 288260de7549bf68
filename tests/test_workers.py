"""The albench executor's warm workers (albench.run.workers): each job runs its script with
its `snakemake` object; a failing or dying job fails alone; no worker outlives its pool or its
parent."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import process_alive, wait_until

from albench.run.script import Files, ScriptJob
from albench.run.workers import JobFailed, WorkerDied, Workers

SCRIPT = """
from pathlib import Path
import os
Path(snakemake.output.out).write_text(f"{snakemake.params.word} {os.getpid()}")
if snakemake.params.word == "fail":
    raise ValueError("asked to fail")
if snakemake.params.word == "die":
    os.kill(os.getpid(), 9)
"""


def job(tmp_path: Path, word: str, name: str = "out.txt") -> ScriptJob:
    out = str(tmp_path / name)
    return ScriptJob(
        rule="r",
        input=Files(),
        output=Files([out], {"out": out}),
        log=Files(),
        params=Files([word], {"word": word}),
        wildcards=Files(),
    )


@pytest.fixture
def script(tmp_path) -> str:
    path = tmp_path / "script.py"
    path.write_text(SCRIPT)
    return str(path)


def test_jobs_run_in_warm_workers_that_end_with_the_pool(tmp_path, script):
    workers = Workers(2, start=True)
    pids = [w.process.pid for w in workers._all]
    try:
        for i in range(4):
            workers.run(script, job(tmp_path, "hello", f"{i}.txt"))
        ran_in = {int((tmp_path / f"{i}.txt").read_text().split()[1]) for i in range(4)}
        assert ran_in <= set(pids)  # in the pool's workers, not a process each
    finally:
        workers.stop()
    assert not any(process_alive(pid) for pid in pids)


def test_a_failing_job_fails_alone_and_its_worker_serves_on(tmp_path, script):
    workers = Workers(1, start=True)
    (pid,) = [w.process.pid for w in workers._all]
    try:
        with pytest.raises(JobFailed, match="ValueError: asked to fail"):
            workers.run(script, job(tmp_path, "fail"))
        workers.run(script, job(tmp_path, "again", "b.txt"))
        assert (tmp_path / "b.txt").read_text() == f"again {pid}"
    finally:
        workers.stop()


def test_a_dying_worker_fails_only_its_job_and_is_replaced(tmp_path, script):
    workers = Workers(1, start=True)
    (first,) = [w.process.pid for w in workers._all]
    try:
        with pytest.raises(WorkerDied, match=f"pid {first}"):
            workers.run(script, job(tmp_path, "die"))
        workers.run(script, job(tmp_path, "after", "c.txt"))
        word, pid = (tmp_path / "c.txt").read_text().split()
        assert word == "after" and int(pid) != first
    finally:
        workers.stop()
    assert not process_alive(first)


def test_stopped_workers_are_gone_at_once(tmp_path, script):
    workers = Workers(2, start=True)
    pids = [w.process.pid for w in workers._all]
    workers.stop()
    assert not any(process_alive(pid) for pid in pids)


def test_a_worker_ends_when_the_process_that_started_it_is_killed(tmp_path):
    # A parent that starts a pool and is then killed with SIGKILL (no shutdown at all).
    code = (
        "import sys, time\n"
        "from albench.run.workers import Workers\n"
        "workers = Workers(1, start=True)\n"
        "print(workers._all[0].process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    assert process_alive(worker)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    wait_until(lambda: not process_alive(worker), what="the worker outlived its parent")


def test_workers_start_with_the_first_job_only(tmp_path, script):
    workers = Workers(2)
    try:
        assert workers._all == []  # a run with nothing to do starts no process
        workers.run(script, job(tmp_path, "first"))
        assert len(workers._all) == 2
    finally:
        workers.stop()
