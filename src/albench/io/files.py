"""Atomic writing: every result file appears complete under its name, or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; rename it to `path` when the block
    ends without error, remove it otherwise.

    A job killed mid-write leaves at most a hidden temporary file (`.NAME.tmp.SUFFIX`), never a
    truncated file under the final name; the next write of `path` replaces it. Folders are
    created; the temporary name keeps the suffix, so writers that choose a format by suffix
    (matplotlib, pandas) choose the same. The temporary's name is fixed: Snakemake runs one job
    per output, so no two writers share it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    tmp.unlink(missing_ok=True)  # what a job killed while writing (SIGKILL) left
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` atomically, in UTF-8."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
