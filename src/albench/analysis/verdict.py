"""The answer in words: which strategies beat or lost to the baseline, by how much, and the
labels they save, as a short text printed at the end of a run and kept in `results/`.

Built from the overall `comparison.csv` and `label_savings.csv`, nothing else, so the text
says exactly what the tables say. This module imports nothing heavy at its top (the Snakefile
prints the text with `show`).
"""

from __future__ import annotations

import shlex
import textwrap
import time
from pathlib import Path

from albench.analysis.power import ALPHA, EQUIVALENT, TOO_FEW_SEEDS, UNDECIDED, seeds_needed
from albench.analysis.tables import COMPARED
from albench.directions import higher_is_better
from albench.io.files import write_text
from albench.specs import VerdictSpec

WIDTH = 80  # a terminal's columns
WHERE = "Figures: {results}/figures/ · tables: {results}/summary/"
REPORT = "report.html"  # in the results folder
CONFIG_LINE = "Config: "  # the verdict's line that says which config it is of


# Beyond this many seeds, an undecided comparison is reported as no practical difference: a
# design that needs more is not one anyone runs, and a difference that small does not matter.
MANY_SEEDS = 200


def verdict_text(
    comparison,
    savings,
    spec: VerdictSpec,
    where: str = WHERE,
    at_budget=None,
    warnings=None,
    stops=None,
    blind=None,
) -> str:
    """Return the verdict of `comparison` (and `savings`, and `at_budget`: the comparisons at
    the config's budgets, and `warnings`: what the jobs warned of, and `blind`: the blind
    pick's summary, whose lines come first), data frames of the overall tables, ending with
    the config it is of (`spec.config_files`, `spec.config_fingerprint`) and `where` (where
    the figures and tables are, in `spec.results`). Each data set is judged on its task's
    metric: `spec.metric`, or `spec.regression_metric` for the regression data sets of a
    config of both tasks."""
    baseline, share = spec.baseline, f"{spec.threshold:g}"
    compared = comparison[comparison["strategy"] != baseline]
    groups = [
        (key, rows, _metric_of(rows, spec)) for key, rows in compared.groupby(COMPARED, sort=True)
    ]
    metrics = list(dict.fromkeys(metric for _, _, metric in groups)) or [spec.metric]
    family = sorted({len(rows) for _, rows, _ in groups}) or [compared["strategy"].nunique()]
    pairs = _concat([rows[f"{metric}_n_pairs"] for _, rows, metric in groups])
    low, high = (int(pairs.agg(f)) for f in ("min", "max"))
    seeds = f"{low}" if low == high else f"{low} to {high}"
    savings_metrics = list(dict.fromkeys(savings["metric"])) if len(savings) else metrics
    # Holm corrects over the strategies compared on each data set x model (x protocol).
    if len(family) == 1:
        holm = f"Holm over {family[0]} {'strategy' if family[0] == 1 else 'strategies'}"
    else:
        holm = (
            f"Holm over the {family[0]} to {family[-1]} strategies compared on each data set "
            "× model"
        )
    intro = (
        f"AUBC (area under the learning curve) of {_listed(metrics)} minus {baseline}'s over "
        f"{seeds} paired seeds, mean [95 % CI]; better or worse: two-sided Wilcoxon signed-rank "
        f"test, {holm}, alpha {ALPHA}. Labels saved to reach "
        f"{spec.threshold * 100:g} % of the full-pool {_listed(savings_metrics)}"
        + (
            f" (an error: 1/{spec.threshold:g} of it)"
            if not all(higher_is_better(m) for m in savings_metrics)
            else ""
        )
        + f": {baseline}'s minus the strategy's, paired, mean [95 % CI]. Equivalent: within "
        f"{_margins(groups)} of {baseline}'s AUBC by two one-sided Wilcoxon tests, Holm as "
        "above; undecided: neither shown (with the seeds that would likely tell, by a power "
        "calculation)."
    )
    falling = [m for m in metrics if not higher_is_better(m)]
    if falling:
        intro += (
            f" Lower {_listed(falling)} is better: there a better strategy's difference is "
            "negative."
        )
    budgets = {metric: _budget_rows(at_budget, metric) for metric in metrics}
    if any(not rows.empty for rows in budgets.values()):
        intro += (
            f" At N labels: {_listed(metrics)} minus {baseline}'s at the first iteration with at "
            "least N labels, the same test."
        )
    several = compared["protocol"].nunique() > 1
    lines = [
        f"albench verdict: does any strategy beat {baseline}?",
        *(_blind_lines(blind, baseline, several) if blind is not None else []),
        *summary_lines(groups, baseline),
        *textwrap.wrap(intro, WIDTH),
    ]
    if any((rows[f"{metric}_verdict"] == TOO_FEW_SEEDS).any() for _, rows, metric in groups):
        lines += textwrap.wrap(
            f"With {seeds} seeds no comparison can be significant ({seeds_needed(family[-1])} "
            "are needed): the differences are estimates, not verdicts.",
            WIDTH,
        )
    saved = savings.set_index([*COMPARED, "strategy"])
    order = {name: i for i, name in enumerate(spec.strategies)}
    width = max(len(name) for name in spec.strategies)
    for (dataset, model, protocol), rows, metric in groups:
        lines.append(f"{dataset} × {model}" + (f" × {protocol}:" if several else ":"))
        for kind, found in _by_verdict(rows, f"{metric}_verdict", order):
            if kind in DECIDED:  # one line each, with the difference and the labels saved
                for _, row in found.iterrows():
                    difference = _estimate(row, f"{metric}_diff", " ")
                    lines.append(
                        f"  {kind:6s} {row['strategy']:{width}s} {metric} AUBC {difference}"
                        f"{_saving(saved, row, share)}"
                    )
            else:
                lines += _wrapped(f"{kind}: {_names(found, kind, f'{metric}_diff')}")
        lines += _fragile_lines(rows, metric, order)
        lines += _budget_lines(budgets[metric], (dataset, model, protocol), order)
        if stops is not None and len(stops):
            lines += _stop_lines(stops, (dataset, model, protocol), metric)
    if warnings is not None and len(warnings):
        from albench.analysis.notices import warning_lines

        lines += textwrap.wrap(
            f"Warnings and notes of the jobs behind these results ({int(warnings['count'].sum())}"
            f" in all; each in {spec.results}/summary/warnings.csv, its full text in its job's "
            "log):",
            WIDTH,
        )
        for line in warning_lines(warnings):
            lines += textwrap.wrap(line, WIDTH, initial_indent="  ", subsequent_indent="    ")
    if spec.config_fingerprint:
        files = ", ".join(spec.config_files) or "the default config"
        lines.append(f"{CONFIG_LINE}{files} (fingerprint {spec.config_fingerprint})")
    lines.append(where.format(results=spec.results))
    return "\n".join(lines) + "\n"


