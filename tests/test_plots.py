import dataclasses
import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from albench.figures.plots import BASELINE_COLOUR, palette, strategy_colours


def test_baseline_is_black_and_colours_are_distinct():
    colours = strategy_colours(["random", "entropy", "margin", "badge"], "random")
    assert colours["random"] == BASELINE_COLOUR
    others = [colours[s] for s in ("entropy", "margin", "badge")]
    assert len(set(others)) == 3


def test_a_strategy_keeps_its_colour_whatever_the_baseline_position():
    a = strategy_colours(["random", "entropy", "badge"], "random")
    b = strategy_colours(["entropy", "random", "badge"], "random")
    assert a == b


def test_paired_differences_subtract_the_baseline_of_the_same_seed_and_iteration():
    import pandas as pd

    from albench.figures.plots import paired_differences

    curves = pd.DataFrame(
        {
            "strategy": ["random", "random", "smart", "smart", "random", "smart"],
            "seed": [0, 0, 0, 0, 1, 1],
            "iteration": [0, 1, 0, 1, 0, 0],
            "n_labeled": [10, 20, 10, 20, 10, 10],
            "accuracy": [0.5, 0.6, 0.5, 0.7, 0.4, 0.45],
        }
    )
    diff = paired_differences(curves, "random", ["accuracy"])
    assert sorted(zip(diff["seed"], diff["iteration"], diff["accuracy"].round(6), strict=True)) == [
        (0, 0, 0.0),
        (0, 1, 0.1),
        (1, 0, 0.05),
    ]
    assert set(diff["strategy"]) == {"smart"}


def test_critical_difference_needs_two_data_sets_and_says_so(tmp_path):
    import pandas as pd

    from albench.figures.plots import plot_critical_difference
    from albench.specs import FigureSpec

    aubcs = pd.DataFrame(
        {
            "dataset": "d",
            "model": "m",
            "protocol": "default",
            "strategy": ["a", "b", "c"],
            "seed": 0,
            "aubc_accuracy": [0.7, 0.8, 0.9],
        }
    )
    aubcs.to_csv(tmp_path / "aubc.csv", index=False)
    spec = FigureSpec(model="m", strategies=["a", "b", "c"], baseline="a", metrics=["accuracy"])
    plot_critical_difference(tmp_path / "aubc.csv", tmp_path / "cd.png", spec)
    assert (tmp_path / "cd.png").read_bytes().startswith(b"\x89PNG")


def reference_band(values: list[float], n_boot: int = 1000) -> tuple[float, float]:
    """One band's percentile bootstrap interval of the mean, computed on its own: the sorted
    values resampled with indices drawn from a generator seeded 0."""
    data = np.sort(np.asarray(values, dtype=float))
    rows = np.random.default_rng(0).integers(0, len(data), size=(n_boot, len(data)))
    means = np.array([data[row].mean() for row in rows])
    return tuple(np.percentile(means, [2.5, 97.5]))


def test_bands_are_each_groups_seeded_bootstrap_interval_whatever_the_row_order():
    from albench.analysis.stats import percentile_bands

    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "strategy": np.repeat(["b", "a", "c"], [12, 8, 5]),
            "n_labeled": np.r_[np.tile([10, 20], 6), np.tile([10, 20], 4), [10, 10, 20, 20, 20]],
            "accuracy": rng.uniform(0.4, 0.9, 25),
        }
    )
    frame.loc[3, "accuracy"] = np.nan  # dropped: b at 20 has five values, not six
    bands = percentile_bands(frame, ["strategy", "n_labeled"], "accuracy")
    assert list(bands.index) == [("a", 10), ("a", 20), ("b", 10), ("b", 20), ("c", 10), ("c", 20)]
    for (strategy, n), row in bands.iterrows():
        values = frame.loc[
            (frame["strategy"] == strategy) & (frame["n_labeled"] == n), "accuracy"
        ].dropna()
        assert row["mean"] == pytest.approx(values.mean(), abs=1e-12)
        assert (row["low"], row["high"]) == pytest.approx(reference_band(values), abs=1e-12)
        assert row["low"] < row["mean"] < row["high"]
    shuffled = percentile_bands(
        frame.sample(frac=1, random_state=1), ["strategy", "n_labeled"], "accuracy"
    )
    pd.testing.assert_frame_equal(shuffled, bands, check_exact=False, rtol=0, atol=1e-12)


