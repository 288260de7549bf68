"""Aggregation of all cells' curves into the benchmark's summary tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads

from albench.analysis.agreement import ranking_agreement
from albench.analysis.budgets import comparison_at_budget
from albench.analysis.compare import Margins, compare_with_baseline
from albench.analysis.equivalence import ERROR_SHARE, margin_of
from albench.analysis.notices import warnings_table
from albench.analysis.power import ALPHA
from albench.analysis.savings import label_savings
from albench.analysis.stability import (
    COLUMNS,
    DEFAULT_DRAWS,
    DEFAULT_SIZES,
    stability_columns,
    stability_table,
)
from albench.analysis.stats import aubc, friedman_p, mean_ci, mean_ranks
from albench.analysis.tables import COMPARED
from albench.directions import higher_is_better
from albench.io.curves import ID_COLUMNS, metric_columns, read_curves
from albench.io.files import atomic_path
from albench.io.parquet import write_table
from albench.specs import SummarySpec

GROUP = [*COMPARED, "strategy"]


def aubc_table(curves: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Return one row per cell with the AUBC of each metric."""
    records = []
    for key, cell in curves.groupby(list(ID_COLUMNS), sort=True):
        record = dict(zip(ID_COLUMNS, key, strict=True))
        for metric in metrics:
            record[f"aubc_{metric}"] = aubc(cell["n_labeled"].to_numpy(), cell[metric].to_numpy())
        last = cell.loc[cell["iteration"].idxmax()]
        for metric in metrics:
            record[f"final_{metric}"] = float(last[metric])
        record["final_n_labeled"] = int(last["n_labeled"])
        # Iterations scored with scikit-activeml's label-frequency fallback, not a fitted model.
        record["fallback_iterations"] = int(cell["fallback_model"].sum())
        records.append(record)
    return pd.DataFrame.from_records(records)


