"""A pool of warm worker processes that runs the workflow's jobs without per-job start-up.

Snakemake's local executor starts a fresh interpreter per job; importing scikit-learn alone costs
about 1.5 s, more than a typical cell computes. `start` (called from the Snakefile's `onstart`)
launches a server process that listens on a Unix socket in a private temporary directory and keeps
`workers` processes with albench already imported. Each job's client (scripts/job.py,
`albench.run.client`) connects,
hands over its command line and waits for the answer; without a pool it runs the same function
itself (`albench.run.runner.run_job`), so results are the same either way.

Failure containment:
- A worker runs one job at a time in its own process. If it dies mid-job, only that job's client
  sees the connection close and fails; the server starts a replacement worker.
- If the client goes away (Snakemake cancelled the job), the worker kills itself rather than
  finish a job nobody waits for; outputs are written atomically, so nothing half-written stays.
- The server exits, taking its workers along, on `stop`, on SIGTERM/SIGINT, and when it notices
  that the Snakemake process that started it is gone (even after a SIGKILL); workers exit when
  their server is gone. No process outlives the run. A server killed with its run leaves its
  directory and socket behind; the next pool to start removes them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings

from albench.env import (
    ENTRY_ENV,
    GROUP_POOL_ENV,
    NO_POOL_ENV,
    POOL_ENV,
    PYTHON_ENV,
)

POLL_SECONDS = 0.2
# A worker is replaced after this many jobs, so that no slow leak can grow over a long run.
MAX_JOBS_PER_WORKER = 500

_server: subprocess.Popen | None = None
_directory: str | None = None


DIRECTORY_PREFIX = "albench-pool-"
# A directory without a socket this old is a server's that was killed while it started.
STALE_START_SECONDS = 600


def remove_stale_directories() -> None:
    """Remove this user's pool directories in the temporary folder whose server is gone.

    A server killed with its run (SIGKILL, the OOM killer, a cluster job's end) cannot remove
    its private directory and socket; the next pool to start does. A socket nobody listens on
    refuses connections: a live pool's is left alone.
    """
    root = tempfile.gettempdir()
    for name in os.listdir(root):
        directory = os.path.join(root, name)
        if not name.startswith(DIRECTORY_PREFIX):
            continue
        try:
            if os.lstat(directory).st_uid != os.getuid():
                continue
            path = os.path.join(directory, "pool.sock")
            if not os.path.exists(path):
                started = os.lstat(directory).st_mtime
                if time.time() - started > STALE_START_SECONDS:
                    shutil.rmtree(directory, ignore_errors=True)
                continue
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(1.0)
                probe.connect(path)  # a live server's worker reads an empty request: no job
        except ConnectionRefusedError:
            shutil.rmtree(directory, ignore_errors=True)
        except OSError:
            continue


def job_environment(entry_point: str, isolated: bool) -> dict[str, str]:
    """The variables every job's shell command starts with: `"$ALBENCH_PYTHON" "$ALBENCH_JOB"`.

    `entry_point` (scripts/job.py) runs with Snakemake's own interpreter, or with the `python`
    on the job's PATH when a conda environment or container supplies one (`isolated`). They are
    variables rather than rule params so that a moved virtual environment reruns nothing.
    """
    return {PYTHON_ENV: "python" if isolated else sys.executable, ENTRY_ENV: entry_point}


def start(workers: int, *, timeout: float = 30.0) -> str | None:
    """Start a pool of `workers` processes for the jobs of this process; return its socket path.

    Returns None (jobs then run in their own processes) when `$ALBENCH_NO_POOL` is set, or
    when the server does not come up within `timeout` seconds.
    """
    global _server, _directory
    if os.environ.get(NO_POOL_ENV) or _server is not None:
        return None
    remove_stale_directories()
    _directory = tempfile.mkdtemp(prefix=DIRECTORY_PREFIX)
    path = os.path.join(_directory, "pool.sock")
    command = [sys.executable, "-m", "albench.run.pool", "serve", path, str(max(1, workers))]
    _server = subprocess.Popen([*command, str(os.getpid())], stdin=subprocess.DEVNULL)
    atexit.register(stop)
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if _server.poll() is not None or time.monotonic() > deadline:
            print("albench: the worker pool did not start; jobs run unpooled", file=sys.stderr)
            stop()
            return None
        time.sleep(0.02)
    os.environ[POOL_ENV] = path
    return path


# With a cluster executor only light local rules use the pool of the Snakemake that submits.
SUBMITTER_WORKERS = 4


def pool_size(local_exec: bool, cores: int, local_cores: int | None) -> int:
    """Workers for the pool of the main Snakemake: its cores when it runs every job itself.

    With a cluster executor it runs only the light local rules: at most `local_cores`
    (--local-cores) and SUBMITTER_WORKERS workers, as a login node is shared.
    """
    if local_exec:
        return cores
    return max(1, min(local_cores or SUBMITTER_WORKERS, SUBMITTER_WORKERS))


def start_for_submission(workers: int) -> str | None:
    """Set up the pool of a Snakemake that runs a cluster submission (`--mode remote`).

    A pool socket named in the environment belongs to the Snakemake that submitted the job (the
    variable travels with `sbatch --export=ALL`): where the node can reach it, as on a one-node
    cluster, the job would run outside its own allocation, so it is dropped. Such a Snakemake
    runs no `onstart` hook: the Snakefile calls this while it is read, and where
    `$ALBENCH_GROUP_POOL` marks a submission of a group of jobs it starts a pool of `workers`
    (the CPUs the submission was given). A submission of one job runs it in its own process.
    """
    os.environ.pop(POOL_ENV, None)
    if not os.environ.get(GROUP_POOL_ENV):
        return None
    return start(workers)


def stop(timeout: float = 10.0) -> None:
    """Stop the pool this process started, if any, and its workers; remove its socket."""
    global _server, _directory
    os.environ.pop(POOL_ENV, None)
    if _server is not None:
        if _server.poll() is None:
            _server.terminate()
            try:
                _server.wait(timeout)
            except subprocess.TimeoutExpired:
                _server.kill()
                _server.wait()
        _server = None
    if _directory is not None:
        shutil.rmtree(_directory, ignore_errors=True)
        _directory = None


class _Stop(BaseException):
    """Raised by SIGTERM/SIGINT in the server and its workers: a quiet, orderly exit.

    A BaseException, so that no job's `except Exception` swallows it and nothing prints a
    traceback for it (a worker stopped while still importing, say).
    """


_stopping = False


def _raise_stop(signum, frame):
    global _stopping
    _stopping = True
    raise _Stop


def serve(path: str, workers: int, parent: int) -> None:
    """Listen on `path` and keep `workers` workers alive while process `parent` lives."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    procs: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        listener.bind(path + ".tmp")
        listener.listen(256)
        os.rename(path + ".tmp", path)  # the path appears only once connections are queued

        def spawn() -> subprocess.Popen:
            fd = listener.fileno()
            cmd = [sys.executable, "-m", "albench.run.pool", "worker", str(fd), str(os.getpid())]
            return subprocess.Popen(cmd, pass_fds=[fd], stdin=subprocess.DEVNULL)

        procs = [spawn() for _ in range(workers)]
        while os.getppid() == parent:
            for i, proc in enumerate(procs):
                if proc.poll() is not None:
                    procs[i] = spawn()
            time.sleep(POLL_SECONDS)
    except _Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 5
        for proc in procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        listener.close()
        for leftover in (path, path + ".tmp"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        with contextlib.suppress(OSError):  # the private directory `start` made, if now empty
            os.rmdir(os.path.dirname(path))


def work(fd: int, server: int) -> None:
    """Serve jobs from the listening socket `fd` while process `server` lives."""
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        from albench.run.rules import warm_up

        warm_up()  # the point of the pool: imports paid once

        # Each job starts from the warning filters a fresh process has after these imports, and
        # entering catch_warnings resets "shown once" registries, so logs match unpooled runs.
        filters = list(warnings.filters)
        listener = socket.socket(fileno=fd)
        listener.settimeout(1.0)
        served = 0
        while os.getppid() == server and served < MAX_JOBS_PER_WORKER:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.setblocking(True)
            with conn:
                served += 1
                with warnings.catch_warnings():
                    warnings.filters[:] = filters
                    _handle(conn)
    except _Stop:
        pass
    except Exception:
        # A stop that arrives inside a C extension's initialisation (scipy's HiGHS bindings,
        # while the worker still imports) surfaces as that import's ImportError: stop quietly.
        if not _stopping:
            raise


def _handle(conn: socket.socket) -> None:
    from albench.run.runner import run_job

    request = b""
    while len(request) < 10 or len(request) < 10 + int(request[:10]):
        chunk = conn.recv(65536)
        if not chunk:
            return
        request += chunk
    cwd, *argv = request[10:].decode().split("\0")
    done = threading.Event()
    watchdog = threading.Thread(target=_die_without_client, args=(conn, done), daemon=True)
    watchdog.start()
    try:
        os.chdir(cwd)
        run_job(argv, where="a pool worker")
        answer = "ok"
    except (Exception, SystemExit) as error:
        # The traceback is in the job's log (albench.io.logs.log_to); the client prints this line.
        answer = f"error: {type(error).__name__}: {error}"
    finally:
        done.set()
        watchdog.join()
    conn.sendall(answer.encode())


def _die_without_client(conn: socket.socket, done: threading.Event) -> None:
    # The client sends nothing after its request: readable now means it hung up.
    while not done.wait(POLL_SECONDS):
        readable, _, _ = select.select([conn], [], [], 0)
        if readable and not conn.recv(1, socket.MSG_PEEK):
            os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> None:
    """`serve PATH WORKERS PARENT_PID` or `worker FD SERVER_PID`."""
    if argv[:1] == ["serve"] and len(argv) == 4:
        serve(argv[1], int(argv[2]), int(argv[3]))
    elif argv[:1] == ["worker"] and len(argv) == 3:
        work(int(argv[1]), int(argv[2]))
    else:
        raise SystemExit(
            "usage: python -m albench.run.pool serve PATH WORKERS PARENT | worker FD PID"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
