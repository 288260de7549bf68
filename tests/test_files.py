"""Atomic writing (albench.io.files)."""

import pytest

from albench.io.files import atomic_path, write_text


def test_atomic_path_leaves_nothing_behind_on_error_and_keeps_the_suffix(tmp_path):
    target = tmp_path / "out" / "figure.png"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp.suffix == ".png" and tmp.parent == target.parent
        assert tmp.name == ".figure.tmp.png"
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert not target.exists() and list(target.parent.iterdir()) == []
    with atomic_path(target) as tmp:
        tmp.write_text("whole")
    assert target.read_text() == "whole" and list(target.parent.iterdir()) == [target]


def test_a_temporary_a_sigkill_left_goes_with_the_next_write_of_its_path_only(tmp_path):
    target = tmp_path / "figure.png"
    stale = tmp_path / ".figure.tmp.png"  # no cleanup runs after a SIGKILL
    other = tmp_path / ".figure.b.tmp.png"  # of figure.b.png, being written by another job
    stale.write_text("half"), other.write_text("half")
    write_text(target, "again")
    assert sorted(tmp_path.iterdir()) == sorted([target, other])
    assert target.read_text() == "again"