def _metric_of(rows, spec: VerdictSpec) -> str:
    """The metric data set x model x protocol `rows` are judged on: the spec's, or its
    regression metric where the rows have no verdict of the former (a regression data set)."""
    column = f"{spec.metric}_verdict"
    if spec.regression_metric is None or (column in rows and rows[column].notna().any()):
        return spec.metric
    return spec.regression_metric


def _listed(names) -> str:
    return " / ".join(names)


def _concat(series):
    # pandas is imported here: see the module's note.
    import pandas as pd

    return pd.concat(series) if series else pd.Series([0])


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
        parts = []
        for kind, found in _by_verdict(rows, "verdict", order):
            if kind in DECIDED:
                parts.append(
                    f"{kind} "
                    + ", ".join(
                        f"{r['strategy']}\xa0{_estimate(r, 'diff', NBSP)}"
                        for _, r in found.iterrows()
                    )
                )
            else:
                parts.append(f"{kind}: {_names(found, kind, 'diff')}")
        lines += _wrapped(f"at {budget} labels: " + "; ".join(parts))
    return lines


# The verdicts in the order the text gives them; the first two with their estimates.
DECIDED = ("better", "worse")
VERDICTS = (*DECIDED, EQUIVALENT, UNDECIDED, TOO_FEW_SEEDS)
# A no-break space keeps each name with its value when a line wraps.
NBSP = "\xa0"


