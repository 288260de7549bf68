"""Time albench's whole workflow against a bare AL loop over the same cells.

Usage: python benchmarks/bare_loop.py [--grid small|heavy] [--seeds N] [--cores 2] [--keep]
                                     [--references] [--stopping] [--cells-only] [--repeats N]

The small grid is the cluster benchmark's: iris, wine, breast_cancer and digits x
LogisticRegression x random, entropy, least confident, margin and BADGE, 20 iterations of 5;
16 seeds give 320 cells, each a fraction of a second of compute. The heavy grid is one whose
cells do real work: a random forest of 100 trees on a synthetic data set of 5 000
rows and 20 features x random, entropy, least confident and margin, 20 iterations of 20 from
20 labels; 8 seeds give 32 cells of several seconds each. Data preparation is excluded from
both: the data sets are prepared first (`snakemake results/data/...`), then

- albench: `snakemake --cores N` runs everything else (splits, cells, full-pool references,
  summaries, statistics, figures, the explorer), timed from start to end; with `--cells-only`
  only the splits, cells and references (`--until al_cell full_pool`): the same learning as
  the bare loop with `--references --stopping`, so that the ratio is the job machinery's;
- bare: N single-threaded processes run the cells, split between them, as a plain loop a user
  would write: each process reads a prepared data set and split once, albench builds each
  cell's model, strategy and scaled arrays (so that the loop does exactly a cell's model work),
  and then every iteration is `clf.fit`, `clf.predict` with scikit-learn's metric functions,
  `strategy.query` and revealing the batch; curves stay in memory, nothing is written, no
  full-pool references (with `--references`: those too, fitted as albench fits them, so that
  both do the same learning), no predictions for stopping criteria (with `--stopping`: those
  too, the model's probabilities over the unlabelled pool and the stop set that albench
  records at every iteration, `albench.stopping.record`), statistics or figures.

Printed: both walls and their ratio (albench / bare; with `--repeats`, the medians of that many
runs of each, in turns, on a machine whose speed drifts by more than the 5 % targeted), each
pair's ratio at equal machine speed (albench's wall scaled by the ratio of the two runs' fit and
query seconds, the same computations in both), and
albench's breakdown over its last run's wall x cores:
fit, query and score (from the curves), the rest of the cell jobs, the other jobs, and what lies
outside any job (Snakemake, start-up, idle cores). It also checks that the bare loop's metric
values equal albench's curves, and runs as many trivial jobs as albench ran through Snakemake
alone (`touch`, then a Python start and `touch`): the floor of one job per cell. Last, the
targets: on the small grid, albench / (bare loop + the floor with a Python start
per job) at most 1.1 (what the engine allows: one job per cell is the unit of reruns, of
failure isolation and of cluster submission); on the heavy grid, albench / bare at equal
machine speed at most 1.05.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from cluster import GRID  # noqa: E402
from default_run import SNAKEMAKE, job_compute  # noqa: E402
from scale import TRIVIAL_SNAKEFILE  # noqa: E402

STEPS = ("fit_seconds", "query_seconds", "score_seconds")
HEAVY = {
    "datasets": {
        "synthetic5000": {
            "source": "synthetic",
            "generator": "make_classification",
            "params": {"n_samples": 5000, "n_features": 20, "n_informative": 10},
        }
    },
    "models": {
        "forest": {
            "estimator": "sklearn.ensemble.RandomForestClassifier",
            "params": {"n_estimators": 100},
        }
    },
    "strategies": {name: GRID["strategies"][name] for name in ("random", "entropy", "margin")}
    | {"least_confident": GRID["strategies"]["least_confident"]},
    "protocol": {"initial_size": 20, "batch_size": 20, "iterations": 20},
}
GRIDS = {"small": (GRID, 16, 1.1), "heavy": (HEAVY, 8, 1.05)}  # grid, seeds, target


def cell_curves(workdir: Path) -> pd.DataFrame:
    """Every cell's curve file, concatenated (the run may have stopped before the summaries)."""
    paths = sorted((workdir / "results" / "curves").rglob("*.parquet"))
    return pd.concat([pd.read_parquet(path) for path in paths], ignore_index=True)


