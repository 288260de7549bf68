"""One workflow job as its function sees it: the rule's named input, output, params, log and
threads, as Python values (the shape of the `snakemake` object a catalogue script receives).

Every rule's shell command has one form (`job(NAME)` in workflow/rules/common.smk):

    python scripts/job.py NAME LOG THREADS FILES SPEC

NAME is the function of `albench.run.rules` the rule runs (the rule's own name, but for rules
that reuse another's job, as `al_cell_mapped` runs `al_cell`);
FILES is the rule's named input and output as JSON (`encode_files`, the rule's `io` param),
SPEC the rule's `spec` param, the JSON of what the job depends on (`albench.specs`).
`albench.run.runner.run_job` reads them into a `Job` and calls the function of
`albench.run.rules` the rule names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from albench.errors import AlbenchError


class Named(Mapping[str, Any]):
    """Values by name, read as attributes (`job.input.data`) or as a mapping (`**job.input`);
    an unknown name is an error that names the job and the names it has."""

    def __init__(self, values: Mapping[str, Any], what: str) -> None:
        self._values = dict(values)
        self._what = what

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            known = ", ".join(self._values) or "none"
            raise AlbenchError(f"{self._what} has no {name!r} (it has: {known})") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Named({self._values!r})"


@dataclass(frozen=True)
class Job:
    """A job's function name (its rule's, see the module), files (paths; lists of paths for
    list inputs), spec (plain data), log file and threads."""

    name: str
    input: Named
    output: Named
    spec: dict[str, Any]
    log: Path
    threads: int = 1


def _paths(value: str | list[str]) -> Path | list[Path]:
    return [Path(v) for v in value] if isinstance(value, list) else Path(value)


def encode_files(input: Any, output: Any) -> str:
    """Return a rule's named input and output (Snakemake's named lists, or dicts of paths and
    lists of paths) as the FILES argument of its job. Every entry must be named."""
    files = {}
    for kind, named in (("input", input), ("output", output)):
        entries = dict(named.items())
        flat = sum(len(v) if isinstance(v, list) else 1 for v in entries.values())
        if isinstance(named, list) and flat != len(named):  # Snakemake's named lists
            raise AlbenchError(f"every {kind} of an albench rule must be named")
        files[kind] = {
            name: [str(v) for v in value] if isinstance(value, list) else str(value)
            for name, value in entries.items()
        }
    return json.dumps(files, separators=(",", ":"))


def parse_job(argv: list[str]) -> Job:
    """Read a job's command line (NAME LOG THREADS FILES SPEC) into a Job."""
    if len(argv) != 5:
        raise AlbenchError(f"a job takes NAME LOG THREADS FILES SPEC, not {len(argv)} arguments")
    name, log_path, threads, files, spec = argv
    files = json.loads(files)
    return Job(
        name=name,
        input=Named({k: _paths(v) for k, v in files["input"].items()}, f"job {name}'s input"),
        output=Named({k: _paths(v) for k, v in files["output"].items()}, f"job {name}'s output"),
        spec=json.loads(spec),
        log=Path(log_path),
        threads=int(threads),
    )
