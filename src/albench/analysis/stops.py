"""What each stopping criterion would have done on each cell, and how well, against two
reference stops that only the benchmark can know (they read the test scores).

- **cost-optimal stop** (Pullar-Strecker et al. 2022): the iteration that minimizes
  (1 - accuracy) x A + labels x l, where A is what misclassifications cost over the model's
  lifetime and l what a label costs (config `stopping.costs`, one or more pairs);
- **plateau stop**: the first iteration within `plateau_margin` of the curve's best score.

A criterion that never stopped within the budget counts as stopping at the budget's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from albench.analysis.stats import friedman_p, mean_ci, mean_ranks
from albench.directions import higher_is_better
from albench.io.curves import ID_COLUMNS, read_curves
from albench.io.files import write_text
from albench.io.parquet import read_metadata
from albench.specs import StoppingSpec
from albench.stopping.criteria import CRITERIA, Chosen, Record
from albench.stopping.record import read_record
from albench.tasks import CLASSIFICATION, REGRESSION

COST_OPTIMAL = "cost-optimal stop"
PLATEAU = "plateau stop"
BUDGET_END = "budget's end"  # labelling the whole budget: what any stop is an alternative to
GROUP = ["dataset", "model", "protocol", "strategy", "criterion"]


def cost_name(cost: Sequence[float]) -> str:
    """The column of a (misclassification cost, label cost) pair's regret."""
    return f"regret_{cost[0]:g}_{cost[1]:g}"


