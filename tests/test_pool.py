"""The warm worker pool: same results as in-process jobs, crash containment, no leftovers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import CELL, job_argv

from albench.env import NO_POOL_ENV, POOL_ENV
from albench.errors import AlbenchError
from albench.io.curves import TIMING_COLUMNS
from albench.run import pool
from albench.run.client import _ask_pool
from albench.run.job import parse_job
from albench.run.runner import run_job
from albench.specs import CellSpec, DatasetSpec, SplitSpec

TESTS = Path(__file__).resolve().parent


def pool_processes(server: int) -> set[int]:
    """PIDs of the pool server `server` and of its workers that are still alive."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode().split("\0")
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if "albench.run.pool" not in argv or state == "Z":
            continue
        at = argv.index("albench.run.pool")
        is_worker = argv[at + 1 : at + 2] == ["worker"] and argv[at + 3 : at + 4] == [str(server)]
        if int(entry.name) == server or is_worker:
            found.add(int(entry.name))
    return found


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def workers_of(server: int) -> set[int]:
    return pool_processes(server) - {server}


@pytest.fixture
def warm_pool(monkeypatch):
    """A pool of two workers that can import tests/pool_helpers.py; stopped afterwards."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.delenv(NO_POOL_ENV, raising=False)
    path = pool.start(2)
    assert path is not None
    server = pool._server.pid
    assert wait_until(lambda: len(workers_of(server)) == 2)
    yield path, server
    pool.stop()


@pytest.fixture
def prepared(tmp_path):
    """Job arguments for a prepared iris data set and one split, written by in-process jobs."""
    data, split = tmp_path / "iris.parquet", tmp_path / "split.parquet"
    iris = DatasetSpec(name="iris", source={"source": "sklearn", "name": "iris"})
    run_job(job_argv("prepare_dataset", tmp_path / "p.log", {"files": []}, {"data": data}, iris))
    spec = SplitSpec(dataset="iris", seed=0, test_size=0.25, initial_size=6)
    run_job(job_argv("split", tmp_path / "s.log", {"data": data}, {"split": split}, spec))
    return tmp_path, data, split


def cell_argv(workdir: Path, data: Path, split: Path, name: str, estimator: str) -> list[str]:
    model = {"estimator": estimator, "params": {}}
    cell = CellSpec(**dict(CELL, dataset="iris", seed=0, model_spec=model))
    outputs = {
        "curve": workdir / f"{name}.curve.parquet",
        "selection": workdir / f"{name}.sel.parquet",
    }
    inputs = {"data": data, "split": split}
    return job_argv("al_cell", workdir / f"{name}.log", inputs, outputs, cell)


def test_a_job_gets_its_rules_named_files_spec_log_and_threads(tmp_path):
    cells = {"cells": ["a", "b", "c"], "references": []}
    tables = {"curves": "o.parquet", "aubc": "o.csv"}
    argv = job_argv("summarise_dataset", "x.log", cells, tables, {"baseline": "random"}, 2)
    job = parse_job(argv)
    assert (job.name, job.log, job.threads) == ("summarise_dataset", Path("x.log"), 2)
    assert job.input.cells == [Path("a"), Path("b"), Path("c")] and job.input.references == []
    assert dict(job.output) == {"curves": Path("o.parquet"), "aubc": Path("o.csv")}
    assert job.spec == {"baseline": "random"}
    cell = CellSpec(**CELL, seed=4)
    files = ({"data": "d", "split": "s"}, {"curve": "c", "selection": "q"})
    job = parse_job(job_argv("al_cell", "c.log", *files, cell, threads=3))
    assert CellSpec(**job.spec) == cell and job.output.curve == Path("c")
    with pytest.raises(AlbenchError, match=r"job al_cell's input has no 'labels' \(it has: data"):
        _ = job.input.labels
    with pytest.raises(AlbenchError, match="NAME LOG THREADS FILES SPEC, not 4"):
        parse_job(argv[:-1])
    unknown = job_argv("nope", tmp_path / "x.log", {}, {"data": "d"})
    with pytest.raises(AlbenchError, match="no job function 'nope'; known: aggregate, al_cell"):
        run_job(unknown)


def test_a_job_computes_on_the_threads_its_rule_asked_for(tmp_path, monkeypatch):
    # A pool worker's BLAS and OpenMP libraries were loaded with one thread per core (the
    # OMP_NUM_THREADS Snakemake sets is that of the job's client, not of the worker).
    import sklearn.manifold  # noqa: F401  (loads scikit-learn's OpenMP runtime)
    from threadpoolctl import threadpool_info, threadpool_limits

    from albench.run import rules

    seen = {}

    def report(job):
        seen[job.threads] = {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()}

    monkeypatch.setitem(rules.FUNCTIONS, "report", report)
    with threadpool_limits(limits=2):  # as a worker's on a 2-core machine
        outside = {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()}
        for threads in (1, 2):
            run_job(job_argv("report", tmp_path / f"{threads}.log", {}, {}, None, threads))
        assert {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()} == outside
    assert {api["internal_api"] for api in threadpool_info()} >= {"openblas", "openmp"}
    assert set(seen[1].values()) == {1}
    assert seen[2] == outside
    assert "job report computed for" in (tmp_path / "1.log").read_text()


def test_pooled_cell_equals_the_in_process_cell(warm_pool, prepared):
    path, _ = warm_pool
    workdir, data, split = prepared
    logreg = "sklearn.linear_model.LogisticRegression"
    assert _ask_pool(path, cell_argv(workdir, data, split, "pooled", logreg)) == 0
    run_job(cell_argv(workdir, data, split, "plain", logreg))
    for kind in ("curve", "sel"):
        pooled = pd.read_parquet(workdir / f"pooled.{kind}.parquet")
        plain = pd.read_parquet(workdir / f"plain.{kind}.parquet")
        timings = [c for c in TIMING_COLUMNS if c in plain.columns]
        pd.testing.assert_frame_equal(
            pooled.drop(columns=timings), plain.drop(columns=timings), check_exact=True
        )
    assert "job al_cell computed for" in (workdir / "pooled.log").read_text()


def test_a_crashed_worker_fails_only_its_own_job(warm_pool, prepared, capsys):
    path, server = warm_pool
    workdir, data, split = prepared
    before = workers_of(server)
    crash = cell_argv(workdir, data, split, "crash", "pool_helpers.CrashingClassifier")
    assert _ask_pool(path, crash) == 1
    assert "died before finishing it" in capsys.readouterr().err
    assert not (workdir / "crash.curve.parquet").exists()
    # The server replaces the dead worker; the next jobs run normally.
    assert wait_until(lambda: len(workers_of(server)) == 2 and workers_of(server) != before)
    fine = cell_argv(workdir, data, split, "fine", "sklearn.linear_model.LogisticRegression")
    assert _ask_pool(path, fine) == 0
    assert (workdir / "fine.curve.parquet").exists()


def test_a_failing_job_reports_its_error_and_the_worker_lives_on(warm_pool, prepared, capsys):
    path, server = warm_pool
    workdir, data, split = prepared
    before = workers_of(server)
    failing = cell_argv(workdir, data, split, "failing", "pool_helpers.FailingClassifier")
    assert _ask_pool(path, failing) == 1
    assert "RuntimeError: this model always fails" in capsys.readouterr().err
    log = (workdir / "failing.log").read_text()
    assert "job failed" in log and "Traceback" in log
    assert workers_of(server) == before


def test_a_cancelled_job_stops_its_worker_and_writes_nothing(warm_pool, prepared):
    path, server = warm_pool
    workdir, data, split = prepared
    before = workers_of(server)
    argv = cell_argv(workdir, data, split, "slow", "pool_helpers.SleepingClassifier")
    client = subprocess.Popen(
        [sys.executable, str(TESTS.parent / "scripts/job.py"), *argv],
        env={**os.environ, POOL_ENV: path},
    )
    assert wait_until(lambda: (workdir / "slow.log").exists())
    client.kill()
    client.wait()
    # The busy worker notices its client is gone and exits; a fresh one takes its place.
    assert wait_until(lambda: len(workers_of(server) & before) == 1)
    assert wait_until(lambda: len(workers_of(server)) == 2)
    assert not (workdir / "slow.curve.parquet").exists()


@pytest.mark.parametrize("how", ["started", "adopted"])
def test_the_pool_dies_with_the_process_that_started_or_adopted_it(tmp_path, monkeypatch, how):
    # A stand-in for Snakemake: starts (or adopts a lingering) pool, reports it, then is killed
    # with SIGKILL, which runs no exit handler; the server must notice and take its workers.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(NO_POOL_ENV, raising=False)
    if how == "adopted":
        monkeypatch.setenv(pool.POOL_LINGER_ENV, "30")
        pool.start(2, linger=True)
        pool.release()
    script = (
        "import json, sys, time\n"
        "from albench.run import pool\n"
        f"path = pool.{'adopt()' if how == 'adopted' else 'start(2)'}\n"
        "print(json.dumps([path, pool._server_pid]), flush=True)\n"
        "time.sleep(120)\n"
    )
    env = dict(os.environ)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    path, server = json.loads(parent.stdout.readline())
    assert wait_until(lambda: len(workers_of(server)) == 2)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    assert wait_until(lambda: not pool_processes(server)), pool_processes(server)
    assert not os.path.exists(os.path.dirname(path))  # socket and its directory are gone


def test_no_pool_is_started_when_disabled(monkeypatch):
    monkeypatch.setenv(NO_POOL_ENV, "1")
    assert pool.start(2) is None
    assert POOL_ENV not in os.environ


def test_jobs_run_in_process_without_a_pool(monkeypatch, prepared):
    from albench.run.client import main

    workdir, data, split = prepared
    monkeypatch.setenv(POOL_ENV, str(workdir / "no-such.sock"))
    argv = cell_argv(workdir, data, split, "alone", "sklearn.linear_model.LogisticRegression")
    assert main(argv) == 0
    assert (workdir / "alone.curve.parquet").exists()


@pytest.mark.parametrize("delay", [0.0, 0.3, 1.0])
def test_stopping_the_pool_prints_no_traceback(delay):
    # Snakemake stops the pool in onerror, often while workers still import scikit-learn; that
    # stop must add nothing on top of the real error.
    code = (
        "import time; from albench.run import pool; "
        f"pool.start(2); time.sleep({delay}); pool.stop()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "_Stop" not in proc.stderr, proc.stderr


def test_a_pool_removes_what_killed_pools_left_and_nothing_else(monkeypatch):
    import shutil
    import socket
    import tempfile

    # A short folder: a socket's path has at most 107 bytes, pytest's tmp_path can be longer.
    tmp_path = Path(tempfile.mkdtemp(prefix="ab-"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def pool_directory(name: str, listening: bool | None) -> Path:
        directory = tmp_path / f"{pool.DIRECTORY_PREFIX}{name}"
        directory.mkdir()
        if listening is not None:  # a socket file, whose server is gone unless `listening`
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(str(directory / "pool.sock"))
            if listening:
                sock.listen(1)
                live.append(sock)
            else:
                sock.close()
        return directory

    live: list[socket.socket] = []
    killed = pool_directory("killed", listening=False)
    alive = pool_directory("alive", listening=True)
    starting = pool_directory("starting", listening=None)
    killed_starting = pool_directory("killedstarting", listening=None)
    old = time.time() - pool.STALE_START_SECONDS - 60
    os.utime(killed_starting, (old, old))
    other = tmp_path / "someone-else"
    other.mkdir()
    try:
        pool.remove_stale_directories()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            p.name for p in (alive, starting, other)
        )
        assert not killed.exists() and not killed_starting.exists()
        # The live one's listener saw a connection that asked for nothing.
        conn, _ = live[0].accept()
        assert conn.recv(1) == b""
    finally:
        for sock in live:
            sock.close()
        shutil.rmtree(tmp_path)


# A project module a lingering pool's workers import, then see edited (its C changes results).
LINGER_MODEL = """from sklearn.linear_model import LogisticRegression


