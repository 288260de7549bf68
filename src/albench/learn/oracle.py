"""The oracle that reveals labels: exact, or wrong with a fixed probability (`label_noise`).

A noisy oracle answers a wrong class, uniform over the other classes, with probability p for
each label it reveals. Which rows it mislabels, and as what, is drawn once per data set and
replicate seed for every row of the data set, so every strategy and the full-pool reference of
one data set x seed face the same oracle, whatever the split or the order of queries. The draw
does not depend on p: a row mislabelled at p = 0.1 is mislabelled (as the same class) at 0.2.
"""

from __future__ import annotations

import numpy as np

from albench.seeding import derive_seed


def oracle_labels(y: np.ndarray, n_classes: int, label_noise: float, dataset: str, seed: int):
    """Return the label the oracle gives for each row of data set `dataset` (classes `y`)."""
    if not 0 <= label_noise < 1:
        raise ValueError(f"label_noise must lie in [0, 1), got {label_noise!r}")
    y = np.asarray(y)
    if label_noise == 0 or n_classes < 2:
        return y.copy()
    rng = np.random.default_rng(derive_seed("noise", seed, dataset))
    draw = rng.random(len(y))
    offset = rng.integers(1, n_classes, size=len(y))  # another class, uniformly
    return np.where(draw < label_noise, (y + offset) % n_classes, y).astype(y.dtype)
