"""Parquet reading and atomic writing with albench's key-value metadata."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_PREFIX = b"albench."


def write_table(table: pa.Table, path: str | Path, metadata: dict[str, str] | None = None) -> None:
    """Write `table` to `path` through a temporary file and an atomic rename.

    A job killed mid-write leaves at most a stray temporary file, never a truncated Parquet file
    under the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(table.schema.metadata or {})
    for key, value in (metadata or {}).items():
        meta[_PREFIX + key.encode()] = value.encode()
    table = table.replace_schema_metadata(meta)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path: str | Path) -> tuple[pa.Table, dict[str, str]]:
    """Return the table at `path` and the albench metadata written with it."""
    table = pq.read_table(path)
    meta = {
        key[len(_PREFIX) :].decode(): value.decode()
        for key, value in (table.schema.metadata or {}).items()
        if key.startswith(_PREFIX)
    }
    return table, meta
