"""Stopping-criteria figures: where each criterion stops on a data set, and their regret across
data sets."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from albench.analysis.stops import REFERENCES, criteria_table  # noqa: E402
from albench.figures.plots import (  # noqa: E402
    axis_label,
    draw_critical_difference,
    save_figure,
    strategy_colours,
    subject,
)
from albench.specs import FigureSpec  # noqa: E402


def _regret_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in frame.columns if c.startswith("regret_")), None)


def _mean_curves(curves: pd.DataFrame, metric: str) -> dict[str, pd.Series]:
    """Return each strategy's mean `metric` over seeds, indexed by labels."""
    return {
        strategy: rows.groupby("n_labeled")[metric].mean()
        for strategy, rows in curves.groupby("strategy", sort=False)
    }


def plot_stops(stops: str | Path, curves: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw where each criterion stops the cells of `spec`'s data set x model x protocol
    (table `stops`), per strategy: on top the mean learning curves (table `curves`) with a tick
    where each criterion stops on average and a star at the cost-optimal stop; below, on the
    same label axis, the labels at each criterion's stop and the score it lost against the
    budget's end (mean over seeds, with the seeds' range), the references (cost-optimal and
    plateau stops) first; criteria in order of mean regret, a hollow marker where a criterion
    never stopped in some seeds."""
    frame = pd.read_csv(stops)
    frame = frame[(frame["model"] == spec.model) & (frame["protocol"] == spec.protocol)]
    metric = spec.metrics[0]
    n_rows = max(frame["criterion"].nunique(), 1)
    fig = plt.figure(figsize=(11, 0.42 * n_rows + 5.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[3.0, 0.42 * n_rows], width_ratios=[1.7, 1])
    top = fig.add_subplot(grid[0, 0])
    left = fig.add_subplot(grid[1, 0], sharex=top)
    right = fig.add_subplot(grid[1, 1], sharey=left)
    key = fig.add_subplot(grid[0, 1])
    key.axis("off")
    if frame.empty:
        top.text(0.5, 0.5, "no classification cell", ha="center", transform=top.transAxes)
        save_figure(fig, figure)
        return
    regret = _regret_column(frame)
    references = [c for c in frame["criterion"].unique() if c.startswith(REFERENCES)]
    criteria = (
        frame[~frame["criterion"].isin(references)]
        .groupby("criterion")[regret]
        .mean()
        .sort_values()
    )
    order = [*references, *criteria.index]
    strategies = [s for s in spec.strategies if s in set(frame["strategy"])]
    colours = strategy_colours(strategies, spec.baseline)
    curves = pd.read_parquet(
        curves, columns=["model", "protocol", "strategy", "seed", "n_labeled", metric]
    )
    curves = curves[(curves["model"] == spec.model) & (curves["protocol"] == spec.protocol)]
    means = _mean_curves(curves, metric)
    stops_by_strategy = frame.groupby(["strategy", "criterion"])["labels"].mean()
    for strategy in strategies:
        if strategy not in means:
            continue
        curve = means[strategy]
        top.plot(
            curve.index,
            curve.to_numpy(),
            color=colours[strategy],
            lw=1.4,
            ls="--" if strategy == spec.baseline else "-",
            label=strategy,
        )
        mine = stops_by_strategy.loc[strategy]
        marks = mine.drop([r for r in references if r in mine.index])
        at = np.interp(marks.to_numpy(), curve.index, curve.to_numpy())
        top.plot(marks.to_numpy(), at, "|", color=colours[strategy], ms=11, mew=1.6)
        optimal = [r for r in references if r.startswith(REFERENCES[0])]
        if optimal and optimal[0] in mine.index:
            x = float(mine[optimal[0]])
            top.plot(
                x,
                np.interp(x, curve.index, curve.to_numpy()),
                "*",
                color=colours[strategy],
                ms=11,
                mec="white",
            )
    top.set_ylabel(axis_label(metric))
    top.grid(alpha=0.3)
    top.tick_params(labelbottom=False)
    offsets = np.linspace(-0.25, 0.25, len(strategies)) if len(strategies) > 1 else [0.0]
    for offset, strategy in zip(offsets, strategies, strict=True):
        mine = frame[frame["strategy"] == strategy]
        for axis, column in ((left, "labels"), (right, "lost_vs_end")):
            grouped = mine.groupby("criterion")
            for y, name in enumerate(order):
                if name not in grouped.groups:
                    continue
                rows = grouped.get_group(name)
                values = rows[column].to_numpy(dtype=float)
                always = bool(rows["stopped"].astype(bool).all())
                axis.plot(
                    [values.min(), values.max()],
                    [y + offset] * 2,
                    color=colours[strategy],
                    lw=1,
                    alpha=0.6,
                )
                axis.plot(
                    values.mean(),
                    y + offset,
                    "o",
                    color=colours[strategy],
                    mfc=colours[strategy] if always else "white",
                    ms=6,
                )
    left.set_yticks(range(len(order)))
    left.set_yticklabels(order)
    left.invert_yaxis()
    for axis in (left, right):
        axis.axhline(len(references) - 0.5, color="grey", lw=0.8, ls=":")
        axis.grid(axis="x", alpha=0.3)
    right.tick_params(labelleft=False)
    right.xaxis.set_major_locator(MaxNLocator(nbins=4))
    right.axvline(0, color="grey", lw=0.8)
    left.set_xlabel("labels (below: at each criterion's stop, mean over seeds; line: their range)")
    right.set_xlabel(f"{axis_label(metric)} lost against\nthe budget's end")
    handles, labels = top.get_legend_handles_labels()
    key.legend(handles, labels, title="strategy", loc="upper left", fontsize=9, frameon=False)
    key.text(
        0.0,
        0.02,
        "top: mean learning curves; | where a criterion\n"
        "stops on average, ★ the cost-optimal stop\n"
        f"(costs {regret.removeprefix('regret_').replace('_', '/')})\n"
        "below: criteria sorted by mean regret;\nhollow: did not stop within the budget\n"
        "in every seed",
        transform=key.transAxes,
        fontsize=8,
        va="bottom",
    )
    fig.suptitle(
        f"{spec.dataset} × {subject(spec)}: where each stopping criterion stops", fontsize=11
    )
    save_figure(fig, figure)


def plot_stopping_overview(summary: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw each criterion's mean regret (first cost pair) per data set, over the strategies,
    of `spec`'s model x protocol (table `summary`, `stopping.csv`): criteria x data sets, with
    the share of cells it stopped within the budget where that is below 90 %."""
    frame = pd.read_csv(summary)
    frame = frame[(frame["model"] == spec.model) & (frame["protocol"] == spec.protocol)]
    frame = frame[~frame["criterion"].str.startswith(REFERENCES)]
    regret = _regret_column(frame)
    fig, ax = plt.subplots(
        figsize=(
            1.3 * max(frame["dataset"].nunique(), 1) + 3.5,
            0.4 * frame["criterion"].nunique() + 1.8,
        )
    )
    if frame.empty or regret is None:
        ax.text(0.5, 0.5, "no classification cell", ha="center", transform=ax.transAxes)
        save_figure(fig, figure)
        return
    means = frame.groupby(["criterion", "dataset"])[[regret, "stopped_share"]].mean().reset_index()
    table = means.pivot(index="criterion", columns="dataset", values=regret)
    table = table.loc[table.mean(axis=1).sort_values().index]
    shares = means.pivot(index="criterion", columns="dataset", values="stopped_share")
    shares = shares.loc[table.index, table.columns]
    notes = table.map(lambda v: f"{v:.0f}") + shares.map(
        lambda s: f"\n{100 * s:.0f} % stop" if s < 0.9 else ""
    )
    import seaborn as sns  # only here: a figure job without it starts about 0.8 s sooner

    sns.heatmap(
        table,
        annot=notes,
        fmt="",
        cmap="viridis_r",
        linewidths=0.5,
        ax=ax,
        cbar_kws={"label": "mean regret (lower is better)"},
        annot_kws={"fontsize": 8},
    )
    ax.set_xlabel("data set")
    ax.set_ylabel("criterion")
    ax.tick_params(axis="y", rotation=0)
    cost = regret.removeprefix("regret_").replace("_", "/")
    ax.set_title(
        f"{subject(spec)}: stopping criteria's regret against the cost-optimal stop\n(costs "
        f"{cost}; mean over strategies and seeds; '% stop' where below 90 % of the cells)",
        fontsize=10,
    )
    save_figure(fig, figure)


def plot_stopping_ranks(summary: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw the critical-difference diagram of the stopping criteria of `spec`'s model x
    protocol: their mean ranks across data sets by mean regret (table `summary`,
    `stopping.csv`; `albench.analysis.stops.criteria_table`), bars joining those not
    significantly different (Friedman + Nemenyi)."""
    frame = pd.read_csv(summary)
    table = criteria_table(frame, spec.model, spec.protocol)
    regret = next((c for c in frame.columns if c.startswith("regret_")), "regret")
    cost = regret.removeprefix("regret_").replace("_", "/")
    draw_critical_difference(
        table,
        False,
        figure,
        f"{subject(spec)}: stopping criteria's mean rank over {table.shape[0]} data sets (by "
        f"mean regret at costs {cost}, 1 = least); bars join criteria not significantly "
        "different (Friedman + Nemenyi, α = 0.05)",
        what="criteria",
    )
