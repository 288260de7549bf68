"""Snakemake logger plugin `albench`: a progress view instead of a wall of job blocks.

The default profile chooses it (`logger: albench`). While jobs run it shows how many cells are
done, how many failed, and an estimate of the time the remaining cells take; Snakemake's job
stats table, warnings and every error (the failing rule, its log file, the command and the
message, exactly as Snakemake formats them) are printed as they come. Snakemake's complete log
is still written to `.snakemake/log/` as always.

`--logger-albench-full` prints Snakemake's usual output instead (every job block), as do dry
runs (whose job blocks are their answer), `--verbose`, `--printshellcmds` and the Snakemake
processes that run jobs for another one (cluster submissions).
"""

import logging
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TextIO

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent
from snakemake_interface_logger_plugins.settings import LogHandlerSettingsBase

# The rules whose jobs the progress view counts and times as cells (al_cell_mapped: the cells
# that also record embeddings, where the config has embedding_maps).
CELL_RULES = ("al_cell", "al_cell_mapped")
# Snakemake's messages that say nothing a person acts on once the progress view is shown.
CHATTER = (
    "Building DAG of jobs",
    "Using shell:",
    "Provided cores:",
    "Provided resources:",
    "Rules claiming more threads",
    "Select jobs to execute",
    "Execute ",
    "Assuming unrestricted shared filesystem",
    "Using workflow specific profile",
    "host:",
    "Finished jobid:",
    "Job stats:",  # printed through the RUN_INFO event
    "Resources before job selection",
    "Ready jobs:",
    "Selected jobs:",
    "Resources after job selection",
    "Waiting at most",
    "Removing temporary output",
    "Conda environments: ignored",
)
# What Snakemake logs when Ctrl-C stops a run, and the error it ends that run with.
USER_REQUEST = "Terminating processes on user request"
NOT_COMPLETE = "At least one job did not complete successfully"
# How Snakemake reports a shell command that exited non-zero (repeated by the job's error record).
SHELL_FAILURE = re.compile(r"^RuleException:\s*CalledProcessError in file ", re.MULTILINE)
# How many of the latest finished cells give the rate of the time-left estimate.
RECENT_CELLS = 40
# Without a terminal (CI, `| tee`, nohup), a progress line every this many seconds at most, and
# at least while jobs run (a terminal's line is redrawn every TICK_S).
LINE_INTERVAL_S = 15.0
TICK_S = 1.0
# A job running this long is named on the line, with its time so far.
LONG_JOB_S = 10.0


def interrupted_line(progress: "Progress") -> str:
    """Return how a run stopped by Ctrl-C ends: how far it came and how to go on."""
    if progress.cells_total:
        done = f"{progress.cells_done} of {progress.cells_total} cells"
    else:
        done = f"{progress.jobs_done} of {progress.jobs_total} jobs"
    return f"albench: interrupted after {done}; run the same command to resume"


def job_error(record: logging.LogRecord, show_logs: bool) -> str:
    """Return a failed job in a few lines: rule, job id, output, log (and its text if asked)."""
    from snakemake.logging import show_logs as log_lines

    lines = [f"Error in rule {record.rule_name} (job {record.jobid}):"]
    if record.rule_msg:
        lines.append(f"    message: {record.rule_msg}")
    if record.output:
        lines.append(f"    output: {', '.join(record.output)}")
    if record.log:
        lines.append(f"    log: {', '.join(record.log)}")
    if show_logs and record.log:
        lines.extend(log_lines(record.log))
    return "\n".join(lines)


@dataclass
class LogHandlerSettings(LogHandlerSettingsBase):
    full: bool = field(
        default=False,
        metadata={
            "help": "Print Snakemake's full output (every job block), not the progress view."
        },
    )


