"""Running one job: its command line read into a Job, its rule's function called, its log
written (the pool's workers and the client without a pool both call `run_job`)."""

from __future__ import annotations

import logging
import os
import time

from threadpoolctl import threadpool_limits

from albench.io.logs import log_to
from albench.run import rules
from albench.run.job import parse_job

log = logging.getLogger(__name__)


def run_job(argv: list[str], where: str = "its own process") -> None:
    """Run the job `argv` describes, writing its log records, warnings and errors to its log
    file; `where` (a pool worker, or its own process) goes into the log's last line."""
    job = parse_job(argv)
    with log_to(job.log):
        start = time.perf_counter()
        # A job computes on the threads its rule asked for. Snakemake sets OMP_NUM_THREADS and
        # the like for the job's own process, but a pool worker's libraries were loaded with
        # one thread per core: unlimited, two figure jobs on two cores ran t-SNE 4.5 times
        # slower than one thread each.
        with threadpool_limits(limits=job.threads):
            rules.function(job.name)(job)
        if slurm_job := os.environ.get("SLURM_JOB_ID"):
            where += f" of SLURM job {slurm_job}"
        log.info("job %s computed for %.3f s in %s", job.name, time.perf_counter() - start, where)
