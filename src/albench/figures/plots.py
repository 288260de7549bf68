"""Comparison figures: learning curves, difference heat maps, cost against benefit."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from albench.analysis.stats import friedman_p, mean_ranks, percentile_bands  # noqa: E402
from albench.directions import describe, higher_is_better  # noqa: E402
from albench.io.curves import read_curves  # noqa: E402
from albench.io.files import atomic_path  # noqa: E402
from albench.specs import DEFAULT_PROTOCOL, FigureSpec  # noqa: E402
from albench.tasks import METRIC_INFO, REGRESSION  # noqa: E402

BASELINE_COLOUR = "black"
METRIC_LABELS = {name: metric.label for name, metric in METRIC_INFO.items()}


def axis_label(metric: str) -> str:
    """Return the axis label of `metric`, saying so where lower is better."""
    label = METRIC_LABELS.get(metric, metric)
    return label if higher_is_better(metric) else f"{label} ({describe(metric)})"


def subject(spec: FigureSpec) -> str:
    """Return what a figure of `spec` shows: its model, and its protocol unless the config's
    only protocol is the unnamed default."""
    if spec.protocol == DEFAULT_PROTOCOL:
        return spec.model
    return f"{spec.model} · protocol {spec.protocol}"


# seaborn's "colorblind" palette, written out: seaborn (and the scipy.stats it imports) is
# imported only by the figures that draw with it, about 0.8 s of a figure job's own process.
COLORBLIND = (
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
)


def palette(n: int) -> list[tuple[float, float, float]]:
    """Return `n` colours: seaborn's colour-blind-safe ones up to ten, evenly spaced hues
    beyond (where that palette would repeat)."""
    if n <= len(COLORBLIND):
        return [to_rgb(colour) for colour in COLORBLIND[: max(n, 1)]]
    import seaborn as sns

    return list(sns.color_palette("husl", n_colors=n))


def strategy_colours(strategies: Sequence[str], baseline: str) -> dict[str, object]:
    """Return one colour per strategy, fixed by config order, baseline black (`palette`)."""
    others = [s for s in strategies if s != baseline]
    colours: dict[str, object] = dict(zip(others, palette(len(others)), strict=False))
    colours[baseline] = BASELINE_COLOUR
    return colours


def hex_colours(strategies: Sequence[str], baseline: str) -> dict[str, str]:
    """Return `strategy_colours` as #rrggbb strings, for pages that draw the same strategies."""
    from matplotlib.colors import to_hex

    return {s: to_hex(c) for s, c in strategy_colours(strategies, baseline).items()}


def text_width(labels: Sequence[object], fontsize: float = 10.0) -> float:
    """Return about how wide, in inches, the longest of `labels` is at `fontsize` points (an
    average character of matplotlib's DejaVu Sans is about 0.55 em wide)."""
    return max((len(str(label)) for label in labels), default=0) * fontsize * 0.55 / 72


def wrapped(text: str, width: float, fontsize: float = 12.0) -> str:
    """Return `text` broken into lines (between words) that fit `width` inches at `fontsize`;
    its own line breaks stay."""
    columns = max(20, int(width * 72 / (fontsize * 0.55)))
    return "\n".join(
        textwrap.fill(line, width=columns, break_long_words=False, break_on_hyphens=False)
        for line in text.split("\n")
    )


def paired_differences(curves: pd.DataFrame, baseline: str, metrics: Sequence[str]) -> pd.DataFrame:
    """Return each non-baseline strategy's metrics minus the baseline's, per seed and iteration."""
    keys = ["seed", "iteration"]
    base = curves[curves["strategy"] == baseline].set_index(keys)[list(metrics)]
    others = curves[curves["strategy"] != baseline].set_index(keys)
    diff = others[list(metrics)].sub(base.reindex(others.index))
    diff["strategy"] = others["strategy"]
    diff["n_labeled"] = others["n_labeled"]
    return diff.dropna(subset=list(metrics)).reset_index()