def _by_verdict(rows, column: str, order: dict[str, int]):
    """Yield (verdict, its rows in config order) for each verdict of VERDICTS that `rows`
    (one per strategy) give in `column`: the one loop of every part of the text."""
    rows = rows.sort_values("strategy", key=lambda names: names.map(order))
    for kind in VERDICTS:
        found = rows[rows[column] == kind]
        if not found.empty:
            yield kind, found


def _estimate(row, diff: str, space: str) -> str:
    """`+D [+L, +H]`: the difference in column `diff` with its CI."""
    return (
        f"{row[diff]:+.3f}{space}[{row[f'{diff}_ci_low']:+.3f},{space}"
        f"{row[f'{diff}_ci_high']:+.3f}]"
    )


def _names(rows, kind: str, diff: str) -> str:
    """The strategies of `rows` by name; with the estimate where too few seeds leave nothing
    else to say, and, where undecided, the seeds that would likely tell and which way."""

    def named(row) -> str:
        if kind == TOO_FEW_SEEDS:
            return f"{row['strategy']}{NBSP}{row[diff]:+.3f}"
        if kind == UNDECIDED:
            return f"{row['strategy']}{NBSP}{_to_tell(row, diff)}"
        return row["strategy"]

    return ", ".join(named(row) for _, row in rows.iterrows())


def _to_tell(row, diff: str) -> str:
    """`(~N seeds: equivalent?)`: the seeds an undecided comparison would likely need."""
    prefix = diff.removesuffix("diff")  # "accuracy_", or "" in the budgets' table
    seeds = row.get(f"{prefix}seeds_to_decide", float("nan"))
    if seeds != seeds:
        return f"({row[diff]:+.3f}; no number of seeds would likely tell)"
    if seeds > MANY_SEEDS:
        return f"(more than {MANY_SEEDS} seeds: no practical difference at this margin)"
    way = row.get(f"{prefix}seeds_would_show", None)
    guess = {"equivalence": "equivalent?", "difference": "a difference?"}.get(way, "")
    return f"(~{int(seeds)}{NBSP}seeds" + (f":{NBSP}{guess})" if guess else ")").replace(" ", NBSP)


def summary_lines(groups, baseline: str) -> list[str]:
    """The summary sentence of `groups`, wrapped; one per protocol where they are several (a
    protocol is a question of its own: does AL pay under a cold start, with a noisy oracle)."""
    protocols = list(dict.fromkeys(key[2] for key, _, _ in groups))
    if len(protocols) < 2:
        return textwrap.wrap(summary_sentence(groups, baseline), WIDTH)
    lines = []
    for protocol in protocols:
        mine = [group for group in groups if group[0][2] == protocol]
        sentence = f"Protocol {protocol}: {summary_sentence(mine, baseline)}"
        lines += textwrap.wrap(sentence, WIDTH, subsequent_indent="  ")
    return lines


