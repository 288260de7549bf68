"""How far the answers carry: the blind pick's regret per policy, and how each verdict holds up
on fewer seeds."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from albench.figures.plots import (  # noqa: E402
    axis_label,
    save_figure,
    strategy_colours,
    subject,
    wrapped,
)
from albench.specs import FigureSpec  # noqa: E402

VERDICT_COLOURS = {"better": "#1a9850", "worse": "#d73027"}  # the rest grey


def plot_blind_pick(table: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw, for `spec`'s model and protocol, each blind-pick policy's regret on every held-out
    data set (a point, green where its pick beat the baseline there, red where it lost) and
    its mean over the data sets with a 95 % CI (table `blind_pick`)."""
    frame = pd.read_csv(table)
    frame = frame[(frame["model"] == spec.model) & (frame["protocol"] == spec.protocol)]
    policies = list(dict.fromkeys(frame["policy"]))
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(policies) + 2.0))
    if frame.empty:
        ax.axis("off")
        ax.text(0.5, 0.5, f"{subject(spec)}: no blind pick (fewer than 3 data sets)", ha="center")
        save_figure(fig, figure)
        return
    metric = str(frame["metric"].iloc[0])
    datasets = list(dict.fromkeys(frame["dataset"]))
    offsets = dict(zip(datasets, np.linspace(-0.22, 0.22, len(datasets)), strict=True))
    for y, policy in enumerate(policies):
        rows = frame[frame["policy"] == policy]
        colours = [VERDICT_COLOURS.get(v, "0.6") for v in rows["verdict"]]
        ax.scatter(
            rows["regret"], [y + offsets[d] for d in rows["dataset"]], c=colours, s=22, zorder=3
        )
        mean = rows["regret"].mean()
        low, high = _interval(rows["regret"].to_numpy())
        ax.plot([low, high], [y, y], color="black", lw=2.2, zorder=2)
        ax.plot(mean, y, "|", color="black", ms=14, mew=2.2, zorder=4)
    ax.set_yticks(range(len(policies)))
    ax.set_yticklabels(policies)
    ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(
        f"regret: AUBC ({axis_label(metric)}) the best strategy in hindsight had over the pick"
    )
    ax.set_title(
        f"{subject(spec)}: a strategy picked blind from the other {len(datasets) - 1} data sets, "
        f"judged on the held-out one\npoints: each held-out data set (green: the pick beat "
        f"{spec.baseline} there, red: lost); bar: the mean over data sets with its 95 % CI",
        fontsize=9,
    )
    save_figure(fig, figure)


def _interval(values: np.ndarray) -> tuple[float, float]:
    from albench.analysis.stats import mean_ci

    _, low, high = mean_ci(values)
    return (low, high) if low == low else (float(np.mean(values)),) * 2


def plot_stability(stability: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw, for `spec`'s model and protocol, how often each comparison's verdict would have
    been the same (left) and its mean difference's sign the other (right) on subsets of its
    seeds, against the subsets' size (table `stability`): one line per data set x strategy, in
    the strategy's colour."""
    frame = pd.read_csv(stability)
    frame = frame[(frame["model"] == spec.model) & (frame["protocol"] == spec.protocol)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), sharex=True)
    if frame.empty:
        left.text(0.5, 0.5, "no comparison has 3 seeds or more", transform=left.transAxes)
        save_figure(fig, figure)
        return
    colours = strategy_colours(spec.strategies, spec.baseline)
    for (_, strategy), rows in frame.groupby(["dataset", "strategy"], sort=False):
        rows = rows.sort_values("seeds")
        style = {"color": colours.get(strategy, "grey"), "alpha": 0.75, "marker": "o", "ms": 3}
        left.plot(rows["seeds"], rows["verdict_agreement"], **style)
        right.plot(rows["seeds"], rows["sign_flips"], **style)
    for strategy in [s for s in spec.strategies if s in set(frame["strategy"])]:
        left.plot([], [], color=colours.get(strategy, "grey"), label=strategy)
    left.axhline(0.95, color="grey", ls="--", lw=0.8)
    left.set_ylim(-0.03, 1.03)
    right.set_ylim(bottom=-0.01)
    left.set_ylabel(wrapped("share of subsets with the full run's verdict", 3.0, 10))
    right.set_ylabel(wrapped("share of subsets whose mean difference has the other sign", 3.0, 10))
    for axis in (left, right):
        axis.set_xlabel("seeds in the subset (the last: all but one left out)")
        axis.grid(alpha=0.3)
    n = int(frame["of_seeds"].max())
    left.legend(title="strategy", fontsize=8, frameon=False, loc="best")
    fig.suptitle(
        f"{subject(spec)}: each verdict re-decided on subsets of its {n} seeds (one line per "
        f"data set × strategy; {axis_label(str(frame['metric'].iloc[0]))})",
        fontsize=10,
    )
    save_figure(fig, figure)
