"""The end of the Snakemake process: its heap left to the operating system, not collected.

When a Python process ends, the interpreter clears each module and runs the cyclic garbage
collector over what is left, again and again as modules go: in a process that has imported
Snakemake (about 1 100 modules: pandas, SQLAlchemy, pydantic and the executor plugins among
them) that took 0.45 s of a bare `import snakemake.cli` (1.52 s against 1.08 s ended with
`os._exit`, medians of 6), paid by every `snakemake` call, a rerun with nothing to do included.
`freeze_heap_at_exit` moves every object alive at exit into the collector's permanent
generation (`gc.freeze`), which those collections skip; the memory goes back with the process.
The Snakefile applies it to Snakemake's process, and a job that runs in its own process (no
pool: `ALBENCH_NO_POOL`, conda or containers, a cluster submission of one job) to its own, which
has imported scikit-learn (about 0.2 s a job); a pool's workers end with `os._exit`.

It runs as an exit handler, so the handlers registered before it (logging's shutdown, which
flushes and closes Snakemake's log files; `weakref.finalize` hooks, such as temporary
directories') still run after it, and objects freed by reference counting are freed as before.
What it gives up is finalizers of objects in reference cycles at exit, which Python does not
promise to run either.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def freeze_heap_at_exit() -> bool:
    """Freeze the garbage collector's heap when the process exits (see the module's docstring);
    return whether the exit handler was registered now (False where it was before)."""
    global _registered
    if _registered:
        return False
    atexit.register(gc.freeze)
    _registered = True
    return True
