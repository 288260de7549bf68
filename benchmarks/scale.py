"""How the workflow scales with the number of cells: DAG building, aggregation and figures.

Usage: python benchmarks/scale.py [--sizes 1000 5000 20000] [--skip-dag] [--skip-aggregate]
                                 [--profile profiles/slurm] [--one-dataset] [--skip-floor]

For each size N (10 data sets x 2 models x 10 strategies x N/200 seeds) it prints:
- dag: wall time and peak memory of `snakemake -n` on a config of N cells (targets: 20 000
  cells in under 30 s and 1 GB), and beside it the same number of trivial one-output jobs
  (Snakemake's own floor on this machine), and as many jobs of albench's shape (its rules'
  wildcards, inputs, outputs, logs, resources and params, each a `touch`; no albench code);
- aggregate: N synthetic learning curves (21 iterations, 3 metrics, the real schema) are written,
  then the real jobs run each in a fresh process as the workflow runs them: one
  summarise_dataset per data set, the global aggregate, one learning-curve figure and the
  heat map. Printed: the summed time of the summaries plus the aggregate (what one core would
  spend; the workflow runs the summaries in parallel) and the largest peak memory of any of
  these jobs (targets at 20 000 cells: under 60 s and 2 GB), and each job's time, so that
  linearity across sizes can be read off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from albench.analysis.tables import OVERALL_TABLES, PARTS, summary_files
from albench.io.curves import curve_schema
from albench.io.parquet import write_table
from albench.specs import FigureSpec, SummarySpec

REPO = Path(__file__).resolve().parents[1]
# Runs a rule's script in a process of its own, as Snakemake's local executor does, with the
# `snakemake` object pickled into a file.
RUN_SCRIPT = (
    "import pickle, runpy, sys\n"
    "job = pickle.load(open(sys.argv[2], 'rb'))\n"
    "runpy.run_path(sys.argv[1], init_globals={'snakemake': job}, run_name='__main__')"
)


def job_argv(rule: str, log: str, input: dict, output: dict, spec: str = "{}") -> list[str]:
    """The command line that runs the script of `rule` in its own process on these files."""
    import pickle

    from albench.run.script import Files, ScriptJob

    job = ScriptJob(
        rule=rule,
        input=Files(list(input.values()), input),
        output=Files(list(output.values()), output),
        log=Files([log]),
        params=Files([spec], {"spec": spec}),
        wildcards=Files(),
    )
    path = Path(tempfile.mkstemp(prefix=f"albench-{rule}-", suffix=".pkl")[1])
    path.write_bytes(pickle.dumps(job))
    return [sys.executable, "-c", RUN_SCRIPT, str(REPO / "scripts" / f"{rule}.py"), str(path)]


DATASETS = [f"d{i}" for i in range(10)]
MODELS = ["logreg", "tree"]
STRATEGIES = {
    "random": {"query": "RandomSampling"},
    "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
    "margin": {"query": "UncertaintySampling", "params": {"method": "margin_sampling"}},
    "least_confident": {"query": "UncertaintySampling", "params": {"method": "least_confident"}},
    "badge": {"query": "Badge"},
    "coreset": {"query": "CoreSet"},
    "typiclust": {"query": "TypiClust"},
    "dropquery": {"query": "DropQuery"},
    "prob_cover": {"query": "ProbCover"},
    "qbc": {"query": "QueryByCommittee"},
}
METRICS = ["accuracy", "balanced_accuracy", "f1_macro"]
ITERATIONS = 20


def grid_config(n_cells: int) -> dict:
    seeds = n_cells // (len(DATASETS) * len(MODELS) * len(STRATEGIES))
    return {
        "datasets": {
            d: {
                "source": "synthetic",
                "generator": "make_classification",
                "params": {"n_samples": 1000, "random_state": i},
            }
            for i, d in enumerate(DATASETS)
        },
        "models": {
            "logreg": {"estimator": "sklearn.linear_model.LogisticRegression"},
            "tree": {"estimator": "sklearn.tree.DecisionTreeClassifier"},
        },
        "strategies": STRATEGIES,
        "seeds": seeds,
        "protocol": {"initial_size": 10, "batch_size": 10, "iterations": ITERATIONS},
        "baseline": "random",
    }


def measured(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run `cmd`; return its wall seconds and peak resident memory in MB (it must succeed)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


# The same number of jobs as the grid, each one output and no input: what Snakemake alone costs
# (`client`: a command each job runs first, e.g. a Python start as albench's job client).
TRIVIAL_SNAKEFILE = """
rule all:
    input: expand("out/{{i}}.txt", i=range({jobs}))
