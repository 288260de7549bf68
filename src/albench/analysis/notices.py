"""What the jobs behind a data set's results warned of, as one table: rows dropped, values
imputed, columns encoded (its preparation), model fallbacks and completed batches (its cells),
Python warnings such as a model's convergence (either).

Each job collects its warnings into its output's metadata (`albench.io.logs.collecting_warnings`),
so the table describes the files the results are computed from, whichever run wrote them; the
verdict counts them and the report shows them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from albench.io.logs import WARNINGS_KEY
from albench.io.parquet import read_metadata
from albench.specs import DEFAULT_PROTOCOL

COLUMNS = ["dataset", "job", "model", "protocol", "strategy", "message", "cells", "count"]
GROUP = ["dataset", "job", "model", "protocol", "strategy", "message"]


def warnings_table(
    dataset: str,
    data: str | Path | None,
    cells: Sequence[str | Path],
    references: Sequence[str | Path] = (),
) -> pd.DataFrame:
    """Return the warnings recorded in the prepared data set `data`, the curves `cells` and the
    full-pool scores `references` of data set `dataset`: one row per job kind, model, protocol,
    strategy and message, with the number of `cells` (jobs) that raised it and its `count`
    (times in all), in the order first seen; empty strings where a column does not apply."""
    rows = []
    if data is not None:
        for note in _recorded(data):
            rows.append(_row(dataset, "prepare_dataset", "", "", "", note))
    for path in cells:
        meta = read_metadata(path)
        if WARNINGS_KEY not in meta:
            continue
        cell = json.loads(meta["cell"])
        for note in json.loads(meta[WARNINGS_KEY]):
            protocol = cell.get("protocol_name", DEFAULT_PROTOCOL)
            rows.append(_row(dataset, "al_cell", cell["model"], protocol, cell["strategy"], note))
    for path in references:
        notes = _recorded(path)
        if notes:
            model = pd.read_parquet(path, columns=["model"])["model"].iloc[0]
            rows += [_row(dataset, "full_pool", model, "", "", note) for note in notes]
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(rows)
    grouped = frame.groupby(GROUP, sort=False).agg(cells=("count", "size"), count=("count", "sum"))
    return grouped.reset_index()[COLUMNS]


def _recorded(path: str | Path) -> list[dict]:
    return json.loads(read_metadata(path).get(WARNINGS_KEY, "[]"))


def _row(dataset: str, job: str, model: str, protocol: str, strategy: str, note: dict) -> dict:
    return {
        "dataset": dataset,
        "job": job,
        "model": model,
        "protocol": protocol,
        "strategy": strategy,
        "message": note["message"],
        "count": int(note["count"]),
    }


def warning_lines(table: pd.DataFrame, most: int = 8) -> list[str]:
    """Return `table`'s warnings in words, one line per data set, job, model and message (its
    strategies and protocols together), at most `most` (then how many more)."""
    lines = []
    keys = ["dataset", "job", "model", "message"]
    table = table.fillna({"model": "", "protocol": "", "strategy": ""})
    for (dataset, job, model, message), rows in table.groupby(keys, sort=False):
        cells, count = int(rows["cells"].sum()), int(rows["count"].sum())
        where = f"data set {dataset!r}"
        if job == "al_cell":
            strategies = ", ".join(dict.fromkeys(rows["strategy"]))
            where += f", model {model!r}: {cells} cell(s) of {strategies}"
        elif job == "full_pool":
            where += f", full-pool model {model!r}: {cells} seed(s)"
        times = f", {count} times" if count > cells else ""
        message = message.removeprefix(f"data set {dataset!r}: ")
        lines.append(f"{where}{times}: {message}")
    if len(lines) > most:
        lines = [*lines[:most], f"... and {len(lines) - most} more"]
    return lines
