"""scikit-activeml without an import of torch it cannot use.

scikit-activeml 1.0.1 imports torch when its modules load, wherever torch is installed (about 2 s
of CPU per process: the planning Snakemake, each pool worker, each job run in its own process,
each cluster submission), but only for its skorch wrappers, which need skorch as well. Without
skorch they are disabled whatever torch does, so an import of torch *by scikit-activeml's own
modules* is answered with the ImportError they expect and handle. Every other importer
(`albench.torch`, a user's model) gets torch as usual; with skorch installed nothing is refused.
`install` is called when albench is imported, before anything imports scikit-activeml.
"""

from __future__ import annotations

import sys

_IMPORT_MACHINERY = ("importlib", __name__)
_skorch: bool | None = None  # whether skorch is installed, once known


class SkactivemlTorchGuard:
    """A meta-path finder that refuses torch to scikit-activeml where skorch is missing."""

    def find_spec(self, name: str, path=None, target=None):  # noqa: ANN001 - finder protocol
        if name != "torch" or not _imported_by_skactiveml() or _has_skorch():
            return None
        raise ModuleNotFoundError(
            "albench: torch is not imported for scikit-activeml, whose torch parts need "
            "skorch (not installed)",
            name=name,
        )


def _imported_by_skactiveml() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith(_IMPORT_MACHINERY):
            return module == "skactiveml" or module.startswith("skactiveml.")
        frame = frame.f_back
    return False


def _has_skorch() -> bool:
    global _skorch
    if _skorch is None:
        import importlib.util  # here: the job client imports albench and must stay light

        _skorch = importlib.util.find_spec("skorch") is not None
    return _skorch


def install() -> None:
    """Put the guard first on `sys.meta_path` (once)."""
    if not any(isinstance(finder, SkactivemlTorchGuard) for finder in sys.meta_path):
        sys.meta_path.insert(0, SkactivemlTorchGuard())