rule make:
    output: "out/{{i}}.txt"
    shell: "{client}touch {{output}}"
"""


# The grid's jobs as Snakemake alone plans them: the same rules, wildcards, inputs, outputs,
# logs, threads, resources and params (strings of a cell spec's length) as albench's data
# preparation, splits, cells, full-pool references and per-data-set summaries, each job a
# `touch`; no albench code runs. What planning costs for jobs of albench's shape.
SHAPED_SNAKEFILE = """
D, M, S, N = {datasets!r}, {models!r}, {strategies!r}, range({seeds})
SPEC = "x" * 800
rule all:
    input: expand("results/summary/{{d}}.csv", d=D)
rule summarise:
    input:
        cells=expand(
            "results/curves/{{{{d}}}}/default/{{m}}/{{s}}/seed{{n}}.parquet", m=M, s=S, n=N
        ),
        references=expand(
            "results/full_pool/{{{{d}}}}/default/{{m}}/seed{{n}}.parquet", m=M, n=N
        ),
    output: "results/summary/{{d}}.csv"
    log: "logs/summarise/{{d}}.log"
    params: spec=lambda w: SPEC
    shell: "touch {{output}}"
rule data:
    output: "results/data/{{d}}.parquet"
    log: "logs/data/{{d}}.log"
    params: spec=lambda w: SPEC
    shell: "touch {{output}}"
rule split:
    input: "results/data/{{d}}.parquet"
    output: "results/splits/{{d}}/{{p}}/seed{{n}}.parquet"
    log: "logs/split/{{d}}/{{p}}/seed{{n}}.log"
    params: spec=lambda w: SPEC
    shell: "touch {{output}}"
rule cell:
    input:
        data="results/data/{{d}}.parquet",
        split="results/splits/{{d}}/{{p}}/seed{{n}}.parquet",
        code=lambda w: [],
    output:
        curve="results/curves/{{d}}/{{p}}/{{m}}/{{s}}/seed{{n}}.parquet",
        selection="results/selections/{{d}}/{{p}}/{{m}}/{{s}}/seed{{n}}.parquet",
    log: "logs/al_cell/{{d}}/{{p}}/{{m}}/{{s}}/seed{{n}}.log"
    threads: 1
    resources: mem_mb=2000, runtime=30
    params: spec=lambda w: SPEC, io=lambda w: SPEC
    shell: "touch {{output}}"
rule full_pool:
    input:
        data="results/data/{{d}}.parquet",
        split="results/splits/{{d}}/{{p}}/seed{{n}}.parquet",
        code=lambda w: [],
    output: "results/full_pool/{{d}}/{{p}}/{{m}}/seed{{n}}.parquet"
    log: "logs/full_pool/{{d}}/{{p}}/{{m}}/seed{{n}}.log"
    threads: 1
    resources: mem_mb=2000, runtime=30
    params: spec=lambda w: SPEC, io=lambda w: SPEC
    shell: "touch {{output}}"