def aubc_summary(aubcs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Return, per data set x model x strategy, the mean AUBC of each metric with its 95 % CI."""
    records = []
    for key, group in aubcs.groupby(GROUP, sort=True):
        record = dict(zip(GROUP, key, strict=True))
        record["n_seeds"] = len(group)
        record["fallback_iterations"] = int(group["fallback_iterations"].sum())
        for metric in metrics:
            mean, low, high = mean_ci(group[f"aubc_{metric}"].to_numpy())
            record[f"aubc_{metric}_mean"] = mean
            record[f"aubc_{metric}_ci_low"] = low
            record[f"aubc_{metric}_ci_high"] = high
        records.append(record)
    return pd.DataFrame.from_records(records)


def comparison_table(
    aubcs: pd.DataFrame,
    metrics: Sequence[str],
    baseline: str,
    alpha: float = ALPHA,
    margins: Mapping[str, Margins] | None = None,
) -> pd.DataFrame:
    """Return, per data set x model x protocol x strategy, the paired comparison with the
    baseline.

    For each metric: mean AUBC, mean final score, mean AUBC difference to the baseline with its
    95 % CI (paired by seed), the Wilcoxon signed-rank p-value, the Holm-adjusted p-value over
    the strategies of one data set x model x protocol, the smallest Holm-adjusted p-value any
    data could have given with that many pairs and strategies, the equivalence margin and the
    equivalence test's Holm-adjusted p-value (`albench.analysis.equivalence`; `margins` per
    metric: one number, or one per data set x model x protocol; None: the defaults of scores,
    `equivalence_margins`), a verdict (`better`, `worse`,
    `equivalent`, `undecided`, or `too few seeds to tell` where that smallest p is not below
    `alpha`) and, for an undecided one, the seeds that would likely decide it and which way
    (`difference` or `equivalence`). Only seeds the baseline also has are paired.
    """
    if margins is None:
        margins = equivalence_margins(metrics, None, None)
    decisions = {
        metric: compare_with_baseline(
            aubcs,
            f"aubc_{metric}",
            baseline,
            COMPARED,
            alpha,
            higher_is_better(metric),
            (margins or {}).get(metric),
        )
        for metric in metrics
    }
    records = []
    for key, group in aubcs.groupby(COMPARED, sort=True):
        rows = {
            strategy: {**dict(zip(COMPARED, key, strict=True)), "strategy": strategy}
            for strategy in sorted(group["strategy"].unique())
        }
        for metric in metrics:
            column = f"aubc_{metric}"
            decided = decisions[metric].get(key, {})
            for strategy, cells in group.groupby("strategy", sort=True):
                row = rows[strategy]
                row["n_seeds"] = len(cells)
                row[f"{column}_mean"] = float(cells[column].mean())
                row[f"final_{metric}_mean"] = float(cells[f"final_{metric}"].mean())
                if strategy in decided:
                    test = decided[strategy].test
                    row[f"{metric}_n_pairs"] = test.n
                    row[f"{metric}_diff"] = test.mean_difference
                    row[f"{metric}_diff_ci_low"] = test.ci_low
                    row[f"{metric}_diff_ci_high"] = test.ci_high
                    row[f"{metric}_p_wilcoxon"] = test.p_value
            for strategy, decision in decided.items():
                row = rows[strategy]
                row[f"{metric}_p_holm"] = decision.p_holm
                row[f"{metric}_smallest_p_holm"] = decision.smallest_p_holm
                row[f"{metric}_margin"] = decision.margin
                row[f"{metric}_p_equivalence_holm"] = decision.p_equivalence_holm
                row[f"{metric}_verdict"] = decision.verdict
                seeds = decision.seeds
                row[f"{metric}_seeds_to_decide"] = (
                    float(seeds.fewest) if seeds and seeds.fewest else float("nan")
                )
                row[f"{metric}_seeds_would_show"] = seeds.by if seeds else None
            if baseline in rows:
                rows[baseline][f"{metric}_verdict"] = "baseline"
        records.extend(rows.values())
    return pd.DataFrame.from_records(records)


def strategy_table(
    aubcs: pd.DataFrame, metric: str, model: str, protocol: str | None = None
) -> pd.DataFrame:
    """Return `model`'s mean AUBC of `metric` under `protocol` (the only one if None), data
    sets (rows) x strategies (columns), keeping only data sets where every strategy has cells:
    what strategies are ranked on."""
    mine = aubcs[aubcs["model"] == model]
    if protocol is not None:
        mine = mine[mine["protocol"] == protocol]
    means = mine.groupby(["dataset", "strategy"])[f"aubc_{metric}"]
    return means.mean().unstack("strategy").dropna()


def ranks_table(aubcs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return every strategy's mean rank across data sets per model x protocol, with the
    Friedman p-value.

    Strategies are ranked within each data set by mean AUBC of `metric` (1 = best, ties share
    the average rank). The Friedman test needs at least 3 strategies and 2 data sets; else NaN.
    """
    records = []
    pairs = aubcs[["model", "protocol"]].drop_duplicates().sort_values(["model", "protocol"])
    for model, protocol in pairs.itertuples(index=False):
        table = strategy_table(aubcs, metric, model, protocol)
        ranks = mean_ranks(table, higher_is_better(metric))
        p_value = friedman_p(table)
        for strategy in table.columns:
            records.append(
                {
                    "model": model,
                    "protocol": protocol,
                    "strategy": strategy,
                    "metric": metric,
                    "mean_rank": float(ranks[strategy]),
                    "n_datasets": len(table),
                    "friedman_p": p_value,
                }
            )
    return pd.DataFrame.from_records(records).sort_values(
        ["model", "protocol", "mean_rank"], kind="stable"
    )


def cost_table(curves: pd.DataFrame) -> pd.DataFrame:
    """Return median fit and query seconds per iteration, per data set x model x protocol x
    strategy."""
    grouped = curves.groupby(GROUP, sort=True)
    return pd.DataFrame(
        {
            "median_fit_seconds": grouped["fit_seconds"].median(),
            "median_query_seconds": grouped["query_seconds"].median(),
            "median_score_seconds": grouped["score_seconds"].median(),
        }
    ).reset_index()


