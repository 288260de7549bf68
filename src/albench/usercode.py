"""Code a config names by dotted import path: where it is found, which files it is, which ran.

A config may name a strategy (`query: mystrats.dens.DensityMargin`) or a model
(`estimator: mymodels.Net`) whose module lives in the user's project folder rather than in an
installed package. The project folders are each config file's folder and the working
directory (`code_folders`). The process that plans a run exports them as `$ALBENCH_CODE_PATH`
(`use_project_folders`); every process that imports a config's code (the planner, pool
workers, a job run in its own process, a cluster submission, which reads the Snakefile again)
appends them to `sys.path` first (`import_object`). They come after the installed packages, and
a project module named like an installed one is refused, so every process resolves a name to
the same file.

The files of project code are the rules' inputs (`source_files`): editing them reruns exactly
the jobs that use them. Each cell's metadata records what ran (`code_record`): the import path,
and a hash of the source for project code or the package's version for installed code.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import os
import sys
import traceback
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from albench.env import CODE_PATH_ENV
from albench.errors import ConfigError

# Where a bare strategy name (`query: Badge`) is looked up.
BUILTIN_STRATEGIES = "skactiveml.pool"


def code_folders(configfiles: Iterable[str | Path], workdir: str | Path) -> list[str]:
    """Return the folders project code is imported from: each config file's folder, then
    `workdir`, as absolute paths without repeats."""
    folders = [Path(path).resolve().parent for path in configfiles] + [Path(workdir).resolve()]
    return list(dict.fromkeys(str(folder) for folder in folders))


def use_project_folders(configfiles: Iterable[str | Path], workdir: str | Path = ".") -> list[str]:
    """Make the folders of `configfiles` and `workdir` (`code_folders`) the project folders of
    this process and of every job it starts; return them."""
    folders = code_folders(configfiles, workdir)
    os.environ[CODE_PATH_ENV] = os.pathsep.join(folders)
    return folders


def project_folders() -> list[str]:
    """Return the project folders this process was given (`$ALBENCH_CODE_PATH`)."""
    return [folder for folder in os.environ.get(CODE_PATH_ENV, "").split(os.pathsep) if folder]


def _use_project_folders() -> list[str]:
    folders = project_folders()
    for folder in folders:
        if folder not in sys.path:
            sys.path.append(folder)
    return folders


def import_object(path: str, key: str) -> Any:
    """Return the object at dotted import `path`, found in the installed packages or the
    project folders; ConfigError naming config `key` and what went wrong otherwise."""
    module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise ConfigError(f"{key}: {path!r} is not a dotted path such as sklearn.svm.SVC")
    folders = _use_project_folders()
    _refuse_shadowing(module_name.partition(".")[0], folders, key)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(f"{exc.name}.")):
            looked = ", ".join(folders) if folders else "no project folder"
            raise ConfigError(
                f"{key}: cannot import {path!r}: no module named {exc.name!r} among the "
                f"installed packages or in the project folders ({looked})"
            ) from None
        raise ConfigError(
            f"{key}: cannot import module {module_name!r} ({exc}){_hint(exc)}{_where(exc)}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - whatever a user's module raises is the reason
        raise ConfigError(
            f"{key}: importing module {module_name!r} raised {type(exc).__name__}: {exc}"
            f"{_where(exc)}"
        ) from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(f"{key}: module {module_name!r} has no {attr!r}") from None


def _hint(exc: ImportError) -> str:
    if exc.name == "torch":
        return "; install the torch extra: pip install torch==2.13.0 && pip install -e .[torch]"
    return ""


def _where(exc: BaseException) -> str:
    """Return ' (at FILE, line N)' for the innermost frame of `exc` in a project folder."""
    folders = project_folders()
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if any(_inside(frame.filename, folder) for folder in folders)
    ]
    return f" (at {frames[-1].filename}, line {frames[-1].lineno})" if frames else ""


def _inside(path: str | Path, folder: str | Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def _refuse_shadowing(top: str, folders: list[str], key: str) -> None:
    """Refuse a project module named like an installed or standard module: which of the two a
    process imports would depend on its path order."""
    for folder in folders:
        mine = [p for p in (Path(folder) / top, Path(folder) / f"{top}.py") if p.exists()]
        if not mine:
            continue
        others = [p for p in sys.path if p and not _same_folder(p, folder)]
        other = top in sys.builtin_module_names or importlib.machinery.PathFinder.find_spec(
            top, others
        )
        if other:
            where = getattr(other, "origin", None) or "built in"
            raise ConfigError(
                f"{key}: the project's {mine[0]} has the name of the installed module {top!r} "
                f"({where}); rename it"
            )


def _same_folder(entry: str, folder: str) -> bool:
    try:
        return Path(entry).resolve() == Path(folder).resolve()
    except OSError:
        return False


def _top_module_file(module_name: str) -> Path | None:
    top = sys.modules.get(module_name.partition(".")[0])
    if top is None:
        return None
    if getattr(top, "__path__", None):
        return Path(next(iter(top.__path__)))
    return Path(top.__file__) if getattr(top, "__file__", None) else None


def is_project_code(path: str) -> bool:
    """Return whether the object at dotted `path` (imported already) comes from a project
    folder: its top-level module or package lies directly in one."""
    location = _top_module_file(path.rpartition(".")[0])
    return location is not None and any(
        _same_folder(str(location.parent), folder) for folder in project_folders()
    )


def source_files(path: str, key: str) -> list[str]:
    """Return the files of the object at dotted `path` when it is project code: the module's
    file, or every Python file of its top-level package (a module may import its siblings).
    Installed code gives none. Paths are relative to the working directory when inside it."""
    folders = tuple(project_folders())
    top = path.partition(".")[0]
    if not any((Path(f) / top).exists() or (Path(f) / f"{top}.py").exists() for f in folders):
        return []  # not in a project folder: installed code, not imported here for nothing
    return list(_source_files(path, key, os.getcwd(), folders))


@cache
def _source_files(path: str, key: str, cwd: str, folders: tuple[str, ...]) -> tuple[str, ...]:
    import_object(path, key)
    if not is_project_code(path):
        return ()
    location = _top_module_file(path.rpartition(".")[0])
    if location.is_dir():
        files = sorted(
            p
            for p in location.rglob("*.py")
            if "__pycache__" not in p.parts and not any(s.startswith(".") for s in p.parts)
        )
    else:
        files = [location]
    return tuple(os.path.relpath(p, cwd) if _inside(p, cwd) else str(p) for p in files)


def source_digest(files: Iterable[str | Path]) -> str:
    """Return the SHA-256 of `files`' names and contents, in sorted order."""
    digest = hashlib.sha256()
    for name in sorted(str(f) for f in files):
        digest.update(Path(name).as_posix().encode() + b"\0")
        digest.update(Path(name).read_bytes() + b"\0")
    return digest.hexdigest()


