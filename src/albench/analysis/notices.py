"""What the jobs behind a data set's results warned of, as one table: rows dropped, values
imputed, columns encoded (its preparation), model fallbacks and completed batches (its cells),
Python warnings such as a model's convergence (either).

Each job collects its warnings into its output's metadata (`albench.io.logs.collecting_warnings`),
so the table describes the files the results are computed from, whichever run wrote them; the
verdict counts them and the report shows them.
"""

from __future__ import annotations

import json
import re
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


def warning_lines(table: pd.DataFrame, most: int = 8, width: int = 200) -> list[str]:
    """Return `table`'s warnings in words, one line per data set, job, model and kind of
    message (its strategies and protocols together; messages that differ only in their numbers
    are one kind, its numbers shown as ranges), at most `most` (then how many more), each
    message cut at `width` characters."""
    table = table.fillna({"model": "", "protocol": "", "strategy": ""})
    shape = table["message"].map(lambda m: NUMBER.sub("#", m))
    lines = []
    keys = [table["dataset"], table["job"], table["model"], shape]
    for (dataset, job, model, _), rows in table.groupby(keys, sort=False):
        cells, count = int(rows["cells"].sum()), int(rows["count"].sum())
        where = f"data set {dataset!r}"
        if job == "al_cell":
            strategies = ", ".join(dict.fromkeys(rows["strategy"]))
            where += f", model {model!r}: {cells} cell(s) of {strategies}"
        elif job == "full_pool":
            where += f", full-pool model {model!r}: {cells} seed(s)"
        times = f", {count} times" if count > cells else ""
        message = _ranges(list(rows["message"])).removeprefix(f"data set {dataset!r}: ")
        if len(message) > width:
            message = message[: width - 1] + "…"
        lines.append(f"{where}{times}: {message}")
    if len(lines) > most:
        lines = [*lines[:most], f"... and {len(lines) - most} more"]
    return lines


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _ranges(messages: list[str]) -> str:
    """The first of `messages` (which differ only in their numbers), each number that differs
    between them shown as its range ('1–8')."""
    parts = [NUMBER.split(m) for m in messages]
    numbers = [NUMBER.findall(m) for m in messages]
    shown = []
    for i, value in enumerate(numbers[0]):
        values = {n[i] for n in numbers}
        if len(values) == 1:
            shown.append(value)
        else:
            low, high = min(values, key=float), max(values, key=float)
            shown.append(f"{low}–{high}")
    text = parts[0][0]
    for number, rest in zip(shown, parts[0][1:], strict=True):
        text += number + rest
    return text
