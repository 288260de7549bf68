"""The seed's deep-AL experiment as a workflow: config/examples/digits_cnn.yaml end to end on CPU.

The test set-up writes scikit-learn's digits as an image folder, so the real folder loader,
the CNN, BADGE on its embeddings and the embedding maps all run, as a user runs them.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from helpers import REPO, planned_jobs, snakemake

from albench.data.sample_images import write_digits_folder

pytest.importorskip("torch")
pytestmark = pytest.mark.slow

EXAMPLE = REPO / "config" / "examples" / "digits_cnn.yaml"
# Two of the example's five strategies: random, and BADGE on the CNN's embeddings.
STRATEGIES = ["random", "badge"]
ITERATIONS = 6
# The last-but-one, as the example maps 19 (and 0, 10) of 20: one t-SNE map per strategy (each
# costs seconds); iteration 0's map is tested on an MLP (tests/test_embedding_maps.py).
MAPPED = [5]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("digits_cnn")
    write_digits_folder(workdir / "resources" / "digits_images")
    # The example as it is, with one seed of its three, two of its five strategies, 6 of its
    # 20 iterations and a third of its epochs (the protocol's sizes, the CNN and the maps are
    # the same; its training takes minutes otherwise).
    config = yaml.safe_load(EXAMPLE.read_text())
    config["seeds"] = 1
    config["protocol"]["iterations"] = ITERATIONS
    config["embedding_maps"]["iterations"] = MAPPED
    config["strategies"] = {name: config["strategies"][name] for name in STRATEGIES}
    config["models"]["cnn"]["params"]["epochs"] = 10
    (workdir / "digits_cnn.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    snakemake(workdir, "--configfile", "digits_cnn.yaml", "--cores", "2")
    return workdir


def test_digits_cnn_example_produces_curves_figures_and_maps(digits_run):
    curves = pd.read_parquet(digits_run / "results" / "summary" / "curves.parquet")
    assert sorted(curves["strategy"].unique()) == sorted(STRATEGIES)
    assert curves.groupby("strategy")["iteration"].max().eq(ITERATIONS).all()
    assert not curves["fallback_model"].any()
    # 1797 digits: 180 test, 180 validation, 90 initial, 54 per query.
    final = curves[curves["iteration"] == ITERATIONS]
    assert final["n_labeled"].eq(90 + ITERATIONS * 54).all()
    # A CNN on digits learns, whatever the strategy (chance: 0.1; about 0.8 at 414 labels).
    assert final["f1_macro"].min() > 0.7
    assert (
        digits_run / "results" / "figures" / "digits_images__cnn__default.png"
    ).stat().st_size > 0
    comparison = pd.read_csv(digits_run / "results" / "summary" / "comparison.csv")
    assert set(comparison["strategy"]) == set(STRATEGIES)
    maps = sorted((digits_run / "results" / "figures" / "embeddings").rglob("*.png"))
    expected = len(STRATEGIES) * len(MAPPED)
    assert len(maps) == expected
    assert all(path.stat().st_size > 10_000 for path in maps)


def test_digits_cnn_rerun_has_nothing_to_do(digits_run):
    proc = snakemake(digits_run, "--configfile", "digits_cnn.yaml", "-n")
    assert planned_jobs(proc) == {}
