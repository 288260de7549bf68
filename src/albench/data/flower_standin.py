"""Write a stand-in for the flower photos as an image folder: the seed experiment's size and
shape (2 746 RGB images of 64 x 64 in 5 classes of 495 to 646), drawn procedurally, offline.

`python -m albench.data.flower_standin DEST [--seed 0] [--scale 1.0]` writes
DEST/<class>/<n>.png. Each class is a kind of flower: a number of petals and a petal shape, a
range of hues that overlaps its neighbours', drawn at a random place, size and rotation on a
cluttered, textured background with noise and an occluding leaf. Colour alone does not tell the
classes apart and the petals are a few pixels wide, so a CNN trained from scratch needs
hundreds of labels, as on the photos. `--scale` shrinks every class (0.05: 137 images) for quick
checks.
"""

from __future__ import annotations

import argparse
import colorsys
from pathlib import Path

import numpy as np

SIZE = 64
# Per class: images (the photos' 2 746 in all), petals, petal sharpness, centre hue, hue spread.
CLASSES = {
    "daisy": (495, 13, 0.6, 0.15, 0.10),
    "dandelion": (520, 21, 0.3, 0.13, 0.08),
    "roses": (540, 5, 1.4, 0.92, 0.06),
    "sunflowers": (545, 8, 0.9, 0.12, 0.06),
    "tulips": (646, 6, 2.0, 0.02, 0.12),
}


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v))


def draw(rng: np.random.Generator, petals: int, sharpness: float, hue: float, spread: float):
    """Return one 64 x 64 x 3 uint8 image of a flower of these petals and hues."""
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    # A textured background: smooth colour gradient, blotches and grass-like stripes.
    base = _hsv(rng.uniform(0.2, 0.45), rng.uniform(0.3, 0.7), rng.uniform(0.2, 0.6))
    tilt = rng.uniform(-1, 1, 2)
    image = base + 0.15 * ((x * tilt[0] + y * tilt[1]) / SIZE)[..., None] * rng.uniform(-1, 1, 3)
    for _ in range(rng.integers(3, 8)):
        cx, cy, r = rng.uniform(0, SIZE, 2).tolist() + [rng.uniform(3, 14)]
        blob = ((x - cx) ** 2 + (y - cy) ** 2) < r**2
        image[blob] = 0.6 * image[blob] + 0.4 * _hsv(rng.uniform(), rng.uniform(0.2, 0.9), 0.6)
    stripes = np.sin((x * rng.uniform(0.2, 0.8) + y) * rng.uniform(0.3, 1.2)) > 0.7
    image[stripes] *= rng.uniform(0.7, 1.0)
    # The flower: petals r(theta) = R (0.45 + 0.55 |cos(n theta / 2)|^k), a centre disc.
    cx, cy = rng.uniform(18, 46, 2)
    radius = rng.uniform(11, 24)
    angle = np.arctan2(y - cy, x - cx) + rng.uniform(0, 2 * np.pi)
    distance = np.hypot(x - cx, y - cy)
    edge = radius * (0.45 + 0.55 * np.abs(np.cos(petals * angle / 2)) ** sharpness)
    petal = distance < edge
    colour = _hsv(hue + rng.normal(0, spread), rng.uniform(0.4, 1.0), rng.uniform(0.5, 1.0))
    shade = 0.75 + 0.25 * (distance / np.maximum(edge, 1e-6))[..., None]
    image = np.where(petal[..., None], colour * shade, image)
    centre = distance < radius * rng.uniform(0.12, 0.3)
    image[centre] = _hsv(rng.uniform(0.05, 0.15), 0.8, rng.uniform(0.2, 0.6))
    # An occluding leaf, sensor noise and a random exposure.
    lx, ly = rng.uniform(0, SIZE, 2)
    leaf = ((x - lx) / rng.uniform(4, 10)) ** 2 + ((y - ly) / rng.uniform(10, 20)) ** 2 < 1
    image[leaf] = _hsv(rng.uniform(0.25, 0.4), 0.7, rng.uniform(0.2, 0.5))
    image = image * rng.uniform(0.7, 1.2) + rng.normal(0, 0.05, image.shape)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def write_flower_standin(dest: str | Path, seed: int = 0, scale: float = 1.0) -> dict[str, int]:
    """Write the stand-in under `dest` (`scale` times each class's count, at least one);
    return the count per class."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    counts = {}
    for name, (count, petals, sharpness, hue, spread) in CLASSES.items():
        folder = Path(dest) / name
        folder.mkdir(parents=True, exist_ok=True)
        counts[name] = max(1, round(count * scale))
        for n in range(counts[name]):
            Image.fromarray(draw(rng, petals, sharpness, hue, spread)).save(folder / f"{n:04d}.png")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    counts = write_flower_standin(args.dest, args.seed, args.scale)
    print(f"wrote {sum(counts.values())} images to {args.dest}: {counts}")


if __name__ == "__main__":
    main()
