"""Parquet reading and atomic writing with albench's key-value metadata."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from albench.io.files import atomic_path

_PREFIX = b"albench."


def write_table(table: pa.Table, path: str | Path, metadata: dict[str, str] | None = None) -> None:
    """Write `table` to `path` through a temporary file and an atomic rename.

    A job killed mid-write leaves at most a stray temporary file, never a truncated Parquet file
    under the final name.
    """
    meta = dict(table.schema.metadata or {})
    for key, value in (metadata or {}).items():
        meta[_PREFIX + key.encode()] = value.encode()
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata(meta), tmp)


def read_metadata(path: str | Path) -> dict[str, str]:
    """Return the albench metadata written with the table at `path`, reading only its footer."""
    metadata = pq.read_schema(path).metadata or {}
    return {
        key[len(_PREFIX) :].decode(): value.decode()
        for key, value in metadata.items()
        if key.startswith(_PREFIX)
    }


def read_table(path: str | Path) -> tuple[pa.Table, dict[str, str]]:
    """Return the table at `path` and the albench metadata written with it."""
    table = pq.read_table(path)
    meta = {
        key[len(_PREFIX) :].decode(): value.decode()
        for key, value in (table.schema.metadata or {}).items()
        if key.startswith(_PREFIX)
    }
    return table, meta
