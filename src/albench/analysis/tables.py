"""The summary tables' names and files: one source of truth for `albench.analysis.summary` and the
workflow's rules (imported when Snakemake parses the Snakefile, so it imports nothing heavy)."""

from __future__ import annotations

from collections.abc import Sequence

# The tables of one data set's cells (`summarise`), and of all data sets (`combine`).
# The blind pick picks each data set's strategy from the others' results: at least two others.
BLIND_PICK_MIN_DATASETS = 3
DATASET_TABLES = (
    "curves",
    "aubc",
    "aubc_summary",
    "comparison",
    "comparison_at_budget",
    "cost",
    "label_savings",
    "warnings",
    "stability",
)
# The tables of one data set's stopping criteria (`albench.analysis.stops`), beside its others.
STOPPING_TABLES = ("stops", "stopping")
OVERALL_TABLES = (
    *DATASET_TABLES,
    *STOPPING_TABLES,
    "stopping_ranks",
    "ranks",
    "protocol_agreement",
)
# What one comparison with the baseline (one Holm correction, one label saving) covers.
COMPARED = ["dataset", "model", "protocol"]
PARTS = "_parts"  # `combine` reads table X of every data set from its input X_parts


def summary_files(directory: str, tables: Sequence[str] = DATASET_TABLES) -> dict[str, str]:
    """Return {table: path} of the summary `tables` in `directory` (curves are Parquet)."""
    return {
        name: f"{directory}/{name}.{'parquet' if name == 'curves' else 'csv'}" for name in tables
    }
