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
from albench.tables import COMPARED

WIDTH = 80  # a terminal's columns
WHERE = (
    "Figures: results/figures/ · tables: results/summary/\n"
    "The HTML report: snakemake --report results/report.html"
)


def verdict_text(comparison, savings, spec: VerdictSpec, where: str = WHERE, at_budget=None) -> str:
    """Return the verdict of `comparison` (and `savings`, and `at_budget`: the comparisons at
    the config's budgets), data frames of the overall tables, ending with `where` (where the
    figures and tables are)."""
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
    budgets = _budget_rows(at_budget, metric)
    if not budgets.empty:
        intro += (
            f" At N labels: {metric} minus {baseline}'s at the first iteration with at least N "
            "labels, the same test."
        )
    lines = [f"albench verdict: does any strategy beat {baseline}?", *textwrap.wrap(intro, WIDTH)]
    if (compared[f"{metric}_verdict"] == TOO_FEW_SEEDS).any():
        lines += textwrap.wrap(
            f"With {seeds} seeds no comparison can be significant ({seeds_needed(n_strategies)} "
            "are needed): the differences are estimates, not verdicts.",
            WIDTH,
        )
    saved = savings.set_index([*COMPARED, "strategy"])
    order = {name: i for i, name in enumerate(spec.strategies)}
    width = max(len(name) for name in spec.strategies)
    several = compared["protocol"].nunique() > 1
    for (dataset, model, protocol), rows in compared.groupby(COMPARED, sort=True):
        lines.append(f"{dataset} × {model}" + (f" × {protocol}:" if several else ":"))
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
        lines += _budget_lines(budgets, (dataset, model, protocol), order)
    lines.append(where)
    return "\n".join(lines) + "\n"


def _budget_rows(at_budget, metric: str):
    """The rows of the comparisons at budgets of `metric` (an empty frame without any)."""
    import pandas as pd

    if at_budget is None or at_budget.empty:
        return pd.DataFrame(columns=[*COMPARED, "strategy", "budget", "metric"])
    return at_budget[at_budget["metric"] == metric]


def _budget_lines(budgets, key: tuple[str, str, str], order: dict[str, int]) -> list[str]:
    """One wrapped line per budget of data set x model x protocol `key`: the strategies better
    and worse with their difference and CI, then the others by name (with the estimate where
    too few seeds leave nothing else)."""
    lines = []
    mine = budgets
    for column, value in zip(COMPARED, key, strict=True):
        mine = mine[mine[column] == value]
    for budget, rows in mine.groupby("budget", sort=True):
        rows = rows.sort_values("strategy", key=lambda names: names.map(order))
        parts = []
        for kind in ("better", "worse"):
            found = rows[rows["verdict"] == kind]
            if not found.empty:
                parts.append(f"{kind} " + ", ".join(
                    f"{r['strategy']}\xa0{r['diff']:+.3f}\xa0[{r['diff_ci_low']:+.3f},"
                    f"\xa0{r['diff_ci_high']:+.3f}]" for _, r in found.iterrows()))  # fmt: skip
        for kind in ("no significant difference", TOO_FEW_SEEDS):
            found = rows[rows["verdict"] == kind]
            if not found.empty:
                parts.append(f"{kind}: " + ", ".join(
                    r["strategy"] + (f"\xa0{r['diff']:+.3f}" if kind == TOO_FEW_SEEDS else "")
                    for _, r in found.iterrows()))  # fmt: skip
        wrapped = textwrap.wrap(f"at {budget} labels: " + "; ".join(parts), WIDTH,
                                initial_indent="  ", subsequent_indent="    ")  # fmt: skip
        lines += [line.replace("\xa0", " ") for line in wrapped]
    return lines


def _difference(row, metric: str) -> str:
    return (
        f"{row[f'{metric}_diff']:+.3f} "
        f"[{row[f'{metric}_diff_ci_low']:+.3f}, {row[f'{metric}_diff_ci_high']:+.3f}]"
    )


