"""How often the equivalence test is wrong: its simulated type I error at the margin, and how
often it decides as statsmodels' paired t TOST (`ttost_paired`) does.

Usage: python benchmarks/equivalence_error.py [--draws 4000]

Type I error: paired differences whose true centre lies exactly on a bound of the margin (the
least favourable null: a strategy just as far from the baseline as the margin allows), drawn
normal, heavy-tailed (t with 3 degrees of freedom) and uniform, for 8, 10, 20 and 50 seeds and
either bound; printed is the share of draws the test calls equivalent (at most alpha = 0.05 is
the promise; the exact small-sample Wilcoxon test is conservative). Agreement: on normal
differences with true centres from -2 to +2 margins, the share of draws where both tests
decide alike. The unit tests (tests/test_equivalence.py) check the same properties on fewer
draws.
"""

from __future__ import annotations

import argparse

import numpy as np
from statsmodels.stats.weightstats import ttost_paired

from albench.analysis.equivalence import equivalence_p
from albench.analysis.power import ALPHA

MARGIN, SPREAD = 0.01, 0.0125  # the default margin; about the default run's spread of AUBC
DRAWS = {
    "normal": lambda rng, n: rng.normal(0.0, SPREAD, n),
    "t(3)": lambda rng, n: rng.standard_t(3, n) * SPREAD,
    "uniform": lambda rng, n: rng.uniform(-2 * SPREAD, 2 * SPREAD, n),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    se = np.sqrt(ALPHA * (1 - ALPHA) / (2 * args.draws))
    print(f"type I error at the margin ±{MARGIN} ({2 * args.draws} draws per cell, both bounds;")
    print(f"alpha {ALPHA}, one standard error of the estimate {se:.4f})")
    print(f"{'seeds':>6} " + " ".join(f"{name:>8}" for name in DRAWS))
    worst = 0.0
    for n in (8, 10, 20, 50):
        errors = []
        for draw in DRAWS.values():
            equivalent = sum(
                equivalence_p(side * MARGIN + draw(rng, n), MARGIN) < ALPHA
                for side in (-1, 1)
                for _ in range(args.draws)
            )
            errors.append(equivalent / (2 * args.draws))
        worst = max(worst, *errors)
        print(f"{n:>6} " + " ".join(f"{e:>8.4f}" for e in errors))
    print(f"largest: {worst:.4f} (alpha {ALPHA})")

    agree = total = 0
    for centre in np.linspace(-2 * MARGIN, 2 * MARGIN, 21):
        for _ in range(max(1, args.draws // 40)):
            d = rng.normal(centre, SPREAD, 20)
            ours = equivalence_p(d, MARGIN) < ALPHA
            theirs = ttost_paired(d, np.zeros_like(d), -MARGIN, MARGIN)[0] < ALPHA
            agree += ours == theirs
            total += 1
    print(
        f"agreement with statsmodels' ttost_paired (normal, 20 seeds, {total} draws, centres "
        f"-2 to +2 margins): {agree / total:.3f}"
    )


if __name__ == "__main__":
    main()
