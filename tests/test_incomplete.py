"""The verdict of a failed run, part by part: which cells are done, which references the
finished groups have, and the text (the whole failed run is in test_robustness)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest
from helpers import small_config
from snakemake.utils import validate

from albench.io.parquet import write_table
from albench.plan.grid import cell_spec
from albench.plan.incomplete import (
    Cells,
    cell_status,
    finished_references,
    status_lines,
    up_to_date,
)

PATHS = {
    "curve": "curves/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.parquet",
    "data": "data/{dataset}.parquet",
    "split": "splits/{dataset}/{protocol}/seed{seed}.parquet",
    "reference": "full_pool/{dataset}/{protocol}/{model}/seed{seed}.parquet",
    "log": "logs/al_cell/{dataset}/{protocol}/{model}/{strategy}/seed{seed}.log",
}


def touch(path: Path, cell: str | None = None, mtime: float = 1000.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_table(pa.table({"x": [1]}), path, {"cell": cell} if cell else None)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def config():
    from helpers import SCHEMA

    config = small_config()
    validate(config, str(SCHEMA))
    return config


def test_a_curve_is_up_to_date_when_newer_than_its_inputs_and_made_for_its_config(tmp_path):
    data = touch(tmp_path / "data.parquet", mtime=1000)
    curve = tmp_path / "curve.parquet"
    assert not up_to_date(curve, [data], "{}")
    touch(curve, cell='{"a":1}', mtime=2000)
    assert up_to_date(curve, [data], '{"a":1}')
    assert up_to_date(curve, [data, tmp_path / "missing"], '{"a":1}')  # missing inputs: no say
    assert not up_to_date(curve, [data], '{"a":2}')  # the config changed since
    os.utime(data, (3000, 3000))
    assert not up_to_date(curve, [data], '{"a":1}')  # its data changed since


def test_cell_status_sorts_each_groups_cells_into_done_and_missing(tmp_path, config, monkeypatch):
    monkeypatch.chdir(tmp_path)
    touch(Path("data/iris.parquet"))
    for seed in (0, 1):
        touch(Path(f"splits/iris/default/seed{seed}.parquet"))
    for strategy in ("random", "entropy", "badge"):
        for seed in (0, 1):
            if (strategy, seed) == ("badge", 1):
                continue  # the one iris cell that failed
            fill = dict(dataset="iris", model="logreg", protocol="default", strategy=strategy)
            made_for = cell_spec(config, seed=seed, **fill).config_json()
            touch(Path(PATHS["curve"].format(seed=seed, **fill)), made_for, mtime=2000)
    groups = cell_status(config, PATHS)
    assert set(groups) == {("iris", "logreg", "default"), ("moons", "logreg", "default")}
    iris, moons = groups[("iris", "logreg", "default")], groups[("moons", "logreg", "default")]
    assert (len(iris.done), len(iris.missing), len(moons.done), len(moons.missing)) == (5, 1, 0, 6)
    assert iris.missing == [Path("curves/iris/default/logreg/badge/seed1.parquet")]


def test_finished_references_needs_every_seeds_reference(tmp_path, config, monkeypatch):
    monkeypatch.chdir(tmp_path)
    complete = [("iris", "logreg", "default"), ("moons", "logreg", "default")]
    for seed in (0, 1):
        touch(Path(f"full_pool/iris/default/logreg/seed{seed}.parquet"))
    touch(Path("full_pool/moons/default/logreg/seed0.parquet"))
    references, unknown = finished_references(config, PATHS, complete)
    assert references == [Path(f"full_pool/iris/default/logreg/seed{s}.parquet") for s in (0, 1)]
    assert unknown == [("moons", "logreg", "default")]


def test_status_lines_count_the_missing_cells_and_name_what_the_verdict_covers():
    groups = {
        ("iris", "logreg", "default"): Cells(done=[Path("a")] * 6),
        ("moons", "logreg", "default"): Cells(done=[Path("b")] * 4, missing=[Path("c")] * 2),
    }
    lines = status_lines(groups, "logs/al_cell", several=False, keep_going=False)
    text, flat = "\n".join(lines), " ".join(" ".join(lines).split())
    assert text.startswith("albench: the run did not finish. 2 of 12 cells have no up-to-date")
    assert "the cells' logs are under logs/al_cell/" in flat
    assert "  moons × logreg: 2 of 6 cells" in text and "iris × logreg:" not in text
    assert "covers the 1 of 2 data set × model pairs whose cells all finished;" in flat
    assert "`--keep-going` runs every cell that can run." in flat
    several = "\n".join(status_lines(groups, "logs", several=True, keep_going=True))
    assert "  moons × logreg × default: 2 of 6 cells" in several
    assert "data set × model × protocol groups whose cells all finished." in " ".join(
        several.split()
    )
    nothing = {("moons", "logreg", "default"): Cells(missing=[Path("c")])}
    lines = status_lines(nothing, "logs", several=False, keep_going=True)
    assert lines[-1] == "No data set × model has all its cells: there is no verdict yet."
