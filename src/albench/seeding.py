"""Seeds derived from names, so every random draw of a cell is fixed by what the cell is.

Names are hashed with SHA-256 rather than Python's `hash`, which is salted per process.
"""

from __future__ import annotations

import hashlib

import numpy as np

# The role tags keep the streams of the split, the model and the strategy independent even
# when their name tuples coincide.
_ROLES = {"split": 1, "model": 2, "strategy": 3, "data": 4, "noise": 5, "stop": 6, "stability": 7}


def _name_words(name: str) -> list[int]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def derive_seed(role: str, seed: int, *names: str) -> int:
    """Return a 32-bit seed determined by `role`, the replicate `seed` and the cell's names."""
    if role not in _ROLES:
        raise ValueError(f"unknown seed role {role!r}; expected one of {sorted(_ROLES)}")
    entropy = [_ROLES[role], int(seed)]
    for name in names:
        entropy.extend(_name_words(name))
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])
