"""What the jobs warn of reaches the user: recorded in each job's output, gathered per data set
(`albench.analysis.notices`) and counted in the verdict."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from helpers import CELL, animal_table, seeded_cell

from albench.analysis.notices import COLUMNS, warning_lines, warnings_table
from albench.data.sources import prepare_dataset
from albench.data.splits import SplitSpec, split_dataset
from albench.io.curves import write_curve
from albench.learn.loop import run_cell
from albench.specs import CellSpec, DatasetSpec


def test_the_warnings_of_a_preparation_and_of_cells_are_gathered_per_data_set(tmp_path):
    frame = animal_table()
    frame.loc[[0, 5], "animal"] = None
    frame.loc[[1, 2], "size"] = np.nan
    frame.to_csv(tmp_path / "a.csv", index=False)
    spec = {"source": "file", "path": str(tmp_path / "a.csv"), "label": "animal"}
    data = tmp_path / "a.parquet"
    prepare_dataset(DatasetSpec("a", spec), data)
    split_dataset(data, tmp_path / "split.parquet", SplitSpec("a", 0, 0.25, 1))
    cells = []
    for strategy in ("random", "entropy"):
        cell = copy.deepcopy(CELL)
        cell.update(dataset="a", strategy=strategy)
        cell["strategy_spec"] = (
            {"query": "RandomSampling"} if strategy == "random" else (CELL["strategy_spec"])
        )
        # One label to start from: the model is fitted on one class, and falls back.
        cell["protocol"].update(initial_size=1, iterations=2, batch_size=1)
        cell["model_spec"]["params"] = {"max_iter": 2}  # does not converge
        path = tmp_path / f"{strategy}.parquet"
        run_cell(
            data,
            tmp_path / "split.parquet",
            path,
            tmp_path / f"{strategy}.sel.parquet",
            CellSpec(**cell, seed=0),
        )
        cells.append(path)
    table = warnings_table("a", data, cells)
    assert table.columns.tolist() == COLUMNS
    prepared = table[table["job"] == "prepare_dataset"]["message"].tolist()
    assert prepared == [
        "data set 'a': dropped 2 row(s) without a label",
        "data set 'a': imputed 2 missing value(s) in column 'size'",
        "data set 'a': 3 column(s) became 4 features; one-hot encoded: 'colour' as 2",
    ]
    cell_rows = table[table["job"] == "al_cell"]
    assert set(cell_rows["strategy"]) == {"random", "entropy"}
    assert cell_rows["message"].str.contains("of one class").any()
    assert cell_rows["message"].str.startswith("ConvergenceWarning: lbfgs failed").any()
    assert (cell_rows["cells"] == 1).all()
    lines = warning_lines(table)
    assert lines[0] == "data set 'a': dropped 2 row(s) without a label"
    fallback = next(line for line in lines if "of one class" in line)
    assert fallback.startswith("data set 'a', model 'logreg': 2 cell(s) of random, entropy")


def test_a_cell_that_warns_of_nothing_records_nothing(tmp_path):
    curve = pd.DataFrame(
        {
            **{c: ["x"] for c in ("dataset", "model", "protocol", "strategy")},
            "seed": [0],
            "iteration": [0],
            "n_labeled": [5],
            "accuracy": [0.5],
            "fit_seconds": [0.0],
            "query_seconds": [0.0],
            "score_seconds": [0.0],
            "fallback_model": [False],
        }
    )
    write_curve(curve, tmp_path / "c.parquet", seeded_cell(0))
    assert warnings_table("d", None, [tmp_path / "c.parquet"]).empty


def test_messages_that_differ_in_their_numbers_are_one_line_with_ranges():
    rows = [
        ["d", "al_cell", "m", "default", s, f"filled {n} row(s) of 10 at random", 1, c]
        for s, n, c in [("badge", 3, 2), ("badge", 8, 1), ("margin", 1, 4)]
    ]
    rows.append(["d", "al_cell", "m", "default", "badge", "Warning: " + "x" * 200, 2, 2])
    lines = warning_lines(pd.DataFrame(rows, columns=COLUMNS), width=60)
    assert lines[0] == (
        "data set 'd', model 'm': 3 cell(s) of badge, margin, 7 times: "
        "filled 1–8 row(s) of 10 at random"
    )
    assert lines[1].endswith(": Warning: " + "x" * 50 + "…")
    assert len(lines) == 2
