"""Time the config check (schema, semantic checks, probes) with and without a user strategy.

Usage: python benchmarks/config_check.py [--repeats 5]

Checks config/config.yaml (five built-in strategies) and config/examples/own_strategy.yaml
(random, margin and the example's own DensityWeightedMargin, whose probes are the conformance
check), each in a fresh Python process per repeat, after the imports every planning process
pays anyway (scikit-learn, scikit-activeml, albench), so that the figure is the check itself.
Printed: the median seconds of each, and of the conformance check's share (the own strategy's
probes alone).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import sys, time, yaml
from snakemake.utils import validate
import skactiveml.pool, sklearn.linear_model  # paid by every planning process anyway
from albench.plan.checks import check_config
from albench.usercode import use_project_folders

path, only = sys.argv[1], sys.argv[2]
use_project_folders([path])
with open(path) as stream:
    config = yaml.safe_load(stream)
if only != "-":  # the strategy alone (with the baseline the check needs)
    keep = {config["baseline"], only}
    config["strategies"] = {k: v for k, v in config["strategies"].items() if k in keep}
start = time.perf_counter()
validate(config, "workflow/schemas/config.schema.yaml")
check_config(config)
print(time.perf_counter() - start)
"""


def timed(config: str, only: str = "-") -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, config, only],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = {
        "config/config.yaml (5 built-in strategies)": ("config/config.yaml", "-"),
        "own_strategy.yaml (random, margin, own)": ("config/examples/own_strategy.yaml", "-"),
        "  random + the own strategy only": ("config/examples/own_strategy.yaml", "density_margin"),
        "  random alone with margin (built-ins)": ("config/examples/own_strategy.yaml", "margin"),
    }
    for label, (config, only) in runs.items():
        seconds = [timed(config, only) for _ in range(args.repeats)]
        print(f"{label:48s} median {statistics.median(seconds):.3f} s  (of {args.repeats})")


if __name__ == "__main__":
    main()
