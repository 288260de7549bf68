"""Write scikit-learn's digits as an image folder: a small, offline image-classification set.

`python -m albench.data.sample_images DEST` writes DEST/<digit>/<n>.png (8x8 grey images, one
sub-folder per class), the layout of an `image_folder` data set; `config/examples/digits_cnn.yaml`
and the tests use it to exercise the real folder loader without downloading anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def write_digits_folder(dest: str | Path, per_class: int | None = None) -> Path:
    """Write the digits (optionally the first `per_class` of each class) as PNGs under `dest`.

    Pixel values 0..16 are scaled to 0..255. Returns `dest`.
    """
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    dest = Path(dest)
    counts: dict[int, int] = {}
    for image, label in zip(digits.images, digits.target, strict=True):
        n = counts.get(int(label), 0)
        if per_class is not None and n >= per_class:
            continue
        counts[int(label)] = n + 1
        folder = dest / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.round(image * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"{n:04d}.png")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", help="folder to write (one sub-folder per digit)")
    parser.add_argument("--per-class", type=int, default=None, help="images per class")
    args = parser.parse_args()
    path = write_digits_folder(args.dest, args.per_class)
    print(f"wrote {sum(1 for _ in path.rglob('*.png'))} images to {path}")


if __name__ == "__main__":
    main()