def summary_sentence(groups, baseline: str) -> str:
    """The answer in one sentence, before the detail: over the data set x model (x protocol)
    groups, on how many the baseline is as good as every strategy (each equivalent or worse),
    on how many some strategy beats it, and on how many it is undecided, with the seeds that
    would likely tell."""
    beaten = good = too_few = 0
    undecided = []
    for _, rows, metric in groups:
        verdicts = rows[f"{metric}_verdict"]
        if (verdicts == "better").any():
            beaten += 1
        elif verdicts.isin([EQUIVALENT, "worse"]).all():
            good += 1
        elif (verdicts == TOO_FEW_SEEDS).any():
            too_few += 1
        else:
            needed = rows.loc[verdicts == UNDECIDED, f"{metric}_seeds_to_decide"]
            more = needed - rows.loc[verdicts == UNDECIDED, f"{metric}_n_pairs"]
            undecided.append(more.max() if len(more) and more.notna().all() else float("nan"))
    total = len(groups)
    parts = [
        f"{baseline} is as good as every strategy on {good} of {total} data set × model "
        f"{'pair' if total == 1 else 'pairs'} (within {_margins(groups)} AUBC)",
        f"some strategy beats it on {beaten}",
    ]
    if undecided:
        parts.append(f"undecided on {len(undecided)}{_more_seeds(undecided)}")
    if too_few:
        parts.append(f"too few seeds to tell on {too_few}")
    return "; ".join(parts) + "."


def _more_seeds(more: list[float]) -> str:
    known = [int(m) for m in more if m == m]
    if not known:
        return " (no number of seeds would likely tell)"
    if min(known) > MANY_SEEDS:
        return f" (more than {MANY_SEEDS} more seeds each would tell)"
    if max(known) > MANY_SEEDS:
        return _more_seeds([m for m in known if m <= MANY_SEEDS])[:-1] + (
            f"; more than {MANY_SEEDS} on the others)"
        )
    low, high = max(1, min(known)), max(1, max(known))
    span = f"about {high}" if low == high else f"{low} to {high}"
    unknown = " on some" if len(known) < len(more) else ""
    return f" (about {span[6:] if low == high else span} more seeds would tell{unknown})"


def _margins(groups) -> str:
    """The equivalence margins of `groups` in words: `±0.01`, or a range."""
    values = sorted(
        {float(v) for _, rows, metric in groups for v in rows.get(f"{metric}_margin", []) if v == v}
    )
    if not values:
        return "a margin (none known: no full-pool reference)"
    if len(values) == 1:
        return f"±{values[0]:.3g}"
    return f"±{values[0]:.3g} to ±{values[-1]:.3g}"


def _blind_lines(blind, baseline: str, several: bool) -> list[str]:
    """The blind pick's answer, one sentence per model x protocol, for the first policy
    (`albench.analysis.blind`), with the fixed habit of least regret beside it (none for a
    model x protocol of fewer than BLIND_PICK_MIN_DATASETS data sets)."""
    from albench.analysis.blind import FIXED, POLICIES

    lines = []
    for (model, protocol, metric), rows in blind.groupby(
        ["model", "protocol", "metric"], sort=False
    ):
        first = rows.iloc[0]
        habits = rows[rows["policy"].str.startswith(FIXED) & (rows["policy"] != FIXED + baseline)]
        habit = habits.loc[habits["regret"].idxmin()] if len(habits) else None
        picks = first["picks"].replace(": ", " ×")
        who = f"{model}" + (f" ({protocol})" if several else "")
        policy = POLICIES.get(first["policy"], first["policy"])
        text = (
            f"Picked blind from the other data sets ({policy}; {picks}), {who}'s pick beats "
            f"{baseline} on {first['better']} of "
            f"{first['datasets']} data sets, loses on {first['worse']}; it gives up "
            f"{_regret(first)} {metric} AUBC to the best choice in hindsight"
        )
        if habit is not None:
            text += f" (the best fixed habit, {habit['policy']}: {_regret(habit)})"
        lines += textwrap.wrap(text + ".", WIDTH)
    return lines


def _regret(row) -> str:
    return (
        f"{row['regret']:.3f} [{row['regret_ci_low']:.3f}, {row['regret_ci_high']:.3f}]"
        if row["regret_ci_low"] == row["regret_ci_low"]
        else f"{row['regret']:.3f}"
    )