def snakemake(workdir: Path, cores: int, *targets: str, options: tuple[str, ...] = ()) -> float:
    """Run the workflow in `workdir` on grid.yaml; return its wall seconds."""
    command = [*SNAKEMAKE, "--configfile", "grid.yaml", "--cores", str(cores), *options]
    command += ["--quiet", "all", "--", *targets]
    start = time.perf_counter()
    subprocess.run(command, cwd=workdir, check=True)
    return time.perf_counter() - start


def bare_cells(
    workdir: Path,
    config: dict,
    cells: list[dict],
    references: bool = False,
    stopping: bool = False,
) -> list[dict]:
    """Run `cells` one after another in this process, as a plain loop; return curve rows. With
    `references`, each baseline cell's process also fits the full-pool reference of its data
    set, model and seed (`albench.learn.reference.full_pool_scores`, as albench's `full_pool`
    job does; one per data set x model x seed), its scores dropped. With `stopping`, each
    iteration also predicts what stopping criteria read (`albench.stopping.record`): the
    fitted model's probabilities over the unlabelled pool and the stop set in one call (for
    regression, its predictions on the stop set), dropped."""
    import time

    import numpy as np
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score
    from threadpoolctl import threadpool_limits

    from albench.data.datasets import read_dataset
    from albench.data.splits import read_split, split_indices
    from albench.learn.loop import Learner
    from albench.learn.reference import full_pool_scores
    from albench.plan.grid import cell_spec

    metrics = {
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
        "f1_macro": lambda y, p, labels: f1_score(
            y, p, labels=labels, average="macro", zero_division=0
        ),
        "f1_weighted": lambda y, p, labels: f1_score(
            y, p, labels=labels, average="weighted", zero_division=0
        ),
    }
    rows, datasets, splits = [], {}, {}
    with threadpool_limits(limits=1):
        for cell in cells:
            name, seed = cell["dataset"], cell["seed"]
            if name not in datasets:
                datasets[name] = read_dataset(workdir / f"results/data/{name}.parquet")
            if (name, seed) not in splits:
                split = read_split(
                    workdir / f"results/splits/{name}/{cell['protocol']}/seed{seed}.parquet"
                )
                splits[name, seed] = split_indices(split)
            # albench builds the same model, strategy and scaled arrays as a cell's...
            spec = cell_spec(config, **cell)
            learner, strategy = Learner.build(datasets[name], splits[name, seed], spec)
            clf, labels = learner.clf, np.arange(learner.n_classes)
            y = np.full(len(learner.y_true), np.nan)
            initial = np.isin(learner.train_rows, splits[name, seed]["initial"])
            y[initial] = learner.y_true[initial]
            # ...and the loop is the plain one: fit, predict and score, query, reveal.
            for iteration in range(learner.iterations + 1):
                start = time.perf_counter()
                clf.fit(learner.X_train, y)
                fitted = time.perf_counter()
                predictions = clf.predict(learner.X_test)
                scores = {
                    m: metrics[m](learner.y_test, predictions, labels)
                    if m.startswith("f1")
                    else metrics[m](learner.y_test, predictions)
                    for m in learner.metrics
                }
                scored = time.perf_counter()
                timings = {"fit_seconds": fitted - start, "score_seconds": scored - fitted}
                rows.append({**cell, "iteration": iteration, **scores, **timings})
                if stopping:
                    if learner.n_classes:
                        pool = np.union1d(np.flatnonzero(np.isnan(y)), learner.stop_positions)
                        clf.predict_proba(learner.X_train[pool])
                    else:
                        clf.predict(learner.X_train[learner.stop_positions])
                    scored = time.perf_counter()  # not the query's
                if iteration == learner.iterations:
                    break
                query = strategy.query(learner.X_train, y, clf, learner.batch_size)
                rows[-1]["query_seconds"] = time.perf_counter() - scored
                y[query] = learner.y_true[query]
            if references and cell["strategy"] == config["baseline"]:
                full_pool_scores(
                    datasets[name],
                    splits[name, seed],
                    cell["model"],
                    config["models"][cell["model"]],
                    learner.metrics,
                    seed,
                    name,
                )
    return rows


