"""Golden curves: the AL loop's numbers must not move unless LOOP_VERSION is bumped.

`tests/golden/` holds every metric (`curves.csv`), every queried row (`selections.csv`) and the
full-pool scores (`references.csv`) of a small grid: two data sets, logistic regression and an
MLP, four strategies, two seeds. Floats are compared through their exact repr.

Two checks, because bit-identity holds on one machine, not across CPUs:

- **Against the reference code, on this machine.** The code of the commit named in
  `golden/REFERENCE` (extracted with `git archive`) computes the grid here, and this checkout's
  code must give the same bits everywhere. That is the refactoring guard: same machine, same
  BLAS kernels, old code against new.
- **Against the stored files, on any machine.** Bit-identical for every row that does not
  depend on which kernels OpenBLAS (or numpy's SIMD dispatch) picks. The MLP's cells with a
  model-driven strategy do: lbfgs stopped at `max_iter` amplifies last-bit differences into
  other queries (measured: under `OPENBLAS_CORETYPE` Haswell, Zen, SandyBridge, Nehalem or
  Prescott, or numpy without AVX-512, exactly those cells moved, by up to 0.2 accuracy in a
  row, and no other cell did). For them the stored files check what no kernel changes: the
  iterations, labelled-set sizes, fallback flags and how many rows each iteration queried.

A change meant to change results: bump `albench.LOOP_VERSION`, rewrite the files with
`python tests/test_golden.py --write`, commit, and name that commit in `golden/REFERENCE`. The
reference commit is run as `python tests/test_golden.py --write` in its own tree, so keep that
command writing the three files of the checkout it runs in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd
import pytest

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[1]
METRICS = ["accuracy", "balanced_accuracy", "f1_macro"]
TABLES = ("curves", "selections", "references")
CELL = ["dataset", "model", "strategy", "seed"]
# The columns no BLAS kernel changes, also in the kernel-sensitive cells.
STRUCTURE = {"curves": [*CELL, "iteration", "n_labeled", "fallback_model"]}


def golden_config() -> dict:
    from helpers import small_config

    config = small_config()
    config["models"]["mlp"] = {
        "estimator": "albench.models.EmbeddingMLPClassifier",
        "params": {"hidden_layer_sizes": [8], "solver": "lbfgs", "max_iter": 100},
    }
    config["strategies"]["margin"] = {
        "query": "UncertaintySampling",
        "params": {"method": "margin_sampling"},
    }
    config["protocol"] = {
        "test_size": 0.25,
        "initial_size": 6,
        "batch_size": 4,
        "iterations": 5,
        "metrics": METRICS,
    }
    return config


def compute() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (curves, selections, full-pool scores) of the golden grid, from the library."""
    from albench.data.sources import load_dataset
    from albench.data.splits import make_split, split_indices
    from albench.learn.loop import run_al_loop
    from albench.learn.reference import full_pool_scores
    from albench.plan.grid import cell_spec
    from albench.seeding import derive_seed

    config = golden_config()
    protocol = config["protocol"]
    curves, selections, references = [], [], []
    for name, spec in config["datasets"].items():
        dataset = load_dataset(name, spec)
        for seed in (0, 1):
            split = make_split(
                dataset.y,
                protocol["test_size"],
                protocol["initial_size"],
                derive_seed("split", seed, name),
                name,
            )
            roles = split_indices(split)
            for model in config["models"]:
                scores = full_pool_scores(
                    dataset, roles, model, config["models"][model], METRICS, seed, name
                )
                assert scores.pop("fit_error") == ""
                references.append({"dataset": name, "model": model, "seed": seed, **scores})
                for strategy in config["strategies"]:
                    cell = cell_spec(config, name, model, strategy, seed)
                    result = run_al_loop(dataset, roles, cell)
                    columns = [*CELL, "iteration", "n_labeled", *METRICS, "fallback_model"]
                    curves.append(result.curve[columns])
                    # An exact oracle: the revealed labels are the true ones (the golden file
                    # predates the true_label column).
                    sel = result.selection
                    assert (sel["label"] == sel["true_label"]).all()
                    sel = sel.drop(columns="true_label").assign(
                        dataset=name, model=model, strategy=strategy, seed=seed
                    )
                    selections.append(sel)
    return (
        pd.concat(curves, ignore_index=True),
        pd.concat(selections, ignore_index=True),
        pd.DataFrame(references),
    )


def exact(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` as the text of its values' exact repr (how the files store it)."""
    return frame.astype({c: object for c in frame.columns}).map(repr).reset_index(drop=True)


def kernel_sensitive(frame: pd.DataFrame) -> pd.Series:
    """Rows whose numbers depend on the BLAS kernels: the MLP's model-driven cells."""
    if "strategy" not in frame:  # full-pool scores: no queries, measured stable
        return pd.Series(False, index=frame.index)
    return (frame["model"] == "'mlp'") & (frame["strategy"] != "'random'")


def stored(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / f"{name}.csv", dtype=str, keep_default_na=False)


def structure(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """What no kernel changes in kernel-sensitive rows: their columns of STRUCTURE, or for
    selections the number of rows each cell queried at each iteration."""
    if name == "selections":
        return frame.groupby([*CELL, "iteration"]).size().reset_index(name="rows")
    return frame[STRUCTURE[name]].reset_index(drop=True)


@pytest.fixture(scope="module")
def computed() -> dict[str, pd.DataFrame]:
    return dict(zip(TABLES, map(exact, compute()), strict=True))


@pytest.mark.parametrize("name", TABLES)
def test_stored_goldens_hold_bit_for_bit_where_no_kernel_moves_them(computed, name):
    got, want = computed[name], stored(name)
    assert list(got.columns) == list(want.columns)
    steady = ~kernel_sensitive(want)
    assert steady.sum() > len(want) / 2  # the check covers most of the grid
    pd.testing.assert_frame_equal(
        got[~kernel_sensitive(got)].reset_index(drop=True),
        want[steady].reset_index(drop=True),
        obj=name,
    )
    if name == "references":  # no queries: every row is checked bit for bit above
        return
    pd.testing.assert_frame_equal(
        structure(name, got[kernel_sensitive(got)]),
        structure(name, want[~steady]),
        obj=f"{name} (kernel-sensitive rows)",
    )


def reference_goldens(commit: str, into: Path) -> dict[str, pd.DataFrame]:
    """Return the golden tables that the code of `commit` computes on this machine."""
    archive = into / "reference.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "-C", str(REPO), "archive", commit, "src", "tests"], stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    # The reference's own code first on the path; nothing from this checkout.
    env = {**os.environ, "PYTHONPATH": str(into / "src")}
    subprocess.run(
        [sys.executable, "-W", "ignore", "tests/test_golden.py", "--write"],
        cwd=into,
        env=env,
        check=True,
        capture_output=True,
    )
    return {
        name: pd.read_csv(into / "tests/golden" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


def test_the_reference_code_gives_the_same_bits_on_this_machine(computed, tmp_path):
    commit = (GOLDEN / "REFERENCE").read_text().split()[0]
    known = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
    )
    if shutil.which("git") is None or known.returncode != 0:
        pytest.skip(f"the reference commit {commit} is not in this checkout's history")
    reference = reference_goldens(commit, tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(computed[name], reference[name], obj=name)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    GOLDEN.mkdir(exist_ok=True)
    for name, frame in zip(TABLES, compute(), strict=True):
        exact(frame).to_csv(GOLDEN / f"{name}.csv", index=False)
