"""Entry point of every workflow job: `python -m albench.job NAME LOG [key=value | key:=json]...`.

Hands the job to the warm worker pool of the running Snakemake process when there is one
(`$ALBENCH_POOL` names its socket), and otherwise runs it in this process. Both paths call the same
function (`albench.jobs.run_job`) on the same arguments, so results do not depend on the path.

This module imports only the standard library: with a pool, a job costs one interpreter start
(about 20 ms) instead of importing scikit-learn and friends (about 1.5 s).
"""

from __future__ import annotations

import json
import os
import socket
import sys

POOL_ENV = "ALBENCH_POOL"
USAGE = "usage: python -m albench.job NAME LOG [key=value | key:=json]... [-- path...]"


def _ask_pool(path: str, argv: list[str]) -> int | None:
    """Run `argv` on the pool at `path`; None when no pool answers there."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    with conn:
        request = {"argv": argv, "cwd": os.getcwd()}
        conn.sendall(json.dumps(request).encode() + b"\n")
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    if not reply:
        print(
            f"albench: the pool worker running job {argv[0]!r} died before finishing it "
            f"(killed or crashed); see its log {argv[1]}",
            file=sys.stderr,
        )
        return 1
    answer = json.loads(reply)
    if answer["ok"]:
        return 0
    print(f"albench: job {argv[0]!r} failed: {answer['error']} (log: {argv[1]})", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run one job, on the pool if one answers, else here; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(USAGE, file=sys.stderr)
        return 2
    pool = os.environ.get(POOL_ENV)
    if pool:
        status = _ask_pool(pool, argv)
        if status is not None:
            return status
    from albench.jobs import run_job

    run_job(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
