"""Which columns of a user's table cannot be features: identifiers, dates and times, free text,
and categories with more levels than half their rows.

One-hot encoding such a column gives one feature per value seen (an ID column of 600 rows
becomes 600 features, each true for one row): noise that no model learns from, and that can
turn a benchmark's verdict without a word. They are refused, naming each column, before any
job runs (`albench.plan.checks.check_config` through `Source.check`) and again when the data
set is prepared. A data set's `keep_columns` lists the columns to encode anyway.

The rules, each over a column's non-missing values (n of them, k distinct):

- a date or time: a column of dates (Parquet timestamps), or of text of which at least
  `DATE_SHARE` of the distinct values read as a date or a time of day (2024-03-01,
  01/03/2024, 1.3.2024, Mar 1 2024, 2024-03-01T12:30, 12:30);
- too many levels (text): k > max(n / 2, `FEW_LEVELS`), i.e. most levels occur once, so
  their one-hot columns cannot generalise; called an identifier when k >= `ID_SHARE` * n
  and the values are single words, free text when their median has `TEXT_WORDS` words or
  more;
- a numeric identifier: more than `FEW_LEVELS` integers, all distinct, that are consecutive
  (0, 1, 2, ..., as a saved index) or whose column is named like an ID (`id`, `*_id`,
  `key`, `index`, `Unnamed: 0`).

A 3-level category in 20 rows is kept (k <= `FEW_LEVELS`); numbers are otherwise kept as
numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

FEW_LEVELS = 10  # never refuse a column of this many distinct values or fewer as too many levels
ID_SHARE = 0.9  # an identifier: (nearly) one distinct value per row
TEXT_WORDS = 3  # free text: values of this many words or more (median)
DATE_SHARE = 0.9  # a date column: this share of its distinct values read as dates or times
DATE_SAMPLE = 1000  # distinct values looked at to tell a date column

_DAY = r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]\.?m\.?)?\s*(z|[+-]\d{2}:?\d{2})?"
DATE = re.compile(
    rf"^\s*({_DAY}([ t]{_TIME})?"
    rf"|{_TIME}"
    rf"|(\d{{1,2}}\s+)?{_MONTH}\s+(\d{{1,2}},?\s+)?\d{{4}}([ t]{_TIME})?)\s*$",
    re.IGNORECASE,
)
ID_NAME = re.compile(r"(^|[\s_.-])(id|key|index|idx)$|^id[\s_.-]|^unnamed: ?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class Unusable:
    """A column that cannot be a feature: `kind` says what it looks like, `evidence` why."""

    column: str
    kind: str
    evidence: str


def unusable_columns(frame: pd.DataFrame, columns: Sequence[str]) -> list[Unusable]:
    """Return the `columns` of `frame` that look like identifiers, dates or times, free text or
    categories of too many levels (see the module's rules), in order."""
    found = []
    for column in columns:
        reason = _unusable(str(column), frame[column].dropna())
        if reason is not None:
            found.append(reason)
    return found


def _unusable(column: str, values: pd.Series) -> Unusable | None:
    n = len(values)
    if n == 0 or pd.api.types.is_bool_dtype(values):
        return None
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_timedelta64_dtype(values):
        return Unusable(column, "a date or time", f"values of type {values.dtype}")
    distinct = values.unique()
    k = len(distinct)
    if pd.api.types.is_numeric_dtype(values):
        return _numeric_identifier(column, values, k)
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() > numbers.isna().sum():
        return None  # numbers with some text: refused as a data error by `table_features`
    text = pd.Series(distinct).astype(str)
    sample = text.iloc[:DATE_SAMPLE]
    dates = sample.str.match(DATE)
    if dates.mean() >= DATE_SHARE:
        return Unusable(column, "a date or time", f"values such as {_examples(sample[dates])}")
    if k <= max(n / 2, FEW_LEVELS):
        return None
    words = text.str.split().str.len().median()
    counts = f"{k} distinct values in {n} rows, e.g. {_examples(text)}"
    if words >= TEXT_WORDS:
        return Unusable(column, "free text", counts)
    if k >= ID_SHARE * n and words <= 1:
        return Unusable(column, "an identifier", counts)
    return Unusable(column, "a category with more levels than half its rows", counts)


def _numeric_identifier(column: str, values: pd.Series, k: int) -> Unusable | None:
    numbers = values.to_numpy(dtype=np.float64)
    if k != len(values) or k <= FEW_LEVELS or not np.isfinite(numbers).all():
        return None
    if not np.all(np.mod(numbers, 1) == 0):
        return None
    consecutive = numbers.max() - numbers.min() == k - 1
    if not (consecutive or ID_NAME.search(column.strip())):
        return None
    span = f"{numbers.min():.0f} to {numbers.max():.0f}"
    why = "consecutive" if consecutive else "named like an ID"
    return Unusable(column, "an identifier", f"{k} distinct integers ({span}) in {k} rows, {why}")


def _examples(values: pd.Series) -> str:
    shown = [v if len(v) <= 40 else v[:37] + "..." for v in values.iloc[:2]]
    return repr(shown)


def unusable_message(
    name: str, found: Sequence[Unusable], features: Sequence[str], label: str
) -> str:
    """Return the refusal of data set `name`'s unusable columns `found` among its `features`:
    what each looks like, and the `features:` and `keep_columns:` lines that fix it."""
    key = f"datasets.{name}"
    lines = [
        f"{key}: {len(found)} column(s) cannot be features; one-hot encoded, each would add one "
        "feature per distinct value, noise that can turn the verdict:"
    ]
    lines += [f"  - {u.column!r} looks like {u.kind} ({u.evidence})" for u in found]
    bad = {u.column for u in found}
    kept = [c for c in features if c not in bad and c != label]
    if kept:
        lines.append(f"List the columns to use: {key}.features: [{_flow(kept)}]")
    lines.append(
        f"or, to encode them anyway, {key}.keep_columns: [{_flow(u.column for u in found)}] "
        "(see docs/configuration.md, 'Your own data')"
    )
    return "\n".join(lines)


def _flow(columns: Iterable[str]) -> str:
    """The inside of a YAML flow list of `columns`, quoting the names YAML would misread."""
    plain = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
    return ", ".join(c if plain.fullmatch(c) else json.dumps(c) for c in columns)
