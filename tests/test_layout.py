"""The library's layers (docs/development.md): each subpackage imports only from those below
it, and no module imports itself back through others. Read from the code's imports (deferred
imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import REPO

ROOT = REPO / "src" / "albench"
# What each layer may import (docs/development.md's table); "core" is albench's top modules.
ALLOWED = {
    "core": {"core"},
    "io": {"core", "io"},
    "stopping": {"core", "io", "stopping"},
    "data": {"core", "io", "data"},
    "learn": {"core", "io", "data", "stopping", "learn"},
    "analysis": {"core", "io", "stopping", "analysis"},
    "figures": {"core", "io", "stopping", "analysis", "figures"},
    "explorer": {"core", "io", "analysis", "figures", "explorer"},
    "plan": {"core", "io", "data", "stopping", "learn", "analysis", "plan"},
    "run": {"core", "io", "data", "stopping", "learn", "analysis", "figures", "plan", "run"},
}
# Kept for the dotted paths users' configs name; they only forward.
FORWARDING = {"albench.models", "albench.torch"}


def module_name(path: Path) -> str:
    return ".".join(("albench", *path.relative_to(ROOT).with_suffix("").parts)).removesuffix(
        ".__init__"
    )


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else "core"


def imports(path: Path) -> set[str]:
    """The albench modules `path` imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("albench"):
            # `from albench.io import logs` imports a module; `... import write_text` a name,
            # which `resolve` maps to its module.
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("albench")}
    return found


def graph() -> dict[str, set[str]]:
    """{module: the albench modules it imports} (a name imported from a module is that
    module; `from albench.io import logs` is albench.io.logs)."""
    raw = {module_name(p): imports(p) for p in ROOT.rglob("*.py")}

    def resolve(target: str) -> str:
        while target not in raw:
            target = target.rpartition(".")[0]
        return target

    return {m: {resolve(t) for t in targets} - {m} for m, targets in raw.items()}


def test_every_import_goes_down_the_layers():
    wrong = [
        f"{module} ({layer(module)}) imports {target} ({layer(target)})"
        for module, targets in graph().items()
        if module not in FORWARDING
        for target in targets
        if layer(target) not in ALLOWED[layer(module)]
    ]
    assert wrong == []


def test_no_module_imports_itself_through_others():
    edges = graph()
    state: dict[str, str] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []
