"""Comparison figures: mean learning curves with confidence bands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from albench.curves import read_curves  # noqa: E402

BASELINE_COLOUR = "black"
METRIC_LABELS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "f1_macro": "macro F1",
    "f1_weighted": "weighted F1",
}


def strategy_colours(strategies: Sequence[str], baseline: str) -> dict[str, object]:
    """Return one colour-blind-safe colour per strategy, fixed by config order; baseline black."""
    others = [s for s in strategies if s != baseline]
    palette = sns.color_palette("colorblind", n_colors=max(len(others), 1))
    colours: dict[str, object] = {s: palette[i % len(palette)] for i, s in enumerate(others)}
    colours[baseline] = BASELINE_COLOUR
    return colours


def plot_learning_curves(
    curve_paths: Sequence[str | Path],
    dataset: str,
    model: str,
    output: str | Path,
    strategies: Sequence[str],
    baseline: str,
    metrics: Sequence[str],
) -> None:
    """Draw mean test metrics against labelled-set size, with 95 % CI bands, one panel a metric.

    The bands are seaborn's bootstrap intervals of the mean over seeds (seeded, so the figure is
    reproducible). The baseline is drawn black and dashed.
    """
    curves = read_curves(curve_paths)
    curves = curves[(curves["dataset"] == dataset) & (curves["model"] == model)]
    if curves.empty:
        raise ValueError(f"no curves for data set {dataset!r} and model {model!r}")
    order = [s for s in strategies if s in set(curves["strategy"])]
    colours = strategy_colours(strategies, baseline)
    dashes = {s: (4, 2) if s == baseline else "" for s in order}
    n_seeds = curves["seed"].nunique()
    first = curves.loc[curves["iteration"] <= 1].groupby("iteration")["n_labeled"].first()
    batch = int(first.diff().iloc[-1]) if len(first) == 2 else 0

    fig, axes = plt.subplots(
        1, len(metrics), figsize=(4.2 * len(metrics) + 1.8, 3.8), squeeze=False, sharex=True
    )
    for ax, metric in zip(axes[0], metrics, strict=True):
        sns.lineplot(
            data=curves,
            x="n_labeled",
            y=metric,
            hue="strategy",
            hue_order=order,
            palette=colours,
            style="strategy",
            style_order=order,
            dashes=dashes,
            errorbar=("ci", 95),
            n_boot=1000,
            seed=0,
            ax=ax,
            legend=ax is axes[0][-1],
        )
        ax.set_xlabel("labelled samples")
        ax.set_ylabel(f"test {METRIC_LABELS.get(metric, metric)}")
        ax.grid(alpha=0.3)
    last = axes[0][-1]
    last.legend(title="strategy", loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.suptitle(
        f"{dataset} · {model} · {n_seeds} seeds · batch {batch} · mean with 95 % CI "
        f"(baseline: {baseline}, dashed)"
    )
    fig.tight_layout()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=120, bbox_inches="tight")
    plt.close(fig)