def test_a_band_of_one_value_is_undefined_and_of_equal_values_is_that_value():
    from albench.analysis.stats import percentile_bands

    frame = pd.DataFrame(
        {"strategy": ["a", "a", "a", "b", "b"], "n_labeled": 10, "f1": [0.5, 0.5, 0.5, 0.7, None]}
    )
    bands = percentile_bands(frame, ["strategy", "n_labeled"], "f1")
    assert tuple(bands.loc[("a", 10)]) == (0.5, 0.5, 0.5)
    assert bands.loc[("b", 10), "mean"] == 0.7
    assert np.isnan(bands.loc[("b", 10), "low"]) and np.isnan(bands.loc[("b", 10), "high"])


def test_the_learning_curves_draw_each_strategys_mean_and_band_in_its_colour(tmp_path, monkeypatch):
    from albench.figures import plots
    from albench.specs import FigureSpec

    rng = np.random.default_rng(0)
    names = ["random", "entropy", "margin"]
    curves = pd.DataFrame(
        [
            {"dataset": "d", "model": "m", "protocol": "default", "strategy": s, "seed": seed}
            | {"iteration": i, "n_labeled": 10 + 5 * i, "accuracy": rng.uniform(0.5, 0.9)}
            for s in names
            for seed in range(4)
            for i in range(6)
        ]
    )
    curves.to_parquet(tmp_path / "curves.parquet")
    drawn = {}
    monkeypatch.setattr(plots, "save_figure", lambda fig, output: drawn.update(fig=fig))
    spec = FigureSpec(
        model="m", strategies=names, baseline="random", metrics=["accuracy"], dataset="d"
    )
    plots.plot_learning_curves([tmp_path / "curves.parquet"], "curves.png", spec)
    top, bottom = drawn["fig"].axes[:2]
    colours = plots.strategy_colours(names, "random")
    lines = {line.get_label(): line for line in top.get_lines()}
    edges = [name for name in lines if name.startswith("_")]
    lines = {name: line for name, line in lines.items() if not name.startswith("_")}
    assert list(lines) == names and len(edges) == 2 * len(names)  # each band's dotted edges
    assert [t.get_text() for t in top.get_legend().get_texts()] == names
    assert lines["random"].get_linestyle() == "--" and lines["entropy"].get_linestyle() == "-"
    entropy = curves[curves["strategy"] == "entropy"]
    means = entropy.groupby("n_labeled")["accuracy"].mean()
    np.testing.assert_allclose(lines["entropy"].get_xydata(), np.c_[means.index, means])
    # The band: fill_between's polygon runs along the lows and back along the highs.
    band = top.collections[names.index("entropy")]
    assert band.get_alpha() == 0.14  # fainter as strategies are added: they overlap
    np.testing.assert_allclose(band.get_facecolor()[0][:3], colours["entropy"])
    edges = band.get_paths()[0].vertices[:, 1]
    for n, values in entropy.groupby("n_labeled")["accuracy"]:
        low, high = reference_band(values)
        assert np.isclose(edges, low).any() and np.isclose(edges, high).any(), n
    # The bottom row: differences to the baseline, one line and band for each other strategy.
    drawn_lines = [line.get_label() for line in bottom.get_lines()]
    assert [name for name in drawn_lines if not name.startswith("_")] == names[1:]
    assert len(bottom.collections) == 2
    import matplotlib.pyplot as plt

    plt.close(drawn["fig"])


def test_tied_ranks_are_named_because_they_share_one_marker():
    from albench.figures.plots import _ties

    ranks = pd.Series({"random": 4.0, "entropy": 2.6, "margin": 2.6, "badge": 1.2})
    assert _ties(ranks) == "\ntied (one marker each): entropy = margin (2.60)"
    assert _ties(pd.Series({"a": 1.0, "b": 2.0})) == ""


