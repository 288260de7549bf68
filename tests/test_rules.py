"""Every rule runs a script of scripts/, and every script there belongs to a rule; each script is
one call inside `running(snakemake)`, reading only what its rule provides."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from helpers import REPO

RULES = REPO / "workflow" / "rules"
SCRIPTS = REPO / "scripts"


def rule_scripts() -> dict[str, Path]:
    """Each rule's name and the script its `script:` directive names (resolved as Snakemake does,
    beside the rule file)."""
    found = {}
    for path in RULES.glob("*.smk"):
        text = path.read_text()
        for match in re.finditer(
            r"^\s*rule (\w+):\n(?:.*\n)*?\s*script:\n\s*\"([^\"]+)\"", text, re.M
        ):
            found[match[1]] = (path.parent / match[2]).resolve()
    return found


def test_every_rule_runs_an_existing_script_and_every_script_has_a_rule():
    scripts = rule_scripts()
    assert len(scripts) >= 14
    assert all(path.is_file() for path in scripts.values()), scripts
    assert set(scripts.values()) == {p.resolve() for p in SCRIPTS.glob("*.py")}
    # A script is named after its rule.
    assert all(path.stem == rule for rule, path in scripts.items())


def test_every_script_makes_one_call_inside_running():
    for path in SCRIPTS.glob("*.py"):
        tree = ast.parse(path.read_text())
        (body,) = [node for node in tree.body if isinstance(node, ast.With)]
        (item,) = body.items
        assert ast.unparse(item.context_expr) == "running(snakemake)", path
        calls = [node for node in body.body if isinstance(node, ast.Expr)]
        assert len(calls) == 1, path  # one library call (an assignment may prepare its args)