"""


def bench_dag(
    n_cells: int, workdir: Path, profile: Path | None, one_dataset: bool, floor: bool
) -> None:
    (workdir / "grid.yaml").write_text(yaml.safe_dump(grid_config(n_cells)))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
    cmd += ["--configfile", "grid.yaml", "-n"]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    wall, peak = measured([*cmd, "--quiet", "all"], workdir)
    print(f"dag        {n_cells:6d} cells: {wall:6.1f} s  {peak:6.0f} MB peak")
    if one_dataset:
        # One data set's summary as the target: the graph of its cells only (1 / 10 of them).
        targets = list(summary_files(f"results/summary/datasets/{DATASETS[0]}").values())
        one_wall, one_peak = measured([*cmd, *targets, "--quiet", "all"], workdir)
        print(
            f"dag        {n_cells:6d} cells, one data set's targets: "
            f"{one_wall:6.1f} s  {one_peak:6.0f} MB"
        )
    if not floor:
        return
    # al_cell + one split per data set x seed + one full-pool reference per data set x model x seed
    config = grid_config(n_cells)
    jobs = n_cells + len(DATASETS) * config["seeds"] * (1 + len(MODELS))
    trivial = workdir / "floor"
    trivial.mkdir()
    (trivial / "Snakefile").write_text(TRIVIAL_SNAKEFILE.format(jobs=jobs, client=""))
    cmd = [sys.executable, "-m", "snakemake", "-n", "--quiet", "all", "--scheduler", "greedy"]
    floor_wall, floor_peak = measured(cmd, trivial)
    print(
        f"dag floor  {jobs:6d} trivial jobs: {floor_wall:6.1f} s  {floor_peak:6.0f} MB peak"
        f"  (albench / floor = {wall / floor_wall:.2f})"
    )
    shaped = workdir / "shaped"
    shaped.mkdir()
    (shaped / "Snakefile").write_text(
        SHAPED_SNAKEFILE.format(
            datasets=list(config["datasets"]),
            models=list(config["models"]),
            strategies=list(config["strategies"]),
            seeds=config["seeds"],
        )
    )
    shaped_wall, shaped_peak = measured(cmd, shaped)
    print(
        f"dag shaped {jobs:6d} jobs of albench's shape, no albench code: {shaped_wall:6.1f} s  "
        f"{shaped_peak:6.0f} MB peak  (albench / shaped = {wall / shaped_wall:.2f})"
    )


def write_synthetic_results(config: dict, workdir: Path) -> None:
    """Write every cell's curve and every full-pool reference with plausible numbers."""
    rng = np.random.default_rng(0)
    schema = curve_schema(METRICS)
    iterations = np.arange(ITERATIONS + 1)
    for dataset in config["datasets"]:
        for model in config["models"]:
            for seed in range(config["seeds"]):
                full = {m: rng.uniform(0.8, 0.95) for m in METRICS}
                frame = pd.DataFrame(
                    [
                        {
                            "dataset": dataset,
                            "model": model,
                            "protocol": "default",
                            "seed": seed,
                            **full,
                        }
                    ]
                )
                path = workdir / f"results/full_pool/{dataset}/default/{model}/seed{seed}.parquet"
                write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
                for strategy in config["strategies"]:
                    rise = 1 - np.exp(-iterations / rng.uniform(3, 8))
                    columns = {
                        "dataset": [dataset] * len(iterations),
                        "model": [model] * len(iterations),
                        "protocol": ["default"] * len(iterations),
                        "strategy": [strategy] * len(iterations),
                        "seed": [seed] * len(iterations),
                        "iteration": iterations,
                        "n_labeled": 10 + 10 * iterations,
                        **{m: 0.3 + full[m] * 0.7 * rise for m in METRICS},
                        "fit_seconds": rng.uniform(0.01, 0.05, len(iterations)),
                        "query_seconds": rng.uniform(0.001, 0.01, len(iterations)),
                        "score_seconds": rng.uniform(0.001, 0.002, len(iterations)),
                        "fallback_model": [False] * len(iterations),
                    }
                    path = workdir / (
                        f"results/curves/{dataset}/default/{model}/{strategy}/seed{seed}.parquet"
                    )
                    write_table(pa.table(columns, schema=schema), path)


