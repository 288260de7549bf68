"""What the explorer page (results/explorer.html, `albench.explorer`) weighs and costs: its
size, the seconds to write it, and its time to interactive in headless Chromium.

Usage: python benchmarks/explorer_page.py [--results results] [--configfile config/config.yaml]
           [--loads 5] [--grid 20000] [--libraries]

Builds the page of a finished run (the default config's unless given) as its rule does, and
loads it `--loads` times in Debian's headless Chromium with the network off, printing the median
time from navigation to the page's first full render (`albenchExplorer.ready`; target: 2 s, size
at most 5 MB). `--grid N` also builds the page of a synthetic grid of about N cells (5 models x
10 strategies x 10 seeds x N / 500 data sets, 21 budgets; target: at most 30 MB). `--libraries`
compares the plotting libraries the page could be built on: a one-pair page of the same curves
with Plotly (JavaScript inline; needs `pip install plotly`) and with Bokeh (inline resources).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from helpers import chrome_driver, validated, wait_for  # noqa: E402

from albench.explorer.data import explorer_data  # noqa: E402
from albench.explorer.page import write_page  # noqa: E402
from albench.plan.grid import explorer_spec  # noqa: E402
from albench.specs import ExplorerSpec  # noqa: E402

TABLES = ("comparison", "ranks", "label_savings", "cost", "stopping")


def tables_of(results: Path) -> dict[str, Path]:
    tables = {t: results / "summary" / f"{t}.csv" for t in TABLES}
    return {**tables, "curves": results / "summary" / "curves.parquet"}


def build(tables: dict[str, Path], verdict: Path, spec: ExplorerSpec, page: Path) -> float:
    start = time.perf_counter()
    write_page(explorer_data(tables, verdict, spec), page)
    return time.perf_counter() - start


def time_to_interactive(page: Path, loads: int, ready: str) -> list[float]:
    """Milliseconds from navigation to `ready` (a script returning a performance.now() time)."""
    times = []
    with tempfile.TemporaryDirectory() as profile:
        driver = chrome_driver(Path(profile))
        try:
            for _ in range(loads):
                driver.get(page.as_uri())
                times.append(float(wait_for(driver, ready, timeout=120)))
        finally:
            driver.quit()
    return times


def synthetic_grid(folder: Path, cells: int) -> tuple[dict[str, Path], Path, ExplorerSpec]:
    """Summary tables of a grid of about `cells` cells, the shapes a real run writes."""
    rng = np.random.default_rng(0)
    models = [f"model{i}" for i in range(5)]
    strategies = ["random", *[f"strategy{i}" for i in range(9)]]
    datasets = [f"dataset{i:03d}" for i in range(max(cells // 500, 1))]
    budgets = 10 + 5 * np.arange(21)
    metrics = ["accuracy", "balanced_accuracy", "f1_macro"]
    index = pd.MultiIndex.from_product(
        [datasets, models, ["default"], strategies, range(10), budgets],
        names=["dataset", "model", "protocol", "strategy", "seed", "n_labeled"],
    ).to_frame(index=False)
    for metric in metrics:
        index[metric] = 1 - 0.5 * np.exp(-index["n_labeled"] / 40) + rng.normal(0, 0.02, len(index))
    index.to_parquet(folder / "curves.parquet")
    pairs = index[["dataset", "model", "protocol", "strategy"]].drop_duplicates()
    others = pairs[pairs["strategy"] != "random"].copy()
    others["n_seeds"] = 10
    for metric in metrics:
        others[f"aubc_{metric}_mean"] = 0.8
        others[f"{metric}_diff"] = rng.normal(0, 0.01, len(others))
        others[f"{metric}_diff_ci_low"] = others[f"{metric}_diff"] - 0.01
        others[f"{metric}_diff_ci_high"] = others[f"{metric}_diff"] + 0.01
        others[f"{metric}_p_holm"] = rng.uniform(0, 1, len(others))
        others[f"{metric}_verdict"] = rng.choice(["better", "worse", "undecided"], len(others))
        others[f"{metric}_seeds_to_decide"] = 20.0
    others.to_csv(folder / "comparison.csv", index=False)
    ranks = pd.MultiIndex.from_product(
        [models, ["default"], strategies, metrics],
        names=["model", "protocol", "strategy", "metric"],
    ).to_frame(index=False)
    ranks.assign(mean_rank=5.0, n_datasets=len(datasets), friedman_p=0.01).to_csv(
        folder / "ranks.csv", index=False
    )
    savings = pairs.assign(metric="accuracy", full_pool_mean=0.9)
    for share in ("0.95", "0.99"):
        savings = savings.assign(
            **{
                f"labels_{share}_median": 50.0,
                f"saved_{share}_vs_baseline": 5.0,
                f"saved_{share}_ci_low": 1.0,
                f"saved_{share}_ci_high": 9.0,
            }
        )
    savings.to_csv(folder / "label_savings.csv", index=False)
    pairs.assign(median_query_seconds=0.01).to_csv(folder / "cost.csv", index=False)
    criteria = [f"criterion{i}" for i in range(12)]
    stopping = pairs.merge(pd.DataFrame({"criterion": criteria}), how="cross")
    stopping.assign(labels=60.0, stopped_share=0.9, regret_1000_1=10.0).to_csv(
        folder / "stopping.csv", index=False
    )
    verdict = folder / "verdict.txt"
    verdict.write_text("albench verdict: does any strategy beat random?\nA synthetic grid.\n")
    spec = ExplorerSpec(
        baseline="random",
        strategies=strategies,
        metrics={"classification": metrics},
        tasks=dict.fromkeys(datasets, "classification"),
    )
    tables = {t: folder / f"{t}.csv" for t in TABLES}
    return {**tables, "curves": folder / "curves.parquet"}, verdict, spec


def library_pages(tables: dict[str, Path], folder: Path) -> None:
    """One pair's mean curves drawn with Plotly and with Bokeh, every script inline."""
    from bokeh.embed import file_html
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    curves = pd.read_parquet(tables["curves"])
    first = curves.iloc[0]
    pair = curves[(curves["dataset"] == first["dataset"]) & (curves["model"] == first["model"])]
    means = pair.groupby(["strategy", "n_labeled"])["accuracy"].mean()
    # Plotly draws synchronously on load; Bokeh renders after, until its document is idle.
    ready = """<script>
    const done = () => {
      const doc = window.Bokeh && Bokeh.documents[0];
      const idle = doc && (typeof doc.is_idle === "function" ? doc.is_idle() : doc.is_idle);
      if (!window.Bokeh || idle) window.ready = performance.now();
      else requestAnimationFrame(done);
    };
    window.addEventListener("load", () => requestAnimationFrame(done));
    </script>"""
    plot = figure(height=420, sizing_mode="stretch_width")
    for strategy, series in means.groupby(level=0):
        plot.line(series.index.get_level_values(1), series.to_numpy(), legend_label=strategy)
    html = file_html(plot, INLINE, "bokeh")
    pages = {"bokeh": html.replace("</body>", ready + "</body>")}
    try:
        import plotly.graph_objects as go
    except ImportError:
        print("plotly: not installed (pip install plotly to compare it)")
    else:
        fig = go.Figure()
        for strategy, series in means.groupby(level=0):
            fig.add_scatter(x=series.index.get_level_values(1), y=series.to_numpy(), name=strategy)
        html = fig.to_html(include_plotlyjs=True, full_html=True)
        pages["plotly"] = html.replace("</body>", ready + "</body>")
    for name, html in pages.items():
        page = folder / f"{name}.html"
        page.write_text(html)
        loads = time_to_interactive(page, 5, "return window.ready")
        print(
            f"{name}: one-pair page {page.stat().st_size / 1e6:.2f} MB, time to interactive "
            f"{statistics.median(loads):.0f} ms (median of 5)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(REPO / "results"))
    parser.add_argument("--configfile", default=str(REPO / "config/config.yaml"))
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--grid", type=int, default=0)
    parser.add_argument("--libraries", action="store_true")
    args = parser.parse_args()

    results = Path(args.results)
    tables = tables_of(results)
    config = validated(yaml.safe_load(Path(args.configfile).read_text()))
    spec = explorer_spec(config, [args.configfile])
    ready = "return window.albenchExplorer && window.albenchExplorer.ready"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        page = folder / "explorer.html"
        seconds = build(tables, results / "verdict.txt", spec, page)
        loads = time_to_interactive(page, args.loads, ready)
        print(
            f"{results}: page {page.stat().st_size / 1e6:.2f} MB (target: at most 5), written in "
            f"{seconds:.2f} s; time to interactive {statistics.median(loads):.0f} ms (median of "
            f"{args.loads}: {', '.join(f'{t:.0f}' for t in loads)}; target: at most 2000)"
        )
        if args.grid:
            grid_tables, verdict, grid_spec = synthetic_grid(folder, args.grid)
            seconds = build(grid_tables, verdict, grid_spec, folder / "grid.html")
            size = (folder / "grid.html").stat().st_size / 1e6
            loads = time_to_interactive(folder / "grid.html", 1, ready)
            n = len(grid_spec.tasks) * 5 * 10 * 10
            print(
                f"synthetic grid of {n} cells: page {size:.1f} MB (target: at most 30), written "
                f"in {seconds:.1f} s; time to interactive {loads[0]:.0f} ms"
            )
        if args.libraries:
            library_pages(tables, folder)


if __name__ == "__main__":
    main()
