"""Determinism across core counts and reruns, and the lock between concurrent runs."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import (
    SNAKEMAKE,
    cell_outputs,
    curve_names,
    small_config,
    snakemake,
    wait_until,
    worker_processes_in,
    write_config,
)

from albench.analysis.verdict import verdict_text
from albench.plan.incomplete import INCOMPLETE_WHERE
from albench.specs import VerdictSpec

pytestmark = pytest.mark.slow

CONFIG = {
    "datasets": {"wine": {"source": "sklearn", "name": "wine"}},
    "models": {"logreg": {"estimator": "sklearn.linear_model.LogisticRegression"}},
    "strategies": {
        "random": {"query": "RandomSampling"},
        "badge": {"query": "Badge"},
        "typiclust": {"query": "TypiClust"},
    },
    "seeds": 2,
    "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
}


# SlowClassifier's seconds per fit: long enough to act while a run is busy.
FAST = {"seconds": 0.4}


@pytest.fixture(scope="module")
def pooled_run(tmp_path_factory):
    """CONFIG run with --cores 2, in the albench executor's warm workers, uninterrupted."""
    workdir = tmp_path_factory.mktemp("pooled")
    write_config(workdir, CONFIG)
    snakemake(workdir, "--configfile", "bench.yaml", "--cores", "2")
    assert not worker_processes_in(workdir), "a worker outlived its snakemake run"
    return workdir


def test_results_are_identical_with_one_or_two_cores(tmp_path, pooled_run):
    # Snakemake's local executor runs every job in its own process, albench's in warm workers. Only
    # seed 1's cells and what they need (its split and the data): the tables and figures derive
    # from the cells, and each cell's process costs a second of imports. A rerun in the same
    # folder is compared with the same run in test_killed_run_resumes_...
    one = tmp_path / "one"
    one.mkdir()
    write_config(one, CONFIG)
    cells = [
        f"results/{kind}/wine/default/logreg/{strategy}/seed1.parquet"
        for kind in ("curves", "selections")
        for strategy in CONFIG["strategies"]
    ]
    snakemake(one, "--configfile", "bench.yaml", "--cores", "1", "--executor", "local", *cells)
    first, second = cell_outputs(one), cell_outputs(pooled_run)
    assert sorted(first) == sorted(cells)
    for path in first:
        pd.testing.assert_frame_equal(first[path], second[path], check_exact=True, obj=path)


