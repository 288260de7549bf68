"""End-to-end runs of the real workflow on a tiny config, the way a user runs it."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import (
    REPO,
    apt_get,
    chrome_driver,
    planned_cells,
    planned_jobs,
    small_config,
    snakemake,
    validated,
    wait_for,
    write_config,
)

from albench.analysis.verdict import verdict_text
from albench.plan.grid import verdict_spec

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A workdir in which the small benchmark has run to completion."""
    workdir = tmp_path_factory.mktemp("bench")
    write_config(workdir, small_config())
    proc = snakemake(workdir, "--configfile", "bench.yaml", "--cores", "2")
    (workdir / "run.out").write_text(proc.stdout + proc.stderr)
    return workdir


def test_a_run_shows_progress_not_job_blocks(finished):
    output = (finished / "run.out").read_text()
    assert "albench: cells 12/12 (100 %) · jobs" in output
    assert "rule al_cell:" not in output and "localrule verdict:" not in output
    # Snakemake's complete log (with every job block) is kept, and the full output is one
    # flag away.
    log = re.search(r"Complete log\(s\): (\S+)", output)[1]
    assert "rule al_cell:" in Path(log).read_text()
    proc = snakemake(
        finished,
        "--configfile",
        "bench.yaml",
        "--cores",
        "1",
        "-R",
        "verdict",
        "--logger-albench-full",
    )
    assert "localrule verdict:" in proc.stdout + proc.stderr


def test_every_output_exists_with_its_schema(finished):
    results = finished / "results"
    cells = sorted((results / "curves").rglob("*.parquet"))
    assert len(cells) == 2 * 1 * 3 * 2
    curve = pq.read_table(cells[0])
    assert curve.schema.names == [
        "dataset",
        "model",
        "protocol",
        "strategy",
        "seed",
        "iteration",
        "n_labeled",
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "fit_seconds",
        "query_seconds",
        "score_seconds",
        "fallback_model",
    ]
    assert str(curve.schema.field("seed").type) == "int64"
    assert curve.num_rows == 4
    selection = pq.read_table(results / "selections/iris/default/logreg/badge/seed1.parquet")
    assert selection.schema.names == ["iteration", "index", "label", "true_label"]
    assert selection.column("label").equals(selection.column("true_label"))  # an exact oracle
    assert selection.num_rows == 3 * 4
    split = pd.read_parquet(results / "splits/moons/default/seed0.parquet")
    assert split["role"].value_counts().to_dict() == {"pool": 84, "test": 30, "initial": 6}
    data = pd.read_parquet(results / "data/iris.parquet")
    assert list(data.columns) == ["x0", "x1", "x2", "x3", "label"]

    curves = pd.read_parquet(results / "summary/curves.parquet")
    assert len(curves) == 12 * 4
    aubc = pd.read_csv(results / "summary/aubc.csv")
    assert len(aubc) == 12 and aubc["aubc_accuracy"].between(0, 1).all()
    summary = pd.read_csv(results / "summary/aubc_summary.csv")
    assert len(summary) == 6 and (summary["n_seeds"] == 2).all()
    assert (summary["aubc_f1_macro_ci_low"] <= summary["aubc_f1_macro_mean"]).all()
    comparison = pd.read_csv(results / "summary/comparison.csv")
    assert len(comparison) == 6
    assert set(comparison["accuracy_verdict"]) <= {
        "baseline",
        "better",
        "worse",
        "equivalent",
        "undecided",
        "too few seeds to tell",
    }
    assert len(pd.read_csv(results / "summary/cost.csv")) == 6
    savings = pd.read_csv(results / "summary/label_savings.csv")
    assert len(savings) == 6 and savings["full_pool_mean"].between(0, 1).all()
    base = savings[savings["strategy"] == "random"]
    assert (base["saved_0.95_vs_baseline"] == 0).all()  # paired with itself, seed by seed
    assert (savings["saved_0.95_ci_low"] <= savings["saved_0.95_vs_baseline"]).all()
    assert len(list((results / "full_pool").rglob("*.parquet"))) == 2 * 1 * 2
    assert set(pd.read_csv(results / "summary/ranks.csv")["strategy"]) == {
        "random",
        "entropy",
        "badge",
    }
    for figure in (
        "iris__logreg__default.png",
        "moons__logreg__default.png",
        "overall/aubc_difference__logreg__default.png",
        "overall/cost_benefit__logreg__default.png",
        "overall/critical_difference__logreg__default.png",
    ):
        png = (results / "figures" / figure).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert (finished / "logs/al_cell/iris/default/logreg/badge/seed1.log").exists()


