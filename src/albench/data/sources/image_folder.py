"""The `image_folder` source: one sub-folder of images per class.

The files it is read from are declared as a manifest that lists every image with its size and
content hash (`inputs`): brought up to date when the workflow starts and rewritten only when an
image was added, removed or changed, so editing one image reruns that data set's preparation
and everything downstream of it, and nothing else. Hashes are reused for files whose size and
modification time are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from albench.data.datasets import Dataset, validate_dataset
from albench.data.sources.base import Shape, Source, register
from albench.data.sources.tabular import existing_path
from albench.errors import DataError
from albench.io.files import write_text

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
IMAGE_MODES = {"rgb": "RGB", "grayscale": "L"}
MANIFESTS = "results/manifests"

log = logging.getLogger("albench")


@register
class ImageFolder(Source):
    name = "image_folder"

    def size(self, name: str, spec: dict[str, Any]) -> int | None:
        return sum(len(files) for files in image_files(name, spec).values())

    def shape(self, name: str, spec: dict[str, Any]) -> Shape | None:
        height, width = image_size(spec)
        channels = 3 if spec.get("color", "rgb") == "rgb" else 1
        n_classes = len(image_files(name, spec))
        return Shape(channels * height * width, n_classes, (channels, height, width))

    def load(self, name: str, spec: dict[str, Any]) -> Dataset:
        X, y, shape = load_image_folder(name, spec)
        return replace(validate_dataset(name, X, y), image_shape=shape)

    def inputs(self, name: str, spec: dict[str, Any], update: bool = True) -> list[str]:
        path = manifest_path(name)
        if update:
            write_image_manifest(name, spec, path)
        return [path]


def image_files(name: str, spec: dict[str, Any]) -> dict[str, list[Path]]:
    """Return the image files of an image-folder data set by class (sub-folder), sorted.

    The folder holds one sub-folder per class; files with other extensions are ignored.
    """
    root = existing_path(name, spec, folder=True)
    key = f"datasets.{name}.path"
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(
            f"{key}: {str(root)!r} must hold one sub-folder of images per class; found "
            f"{len(classes)} sub-folder(s)"
        )
    files = {
        folder.name: sorted(
            f for f in folder.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS
        )
        for folder in classes
    }
    empty = [c for c, found in files.items() if not found]
    if empty:
        raise DataError(
            f"{key}: class folder(s) {empty} in {str(root)!r} hold no image "
            f"({', '.join(IMAGE_EXTENSIONS)})"
        )
    return files


def image_size(spec: dict[str, Any]) -> tuple[int, int]:
    """Return the (height, width) images of `spec` are resized to (config `size`, default 64)."""
    size = spec.get("size", 64)
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def load_image_folder(
    name: str, spec: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int]]:
    """Return (pixels, class names per image, image shape) of an image-folder data set.

    Every image is converted to the configured colour mode and resized (bilinear) to the
    configured size; rows hold the uint8 pixels flattened channels-first.
    """
    from PIL import Image, UnidentifiedImageError

    height, width = image_size(spec)
    mode = IMAGE_MODES[spec.get("color", "rgb")]
    channels = 3 if mode == "RGB" else 1
    by_class = image_files(name, spec)
    n = sum(len(files) for files in by_class.values())
    pixels = np.empty((n, channels, height, width), dtype=np.uint8)
    labels: list[str] = []
    for class_name, files in by_class.items():
        for path in files:
            try:
                with Image.open(path) as image:
                    image = image.convert(mode).resize((width, height), Image.Resampling.BILINEAR)
                    array = np.asarray(image, dtype=np.uint8)
            except (OSError, UnidentifiedImageError) as exc:
                raise DataError(f"datasets.{name}: cannot read image {str(path)!r}: {exc}") from exc
            row = len(labels)
            pixels[row] = array[None] if channels == 1 else array.transpose(2, 0, 1)
            labels.append(class_name)
    log.info("data set %r: %d images of %d classes, %s", name, n, len(by_class), pixels.shape[1:])
    return pixels.reshape(n, -1), np.asarray(labels), (channels, height, width)


def manifest_path(dataset: str) -> str:
    """Return where image-folder data set `dataset`'s manifest is kept."""
    return f"{MANIFESTS}/{dataset}.tsv"


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
