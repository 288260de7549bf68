"""The albench-slurm executor's status queries and settings, without a cluster: the fallback
from a failing sacct to squeue, the stop when no query answers, the submissions' states, and
the stock executor's settings found where they have no effect (the real cluster: test_slurm)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
import yaml
from snakemake_interface_common.exceptions import WorkflowError

from snakemake_executor_plugin_albench_slurm import status
from snakemake_executor_plugin_albench_slurm.status import (
    StatusWatch,
    counts,
    describe,
    stock_setting_warning,
    stock_settings_in_use,
)

SACCT = "sacct -X --parsable2 --name run"
SQUEUE = "squeue --format=%i|%T --states=all --noheader --name run"


def watch(answers: dict[str, dict | None], caplog) -> tuple[StatusWatch, list[str]]:
    """A watch whose query answers `answers[tool]` (None: the command fails); the commands asked."""
    asked = []

    async def query(command, logger):
        asked.append(command)
        answer = answers[command.split()[0]]
        return (None, None) if answer is None else (answer, 0.01)

    settings = SimpleNamespace(status_command="sacct")
    return StatusWatch(query, SQUEUE, settings, logging.getLogger("test")), asked


@pytest.fixture(autouse=True)
def squeue_here(monkeypatch):
    monkeypatch.setattr(status, "_available", lambda tool: True)
    monkeypatch.setattr(status, "_why_not", lambda command: "Slurm accounting storage is disabled")


def test_a_failing_sacct_falls_back_to_squeue_at_once_and_says_which_setting(caplog):
    w, asked = watch({"sacct": None, "squeue": {"7": "RUNNING"}}, caplog)
    with caplog.at_level(logging.WARNING):
        answer = asyncio.run(w.query(SACCT, None))
    assert answer[0] == {"7": "RUNNING"} and asked == [SACCT, SQUEUE]
    assert w.settings.status_command == "squeue" and w.states == {"7": "RUNNING"}
    (warning,) = [r.getMessage() for r in caplog.records]
    assert "`sacct` fails here (Slurm accounting storage is disabled)" in warning
    assert "`albench-slurm-status-command: squeue`" in warning
    # Later checks ask squeue only, even where the stock executor goes back to sacct.
    asyncio.run(w.query(SACCT, None))
    assert asked == [SACCT, SQUEUE, SQUEUE] and len(caplog.records) == 1


def test_queries_that_keep_failing_stop_the_run_with_the_setting_to_fix(caplog, monkeypatch):
    w, asked = watch({"sacct": None, "squeue": None}, caplog)
    clock = iter([0.0, 10.0, 20.0, 31.0])
    monkeypatch.setattr(status, "_now", lambda: next(clock))
    for _ in range(3):  # failures under 30 s: the run waits, as for a passing outage
        assert asyncio.run(w.query(SACCT, None)) == (None, None)
    with pytest.raises(WorkflowError) as error:
        asyncio.run(w.query(SACCT, None))
    message = str(error.value)
    assert "`squeue` failed 4 times in 31 s (Slurm accounting storage is disabled)" in message
    assert "Set `albench-slurm-status-command`" in message


def test_an_answer_resets_the_failures(caplog, monkeypatch):
    answers = {"sacct": None, "squeue": None}
    w, _ = watch(answers, caplog)
    clock = iter([0.0, 20.0, 40.0, 60.0, 80.0])
    monkeypatch.setattr(status, "_now", lambda: next(clock))
    asyncio.run(w.query(SACCT, None))
    asyncio.run(w.query(SACCT, None))
    assert (w.failed_checks, w.failing_since) == (2, 0.0)
    answers["squeue"] = {"1": "PENDING"}
    assert asyncio.run(w.query(SACCT, None))[0] == {"1": "PENDING"}
    assert (w.failed_checks, w.failing_since) == (0, None)  # answered: the failures start over
    answers["squeue"] = None
    asyncio.run(w.query(SACCT, None))
    # 2 failures in 20 s since the answer (60 s since the first): not yet a stop
    assert asyncio.run(w.query(SACCT, None)) == (None, None)
    assert (w.failed_checks, w.failing_since) == (2, 40.0)


def test_submissions_are_counted_by_state():
    states = {"1": "RUNNING", "2": "PENDING", "4": "COMPLETING"}
    now = counts(["1", "2", "3", "4", "5"], ["1", "2", "4", "5"], states)
    assert now == {"submitted": 5, "queued": 2, "running": 2, "finished": 1}
    assert describe(now) == "2 queued, 2 running, 1 of 5 submissions finished"


def test_the_stock_executors_settings_are_found_in_the_profile_and_on_the_command_line(
    tmp_path, monkeypatch
):
    profile = tmp_path / "cluster"
    profile.mkdir()
    settings = {
        "executor": "albench-slurm",
        "slurm-status-command": "squeue",
        "albench-slurm-keep-successful-logs": True,
    }
    (profile / "config.yaml").write_text(yaml.safe_dump(settings))
    monkeypatch.delenv("SNAKEMAKE_PROFILE", raising=False)
    monkeypatch.chdir(tmp_path)
    argv = ["--profile", str(profile), "--slurm-requeue", "--cores", "2"]
    found = stock_settings_in_use(argv)
    assert found == [
        ("slurm-requeue", "the command line"),
        ("slurm-status-command", str(profile / "config.yaml")),
    ]
    assert stock_settings_in_use(["--profile", str(profile).replace("cluster", "none")]) == []
    warning = stock_setting_warning(*found[1])
    assert "`slurm-status-command`" in warning and "write `albench-slurm-status-command`" in warning


def test_the_stop_waits_as_long_as_the_variable_says(caplog, monkeypatch):
    w, _ = watch({"sacct": None, "squeue": None}, caplog)
    clock = iter([0.0, 4.0, 6.0])
    monkeypatch.setattr(status, "_now", lambda: next(clock))
    monkeypatch.setenv("ALBENCH_STATUS_FAILING_SECONDS", "5")
    asyncio.run(w.query(SACCT, None))
    asyncio.run(w.query(SACCT, None))
    with pytest.raises(WorkflowError, match="failed 3 times in 6 s"):
        asyncio.run(w.query(SACCT, None))
