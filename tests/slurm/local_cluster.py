"""A real single-node SLURM cluster on this machine, and a profile for it.

Shared by tests/test_slurm.py and benchmarks/cluster.py. `local_slurm()` installs Debian's
slurm-wlm and munge when missing (root and apt-get needed), starts the daemons with
start_local_slurm.sh beside this file, and stops them (and removes what it installed) afterwards.
`cluster_profile()` is the repository's profiles/slurm plus the settings this cluster needs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import yaml

# apt-get one at a time with other test workers that install packages (tests/helpers.py, and
# start_local_slurm.sh, which takes the same lock).
APT_LOCK = "/tmp/albench-tests-apt.lock"

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parents[1]
PARTITION = "debug"


class SlurmUnavailable(RuntimeError):
    """This machine cannot run a local SLURM cluster (not root, or no apt-get)."""


def can_start() -> bool:
    """Whether `local_slurm` can work here: as root on a Debian-like system."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


@contextlib.contextmanager
def local_slurm(min_job_age: int = 300) -> Iterator[None]:
    """Run a single-node cluster (partition `debug`, this machine's CPUs) for the block.

    SLURM forgets a finished job `min_job_age` seconds after it ends (`node_seconds` needs it).

    Packages it installed it also removes: with SLURM's client tools installed and no controller
    running, the SLURM executor plugin's probes at import (`scontrol show config`) hang for about
    9 s at every later `snakemake` start on this machine.
    """
    if not can_start():
        raise SlurmUnavailable("starting a local SLURM cluster needs root and apt-get (Debian)")
    installs = shutil.which("slurmctld") is None
    start = subprocess.run(
        ["bash", str(SCRIPTS / "start_local_slurm.sh")],
        env={**os.environ, "SLURM_PARTITION": PARTITION, "SLURM_MIN_JOB_AGE": str(min_job_age)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if start.returncode != 0:
        raise RuntimeError(f"local SLURM did not start:\n{start.stderr[-3000:]}")
    try:
        yield
    finally:
        subprocess.run(
            ["bash", str(SCRIPTS / "stop_local_slurm.sh")], capture_output=True, timeout=120
        )
        if installs:
            subprocess.run(
                ["flock", APT_LOCK, "apt-get", "remove", "-y", "-qq"]
                + ["slurmctld", "slurmd", "slurm-client"],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                capture_output=True,
                timeout=300,
            )


def cluster_profile(
    directory: Path, cores: int, source: Path = REPO / "profiles" / "slurm", **overrides
) -> Path:
    """Write `source`'s profile with this cluster's site settings into `directory`; return it.

    Site settings only: the partition, `cores` (the CPUs of this machine's one node), a status
    query that needs no accounting daemon (squeue), and 2-s polling. `overrides` replace keys.
    """
    profile = yaml.safe_load((source / "config.yaml").read_text())
    # The executor's own settings carry its name: slurm-status-command, albench-slurm-...
    prefix = profile["executor"]
    profile["default-resources"] = {**profile["default-resources"], "slurm_partition": PARTITION}
    profile.update(
        {
            "jobs": 4,
            "cores": cores,
            "latency-wait": 10,
            f"{prefix}-status-command": "squeue",
            f"{prefix}-init-seconds-before-status-checks": 2,
            "seconds-between-status-checks": 2,
            f"{prefix}-keep-successful-logs": True,
            **overrides,
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(yaml.safe_dump(profile))
    return directory


def submissions(workdir: Path) -> list[str]:
    """The SLURM job ids of the submissions a run in `workdir` made (from their log names)."""
    logs = (workdir / ".snakemake" / "slurm_logs").rglob("*.log")
    return sorted({path.stem for path in logs if path.stem.isdigit()}, key=int)


def node_seconds(job_ids: list[str]) -> float:
    """CPU-seconds the cluster allocated to these jobs: run time x CPUs, from `scontrol`.

    Finished jobs stay visible for `local_slurm`'s `min_job_age`: call it soon after the run.
    """
    total = 0.0
    for job_id in job_ids:
        record = subprocess.run(
            ["scontrol", "show", "job", "-o", job_id], capture_output=True, text=True
        ).stdout
        fields = dict(re.findall(r"(\w+)=(\S+)", record))
        if "StartTime" not in fields:
            raise RuntimeError(f"SLURM no longer knows job {job_id}: {record.strip()!r}")
        start, end = (datetime.fromisoformat(fields[key]) for key in ("StartTime", "EndTime"))
        total += (end - start).total_seconds() * int(fields["NumCPUs"])
    return total