def _fragile_lines(rows, metric: str, order: dict[str, int]) -> list[str]:
    """One line naming the decided comparisons of `rows` whose verdict changes when one of
    their seeds is left out (`albench.analysis.stability`), and in how many of the ways."""
    from albench.analysis.stability import fragile

    rows = rows.sort_values("strategy", key=lambda names: names.map(order))
    found = [row for _, row in rows.iterrows() if fragile(row, metric)]
    if not found:
        return []
    seeds = int(found[0][f"{metric}_n_pairs"])
    named = ", ".join(
        f"{row['strategy']}{NBSP}({round((1 - row[f'{metric}_drop_one_agreement']) * seeds)}"
        f"{NBSP}of{NBSP}{seeds}{NBSP}ways)"
        for row in found
    )
    return _wrapped(f"fragile: leaving out one of the {seeds} seeds changes the verdict of {named}")


def _wrapped(text: str) -> list[str]:
    wrapped = textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return [line.replace(NBSP, " ") for line in wrapped]


def _saving(saved, row, share: str) -> str:
    """`, labels saved M [L, H]` of the strategy in `row`; empty where unknown."""
    key = (*(row[column] for column in COMPARED), row["strategy"])
    if key not in saved.index:
        return ""
    mean, low, high = (
        saved.loc[key, f"saved_{share}_{part}"] for part in ("vs_baseline", "ci_low", "ci_high")
    )
    if mean != mean:  # NaN where the full-pool model could not be fitted
        return ""
    censored = saved.loc[key].get(f"saved_{share}_censored_seeds", 0)
    if censored >= row["n_seeds"]:  # a bound in every seed, not a saving
        return f"  labels saved: unknown ({float(share) * 100:g} % not reached)"
    return f"  labels saved {mean:+.0f} [{low:+.0f}, {high:+.0f}]"


def _stop_lines(stops, key: tuple[str, str, str], metric: str) -> list[str]:
    """The line that says which stopping criterion to trust on a data set x model (x protocol),
    over the cells of all its strategies (`albench.analysis.stops.recommended`)."""
    from albench.analysis.stops import recommended

    rows = stops[(stops["dataset"] == key[0]) & (stops["model"] == key[1])]
    rows = rows[rows["protocol"] == key[2]]
    if rows.empty or metric not in rows.columns:
        return []
    best = recommended(rows, metric)
    if best is None:
        return _wrapped(
            "stop: no stopping criterion stopped within the budget in 90 % of the cells"
        )
    labels, lost, regret = best["labels"], best["lost"], best["regret"]
    share = 100 * (labels[0] / best["budget"] - 1)
    cost = best["regret_column"].removeprefix("regret_").replace("_", "/")
    if best["budget_regret"] <= regret[0]:
        return _wrapped(
            f"stop: no criterion beats labelling the whole budget here (regret "
            f"{best['budget_regret']:.1f} at costs {cost}; the best that stops reliably, "
            f"{best['criterion']}, {regret[0]:.1f})"
        )
    never = f"; never stopped in {best['never']} of {best['cells']} cells" if best["never"] else ""
    # The score's change against the budget's end: lost score, or gained error.
    sign = -1 if higher_is_better(metric) else 1
    low, high = sorted((sign * lost[1], sign * lost[2]))
    return _wrapped(
        f"stop with {best['criterion']}: ~{labels[0]:.0f} labels ({share:+.0f} % of the "
        f"budget), {metric} {_signed(sign * lost[0])} [{_signed(low)}, {_signed(high)}] "
        "against the "
        f"budget's end; regret {regret[0]:.1f} at costs {cost}{never}"
    )


def _signed(value: float) -> str:
    """`value` with its sign and three decimals, zero as +0.000 (not -0.000)."""
    return f"{round(value, 3) + 0.0:+.3f}"


