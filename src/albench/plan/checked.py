"""The config check, once per config: a call whose config passed the check before is not
validated, checked nor probed again.

The full check (`albench.plan.checks.check_config`) imports every model and strategy, builds
them, and runs every pair once on tiny data: about a second of every `snakemake` call, most of
a rerun with nothing to do. Its answer depends only on the config, the code that runs (albench's
own, the config's project code, the installed packages' versions, Python's) and the data files
the data sets read. `check_config_once` runs the check when that fingerprint is new and records
it under `.snakemake/albench/checked/` after it passed; a failed check records nothing, so it
fails again on the next call. `ALBENCH_RECHECK=1` checks whatever the record says.

The schema validation (Snakemake's `validate`, which also fills in the defaults) is kept the
same way: `validate_once` stores the filled config by the hash of the config as given and of
the schema, and a later call with both unchanged reads it back instead of importing jsonschema
and validating again (a fifth of a second).

Within a check, each model x strategy probe (`albench.plan.probe`) that passed is recorded the
same way (`ProbeRecords`, under `.snakemake/albench/probed/`), by the specs of its model and
strategy, the data shape it ran on and the code: a config with one strategy edited probes only
that strategy's pairs again.

Computing the fingerprint reads albench's sources and the config's project code, and stats the
data files; it imports nothing (the packages' versions come from their installed metadata).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from albench.env import RECHECK_ENV
from albench.usercode import BUILTIN_STRATEGIES, imports_of, project_folders

# The installed packages whose versions can change what the check finds.
PACKAGES = ("scikit-learn", "scikit-activeml", "numpy", "scipy", "pandas", "pyarrow", "torch")
KEPT = 32  # the most recent fingerprints kept
KEPT_PROBES = 4096  # the most recent probes kept (a config has one per model x strategy x shape)


def check_config_once(
    config: dict[str, Any],
    store: str | Path = ".snakemake/albench",
    notify: Callable[[str], None] | None = None,
) -> bool:
    """Check `config` (`check_config`, raising ConfigError naming the key) unless a config of
    the same fingerprint passed before, as recorded in `store`; return whether it was checked
    now. A slow probe is told to `notify`."""
    from albench.plan.checks import check_config

    folder = Path(store) / "checked"
    record = folder / fingerprint(config)
    recheck = bool(os.environ.get(RECHECK_ENV))
    if record.exists() and not recheck:
        return False
    probed = ProbeRecords(Path(store) / "probed", reuse=not recheck)
    check_config(config, probed=probed, notify=notify)
    folder.mkdir(parents=True, exist_ok=True)
    record.touch()
    _prune(folder, KEPT)
    if probed.folder.is_dir():
        _prune(probed.folder, KEPT_PROBES)
    return True


def validate_once(
    config: dict[str, Any], schema: str | Path, store: str | Path = ".snakemake/albench"
) -> None:
    """Validate `config` against `schema` and fill in its defaults, in place, as Snakemake's
    `validate` does (raising its error), unless the same config and schema were validated
    before: then fill it from the record in `store`."""
    from albench.io.files import write_text

    digest = hashlib.sha256()
    for part in (json.dumps(config, sort_keys=True, default=repr), Path(schema).read_text()):
        digest.update(part.encode())
        digest.update(b"\0")
    folder = Path(store) / "validated"
    record = folder / f"{digest.hexdigest()}.json"
    if record.exists():
        config.clear()
        config.update(json.loads(record.read_text()))
        return
    from snakemake.utils import validate

    validate(config, str(schema))
    text = json.dumps(config, default=repr)  # key order kept: the config's order is meaningful
    if json.loads(text) == config:  # only what JSON gives back as it was (not int keys, say)
        write_text(record, text)
        _prune(folder, KEPT)


def _prune(folder: Path, kept: int) -> None:
    """Remove all but the `kept` latest records of `folder`; safe beside other processes doing
    the same (cluster submissions share the working directory)."""

    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return float("-inf")

    for old in sorted(folder.iterdir(), key=age)[:-kept]:
        old.unlink(missing_ok=True)


class ProbeRecords:
    """The probes that passed (`albench.plan.probe.probe_grid`), one empty file each in
    `folder`, named by the SHA-256 of what the probe depends on: the model's and the
    strategy's specs, the data shape, the labelled count and batch it ran with, and the code
    (albench's, the specs' project code, the packages' versions, Python's). With `reuse`
    false every probe runs again (and is recorded)."""

    def __init__(self, folder: str | Path, reuse: bool = True) -> None:
        self.folder = Path(folder)
        self.reuse = reuse
        self._code = "\n".join(_code_parts([]))  # albench and the packages, read once

    def key(self, *what: Any, specs: list[dict[str, Any]]) -> str:
        """The record name of a probe of `specs` (its model's and strategy's) on `what` (the
        shape, labelled count, batch and whatever else its verdict depends on)."""
        text = json.dumps([specs, what], sort_keys=True, default=repr)
        return _digest([text, self._code, *_project_sources(specs)])

    def passed(self, key: str) -> bool:
        """Whether the probe of `key` passed before (and may be skipped); a record used is
        kept as if new."""
        if not self.reuse:
            return False
        try:
            os.utime(self.folder / key)
        except OSError:
            return False
        return True

    def add(self, key: str) -> None:
        """Record that the probe of `key` passed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / key).touch()


def fingerprint(config: dict[str, Any]) -> str:
    """Return the SHA-256 of what the config check of `config` depends on (see the module)."""
    return _digest(_parts(config))


def _digest(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _parts(config: dict[str, Any]) -> Iterator[str]:
    yield json.dumps(config, sort_keys=True, default=str)
    specs = [*config.get("models", {}).values(), *config.get("strategies", {}).values()]
    yield from _code_parts(specs)
    for name, spec in sorted(config.get("datasets", {}).items()):
        yield from _data_files(name, spec)


def _code_parts(specs: list[dict[str, Any]]) -> Iterator[str]:
    """The code a check of `specs` runs: Python's and the packages' versions, albench's
    sources, and the project code the specs import."""
    yield sys.version
    for package in PACKAGES:
        try:
            yield f"{package} {metadata.version(package)}"
        except metadata.PackageNotFoundError:
            yield f"{package} absent"
    yield from _sources(Path(__file__).resolve().parents[1])  # albench's own code
    yield from _project_sources(specs)


def _project_sources(specs: list[dict[str, Any]]) -> Iterator[str]:
    tops = {path.partition(".")[0] for spec in specs for path in imports_of(spec)}
    tops.discard(BUILTIN_STRATEGIES.partition(".")[0])
    for folder in project_folders():
        for top in sorted(tops):
            yield from _sources(Path(folder) / top)
            yield from _sources(Path(folder) / f"{top}.py")


def _sources(path: Path) -> Iterator[str]:
    """The path and content hash of each Python file at `path` (a file or a package)."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
    else:
        return
    for file in files:
        yield f"{file} {hashlib.sha256(file.read_bytes()).hexdigest()}"


def _data_files(name: str, spec: dict[str, Any]) -> Iterator[str]:
    """What data set `name` reads, by size and time: its source's input files
    (`dataset_inputs`), and a folder's class sub-folders, whose times change as images come
    and go."""
    from albench.data.sources import dataset_inputs

    paths = [Path(p) for p in dataset_inputs(name, spec, update=False)]
    if "path" in spec and Path(spec["path"]).is_dir():
        root = Path(spec["path"])
        paths += [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            yield f"{name} {path} missing"
            continue
        yield f"{name} {path} {stat.st_size} {stat.st_mtime_ns}"