def test_strategies_of_one_seed_are_paired(finished):
    curves = pd.read_parquet(finished / "results/summary/curves.parquet")
    first = curves[curves["iteration"] == 0]
    spread = first.groupby(["dataset", "seed"])["accuracy"].nunique()
    assert (spread == 1).all()


def test_up_to_date_run_does_nothing(finished):
    proc = snakemake(finished, "--configfile", "bench.yaml", "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_too_few_seeds_are_announced_before_the_run(finished):
    # The small benchmark's 2 seeds cannot show a difference; the plan says so up front.
    proc = snakemake(finished, "--configfile", "bench.yaml", "-n")
    assert "albench: seeds: 2 seed(s) cannot show any strategy better or worse" in proc.stdout
    comparison = pd.read_csv(finished / "results/summary/comparison.csv")
    compared = comparison[comparison["strategy"] != "random"]
    assert (compared["accuracy_verdict"] == "too few seeds to tell").all()


def test_the_run_ends_with_the_verdict_of_its_tables(finished):
    verdict = finished / "results/verdict.txt"
    text = verdict.read_text()
    summary = finished / "results/summary"
    spec = verdict_spec(validated(small_config()), ["bench.yaml"])
    assert spec.config_fingerprint and spec.results == "results"
    tables = pd.read_csv(summary / "comparison.csv"), pd.read_csv(summary / "label_savings.csv")
    warnings = pd.read_csv(summary / "warnings.csv")
    stops = pd.read_csv(summary / "stops.csv")
    blind = pd.read_csv(summary / "blind_pick_summary.csv")  # two data sets: none
    assert blind.empty
    assert text == verdict_text(*tables, spec, warnings=warnings, stops=stops, blind=blind)
    assert "  stop with " in text or "  stop: no " in text
    assert f"\nConfig: bench.yaml (fingerprint {spec.config_fingerprint})\n" in text
    verdict.unlink()
    proc = snakemake(finished, "--configfile", "bench.yaml", "--cores", "1")
    # It ends with the verdict, then the report command of this run's config.
    report = "The HTML report: snakemake --report results/report.html --configfile bench.yaml"
    assert proc.stdout.rstrip().endswith(text + report)
    # a later run that does not rewrite it does not print an old verdict
    proc = snakemake(finished, "--configfile", "bench.yaml", "--cores", "1", "-R", "plot_heatmap")
    assert "albench verdict" not in proc.stdout


# What new cells of both data sets of the small config rerun downstream of them.
DOWNSTREAM = {
    "summarise_dataset": 2,
    "summarise_stopping": 2,
    "plot_stops": 2,
    "plot_stopping_overview": 1,
    "plot_stopping_ranks": 1,
    "aggregate": 1,
    "aggregate_stopping": 1,
    "plot_curves": 2,
    "plot_heatmap": 1,
    "plot_cost_benefit": 1,
    "plot_critical_difference": 1,
    "plot_stability": 1,
    "blind_pick": 1,
    "verdict": 1,
    "explorer": 1,
    "all": 1,
}


def test_editing_one_strategy_reruns_only_its_cells(finished):
    config = small_config()
    config["strategies"]["entropy"]["params"]["method"] = "least_confident"
    write_config(finished, config, "edited.yaml")
    proc = snakemake(finished, "--configfile", "edited.yaml", "-n")
    assert {c.split("/")[3] for c in planned_cells(proc)} == {"entropy"}
    assert planned_jobs(proc) == {"al_cell": 4, **DOWNSTREAM}


@pytest.mark.parametrize(
    "stopping",
    [
        {"criteria": {"fixed": {"criterion": "fixed_budget", "params": {"labels": 10}}}},
        {"costs": [[500, 1]]},
        {"plateau_margin": 0.02},
    ],
)
def test_changing_the_stopping_criteria_reruns_no_cell(finished, stopping):
    config = small_config()
    config["stopping"] = stopping
    write_config(finished, config, "stopping.yaml")
    proc = snakemake(finished, "--configfile", "stopping.yaml", "-n")
    assert planned_jobs(proc) == {
        "summarise_stopping": 2,
        "aggregate_stopping": 1,
        "plot_stops": 2,
        "plot_stopping_overview": 1,
        "plot_stopping_ranks": 1,
        "verdict": 1,
        "explorer": 1,
        "all": 1,
    }


def test_adding_a_seed_runs_only_its_cells(finished):
    config = small_config()
    config["seeds"] = [0, 1, 2]
    write_config(finished, config, "more_seeds.yaml")
    proc = snakemake(finished, "--configfile", "more_seeds.yaml", "-n")
    assert {c.rsplit("/", 1)[1] for c in planned_cells(proc)} == {"seed2"}
    assert planned_jobs(proc) == {"split": 2, "al_cell": 6, "full_pool": 2, **DOWNSTREAM}


def test_adding_a_data_set_reruns_nothing_old(finished):
    config = small_config()
    config["datasets"]["wine"] = {"source": "sklearn", "name": "wine"}
    write_config(finished, config, "more_data.yaml")
    proc = snakemake(finished, "--configfile", "more_data.yaml", "-n")
    assert {c.split("/")[0] for c in planned_cells(proc)} == {"wine"}
    assert planned_jobs(proc)["al_cell"] == 6
    assert planned_jobs(proc)["plot_curves"] == 1
    assert planned_jobs(proc)["summarise_dataset"] == 1  # the old data sets' tables stand


def test_user_config_replaces_the_default(finished):
    """The default's data sets must not be merged into the user's benchmark."""
    proc = snakemake(finished, "--configfile", "bench.yaml", "-n", "--forceall")
    datasets = {c.split("/")[0] for c in planned_cells(proc)}
    assert datasets == {"iris", "moons"}


def test_default_config_is_used_without_configfile(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(REPO / "config" / "config.yaml", tmp_path / "config" / "config.yaml")
    proc = snakemake(tmp_path, "-n")
    assert {c.split("/")[0] for c in planned_cells(proc)} == {
        "iris",
        "wine",
        "breast_cancer",
        "digits",
        "moons",
    }
    assert planned_jobs(proc)["al_cell"] == 500


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["protocol"].update(iterations=40), "protocol: data set 'iris'"),
        (lambda c: c["protocol"].update(metrics=["auroc"]), "auroc"),
        (lambda c: c.update(baseline="nope"), "baseline: 'nope'"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, edit, message):
    config = small_config()
    edit(config)
    write_config(tmp_path, config)
    proc = snakemake(tmp_path, "--configfile", "bench.yaml", "--cores", "1", check=False)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()


def test_mixed_sources_and_tasks_run_end_to_end(tmp_path):
    """A config mixing file, synthetic, sklearn and cached OpenML sets with two models, and a
    regression data set with a regressor and a regression strategy: each cell runs on its
    task, scored with its task's metrics, and the verdict judges each on its own."""
    from helpers import animal_table as table

    from albench.data.sources import OPENML_LABEL

    table(90).to_csv(tmp_path / "animals.csv", index=False)
    (tmp_path / "cache").mkdir()
    table(90, seed=1).rename(columns={"animal": OPENML_LABEL}).to_parquet(
        tmp_path / "cache" / "40.parquet"
    )
    config = {
        "datasets": {
            "animals": {"source": "file", "path": "animals.csv", "label": "animal"},
            "blobs": {
                "source": "synthetic",
                "generator": "make_blobs",
                "params": {"n_samples": 90},
            },
            "wine": {"source": "sklearn", "name": "wine"},
            "cached": {"source": "openml", "id": 40, "cache_dir": "cache"},
            "friedman": {
                "source": "synthetic",
                "generator": "make_friedman1",
                "params": {"n_samples": 90},
            },
        },
        "models": {
            "logreg": {"estimator": "sklearn.linear_model.LogisticRegression"},
            "mlp": {
                "estimator": "albench.models.EmbeddingMLPClassifier",
                "params": {"hidden_layer_sizes": [8], "max_iter": 100},
            },
            "ridge": {"estimator": "sklearn.linear_model.Ridge"},
        },
        "strategies": {
            "random": {"query": "RandomSampling"},
            "badge": {"query": "Badge"},
            "gsy": {"query": "GreedySamplingTarget", "params": {"method": "GSy"}},
        },
        "seeds": 1,
        "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 2},
    }
    write_config(tmp_path, config)
    proc = snakemake(tmp_path, "--configfile", "bench.yaml", "--cores", "2")
    assert "it runs without ['logreg', 'mlp', 'badge'] (of the other task)" in proc.stderr
    curves = pd.read_parquet(tmp_path / "results/summary/curves.parquet")
    classified = curves[curves["dataset"] != "friedman"]
    assert classified.groupby(["dataset", "model", "strategy"]).ngroups == 4 * 2 * 2
    assert set(classified["strategy"]) == {"random", "badge"}
    assert classified["rmse"].isna().all() and classified["accuracy"].notna().all()
    regression = curves[curves["dataset"] == "friedman"]
    assert set(regression["model"]) == {"ridge"} and set(regression["strategy"]) == {
        "random",
        "gsy",
    }
    assert regression["accuracy"].isna().all() and regression["rmse"].notna().all()
    assert set(curves["n_labeled"]) == {6, 10, 14}
    assert len(list((tmp_path / "results/figures").glob("*.png"))) == 4 * 2 + 1
    verdict = (tmp_path / "results/verdict.txt").read_text()
    assert "of accuracy / rmse minus random's" in " ".join(verdict.split())
    assert "friedman × ridge:\n  too few seeds to tell: gsy " in verdict


def chromium() -> str:
    """Return the path of Debian's headless-capable Chromium, installing it if missing."""
    path = shutil.which("chromium")
    if path is None:
        install = ("install", "-y", "-q", "chromium")
        if apt_get(*install, check=False).returncode != 0:
            apt_get("update", "-q")
            apt_get(*install)
        path = shutil.which("chromium")
    assert path, "chromium could not be installed"
    return path


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=8000",
]


