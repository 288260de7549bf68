"""Helpers shared by test modules (imported by name: pytest puts tests/ on the path)."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.datasets import make_classification
from snakemake.utils import validate

from albench.data.datasets import validate_dataset
from albench.data.splits import make_split, split_indices
from albench.io.curves import TIMING_COLUMNS
from albench.learn.loop import run_al_loop
from albench.specs import CellSpec

# From conftest.py
REPO = Path(__file__).resolve().parents[1]


SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


CELL = {
    "dataset": "blobs",
    "model": "logreg",
    "strategy": "entropy",
    "model_spec": {
        "estimator": "sklearn.linear_model.LogisticRegression",
        "params": {"max_iter": 500},
    },
    "strategy_spec": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
    "protocol": {
        "test_size": 0.25,
        "initial_size": 6,
        "batch_size": 4,
        "iterations": 5,
        "metrics": ["accuracy", "balanced_accuracy", "f1_macro"],
    },
    "loop_version": 1,
}


def small_config() -> dict:
    """Return a small but complete benchmark config (before schema defaults)."""
    return {
        "datasets": {
            "iris": {"source": "sklearn", "name": "iris"},
            "moons": {
                "source": "synthetic",
                "generator": "make_moons",
                "params": {"n_samples": 120, "noise": 0.3},
            },
        },
        "models": {
            "logreg": {
                "estimator": "sklearn.linear_model.LogisticRegression",
                "params": {"max_iter": 500},
            }
        },
        "strategies": {
            "random": {"query": "RandomSampling"},
            "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
            "badge": {"query": "Badge"},
        },
        "seeds": 2,
        "protocol": {"initial_size": 6, "batch_size": 4, "iterations": 3},
        "baseline": "random",
    }


def rng_rows(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n)


# From test_workflow.py
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]


def snakemake(
    workdir: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run snakemake on the repository's Snakefile with `workdir` as working directory."""
    # Without pytest's per-test variable: two calls of one module's tests see one environment,
    # as two calls from a shell do.
    env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "PYTEST_CURRENT_TEST"}
    proc = subprocess.run([*SNAKEMAKE, *args], cwd=workdir, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {args} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs (an exited process not yet reaped by its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    """Wait for `condition` to hold, polling; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.05)


def worker_processes_in(workdir: Path) -> list[int]:
    """PIDs of the `albench` executor's warm workers (albench.run.workers) working in
    `workdir`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"albench.run.workers" in argv and (entry / "cwd").resolve() == workdir.resolve():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


# apt-get takes dpkg's lock: tests that install packages (chromium, SLURM) in parallel workers
# take this one first, so that one waits for the other instead of failing (the SLURM scripts
# in tests/slurm/ take the same).
APT_LOCK = "/tmp/albench-tests-apt.lock"


def apt_get(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `apt-get ARGS` non-interactively, holding APT_LOCK."""
    import fcntl

    with open(APT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.run(
            ["apt-get", *args],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True,
            check=check,
        )


def write_config(workdir: Path, config: dict, name: str = "bench.yaml") -> Path:
    path = workdir / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def curve_names(workdir: Path) -> set[str]:
    """The curve files a run in `workdir` wrote, relative to results/curves."""
    root = workdir / "results" / "curves"
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet")}


def planned_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Return {rule: count} from the job table a dry run prints."""
    jobs = {}
    for line in proc.stdout.splitlines():
        match = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if match and match[1] != "total":
            jobs[match[1]] = int(match[2])
    return jobs


def planned_cells(proc: subprocess.CompletedProcess) -> set[str]:
    """Return the dataset/model/strategy/seedN of every al_cell job a dry run plans."""
    return set(re.findall(r"output: results/curves/(\S+)\.parquet", proc.stdout))


# From test_config.py
def validated(config):
    config = copy.deepcopy(config)
    validate(config, str(SCHEMA))
    return config


# From test_loop.py
STRATEGIES = {
    "random": {"query": "RandomSampling"},
    "entropy": {"query": "UncertaintySampling", "params": {"method": "entropy"}},
    "margin": {"query": "UncertaintySampling", "params": {"method": "margin_sampling"}},
    "badge": {"query": "Badge"},
}


def roles_for(data, seed=0, initial=6):
    return split_indices(make_split(data.y, 0.25, initial, random_state=seed))


def with_strategy(cell, name):
    return {**cell, "strategy": name, "strategy_spec": STRATEGIES[name]}


# From test_robustness.py
def cell_outputs(workdir: Path) -> dict[str, pd.DataFrame]:
    """Return every curve (without timings) and selection of a finished run, by path."""
    outputs = {}
    for kind in ("curves", "selections"):
        for path in sorted((workdir / "results" / kind).rglob("*.parquet")):
            frame = pd.read_parquet(path)
            outputs[str(path.relative_to(workdir))] = frame.drop(
                columns=[c for c in TIMING_COLUMNS if c in frame.columns]
            )
    return outputs


# From test_summary.py
def seeded_cell(seed: int) -> CellSpec:
    return CellSpec(**CELL, seed=seed)


def aubc_rows(spec):
    """Return a per-cell AUBC table from {(dataset, strategy): [values per seed]}."""
    rows = []
    for (dataset, strategy), values in spec.items():
        for seed, value in enumerate(values):
            rows.append(
                {
                    "dataset": dataset,
                    "model": "m",
                    "protocol": "default",
                    "strategy": strategy,
                    "seed": seed,
                    "aubc_accuracy": value,
                    "final_accuracy": value,
                }
            )
    return pd.DataFrame(rows)


# From test_budgets.py
def curves(values: dict[str, np.ndarray], sizes=(10, 20, 30)) -> pd.DataFrame:
    """Curves of data set d, model m: values[strategy][seed, iteration] of accuracy."""
    rows = []
    for strategy, table in values.items():
        for seed, scores in enumerate(table):
            for iteration, (n, score) in enumerate(zip(sizes, scores, strict=True)):
                rows.append(
                    {
                        "dataset": "d",
                        "model": "m",
                        "protocol": "default",
                        "strategy": strategy,
                        "seed": seed,
                        "iteration": iteration,
                        "n_labeled": n,
                        "accuracy": score,
                    }
                )
    return pd.DataFrame(rows)


RNG = np.random.default_rng(0)


BASE = RNG.uniform(0.5, 0.7, size=(8, 3))


AHEAD = BASE + np.array([0.0, 0.1, 0.0]) + RNG.normal(0, 0.01, size=(8, 3))


VALUES = {"random": BASE, "ahead": AHEAD, "same": BASE.copy()}


# From test_sources.py
def animal_table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["cat", "dog", "emu"], n // 3)
    return pd.DataFrame(
        {
            "size": rng.normal(size=n) + (y == "dog") * 2,
            "colour": rng.choice(["red", "green"], size=n),
            "legs": rng.integers(2, 5, size=n),
            "animal": y,
        }
    )


def customer_table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A practitioner's messy CSV: an ID, a sign-up date and free-text notes (mostly missing)
    beside real features and a label (`churned`) that depends on `plan` and `visits`."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "pro", "team"], size=n)
    visits = rng.poisson(5, size=n)
    score = (plan == "basic") * 1.5 - 0.3 * visits + rng.normal(size=n)
    notes = [
        f"asked about the {p} plan after {v} visits, ticket {i}" if i % 3 == 0 else None
        for i, (p, v) in enumerate(zip(plan, visits, strict=True))
    ]
    return pd.DataFrame(
        {
            "customer_id": [f"C{100000 + i}" for i in range(n)],
            "signup": pd.date_range("2021-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "age": rng.integers(18, 80, size=n),
            "income": rng.normal(50_000, 10_000, size=n).round(2),
            "plan": plan,
            "region": rng.choice(["north", "south", "east", "west", "centre"], size=n),
            "visits": visits,
            "notes": notes,
            "churned": np.where(score > np.median(score), "yes", "no"),
        }
    )


# From test_strategies.py
LOGREG = {"estimator": "sklearn.linear_model.LogisticRegression", "params": {"max_iter": 500}}


FOREST = {"estimator": "sklearn.ensemble.RandomForestClassifier", "params": {"n_estimators": 10}}


# (strategy spec, model spec) pairs measured to work with scikit-activeml 1.0.1.
SUPPORTED = {
    "random": ({"query": "RandomSampling"}, LOGREG),
    "least_confident": (
        {"query": "UncertaintySampling", "params": {"method": "least_confident"}},
        LOGREG,
    ),
    "margin": ({"query": "UncertaintySampling", "params": {"method": "margin_sampling"}}, LOGREG),
    "entropy": ({"query": "UncertaintySampling", "params": {"method": "entropy"}}, LOGREG),
    "badge": ({"query": "Badge"}, LOGREG),
    "falcun": ({"query": "Falcun"}, LOGREG),
    "dropquery": ({"query": "DropQuery"}, LOGREG),
    "contrastive": ({"query": "ContrastiveAL"}, LOGREG),
    "clue": ({"query": "Clue"}, LOGREG),
    "pal": ({"query": "ProbabilisticAL", "params": {"metric": "rbf"}}, LOGREG),
    "pal_parzen": (
        {"query": "ProbabilisticAL"},
        {"estimator": "skactiveml.classifier.ParzenWindowClassifier"},
    ),
    "coreset": ({"query": "CoreSet"}, LOGREG),
    "typiclust": ({"query": "TypiClust"}, LOGREG),
    "probcover": ({"query": "ProbCover"}, LOGREG),
    "gsx": ({"query": "GreedySamplingX"}, LOGREG),
    "maxherding": ({"query": "MaxHerding"}, LOGREG),
    "cost_embedding": ({"query": "CostEmbeddingAL"}, LOGREG),
    "qbc_forest": ({"query": "QueryByCommittee"}, FOREST),
    "qbc_bagging": ({"query": "QueryByCommittee", "ensemble": {"bagging": 4}}, LOGREG),
    "qbc_models": (
        {
            "query": "QueryByCommittee",
            "ensemble": {"models": [LOGREG, {"estimator": "sklearn.naive_bayes.GaussianNB"}]},
        },
        LOGREG,
    ),
    "greedy_bald": ({"query": "GreedyBALD"}, FOREST),
    "batch_bald": (
        {"query": "BatchBALD", "params": {"n_MC_samples": 5}, "ensemble": {"bagging": 4}},
        LOGREG,
    ),
    "discriminative": ({"query": "DiscriminativeAL"}, LOGREG),
    "fourds": ({"query": "FourDs"}, {"estimator": "skactiveml.classifier.MixtureModelClassifier"}),
}


# Supported with a cost warning: cubic (or worse) in the pool, so they get a tiny pool here.
EXPENSIVE = {
    "quire": ({"query": "Quire"}, LOGREG),
    "mc_eer": ({"query": "MonteCarloEER"}, LOGREG),
    "voi_eer": ({"query": "ValueOfInformationEER"}, LOGREG),
    "eap": (
        {"query": "UncertaintySampling", "params": {"method": "expected_average_precision"}},
        LOGREG,
    ),
}


def blob_dataset(n, classes=3, seed=0):
    X, y = make_classification(
        n_samples=n,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=classes,
        random_state=seed,
    )
    return validate_dataset("synthetic", X, y)


def make_cell(name, strategy_spec, model_spec, iterations=2, batch=3):
    return {
        "dataset": "synthetic",
        "model": "m",
        "strategy": name,
        "model_spec": copy.deepcopy(model_spec),
        "strategy_spec": copy.deepcopy(strategy_spec),
        "protocol": {
            "test_size": 0.25,
            "initial_size": 6,
            "batch_size": batch,
            "iterations": iterations,
            "metrics": ["accuracy", "f1_macro"],
        },
    }


def run_cell_of(data, cell, seed=0):
    roles = split_indices(make_split(data.y, 0.25, cell["protocol"]["initial_size"], seed))
    return run_al_loop(data, roles, CellSpec(**cell, seed=seed)), roles


def chrome_driver(profile: Path):
    """Return a Selenium driver of Debian's headless Chromium (chromium and chromium-driver
    installed first where missing), its network off: a page must need none."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        install = ("install", "-y", "-q", "chromium", "chromium-driver")
        if apt_get(*install, check=False).returncode != 0:
            apt_get("update", "-q")
            apt_get(*install)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    return driver


def wait_for(driver, script: str, timeout: float = 60.0):
    """Return the first truthy value of `script` run in `driver`'s page, polled."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{script!r} stayed false for {timeout} s")