def test_the_protocols_figure_draws_the_equivalence_margin(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from albench.figures import plots
    from albench.specs import FigureSpec

    rows = []
    for protocol in ("a", "b"):
        for strategy, diff in (("random", 0.0), ("up", 0.02)):
            rows.append(
                {
                    "dataset": "d",
                    "model": "m",
                    "protocol": protocol,
                    "strategy": strategy,
                    "accuracy_diff": diff,
                    "accuracy_diff_ci_low": diff - 0.01,
                    "accuracy_diff_ci_high": diff + 0.01,
                    "accuracy_verdict": "better" if diff else "baseline",
                    "accuracy_margin": 0.01,
                }
            )
    pd.DataFrame(rows).to_csv(tmp_path / "comparison.csv", index=False)
    pd.DataFrame(columns=["dataset", "model", "protocol_a", "protocol_b", "kendall_tau_b"]).to_csv(
        tmp_path / "agreement.csv", index=False
    )
    drawn = {}
    monkeypatch.setattr(plots, "save_figure", lambda fig, output: drawn.update(fig=fig))
    spec = FigureSpec(
        model="m", strategies=["random", "up"], baseline="random", metrics=["accuracy"], dataset="d"
    )
    plots.plot_protocols(tmp_path / "comparison.csv", tmp_path / "agreement.csv", "x.png", spec)
    ax = drawn["fig"].axes[0]
    band = [p for p in ax.patches if p.get_alpha() == 0.08]
    assert len(band) == 1
    x0, x1 = band[0].get_x(), band[0].get_x() + band[0].get_width()
    assert (x0, x1) == (-0.01, 0.01)
    assert "±0.01: equivalent" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(drawn["fig"])


def test_no_two_labels_overlap_with_twelve_strategies_of_long_names(tmp_path, monkeypatch):
    """Every figure with 12 strategies and 6 data sets, every name 30 characters long: no two
    texts of a figure (titles, axis and tick labels, annotations, legend entries) overlap, and
    none runs off the figure."""
    from helpers import CELL

    from albench.analysis.agreement import ranking_agreement
    from albench.analysis.summary import comparison_table
    from albench.figures import plots
    from albench.figures.embedding_maps import plot_embedding_map
    from albench.io.curves import write_embeddings
    from albench.specs import CellSpec, FigureSpec, MapSpec

    rng = np.random.default_rng(0)
    names = [f"strategy_with_a_long_name_{i:03d}" for i in range(12)]
    datasets = [f"dataset_with_a_very_long_nm_{i:02d}" for i in range(6)]
    protocols = ("default", "cold_start_protocol_long_name")
    records = [
        {"dataset": d, "model": "m", "protocol": p, "strategy": s, "seed": seed, "value": v}
        for d in datasets
        for p in protocols
        for s in names
        for seed in range(8)
        for v in [0.8 + rng.normal(0, 0.02)]
    ]
    aubc = pd.DataFrame(records).rename(columns={"value": "aubc_accuracy"})
    aubc["final_accuracy"] = aubc["aubc_accuracy"]
    comparison = comparison_table(aubc, ["accuracy"], names[0])
    comparison.to_csv(tmp_path / "comparison.csv", index=False)
    aubc.to_csv(tmp_path / "aubc.csv", index=False)
    ranking_agreement(comparison, "accuracy").to_csv(tmp_path / "agreement.csv", index=False)
    groups = aubc.groupby(["dataset", "model", "protocol", "strategy"])
    summary = groups["aubc_accuracy"].mean().rename("aubc_accuracy_mean").reset_index()
    summary.to_csv(tmp_path / "summary.csv", index=False)
    cost = summary[["dataset", "model", "protocol", "strategy"]].assign(
        median_fit_seconds=0.01,
        median_query_seconds=rng.uniform(1e-3, 8e-3, len(summary)),
        median_score_seconds=0.001,
    )
    cost.to_csv(tmp_path / "cost.csv", index=False)
    curves = pd.DataFrame(
        [
            {"dataset": datasets[0], "model": "m", "protocol": protocols[1], "strategy": s}
            | {"seed": seed, "iteration": i, "n_labeled": 10 + 5 * i}
            | {"accuracy": 0.5 + 0.02 * i + rng.normal(0, 0.01), "f1_macro": 0.4 + 0.02 * i}
            for s in names
            for seed in range(3)
            for i in range(12)
        ]
    )
    curves.to_parquet(tmp_path / "curves.parquet")
    n = 120
    labels = rng.integers(0, 5, n)
    status = np.where(
        np.arange(n) < 20, "labelled", np.where(np.arange(n) < 25, "selected", "pool")
    )
    embeddings = pd.DataFrame({"iteration": 3, "index": np.arange(n), "label": labels})
    embeddings = embeddings.assign(
        status=status, e0=labels + rng.normal(size=n), e1=rng.normal(size=n)
    )
    classes = [f"class_with_a_long_name_{i:02d}_xxxxxx" for i in range(5)]
    cell = CellSpec(**CELL, seed=0)
    write_embeddings(embeddings, tmp_path / "embeddings.parquet", cell, classes)
    drawn = {}

    def capture(fig, output):
        fig.tight_layout()
        fig.canvas.draw()
        drawn[str(output)] = fig

    monkeypatch.setattr(plots, "save_figure", capture)
    monkeypatch.setattr("albench.figures.embedding_maps.save_figure", capture)
    spec = FigureSpec(model="m", strategies=names, baseline=names[0], metrics=["accuracy"])
    plots.plot_difference_heatmap(tmp_path / "comparison.csv", "heat map", spec)
    plots.plot_cost_benefit(tmp_path / "cost.csv", tmp_path / "summary.csv", "cost", spec)
    plots.plot_critical_difference(tmp_path / "aubc.csv", "critical difference", spec)
    one = dataclasses.replace(spec, dataset=datasets[0])
    plots.plot_protocols(tmp_path / "comparison.csv", tmp_path / "agreement.csv", "protocols", one)
    for metrics in (["accuracy"], ["accuracy", "f1_macro"]):
        update = {"metrics": metrics, "protocol": protocols[1]}
        curve_spec = dataclasses.replace(one, **update)
        plots.plot_learning_curves([tmp_path / "curves.parquet"], f"curves {metrics}", curve_spec)
    title = " / ".join([datasets[0], "model_with_a_long_name_xxxxxxx", *protocols[1:], names[1]])
    map_spec = MapSpec(title=f"{title} / seed 0: ", seed=0, iteration=3)
    plot_embedding_map(tmp_path / "embeddings.parquet", "map", map_spec)
    assert len(drawn) == 7
    for name, fig in drawn.items():
        renderer = fig.canvas.get_renderer()
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in figure_texts(fig)]
        # Tick labels may reach past the figure's edge by a few pixels; titles may not.
        page = fig.bbox.expanded(1.02, 1.02)
        for text, box in boxes:
            assert page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1), (
                f"{name}: {text!r} runs off the figure"
            )
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            assert not box_a.overlaps(box_b), f"{name}: {a!r} overlaps {b!r}"
        plt_close(fig)


