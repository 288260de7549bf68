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
  that the Snakemake process it serves is gone without releasing it (even after a SIGKILL);
  workers exit when their server is gone. A server killed with its run leaves its directory and
  socket behind; the next pool to start removes them.

Lingering (a local run's pool; `$ALBENCH_POOL_LINGER` seconds, DEFAULT_LINGER_SECONDS, 0: off):
a run that ends (`release`, the Snakefile's onsuccess/onerror and its exit) leaves its pool
waiting, idle and detached from the terminal, for the next `snakemake` call in the same folder,
with the same interpreter and environment, to `adopt` it: that call's config check and first jobs
then pay no imports (docs/performance.md). Nothing a worker imported may have changed since:
before the first request of each adoption, a worker compares the files of every module it holds
with what they were when it imported them, and one that finds an edited or reinstalled file
answers `stale` and exits (its client asks again, and the server starts a fresh worker). A pool
nobody adopts within the linger stops; a cluster submission's pool never lingers.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable

from albench.env import (
    ENTRY_ENV,
    GROUP_POOL_ENV,
    NO_POOL_ENV,
    POOL_ENV,
    POOL_LINGER_ENV,
    PYTHON_ENV,
)
from albench.errors import ConfigError
from albench.run.client import STALE, ask, read_answer, send_request

POLL_SECONDS = 0.2
# A worker is replaced after this many jobs, so that no slow leak can grow over a long run.
MAX_JOBS_PER_WORKER = 500

DEFAULT_LINGER_SECONDS = 600.0

_server: subprocess.Popen | None = None  # the server this process started, if any
_directory: str | None = None  # the directory of the pool this process uses
_server_pid: int | None = None  # that pool's server (started or adopted)
_lingers = False  # whether that pool has a control socket, so that it can linger


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


def linger_seconds() -> float:
    """How long a local run's pool waits for the next call to adopt it (`$ALBENCH_POOL_LINGER`)."""
    value = os.environ.get(POOL_LINGER_ENV, "").strip()
    if not value:
        return DEFAULT_LINGER_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise ConfigError(
            f"${POOL_LINGER_ENV} must be a number of seconds (0: the pool stops with its run), "
            f"not {value!r}"
        )
    return seconds


def home_directory(create: bool = False) -> str | None:
    """The directory of this folder's lingering pool: one per user, working directory and
    interpreter, made private (0700) if missing and `create`; None where it is missing, or is
    not this user's private directory (then a run's pool gets a fresh one and does not linger)."""
    key = hashlib.sha256(f"{os.path.realpath(os.getcwd())}\0{sys.executable}".encode())
    path = os.path.join(
        tempfile.gettempdir(), f"{DIRECTORY_PREFIX}{os.getuid()}-{key.hexdigest()[:16]}"
    )
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
    return path if private and info.st_uid == os.getuid() else None


# Not part of what a pool must match: albench's per-call variables (the releasing call reads
# the linger), and the shell's.
_VOLATILE = {POOL_ENV, PYTHON_ENV, ENTRY_ENV, POOL_LINGER_ENV, "_", "OLDPWD", "PWD", "SHLVL"}


def identity() -> str:
    """What a lingering pool and the call adopting it must share: the environment (the workers
    inherited theirs), the interpreter and this module's own file (the server's code)."""
    here = os.stat(__file__)
    parts = [sys.executable, sys.version, str(here.st_mtime_ns), str(here.st_size)]
    parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k not in _VOLATILE)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _tell(directory: str, message: str, timeout: float = 5.0) -> str:
    """Send one line to the control socket in `directory`; return the answer ('' if none)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(os.path.join(directory, "control.sock"))
            conn.sendall(message.encode() + b"\n")
            answer = b""
            while chunk := conn.recv(1024):
                answer += chunk
        except OSError:
            return ""
    return answer.decode().strip()


def _use(directory: str, server_pid: int, lingers: bool) -> str:
    global _directory, _server_pid, _lingers, _released_at_exit
    _directory, _server_pid, _lingers = directory, server_pid, lingers
    path = os.path.join(directory, "pool.sock")
    os.environ[POOL_ENV] = path
    if not _released_at_exit:
        atexit.register(release)
        _released_at_exit = True
    return path


_released_at_exit = False


def adopt(workers: int = 0) -> str | None:
    """Take over the pool a finished run in this folder left lingering, if one waits there for
    a call of this interpreter and environment; return its socket path (None otherwise).
    `workers` (0: as many as it has) sets how many it keeps. (Under `$ALBENCH_POOL_LINGER=0`
    too: that call's `release` then stops it.)"""
    if _directory is not None:
        return os.path.join(_directory, "pool.sock")
    linger_seconds()  # a bad value is refused before anything runs
    if os.environ.get(NO_POOL_ENV):
        return None
    home = home_directory()
    if home is None or not os.path.exists(os.path.join(home, "control.sock")):
        return None
    answer = _tell(home, f"adopt {os.getpid()} {workers} {identity()}")
    if answer.startswith("ok "):
        return _use(home, int(answer.split()[1]), lingers=True)
    if answer.startswith("stale "):  # another environment's or code's: it stops; let it finish
        _wait_gone(int(answer.split()[1]), 10.0)
    return None


def _wait_gone(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def start(workers: int, *, timeout: float = 30.0, linger: bool = False) -> str | None:
    """Start a pool of `workers` processes for the jobs of this process; return its socket path.

    With `linger` (a local run), adopt the pool a finished run in this folder left waiting, or
    start one that can wait for the next call after this one (`release`; unless
    `$ALBENCH_POOL_LINGER` is 0). A pool this process has already (started for the config
    check, `launcher`) gets `workers` workers. `workers` 0: one, or as many as an adopted pool
    has. Returns None (jobs then run in their own processes) when `$ALBENCH_NO_POOL` is set, or
    when the server does not come up within `timeout` seconds.
    """
    global _server
    if os.environ.get(NO_POOL_ENV):
        return None
    if _directory is not None:
        if workers:
            _tell(_directory, f"workers {os.getpid()} {workers}")
        return os.path.join(_directory, "pool.sock")
    remove_stale_directories()
    home = None
    if linger:
        if path := adopt(workers):
            return path
        home = home_directory(create=True) if linger_seconds() else None
        if home is not None and os.path.exists(os.path.join(home, "control.sock")):
            home = None  # another live call's pool
    directory = home or tempfile.mkdtemp(prefix=DIRECTORY_PREFIX)
    path = os.path.join(directory, "pool.sock")
    command = [sys.executable, "-m", "albench.run.pool", "serve", path, str(max(1, workers))]
    _server = subprocess.Popen(
        [*command, str(os.getpid()), identity() if home else "-"], stdin=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if _server.poll() is not None or time.monotonic() > deadline:
            print("albench: the worker pool did not start; jobs run unpooled", file=sys.stderr)
            _use(directory, _server.pid, lingers=False)
            stop()
            return None
        time.sleep(0.02)
    return _use(directory, _server.pid, lingers=home is not None)


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
    (the CPUs the submission was given), which does not linger. A submission of one job runs it
    in its own process.
    """
    os.environ.pop(POOL_ENV, None)
    if not os.environ.get(GROUP_POOL_ENV):
        return None
    return start(workers)


def release() -> None:
    """End this process's use of its pool: a pool that can linger waits for the next call in
    this folder (`$ALBENCH_POOL_LINGER` seconds); any other stops (`stop`)."""
    global _server, _directory, _server_pid, _lingers
    seconds = linger_seconds() if _lingers and not os.environ.get(NO_POOL_ENV) else 0.0
    if _directory is None or not seconds:
        stop()
        return
    if _tell(_directory, f"release {os.getpid()} {seconds}") != "ok":
        stop()
        return
    os.environ.pop(POOL_ENV, None)
    _server, _directory, _server_pid, _lingers = None, None, None, False


def stop(timeout: float = 10.0) -> None:
    """Stop the pool this process uses, if any, and its workers; remove its socket."""
    global _server, _directory, _server_pid, _lingers
    os.environ.pop(POOL_ENV, None)
    if _server is not None:
        if _server.poll() is None:
            _server.terminate()
            try:
                _server.wait(timeout)
            except subprocess.TimeoutExpired:
                _server.kill()
                _server.wait()
    elif _server_pid is not None and _directory is not None:  # adopted: not this one's child
        _tell(_directory, f"stop {os.getpid()}")
        _wait_gone(_server_pid, timeout)
    if _directory is not None and not _lingers:
        shutil.rmtree(_directory, ignore_errors=True)
    _server, _directory, _server_pid, _lingers = None, None, None, False


def launcher(linger: bool = False) -> Callable[[str, list[str]], call | None] | None:
    """How `albench.plan.checked` runs its background check: in a worker of this process's
    pool, started for it (one worker, adopting a lingering pool with `linger`) while Snakemake
    builds its graph, the worker then serving the run's jobs warm (`start` grows the pool in
    `onstart`); None where jobs run unpooled (`$ALBENCH_NO_POOL`). The check then runs in a
    process of its own, as it also does where the pool does not start. (Called while the
    Snakefile is read: a bad `$ALBENCH_POOL_LINGER` is refused there, before any work, and
    under `ALBENCH_POOL_LINGER=0` a pool lingering in this folder is stopped.)"""
    if linger and not linger_seconds() and adopt() is not None:
        stop()
    if os.environ.get(NO_POOL_ENV):
        return None

    def launch(module: str, args: list[str]) -> call | None:
        return call(module, args) if start(0, linger=linger) else None

    return launch


class call:  # noqa: N801 (used like subprocess.Popen)
    """`MODULE`'s `main(*args)` started in a worker of this process's pool, as
    `python -m MODULE ARGS` would run it in a process of its own: `wait()` returns its status
    (1 where it raised, or where its worker died)."""

    def __init__(self, module: str, args: list[str]) -> None:
        self.path, self.argv = os.environ.get(POOL_ENV, ""), [CALL, module, *args]
        self.conn = send_request(self.path, os.getcwd(), self.argv)
        self.status: int | None = None

    def wait(self) -> int:
        if self.status is None:
            answer = read_answer(self.conn) if self.conn is not None else ""
            if answer == STALE:
                answer = ask(self.path, os.getcwd(), self.argv) or ""
            self.status = int(answer.split()[1]) if answer.startswith("status ") else 1
        return self.status


CALL = "--call"  # a request's first word for `call`, where a job's is its rule's name


class _Stop(BaseException):
    """Raised by SIGTERM/SIGINT in the server and its workers: a quiet, orderly exit.

    A BaseException, so that no job's `except Exception` swallows it and nothing prints a
    traceback for it (a worker stopped inside a job's first import of a module, say; one still
    warming up exits at once, `_exit_now`).
    """


_stopping = False


def _raise_stop(signum, frame):
    global _stopping
    _stopping = True
    raise _Stop


def _start_time(pid: int) -> str | None:
    """A process's start time (Linux: /proc), so that a reused PID is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            fields = file.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == b"Z" else fields[19].decode()


def _alive(pid: int, started: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return started is None
    if os.path.exists("/proc/self/stat"):
        now = _start_time(pid)
        return now is not None and (started is None or now == started)
    return True


def _detach() -> None:
    """Leave the run's terminal and pipes (a caller's `| tee`, a test's captured output waits
    for them to close) while lingering: stdio to /dev/null, a session of its own."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    with contextlib.suppress(OSError):
        os.setsid()


def serve(path: str, workers: int, parent: int, identity: str) -> None:
    """Listen on `path` and keep `workers` workers alive while process `parent` lives; and on
    the control socket beside it, through which the run sets the number of workers, and, where
    the pool has an `identity` (not "-"), releases it to linger and the next call adopts it
    (`release`, `adopt`)."""
    directory = os.path.dirname(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    procs: list[subprocess.Popen] = []
    retiring: list[subprocess.Popen] = []
    made: dict[str, int] = {}  # the sockets this server made (inode): it removes only those
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    own_parent, parent_started, deadline = parent, _start_time(parent), 0.0
    generation = 0
    try:
        for name, sock in (("control.sock", control), ("pool.sock", listener)):
            final = os.path.join(directory, name)
            sock.bind(final + ".tmp")
            sock.listen(256)
            os.rename(final + ".tmp", final)  # the path appears once connections are queued
            made[final] = os.stat(final).st_ino
        _write(os.path.join(directory, "generation"), str(generation))

        def spawn() -> subprocess.Popen:
            fd = listener.fileno()
            cmd = [sys.executable, "-m", "albench.run.pool", "worker", str(fd), str(os.getpid())]
            return subprocess.Popen([*cmd, directory], pass_fds=[fd], stdin=subprocess.DEVNULL)

        procs = [spawn() for _ in range(workers)]
        while True:
            if parent:
                if parent == own_parent and os.getppid() != parent:
                    break
                if parent != own_parent and not _alive(parent, parent_started):
                    break  # the call that adopted it was killed without releasing it
            elif time.monotonic() > deadline:
                break  # nobody adopted it in time
            for i, proc in enumerate(procs):
                if proc.poll() is not None:
                    procs[i] = spawn()
            procs.extend(spawn() for _ in range(workers - len(procs)))
            while len(procs) > workers:
                retiring.append(procs.pop())
                retiring[-1].send_signal(signal.SIGUSR2)
            retiring = [proc for proc in retiring if proc.poll() is None]
            if not select.select([control], [], [], POLL_SECONDS)[0]:
                continue
            conn, _ = control.accept()
            with conn:
                conn.settimeout(5.0)
                words = _read_line(conn).split()
                caller = int(words[1]) if len(words) > 1 and words[1].isdigit() else -1
                answer, leave = "refused", False
                try:  # a malformed message is refused
                    if words[:1] == ["adopt"] and len(words) == 4 and identity != "-":
                        if words[3] != identity:
                            answer, leave = f"stale {os.getpid()}", True
                        elif parent:
                            answer = "busy"
                        else:
                            parent, parent_started = caller, _start_time(caller)
                            workers = int(words[2]) or workers
                            generation += 1
                            _write(os.path.join(directory, "generation"), str(generation))
                            answer = f"ok {os.getpid()}"
                    elif caller == parent and words[0] == "workers" and len(words) == 3:
                        workers, answer = max(1, int(words[2])), "ok"
                    elif caller == parent and words[0] == "release" and identity != "-":
                        parent, deadline = 0, time.monotonic() + float(words[2])
                        _detach()
                        for proc in procs:
                            proc.send_signal(signal.SIGUSR1)
                        answer = "ok"
                    elif caller == parent and words[0] == "stop":
                        answer, leave = "ok", True
                except (ValueError, IndexError):
                    answer = "refused"
                with contextlib.suppress(OSError):
                    conn.sendall(answer.encode())
            if leave:
                break
    except _Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for proc in procs + retiring:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 5
        for proc in procs + retiring:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        listener.close()
        control.close()
        for final, inode in made.items():
            with contextlib.suppress(OSError):
                if os.stat(final).st_ino == inode:
                    os.unlink(final)
        for name in ("pool.sock.tmp", "control.sock.tmp", "generation", "generation.tmp"):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))
        with contextlib.suppress(OSError):  # the private directory `start` made, if now empty
            os.rmdir(directory)


def _read_line(conn: socket.socket) -> str:
    data = b""
    with contextlib.suppress(OSError):
        while b"\n" not in data and len(data) < 4096:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode(errors="replace")


def _write(path: str, text: str) -> None:
    with open(path + ".tmp", "w") as file:
        file.write(text)
    os.replace(path + ".tmp", path)


class _Imported:
    """The files of the modules a worker holds, as they were when it imported them."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, int]] = {}
        self.count = 0

    def record(self) -> None:
        if len(sys.modules) == self.count:
            return
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and file not in self.files:
                with contextlib.suppress(OSError):
                    info = os.stat(file)
                    self.files[file] = (info.st_mtime_ns, info.st_size)
        self.count = len(sys.modules)

    def changed(self) -> str | None:
        """The first file that changed (edited, reinstalled, removed) since; None if none."""
        for file, (mtime, size) in self.files.items():
            try:
                info = os.stat(file)
            except OSError:
                return file
            if (info.st_mtime_ns, info.st_size) != (mtime, size):
                return file
        return None


_retire = False


def _exit_now(signum, frame) -> None:
    os._exit(0)  # nothing to finish or clean up: no job has started


def _on_release(signum, frame) -> None:
    # The run that started this worker ended; its pool lingers (see `_detach`).
    _detach()


def _on_retire(signum, frame) -> None:
    # The pool shrank: this worker leaves after its job, if it has one (within a second).
    global _retire
    _retire = True


def work(fd: int, server: int, directory: str | None = None) -> None:
    """Serve jobs from the listening socket `fd` while process `server` lives; `directory`
    holds the server's `generation` (it changes when a call adopts the pool)."""
    # A stop while the worker still imports ends it at once: raised there, it would surface
    # inside importlib's callbacks as an "Exception ignored" traceback on the run's terminal.
    signal.signal(signal.SIGTERM, _exit_now)
    signal.signal(signal.SIGINT, _exit_now)
    signal.signal(signal.SIGUSR1, _on_release)
    signal.signal(signal.SIGUSR2, _on_retire)
    try:
        from albench.run.rules import warm_up
        from albench.usercode import forget_source_files

        warm_up()  # the point of the pool: imports paid once
        signal.signal(signal.SIGTERM, _raise_stop)
        signal.signal(signal.SIGINT, _raise_stop)
        imported = _Imported()
        imported.record()
        generation_file = os.path.join(directory, "generation") if directory else None
        generation = _read(generation_file)

        # Each job starts from the warning filters a fresh process has after these imports, and
        # entering catch_warnings resets "shown once" registries, so logs match unpooled runs.
        filters = list(warnings.filters)
        listener = socket.socket(fileno=fd)
        listener.settimeout(1.0)
        served = 0
        while os.getppid() == server and served < MAX_JOBS_PER_WORKER and not _retire:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.setblocking(True)
            with conn:
                request = _receive(conn)
                if request is None:  # a probe (remove_stale_directories), not a job
                    continue
                if (now := _read(generation_file)) != generation:
                    generation = now  # adopted by another call: is everything still current?
                    importlib.invalidate_caches()
                    forget_source_files()
                    if imported.changed():
                        conn.sendall(STALE.encode())
                        break
                served += 1
                with warnings.catch_warnings():
                    warnings.filters[:] = filters
                    _handle(conn, request)
                imported.record()
    except _Stop:
        pass
    except Exception:
        # A stop that arrives inside a C extension's initialisation (scipy's HiGHS bindings, in
        # a job's first import of it) surfaces as that import's ImportError: stop quietly.
        if not _stopping:
            raise
    # Each job has closed what it wrote when it ended: leave without the interpreter's teardown
    # of scikit-learn's, pandas' and matplotlib's modules (0.4 s, which the end of a run that
    # stops its pool would wait for).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _read(path: str | None) -> str:
    if path is None:
        return ""
    try:
        with open(path) as file:
            return file.read()
    except OSError:
        return ""


def _receive(conn: socket.socket) -> tuple[str, list[str]] | None:
    """A request's working directory and arguments; None when the caller sent nothing."""
    request = b""
    while len(request) < 10 or len(request) < 10 + int(request[:10]):
        chunk = conn.recv(65536)
        if not chunk:
            return None
        request += chunk
    cwd, *argv = request[10:].decode().split("\0")
    return cwd, argv


def _handle(conn: socket.socket, request: tuple[str, list[str]]) -> None:
    from albench.run.runner import run_job

    cwd, argv = request
    done = threading.Event()
    watchdog = threading.Thread(target=_die_without_client, args=(conn, done), daemon=True)
    watchdog.start()
    try:
        os.chdir(cwd)
        if argv[:1] == [CALL] and len(argv) >= 2 and argv[1].startswith("albench."):
            status = importlib.import_module(argv[1]).main(*argv[2:])
            answer = f"status {status}"
        else:
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
    """`serve PATH WORKERS PARENT_PID IDENTITY` or `worker FD SERVER_PID [DIRECTORY]`."""
    if argv[:1] == ["serve"] and len(argv) == 5:
        serve(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif argv[:1] == ["worker"] and len(argv) in (3, 4):
        work(int(argv[1]), int(argv[2]), argv[3] if len(argv) == 4 else None)
    else:
        raise SystemExit(
            "usage: python -m albench.run.pool serve PATH WORKERS PARENT IDENTITY"
            " | worker FD PID [DIRECTORY]"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