def imports_of(spec: Mapping[str, Any]) -> list[str]:
    """Return the dotted paths a model or strategy spec names: its `estimator`s (a pipeline's
    steps, a committee's models, a discriminator too) and a strategy's `query`, a bare name
    meaning scikit-activeml's `BUILTIN_STRATEGIES`."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for name, value in node.items():
                if name == "estimator" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    query = spec.get("query")
    if isinstance(query, str):
        found.append(query if "." in query else f"{BUILTIN_STRATEGIES}.{query}")
    walk({k: v for k, v in spec.items() if k != "query"})
    return list(dict.fromkeys(found))


def code_record(path: str, key: str) -> dict[str, Any]:
    """Return what ran for dotted `path`: the path, and the SHA-256 and files of project
    code, or the version of the installed package that holds it (its `__version__`)."""
    files = source_files(path, key)
    if files:
        return {"import": path, "sha256": source_digest(files), "files": files}
    record: dict[str, Any] = {"import": path}
    top = sys.modules.get(path.partition(".")[0])
    version = getattr(top, "__version__", None)
    if isinstance(version, str):
        record["version"] = version
    return record


def spec_code(specs: Mapping[str, Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return {config key: [code_record of each dotted path its spec names]} for `specs`
    ({"models.logreg": spec, ...})."""
    return {
        key: [code_record(path, key) for path in imports_of(spec)] for key, spec in specs.items()
    }
