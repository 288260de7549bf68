"""Atomic writing: every result file appears complete under its name, or not at all."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; rename it to `path` when the block
    ends without error, remove it otherwise.

    A job killed mid-write leaves at most a hidden temporary file, never a truncated file under
    the final name; the next write of `path` removes it. Folders are created; the temporary
    name keeps the suffix, so writers that choose a format by suffix (matplotlib, pandas)
    choose the same.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary of this path left by a job killed while writing (SIGKILL skips the cleanup
    # below) goes when the rerun writes the path again. mkstemp's random part has exactly 8
    # characters, so temporaries of other paths whose stems extend this one do not match.
    stem, suffix = glob.escape(path.stem), glob.escape(path.suffix)
    for stale in path.parent.glob(f".{stem}.{'?' * 8}.tmp{suffix}"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