def summarise(
    cells: Sequence[str | Path],
    references: Sequence[str | Path],
    tables: Mapping[str, str | Path],
    spec: SummarySpec,
    data: str | Path | None = None,
) -> pd.DataFrame:
    """Write the summary tables of the cells whose curves are at `cells`; return their AUBCs.

    `tables` maps each of DATASET_TABLES to its path: `curves` (all curves, Parquet), `aubc`
    (per cell), `aubc_summary` (mean AUBC with CI per strategy), `comparison` (paired tests
    against the spec's `baseline`), `cost`, `label_savings` (against the full-pool scores at
    `references`) and `comparison_at_budget` (the comparisons at each of the spec's
    `budgets`), and `warnings` (what the jobs that made the prepared data set `data`, the
    cells and the references warned of, `albench.analysis.notices`). The workflow calls this
    once per data set, so a data set's tables are ready as soon as its own cells are, and
    `combine` joins them.
    """
    curves = read_curves(cells)
    curves = curves.sort_values([*ID_COLUMNS, "iteration"], kind="stable", ignore_index=True)
    metrics = metric_columns(curves.columns)
    write_table(pa.Table.from_pandas(curves, preserve_index=False), tables["curves"])
    full_pool = read_curves(references) if references else None
    compared = comparisons(curves, full_pool, spec)
    aubcs = compared["aubc"]
    _write_csv(aubc_summary(aubcs, metrics), tables["aubc_summary"])
    _write_csv(cost_table(curves), tables["cost"])
    for name, frame in compared.items():
        _write_csv(frame, tables[name])
    dataset = str(curves["dataset"].iloc[0])
    _write_csv(warnings_table(dataset, data, cells, references), tables["warnings"])
    return aubcs


def comparisons(
    curves: pd.DataFrame, references: pd.DataFrame | None, spec: SummarySpec
) -> dict[str, pd.DataFrame]:
    """Return the tables the verdict rests on, from `curves` (and the full-pool scores
    `references`): `aubc`, `comparison`, `comparison_at_budget` and, with references,
    `label_savings` (of the data set x model x protocol groups those cover; metric: accuracy
    where recorded, else the first), as `spec` says (`albench.specs.SummarySpec`: the config's
    baseline, budgets and margins). Equivalence margins: the config's `equivalence_margin`,
    else the defaults of `albench.analysis.equivalence.margin_of` (an error's from the
    full-pool scores)."""
    metrics = metric_columns(curves.columns)
    baseline = spec.baseline
    aubcs = aubc_table(curves, metrics)
    margins = equivalence_margins(metrics, spec.equivalence_margin, references)
    comparison = comparison_table(aubcs, metrics, baseline, margins=margins)
    stability = verdict_stability(aubcs, comparison, baseline, margins, spec.stability or {})
    tables = {
        "aubc": aubcs,
        "comparison": comparison,
        "stability": stability,
        "comparison_at_budget": comparison_at_budget(
            curves, metrics, baseline, spec.budgets, margins=margins
        ),
    }
    if references is not None:
        metric = "accuracy" if "accuracy" in metrics else metrics[0]
        tables["label_savings"] = label_savings(curves, references, baseline, metric)
    return tables


def verdict_stability(
    aubcs: pd.DataFrame,
    comparison: pd.DataFrame,
    baseline: str,
    margins: Mapping[str, Margins],
    settings: Mapping[str, Any],
) -> pd.DataFrame:
    """Return the stability of each data set's verdicts on its verdict's metric (the first of
    its task's), re-decided on subsets of the seeds (`albench.analysis.stability`; `settings`:
    the config's `stability`, subset sizes `seeds` and `draws`), and add its columns to
    `comparison` in place."""
    metrics = [c.removeprefix("aubc_") for c in aubcs.columns if c.startswith("aubc_")]
    sizes = settings.get("seeds", DEFAULT_SIZES)
    draws = settings.get("draws", DEFAULT_DRAWS)
    parts = []
    for metric in primary_metrics(aubcs, metrics):
        judged = aubcs[aubcs[f"aubc_{metric}"].notna()]
        table = stability_table(
            judged,
            comparison,
            metric,
            baseline,
            higher_is_better(metric),
            margins.get(metric),
            sizes,
            draws,
        )
        added = stability_columns(comparison, table)
        for column in added.columns.difference(comparison.columns):
            comparison[column] = added[column]
        parts.append(table)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def equivalence_margins(
    metrics: Sequence[str],
    configured: float | Mapping[str, float] | None,
    references: pd.DataFrame | None,
) -> dict[str, Margins]:
    """Return each metric's equivalence margin: the configured one (a number: every metric
    where higher is better; a mapping: per metric), else the default (`margin_of`): one number
    for a score, and for an error ERROR_SHARE of the mean full-pool error of each data set x
    model x protocol (none without references: no equivalence can be shown)."""
    by_metric = {}
    if isinstance(configured, Mapping):
        by_metric = dict(configured)
    elif configured is not None:
        by_metric = {m: float(configured) for m in metrics if higher_is_better(m)}
    margins: dict[str, Margins] = {}
    for metric in metrics:
        if metric in by_metric or higher_is_better(metric):
            margins[metric] = margin_of(metric, by_metric)
        elif references is not None and metric in references:
            means = references.groupby(list(COMPARED))[metric].mean()
            margins[metric] = {key: ERROR_SHARE * value for key, value in means.items()}
    return margins