class Model(LogisticRegression):
    def __init__(self, C=1.0, max_iter=500, random_state=None):
        super().__init__(C=C, max_iter=max_iter, random_state=random_state)
"""


@pytest.fixture
def lingering(tmp_path, monkeypatch):
    """This process as a local run's Snakemake in `tmp_path`: its pool lingers 30 s after
    `release`; every pool left there is stopped afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), str(TESTS)]))
    monkeypatch.syspath_prepend(str(tmp_path))  # this process's own jobs import from there too
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "30")
    monkeypatch.delenv(NO_POOL_ENV, raising=False)
    yield tmp_path
    if pool.adopt() is None and pool._server is None:
        return
    pool.stop()


def server_and_workers(n: int) -> tuple[int, set[int]]:
    server = pool._server_pid
    assert server is not None and wait_until(lambda: len(workers_of(server)) == n)
    return server, workers_of(server)


def test_a_released_pool_lingers_detached_and_the_next_call_adopts_it(lingering, prepared):
    workdir, data, split = prepared
    path = pool.start(1, linger=True)  # one worker: the one that imports the model
    server, workers = server_and_workers(1)
    model = lingering / "lingermodel.py"
    model.write_text(LINGER_MODEL)
    assert _ask_pool(path, cell_argv(workdir, data, split, "first", "lingermodel.Model")) == 0
    pool.release()
    assert POOL_ENV not in os.environ and pool._directory is None
    # It waits, its output no longer the run's (a caller's `| tee` would otherwise wait for it).
    assert workers_of(server) == workers
    for pid in (server, *workers):
        assert wait_until(lambda pid=pid: os.readlink(f"/proc/{pid}/fd/1") == os.devnull)
    # An edit of a module the workers imported: the next call's first request finds each of
    # them stale, and fresh workers (of the same server) compute with the edited code.
    model.write_text(LINGER_MODEL.replace("C=1.0", "C=0.01"))
    assert pool.adopt() == path and pool._server_pid == server
    assert pool.start(1, linger=True) == path  # the onstart of that call: nothing to start
    assert _ask_pool(path, cell_argv(workdir, data, split, "second", "lingermodel.Model")) == 0
    assert wait_until(lambda: len(workers_of(server)) == 1 and workers_of(server) != workers)
    run_job(cell_argv(workdir, data, split, "fresh", "lingermodel.Model"))
    curves = {
        n: pd.read_parquet(workdir / f"{n}.curve.parquet") for n in ("first", "second", "fresh")
    }
    scores = ["accuracy", "f1_macro"]
    assert curves["second"][scores].equals(curves["fresh"][scores])
    assert not curves["second"][scores].equals(curves["first"][scores])