def duration(seconds: float) -> str:
    """Return `seconds` as a short human duration: '45 s', '3 min 05 s', '2 h 10 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class Progress:
    """What the progress view knows: planned and finished jobs, cells among them, failures."""

    cells_total: int = 0
    jobs_total: int = 0
    cells_done: int = 0
    jobs_done: int = 0
    failed: list[str] = field(default_factory=list)  # the rule of each failed job
    first_cell_start: float | None = None
    rule_of_job: dict[int, str] = field(default_factory=dict)
    # When the latest cells finished: the rate of the recent ones follows a run whose later
    # cells cost more (larger data sets) better than the rate since the start.
    finished_at: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_CELLS + 1))
    # The cluster's submissions by state, as the albench-slurm executor last reported them.
    cluster: dict[str, int] | None = None
    # The running jobs: when each started, and what it is (rule and wildcards).
    started_at: dict[int, float] = field(default_factory=dict)
    what_job: dict[int, str] = field(default_factory=dict)

    def job_started(self, jobid: int, now: float) -> None:
        """Count job `jobid` as running since `now`."""
        self.started_at.setdefault(jobid, now)

    def job_ended(self, jobid: int) -> None:
        """Count job `jobid` as no longer running."""
        self.started_at.pop(jobid, None)

    def longest_running(self, now: float) -> str | None:
        """Return what runs and, where a job has run LONG_JOB_S or more, which has run longest
        and for how long (None while nothing runs that long)."""
        if not self.started_at:
            return None
        jobid, since = min(self.started_at.items(), key=lambda item: item[1])
        if now - since < LONG_JOB_S:
            return None
        what = self.what_job.get(jobid, self.rule_of_job.get(jobid, f"job {jobid}"))
        others = len(self.started_at) - 1
        more = f" (and {others} more running)" if others else ""
        return f"running {what} for {duration(now - since)}{more}"

    def cell_finished(self, now: float) -> None:
        """Count a finished cell at time `now`."""
        self.cells_done += 1
        self.finished_at.append(now)

    def state(self) -> tuple[int, int, int]:
        """Return what the progress line counts: cells done, jobs done, jobs failed."""
        return self.cells_done, self.jobs_done, len(self.failed)

    def seconds_left(self, now: float) -> float | None:
        """Return the time the unfinished cells need at the rate the latest RECENT_CELLS
        finished at (the rate since the first cell started, until that many have)."""
        if not self.cells_done or self.first_cell_start is None:
            return None
        if len(self.finished_at) > RECENT_CELLS:  # the seconds per cell of the latest ones
            rate = (now - self.finished_at[0]) / (len(self.finished_at) - 1)
        else:
            rate = (now - self.first_cell_start) / self.cells_done
        unfinished = self.cells_total - self.cells_done - sum(map(self.failed.count, CELL_RULES))
        return rate * max(0, unfinished)

    def line(self, now: float, started: float) -> str:
        """Return the one-line state: cells, jobs, failures, time spent and left."""
        parts = []
        if self.cells_total:
            share = 100 * self.cells_done / self.cells_total
            parts.append(f"cells {self.cells_done}/{self.cells_total} ({share:.0f} %)")
        parts.append(f"jobs {self.jobs_done}/{self.jobs_total}")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")  # jobs, cells or not
        parts.append(f"{duration(now - started)} elapsed")
        left = self.seconds_left(now)
        if left is not None and self.cells_done < self.cells_total:
            parts.append(f"about {duration(left)} left for the cells")
        running = self.longest_running(now)
        if running is not None:
            parts.append(running)
        if self.cluster and self.cluster["finished"] < self.cluster["submitted"]:
            # Cells on the cluster count as done when their submission ends: say it is moving.
            c = self.cluster
            parts.append(
                f"on the cluster {c['queued']} queued, {c['running']} running, {c['finished']} "
                f"of {c['submitted']} submissions finished"
            )
        return "albench: " + " · ".join(parts)


class LogHandler(LogHandlerBase):
    """Prints the progress view, or Snakemake's default output when that is asked for."""

    def __post_init__(self) -> None:
        from snakemake.logging import ColorizingTextHandler, DefaultFilter, DefaultFormatter

        settings = self.common_settings
        self.stream: TextIO = sys.stdout if settings.stdout else sys.stderr
        quiet = settings.quiet or set()
        self.snakemake_filter = DefaultFilter(
            quiet, settings.debug_dag, settings.verbose, settings.dryrun, settings.printshellcmds
        )
        self.snakemake_formatter = DefaultFormatter(quiet, settings.show_failed_logs)
        self.snakemake_handler = ColorizingTextHandler(
            nocolor=settings.nocolor,
            stream=self.stream,
            formatter=self.snakemake_formatter,
            filter=self.snakemake_filter,
        )
        self.full = bool(
            (self.settings is not None and self.settings.full)
            or settings.dryrun
            or settings.verbose
            or settings.printshellcmds
            or settings.debug_dag
            # A Snakemake that runs jobs for another one: its output is a job log to read whole.
            or "--mode" in sys.argv
        )
        self.show_progress = not any(str(q).lower() in ("progress", "all") for q in quiet)
        self.tty = bool(getattr(self.stream, "isatty", None) and self.stream.isatty())
        self.progress = Progress()
        self.started = time.monotonic()
        self.last_line_at = 0.0
        self.last_line = ""
        self.line_shown = False  # a terminal line that the next message has to clear first
        self.printed_state: tuple[int, int, int] | None = None
        self.interrupted = False  # Ctrl-C: the run ends with one line that says so
        # Records come from Snakemake's threads (under the handler's lock, as `logging` hands
        # them), the ticks from this handler's own (a daemon thread of this process, stopped
        # at close): one at a time.
        self.stopped = threading.Event()
        if not self.full:
            threading.Thread(target=self.tick, name="albench-progress", daemon=True).start()

    def tick(self) -> None:
        """While jobs run, keep the line current: redrawn every TICK_S in a terminal (the time
        spent, the job running longest), printed every LINE_INTERVAL_S without one, also when
        no job ends for minutes."""
        while not self.stopped.wait(TICK_S):
            with self.lock:
                if self.progress.started_at and self.progress.jobs_done < self.progress.jobs_total:
                    self.update()

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def emit(self, record: logging.LogRecord) -> None:
        if self.full:
            self.snakemake_handler.handle(record)
            return
        try:
            self.follow(record)
        except Exception:
            self.handleError(record)

    def follow(self, record: logging.LogRecord) -> None:
        """Update the progress from `record` and print what a person needs to see of it."""
        event = getattr(record, "event", None)
        progress = self.progress
        if event == LogEvent.RUN_INFO:
            stats = getattr(record, "stats", {}) or {}
            progress.cells_total = sum(int(stats.get(rule, 0)) for rule in CELL_RULES)
            progress.jobs_total = int(stats.get("total", 0))
            self.show(record)
        elif event == LogEvent.JOB_INFO:
            progress.rule_of_job[record.jobid] = record.rule_name
            wildcards = getattr(record, "wildcards", None) or {}
            shown = "/".join(str(v) for v in dict(wildcards).values())
            progress.what_job[record.jobid] = f"{record.rule_name} {shown}".strip()
            progress.job_started(record.jobid, time.monotonic())
            # Snakemake announces a started job (JOB_STARTED) before describing it (JOB_INFO).
            if record.rule_name in CELL_RULES and progress.first_cell_start is None:
                progress.first_cell_start = time.monotonic()
        elif event == LogEvent.JOB_STARTED:
            jobs = getattr(record, "jobs", []) or []
            for job in jobs:
                progress.job_started(job, time.monotonic())
            if progress.first_cell_start is None and any(
                progress.rule_of_job.get(job) in CELL_RULES for job in jobs
            ):
                progress.first_cell_start = time.monotonic()
        elif event == LogEvent.JOB_FINISHED:
            progress.job_ended(record.job_id)
            if progress.rule_of_job.get(record.job_id) in CELL_RULES:
                progress.cell_finished(time.monotonic())
            self.update()
        elif event == LogEvent.PROGRESS:
            progress.jobs_done = record.done
            progress.jobs_total = max(progress.jobs_total, record.total)
            self.update(final=record.done == record.total)
        elif event == LogEvent.JOB_ERROR:
            progress.job_ended(record.jobid)
            progress.failed.append(str(record.rule_name))
            self.show(record, job_error(record, self.common_settings.show_failed_logs))
            self.update(force=True)
        elif event == LogEvent.GROUP_ERROR:
            progress.failed.extend(str(info["rule_name"]) for info in record.job_error_info)
            self.show(record)
            self.update(force=True)
        elif event is None and hasattr(record, "albench_cluster"):
            progress.cluster = dict(record.albench_cluster)
            self.update(force=True)
        elif event is None:
            message = record.getMessage()
            if message.startswith(USER_REQUEST):
                self.interrupted = True
            if message.startswith(("Exiting because", "Complete log", "Nothing to be done")):
                self.settle()
            if record.levelno >= logging.WARNING or not message.startswith(CHATTER):
                self.show(record)
        elif event == LogEvent.ERROR:
            message = record.getMessage()
            if self.interrupted and NOT_COMPLETE in message:
                self.show(record, interrupted_line(self.progress))
            # A failed shell command: its JOB_ERROR record names the job, its log and its error.
            elif not SHELL_FAILURE.search(message):
                self.show(record)

    def show(self, record: logging.LogRecord, text: str | None = None) -> None:
        """Print `text`, or `record` as Snakemake would, after clearing a progress line."""
        if not self.snakemake_filter.filter(record):
            return
        if self.line_shown:
            self.stream.write("\r\033[K")
            self.line_shown = False
        if text is None:
            self.snakemake_handler.handle(record)
        else:
            self.stream.write(self.snakemake_handler.decorate(record, text) + "\n")
            self.stream.flush()
        if self.tty and self.last_line:
            self.write_line(self.last_line)

    def update(self, force: bool = False, final: bool = False) -> None:
        """Print the progress line: redrawn in a terminal, else every LINE_INTERVAL_S at most."""
        if not self.show_progress or not self.progress.jobs_total:
            return
        now = time.monotonic()
        line = self.progress.line(now, self.started)
        if self.tty:
            if line != self.last_line or not self.line_shown:
                self.write_line(line)
            if final:
                self.stream.write("\n")
                self.line_shown = False
        elif force or final or now - self.last_line_at >= LINE_INTERVAL_S:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_line_at = now
            self.printed_state = self.progress.state()
        self.last_line = "" if final else line

    def settle(self) -> None:
        """Print the progress line once more where jobs finished since it was last printed."""
        if not self.tty and self.progress.state() != self.printed_state:
            self.update(force=True)

    def write_line(self, line: str) -> None:
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self.line_shown = True

    def close(self) -> None:
        self.stopped.set()
        with self.lock:
            if self.line_shown:
                self.stream.write("\n")
                self.stream.flush()
                self.line_shown = False
        super().close()