def figure_texts(fig) -> list:
    """Every visible, non-empty text of `fig`: figure texts, and per axes its titles, axis
    labels, tick labels, annotations and legend (title and entries); a colour bar's too."""
    from matplotlib.legend import Legend

    texts = list(fig.texts)
    legends = list(fig.legends)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = (high - low) * 1e-9
            ticks = [*axis.get_major_ticks(), *axis.get_minor_ticks()]
            texts += [axis.label]
            texts += [t.label1 for t in ticks if low - slack <= t.get_loc() <= high + slack]
        legends += [child for child in ax.get_children() if isinstance(child, Legend)]
    for legend in legends:
        texts += [legend.get_title(), *legend.get_texts()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def plt_close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_a_log_axis_of_seconds_has_readable_labels_over_a_short_and_a_long_span():
    import matplotlib.pyplot as plt

    from albench.figures.plots import log_seconds_axis

    for low, high, labelled in ((8e-4, 6e-3, ["0.001", "0.002", "0.005"]), (1e-5, 30.0, None)):
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        ax.scatter([low, high], [0, 1])
        ax.set_xscale("log")
        log_seconds_axis(ax.xaxis)
        fig.canvas.draw()
        texts = [t for t in figure_texts(fig) if t in ax.xaxis.get_ticklabels(which="both")]
        shown = [t.get_text() for t in texts]
        if labelled:
            assert shown == labelled
        else:
            assert len(shown) >= 5 and all("10^{" in text for text in shown)
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in texts]
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
        plt.close(fig)


def test_the_palette_is_seaborns_colour_blind_one_then_evenly_spaced_hues():
    import seaborn as sns

    assert palette(10) == list(sns.color_palette("colorblind"))
    assert palette(3) == list(sns.color_palette("colorblind", n_colors=3))
    assert palette(12) == list(sns.color_palette("husl", n_colors=12))


def test_a_figure_job_imports_neither_seaborn_nor_scipy_stats():
    # A figure job in a process of its own (--executor local, a cluster's local rules) pays
    # every import: seaborn and scipy.stats are about 0.8 s of it, needed by a few figures only.
    code = (
        "import sys, albench.figures.plots, albench.figures.stopping, albench.figures.trust; "
        "print(sorted(m for m in ('seaborn', 'scipy.stats') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
