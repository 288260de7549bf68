"""Helpers shared by test modules (imported by name: pytest puts tests/ on the path)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from albench.run.job import encode_files
from albench.specs import Spec


def job_argv(
    rule: str,
    log: str | Path,
    input: dict[str, Any],
    output: dict[str, Any],
    spec: Spec | dict[str, Any] | None = None,
    threads: int = 1,
) -> list[str]:
    """Return the command line (after scripts/job.py) that the workflow's JOB gives `rule`
    with these named input and output (paths, lists of paths) and this spec."""
    as_json = spec.to_json() if isinstance(spec, Spec) else json.dumps(spec or {})
    return [rule, str(log), str(threads), encode_files(input, output), as_json]