def test_an_adopted_worker_sees_files_added_to_a_project_package(lingering, prepared, monkeypatch):
    import pyarrow.parquet as pq

    from albench.env import CODE_PATH_ENV

    workdir, data, split = prepared
    package = lingering / "lingerpkg"
    package.mkdir()
    (package / "__init__.py").write_text(LINGER_MODEL)
    monkeypatch.setenv(CODE_PATH_ENV, str(lingering))  # the project folder, as the Snakefile sets

    def files_of(name: str) -> list[str]:
        schema = pq.read_schema(workdir / f"{name}.curve.parquet")
        return json.loads(schema.metadata[b"albench.code"])["models.logreg"][0]["files"]

    path = pool.start(1, linger=True)
    assert _ask_pool(path, cell_argv(workdir, data, split, "first", "lingerpkg.Model")) == 0
    assert files_of("first") == ["lingerpkg/__init__.py"]
    pool.release()
    (package / "helpers.py").write_text("SCALE = 1\n")  # no module it imported changed
    assert pool.adopt() == path
    assert _ask_pool(path, cell_argv(workdir, data, split, "second", "lingerpkg.Model")) == 0
    assert files_of("second") == ["lingerpkg/__init__.py", "lingerpkg/helpers.py"]


def test_the_config_check_runs_in_a_worker_that_then_serves_the_jobs(lingering, monkeypatch):
    from helpers import SCHEMA, small_config
    from snakemake.utils import validate

    from albench.errors import ConfigError
    from albench.plan.checked import CHECK_FAILED, _PendingCheck

    config = small_config()
    validate(config, str(SCHEMA))
    # No pool yet: the check starts one, of one worker, and runs there; the worker's verdict
    # itself (a check without one would run again in this process). onstart then grows it.
    check = _PendingCheck(config, ".snakemake/albench", pool.launcher(linger=True))
    assert isinstance(check.process, pool.call) and check.process.wait() == 0
    check.wait()
    assert list(Path(".snakemake/albench/checked").iterdir())
    server, worker = server_and_workers(1)
    assert pool.start(2, linger=True) is not None and pool._server_pid == server
    assert wait_until(lambda: len(workers_of(server)) == 2 and worker <= workers_of(server))
    # The next call adopts it, and its check (of a config that fails) runs there too.
    pool.release()
    config["strategies"]["entropy"]["params"]["method"] = "no_such_method"
    check = _PendingCheck(config, ".snakemake/albench", pool.launcher(linger=True))
    assert pool._server_pid == server and check.process.wait() == CHECK_FAILED
    with pytest.raises(ConfigError, match="strategies.entropy"):
        check.wait()
    monkeypatch.setenv(NO_POOL_ENV, "1")
    assert pool.launcher(linger=True) is None


