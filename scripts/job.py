"""Every rule's entry point: run one albench job, on the warm worker pool when there is one.

Usage: python scripts/job.py NAME LOG THREADS FILES SPEC  (see src/albench/run/job.py)
"""

import sys

from albench.run.client import main

sys.exit(main())
