"""What a rerun costs: a call with nothing to do, and a call after editing one strategy's params,
against Snakemake's own floor for as many finished jobs.

Usage: python benchmarks/rerun.py [--cores 2] [--repeats 5] [--workdir DIR] [--code CHECKOUT]

In a copy of the repository's tracked files (into `--workdir`, a folder that has run before,
the results kept), the default config runs once to the end; then it prints (`--code`: the
workflow and library of another checkout, e.g. a `git worktree` of an older commit, for a
before-and-after):
- no-op: the wall time of `snakemake --cores N` with nothing to do ("Nothing to be done"), the
  median of `--repeats` calls, and the floor: a trivial workflow with as many finished
  one-output jobs (`touch`), the same calls; and their ratio (goal: at most 2);
- edit: after changing one strategy's params in the config (margin's method), the time from the
  call until its first job starts (Snakemake marks the job's outputs incomplete as it starts
  it: `.snakemake/incomplete/`), median of `--repeats` edits back and forth, each checked as a
  config never seen before (the records of passed checks and probes other than the unedited
  config's are removed before each edit's call, `albench.plan.checked`: the config is checked
  and the edited strategy's pairs probed again, the others' probes kept), against the same
  floor (goal: at most 2); and that the edit reran exactly that strategy's cells.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import TRIVIAL_SNAKEFILE  # noqa: E402

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def copy_repository(target: Path, repo: Path = REPO) -> None:
    """Copy the tracked files of `repo` (the workflow, its config and profiles) to `target`."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = repo / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())


ENV = dict(os.environ)  # the workflow's environment (`--code` puts another library first)


def run(
    cmd: list[str], cwd: Path, nothing_to_do: bool = False, env: dict[str, str] | None = None
) -> float:
    """Run `cmd` in `cwd` to the end (it must succeed, and with `nothing_to_do` find nothing to
    do); return its wall seconds."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env or ENV)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[2:])} failed in {cwd}:\n{proc.stderr[-3000:]}")
    if nothing_to_do and "Nothing to be done" not in proc.stdout + proc.stderr:
        raise SystemExit(f"{' '.join(cmd[2:])} in {cwd} found work to do:\n{proc.stderr[-3000:]}")
    return wall


def until_first_job(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run `cmd` in `cwd` with `env` to the end; return the seconds until it started its first
    job."""
    marks = cwd / ".snakemake" / "incomplete"
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    first = None
    while proc.poll() is None and first is None:
        if marks.is_dir() and any(marks.iterdir()):
            first = time.perf_counter() - start
        time.sleep(0.005)
    _, stderr = proc.communicate()
    if proc.returncode != 0 or first is None:
        raise SystemExit(f"{' '.join(cmd[2:])} failed or ran no job:\n{stderr.decode()[-3000:]}")
    return first


def jobs_of(workdir: Path, cmd: list[str]) -> int:
    """The number of jobs of the whole workflow (`-n --forceall`)."""
    proc = subprocess.run(
        [*cmd, "-n", "--forceall", "--quiet", "rules"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=ENV,
    )
    for line in (proc.stdout + proc.stderr).splitlines():
        if line.startswith("total"):
            return int(line.split()[1])
    raise SystemExit(f"no job count in:\n{proc.stdout}\n{proc.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="a folder that ran before")
    parser.add_argument("--code", type=Path, help="another checkout's workflow and library")
    args = parser.parse_args()
    if args.code is not None:
        ENV["PYTHONPATH"] = str(args.code.resolve() / "src")
    base = Path(tempfile.mkdtemp(prefix="albench-rerun-"))
    workdir = args.workdir or base / "albench"
    workdir.mkdir(parents=True, exist_ok=True)
    # The workflow of the code measured (a `--workdir` may hold another's).
    copy_repository(workdir, args.code.resolve() if args.code else REPO)
    cmd = [*SNAKEMAKE, "--cores", str(args.cores)]
    full = run(cmd, workdir)
    # The records of passed checks and probes (albench.plan.checked) of this config only, as
    # after a first run: those of earlier runs' edits would spare the edits below their check.
    records = workdir / ".snakemake" / "albench"
    for kind in ("checked", "probed"):
        shutil.rmtree(records / kind, ignore_errors=True)
    run(cmd, workdir, nothing_to_do=True)
    kept = set(records.rglob("*"))
    print(f"first run (or its completion): {full:.1f} s")
    jobs = jobs_of(workdir, cmd)

    floor_dir = base / "floor"
    floor_dir.mkdir()
    (floor_dir / "Snakefile").write_text(TRIVIAL_SNAKEFILE.format(jobs=jobs, client=""))
    run(cmd, floor_dir)
    noop, floor = [], []
    for _ in range(args.repeats):  # in turns, so that the machine's drift hits both alike
        noop.append(run(cmd, workdir, nothing_to_do=True))
        floor.append(run(cmd, floor_dir, nothing_to_do=True))
    albench, engine = statistics.median(noop), statistics.median(floor)
    print(
        f"no-op      albench {albench:5.2f} s  (runs {', '.join(f'{t:.2f}' for t in noop)})\n"
        f"           floor   {engine:5.2f} s  ({jobs} finished trivial jobs; runs "
        f"{', '.join(f'{t:.2f}' for t in floor)})\n"
        f"           albench / floor = {albench / engine:.2f} (goal: at most 2)"
    )

    config_path = workdir / "config" / "config.yaml"
    original = config_path.read_text()
    config = yaml.safe_load(original)
    starts = []
    curves = workdir / "results" / "curves"
    try:
        for k in range(args.repeats):
            # Never the unedited method (margin_sampling), whose check the first run recorded.
            method = "least_confident" if k % 2 == 0 else "entropy"
            config["strategies"]["margin"]["params"]["method"] = method
            config_path.write_text(yaml.safe_dump(config, sort_keys=False))
            before = {p: p.stat().st_mtime_ns for p in curves.rglob("*.parquet")}
            # As a config never checked before: the records of the edits before are removed.
            for path in set(records.rglob("*")) - kept:
                if path.is_file():
                    path.unlink()
            starts.append(until_first_job(cmd, workdir, ENV))
            rerun = {p.parts[-2] for p, t in before.items() if p.stat().st_mtime_ns != t}
            if rerun != {"margin"}:
                raise SystemExit(f"the edit reran the cells of {sorted(rerun)}, not margin's")
    finally:
        config_path.write_text(original)
        run(cmd, workdir, env=ENV)
    start = statistics.median(starts)
    print(
        f"edit       first job after {start:5.2f} s  (runs "
        f"{', '.join(f'{t:.2f}' for t in starts)}); only margin's cells reran\n"
        f"           first job / floor's no-op = {start / engine:.2f} (goal: at most 2)"
    )
    if args.workdir is None:
        print(f"(work folder: {workdir}; rerun with --workdir to skip the first run)")
    shutil.rmtree(floor_dir)


if __name__ == "__main__":
    main()
