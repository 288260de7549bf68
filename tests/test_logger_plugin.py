"""The progress view (Snakemake logger plugin `albench`), fed the records Snakemake logs."""

from __future__ import annotations

import io
import logging
import time
from types import SimpleNamespace

import pytest
from snakemake.settings.enums import Quietness
from snakemake_interface_logger_plugins.common import LogEvent

from snakemake_logger_plugin_albench import LogHandler, LogHandlerSettings, Progress, duration


def settings(**overrides):
    values = dict(
        printshellcmds=False,
        nocolor=True,
        quiet=set(),
        debug_dag=False,
        verbose=False,
        show_failed_logs=False,
        stdout=True,
        dryrun=False,
    )
    return SimpleNamespace(**{**values, **overrides})


def handler(stream: io.StringIO, full: bool = False, **overrides) -> LogHandler:
    h = LogHandler(settings(**overrides), LogHandlerSettings(full=full))
    h.stream = h.snakemake_handler.stream = stream
    return h


def record(msg=None, level=logging.INFO, **extra) -> logging.LogRecord:
    rec = logging.LogRecord("snakemake", level, __file__, 1, msg, None, None)
    rec.__dict__.update(extra)
    return rec


def job_info(jobid: int, rule: str) -> logging.LogRecord:
    return record(
        event=LogEvent.JOB_INFO,
        jobid=jobid,
        rule_name=rule,
        rule_msg=None,
        local=False,
        is_checkpoint=False,
        input=["in"],
        output=[f"out{jobid}"],
        log=[f"logs/{rule}/{jobid}.log"],
        benchmark=None,
        reason="Missing output",
        wildcards={},
        priority=0,
        threads=1,
        resources={},
        indent=False,
    )


def job_error(jobid: int, rule: str) -> logging.LogRecord:
    return record(
        level=logging.ERROR,
        event=LogEvent.JOB_ERROR,
        jobid=jobid,
        rule_name=rule,
        rule_msg=None,
        msg=None,
        input=["in"],
        output=[f"out{jobid}"],
        log=[f"logs/{rule}/{jobid}.log"],
        conda_env=None,
        shellcmd="python job.py ...",
        aux={},
        indent=False,
    )


def run(h: LogHandler, fail: int | None = None, mapped: bool = False) -> None:
    """Feed `h` a run of 3 cells and 1 summary (job 1 to 4); job `fail` fails. With `mapped`,
    one of the cells records embeddings (rule al_cell_mapped)."""
    third = "al_cell_mapped" if mapped else "al_cell"
    stats = {"al_cell": 2 if mapped else 3, "summarise": 1, "total": 4}
    if mapped:
        stats["al_cell_mapped"] = 1
    h.handle(record("Job stats:\njob  count\n...", event=LogEvent.RUN_INFO, stats=stats))
    h.handle(record("Select jobs to execute..."))
    for jobid, rule in [(1, "al_cell"), (2, "al_cell"), (3, third), (4, "summarise")]:
        h.handle(record(event=LogEvent.JOB_STARTED, jobs=[jobid]))  # as Snakemake: first
        h.handle(job_info(jobid, rule))
        if jobid == fail:
            h.handle(job_error(jobid, rule))
            continue
        h.handle(record(f"Finished jobid: {jobid}", event=LogEvent.JOB_FINISHED, job_id=jobid))
        h.handle(record(event=LogEvent.PROGRESS, done=jobid - (fail is not None), total=4))


def test_a_run_shows_counts_not_job_blocks():
    out = io.StringIO()
    h = handler(out)
    run(h)
    assert h.progress.first_cell_start is not None  # the time left can be estimated
    text = out.getvalue()
    assert "Job stats:" in text
    assert "albench: cells 3/3 (100 %) · jobs 4/4" in text
    assert "Select jobs" not in text and "Finished jobid" not in text
    assert "out1" not in text and "Missing output" not in text  # no job block


def test_the_line_says_what_the_cluster_is_doing_until_its_submissions_end():
    out = io.StringIO()
    h = handler(out)
    stats = {"al_cell": 8, "total": 10}
    h.handle(record("Job stats:", event=LogEvent.RUN_INFO, stats=stats))
    state = {"submitted": 4, "queued": 1, "running": 2, "finished": 1}
    h.handle(record("albench-slurm: 1 queued, 2 running, 1 of 4", albench_cluster=state))
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("albench: cells 0/8 (0 %) · jobs 0/10 · ")
    assert lines[-1].endswith(" · on the cluster 1 queued, 2 running, 1 of 4 submissions finished")
    assert not any(line.startswith("albench-slurm:") for line in lines)  # the line says it
    # Once every submission ended, the cells' count says it all.
    h.handle(record("albench-slurm: ...", albench_cluster={**state, "running": 0, "finished": 4}))
    assert "on the cluster" not in out.getvalue().splitlines()[-1]


def test_cells_that_record_embeddings_count_as_cells():
    out = io.StringIO()
    run(handler(out), mapped=True)
    assert "albench: cells 3/3 (100 %) · jobs 4/4" in out.getvalue()


def test_full_output_is_one_flag_away():
    out = io.StringIO()
    run(handler(out, full=True))
    text = out.getvalue()
    assert "rule al_cell:" in text and "output: out1" in text and "Finished jobid: 1" in text
    assert "albench: cells" not in text


@pytest.mark.parametrize("mode", [{"dryrun": True}, {"verbose": True}, {"printshellcmds": True}])
def test_dry_and_verbose_runs_keep_snakemakes_output(mode):
    out = io.StringIO()
    run(handler(out, **mode))
    assert "rule al_cell:" in out.getvalue()