def plot_learning_curves(
    curves: Sequence[str | Path], figure: str | Path, spec: FigureSpec
) -> None:
    """Draw `spec`'s data set x model's curves (files `curves`) to `figure`: mean test metrics
    against labelled-set size, with 95 % CI bands, one column a metric.

    The top row shows each strategy's mean curve, the bottom row its difference to the baseline
    (paired by seed and iteration) with a zero line: where a band clears zero, the strategy is
    ahead or behind at that budget. Bands are 95 % percentile bootstrap intervals of the mean
    over seeds (`albench.analysis.stats.percentile_bands`, seeded, so the figure is reproducible).
    The baseline is drawn black and dashed.
    """
    dataset, model, output = spec.dataset, spec.model, figure
    strategies, baseline, metrics = spec.strategies, spec.baseline, spec.metrics
    curves = read_curves(curves)
    curves = curves[
        (curves["dataset"] == dataset)
        & (curves["model"] == model)
        & (curves["protocol"] == spec.protocol)
    ]
    if curves.empty:
        raise ValueError(
            f"no curves for data set {dataset!r}, model {model!r}, protocol {spec.protocol!r}"
        )
    order = [s for s in strategies if s in set(curves["strategy"])]
    colours = strategy_colours(strategies, baseline)
    dashes = {s: (4, 2) if s == baseline else "" for s in order}
    n_seeds = curves["seed"].nunique()
    first = curves.loc[curves["iteration"] <= 1].groupby("iteration")["n_labeled"].first()
    batch = int(first.diff().iloc[-1]) if len(first) == 2 else 0
    differences = paired_differences(curves, baseline, metrics)
    others = [s for s in order if s != baseline]

    # Room on the right for the legend (its longest name, the line sample and margins).
    width = 4.2 * len(metrics) + 1.0 + text_width([*order, "strategy"])
    fig, axes = plt.subplots(
        2,
        len(metrics),
        figsize=(width, 6.6),
        squeeze=False,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 2]},
    )
    # Mean lines with seeded 95 % bootstrap bands, coloured by strategy, in both rows.
    for column, metric in enumerate(metrics):
        top, bottom = axes[0][column], axes[1][column]
        draw_bands(top, curves, metric, order, colours, dashes=dashes)
        top.set_xlabel("")
        top.set_ylabel(f"test {axis_label(metric)}")
        top.grid(alpha=0.3)
        bottom.axhline(0, color=BASELINE_COLOUR, linestyle=(0, (4, 2)), linewidth=1)
        if others:
            draw_bands(bottom, differences, metric, others, colours)
        bottom.set_xlabel("labelled samples")
        bottom.set_ylabel(wrapped(f"difference to {baseline}", 2.4, 10))
        bottom.grid(alpha=0.3)
    last = axes[0][-1]
    last.legend(title="strategy", loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    title = (
        f"{dataset} · {subject(spec)} · {n_seeds} seeds · batch {batch} · mean with 95 % CI "
        f"(baseline: {baseline}, dashed)"
    )
    fig.suptitle(wrapped(title, width - 0.4))
    save_figure(fig, output)


def draw_bands(
    ax: plt.Axes,
    data: pd.DataFrame,
    metric: str,
    order: Sequence[str],
    colours: dict[str, object],
    dashes: dict[str, object] | None = None,
) -> None:
    """Draw on `ax` each strategy's mean `metric` against `n_labeled` with its 95 % bootstrap
    band in the line's colour, labelled by strategy; `dashes`, where given, per strategy (""
    for a solid line). Overlapping fills blur into one colour, so the fill fades as strategies
    are added (alpha 0.2 for up to two, 0.08 from five) and each band's edges are dotted in its
    colour.

    The intervals are computed for all strategies and budgets at once
    (`albench.analysis.stats.percentile_bands`) and drawn with matplotlib: seaborn's lineplot
    costs 0.1 s a call even on aggregated data, and a figure makes two calls a metric."""
    bands = percentile_bands(data, ["strategy", "n_labeled"], metric)
    alpha = {1: 0.2, 2: 0.2, 3: 0.14, 4: 0.1}.get(len(order), 0.08)
    for strategy in order:
        if strategy not in bands.index.get_level_values("strategy"):
            continue
        band = bands.loc[strategy]
        x = band.index.to_numpy()
        style = {"dashes": dashes[strategy]} if dashes and dashes.get(strategy) else {}
        (line,) = ax.plot(x, band["mean"], color=colours[strategy], label=strategy, **style)
        ax.fill_between(x, band["low"], band["high"], color=line.get_color(), alpha=alpha, lw=0)
        for edge in ("low", "high"):
            ax.plot(x, band[edge], color=line.get_color(), lw=0.6, alpha=0.7, ls=(0, (1, 1.5)))


def relative_scale(metric: str) -> bool:
    """Whether differences in `metric` are shown relative to the baseline's AUBC on each data
    set: regression metrics, whose scale is the target's and differs across data sets (an RMSE
    of 50 on one, 1 on another), unlike the classification scores' common 0 to 1."""
    return METRIC_INFO[metric].task == REGRESSION


def plot_difference_heatmap(comparison: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw the mean AUBC difference to the baseline, data sets x strategies, of `spec`'s model
    (first metric) from table `comparison` to `figure`.

    Cells whose Holm-corrected Wilcoxon test is significant are marked: ▲ better, ▼ worse; ≈
    marks a strategy shown equivalent to the baseline (within the margin); unmarked cells are
    undecided (or too few seeds). The diverging palette is centred on zero, so colour alone
    shows the direction: blue is better than the baseline, red worse, also where lower is better
    (an error: the palette flips). A regression metric is coloured by the difference as a share
    of the baseline's mean AUBC on that data set (`relative_scale`), its cells annotated with
    both.
    """
    model, output, strategies = spec.model, figure, spec.strategies
    baseline, metric = spec.baseline, spec.metrics[0]
    comparison = pd.read_csv(comparison)
    comparison = comparison[
        (comparison["model"] == model)
        & (comparison["strategy"] != baseline)
        & (comparison["protocol"] == spec.protocol)
    ]
    order = [s for s in strategies if s in set(comparison["strategy"])]
    diff = comparison.pivot(index="dataset", columns="strategy", values=f"{metric}_diff")[order]
    verdicts = comparison.pivot(index="dataset", columns="strategy", values=f"{metric}_verdict")
    marks = {"better": "▲", "worse": "▼", "equivalent": "≈"}
    suffix = verdicts[order].map(lambda v: f" {marks[v]}" if v in marks else "")
    relative = relative_scale(metric)
    if relative:
        # The baseline's mean AUBC: the strategy's minus its (paired) mean difference.
        base = comparison.pivot(index="dataset", columns="strategy", values=f"aubc_{metric}_mean")
        base = (base[order] - diff).mean(axis=1)
        shade = diff.div(base.abs().replace(0, np.nan), axis=0) * 100
        annotations = (
            diff.map(lambda v: f"{v:+.3g}") + shade.map(lambda v: f"\n({v:+.1f} %)") + suffix
        )
        label = f"AUBC difference, % of {baseline}'s ({axis_label(metric)})"
    else:
        shade = diff
        annotations = diff.map(lambda v: f"{v:+.3f}") + suffix
        label = f"mean AUBC difference ({axis_label(metric)})"
    limit = float(np.nanmax(np.abs(shade.to_numpy()))) or 1e-3
    fig, ax = plt.subplots(
        figsize=(1.5 * len(order) + 2.5, (0.8 if relative else 0.55) * len(diff) + 1.9)
    )
    import seaborn as sns

    sns.heatmap(
        shade,
        annot=annotations,
        fmt="",
        cmap="RdBu" if higher_is_better(metric) else "RdBu_r",
        vmin=-limit,
        vmax=limit,
        linewidths=0.5,
        cbar_kws={"label": wrapped(label, 3.4, 10)},
        ax=ax,
    )
    ax.set_xlabel("strategy")
    ax.set_ylabel("data set")
    ax.tick_params(axis="y", rotation=0)  # data set names read across, not on top of each other
    scale = (
        f"\ncolour: the difference as a share of {baseline}'s AUBC on each data set (their "
        "errors differ in scale)"
        if relative
        else ""
    )
    ax.set_title(
        f"{subject(spec)}: AUBC minus {baseline}\n▲ significantly better, ▼ significantly "
        f"worse than {baseline} (Wilcoxon, Holm, α = 0.05); ≈ equivalent (within the margin)"
        + scale,
        fontsize=9,
    )
    save_figure(fig, output)


def plot_cost_benefit(
    cost: str | Path, summary: str | Path, figure: str | Path, spec: FigureSpec
) -> None:
    """Draw each strategy's median query time (table `cost`) against its benefit, its mean AUBC
    (table `summary`, first metric) minus the baseline's on the same data set, per data set,
    for `spec`'s model, to `figure`. A regression metric's benefit is a share of the baseline's
    AUBC (`relative_scale`); the axis says which way is better."""
    model, output, strategies = spec.model, figure, spec.strategies
    baseline, metric = spec.baseline, spec.metrics[0]
    cost = pd.read_csv(cost)
    summary = pd.read_csv(summary)
    data = cost.merge(summary, on=["dataset", "model", "protocol", "strategy"])
    data = data[(data["model"] == model) & (data["protocol"] == spec.protocol)].copy()
    value = f"aubc_{metric}_mean"
    base = data[data["strategy"] == baseline].set_index("dataset")[value]
    data["benefit"] = data[value] - data["dataset"].map(base)
    relative = relative_scale(metric)
    if relative:
        data["benefit"] = data["benefit"] / data["dataset"].map(base.abs()) * 100
    order = [s for s in strategies if s in set(data["strategy"])]
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    ax.axhline(0, color=BASELINE_COLOUR, lw=0.8, ls=(0, (4, 2)))
    import seaborn as sns

    sns.scatterplot(
        data=data,
        x="median_query_seconds",
        y="benefit",
        hue="strategy",
        hue_order=order,
        palette=strategy_colours(strategies, baseline),
        style="dataset",
        s=70,
        ax=ax,
    )
    ax.set_xscale("log")
    log_seconds_axis(ax.xaxis)
    ax.set_xlabel("median seconds per query (log scale; left is cheaper)")
    direction = "higher" if higher_is_better(metric) else "lower"
    what = f"minus {baseline}'s" + (", as % of it" if relative else "")
    ax.set_ylabel(
        wrapped(
            f"mean AUBC ({METRIC_LABELS.get(metric, metric)}) {what}; {direction} is better",
            4.2,
            10,
        )
    )
    ax.set_title(f"{subject(spec)}: cost against benefit, one point per data set × strategy")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    save_figure(fig, output)


def log_seconds_axis(axis) -> None:
    """Label a log-scaled axis of seconds readably: at 1, 2 and 5 times each power of ten in
    plain numbers where the data span under two decades (a single "10⁻³" says little), at the
    decades only otherwise; never at matplotlib's minor ticks, whose labels on a short axis run
    together ("2×10⁻³3×10⁻³4×10⁻³")."""
    low, high = axis.get_view_interval()
    if high / low < 100:
        axis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(mticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


def save_figure(fig, output: str | Path) -> None:
    """Lay out `fig` (unless it has its own layout engine), write it to `output` (folders
    created) and close it."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    with atomic_path(output) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)


def plot_critical_difference(aubc: str | Path, figure: str | Path, spec: FigureSpec) -> None:
    """Draw the critical-difference diagram of `spec`'s model's strategies' mean ranks across
    data sets (per-cell AUBCs in table `aubc`, first metric) to `figure`.

    Ranks are by mean AUBC of `metric` within each data set (1 = best); strategies joined by a
    bar are not significantly different by the Nemenyi post-hoc test after Friedman's
    (scikit-posthocs). With fewer than two data sets or three strategies there is nothing to
    test, and the figure says so.
    """
    from albench.analysis.summary import strategy_table

    metric = spec.metrics[0]
    table = strategy_table(pd.read_csv(aubc), metric, spec.model, spec.protocol)
    draw_critical_difference(
        table,
        higher_is_better(metric),
        figure,
        f"{subject(spec)}: mean rank over {table.shape[0]} data sets (AUBC, "
        f"{METRIC_LABELS.get(metric, metric)}); bars join strategies not significantly "
        "different (Friedman + Nemenyi, α = 0.05)",
        colours=strategy_colours(spec.strategies, spec.baseline),
        what="strategies",
    )


def draw_critical_difference(
    table: pd.DataFrame,
    higher: bool,
    figure: str | Path,
    title: str,
    colours: dict[str, object] | None = None,
    what: str = "strategies",
) -> None:
    """Draw the critical-difference diagram of `table`'s columns (data sets x `what`, ranked
    within each row, `higher` better) to `figure`, its title saying which end is best and the
    Friedman test's p-value (without a significant Friedman test the bars mean nothing), or say
    why there is nothing to test (fewer than 2 data sets or 3 columns)."""
    import scikit_posthocs as sph

    fig, ax = plt.subplots(figsize=(8, 0.35 * table.shape[1] + 1.6))
    if table.shape[0] < 2 or table.shape[1] < 3:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            f"{title.split(':')[0]}: a critical-difference diagram needs at least 2 data sets "
            f"and 3 {what} (here {table.shape[0]} and {table.shape[1]})",
            ha="center",
            va="center",
            wrap=True,
        )
        save_figure(fig, figure)
        return
    ranks = mean_ranks(table, higher)
    significance = sph.posthoc_nemenyi_friedman(table)
    p = friedman_p(table)
    verdict = (
        "the ranks differ (p < 0.05)" if p < 0.05 else "no rank is shown to differ from chance"
    )
    title = f"{title}\nrank 1 is the best (leftmost); Friedman p = {p:.3g}: {verdict}"
    sph.critical_difference_diagram(
        ranks,
        significance,
        ax=ax,
        color_palette={s: colours[s] for s in ranks.index if s in colours} if colours else {},
        # Every rank with two decimals: "(5)" beside "(3.4)" read as different precisions.
        label_fmt_left="{label} ({rank:.2f})",
        label_fmt_right="({rank:.2f}) {label}",
    )
    ax.set_title(wrapped(title + _ties(ranks), 7.6, 9), fontsize=9)
    save_figure(fig, figure)


def _ties(ranks: pd.Series) -> str:
    """A line naming the strategies that share a mean rank (they share one marker)."""
    tied = [
        f"{' = '.join(names)} ({rank:.2f})"
        for rank, names in ranks.groupby(ranks.round(9)).groups.items()
        if len(names) > 1
    ]
    return "\ntied (one marker each): " + "; ".join(tied) if tied else ""


def plot_protocols(
    comparison: str | Path, agreement: str | Path, figure: str | Path, spec: FigureSpec
) -> None:
    """Draw, for `spec`'s data set x model, every strategy's AUBC difference to the baseline
    (first metric) with its 95 % CI under each protocol side by side, from table `comparison`,
    to `figure`; the title gives Kendall's tau-b between the protocols' rankings (table
    `agreement`). Filled markers: significant (Holm); a verdict that flips shows as markers on
    both sides of zero."""
    dataset, model, baseline, metric = spec.dataset, spec.model, spec.baseline, spec.metrics[0]
    rows = pd.read_csv(comparison)
    rows = rows[
        (rows["dataset"] == dataset) & (rows["model"] == model) & (rows["strategy"] != baseline)
    ]
    if rows.empty:
        raise ValueError(f"no comparisons for data set {dataset!r} and model {model!r}")
    order = [s for s in spec.strategies if s in set(rows["strategy"])]
    protocols = sorted(rows["protocol"].unique())
    colours = dict(zip(protocols, palette(len(protocols)), strict=True))
    fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(order) * max(1, len(protocols) / 2) + 1.8))
    step = 0.8 / max(1, len(protocols))
    for k, protocol in enumerate(protocols):
        mine = rows[rows["protocol"] == protocol].set_index("strategy").reindex(order)
        y = np.arange(len(order)) - 0.4 + step * (k + 0.5)
        diff = mine[f"{metric}_diff"].to_numpy(float)
        low = diff - mine[f"{metric}_diff_ci_low"].to_numpy(float)
        high = mine[f"{metric}_diff_ci_high"].to_numpy(float) - diff
        ax.errorbar(diff, y, xerr=[low, high], fmt="none", ecolor=colours[protocol], lw=1.5)
        significant = mine[f"{metric}_verdict"].isin(["better", "worse"]).to_numpy()
        for filled in (True, False):
            pick = significant == filled
            ax.scatter(
                diff[pick],
                y[pick],
                s=40,
                zorder=3,
                edgecolors=colours[protocol],
                facecolors=colours[protocol] if filled else "white",
            )
    ax.axvline(0, color=BASELINE_COLOUR, lw=1, ls="--")
    margins = rows.get(f"{metric}_margin", pd.Series(dtype=float)).dropna().unique()
    # The legend names the protocols by colour (filled or open is the verdict, said in the
    # title) and, where known, the region of practical equivalence of the widest margin.
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=colours[p], label=p) for p in protocols
    ]
    if len(margins):
        margin = float(max(margins))
        band = ax.axvspan(-margin, margin, color=BASELINE_COLOUR, alpha=0.08, lw=0)
        band.set_label(f"±{margin:.3g}: equivalent")
        handles.append(band)
    ax.set_yticks(np.arange(len(order)), order)
    ax.invert_yaxis()
    ax.set_xlabel(f"AUBC minus {baseline} ({METRIC_LABELS.get(metric, metric)}), 95 % CI")
    ax.legend(
        handles=handles,
        title="protocol",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
    )
    ax.grid(axis="x", alpha=0.3)
    agreement = pd.read_csv(agreement)
    agreement = agreement[(agreement["dataset"] == dataset) & (agreement["model"] == model)]
    taus = ", ".join(
        f"{r.protocol_a}–{r.protocol_b} {r.kendall_tau_b:+.2f}" for r in agreement.itertuples()
    )
    ax.set_title(
        f"{dataset} · {model}: each protocol's verdict (filled: significant, Holm)"
        + (f"\nrank agreement, Kendall's τ-b: {taus}" if taus else ""),
        fontsize=9,
    )
    save_figure(fig, output=figure)
