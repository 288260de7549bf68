"""The files a data set is read from, as inputs Snakemake can see.

Snakemake reruns a job when its declared inputs change, and only then. A data set's
preparation therefore declares what it reads: the table file of a `file` data set, the cache
file of an `openml` data set (written by its own download job), and for an `image_folder` a
manifest that lists every image with its size and content hash. The manifest is brought up to
date when the workflow starts and rewritten only when an image was added, removed or changed,
so editing one image reruns that data set's preparation and everything downstream of it, and
nothing else. Hashes are reused for files whose size and modification time are unchanged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from albench.files import write_text
from albench.sources import image_files, openml_cache_path

MANIFESTS = "results/manifests"


def manifest_path(dataset: str) -> str:
    """Return where image-folder data set `dataset`'s manifest is kept."""
    return f"{MANIFESTS}/{dataset}.tsv"


def dataset_inputs(dataset: str, spec: dict[str, Any], update: bool = True) -> list[str]:
    """Return the files data set `dataset` is prepared from (none for generated data).

    For an image folder, brings its manifest up to date first when `update` (the process that
    plans the run; jobs that run one step need not).
    """
    source = spec["source"]
    if source == "file":
        return [spec["path"]]
    if source == "openml":
        return [str(openml_cache_path(spec))]
    if source == "image_folder":
        path = manifest_path(dataset)
        if update:
            write_image_manifest(dataset, spec, path)
        return [path]
    return []


def image_manifest(
    dataset: str, spec: dict[str, Any], known: dict[str, list] | None = None
) -> tuple[str, dict[str, list]]:
    """Return (manifest text, stat cache) of an image folder: one line per image, sorted,
    `class/file<TAB>bytes<TAB>sha256`.

    `known` maps relative names to [size, mtime_ns, sha256] from an earlier call; a file whose
    size and mtime match is not read again.
    """
    known = known or {}
    root = Path(spec["path"])
    lines, cache = [], {}
    for files in image_files(dataset, spec).values():
        for path in files:
            name = path.relative_to(root).as_posix()
            stat = path.stat()
            entry = known.get(name)
            if entry is None or entry[:2] != [stat.st_size, stat.st_mtime_ns]:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entry = [stat.st_size, stat.st_mtime_ns, digest]
            cache[name] = entry
            lines.append(f"{name}\t{entry[0]}\t{entry[2]}\n")
    return "".join(lines), cache


def write_image_manifest(dataset: str, spec: dict[str, Any], path: str | Path) -> bool:
    """Write the manifest of image-folder data set `dataset` to `path` if it changed; return
    whether it was written. A hidden stat cache beside it spares re-hashing unchanged files."""
    path = Path(path)
    cache_path = path.with_name(f".{path.name}.stat.json")
    try:
        known = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        known = {}
    text, cache = image_manifest(dataset, spec, known)
    changed = not path.exists() or path.read_text() != text
    if changed:
        write_text(path, text)
    if cache != known:
        write_text(cache_path, json.dumps(cache))
    return changed


def openml_downloads(datasets: dict[str, dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Return {cache file: (data set name, spec)} of the config's OpenML data sets, the outputs
    of the download jobs (one per cache file, shared by data sets naming the same id)."""
    return {
        str(openml_cache_path(spec)): (name, spec)
        for name, spec in datasets.items()
        if spec["source"] == "openml"
    }
