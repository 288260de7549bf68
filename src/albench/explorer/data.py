"""What the explorer page shows, gathered from a run's summary tables into plain data: the
verdict, each comparison's word and interval, each pair's mean learning curves with their
bands, the ranks, label savings, costs and the stopping criteria's stops."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from albench.analysis.stats import percentile_bands
from albench.directions import higher_is_better
from albench.specs import ExplorerSpec

PAIR = ["dataset", "model", "protocol"]
DIGITS = 5  # scores and differences: enough for a 0.00001 difference, no more


def _number(value: Any, digits: int = DIGITS) -> float | None:
    """Return `value` rounded for the page, or None where it is missing (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


def _numbers(values: Sequence[Any], digits: int = DIGITS) -> list[float | None]:
    return [_number(v, digits) for v in values]


def summary_lines(verdict: str) -> list[str]:
    """Return the verdict's answer, its lines after the heading up to the method's paragraph,
    as paragraphs (a wrapped line joined to the one before; a line after one that ends a
    sentence starts a paragraph)."""
    paragraphs: list[str] = []
    ended = True
    for line in verdict.splitlines()[1:]:
        if not line.strip() or line.startswith(("AUBC", "Config:")):
            break
        if ended:
            paragraphs.append(line.strip())
        else:
            paragraphs[-1] += " " + line.strip()
        ended = line.rstrip().endswith((".", ".)"))
    return paragraphs


def comparisons(comparison: pd.DataFrame, pairs: dict[tuple, int], metrics: list[str]) -> dict:
    """Return, per pair index, strategy and metric, the verdict word with the AUBC difference,
    its interval, the Holm p-value and the seeds."""
    out: dict[str, dict] = {}
    for row in comparison.itertuples(index=False):
        row = row._asdict()
        key = pairs.get(tuple(row[c] for c in PAIR))
        if key is None:
            continue
        cells = out.setdefault(str(key), {}).setdefault(row["strategy"], {})
        for metric in metrics:
            word = row.get(f"{metric}_verdict")
            if not isinstance(word, str):
                continue
            cells[metric] = {
                "verdict": word,
                "diff": _number(row[f"{metric}_diff"]),
                "low": _number(row[f"{metric}_diff_ci_low"]),
                "high": _number(row[f"{metric}_diff_ci_high"]),
                "p": _number(row[f"{metric}_p_holm"], 4),
                "seeds": int(row["n_seeds"]),
                "more_seeds": _number(row.get(f"{metric}_seeds_to_decide"), 0),
            }
    return out


def curves(
    frame: pd.DataFrame, pairs: dict[tuple, int], metrics: list[str], seeds: bool = False
) -> dict:
    """Return, per pair index and strategy, the labelled-set sizes and per metric the mean
    curve over seeds with its 95 % percentile-bootstrap band (the PNG figures' bands); with
    `seeds`, also each seed's curve (`seeds`: metric -> one list per seed, None where a seed
    has no value at that size)."""
    out: dict[str, dict] = {}
    for metric in metrics:
        if metric not in frame.columns or frame[metric].isna().all():
            continue
        bands = percentile_bands(frame, [*PAIR, "strategy", "n_labeled"], metric).reset_index()
        for key, rows in bands.groupby([*PAIR, "strategy"], sort=False):
            index = pairs.get(tuple(key[:3]))
            if index is None or rows["mean"].isna().all():
                continue
            strategy = out.setdefault(str(index), {}).setdefault(key[3], {})
            strategy.setdefault("x", [int(x) for x in rows["n_labeled"]])
            strategy[metric] = [
                _numbers(rows["mean"]),
                _numbers(rows["low"]),
                _numbers(rows["high"]),
            ]
    if seeds:
        for key, rows in frame.groupby([*PAIR, "strategy"], sort=False):
            index = pairs.get(tuple(key[:3]))
            strategy = out.get(str(index), {}).get(key[3])
            if strategy is None:
                continue
            wide = rows.pivot_table(index="seed", columns="n_labeled", values=metrics)
            strategy["seeds"] = {
                metric: [
                    _numbers(values)
                    for values in wide[metric].reindex(columns=strategy["x"]).to_numpy()
                ]
                for metric in metrics
                if metric in strategy
            }
    return out


def stops(stopping: pd.DataFrame, pairs: dict[tuple, int]) -> dict:
    """Return, per pair index and strategy, each stopping criterion's mean labels at its stop,
    the share of seeds it stopped in, and its mean regret at the first cost pair."""
    out: dict[str, dict] = {}
    if stopping.empty:
        return out
    regret = next((c for c in stopping.columns if c.startswith("regret_")), None)
    for row in stopping.itertuples(index=False):
        row = row._asdict()
        index = pairs.get(tuple(row[c] for c in PAIR))
        if index is None:
            continue
        out.setdefault(str(index), {}).setdefault(row["strategy"], []).append(
            {
                "criterion": row["criterion"],
                "labels": _number(row["labels"], 1),
                "stopped": _number(row["stopped_share"], 3),
                "regret": _number(row[regret], 2) if regret else None,
            }
        )
    return out


def critical_difference(k: int, n: int, alpha: float = 0.05) -> float | None:
    """Return the Nemenyi critical difference of mean ranks for `k` strategies over `n` data
    sets (Demšar 2006): two mean ranks further apart than this differ at `alpha`."""
    from scipy.stats import studentized_range

    if k < 2 or n < 2:
        return None
    q = studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(k * (k + 1) / (6 * n)))


