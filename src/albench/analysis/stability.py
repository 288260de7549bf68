"""How far a verdict can be trusted: each comparison re-decided on subsets of its seeds.

With few seeds one strategy can come out significantly better *and* significantly worse than
random on the same data set, depending on which seeds ran (Werner et al., CDALBench 2024).
For each data set x model x protocol (one Holm family) and its verdict's metric, the verdicts
are decided again, exactly as the full run decides them (`albench.analysis.compare.decide`:
Wilcoxon, Holm over the family, equivalence within the margin), on `draws` random subsets of
k of the seeds (seeded by the family and k, so reruns give the same table) for each k of the
config's sizes below the seeds run, and on each of the n subsets that leave one seed out. Each
subset counts whether a strategy's verdict agrees with the full run's and whether its mean
difference has the other sign.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from albench.analysis.compare import Margins, decide, family_margin
from albench.analysis.power import ALPHA, TOO_FEW_SEEDS, smallest_p
from albench.analysis.stats import paired_comparison, wilcoxon_p
from albench.analysis.tables import COMPARED
from albench.seeding import derive_seed

DEFAULT_SIZES = (3, 5, 10, 20, 50)
DEFAULT_DRAWS = 100
AGREEMENT = 0.95  # a verdict is stable at k seeds where this share of subsets agrees with it
DECIDED = ("better", "worse", "equivalent")
COLUMNS = [
    *COMPARED,
    "strategy",
    "metric",
    "seeds",
    "of_seeds",
    "draws",
    "verdict",
    "verdict_agreement",
    "sign_flips",
]


# Up to this many differences the test enumerates every sign flip, as scipy does: without ties
# or zeros its exact method (to 50), with them its permutation test (from 1.15), which enumerates
# all 2^n flips up to n = 13 and is a normal approximation above. The check that the two agree
# takes a tied sample of TIED (scipy's permutation test costs 0.7 s at 13, 0.04 s at 9), as
# scipy goes the same way for every tied sample up to 13.
ENUMERATED = 13
TIED = 9


@functools.cache
def _sign_flips(n: int) -> np.ndarray:
    return np.array(list(itertools.product((0.0, 1.0), repeat=n)))


def _enumerated_p(d: np.ndarray, alternative: str) -> float:
    """The exact signed-rank p-value by enumerating the 2^n sign flips of the nonzero
    differences (average ranks for ties), counted as scipy's permutation test counts."""
    nonzero = d[d != 0]
    ranks = sps.rankdata(np.abs(nonzero))
    observed = ranks[nonzero > 0].sum()
    null = _sign_flips(len(nonzero)) @ ranks
    tolerance = abs(1e-14 * observed)
    less = float(np.mean(null <= observed + tolerance))
    greater = float(np.mean(null >= observed - tolerance))
    return {"less": less, "greater": greater}.get(alternative, min(1.0, 2 * min(less, greater)))


@functools.cache
def _enumeration_is_scipys() -> tuple[bool, bool]:
    """Whether the installed scipy's p-values are the enumeration's, for samples without ties
    or zeros (its exact method), and for samples with them (scipy 1.15 on: a permutation test;
    before: a normal approximation), checked on fixed samples of 5 and ENUMERATED (5 and TIED)
    values."""
    spread = np.arange(1.0, ENUMERATED + 1) * np.where(np.arange(ENUMERATED) % 3 == 2, -1, 1)
    plain = [np.array([0.3, -0.1, 0.4, 0.2, 0.5]), spread]
    tied = [
        np.array([0.0, 0.1, 0.1, -0.2, 0.3]),
        np.array([0, 1, 1, 2, 2, -3, 4, -5, 6.0]),
    ]

    def agrees(samples) -> bool:
        return all(
            abs(_enumerated_p(d, a) - wilcoxon_p(d, a)) <= 1e-12
            for d in samples
            for a in ("two-sided", "less", "greater")
        )

    return agrees(plain), agrees(tied)


def fast_wilcoxon_p(differences: np.ndarray, alternative: str = "two-sided") -> float:
    """Return `albench.analysis.stats.wilcoxon_p` of `differences`, fast for small samples.

    scipy answers a small sample with ties or zeros by a permutation test that costs about
    0.1 s (releases before 1.15 by a normal approximation): re-deciding a family on hundreds of
    subsets would take minutes. Up to ENUMERATED differences the p-value is the exact
    enumeration of their sign flips, where the installed scipy gives the same p-values
    (`_enumeration_is_scipys`); otherwise scipy answers."""
    d = np.asarray(differences, dtype=float)
    nonzero = d[d != 0]
    if len(d) > ENUMERATED or len(nonzero) == 0:
        return wilcoxon_p(d, alternative)
    plain = len(nonzero) == len(d) and len(np.unique(np.abs(d))) == len(d)
    if _enumeration_is_scipys()[0 if plain else 1]:
        return _enumerated_p(d, alternative)
    return wilcoxon_p(d, alternative)


def subset_sizes(n: int, sizes: Sequence[int] = DEFAULT_SIZES) -> list[int]:
    """Return the subset sizes to re-decide `n` seeds' verdicts on: each of `sizes` from 2 up
    to below `n`, and n - 1 (leave one seed out)."""
    return sorted({k for k in sizes if 2 <= k < n} | ({n - 1} if n >= 3 else set()))


def subsets(n: int, k: int, draws: int, seed: int) -> np.ndarray:
    """Return the positions of the seeds of each subset of size `k` of `n`: every one of the n
    that leave one out where `k` is n - 1, else `draws` drawn at random (without replacement
    within a subset) by the generator seeded with `seed`."""
    if k == n - 1:
        return np.array([np.delete(np.arange(n), i) for i in range(n)])
    rng = np.random.default_rng(seed)
    return np.array([np.sort(rng.choice(n, size=k, replace=False)) for _ in range(draws)])