def bench_aggregate(n_cells: int, workdir: Path) -> None:
    config = grid_config(n_cells)
    start = time.perf_counter()
    write_synthetic_results(config, workdir)
    written = time.perf_counter() - start
    seeds = range(config["seeds"])
    curve = "results/curves/{d}/default/{m}/{s}/seed{seed}.parquet"
    times, peaks = {}, []
    parts: dict[str, list[str]] = {}
    for dataset in DATASETS:
        out = summary_files(f"results/summary/datasets/{dataset}")
        cells = [
            curve.format(d=dataset, m=m, s=s, seed=seed)
            for m in MODELS
            for s in STRATEGIES
            for seed in seeds
        ]
        references = [
            f"results/full_pool/{dataset}/default/{m}/seed{seed}.parquet"
            for m in MODELS
            for seed in seeds
        ]
        argv = job_argv(
            "summarise_dataset",
            f"logs/summarise_{dataset}.log",
            {"cells": cells, "references": references},
            out,
            SummarySpec(baseline="random", budgets=[]).to_json(),
        )
        wall, peak = measured(argv, workdir)
        times[dataset] = wall
        peaks.append(peak)
        for name, path in out.items():
            parts.setdefault(f"{name}{PARTS}", []).append(path)
    overall = summary_files("results/summary", OVERALL_TABLES)
    argv = job_argv("aggregate", "logs/aggregate.log", parts, overall)
    aggregate_wall, peak = measured(argv, workdir)
    peaks.append(peak)
    spec = FigureSpec(
        model="logreg",
        strategies=list(STRATEGIES),
        baseline="random",
        metrics=list(METRICS),
        dataset="d0",
    )
    curves = [
        curve.format(d="d0", m="logreg", s=s, seed=seed) for s in STRATEGIES for seed in seeds
    ]
    figure = {"figure": "results/figures/d0.png"}
    argv = job_argv("plot_curves", "logs/plot.log", {"curves": curves}, figure, spec.to_json())
    figure_wall, figure_peak = measured(argv, workdir)
    argv = job_argv(
        "plot_heatmap",
        "logs/heatmap.log",
        {"comparison": "results/summary/comparison.csv"},
        {"figure": "results/figures/heatmap.png"},
        spec.to_json(),
    )
    heatmap_wall, heatmap_peak = measured(argv, workdir)
    total = sum(times.values()) + aggregate_wall
    print(
        f"aggregate  {n_cells:6d} cells: {total:6.1f} s  {max(peaks):6.0f} MB peak "
        f"(summaries {sum(times.values()):.1f} s, max {max(times.values()):.1f} s each; "
        f"aggregate {aggregate_wall:.1f} s; curves written in {written:.0f} s)"
    )
    print(
        f"figures    {n_cells:6d} cells: curves {figure_wall:5.1f} s {figure_peak:5.0f} MB, "
        f"heat map {heatmap_wall:5.1f} s {heatmap_peak:5.0f} MB  "
        f"({len(STRATEGIES) * config['seeds']} curves in the figure)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--skip-dag", action="store_true")
    parser.add_argument("--skip-aggregate", action="store_true")
    parser.add_argument("--profile", type=Path, help="plan the dry runs with this profile")
    parser.add_argument(
        "--one-dataset", action="store_true", help="also dry-run one data set's summary alone"
    )
    parser.add_argument(
        "--skip-floor", action="store_true", help="no dry run of as many trivial jobs"
    )
    args = parser.parse_args()
    print("(every job in its own process: times include ~1.5 s of interpreter start-up)")
    for n_cells in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix="albench-scale-"))
        try:
            if not args.skip_dag:
                profile = args.profile and args.profile.resolve()
                bench_dag(n_cells, workdir, profile, args.one_dataset, not args.skip_floor)
            if not args.skip_aggregate:
                bench_aggregate(n_cells, workdir)
        finally:
            shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
