"""albench: does any active-learning query strategy beat random sampling?"""

__version__ = "0.1.0"

# Bumped whenever a change to the AL loop changes the numbers it produces. Every cell
# carries it in its Snakemake params, so a bump reruns all cells and nothing else does.
LOOP_VERSION = 1

from albench.skactiveml_imports import install as _install_import_guard  # noqa: E402

_install_import_guard()
