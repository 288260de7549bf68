"""What recording the stopping criteria's inputs costs a cell (`albench.stopping.record`): the
stop-set predictions, the pool's uncertainty and the queried batch's, at every iteration.

Usage: python benchmarks/stopping_record.py [--seeds 1] [--repeats 3] [--configfile FILE]
                                           [--grid heavy]

Runs the cells of a config (the default, config/config.yaml, unless given; `--grid heavy`:
bare_loop.py's heavy grid, a forest of 100 trees whose every prediction over the pool costs
more than a linear model's; every data set x model x strategy for `--seeds` seeds) in this
process, each as a cell job does (`run_al_loop`), in turns with the recording and with it
replaced by no-ops, and prints the total seconds of each over all cells (median of `--repeats`)
and their ratio; the target is at most 1.05 (on the default config).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import yaml
from strategy_guard import REPO, prepared_cells, timed_in_turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configfile", default=str(REPO / "config/config.yaml"))
    parser.add_argument("--grid", choices=["heavy"], help="bare_loop.py's heavy grid instead")
    args = parser.parse_args()

    if args.grid == "heavy":
        from bare_loop import HEAVY

        args.configfile = str(Path(tempfile.mkdtemp()) / "heavy.yaml")
        Path(args.configfile).write_text(yaml.safe_dump(HEAVY, sort_keys=False))
    prepared = prepared_cells(args.configfile, args.seeds)
    silent = {
        "stopping_row": lambda learner, state, iteration: {},
        "queried_row": lambda learner, state, query: {},
    }
    walls = timed_in_turns(prepared, {"recording": {}, "not recording": silent}, args.repeats)

    on, off = (statistics.median(walls[k]) for k in ("recording", "not recording"))
    print(f"cells: {len(prepared)} ({Path(args.configfile).name}, {args.seeds} seed(s))")
    for name, wall in (("recording", on), ("not recording", off)):
        print(f"{name}: {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls[name])})")
    print(f"ratio: {on / off:.3f} (target on the default config: at most 1.05)")


if __name__ == "__main__":
    main()
