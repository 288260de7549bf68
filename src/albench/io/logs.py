"""Routing of a job's Python warnings and log records into its Snakemake log file."""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def log_to(path: str | Path | None) -> Iterator[logging.Logger]:
    """Yield the `albench` logger writing to `path`; warnings, prints and tracebacks go there
    too."""
    logger = logging.getLogger("albench")
    logger.setLevel(logging.INFO)
    if path is None:
        yield logger
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as stream:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logging.captureWarnings(True)
        logging.getLogger("py.warnings").addHandler(handler)
        try:
            # A job's prints go there too, not to the terminal of the run's progress view.
            with contextlib.redirect_stderr(stream), contextlib.redirect_stdout(stream):
                yield logger
        except BaseException:
            logger.exception("job failed")
            raise
        finally:
            logger.removeHandler(handler)
            logging.getLogger("py.warnings").removeHandler(handler)
            logging.captureWarnings(False)
            sys.stderr.flush()


# A record logged with `extra={NOTICE: True}` is collected by `collecting_warnings` though it
# is no warning: what the user should hear of (a table's columns one-hot encoded).
NOTICE = "albench_notice"
WARNINGS_KEY = "warnings"  # the Parquet metadata key of a job's collected warnings
LONGEST = 300  # characters of a Python warning's text kept


@contextlib.contextmanager
def collecting_warnings() -> Iterator[list[dict[str, Any]]]:
    """Yield a list that, once the block ends, holds what the block warned of: the `albench`
    logger's warnings and notices, and Python warnings, each `{"message", "count"}` in the
    order first seen; repeats of one message (one log call, one Python warning's text) count
    into its first.

    Python warnings are shown once per place in the block, whatever an earlier job in the
    same (warm) process showed, so that what a job records does not depend on its worker.
    """
    seen: dict[str, dict[str, Any]] = {}
    collected: list[dict[str, Any]] = []

    def add(key: str, message: str) -> None:
        if key in seen:
            seen[key]["count"] += 1
        else:
            seen[key] = {"message": message, "count": 1}

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING or getattr(record, NOTICE, False):
                add(f"log:{record.msg}", record.getMessage())

    logger = logging.getLogger("albench")
    handler = Collector(logging.INFO)
    logger.addHandler(handler)
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    with warnings.catch_warnings():  # a fresh copy of the filters: once per place in this block
        show = warnings.showwarning

        def showwarning(message, category, filename, lineno, file=None, line=None):
            lines = str(message).strip().splitlines() or [""]
            text = " ".join(" ".join(lines).split())
            text = text if len(text) <= LONGEST else text[: LONGEST - 3] + "..."
            add(f"py:{category.__name__}:{lines[0]}", f"{category.__name__}: {text}")
            show(message, category, filename, lineno, file, line)

        warnings.showwarning = showwarning
        try:
            yield collected
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            collected.extend(seen.values())
