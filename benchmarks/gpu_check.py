"""One short device run for deep active learning: what a GPU buys a flower-sized cell, whether
its curves are reproducible, and the digits CNN example through the workflow.

Usage: python benchmarks/gpu_check.py [--device cuda] [--iterations 3] [--budget 330] [--tiny]
       python benchmarks/gpu_check.py --difficulty [--device cpu]

Four steps, each printing its figures, each skipped (and said so) once `--budget` seconds are
spent, so the whole fits one call of a lent machine with time to rerun it:
1. the device: torch, the GPU's model and memory (or the CPU), the cores;
2. a flower-sized cell (the stand-in images of `albench.data.flower_standin`: 2 746 RGB 64x64
   images, 5 classes; config/examples/seed_flowers.yaml's network and protocol, BADGE) for
   `--iterations` rounds on `--device`: seconds per round and per image-epoch, peak GPU memory;
   then the same network trained one epoch on the machine's CPU, for the ratio;
3. determinism: one digits_cnn cell run twice with `deterministic: true` on `--device`: the
   curves identical, or their largest difference;
4. the digits_cnn example through Snakemake on `--device` (five strategies, one seed, the
   albench executor, `--resources gpu=1`): wall seconds and the verdict's first lines.
`--tiny` shrinks every step to seconds (a twentieth of the images, one epoch, one round) so
that each line runs on a laptop's CPU: `python benchmarks/gpu_check.py --device cpu --tiny`.
`--difficulty` only trains the network on 137, 500 and 1 500 stand-in images (10 epochs) and
prints its macro-F1 on 500 others: how many labels the stand-in takes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]


class Budget:
    """Seconds left of `total`; `spent()` says when a step should not start."""

    def __init__(self, total: float) -> None:
        self.start, self.total = time.monotonic(), total

    def left(self) -> float:
        return self.total - (time.monotonic() - self.start)

    def spent(self, step: str, needs: float = 0.0) -> bool:
        if self.left() <= needs:
            print(f"{step}: skipped, {self.left():.0f} s of the budget left")
            return True
        return False


def device_line(device: str) -> str:
    import torch

    from albench.learn.cnn import resolve_device

    chosen = resolve_device(device)
    line = f"torch {torch.__version__}; device {chosen}"
    if chosen.type == "cuda":
        props = torch.cuda.get_device_properties(chosen)
        line += f": {props.name}, {props.total_memory / 2**30:.1f} GiB"
    return line + f"; {os.cpu_count()} CPU cores"


def flower_cell(device: str, iterations: int, tiny: bool, folder: Path) -> None:
    import torch

    from albench.data.flower_standin import write_flower_standin
    from albench.data.sources import load_dataset
    from albench.data.splits import make_split, split_indices
    from albench.learn.loop import run_al_loop
    from albench.plan.grid import cell_spec

    config = yaml.safe_load((REPO / "config/examples/seed_flowers.yaml").read_text())
    params = config["models"]["cnn"]["params"]
    params.update(device=device)
    protocol = config["protocol"]
    protocol["iterations"] = iterations
    if tiny:
        params.update(epochs=1)
        protocol.update(validation_size=14, initial_size=20, batch_size=10)
    spec = {"source": "image_folder", "path": str(folder / "flowers"), "size": 64, "color": "rgb"}
    write_flower_standin(spec["path"], scale=0.05 if tiny else 1.0)
    data = load_dataset("flowers", spec)
    n = len(data.y)
    test = protocol["test_size"] if protocol["test_size"] < 1 else protocol["test_size"] / n
    validation = protocol["validation_size"]
    split = make_split(data.y, test, protocol["initial_size"], 0, validation_size=validation)
    config["datasets"] = {"flowers": spec}
    cell = dataclasses.replace(cell_spec(config, "flowers", "cnn", "badge", 0), embedding_maps=None)
    on_gpu = device != "cpu" and torch.cuda.is_available()
    if on_gpu:
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    curve = run_al_loop(data, split_indices(split), cell).curve
    wall = time.perf_counter() - start
    image_epochs = int(curve["n_labeled"].sum()) * params["epochs"]
    fit = float(curve["fit_seconds"].sum())
    peak = (
        f"; peak GPU memory {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB" if on_gpu else ""
    )
    print(
        f"flower-sized cell ({n} images, {len(curve)} fits of {params['epochs']} epochs, BADGE, "
        f"{device}): {wall:.1f} s, {wall / len(curve):.1f} s per round; fit {fit:.1f} s, "
        f"{fit / image_epochs * 1000:.3f} ms per labelled image-epoch with its validation "
        f"passes{peak}; final macro-F1 "
        f"{curve['f1_macro'].iloc[-1]:.3f}"
    )
    rows = np.flatnonzero(np.isin(np.arange(n), split_indices(split)["pool"]))[:1000]
    seconds = {
        d: epoch_seconds(data.X[rows], data.y[rows], d) for d in dict.fromkeys([device, "cpu"])
    }
    print(
        f"one epoch of the network on {len(rows)} images: "
        + ", ".join(f"{d} {s * 1000 / len(rows):.3f} ms per image" for d, s in seconds.items())
        + (
            f"; the CPU ({os.cpu_count()} threads) takes {seconds['cpu'] / seconds[device]:.1f} x "
            f"the {device}'s time"
            if device != "cpu"
            else ""
        )
    )


def epoch_seconds(X: np.ndarray, y: np.ndarray, device: str) -> float:
    """Seconds to train the flower network one epoch on `X` on `device`, all cores on a CPU."""
    import torch

    from albench.learn.cnn import CNNClassifier

    clf = CNNClassifier(image_shape=(3, 64, 64), epochs=1, device=device, threads=os.cpu_count())
    start = time.perf_counter()
    clf.fit(X, y)
    if clf.device_.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def difficulty(device: str, folder: Path) -> None:
    """How many labels the stand-in takes: the network trained from scratch (10 epochs) on 137,
    500 and 1 500 random stand-in images, macro-F1 on 500 others (chance: 0.2)."""
    from sklearn.metrics import f1_score

    from albench.data.flower_standin import write_flower_standin
    from albench.data.sources import load_dataset
    from albench.learn.cnn import CNNClassifier

    spec = {"source": "image_folder", "path": str(folder / "standin"), "size": 64, "color": "rgb"}
    write_flower_standin(spec["path"])
    data = load_dataset("flowers", spec)
    order = np.random.default_rng(0).permutation(len(data.y))
    test, pool = order[:500], order[500:]
    for n in (137, 500, 1500):
        clf = CNNClassifier(
            image_shape=(3, 64, 64), epochs=10, device=device, threads=os.cpu_count()
        )
        clf.fit(data.X[pool[:n]], data.y[pool[:n]])
        f1 = f1_score(data.y[test], clf.predict(data.X[test]), average="macro")
        print(f"stand-in, {n} labels, 10 epochs ({device}): macro-F1 {f1:.3f}", flush=True)


def determinism(device: str, tiny: bool, folder: Path) -> None:
    from albench.data.sample_images import write_digits_folder
    from albench.data.sources import load_dataset
    from albench.data.splits import make_split, split_indices
    from albench.learn.loop import run_al_loop
    from albench.plan.grid import cell_spec

    config = yaml.safe_load((REPO / "config/examples/digits_cnn.yaml").read_text())
    config["models"]["cnn"]["params"].update(device=device, deterministic=True)
    protocol = config["protocol"]
    if tiny:
        config["models"]["cnn"]["params"].update(epochs=1)
        protocol["iterations"] = 1
    spec = dict(config["datasets"]["digits_images"], path=str(folder / "digits"))
    write_digits_folder(spec["path"], per_class=20 if tiny else None)
    data = load_dataset("digits_images", spec)
    n = len(data.y)
    split = make_split(
        data.y,
        protocol["test_size"],
        round(protocol["initial_size"] * n),
        0,
        validation_size=round(protocol["validation_size"] * n),
    )
    cell = dataclasses.replace(
        cell_spec(config, "digits_images", "cnn", "badge", 0), embedding_maps=None
    )
    curves = [run_al_loop(data, split_indices(split), cell).curve for _ in range(2)]
    a, b = (c[["f1_macro", "accuracy"]].to_numpy() for c in curves)
    if np.array_equal(a, b):
        print(f"determinism ({device}): two runs of a digits_cnn cell give identical curves")
    else:
        print(
            f"determinism ({device}): the two runs differ, by up to {np.max(np.abs(a - b)):.4f} "
            "macro-F1 / accuracy"
        )


def workflow(device: str, tiny: bool, folder: Path, timeout: float) -> None:
    from albench.data.sample_images import write_digits_folder

    config = yaml.safe_load((REPO / "config/examples/digits_cnn.yaml").read_text())
    config["models"]["cnn"]["params"].update(device=device)
    config["seeds"] = 1
    config.pop("embedding_maps", None)
    if tiny:
        config["models"]["cnn"]["params"].update(epochs=1)
        config["protocol"]["iterations"] = 1
    config["datasets"]["digits_images"]["path"] = str(folder / "images")
    write_digits_folder(folder / "images", per_class=30 if tiny else None)
    (folder / "bench.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
    command += ["--configfile", "bench.yaml", "--cores", str(os.cpu_count()), "--resources"]
    command += ["gpu=1"]
    start = time.perf_counter()
    proc = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=max(timeout, 1)
    )
    wall = time.perf_counter() - start
    if proc.returncode:
        print(f"workflow: failed after {wall:.0f} s:\n{proc.stderr[-2000:]}")
        return
    verdict = (folder / "results/verdict.txt").read_text().splitlines()
    print(f"workflow: the digits_cnn example (5 strategies, 1 seed, {device}): {wall:.0f} s")
    print("\n".join("  " + line for line in verdict[:6]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--budget", type=float, default=330.0)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument(
        "--difficulty", action="store_true", help="only how many labels the stand-in takes"
    )
    args = parser.parse_args()
    if args.difficulty:
        with tempfile.TemporaryDirectory() as tmp:
            difficulty(args.device, Path(tmp))
        return
    budget = Budget(args.budget)
    print(device_line(args.device), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        iterations = 1 if args.tiny else args.iterations
        if not budget.spent("flower-sized cell"):
            flower_cell(args.device, iterations, args.tiny, folder)
        if not budget.spent("determinism"):
            determinism(args.device, args.tiny, folder)
        if not budget.spent("workflow", needs=30):
            workflow(args.device, args.tiny, folder / "run", budget.left())


if __name__ == "__main__":
    main()
