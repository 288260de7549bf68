"""Warm worker processes that run rule scripts for one Snakemake call (the `albench` executor,
snakemake_executor_plugin_albench).

A fresh interpreter pays about 1.5 s to import scikit-learn and its friends, more than a typical
cell computes. `Workers` starts one process per core when the executor starts; each imports
albench's job modules once and then runs script after script, each with the job's `snakemake`
object (`albench.run.script.ScriptJob`), as Snakemake would run it in a process of its own.

Lifetime: the workers are the executor's. They start with its first job, and `Workers.stop`
(the executor's shutdown at the end of the run, or its cancel) ends them. A
worker whose Snakemake process is gone (even killed with SIGKILL) exits within a second: no
worker outlives its run.

Failure containment: a worker runs one job at a time. A job that raises fails alone (its
traceback is in its log); a worker that dies mid-job (killed, out of memory) fails only that
job, and a fresh worker takes its place.
"""

from __future__ import annotations

import os
import pickle
import queue
import runpy
import signal
import struct
import subprocess
import sys
import threading
import traceback
from typing import Any

from albench.env import WORKER_ENV

# What a worker imports before its first job: the modules of the rules that run many times.
WARM_MODULES = (
    "albench.learn.loop",
    "albench.learn.reference",
    "albench.data.splits",
    "albench.data.sources",
)
# A worker is replaced after this many jobs, so that no slow leak grows over a long run.
MAX_JOBS_PER_WORKER = 500
_HEADER = struct.Struct("!Q")


class WorkerDied(RuntimeError):
    """The worker running a job ended before answering (killed, crashed, out of memory)."""


class JobFailed(RuntimeError):
    """The job's script raised; the message is its last traceback line."""


def send(fd: int, message: Any) -> None:
    """Write `message`, pickled and length-prefixed, to the pipe `fd`."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int) -> Any:
    """Read one message from the pipe `fd`; raise EOFError where the other end closed it."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class Worker:
    """One worker process and the two pipes to it."""

    def __init__(self, python: str = sys.executable) -> None:
        to_child, self._to = os.pipe()
        self._from, from_child = os.pipe()
        self.process = subprocess.Popen(
            [python, "-m", __name__, str(to_child), str(from_child)],
            pass_fds=(to_child, from_child),
            stdin=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(from_child)
        self.jobs = 0

    def run(self, script: str, job: Any) -> None:
        """Run `script` with `job` as its `snakemake`; raise JobFailed or WorkerDied."""
        self.jobs += 1
        try:
            send(self._to, (script, job))
            error = receive(self._from)
        except (EOFError, OSError):
            self.kill()
            raise WorkerDied(f"the worker running it (pid {self.process.pid}) died") from None
        if error is not None:
            raise JobFailed(error)

    def close(self) -> None:
        """Let the worker exit after its current job (its pipes closed)."""
        for fd in (self._to, self._from):
            try:
                os.close(fd)
            except OSError:
                pass

    def kill(self) -> None:
        """End the worker now."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.close()


class Workers:
    """Up to `size` warm workers, each running one job at a time (see the module). They start
    with the first job (a call with nothing to do starts none) and `start` ahead of it."""

    def __init__(self, size: int, start: bool = False) -> None:
        self._size = max(1, size)
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._started = False
        self._stopped = False
        if start:
            self.start()

    def start(self) -> None:
        """Start the workers (once), so that they import while other work goes on."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self._size):
            self._idle.put(self._start())

    def _start(self) -> Worker:
        worker = Worker()
        with self._lock:
            self._all.append(worker)
        return worker

    def run(self, script: str, job: Any) -> None:
        """Run `script` on an idle worker (waiting for one); raise JobFailed or WorkerDied."""
        self.start()
        worker = self._idle.get()
        try:
            worker.run(script, job)
        except WorkerDied:
            worker = self._start()  # in the dead one's place
            raise
        finally:
            if worker.jobs >= MAX_JOBS_PER_WORKER:
                worker.close()
                worker = self._start()
            if not self._stopped:
                self._idle.put(worker)

    def stop(self) -> None:
        """End every worker now: idle at the run's end, or running a job of a cancelled run
        (SIGTERM: one still importing would otherwise finish its imports first)."""
        self._stopped = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.close()
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in workers:
            worker.process.wait()


def _exit_with_parent(parent: int) -> None:
    """End this worker as soon as the process that started it is gone."""
    while os.getppid() == parent:
        threading.Event().wait(1.0)
    os._exit(1)


def serve(requests: int, answers: int) -> None:
    """A worker's loop: import WARM_MODULES, then run each script sent on `requests` and answer
    on `answers` (None, or the error's last traceback line) until the pipe closes."""
    os.environ[WORKER_ENV] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is Snakemake's to handle: it kills us
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    for module in WARM_MODULES:
        __import__(module)
    while True:
        try:
            script, job = receive(requests)
        except EOFError:
            return
        try:
            runpy.run_path(script, init_globals={"snakemake": job}, run_name="__main__")
            answer = None
        except SystemExit as exit:
            answer = None if exit.code in (0, None) else f"the script exited with {exit.code}"
        except BaseException as error:  # noqa: BLE001 - every failure is the job's, not ours
            answer = " ".join(line.strip() for line in traceback.format_exception_only(error))
        send(answers, answer)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
    sys.stdout.flush()
    sys.stderr.flush()
    # The interpreter's teardown of scikit-learn and pandas takes 0.4 s that nobody waits for.
    os._exit(0)