def ranks(table: pd.DataFrame) -> list[dict]:
    """Return the ranks table's rows with each model x protocol x metric's Nemenyi critical
    difference (`cd`)."""
    table = table.copy()
    keys = ["model", "protocol", "metric"]
    sizes = table.groupby(keys)["strategy"].transform("size")
    table["cd"] = [
        critical_difference(k, n) for k, n in zip(sizes, table["n_datasets"], strict=True)
    ]
    return records(table)


def records(frame: pd.DataFrame, pairs: dict[tuple, int] | None = None) -> list[dict]:
    """Return a table's rows as plain records (a pair index in place of its three columns
    where `pairs` is given), numbers rounded for the page."""
    rows = []
    for row in frame.to_dict("records"):
        if pairs is not None:
            index = pairs.get(tuple(row.pop(c) for c in PAIR))
            if index is None:
                continue
            row["pair"] = index
        rows.append(
            {
                k: (_number(v) if isinstance(v, float) else v.item() if hasattr(v, "item") else v)
                for k, v in row.items()
            }
        )
    return rows


def explorer_data(
    tables: dict[str, str | Path], verdict: str | Path, spec: ExplorerSpec
) -> dict[str, Any]:
    """Return everything the page shows, from the summary `tables` (curves, comparison, ranks,
    label_savings, cost, stopping) and the `verdict` text of a run of `spec`'s config."""
    from albench.figures.plots import hex_colours

    comparison = pd.read_csv(tables["comparison"])
    frame = pd.read_parquet(tables["curves"])
    pair_rows = comparison[PAIR].drop_duplicates()
    tasks = spec.tasks
    pair_list = [
        {"dataset": d, "model": m, "protocol": p, "task": tasks.get(d, "classification")}
        for d, m, p in pair_rows.itertuples(index=False)
    ]
    pairs = {(p["dataset"], p["model"], p["protocol"]): i for i, p in enumerate(pair_list)}
    metrics = [m for task_metrics in spec.metrics.values() for m in task_metrics]
    text = Path(verdict).read_text()
    stopping = tables.get("stopping")
    return {
        "title": "albench explorer",
        "summary": summary_lines(text),
        "verdict": text,
        "config": {"files": spec.config_files, "fingerprint": spec.config_fingerprint},
        "baseline": spec.baseline,
        "strategies": list(spec.strategies),
        "colours": hex_colours(spec.strategies, spec.baseline),
        "metrics": spec.metrics,
        "higher_is_better": {m: higher_is_better(m) for m in metrics},
        "protocols": list(dict.fromkeys(p["protocol"] for p in pair_list)),
        "pairs": pair_list,
        "comparison": comparisons(comparison, pairs, metrics),
        "curves": curves(frame, pairs, metrics, spec.seeds),
        "ranks": ranks(pd.read_csv(tables["ranks"])),
        "savings": records(pd.read_csv(tables["label_savings"]), pairs),
        "cost": records(pd.read_csv(tables["cost"]), pairs),
        "stops": stops(pd.read_csv(stopping), pairs) if stopping else {},
    }
