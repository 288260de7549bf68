"""Golden curves: the AL loop's numbers must not move unless LOOP_VERSION is bumped.

`tests/golden/curves.csv` holds every metric of a small grid (two data sets, two models, four
strategies, two seeds) and `selections.csv` every queried row, written with the code of commit
ef85cb1. Refactoring the rule/library boundary must leave them bit-identical (floats are
compared through their exact repr). Regenerate deliberately with
`python tests/test_golden.py --write` after a change that is meant to change results.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from conftest import small_config

from albench.grid import cell_spec
from albench.loop import run_al_loop
from albench.reference import full_pool_scores
from albench.seeding import derive_seed
from albench.sources import load_dataset
from albench.splits import make_split, split_indices

GOLDEN = Path(__file__).parent / "golden"
METRICS = ["accuracy", "balanced_accuracy", "f1_macro"]


def golden_config() -> dict:
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
                    curves.append(result.curve[["dataset", "model", "strategy", "seed",
                                                "iteration", "n_labeled", *METRICS,
                                                "fallback_model"]])  # fmt: skip
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


def _exact(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: object for c in frame.columns}).map(repr)


def test_golden_curves_selections_and_references_are_unchanged():
    curves, selections, references = compute()
    for name, frame in (("curves", curves), ("selections", selections), ("references", references)):
        expected = pd.read_csv(GOLDEN / f"{name}.csv", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(_exact(frame).reset_index(drop=True), expected, obj=name)


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    GOLDEN.mkdir(exist_ok=True)
    for name, frame in zip(("curves", "selections", "references"), compute(), strict=True):
        _exact(frame).to_csv(GOLDEN / f"{name}.csv", index=False)