def family_stability(
    values: pd.DataFrame,
    baseline: str,
    full: dict[str, str],
    key: tuple,
    metric: str,
    higher_is_better: bool,
    margin: float,
    sizes: Sequence[int] = DEFAULT_SIZES,
    draws: int = DEFAULT_DRAWS,
    alpha: float = ALPHA,
) -> list[dict]:
    """Return one row per strategy and subset size of one family: `values` holds its AUBCs
    (rows: seeds, columns: strategies, the baseline's among them), `full` each strategy's
    verdict on every seed. Only seeds every strategy has are drawn from."""
    values = values.dropna()
    strategies = [s for s in values.columns if s != baseline and s in full]
    n = len(values)
    if not strategies or n < 3:
        return []
    base = values[baseline].to_numpy()
    own = {s: values[s].to_numpy() for s in strategies}
    sign = {s: np.sign(np.mean(own[s] - base)) for s in strategies}
    rows = []
    for k in subset_sizes(n, sizes):
        picks = subsets(n, k, draws, derive_seed("stability", k, *map(str, key), metric))
        agree = dict.fromkeys(strategies, 0)
        flips = dict.fromkeys(strategies, 0)
        decidable = smallest_p(k, len(strategies)) < alpha
        for pick in picks:
            if decidable:
                tests = {
                    s: paired_comparison(own[s][pick], base[pick], False, fast_wilcoxon_p)
                    for s in strategies
                }
                decided = decide(
                    {key: tests}, alpha, higher_is_better, margin, False, fast_wilcoxon_p
                )
                verdicts = {s: d.verdict for s, d in decided[key].items()}
            else:  # no subset of this size can reach alpha: the verdict is known untested
                verdicts = dict.fromkeys(strategies, TOO_FEW_SEEDS)
            for s in strategies:
                agree[s] += verdicts[s] == full[s]
                difference = np.mean(own[s][pick] - base[pick])
                flips[s] += bool(sign[s] and np.sign(difference) == -sign[s])
        for s in strategies:
            rows.append(
                {
                    **dict(zip(COMPARED, key, strict=True)),
                    "strategy": s,
                    "metric": metric,
                    "seeds": k,
                    "of_seeds": n,
                    "draws": len(picks),
                    "verdict": full[s],
                    "verdict_agreement": agree[s] / len(picks),
                    "sign_flips": flips[s] / len(picks),
                }
            )
    return rows


def stability_table(
    aubcs: pd.DataFrame,
    comparison: pd.DataFrame,
    metric: str,
    baseline: str,
    higher_is_better: bool,
    margins: Margins,
    sizes: Sequence[int] = DEFAULT_SIZES,
    draws: int = DEFAULT_DRAWS,
) -> pd.DataFrame:
    """Return the stability of every comparison of `comparison` on `metric` (the verdict's),
    from the per-cell `aubcs`: per data set x model x protocol x strategy and subset size, the
    share of subsets whose verdict agrees with the full run's and whose mean difference has
    the other sign (`family_stability`)."""
    rows = []
    column = f"aubc_{metric}"
    verdicts = comparison.set_index([*COMPARED, "strategy"])[f"{metric}_verdict"]
    for key, cells in aubcs.groupby(list(COMPARED), sort=True):
        values = cells.pivot_table(index="seed", columns="strategy", values=column)
        if baseline not in values.columns:
            continue
        full = {
            s: verdicts.get((*key, s))
            for s in values.columns
            if s != baseline and isinstance(verdicts.get((*key, s)), str)
        }
        rows += family_stability(
            values,
            baseline,
            full,
            key,
            metric,
            higher_is_better,
            family_margin(margins, key),
            sizes,
            draws,
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def stability_columns(comparison: pd.DataFrame, stability: pd.DataFrame) -> pd.DataFrame:
    """Return `comparison` with, for each comparison of `stability`'s metric, the smallest
    number of seeds at which its verdict agrees with the full run's in AGREEMENT of the subsets
    (`<metric>_stable_seeds`; the seeds run where no smaller number does) and the share of the
    leave-one-seed-out subsets that agree (`<metric>_drop_one_agreement`)."""
    if stability.empty:
        return comparison
    metric = str(stability["metric"].iloc[0])
    keys = [*COMPARED, "strategy"]
    stable, drop_one = {}, {}
    for key, rows in stability.groupby(keys, sort=False):
        rows = rows.sort_values("seeds")
        enough = rows.loc[rows["verdict_agreement"] >= AGREEMENT, "seeds"]
        stable[key] = int(enough.iloc[0]) if len(enough) else int(rows["of_seeds"].iloc[0])
        last = rows[rows["seeds"] == rows["of_seeds"] - 1]
        drop_one[key] = float(last["verdict_agreement"].iloc[0]) if len(last) else np.nan
    index = pd.MultiIndex.from_frame(comparison[keys])
    comparison = comparison.copy()
    comparison[f"{metric}_stable_seeds"] = index.map(stable).astype(float)
    comparison[f"{metric}_drop_one_agreement"] = index.map(drop_one).astype(float)
    return comparison


def fragile(row, metric: str) -> bool:
    """Whether a decided comparison's verdict changes when one of its seeds is left out, in
    more than 1 - AGREEMENT of the ways to leave one out."""
    share = row.get(f"{metric}_drop_one_agreement", np.nan)
    return row.get(f"{metric}_verdict") in DECIDED and share == share and share < AGREEMENT
