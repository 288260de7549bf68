"""What every rule's script does around its one library call, and the `snakemake` object a warm
worker gives a script.

A rule's script (scripts/NAME.py) runs under Snakemake's own executors, which give it
Snakemake's `snakemake` object, or in a warm worker of the `albench` executor
(snakemake_executor_plugin_albench), which gives it a `ScriptJob` with the same attributes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from albench.env import WORKER_ENV
from albench.io.logs import log_to

log = logging.getLogger(__name__)


class Files(list):
    """Paths by position and by name, as in Snakemake's named lists (`snakemake.input.data`,
    `snakemake.log[0]`, `snakemake.input.items()`); an entry may be a list of paths."""

    def __init__(self, paths: list[Any] = (), named: Mapping[str, Any] | None = None) -> None:
        super().__init__(paths)
        self._named = dict(named or {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._named[name]
        except KeyError:
            known = ", ".join(self._named) or "none"
            raise AttributeError(f"no entry {name!r} (named entries: {known})") from None

    def items(self) -> Iterator[tuple[str, Any]]:
        """The named entries, in order."""
        return iter(self._named.items())

    def keys(self) -> Iterator[str]:
        """The entries' names."""
        return iter(self._named)

    def get(self, name: str, default: Any = None) -> Any:
        """The entry `name`, or `default`."""
        return self._named.get(name, default)


@dataclass
class ScriptJob:
    """What a script reads of its job: Snakemake's `snakemake` object's attributes that albench's
    scripts use, as plain values."""

    rule: str
    input: Files
    output: Files
    log: Files
    params: Files
    wildcards: Files
    threads: int = 1
    resources: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def running(snakemake: Any) -> Iterator[None]:
    """Run a script's body with its records, warnings, prints and traceback written to the job's
    log, on as many threads as its rule asked for.

    Snakemake sets OMP_NUM_THREADS and the like only for a process it starts; a warm worker's
    numerical libraries were loaded with one thread per core (two t-SNE figure jobs on two cores
    ran 4.5 times slower unlimited), so the limit is set here for every job.
    """
    from threadpoolctl import threadpool_limits

    path = snakemake.log[0] if len(snakemake.log) else None
    with log_to(path), threadpool_limits(limits=snakemake.threads):
        start = time.perf_counter()
        yield
        where = "a warm worker" if os.environ.get(WORKER_ENV) else "its own process"
        if slurm_job := os.environ.get("SLURM_JOB_ID"):
            where += f" of SLURM job {slurm_job}"
        log.info(
            "rule %s computed for %.3f s in %s",
            getattr(snakemake, "rule", "?"),
            time.perf_counter() - start,
            where,
        )