def run_bare(
    workdir: Path,
    config: dict,
    processes: int,
    references: bool = False,
    stopping: bool = False,
) -> tuple[float, pd.DataFrame]:
    """Run every cell in `processes` fresh processes (with `references` the full-pool
    references, with `stopping` what stopping criteria read); return the wall seconds and the
    curves."""
    from albench.plan.grid import cells

    grid = cells(config)
    shares = [grid[i::processes] for i in range(processes)]
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # fresh imports, as albench pays them
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        parts = list(
            pool.map(
                bare_cells,
                [workdir] * processes,
                [config] * processes,
                shares,
                [references] * processes,
                [stopping] * processes,
            )
        )
    wall = time.perf_counter() - start
    return wall, pd.DataFrame([row for part in parts for row in part])


def snakemake_floor(workdir: Path, jobs: int, cores: int, client: str) -> tuple[float, float]:
    """Run `jobs` trivial jobs at `cores`; return the wall and the CPU-seconds it took."""
    workdir.mkdir()
    (workdir / "Snakefile").write_text(TRIVIAL_SNAKEFILE.format(jobs=jobs, client=client))
    before = os.times()
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--cores",
        str(cores),
        "--quiet",
        "all",
        "--scheduler",
        "greedy",
    ]
    subprocess.run(command, cwd=workdir, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def filled_config(config: dict) -> dict:
    """Return `config` with the schema's defaults, as the workflow sees it."""
    from snakemake.utils import validate

    filled = yaml.safe_load(yaml.safe_dump(config))
    validate(filled, str(REPO / "workflow" / "schemas" / "config.schema.yaml"))
    return filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", choices=sorted(GRIDS), default="small")
    parser.add_argument("--seeds", type=int, help="default: 16 (small: 320 cells), 8 (heavy: 32)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument(
        "--references",
        action="store_true",
        help="the bare loop also fits albench's full-pool references (like for like)",
    )
    parser.add_argument(
        "--stopping",
        action="store_true",
        help="the bare loop also predicts what albench records for stopping criteria",
    )
    parser.add_argument(
        "--cells-only",
        action="store_true",
        help="albench runs only the splits, cells and references (no summaries or figures)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="run albench and the bare loop in turns this many times each (ratios of medians)",
    )
    args = parser.parse_args()
    grid, seeds, target = GRIDS[args.grid]

    workdir = Path(tempfile.mkdtemp(prefix="albench-bare-"))
    config = {**grid, "seeds": args.seeds or seeds}
    (workdir / "grid.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    snakemake(workdir, args.cores, *(f"results/data/{d}.parquet" for d in config["datasets"]))
    # In turns (albench first: the bare loop reads its prepared data and splits, a pure function
    # of the config), so that the machine's drift hits both alike. Each later albench run is a
    # first run again: every timed job (--forcerun split) and the config check.
    # Each run's fit + query seconds: the same computations in both (the scores are equal), so
    # their ratio within a pair measures how the machine's speed moved between the two runs.
    albench_walls, bare_walls, albench_work, bare_work = [], [], [], []
    for k in range(args.repeats):
        for which in ("albench", "bare") if k % 2 == 0 else ("bare", "albench"):
            if which == "bare":
                wall, bare = run_bare(
                    workdir, filled_config(config), args.cores, args.references, args.stopping
                )
                bare_walls.append(wall)
                bare_work.append(bare[["fit_seconds", "query_seconds"]].sum().sum())
                continue
            again: tuple[str, ...] = ("--forcerun", "split") if albench_walls else ()
            if args.cells_only:
                again += ("--until", "al_cell", "full_pool")
            for kind in ("checked", "probed"):
                shutil.rmtree(workdir / ".snakemake" / "albench" / kind, ignore_errors=True)
            albench_walls.append(snakemake(workdir, args.cores, options=again))
            summary = cell_curves(workdir)
            albench_work.append(summary[["fit_seconds", "query_seconds"]].sum().sum())
    last_wall = albench_walls[-1]
    albench_wall, bare_wall = statistics.median(albench_walls), statistics.median(bare_walls)
    extras = [name for name in ("references", "stopping") if getattr(args, name)]
    loop = "bare loop" + (f" with {' and '.join(extras)}" if extras else "")
    what = "albench (cells and references only)" if args.cells_only else "albench"

    curves = cell_curves(workdir)
    key = ["dataset", "model", "strategy", "seed", "iteration"]
    from albench.plan.grid import metrics_of

    filled = filled_config(config)
    metrics = list(dict.fromkeys(m for d in filled["datasets"] for m in metrics_of(filled, d)))
    joined = curves.merge(bare, on=key, suffixes=("", "_bare"), validate="1:1")
    if len(joined) != len(curves) or len(joined) != len(bare):
        raise SystemExit(f"different cells: albench {len(curves)} rows, bare {len(bare)}")
    for metric in metrics:
        pd.testing.assert_series_equal(
            joined[metric], joined[f"{metric}_bare"], check_names=False, rtol=0, atol=1e-12
        )

    capacity = last_wall * args.cores
    steps = curves[list(STEPS)].sum()
    jobs = job_compute(workdir / "logs")
    jobs.pop("prepare_dataset", None)  # excluded from the timed run
    cell_jobs = jobs.get("al_cell", 0.0)
    other_jobs = sum(jobs.values()) - cell_jobs
    n_cells = curves.groupby(key[:-1]).ngroups
    print(f"cells: {n_cells}, cores: {args.cores}")
    print(
        f"{what} wall {albench_wall:7.1f} s   {loop} wall {bare_wall:7.1f} s   "
        f"ratio {albench_wall / bare_wall:5.2f}"
    )
    if args.repeats > 1:
        print(
            f"  (medians of {args.repeats}, in turns: albench "
            f"{', '.join(f'{t:.1f}' for t in albench_walls)} s; {loop} "
            f"{', '.join(f'{t:.1f}' for t in bare_walls)} s)"
        )
    # A pair's ratio at the bare loop's machine speed: albench's wall scaled by how much faster
    # the same fits and queries ran in the bare loop's run.
    speed = [b / a for a, b in zip(albench_work, bare_work, strict=True)]
    at_speed = [a * f / b for a, b, f in zip(albench_walls, bare_walls, speed, strict=True)]
    print(
        f"at equal machine speed (each pair's albench wall x its bare/albench fit + query "
        f"seconds): {', '.join(f'{r:.3f}' for r in at_speed)}; median "
        f"{statistics.median(at_speed):.3f}"
    )
    print(f"albench's last run, of wall x cores = {capacity:.1f} core-s:")
    rows = [(name.removesuffix("_seconds"), steps[name]) for name in STEPS]
    rows += [
        ("other cell-job time", cell_jobs - steps.sum()),
        ("other jobs", other_jobs),
        ("outside jobs", capacity - cell_jobs - other_jobs),
    ]
    for name, seconds in rows:
        print(f"  {name:22s}{seconds:8.1f} s  {seconds / capacity:6.1%}")
    for name, seconds in sorted(jobs.items(), key=lambda item: -item[1]):
        if name != "al_cell":
            print(f"    {name:20s}{seconds:8.1f} s")
    fit_query = steps["fit_seconds"] + steps["query_seconds"]
    print(f"fit + query / (wall x cores): {fit_query / capacity:.3f}")
    bare_steps = bare[list(STEPS)].sum()
    print(
        f"bare loop: fit {bare_steps['fit_seconds']:.1f} s, query "
        f"{bare_steps['query_seconds']:.1f} s, score {bare_steps['score_seconds']:.1f} s "
        f"of {bare_walls[-1] * args.cores:.1f} core-s (its last run)"
    )
    print("metric values: bare loop = albench (1e-12)")
    logs = (workdir / "logs").rglob("*.log")
    n_jobs = sum(1 for log in logs if "prepare_dataset" not in log.parts)
    floors = {}
    for label, client in (("", ""), (" with a Python start each", f"{sys.executable} -c pass; ")):
        wall, cpu = snakemake_floor(workdir / f"floor{len(client)}", n_jobs, args.cores, client)
        floors[label] = wall
        print(f"snakemake alone, {n_jobs} trivial jobs{label}: {wall:.1f} s wall, {cpu:.1f} CPU-s")
    if args.grid == "small":
        allowed = bare_wall + floors[" with a Python start each"]
        print(
            f"{what} / (bare loop + floor with a Python start each) = {albench_wall:.1f} / "
            f"{allowed:.1f} = {albench_wall / allowed:.2f} (target: at most {target})"
        )
    else:
        print(
            f"{what} / {loop} at equal machine speed = {statistics.median(at_speed):.3f} "
            f"(target: at most {target})"
        )
    if args.keep:
        print(f"kept in {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