def test_a_second_run_on_the_same_directory_is_refused(tmp_path):
    # Two cells of a model that takes 0.4 s per fit: the first run (the cells, and the data
    # preparation and splits they need) lasts 9 s or more.
    slow = {
        **CONFIG,
        "models": {"slow": {"estimator": "pool_helpers.SlowClassifier", "params": FAST}},
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
        },
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 2, "iterations": 10},
    }
    write_config(tmp_path, slow)
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent)}
    first = subprocess.Popen(
        [*SNAKEMAKE, "--configfile", "bench.yaml", "--cores", "1", "--until", "al_cell"],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        locks = tmp_path / ".snakemake" / "locks"
        deadline = time.monotonic() + 60
        while not (locks.exists() and any(locks.iterdir())):
            assert first.poll() is None, "the first run ended before it took its lock"
            assert time.monotonic() < deadline, "the first run never took its lock"
            time.sleep(0.2)
        second = snakemake(
            tmp_path, "--configfile", "bench.yaml", "--cores", "1", check=False, env=env
        )
        assert second.returncode != 0
        assert "cannot be locked" in second.stdout + second.stderr
        output, _ = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, output
    assert len(cell_outputs(tmp_path)) == 2 * 2  # curves and selections


def test_killed_run_resumes_to_the_same_results(tmp_path, pooled_run):
    import os
    import signal

    import pyarrow.parquet as pq

    killed = tmp_path / "killed"
    killed.mkdir()
    write_config(killed, CONFIG)
    run = subprocess.Popen(
        [*SNAKEMAKE, "--configfile", "bench.yaml", "--cores", "2"],
        cwd=killed,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    curves = killed / "results" / "curves"
    deadline = time.monotonic() + 120
    while len(final_parquet(curves)) < 3:
        assert run.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    written = {p: p.stat().st_mtime_ns for p in final_parquet(curves)}
    deadline = time.monotonic() + 10
    while worker_processes_in(killed):
        assert time.monotonic() < deadline, "workers outlived the killed run"
        time.sleep(0.1)
    # Whatever the kill left under a final name is a complete Parquet file (a job killed while
    # writing leaves at most a hidden temporary file, `albench.io.files.atomic_path`).
    for path in final_parquet(killed / "results"):
        pq.read_table(path)

    # A plain rerun is refused and says what to do: remove the lock a SIGKILL can leave
    # (--unlock) and redo the jobs that were running (--rerun-incomplete).
    refused = snakemake(killed, "--configfile", "bench.yaml", "--cores", "2", check=False)
    message = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "--unlock" in message or "--rerun-incomplete" in message
    snakemake(killed, "--configfile", "bench.yaml", "--unlock")
    snakemake(killed, "--configfile", "bench.yaml", "--cores", "2", "--rerun-incomplete")
    # The rerun of a job killed while writing removed the temporary it had left.
    assert not list((killed / "results").rglob(".*.tmp.parquet"))
    # Finished cells are not recomputed: at most the two that were running (--cores 2) when
    # the kill came, whose output may have been renamed into place already, run again.
    redone = [p for p, mtime in written.items() if p.stat().st_mtime_ns != mtime]
    assert len(written) >= 3 and len(redone) <= 2, redone
    resumed, uninterrupted = cell_outputs(killed), cell_outputs(pooled_run)
    assert resumed.keys() == uninterrupted.keys() and len(resumed) == 2 * 3 * 2
    for path in resumed:
        pd.testing.assert_frame_equal(resumed[path], uninterrupted[path], check_exact=True)
    assert (killed / "results/summary/comparison.csv").exists()


def test_keep_going_keeps_everything_a_failing_cell_does_not_touch(tmp_path):
    config = small_config()  # iris and moons, two seeds
    config["models"]["fragile"] = {"estimator": "pool_helpers.FragileClassifier"}
    del config["strategies"]["badge"]
    write_config(tmp_path, config)
    env = {"PYTHONPATH": str(Path(__file__).resolve().parent)}
    stale = tmp_path / "results/verdict.txt"  # another config's verdict, from an earlier run
    stale.parent.mkdir(parents=True)
    stale.write_text("albench verdict of another config\n")
    os.utime(stale, (0, 0))
    run = snakemake(
        tmp_path,
        "--configfile",
        "bench.yaml",
        "--cores",
        "2",
        "--keep-going",
        check=False,
        env=env,
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0

    curves = curve_names(tmp_path)
    expected = {
        f"{d}/default/{m}/{s}/seed{seed}.parquet"
        for d in ("iris", "moons")
        for m in ("logreg", "fragile")
        for s in ("random", "entropy")
        for seed in (0, 1)
        if (d, m) != ("moons", "fragile")
    }
    assert curves == expected
    # The unaffected data set is fully summarised and drawn; the affected one and the overall
    # tables wait for the failed cells.
    assert (tmp_path / "results/summary/datasets/iris/comparison.csv").exists()
    assert (tmp_path / "results/figures/iris__fragile__default.png").exists()
    assert (tmp_path / "results/figures/moons__logreg__default.png").exists()
    assert not (tmp_path / "results/summary/datasets/moons").exists()
    assert not (tmp_path / "results/summary/comparison.csv").exists()
    # The output names each failing cell, its error and its log, which holds the traceback.
    log = "logs/al_cell/moons/default/fragile/random/seed0.log"
    assert f"RuntimeError: this model cannot handle two features (log: {log})" in output
    assert "Traceback" in (tmp_path / log).read_text()
    assert not list((tmp_path / "results").rglob("*.tmp*"))

    # The run ends with the verdict of what finished, and says what did not; the earlier
    # verdict, which no longer describes the results, is gone.
    assert not stale.exists()
    assert "an earlier run's results/verdict.txt was removed" in output
    text = (tmp_path / "results/verdict_incomplete.txt").read_text()
    assert text in output
    assert "4 of 16 cells have no up-to-date curve" in text
    assert "  moons × fragile: 4 of 4 cells\n" in text
    assert "covers the 3 of 4 data set × model pairs" in text
    # Its summary sentence counts the pairs it covers, with the five answers as a full run's.
    assert re.search(
        r"random is as good as every strategy on \d of 3 data set × model pairs",
        " ".join(text.split()),
    )
    groups = verdict_groups(text)
    assert set(groups) == {"iris × logreg", "iris × fragile", "moons × logreg"}
    # Its numbers are those of the complete tables of the data set that finished.
    iris = tmp_path / "results/summary/datasets/iris"
    spec = VerdictSpec(baseline="random", metric="accuracy", strategies=["random", "entropy"])
    tables = pd.read_csv(iris / "comparison.csv"), pd.read_csv(iris / "label_savings.csv")
    iris_groups = verdict_groups(verdict_text(*tables, spec, INCOMPLETE_WHERE))
    assert {g: groups[g] for g in iris_groups} == iris_groups

    # A run that finishes replaces it with the verdict of the whole grid.
    del config["models"]["fragile"]
    write_config(tmp_path, config)
    snakemake(tmp_path, "--configfile", "bench.yaml", "--cores", "2", env=env)
    assert (tmp_path / "results/verdict.txt").exists()
    assert not (tmp_path / "results/verdict_incomplete.txt").exists()


def final_parquet(folder: Path) -> list[Path]:
    """Return the Parquet files under `folder` with final names (not hidden temporaries)."""
    return [p for p in folder.rglob("*.parquet") if not p.name.startswith(".")]


def verdict_groups(text: str) -> dict[str, list[str]]:
    """Return each `data set × model:` block of a verdict text: its indented lines."""
    groups, current = {}, None
    for line in text.splitlines():
        if re.fullmatch(r"\S+ × \S+:", line):
            current = groups.setdefault(line[:-1], [])
        elif line.startswith("  ") and current is not None:
            current.append(line)
        else:
            current = None
    return groups


def test_a_killed_long_cell_resumes_from_its_checkpoint_in_the_workflow(tmp_path):
    import signal

    # One cell of a model that takes 0.4 s per fit, checkpointing after every iteration.
    config = {
        **CONFIG,
        "models": {"slow": {"estimator": "pool_helpers.SlowClassifier", "params": FAST}},
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling"},
        },
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 2, "iterations": 8},
    }
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parent),
        "ALBENCH_CHECKPOINT_SECONDS": "0",
    }
    for workdir in (killed, clean):
        workdir.mkdir()
        write_config(workdir, config)
    command = [*SNAKEMAKE, "--configfile", "bench.yaml", "--cores", "1"]
    run = subprocess.Popen(
        command,
        cwd=killed,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    uninterrupted = subprocess.Popen(
        command, cwd=clean, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 180
    checkpoints = killed / "results" / "curves"
    while not list(checkpoints.rglob(".seed0.checkpoint.pkl")):
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    (first,) = checkpoints.rglob(".seed0.checkpoint.pkl")
    written = first.stat().st_mtime_ns
    while first.exists() and first.stat().st_mtime_ns == written:  # one more iteration's
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    (checkpoint,) = checkpoints.rglob(".seed0.checkpoint.pkl")
    cell = checkpoint.parent.relative_to(checkpoints)
    snakemake(killed, "--configfile", "bench.yaml", "--unlock", env=env)
    snakemake(killed, "--configfile", "bench.yaml", "--cores", "1", "--rerun-incomplete", env=env)
    log = (killed / "logs/al_cell" / cell / "seed0.log").read_text()
    resumed_at = int(re.search(r"resuming from checkpoint \S+ at iteration (\d+)", log)[1])
    assert 1 <= resumed_at <= 8
    assert not checkpoint.exists()  # removed once the outputs are written
    assert uninterrupted.wait(timeout=300) == 0
    resumed, whole = cell_outputs(killed), cell_outputs(clean)
    assert resumed.keys() == whole.keys() and len(resumed) == 2 * 2
    for path in resumed:
        pd.testing.assert_frame_equal(resumed[path], whole[path], check_exact=True)


def test_an_interrupted_run_reports_no_job_as_failed_and_ends_with_one_line(tmp_path):
    import signal

    # Cells of a model that takes 0.4 s per fit: the run is busy when Ctrl-C comes.
    config = {
        **CONFIG,
        "models": {"slow": {"estimator": "pool_helpers.SlowClassifier", "params": FAST}},
        "strategies": {"random": {"query": "RandomSampling"}, "badge": {"query": "Badge"}},
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 2, "iterations": 10},
    }
    write_config(tmp_path, config)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
    run = subprocess.Popen(
        [*SNAKEMAKE, "--configfile", "bench.yaml", "--cores", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    cells = tmp_path / "logs" / "al_cell"
    wait_until(lambda: cells.exists() and any(cells.rglob("*.log")), 120, "a cell's start")
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole process group
    output, _ = run.communicate(timeout=120)
    assert run.returncode != 0
    assert "Terminating processes on user request" in output
    assert "died" not in output and "Error in rule" not in output, output[-3000:]
    assert not worker_processes_in(tmp_path)
    # It ends with one line that says how far it came and how to go on; no traceback, no
    # verdict of "failed" cells.
    last = output.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"albench: interrupted after \d+ of 2 cells; run the same command to resume", last
    ), output[-3000:]
    assert "Traceback" not in output and "WorkflowError" not in output
    assert "the run did not finish" not in output
