"""The verdict of a run that failed: which cells have no up-to-date curve, and the verdict of
every data set x model (x protocol) whose cells all have one, the same text and numbers its
complete run would give it (each comparison involves only its own group).

In three parts, each tested on its own: which cells are done (`cell_status`, from the files
alone), which full-pool references the finished groups have (`finished_references`), and the
text (`status_lines` and `incomplete_verdict_text`). Called by the Snakefile's `onerror`.

"Up to date" is judged as Snakemake would for the triggers albench's cells depend on (the
curve exists, is newer than its data and split, and its metadata records the cell's current
config); Snakemake's own decision also weighs code and software changes, which a failed run's
report does not need.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from albench.analysis.tables import COMPARED
from albench.analysis.verdict import INCOMPLETE_NAME, RUN_STARTED, WIDTH, verdict_text
from albench.io.files import write_text
from albench.specs import VerdictSpec

# What Snakemake logs when Ctrl-C stops a run.
USER_REQUEST = "Terminating processes on user request"


def interrupted(log: str | list[str] | None) -> bool:
    """Whether Snakemake's log file(s) `log` say that Ctrl-C stopped the run."""
    logs = [log] if isinstance(log, str) else list(log or [])
    return any(USER_REQUEST in Path(p).read_text(errors="replace") for p in logs)


# Snakemake builds a report only of a complete run (every output it marks must exist).
INCOMPLETE_WHERE = (
    "Figures and tables of the data sets that finished: {results}/figures/,\n"
    "{results}/summary/datasets/. The HTML report needs a complete run."
)

Group = tuple[str, str, str]  # data set, model, protocol


@dataclass
class Cells:
    """The curves of one group's cells: up to date (`done`) or not (`missing`)."""

    done: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)


def up_to_date(path: Path, inputs: list[Path], cell_config: str | None = None) -> bool:
    """Return whether `path` exists, is newer than every existing input and, for a cell's
    curve, was made for `cell_config` (the config its metadata records)."""
    if not path.exists():
        return False
    mtime = path.stat().st_mtime
    if any(p.exists() and p.stat().st_mtime > mtime for p in inputs):
        return False
    if cell_config is None:
        return True
    from albench.io.parquet import read_metadata

    return read_metadata(path).get("cell") == cell_config


def cell_status(config: dict, paths: dict[str, str]) -> dict[Group, Cells]:
    """Return every group's cells, done or missing. `paths` holds the path patterns of the
    `curve`, `data` and `split` files."""
    from albench.plan.grid import cell_spec, cells

    groups: dict[Group, Cells] = {}
    for cell in cells(config):
        fill = {key: cell[key] for key in ("dataset", "model", "protocol", "strategy", "seed")}
        curve = Path(paths["curve"].format(**fill))
        inputs = [Path(paths[kind].format(**fill)) for kind in ("data", "split")]
        made_for = cell_spec(config, **fill).config_json()
        group = groups.setdefault((cell["dataset"], cell["model"], cell["protocol"]), Cells())
        (group.done if up_to_date(curve, inputs, made_for) else group.missing).append(curve)
    return groups


def finished_references(
    config: dict, paths: dict[str, str], complete: list[Group]
) -> tuple[list[Path], list[Group]]:
    """Return (the full-pool score files of the `complete` groups whose every seed has an up-to-
    date one, the complete groups without them). `paths` holds the `reference`, `data` and
    `split` patterns."""
    from albench.plan.grid import seed_list

    references, unknown = [], []
    for dataset, model, protocol in complete:
        fills = [
            {"dataset": dataset, "model": model, "protocol": protocol, "seed": seed}
            for seed in seed_list(config)
        ]
        files = [Path(paths["reference"].format(**fill)) for fill in fills]
        inputs = [[Path(paths[k].format(**fill)) for k in ("data", "split")] for fill in fills]
        if all(up_to_date(f, i) for f, i in zip(files, inputs, strict=True)):
            references += files
        else:
            unknown.append((dataset, model, protocol))
    return references, unknown


def group_name(key: Group, several: bool) -> str:
    """`data set × model`, and `× protocol` where the config has several."""
    return " × ".join(key if several else key[:2])