def write_verdict(
    comparison: Path,
    savings: Path,
    at_budget: Path,
    verdict: Path,
    spec: VerdictSpec,
    warnings: Path | None = None,
    stops: Path | None = None,
    blind: Path | None = None,
) -> str:
    """Write the verdict of the overall tables `comparison`, `savings`, `at_budget`,
    `warnings`, `stops` and `blind` (the blind pick's summary) to `verdict`; return it. An
    incomplete run's verdict beside it (`INCOMPLETE_NAME`) no longer holds: removed."""
    import pandas as pd

    text = verdict_text(
        pd.read_csv(comparison),
        pd.read_csv(savings),
        spec,
        at_budget=pd.read_csv(at_budget),
        warnings=pd.read_csv(warnings) if warnings is not None else None,
        stops=pd.read_csv(stops) if stops is not None else None,
        blind=pd.read_csv(blind) if blind is not None else None,
    )
    write_text(verdict, text)
    Path(verdict).with_name(INCOMPLETE_NAME).unlink(missing_ok=True)
    return text


# Where a run that failed leaves the verdict of what it finished (albench.plan.incomplete), beside
# the verdict file.
INCOMPLETE_NAME = "verdict_incomplete.txt"


# When this module was imported: in the Snakemake process, when the run began.
RUN_STARTED = time.time()


def show(verdict: str | Path, config_files: list[str] = (), default_config: str = "") -> None:
    """Print the verdict file `verdict` if this run wrote it (at the end of a successful run),
    then the command that makes the HTML report of this run's config: with its `--configfile`
    (each of `config_files` but the default one), the report beside the verdict. A run of
    other targets leaves an older verdict unprinted, as it may no longer hold."""
    path = Path(verdict)
    if path.exists() and path.stat().st_mtime >= RUN_STARTED:
        print("\n" + path.read_text(), end="", flush=True)
        command = report_command(config_files, default_config, path.parent)
        print(f"The HTML report: {command}", flush=True)


def report_command(
    config_files: list[str] = (), default_config: str = "", results: str | Path = "results"
) -> str:
    """The `snakemake --report` command of the run of `config_files` (the default config's
    needs none), writing the report into the folder `results`."""
    shown = shown_paths(config_files, default_config)
    options = "".join(f" --configfile {shlex.quote(f)}" for f in shown)
    return f"snakemake --report {shlex.quote(str(Path(results) / REPORT))}{options}"


def shown_paths(config_files: list[str] = (), default_config: str = "") -> list[str]:
    """The config files as a user gives them: relative to the working directory where they
    are under it, without the default config."""
    default = Path(default_config).resolve() if default_config else None
    given = [Path(f).resolve() for f in config_files]
    here = Path.cwd().resolve()
    return [
        str(f.relative_to(here) if f.is_relative_to(here) else f) for f in given if f != default
    ]


def check_report_config(verdict: str | Path, spec: VerdictSpec) -> None:
    """Raise AlbenchError if the verdict file `verdict` (with the figures and tables beside it)
    was written for another config than the one of `spec` (its `config_fingerprint`): a
    report of this config would show that other run's verdict around this config's design."""
    from albench.errors import AlbenchError

    path = Path(verdict)
    if not path.exists():
        return
    recorded = [line for line in path.read_text().splitlines() if line.startswith(CONFIG_LINE)]
    if not recorded or f"(fingerprint {spec.config_fingerprint})" in recorded[-1]:
        return
    other = recorded[-1].removeprefix(CONFIG_LINE)
    files = ", ".join(spec.config_files) or "the default config"
    raise AlbenchError(
        f"{path} is the verdict of {other}, not of {files} (fingerprint "
        f"{spec.config_fingerprint}): a report now would show that run's verdict and figures "
        "as this config's. Make the report with the config that ran (its run printed the "
        "command), or run this config first; to keep both, give each config its own "
        "results_dir."
    )