def test_a_call_in_another_environment_or_while_the_pool_is_in_use_starts_its_own(
    lingering, monkeypatch
):
    path = pool.start(2, linger=True)
    first = pool._server_pid
    # Adopted already (by this process, a live run): another call cannot take it.
    busy = subprocess.run(
        [sys.executable, "-c", "from albench.run import pool; print(pool.adopt())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert busy.stdout.strip() == "None"
    pool.release()
    monkeypatch.setenv("SOME_SETTING", "changed")  # what the workers inherited differs now
    assert pool.adopt() is None
    assert wait_until(lambda: not pool_processes(first))  # the stale pool stopped
    assert pool.start(2, linger=True) == path and pool._server_pid != first


def test_a_pool_nobody_adopts_stops_after_its_linger(lingering, monkeypatch):
    path = pool.start(1, linger=True)
    server = pool._server_pid
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "0.5")
    pool.release()
    assert wait_until(lambda: not pool_processes(server))
    assert not Path(path).parent.exists()
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "0")  # no linger: the run's pool stops with it
    pool.start(1, linger=True)
    server = pool._server_pid
    pool.release()
    assert not pool_processes(server)


def test_a_call_without_linger_stops_the_pool_it_adopted(lingering, monkeypatch):
    pool.start(1, linger=True)
    server = pool._server_pid
    pool.release()
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "0")
    assert pool.adopt() is not None and pool._server_pid == server
    pool.release()
    assert wait_until(lambda: not pool_processes(server))
    # Also a call with nothing to do (no check, no onstart): as its Snakefile is read.
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "30")
    pool.start(1, linger=True)
    server = pool._server_pid
    pool.release()
    monkeypatch.setenv(pool.POOL_LINGER_ENV, "0")
    pool.launcher(linger=True)
    assert not pool_processes(server) and pool._directory is None


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_linger_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(pool.POOL_LINGER_ENV, value)
    with pytest.raises(AlbenchError, match=rf"\$ALBENCH_POOL_LINGER must be .*not '{value}'"):
        pool.linger_seconds()
    with pytest.raises(AlbenchError, match=r"\$ALBENCH_POOL_LINGER"):  # as the Snakefile is read
        pool.launcher(linger=True)