def _saving(saved, row, share: str) -> str:
    """`, labels saved M [L, H]` of the strategy in `row`; empty where unknown."""
    key = (*(row[column] for column in COMPARED), row["strategy"])
    if key not in saved.index:
        return ""
    mean, low, high = (saved.loc[key, f"saved_{share}_{part}"]
                       for part in ("vs_baseline", "ci_low", "ci_high"))  # fmt: skip
    if mean != mean:  # NaN where the full-pool model could not be fitted
        return ""
    return f"  labels saved {mean:+.0f} [{low:+.0f}, {high:+.0f}]"


def write_verdict(
    comparison: Path, savings: Path, at_budget: Path, verdict: Path, spec: VerdictSpec
) -> str:
    """Write the verdict of the overall tables `comparison`, `savings` and `at_budget` to
    `verdict`; return it. An incomplete run's verdict beside it (`INCOMPLETE_NAME`) no longer
    holds: removed."""
    import pandas as pd

    text = verdict_text(
        pd.read_csv(comparison), pd.read_csv(savings), spec, at_budget=pd.read_csv(at_budget)
    )
    write_text(verdict, text)
    Path(verdict).with_name(INCOMPLETE_NAME).unlink(missing_ok=True)
    return text


# Where a run that failed leaves the verdict of what it finished, beside the verdict file.
INCOMPLETE_NAME = "verdict_incomplete.txt"
# Snakemake builds a report only of a complete run (every output it marks must exist).
INCOMPLETE_WHERE = (
    "Figures and tables of the data sets that finished: results/figures/,\n"
    "results/summary/datasets/. The HTML report needs a complete run."
)


def up_to_date(path: Path, inputs: list[Path], cell_config: str | None = None) -> bool:
    """Return whether `path` exists, is newer than every existing input and, for a cell's
    curve, was made for `cell_config` (the config its metadata records): what Snakemake would
    not rerun, judged from the files alone."""
    if not path.exists():
        return False
    mtime = path.stat().st_mtime
    if any(p.exists() and p.stat().st_mtime > mtime for p in inputs):
        return False
    if cell_config is None:
        return True
    from albench.parquet import read_metadata

    return read_metadata(path).get("cell") == cell_config


