"""Parquet I/O with metadata, job logs and checkpoints, tested directly."""

from __future__ import annotations

import logging
import warnings

import pyarrow as pa
import pytest

from albench.io.logs import NOTICE, collecting_warnings, log_to
from albench.io.parquet import read_metadata, read_table, write_table
from albench.learn.checkpoints import (
    checkpoint_key,
    checkpoint_path,
    load_checkpoint,
    save_checkpoint,
)


def test_a_table_comes_back_with_its_metadata_and_only_albenchs(tmp_path):
    path = tmp_path / "t.parquet"
    table = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]}).replace_schema_metadata(
        {b"other": b"kept"}
    )
    write_table(table, path, {"code": '{"f": 1}', "note": "é"})
    back, meta = read_table(path)
    assert back.select(["a", "b"]).equals(table.select(["a", "b"]))
    assert meta == {"code": '{"f": 1}', "note": "é"} == read_metadata(path)
    assert back.schema.metadata[b"other"] == b"kept"
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import albench.io.parquet as parquet

    path = tmp_path / "t.parquet"
    write_table(pa.table({"a": [1]}), path)

    def half_written(table, where):
        with open(where, "wb") as stream:
            stream.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(parquet.pq, "write_table", half_written)
    with pytest.raises(OSError, match="disk full"):
        write_table(pa.table({"a": [2]}), path)
    monkeypatch.undo()
    assert read_table(path)[0].column("a").to_pylist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_a_jobs_records_warnings_prints_and_traceback_go_to_its_log(tmp_path, capsys):
    path = tmp_path / "logs" / "job.log"
    with pytest.raises(ValueError, match="boom"), log_to(path) as logger:
        logger.info("started")
        warnings.warn("careful", UserWarning, stacklevel=1)
        print("printed")
        raise ValueError("boom")
    text = path.read_text()
    for part in ("INFO started", "careful", "printed", "Traceback", "ValueError: boom"):
        assert part in text, part
    assert capsys.readouterr() == ("", "")  # nothing reached the terminal
    assert not logging.getLogger("albench").handlers  # the handler is gone with the job
    with log_to(path) as logger:
        logger.info("second")
    assert "started" not in path.read_text()  # a rerun's log starts afresh


def test_a_checkpoint_resumes_only_the_cell_that_wrote_it(tmp_path, caplog):
    curve = tmp_path / "seed0.parquet"
    path = checkpoint_path(curve)
    assert path == tmp_path / ".seed0.checkpoint.pkl"
    key = checkpoint_key('{"seed":0}')
    assert load_checkpoint(path, key) is None  # none yet
    save_checkpoint(path, key, {"labels": [1, 2], "rows": [{"a": 1}]})
    assert load_checkpoint(path, key) == {"labels": [1, 2], "rows": [{"a": 1}]}
    other = checkpoint_key('{"seed":1}')
    assert other != key
    with caplog.at_level(logging.WARNING, logger="albench"):
        assert load_checkpoint(path, other) is None
    assert "written for another config" in caplog.text
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="albench"):
        assert load_checkpoint(path, key) is None
    assert "ignoring unreadable checkpoint" in caplog.text


def _warn_twice() -> None:
    for _ in range(2):
        warnings.warn("lbfgs failed to converge\nIncrease max_iter", UserWarning, stacklevel=1)


def test_collecting_warnings_counts_each_message_and_each_python_warning_once_per_block():
    log = logging.getLogger("albench")
    blocks = []
    for _ in range(2):  # a second job in the same (warm) process records the same
        with collecting_warnings() as collected:
            for iteration in range(3):
                log.warning("iteration %d: fell back", iteration)
            log.info("not collected")
            log.info("encoded %d columns", 3, extra={NOTICE: True})
            _warn_twice()
        blocks.append(collected)
    assert blocks[0] == blocks[1]
    assert blocks[0] == [
        {"message": "iteration 0: fell back", "count": 3},
        {"message": "encoded 3 columns", "count": 1},
        {"message": "UserWarning: lbfgs failed to converge Increase max_iter", "count": 1},
    ]