def cell_stops(
    curve: pd.DataFrame,
    record: Record,
    chosen: Sequence[Chosen],
    costs: Sequence[Sequence[float]],
    plateau_margin: float,
    metric: str = "accuracy",
) -> pd.DataFrame:
    """Return one row per criterion (and reference stop) of one cell: where it stopped
    (iteration, labels; `stopped` False where it never did, then at the budget's end), the
    test `metric` there, what it lost against the end of the budget and the curve's best, the
    labels it saved, and its regret against the cost-optimal stop of each pair of `costs`."""
    curve = curve.sort_values("iteration", ignore_index=True)
    labels = curve["n_labeled"].to_numpy()
    scores = curve[metric].to_numpy(dtype=float)
    # What the model gets wrong: 1 - accuracy, or an error (rmse) as it is.
    loss = 1 - scores if higher_is_better(metric) else scores
    spend = {cost_name(c): loss * c[0] + labels * c[1] for c in costs}
    stops: dict[str, tuple[int, bool]] = {}
    for criterion in chosen:
        decisions = criterion.decisions(record)[: len(curve)]
        stopped = bool(decisions.any())
        stops[criterion.name] = (int(np.argmax(decisions)) if stopped else len(curve) - 1, stopped)
    for c in costs:
        name = COST_OPTIMAL if len(costs) == 1 else f"{COST_OPTIMAL} {c[0]:g}/{c[1]:g}"
        stops[name] = (int(np.argmin(spend[cost_name(c)])), True)
    best = np.nanmin(loss)
    stops[PLATEAU] = (int(np.argmax(loss <= best + plateau_margin + 1e-12)), True)
    stops[BUDGET_END] = (len(curve) - 1, True)
    identity = {key: curve[key].iloc[0] for key in ID_COLUMNS}
    rows = []
    for name, (at, stopped) in stops.items():
        row = {
            **identity,
            "criterion": name,
            "stopped": stopped,
            "iteration": int(curve["iteration"].iloc[at]),
            "labels": int(labels[at]),
            metric: scores[at],
            "lost_vs_end": loss[at] - loss[-1],
            "lost_vs_best": loss[at] - best,
            "labels_saved": int(labels[-1] - labels[at]),
        }
        row.update({key: values[at] - values.min() for key, values in spend.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def dataset_stops(
    curves: Sequence[str | Path],
    records: Sequence[str | Path],
    chosen: Sequence[Chosen],
    costs: Sequence[Sequence[float]],
    plateau_margin: float,
    metric: str = "accuracy",
    regression_metric: str = "rmse",
) -> pd.DataFrame:
    """Return `cell_stops` of every cell whose curve and stopping record are at `curves` and
    `records` (in the same order), by the criteria that apply to its task, on `metric` (a
    regression cell's on `regression_metric`)."""
    frames = []
    for curve_path, record_path in zip(curves, records, strict=True):
        n_classes = int(read_metadata(record_path).get("n_classes", "0"))
        stats, predictions = read_record(record_path)
        record = Record(stats, predictions, n_classes)
        usable = [c for c in chosen if applies(c, n_classes)]
        score = metric if n_classes else regression_metric
        frames.append(
            cell_stops(read_curves([curve_path]), record, usable, costs, plateau_margin, score)
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def applies(criterion: Chosen, n_classes: int) -> bool:
    """Whether `criterion` applies to a task of `n_classes` classes (0: regression): a built-in
    one to the tasks it names (binary-only ones not to more classes), a user's to
    classification."""
    task = CLASSIFICATION if n_classes else REGRESSION
    builtin = CRITERIA.get(criterion.builtin or "")
    if builtin is None:
        return task == CLASSIFICATION
    return task in builtin.tasks and (not builtin.binary or n_classes == 2)


def stopping_summary(stops: pd.DataFrame, costs: Sequence[Sequence[float]]) -> pd.DataFrame:
    """Return per data set x model x protocol x strategy x criterion, over the seeds: how many,
    the share that stopped within the budget, and the mean and 95 % CI of the labels at the
    stop, the score lost against the end of the budget, and the regret of each cost pair."""
    if stops.empty:
        return pd.DataFrame(columns=[*GROUP, "seeds", "stopped_share"])
    measures = ["labels", "lost_vs_end", *(cost_name(c) for c in costs)]
    rows = []
    for key, group in stops.groupby(GROUP, sort=False):
        row = dict(zip(GROUP, key, strict=True))
        row["seeds"] = len(group)
        row["stopped_share"] = float(group["stopped"].mean())
        row["labels_at_end"] = float((group["labels"] + group["labels_saved"]).mean())
        for measure in measures:
            mean, low, high = mean_ci(group[measure].to_numpy(dtype=float))
            row.update({measure: mean, f"{measure}_ci_low": low, f"{measure}_ci_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


def summarise_stopping(
    curves: Sequence[str | Path],
    records: Sequence[str | Path],
    tables: dict[str, str | Path],
    spec: StoppingSpec,
) -> pd.DataFrame:
    """Write a data set's `stops` (`dataset_stops`: every cell x criterion) and `stopping`
    (`stopping_summary`) tables, replaying `spec`'s criteria on the records; return the stops."""
    from albench.stopping.choice import chosen_criteria

    chosen = chosen_criteria(spec.criteria)
    stops = dataset_stops(
        curves,
        records,
        chosen,
        spec.costs,
        spec.plateau_margin,
        spec.metric,
        spec.regression_metric,
    )
    if stops.empty:
        stops = pd.DataFrame(columns=[*ID_COLUMNS, "criterion", "stopped", "labels"])
    write_text(tables["stops"], stops.to_csv(index=False))
    summary = stopping_summary(stops, spec.costs)
    write_text(tables["stopping"], summary.to_csv(index=False))
    return stops


# A criterion the verdict recommends stopped within the budget in at least this share of cells.
RELIABLE = 0.9
REFERENCES = (COST_OPTIMAL, PLATEAU, BUDGET_END)


def recommended(stops: pd.DataFrame, metric: str = "accuracy") -> dict | None:
    """Return the criterion to trust on the cells of `stops` (one data set x model x protocol,
    all strategies): of those that stopped within the budget in at least RELIABLE of the
    cells, the one of least mean regret (first cost pair); with the mean and 95 % CI of its
    labels, of the score it lost against the budget's end, and of its regret, and the mean
    regret of labelling the whole budget (`budget_regret`; where that is less, no criterion is
    worth trusting here). None where no criterion is that reliable."""
    regret = next((c for c in stops.columns if c.startswith("regret_")), None)
    if regret is None or stops.empty:
        return None
    judged = stops[~stops["criterion"].str.startswith(REFERENCES)]
    best = None
    for name, rows in judged.groupby("criterion", sort=True):
        if rows["stopped"].astype(bool).mean() < RELIABLE:
            continue
        mean_regret = float(rows[regret].mean())
        if best is None or mean_regret < best[1]:
            best = (name, mean_regret, rows)
    if best is None:
        return None
    name, _, rows = best
    budget = float((rows["labels"] + rows["labels_saved"]).mean())
    end = stops[stops["criterion"] == BUDGET_END]
    return {
        "criterion": name,
        "cells": len(rows),
        "never": int((~rows["stopped"].astype(bool)).sum()),
        "budget": budget,
        "regret_column": regret,
        "budget_regret": float(end[regret].mean()) if len(end) else float("nan"),
        **{
            key: mean_ci(rows[column].to_numpy(dtype=float))
            for key, column in (("labels", "labels"), ("lost", "lost_vs_end"), ("regret", regret))
        },
    }


def criteria_table(summary: pd.DataFrame, model: str, protocol: str) -> pd.DataFrame:
    """Return `model`'s criteria under `protocol` from a `stopping.csv` table: data sets (rows)
    x criteria (columns), each cell the mean regret (first cost pair) over strategies and
    seeds; without the reference stops, and keeping only the criteria that apply on every data
    set (`delta_f` is binary only): what criteria are ranked on."""
    regret = next((c for c in summary.columns if c.startswith("regret_")), None)
    mine = summary[(summary["model"] == model) & (summary["protocol"] == protocol)]
    mine = mine[~mine["criterion"].str.startswith(REFERENCES)]
    if regret is None or mine.empty:
        return pd.DataFrame()
    table = mine.groupby(["dataset", "criterion"])[regret].mean().unstack("criterion")
    return table.dropna(axis="columns")


def criteria_ranks(summary: pd.DataFrame) -> pd.DataFrame:
    """Return every criterion's mean rank across data sets per model x protocol (by mean
    regret, 1 = least, ties sharing the average rank), with the Friedman p-value (at least 3
    criteria and 2 data sets; else NaN)."""
    records = []
    columns = ["model", "protocol", "criterion", "mean_rank", "n_datasets", "friedman_p"]
    if summary.empty:
        return pd.DataFrame(columns=columns)
    pairs = summary[["model", "protocol"]].drop_duplicates().sort_values(["model", "protocol"])
    for model, protocol in pairs.itertuples(index=False):
        table = criteria_table(summary, model, protocol)
        if table.empty:
            continue
        ranks = mean_ranks(table, higher_is_better=False)
        p_value = friedman_p(table)
        for name in table.columns:
            values = (model, protocol, name, float(ranks[name]), len(table), p_value)
            records.append(dict(zip(columns, values, strict=True)))
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.sort_values(["model", "protocol", "mean_rank"], kind="stable")


def combine_stopping(parts: dict[str, Sequence[str | Path]], tables: dict[str, str | Path]) -> None:
    """Join each data set's `stops` and `stopping` tables (`parts`) into the overall ones
    (`tables`), and write the criteria's ranks across data sets (`stopping_ranks`,
    `criteria_ranks`)."""
    from albench.analysis.summary import concatenate

    concatenate(parts, {name: tables[name] for name in parts})
    summary = pd.read_csv(tables["stopping"])
    write_text(tables["stopping_ranks"], criteria_ranks(summary).to_csv(index=False))