def incomplete_verdict_text(
    config: dict,
    paths: dict[str, str],
    spec: VerdictSpec,
    keep_going: bool = True,
    since: float | None = None,
) -> str | None:
    """Return the verdict of a run that failed: which cells have no up-to-date curve, then the
    verdict of every data set x model whose cells all have one (the same text and numbers its
    complete run would give them: each comparison involves only its own data set x model).

    `paths` holds the path patterns of the `curve`, `data`, `split`, `reference` (full-pool
    scores) and cell `log` files; `keep_going`: whether the run went on after a failure. With
    `since` (a time), None unless a cell's curve was written since then: a run that failed
    before finishing any cell (bad data, say) has nothing new to say, and writes nothing.
    """
    import pandas as pd

    from albench.curves import read_curves
    from albench.grid import cell_spec, cells, protocol_names, seed_list
    from albench.summary import comparisons

    several = len(protocol_names(config)) > 1

    def name(key: tuple[str, str, str]) -> str:
        return " × ".join(key if several else key[:2])

    groups: dict[tuple[str, str, str], dict[str, list]] = {}
    for cell in cells(config):
        fill = {key: cell[key] for key in ("dataset", "model", "protocol", "strategy", "seed")}
        curve = Path(paths["curve"].format(**fill))
        inputs = [Path(paths[kind].format(**fill)) for kind in ("data", "split")]
        made_for = cell_spec(config, **fill).config_json()
        key = (cell["dataset"], cell["model"], cell["protocol"])
        group = groups.setdefault(key, {"done": [], "missing": []})
        group["done" if up_to_date(curve, inputs, made_for) else "missing"].append(curve)
    if since is not None and not any(
        curve.stat().st_mtime >= since for group in groups.values() for curve in group["done"]
    ):
        return None
    complete = [key for key, group in groups.items() if not group["missing"]]
    n_missing = sum(len(group["missing"]) for group in groups.values())
    n_cells = n_missing + sum(len(group["done"]) for group in groups.values())
    pairs = "data set × model × protocol groups" if several else "data set × model pairs"
    lines = textwrap.wrap(
        f"albench: the run did not finish. {n_missing} of {n_cells} cells have no up-to-date "
        "curve (they failed, or did not run after a failure; the errors are printed above, "
        f"the cells' logs are under {Path(*Path(paths['log']).parts[:2])}/):",
        WIDTH,
    )
    for key, group in groups.items():
        if group["missing"]:
            lines.append(
                f"  {name(key)}: {len(group['missing'])} of "
                f"{len(group['missing']) + len(group['done'])} cells"
            )
    if not complete:
        lines.append(f"No {pairs.rsplit(' ', 1)[0]} has all its cells: there is no verdict yet.")
        return "\n".join(lines) + "\n"
    lines += textwrap.wrap(
        f"The verdict below covers the {len(complete)} of {len(groups)} {pairs} "
        "whose cells all finished"
        + ("." if keep_going else "; `--keep-going` runs every cell that can run."),
        WIDTH,
    )
    # Label savings where the full-pool reference of every seed is up to date too.
    references, unknown = [], []
    for dataset, model, protocol in complete:
        fills = [{"dataset": dataset, "model": model, "protocol": protocol, "seed": seed}
                 for seed in seed_list(config)]  # fmt: skip
        files = [Path(paths["reference"].format(**fill)) for fill in fills]
        inputs = [[Path(paths[kind].format(**fill)) for kind in ("data", "split")]
                  for fill in fills]  # fmt: skip
        if all(up_to_date(f, i) for f, i in zip(files, inputs, strict=True)):
            references += files
        else:
            unknown.append(name((dataset, model, protocol)))
    if unknown:
        lines += textwrap.wrap(
            f"No labels saved for {', '.join(unknown)}: its full-pool reference did not finish.",
            WIDTH,
        )
    # The groups without references have no savings (label_savings joins on them).
    tables = comparisons(
        read_curves([path for key in complete for path in groups[key]["done"]]),
        read_curves(references) if references else None,
        spec.baseline,
        config.get("budgets", []),
    )
    savings = tables.get("label_savings", pd.DataFrame(columns=[*COMPARED, "strategy", "metric"]))
    verdict = verdict_text(
        tables["comparison"], savings, spec, INCOMPLETE_WHERE, tables["comparison_at_budget"]
    )
    return "\n".join(lines) + "\n\n" + verdict


def show_incomplete(
    config: dict, paths: dict[str, str], spec: VerdictSpec, verdict: str, keep_going: bool
) -> None:
    """Print the verdict of a run that failed after finishing cells, and write it beside the
    `verdict` file.

    Called when a run fails (the Snakefile's `onerror`): a fault here is reported in one line,
    never raised, so that it cannot hide the failure that ended the run.
    """
    try:
        text = incomplete_verdict_text(config, paths, spec, keep_going, since=_STARTED)
        if text is None:
            return
        write_text(Path(verdict).with_name(INCOMPLETE_NAME), text)
    except Exception as error:  # noqa: BLE001
        print(f"albench: no verdict of the finished cells ({type(error).__name__}: {error})")
        return
    print("\n" + text + f"(kept in {Path(verdict).with_name(INCOMPLETE_NAME)})", flush=True)


# When this module was imported: in the Snakemake process, when the run began.
_STARTED = time.time()


def show(verdict: str | Path) -> None:
    """Print the verdict file `verdict` if this run wrote it (at the end of a successful run):
    a run of other targets leaves an older verdict unprinted, as it may no longer hold."""
    path = Path(verdict)
    if path.exists() and path.stat().st_mtime >= _STARTED:
        print("\n" + path.read_text(), end="", flush=True)
