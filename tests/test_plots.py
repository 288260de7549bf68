import numpy as np
import pandas as pd

from albench.figures.plots import BASELINE_COLOUR, strategy_colours


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


def test_bootstrap_band_is_seeded_and_brackets_the_mean():
    from albench.analysis.stats import percentile_ci as bootstrap_ci

    values = pd.Series([0.1, 0.4, 0.35, 0.8, 0.5, 0.55])
    low, high = bootstrap_ci(values)
    assert low < values.mean() < high
    assert (low, high) == bootstrap_ci(values)
    assert bootstrap_ci(pd.Series([0.5, 0.5, 0.5])) == (0.5, 0.5)
    assert all(np.isnan(bootstrap_ci(pd.Series([0.5]))))


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
    assert any("±0.01: equivalent" in t.get_text() for t in ax.texts)
    plt.close(drawn["fig"])


def test_no_two_labels_overlap_with_twelve_strategies_of_long_names(tmp_path, monkeypatch):
    """The overall figures and the protocols figure with 12 strategies and 6 data sets, every
    name 30 characters long: no two tick labels, and no two texts, of an axis overlap."""
    import itertools

    from albench.analysis.agreement import ranking_agreement
    from albench.analysis.summary import comparison_table
    from albench.figures import plots
    from albench.specs import FigureSpec

    rng = np.random.default_rng(0)
    names = [f"strategy_with_a_long_name_{i:03d}" for i in range(12)]
    datasets = [f"dataset_with_a_very_long_nm_{i:02d}" for i in range(6)]
    records = [
        {"dataset": d, "model": "m", "protocol": p, "strategy": s, "seed": seed, "value": v}
        for d in datasets
        for p in ("default", "cold_start_protocol_long_name")
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
    drawn = {}

    def capture(fig, output):
        fig.tight_layout()
        fig.canvas.draw()
        drawn[str(output)] = fig

    monkeypatch.setattr(plots, "save_figure", capture)
    spec = FigureSpec(model="m", strategies=names, baseline=names[0], metrics=["accuracy"])
    plots.plot_difference_heatmap(tmp_path / "comparison.csv", "heat map", spec)
    plots.plot_cost_benefit(tmp_path / "cost.csv", tmp_path / "summary.csv", "cost", spec)
    plots.plot_critical_difference(tmp_path / "aubc.csv", "critical difference", spec)
    one = FigureSpec(
        model="m", strategies=names, baseline=names[0], metrics=["accuracy"], dataset=datasets[0]
    )
    plots.plot_protocols(tmp_path / "comparison.csv", tmp_path / "agreement.csv", "protocols", one)
    assert len(drawn) == 4
    for name, fig in drawn.items():
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            groups = [ax.texts]
            groups += [
                [t for t in axis.get_ticklabels(which="both") if t.get_visible()]
                for axis in (ax.xaxis, ax.yaxis)
            ]
            for texts in groups:
                boxes = [
                    (t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()
                ]
                for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
                    assert not box_a.overlaps(box_b), f"{name}: {a!r} overlaps {b!r}"
        plt_close(fig)


def plt_close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)
