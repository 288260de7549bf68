"""The explorer page: Bokeh figures whose data the page's script fills from the run's data,
in a Jinja2 template, with every script, style and datum inline (it works from file:// with
no network)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from albench.io.files import write_text

# Bokeh's figures are built empty here and filled by explorer.js from the page's data: the
# page carries each number once, not once per figure state.
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def _asset(name: str) -> str:
    return resources.files("albench.explorer").joinpath("templates", name).read_text()


def curves_figure(strategies: list[str], colours: dict[str, str], baseline: str):
    """Return the learning-curve figure: per strategy a band and a mean line (the baseline
    dashed) fed by a data source named `curve-<strategy>`, each seed's curve (`seeds-<strategy>`,
    empty unless the page carries seeds), a legend that hides a strategy on
    click, a hover that reads every strategy's value at a budget, and the stopping criteria's
    mean stops (source `stops`)."""
    from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem
    from bokeh.plotting import figure

    plot = figure(
        name="curves",
        height=420,
        sizing_mode="stretch_width",
        tools=TOOLS,
        x_axis_label="labelled samples",
        toolbar_location="above",
    )
    items, lines = [], []
    for strategy in strategies:
        source = ColumnDataSource(
            {"x": [], "mean": [], "low": [], "high": [], "strategy": []},
            name=f"curve-{strategy}",
        )
        colour = colours[strategy]
        each = ColumnDataSource({"xs": [], "ys": []}, name=f"seeds-{strategy}")
        spaghetti = plot.multi_line(
            "xs", "ys", source=each, line_color=colour, line_alpha=0.3, line_width=0.8
        )
        band = plot.varea(
            "x",
            "low",
            "high",
            source=source,
            fill_color=colour,
            fill_alpha=0.12,
            name=f"band-{strategy}",
        )
        line = plot.line(
            "x",
            "mean",
            source=source,
            line_color=colour,
            line_width=2,
            line_dash="dashed" if strategy == baseline else "solid",
            name=f"line-{strategy}",
        )
        lines.append(line)
        items.append(
            LegendItem(label=strategy, renderers=[line, band, spaghetti], name=f"item-{strategy}")
        )
    stops = ColumnDataSource(
        {"x": [], "y": [], "criterion": [], "strategy": [], "colour": [], "stopped": []},
        name="src-stops",
    )
    marks = plot.scatter(
        "x",
        "y",
        source=stops,
        marker="inverted_triangle",
        size=9,
        fill_color="colour",
        line_color="white",
        name="stop-marks",
    )
    items.append(LegendItem(label="criteria's mean stops", renderers=[marks], name="item-stops"))
    legend = Legend(items=items, click_policy="hide", name="legend")
    plot.add_layout(legend, "right")  # beside the curves, never over them
    plot.add_tools(
        HoverTool(
            renderers=lines,
            mode="vline",
            tooltips=[
                ("", "@strategy"),
                ("labels", "@x"),
                ("mean", "@mean{0.0000}"),
                ("95 %", "[@low{0.0000}, @high{0.0000}]"),
            ],
        ),
        HoverTool(
            renderers=[marks],
            tooltips=[
                ("criterion", "@criterion"),
                ("strategy", "@strategy"),
                ("labels at its stop", "@x{0.0} (mean over seeds)"),
                ("stopped in", "@stopped{0%} of the seeds"),
            ],
        ),
    )
    return plot


def ranks_figure(strategies: list[str]):
    """Return the ranks figure: each strategy's mean rank across data sets (1 is best), with
    the Friedman test's p-value in its title (source `ranks`)."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    source = ColumnDataSource({"rank": [], "strategy": [], "colour": []}, name="src-ranks")
    plot = figure(
        name="ranks",
        y_range=list(reversed(strategies)),
        height=60 + 28 * len(strategies),
        sizing_mode="stretch_width",
        tools="save",
        x_axis_label="mean rank across data sets (1 = best)",
        toolbar_location=None,
    )
    plot.scatter(
        "rank", "strategy", source=source, size=12, fill_color="colour", line_color="colour"
    )
    plot.segment(
        1, "strategy", "rank", "strategy", source=source, line_color="colour", line_width=2
    )
    plot.add_tools(HoverTool(tooltips=[("", "@strategy"), ("mean rank", "@rank{0.00}")]))
    return plot


def cost_figure():
    """Return the cost-against-benefit figure: each strategy's median query time (log axis)
    against its AUBC difference to the baseline with its 95 % interval (source `cost`)."""
    from bokeh.models import (
        ColumnDataSource,
        CustomJSTickFormatter,
        FixedTicker,
        HoverTool,
        Span,
    )
    from bokeh.plotting import figure

    source = ColumnDataSource(
        {"seconds": [], "diff": [], "low": [], "high": [], "strategy": [], "colour": []},
        name="src-cost",
    )
    plot = figure(
        name="cost",
        height=320,
        sizing_mode="stretch_width",
        x_axis_type="log",
        tools="pan,wheel_zoom,reset,save",
        x_axis_label="median seconds per query (log)",
        toolbar_location="above",
    )
    plot.segment(
        "seconds", "low", "seconds", "high", source=source, line_color="colour", line_width=2
    )
    plot.scatter("seconds", "diff", source=source, size=11, fill_color="colour", line_color="white")
    # Ticks at 1, 2 and 5 of each decade the data spans (set by the page's script), read as
    # plain numbers (0.002), not 2.000e-3.
    plot.xaxis.ticker = FixedTicker(ticks=[], name="cost-ticks")
    plot.xaxis.formatter = CustomJSTickFormatter(code="return String(+tick.toPrecision(2));")
    plot.add_layout(Span(location=0, dimension="width", line_color="grey", line_dash="dashed"))
    plot.add_tools(
        HoverTool(
            tooltips=[
                ("", "@strategy"),
                ("seconds per query", "@seconds{0.0000}"),
                ("AUBC difference", "@diff{+0.0000} [@low{+0.0000}, @high{+0.0000}]"),
            ]
        )
    )
    return plot


def page_json(data: dict[str, Any]) -> str:
    """Return `data` as JSON safe inside a <script> element."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(data: dict[str, Any]) -> str:
    """Return the explorer page of `data` (`albench.explorer.data.explorer_data`)."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    strategies, colours = data["strategies"], data["colours"]
    figures = [
        curves_figure(strategies, colours, data["baseline"]),
        ranks_figure(strategies),
        cost_figure(),
    ]
    return file_html(
        figures,
        resources=INLINE,
        title=data["title"],
        template=_asset("explorer.html"),
        template_variables={
            "data_json": page_json(data),
            "explorer_js": _asset("explorer.js"),
            "explorer_css": _asset("explorer.css"),
            "summary": data["summary"],
            "baseline": data["baseline"],
            "verdict": data["verdict"],
        },
    )


def write_page(data: dict[str, Any], path: str | Path) -> None:
    """Write the explorer page of `data` to `path`, whole or not at all."""
    write_text(path, render_page(data))
