"""The answer in words: which strategies beat or lost to the baseline, by how much, and the
labels they save, as a short text printed at the end of a run and kept in `results/`.

Built from the overall `comparison.csv` and `label_savings.csv`, nothing else, so the text
says exactly what the tables say. This module imports nothing heavy at its top (the Snakefile
prints the text with `show`).
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from albench.files import write_text
from albench.power import ALPHA, TOO_FEW_SEEDS, seeds_needed
from albench.specs import VerdictSpec

WIDTH = 80  # a terminal's columns
WHERE = (
    "Figures: results/figures/ · tables: results/summary/\n"
    "The HTML report: snakemake --report results/report.html"
)


def verdict_text(comparison, savings, spec: VerdictSpec) -> str:
    """Return the verdict of `comparison` (and `savings`), data frames of the overall tables."""
    metric, baseline, share = spec.metric, spec.baseline, f"{spec.threshold:g}"
    compared = comparison[comparison["strategy"] != baseline]
    n_strategies = compared["strategy"].nunique()
    low, high = (int(compared[f"{metric}_n_pairs"].agg(f)) for f in ("min", "max"))
    seeds = f"{low}" if low == high else f"{low} to {high}"
    savings_metric = savings["metric"].iloc[0] if len(savings) else metric
    plural = "strategy" if n_strategies == 1 else "strategies"
    intro = (
        f"AUBC (area under the learning curve) of {metric} minus {baseline}'s over {seeds} "
        f"paired seeds, mean [95 % CI]; better or worse: two-sided Wilcoxon signed-rank test, "
        f"Holm over {n_strategies} {plural}, alpha {ALPHA}. Labels saved to reach "
        f"{spec.threshold * 100:g} % of the full-pool {savings_metric}: {baseline}'s minus the "
        "strategy's, paired, mean [95 % CI]."
    )
    lines = [f"albench verdict: does any strategy beat {baseline}?", *textwrap.wrap(intro, WIDTH)]
    if (compared[f"{metric}_verdict"] == TOO_FEW_SEEDS).any():
        lines += textwrap.wrap(
            f"With {seeds} seeds no comparison can be significant ({seeds_needed(n_strategies)} "
            "are needed): the differences are estimates, not verdicts.",
            WIDTH,
        )
    saved = savings.set_index(["dataset", "model", "strategy"])
    order = {name: i for i, name in enumerate(spec.strategies)}
    width = max(len(name) for name in spec.strategies)
    for (dataset, model), rows in compared.groupby(["dataset", "model"], sort=True):
        lines.append(f"{dataset} × {model}:")
        rows = rows.sort_values("strategy", key=lambda names: names.map(order))
        for kind in ("better", "worse"):
            for _, row in rows[rows[f"{metric}_verdict"] == kind].iterrows():
                lines.append(f"  {kind:6s} {row['strategy']:{width}s} {_difference(row, metric)}"
                             f"{_saving(saved, row, share)}")  # fmt: skip
        for kind in ("no significant difference", TOO_FEW_SEEDS):
            rest = rows[rows[f"{metric}_verdict"] == kind]
            if not rest.empty:
                # Without a verdict only the estimates say anything: give them. A no-break
                # space keeps each name with its value when the line wraps.
                names = ", ".join(r["strategy"] + (f"\xa0{r[f'{metric}_diff']:+.3f}"
                                                   if kind == TOO_FEW_SEEDS else "")
                                  for _, r in rest.iterrows())  # fmt: skip
                wrapped = textwrap.wrap(f"{kind}: {names}", WIDTH, initial_indent="  ",
                                        subsequent_indent="    ")  # fmt: skip
                lines += [line.replace("\xa0", " ") for line in wrapped]
    lines.append(WHERE)
    return "\n".join(lines) + "\n"


def _difference(row, metric: str) -> str:
    return (
        f"{row[f'{metric}_diff']:+.3f} "
        f"[{row[f'{metric}_diff_ci_low']:+.3f}, {row[f'{metric}_diff_ci_high']:+.3f}]"
    )


def _saving(saved, row, share: str) -> str:
    """`, labels saved M [L, H]` of the strategy in `row`; empty where unknown."""
    key = (row["dataset"], row["model"], row["strategy"])
    if key not in saved.index:
        return ""
    mean, low, high = (saved.loc[key, f"saved_{share}_{part}"]
                       for part in ("vs_baseline", "ci_low", "ci_high"))  # fmt: skip
    if mean != mean:  # NaN where the full-pool model could not be fitted
        return ""
    return f"  labels saved {mean:+.0f} [{low:+.0f}, {high:+.0f}]"


def write_verdict(comparison: Path, savings: Path, verdict: Path, spec: VerdictSpec) -> str:
    """Write the verdict of the overall tables `comparison` and `savings` to `verdict`; return
    it."""
    import pandas as pd

    text = verdict_text(pd.read_csv(comparison), pd.read_csv(savings), spec)
    write_text(verdict, text)
    return text


# When this module was imported: in the Snakemake process, when the run began.
_STARTED = time.time()


def show(verdict: str | Path) -> None:
    """Print the verdict file `verdict` if this run wrote it (at the end of a successful run):
    a run of other targets leaves an older verdict unprinted, as it may no longer hold."""
    path = Path(verdict)
    if path.exists() and path.stat().st_mtime >= _STARTED:
        print("\n" + path.read_text(), end="", flush=True)