def combine(parts: Mapping[str, Sequence[str | Path]], tables: Mapping[str, str | Path]) -> None:
    """Join the per-data-set summaries into the overall tables.

    For every table X of DATASET_TABLES, `parts[X]` lists that table of each data set (in data
    set order) and `tables[X]` is where their concatenation goes; `ranks` (strategies ranked
    across data sets, Friedman test) is computed from the joined AUBCs, and
    `protocol_agreement` (Kendall's tau-b between the protocols' rankings, `agreement`)
    from the joined comparisons.
    """
    write_table(_joined_tables(parts["curves"]), tables["curves"])
    joined = {
        name: pd.concat([_read_csv(p) for p in parts[name]], ignore_index=True)
        for name in parts
        if name != "curves"
    }
    for name, frame in joined.items():
        _write_csv(frame, tables[name])
    aubcs, comparison = joined["aubc"], joined["comparison"]
    metrics = [column.removeprefix("aubc_") for column in aubcs if column.startswith("aubc_")]
    ranks, agreement = [], []
    for metric in primary_metrics(aubcs, metrics):
        # Each data set is ranked on the first metric of its task.
        ranks.append(ranks_table(aubcs[aubcs[f"aubc_{metric}"].notna()], metric))
        judged = comparison[comparison[f"aubc_{metric}_mean"].notna()]
        agreement.append(ranking_agreement(judged, metric))
    _write_csv(pd.concat(ranks, ignore_index=True), tables["ranks"])
    _write_csv(pd.concat(agreement, ignore_index=True), tables["protocol_agreement"])


def concatenate(
    parts: Mapping[str, Sequence[str | Path]], tables: Mapping[str, str | Path]
) -> None:
    """Write each CSV table X of `tables` as the rows of its per-data-set `parts[X]`, in
    order."""
    for name, path in tables.items():
        _write_csv(pd.concat([_read_csv(p) for p in parts[name]], ignore_index=True), path)


def primary_metrics(aubcs: pd.DataFrame, metrics: Sequence[str]) -> list[str]:
    """Return the metric each data set is ranked on: the first of its task's (the first of
    `metrics` it has values of), once each in `metrics` order (one for a config of one task)."""
    first = aubcs[[f"aubc_{m}" for m in metrics]].notna().to_numpy().argmax(axis=1)
    return [metrics[i] for i in sorted(set(first.tolist()))]


def _joined_tables(paths: Sequence[str | Path]) -> pa.Table:
    """Return the Parquet tables at `paths` as one, columns unified: the curves of a config
    of both tasks record different metrics (the missing ones are null)."""
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(p) for p in paths]
    if all(schema.names == schemas[0].names for schema in schemas):
        return pads.dataset([str(p) for p in paths], format="parquet").to_table()
    schema = pa.unify_schemas([schema.remove_metadata() for schema in schemas])
    return pads.dataset([str(p) for p in paths], schema=schema, format="parquet").to_table()


def _read_csv(path: str | Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:  # a table with no rows and no columns
        return pd.DataFrame()


def _write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