def status_lines(
    groups: dict[Group, Cells], log_dir: str, several: bool, keep_going: bool
) -> list[str]:
    """Return the text above the verdict: how many cells have no up-to-date curve, in which
    groups, and which groups the verdict covers (or that there is none yet)."""
    complete = [key for key, group in groups.items() if not group.missing]
    n_missing = sum(len(group.missing) for group in groups.values())
    n_cells = n_missing + sum(len(group.done) for group in groups.values())
    pairs = "data set × model × protocol groups" if several else "data set × model pairs"
    lines = textwrap.wrap(
        f"albench: the run did not finish. {n_missing} of {n_cells} cells have no up-to-date "
        "curve (they failed, or did not run after a failure; the errors are printed above, "
        f"the cells' logs are under {log_dir}/):",
        WIDTH,
    )
    for key, group in groups.items():
        if group.missing:
            n = len(group.missing)
            lines.append(f"  {group_name(key, several)}: {n} of {n + len(group.done)} cells")
    if not complete:
        lines.append(f"No {pairs.rsplit(' ', 1)[0]} has all its cells: there is no verdict yet.")
        return lines
    lines += textwrap.wrap(
        f"The verdict below covers the {len(complete)} of {len(groups)} {pairs} "
        "whose cells all finished"
        + ("." if keep_going else "; `--keep-going` runs every cell that can run."),
        WIDTH,
    )
    return lines


def incomplete_verdict_text(
    config: dict,
    paths: dict[str, str],
    spec: VerdictSpec,
    keep_going: bool = True,
    since: float | None = None,
) -> str | None:
    """Return the verdict of a run that failed (see the module). `paths` holds the path
    patterns of the `curve`, `data`, `split`, `reference` (full-pool scores) and cell `log`
    files; `keep_going`: whether the run went on after a failure. With `since` (a time), None
    unless a cell's curve was written since then: a run that failed before finishing any cell
    (bad data, say) has nothing new to say, and writes nothing."""
    import pandas as pd

    from albench.analysis.summary import comparisons
    from albench.io.curves import read_curves
    from albench.plan.grid import protocol_names, summary_spec

    groups = cell_status(config, paths)
    done = [curve for group in groups.values() for curve in group.done]
    if since is not None and not any(curve.stat().st_mtime >= since for curve in done):
        return None
    several = len(protocol_names(config)) > 1
    log_dir = str(Path(*Path(paths["log"]).parts[:2]))
    lines = status_lines(groups, log_dir, several, keep_going)
    complete = [key for key, group in groups.items() if not group.missing]
    if not complete:
        return "\n".join(lines) + "\n"
    references, unknown = finished_references(config, paths, complete)
    if unknown:
        names = ", ".join(group_name(key, several) for key in unknown)
        lines += textwrap.wrap(
            f"No labels saved for {names}: its full-pool reference did not finish.", WIDTH
        )
    # The groups without references have no savings (label_savings joins on them).
    tables = comparisons(
        read_curves([path for key in complete for path in groups[key].done]),
        read_curves(references) if references else None,
        summary_spec(config),
    )
    savings = tables.get("label_savings", pd.DataFrame(columns=[*COMPARED, "strategy", "metric"]))
    verdict = verdict_text(
        tables["comparison"], savings, spec, INCOMPLETE_WHERE, tables["comparison_at_budget"]
    )
    return "\n".join(lines) + "\n\n" + verdict


def show_incomplete(
    config: dict,
    paths: dict[str, str],
    spec: VerdictSpec,
    verdict: str,
    keep_going: bool,
    log: str | list[str] | None = None,
) -> None:
    """Print the verdict of a run that failed after finishing cells, and write it beside the
    `verdict` file. A run stopped by Ctrl-C (as Snakemake's log `log` says) only writes it: its
    end says it was interrupted and how to resume (the `albench` logger plugin), not which
    cells failed.

    Called when a run fails (the Snakefile's `onerror`): a fault here is reported in one line,
    never raised, so that it cannot hide the failure that ended the run.
    """
    try:
        text = incomplete_verdict_text(config, paths, spec, keep_going, since=RUN_STARTED)
        if text is None:
            return
        write_text(Path(verdict).with_name(INCOMPLETE_NAME), text)
        # Cells changed in this run: an earlier run's verdict no longer describes the results.
        stale = Path(verdict).exists() and Path(verdict).stat().st_mtime < RUN_STARTED
        if stale:
            Path(verdict).unlink()
        if interrupted(log):
            return
    except Exception as error:  # noqa: BLE001
        print(f"albench: no verdict of the finished cells ({type(error).__name__}: {error})")
        return
    print("\n" + text + f"(kept in {Path(verdict).with_name(INCOMPLETE_NAME)})", flush=True)
    if stale:
        print(f"(an earlier run's {verdict} was removed: it no longer describes the results)")
