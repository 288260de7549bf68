"""What albench reads of Snakemake beyond its public interfaces (albench.run.internals), on a
tiny workflow run by this Snakemake: a script sees the same `snakemake` under albench's executor
as under Snakemake's own, and the workflow attributes the Snakefile reads are there."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SNAKEFILE = """
import json
from albench.run.internals import (
    config_files, deployment_methods, has_action, is_main_process, keeps_going,
)

MAIN = is_main_process(workflow)


onstart:
    with open("reads.json", "w") as out:
        json.dump(
            [MAIN, config_files(workflow), sorted(deployment_methods(workflow)),
             keeps_going(workflow), has_action(rules.all.rule), has_action(rules.dump.rule)],
            out,
        )


rule all:
    input:
        expand("out/{name}.json", name=["a", "b"]),


rule dump:
    input:
        data="in.txt",
        more=["in.txt", "in.txt"],
    output:
        out="out/{name}.json",
    log:
        "logs/{name}.log",
    params:
        spec='{"x": 1}',
        n=3,
    threads: 1
    script:
        "scripts/dump.py"
"""

DUMP = """
import json
seen = {
    "rule": snakemake.rule,
    "data": snakemake.input.data,
    "more": list(snakemake.input.more),
    "inputs": [str(p) for p in snakemake.input],
    "named": {k: (list(v) if isinstance(v, list) else v) for k, v in snakemake.input.items()},
    "out": snakemake.output.out,
    "outputs": dict(snakemake.output.items()),
    "log": snakemake.log[0],
    "spec": snakemake.params.spec,
    "n": snakemake.params.n,
    "name": snakemake.wildcards.name,
    "threads": snakemake.threads,
}
with open(snakemake.output.out, "w") as out:
    json.dump(seen, out, sort_keys=True)
"""


@pytest.mark.parametrize("executor", ["albench", "local"])
def test_a_script_sees_the_same_snakemake_under_either_executor(tmp_path, executor):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "dump.py").write_text(DUMP)
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    (tmp_path / "in.txt").write_text("x")
    (tmp_path / "c.yaml").write_text("a: 1\n")
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--executor", executor]
    command += ["--configfile", "c.yaml", "--keep-going"]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True)
    seen = json.loads((tmp_path / "out" / "a.json").read_text())
    assert seen == {
        "rule": "dump",
        "data": "in.txt",
        "more": ["in.txt", "in.txt"],
        "inputs": ["in.txt", "in.txt", "in.txt"],
        "named": {"data": "in.txt", "more": ["in.txt", "in.txt"]},
        "out": "out/a.json",
        "outputs": {"out": "out/a.json"},
        "log": "logs/a.log",
        "spec": '{"x": 1}',
        "n": 3,
        "name": "a",
        "threads": 1,
    }
    main, config_file, methods, keep_going, *actions = json.loads(
        (tmp_path / "reads.json").read_text()
    )
    assert main and config_file[0].endswith("c.yaml") and methods == []
    assert keep_going
    assert actions == [False, True]  # `all` only asks for its input: nothing to run