def test_a_report_of_another_config_is_refused_and_a_results_dir_keeps_runs_apart(finished):
    other = small_config()
    other["seeds"] = 3
    write_config(finished, other, "other.yaml")
    proc = snakemake(finished, "--configfile", "other.yaml", "--report", "x.html", check=False)
    assert proc.returncode != 0 and not (finished / "x.html").exists()
    assert "results/verdict.txt is the verdict of bench.yaml (fingerprint " in proc.stderr
    assert "give each config its own results_dir" in proc.stderr
    # With a folder of its own, the other config plans every job there, none in results/.
    other["results_dir"] = "runs/other"
    write_config(finished, other, "other.yaml")
    plan = snakemake(finished, "--configfile", "other.yaml", "-n", "--cores", "1").stdout
    outputs = re.findall(r"^\s+output: (.*)$", plan, re.M)
    logs = re.findall(r"^\s+log: (.*)$", plan, re.M)
    assert outputs and logs
    paths = [p.strip() for line in outputs + logs for p in line.split(",")]
    assert all(p.startswith("runs/other/") for p in paths), paths
    assert any(p.startswith("runs/other/logs/al_cell/") for p in paths)


def test_report_embeds_every_figure_and_renders_in_a_browser(finished, tmp_path):
    import base64
    import html as html_module
    import json

    snakemake(finished, "--configfile", "bench.yaml", "--report", "results/report.html")
    html = (finished / "results/report.html").read_text()
    embedded = re.search(
        r'<script id="results">\s*var results = (\{.*?\});\s*</script>', html, re.S
    )
    results = json.loads(embedded[1])
    figures = [
        p.relative_to(finished).as_posix() for p in (finished / "results/figures").rglob("*.png")
    ]
    assert len(figures) == 2 + 4 + 2 + 2  # curves, overall (with stability), stops, stopping
    for figure in figures:
        uri = results[figure]["data_uri"]
        assert uri.startswith("data:image/png")
        assert base64.b64decode(uri.split("base64,", 1)[1]).startswith(b"\x89PNG")
        assert results[figure]["caption"]
    for table in (
        "comparison",
        "ranks",
        "cost",
        "label_savings",
        "aubc_summary",
        "stopping",
        "stability",
    ):
        assert f"results/summary/{table}.csv" in results
    # captions say how many seeds, which test and which interval
    assert "over 2 seeds" in results["results/figures/iris__logreg__default.png"]["caption"]
    comparison_caption = results["results/summary/comparison.csv"]["caption"]
    assert "paired over 2 seeds" in comparison_caption and "Wilcoxon" in comparison_caption
    assert "BCa" in comparison_caption

    browser = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    url = (finished / "results/report.html").as_uri()
    dom = subprocess.run(
        [*browser, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    # The page's script ran and built the navigation from the report's categories.
    for category in ("Learning curves", "Overall", "Summary", "Verdict"):
        assert f"<span>{category}</span>" in dom
    # The landing page opens on the question, the verdict in words and the design.
    text = re.sub(r"<[^>]+>", "", dom)
    assert "Does any active-learning query strategy beat random sampling" in text
    verdict = (finished / "results/verdict.txt").read_text()
    assert html_module.escape(verdict.splitlines()[0], quote=False) in text
    assert "With 2 seeds no comparison can be significant" in " ".join(text.split())
    assert "Data sets: iris, moons. Models: logreg." in " ".join(text.split())
    shot = finished / "results/report.png"
    subprocess.run(
        [*browser, "--window-size=1400,1000", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes().startswith(b"\x89PNG")
    # Its first screen shows the question and the answer: the centred landing page is short
    # enough that its top is not pushed above the window (where it cannot be scrolled to).
    driver = chrome_driver(tmp_path / "driver-profile")
    try:
        driver.get(url)
        top = wait_for(
            driver,
            """const q = [...document.querySelectorAll('strong')]
                 .find((e) => e.textContent.startsWith('Does any'));
               return q && String(q.getBoundingClientRect().top);""",
        )
        assert float(top) >= 0
        link = driver.find_element("link text", "explorer.html")
        assert link.get_attribute("href").endswith("/results/explorer.html")
    finally:
        driver.quit()


EXPLORER_SOURCES = """
const doc = Bokeh.documents.find((d) => d.get_model_by_name("curves"));
const out = {};
for (const s of arguments[0]) {
  out[s] = {
    x: doc.get_model_by_name(`curve-${s}`).data.x.length,
    first: doc.get_model_by_name(`curve-${s}`).data.mean[0],
    shown: doc.get_model_by_name(`item-${s}`).visible,
  };
}
return out;
"""


def test_the_explorer_works_offline_and_a_click_opens_that_pairs_curves(finished, tmp_path):
    from selenium.webdriver.common.by import By

    page = finished / "results/explorer.html"
    html = page.read_text()
    assert page.stat().st_size < 5_000_000
    # Every script, style and datum is inline: nothing for a browser to fetch.
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html)
    curves = pd.read_parquet(finished / "results/summary/curves.parquet")
    verdict = (finished / "results/verdict.txt").read_text()
    driver = chrome_driver(tmp_path / "profile")
    try:
        driver.get(page.as_uri())
        assert wait_for(driver, "return window.albenchExplorer && window.albenchExplorer.ready")
        summary = driver.find_element(By.ID, "summary").text
        assert summary and summary.split()[:6] == verdict.splitlines()[1].split()[:6]
        rows = driver.find_elements(By.CSS_SELECTOR, "#matrix tr[data-pair]")
        assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == [
            "iris × logreg",
            "moons × logreg",
        ]
        # Each cell is the verdict in words, its interval on hover.
        cell = rows[1].find_elements(By.CSS_SELECTOR, "td.cell")[0]
        assert cell.text.split()[0] in {"too", "undecided", "better", "worse", "equivalent"}
        assert "AUBC of accuracy" in cell.get_attribute("title")
        cell.click()
        shown = wait_for(
            driver,
            "const s = window.albenchExplorer.shown; return s && s.pair === 1 && s",
        )
        pair = curves[curves["dataset"] == "moons"]
        strategies = list(dict.fromkeys(pair["strategy"]))
        assert sorted(shown["strategies"]) == sorted(strategies)
        drawn = driver.execute_script(EXPLORER_SOURCES, strategies)
        start = pair[pair["n_labeled"] == pair["n_labeled"].min()]
        for strategy in strategies:
            assert drawn[strategy]["shown"]
            assert drawn[strategy]["x"] == pair["n_labeled"].nunique()
            mean = start.loc[start["strategy"] == strategy, "accuracy"].mean()
            assert drawn[strategy]["first"] == pytest.approx(mean, abs=1e-5)
        assert driver.find_element(By.ID, "pair-title").text == "Learning curves: moons × logreg"
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
        shot = finished / "results/explorer.png"
        driver.save_screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")
    finally:
        driver.quit()


def test_protocols_are_an_axis_paired_by_seed(tmp_path):
    from albench.data.splits import read_split, split_indices

    config = small_config()
    del config["datasets"]["moons"]
    config["protocols"] = {
        "base": {},
        "cold": {"initial_size": 1, "batch_size": 2, "iterations": 4},
        "noisy": {"label_noise": 0.3},
    }
    config["budgets"] = [9, 14]  # a list param, through the job transport
    write_config(tmp_path, config)
    snakemake(tmp_path, "--configfile", "bench.yaml", "--cores", "2")
    results = tmp_path / "results"
    comparison = pd.read_csv(results / "summary/comparison.csv")
    assert set(comparison["protocol"]) == {"base", "cold", "noisy"}
    for table in ("aubc", "aubc_summary", "cost", "label_savings", "ranks"):
        assert set(pd.read_csv(results / f"summary/{table}.csv")["protocol"]) == {
            "base",
            "cold",
            "noisy",
        }, table
    at_budget = pd.read_csv(results / "summary/comparison_at_budget.csv")
    reached = at_budget.groupby("protocol")["budget"].unique().map(sorted).to_dict()
    assert reached == {"base": [9, 14], "cold": [9], "noisy": [9, 14]}  # cold: 1, 3, ..., 9
    assert "at 9 labels:" in (results / "verdict.txt").read_text()
    # Paired across protocols: one seed holds out the same test rows under every protocol.
    for seed in (0, 1):
        tests = [
            split_indices(read_split(results / f"splits/iris/{p}/seed{seed}.parquet"))["test"]
            for p in config["protocols"]
        ]
        assert all((t == tests[0]).all() for t in tests)
    curves = pd.read_parquet(results / "summary/curves.parquet")
    assert curves.groupby("protocol")["n_labeled"].agg(["min", "max"]).to_dict("index") == {
        "base": {"min": 6, "max": 18},
        "cold": {"min": 1, "max": 9},
        "noisy": {"min": 6, "max": 18},
    }
    selections = {
        p: pd.concat(
            pd.read_parquet(f) for f in (results / "selections/iris" / p).rglob("*.parquet")
        )
        for p in ("base", "noisy")
    }
    assert (selections["base"]["label"] == selections["base"]["true_label"]).all()
    assert (selections["noisy"]["label"] != selections["noisy"]["true_label"]).any()
    agreement = pd.read_csv(results / "summary/protocol_agreement.csv")
    assert len(agreement) == 3 and agreement["kendall_tau_b"].between(-1, 1).all()
    assert (results / "figures/protocols/iris__logreg.png").stat().st_size > 20_000
    assert (results / "figures/iris__logreg__cold.png").exists()
    verdict = (results / "verdict.txt").read_text()
    assert "iris × logreg × cold:" in verdict and "iris × logreg × noisy:" in verdict

    # Adding a protocol runs its cells only; editing one reruns its cells only.
    more = copy.deepcopy(config)
    more["protocols"]["large"] = {"batch_size": 8, "iterations": 2}
    write_config(tmp_path, more, "more.yaml")
    proc = snakemake(tmp_path, "--configfile", "more.yaml", "-n")
    assert {c.split("/")[1] for c in planned_cells(proc)} == {"large"}
    assert planned_jobs(proc)["al_cell"] == 3 * 2 and planned_jobs(proc)["plot_curves"] == 1
    edited = copy.deepcopy(config)
    edited["protocols"]["noisy"]["label_noise"] = 0.1
    write_config(tmp_path, edited, "edited.yaml")
    proc = snakemake(tmp_path, "--configfile", "edited.yaml", "-n")
    assert {c.split("/")[1] for c in planned_cells(proc)} == {"noisy"}
    assert planned_jobs(proc)["full_pool"] == 2  # the noisy oracle's references only
