"""Checkpoints of a running AL cell, so that a killed long cell resumes where it stopped.

A checkpoint holds what the next iteration needs: the labels revealed so far, the curve and
selection rows so far and the strategy object (whose random state has advanced with each
query). Models are refitted from scratch every iteration with a fixed seed, so they need no
saving. A checkpoint is keyed by the cell's config, seed and loop version: one left by another
config is ignored, never resumed from.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path
from typing import Any

import albench
from albench.io.files import atomic_path

log = logging.getLogger("albench")


def checkpoint_path(curve_path: str | Path) -> Path:
    """Where the cell writing `curve_path` keeps its checkpoint (a hidden file beside it)."""
    curve_path = Path(curve_path)
    return curve_path.with_name(f".{curve_path.stem}.checkpoint.pkl")


def checkpoint_key(cell_json: str) -> str:
    """The identity a checkpoint must match to be resumed from: the cell's spec (seed and
    loop version included) as canonical JSON."""
    text = f"{cell_json}|{albench.LOOP_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()


def save_checkpoint(path: Path, key: str, state: Any) -> None:
    """Write `state` under `key` to `path` atomically (a temporary file, then a rename)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as stream:
        pickle.dump({"key": key, "state": state}, stream, protocol=pickle.HIGHEST_PROTOCOL)


def load_checkpoint(path: Path, key: str) -> Any | None:
    """Return the state saved at `path` for `key`; None when there is none or it is another's."""
    if not path.exists():
        return None
    try:
        with open(path, "rb") as stream:
            saved = pickle.load(stream)
    except Exception as error:  # noqa: BLE001 - an unreadable checkpoint is only a lost shortcut
        log.warning("ignoring unreadable checkpoint %s: %s", path, error)
        return None
    if saved.get("key") != key:
        log.warning("ignoring checkpoint %s: written for another config or loop version", path)
        return None
    return saved["state"]