def test_a_failed_job_is_named_with_its_log():
    out = io.StringIO()
    run(handler(out), fail=2)
    text = out.getvalue()
    assert "Error in rule al_cell (job 2):\n    output: out2\n    log: logs/al_cell/2.log" in text
    assert "python job.py" not in text  # the shell command is in the complete log
    assert "1 failed" in text.splitlines()[-1]


def test_a_shell_failure_is_not_reported_twice_but_other_errors_are():
    out = io.StringIO()
    h = handler(out)
    shell = "RuleException:\nCalledProcessError in file learn.smk, line 19:\nCommand ..."
    h.handle(record(shell, logging.ERROR, event=LogEvent.ERROR, exception="RuleException"))
    h.handle(record("MissingOutputException: out1", logging.ERROR, event=LogEvent.ERROR))
    h.handle(record("a warning", logging.WARNING))
    assert out.getvalue() == "MissingOutputException: out1\na warning\n"


def test_quiet_progress_hides_the_progress_line():
    out = io.StringIO()
    run(handler(out, quiet={Quietness.PROGRESS}))
    assert "albench: cells" not in out.getvalue()


def test_time_left_comes_from_the_cells_rate():
    progress = Progress(cells_total=10, jobs_total=12, cells_done=4, first_cell_start=100.0)
    assert progress.seconds_left(now=120.0) == pytest.approx(30.0)  # 5 s a cell, 6 to go
    progress.failed.append("al_cell")
    assert progress.seconds_left(now=120.0) == pytest.approx(25.0)
    progress.failed.append("full_pool")  # not a cell: the cells left are as many
    assert progress.seconds_left(now=120.0) == pytest.approx(25.0)
    line = progress.line(now=120.0, started=90.0)
    assert line == (
        "albench: cells 4/10 (40 %) · jobs 0/12 · 2 failed · 30 s elapsed · "
        "about 25 s left for the cells"
    )
    assert Progress(cells_total=3, jobs_total=4).seconds_left(now=1.0) is None


def test_time_left_follows_the_rate_of_the_latest_cells():
    from snakemake_logger_plugin_albench import RECENT_CELLS

    progress = Progress(cells_total=200, jobs_total=200, first_cell_start=0.0)
    for k in range(100):  # cheap cells first: 0.1 s each
        progress.cell_finished(now=0.1 * (k + 1))
    for k in range(RECENT_CELLS):  # then cells of 1 s each
        progress.cell_finished(now=10.0 + k + 1)
    now = 10.0 + RECENT_CELLS
    assert progress.seconds_left(now) == pytest.approx(60 * 1.0, rel=0.05)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "0 s"), (59, "59 s"), (65, "1 min 05 s"), (7800, "2 h 10 min")]
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


def test_the_line_names_the_job_running_longest_and_for_how_long():
    progress = Progress(cells_total=4, jobs_total=5)
    progress.rule_of_job[7] = "al_cell"
    progress.what_job[7] = "al_cell iris/default/logreg/slow/3"
    progress.job_started(7, now=100.0)
    progress.job_started(8, now=120.0)
    assert progress.longest_running(105.0) is None  # nothing has run long yet
    line = progress.line(now=190.0, started=90.0)
    assert line.endswith(
        " · running al_cell iris/default/logreg/slow/3 for 1 min 30 s (and 1 more running)"
    )
    progress.job_ended(7)
    assert progress.line(now=190.0, started=90.0).endswith(" · running job 8 for 1 min 10 s")


def test_the_line_keeps_coming_while_a_long_job_runs(monkeypatch):
    import snakemake_logger_plugin_albench as plugin

    monkeypatch.setattr(plugin, "TICK_S", 0.02)
    monkeypatch.setattr(plugin, "LINE_INTERVAL_S", 0.1)
    monkeypatch.setattr(plugin, "LONG_JOB_S", 0.0)
    out = io.StringIO()
    h = handler(out)
    h.handle(record("Job stats:", event=LogEvent.RUN_INFO, stats={"al_cell": 1, "total": 2}))
    h.handle(record(event=LogEvent.JOB_STARTED, jobs=[1]))
    info = job_info(1, "al_cell")
    info.wildcards = {"dataset": "iris", "strategy": "slow"}
    h.handle(info)
    time.sleep(0.6)  # no record comes: a strategy of minutes per query
    h.close()
    lines = [
        line for line in out.getvalue().splitlines() if "running al_cell iris/slow for" in line
    ]
    assert len(lines) >= 3, out.getvalue()
    count = len(out.getvalue())
    time.sleep(0.1)
    assert len(out.getvalue()) == count  # closed: the ticks stopped


def test_ctrl_c_ends_with_one_line_not_an_error():
    out = io.StringIO()
    h = handler(out)
    h.handle(record("Job stats:", event=LogEvent.RUN_INFO, stats={"al_cell": 3, "total": 4}))
    h.handle(record(event=LogEvent.JOB_STARTED, jobs=[1]))
    h.handle(job_info(1, "al_cell"))
    h.handle(record("Finished jobid: 1", event=LogEvent.JOB_FINISHED, job_id=1))
    h.handle(record("Terminating processes on user request, this might take some time."))
    failed = "WorkflowError:\nAt least one job did not complete successfully."
    h.handle(record(failed, level=logging.ERROR, event=LogEvent.ERROR, exception="WorkflowError"))
    h.close()
    text = out.getvalue()
    assert text.rstrip().splitlines()[-1] == (
        "albench: interrupted after 1 of 3 cells; run the same command to resume"
    )
    assert "WorkflowError" not in text
    # Without Ctrl-C, the same error is shown as it is.
    out = io.StringIO()
    h = handler(out)
    h.handle(record(failed, level=logging.ERROR, event=LogEvent.ERROR, exception="WorkflowError"))
    h.close()
    assert "At least one job did not complete successfully." in out.getvalue()
