"""Wall time of deep-AL cells (albench.torch.CNNClassifier) on this machine's CPU or GPU.

Usage: python benchmarks/deep_cell.py [--threads 1] [--device auto] [--skip-digits]

Prints
- digits: one real cell of config/examples/digits_cnn.yaml per strategy given (digits written
  as an image folder, read through the image_folder loader), wall seconds each;
- flowers estimate: the seed's 64x64 RGB network trained for one epoch on 1 000 random images
  (seconds per image-epoch), and from it the training time of one seed_flowers.yaml cell:
  30 epochs at each of the 21 labelled-set sizes 137, 219, ..., 1777 (plus validation passes).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from albench.data.sample_images import write_digits_folder
from albench.data.sources import load_dataset
from albench.data.splits import make_split, split_indices
from albench.learn.loop import run_al_loop
from albench.plan.grid import cell_spec

REPO = Path(__file__).resolve().parents[1]


def digits_cells(strategies: list[str], threads: int, device: str) -> None:
    config = yaml.safe_load((REPO / "config" / "examples" / "digits_cnn.yaml").read_text())
    config["models"]["cnn"]["params"].update(device=device)
    with tempfile.TemporaryDirectory() as tmp:
        spec = dict(config["datasets"]["digits_images"], path=str(Path(tmp) / "digits"))
        write_digits_folder(spec["path"])
        data = load_dataset("digits_images", spec)
    protocol = {"metrics": ["f1_macro"], **config["protocol"]}
    config["protocol"] = protocol
    n = len(data.y)
    split = make_split(
        data.y,
        protocol["test_size"],
        round(protocol["initial_size"] * n),
        random_state=0,
        validation_size=round(protocol["validation_size"] * n),
    )
    roles = split_indices(split)
    for strategy in strategies:
        cell = dataclasses.replace(
            cell_spec(config, "digits_images", "cnn", strategy, 0), embedding_maps=None
        )
        start = time.perf_counter()
        result = run_al_loop(data, roles, cell, threads=threads)
        wall = time.perf_counter() - start
        curve = result.curve
        print(
            f"digits cell {strategy:16s} {wall:6.1f} s  (fit {curve['fit_seconds'].sum():.1f} s,"
            f" query {curve['query_seconds'].sum(skipna=True):.2f} s; final macro-F1 "
            f"{curve['f1_macro'].iloc[-1]:.3f})"
        )


def flowers_estimate(threads: int, device: str) -> None:
    import torch

    from albench.learn.cnn import CNNClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 3 * 64 * 64)).astype(np.float32)
    y = np.arange(1000) % 5
    clf = CNNClassifier(image_shape=(3, 64, 64), epochs=1, threads=threads, device=device)
    start = time.perf_counter()
    clf.fit(X, y)
    if clf.device_.type == "cuda":
        torch.cuda.synchronize()
    per_image_epoch = (time.perf_counter() - start) / 1000
    params = sum(p.numel() for p in clf.network_.parameters())
    start = time.perf_counter()
    clf.predict_proba(X)
    per_image_eval = (time.perf_counter() - start) / 1000
    sizes = [137 + 82 * i for i in range(21)]
    # 30 epochs each; a validation pass (276) per epoch; a pool + test pass per iteration.
    train = sum(sizes) * 30 * per_image_epoch
    evaluate = (21 * 30 * 276 + sum(2746 - s for s in sizes)) * per_image_eval
    print(
        f"flowers network ({params / 1e6:.2f} M parameters, {clf.device_}): "
        f"{per_image_epoch * 1000:.2f} ms per image-epoch, {per_image_eval * 1000:.3f} ms per "
        f"image predicted; one seed_flowers cell = {sum(sizes)} image-fits x 30 epochs: "
        f"about {(train + evaluate) / 60:.0f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--strategies",
        nargs="+",
        default=["random", "entropy", "least_confident", "margin", "badge"],
    )
    parser.add_argument("--skip-digits", action="store_true")
    args = parser.parse_args()
    if not args.skip_digits:
        digits_cells(args.strategies, args.threads, args.device)
    flowers_estimate(args.threads, args.device)


if __name__ == "__main__":
    main()
