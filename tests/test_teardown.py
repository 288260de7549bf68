"""The Snakemake process's heap frozen at exit (albench.run.teardown)."""

from __future__ import annotations

import subprocess
import sys

# A process that registers the handler, then one of its own (which runs first: exit handlers
# run last registered first), logs to a file and exits: the handler froze the heap, logging's
# shutdown still flushed the log, and the exit status is the one asked for.
SCRIPT = """
import atexit, gc, logging, sys
from albench.run.teardown import freeze_heap_at_exit

logging.basicConfig(filename=sys.argv[1], level=logging.INFO)
assert freeze_heap_at_exit() and not freeze_heap_at_exit()
atexit.register(lambda: print("frozen before:", gc.get_freeze_count()))
log = logging.getLogger("x")
log.info("last line")
sys.exit(3)
"""


def test_the_heap_is_frozen_at_exit_and_logs_and_status_survive(tmp_path):
    log = tmp_path / "x.log"
    check = "import atexit, gc; atexit.register(lambda: print('frozen:', gc.get_freeze_count()))"
    # The first handler registered runs last: it sees what the teardown handler did.
    done = subprocess.run(
        [sys.executable, "-c", f"{check}\n{SCRIPT}", str(log)], capture_output=True, text=True
    )
    assert done.returncode == 3, done.stderr
    before, after = done.stdout.splitlines()
    assert before == "frozen before: 0"
    assert int(after.removeprefix("frozen: ")) > 1000
    assert log.read_text().strip().endswith("last line")
