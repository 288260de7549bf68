"""Every workflow job's client (scripts/job.py): `NAME LOG THREADS FILES SPEC`.

Hands the job to the warm worker pool of the running Snakemake process when there is one
(`$ALBENCH_POOL` names its socket), and otherwise runs it in this process. Both paths call the same
function (`albench.run.runner.run_job`) on the same arguments, so results do not depend on the path.

This module imports nothing but the interpreter's built-in modules (not even `socket` or `json`,
8 ms each) and `albench.env` (names only): with a pool, a job costs about 13 ms of interpreter
start instead of importing scikit-learn and friends (about 1.5 s).

The wire format (see `encode_request`, `albench.run.pool`): a 10-digit length, then the working
directory and the arguments separated by NUL bytes (which no path or argument can contain); the
answer is `ok` or `error: MESSAGE`, and no answer at all means the worker died.
"""

from __future__ import annotations

import _socket
import os
import sys

from albench.env import POOL_ENV

USAGE = "usage: python scripts/job.py NAME LOG THREADS FILES SPEC"


def encode_request(cwd: str, argv: list[str]) -> bytes:
    """The bytes a client sends: length header, then cwd and arguments joined by NUL."""
    payload = "\0".join([cwd, *argv]).encode()
    return b"%010d" % len(payload) + payload


# A worker whose imported modules changed since it imported them (a lingering pool adopted after
# an edit, albench.run.pool) answers this and exits; each does so once, so a few tries suffice.
STALE = "stale"
STALE_RETRIES = 64


def send_request(path: str, cwd: str, argv: list[str]) -> _socket.socket | None:
    """Connect to the pool at `path` and send it `argv`; the connection, None if none answers."""
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
        conn.sendall(encode_request(cwd, argv))
    except OSError:
        conn.close()
        return None
    return conn


def read_answer(conn: _socket.socket) -> str:
    """The worker's whole answer on `conn` ('' where it died first); closes `conn`."""
    reply = b""
    try:
        while chunk := conn.recv(65536):
            reply += chunk
    except OSError:
        reply = b""
    finally:
        conn.close()
    return reply.decode(errors="replace")


def ask(path: str, cwd: str, argv: list[str]) -> str | None:
    """Run `argv` on the pool at `path` and return the answer ('' where its worker died), asking
    again where a stale worker answered; None when no pool answers there."""
    for _ in range(STALE_RETRIES):
        conn = send_request(path, cwd, argv)
        if conn is None:
            return None
        answer = read_answer(conn)
        if answer != STALE:
            return answer
    return ""


def _ask_pool(path: str, argv: list[str]) -> int | None:
    """Run `argv` on the pool at `path`; None when no pool answers there."""
    answer = ask(path, os.getcwd(), argv)
    if answer is None:
        return None
    if not answer:
        _say(
            f"albench: the pool worker running job {argv[0]!r} died before finishing "
            f"it (killed or crashed); see its log {argv[1]}"
        )
        return 1
    if answer == "ok":
        return 0
    error = answer.removeprefix("error: ")
    _say(f"albench: job {argv[0]!r} failed: {error} (log: {argv[1]})")
    return 1


def _say(message: str) -> None:
    """Print `message` to stderr, on a line of its own in a terminal with a progress line."""
    clear = "\r\033[K" if sys.stderr.isatty() else ""
    print(clear + message, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one job, on the pool if one answers, else here; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 5:
        print(USAGE, file=sys.stderr)
        return 2
    pool = os.environ.get(POOL_ENV)
    if pool:
        status = _ask_pool(pool, argv)
        if status is not None:
            return status
    from albench.run.runner import run_job
    from albench.run.teardown import freeze_heap_at_exit

    freeze_heap_at_exit()  # the process ends with its job (its files are closed by then)
    run_job(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
